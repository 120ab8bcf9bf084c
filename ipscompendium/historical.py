"""Borrowing a historical control with a power prior (Ibrahim & Chen 2000).

With a Beta(alpha, beta) initial prior and the historical likelihood raised to a0, the control
risk's posterior is Beta(alpha + a0 x_h + x, beta + a0 (n_h - x_h) + n - x): conjugate, so the
whole curve over a0 is exact and needs no sampling.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipscompendium.exact import beta_posterior, prob_first_greater


def power_prior_control(
    events: int, n: int, historical_events: float, historical_n: int, a0: float, alpha: float = 1.0, beta: float = 1.0
):
    """Posterior of the control risk borrowing ``a0`` (0 = nothing, 1 = pooled) of the history."""
    if not 0 <= a0 <= 1:
        raise ValueError(f"a0 must lie in [0, 1], got {a0}")
    return beta_posterior(events, n, alpha + a0 * historical_events, beta + a0 * (historical_n - historical_events))


def power_prior_curve(
    employed_ips: int, n_ips: int, employed_control: int, n_control: int,
    historical_events: float, historical_n: int, a0_values: np.ndarray,
    alpha: float = 1.0, beta: float = 1.0, draws: int = 100_000, seed: int = 0,
) -> pd.DataFrame:
    """P(IPS beats control) and the posterior risk difference as functions of a0."""
    rng = np.random.default_rng(seed)
    ips = beta_posterior(employed_ips, n_ips, alpha, beta)
    ips_draws = ips.rvs(draws, random_state=rng)
    rows = []
    for a0 in a0_values:
        control = power_prior_control(employed_control, n_control, historical_events, historical_n, a0, alpha, beta)
        rd = ips_draws - control.rvs(draws, random_state=rng)
        rows.append(
            {
                "a0": float(a0),
                "p_control_mean": float(control.mean()),
                "p_benefit": prob_first_greater(ips, control),
                "rd_median": float(np.median(rd)),
                "rd_low": float(np.quantile(rd, 0.025)),
                "rd_high": float(np.quantile(rd, 0.975)),
                "effective_historical_n": float(a0 * historical_n),
            }
        )
    return pd.DataFrame(rows)


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
