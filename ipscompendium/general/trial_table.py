"""Anyone's two-arm trials, from a CSV file: the general input of the package and its command line.

The minimal table has one row per trial and five columns::

    study,events_treatment,n_treatment,events_control,n_control
    Aronson 1948,4,123,11,139

Two other layouts are recognised from the header: continuous outcomes
(``study,mean_treatment,sd_treatment,n_treatment,mean_control,sd_control,n_control``) and effects
with their standard errors (``study,effect,se``, the generic inverse-variance input). The layout
read is in the returned frame's ``attrs["layout"]``.

Optional columns: ``label`` (how the trial is shown), ``subgroup``, and any number of numeric
covariates. Columns may be separated by commas, semicolons or tabs (read from the header); the
file must be UTF-8 (a byte-order mark is allowed). Every error names the file, the physical line
an editor shows, the column and the rule; nothing is dropped or converted silently.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

REQUIRED = ("study", "events_treatment", "n_treatment", "events_control", "n_control")
#: The other two layouts: continuous outcomes (means, SDs and sizes per arm) and generic inverse
#: variance (an effect and its standard error per trial, on the scale the user chooses).
CONTINUOUS = ("study", "mean_treatment", "sd_treatment", "n_treatment", "mean_control", "sd_control", "n_control")
GENERIC = ("study", "effect", "se")
#: Each kind of input (``ipscompendium.general.measures``) and its required columns.
LAYOUTS = {"binary": REQUIRED, "continuous": CONTINUOUS, "generic": GENERIC}
OPTIONAL_TEXT = ("label", "subgroup")
COUNT_COLUMNS = REQUIRED[1:]
#: What each required column holds; tables that extend this one (the compendium's) reuse these words.
COLUMN_DESCRIPTIONS = {
    "study": "A unique name for the trial",
    "events_treatment": "Participants with the outcome in the treatment arm",
    "n_treatment": "Participants in the treatment arm",
    "events_control": "Participants with the outcome in the control arm",
    "n_control": "Participants in the control arm",
    "mean_treatment": "Mean outcome in the treatment arm",
    "sd_treatment": "Standard deviation of the outcome in the treatment arm",
    "mean_control": "Mean outcome in the control arm",
    "sd_control": "Standard deviation of the outcome in the control arm",
    "effect": "The trial's effect estimate (log scale for ratios)",
    "se": "The standard error of the effect estimate",
}


def layout_of(header: list[str]) -> str:
    """Which layout a header is written in: 'binary' (events and sizes), 'continuous' (means,
    SDs and sizes) or 'generic' (effect and standard error); binary when it cannot tell."""
    if "mean_treatment" in header or "mean_control" in header:
        return "continuous"
    if "effect" in header and not any(c.startswith("events_") for c in header):
        return "generic"
    return "binary"


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str | None
    rule: str

    def describe(self, path: str) -> str:
        where = [path]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.rule}"


class InputError(ValueError):
    """A table that breaks a rule; ``str()`` is one line naming file, line, column and rule."""

    def __init__(self, path: Path | str, problems: list[Problem]):
        self.path = str(path)
        self.problems = problems
        first = problems[0].describe(self.path)
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
        super().__init__(first + more)

    def describe_all(self) -> str:
        return "\n".join(p.describe(self.path) for p in self.problems)


def _text(path: Path) -> str:
    if not path.exists():
        raise InputError(path, [Problem(None, None, "no such file")])
    if path.is_dir():
        raise InputError(path, [Problem(None, None, "is a directory, not a CSV file")])
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(path, [Problem(None, None, "the file is empty; it needs a header line and one line per trial")])
    try:
        # one kind of line ending: Windows (CR LF) and old Mac (CR alone) files read as Unix ones
        return raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(path, [Problem(line, None, f"byte 0x{raw[error.start]:02x} is not UTF-8 text; save the file as "
                                                     "UTF-8 (for example 'CSV UTF-8' in a spreadsheet program)")]) from None


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if max(counts.values()) > 0 else ","


def _parsed(value, line: int | None, column: str, problems: list[Problem], empty: str, not_a: str,
            comma_hint: str, comma_pattern: str) -> tuple[str, float | None]:
    """A cell's text and its value as a float; (text, None) after a problem (empty, or not a
    number, with a hint when the text looks like a decimal comma)."""
    text = value.strip() if isinstance(value, str) else ("" if value is None else str(value))
    if text == "":
        problems.append(Problem(line, column, empty))
        return text, None
    try:
        return text, float(text)
    except ValueError:
        hint = comma_hint if re.fullmatch(comma_pattern, text) else ""
        problems.append(Problem(line, column, f"'{text}' is not {not_a}{hint}"))
        return text, None


def _count(value, line: int | None, column: str, problems: list[Problem]) -> int | None:
    """A count from a cell (text from a file, or a number from a DataFrame); None after a problem."""
    text, number = _parsed(value, line, column, problems, "is empty; every trial needs all four counts", "a whole number",
                           "; write counts without a decimal comma", r"\d+,\d*")
    if number is None:
        return None
    if not math.isfinite(number) or number != int(number):
        problems.append(Problem(line, column, f"'{text}' is not a whole number"))
        return None
    if number < 0:
        problems.append(Problem(line, column, f"{text} is negative; counts are 0 or more"))
        return None
    return int(number)


def _number(value, line: int | None, column: str, problems: list[Problem], positive: bool = False) -> float | None:
    """A finite number from a cell; None after a problem. ``positive``: it must exceed 0 (an SD, a standard error)."""
    text, number = _parsed(value, line, column, problems, "is empty; every trial needs a value here", "a number",
                           "; write 1.5, not 1,5", r"-?\d+,\d*")
    if number is None:
        return None
    if not math.isfinite(number):
        problems.append(Problem(line, column, f"'{text}' is not a finite number"))
        return None
    if positive and number <= 0:
        problems.append(Problem(line, column, f"{text} is not positive; {column.split('_')[0].upper()} must exceed 0"))
        return None
    return number


def _values(layout: str, cells: dict, line: int | None, problems: list[Problem]) -> dict:
    """The required numeric cells of one trial, parsed by its layout's rules."""
    if layout == "binary":
        return {c: _count(cells[c], line, c, problems) for c in COUNT_COLUMNS}
    if layout == "continuous":
        values = {}
        for column in CONTINUOUS[1:]:
            if column.startswith("n_"):
                values[column] = _count(cells[column], line, column, problems)
                if values[column] is not None and values[column] < 2:
                    problems.append(Problem(line, column, f"is {values[column]}; an arm needs at least two participants "
                                                          "for its SD"))
                    values[column] = None
            else:
                values[column] = _number(cells[column], line, column, problems, positive=column.startswith("sd_"))
        return values
    return {"effect": _number(cells["effect"], line, "effect", problems),
            "se": _number(cells["se"], line, "se", problems, positive=True)}


def _check_trial(study: str, counts: dict[str, int | None], line: int | None, seen: dict[str, int | None],
                 problems: list[Problem]) -> None:
    """The rules every trial obeys, whether it comes from a file or a DataFrame."""
    if not study:
        problems.append(Problem(line, "study", "is empty; every trial needs a name"))
    elif study in seen:
        where = f"line {seen[study]}" if seen[study] is not None else "an earlier row"
        problems.append(Problem(line, "study", f"'{study}' is already used on {where}; names must be unique"))
    else:
        seen[study] = line
    if "events_treatment" not in counts:
        return
    for events, n in (("events_treatment", "n_treatment"), ("events_control", "n_control")):
        if counts[n] is not None and counts[n] == 0:
            problems.append(Problem(line, n, "is 0; an arm needs at least one participant"))
        elif counts[events] is not None and counts[n] is not None and counts[events] > counts[n]:
            problems.append(Problem(line, events, f"{counts[events]} events exceed the {counts[n]} participants in {n}"))


def check_trials(frame, source: str = "the trial table"):
    """Check trials already in a DataFrame against the same rules as :func:`read_trials`.

    ``frame`` needs the five columns above; a ``line`` column, if present, is used in the
    messages (otherwise the row's position, counted from 1). Returns a copy with integer counts;
    raises :class:`InputError` naming ``source``. The compendium's own trial table is checked
    with this after its stricter rules.
    """
    import pandas as pd

    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(source, [Problem(None, missing[0], "is missing; the table needs the columns " + ", ".join(REQUIRED))])
    if len(frame) == 0:
        raise InputError(source, [Problem(None, None, "no trials: the table has no rows")])
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    lines = frame["line"].tolist() if "line" in frame.columns else None
    checked = frame.copy()
    for position, (_, row) in enumerate(frame.iterrows()):
        line = int(lines[position]) if lines is not None else None
        where = line if line is not None else position + 1
        cells = {c: (None if pd.isna(row[c]) else row[c]) for c in REQUIRED}
        counts = {c: _count(cells[c], where, c, problems) for c in COUNT_COLUMNS}
        study = "" if cells["study"] is None else str(cells["study"]).strip()
        _check_trial(study, counts, where, seen, problems)
    if problems:
        raise InputError(source, problems)
    for column in COUNT_COLUMNS:
        checked[column] = checked[column].astype(float).astype(int)
    return checked


def read_trials(path: Path | str):
    """Read and check a table of two-arm trials; returns a DataFrame with the columns above
    (counts as integers) and ``line``, the physical line each trial came from.

    Raises :class:`InputError` listing every problem found.
    """
    import pandas as pd

    path = Path(path)
    text = _text(path)
    lines = text.splitlines()
    header_index = next(i for i, line in enumerate(lines) if line.strip())
    delimiter = _delimiter(lines[header_index])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    last_line = 0
    for record in reader:
        start = last_line + 1
        last_line = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue  # a blank line
        if header is None:
            header = [cell.strip() for cell in record]
            header_line = start
            continue
        rows.append((start, record))
    assert header is not None  # the file is not blank, so a header was read
    problems: list[Problem] = []
    # A trailing delimiter gives unnamed columns; they may only be empty.
    named = [i for i, name in enumerate(header) if name]
    for i, name in enumerate(header):
        if name and header.index(name) != i:
            problems.append(Problem(header_line, name, "appears twice in the header"))
    layout = layout_of(header)
    required = LAYOUTS[layout]
    missing = [c for c in required if c not in header]
    if missing:
        other = ("; or, for continuous outcomes, " + ", ".join(CONTINUOUS) + "; or, for effects with standard errors, "
                 + ", ".join(GENERIC)) if layout == "binary" else ""
        problems.append(Problem(header_line, missing[0], "is missing from the header; the table needs the columns "
                                + ", ".join(required) + other + (f" (found: {', '.join(h for h in header if h)})" if header else "")))
        raise InputError(path, problems)
    if not rows:
        raise InputError(path, [Problem(header_line + 1, None, "no trials: the table has a header but no rows")])

    records = []
    seen: dict[str, int | None] = {}
    for line, record in rows:
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header):]):
            problems.append(Problem(line, None, f"has {len(record)} values but the header has {len(header)} columns"))
            continue
        cells = {header[i]: (record[i] if i < len(record) else "") for i in named}
        for i in range(len(header)):
            if not header[i] and i < len(record) and record[i].strip():
                problems.append(Problem(line, f"#{i + 1}", "has a value under an empty column name"))
        study = cells["study"].strip()
        counts = _values(layout, cells, line, problems)
        _check_trial(study, counts, line, seen, problems)
        entry = {"study": study, **counts, "line": line}
        for name in header:
            if name and name not in required:
                value = cells[name].strip()
                if name in OPTIONAL_TEXT:
                    entry[name] = value or None
                elif value == "":
                    entry[name] = None
                else:
                    try:
                        entry[name] = float(value)
                    except ValueError:
                        hint = " (a decimal comma? write 1.5, not 1,5)" if re.fullmatch(r"-?\d+,\d+", value) else ""
                        problems.append(Problem(line, name, f"'{value}' is not a number{hint} (extra columns are numeric "
                                                            "covariates, besides 'label' and 'subgroup')"))
                        continue
                    if not math.isfinite(entry[name]):
                        problems.append(Problem(line, name, f"'{value}' is not a finite number; a covariate needs a value "
                                                            "or an empty cell"))
        records.append(entry)
    if problems:
        raise InputError(path, problems)
    frame = pd.DataFrame(records)
    for column in required[1:]:
        if column.startswith(("events_", "n_")):
            frame[column] = frame[column].astype(int)
    frame.attrs["layout"] = layout
    return frame


def parse_arm(text: str) -> tuple[int, int]:
    """'14/38' -> (14, 38): events out of participants, for the command line."""
    try:
        events, n = (int(part) for part in text.strip().split("/"))
    except ValueError:
        raise ValueError(f"'{text}' is not EVENTS/N, for example 14/38") from None
    if n <= 0 or not 0 <= events <= n:
        raise ValueError(f"'{text}': events must lie between 0 and N, and N must be positive")
    return events, n
