"""Write the book's ledger (every published number) to tests/expected/numbers.csv for review.

Run after `make book` when a change to the analysis is meant to change published numbers; the
diff of tests/expected/numbers.csv is then the record of what changed. Each row gets the
tolerance the built-book test allows: exact computations must agree to 1e-6 (relative); Monte
Carlo results (independent draws) within five Monte Carlo standard errors; MCMC probabilities
within five standard errors computed as if the draws were independent, and never less than 0.02
(the draws are autocorrelated, and another machine's floating point can change the chains);
MCMC estimates within 5%; sampler diagnostics (method "diagnostic") are recorded but not compared,
their own tests check them against thresholds.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ipscompendium.publish import read_ledger  # noqa: E402

EXPECTED = ROOT / "tests" / "expected" / "numbers.csv"
FIELDS = ("chapter", "name", "kind", "value", "low", "high", "method", "tolerance")


def tolerance(row: dict) -> float:
    value = abs(float(row["value"]))
    if row["method"] == "exact":
        return 1e-6 * max(1.0, value)
    if row["method"] == "diagnostic":
        return float("inf")
    if row["mc_se"]:
        floor = 0.02 if row["method"] == "mcmc" else 1e-6
        return max(5 * float(row["mc_se"]), floor)
    return 0.05 * max(1.0, value)


def main() -> None:
    rows = read_ledger()
    if not rows:
        raise SystemExit("No ledger found: run `make book` first.")
    EXPECTED.parent.mkdir(parents=True, exist_ok=True)
    with open(EXPECTED, "w", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        for row in sorted(rows, key=lambda r: (r["chapter"], r["name"])):
            writer.writerow({**{k: row[k] for k in FIELDS if k in row}, "tolerance": f"{tolerance(row):.3g}"})
    print(f"wrote {len(rows)} numbers to {EXPECTED.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
