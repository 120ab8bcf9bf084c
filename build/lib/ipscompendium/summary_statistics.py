"""Bayesian differences in means from published summary statistics (n, mean, SD per arm).

Under the reference prior p(mu, sigma) proportional to 1/sigma, each arm's mean has a scaled
Student-t posterior, mu ~ mean + (sd / sqrt(n)) t_{n-1}; the difference of two such means (the
Behrens-Fisher problem) is obtained by Monte Carlo from the two exact marginals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def mean_posterior(n: int, mean: float, sd: float) -> stats.rv_continuous:
    """Posterior of one arm's mean under the reference prior."""
    if n < 2 or sd <= 0:
        raise ValueError("need n >= 2 and a positive SD")
    return stats.t(df=n - 1, loc=mean, scale=sd / np.sqrt(n))


def difference_in_means(
    n_ips: int, mean_ips: float, sd_ips: float, n_control: int, mean_control: float, sd_control: float,
    draws: int, rng: np.random.Generator,
) -> np.ndarray:
    """Posterior draws of mean_ips - mean_control."""
    ips = mean_posterior(n_ips, mean_ips, sd_ips).rvs(draws, random_state=rng)
    control = mean_posterior(n_control, mean_control, sd_control).rvs(draws, random_state=rng)
    return ips - control


def secondary_outcome_table(outcomes: pd.DataFrame, draws: int = 200_000, seed: int = 0) -> pd.DataFrame:
    """Per outcome and timepoint: posterior median difference (IPS - control), 95% interval, P(IPS better)."""
    rng = np.random.default_rng(seed)
    rows = []
    for row in outcomes.itertuples():
        diff = difference_in_means(row.n_ips, row.mean_ips, row.sd_ips, row.n_control, row.mean_control, row.sd_control, draws, rng)
        better = diff > 0 if row.higher_is_better else diff < 0
        rows.append(
            {
                "outcome": row.outcome,
                "timepoint_months": row.timepoint_months,
                "difference_median": float(np.median(diff)),
                "difference_low": float(np.quantile(diff, 0.025)),
                "difference_high": float(np.quantile(diff, 0.975)),
                "p_ips_better": float(np.mean(better)),
                "published_p": row.published_p,
            }
        )
    return pd.DataFrame(rows)
