"""The general layer on anyone's trials: metafor's reference values, zero cells, the input table's
errors, control-arm priors and MAP priors. (The command line is tested in test_cli.py.)"""

from importlib.resources import files
from pathlib import Path

import numpy as np
from scipy.special import expit
import pytest

from ipscompendium.general import effect_sizes, exact, frequentist, predictive_prior, priors, trial_grid
from ipscompendium.general.tau_priors import parse_tau_prior
from ipscompendium.general.trial_table import InputError, parse_arm, read_trials

BCG = Path(str(files("ipscompendium.examples").joinpath("bcg.csv")))


def _bcg(measure):
    t = read_trials(BCG)
    return effect_sizes.effect_sizes(t.events_treatment, t.n_treatment, t.events_control, t.n_control, measure)


# --- metafor's dat.bcg ---------------------------------------------------------------------------
# R, metafor 3.8-1: dat <- escalc(measure=M, ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg);
# rma(yi, vi, data=dat, method=METHOD). RR values as printed in Viechtbauer (2010), J Stat Softw 36(3);
# the OR, RD and prediction values were obtained with that call (Rscript, metafor 3.8-1).

@pytest.mark.parametrize("measure, method, estimate, se, tau2", [
    ("rr", "DL", -0.7141, 0.1787, 0.3088),
    ("rr", "REML", -0.7145, 0.1798, 0.3132),
    ("or", "DL", -0.7473923497, 0.1922628490, 0.3663434067),
    ("rd", "REML", -0.0251735000, 0.0108286083, 0.0014215404),
])
def test_random_effects_match_metafor_on_dat_bcg(measure, method, estimate, se, tau2):
    sizes = _bcg(measure)
    fit = frequentist.random_effects(sizes.y, sizes.v, method)
    # The RR references are printed to 4 decimals; the others to 10, but metafor stops REML's Fisher
    # scoring when tau^2 changes by less than 1e-5 (rma's `threshold`), so REML agrees to about that.
    tolerance = 6e-5 if measure == "rr" else (1e-8 if method == "DL" else 1e-5)
    assert fit.mu == pytest.approx(estimate, abs=tolerance)
    assert fit.se_mu == pytest.approx(se, abs=tolerance)
    assert fit.tau2 == pytest.approx(tau2, abs=tolerance)


# R, metafor 3.8-1, subgroups by allocation (dat.bcg$alloc, the bundled file's `subgroup`):
#   res <- lapply(c("random", "alternate", "systematic"), function(a) rma(yi, vi, data=dat, subset=alloc==a, method="DL"))
#   rma(sapply(res, coef), sei=sapply(res, function(r) r$se), method="FE")   # QE and QEp: the subgroup test
BCG_SUBGROUPS = {"random": (7, -1.0041613540, 0.3621067987, 0.7630627544),
                 "alternate": (2, -0.5407929618, 0.2816016131, 0.1325770399),
                 "systematic": (4, -0.4393465800, 0.3133379136, 0.2849706818)}


def test_subgroups_and_their_difference_match_metafor():
    t = read_trials(BCG)
    sizes = _bcg("rr")
    mus, ses = [], []
    for name, (k, estimate, se, tau2) in BCG_SUBGROUPS.items():
        rows = (t["subgroup"] == name).to_numpy()
        fit = frequentist.random_effects(sizes.y[rows], sizes.v[rows], "DL")
        assert (fit.k, fit.mu, fit.se_mu, fit.tau2) == pytest.approx((k, estimate, se, tau2), abs=1e-8)
        mus.append(fit.mu)
        ses.append(fit.se_mu)
    test = frequentist.subgroup_difference(np.array(mus), np.array(ses))
    assert (test.q, test.df, test.p_value) == pytest.approx((1.5367688721, 2, 0.4637617001), abs=1e-8)


# R, metafor 3.8-1: rma(yi, vi, mods = ~ ablat, data = dat, method = M) on the RR of dat.bcg
# (the bundled file's `latitude`); coefficients, their SEs, tau^2, QM and its p-value, and R2 (%).
BCG_LATITUDE = {
    "REML": (0.2514642944, 0.2491036664, -0.0291016609, 0.0071955548, 0.0763546947, 16.3571255722, 5.245855974e-05, 75.624478),
    "DL": (0.2595437124, 0.2323074734, -0.0292287388, 0.0067330108, 0.0633005024, 18.8452335426, 1.417649105e-05, 79.498494),
}


@pytest.mark.parametrize("method", ["REML", "DL"])
def test_meta_regression_matches_metafor(method):
    t = read_trials(BCG)
    sizes = _bcg("rr")
    fit = frequentist.meta_regression(sizes.y, sizes.v, t[["latitude"]].to_numpy(), ["latitude"], method)
    b0, se0, b1, se1, tau2, qm, qm_p, r2 = BCG_LATITUDE[method]
    # metafor stops REML's Fisher scoring when tau^2 changes by less than 1e-5; DL is closed form
    tolerance = 1e-5 if method == "REML" else 1e-8
    assert fit.coef == pytest.approx([b0, b1], abs=tolerance) and fit.se == pytest.approx([se0, se1], abs=tolerance)
    assert fit.tau2 == pytest.approx(tau2, abs=tolerance)
    assert fit.qm == pytest.approx(qm, rel=1e-4) and fit.qm_p == pytest.approx(qm_p, rel=1e-3)
    assert 100 * fit.r2 == pytest.approx(r2, abs=0.01)
    assert fit.names == ("intercept", "latitude")


def test_exact_meta_regression_without_covariates_is_the_normal_normal_model():
    sizes = _bcg("rr")
    prior = parse_tau_prior("half-normal:0.5")
    plain = exact.normal_normal_posterior(sizes.y, np.sqrt(sizes.v), prior.logpdf, mu_prior_sd=2.0)
    regression = exact.normal_normal_regression(sizes.y, np.sqrt(sizes.v), np.ones((len(sizes.y), 1)), prior.logpdf, 2.0)
    for q in (0.025, 0.5, 0.975):
        assert regression.coef_quantile(0, q) == pytest.approx(plain.mu_quantile(q), abs=1e-10)
        assert regression.tau_quantile(q) == pytest.approx(plain.tau_quantile(q), abs=1e-10)


def test_prediction_interval_matches_metafor_predict():
    # predict(rma(yi, vi, data=escalc("RR", ...dat.bcg), method="REML"), transf=exp): pi.lb 0.15463429, pi.ub 1.54902802
    sizes = _bcg("rr")
    fit = frequentist.random_effects(sizes.y, sizes.v, "REML")
    low, high = frequentist.prediction_interval(fit, quantile="normal")
    assert np.exp([low, high]) == pytest.approx([0.15463429, 1.54902802], abs=1e-5)


def test_estimators_agree_with_statsmodels_and_pymare():
    from pymare import Dataset
    from pymare.estimators import VarianceBasedLikelihoodEstimator
    from statsmodels.stats.meta_analysis import combine_effects

    sizes = _bcg("or")
    dl = frequentist.random_effects(sizes.y, sizes.v, "DL")
    reference = combine_effects(sizes.y, sizes.v, method_re="chi2")
    assert dl.tau2 == pytest.approx(float(reference.tau2), rel=1e-10)
    assert dl.q == pytest.approx(float(reference.q), rel=1e-10) and dl.i2 == pytest.approx(float(reference.i2), rel=1e-10)
    reml = frequentist.random_effects(sizes.y, sizes.v, "REML")
    pymare_tau2 = VarianceBasedLikelihoodEstimator(method="REML").fit_dataset(Dataset(y=sizes.y, v=sizes.v)).summary().tau2
    assert reml.tau2 == pytest.approx(float(np.ravel(pymare_tau2)[0]), rel=1e-4)


def test_effect_sizes_match_statsmodels_without_zero_cells():
    from statsmodels.stats.meta_analysis import effectsize_2proportions

    t = read_trials(BCG)
    for measure, statistic in (("rr", "risk-ratio"), ("or", "odds-ratio"), ("rd", "diff")):
        ours = effect_sizes.effect_sizes(t.events_treatment, t.n_treatment, t.events_control, t.n_control, measure)
        y, v = effectsize_2proportions(t.events_treatment.to_numpy(float), t.n_treatment.to_numpy(float),
                                       t.events_control.to_numpy(float), t.n_control.to_numpy(float), statistic=statistic)
        assert np.allclose(ours.y, y) and np.allclose(ours.v, v)


# --- zero cells ------------------------------------------------------------------------------------
# R, metafor 3.8-1, five trials a/n1 vs c/n2: 0/20 vs 4/21, 3/25 vs 0/24, 10/40 vs 12/38, 0/15 vs 0/16, 12/30 vs 18/30.
# escalc(measure=M, ai, bi, ci, di) (add=1/2, to="only0"); rma(..., method="DL") on escalc(..., drop00=TRUE) for RR/OR.
ZERO = dict(events_treated=[0, 3, 10, 0, 12], n_treated=[20, 25, 40, 15, 30], events_control=[4, 0, 12, 0, 18], n_control=[21, 24, 38, 16, 30])
METAFOR_YI = {
    "rr": [-2.1507045617, 1.9066894359, -0.2336148512, -0.4054651081],
    "or": [-2.3554485826, 2.0310679574, -0.3254224004, -0.8109302162],
    "rd": [-0.1807359307, 0.1146153846, -0.0657894737, 0.0018382353, -0.2000000000],
}
METAFOR_VI = {
    "rr": [2.1291486291, 2.2072527473, 0.1320175439, 0.0722222222],
    "or": [2.3281455672, 2.3709750567, 0.2551282051, 0.2777777778],
    "rd": [0.0085025470, 0.0052645416, 0.0103734601, 0.0035713082, 0.0160000000],
}


@pytest.mark.parametrize("measure", ["rr", "or", "rd"])
def test_zero_cells_get_metafors_correction_and_double_zeros_leave_the_ratios(measure):
    sizes = effect_sizes.effect_sizes(*ZERO.values(), measure=measure)
    assert np.allclose(sizes.y, METAFOR_YI[measure], atol=1e-9) and np.allclose(sizes.v, METAFOR_VI[measure], atol=1e-9)
    assert list(sizes.double_zero) == [False, False, False, True, False]
    assert list(sizes.used) == ([True] * 5 if measure == "rd" else [True, True, True, False, True])
    assert list(sizes.corrected) == [True, True, False, measure == "rd", False]


@pytest.mark.parametrize("measure, estimate, se, tau2", [
    ("rr", -0.3198271151, 0.2918846788, 0.0869329770),
    ("or", -0.4935098457, 0.4947803838, 0.3327146620),
])
def test_pooling_with_zero_cells_matches_metafor_drop00(measure, estimate, se, tau2):
    sizes = effect_sizes.effect_sizes(*ZERO.values(), measure=measure)
    fit = frequentist.random_effects(sizes.y, sizes.v, "DL")
    assert (fit.mu, fit.se_mu, fit.tau2) == pytest.approx((estimate, se, tau2), abs=1e-8)


def test_a_double_zero_trial_has_no_ratio_rather_than_vanishing():
    with pytest.raises(ValueError, match="double-zero"):
        effect_sizes.log_effects(*ZERO.values(), measure="or")


# --- the input table -------------------------------------------------------------------------------

HEADER = "study,events_treatment,n_treatment,events_control,n_control\n"


def _write(tmp_path, text, name="trials.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_the_minimal_table_with_optional_columns(tmp_path):
    path = _write(tmp_path, "study,events_treatment,n_treatment,events_control,n_control,label,dose\n"
                            "A,1,10,2,10,Trial A,5\n\nB,0,8,3,9,,\n")
    t = read_trials(path)
    assert list(t.study) == ["A", "B"] and list(t.line) == [2, 4]  # the blank line is counted
    assert t.events_treatment.dtype.kind == "i" and t.dose.isna().tolist() == [False, True]


def test_semicolons_tabs_a_trailing_comma_and_a_byte_order_mark_are_read(tmp_path):
    for text in (HEADER.replace(",", ";") + "A;1;10;2;10\n", HEADER.replace(",", "\t") + "A\t1\t10\t2\t10\n",
                 HEADER.replace("\n", ",\n") + "A,1,10,2,10,\n", "\ufeff" + HEADER + "A,1,10,2,10\n"):
        assert read_trials(_write(tmp_path, text)).shape[0] == 1


@pytest.mark.parametrize("text, line, column, rule", [
    (HEADER, 2, None, "header but no rows"),
    ("study,events_treatment,n_treatment,n_control\nA,1,2,3\n", 1, "events_control", "missing from the header"),
    (HEADER + "A,1,10,2,10\nA,1,10,2,10\n", 3, "study", "already used on line 2"),
    (HEADER + "A,11,10,2,10\n", 2, "events_treatment", "exceed"),
    (HEADER + "A,1.5,10,2,10\n", 2, "events_treatment", "not a whole number"),
    (HEADER + "A,-1,10,2,10\n", 2, "events_treatment", "negative"),
    (HEADER + "A,1,10,,10\n", 2, "events_control", "is empty"),
    (HEADER + "A,1,0,0,10\n", 2, "n_treatment", "at least one participant"),
    (HEADER + "A,1,10,2,10,7\n", 2, None, "6 values but the header has 5"),
    (HEADER + '"A\nsecond line",1,10,2,10\nB,x,10,2,10\n', 4, "events_treatment", "not a whole number"),
])
def test_every_problem_names_file_physical_line_column_and_rule(tmp_path, text, line, column, rule):
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as error:
        read_trials(path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message and rule in message
    assert f"line {line}" in message
    if column:
        assert f"column '{column}'" in message


@pytest.mark.parametrize("make, rule", [
    (lambda p: p / "missing.csv", "no such file"),
    (lambda p: p, "is a directory"),
    (lambda p: _write(p, ""), "the file is empty"),
    (lambda p: _write(p, HEADER + "Müller 2001,1,10,2,10\n", encoding="latin-1"), "not UTF-8"),
])
def test_unreadable_files_get_one_clear_line(tmp_path, make, rule):
    with pytest.raises(InputError, match=rule) as error:
        read_trials(make(tmp_path))
    if rule == "not UTF-8":
        assert "line 2" in str(error.value)


def test_all_problems_are_collected(tmp_path):
    with pytest.raises(InputError) as error:
        read_trials(_write(tmp_path, HEADER + "A,11,10,2,10\nB,1,10,x,10\n"))
    assert len(error.value.problems) == 2 and "and 1 more problem" in str(error.value)


def test_parse_arm():
    assert parse_arm("14/38") == (14, 38)
    for bad in ("14", "39/38", "a/b", "3/0"):
        with pytest.raises(ValueError):
            parse_arm(bad)


# --- control-arm priors and MAP priors -----------------------------------------------------------

def test_beta_control_prior_gives_the_conjugate_control_posterior():
    # With a nearly flat effect prior the control arm learns only from its own data: Beta(a + e, b + n - e).
    a, b, e, n = 2.0, 5.0, 7, 18
    log_prior = trial_grid.effect_prior_with_control(priors.normal_prior("flat", 0.0, 30.0), trial_grid.beta_control_prior(a, b))
    grid = trial_grid.posterior_grid(19, 36, e, n, log_prior, points=1200)
    assert grid.mean(grid.p_control) == pytest.approx((a + e) / (a + b + n), abs=2e-3)


def test_logit_normal_control_prior_is_the_control_anchored_baseline():
    effect = priors.weakly_informative_prior()
    ours = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior_with_control(effect, trial_grid.logit_normal_control_prior(0.0, 1.5)))
    anchored = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior(effect, trial_grid.BaselinePrior(1.5, anchor="control")))
    assert ours.prob_log_or_above(0.0) == pytest.approx(anchored.prob_log_or_above(0.0), abs=1e-12)


def test_arm_ess_of_a_normal_logit_prior_has_its_closed_form():
    # RBesT's own example (inst/examples/ess.R): the logit-scale twin of Beta(5, 15),
    #   prior_logit <- mixnorm(c(1, log(5 / 15), sqrt(1 / 5 + 1 / 15))); ess(prior_logit, family = binomial)
    # For N(m, s^2) the ELIR is E[1 / (p(1 - p))] / s^2 = (2 + 2 exp(s^2 / 2) cosh(m)) / s^2, about 21.8:
    # "slightly different" from the Beta's 20, as that example says, because of the change of scale.
    m, s2 = np.log(5 / 15), 1 / 5 + 1 / 15
    closed_form = (2 + 2 * np.exp(s2 / 2) * np.cosh(m)) / s2
    assert priors.ess_elir_logit(priors.normal_prior("n", m, np.sqrt(s2))) == pytest.approx(closed_form, rel=1e-6)
    assert 20 < closed_form < 23


def test_arm_ess_of_a_mixture_matches_monte_carlo():
    # An independent check of the quadrature: draws from the prior, the curvature of its log density
    # by central differences, each divided by one patient's information p(1 - p) at that log-odds.
    prior = priors.NormalMixturePrior("control MAP", (0.7, 0.3), (-1.2, -0.6), (0.3, 1.2))
    theta = prior.sample(200_000, np.random.default_rng(5))
    h = 1e-4
    curvature = -(prior.logpdf(theta + h) - 2 * prior.logpdf(theta) + prior.logpdf(theta - h)) / h**2
    ratio = curvature / (expit(theta) * expit(-theta))
    assert priors.ess_elir_logit(prior) == pytest.approx(ratio.mean(), abs=4 * ratio.std() / np.sqrt(len(ratio)))


def test_control_map_prior_predicts_the_control_rates():
    t = read_trials(BCG)
    built = predictive_prior.map_prior_from_trials(t.events_treatment, t.n_treatment, t.events_control, t.n_control,
                                                    parse_tau_prior("half-normal:1"), arm="control")
    logits = np.log(t.events_control / (t.n_control - t.events_control))
    assert built.scale == "control_logit" and built.k == 13
    assert abs(built.prior.quantile(0.5) - np.median(logits)) < 0.5  # centred among the historical control arms
    assert built.prior.quantile(0.025) < logits.min() and built.prior.quantile(0.975) > logits.max() - 0.5


def test_effect_map_prior_centres_on_the_pooled_odds_ratio():
    t = read_trials(BCG)
    built = predictive_prior.map_prior_from_trials(t.events_treatment, t.n_treatment, t.events_control, t.n_control,
                                                    parse_tau_prior("half-normal:0.5"))
    sizes = _bcg("or")
    fit = frequentist.random_effects(sizes.y, sizes.v, "DL")
    assert built.prior.quantile(0.5) == pytest.approx(fit.mu, abs=0.05)
    # its spread is the predictive one: wider than the pooled effect's, close to sqrt(tau^2 + se^2)
    assert built.prior.sd() == pytest.approx(np.sqrt(fit.tau2 + fit.se_mu**2), rel=0.25)


def test_tau_prior_parser():
    assert parse_tau_prior("half-cauchy:0.5").kind == "half_cauchy"
    for bad in ("half-normal", "normal:1", "half-normal:-1"):
        with pytest.raises(ValueError):
            parse_tau_prior(bad)


@pytest.mark.parametrize("arm", ["effect", "control"])
def test_map_prior_is_the_exact_predictive_distribution(arm):
    """The fitted mixture's quantiles against the exact predictive CDF of the normal-normal model
    (quadrature over tau) on the same log-odds: agreement within the Monte Carlo error of 40,000 draws."""
    from scipy.optimize import brentq

    from ipscompendium.general.exact import normal_normal_posterior

    t = read_trials(BCG).copy()
    if arm == "control":  # a control arm with no events gets 0.5 added to both of its cells
        t.loc[11, "events_control"] = 0
        e, n = t.events_control.to_numpy(float), t.n_control.to_numpy(float)
        add = np.where((e == 0) | (e == n), 0.5, 0.0)
        y, v = np.log((e + add) / (n - e + add)), 1 / (e + add) + 1 / (n - e + add)
    else:
        sizes = _bcg("or")
        y, v = sizes.y, sizes.v
    tau = parse_tau_prior("half-normal:1")
    built = predictive_prior.map_prior_from_trials(t.events_treatment, t.n_treatment, t.events_control, t.n_control, tau, arm=arm)
    post = normal_normal_posterior(y, np.sqrt(v), tau.logpdf, mu_prior_sd=10.0)
    for q in (0.025, 0.25, 0.5, 0.75, 0.975):
        exact_q = brentq(lambda x: post.predictive_cdf(x) - q, -20, 20)
        # a two-component mixture fits the centre closely and the far tails less so
        assert built.prior.quantile(q) == pytest.approx(exact_q, abs=0.04 if 0.1 < q < 0.9 else 0.1), q
    assert built.prior.name == "MAP" and built.k == 13 and built.prior.components == 2
    assert built.scale == ("log_or" if arm == "effect" else "control_logit")
    assert built.prior.rationale == (f"Predicted {built.scale} of a new trial from 13 trials (normal-normal, "
                                     f"{tau.name} prior on tau, exact).")
    again = predictive_prior.map_prior_from_trials(t.events_treatment, t.n_treatment, t.events_control, t.n_control, tau, arm=arm)
    assert again.prior == built.prior  # the default seed makes it reproducible
    with pytest.raises(ValueError, match="arm must be 'effect' or 'control'"):
        predictive_prior.map_prior_from_trials(t.events_treatment, t.n_treatment, t.events_control, t.n_control, tau, arm="both")


def test_control_map_prior_from_few_arms_uses_the_half_correction():
    """Three control arms, one with no events: the predictive distribution of a new control arm's
    log-odds, exact, with 0.5 added to both cells of the empty arm only."""
    from scipy.optimize import brentq

    from ipscompendium.general.exact import normal_normal_posterior

    e, n = np.array([0.0, 10.0, 12.0]), np.array([50.0, 50.0, 50.0])
    add = np.array([0.5, 0.0, 0.0])
    y, v = np.log((e + add) / (n - e + add)), 1 / (e + add) + 1 / (n - e + add)
    tau = parse_tau_prior("half-normal:0.5")
    built = predictive_prior.map_prior_from_trials([5, 5, 5], [50, 50, 50], e.astype(int), n.astype(int), tau, arm="control")
    post = normal_normal_posterior(y, np.sqrt(v), tau.logpdf, mu_prior_sd=10.0)
    for q in (0.25, 0.5, 0.75):
        assert built.prior.quantile(q) == pytest.approx(brentq(lambda x: post.predictive_cdf(x) - q, -20, 20), abs=0.03), q


def test_control_log_odds_with_the_half_correction_only_where_needed():
    y, v = predictive_prior.control_log_odds([0, 10, 50, 3], [50, 50, 50, 4])
    assert y == pytest.approx([np.log(0.5 / 50.5), np.log(10 / 40), np.log(50.5 / 0.5), np.log(3 / 1)])
    assert v == pytest.approx([1 / 0.5 + 1 / 50.5, 1 / 10 + 1 / 40, 1 / 50.5 + 1 / 0.5, 1 / 3 + 1])


def test_effect_map_prior_is_on_the_odds_ratio_scale_when_outcomes_are_common():
    """With common outcomes the log odds ratio and log risk ratio differ: the effect MAP prior must be
    the exact predictive distribution of the log odds ratio (the BCG trials, with rare events, cannot tell)."""
    from scipy.optimize import brentq

    from ipscompendium.general.exact import normal_normal_posterior

    et, nt, ec, nc = [30, 25, 40], [50, 50, 60], [15, 12, 20], [50, 48, 60]
    sizes = effect_sizes.effect_sizes(et, nt, ec, nc, "or")
    tau = parse_tau_prior("half-normal:0.5")
    built = predictive_prior.map_prior_from_trials(et, nt, ec, nc, tau)
    post = normal_normal_posterior(sizes.y, np.sqrt(sizes.v), tau.logpdf, mu_prior_sd=10.0)
    assert built.prior.quantile(0.5) == pytest.approx(brentq(lambda x: post.predictive_cdf(x) - 0.5, -20, 20), abs=0.03)
    rr = effect_sizes.effect_sizes(et, nt, ec, nc, "rr")
    assert abs(built.prior.quantile(0.5) - float(np.mean(rr.y))) > 0.2  # far from the log-RR scale


# metafor's dat.lau1992 (Lau et al. 1992, streptokinase after myocardial infarction): trial, ai, n1i, ci, n2i
LAU1992 = [('Fletcher', 1, 12, 4, 11), ('Dewar', 4, 21, 7, 21), ('European 1', 20, 83, 15, 84), ('European 2', 69, 373, 94, 357), ('Heikinheimo', 22, 219, 17, 207), ('Italian', 19, 164, 18, 157), ('Australian 1', 26, 264, 32, 253), ('Frankfurt 2', 13, 102, 29, 104), ('NHLBI SMIT', 7, 53, 3, 54), ('Frank', 6, 55, 6, 53), ('Valere', 11, 49, 9, 42), ('Klein', 4, 14, 1, 9), ('UK Collab', 38, 302, 40, 293), ('Austrian', 37, 352, 65, 376), ('Australian 2', 25, 123, 31, 107), ('Lasierra', 1, 13, 3, 11), ('N Ger Collab', 63, 249, 51, 234), ('Witchitz', 5, 32, 5, 26), ('European 3', 18, 156, 30, 159), ('ISAM', 54, 859, 63, 882), ('GISSI-1', 628, 5860, 758, 5852), ('Olson', 1, 28, 2, 24), ('Baroffio', 0, 29, 6, 30), ('Schreiber', 1, 19, 3, 19), ('Cribier', 1, 21, 1, 23), ('Sainsous', 3, 49, 6, 49), ('Durand', 3, 35, 4, 29), ('White', 2, 107, 12, 112), ('Bassand', 4, 52, 7, 55), ('Vlay', 1, 13, 2, 12), ('Kennedy', 12, 191, 17, 177), ('ISIS-2', 791, 8592, 1029, 8595), ('Wisenberg', 2, 41, 5, 25)]


def test_i2_follows_each_estimators_tau2_as_metafor():
    # R 4.2, metafor 3.8:
    #   dat <- escalc(measure="RD", ai=ai, n1i=n1i, ci=ci, n2i=n2i, data=dat.lau1992)
    #   rma(yi, vi, data=dat, method="REML")  # 0 (tau^2 = 0);  method="DL": tau2 0.000217693264, I2 30.378005776258
    ai, n1, ci, n2 = (np.array([row[i] for row in LAU1992]) for i in (1, 2, 3, 4))
    sizes = effect_sizes.effect_sizes(ai, n1, ci, n2, "rd")
    reml, dl = frequentist.random_effects(sizes.y, sizes.v, "REML"), frequentist.random_effects(sizes.y, sizes.v, "DL")
    assert reml.tau2 == pytest.approx(0.0, abs=1e-10) and reml.i2 == pytest.approx(0.0, abs=1e-9)
    assert dl.tau2 == pytest.approx(0.000217693264, rel=1e-7) and dl.i2 == pytest.approx(0.30378005776258, rel=1e-8)
    # dat.bcg: rma(yi, vi, method="REML", control=list(threshold=1e-12)) (metafor's default threshold, 1e-5, stops
    # earlier) on RR gives I2 92.221384521269; on RD tau2 0.001421403096, I2 99.940231861411
    y, v = _bcg("rr").y, _bcg("rr").v
    assert frequentist.random_effects(y, v, "REML").i2 == pytest.approx(0.92221384521269, rel=1e-7)
    y, v = _bcg("rd").y, _bcg("rd").v
    rd = frequentist.random_effects(y, v, "REML")
    assert rd.tau2 == pytest.approx(0.001421403096, rel=1e-6) and rd.i2 == pytest.approx(0.99940231861411, rel=1e-7)


def test_prediction_interval_with_the_normal_quantile_is_metafors():
    # predict(rma(yi, vi, data=escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg), method="DL"))
    #   pi.lb -1.8581537527, pi.ub 0.4299193086; method="REML", control=list(threshold=1e-12):
    #   -1.866692217903, 0.437627533587
    y, v = _bcg("rr").y, _bcg("rr").v
    for method, expected in (("DL", (-1.8581537527, 0.4299193086)), ("REML", (-1.866692217903, 0.437627533587))):
        fit = frequentist.random_effects(y, v, method, prediction_quantile="normal")
        assert (fit.prediction_low, fit.prediction_high) == pytest.approx(expected, abs=1e-7)
        assert fit.prediction_quantile == "normal"
        t_fit = frequentist.random_effects(y, v, method)
        assert t_fit.prediction_low < fit.prediction_low and t_fit.prediction_high > fit.prediction_high  # t is wider


def test_two_trials_pool_and_t_prediction_is_undefined():
    # rma(yi, vi, data=dat[1:2, ], method="DL") on dat.bcg's RR: -1.3250034422 (-2.0090088669 to -0.6409980176), tau2 0
    y, v = _bcg("rr").y, _bcg("rr").v
    fit = frequentist.random_effects(y[:2], v[:2], "DL")
    assert (fit.mu, fit.ci_low, fit.ci_high, fit.tau2) == pytest.approx((-1.3250034422, -2.0090088669, -0.6409980176, 0), abs=1e-8)
    assert np.isnan(fit.prediction_low) and np.isnan(fit.prediction_high)
    assert np.isfinite(frequentist.random_effects(y[:2], v[:2], "DL", prediction_quantile="normal").prediction_low)


# R 4.2, metafor 3.8: dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg), then
# r <- rma(yi, vi, data=dat, method=M, test=T, level=L, control=list(tol=1e-12, threshold=1e-12)) and
# c(r$beta, r$se, r$ci.lb, r$ci.ub, r$tau2, r$zval, r$pval); QE = 152.233008082373 for every call.
@pytest.mark.parametrize("method, test, level, expected", [
    ("EE", "z", 0.95, (-0.430285163654, 0.040498751711, -0.509661258426, -0.350909068882, 0.0, -10.624652501047)),
    ("PM", "z", 0.95, (-0.714968153493, 0.180892191538, -1.069510333992, -0.360425972995, 0.318068452205, -3.952454483613)),
    ("REML", "knha", 0.95, (-0.714532342158, 0.180791744093, -1.108443713686, -0.320620970631, 0.313243258136, -3.952239886525)),
    ("DL", "z", 0.90, (-0.714117222073, 0.178742089535, -1.008121796334, -0.420112647812, 0.308760262862, -3.995238188887)),
])
def test_estimators_tests_and_levels_match_metafor(method, test, level, expected):
    s = _bcg("rr")
    fit = frequentist.random_effects(s.y, s.v, method, level=level, test=test)
    got = (fit.mu, fit.se_mu, fit.ci_low, fit.ci_high, fit.tau2, fit.statistic)
    assert got == pytest.approx(expected, abs=2e-8)
    assert fit.q == pytest.approx(152.233008082373, rel=1e-12) and fit.test == test


def test_p_values_of_the_overall_effect_and_of_q():
    s = _bcg("rr")
    # metafor pval: DL 0.000064629243 (z), PM 0.000077353646 (z), REML with knha 0.001920015096 (t, 12 df)
    assert frequentist.random_effects(s.y, s.v, "DL").p_value == pytest.approx(0.000064629243, rel=1e-7)
    assert frequentist.random_effects(s.y, s.v, "PM").p_value == pytest.approx(0.000077353646, rel=1e-6)
    assert frequentist.random_effects(s.y, s.v, "REML", test="knha").p_value == pytest.approx(0.001920015096, rel=1e-7)
    from scipy.stats import chi2

    fit = frequentist.random_effects(s.y, s.v, "DL")
    assert fit.q_p_value == pytest.approx(chi2.sf(fit.q, fit.k - 1), rel=1e-12) and fit.q_p_value < 1e-20
    # metafor: rma(..., method="EE")$I2 is the Q-based 92.117346854562; PM's own is 92.330337954153
    assert frequentist.random_effects(s.y, s.v, "EE").i2 == pytest.approx(0.92117346854562, rel=1e-10)
    assert frequentist.random_effects(s.y, s.v, "PM").i2 == pytest.approx(0.92330337954153, rel=1e-8)
    with pytest.raises(ValueError, match="'z' or 'knha'"):
        frequentist.random_effects(s.y, s.v, "DL", test="t")
    with pytest.raises(ValueError, match="'DL', 'REML', 'PM' or 'EE'"):
        frequentist.random_effects(s.y, s.v, "ML")


def test_paule_mandel_is_zero_when_q_is_below_its_degrees_of_freedom():
    # three identical estimates: Q = 0 < 2, so tau^2 = 0 (metafor gives 0 as well)
    fit = frequentist.random_effects(np.zeros(3), np.array([0.1, 0.2, 0.3]), "PM")
    assert fit.tau2 == 0.0 and fit.i2 == 0.0


def test_leave_one_out_matches_metafors_leave1out():
    # l <- leave1out(rma(yi, vi, data=escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg), method="DL"))
    # rows 1, 2 and 8: estimate, se, ci.lb, ci.ub, Q, tau2, I2
    expected = {0: (-0.7051251984, 0.1842500675, -1.0662486948, -0.3440017021, 151.5825727471, 0.3121714990, 0.927432291189),
                1: (-0.6545158751, 0.1825383313, -1.0122844303, -0.2967473199, 145.3176076702, 0.2999745908, 0.924303735959),
                7: (-0.7900865999, 0.1630846384, -1.1097266176, -0.4704465822, 67.9858114991, 0.2108852326, 0.838201534152)}
    s = _bcg("rr")
    table = frequentist.leave_one_out(s.y, s.v, "DL").set_index("left_out")
    assert len(table) == 13
    for i, values in expected.items():
        row = table.loc[i]
        got = (row.estimate, row.se, row.ci_low, row.ci_high, row.q, row.tau2, row.i2)
        assert got == pytest.approx(values, abs=2e-9)
    with pytest.raises(ValueError, match="at least three"):
        frequentist.leave_one_out(s.y[:2], s.v[:2])


def test_cumulative_meta_analysis_matches_metafors_cumul():
    # c <- cumul(rma(..., method="DL"), order=dat$year): steps 1, 2, 3 and 13: estimate, ci.lb, ci.ub, tau2, I2
    s = _bcg("rr")
    years = np.array([int(name[-4:]) for name in read_trials(BCG)["study"]])  # dat.bcg$year, from the labels
    table = frequentist.cumulative(s.y, s.v, order=np.argsort(years, kind="stable"), method="DL")
    expected = {0: (-0.8893113339, -2.0076674791, 0.2290448112, 0.0, 0.0), 1: (-1.3250034422, -2.0090088669, -0.6409980176, 0.0, 0.0),
                2: (-0.9615353219, -1.4191887956, -0.5038818481, 0.0754398659, 0.372630039629),
                12: (-0.7141172221, -1.0644452801, -0.3637891641, 0.3087602629, 0.921173468546)}
    for step, values in expected.items():
        row = table.iloc[step]
        assert (row.estimate, row.ci_low, row.ci_high, row.tau2, row.i2) == pytest.approx(values, abs=2e-9)
    assert table["added"].tolist()[:4] == [0, 1, 5, 2] and table["k"].tolist() == list(range(1, 14))
    with pytest.raises(ValueError, match="every position once"):
        frequentist.cumulative(s.y, s.v, order=[0, 0, 1])


def test_t_prediction_interval_is_higgins_formula_and_exp_reports_every_limit():
    from scipy.stats import t as student

    s = _bcg("rr")
    fit = frequentist.random_effects(s.y, s.v, "DL")
    # Higgins, Thompson & Spiegelhalter (2009): mu +/- t_{k-2, 0.975} sqrt(tau^2 + se^2), here with scipy's t
    half = student.ppf(0.975, fit.k - 2) * np.sqrt(fit.tau2 + fit.se_mu**2)
    assert (fit.prediction_low, fit.prediction_high) == pytest.approx((fit.mu - half, fit.mu + half), rel=1e-12)
    assert fit.exp() == pytest.approx({"estimate": np.exp(fit.mu), "ci_low": np.exp(fit.ci_low), "ci_high": np.exp(fit.ci_high),
                                       "prediction_low": np.exp(fit.mu - half), "prediction_high": np.exp(fit.mu + half)})
    identical = frequentist.random_effects(np.zeros(3), np.array([0.1, 0.2, 0.3]), "EE")
    assert identical.q == 0 and identical.i2 == 0.0


def test_leave_one_out_and_cumulative_pass_on_level_and_test():
    s = _bcg("rr")
    loo = frequentist.leave_one_out(s.y, s.v, "REML", level=0.9, test="knha").iloc[3]
    direct = frequentist.random_effects(np.delete(s.y, 3), np.delete(s.v, 3), "REML", level=0.9, test="knha")
    assert (loo.ci_low, loo.ci_high, loo.p_value, loo.q_p_value) == pytest.approx(
        (direct.ci_low, direct.ci_high, direct.p_value, direct.q_p_value), rel=1e-12)
    cum = frequentist.cumulative(s.y, s.v, method="PM", level=0.9, test="knha").iloc[-1]
    whole = frequentist.random_effects(s.y, s.v, "PM", level=0.9, test="knha")
    assert (cum.ci_low, cum.ci_high, cum.tau2) == pytest.approx((whole.ci_low, whole.ci_high, whole.tau2), rel=1e-12)
    first = frequentist.cumulative(s.y, s.v, level=0.9).iloc[0]
    assert first.ci_high - first.estimate == pytest.approx(1.6448536269514722 * np.sqrt(s.v[0]), rel=1e-12)


@pytest.mark.parametrize("method, expected", [
    # g <- regtest(rma(yi, vi, data=escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg), method=M,
    #                  control=list(threshold=1e-12))); c(g$zval, g$pval, g$est, g$ci.lb, g$ci.ub)
    ("REML", (-0.8033291931, 0.4217844889, -0.5104318741, -1.1182239890, 0.0973602408)),
    ("DL", (-0.8379084405, 0.4020821280, -0.5063490387, -1.0950060263, 0.0823079488)),
])
def test_small_study_regression_test_matches_metafors_regtest(method, expected):
    s = _bcg("rr")
    test = frequentist.small_study_test(s.y, s.v, method)
    got = (test.statistic, test.p_value, test.limit_estimate, test.ci_low, test.ci_high)
    assert got == pytest.approx(expected, abs=1e-6)
    with pytest.raises(ValueError, match="at least three"):
        frequentist.small_study_test(s.y[:2], s.v[:2])


def test_peters_test_matches_metafors_regtest_on_the_inverse_sample_size():
    # dat <- escalc(measure="OR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
    # g <- regtest(rma(yi, vi, data=dat, method="REML"), model="lm", predictor="ninv")
    # c(g$zval, g$pval, g$est, g$ci.lb, g$ci.ub): -1.4773785862 0.1676238757 -0.3572681141 -0.7049984915 -0.0095377367 (11 df)
    t = read_trials(BCG)
    s = effect_sizes.effect_sizes(t.events_treatment, t.n_treatment, t.events_control, t.n_control, "or")
    test = frequentist.peters_test(s.y, s.v, t.n_treatment + t.n_control)
    got = (test.statistic, test.p_value, test.limit_estimate, test.ci_low, test.ci_high)
    assert got == pytest.approx((-1.4773785862, 0.1676238757, -0.3572681141, -0.7049984915, -0.0095377367), abs=1e-9)
    with pytest.raises(ValueError, match="at least three"):
        frequentist.peters_test(s.y[:2], s.v[:2], [10, 20])
