"""MCMC fits: the diagnostics gate, agreement with exact answers, and parameter recovery.

Each fit takes a few seconds; the whole module runs in about two minutes on two cores.
"""

import arviz as az
import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from ipscompendium import trial_models
from ipscompendium.general import bayes_meta, exact, priors, sampling, tau_priors, trial_grid, two_arm

HALF_NORMAL_1 = tau_priors.TauPrior("half-normal(1)", "half_normal", scale=1.0)


# --- The gate ---------------------------------------------------------------------------------


def _tree(shift_first_chain=0.0, divergences=0, draws=1000):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, draws))
    x[0] += shift_first_chain
    diverging = np.zeros((4, draws), bool)
    diverging.flat[:divergences] = True
    return az.from_dict({"posterior": {"x": x}, "sample_stats": {"diverging": diverging}})


def test_gate_passes_well_mixed_chains():
    assert sampling.check_convergence(_tree()).passed


def test_gate_fails_on_rhat_and_names_the_parameter():
    with pytest.raises(sampling.ConvergenceError, match=r"x: R-hat .* > 1.01"):
        sampling.check_convergence(_tree(shift_first_chain=1.0), label="test model")


def test_gate_fails_on_divergences():
    with pytest.raises(sampling.ConvergenceError, match="3 divergent transition"):
        sampling.check_convergence(_tree(divergences=3))


def test_gate_fails_on_low_ess():
    with pytest.raises(sampling.ConvergenceError, match="bulk ESS"):
        sampling.check_convergence(_tree(draws=60))


def test_sample_raises_for_a_real_underconverged_fit():
    # Ten draws per chain cannot reach an ESS of 400: the fit must be refused, not reported.
    model = two_arm.two_arm_model(19, 36, 7, 18, priors.weakly_informative_prior())
    with pytest.raises(sampling.ConvergenceError):
        sampling.sample(model, seed=1, draws=10, tune=200)


# --- Exact answers ----------------------------------------------------------------------------


def test_beta_binomial_mcmc_matches_the_conjugate_posterior():
    idata = sampling.sample(two_arm.beta_binomial_model(19, 36, 7, 18), seed=11, draws=2000)
    rd = sampling.draws_of(idata, "risk_difference")
    exact_p = exact.prob_first_greater(exact.beta_posterior(19, 36), exact.beta_posterior(7, 18))
    ess = sampling.diagnostics(idata, ["risk_difference"]).min_ess_bulk
    assert abs(np.mean(rd > 0) - exact_p) < 4 * np.sqrt(exact_p * (1 - exact_p) / ess)
    p_ips = sampling.draws_of(idata, "p_treatment")
    posterior = exact.beta_posterior(19, 36)
    assert abs(p_ips.mean() - posterior.mean()) < 4 * posterior.std() / np.sqrt(ess)
    assert np.quantile(p_ips, 0.975) == pytest.approx(posterior.ppf(0.975), abs=0.02)


@pytest.mark.parametrize("anchor", ["centred", "control"])
def test_two_arm_logit_model_matches_the_grid_posterior(anchor):
    # Within four Monte Carlo standard errors and no slack: the grid's own error is far smaller.
    prior = priors.robustify(priors.normal_prior("informative", 1.4, 0.6), 0.5)
    baseline = trial_grid.BaselinePrior(anchor=anchor)
    idata = sampling.sample(two_arm.two_arm_model(22, 37, 7, 17, prior, baseline), seed=12, draws=2000)
    grid = trial_grid.trial_benefit(22, 37, 7, 17, prior, baseline)
    mcmc = two_arm.benefit_summary(idata)
    ess = sampling.diagnostics(idata, ["log_or"]).min_ess_bulk
    for key in ("p_benefit", "p_relevant_rd", "p_or_above"):
        p = grid[key]
        assert abs(mcmc[key] - p) < 4 * np.sqrt(p * (1 - p) / ess), key


@pytest.mark.parametrize("kind", ["beta", "mixture"])
def test_two_arm_model_with_any_control_prior_matches_the_grid(kind):
    # The control prior is an argument, not fixed: a Beta on the control risk, and a two-component
    # mixture on the control log-odds (the shape of an arm-level MAP prior). Same posterior on the grid.
    effect = priors.normal_prior("effect", 0.5, 1.0)
    if kind == "beta":
        control, control_density = two_arm.BetaRisk(3, 9), trial_grid.beta_control_prior(3, 9)
    else:
        control = priors.NormalMixturePrior("control MAP", (0.7, 0.3), (-1.2, -0.6), (0.3, 1.2))
        control_density = control.logpdf
    idata = sampling.sample(two_arm.two_arm_model(12, 30, 4, 10, effect, control), seed=14, draws=2000)
    grid = trial_grid.benefit(trial_grid.posterior_grid(12, 30, 4, 10, trial_grid.effect_prior_with_control(effect, control_density)))
    mcmc = two_arm.benefit_summary(idata)
    ess = sampling.diagnostics(idata, ["log_or"]).min_ess_bulk
    for key in ("p_benefit", "p_relevant_rd", "p_or_above"):
        p = grid[key]
        assert abs(mcmc[key] - p) < 4 * np.sqrt(p * (1 - p) / ess), key
    p_control = sampling.draws_of(idata, "p_control")
    assert np.median(p_control) == pytest.approx(grid["p_control_median"], abs=0.02)


def test_two_arm_model_refuses_an_unknown_control_prior():
    with pytest.raises(TypeError, match="control prior must be"):
        two_arm.two_arm_model(1, 2, 1, 2, priors.weakly_informative_prior(), control=(3, 9))


def test_normal_normal_mcmc_matches_quadrature_over_tau():
    rng = np.random.default_rng(4)
    se = rng.uniform(0.15, 0.5, 12)
    y = rng.normal(0.7 + 0.3 * rng.normal(size=12), se)
    idata = sampling.sample(bayes_meta.normal_normal_model(y, se, HALF_NORMAL_1), seed=13, draws=2000, target_accept=0.95)
    post = exact.normal_normal_posterior(y, se, HALF_NORMAL_1.logpdf, mu_prior_sd=bayes_meta.MU_PRIOR_SD)
    for name, mean, quantile in (("mu", post.mu_mean(), post.mu_quantile), ("tau", post.tau_mean(), post.tau_quantile)):
        draws = sampling.draws_of(idata, name)
        ess = sampling.diagnostics(idata, [name]).min_ess_bulk
        assert abs(draws.mean() - mean) < 4 * draws.std() / np.sqrt(ess), name
        for q in (0.025, 0.975):
            assert np.quantile(draws, q) == pytest.approx(quantile(q), abs=0.06), (name, q)
    theta_new = sampling.draws_of(idata, "theta_new")
    assert np.mean(theta_new < 0) == pytest.approx(post.predictive_cdf(0.0), abs=0.02)
    rows = exact.compare_normal_normal(idata, y, se, HALF_NORMAL_1, bayes_meta.MU_PRIOR_SD)
    assert [r["parameter"] for r in rows] == ["mu", "tau"]
    assert all(abs(r["(MCMC - exact) / MC s.e."]) < 4 for r in rows)


# --- Parameter recovery on simulated data ----------------------------------------------------


def _simulated_trials(k, mu, tau, n, seed):
    rng = np.random.default_rng(seed)
    baseline = rng.normal(-1.2, 0.4, k)
    theta = rng.normal(mu, tau, k)
    return pd.DataFrame({
        "study": [f"sim{i:02d}" for i in range(k)],
        "n_treatment": n, "n_control": n,
        "events_treatment": rng.binomial(n, expit(baseline + theta)),
        "events_control": rng.binomial(n, expit(baseline)),
    })


def _covers(draws, truth):
    low, high = np.quantile(draws, [0.025, 0.975])
    return low <= truth <= high


def test_binomial_normal_recovers_mu_and_tau():
    trials = _simulated_trials(k=30, mu=0.9, tau=0.35, n=200, seed=21)
    idata = sampling.sample(bayes_meta.binomial_normal_model(trials, HALF_NORMAL_1), seed=22, target_accept=0.95)
    mu, tau = sampling.draws_of(idata, "mu"), sampling.draws_of(idata, "tau")
    assert _covers(mu, 0.9) and abs(np.median(mu) - 0.9) < 0.2
    assert _covers(tau, 0.35) and abs(np.median(tau) - 0.35) < 0.2


def test_meta_regression_recovers_the_slope():
    rng = np.random.default_rng(31)
    k = 40
    x = rng.normal(size=k)
    se = rng.uniform(0.1, 0.3, k)
    y = rng.normal(0.8 - 0.3 * x + rng.normal(0, 0.1, k), se)
    covariates = pd.DataFrame({"x": x})
    idata = sampling.sample(bayes_meta.normal_normal_model(y, se, HALF_NORMAL_1, covariates=covariates), seed=32,
                            target_accept=0.99, draws=2000, tune=2000)
    beta = sampling.draws_of(idata, "beta")[:, 0]
    assert _covers(beta, -0.3) and abs(np.median(beta) + 0.3) < 0.1
    assert np.mean(beta < 0) > 0.99


def test_two_arm_model_recovers_risks_with_large_arms():
    row = pd.Series({"timepoint_months": 12, "employed_ips": 600, "n_ips": 1000, "employed_control": 300, "n_control": 1000})
    idata = trial_models.fit_two_arm(row, priors.weakly_informative_prior(), seed=41)
    summary = two_arm.benefit_summary(idata)
    assert summary["rd_low"] < 0.30 < summary["rd_high"]
    assert summary["rd_median"] == pytest.approx(0.30, abs=0.02)
    assert summary["p_benefit"] > 0.999


def test_longitudinal_model_recovers_a_common_effect():
    # Non-centred timepoint effects suit weak data like the trial's; with very large arms
    # the funnel flips and a centred version would be needed, so simulate moderate arms.
    rng = np.random.default_rng(51)
    n = 80
    employment = pd.DataFrame({"timepoint_months": [6, 12, 24], "n_ips": n, "n_control": n,
                               "employed_ips": rng.binomial(n, expit(-0.5 + 0.8), 3),
                               "employed_control": rng.binomial(n, expit(-0.5), 3)})
    idata = sampling.sample(trial_models.longitudinal_model(employment, priors.weakly_informative_prior()), seed=52,
                            target_accept=0.99, draws=2000, tune=2000)
    mu = sampling.draws_of(idata, "mu")
    assert _covers(mu, 0.8) and abs(np.median(mu) - 0.8) < 0.35


# --- Package functions behind the chapters ---------------------------------------------------


def test_robust_weight_curve_endpoints_are_the_two_component_priors():
    employment = pd.DataFrame({"timepoint_months": [12], "employed_ips": [19], "n_ips": [36], "employed_control": [7], "n_control": [18]})
    informative = priors.normal_prior("informative", 1.5, 0.6)
    curve = trial_models.robust_weight_curve(employment, informative, np.array([0.0, 1.0])).set_index("robust weight")
    full = trial_grid.trial_benefit(19, 36, 7, 18, informative)
    vague = trial_grid.trial_benefit(19, 36, 7, 18, priors.weakly_informative_prior())
    assert curve.loc[0.0, "p_benefit"] == pytest.approx(full["p_benefit"])
    assert curve.loc[1.0, "p_benefit"] == pytest.approx(vague["p_benefit"])


def test_robust_weight_curve_interior_is_the_posterior_mixture_of_its_ends():
    # P(benefit | robust prior) = sum over components of posterior weight x P(benefit | component)
    employment = pd.DataFrame({"timepoint_months": [6], "employed_ips": [11], "n_ips": [34], "employed_control": [6], "n_control": [19]})
    informative = priors.normal_prior("informative", 1.5, 0.6)
    row = trial_models.robust_weight_curve(employment, informative, np.array([0.3])).iloc[0]
    vague_w = row["posterior weight of vague component"]
    full = trial_grid.trial_benefit(11, 34, 6, 19, informative)["p_benefit"]
    vague = trial_grid.trial_benefit(11, 34, 6, 19, priors.weakly_informative_prior())["p_benefit"]
    assert row["p_benefit"] == pytest.approx((1 - vague_w) * full + vague_w * vague, abs=1e-6)
    assert vague_w > 0.3  # 6 months: the data lean against an OR of 4.5, so the vague part gains weight


def test_prior_summary_states_the_sceptical_tail():
    design = priors.design_log_odds_ratio(0.23, 0.61)
    table = priors.prior_summary([priors.sceptical_prior(design)], float(np.exp(design)), 0.39).iloc[0]
    assert table[f"P(OR > {np.exp(design):.2f})"] == pytest.approx(0.05)


def test_covariate_effect_recovers_a_slope_and_explains_heterogeneity():
    rng = np.random.default_rng(61)
    k = 30
    x = rng.normal(size=k)
    se = rng.uniform(0.1, 0.25, k)
    y = rng.normal(0.8 - 0.3 * x, se)
    effect = bayes_meta.covariate_effect(y, se, [f"t{i}" for i in range(k)], HALF_NORMAL_1, pd.DataFrame({"x": x}), seed=62)
    assert effect["ratio 2.5%"] < np.exp(-0.3) < effect["ratio 97.5%"]
    assert effect["P(slope < 0)"] > 0.99
    assert effect["tau reduction"] > 0.3


def test_meta_regression_mcmc_matches_quadrature_over_tau():
    # The PyMC meta-regression (bayes_meta.normal_normal_model with covariates) against the exact
    # posterior (exact.normal_normal_regression) with the same priors.
    rng = np.random.default_rng(8)
    k = 14
    x = rng.normal(size=k)
    se = rng.uniform(0.15, 0.45, k)
    y = rng.normal(0.4 - 0.35 * x + 0.2 * rng.normal(size=k), se)
    covariates = pd.DataFrame({"x": x})
    idata = sampling.sample(bayes_meta.normal_normal_model(y, se, HALF_NORMAL_1, covariates=covariates, slope_prior_sd=0.5),
                            seed=16, draws=2000, target_accept=0.95)
    post = exact.normal_normal_regression(y, se, np.column_stack([np.ones(k), x]), HALF_NORMAL_1.logpdf,
                                          [bayes_meta.MU_PRIOR_SD, 0.5])
    beta = sampling.draws_of(idata, "beta")[:, 0]
    ess = sampling.diagnostics(idata, ["beta", "mu"]).min_ess_bulk
    for q in (0.025, 0.5, 0.975):
        assert np.quantile(beta, q) == pytest.approx(post.coef_quantile(1, q), abs=0.03), q
    assert np.mean(beta < 0) == pytest.approx(post.coef_cdf(1, 0.0), abs=max(0.01, 4 * np.sqrt(0.25 / ess)))
    assert np.median(sampling.draws_of(idata, "tau")) == pytest.approx(post.tau_quantile(0.5), abs=0.05)


def test_leave_one_out_refits_move_away_from_an_outlier():
    y = np.array([0.4, 0.9, 0.6, 1.1, 0.75, 2.5])
    se = np.full(6, 0.2)
    labels = ["a", "b", "c", "d", "e", "outlier"]
    loo = bayes_meta.leave_one_out_refits(y, se, labels, HALF_NORMAL_1)
    assert list(loo["left out"]) == labels
    assert loo.set_index("left out")["pooled RR"].idxmin() == "outlier"
    assert loo.set_index("left out")["tau"].idxmin() == "outlier"  # the spread is the outlier's
    # each row is the exact posterior of the other five
    alone = bayes_meta.exact_summary(y[:5], se[:5], HALF_NORMAL_1)
    assert loo.iloc[5]["pooled RR"] == alone["RR_median"] and loo.iloc[5]["RR 2.5%"] == alone["RR_low"]


def test_the_exact_summary_is_the_common_effect_posterior_when_tau_is_held_at_zero():
    """With a prior that pins tau near 0, the pooled log RR is normal with precision 1/s0^2 + sum 1/se^2
    (closed form): the summary's median, interval and tail probabilities are that normal's."""
    from scipy.stats import norm

    y = np.array([0.4, 0.9, 0.6, 1.1, 0.75, 0.2, 0.5])
    se = np.array([0.2, 0.3, 0.25, 0.4, 0.2, 0.35, 0.3])
    pinned = tau_priors.TauPrior("half-normal(1e-4)", "half_normal", scale=1e-4)
    exact_ = bayes_meta.exact_summary(y, se, pinned, tau_max=1e-2)
    precision = 1 / bayes_meta.MU_PRIOR_SD**2 + np.sum(1 / se**2)
    mean, sd = np.sum(y / se**2) / precision, np.sqrt(1 / precision)
    assert exact_["RR_median"] == pytest.approx(np.exp(mean), rel=1e-4)
    assert exact_["RR_low"] == pytest.approx(np.exp(norm.ppf(0.025, mean, sd)), rel=1e-4)
    assert exact_["RR_high"] == pytest.approx(np.exp(norm.ppf(0.975, mean, sd)), rel=1e-4)
    for t in (1.0, 1.5, 2.0):
        assert exact_[f"P(RR > {t:g})"] == pytest.approx(norm.sf(np.log(t), mean, sd), abs=1e-4)
    assert exact_["tau_high"] < 1e-3
