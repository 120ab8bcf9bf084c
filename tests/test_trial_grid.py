"""The exact two-arm posterior on a grid, against closed forms and identities it must satisfy."""

import numpy as np
import pytest
from scipy.special import betaln

from ipscompendium.general import exact, historical, priors, trial_grid
from ipscompendium.general.trial_grid import BaselinePrior, History

FOLLOW_UPS = [(11, 34, 6, 19), (19, 36, 7, 18), (22, 37, 7, 17)]  # IPS in Pain, 6/12/24 months
REGISTRY = History(50.4, 315)  # 16% of 315


@pytest.mark.parametrize("counts", FOLLOW_UPS)
def test_uniform_arms_on_the_grid_equal_the_conjugate_beta_answer(counts):
    grid = trial_grid.posterior_grid(*counts, trial_grid.beta_arms_prior())
    conjugate = exact.prob_first_greater(exact.beta_posterior(*counts[:2]), exact.beta_posterior(*counts[2:]))
    assert grid.prob_log_or_above(0.0) == pytest.approx(conjugate, abs=1e-4)


def test_equal_arms_under_a_symmetric_prior_give_exactly_one_half():
    # The tie line RD = 0 runs through cell centres; dropping it (the old grid's bug) biased this low.
    for points in (200, 801):
        grid = trial_grid.posterior_grid(9, 20, 9, 20, trial_grid.effect_prior(priors.weakly_informative_prior()), points=points)
        assert grid.prob_log_or_above(0.0) == pytest.approx(0.5, abs=1e-9)


def test_centred_baseline_is_symmetric_in_the_arms_and_the_control_anchor_is_not():
    prior = priors.weakly_informative_prior()
    centred = trial_grid.trial_benefit(11, 34, 6, 19, prior)["p_benefit"]
    swapped = trial_grid.trial_benefit(6, 19, 11, 34, prior)["p_benefit"]
    assert centred + swapped == pytest.approx(1.0, abs=1e-9)
    anchored = BaselinePrior(anchor="control")
    a = trial_grid.trial_benefit(11, 34, 6, 19, prior, anchored)["p_benefit"]
    b = trial_grid.trial_benefit(6, 19, 11, 34, prior, anchored)["p_benefit"]
    assert abs(a + b - 1) > 0.02
    assert a < 0.5 < centred  # 32.4% vs 31.6%: only the anchored model calls IPS worse


@pytest.mark.parametrize("a0", [0.05, 0.3, 0.7])
def test_power_prior_on_the_grid_equals_the_conjugate_form_at_interior_a0(a0):
    grid = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.beta_arms_prior(), REGISTRY, a0)
    control = historical.power_prior_control(7, 18, REGISTRY.events, REGISTRY.n, a0)
    conjugate = exact.prob_first_greater(exact.beta_posterior(19, 36), control)
    assert grid.prob_log_or_above(0.0) == pytest.approx(conjugate, abs=1e-4)
    posterior_control_mean = grid.mean(grid.p_control)
    assert posterior_control_mean == pytest.approx(control.mean(), abs=1e-4)


def test_normalised_power_prior_matches_its_closed_form():
    a0 = (np.arange(100) + 0.5) / 100
    grid = trial_grid.normalised_power_prior(19, 36, 7, 18, trial_grid.beta_arms_prior(), REGISTRY, a0)
    closed = historical.normalised_power_prior_a0(7, 18, REGISTRY.events, REGISTRY.n, a0)
    assert grid.a0_posterior == pytest.approx(closed, abs=1e-4)
    # An independent computation (issue 9) found a posterior mean of a0 near 0.39 and P(a0 < 0.05) near 0.14.
    assert grid.a0_mean() == pytest.approx(0.39, abs=0.01)
    assert grid.prob_a0_below(0.05) == pytest.approx(0.14, abs=0.01)


def test_robust_mixture_of_no_and_full_borrowing_has_the_conjugate_weights():
    result = trial_grid.normalised_power_prior(19, 36, 7, 18, trial_grid.beta_arms_prior(), REGISTRY, [0.0, 1.0], [0.5, 0.5])
    x, n, xh, nh = 7, 18, REGISTRY.events, REGISTRY.n
    log_full = betaln(1 + xh + x, 1 + nh - xh + n - x) - betaln(1 + xh, 1 + nh - xh)
    log_none = betaln(1 + x, 1 + n - x) - betaln(1, 1)
    weight_full = 1 / (1 + np.exp(log_none - log_full))
    assert result.a0_posterior[1] == pytest.approx(weight_full, abs=1e-5)


def test_a_prior_on_the_risk_difference_carries_its_jacobian():
    # With no data, the grid's risk difference must have the prior's distribution (little truncation here).
    rd_prior = priors.normal_prior("rd", 0.10, 0.03)
    control = BaselinePrior(sd=0.3, anchor="control")
    grid = trial_grid.posterior_grid(0, 0, 0, 0, trial_grid.effect_prior_on_scale(rd_prior, "rd", control))
    assert grid.mean(grid.risk_difference) == pytest.approx(0.10, abs=2e-3)
    rr_prior = priors.normal_prior("log rr", 0.3, 0.05)
    grid = trial_grid.posterior_grid(0, 0, 0, 0, trial_grid.effect_prior_on_scale(rr_prior, "log_rr", control))
    assert grid.mean(np.log(grid.p_treatment / grid.p_control)) == pytest.approx(0.3, abs=2e-3)
    with pytest.raises(ValueError, match="anchor='control'"):
        trial_grid.effect_prior_on_scale(rd_prior, "rd", BaselinePrior())


def test_mixture_posterior_weights_reproduce_the_mixture_posterior():
    prior = priors.robustify(priors.normal_prior("informative", 1.5, 0.6), 0.4)
    weights = trial_grid.mixture_component_weights(11, 34, 6, 19, prior)
    parts = [trial_grid.trial_benefit(11, 34, 6, 19, priors.normal_prior("c", m, s))["p_benefit"] for m, s in zip(prior.means, prior.sds)]
    assert trial_grid.trial_benefit(11, 34, 6, 19, prior)["p_benefit"] == pytest.approx(float(weights @ parts), abs=1e-6)


def test_grid_quantiles_match_the_conjugate_beta_quantiles():
    grid = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.beta_arms_prior())
    posterior = exact.beta_posterior(19, 36)
    assert grid.quantiles(grid.p_treatment, [0.025, 0.5, 0.975]) == pytest.approx(posterior.ppf([0.025, 0.5, 0.975]), abs=2e-3)


# --- Effective sample size ---------------------------------------------------------------------


def test_elir_of_a_normal_prior_is_the_moment_ess():
    prior = priors.normal_prior("n", 1.0, 0.5)
    assert priors.ess_elir(prior, 0.39) == pytest.approx(priors.ess_moment(prior, 0.39), rel=1e-6)
    assert priors.ess_moment(prior, 0.39) == pytest.approx(2 / (0.39 * 0.61) / 0.25)


def test_elir_is_predictively_consistent_for_a_mixture():
    # Neuenschwander et al. (2020): the expected ELIR of the posterior after n units is the prior's plus n.
    prior = priors.NormalMixturePrior("m", (0.5, 0.5), (1.4, 0.0), (0.6, 2.0))
    p = 0.39
    sigma2 = priors.unit_information_variance(p)
    n = 10
    rng = np.random.default_rng(4)
    theta = prior.sample(600, rng)
    ybar = rng.normal(theta, np.sqrt(sigma2 / n))
    w, m, s2 = np.array(prior.weights), np.array(prior.means), np.square(prior.sds)
    posterior_ess = []
    for y in ybar:
        precision = 1 / s2 + n / sigma2
        means = (m / s2 + n * y / sigma2) / precision
        log_w = np.log(w) - 0.5 * np.log(s2 + sigma2 / n) - 0.5 * (y - m) ** 2 / (s2 + sigma2 / n)
        weights = np.exp(log_w - np.logaddexp.reduce(log_w))
        posterior = priors.NormalMixturePrior("post", tuple(weights / weights.sum()), tuple(means), tuple(np.sqrt(1 / precision)))
        posterior_ess.append(priors.ess_elir(posterior, p, points=4001))
    assert np.mean(posterior_ess) == pytest.approx(priors.ess_elir(prior, p) + n, rel=0.05)
    # The moment ESS is not predictively consistent for this mixture: it undercounts the prior.
    assert priors.ess_moment(prior, p) < 0.8 * priors.ess_elir(prior, p)


def test_sceptic_grid_anchors_are_as_stated():
    for anchor, prior in zip([1.5, 2.23, 5.0], priors.sceptic_grid([1.5, 2.23, 5.0])):
        assert prior.prob_greater(np.log(anchor)) == pytest.approx(0.05)


# --- Every output of benefit(), against independent Monte Carlo from the conjugate posterior ----


@pytest.fixture(scope="module")
def conjugate_draws():
    rng = np.random.default_rng(21)
    treatment = exact.beta_posterior(19, 36).rvs(2_000_000, random_state=rng)
    control = exact.beta_posterior(7, 18).rvs(2_000_000, random_state=rng)
    return treatment, control


def test_benefit_summary_matches_conjugate_monte_carlo(conjugate_draws):
    treatment, control = conjugate_draws
    rd = treatment - control
    log_or = np.log(treatment / (1 - treatment)) - np.log(control / (1 - control))
    summary = trial_grid.benefit(trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.beta_arms_prior()))
    assert summary["p_benefit"] == pytest.approx(np.mean(rd > 0), abs=1e-3)
    assert summary["p_relevant_rd"] == pytest.approx(np.mean(rd > 0.10), abs=1e-3)
    assert summary["p_or_above"] == pytest.approx(np.mean(log_or > np.log(1.5)), abs=1e-3)
    for key, q in (("rd_median", 0.5), ("rd_low", 0.025), ("rd_high", 0.975)):
        assert summary[key] == pytest.approx(np.quantile(rd, q), abs=2e-3), key
    for key, q in (("or_median", 0.5), ("or_low", 0.025), ("or_high", 0.975)):
        assert summary[key] == pytest.approx(np.exp(np.quantile(log_or, q)), rel=5e-3), key


def test_thresholds_are_the_books_and_can_be_changed(conjugate_draws):
    treatment, control = conjugate_draws
    assert (trial_grid.RELEVANT_RISK_DIFFERENCE, trial_grid.RELEVANT_ODDS_RATIO) == (0.10, 1.5)
    summary = trial_grid.trial_benefit(19, 36, 7, 18, priors.weakly_informative_prior(), relevant_rd=0.2, relevant_or=3.0)
    reference = trial_grid.benefit(trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior(priors.weakly_informative_prior())),
                                   relevant_rd=0.2, relevant_or=3.0)
    assert summary == reference
    assert summary["p_relevant_rd"] < trial_grid.trial_benefit(19, 36, 7, 18, priors.weakly_informative_prior())["p_relevant_rd"]


def test_probability_above_a_lattice_threshold_is_symmetric_for_equal_arms():
    grid = trial_grid.posterior_grid(9, 20, 9, 20, trial_grid.effect_prior(priors.weakly_informative_prior()))
    step = grid.axis[1] - grid.axis[0]
    for k in (1, 7, 30):  # thresholds exactly on lattice differences
        assert grid.prob_log_or_above(k * step) + grid.prob_log_or_above(-k * step) == pytest.approx(1.0, abs=1e-9)
    assert grid.prob_rd_above(0.0) == grid.prob_log_or_above(0.0)


def test_power_prior_curve_equals_its_conjugate_form_along_a0():
    a0 = np.array([0.0, 0.2, 1.0])
    curve = trial_grid.power_prior_curve(19, 36, 7, 18, trial_grid.beta_arms_prior(), REGISTRY, a0).set_index("a0")
    for value in a0:
        control = historical.power_prior_control(7, 18, REGISTRY.events, REGISTRY.n, value)
        assert curve.loc[value, "p_control_mean"] == pytest.approx(control.mean(), abs=1e-4)
        assert curve.loc[value, "p_benefit"] == pytest.approx(
            exact.prob_first_greater(exact.beta_posterior(19, 36), control), abs=1e-4)
        assert curve.loc[value, "historical controls borrowed"] == pytest.approx(value * REGISTRY.n)
    assert curve["rd_median"].is_monotonic_increasing  # borrowing a lower control risk widens the gap
    assert (curve["rd_low"] < curve["rd_median"]).all() and (curve["rd_median"] < curve["rd_high"]).all()


def test_normalised_power_prior_with_unequal_prior_weights_and_its_summaries():
    a0 = np.array([0.0, 0.5, 1.0])
    weights = np.array([0.6, 0.3, 0.1])
    result = trial_grid.normalised_power_prior(19, 36, 7, 18, trial_grid.beta_arms_prior(), REGISTRY, a0, weights)
    closed = historical.normalised_power_prior_a0(7, 18, REGISTRY.events, REGISTRY.n, a0) * weights
    assert result.a0_posterior == pytest.approx(closed / closed.sum(), abs=1e-5)
    assert result.p_benefit == pytest.approx(float(result.a0_posterior @ result.p_benefit_given_a0))
    pieces = [trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.beta_arms_prior(), REGISTRY, v).prob_rd_above(0.10) for v in a0]
    assert result.p_relevant_rd == pytest.approx(float(result.a0_posterior @ np.array(pieces)), abs=1e-9)
    assert result.prob_a0_below(0.5) == pytest.approx(result.a0_posterior[0])
    assert result.a0_mean() == pytest.approx(float(result.a0_posterior @ a0))


def test_a_log_or_prior_on_the_control_scale_is_the_control_anchored_model():
    prior = priors.normal_prior("p", 0.8, 0.7)
    anchored = BaselinePrior(sd=1.2, mean=-0.3, anchor="control")
    a = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior_on_scale(prior, "log_or", anchored))
    b = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior(prior, anchored))
    assert np.allclose(a.weight, b.weight) and a.log_evidence == pytest.approx(b.log_evidence)
    with pytest.raises(ValueError, match="scale must be"):
        trial_grid.effect_prior_on_scale(prior, "hazard", anchored)


def test_baseline_prior_rejects_nonsense_and_uses_its_mean():
    with pytest.raises(ValueError, match="anchor"):
        BaselinePrior(anchor="treatment")
    with pytest.raises(ValueError, match="positive"):
        BaselinePrior(sd=0.0)
    assert BaselinePrior(mean=1.0, sd=0.1).baseline_of(0.0, 4.0) == pytest.approx(2.0)
    # A tight baseline prior at logit 1.0 pulls both arms there.
    grid = trial_grid.posterior_grid(1, 4, 1, 4, trial_grid.effect_prior(priors.normal_prior("p", 0.0, 0.1), BaselinePrior(mean=1.0, sd=0.1)))
    assert grid.mean(grid.control_logit + 0 * grid.treatment_logit) == pytest.approx(1.0, abs=0.1)


def test_a_large_trial_is_still_resolved_by_the_data_driven_grid():
    grid = trial_grid.posterior_grid(1040, 2000, 1000, 2000, trial_grid.beta_arms_prior())
    conjugate = exact.prob_first_greater(exact.beta_posterior(1040, 2000), exact.beta_posterior(1000, 2000))
    assert grid.prob_log_or_above(0.0) == pytest.approx(conjugate, abs=1e-4)


def test_power_prior_arguments_are_checked():
    log_prior = trial_grid.beta_arms_prior()
    plain = trial_grid.posterior_grid(19, 36, 7, 18, log_prior)
    unborrowed = trial_grid.posterior_grid(19, 36, 7, 18, log_prior, REGISTRY)  # a0 defaults to 0: nothing borrowed
    assert unborrowed.prob_log_or_above(0.0) == pytest.approx(plain.prob_log_or_above(0.0), abs=1e-6)
    with pytest.raises(ValueError, match=r"a0 must lie in \[0, 1\]"):
        trial_grid.posterior_grid(19, 36, 7, 18, log_prior, REGISTRY, 1.5)
    with pytest.raises(ValueError, match="historical control"):
        trial_grid.posterior_grid(19, 36, 7, 18, log_prior, None, 0.5)


# --- The log-OR likelihood: one lattice for any number of priors ------------------------------


@pytest.mark.parametrize("prior", [
    priors.weakly_informative_prior(),
    priors.normal_prior("sceptic", 0.0, 0.4),
    priors.robustify(priors.NormalMixturePrior("map", (0.6, 0.4), (1.4, 1.5), (0.6, 0.9)), 0.5),
])
@pytest.mark.parametrize("baseline", [trial_grid.DEFAULT_BASELINE, trial_grid.BaselinePrior(anchor="control")])
def test_log_or_likelihood_gives_the_full_grids_answers(prior, baseline):
    likelihood = trial_grid.log_or_likelihood(22, 37, 7, 17, baseline)
    grid = trial_grid.posterior_grid(22, 37, 7, 17, trial_grid.effect_prior(prior, baseline))
    for threshold in (0.0, np.log(1.5), 1.0):
        assert likelihood.prob_log_or_above(prior, threshold) == pytest.approx(grid.prob_log_or_above(threshold), abs=1e-12)


def test_prob_benefit_surface_is_each_priors_answer():
    likelihood = trial_grid.log_or_likelihood(19, 36, 7, 18)
    means, sds = np.array([-1.0, 0.0, 1.2]), np.array([0.2, 1.0])
    surface = likelihood.prob_benefit_surface(means, sds)
    for i, sd in enumerate(sds):
        for j, mean in enumerate(means):
            assert surface[i, j] == pytest.approx(likelihood.prob_log_or_above(priors.normal_prior("p", mean, sd)), abs=1e-12)


def test_reverse_bayes_finds_the_sceptic_and_says_when_there_is_none():
    likelihood = trial_grid.log_or_likelihood(19, 36, 7, 18)
    flat_answer = likelihood.prob_log_or_above(priors.normal_prior("wide", 0.0, 20.0))
    target = (0.5 + flat_answer) / 2
    sd = trial_grid.sceptical_sd_for(likelihood, target)
    assert likelihood.prob_log_or_above(priors.normal_prior("found", 0.0, sd)) == pytest.approx(target, abs=1e-8)
    # a sceptic centred on no effect never brings the probability to one half or below, nor above the data's own answer
    assert trial_grid.sceptical_sd_for(likelihood, 0.5) is None
    assert trial_grid.sceptical_sd_for(likelihood, min(0.999, flat_answer + 0.05)) is None
    mean = trial_grid.prior_mean_for(likelihood, 0.5, sd=0.5)
    assert mean < 0 and likelihood.prob_log_or_above(priors.normal_prior("harm", mean, 0.5)) == pytest.approx(0.5, abs=1e-8)


def test_threshold_curves_meet_the_tables_answers_and_fall():
    import pandas as pd

    from ipscompendium import trial_models

    employment = pd.DataFrame({"timepoint_months": [12, 24], "employed_ips": [19, 22], "n_ips": [36, 37],
                               "employed_control": [7, 7], "n_control": [18, 17]})
    prior = priors.weakly_informative_prior()
    curves = trial_models.threshold_curves(employment, [prior], np.array([0.0, 0.1, 0.3]), np.array([1.0, 1.5, 3.0]))
    for t, part in curves.groupby("timepoint_months"):
        row = employment.set_index("timepoint_months").loc[t]
        exact = trial_grid.trial_benefit(int(row.employed_ips), int(row.n_ips), int(row.employed_control), int(row.n_control), prior)
        rd, odds = part[part.scale == "rd"].set_index("threshold")["probability"], part[part.scale == "or"].set_index("threshold")["probability"]
        assert rd[0.0] == pytest.approx(exact["p_benefit"], abs=1e-12) and rd[0.1] == pytest.approx(exact["p_relevant_rd"], abs=1e-12)
        assert odds[1.0] == pytest.approx(exact["p_benefit"], abs=1e-12) and odds[1.5] == pytest.approx(exact["p_or_above"], abs=1e-12)
        assert rd.is_monotonic_decreasing and odds.is_monotonic_decreasing


def test_reverse_bayes_rows_reproduce_their_targets():
    import pandas as pd

    from ipscompendium import trial_models

    employment = pd.DataFrame({"timepoint_months": [24], "employed_ips": [22], "n_ips": [37], "employed_control": [7], "n_control": [17]})
    table = trial_models.reverse_bayes(employment, [0.5, 0.8], certain_sd=0.5).set_index("target")
    assert np.isnan(table.loc[0.5, "sceptic_sd"])  # no sceptic centred on no effect reaches one half
    sceptic = priors.normal_prior("s", 0.0, table.loc[0.8, "sceptic_sd"])
    assert trial_grid.trial_benefit(22, 37, 7, 17, sceptic)["p_benefit"] == pytest.approx(0.8, abs=1e-8)
    leaning = priors.normal_prior("h", np.log(table.loc[0.5, "median_or_needed"]), 0.5)
    assert trial_grid.trial_benefit(22, 37, 7, 17, leaning)["p_benefit"] == pytest.approx(0.5, abs=1e-8)


def test_prior_and_posterior_reads_the_prior_alone_from_an_empty_grid():
    import pandas as pd

    from ipscompendium import trial_models

    employment = pd.DataFrame({"timepoint_months": [12], "employed_ips": [19], "n_ips": [36], "employed_control": [7], "n_control": [18]})
    mixture = priors.robustify(priors.NormalMixturePrior("map", (0.6, 0.4), (1.4, 1.5), (0.6, 0.9)), 0.5)
    table = trial_models.prior_and_posterior(employment, [priors.weakly_informative_prior(), mixture]).set_index("prior")
    for prior in (priors.weakly_informative_prior(), mixture):
        row = table.loc[prior.name]
        # the empty lattice spans -15 to 15 in steps of 0.0375: the midpoint rule is good to about 1e-5 there
        assert row["prior P(OR > 1)"] == pytest.approx(prior.prob_greater(0.0), abs=1e-4)
        exact = trial_grid.trial_benefit(19, 36, 7, 18, prior)
        assert row["posterior P(OR > 1)"] == pytest.approx(exact["p_benefit"], abs=1e-12)
        assert row["shift P(RD > 10)"] == pytest.approx(exact["p_relevant_rd"] - row["prior P(RD > 10)"], abs=1e-12)
        assert row["prior ESS per arm"] == pytest.approx(priors.ess_per_arm(prior, 7 / 18))


def test_beta_priors_are_normalised_densities_on_the_log_odds():
    from scipy import stats
    from scipy.special import expit

    x = np.linspace(-6, 6, 13)
    p = expit(x)
    jacobian = np.log(p * (1 - p))
    assert trial_grid.beta_control_prior(2.5, 0.7)(x) == pytest.approx(stats.beta.logpdf(p, 2.5, 0.7) + jacobian)
    both = trial_grid.beta_arms_prior(0.5, 3.0)(x, x[::-1])
    expected = stats.beta.logpdf(p, 0.5, 3.0) + jacobian + stats.beta.logpdf(p[::-1], 0.5, 3.0) + jacobian[::-1]
    assert both == pytest.approx(expected)
    for alpha, beta in ((0.0, 1.0), (1.0, 0.0), (-1.0, 2.0), (2.0, -1.0)):
        with pytest.raises(ValueError, match="Beta parameters must be positive"):
            trial_grid.beta_control_prior(alpha, beta)
    trial_grid.beta_control_prior(0.5, 0.5)  # below 1 is allowed (Jeffreys)
    with pytest.raises(ValueError, match="the SD must be positive"):
        trial_grid.logit_normal_control_prior(0.0, 0.0)
    assert trial_grid.logit_normal_control_prior(0.3, 0.5)(np.array([0.3]))[0] == pytest.approx(
        np.log(1 / (0.5 * np.sqrt(2 * np.pi))))


def test_a_threshold_on_the_lattice_counts_its_line_half():
    """P(log-OR > t) with t exactly on a diagonal of the lattice is the mean of the probabilities just
    above and just below it (the line counted half), on the grid and on the likelihood lattice."""
    grid = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior(priors.weakly_informative_prior()), points=201)
    step = grid.axis[1] - grid.axis[0]
    for k in (0, 3, -5):
        t = k * step
        below, above = grid.prob_log_or_above(t - 1e-6), grid.prob_log_or_above(t + 1e-6)
        assert below > above and grid.prob_log_or_above(t) == pytest.approx((below + above) / 2, abs=1e-12)
    likelihood = trial_grid.log_or_likelihood(19, 36, 7, 18)
    prior = priors.weakly_informative_prior()
    lstep = likelihood.log_or[1] - likelihood.log_or[0]
    t = likelihood.log_or[len(likelihood.log_or) // 2 + 4]
    below, above = likelihood.prob_log_or_above(prior, t - 1e-7 * lstep), likelihood.prob_log_or_above(prior, t + 1e-7 * lstep)
    assert likelihood.prob_log_or_above(prior, t) == pytest.approx((below + above) / 2, abs=1e-12)


def test_grid_quantiles_interpolate_the_mid_cdf():
    grid = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.beta_arms_prior(), points=401)
    from scipy import stats

    for arm, (e, n) in (("control", (7, 18)), ("treatment", (19, 36))):
        summary = trial_grid.benefit(grid)
        exact = stats.beta(1 + e, 1 + n - e)
        assert summary[f"p_{arm}_median"] == pytest.approx(exact.median(), abs=5e-3)
        assert summary[f"p_{arm}_low"] == pytest.approx(exact.ppf(0.025), abs=5e-3)
        assert summary[f"p_{arm}_high"] == pytest.approx(exact.ppf(0.975), abs=5e-3)


def test_borrowing_a_far_history_matches_the_conjugate_power_prior():
    """Independent Beta(1, 1) arms and a power prior on a history far from the trial's controls: the
    control risk's posterior is Beta(1 + y + a0 x, 1 + n - y + a0 (m - x)), which the lattice must reach."""
    from scipy import stats

    history = trial_grid.History(2, 400)  # 0.5%: far below the trial's 7/18
    for a0 in (0.3, 1.0):
        grid = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.beta_arms_prior(), history, a0, points=801)
        exact = stats.beta(1 + 7 + a0 * 2, 1 + 11 + a0 * 398)
        assert grid.mean(grid.p_control) == pytest.approx(exact.mean(), rel=5e-3)
        assert trial_grid.benefit(grid)["p_control_median"] == pytest.approx(exact.median(), rel=1e-2)
    with pytest.raises(ValueError, match=r"pass history=History\(events, n\)"):
        trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.beta_arms_prior(), None, 0.5)


def test_power_prior_curve_and_normalised_power_prior_read_the_grid_at_each_a0():
    prior = trial_grid.effect_prior(priors.weakly_informative_prior())
    history = trial_grid.History(50, 315)
    curve = trial_grid.power_prior_curve(19, 36, 7, 18, prior, history, [0.0, 0.4], relevant_rd=0.15).set_index("a0")
    assert list(curve.columns) == ["p_control_mean", "p_benefit", "p_relevant_rd", "rd_median", "rd_low", "rd_high",
                                   "historical controls borrowed"]
    for a0 in (0.0, 0.4):
        grid = trial_grid.posterior_grid(19, 36, 7, 18, prior, history, a0)
        q = grid.quantiles(grid.risk_difference, [0.5, 0.025, 0.975])
        row = curve.loc[a0]
        assert (row.rd_median, row.rd_low, row.rd_high) == pytest.approx(tuple(q))
        assert row.p_relevant_rd == pytest.approx(grid.prob_rd_above(0.15)) and row.p_benefit == pytest.approx(grid.prob_log_or_above(0.0))
        assert row["historical controls borrowed"] == pytest.approx(a0 * 315)
    # the normalised power prior: each a0's P(benefit) is the grid's, and the default prior on a0 is uniform
    npp = trial_grid.normalised_power_prior(19, 36, 7, 18, prior, history, [0.0, 0.5, 1.0], relevant_rd=0.15, points=301)
    uniform = trial_grid.normalised_power_prior(19, 36, 7, 18, prior, history, [0.0, 0.5, 1.0], [1 / 3] * 3, relevant_rd=0.15, points=301)
    assert npp.a0_posterior == pytest.approx(uniform.a0_posterior) and npp.p_benefit == pytest.approx(uniform.p_benefit)
    for k, a0 in enumerate((0.0, 0.5, 1.0)):
        grid = trial_grid.posterior_grid(19, 36, 7, 18, prior, history, a0, points=301)
        assert npp.p_benefit_given_a0[k] == pytest.approx(grid.prob_log_or_above(0.0))
    relevant = [trial_grid.posterior_grid(19, 36, 7, 18, prior, history, a0, points=301).prob_rd_above(0.15) for a0 in (0.0, 0.5, 1.0)]
    assert npp.p_relevant_rd == pytest.approx(float(npp.a0_posterior @ np.array(relevant)))
    # with equal-evidence data, a0's posterior follows its prior's weights
    skewed = trial_grid.normalised_power_prior(19, 36, 7, 18, prior, history, [0.0, 1.0], [0.9, 0.1], points=301)
    assert skewed.a0_posterior[0] > npp.a0_posterior[0]


def test_the_grid_evidence_is_the_beta_binomial_marginal_likelihood():
    """With independent Beta(1, 1) arms the marginal likelihood (without binomial coefficients) is
    B(y_t + 1, n_t - y_t + 1) B(y_c + 1, n_c - y_c + 1); the lattice's sum must give it in absolute terms."""
    for points in (401, 801):
        grid = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.beta_arms_prior(), points=points)
        assert grid.log_evidence == pytest.approx(betaln(20, 18) + betaln(8, 12), abs=2e-3)


def test_the_normalised_power_prior_weights_a0_as_the_conjugate_formula_does():
    """Beta(1, 1) arms: C(a0) = B(1 + a0 x, 1 + a0 (m - x)), Z(a0) = C-like with the controls added,
    times the treatment arm's B(1 + y_t, 1 + n_t - y_t); p(a0 | data) is proportional to p(a0) Z / C."""
    history = trial_grid.History(40, 315)
    a0 = np.array([0.0, 0.25, 0.5, 1.0])
    prior_w = np.array([0.4, 0.1, 0.2, 0.3])
    npp = trial_grid.normalised_power_prior(19, 36, 7, 18, trial_grid.beta_arms_prior(), history, a0, prior_w, points=801)
    log_z = betaln(1 + a0 * 40 + 7, 1 + a0 * 275 + 11) - betaln(1 + a0 * 40, 1 + a0 * 275)
    log_w = np.log(prior_w) + log_z
    expected = np.exp(log_w - np.logaddexp.reduce(log_w))
    assert npp.a0_posterior == pytest.approx(expected, abs=2e-3)


def test_describing_a_baseline_prior_and_the_flat_likelihood():
    assert trial_grid.BaselinePrior().describe() == "N(0, 1.5^2) on the mean of the two arms' log-odds"
    assert trial_grid.BaselinePrior(sd=2.0, mean=0.5, anchor="control").describe() == "N(0.5, 2^2) on the control arm's log-odds"
    likelihood = trial_grid.log_or_likelihood(19, 36, 7, 18)
    flat = likelihood.likelihood()
    assert flat.sum() == pytest.approx(1.0) and flat.min() >= 0
    # a very wide prior's posterior is the flat likelihood
    wide = likelihood.posterior_weights(priors.normal_prior("wide", 0.0, 1e4))
    assert wide == pytest.approx(flat, abs=1e-9)


def test_error_messages_of_the_grid_in_full():
    with pytest.raises(ValueError, match=r"^a0 > 0 borrows from a historical control: pass history=History\(events, n\)$"):
        trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.beta_arms_prior(), None, 0.5)
    with pytest.raises(ValueError, match=r"^a prior on the log-RR or RD scale needs a baseline prior on the control arm \(anchor='control'\)$"):
        trial_grid.effect_prior_on_scale(priors.weakly_informative_prior(), "log_rr", trial_grid.BaselinePrior())


def _quadrature_log_or_quantiles(events_t, n_t, events_c, n_c, effect_sd, baseline_sd, q):
    """An independent check: the log-OR marginal on a fine (theta, eta) grid, centred
    parametrisation, N(0, effect_sd^2) on theta and N(0, baseline_sd^2) on eta."""
    from scipy.special import log_expit
    from scipy.stats import norm

    theta, eta = np.linspace(-6, 7, 3001), np.linspace(-5, 5, 2001)
    t, e = np.meshgrid(theta, eta, indexing="ij")
    control, treatment = e - t / 2, e + t / 2
    log_post = (events_t * log_expit(treatment) + (n_t - events_t) * log_expit(-treatment) + events_c * log_expit(control)
                + (n_c - events_c) * log_expit(-control) + norm.logpdf(t, 0, effect_sd) + norm.logpdf(e, 0, baseline_sd))
    marginal = np.exp(log_post - log_post.max()).sum(axis=1)
    marginal /= marginal.sum()
    return np.interp(q, np.cumsum(marginal) - marginal / 2, theta)


def test_odds_ratio_quantiles_do_not_snap_to_the_lattice():
    # issue 21: 19/36 vs 7/18 gave an OR median of 1.6956 against 1.7035 by quadrature, because the log-OR
    # takes one value per diagonal of the lattice
    q = [0.5, 0.025, 0.975]
    expected = _quadrature_log_or_quantiles(19, 36, 7, 18, 2.0, 1.5, q)
    grid = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior(priors.weakly_informative_prior()))
    assert np.exp(grid.quantiles(grid.log_or, q)) == pytest.approx(np.exp(expected), rel=2e-4)
    # two priors, two different lower bounds (they used to agree to the last digit)
    other = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior(priors.normal_prior("n", 0.0, 1.9)))
    assert abs(other.quantiles(other.log_or, [0.025])[0] - grid.quantiles(grid.log_or, [0.025])[0]) > 1e-4


def test_the_diagonal_sums_give_p_rd_above_for_any_prior_as_the_full_grid_does():
    """LogOddsRatioLikelihood with an rd_threshold: P(RD > 10 points) for normal and mixture priors
    equals TwoArmGrid.prob_rd_above on the same lattice (the same cells, summed by diagonal first)."""
    from ipscompendium.general import priors

    likelihood = trial_grid.log_or_likelihood(19, 36, 7, 18, rd_threshold=0.10)
    for prior in (priors.normal_prior("sceptic", 0.0, 0.4), priors.weakly_informative_prior(),
                  priors.robustify(priors.normal_prior("informative", 1.5, 0.6), 0.3)):
        grid = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior(prior))
        assert likelihood.prob_rd_above(prior) == pytest.approx(grid.prob_rd_above(0.10), abs=1e-12)
        assert likelihood.prob_log_or_above(prior) == pytest.approx(grid.prob_log_or_above(0.0), abs=1e-12)
    with pytest.raises(ValueError, match="rd_threshold"):
        trial_grid.log_or_likelihood(19, 36, 7, 18).prob_rd_above(priors.weakly_informative_prior())


def test_the_sceptic_curve_is_the_grid_answer_for_each_sceptic():
    import pandas as pd

    from ipscompendium import trial_models
    from ipscompendium.general import priors

    employment = pd.DataFrame({"timepoint_months": [6, 12], "employed_ips": [11, 19], "n_ips": [34, 36],
                               "employed_control": [6, 7], "n_control": [19, 18]})
    anchors = np.array([1.2, 2.0, 6.0])
    curve = trial_models.sceptic_curve(employment, anchors)
    for (anchor, prior) in zip(anchors, priors.sceptic_grid(anchors)):
        for months, counts in ((6, (11, 34, 6, 19)), (12, (19, 36, 7, 18))):
            expected = trial_grid.trial_benefit(*counts, prior)
            row = curve[(curve["anchor OR"] == anchor) & (curve["timepoint_months"] == months)].iloc[0]
            assert row["p_benefit"] == pytest.approx(expected["p_benefit"], abs=1e-12)
            assert row["p_relevant_rd"] == pytest.approx(expected["p_relevant_rd"], abs=1e-12)
