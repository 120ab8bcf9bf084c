"""Checks on the built book: every published number against its reviewed value, and the exact checks.

These tests read ``_build/ledger/``, written while the notebooks execute, so they run after the
book build (``make test`` runs them last). A number that moved beyond its tolerance, a number
that is new, or one that disappeared fails here; if the change is intended, run
``python scripts/update_expected_numbers.py`` and review the diff of tests/expected/numbers.csv.
"""

import csv
import math
from pathlib import Path

import pytest

from ipscompendium.publish import LEDGER_DIR, read_ledger

pytestmark = pytest.mark.built

EXPECTED = Path(__file__).resolve().parents[1] / "expected" / "numbers.csv"
UPDATE = "run `python scripts/update_expected_numbers.py` and review the diff if this change is intended"


@pytest.fixture(scope="module")
def ledger() -> dict[tuple[str, str], dict]:
    rows = read_ledger()
    if not rows:
        pytest.fail(f"no ledger in {LEDGER_DIR}: build the book first (`make book`)")
    return {(r["chapter"], r["name"]): r for r in rows}


@pytest.fixture(scope="module")
def expected() -> dict[tuple[str, str], dict]:
    with open(EXPECTED, newline="") as handle:
        return {(r["chapter"], r["name"]): r for r in csv.DictReader(handle)}


def test_every_published_number_is_reviewed_and_none_is_lost(ledger, expected):
    new = sorted(set(ledger) - set(expected))
    lost = sorted(set(expected) - set(ledger))
    assert not new, f"numbers published but not in {EXPECTED.name}: {new}; {UPDATE}"
    assert not lost, f"numbers in {EXPECTED.name} no longer published: {lost}; {UPDATE}"


def test_published_numbers_agree_with_their_reviewed_values(ledger, expected):
    drift = []
    for key, want in expected.items():
        if key not in ledger:
            continue
        got, tol = ledger[key], float(want["tolerance"])
        for field in ("value", "low", "high"):
            if want[field] == "" and got[field] == "":
                continue
            a, b = float(got[field]), float(want[field])
            if not (math.isclose(a, b, abs_tol=tol) or (math.isnan(a) and math.isnan(b))):
                drift.append(f"{key[0]}::{key[1]} {field}: {a:.6g}, reviewed {b:.6g} (tolerance {tol:.2g})")
    assert not drift, "published numbers moved:\n" + "\n".join(drift) + f"\n{UPDATE}"


@pytest.mark.parametrize("chapter, name", [
    ("pain_bayesian", "worst_mc_z"),  # all three probabilities of 15 two-arm fits against the exact grid
    ("meta_bayesian", "exact_worst"),  # mu and tau of the normal-normal fits against quadrature over tau
])
def test_mcmc_agrees_with_its_exact_answer_in_the_book(ledger, chapter, name):
    assert float(ledger[(chapter, name)]["value"]) < 4, "in Monte Carlo standard errors"
