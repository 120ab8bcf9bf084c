"""PyMC models of a two-arm trial with a binary outcome (the IPS in Pain trial).

The main model puts a stated prior on the log odds ratio and a weakly informative prior on the
control arm's log-odds; risk difference, risk ratio and odds ratio follow from the two risks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from ipscompendium.priors import NormalMixturePrior
from ipscompendium.sampling import draws_of

#: Prior SD of the control arm's log-odds: 95% of the mass between 5% and 95% employed.
CONTROL_LOGIT_SD = 1.5

#: The thresholds the book reports: any benefit, a clinically relevant benefit (10 percentage
#: points, about a third of the design's 38-point difference), and an odds ratio of 1.5.
RELEVANT_RISK_DIFFERENCE = 0.10
RELEVANT_ODDS_RATIO = 1.5


def two_arm_model(
    employed_ips: int, n_ips: int, employed_control: int, n_control: int,
    log_or_prior: NormalMixturePrior, control_logit_sd: float = CONTROL_LOGIT_SD,
) -> pm.Model:
    """Binomial likelihood per arm; logit(p_ips) = logit(p_control) + log_or."""
    with pm.Model(name="") as model:
        control_logit = pm.Normal("control_logit", 0.0, control_logit_sd)
        log_or = log_or_prior.to_pymc("log_or")
        p_control = pm.Deterministic("p_control", pm.math.invlogit(control_logit))
        p_ips = pm.Deterministic("p_ips", pm.math.invlogit(control_logit + log_or))
        pm.Deterministic("risk_difference", p_ips - p_control)
        pm.Deterministic("risk_ratio", p_ips / p_control)
        pm.Deterministic("odds_ratio", pm.math.exp(log_or))
        pm.Binomial("employed_control", n=n_control, p=p_control, observed=employed_control)
        pm.Binomial("employed_ips", n=n_ips, p=p_ips, observed=employed_ips)
    return model


def beta_binomial_model(
    employed_ips: int, n_ips: int, employed_control: int, n_control: int, alpha: float = 1.0, beta: float = 1.0
) -> pm.Model:
    """Independent Beta(alpha, beta) priors on the two risks: the conjugate reference model."""
    with pm.Model() as model:
        p_control = pm.Beta("p_control", alpha, beta)
        p_ips = pm.Beta("p_ips", alpha, beta)
        pm.Deterministic("risk_difference", p_ips - p_control)
        pm.Binomial("employed_control", n=n_control, p=p_control, observed=employed_control)
        pm.Binomial("employed_ips", n=n_ips, p=p_ips, observed=employed_ips)
    return model


def longitudinal_model(
    employment: pd.DataFrame, mu_prior: NormalMixturePrior, tau_scale: float = 0.5, control_logit_sd: float = CONTROL_LOGIT_SD
) -> pm.Model:
    """Timepoint effects partially pooled towards a common log-OR.

    log_or[t] = mu + tau * z[t], with a half-normal prior of scale ``tau_scale`` on tau, and a
    separate control log-odds per timepoint. The timepoints share participants, which this
    aggregate-data model cannot represent: it treats them as exchangeable, not independent
    evidence, and its pooling is driven mostly by the prior on tau.
    """
    coords = {"timepoint": employment["timepoint_months"].astype(int).tolist()}
    with pm.Model(coords=coords) as model:
        mu = mu_prior.to_pymc("mu")
        tau = pm.HalfNormal("tau", tau_scale)
        z = pm.Normal("z", 0.0, 1.0, dims="timepoint")
        log_or = pm.Deterministic("log_or", mu + tau * z, dims="timepoint")
        control_logit = pm.Normal("control_logit", 0.0, control_logit_sd, dims="timepoint")
        p_control = pm.Deterministic("p_control", pm.math.invlogit(control_logit), dims="timepoint")
        p_ips = pm.Deterministic("p_ips", pm.math.invlogit(control_logit + log_or), dims="timepoint")
        pm.Deterministic("risk_difference", p_ips - p_control, dims="timepoint")
        pm.Binomial("employed_control", n=employment["n_control"].to_numpy(int), p=p_control,
                    observed=employment["employed_control"].to_numpy(int), dims="timepoint")
        pm.Binomial("employed_ips", n=employment["n_ips"].to_numpy(int), p=p_ips,
                    observed=employment["employed_ips"].to_numpy(int), dims="timepoint")
    return model


def benefit_summary(idata: xr.DataTree, relevant_rd: float = RELEVANT_RISK_DIFFERENCE, relevant_or: float = RELEVANT_ODDS_RATIO) -> dict[str, float]:
    """Posterior probabilities of benefit and 95% intervals of the effect measures."""
    rd = draws_of(idata, "risk_difference")
    odds_ratio = draws_of(idata, "odds_ratio")
    risk_ratio = draws_of(idata, "risk_ratio")
    summary = {
        "p_benefit": float(np.mean(rd > 0)),
        "p_relevant_rd": float(np.mean(rd > relevant_rd)),
        "p_or_above": float(np.mean(odds_ratio > relevant_or)),
    }
    for label, values in (("rd", rd), ("or", odds_ratio), ("rr", risk_ratio)):
        summary[f"{label}_median"] = float(np.median(values))
        summary[f"{label}_low"], summary[f"{label}_high"] = (float(q) for q in np.quantile(values, [0.025, 0.975]))
    return summary


def grid_posterior(
    employed_ips: int, n_ips: int, employed_control: int, n_control: int, log_or_prior: NormalMixturePrior,
    control_logit_sd: float = CONTROL_LOGIT_SD, points: int = 801,
) -> dict[str, np.ndarray]:
    """The two-arm model's posterior on a grid over (control log-odds, log-OR).

    Exact up to the grid, no sampling: used to check MCMC and to trace curves (e.g. over the
    robust weight) that would need hundreds of fits.
    """
    from scipy import stats
    from scipy.special import expit

    alpha = np.linspace(-8, 8, points)
    theta = np.linspace(-8, 8, points)
    a, t = np.meshgrid(alpha, theta, indexing="ij")
    p0, p1 = expit(a), expit(a + t)
    log_post = (
        stats.norm.logpdf(a, 0, control_logit_sd) + log_or_prior.logpdf(t)
        + stats.binom.logpmf(employed_control, n_control, p0) + stats.binom.logpmf(employed_ips, n_ips, p1)
    )
    weight = np.exp(log_post - log_post.max())
    weight /= weight.sum()
    return {"weight": weight, "p_control": p0, "p_ips": p1, "log_or": t}


def grid_benefit(grid: dict[str, np.ndarray], relevant_rd: float = RELEVANT_RISK_DIFFERENCE, relevant_or: float = RELEVANT_ODDS_RATIO) -> dict[str, float]:
    """The probabilities of :func:`benefit_summary`, from a :func:`grid_posterior`."""
    rd = grid["p_ips"] - grid["p_control"]
    w = grid["weight"]
    return {
        "p_benefit": float(w[rd > 0].sum()),
        "p_relevant_rd": float(w[rd > relevant_rd].sum()),
        "p_or_above": float(w[grid["log_or"] > np.log(relevant_or)].sum()),
        "log_or_mean": float((w * grid["log_or"]).sum()),
    }


def fit_table(
    employment: pd.DataFrame, priors: Sequence[NormalMixturePrior], fit,
) -> pd.DataFrame:
    """Run ``fit(row, prior) -> summary dict`` for every timepoint and prior; one row each."""
    rows = []
    for prior in priors:
        for row in employment.itertuples():
            rows.append({"prior": prior.name, "timepoint_months": int(row.timepoint_months), **fit(row, prior)})
    return pd.DataFrame(rows)


def robust_weight_curve(employment: pd.DataFrame, informative_prior: NormalMixturePrior, weights: np.ndarray) -> pd.DataFrame:
    """Grid-exact probabilities of benefit at every follow-up as the robust weight goes from 0 to 1."""
    from ipscompendium.priors import robustify

    rows = []
    for row in employment.itertuples():
        counts = (int(row.employed_ips), int(row.n_ips), int(row.employed_control), int(row.n_control))
        for w in weights:
            grid = grid_posterior(*counts, robustify(informative_prior, float(w)))
            rows.append({"timepoint_months": int(row.timepoint_months), "robust weight": float(w), **grid_benefit(grid)})
    return pd.DataFrame(rows)


def compare_with_grid(idata: xr.DataTree, employed_ips: int, n_ips: int, employed_control: int, n_control: int,
                      log_or_prior: NormalMixturePrior) -> dict[str, float]:
    """P(benefit) from MCMC against the grid posterior, in Monte Carlo standard errors."""
    from ipscompendium.sampling import diagnostics

    exact = grid_benefit(grid_posterior(employed_ips, n_ips, employed_control, n_control, log_or_prior))["p_benefit"]
    mcmc = float(np.mean(draws_of(idata, "risk_difference") > 0))
    ess = diagnostics(idata, ["log_or"]).min_ess_bulk
    mc_se = np.sqrt(max(exact * (1 - exact), 1e-6) / ess)
    return {"exact": exact, "MCMC": mcmc, "difference / MC s.e.": (mcmc - exact) / mc_se}


def fit_two_arm(row, log_or_prior: NormalMixturePrior, seed: int, **sample_kwargs) -> xr.DataTree:
    """Sample :func:`two_arm_model` for one follow-up (a row with the four count columns)."""
    from ipscompendium.sampling import sample

    model = two_arm_model(int(row.employed_ips), int(row.n_ips), int(row.employed_control), int(row.n_control), log_or_prior)
    label = f"{log_or_prior.name}, {int(row.timepoint_months)} months" if hasattr(row, "timepoint_months") else log_or_prior.name
    return sample(model, seed=seed, label=label, **sample_kwargs)
