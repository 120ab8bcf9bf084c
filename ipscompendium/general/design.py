"""Designing the next trial: power for an assumed effect, and assurance under current beliefs.

Assurance (O'Hagan, Stevens & Campbell 2005) is the probability that the trial succeeds,
averaged over what we currently believe about the effect and the control risk, given as paired
draws (from a prior, or from the posterior of an earlier trial). The decision rule is the
conventional one: success = a two-sided 5% z-test for two proportions that is significant in
favour of the treatment.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.special import expit, logit


def success_probability(p_control: np.ndarray, p_treatment: np.ndarray, n_per_arm: int, alpha: float = 0.05) -> np.ndarray:
    """Probability that the z-test is significant in favour of the treatment, for given true risks."""
    p_control, p_treatment = np.asarray(p_control, float), np.asarray(p_treatment, float)
    se = np.sqrt((p_control * (1 - p_control) + p_treatment * (1 - p_treatment)) / n_per_arm)
    return stats.norm.cdf((p_treatment - p_control) / se - stats.norm.ppf(1 - alpha / 2))


def assurance(log_or_draws: np.ndarray, control_risk_draws: np.ndarray, n_per_arm: int, alpha: float = 0.05) -> float:
    """Probability of success with ``n_per_arm`` per arm, averaged over paired draws of (log-OR, control risk)."""
    log_or, control = np.asarray(log_or_draws, float), np.asarray(control_risk_draws, float)
    if log_or.shape != control.shape:
        raise ValueError("need one control-risk draw per log-OR draw")
    p_treatment = expit(logit(control) + log_or)
    return float(np.mean(success_probability(control, p_treatment, n_per_arm, alpha)))


def assurance_curve(log_or_draws: np.ndarray, control_risk_draws: np.ndarray, n_values: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    return np.array([assurance(log_or_draws, control_risk_draws, int(n), alpha) for n in n_values])


def sample_size_for_assurance(
    log_or_draws: np.ndarray, control_risk_draws: np.ndarray, target: float = 0.8, alpha: float = 0.05, n_max: int = 5000
) -> int | None:
    """Smallest n per arm with assurance >= target, or None if it is not reached by ``n_max``.

    Assurance cannot exceed the probability that the treatment is better, however large the trial: a
    target above that ceiling is unreachable, and the function says so by returning None.
    """
    if assurance(log_or_draws, control_risk_draws, n_max, alpha) < target:
        return None
    lo, hi = 2, n_max
    while lo < hi:
        mid = (lo + hi) // 2
        if assurance(log_or_draws, control_risk_draws, mid, alpha) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def prior_belief_draws(log_or_draws: np.ndarray, baseline_mean: float, baseline_sd: float, rng: np.random.Generator) -> np.ndarray:
    """Control-risk draws that go with log-OR draws under a centred baseline prior, before any trial data.

    The baseline (the mean of the two arms' log-odds) is drawn from its normal prior; the control
    arm sits half a log-OR below it. Used for assurance *before* a trial, where no control arm has
    been observed yet.
    """
    log_or = np.asarray(log_or_draws, float)
    baseline = rng.normal(baseline_mean, baseline_sd, log_or.shape)
    return expit(baseline - log_or / 2)
