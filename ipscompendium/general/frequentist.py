"""Frequentist reference methods: the tests, intervals, sample sizes and pooled estimates the
publications report, so that the book reproduces them before re-analysing.

The random-effects estimators (DerSimonian-Laird, REML) are written out in a few lines of numpy
rather than imported from statsmodels and PyMARE, which take 1.4 s each to import and would keep
the command line's ``meta`` from answering in under two seconds; the tests check them against
both libraries and against metafor. The sample-size and power formulas are the textbook normal
approximations, written out because no library offers the unpooled-variance version some
protocols use (the book's IPS in Pain trial among them). Tests and intervals on single tables use scipy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import chdtrc, stdtr, stdtrit

from ipscompendium.general import normal
from ipscompendium.general.effect_sizes import two_by_two


def pearson_chi_square_p(events_treated: int, n_treated: int, events_control: int, n_control: int) -> float:
    """p-value of Pearson's chi-square test of a 2x2 table, without continuity correction."""
    table = two_by_two(events_treated, n_treated, events_control, n_control)
    from scipy import stats

    return float(stats.chi2_contingency(table, correction=False)[1])


def yates_chi_square_p(events_treated: int, n_treated: int, events_control: int, n_control: int) -> float:
    """p-value of the chi-square test with Yates' continuity correction."""
    table = two_by_two(events_treated, n_treated, events_control, n_control)
    from scipy import stats

    return float(stats.chi2_contingency(table, correction=True)[1])


def fisher_exact_p(events_treated: int, n_treated: int, events_control: int, n_control: int) -> float:
    """Two-sided p-value of Fisher's exact test."""
    from scipy import stats

    return float(stats.fisher_exact(two_by_two(events_treated, n_treated, events_control, n_control))[1])


def sample_size_two_proportions(p_control: float, p_treated: float, alpha: float = 0.05, power: float = 0.9) -> int:
    """Participants per group to detect p_treated vs p_control with a two-sided z-test.

    Normal approximation with unpooled variances under the alternative,
    n = (z_{1-alpha/2} + z_{power})^2 [p0(1-p0) + p1(1-p1)] / (p1-p0)^2, rounded up.
    """
    _check_probability(p_control, p_treated)
    z = normal.ppf(1 - alpha / 2) + normal.ppf(power)
    variance = p_control * (1 - p_control) + p_treated * (1 - p_treated)
    return int(np.ceil(z**2 * variance / (p_treated - p_control) ** 2))


def power_two_proportions(
    p_control: float, p_treated: float, n_control: float, n_treated: float, alpha: float = 0.05
) -> float:
    """Power of the two-sided z-test (unpooled variances) with the given arm sizes."""
    _check_probability(p_control, p_treated)
    se = np.sqrt(p_control * (1 - p_control) / n_control + p_treated * (1 - p_treated) / n_treated)
    z_crit = normal.ppf(1 - alpha / 2)
    shift = abs(p_treated - p_control) / se
    return float(normal.cdf(shift - z_crit) + normal.cdf(-shift - z_crit))


def _check_probability(*probabilities: float) -> None:
    for p in probabilities:
        if not 0 < p < 1:
            raise ValueError(f"probabilities must lie strictly between 0 and 1, got {p}")


@dataclass(frozen=True)
class RandomEffectsResult:
    """A random-effects pooled estimate on the log scale, with heterogeneity and prediction.

    ``prediction_low``/``prediction_high``: 95% prediction interval for the effect in a new
    trial, mu +/- q sqrt(tau^2 + se(mu)^2), with q the t quantile on k - 2 degrees of freedom
    (Higgins, Thompson & Spiegelhalter 2009; the default) or the normal quantile (metafor's
    ``predict.rma``), as ``prediction_quantile`` says.

    ``i2``: the share of the total variance that is between trials, tau^2 / (tau^2 + s^2), with
    s^2 the typical within-trial variance (Higgins & Thompson 2002), computed from each estimator's
    own tau^2 as metafor does; for DerSimonian-Laird it equals (Q - df) / Q.
    """

    method: str
    k: int
    mu: float
    se_mu: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float
    q: float
    prediction_low: float
    prediction_high: float
    prediction_quantile: str = "t"
    #: 'z' (normal quantiles) or 'knha' (Hartung-Knapp-Sidik-Jonkman: the standard error rescaled by
    #: the weighted residual variance, t quantiles on k - 1 degrees of freedom), as metafor's ``test``
    test: str = "z"
    #: the test of the overall effect: its statistic (z or t) and two-sided p-value
    statistic: float = float("nan")
    p_value: float = float("nan")

    @property
    def q_p_value(self) -> float:
        """Cochran's Q against chi-squared on k - 1 degrees of freedom (metafor's ``QEp``)."""
        return float(chdtrc(self.k - 1, self.q))

    @property
    def tau(self) -> float:
        return float(np.sqrt(self.tau2))

    def exp(self) -> dict[str, float]:
        """The pooled ratio, its CI and the prediction interval on the ratio scale."""
        return {
            "estimate": float(np.exp(self.mu)),
            "ci_low": float(np.exp(self.ci_low)),
            "ci_high": float(np.exp(self.ci_high)),
            "prediction_low": float(np.exp(self.prediction_low)),
            "prediction_high": float(np.exp(self.prediction_high)),
        }


def random_effects(y: np.ndarray, v: np.ndarray, method: str = "DL", level: float = 0.95,
                   prediction_quantile: str = "t", test: str = "z") -> RandomEffectsResult:
    """Random-effects meta-analysis of estimates ``y`` with sampling variances ``v``.

    Parameters
    ----------
    y, v : array_like
        Estimates (on the log scale for ratios) and their sampling variances.
    method : {'DL', 'REML', 'PM', 'EE'}
        DerSimonian-Laird, restricted maximum likelihood, Paule-Mandel, or the equal-effects
        (common-effect, "fixed-effect") model with tau^2 = 0; as metafor's ``rma(method=...)``
        (written here; the tests hold them to statsmodels, PyMARE and metafor).
    level : float
        Coverage of the confidence and prediction intervals.
    prediction_quantile : {'t', 'normal'}
        The prediction interval's quantile: t on k - 2 degrees of freedom (Higgins, Thompson &
        Spiegelhalter 2009) or normal (metafor's ``predict.rma``).
    test : {'z', 'knha'}
        The confidence interval and test of the pooled effect: normal, or Hartung-Knapp-Sidik-
        Jonkman (metafor's ``test="knha"``), which metafor recommends considering with few trials.

    Two estimates are enough to pool (as in metafor); the t-based prediction interval needs three
    (k - 2 degrees of freedom) and is NaN below that.
    """
    y, v = np.asarray(y, float), np.asarray(v, float)
    if y.shape != v.shape or y.ndim != 1 or len(y) < 2:
        raise ValueError("need at least two estimates and one variance per estimate")
    if np.any(v <= 0):
        raise ValueError("sampling variances must be positive")
    w = 1 / v
    q = float(np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2))  # Cochran's Q: the same for every estimator
    if method == "DL":
        tau2 = max(0.0, (q - (len(y) - 1)) / (np.sum(w) - np.sum(w**2) / np.sum(w)))
    elif method == "REML":
        tau2 = _reml_tau2(y, v)
    elif method == "PM":
        tau2 = _paule_mandel_tau2(y, v)
    elif method == "EE":
        tau2 = 0.0
    else:
        raise ValueError(f"unknown method {method!r}; use 'DL', 'REML', 'PM' or 'EE'")
    if test not in ("z", "knha"):
        raise ValueError(f"unknown test {test!r}; use 'z' or 'knha'")
    # metafor's I^2: the estimator's own tau^2 against the typical within-trial variance
    typical_variance = (len(y) - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2))
    i2 = tau2 / (tau2 + typical_variance)
    if method == "EE":  # no tau^2 is estimated: metafor reports the Q-based I^2, (Q - df) / Q
        i2 = max(0.0, (q - (len(y) - 1)) / q) if q > 0 else 0.0
    weights = 1 / (v + tau2)
    mu = float(np.sum(weights * y) / np.sum(weights))
    se_mu = float(np.sqrt(1 / np.sum(weights)))
    k = len(y)
    if test == "knha":
        # the weighted residual variance rescales the standard error; t on k - 1 degrees of freedom
        se_mu *= float(np.sqrt(np.sum(weights * (y - mu) ** 2) / (k - 1)))
        quantile = stdtrit(k - 1, 0.5 + level / 2)
        statistic = mu / se_mu
        p_value = float(2 * stdtr(k - 1, -abs(statistic)))
    else:
        quantile = normal.ppf(0.5 + level / 2)
        statistic = mu / se_mu
        p_value = float(2 * normal.cdf(-abs(statistic)))
    low, high = _prediction_limits(mu, se_mu, tau2, k, prediction_quantile, level)
    return RandomEffectsResult(
        method=method, k=k, mu=mu, se_mu=se_mu, ci_low=mu - quantile * se_mu, ci_high=mu + quantile * se_mu,
        tau2=float(tau2), i2=float(i2), q=q, prediction_low=low, prediction_high=high, prediction_quantile=prediction_quantile,
        test=test, statistic=float(statistic), p_value=p_value,
    )


def _reml_tau2(y: np.ndarray, v: np.ndarray) -> float:
    """tau^2 maximising the restricted likelihood, on [0, 100 var(y) + 10 max(v)] (Viechtbauer 2005)."""
    from scipy.optimize import minimize_scalar

    def negative_restricted_loglik(tau2: float) -> float:
        w = 1 / (v + tau2)
        mu = np.sum(w * y) / np.sum(w)
        return 0.5 * (np.sum(np.log(v + tau2)) + np.log(np.sum(w)) + np.sum(w * (y - mu) ** 2))

    upper = 100 * float(np.var(y)) + 10 * float(np.max(v))
    best = minimize_scalar(negative_restricted_loglik, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-12})
    return 0.0 if negative_restricted_loglik(0.0) <= best.fun else float(best.x)


def _paule_mandel_tau2(y: np.ndarray, v: np.ndarray) -> float:
    """tau^2 at which the generalised Q statistic equals its expectation, k - 1 (Paule & Mandel 1982);
    0 when Q is below k - 1 already."""
    from scipy.optimize import brentq

    def excess(tau2: float) -> float:
        w = 1 / (v + tau2)
        mu = np.sum(w * y) / np.sum(w)
        return float(np.sum(w * (y - mu) ** 2) - (len(y) - 1))

    if excess(0.0) <= 0:
        return 0.0
    upper = 100 * float(np.var(y)) + 10 * float(np.max(v))
    while excess(upper) > 0:
        upper *= 10
    return float(brentq(excess, 0.0, upper, xtol=1e-14, rtol=1e-14))


def _prediction_limits(mu: float, se_mu: float, tau2: float, k: int, quantile: str, level: float) -> tuple[float, float]:
    if quantile == "t":
        factor = stdtrit(k - 2, 0.5 + level / 2)
    elif quantile == "normal":
        factor = normal.ppf(0.5 + level / 2)
    else:
        raise ValueError(f"quantile must be 't' or 'normal', got {quantile!r}")
    half = factor * np.sqrt(tau2 + se_mu**2)
    return float(mu - half), float(mu + half)


def prediction_interval(result: RandomEffectsResult, quantile: str = "t", level: float = 0.95) -> tuple[float, float]:
    """Prediction interval on the log scale: 't' with k - 2 degrees of freedom (Higgins, Thompson &
    Spiegelhalter 2009, the book's choice) or 'normal' (metafor's ``predict.rma`` default)."""
    return _prediction_limits(result.mu, result.se_mu, result.tau2, result.k, quantile, level)


@dataclass(frozen=True)
class MetaRegressionResult:
    """A mixed-effects meta-regression: y_i ~ N(x_i' beta, v_i + tau^2), on the log scale."""

    method: str
    names: tuple[str, ...]  # "intercept", then the moderators
    coef: np.ndarray
    se: np.ndarray
    tau2: float  # the residual heterogeneity
    qm: float  # Wald test of all moderators (chi-square with len(names) - 1 df)
    qm_p: float
    r2: float  # share of the heterogeneity the moderators account for (metafor's pseudo-R^2), 0 to 1


def meta_regression(y: np.ndarray, v: np.ndarray, moderators: np.ndarray, names: tuple[str, ...] | list[str],
                    method: str = "REML") -> MetaRegressionResult:
    """Mixed-effects meta-regression on ``moderators`` (k x m, without the intercept column), as
    metafor's ``rma(yi, vi, mods = ~ ..., method = "REML" | "DL" | "EE")``: REML maximises the
    restricted likelihood over tau^2; DL is the generalised method-of-moments estimator on the
    residual Q; EE fixes tau^2 at 0.
    """
    from scipy.optimize import minimize_scalar
    from scipy.special import chdtrc

    y, v = np.asarray(y, float), np.asarray(v, float)
    X = np.column_stack([np.ones(len(y)), np.asarray(moderators, float).reshape(len(y), -1)])
    k, p = X.shape
    if k <= p:
        raise ValueError(f"{k} trials cannot estimate {p} coefficients and the heterogeneity")

    def fit(tau2: float):
        w = 1 / (v + tau2)
        xtwx = X.T @ (w[:, None] * X)
        cov = np.linalg.inv(xtwx)
        beta = cov @ (X.T @ (w * y))
        resid = y - X @ beta
        return beta, cov, float(np.sum(w * resid**2)), w, xtwx

    if method == "DL":
        _, _, q_e, w, xtwx = fit(0.0)
        trace = np.sum(w) - np.trace(np.linalg.inv(xtwx) @ (X.T @ ((w**2)[:, None] * X)))
        tau2 = max(0.0, (q_e - (k - p)) / trace)
    elif method == "REML":
        def negative_restricted_loglik(tau2: float) -> float:
            _, _, q, w, xtwx = fit(tau2)
            return 0.5 * (np.sum(np.log(v + tau2)) + np.linalg.slogdet(xtwx)[1] + q)

        upper = 100 * float(np.var(y)) + 10 * float(np.max(v))
        best = minimize_scalar(negative_restricted_loglik, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-12})
        tau2 = 0.0 if negative_restricted_loglik(0.0) <= best.fun else float(best.x)
    elif method == "EE":  # the fixed-effects (weighted least squares) regression, metafor's method = "EE"
        tau2 = 0.0
    else:
        raise ValueError(f"unknown method {method!r}; use 'DL', 'REML' or 'EE'")
    beta, cov, _, _, _ = fit(tau2)
    slopes = beta[1:]
    qm = float(slopes @ np.linalg.solve(cov[1:, 1:], slopes))
    without = random_effects(y, v, method).tau2
    r2 = 0.0 if without <= 0 else max(0.0, (without - tau2) / without)
    return MetaRegressionResult(method, ("intercept", *names), beta, np.sqrt(np.diag(cov)), float(tau2), qm,
                                float(chdtrc(p - 1, qm)), float(r2))


@dataclass(frozen=True)
class SubgroupDifference:
    """Cochran's Q between subgroup estimates, each pooled on its own (its own tau^2)."""

    q: float
    df: int
    p_value: float


def subgroup_difference(estimates: np.ndarray, standard_errors: np.ndarray) -> SubgroupDifference:
    """The test for subgroup differences of RevMan and of Borenstein et al. (2009, ch. 19): a
    fixed-effect Q over the subgroups' pooled estimates. metafor gives the same as the
    heterogeneity test of ``rma(estimates, sei = standard_errors, method = "FE")``.
    """
    from scipy.special import chdtrc

    y, se = np.asarray(estimates, float), np.asarray(standard_errors, float)
    if len(y) < 2:
        raise ValueError("a test of subgroup differences needs at least two subgroups")
    w = 1 / se**2
    q = float(np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2))
    return SubgroupDifference(q, len(y) - 1, float(chdtrc(len(y) - 1, q)))


def dersimonian_laird_check(y: np.ndarray, v: np.ndarray) -> float:
    """tau^2 by DerSimonian-Laird from PyMARE, to cross-check statsmodels in the tests."""
    from pymare import Dataset
    from pymare.estimators import DerSimonianLaird

    result = DerSimonianLaird().fit_dataset(Dataset(y=np.asarray(y, float), v=np.asarray(v, float)))
    return float(np.ravel(result.summary().tau2)[0])


def leave_one_out(y: np.ndarray, v: np.ndarray, method: str = "DL", level: float = 0.95, test: str = "z"):
    """The pooled estimate with each trial left out in turn (metafor's ``leave1out``).

    Returns a DataFrame with one row per left-out trial (in the input order): ``left_out`` (its
    position), ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p_value``, ``q``, ``q_p_value``,
    ``tau2``, ``i2``; on the scale of ``y``.
    """
    import pandas as pd

    y, v = np.asarray(y, float), np.asarray(v, float)
    if len(y) < 3:
        raise ValueError("leaving one out needs at least three estimates, so that two remain")
    rows = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        fit = random_effects(y[keep], v[keep], method, level, test=test)
        rows.append({"left_out": i, "estimate": fit.mu, "se": fit.se_mu, "ci_low": fit.ci_low, "ci_high": fit.ci_high,
                     "p_value": fit.p_value, "q": fit.q, "q_p_value": fit.q_p_value, "tau2": fit.tau2, "i2": fit.i2})
    return pd.DataFrame(rows)


def cumulative(y: np.ndarray, v: np.ndarray, order=None, method: str = "DL", level: float = 0.95, test: str = "z"):
    """Cumulative meta-analysis (metafor's ``cumul``): the pooled estimate as trials are added in
    ``order`` (positions, e.g. by year; default the input order).

    Returns a DataFrame with one row per step: ``added`` (the position of the trial added), ``k``,
    ``estimate``, ``ci_low``, ``ci_high``, ``tau2``, ``i2``. The first step is the first trial alone,
    with its own normal interval.
    """
    import pandas as pd

    y, v = np.asarray(y, float), np.asarray(v, float)
    order = np.arange(len(y)) if order is None else np.asarray(order)
    if sorted(order.tolist()) != list(range(len(y))):
        raise ValueError("order must list every position once")
    z = normal.ppf(0.5 + level / 2)
    first = order[0]
    rows = [{"added": int(first), "k": 1, "estimate": float(y[first]), "ci_low": float(y[first] - z * np.sqrt(v[first])),
             "ci_high": float(y[first] + z * np.sqrt(v[first])), "tau2": 0.0, "i2": 0.0}]
    for step in range(2, len(y) + 1):
        part = order[:step]
        fit = random_effects(y[part], v[part], method, level, test=test)
        rows.append({"added": int(order[step - 1]), "k": step, "estimate": fit.mu, "ci_low": fit.ci_low,
                     "ci_high": fit.ci_high, "tau2": fit.tau2, "i2": fit.i2})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class SmallStudyTest:
    """The regression test for funnel-plot asymmetry (metafor's ``regtest``, Egger's test in its
    random-effects form): the effects regressed on their standard errors.

    ``statistic`` and ``p_value``: the z-test of the slope; ``limit_estimate`` with ``ci_low`` and
    ``ci_high``: the intercept, the effect a trial of infinite size would show.
    """

    method: str
    slope: float
    statistic: float
    p_value: float
    limit_estimate: float
    ci_low: float
    ci_high: float


def small_study_test(y: np.ndarray, v: np.ndarray, method: str = "REML", level: float = 0.95) -> SmallStudyTest:
    """Egger's regression test as metafor's ``regtest(rma(yi, vi, method=method))``: a mixed-effects
    meta-regression of the effects on their standard errors, z-test of the slope.

    Few trials give it little power: a large p-value is not evidence that there is no asymmetry.
    """
    y, v = np.asarray(y, float), np.asarray(v, float)
    if len(y) < 3:
        raise ValueError("the regression test needs at least three trials")
    fit = meta_regression(y, v, np.sqrt(v)[:, None], ["sei"], method)
    statistic = float(fit.coef[1] / fit.se[1])
    z = normal.ppf(0.5 + level / 2)
    return SmallStudyTest(method=method, slope=float(fit.coef[1]), statistic=statistic,
                          p_value=float(2 * normal.cdf(-abs(statistic))), limit_estimate=float(fit.coef[0]),
                          ci_low=float(fit.coef[0] - z * fit.se[0]), ci_high=float(fit.coef[0] + z * fit.se[0]))


def peters_test(y: np.ndarray, v: np.ndarray, n_total: np.ndarray, level: float = 0.95) -> SmallStudyTest:
    """Peters' test for small-study effects in binary outcomes (Peters et al. 2006), as metafor's
    ``regtest(x, model="lm", predictor="ninv")``: weighted least squares of the log odds ratios on
    1 / (total sample size), weights 1 / v, t-test of the slope on k - 2 degrees of freedom.

    Unlike Egger's test it does not regress an effect on its own standard error, which for odds
    ratios is correlated with the effect itself.
    """
    y, v, n_total = (np.asarray(a, float) for a in (y, v, n_total))
    k = len(y)
    if k < 3:
        raise ValueError("Peters' test needs at least three trials")
    X = np.column_stack([np.ones(k), 1 / n_total])
    w = 1 / v
    xtwx_inv = np.linalg.inv(X.T @ (w[:, None] * X))
    beta = xtwx_inv @ (X.T @ (w * y))
    residual_variance = float(np.sum(w * (y - X @ beta) ** 2) / (k - 2))
    se = np.sqrt(np.diag(xtwx_inv) * residual_variance)
    statistic = float(beta[1] / se[1])
    quantile = stdtrit(k - 2, 0.5 + level / 2)
    return SmallStudyTest(method="Peters (weighted least squares on 1/n)", slope=float(beta[1]), statistic=statistic,
                          p_value=float(2 * stdtr(k - 2, -abs(statistic))), limit_estimate=float(beta[0]),
                          ci_low=float(beta[0] - quantile * se[0]), ci_high=float(beta[0] + quantile * se[0]))


def _common_effect(method: str, mu: float, se_mu: float, y: np.ndarray, v: np.ndarray, level: float,
                   q: float | None = None) -> RandomEffectsResult:
    """A common-effect result with Cochran's Q of the per-trial effects ``y`` (variances ``v``)
    around ``mu`` (or the ``q`` given), and I^2 = (Q - df) / Q, as metafor's ``rma.mh`` and
    ``rma.peto`` report them."""
    k = len(y)
    if q is None:
        q = float(max(0.0, np.sum((y - mu) ** 2 / v))) if k > 1 else 0.0
    i2 = max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
    z = normal.ppf(0.5 + level / 2)
    statistic = mu / se_mu
    return RandomEffectsResult(method=method, k=k, mu=float(mu), se_mu=float(se_mu), ci_low=float(mu - z * se_mu),
                               ci_high=float(mu + z * se_mu), tau2=0.0, i2=float(i2), q=q, prediction_low=float("nan"),
                               prediction_high=float("nan"), prediction_quantile="none", test="z", statistic=float(statistic),
                               p_value=float(2 * normal.cdf(-abs(statistic))))


def mantel_haenszel(events_treated, n_treated, events_control, n_control, measure: str = "or",
                    level: float = 0.95) -> RandomEffectsResult:
    """The Mantel-Haenszel common-effect estimate, as metafor's ``rma.mh`` with its defaults.

    The pooled odds ratio, risk ratio or risk difference from the uncorrected counts of every
    trial (double-zero trials add nothing to a ratio), with the variance of Robins, Breslow &
    Greenland (1986) for the log odds ratio, of Greenland & Robins (1985) for the log risk ratio
    and of Sato, Greenland & Robins (1989) for the risk difference. Cochran's Q and I^2 are those
    of the per-trial effects (``escalc``'s, with 0.5 added to trials with a zero cell and
    double-zero trials left out of the ratios) around the MH estimate.
    """
    from ipscompendium.general.effect_sizes import effect_sizes

    a, n1, c, n2 = (np.asarray(x, float) for x in (events_treated, n_treated, events_control, n_control))
    b, d, n = n1 - a, n2 - c, n1 + n2
    if measure == "or":
        r, s = a * d / n, b * c / n
        if r.sum() == 0 or s.sum() == 0:
            raise ValueError("the Mantel-Haenszel odds ratio is not defined: no trial has events in one arm and not the other")
        p, q = (a + d) / n, (b + c) / n
        R, S = r.sum(), s.sum()
        mu = np.log(R / S)
        se = np.sqrt(0.5 * (np.sum(p * r) / R**2 + np.sum(p * s + q * r) / (R * S) + np.sum(q * s) / S**2))
    elif measure == "rr":
        R, S = np.sum(a * n2 / n), np.sum(c * n1 / n)
        if a.sum() == 0 or c.sum() == 0:
            raise ValueError("the Mantel-Haenszel risk ratio is not defined: one arm has no events in any trial")
        mu = np.log(R / S)
        se = np.sqrt(np.sum(n1 / n * n2 / n * (a + c) - a / n * c) / (R * S))
    elif measure == "rd":
        weight = np.sum(n1 * n2 / n)
        mu = np.sum(a * n2 / n - c * n1 / n) / weight
        se = np.sqrt((mu * np.sum(c * (n1 / n) ** 2 - a * (n2 / n) ** 2 + n1 / n * n2 / n * (n2 - n1) / 2)
                      + np.sum(a * (n2 - c) / n + c * (n1 - a) / n) / 2) / weight**2)
    else:
        raise ValueError(f"Mantel-Haenszel pools 'or', 'rr' or 'rd', got {measure!r}")
    sizes = effect_sizes(a, n1, c, n2, measure)
    informative = ~sizes.double_zero[sizes.used]  # rma.mh leaves double-zero trials out of Q for every measure
    return _common_effect("MH", float(mu), float(se), sizes.y[informative], sizes.v[informative], level)


def peto(events_treated, n_treated, events_control, n_control, level: float = 0.95) -> RandomEffectsResult:
    """Peto's one-step odds ratio, as metafor's ``rma.peto``: sum(O - E) / sum(V) on the log
    scale with variance 1 / sum(V), and Q = sum((O - E)^2 / V) - sum(O - E)^2 / sum(V), all from
    the uncorrected counts; the degrees of freedom count the trials with a per-trial Peto odds
    ratio (0.5 added to every cell of a trial with a zero cell, double-zero trials left out).

    Peto's method is biased when arms are unbalanced or effects are large (Cochrane Handbook
    10.4.4.2); it is offered for rare events, where it does best.
    """
    a, n1, c, n2 = (np.asarray(x, float) for x in (events_treated, n_treated, events_control, n_control))

    def observed_minus_expected(a, n1, c, n2):
        n, events = n1 + n2, a + c
        expected = events * n1 / n
        variance = events * (n - events) * (n1 / n) * (n2 / n) / (n - 1)
        return a - expected, variance

    o_e, variance = observed_minus_expected(a, n1, c, n2)
    if variance.sum() == 0:
        raise ValueError("Peto's odds ratio is not defined: no trial has both events and non-events")
    mu, se = o_e.sum() / variance.sum(), np.sqrt(1 / variance.sum())
    # the per-trial odds ratios behind Q, with metafor's zero-cell correction (escalc "PETO")
    b, d = n1 - a, n2 - c
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    keep = ~(((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
    ac, bc, cc, dc = (x + 0.5 * zero for x in (a, b, c, d))
    o_e_i, variance_i = observed_minus_expected(ac, ac + bc, cc, cc + dc)
    informative = variance > 0
    q = float(max(0.0, np.sum(o_e[informative] ** 2 / variance[informative]) - o_e.sum() ** 2 / variance.sum()))
    return _common_effect("PETO", float(mu), float(se), (o_e_i / variance_i)[keep], (1 / variance_i)[keep], level, q=q)


@dataclass(frozen=True)
class TrimAndFill:
    """Duval & Tweedie's trim-and-fill, as metafor's ``trimfill`` (estimator L0).

    ``k0``: trials estimated missing, on ``side`` ('left' or 'right' of the pooled effect);
    ``filled_y`` and ``filled_v``: the mirrored trials added; ``fit``: the analysis with them.
    A sensitivity analysis, not a correction: it assumes that asymmetry is publication bias.
    """

    k0: int
    side: str
    filled_y: np.ndarray
    filled_v: np.ndarray
    fit: RandomEffectsResult


def trim_and_fill(y: np.ndarray, v: np.ndarray, method: str = "REML", side: str | None = None, level: float = 0.95,
                  max_iterations: int = 100) -> TrimAndFill:
    """Trim-and-fill (Duval & Tweedie 2000) with the L0 estimator, as metafor's ``trimfill(rma(yi, vi,
    method=method))``: the side of the missing trials from the sign of Egger's slope (unless given),
    trials trimmed from the other side until the number missing settles, then their mirror images
    about the trimmed estimate filled in and the whole pooled again."""
    y, v = np.asarray(y, float), np.asarray(v, float)
    if len(y) < 3:
        raise ValueError("trim-and-fill needs at least three trials")
    if side is None:
        slope = meta_regression(y, v, np.sqrt(v)[:, None], ["sei"], method).coef[1]
        side = "right" if slope < 0 else "left"
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    flip = -1.0 if side == "right" else 1.0  # work as if the missing trials were on the left
    order = np.argsort(flip * y, kind="stable")
    ys, vs = flip * y[order], v[order]
    k = len(ys)
    k0, previous, beta = 0, -1, 0.0
    for _ in range(max_iterations):
        if k0 == previous:
            break
        previous = k0
        beta = random_effects(ys[: k - k0], vs[: k - k0], method).mu
        centred = ys - beta
        ranks = np.empty(k)
        ranks[np.argsort(np.abs(centred), kind="stable")] = np.arange(1, k + 1)
        positive_rank_sum = float(np.sum(ranks[centred > 0]))
        # at most k - 2 trimmed, so that two remain to pool (metafor pools one; this package needs two)
        k0 = min(k - 2, max(0, int(np.round((4 * positive_rank_sum - k * (k + 1)) / (2 * k - 1)))))
    else:
        raise RuntimeError("trim-and-fill did not settle on a number of missing trials")
    if k0 == 0:
        return TrimAndFill(0, side, np.array([]), np.array([]), random_effects(y, v, method, level))
    filled_y = flip * (2 * beta - ys[k - k0:])
    filled_v = vs[k - k0:]
    fit = random_effects(np.concatenate([y, filled_y]), np.concatenate([v, filled_v]), method, level)
    return TrimAndFill(k0, side, filled_y, filled_v, fit)


def influence(y: np.ndarray, v: np.ndarray, method: str = "REML"):
    """Case-deletion diagnostics of a random-effects model, as metafor's ``influence(rma(yi, vi,
    method=method))`` (Viechtbauer & Cheung 2010), one row per trial: ``rstudent`` (the trial's
    deviation from the others' prediction, standardised), ``dffits``, ``cook_d``, ``cov_r``,
    ``tau2_del`` and ``q_del`` (tau^2 and Q without it), ``hat``, ``weight`` (percent), ``dfbetas``,
    and ``influential``, metafor's flag (abs(dffits) > 3 sqrt(1/(k-1)), Cook's distance beyond the
    median of chi-squared on 1 df, hat > 3/k, or abs(dfbetas) > 1).
    """
    import pandas as pd
    from scipy.special import chdtr  # the chi-squared distribution function, without scipy.stats' import time

    y, v = np.asarray(y, float), np.asarray(v, float)
    k = len(y)
    if k < 3:
        raise ValueError("influence diagnostics need at least three trials")
    full = random_effects(y, v, method)
    w = 1 / (v + full.tau2)
    hat = w / w.sum()
    rows = []
    for i in range(k):
        keep = np.arange(k) != i
        fit = random_effects(y[keep], v[keep], method)
        change = full.mu - fit.mu
        se_all_with_deleted_tau2 = np.sqrt(1 / np.sum(1 / (v + fit.tau2)))
        rows.append({"rstudent": (y[i] - fit.mu) / np.sqrt(v[i] + fit.se_mu**2 + fit.tau2),
                     "dffits": change / np.sqrt(hat[i] * (fit.tau2 + v[i])), "cook_d": change**2 / full.se_mu**2,
                     "cov_r": fit.se_mu**2 / full.se_mu**2, "tau2_del": fit.tau2, "q_del": fit.q, "hat": hat[i],
                     "weight": 100 * hat[i], "dfbetas": change / se_all_with_deleted_tau2})
    table = pd.DataFrame(rows)
    table["influential"] = ((table["dffits"].abs() > 3 * np.sqrt(1 / (k - 1))) | (chdtr(1, table["cook_d"]) > 0.5)
                            | (table["hat"] > 3 / k) | (table["dfbetas"].abs() > 1))
    return table
