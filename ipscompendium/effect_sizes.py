"""Effect sizes of two-arm binary outcomes: odds ratios, risk ratios and risk differences.

Thin, vectorised wrappers around statsmodels so that every chapter computes them one way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.meta_analysis import effectsize_2proportions

ArrayLike = np.ndarray | pd.Series | list | int | float


@dataclass(frozen=True)
class RatioEstimate:
    """A ratio with its confidence interval (on the ratio scale)."""

    estimate: float
    ci_low: float
    ci_high: float


def two_by_two(events_treated: int, n_treated: int, events_control: int, n_control: int) -> np.ndarray:
    """The 2x2 table [[events, non-events] treated, [events, non-events] control]."""
    if not 0 <= events_treated <= n_treated or not 0 <= events_control <= n_control:
        raise ValueError("events must lie between 0 and the arm size")
    return np.array([[events_treated, n_treated - events_treated], [events_control, n_control - events_control]])


def odds_ratio_woolf(events_treated: int, n_treated: int, events_control: int, n_control: int, level: float = 0.95) -> RatioEstimate:
    """Crude odds ratio with Woolf's (logit) confidence interval."""
    table = Table2x2(two_by_two(events_treated, n_treated, events_control, n_control))
    low, high = table.oddsratio_confint(alpha=1 - level, method="normal")
    return RatioEstimate(float(table.oddsratio), float(low), float(high))


def risk_ratio_ci(events_treated: int, n_treated: int, events_control: int, n_control: int, level: float = 0.95) -> RatioEstimate:
    """Risk ratio with the usual log-scale (Katz) confidence interval."""
    table = Table2x2(two_by_two(events_treated, n_treated, events_control, n_control))
    low, high = table.riskratio_confint(alpha=1 - level, method="normal")
    return RatioEstimate(float(table.riskratio), float(low), float(high))


def log_effects(
    events_treated: ArrayLike, n_treated: ArrayLike, events_control: ArrayLike, n_control: ArrayLike, measure: str = "rr"
) -> tuple[np.ndarray, np.ndarray]:
    """Per-trial log risk ratios ('rr'), log odds ratios ('or') or risk differences ('rd'), with variances.

    Trials with a zero cell get 0.5 added to every cell (statsmodels' default correction).
    """
    statistic = {"rr": "risk-ratio", "or": "odds-ratio", "rd": "diff"}[measure]
    y, v = effectsize_2proportions(
        np.asarray(events_treated, float), np.asarray(n_treated, float),
        np.asarray(events_control, float), np.asarray(n_control, float), statistic=statistic,
    )
    return np.asarray(y, float), np.asarray(v, float)


def trial_ratios(trials: pd.DataFrame, measure: str = "rr", level: float = 0.95) -> pd.DataFrame:
    """Per-trial ratio with its confidence interval, from the columns of a trial table."""
    y, v = log_effects(trials["employed_ips"], trials["n_ips"], trials["employed_control"], trials["n_control"], measure)
    z = stats.norm.ppf(0.5 + level / 2)
    se = np.sqrt(v)
    return pd.DataFrame(
        {
            "study_id": trials["study_id"].to_numpy(),
            f"log_{measure}": y,
            "se": se,
            measure: np.exp(y),
            "ci_low": np.exp(y - z * se),
            "ci_high": np.exp(y + z * se),
        }
    )


def odds_ratio_from_risks(p_treated: ArrayLike, p_control: ArrayLike) -> np.ndarray:
    """Odds ratio implied by two risks."""
    p_treated, p_control = np.asarray(p_treated, float), np.asarray(p_control, float)
    return (p_treated / (1 - p_treated)) / (p_control / (1 - p_control))
