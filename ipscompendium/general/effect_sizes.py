"""Effect sizes of two-arm binary outcomes: odds ratios, risk ratios and risk differences.

One definition for the whole package, metafor's (``escalc``): the per-trial effects and their
large-sample variances, with metafor's default zero-cell correction. The crude single-table
estimates with confidence intervals use statsmodels' ``Table2x2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipscompendium.general import normal

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
    from statsmodels.stats.contingency_tables import Table2x2

    table = Table2x2(two_by_two(events_treated, n_treated, events_control, n_control))
    low, high = table.oddsratio_confint(alpha=1 - level, method="normal")
    return RatioEstimate(float(table.oddsratio), float(low), float(high))


def risk_ratio_ci(events_treated: int, n_treated: int, events_control: int, n_control: int, level: float = 0.95) -> RatioEstimate:
    """Risk ratio with the usual log-scale (Katz) confidence interval."""
    from statsmodels.stats.contingency_tables import Table2x2

    table = Table2x2(two_by_two(events_treated, n_treated, events_control, n_control))
    low, high = table.riskratio_confint(alpha=1 - level, method="normal")
    return RatioEstimate(float(table.riskratio), float(low), float(high))


MEASURES = ("rr", "or", "rd")
#: metafor's default correction (``escalc(add = 1/2, to = "only0")``): 0.5 added to every cell of a
#: trial with a zero cell.
ZERO_CELL_ADD = 0.5


@dataclass(frozen=True)
class EffectSizes:
    """Per-trial effects on the analysis scale (log RR, log OR or RD) with their variances.

    ``used`` marks the trials that enter (double-zero trials are left out of the ratio measures:
    they carry no information about a ratio); ``corrected`` marks those that got the zero-cell
    correction; ``y`` and ``v`` hold the used trials only, in input order.
    """

    measure: str
    y: np.ndarray
    v: np.ndarray
    used: np.ndarray
    corrected: np.ndarray
    double_zero: np.ndarray


def effect_sizes(
    events_treated: ArrayLike, n_treated: ArrayLike, events_control: ArrayLike, n_control: ArrayLike, measure: str = "rr",
    add: float = ZERO_CELL_ADD,
) -> EffectSizes:
    """Effects of two-arm binary trials as metafor's ``escalc`` computes them by default.

    A trial with a zero cell (no events, or only events, in an arm) gets ``add`` added to all four
    cells (``to = "only0"``). A double-zero trial (no events in either arm, or only events in both)
    is left out of the risk and odds ratios and reported in ``double_zero``; for the risk
    difference it stays in, corrected like any trial with a zero cell.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    a, n1 = np.asarray(events_treated, float), np.asarray(n_treated, float)
    c, n2 = np.asarray(events_control, float), np.asarray(n_control, float)
    if np.any((a < 0) | (c < 0) | (a > n1) | (c > n2) | (n1 <= 0) | (n2 <= 0)):
        raise ValueError("events must lie between 0 and the arm size, and arm sizes must be positive")
    b, d = n1 - a, n2 - c
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    double_zero = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    used = ~double_zero if measure in ("rr", "or") else np.ones_like(zero)
    a, b, c, d = (x + add * zero for x in (a, b, c, d))
    n1, n2 = a + b, c + d
    if measure == "rr":
        y = np.log(a / n1) - np.log(c / n2)
        v = 1 / a - 1 / n1 + 1 / c - 1 / n2
    elif measure == "or":
        y = np.log(a * d / (b * c))
        v = 1 / a + 1 / b + 1 / c + 1 / d
    else:
        p1, p2 = a / n1, c / n2
        y = p1 - p2
        v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    return EffectSizes(measure, y[used], v[used], used, zero & used, double_zero)


def continuous_effect_sizes(
    mean_treated: ArrayLike, sd_treated: ArrayLike, n_treated: ArrayLike, mean_control: ArrayLike, sd_control: ArrayLike,
    n_control: ArrayLike, measure: str = "md",
) -> EffectSizes:
    """Effects of two-arm continuous outcomes as metafor's ``escalc`` computes them by default.

    ``"md"``: the mean difference, variance sd1^2/n1 + sd2^2/n2 (``vtype = "LS"``, unpooled).
    ``"smd"``: Hedges' g, the difference over the pooled SD times the exact small-sample
    correction J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), m = n1 + n2 - 2, with the
    large-sample variance 1/n1 + 1/n2 + g^2 / (2 (n1 + n2)).
    """
    from scipy.special import gammaln

    m1, s1, n1, m2, s2, n2 = (np.asarray(x, float) for x in (mean_treated, sd_treated, n_treated, mean_control, sd_control,
                                                              n_control))
    if np.any((s1 <= 0) | (s2 <= 0) | (n1 < 2) | (n2 < 2)):
        raise ValueError("SDs must be positive and each arm needs at least two participants")
    if measure == "md":
        y, v = m1 - m2, s1**2 / n1 + s2**2 / n2
    elif measure == "smd":
        df = n1 + n2 - 2
        correction = np.exp(gammaln(df / 2) - 0.5 * np.log(df / 2) - gammaln((df - 1) / 2))
        pooled_sd = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / df)
        y = correction * (m1 - m2) / pooled_sd
        v = 1 / n1 + 1 / n2 + y**2 / (2 * (n1 + n2))
    else:
        raise ValueError(f"measure must be 'md' or 'smd' for means and SDs, got {measure!r}")
    every = np.ones(len(y), bool)
    return EffectSizes(measure, y, v, every, ~every, ~every)


def generic_effect_sizes(effect: ArrayLike, standard_error: ArrayLike, measure: str = "generic") -> EffectSizes:
    """Effects given per trial with their standard errors (generic inverse variance, as RevMan's
    "O-E and variance" or metafor's ``rma(yi, sei = ...)``): on the user's own scale
    (``"generic"``) or as log ratios (``"generic-log"``)."""
    y, se = np.asarray(effect, float), np.asarray(standard_error, float)
    if measure not in ("generic", "generic-log"):
        raise ValueError(f"measure must be 'generic' or 'generic-log' for effects with standard errors, got {measure!r}")
    if np.any(~np.isfinite(y)) or np.any(~(se > 0)):
        raise ValueError("effects must be finite and standard errors positive")
    every = np.ones(len(y), bool)
    return EffectSizes(measure, y, se**2, every, ~every, ~every)


def log_effects(
    events_treated: ArrayLike, n_treated: ArrayLike, events_control: ArrayLike, n_control: ArrayLike, measure: str = "rr"
) -> tuple[np.ndarray, np.ndarray]:
    """Per-trial log risk ratios ('rr'), log odds ratios ('or') or risk differences ('rd'), with variances,
    one per input trial (see :func:`effect_sizes` for the zero-cell correction).

    A double-zero trial has no ratio: asking for one raises, rather than silently dropping a row.
    """
    sizes = effect_sizes(events_treated, n_treated, events_control, n_control, measure)
    if not sizes.used.all():
        raise ValueError(f"{int((~sizes.used).sum())} double-zero trial(s) have no {measure.upper()}: use effect_sizes(), "
                         "which leaves them out and reports them")
    return sizes.y, sizes.v


def trial_ratios(trials: pd.DataFrame, measure: str = "rr", level: float = 0.95) -> pd.DataFrame:
    """Per-trial ratio with its confidence interval, from the columns of a trial table."""
    y, v = log_effects(trials["events_treatment"], trials["n_treatment"], trials["events_control"], trials["n_control"], measure)
    z = normal.ppf(0.5 + level / 2)
    se = np.sqrt(v)
    return pd.DataFrame(
        {
            "study": trials["study"].to_numpy(),
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
