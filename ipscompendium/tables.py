"""One way to show a table in the book: human column labels, no meaningless index, numbers rounded
once, missing values as an em dash with a note, nothing truncated, and a box that scrolls on its
own (never the page) when a phone is narrower than the table.

On a phone: the caption sits above the scrolling box (so it wraps and is never cut off), the first
column stays in place while the others scroll, a shadow and a line of text say that the box
scrolls (``_static/ips_tables.js`` adds the line when it does), and a table longer than
:data:`FOLD_ROWS` rows is folded behind a "Show" button, so that no table runs on for screens.

The HTML is written here rather than by pandas' Styler: the cells need classes that say whether
they hold a number (kept on one line) or words (allowed to wrap), and Styler's plain output has
no per-cell classes.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipscompendium import report

MISSING = "\u2014"
MISSING_NOTE = f"{MISSING} not reported or not applicable."
#: Tables with more rows than this are folded (shown on request).
FOLD_ROWS = 20
#: Ids of the captions, unique within a page (one kernel builds one page).
_CAPTION_IDS = itertools.count(1)


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


def words(code: str) -> str:
    """A vocabulary code as words: 'derived_from_percentages' -> 'derived from percentages'."""
    return str(code).replace("_", " ")


def study(key: str) -> str:
    """A study or analysis key as readers cite it: 'frederick2019_corrected' -> 'Frederick 2019, corrected'."""
    from ipscompendium.trial_sets import published_label

    return published_label(str(key))


@dataclass(frozen=True)
class Link:
    """A cell that links somewhere (a file to download, a page): shown as ``text``."""

    text: str
    href: str

    def __str__(self) -> str:
        return self.text


def _td(cell) -> str:
    if isinstance(cell, Link):
        return f'<td class="words"><a href="{html.escape(cell.href)}">{html.escape(cell.text)}</a></td>'
    return f'<td class="{"num" if _reads_as_number(cell) else "words"}">{html.escape(str(cell))}</td>'


@dataclass
class Table:
    """A table ready for the page; Jupyter shows it through ``_repr_html_``."""

    frame: pd.DataFrame
    text: pd.DataFrame
    caption: str
    notes: tuple[str, ...]
    fold: bool = False

    def to_html(self) -> str:
        caption_id = f"ips-table-{next(_CAPTION_IDS)}"
        head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in self.text.columns)
        rows = "".join(
            "<tr>" + "".join(_td(cell) for cell in row) + "</tr>"
            for row in self.text.itertuples(index=False))
        body = (f'<table class="ips-table" aria-labelledby="{caption_id}"><thead><tr>{head}</tr></thead>'
                f"<tbody>{rows}</tbody></table>")
        notes = "".join(f'<p class="ips-table-note">{html.escape(note)}</p>' for note in self.notes)
        box = (f'<div class="ips-table-wrapper" tabindex="0" role="region" aria-labelledby="{caption_id}">'
               f'{body}</div>{notes}')
        if self.fold:
            box = (f'<details class="ips-table-fold"><summary>Show the table ({len(self.text)} rows)</summary>'
                   f'{box}</details>')
        return (f'<div class="ips-table-block"><p class="ips-table-caption" id="{caption_id}">'
                f'{html.escape(self.caption)}</p>{box}</div>')

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:  # a plain-text fallback that still says what the table is
        return f"{self.caption}\n{self.text.to_string(index=False)}"


#: A cell that starts with a number (or a relation, a sign, the missing dash) and is short: kept on one
#: line, so that '1.76 (0.55 to 5.60)' never breaks into four.
_NUMBER_CELL = re.compile(r"^[<>≤≥+\-\u2212\u2013~]*\s*[\d.,]|^\u2014$")


def _reads_as_number(cell: str) -> bool:
    return len(str(cell)) <= 32 and bool(_NUMBER_CELL.match(str(cell)))


def _cell(value, formatter: Callable | None, decimals: int) -> str | None:
    if isinstance(value, Link):
        return value
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
    fold: bool | None = None,
) -> Table:
    """A table for the book.

    ``columns`` maps the frame's column names to the labels readers see (with units), in the
    order shown; columns not named are left out (all are shown if ``columns`` is None).
    ``index``: a label under which the index is shown as the first column, when it means something.
    ``formats`` maps a column (by its frame name) to a function giving the cell's text; other
    numbers get ``decimals`` decimals, integers none. Missing values print as an em dash and add
    a note saying so. ``fold``: show the table only on request; by default, when it has more than
    :data:`FOLD_ROWS` rows.
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
    fold = len(text) > FOLD_ROWS if fold is None else fold
    return Table(frame.reset_index(drop=True), text, caption, all_notes, fold)


def diagnostics_table(report, caption: str) -> Table:
    """A sampler's per-parameter diagnostics (:class:`~ipscompendium.general.sampling.DiagnosticsReport`) as a book table."""
    from ipscompendium.general.sampling import DIAGNOSTIC_LABELS, MAX_RHAT, MIN_ESS

    return table(report.table, caption, DIAGNOSTIC_LABELS,
                 formats={"max_rhat": fixed(3), "min_ess_bulk": fixed(0), "min_ess_tail": fixed(0)},
                 notes=[f"Divergent transitions: {report.divergences}. The build stops if R-hat exceeds "
                        f"{MAX_RHAT:g}, an ESS falls below {MIN_ESS:g}, or any transition diverges."])
