"""Named subsets of the trial table, used for the main analysis and its sensitivity analyses.

One definition here, so the frequentist and Bayesian chapters analyse the same sets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipscompendium.general import effect_sizes, frequentist
from ipscompendium.data import poolable_trials

ANY_COMPETITIVE = "any competitive employment during follow-up"
SMI_MARKERS = ("SMI", "schizo", "psycho", "long-term mental illness")


def is_smi(population: pd.Series) -> pd.Series:
    """Trials in severe mental illness (incl. first-episode psychosis), as opposed to other populations."""
    text = population.str.lower()
    return text.str.contains("|".join(m.lower() for m in SMI_MARKERS))


def analysis_sets(trials: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The trial sets of the book, from the main set (all trials with counts) to stricter ones."""
    usable = poolable_trials(trials)
    return {
        "all trials with counts (main)": usable,
        "reported counts only": poolable_trials(trials, ("reported",)),
        "reported + derived from percentages": poolable_trials(trials, ("reported", "derived_from_percentages")),
        "without Tsang 2010 (mismatched follow-up)": usable[usable["study"] != "tsang2010"].reset_index(drop=True),
        "outcome = any competitive employment": usable[usable["outcome_definition"] == ANY_COMPETITIVE].reset_index(drop=True),
        "severe mental illness only": usable[is_smi(usable["population"])].reset_index(drop=True),
    }


def participants(trials: pd.DataFrame) -> int:
    return int((trials["n_treatment"] + trials["n_control"]).sum())


def frequentist_table(sets: dict[str, pd.DataFrame], measure: str = "rr") -> pd.DataFrame:
    """DerSimonian-Laird and REML pooled ratios for every set."""
    rows = []
    for name, subset in sets.items():
        y, v = effect_sizes.log_effects(subset["events_treatment"], subset["n_treatment"], subset["events_control"], subset["n_control"], measure)
        for method in ("DL", "REML"):
            fit = frequentist.random_effects(y, v, method)
            rows.append({"trial set": name, "method": method, "k": fit.k, "N": participants(subset), **fit.exp(),
                         "tau": fit.tau, "I2": fit.i2})
    return pd.DataFrame(rows)


def log_effects_of(trials: pd.DataFrame, measure: str = "rr") -> tuple[np.ndarray, np.ndarray]:
    return effect_sizes.log_effects(trials["events_treatment"], trials["n_treatment"], trials["events_control"], trials["n_control"], measure)


def study_label(study: str) -> str:
    """A trial's key as readers cite it: 'drake1999' -> 'Drake 1999', 'killackey2019' -> 'Killackey 2019'."""
    import re

    match = re.fullmatch(r"([a-z]+)(\d{4})([a-z]?)", study)
    if match is None:
        return study
    name, year, suffix = match.groups()
    return f"{name.capitalize()} {year}{suffix}"
