"""The prose words probabilities only through the calibrated scale: no hand-written hedges."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROSE = sorted((ROOT / "notebooks").glob("*.md")) + sorted((ROOT / "book").glob("*.md"))
# Words that state how probable something is without a number behind them.
HEDGES = re.compile(r"\b(clearly|probably|very probabl\w*|well supported|strongly suggests?|almost certainly|"
                    r"godt underbygget|sannsynligvis|trolig)\b", re.IGNORECASE)
QUOTED = re.compile(r"[\"«“]|^\s*[*>]")  # quotations, block quotes and italic translations of the sources


def _prose_lines(path: Path):
    in_code = False
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if not in_code:
            yield number, line


@pytest.mark.parametrize("path", PROSE, ids=lambda p: p.name)
def test_no_hand_written_hedges(path):
    found = [f"{path.name}:{n}: {line.strip()}" for n, line in _prose_lines(path) if HEDGES.search(line) and not QUOTED.search(line)]
    assert not found, "say it with a glued probability and report.likelihood_words instead:\n" + "\n".join(found)
