"""Stated properties of the priors, and the exact (quadrature, conjugate) references."""

import numpy as np
import pytest
from scipy import stats

from ipscompendium import report, summary_statistics
from ipscompendium.general import design, exact, frequentist, historical, priors
from ipscompendium.map_prior import load_map_prior
from ipscompendium.meta_models import TauPrior


DESIGN = priors.design_log_odds_ratio(0.23, 0.61)


def test_design_odds_ratio():
    assert np.exp(DESIGN) == pytest.approx((0.61 / 0.39) / (0.23 / 0.77))


def test_sceptical_prior_tail_probability_is_as_stated():
    prior = priors.sceptical_prior(DESIGN, 0.05)
    assert prior.means == (0.0,)
    assert prior.prob_greater(DESIGN) == pytest.approx(0.05)
    assert prior.prob_greater(0.0) == pytest.approx(0.5)


def test_enthusiastic_prior_is_centred_on_the_design_with_5_percent_no_benefit():
    prior = priors.enthusiastic_prior(DESIGN, 0.05)
    assert prior.quantile(0.5) == pytest.approx(DESIGN)
    assert 1 - prior.prob_greater(0.0) == pytest.approx(0.05)


def test_weakly_informative_prior_covers_or_1_50_to_50():
    prior = priors.weakly_informative_prior()
    assert prior.quantile(0.025) == pytest.approx(-1.96 * 2.0, rel=1e-4)
    assert np.exp(prior.quantile(0.975)) == pytest.approx(50, rel=0.02)


def test_robustify_weights_and_extremes():
    base = priors.normal_prior("base", 1.5, 0.5)
    robust = priors.robustify(base, 0.3)
    assert robust.weights == pytest.approx((0.7, 0.3))
    assert robust.means == (1.5, 0.0)
    assert priors.robustify(base, 0.0).weights == (1.0,)
    with pytest.raises(ValueError):
        priors.robustify(base, 1.2)


def test_mixture_moments_and_sampling():
    prior = priors.NormalMixturePrior("m", (0.3, 0.7), (-1.0, 2.0), (0.5, 1.0))
    assert prior.mean() == pytest.approx(0.3 * -1 + 0.7 * 2)
    draws = prior.sample(200_000, np.random.default_rng(1))
    assert draws.mean() == pytest.approx(prior.mean(), abs=0.02)
    assert draws.std() == pytest.approx(prior.sd(), abs=0.02)
    with pytest.raises(ValueError):
        priors.NormalMixturePrior("bad", (0.5, 0.6), (0, 0), (1, 1))


def test_em_recovers_a_known_mixture():
    rng = np.random.default_rng(3)
    truth = priors.NormalMixturePrior("t", (0.6, 0.4), (0.0, 3.0), (0.5, 1.0))
    weights, means, sds = priors.fit_normal_mixture(truth.sample(50_000, rng), components=2, seed=1)
    assert weights == pytest.approx([0.6, 0.4], abs=0.02)
    assert means == pytest.approx([0.0, 3.0], abs=0.05)
    assert sds == pytest.approx([0.5, 1.0], abs=0.05)


def test_stored_map_prior_agrees_with_an_independent_exact_map_prior():
    # The stored MAP comes from the binomial-normal model by MCMC; the normal-normal model on the
    # trials' log-ORs, integrated exactly over tau, is an independent route to the same prediction.
    # The two likelihoods differ slightly, so their quantiles agree to a few hundredths, not exactly.
    from ipscompendium import data, meta_models, trial_sets
    from ipscompendium.map_prior import normal_normal_map_prior

    stored = load_map_prior()
    main = trial_sets.analysis_sets(data.load_trials())["all trials with counts (main)"]
    tau = meta_models.default_tau_priors(data.load_turner_tau2_priors())[0]
    exact_map = normal_normal_map_prior(main, tau, "or", draws=10_000)
    for q in (0.025, 0.25, 0.5, 0.75, 0.975):
        assert stored.quantile(q) == pytest.approx(exact_map.quantile(q), abs=0.06), q
    assert priors.ess_elir(stored, 7 / 18) == pytest.approx(priors.ess_elir(exact_map, 7 / 18), rel=0.1)


def test_stale_map_prior_is_refused(tmp_path):
    other = tmp_path / "trials.csv"
    other.write_text("not the trial table\n")
    with pytest.raises(ValueError, match="Re-run"):
        load_map_prior(trials_path=other)


def test_beta_posterior_probability_by_quadrature_matches_monte_carlo():
    a, b = exact.beta_posterior(19, 36), exact.beta_posterior(7, 18)
    rng = np.random.default_rng(0)
    mc = np.mean(a.rvs(400_000, random_state=rng) > b.rvs(400_000, random_state=rng))
    assert exact.prob_first_greater(a, b) == pytest.approx(mc, abs=0.003)


def test_normal_normal_quadrature_reduces_to_the_known_tau_case():
    # With a prior concentrated at tau = 0.2 the posterior of mu is the conjugate normal one.
    y = np.array([0.2, 0.8, 0.5, 1.1])
    se = np.array([0.3, 0.25, 0.4, 0.35])
    narrow = TauPrior("spike", "lognormal_tau2", log_tau2_mean=np.log(0.04), log_tau2_sd=0.01)
    post = exact.normal_normal_posterior(y, se, narrow.logpdf, mu_prior_sd=10)
    w = 1 / (se**2 + 0.04)
    precision = 1 / 100 + w.sum()
    assert post.mu_mean() == pytest.approx(np.sum(w * y) / precision, abs=1e-3)
    assert post.tau_mean() == pytest.approx(0.2, abs=0.01)


def test_turner_prior_density_integrates_to_one():
    prior = TauPrior("t", "lognormal_tau2", log_tau2_mean=-2.77, log_tau2_sd=1.73)
    tau = np.linspace(1e-6, 20, 400_001)
    assert np.trapezoid(np.exp(prior.logpdf(tau)), tau) == pytest.approx(1.0, abs=2e-3)
    assert prior.quantile(0.5) == pytest.approx(np.sqrt(np.exp(-2.77)))


def test_power_prior_endpoints():
    zero = historical.power_prior_control(7, 18, 50.4, 315, 0.0)
    one = historical.power_prior_control(7, 18, 50.4, 315, 1.0)
    assert zero.mean() == pytest.approx(8 / 20)
    assert one.mean() == pytest.approx((1 + 50.4 + 7) / (2 + 315 + 18))
    with pytest.raises(ValueError, match=r"a0 must lie in \[0, 1\], got 1.5"):
        historical.power_prior_control(7, 18, 50.4, 315, 1.5)


def test_normalised_power_prior_closed_form_prefers_no_borrowing_when_the_history_conflicts():
    a0 = np.array([0.0, 0.5, 1.0])
    agreeing = historical.normalised_power_prior_a0(39, 100, 390, 1000, a0)
    conflicting = historical.normalised_power_prior_a0(39, 100, 100, 1000, a0)
    assert agreeing.sum() == pytest.approx(1.0) and conflicting.sum() == pytest.approx(1.0)
    assert agreeing[2] > agreeing[0] and conflicting[0] > 0.99
    # With a Beta(2, 2) initial prior the weights change, as the closed form says they must.
    assert not np.allclose(historical.normalised_power_prior_a0(7, 18, 50.4, 315, a0, 2.0, 2.0),
                           historical.normalised_power_prior_a0(7, 18, 50.4, 315, a0))


def test_difference_in_means_posterior_matches_the_t_approximation():
    rng = np.random.default_rng(2)
    diff = summary_statistics.difference_in_means(100, 10.0, 2.0, 100, 9.0, 2.0, 400_000, rng)
    assert diff.mean() == pytest.approx(1.0, abs=0.01)
    sd = np.sqrt(2 * (2.0**2 / 100) * 99 / 97)
    assert diff.std() == pytest.approx(sd, rel=0.01)


def test_assurance_is_power_for_a_point_prior_and_capped_by_p_benefit():
    control = np.full(20_000, 0.23)
    log_or = np.full(20_000, DESIGN)
    assert design.assurance(log_or, control, 31) == pytest.approx(
        float(design.success_probability(np.array(0.23), np.array(0.61), 31)), abs=1e-12
    )
    rng = np.random.default_rng(5)
    uncertain = rng.normal(0.3, 1.0, 20_000)
    ceiling = np.mean(uncertain > 0)
    assert design.sample_size_for_assurance(uncertain, control, target=ceiling + 0.05) is None
    n = design.sample_size_for_assurance(uncertain, control, target=0.5)
    assert n is not None and design.assurance(uncertain, control, n) >= 0.5 > design.assurance(uncertain, control, n - 1)


def test_report_formatting():
    assert report.percent(0.823) == "82%"
    assert report.percent(0.823, norwegian=True) == "82\u00a0%"
    assert report.percent(0.8234, norwegian=True, decimals=1) == "82,3\u00a0%"
    assert report.probability_text(1.0, 4000) == "> 0.999"
    assert report.probability_text(0.5, 4000) == "0.500"
    assert report.probability_text(0.8234, norwegian=True) == "0,823"
    assert report.percent_of_probability(0.9996) == "> 99%"
    assert report.number(-0.001, 2) == "0.00"  # never "-0.00"
    assert report.interval_text(report.Estimate(2.4, 2.03, 2.76), norwegian=True) == "2,40 (95\u00a0% KrI 2,03 til 2,76)"
    assert report.p_value_text(0.0) == "< 0.001"


def test_prior_belief_draws_put_the_control_arm_half_an_effect_below_the_baseline():
    rng = np.random.default_rng(8)
    log_or = np.full(200_000, 1.0)
    control = design.prior_belief_draws(log_or, 0.0, 0.5, rng)
    logit = np.log(control / (1 - control))
    assert logit.mean() == pytest.approx(-0.5, abs=0.01)
    assert logit.std() == pytest.approx(0.5, abs=0.01)


def test_success_probability_is_the_published_designs_power():
    # The protocol's 31 per group for 90% power at 23% vs 61% (two-sided 5%) is reproduced by the
    # unpooled normal approximation (tests/test_reproduction.py); success_probability must agree.
    assert design.success_probability(0.23, 0.61, 31) >= 0.90 > design.success_probability(0.23, 0.61, 30)
    for n in (20, 50, 120):
        two_sided = frequentist.power_two_proportions(0.3, 0.45, n, n, 0.05)
        assert design.success_probability(0.3, 0.45, n) == pytest.approx(two_sided, abs=2e-3)  # one tail; the other is < 0.002
    assert design.success_probability(0.3, 0.45, 100, alpha=0.01) < design.success_probability(0.3, 0.45, 100)


def test_assurance_matches_simulated_trials():
    # Independent check: simulate whole trials from the belief and count significant z-tests in favour.
    rng = np.random.default_rng(9)
    beliefs = 20_000
    log_or = rng.normal(0.6, 0.5, beliefs)
    control = rng.beta(8, 12, beliefs)
    n = 80
    treatment = 1 / (1 + (1 - control) / control * np.exp(-log_or))
    x_t, x_c = rng.binomial(n, treatment), rng.binomial(n, control)
    p_t, p_c = x_t / n, x_c / n
    se = np.sqrt((p_t * (1 - p_t) + p_c * (1 - p_c)) / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        significant = (p_t - p_c) / se > stats.norm.ppf(0.975)
    simulated = significant.mean()
    assert design.assurance(log_or, control, n) == pytest.approx(simulated, abs=4 * np.sqrt(simulated * (1 - simulated) / beliefs) + 0.01)


def test_unit_information_variance_counts_both_arms_at_their_own_risks():
    # 1/(0.2 x 0.8) + 1/(0.5 x 0.5) = 6.25 + 4: unequal risks, so ignoring either arm's risk fails
    assert priors.unit_information_variance(0.2, 0.5) == pytest.approx(10.25)
    assert priors.unit_information_variance(0.5, 0.2) == pytest.approx(10.25)
    assert priors.unit_information_variance(0.2) == pytest.approx(12.5)


def test_one_ess_convention_for_a_prior_on_the_log_odds_ratio():
    from scipy.special import expit, logit

    prior = priors.normal_prior("p", 1.0, 0.5)
    treatment_risk = float(expit(logit(0.3) + 1.0))
    expected = priors.unit_information_variance(0.3, treatment_risk) / 0.25  # ELIR = moment ESS for a normal prior
    assert priors.ess_per_arm(prior, 0.3) == pytest.approx(expected, rel=1e-4)
    table = priors.prior_summary([prior], 2.0, 0.3).set_index("prior")
    assert table.loc["p", "ESS per arm (ELIR)"] == pytest.approx(priors.ess_per_arm(prior, 0.3))


def test_the_two_tables_give_one_prior_one_effective_sample_size():
    import pandas as pd

    from ipscompendium import trial_models

    employment = pd.DataFrame({"timepoint_months": [12], "employed_ips": [19], "n_ips": [36], "employed_control": [7], "n_control": [18]})
    prior = priors.normal_prior("p", 1.2, 0.4)
    before_after = trial_models.prior_and_posterior(employment, [prior])
    summary = priors.prior_summary([prior], 2.0, 7 / 18).set_index("prior")
    assert before_after["prior ESS per arm"].iloc[0] == pytest.approx(summary.loc["p", "ESS per arm (ELIR)"])


def test_the_tau_grid_warns_when_the_posterior_reaches_its_end():
    import warnings

    flat = lambda tau: np.zeros_like(tau)  # noqa: E731
    wild = np.array([-4.0, 4.0, -3.0, 3.5, 0.0])  # effects far apart: tau of about 3 or more
    with pytest.warns(exact.TauBoundWarning, match="tau_max = 1"):
        exact.normal_normal_posterior(wild, np.full(5, 0.1), flat, tau_max=1.0)
    with pytest.warns(exact.TauBoundWarning):
        exact.normal_normal_regression(wild, np.full(5, 0.1), np.ones((5, 1)), flat, tau_max=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        post = exact.normal_normal_posterior(wild, np.full(5, 0.1), flat, tau_max=30.0)
        assert post.tau_quantile(0.5) > 2
        calm = np.array([0.1, 0.2, 0.15, 0.05])
        exact.normal_normal_posterior(calm, np.full(4, 0.2), flat, tau_max=3.0)


def _brute_force_mu(y, se, mu_mean, mu_sd, tau_logpdf, tau_max=3.0):
    """Posterior of mu in the normal-normal model on a dense 2-D grid over (mu, tau): no algebra shared
    with exact.normal_normal_posterior."""
    mu = np.linspace(-4, 6, 2001)
    tau = np.linspace(0, tau_max, 1501)[1:]
    M, T = np.meshgrid(mu, tau, indexing="ij")
    log_post = stats.norm.logpdf(M, mu_mean, mu_sd) + tau_logpdf(T)
    for yi, si in zip(y, se):
        log_post = log_post + stats.norm.logpdf(yi, M, np.sqrt(si**2 + T**2))
    w = np.exp(log_post - log_post.max())
    mu_mass = w.sum(axis=1) / w.sum()
    tau_mass = w.sum(axis=0) / w.sum()
    cdf = np.cumsum(mu_mass) - mu_mass / 2
    return {"mu_mean": float(np.sum(mu * mu_mass)), "mu_median": float(np.interp(0.5, cdf, mu)),
            "tau_mean": float(np.sum(tau * tau_mass)), "p_mu_below_0.3": float(mu_mass[mu < 0.3].sum())}


def test_normal_normal_posterior_with_an_informative_prior_on_mu_matches_brute_force():
    y = np.array([0.9, 0.4, 1.3, 0.2, 0.7])
    se = np.array([0.3, 0.25, 0.5, 0.35, 0.2])
    half_normal = lambda tau: stats.halfnorm.logpdf(tau, scale=0.5)  # noqa: E731
    post = exact.normal_normal_posterior(y, se, half_normal, mu_prior_mean=1.5, mu_prior_sd=0.4)
    brute = _brute_force_mu(y, se, 1.5, 0.4, half_normal)
    assert post.mu_mean() == pytest.approx(brute["mu_mean"], abs=2e-3)
    assert post.mu_quantile(0.5) == pytest.approx(brute["mu_median"], abs=2e-3)
    assert post.tau_mean() == pytest.approx(brute["tau_mean"], abs=2e-3)
    assert post.mu_cdf(0.3) == pytest.approx(brute["p_mu_below_0.3"], abs=2e-3)
    # the default prior on mu is N(0, 10^2)
    default = exact.normal_normal_posterior(y, se, half_normal)
    assert default.mu_mean() == pytest.approx(_brute_force_mu(y, se, 0.0, 10.0, half_normal)["mu_mean"], abs=2e-3)
    assert default.mu_mean() != pytest.approx(exact.normal_normal_posterior(y, se, half_normal, mu_prior_sd=3.0).mu_mean(), abs=1e-4)


def test_meta_regression_posterior_matches_brute_force_and_keeps_its_names():
    y = np.array([0.9, 0.4, 1.3, 0.2, 0.7, 1.0])
    se = np.array([0.3, 0.25, 0.5, 0.35, 0.2, 0.3])
    x = np.array([1.0, 0.0, 1.0, 0.0, 0.0, 1.0])
    X = np.column_stack([np.ones(6), x])
    half_normal = lambda tau: stats.halfnorm.logpdf(tau, scale=0.5)  # noqa: E731
    post = exact.normal_normal_regression(y, se, X, half_normal, [3.0, 0.7], ("intercept", "x"))
    assert post.names == ("intercept", "x")
    assert exact.normal_normal_regression(y, se, X, half_normal).names == ("x0", "x1")
    # brute force over (intercept, slope, tau)
    b0 = np.linspace(-2, 3, 201)
    b1 = np.linspace(-2.5, 2.5, 201)
    tau = np.linspace(0, 3, 151)[1:]
    B0, B1, T = np.meshgrid(b0, b1, tau, indexing="ij")
    log_post = stats.norm.logpdf(B0, 0, 3.0) + stats.norm.logpdf(B1, 0, 0.7) + half_normal(T)
    for yi, si, xi in zip(y, se, x):
        log_post = log_post + stats.norm.logpdf(yi, B0 + B1 * xi, np.sqrt(si**2 + T**2))
    w = np.exp(log_post - log_post.max())
    w /= w.sum()
    slope_mass = w.sum(axis=(0, 2))
    assert post.coef_cdf(1, 0.0) == pytest.approx(slope_mass[b1 < 0].sum() + 0.5 * slope_mass[b1 == 0].sum(), abs=5e-3)
    assert post.tau_quantile(0.5) == pytest.approx(float(np.interp(0.5, np.cumsum(w.sum(axis=(0, 1))), tau)), abs=0.03)
    cdf1 = np.cumsum(slope_mass) - slope_mass / 2
    assert post.coef_quantile(1, 0.5) == pytest.approx(float(np.interp(0.5, cdf1, b1)), abs=0.02)


def test_the_tau_bound_warning_says_what_to_do():
    wild = np.array([-4.0, 4.0, -3.0, 3.5, 0.0])
    with pytest.warns(exact.TauBoundWarning, match=r"within 5% of the grid's upper end tau_max = 1: the posterior is cut off there; widen tau_max"):
        exact.normal_normal_posterior(wild, np.full(5, 0.1), lambda t: np.zeros_like(t), tau_max=1.0)
    with pytest.warns(exact.TauBoundWarning):
        mass = exact._check_tau_bound(np.linspace(0.01, 1, 100), np.ones(100), 1.0)
    assert mass == pytest.approx(0.05, abs=0.011)


def test_tau_prior_densities_and_quantiles_in_closed_form_agree_with_scipy():
    from scipy import stats

    from ipscompendium.general.tau_priors import TauPrior

    tau = np.array([0.0, 0.01, 0.3, 1.0, 2.5, 7.0])
    normal_prior, cauchy_prior = TauPrior("hn", "half_normal", scale=0.5), TauPrior("hc", "half_cauchy", scale=0.25)
    assert normal_prior.logpdf(tau) == pytest.approx(stats.halfnorm.logpdf(tau, scale=0.5), rel=1e-12)
    assert cauchy_prior.logpdf(tau) == pytest.approx(stats.halfcauchy.logpdf(tau, scale=0.25), rel=1e-12)
    assert np.all(np.isneginf(normal_prior.logpdf(np.array([-0.1])))) and np.all(np.isneginf(cauchy_prior.logpdf(np.array([-1.0]))))
    for q in (0.025, 0.5, 0.975):
        assert normal_prior.quantile(q) == pytest.approx(stats.halfnorm.ppf(q, scale=0.5), rel=1e-12)
        assert cauchy_prior.quantile(q) == pytest.approx(stats.halfcauchy.ppf(q, scale=0.25), rel=1e-12)
    turner = TauPrior("t", "lognormal_tau2", log_tau2_mean=-2.0, log_tau2_sd=1.5)
    assert turner.quantile(0.5) == pytest.approx(np.sqrt(stats.lognorm.ppf(0.5, s=1.5, scale=np.exp(-2.0))), rel=1e-12)
