"""Validation of the CSV tables in ``data/``: one clear error for everything wrong in a file.

Column rules (presence, type, range, allowed values, uniqueness, non-empty source)
are pandera schemas. Rules that compare columns within a row (employed <= N, a
published percentage consistent with its counts) are :class:`RowRule` objects:
pandera's frame-wide checks report neither the row nor the column once a type
conversion has failed, and a reader fixing a file needs both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

#: A CSV file's first data row is on line 2 (line 1 is the header).
FIRST_DATA_LINE = 2


class DataValidationError(ValueError):
    """A data file breaks one or more rules; the message lists each violation.

    ``violations`` holds one :class:`Violation` per broken rule and row.
    """

    def __init__(self, path: Path, violations: Sequence["Violation"]):
        self.path = Path(path)
        self.violations = list(violations)
        lines = [f"{self.path}: {len(self.violations)} rule(s) broken"]
        lines += [f"  - {v.describe()}" for v in self.violations]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (file line and key, column) and which rule."""

    rule: str
    column: str | None = None
    line: int | None = None
    key: str | None = None
    value: object = None

    def describe(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"row at line {self.line}" + (f" ({self.key})" if self.key else ""))
        if self.column is not None:
            where.append(f"column '{self.column}'")
        found = "" if self.value is None else f" (found {self.value!r})"
        return (", ".join(where) + ": " if where else "") + f"rule '{self.rule}' broken{found}"


@dataclass(frozen=True)
class RowRule:
    """A rule that compares values within a row.

    ``holds`` receives the typed table and the raw text table (for rules that need the
    printed precision of a number) and returns a boolean Series: False marks a row that
    breaks the rule; NA means the rule does not apply to that row.
    """

    name: str
    column: str
    holds: Callable[[pd.DataFrame, pd.DataFrame], pd.Series]


def non_empty_text(nullable: bool = False, **kwargs) -> pa.Column:
    """A text column; empty strings count as missing."""
    return pa.Column(str, pa.Check.str_length(min_value=1), nullable=nullable, **kwargs)


def boolean_column(description: str) -> pa.Column:
    """A True/False column written as the words True or False.

    Checked as text and converted after validation: a plain ``bool`` coercion would read
    any non-empty word, 'False' included, as True.
    """
    return pa.Column(
        str, pa.Check.isin(["True", "False"]), description=description, metadata={"boolean": True}
    )


def source_column() -> pa.Column:
    """Every table carries a non-empty ``source`` naming where each number was read."""
    return pa.Column(str, pa.Check.str_length(min_value=3, error="source must name where the number was read"))


def read_raw_csv(path: Path) -> pd.DataFrame:
    """Read a CSV as text only: nothing is converted, dropped or guessed at this stage."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    return raw.apply(lambda col: col.str.strip()).replace("", pd.NA)


def validate_table(
    path: Path,
    schema: pa.DataFrameSchema,
    row_rules: Sequence[RowRule] = (),
    key_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Read ``path``, check it against ``schema`` and ``row_rules``, return the typed table.

    Raises :class:`DataValidationError` naming the file, line, column and rule of every
    violation. Row rules run only on a table whose columns are all valid.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: data file not found")
    raw = read_raw_csv(path)
    keys = _row_keys(raw, key_columns)
    try:
        typed = schema.validate(raw.copy(), lazy=True)
    except SchemaErrors as errors:
        raise DataValidationError(path, _violations_from_pandera(errors.failure_cases, keys)) from None
    for name, column in schema.columns.items():
        if (column.metadata or {}).get("boolean"):
            typed[name] = typed[name].map({"True": True, "False": False}).astype(bool)

    violations: list[Violation] = []
    for rule in row_rules:
        verdict = rule.holds(typed, raw)
        broken = verdict.fillna(True).astype(bool).eq(False)
        for index in verdict.index[broken]:
            violations.append(
                Violation(
                    rule=rule.name,
                    column=rule.column,
                    line=int(index) + FIRST_DATA_LINE,
                    key=keys.get(index),
                    value=_plain(typed.at[index, rule.column]) if rule.column in typed else None,
                )
            )
    if violations:
        raise DataValidationError(path, violations)
    return typed


def _row_keys(raw: pd.DataFrame, key_columns: Sequence[str]) -> dict[int, str]:
    present = [c for c in key_columns if c in raw.columns]
    if not present:
        return {}
    return {
        index: ", ".join(f"{c}={row[c]}" for c in present if not pd.isna(row[c]))
        for index, row in raw[present].iterrows()
    }


def _violations_from_pandera(failures: pd.DataFrame, keys: dict[int, str]) -> list[Violation]:
    violations = []
    coerce_failed = set(failures.loc[failures["check"].astype(str).str.startswith("coerce_dtype"), "column"])
    for _, failure in failures.iterrows():
        column = failure["column"] if isinstance(failure["column"], str) else None
        check = str(failure["check"])
        index = failure["index"]
        case = failure["failure_case"]
        if check == "column_in_dataframe":
            violations.append(Violation(rule="required column is missing", column=str(case)))
            continue
        # A failed conversion makes pandera re-report the column's other checks as
        # type errors on the whole column; the conversion failure already says it all.
        if column in coerce_failed and not check.startswith("coerce_dtype"):
            continue
        if check.startswith("coerce_dtype"):
            check = f"must be of type {check.removeprefix('coerce_dtype(').rstrip(')').strip(chr(39))}"
        elif check == "not_nullable":
            check = "must not be empty"
        line = None if index is None or pd.isna(index) else int(index) + FIRST_DATA_LINE
        violations.append(
            Violation(
                rule=check,
                column=column,
                line=line,
                key=keys.get(int(index)) if line is not None else None,
                value=_plain(case),
            )
        )
    return violations


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


def printed_decimals(text: pd.Series) -> pd.Series:
    """Number of decimals a number was printed with ('52.8' -> 1, '76' -> 0)."""
    text = text.astype("string")
    decimals = text.str.extract(r"\.(\d+)$")[0].str.len()
    return decimals.fillna(0).where(text.notna()).astype("Int64")


def percentage_matches_counts(
    events: pd.Series, n: pd.Series, pct: pd.Series, pct_text: pd.Series, slack_events: float = 0.0
) -> pd.Series:
    """Whether a printed percentage is 100*events/n rounded to the printed decimals.

    ``slack_events`` widens the tolerance by that many participants, for rows whose
    source documents a different denominator. NA where any of the three is missing.
    """
    computed = 100 * events.astype("Float64") / n.astype("Float64")
    half_unit = 0.5 * 10.0 ** (-printed_decimals(pct_text).astype("Float64"))
    tolerance = half_unit + 1e-9 + 100 * slack_events / n.astype("Float64")
    return (computed - pct.astype("Float64")).abs() <= tolerance
