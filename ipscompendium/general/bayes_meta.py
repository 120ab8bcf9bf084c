"""Bayesian random-effects meta-analysis of two-arm trials, as PyMC models, with their summaries.

Estimands (named as in bayesmeta and metafor):

- ``mu``: the pooled effect, the mean of the trial-specific effects (log scale);
- ``tau``: the heterogeneity, the standard deviation of the trial-specific effects;
- ``theta_new``: the effect in a new trial, mu + tau * z with z ~ N(0, 1) (the prediction);
- ``theta``: the shrunken trial-specific effects.

The binomial-normal model reads a trial table with the general columns
(:mod:`~ipscompendium.general.trial_table`); the normal-normal model reads effects and standard
errors. The same normal-normal posterior is computed without sampling in
:mod:`~ipscompendium.general.exact`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm

from ipscompendium.general.tau_priors import TauPrior

#: Prior SD of the pooled log effect: 95% of the mass between ratios 1/50 and 50.
MU_PRIOR_SD = 2.0
#: Prior SD of each trial's control log-odds in the binomial-normal model.
BASELINE_PRIOR_SD = 2.0


def binomial_normal_model(
    trials: pd.DataFrame, tau_prior: TauPrior, mu_prior_sd: float = MU_PRIOR_SD, baseline_sd: float = BASELINE_PRIOR_SD,
    reference_control_risk: float | None = None,
) -> pm.Model:
    """Arm-level binomial likelihood, trial-specific baselines, normal random effects on the log-OR.

    ``trials`` has the general columns ``study, events_treatment, n_treatment, events_control,
    n_control``; trials with zero events in an arm, or in both arms, are used as they are.

    The risk ratio is reported at ``reference_control_risk`` (default: the median observed
    control risk), RR = expit(logit(p_ref) + mu) / p_ref, and for a new trial with theta_new.
    """
    coords = {"trial": trials["study"].astype(str).tolist()}
    p_ref = reference_control_risk or float(np.median(trials["events_control"] / trials["n_control"]))
    with pm.Model(coords=coords) as model:
        baseline = pm.Normal("baseline_logit", 0.0, baseline_sd, dims="trial")
        mu = pm.Normal("mu", 0.0, mu_prior_sd)
        tau = tau_prior.to_pymc("tau")
        z = pm.Normal("z", 0.0, 1.0, dims="trial")
        theta = pm.Deterministic("theta", mu + tau * z, dims="trial")
        z_new = pm.Normal("z_new", 0.0, 1.0)
        theta_new = pm.Deterministic("theta_new", mu + tau * z_new)
        logit_ref = float(np.log(p_ref / (1 - p_ref)))
        pm.Deterministic("pooled_or", pm.math.exp(mu))
        pm.Deterministic("pooled_rr", pm.math.invlogit(logit_ref + mu) / p_ref)
        pm.Deterministic("new_trial_rr", pm.math.invlogit(logit_ref + theta_new) / p_ref)
        pm.Binomial("events_control", n=trials["n_control"].to_numpy(int), p=pm.math.invlogit(baseline),
                    observed=trials["events_control"].to_numpy(int), dims="trial")
        pm.Binomial("events_treatment", n=trials["n_treatment"].to_numpy(int), p=pm.math.invlogit(baseline + theta),
                    observed=trials["events_treatment"].to_numpy(int), dims="trial")
    model.reference_control_risk = p_ref
    return model


def normal_normal_model(
    y: np.ndarray, se: np.ndarray, tau_prior: TauPrior, labels: list[str] | None = None,
    mu_prior_sd: float = MU_PRIOR_SD, covariates: pd.DataFrame | None = None, slope_prior_sd: float = 0.5,
) -> pm.Model:
    """Normal likelihood of the observed log effects; optional meta-regression on ``covariates``.

    With covariates (standardised by the caller), theta_i = mu + x_i' beta + tau z_i, and tau
    is the residual heterogeneity; mu is then the effect at the covariates' mean.
    """
    y, se = np.asarray(y, float), np.asarray(se, float)
    coords = {"trial": labels or [f"trial {i + 1}" for i in range(len(y))]}
    if covariates is not None:
        coords["covariate"] = list(covariates.columns)
    with pm.Model(coords=coords) as model:
        mu = pm.Normal("mu", 0.0, mu_prior_sd)
        tau = tau_prior.to_pymc("tau")
        z = pm.Normal("z", 0.0, 1.0, dims="trial")
        linear = mu
        if covariates is not None:
            beta = pm.Normal("beta", 0.0, slope_prior_sd, dims="covariate")
            linear = mu + pm.math.dot(covariates.to_numpy(float), beta)
        theta = pm.Deterministic("theta", linear + tau * z, dims="trial")
        z_new = pm.Normal("z_new", 0.0, 1.0)
        pm.Deterministic("theta_new", mu + tau * z_new)
        pm.Normal("y", mu=theta, sigma=se, observed=y, dims="trial")
    return model


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    low, median, high = np.quantile(values, [0.025, 0.5, 0.975])
    return float(median), float(low), float(high)


def ratio_summary(log_ratio_draws: np.ndarray, prefix: str, thresholds: tuple[float, ...] = (1.0, 1.5, 2.0)) -> dict[str, float]:
    """Median and 95% interval of exp(draws), and P(ratio > t) for each threshold."""
    ratio = np.exp(np.asarray(log_ratio_draws, float))
    median, low, high = _interval(ratio)
    out = {f"{prefix}_median": median, f"{prefix}_low": low, f"{prefix}_high": high}
    for t in thresholds:
        out[f"P({prefix} > {t:g})"] = float(np.mean(ratio > t))
    return out


def meta_summary(idata, log_rr_draws: np.ndarray | None = None, log_rr_new: np.ndarray | None = None) -> dict[str, float]:
    """The book's estimands from a meta-analysis fit.

    For the binomial-normal model, pass nothing: the pooled RR and the new-trial RR are read
    from its deterministics. For the normal-normal model on log RR, mu and theta_new are
    already log RRs.
    """
    from ipscompendium.general.sampling import draws_of

    posterior = idata["posterior"]
    tau = draws_of(idata, "tau")
    out = {}
    if "pooled_rr" in posterior:
        out.update(ratio_summary(np.log(draws_of(idata, "pooled_rr")), "RR"))
        out.update(ratio_summary(draws_of(idata, "mu"), "OR"))
        out.update(ratio_summary(np.log(draws_of(idata, "new_trial_rr")), "new-trial RR", (1.0,)))
    else:
        out.update(ratio_summary(draws_of(idata, "mu") if log_rr_draws is None else log_rr_draws, "RR"))
        out.update(ratio_summary(draws_of(idata, "theta_new") if log_rr_new is None else log_rr_new, "new-trial RR", (1.0,)))
    out["tau_median"], out["tau_low"], out["tau_high"] = _interval(tau)
    return out


def shrunken_trial_ratios(idata, trials: pd.DataFrame) -> pd.DataFrame:
    """Posterior median and 95% interval of each trial's own RR.

    For the binomial-normal model the RR of trial i is p_treatment_i / p_control_i; for the
    normal-normal model on log RR it is exp(theta_i).
    """
    from ipscompendium.general.sampling import draws_of

    posterior = idata["posterior"]
    if "baseline_logit" in posterior:
        baseline = draws_of(idata, "baseline_logit")
        theta = draws_of(idata, "theta")
        rr = (1 / (1 + np.exp(-(baseline + theta)))) / (1 / (1 + np.exp(-baseline)))
    else:
        rr = np.exp(draws_of(idata, "theta"))
    low, median, high = np.quantile(rr, [0.025, 0.5, 0.975], axis=0)
    return pd.DataFrame({"study": trials["study"].to_numpy(), "estimate": median, "low": low, "high": high})


def covariate_effect(
    y: np.ndarray, se: np.ndarray, labels: list[str], tau_prior: TauPrior, covariate: pd.DataFrame, seed: int,
    compare_tau: bool = True, **sample_kwargs,
) -> dict[str, float]:
    """Meta-regression on one covariate: the ratio of RRs per unit of it, P(slope < 0), and,
    with ``compare_tau``, the share of the heterogeneity it explains (same trials, no covariate)."""
    from ipscompendium.general.sampling import draws_of, sample

    settings = {"target_accept": 0.99, "draws": 2000, "tune": 2000, **sample_kwargs}
    name = covariate.columns[0]
    with_x = sample(normal_normal_model(y, se, tau_prior, labels, covariates=covariate), seed=seed,
                    label=f"meta-regression on {name}", **settings)
    beta = draws_of(with_x, "beta")[:, 0]
    mu = draws_of(with_x, "mu")
    out = {"ratio of RRs": float(np.exp(np.median(beta))), "ratio 2.5%": float(np.exp(np.quantile(beta, 0.025))),
           "ratio 97.5%": float(np.exp(np.quantile(beta, 0.975))), "P(slope < 0)": float(np.mean(beta < 0)),
           "RR at covariate 0": float(np.exp(np.median(mu))), "RR at covariate 1": float(np.exp(np.median(mu + beta))),
           "tau with": float(np.median(draws_of(with_x, "tau")))}
    if compare_tau:
        without = sample(normal_normal_model(y, se, tau_prior, labels), seed=seed + 1, label=f"no covariate ({name} trials)", **settings)
        out["tau without"] = float(np.median(draws_of(without, "tau")))
        out["tau reduction"] = 1 - out["tau with"] / out["tau without"]
    return out


def exact_summary(y: np.ndarray, se: np.ndarray, tau_prior: TauPrior, *, mu_prior_sd: float = MU_PRIOR_SD, tau_max: float = 3.0,
                  points: int = 4001, thresholds: tuple[float, ...] = (1.0, 1.5, 2.0)) -> dict[str, float]:
    """The normal-normal model's estimands of :func:`meta_summary`, computed exactly (one-dimensional
    quadrature over tau, :func:`ipscompendium.general.exact.normal_normal_posterior`), without sampling.

    Parameters
    ----------
    y, se : numpy.ndarray
        The trials' log risk ratios and their standard errors.
    tau_prior : TauPrior
        The prior on the between-trial standard deviation.
    mu_prior_sd : float
        The SD of the normal prior on the pooled log risk ratio (mean 0).
    tau_max, points : float, int
        The grid over tau.
    thresholds : tuple of float
        Risk ratios t for which P(RR > t) is reported.

    Returns
    -------
    dict
        ``RR_median``, ``RR_low``, ``RR_high`` (the 95% interval), ``P(RR > t)`` for each threshold,
        and ``tau_median``, ``tau_low``, ``tau_high``: the keys :func:`meta_summary` gives.
    """
    from ipscompendium.general.exact import normal_normal_posterior

    post = normal_normal_posterior(np.asarray(y, float), np.asarray(se, float), tau_prior.logpdf, mu_prior_sd=mu_prior_sd,
                                   tau_max=tau_max, points=points)
    out = {"RR_median": float(np.exp(post.mu_quantile(0.5))), "RR_low": float(np.exp(post.mu_quantile(0.025))),
           "RR_high": float(np.exp(post.mu_quantile(0.975)))}
    for t in thresholds:
        out[f"P(RR > {t:g})"] = 1.0 - post.mu_cdf(float(np.log(t)))
    out["tau_median"], out["tau_low"], out["tau_high"] = (post.tau_quantile(0.5), post.tau_quantile(0.025), post.tau_quantile(0.975))
    return out


def leave_one_out_refits(y: np.ndarray, se: np.ndarray, labels: list[str], tau_prior: TauPrior, **exact_kwargs) -> pd.DataFrame:
    """The normal-normal model refitted without each trial in turn, exactly (:func:`exact_summary`).

    Returns
    -------
    pandas.DataFrame
        One row per trial left out: ``left out``, ``pooled RR``, ``RR 2.5%``, ``RR 97.5%``, ``tau`` (the median).
    """
    rows = []
    y, se = np.asarray(y, float), np.asarray(se, float)
    for j, label in enumerate(labels):
        keep = np.arange(len(labels)) != j
        s = exact_summary(y[keep], se[keep], tau_prior, **exact_kwargs)
        rows.append({"left out": label, "pooled RR": s["RR_median"], "RR 2.5%": s["RR_low"], "RR 97.5%": s["RR_high"], "tau": s["tau_median"]})
    return pd.DataFrame(rows)
