"""One two-arm trial with a binary outcome, by MCMC (PyMC): the sampled twin of :mod:`~ipscompendium.general.trial_grid`.

The model puts a stated prior on the log odds ratio and a separate prior on the control arm
(not fixed in the code): a normal prior on a baseline log-odds
(:class:`~ipscompendium.general.trial_grid.BaselinePrior`, centred on both arms by default), a
normal mixture on the control log-odds (a logit-normal prior, or an arm-level MAP prior from
:func:`~ipscompendium.general.predictive_prior.map_prior_from_trials`), or a Beta prior on the
control risk (:class:`BetaRisk`). Risk difference, risk ratio and odds ratio follow from the two
risks. The grid gives the same posteriors exactly, and the tests hold the two together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pymc as pm
import xarray as xr

from ipscompendium.general.priors import NormalMixturePrior
from ipscompendium.general.sampling import draws_of
from ipscompendium.general.trial_grid import DEFAULT_BASELINE, RELEVANT_ODDS_RATIO, RELEVANT_RISK_DIFFERENCE, BaselinePrior


@dataclass(frozen=True)
class BetaRisk:
    """Beta(alpha, beta) on the control arm's risk (the grid's :func:`~ipscompendium.general.trial_grid.beta_control_prior`)."""

    alpha: float
    beta: float

    def __post_init__(self):
        if self.alpha <= 0 or self.beta <= 0:
            raise ValueError(f"Beta parameters must be positive, got {self.alpha}, {self.beta}")


ControlPrior = BaselinePrior | NormalMixturePrior | BetaRisk


def _control_logit(control: ControlPrior, log_or):
    """The control arm's log-odds under each kind of control prior."""
    if isinstance(control, BaselinePrior):
        baseline_logit = pm.Normal("baseline_logit", control.mean, control.sd)
        shift = log_or / 2 if control.anchor == "centred" else 0.0
        return baseline_logit - shift
    if isinstance(control, NormalMixturePrior):
        return control.to_pymc("baseline_logit")
    if isinstance(control, BetaRisk):
        risk = pm.Beta("control_risk_prior", control.alpha, control.beta)
        return pm.math.log(risk) - pm.math.log1p(-risk)
    raise TypeError(f"the control prior must be a BaselinePrior, a NormalMixturePrior on the control log-odds or a BetaRisk, "
                    f"got {type(control).__name__}")


def two_arm_model(
    events_treatment: int, n_treatment: int, events_control: int, n_control: int,
    log_or_prior: NormalMixturePrior, control: ControlPrior = DEFAULT_BASELINE,
) -> pm.Model:
    """Binomial likelihood per arm; the arms' log-odds differ by ``log_or``.

    ``control`` is the prior on the control arm (see the module's description); the default is
    the book's centred N(0, 1.5^2) baseline.
    """
    with pm.Model() as model:
        log_or = log_or_prior.to_pymc("log_or")
        control_logit = pm.Deterministic("control_logit", _control_logit(control, log_or))
        p_control = pm.Deterministic("p_control", pm.math.invlogit(control_logit))
        p_treatment = pm.Deterministic("p_treatment", pm.math.invlogit(control_logit + log_or))
        pm.Deterministic("risk_difference", p_treatment - p_control)
        pm.Deterministic("risk_ratio", p_treatment / p_control)
        pm.Deterministic("odds_ratio", pm.math.exp(log_or))
        pm.Binomial("events_control", n=n_control, p=p_control, observed=events_control)
        pm.Binomial("events_treatment", n=n_treatment, p=p_treatment, observed=events_treatment)
    return model


def beta_binomial_model(
    events_treatment: int, n_treatment: int, events_control: int, n_control: int, alpha: float = 1.0, beta: float = 1.0
) -> pm.Model:
    """Independent Beta(alpha, beta) priors on the two risks: the conjugate reference model."""
    with pm.Model() as model:
        p_control = pm.Beta("p_control", alpha, beta)
        p_treatment = pm.Beta("p_treatment", alpha, beta)
        pm.Deterministic("risk_difference", p_treatment - p_control)
        pm.Binomial("events_control", n=n_control, p=p_control, observed=events_control)
        pm.Binomial("events_treatment", n=n_treatment, p=p_treatment, observed=events_treatment)
    return model


def benefit_summary(idata: xr.DataTree, relevant_rd: float = RELEVANT_RISK_DIFFERENCE, relevant_or: float = RELEVANT_ODDS_RATIO) -> dict[str, float]:
    """Posterior probabilities of benefit and 95% intervals of the effect measures (higher risk = better)."""
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


def compare_with_grid(idata: xr.DataTree, events_treatment: int, n_treatment: int, events_control: int, n_control: int,
                      log_or_prior: NormalMixturePrior, baseline: BaselinePrior = DEFAULT_BASELINE) -> dict[str, float]:
    """Posterior probabilities from MCMC against the exact grid, in Monte Carlo standard errors."""
    from ipscompendium.general.sampling import diagnostics
    from ipscompendium.general.trial_grid import trial_benefit

    exact = trial_benefit(events_treatment, n_treatment, events_control, n_control, log_or_prior, baseline)
    mcmc = benefit_summary(idata)
    ess = diagnostics(idata, ["log_or"]).min_ess_bulk
    result = {}
    for key in ("p_benefit", "p_relevant_rd", "p_or_above"):
        mc_se = np.sqrt(max(exact[key] * (1 - exact[key]), 1e-6) / ess)
        result.update({f"{key} exact": exact[key], f"{key} MCMC": mcmc[key], f"{key} z": (mcmc[key] - exact[key]) / mc_se})
    return result
