"""Loaders for every table in ``data/``, each returning a validated pandas DataFrame.

Every loader takes an optional ``path`` so that another trial table (for example a
corrected extraction of the meta-analysis record) can be swapped in; it is checked
against the same rules. Nothing is downloaded: loaders read local files only.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ipscompendium.general.trial_table import COLUMN_DESCRIPTIONS as GENERAL_COLUMNS
from ipscompendium.general.trial_table import check_trials
from ipscompendium.validation import FIRST_DATA_LINE, RowRule, boolean_column, non_empty_text, percentage_matches_counts, source_column, validate_table

#: The repository's data folder; set IPSCOMPENDIUM_DATA to read another copy.
DATA_DIR = Path(os.environ.get("IPSCOMPENDIUM_DATA", Path(__file__).resolve().parent.parent / "data"))

#: How a trial's 2x2 counts were obtained, from the most to the least direct; 'incomplete' rows have none.
COUNT_STATUSES = ("reported", "derived_from_percentages", "secondary_source", "inferred_arm_sizes", "incomplete")
TIMEPOINTS_MONTHS = (6, 12, 24)
#: Controlled vocabularies of the trial table.
OUTCOME_CATEGORIES = ("any competitive employment", "steady competitive employment",
                      "competitive employment or education", "in competitive employment at follow-up")
FOLLOWUP_WINDOWS = ("up to 12 months", "13 to 24 months", "over 24 months", "unequal between arms")
DENOMINATORS = ("randomised", "analysed", "unclear")


def _window_of(months) -> str | None:
    if pd.isna(months):
        return None
    return FOLLOWUP_WINDOWS[0] if months <= 12 else FOLLOWUP_WINDOWS[1] if months <= 24 else FOLLOWUP_WINDOWS[2]


def _count(description: str, nullable: bool = False) -> pa.Column:
    return pa.Column("Int64", pa.Check.ge(0), nullable=nullable, coerce=True, description=description)


def _size(description: str, nullable: bool = False) -> pa.Column:
    return pa.Column("Int64", pa.Check.gt(0), nullable=nullable, coerce=True, description=description)


def _pct(description: str, nullable: bool = False) -> pa.Column:
    return pa.Column("Float64", pa.Check.in_range(0, 100), nullable=nullable, coerce=True, description=description)


def _p_value(description: str, nullable: bool = False) -> pa.Column:
    return pa.Column("Float64", pa.Check.in_range(0, 1), nullable=nullable, coerce=True, description=description)


def _real(description: str, nullable: bool = False, checks: list | None = None) -> pa.Column:
    return pa.Column("Float64", checks or [], nullable=nullable, coerce=True, description=description)


def _not_above(events: str, total: str) -> RowRule:
    return RowRule(f"{events} <= {total}", events, lambda t, raw: t[events] <= t[total])


def _pct_consistent(pct: str, events: str, total: str, slack_column: str | None = None) -> RowRule:
    def holds(t: pd.DataFrame, raw: pd.DataFrame) -> pd.Series:
        strict = percentage_matches_counts(t[events], t[total], t[pct], raw[pct])
        if slack_column is None:
            return strict
        loose = percentage_matches_counts(t[events], t[total], t[pct], raw[pct], slack_events=1.0)
        return strict.where(~t[slack_column], loose)

    rule = f"{pct} = 100*{events}/{total} within the printed rounding"
    if slack_column:
        rule += f" (within one participant where {slack_column} is True)"
    return RowRule(rule, pct, holds)


def _ordered(low: str, mid: str, high: str) -> RowRule:
    return RowRule(f"{low} < {mid} < {high}", mid, lambda t, raw: (t[low] < t[mid]) & (t[mid] < t[high]))


@dataclass(frozen=True)
class TableSpec:
    """Where a table lives, what it holds, and the rules it must satisfy."""

    relative_path: str
    title: str
    schema: pa.DataFrameSchema
    row_rules: tuple[RowRule, ...] = ()
    key_columns: tuple[str, ...] = field(default_factory=tuple)

    @property
    def path(self) -> Path:
        return DATA_DIR / self.relative_path


def _unique_together(*columns: str) -> dict:
    return {"unique": list(columns), "report_duplicates": "all"}


# --- IPS in Pain ---------------------------------------------------------------------------

EMPLOYMENT = TableSpec(
    "ips_in_pain/employment.csv",
    "Employment by arm and follow-up (report Table 2)",
    pa.DataFrameSchema(
        {
            "timepoint_months": pa.Column(
                "Int64", pa.Check.isin(TIMEPOINTS_MONTHS), unique=True, coerce=True,
                description="Months after enrolment at which 'ever employed since enrolment' was assessed",
            ),
            "employed_ips": _count("IPS participants in ordinary paid work (at least one day) during follow-up"),
            "n_ips": _size("IPS participants with the outcome known at this follow-up"),
            "employed_control": _count("Control participants in ordinary paid work during follow-up"),
            "n_control": _size("Control participants with the outcome known at this follow-up"),
            "published_pct_ips": _pct("Percentage employed in the IPS arm, as printed"),
            "published_pct_control": _pct("Percentage employed in the control arm, as printed"),
            "published_p": _p_value("p-value, as printed (the report names a chi-square test)"),
            "published_or": _real("Odds ratio IPS vs control, as printed", checks=[pa.Check.gt(0)]),
            "published_or_ci_low": _real("Lower 95% confidence limit of the OR, as printed", checks=[pa.Check.gt(0)]),
            "published_or_ci_high": _real("Upper 95% confidence limit of the OR, as printed", checks=[pa.Check.gt(0)]),
            "source": source_column(),
        },
        strict=True,
    ),
    (
        _not_above("employed_ips", "n_ips"),
        _not_above("employed_control", "n_control"),
        _pct_consistent("published_pct_ips", "employed_ips", "n_ips"),
        _pct_consistent("published_pct_control", "employed_control", "n_control"),
        _ordered("published_or_ci_low", "published_or", "published_or_ci_high"),
    ),
    ("timepoint_months",),
)

RANDOMISATION = TableSpec(
    "ips_in_pain/randomisation.csv",
    "Participants randomised per arm",
    pa.DataFrameSchema(
        {
            "arm": pa.Column(str, pa.Check.isin(["ips", "control"]), unique=True, description="Trial arm"),
            "n_randomised": _size("Participants randomised to the arm"),
            "source": source_column(),
        },
        strict=True,
    ),
    key_columns=("arm",),
)

BASELINE = TableSpec(
    "ips_in_pain/baseline.csv",
    "Baseline characteristics (report Table 1)",
    pa.DataFrameSchema(
        {
            "characteristic": pa.Column(str, unique=True, description="Characteristic as labelled in Table 1 (translated)"),
            "kind": pa.Column(str, pa.Check.isin(["count", "mean"]), description="'count': n (%); 'mean': mean (SD)"),
            "n_ips": _count("IPS participants with the characteristic", nullable=True),
            "pct_ips": _pct("Percentage in the IPS arm, as printed (denominator: those who answered)", nullable=True),
            "mean_ips": _real("Mean in the IPS arm", nullable=True),
            "sd_ips": _real("Standard deviation in the IPS arm", nullable=True, checks=[pa.Check.gt(0)]),
            "n_control": _count("Control participants with the characteristic", nullable=True),
            "pct_control": _pct("Percentage in the control arm, as printed", nullable=True),
            "mean_control": _real("Mean in the control arm", nullable=True),
            "sd_control": _real("Standard deviation in the control arm", nullable=True, checks=[pa.Check.gt(0)]),
            "published_p": _p_value("p-value for the baseline difference, as printed", nullable=True),
            "source": source_column(),
        },
        strict=True,
    ),
    (
        RowRule("count rows give n and % for both arms", "n_ips", lambda t, raw: (t["kind"] != "count") | (
            t[["n_ips", "pct_ips", "n_control", "pct_control"]].notna().all(axis=1))),
        RowRule("mean rows give mean and SD for both arms", "mean_ips", lambda t, raw: (t["kind"] != "mean") | (
            t[["mean_ips", "sd_ips", "mean_control", "sd_control"]].notna().all(axis=1))),
    ),
    ("characteristic",),
)

SECONDARY_OUTCOMES = TableSpec(
    "ips_in_pain/secondary_outcomes.csv",
    "Secondary outcomes, unadjusted (report Table 3)",
    pa.DataFrameSchema(
        {
            "outcome": pa.Column(str, description="Outcome and scale (translated)"),
            "higher_is_better": boolean_column("Whether a higher score means better health"),
            "timepoint_months": pa.Column("Int64", pa.Check.isin([6, 12]), coerce=True, description="Follow-up (months)"),
            "n_ips": _size("IPS participants who answered"),
            "mean_ips": _real("Mean in the IPS arm"),
            "sd_ips": _real("Standard deviation in the IPS arm", checks=[pa.Check.gt(0)]),
            "n_control": _size("Control participants who answered"),
            "mean_control": _real("Mean in the control arm"),
            "sd_control": _real("Standard deviation in the control arm", checks=[pa.Check.gt(0)]),
            "published_p": _p_value("p-value of the independent t-test, as printed"),
            "source": source_column(),
        },
        strict=True,
        **_unique_together("outcome", "timepoint_months"),
    ),
    key_columns=("outcome", "timepoint_months"),
)

SAMPLE_SIZE = TableSpec(
    "ips_in_pain/sample_size.csv",
    "Sample-size scenarios of the protocol",
    pa.DataFrameSchema(
        {
            "scenario": pa.Column("Int64", unique=True, coerce=True, description="Scenario number in the report"),
            "p_control": _real("Assumed proportion employed with usual care", checks=[pa.Check.in_range(0, 1, False, False)]),
            "p_ips": _real("Assumed proportion employed with IPS", checks=[pa.Check.in_range(0, 1, False, False)]),
            "alpha": _real("Two-sided significance level", checks=[pa.Check.in_range(0, 1, False, False)]),
            "power": _real("Target power", checks=[pa.Check.in_range(0, 1, False, False)]),
            "published_n_per_group": _size("Participants per group, as printed"),
            "source": source_column(),
        },
        strict=True,
    ),
    key_columns=("scenario",),
)

PROCESS_MEASURES = TableSpec(
    "ips_in_pain/process_measures.csv",
    "Process measures among IPS participants",
    pa.DataFrameSchema(
        {
            "measure": pa.Column(str, description="Item and answer category (translated)"),
            "timepoint_months": pa.Column("Int64", pa.Check.isin([6, 12]), coerce=True, description="Follow-up (months)"),
            "pct": _pct("Percentage of respondents, as printed"),
            "source": source_column(),
            "note": non_empty_text(nullable=True, description="Discrepancies between places in the report"),
        },
        strict=True,
        **_unique_together("measure", "timepoint_months"),
    ),
    key_columns=("measure", "timepoint_months"),
)

FIDELITY = TableSpec(
    "ips_in_pain/fidelity.csv",
    "IPS-25 fidelity evaluations",
    pa.DataFrameSchema(
        {
            "evaluation": pa.Column("Int64", pa.Check.in_range(1, 4), unique=True, coerce=True, description="Half-yearly evaluation, 2016-2017"),
            "score": pa.Column("Int64", pa.Check.in_range(25, 125), coerce=True, description="IPS-25 total (25 items scored 1-5)"),
            "source": source_column(),
            "note": non_empty_text(nullable=True, description="Quote or context"),
        },
        strict=True,
    ),
    key_columns=("evaluation",),
)

REPORTED_VALUES = TableSpec(
    "ips_in_pain/reported_values.csv",
    "Single numbers reported in the text",
    pa.DataFrameSchema(
        {
            "key": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True, description="Name used by the analyses"),
            "value": _real("The number as reported"),
            "unit": non_empty_text(description="Unit of the number"),
            "source": source_column(),
            "note": non_empty_text(nullable=True, description="Quote, translation and caveats"),
        },
        strict=True,
    ),
    key_columns=("key",),
)

# --- Meta-analysis -------------------------------------------------------------------------

TRIALS = TableSpec(
    "meta_analysis/trials.csv",
    "Randomised trials of IPS (reconstruction of the meta-analysis record)",
    pa.DataFrameSchema(
        {
            "study": pa.Column(str, pa.Check.str_matches(r"^[a-z]+\d{4}$"), unique=True,
                               description=GENERAL_COLUMNS["study"] + ": first author and year"),
            "trial": non_empty_text(description="Trial name"),
            "first_author": non_empty_text(description="First author of the report used"),
            "year": pa.Column("Int64", pa.Check.in_range(1990, 2030), coerce=True, description="Publication year"),
            "country": non_empty_text(description="Country or countries"),
            "country_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}(;[A-Z]{3})*$"), description="ISO 3166-1 alpha-3 codes, ';'-separated"),
            "city_or_site": non_empty_text(description="Site(s)"),
            "population": non_empty_text(description="Population studied"),
            "control_condition": non_empty_text(description="What the control arm received"),
            "followup_months": _size("Length of follow-up for the outcome used (months)"),
            "followup_window": pa.Column(str, pa.Check.isin(FOLLOWUP_WINDOWS),
                                         description="Follow-up window (controlled vocabulary): " + "; ".join(FOLLOWUP_WINDOWS)),
            "n_treatment": _size(GENERAL_COLUMNS["n_treatment"] + ": IPS, randomised (or analysed)", nullable=True),
            "events_treatment": _count(GENERAL_COLUMNS["events_treatment"] + ": IPS participants in work", nullable=True),
            "n_control": _size(GENERAL_COLUMNS["n_control"] + ": traditional vocational rehabilitation, randomised (or analysed)",
                               nullable=True),
            "events_control": _count(GENERAL_COLUMNS["events_control"] + ": control participants in work", nullable=True),
            "total_randomized": _size("All randomised, all arms"),
            "pct_ips_text": non_empty_text(nullable=True, description="IPS percentage(s) as printed in the source"),
            "pct_control_text": non_empty_text(nullable=True, description="Control percentage(s) as printed in the source"),
            "pct_ips_published": _pct("The single IPS percentage stated, as a number", nullable=True),
            "pct_control_published": _pct("The single control percentage stated, as a number", nullable=True),
            "pct_discrepancy_documented": boolean_column(
                "True where the notes document that the printed % is not reproduced exactly by the counts"
            ),
            "outcome_definition": non_empty_text(description="Outcome, flagged where not 'any competitive employment during follow-up'"),
            "outcome_category": pa.Column(str, pa.Check.isin(OUTCOME_CATEGORIES),
                                          description="The outcome the counts measure (controlled vocabulary): " + "; ".join(OUTCOME_CATEGORIES)),
            "count_status": pa.Column(str, pa.Check.isin(COUNT_STATUSES), description="How the 2x2 counts were obtained: " + ", ".join(COUNT_STATUSES)),
            "denominator": pa.Column(str, pa.Check.isin(DENOMINATORS),
                                     description="Whose outcome the arm sizes count (controlled vocabulary): " + ", ".join(DENOMINATORS)),
            "in_brinchmann_confidence": non_empty_text(description="Whether Brinchmann et al. 2020 probably included the trial"),
            "source": source_column(),
            "second_source": non_empty_text(nullable=True, description="A second source"),
            "notes": non_empty_text(nullable=True, description="Discrepancies and alternatives"),
        },
        strict=True,
    ),
    (
        _not_above("events_treatment", "n_treatment"),
        _not_above("events_control", "n_control"),
        RowRule(
            "arms do not exceed the total randomised", "total_randomized",
            lambda t, raw: (t["n_treatment"] + t["n_control"]) <= t["total_randomized"],
        ),
        RowRule(
            "count_status 'incomplete' if and only if a count is missing", "count_status",
            lambda t, raw: t[["n_treatment", "events_treatment", "n_control", "events_control"]].isna().any(axis=1)
            == (t["count_status"] == "incomplete"),
        ),
        RowRule(
            "followup_window is the window of followup_months, unless the arms' follow-up was unequal", "followup_window",
            lambda t, raw: (t["followup_window"] == FOLLOWUP_WINDOWS[-1])
            | (t["followup_window"] == t["followup_months"].map(lambda m: _window_of(m))),
        ),
        RowRule(
            "count_status 'secondary_source' names a second source", "second_source",
            lambda t, raw: (t["count_status"] != "secondary_source") | t["second_source"].notna(),
        ),
        _pct_consistent("pct_ips_published", "events_treatment", "n_treatment", "pct_discrepancy_documented"),
        _pct_consistent("pct_control_published", "events_control", "n_control", "pct_discrepancy_documented"),
    ),
    ("study",),
)


def _epl_schema(columns: dict) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "country_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), description="ISO 3166-1 alpha-3"),
            **columns,
            "year": pa.Column("Int64", pa.Check.in_range(1960, 2030), coerce=True, description="Calendar year"),
            "source": source_column(),
        },
        strict=True,
        **_unique_together("country_code", "year"),
    )


def _epl_index(description: str) -> pa.Column:
    return pa.Column("Float64", pa.Check.in_range(0, 6), coerce=True, description=description + " (0-6, higher = stricter)")


EPL_PRE2020 = TableSpec(
    "meta_analysis/epl_v1_pre2020_release.csv",
    "OECD employment protection, version 1, pre-2020 release",
    _epl_schema(
        {
            "country": non_empty_text(description="Country name"),
            "epl_regular_v1": _epl_index("Protection of regular workers against individual dismissal"),
            "epl_temporary_v1": _epl_index("Regulation of temporary contracts"),
        }
    ),
    key_columns=("country_code", "year"),
)

EPL_2020 = TableSpec(
    "meta_analysis/epl_v1_2020_release_sample.csv",
    "OECD employment protection, version 1, 2020 release (sample)",
    _epl_schema({"epl_overall_v1": _epl_index("Overall version-1 index as revised in 2020")}),
    key_columns=("country_code", "year"),
)

GDP_GROWTH = TableSpec(
    "meta_analysis/gdp_growth.csv",
    "World Bank GDP growth",
    _epl_schema(
        {
            "country": non_empty_text(description="Country name"),
            "gdp_growth_pct": _real("Annual GDP growth (%)", checks=[pa.Check.in_range(-30, 30)]),
        }
    ),
    key_columns=("country_code", "year"),
)

PUBLISHED_POOLED = TableSpec(
    "meta_analysis/published_pooled_results.csv",
    "Pooled results of published meta-analyses",
    pa.DataFrameSchema(
        {
            "analysis_id": pa.Column(str, pa.Check.str_matches(r"^[a-z]+\d{4}(_[a-z]+)?$"), unique=True,
                                     description="First author and year (a suffix marks a re-analysis of that publication)"),
            "publication": non_empty_text(description="Citation"),
            "doi": non_empty_text(nullable=True, description="DOI"),
            "estimand": non_empty_text(description="What the estimate measures"),
            "k_trials": _size("Trials (or comparisons) pooled"),
            "n_participants": _size("Participants pooled", nullable=True),
            "estimate": _real("Pooled ratio", checks=[pa.Check.gt(0)]),
            "ci_low": _real("Lower 95% limit", checks=[pa.Check.gt(0)]),
            "ci_high": _real("Upper 95% limit", checks=[pa.Check.gt(0)]),
            "model": non_empty_text(description="Pooling model"),
            "notes": non_empty_text(nullable=True, description="Context"),
            "source": source_column(),
        },
        strict=True,
    ),
    (_ordered("ci_low", "estimate", "ci_high"),),
    ("analysis_id",),
)

TURNER_TAU2_PRIORS = TableSpec(
    "priors/turner2015_tau2_lognormal.csv",
    "Empirical log-normal priors for the heterogeneity variance (Turner et al. 2015)",
    pa.DataFrameSchema(
        {
            "outcome_type": pa.Column(str, unique=True, description="Outcome type in Turner et al.'s classification"),
            "comparison_type": non_empty_text(description="Type of intervention comparison"),
            "log_tau2_mean": _real("Mean of log(tau^2) (log odds-ratio scale)"),
            "log_tau2_sd": _real("Standard deviation of log(tau^2)", checks=[pa.Check.gt(0)]),
            "source": source_column(),
        },
        strict=True,
    ),
    key_columns=("outcome_type",),
)

EFFECT_ANCHORS = TableSpec(
    "priors/effect_anchors.csv",
    "Published effects that anchor the priors on the effect of IPS",
    pa.DataFrameSchema(
        {
            "key": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True, description="Name used by the analyses"),
            "estimate": _real("Point estimate as published", checks=[pa.Check.gt(0)]),
            "ci_low": _real("Lower 95% confidence limit as published", checks=[pa.Check.gt(0)]),
            "ci_high": _real("Upper 95% confidence limit as published", checks=[pa.Check.gt(0)]),
            "measure": pa.Column(str, pa.Check.isin(["odds ratio", "risk ratio"]), description="Effect measure"),
            "source": source_column(),
            "note": non_empty_text(description="What the number summarises"),
        },
        strict=True,
    ),
    (_ordered("ci_low", "estimate", "ci_high"),),
    ("key",),
)

RANDOMISED_ARMS = TableSpec(
    "meta_analysis/randomised_arms.csv",
    "Participants randomised per arm, for the trials whose counts are on those analysed",
    pa.DataFrameSchema(
        {
            "study": pa.Column(str, pa.Check.str_matches(r"^[a-z]+\d{4}$"), unique=True, description="Trial (as in trials.csv)"),
            "randomised_treatment": _size("Participants randomised to IPS"),
            "randomised_control": _size("Participants randomised to the control arm"),
            "source": source_column(),
        },
        strict=True,
    ),
    key_columns=("study",),
)


TABLES: dict[str, TableSpec] = {
    "employment": EMPLOYMENT,
    "randomisation": RANDOMISATION,
    "baseline": BASELINE,
    "secondary_outcomes": SECONDARY_OUTCOMES,
    "sample_size": SAMPLE_SIZE,
    "process_measures": PROCESS_MEASURES,
    "fidelity": FIDELITY,
    "reported_values": REPORTED_VALUES,
    "trials": TRIALS,
    "randomised_arms": RANDOMISED_ARMS,
    "epl_pre2020": EPL_PRE2020,
    "epl_2020": EPL_2020,
    "gdp_growth": GDP_GROWTH,
    "published_pooled": PUBLISHED_POOLED,
    "turner_tau2_priors": TURNER_TAU2_PRIORS,
    "effect_anchors": EFFECT_ANCHORS,
}


def load(table: str, path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate one table by name (see :data:`TABLES`), optionally from another file."""
    spec = TABLES[table]
    return validate_table(Path(path) if path else spec.path, spec.schema, spec.row_rules, spec.key_columns)


def load_employment(path: str | Path | None = None) -> pd.DataFrame:
    """IPS in Pain: employed / N per arm at 6, 12 and 24 months, with the published statistics."""
    return load("employment", path)


def load_randomisation(path: str | Path | None = None) -> pd.DataFrame:
    """IPS in Pain: participants randomised per arm."""
    return load("randomisation", path)


def load_baseline(path: str | Path | None = None) -> pd.DataFrame:
    """IPS in Pain: baseline characteristics (Table 1)."""
    return load("baseline", path)


def load_secondary_outcomes(path: str | Path | None = None) -> pd.DataFrame:
    """IPS in Pain: secondary outcomes at 6 and 12 months (Table 3)."""
    return load("secondary_outcomes", path)


def load_sample_size(path: str | Path | None = None) -> pd.DataFrame:
    """IPS in Pain: the protocol's sample-size scenarios."""
    return load("sample_size", path)


def load_process_measures(path: str | Path | None = None) -> pd.DataFrame:
    """IPS in Pain: satisfaction, usefulness, barriers and helpers."""
    return load("process_measures", path)


def load_fidelity(path: str | Path | None = None) -> pd.DataFrame:
    """IPS in Pain: the four IPS-25 fidelity scores."""
    return load("fidelity", path)


def load_reported_values(path: str | Path | None = None) -> pd.DataFrame:
    """IPS in Pain: single reported numbers (registry control, hours worked, fidelity mean, ...)."""
    return load("reported_values", path)


def reported_value(key: str, path: str | Path | None = None) -> float:
    """One number from :func:`load_reported_values` by its key."""
    values = load_reported_values(path).set_index("key")["value"]
    if key not in values.index:
        raise KeyError(f"no reported value named {key!r}; known: {', '.join(values.index)}")
    return float(values[key])


def load_trials(path: str | Path | None = None) -> pd.DataFrame:
    """Meta-analysis: one row per randomised trial, incomplete ones included.

    The table extends the package's general trial table (:mod:`ipscompendium.general.trial_table`):
    the same five columns, more columns and stricter rules on top. Its rows with all four counts
    must therefore also pass the general rules, checked here after its own.
    """
    trials = load("trials", path)
    complete = trials[trials["count_status"] != "incomplete"]
    check_trials(complete.assign(line=complete.index + FIRST_DATA_LINE), source=str(path or TRIALS.path))
    return trials


def load_randomised_arms(path: str | Path | None = None) -> pd.DataFrame:
    """Meta-analysis: participants randomised per arm, for the trials with analysed denominators."""
    return load("randomised_arms", path)


def poolable_trials(trials: pd.DataFrame, statuses: tuple[str, ...] = COUNT_STATUSES[:-1]) -> pd.DataFrame:
    """The trials whose 2x2 counts are all known and whose ``count_status`` is in ``statuses``."""
    unknown = set(statuses) - set(COUNT_STATUSES)
    if unknown:
        raise ValueError(f"unknown count_status value(s) {sorted(unknown)}; allowed: {COUNT_STATUSES}")
    usable = trials["count_status"].isin(statuses) & (trials["count_status"] != "incomplete")
    return trials.loc[usable].reset_index(drop=True)


def load_epl_pre2020(path: str | Path | None = None) -> pd.DataFrame:
    """OECD EPL version 1 (regular and temporary contracts), pre-2020 release."""
    return load("epl_pre2020", path)


def load_epl_2020(path: str | Path | None = None) -> pd.DataFrame:
    """OECD EPL version 1 overall index, 2020 release (sample of years)."""
    return load("epl_2020", path)


def load_gdp_growth(path: str | Path | None = None) -> pd.DataFrame:
    """World Bank annual GDP growth by country and year."""
    return load("gdp_growth", path)


def load_published_pooled(path: str | Path | None = None) -> pd.DataFrame:
    """Pooled results of the published meta-analyses."""
    return load("published_pooled", path)


def load_turner_tau2_priors(path: str | Path | None = None) -> pd.DataFrame:
    """Turner et al. (2015) log-normal priors for tau^2, non-pharmacological vs control."""
    return load("turner_tau2_priors", path)


def load_effect_anchors(path: str | Path | None = None) -> pd.DataFrame:
    """Published effects that anchor the priors (the sceptic's plausible effect)."""
    return load("effect_anchors", path)


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes: provenance for results derived from it."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def data_dictionary(table: str) -> pd.DataFrame:
    """The columns of a table with their type, whether they may be empty, rules and meaning.

    Generated from the validation schema, so the book's dictionary cannot drift from the checks.
    """
    spec = TABLES[table]
    rows = []
    for name, column in spec.schema.columns.items():
        rules = [_describe_check(check) for check in column.checks]
        if column.unique:
            rules.append("unique")
        rows.append(
            {
                "column": name,
                "type": str(column.dtype),
                "may be empty": "yes" if column.nullable else "no",
                "rules": "; ".join(rules),
                "meaning": column.description or "",
            }
        )
    if spec.schema.unique:
        rows.append({"column": "(table)", "type": "", "may be empty": "", "rules": "unique together: " + ", ".join(spec.schema.unique), "meaning": ""})
    for rule in spec.row_rules:
        rows.append({"column": f"(row) {rule.column}", "type": "", "may be empty": "", "rules": rule.name, "meaning": "compares columns within a row"})
    return pd.DataFrame(rows)


def _describe_check(check: pa.Check) -> str:
    if check.error and not str(check.error).startswith(check.name):
        return str(check.error)  # a rule written out in words where the schema defines it
    stats = check.statistics or {}
    if check.name == "in_range":
        return f"between {stats.get('min_value')} and {stats.get('max_value')}"
    if check.name == "isin":
        return "one of " + ", ".join(map(str, stats.get("allowed_values", [])))
    if check.name == "str_length":
        return f"at least {stats.get('min_value')} character(s)"
    if check.name == "str_matches":
        return f"matches {stats.get('pattern')}"
    symbols = {"greater_than": "> ", "greater_than_or_equal_to": ">= "}
    if check.name in symbols:
        return symbols[check.name] + str(next(iter(stats.values())))
    return check.name


def counts_reproducing(pct: float, n: int, decimals: int = 0) -> list[int]:
    """All event counts k in 0..n for which 100*k/n rounds to ``pct`` at ``decimals`` decimals.

    Used to derive counts from published percentages and to show when a percentage fits
    more than one count (16% of 315 is 50 or 51 people).
    """
    half_unit = 0.5 * 10.0**-decimals
    return [k for k in range(n + 1) if abs(100 * k / n - pct) <= half_unit + 1e-9]


def record_coverage(trials: pd.DataFrame, published: pd.DataFrame, analysis_id: str = "brinchmann2020") -> dict[str, int]:
    """How much of a published meta-analysis our trial table covers.

    Returns the trials and participants in our table, those with usable counts, and the
    published totals, so that the book states the gap computed, not typed.
    """
    target = published.set_index("analysis_id").loc[analysis_id]
    poolable = poolable_trials(trials)
    return {
        "k_table": len(trials),
        "n_table": int(trials["total_randomized"].sum()),
        "k_poolable": len(poolable),
        "n_poolable": int((poolable["n_treatment"] + poolable["n_control"]).sum()),
        "k_published": int(target["k_trials"]),
        "n_published": int(target["n_participants"]),
    }


def download_list(root: Path | None = None) -> pd.DataFrame:
    """Every table of the Data Package (``datapackage.json`` beside ``data/``), as the website offers it
    for download: ``path`` (relative to the site's root, as in the package), ``title``, ``rows`` and
    ``kilobytes``."""
    import json

    root = Path(root) if root is not None else DATA_DIR.parent
    package = json.loads((root / "datapackage.json").read_text())
    rows = []
    for resource in package["resources"]:
        path = root / resource["path"]
        rows.append({"path": resource["path"], "title": resource.get("title", resource["name"]),
                     "rows": len(pd.read_csv(path)), "kilobytes": path.stat().st_size / 1000})
    return pd.DataFrame(rows)
