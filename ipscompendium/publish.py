"""The one path by which a computed number reaches the book: format, glue, and record in the ledger.

A chapter creates one :class:`Publisher`; its methods return nothing, so a cell that ends with a
publishing call prints no stray value. Each number it publishes is glued (``myst_nb.glue``)
under its name in English, under ``<name>_no`` in Norwegian style, and, for probabilities, under
``<name>_described`` and ``<name>_described_no`` as the number with its calibrated word ('0.93 (very
likely)'), the word chosen from the number as shown (:func:`report.calibrated_words`).
Each is also written as one row of the chapter's ledger file (``_build/ledger/<chapter>.csv``),
which ``tests/built/test_ledger.py`` compares with the reviewed ``tests/expected/numbers.csv``.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from ipscompendium import report
from ipscompendium.report import Estimate, Probability

ROOT = Path(__file__).resolve().parent.parent
LEDGER_DIR = Path(os.environ.get("IPSCOMPENDIUM_LEDGER", ROOT / "_build" / "ledger"))
LEDGER_FIELDS = ("chapter", "name", "kind", "value", "low", "high", "method", "mc_se")


class Publisher:
    """Glues and records the numbers of one chapter; starting one clears the chapter's old ledger.

    ``glue`` is the book's glue function, ``myst_nb.glue`` (called as ``glue(name, text,
    display=False)``): passed in by the chapter, so the package itself does not need MyST-NB.
    """

    def __init__(self, chapter: str, glue, ledger_dir: Path | None = None):
        self.chapter = chapter
        self.path = Path(ledger_dir or LEDGER_DIR) / f"{chapter}.csv"
        self.rows: dict[str, dict] = {}
        self._glue_function = glue
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write()

    def _record(self, name: str, kind: str, value: float, low=None, high=None, method: str = "exact", mc_se=None) -> None:
        self.rows[name] = {"chapter": self.chapter, "name": name, "kind": kind, "value": repr(float(value)),
                           "low": "" if low is None else repr(float(low)), "high": "" if high is None else repr(float(high)),
                           "method": method, "mc_se": "" if mc_se is None else repr(float(mc_se))}
        self._write()

    def _glue(self, name: str, text: str) -> None:
        self._glue_function(name, text, display=False)

    def _write(self) -> None:
        with open(self.path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, LEDGER_FIELDS)
            writer.writeheader()
            writer.writerows(self.rows.values())

    def probability(self, name: str, p: Probability | float, style: str = "percent", decimals: int = 2,
                    words: bool = True) -> None:
        """Glue a probability as '82%' (``style='percent'``) or '0.82' (``'decimal'``), and described:
        '82% (likely)'. The word is chosen from the number as shown, and left out where a Monte Carlo
        probability lies within one standard error of a boundary of the scale, or where ``words`` is
        False (a chapter that calls the evidence weak gives the number without a strong word)."""
        p = p if isinstance(p, Probability) else Probability(float(p))
        if style == "percent":
            english, norsk = report.percent_of_probability(p.value), report.percent_of_probability(p.value, True)
        else:
            english = report.probability_text(p.value, p.draws, decimals)
            norsk = report.probability_text(p.value, p.draws, decimals, norwegian=True)
        self._glue(name, english)
        self._glue(f"{name}_no", norsk)
        # For "P(...) = 0.98" in prose: the relation comes with the number, so "> 0.999" never reads "= > 0.999".
        self._glue(f"{name}_eq", english if english[0] in "<>" else f"= {english}")
        shown = report.shown_probability(p.value, style, decimals, p.draws)
        word = report.calibrated_words(p.value, shown, p.mc_se) if words else None
        word_no = report.calibrated_words(p.value, shown, p.mc_se, norwegian=True) if words else None
        self._glue(f"{name}_described", report.described_probability(english, word))
        self._glue(f"{name}_described_no", report.described_probability(norsk, word_no))
        self._record(name, "probability", p.value, method=p.method, mc_se=p.mc_se)

    def estimate(self, name: str, estimate: Estimate, decimals: int = 2, kind: str = "CrI", scale: float = 1.0,
                 signed: bool = False, unit: tuple[str, str] = ("", "")) -> None:
        """Glue 'value (95% CrI low to high)' in both styles; ``scale`` e.g. 100 for percentage points,
        ``unit`` the (English, Norwegian) words after each number."""
        shown = estimate.scaled(scale)
        self._glue(name, report.interval_text(shown, decimals, kind, signed=signed, unit=unit[0]))
        self._glue(f"{name}_no", report.interval_text(shown, decimals, kind, norwegian=True, signed=signed, unit=unit[1]))
        self._glue(f"{name}_value", report.number(shown.value, decimals, signed=signed))
        # for plain-language sentences that name the interval in their own words
        self._glue(f"{name}_value_no", report.number(shown.value, decimals, norwegian=True, signed=signed))
        self._glue(f"{name}_range", report.range_text(shown.low, shown.high, decimals))
        self._glue(f"{name}_range_no", report.range_text(shown.low, shown.high, decimals, norwegian=True))
        self._record(name, f"estimate ({kind})", estimate.value, estimate.low, estimate.high, estimate.method)

    def number(self, name: str, value: float, decimals: int = 0, method: str = "exact", norwegian_text: str | None = None,
               signed: bool = False, grouping: bool = False) -> None:
        """Glue one number (a count, a size, an effective sample size) in both styles."""
        self._glue(name, report.number(value, decimals, signed=signed, grouping=grouping))
        self._glue(f"{name}_no", norwegian_text or report.number(value, decimals, norwegian=True, signed=signed, grouping=grouping))
        self._record(name, "number", value, method=method)

    def p_value(self, name: str, p: float, method: str = "exact") -> None:
        """Glue a p-value for people ('0.317', '< 0.001'); ``method='published'`` for a quoted one.
        Also glues ``<name>_stated``: 'p = 0.317' or 'p < 0.001', for prose."""
        self._glue(name, report.p_value_text(p))
        self._glue(f"{name}_no", report.p_value_text(p).replace(".", ","))
        self._glue(f"{name}_stated", report.p_statement(p))
        self._record(name, "p-value", p, method=method)

    def interval(self, name: str, estimate: Estimate, decimals: int = 2) -> None:
        """Glue only the limits of an interval, 'low to high', where the prose names the interval itself."""
        self._glue(name, report.range_text(estimate.low, estimate.high, decimals))
        self._glue(f"{name}_no", report.range_text(estimate.low, estimate.high, decimals, norwegian=True))
        self._record(name, "interval", estimate.value, estimate.low, estimate.high, estimate.method)

    def percent(self, name: str, value: float, decimals: int = 0) -> None:
        """Glue a proportion (not a probability: a share of people) as a percentage."""
        self._glue(name, report.percent(value, decimals=decimals))
        self._glue(f"{name}_no", report.percent(value, True, decimals))
        self._record(name, "proportion", value)

    def text(self, name: str, english: str, norwegian: str | None = None) -> None:
        """Glue words that are not numbers (a trial's name, a label); not recorded.

        Words holding a decimal or a percentage are refused: such words come from a tested function
        as a :class:`report.Sentence` and go through :meth:`sentence`, which records their numbers.
        """
        for words in (english, norwegian or ""):
            if report.NUMBER_IN_WORDS.search(words):
                raise ValueError(f"{name!r}: words with a decimal or a percentage ({words!r}) must come as a "
                                 "report.Sentence through Publisher.sentence, so that their numbers reach the ledger")
        self._glue(name, english)
        if norwegian is not None:
            self._glue(f"{name}_no", norwegian)

    def sentence(self, name: str, sentence: report.Sentence) -> None:
        """Glue a sentence chosen by a tested function, and record every number it shows as
        ``<name>.<key>`` in the ledger."""
        self._glue(name, sentence.english)
        if sentence.norwegian is not None:
            self._glue(f"{name}_no", sentence.norwegian)
        for key, value in sentence.numbers.items():
            self._record(f"{name}.{key}", "in sentence", value)

    def figure(self, name: str, figure) -> None:
        """Glue a matplotlib figure for a ``{glue:figure}`` directive (which gives it its number, caption
        and alt text), and close it so it is not also shown where it was drawn.

        The figure is glued as the PNG of :func:`style.figure_png`: a figure whose smallest text would
        show below 9 px on a phone stops the build, and the PNG carries its smallest text size for
        the browser test.
        """
        import matplotlib.pyplot as plt

        from ipscompendium.style import figure_png

        try:
            png = figure_png(figure, name)
        finally:
            plt.close(figure)
        self._glue_function(name, PngFigure(png), display=False)

    def html(self, name: str, block) -> None:
        """Glue an HTML block (an object with ``_repr_html_``, such as the prior dial) for ``{glue:any}``."""
        self._glue_function(name, block, display=False)

    def card(self, name: str, english, norwegian=None) -> None:
        """Glue an answer card (HTML) under ``name`` and its Norwegian version under ``<name>_no``."""
        self._glue_function(name, english, display=False)
        if norwegian is not None:
            self._glue_function(f"{name}_no", norwegian, display=False)


class PngFigure:
    """A drawn figure as PNG bytes; Jupyter (and so ``glue``) shows it through ``_repr_png_``."""

    def __init__(self, data: bytes):
        self.data = data

    def _repr_png_(self) -> bytes:
        return self.data

    def __repr__(self) -> str:
        return f"<figure: PNG, {len(self.data):,} bytes>"


def read_ledger(ledger_dir: Path | None = None) -> list[dict]:
    """Every row of every chapter's ledger file."""
    rows = []
    for path in sorted(Path(ledger_dir or LEDGER_DIR).glob("*.csv")):
        with open(path, newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows
