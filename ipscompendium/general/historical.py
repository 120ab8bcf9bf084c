"""Conjugate forms of the power prior for one binomial arm (Ibrahim & Chen 2000; Duan, Ye & Smith 2006).

With a Beta(alpha, beta) initial prior and the historical likelihood raised to a0, the control
risk's posterior is Beta(alpha + a0 x_h + x, beta + a0 (n_h - x_h) + n - x). The book computes
its power priors on the two-arm grid (:mod:`ipscompendium.general.trial_grid`), for any initial prior;
these closed forms are the independent references its tests check that grid against.
"""

from __future__ import annotations

import numpy as np

from ipscompendium.general.exact import beta_posterior


def power_prior_control(
    events: int, n: int, historical_events: float, historical_n: int, a0: float, alpha: float = 1.0, beta: float = 1.0
):
    """Posterior of the control risk borrowing ``a0`` (0 = nothing, 1 = pooled) of the history."""
    if not 0 <= a0 <= 1:
        raise ValueError(f"a0 must lie in [0, 1], got {a0}")
    return beta_posterior(events, n, alpha + a0 * historical_events, beta + a0 * (historical_n - historical_events))


def normalised_power_prior_a0(
    events: int, n: int, historical_events: float, historical_n: int, a0_values: np.ndarray,
    alpha: float = 1.0, beta: float = 1.0,
) -> np.ndarray:
    """Posterior weights of a0 (uniform prior on ``a0_values``) in the conjugate normalised power prior.

    p(a0 | data) is proportional to B(alpha + a0 x_h + x, beta + a0 (n_h - x_h) + n - x) /
    B(alpha + a0 x_h, beta + a0 (n_h - x_h)) (Duan, Ye & Smith 2006): closed form for one arm.
    """
    from scipy.special import betaln

    a0 = np.asarray(a0_values, float)
    a, b = alpha + a0 * historical_events, beta + a0 * (historical_n - historical_events)
    log_w = betaln(a + events, b + n - events) - betaln(a, b)
    return np.exp(log_w - np.logaddexp.reduce(log_w))


def robust_control_prior(historical_events: float, historical_n: int, weight: float = 0.8):
    """A robust prior on the control arm's log-odds from one historical control arm: ``weight`` on
    N(logit of the historical risk, 1/x_h + 1/(n_h - x_h)), the large-sample distribution of the
    historical log-odds, and the rest on the package's vague component (Schmidli et al. 2014).
    Its ``logpdf`` is a control-arm density for ``trial_grid.effect_prior_with_control``."""
    from scipy.special import logit

    from ipscompendium.general import priors

    if not 0 < historical_events < historical_n:
        raise ValueError("the historical arm needs events and non-events")
    if not 0 <= weight <= 1:
        raise ValueError(f"the weight lies between 0 and 1, got {weight}")
    history = priors.normal_prior("historical control arm", float(logit(historical_events / historical_n)),
                                  float(np.sqrt(1 / historical_events + 1 / (historical_n - historical_events))))
    return priors.robustify(history, 1 - weight)
