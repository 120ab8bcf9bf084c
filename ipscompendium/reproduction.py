"""Recompute the IPS in Pain report's published statistics from its counts.

Each function returns the recomputed numbers beside the published ones, so that the book can
show, and the tests can assert, agreement within the report's rounding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from ipscompendium.general.effect_sizes import odds_ratio_woolf
from ipscompendium.general.frequentist import (
    fisher_exact_p,
    pearson_chi_square_p,
    power_two_proportions,
    sample_size_two_proportions,
    yates_chi_square_p,
)


def employment_table(employment: pd.DataFrame) -> pd.DataFrame:
    """Table 2 recomputed: percentages, crude OR with Woolf 95% CI, and three candidate p-values."""
    rows = []
    for r in employment.itertuples():
        counts = (int(r.employed_ips), int(r.n_ips), int(r.employed_control), int(r.n_control))
        odds = odds_ratio_woolf(*counts)
        rows.append(
            {
                "timepoint_months": int(r.timepoint_months),
                "pct_ips": 100 * r.employed_ips / r.n_ips,
                "published_pct_ips": r.published_pct_ips,
                "pct_control": 100 * r.employed_control / r.n_control,
                "published_pct_control": r.published_pct_control,
                "odds_ratio": odds.estimate,
                "published_or": r.published_or,
                "or_ci_low": odds.ci_low,
                "published_or_ci_low": r.published_or_ci_low,
                "or_ci_high": odds.ci_high,
                "published_or_ci_high": r.published_or_ci_high,
                "p_pearson": pearson_chi_square_p(*counts),
                "p_yates": yates_chi_square_p(*counts),
                "p_fisher": fisher_exact_p(*counts),
                "published_p": r.published_p,
            }
        )
    return pd.DataFrame(rows)


def agrees_within_rounding(recomputed: float, published: float, decimals: int) -> bool:
    """Whether ``recomputed`` rounds to ``published`` at ``decimals`` decimals."""
    return abs(recomputed - published) <= 0.5 * 10.0**-decimals + 1e-9


def sample_size_candidates(p_control: float, p_treated: float, alpha: float, power: float) -> dict[str, int]:
    """Participants per group under four textbook formulas, to find the one the protocol used."""
    z_a, z_b = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    delta = abs(p_treated - p_control)
    p_bar = (p_control + p_treated) / 2
    pooled = (z_a * np.sqrt(2 * p_bar * (1 - p_bar)) + z_b * np.sqrt(p_control * (1 - p_control) + p_treated * (1 - p_treated))) ** 2 / delta**2
    fleiss_cc = pooled / 4 * (1 + np.sqrt(1 + 4 / (pooled * delta))) ** 2
    arcsine = NormalIndPower().solve_power(proportion_effectsize(p_treated, p_control), alpha=alpha, power=power)
    return {
        "unpooled normal approximation": sample_size_two_proportions(p_control, p_treated, alpha, power),
        "pooled normal approximation": int(np.ceil(pooled)),
        "pooled, Fleiss continuity correction": int(np.ceil(fleiss_cc)),
        "arcsine (Cohen's h)": int(np.ceil(arcsine)),
    }


def sample_size_table(scenarios: pd.DataFrame) -> pd.DataFrame:
    """The protocol's scenarios with every candidate formula's answer beside the published one."""
    rows = []
    for s in scenarios.itertuples():
        rows.append(
            {"scenario": int(s.scenario), "p_control": s.p_control, "p_ips": s.p_ips,
             "published_n_per_group": int(s.published_n_per_group),
             **sample_size_candidates(s.p_control, s.p_ips, s.alpha, s.power)}
        )
    return pd.DataFrame(rows)


def achieved_power(employment: pd.DataFrame, p_control: float, p_ips: float, alpha: float = 0.05) -> pd.DataFrame:
    """Power of each follow-up's comparison for an assumed true effect, with the arm sizes achieved."""
    return pd.DataFrame(
        {
            "timepoint_months": employment["timepoint_months"].astype(int),
            "n_ips": employment["n_ips"].astype(int),
            "n_control": employment["n_control"].astype(int),
            "power": [
                power_two_proportions(p_control, p_ips, r.n_control, r.n_ips, alpha) for r in employment.itertuples()
            ],
        }
    )


#: Decimals the report prints for each reproduced statistic of Table 2.
TABLE2_DECIMALS = {"pct": 1, "or": 2, "p": 3}


def table2_checks(table2: pd.DataFrame) -> pd.DataFrame:
    """For each follow-up, whether each recomputed statistic rounds to the printed one.

    The p-value columns show which test the report used: only one of them reproduces all rows.
    """
    d = TABLE2_DECIMALS

    def agree(rows, recomputed, published, decimals):
        return [agrees_within_rounding(getattr(r, recomputed), getattr(r, published), decimals) for r in rows]

    rows = list(table2.itertuples())
    return pd.DataFrame({
        "timepoint_months": table2["timepoint_months"].to_numpy(),
        "% IPS": agree(rows, "pct_ips", "published_pct_ips", d["pct"]),
        "% control": agree(rows, "pct_control", "published_pct_control", d["pct"]),
        "OR": agree(rows, "odds_ratio", "published_or", d["or"]),
        "Woolf CI": [a and b for a, b in zip(agree(rows, "or_ci_low", "published_or_ci_low", d["or"]),
                                             agree(rows, "or_ci_high", "published_or_ci_high", d["or"]))],
        "Pearson p": agree(rows, "p_pearson", "published_p", d["p"]),
        "Yates p": agree(rows, "p_yates", "published_p", d["p"]),
        "Fisher p": agree(rows, "p_fisher", "published_p", d["p"]),
    })


def secondary_p_values(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Table 3's p-values recomputed from its means, SDs and n: Student's and Welch's t-tests.

    ``gap``: distance from the printed p to the closer of the two.
    """
    rows = []
    for r in outcomes.itertuples():
        args = (r.mean_ips, r.sd_ips, r.n_ips, r.mean_control, r.sd_control, r.n_control)
        student = stats.ttest_ind_from_stats(*args, equal_var=True).pvalue
        welch = stats.ttest_ind_from_stats(*args, equal_var=False).pvalue
        rows.append({"outcome": r.outcome, "timepoint_months": int(r.timepoint_months), "published_p": r.published_p,
                     "p_student": float(student), "p_welch": float(welch),
                     "gap": float(min(abs(student - r.published_p), abs(welch - r.published_p)))})
    return pd.DataFrame(rows)
