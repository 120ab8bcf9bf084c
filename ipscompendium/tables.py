"""One way to show a table in the book: human column labels, no meaningless index, numbers rounded
once, missing values as an em dash with a note, nothing truncated, and a box that scrolls on its
own (never the page) when a phone is narrower than the table.

Pandas' Styler writes the HTML; this module decides what goes into it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipscompendium import report

MISSING = "\u2014"
MISSING_NOTE = f"{MISSING} not reported or not applicable."


def probability(p: float) -> str:
    """A probability for a table cell: three decimals, never exactly 0 or 1."""
    return report.probability_text(float(p), decimals=3)


def p_value(p: float) -> str:
    return report.p_value_text(float(p))


def percent(p: float) -> str:
    return report.percent(float(p))


def fixed(decimals: int, signed: bool = False) -> Callable[[float], str]:
    """Numbers with ``decimals`` decimals and a true minus sign."""
    return lambda x: report.number(float(x), decimals, signed=signed)


def thousands(x: float) -> str:
    return report.number(float(x), 0, grouping=True)


@dataclass
class Table:
    """A table ready for the page; Jupyter shows it through ``_repr_html_``."""

    frame: pd.DataFrame
    text: pd.DataFrame
    caption: str
    notes: tuple[str, ...]

    def to_html(self) -> str:
        styler = self.text.style.hide(axis="index").set_caption(html.escape(self.caption))
        # Styler drops table attributes when it leaves out its own styles; the class goes in here
        body = styler.to_html(exclude_styles=True).replace("<table>", '<table class="ips-table">', 1)
        notes = "".join(f'<p class="ips-table-note">{html.escape(note)}</p>' for note in self.notes)
        return f'<div class="ips-table-wrapper" tabindex="0" role="region" aria-label="{html.escape(self.caption)}">{body}{notes}</div>'

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:  # a plain-text fallback that still says what the table is
        return f"{self.caption}\n{self.text.to_string(index=False)}"


def _cell(value, formatter: Callable | None, decimals: int) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if formatter is not None:
        return formatter(value)
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return report.number(float(value), 0)
    if isinstance(value, (float, np.floating)):
        return report.number(float(value), decimals)
    return str(value)


def table(
    frame: pd.DataFrame, caption: str, columns: Mapping[str, str] | None = None, *, index: str | None = None,
    decimals: int = 2, formats: Mapping[str, Callable] | None = None, notes: tuple[str, ...] | list[str] = (),
) -> Table:
    """A table for the book.

    ``columns`` maps the frame's column names to the labels readers see (with units), in the
    order shown; columns not named are left out (all are shown if ``columns`` is None).
    ``index``: a label under which the index is shown as the first column, when it means something.
    ``formats`` maps a column (by its frame name) to a function giving the cell's text; other
    numbers get ``decimals`` decimals, integers none. Missing values print as an em dash and add
    a note saying so.
    """
    frame = frame.copy()
    if index is not None:
        frame = frame.reset_index(names=index)
        columns = None if columns is None else {index: index, **columns}
    if columns is not None:
        unknown = [name for name in columns if name not in frame.columns]
        if unknown:
            raise KeyError(f"table {caption!r}: no column(s) {unknown}; the frame has {list(frame.columns)}")
        frame = frame[list(columns)]
    formats = dict(formats or {})
    text = pd.DataFrame({
        column: [_cell(value, formats.get(column), decimals) for value in frame[column]] for column in frame.columns
    })
    missing = text.isna().to_numpy().any()
    text = text.fillna(MISSING)
    if columns is not None:
        text.columns = [columns[c] for c in frame.columns]
    all_notes = tuple(notes) + ((MISSING_NOTE,) if missing else ())
    return Table(frame.reset_index(drop=True), text, caption, all_notes)


def diagnostics_table(report, caption: str) -> Table:
    """A sampler's per-parameter diagnostics (:class:`~ipscompendium.general.sampling.DiagnosticsReport`) as a book table."""
    from ipscompendium.general.sampling import DIAGNOSTIC_LABELS, MAX_RHAT, MIN_ESS

    return table(report.table, caption, DIAGNOSTIC_LABELS,
                 formats={"max_rhat": fixed(3), "min_ess_bulk": fixed(0), "min_ess_tail": fixed(0)},
                 notes=[f"Divergent transitions: {report.divergences}. The build stops if R-hat exceeds "
                        f"{MAX_RHAT:g}, an ESS falls below {MIN_ESS:g}, or any transition diverges."])
