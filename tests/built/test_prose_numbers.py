"""Every decimal and percentage in the built book's prose is explained by the ledger.

The scan reads what a reader reads: paragraphs, list items, admonitions, captions and answer
cards of every page, without code, tables (their numbers come from the same computed frames) or
equations. Each decimal or percentage must equal, at the decimals printed, a number some chapter
recorded in the ledger (``_build/ledger``: computed, published with its source, or a threshold),
or one of the package's named settings (the verbal scale's boundaries, the 95% interval
convention, the clinically relevant difference, the robust weight...). A typed number that nobody
recorded fails here with its page and its sentence.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from ipscompendium.publish import read_ledger

pytestmark = pytest.mark.built

HTML = Path(__file__).resolve().parents[2] / "_build" / "html"
PAGES = ("notebooks", "book")
SKIP = {"references.html"}  # the bibliography: volumes, pages and DOIs, not results
ENGLISH = re.compile(r"(?<![\w.,\u2212-])([\u2212-]?\d+(?:\.\d+)?)(\s?%)?")
NORWEGIAN = re.compile(r"(?<![\w.,\u2212-])([\u2212-]?\d+(?:,\d+)?)(\u00a0?\s?%)?")


def named_settings() -> dict[str, float]:
    """The package's named settings a reader meets in the prose, with where they are defined."""
    from ipscompendium import conclusions, report
    from ipscompendium.general import bayes_meta, priors, sampling, trial_grid

    settings = {f"report.SCALE_BOUNDARIES[{i}]": b for i, b in enumerate(report.SCALE_BOUNDARIES)}
    settings.update({
        "interval convention (95%)": 0.95,
        "trial_grid.RELEVANT_RISK_DIFFERENCE": trial_grid.RELEVANT_RISK_DIFFERENCE,
        "trial_grid.RELEVANT_ODDS_RATIO": trial_grid.RELEVANT_ODDS_RATIO,
        "priors.ROBUST_WEIGHT": priors.ROBUST_WEIGHT,
        "bayes_meta.MU_PRIOR_SD": bayes_meta.MU_PRIOR_SD,
        "conclusions.SETTLED_PROBABILITY": conclusions.SETTLED_PROBABILITY,
        "conclusions.EXPLAINS_SHARE": conclusions.EXPLAINS_SHARE,
        "conclusions.COMPARABLE_WIDTH": conclusions.COMPARABLE_WIDTH,
    })
    # probabilities are printed no closer to 0 or 1 than this (report.probability_text)
    settings.update({"report.probability_text resolution": 0.001, "report.probability_text upper": 0.999})
    import tomllib

    requires = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]["requires-python"]
    settings["pyproject requires-python"] = float(requires.lstrip(">=~ "))
    for name in dir(sampling):
        value = getattr(sampling, name)
        if name.isupper() and isinstance(value, (int, float)) and not isinstance(value, bool):
            settings[f"sampling.{name}"] = float(value)
    return settings


def _values() -> list[float]:
    rows = read_ledger()
    if not rows:
        pytest.fail("no ledger: build the book first (`make book`)")
    values = [float(r[f]) for r in rows for f in ("value", "low", "high") if r[f] not in ("", "nan")]
    return [v for v in values if math.isfinite(v)] + list(named_settings().values())


def explained(token: str, percent: bool, values: list[float]) -> bool:
    """Whether the printed ``token`` (a decimal, or the number of a percentage) is some value of the
    ledger shown at the printed number of decimals (a percentage as 100 times a share, or as it is)."""
    text = token.replace("\u2212", "-").replace(",", ".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    target = round(float(text), decimals)
    scales = (100.0, 1.0) if percent else (1.0, 100.0)
    return any(round(v * scale, decimals) == target for v in values for scale in scales)


def _prose(soup: BeautifulSoup):
    article = soup.find("article") or soup
    for junk in article.select("div.cell_input, pre, table, .math, mjx-container, script, style, .highlight, .sig, dl.py"):
        junk.decompose()
    for element in article.find_all(["p", "li", "figcaption", "div"], recursive=True):
        if element.name == "div" and "answer-note" not in (element.get("class") or []) and "answer-title" not in (element.get("class") or []):
            continue
        if element.find(["p", "li"]):  # the innermost block only, so that nothing is counted twice
            continue
        lang = element.find_parent(attrs={"lang": True})
        yield element.get_text(" ", strip=True), bool(lang and lang.get("lang", "").startswith(("no", "nb", "nn")))


def unexplained() -> list[str]:
    values = _values()
    found = []
    for part in PAGES:
        for path in sorted((HTML / part).rglob("*.html")):
            if path.name in SKIP:
                continue
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            for text, norwegian in _prose(soup):
                for match in (NORWEGIAN if norwegian else ENGLISH).finditer(text):
                    token, percent = match.group(1), bool(match.group(2))
                    if not percent and not re.search(r"[.,]", token):
                        continue  # whole numbers: counts, years and months are words here
                    if not explained(token, percent, values):
                        start = max(0, match.start() - 60)
                        found.append(f"{path.relative_to(HTML)}: {token}{'%' if percent else ''} in '...{text[start:match.end() + 30]}...'")
    return found


def test_every_decimal_and_percentage_in_the_prose_is_in_the_ledger():
    if not (HTML / "index.html").exists():
        pytest.fail("no built book: run `make book` first")
    missing = unexplained()
    assert not missing, f"{len(missing)} numbers in the prose that no ledger row explains:\n" + "\n".join(missing)


@pytest.mark.parametrize("token, percent, values, ok", [
    ("0.95", False, [0.9456], True), ("0.95", False, [0.9449], False), ("95", True, [0.95], True),
    ("39", True, [39.2], True), ("\u22120.10", False, [-0.1], True), ("0.10", False, [-0.1], False),
    ("2,07", False, [2.07], True), ("1.8", False, [1.76], True), ("1.8", False, [1.74], False),
])
def test_the_scan_matches_a_number_at_its_printed_decimals(token, percent, values, ok):
    assert explained(token, percent, values) is ok


def test_no_doubled_article_from_a_linked_title():
    """'the {doc}`x` chapter' renders the linked title: 'the The meta-analysis...' is a leak."""
    found = []
    for part in PAGES:
        for path in sorted((HTML / part).rglob("*.html")):
            for text, _ in _prose(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")):
                found += [f"{path.relative_to(HTML)}: ...{text[max(0, m.start() - 40):m.end() + 40]}..."
                          for m in re.finditer(r"\b(the|The) The\b", text)]
    assert not found, "\n".join(found)


def test_no_strong_word_beside_weak_evidence():
    """A sentence that calls the evidence weak may not call the same conclusion very or extremely likely."""
    weak = re.compile(r"evidence is weak|weak evidence", re.I)
    strong = re.compile(r"very likely|extremely likely|virtually certain", re.I)
    found = []
    for part in PAGES:
        for path in sorted((HTML / part).rglob("*.html")):
            for text, _ in _prose(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")):
                if weak.search(text) and strong.search(text):
                    found.append(f"{path.relative_to(HTML)}: {text[:200]}")
    assert not found, "\n".join(found)
