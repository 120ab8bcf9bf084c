"""Missing outcomes (ipscompendium.general.missing): bounds, tipping points and the IMOR model,
checked against the grid, against each other and against an independent Monte Carlo."""

import numpy as np
import pytest
from scipy.special import expit

from ipscompendium.general import missing, priors, trial_grid

TREATMENT, CONTROL = missing.Arm(19, 36, 38), missing.Arm(7, 18, 20)  # IPS in Pain, 12 months
PRIOR = priors.weakly_informative_prior()
LOG_PRIOR = trial_grid.effect_prior(PRIOR)


def test_an_arm_must_be_possible():
    with pytest.raises(ValueError, match="events <= analysed <= randomised"):
        missing.Arm(5, 20, 18)


def test_imor_with_sd_zero_is_missing_at_random():
    grid = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior(PRIOR), points=400)
    mar = missing.imor(TREATMENT, CONTROL, LOG_PRIOR, sd=0.0)
    assert mar["p_benefit"] == pytest.approx(grid.prob_log_or_above(0.0), abs=1e-12)
    assert mar["p_relevant_rd"] == pytest.approx(grid.prob_rd_above(0.1), abs=1e-12)


def test_tipping_cells_are_filled_in_analyses_and_best_and_worst_bracket_them():
    table = missing.tipping_point(TREATMENT, CONTROL, LOG_PRIOR)
    assert len(table) == (TREATMENT.missing + 1) * (CONTROL.missing + 1)
    for row in table.itertuples():
        i, j = row[1], row[2]
        filled = trial_grid.trial_benefit(19 + i, 38, 7 + j, 20, PRIOR)
        assert row.p_benefit == pytest.approx(filled["p_benefit"], abs=1e-12)
    cases = missing.bounds(TREATMENT, CONTROL, LOG_PRIOR)
    assert (cases["worst case"]["p_benefit"] - 1e-12 <= table["p_benefit"]).all()
    assert (table["p_benefit"] <= cases["best case"]["p_benefit"] + 1e-12).all()
    assert table["p_benefit"].min() == pytest.approx(cases["worst case"]["p_benefit"])
    assert table["p_benefit"].max() == pytest.approx(cases["best case"]["p_benefit"])


def test_with_nothing_missing_every_analysis_is_the_complete_case_one():
    complete = missing.Arm(19, 36, 36), missing.Arm(7, 18, 18)
    table = missing.tipping_point(*complete, LOG_PRIOR)
    expected = trial_grid.trial_benefit(19, 36, 7, 18, PRIOR)["p_benefit"]
    assert len(table) == 1 and table["p_benefit"].iloc[0] == pytest.approx(expected, abs=1e-12)
    assert {k: v["p_benefit"] for k, v in missing.bounds(*complete, LOG_PRIOR).items()} == pytest.approx(
        {"complete cases": expected, "best case": expected, "worst case": expected})
    assert missing.imor(*complete, LOG_PRIOR, sd=2.0)["p_benefit"] == pytest.approx(
        trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior(PRIOR), points=400).prob_log_or_above(0.0), abs=1e-12)


def test_imor_quadrature_matches_an_independent_monte_carlo():
    # Draw (control, treatment) log-odds from the grid posterior and the two deltas from N(0, 2^2),
    # and count how often the intention-to-treat risk is higher with IPS.
    sd = 2.0
    exact = missing.imor(TREATMENT, CONTROL, LOG_PRIOR, sd=sd)
    grid = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior(PRIOR), points=400)
    rng = np.random.default_rng(3)
    draws = 400_000
    cells = rng.choice(grid.weight.size, size=draws, p=grid.weight.ravel())
    c, t = np.unravel_index(cells, grid.weight.shape)
    c, t = grid.axis[c], grid.axis[t]
    d_t, d_c = rng.normal(0, sd, draws), rng.normal(0, sd, draws)
    itt_t = (36 * expit(t) + 2 * expit(t + d_t)) / 38
    itt_c = (18 * expit(c) + 2 * expit(c + d_c)) / 20
    for key, values in (("p_benefit", itt_t > itt_c), ("p_relevant_rd", itt_t - itt_c > 0.1)):
        p = values.mean()
        assert exact[key] == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / draws)), key


def _monte_carlo_imor(treatment, control, mean_t, mean_c, sd, correlation, draws=400_000, seed=3):
    """Independent check: draw the observed log-odds from the grid posterior and the two log IMORs from
    a bivariate normal, and count how often the intention-to-treat risk is higher with treatment."""
    grid = trial_grid.posterior_grid(treatment.events, treatment.analysed, control.events, control.analysed,
                                     trial_grid.effect_prior(PRIOR), points=400)
    rng = np.random.default_rng(seed)
    cells = rng.choice(grid.weight.size, size=draws, p=grid.weight.ravel())
    c, t = np.unravel_index(cells, grid.weight.shape)
    c, t = grid.axis[c], grid.axis[t]
    cov = sd**2 * np.array([[1.0, correlation], [correlation, 1.0]])
    deltas = rng.multivariate_normal([mean_t, mean_c], cov, size=draws) if sd > 0 else np.tile([mean_t, mean_c], (draws, 1))
    itt_t = (treatment.analysed * expit(t) + treatment.missing * expit(t + deltas[:, 0])) / treatment.randomised
    itt_c = (control.analysed * expit(c) + control.missing * expit(c + deltas[:, 1])) / control.randomised
    return itt_t > itt_c, itt_t - itt_c > 0.1


@pytest.mark.parametrize("treatment, control, mean_t, mean_c, sd, correlation", [
    (missing.Arm(19, 36, 38), missing.Arm(7, 18, 20), np.log(0.5), np.log(2.0), 0.0, 0.0),
    (missing.Arm(19, 36, 38), missing.Arm(7, 18, 20), np.log(0.5), np.log(2.0), 0.5, 0.5),
    # asymmetric missingness, 4 + 1, so that swapping the arms' shares or means cannot pass
    (missing.Arm(15, 34, 38), missing.Arm(7, 19, 20), np.log(1 / 3), np.log(3.0), 1.0, -0.3),
    (missing.Arm(15, 34, 38), missing.Arm(7, 19, 20), 0.0, np.log(3.0), 1.0, 0.9),
])
def test_differential_and_correlated_imor_matches_monte_carlo(treatment, control, mean_t, mean_c, sd, correlation):
    exact = missing.imor(treatment, control, LOG_PRIOR, sd, mean_treatment=mean_t, mean_control=mean_c, correlation=correlation)
    benefit, relevant = _monte_carlo_imor(treatment, control, mean_t, mean_c, sd, correlation)
    for key, values in (("p_benefit", benefit), ("p_relevant_rd", relevant)):
        p = values.mean()
        assert exact[key] == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / values.size) + 1e-4), key


def test_a_departure_against_treatment_lowers_the_probability_and_one_for_it_raises_it():
    arms = missing.Arm(15, 34, 38), missing.Arm(7, 19, 20)
    mar = missing.imor(*arms, LOG_PRIOR)["p_benefit"]
    against = missing.imor_scenario(*arms, LOG_PRIOR, missing.ImorScenario("against", 0.5, 2.0))["p_benefit"]
    further = missing.imor_scenario(*arms, LOG_PRIOR, missing.ImorScenario("further", 1 / 3, 3.0))["p_benefit"]
    favour = missing.imor_scenario(*arms, LOG_PRIOR, missing.ImorScenario("for", 2.0, 0.5))["p_benefit"]
    assert further < against < mar < favour
    # the worst and best cases bound every fixed departure
    cases = missing.bounds(*arms, LOG_PRIOR)
    assert cases["worst case"]["p_benefit"] < further and favour < cases["best case"]["p_benefit"]


def test_bounds_fill_in_the_right_arm_with_the_right_count():
    treatment, control = missing.Arm(15, 34, 38), missing.Arm(7, 19, 20)  # 4 + 1 missing
    cases = missing.bounds(treatment, control, LOG_PRIOR)
    best = trial_grid.trial_benefit(19, 38, 7, 20, PRIOR)["p_benefit"]
    worst = trial_grid.trial_benefit(15, 38, 8, 20, PRIOR)["p_benefit"]
    complete = trial_grid.trial_benefit(15, 34, 7, 19, PRIOR)["p_benefit"]
    assert cases["best case"]["p_benefit"] == pytest.approx(best, abs=1e-12)
    assert cases["worst case"]["p_benefit"] == pytest.approx(worst, abs=1e-12)
    assert cases["complete cases"]["p_benefit"] == pytest.approx(complete, abs=1e-12)
    table = missing.tipping_point(treatment, control, LOG_PRIOR)
    assert len(table) == 5 * 2 and table["treatment missing with outcome"].max() == 4 and table["control missing with outcome"].max() == 1


def test_imor_scenarios_refuse_impossible_values():
    with pytest.raises(ValueError, match="positive"):
        missing.ImorScenario("x", 0.0, 1.0)
    with pytest.raises(ValueError, match="positive"):
        missing.ImorScenario("x", 1.0, -2.0)
    with pytest.raises(ValueError, match="negative"):
        missing.ImorScenario("x", sd=-1.0)
    with pytest.raises(ValueError, match="correlation"):
        missing.ImorScenario("x", correlation=1.5)
    with pytest.raises(ValueError, match="correlation"):
        missing.imor(TREATMENT, CONTROL, LOG_PRIOR, 1.0, correlation=-1.1)
    with pytest.raises(ValueError, match="negative"):
        missing.imor(TREATMENT, CONTROL, LOG_PRIOR, -0.1)
    assert missing.ImorScenario("edge", correlation=-1.0).correlation == -1.0


def test_the_chapters_missing_outcome_table_and_its_verdict():
    import pandas as pd

    from ipscompendium import trial_models

    employment = pd.DataFrame({"timepoint_months": [6, 12], "employed_ips": [15, 19], "n_ips": [34, 36],
                               "employed_control": [7, 7], "n_control": [19, 18]})
    table, tipping = trial_models.missing_outcome_table(employment, 38, 20, PRIOR)
    assert list(table["timepoint_months"]) == [12, 6]  # the primary endpoint first
    row = table.iloc[0]
    cases = missing.bounds(TREATMENT, CONTROL, LOG_PRIOR)
    assert (row["complete cases"], row["worst case"], row["best case"]) == pytest.approx(
        (cases["complete cases"]["p_benefit"], cases["worst case"]["p_benefit"], cases["best case"]["p_benefit"]))
    scenario = missing.ImorScenario("against", 0.5, 2.0)
    assert row["IMOR: against treatment: IMOR 1/2 vs 2"] == pytest.approx(
        missing.imor_scenario(TREATMENT, CONTROL, LOG_PRIOR, scenario)["p_benefit"])
    assert len(tipping[12]) == 9 and row["missing"] == "2 + 2" and table.iloc[1]["missing"] == "4 + 1"
    low, high = trial_models.missing_range(table, 12)
    imor_values = [row[c] for c in trial_models.imor_columns(table)]
    assert low == pytest.approx(min(imor_values + [row["complete cases"]])) and high == pytest.approx(max(imor_values + [row["complete cases"]]))
    assert row["worst case"] < low and high < row["best case"]
    assert trial_models.missing_verdict(table, 12).english.startswith("at 12 months it stays above one half")
    worse = table.assign(**{"worst case": 0.3})
    assert "the worst case brings it to 0.30, below one half" in trial_models.missing_verdict(worse, 12).english
    better = table.assign(**{c: 0.95 for c in table.columns if c.startswith(("worst", "IMOR"))})
    assert "above 0.8 under every assumption" in trial_models.missing_verdict(better, 12).english


def test_the_default_scenarios_say_what_they_are():
    """Each scenario's label names its IMORs, SD and correlation; the set runs from MAR through departures
    against treatment to one in its favour."""
    scenarios = {s.label: s for s in missing.default_scenarios()}
    assert list(scenarios) == [
        "missing at random", "uncertain, centred on MAR (SD 1)", "against treatment: IMOR 1/2 vs 2",
        "against treatment: IMOR 1/3 vs 3", "against treatment, uncertain: 1/2 vs 2, SD 0.5, correlation 0.5",
        "both arms' missing less often in work: 1/2 and 1/2", "for treatment: IMOR 2 vs 1/2"]
    values = {label: (s.treatment, s.control, s.sd, s.correlation) for label, s in scenarios.items()}
    expected = {
        "missing at random": (1, 1, 0, 0), "uncertain, centred on MAR (SD 1)": (1, 1, 1, 0),
        "against treatment: IMOR 1/2 vs 2": (0.5, 2, 0, 0), "against treatment: IMOR 1/3 vs 3": (1 / 3, 3, 0, 0),
        "against treatment, uncertain: 1/2 vs 2, SD 0.5, correlation 0.5": (0.5, 2, 0.5, 0.5),
        "both arms' missing less often in work: 1/2 and 1/2": (0.5, 0.5, 0, 0), "for treatment: IMOR 2 vs 1/2": (2, 0.5, 0, 0)}
    for label, want in expected.items():
        assert values[label] == pytest.approx(want), label


def test_a_scenario_is_the_imor_model_at_its_log_imors():
    arms = missing.Arm(15, 34, 38), missing.Arm(7, 19, 20)
    scenario = missing.ImorScenario("s", 0.5, 3.0, 0.7, -0.4)
    result = missing.imor_scenario(*arms, LOG_PRIOR, scenario, nodes=12)
    direct = missing.imor(*arms, LOG_PRIOR, 0.7, nodes=12, mean_treatment=np.log(0.5), mean_control=np.log(3.0), correlation=-0.4)
    assert result == {"scenario": "s", **direct}
    assert result["imor_sd"] == 0.7


def test_an_arm_refuses_each_impossible_count():
    for events, analysed, randomised in ((-1, 5, 5), (6, 5, 5), (3, 6, 5), (0, 0, 5)):
        with pytest.raises(ValueError):
            missing.Arm(events, analysed, randomised)
    assert missing.Arm(0, 1, 1).missing == 0 and missing.Arm(5, 5, 9).missing == 4


def test_scenario_and_correlation_limits():
    with pytest.raises(ValueError, match="positive"):
        missing.ImorScenario("x", 1.0, 0.0)
    for bad in (-1.5, 1.5):
        with pytest.raises(ValueError, match="correlation"):
            missing.ImorScenario("x", correlation=bad)
        with pytest.raises(ValueError, match="correlation"):
            missing.imor(TREATMENT, CONTROL, LOG_PRIOR, 1.0, correlation=bad)
    for edge in (-1.0, 1.0):
        assert missing.ImorScenario("x", correlation=edge).correlation == edge
        assert 0 < missing.imor(TREATMENT, CONTROL, LOG_PRIOR, 1.0, correlation=edge, nodes=8)["p_benefit"] < 1
    assert list(missing.tipping_point(TREATMENT, CONTROL, LOG_PRIOR).columns) == [
        "treatment missing with outcome", "control missing with outcome", "p_benefit", "p_relevant_rd"]


def test_perfectly_anticorrelated_imors_match_monte_carlo():
    """Correlation -1: the control arm's log IMOR mirrors the treatment arm's (d_c - m_c = -(d_t - m_t))."""
    treatment, control = missing.Arm(15, 34, 38), missing.Arm(7, 19, 20)
    exact = missing.imor(treatment, control, LOG_PRIOR, 2.0, mean_treatment=-0.5, mean_control=0.5, correlation=-1.0)
    benefit, _ = _monte_carlo_imor(treatment, control, -0.5, 0.5, 2.0, -1.0, seed=11)
    p = float(benefit.mean())
    assert exact["p_benefit"] == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / benefit.size) + 1e-4)



def test_imor_defaults_to_missing_at_random():
    assert missing.imor(TREATMENT, CONTROL, LOG_PRIOR) == missing.imor(TREATMENT, CONTROL, LOG_PRIOR, 0.0)
    assert missing.imor(TREATMENT, CONTROL, LOG_PRIOR)["imor_sd"] == 0.0
