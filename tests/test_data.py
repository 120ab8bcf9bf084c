"""The data layer: every table loads, and every broken rule is reported with file, line, column and rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipscompendium import data
from ipscompendium.general.trial_table import COLUMN_DESCRIPTIONS, COUNT_COLUMNS, REQUIRED, InputError, check_trials
from ipscompendium.validation import DataValidationError


@pytest.mark.parametrize("table", sorted(data.TABLES))
def test_every_table_loads_and_names_its_sources(table):
    frame = data.load(table)
    assert len(frame) > 0
    assert frame["source"].str.len().min() >= 3


def test_pain_trial_counts_match_randomisation():
    employment = data.load_employment()
    randomised = data.load_randomisation().set_index("arm")["n_randomised"]
    assert randomised.to_dict() == {"ips": 38, "control": 20}
    assert (employment["n_ips"] <= randomised["ips"]).all()
    assert (employment["n_control"] <= randomised["control"]).all()


def test_trials_keep_incomplete_rows_but_do_not_pool_them():
    trials = data.load_trials()
    poolable = data.poolable_trials(trials)
    assert (trials["count_status"] == "incomplete").sum() == len(trials) - len(poolable)
    assert poolable[["n_treatment", "events_treatment", "n_control", "events_control"]].notna().all().all()
    reported_only = data.poolable_trials(trials, ("reported",))
    assert set(reported_only["count_status"]) == {"reported"}


def test_the_trial_table_extends_the_general_one():
    # Same five columns with the general descriptions, stricter rules on top; the complete rows
    # also pass the general rules (load_trials checks them after its own).
    schema = data.TABLES["trials"].schema
    for column in REQUIRED:
        assert schema.columns[column].description.startswith(COLUMN_DESCRIPTIONS[column])
    poolable = data.poolable_trials(data.load_trials())
    checked = check_trials(poolable)
    assert checked[list(COUNT_COLUMNS)].dtypes.map(lambda d: d.kind).eq("i").all()


def test_a_broken_general_rule_in_the_trial_table_names_the_line(tmp_path):
    # The general rule set, applied to the compendium's own rows: its message names the line.
    trials = data.poolable_trials(data.load_trials()).head(3).assign(line=[2, 3, 4])
    trials.loc[1, "study"] = trials.loc[0, "study"]
    with pytest.raises(InputError, match=r"line 3, column 'study': '.*' is already used on line 2"):
        check_trials(trials, source="trials.csv")
    trials = data.poolable_trials(data.load_trials()).head(2)
    trials.loc[1, "events_control"] = trials.loc[1, "n_control"] + 1
    with pytest.raises(InputError, match=r"line 2, column 'events_control': \d+ events exceed"):
        check_trials(trials)  # no line column: the row's position, counted from 1


def test_poolable_trials_rejects_unknown_status():
    with pytest.raises(ValueError, match="unknown count_status"):
        data.poolable_trials(data.load_trials(), ("guessed",))


def test_reported_value_by_key():
    assert data.reported_value("historical_control_n") == 315
    with pytest.raises(KeyError, match="no reported value named"):
        data.reported_value("no_such_key")


def test_data_dictionary_is_generated_from_the_schema():
    dictionary = data.data_dictionary("employment")
    assert list(dictionary.loc[dictionary["column"] == "published_p", "rules"]) == ["between 0 and 1"]
    assert "employed_ips <= n_ips" in set(dictionary["rules"])
    assert set(data.TABLES["employment"].schema.columns) <= set(dictionary["column"])


# --- Bad input: a temporary copy of a real file with one rule broken on purpose -----------


def _broken_copy(tmp_path: Path, table: str, edit) -> Path:
    source = data.TABLES[table].path
    target = tmp_path / source.name
    shutil.copy(source, target)
    frame = pd.read_csv(target, dtype=str, keep_default_na=False)
    frame = edit(frame)
    frame.to_csv(target, index=False)
    return target


def _set(row: int, column: str, value: str):
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row, column] = value
        return frame

    return edit


def _error_for(table: str, path: Path) -> DataValidationError:
    with pytest.raises(DataValidationError) as caught:
        data.load(table, path)
    return caught.value


def _assert_names(error: DataValidationError, path: Path, line: int | None, column: str, rule_fragment: str):
    message = str(error)
    assert str(path) in message
    matching = [v for v in error.violations if v.column == column and rule_fragment in v.rule]
    assert matching, f"no violation of {rule_fragment!r} in column {column!r}:\n{message}"
    assert line in [v.line for v in matching]
    assert f"column '{column}'" in message
    assert rule_fragment in message
    if line is not None:
        assert f"line {line}" in message


def test_negative_count(tmp_path):
    path = _broken_copy(tmp_path, "employment", _set(1, "employed_control", "-7"))
    error = _error_for("employment", path)
    _assert_names(error, path, 3, "employed_control", "greater_than_or_equal_to(0)")
    assert "timepoint_months=12" in str(error)


def test_employed_above_n(tmp_path):
    path = _broken_copy(tmp_path, "trials", _set(4, "events_treatment", "70"))
    error = _error_for("trials", path)
    _assert_names(error, path, 6, "events_treatment", "events_treatment <= n_treatment")
    assert "study=gold2006" in str(error)


def test_missing_column(tmp_path):
    path = _broken_copy(tmp_path, "employment", lambda f: f.drop(columns=["n_control"]))
    error = _error_for("employment", path)
    _assert_names(error, path, None, "n_control", "required column is missing")


def test_text_in_numeric_column(tmp_path):
    path = _broken_copy(tmp_path, "trials", _set(2, "total_randomized", "about 200"))
    error = _error_for("trials", path)
    _assert_names(error, path, 4, "total_randomized", "must be of type Int64")
    assert "'about 200'" in str(error)


def test_duplicate_id(tmp_path):
    path = _broken_copy(tmp_path, "trials", _set(3, "study", "drake1999"))
    error = _error_for("trials", path)
    _assert_names(error, path, 5, "study", "field_uniqueness")


def test_unknown_status(tmp_path):
    path = _broken_copy(tmp_path, "trials", _set(1, "count_status", "guessed"))
    error = _error_for("trials", path)
    _assert_names(error, path, 3, "count_status", "isin")


def test_published_percentage_inconsistent_with_counts(tmp_path):
    path = _broken_copy(tmp_path, "employment", _set(2, "published_pct_ips", "62.5"))
    error = _error_for("employment", path)
    _assert_names(error, path, 4, "published_pct_ips", "published_pct_ips = 100*employed_ips/n_ips")


def test_documented_discrepancy_allows_one_participant_only(tmp_path):
    # latimer2006: 14/75 = 18.7% is printed as 18%, a documented discrepancy ...
    trials = data.load_trials().set_index("study")
    assert trials.loc["latimer2006", "pct_discrepancy_documented"]
    # ... which the strict rule would reject,
    row = list(trials.index).index("latimer2006")
    path = _broken_copy(tmp_path, "trials", _set(row, "pct_discrepancy_documented", "False"))
    _assert_names(_error_for("trials", path), path, row + 2, "pct_control_published", "within the printed rounding")
    # and a percentage off by more than one participant is rejected even when documented.
    path = _broken_copy(tmp_path, "trials", lambda f: f.assign(pct_control_published=f["pct_control_published"].where(f["study"] != "latimer2006", "25")))
    _assert_names(_error_for("trials", path), path, row + 2, "pct_control_published", "within one participant")


def test_empty_source(tmp_path):
    path = _broken_copy(tmp_path, "fidelity", _set(0, "source", ""))
    error = _error_for("fidelity", path)
    _assert_names(error, path, 2, "source", "must not be empty")


def test_all_violations_reported_at_once(tmp_path):
    def edit(frame):
        frame.loc[0, "n_ips"] = "0"
        frame.loc[2, "source"] = ""
        return frame

    path = _broken_copy(tmp_path, "employment", edit)
    error = _error_for("employment", path)
    assert {v.column for v in error.violations} >= {"n_ips", "source"}


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="data file not found"):
        data.load("employment", tmp_path / "nowhere.csv")


def test_killackey2019_counts_come_from_the_named_secondary_source():
    row = data.load_trials().set_index("study").loc["killackey2019"]
    assert (row.events_treatment, row.n_treatment, row.events_control, row.n_control) == (47, 66, 29, 60)
    assert row.count_status == "secondary_source" and row.denominator == "analysed"
    assert "ricardotwumasi/employment-early-psychosis" in row.source and "7638cda145a660f1365392750bc99670ba769f74" in row.source
    assert row.total_randomized == 146 and row.outcome_category == "any competitive employment"


def test_controlled_vocabularies_follow_their_rules(tmp_path):
    trials = data.load_trials()
    assert set(trials["denominator"]) <= set(data.DENOMINATORS)
    assert set(trials["outcome_category"]) <= set(data.OUTCOME_CATEGORIES)
    # the stored window is the window of the months, except where the arms were followed unequally
    unequal = trials["followup_window"] == "unequal between arms"
    assert list(trials.loc[unequal, "study"]) == ["tsang2010"]
    assert (trials.loc[~unequal, "followup_window"] == trials.loc[~unequal, "followup_months"].map(data._window_of)).all()
    # a window that contradicts the months is refused, naming the row and the rule
    path = _broken_copy(tmp_path, "trials", _set(1, "followup_window", "over 24 months"))
    _assert_names(_error_for("trials", path), path, 3, "followup_window", "followup_window is the window of followup_months")


def test_randomised_arms_cover_exactly_the_trials_with_analysed_denominators():
    trials = data.load_trials().set_index("study")
    arms = data.load_randomised_arms().set_index("study")
    assert set(arms.index) == set(trials.index[trials["denominator"] == "analysed"])
    for study, arm in arms.iterrows():
        row = trials.loc[study]
        assert arm.randomised_treatment >= row.n_treatment and arm.randomised_control >= row.n_control
        assert arm.randomised_treatment + arm.randomised_control == row.total_randomized


def test_published_labels_and_the_books_five_priors():
    from ipscompendium import trial_models, trial_sets
    from ipscompendium.map_prior import load_map_prior

    assert trial_sets.published_label("frederick2019") == "Frederick 2019"
    assert trial_sets.published_label("frederick2019_corrected") == "Frederick 2019, corrected"
    five = trial_models.book_trial_priors(load_map_prior())
    assert [p.name for p in five][:3] == ["weakly informative", "sceptical", "enthusiastic"] and len(five) == 5
    # the sceptic gives 5% to Bond et al.'s OR outside severe mental illness; the enthusiast centres on the design (23% vs 61%)
    anchor = float(data.load_effect_anchors().set_index("key").loc["ips_non_smi_or", "estimate"])
    assert five[1].prob_greater(np.log(anchor)) == pytest.approx(0.05, abs=1e-6)
    assert np.exp(five[2].means[0]) == pytest.approx((0.61 / 0.39) / (0.23 / 0.77), rel=1e-6)
