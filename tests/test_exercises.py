"""The teaching chapter's solutions (ipscompendium.exercises): each checked against the package
or a hand computation, so that an exercise cannot break or contradict its own solution."""

import numpy as np
import pytest

from ipscompendium import data, exercises, meta_models
from ipscompendium.general import effect_sizes, frequentist, trial_grid
from ipscompendium.map_prior import load_map_prior


@pytest.fixture(scope="module")
def employment():
    return data.load_employment()


@pytest.fixture(scope="module")
def trials():
    return data.poolable_trials(data.load_trials())


def test_forest_plot_reading(trials):
    reading = exercises.read_a_forest_plot(trials)
    assert {reading.widest, reading.largest} <= set(trials["study"])
    ratios = effect_sizes.trial_ratios(trials, "rr").set_index("study")
    assert ratios.loc[reading.largest, "rr"] == ratios["rr"].max() and 0 <= reading.n_excluding_one <= reading.n_trials


def test_two_by_two_by_hand(employment):
    table = exercises.two_by_two_by_hand(employment, 12)
    assert (table.risk_ips, table.risk_control) == pytest.approx((19 / 36, 7 / 18))
    assert table.odds_ratio == pytest.approx(np.exp(effect_sizes.log_effects([19], [36], [7], [18], "or")[0][0]))
    assert table.odds_ratio == pytest.approx(1.76, abs=0.005)  # the report's 12-month OR, as printed


def test_p_value_is_not_the_posterior(employment):
    result = exercises.p_value_and_posterior(employment, 12)
    assert result.p_two_sided == pytest.approx(0.336, abs=0.0005)  # the report's p at 12 months
    # under a nearly flat prior, P(IPS better) is close to 1 - p/2 (one-sided), not to 1 - p
    assert abs(result.posterior_flat - (1 - result.p_one_sided)) < 0.01
    assert abs(result.posterior_flat - (1 - result.p_two_sided)) > 0.1


def test_a_firmer_sceptic_moves_the_relevant_gain_more(employment):
    result = exercises.sceptic_tail(employment, 2.23, 12)
    assert result.sd_1 < result.sd_5 and result.p_benefit_1 < result.p_benefit_5
    relative = lambda before, after: (before - after) / before  # noqa: E731
    assert relative(result.p_relevant_5, result.p_relevant_1) > relative(result.p_benefit_5, result.p_benefit_1)


def test_the_robust_weight_crossing_exists(employment):
    map_prior = load_map_prior()
    crossing = exercises.robust_weight_crossing(employment, map_prior, 12)
    assert crossing.at_vague < crossing.threshold < crossing.at_map and 0 < crossing.weight < 1
    from ipscompendium.general import priors

    at = trial_grid.trial_benefit(19, 36, 7, 18, priors.robustify(map_prior, crossing.weight))["p_relevant_rd"]
    assert at == pytest.approx(crossing.threshold, abs=1e-3)


def test_prediction_is_wider_than_the_pooled_interval(trials):
    tau = meta_models.default_tau_priors(data.load_turner_tau2_priors())[0]
    result = exercises.heterogeneity_and_prediction(trials, tau)
    assert result.new_low < result.pooled_low < result.pooled_rr < result.pooled_high < result.new_high
    assert result.p_new_above_1 < result.p_pooled_above_1


def test_the_exercise_gives_95_percent_intervals_by_quadrature(trials):
    """The exercise's intervals are 95% intervals of the exact posterior: checked against a brute-force
    2-D grid over (mu, tau) of the normal-normal model with the same priors, so a 90% interval fails."""
    from scipy import stats

    from ipscompendium.general import effect_sizes

    tau_prior = meta_models.default_tau_priors(data.load_turner_tau2_priors())[0]
    result = exercises.heterogeneity_and_prediction(trials, tau_prior)
    sizes = effect_sizes.effect_sizes(trials["events_treatment"], trials["n_treatment"], trials["events_control"],
                                      trials["n_control"], "rr")
    mu = np.linspace(-1.0, 3.0, 1601)
    tau = np.linspace(1e-4, 3.0, 1200)
    M, T = np.meshgrid(mu, tau, indexing="ij")
    log_post = stats.norm.logpdf(M, 0, 10) + tau_prior.logpdf(T)
    for y, v in zip(sizes.y, sizes.v):
        log_post = log_post + stats.norm.logpdf(y, M, np.sqrt(v + T**2))
    weights = np.exp(log_post - log_post.max())
    mu_mass = weights.sum(axis=1) / weights.sum()
    cdf = np.cumsum(mu_mass) - mu_mass / 2
    low, high = np.exp(np.interp([0.025, 0.975], cdf, mu))
    assert result.pooled_low == pytest.approx(low, rel=5e-3) and result.pooled_high == pytest.approx(high, rel=5e-3)


def test_leave_one_out_brackets_the_full_estimate(trials):
    result = exercises.drop_a_trial(trials)
    assert result.smallest <= result.all_rr <= result.largest and result.most_influential in set(trials["study"])


def test_counts_by_status(trials):
    result = exercises.counts_by_status(trials)
    assert result.k_reported == int((trials["count_status"] == "reported").sum()) and result.k_all == len(trials)


def test_power_prior_borrowing(employment):
    n_h = int(data.reported_value("historical_control_n"))
    result = exercises.power_prior_borrowing(employment, 0.16 * n_h, n_h, 12)
    assert result.a0_equal * result.registry_n == pytest.approx(result.trial_controls)
    assert result.p_benefit_alone < result.p_benefit_equal < result.p_benefit_pooled


def test_next_trial(employment):
    result = exercises.design_the_next_trial(employment, 0.23, 0.61)
    assert result.n_power == frequentist.sample_size_two_proportions(0.23, 0.61, 0.05, 0.8)
    assert 0 < result.assurance_at_n_power < result.p_benefit_ceiling


def test_broken_file_message_names_line_column_and_rule(tmp_path):
    message = exercises.broken_file_message(tmp_path)
    assert "line 3" in message and "published_pct_ips" in message and "within the printed rounding" in message
    assert str(tmp_path) not in message


def test_reading_a_funnel_plot_agrees_with_the_pieces(trials):
    reading = exercises.read_a_funnel_plot(trials)
    sizes = effect_sizes.effect_sizes(trials["events_treatment"], trials["n_treatment"], trials["events_control"],
                                      trials["n_control"], "rr")
    lower = sizes.y - 1.959963984540054 * np.sqrt(sizes.v)
    upper = sizes.y + 1.959963984540054 * np.sqrt(sizes.v)
    assert reading.k == len(trials) and reading.not_significant_alone == int(((lower < 0) & (upper > 0)).sum())
    assert reading.egger_p == pytest.approx(frequentist.small_study_test(sizes.y, sizes.v).p_value)
    filled = frequentist.trim_and_fill(sizes.y, sizes.v, "REML")
    assert (reading.k0, reading.side) == (filled.k0, filled.side)
    assert reading.adjusted_rr == pytest.approx(np.exp(filled.fit.mu))
    assert reading.pooled_rr == pytest.approx(np.exp(frequentist.random_effects(sizes.y, sizes.v, "REML").mu))
    # filling in on the side of smaller effects can only pull the pooled ratio down
    if reading.k0 and reading.side == "left":
        assert reading.adjusted_rr < reading.pooled_rr


def test_moving_the_tau_prior_moves_tau_and_the_new_setting_more_than_the_pooled_rr(trials):
    from ipscompendium import heterogeneity_dial, meta_models

    page = heterogeneity_dial.dial_data({"all": ("all", trials)}, meta_models.default_tau_priors(data.load_turner_tau2_priors())[3],
                                        2.0, "all")
    reading = exercises.move_the_tau_prior(page)
    assert reading.narrow["tau"] < reading.turner["tau"] < reading.wide["tau"]
    span = lambda r: np.log(r["new_high"] / r["new_low"])  # noqa: E731
    assert span(reading.narrow) < span(reading.wide)
    # the pooled RR moves less, relative to its own interval, than the new setting's interval does
    assert abs(np.log(reading.wide["rr"] / reading.narrow["rr"])) < span(reading.wide) - span(reading.narrow)
    assert reading.wide == heterogeneity_dial.reference(page, "all", "half_normal", 1.0)


def test_the_price_of_borrowing_peaks_between_the_history_and_far_away():
    price = exercises.price_of_borrowing(50.4, 315)
    assert price.alpha_at_history < 0.025 < price.worst_alpha
    assert 0.16 < price.worst_risk < price.far_risk and price.alpha_far < price.worst_alpha
    assert price.alpha_alone < price.worst_alpha


def test_the_calculator_exercise_reads_the_package_and_picks_its_lesson_from_the_numbers(monkeypatch):
    from ipscompendium import next_trial_calculator

    page = next_trial_calculator.book_calculator_data()
    reading = exercises.plan_with_the_calculator(page)
    assert reading.strict_significance == 0.995 and reading.nominal_alpha == 0.025
    # the MAP prior raises power and type I error; the strictest rule lowers both
    assert reading.map["power"] > reading.weak["power"] and reading.map["alpha"] > reading.weak["alpha"]
    assert reading.strict["alpha"] < reading.map["alpha"] and reading.strict["power"] < reading.map["power"]
    assert reading.weak == next_trial_calculator.reference(page, dict(page["initial"], preset="weakly"))
    assert reading.lesson.startswith("even the strictest rule leaves the type I error above the nominal level, and its power")
    # the other lessons, from other numbers
    fake = {"weakly": {"power": 0.7, "alpha": 0.025}, "map": {"power": 0.9, "alpha": 0.1}}

    def reference(_, settings):
        if settings["preset"] == "map" and settings["significance"] == 0.995:
            return {"power": 0.5, "alpha": strict_alpha}
        return fake[settings["preset"]]

    monkeypatch.setattr(next_trial_calculator, "reference", reference)
    strict_alpha = 0.02
    assert exercises.plan_with_the_calculator(page).lesson.startswith("the strictest rule brings the type I error down")
    strict_alpha = 0.05
    assert exercises.plan_with_the_calculator(page).lesson.endswith("before the trial is run")


def test_the_borrowing_exercise_is_the_design_chapter_s_trial():
    from ipscompendium import next_trial_calculator

    price = exercises.price_of_borrowing(50.4, 315)
    assert price.n_per_arm == next_trial_calculator.DESIGN_N_PER_ARM
    assert next_trial_calculator.book_calculator_data()["initial"]["n_control"] == next_trial_calculator.DESIGN_N_PER_ARM
    smaller = exercises.price_of_borrowing(50.4, 315, n_per_arm=40, weight=0.5)
    assert smaller.n_per_arm == 40 and smaller.worst_alpha != price.worst_alpha
