"""Named subsets of the trial table, used for the main analysis and its sensitivity analyses.

One definition here, so the frequentist and Bayesian chapters analyse the same sets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipscompendium.general import effect_sizes, frequentist
from ipscompendium.data import FOLLOWUP_WINDOWS, OUTCOME_CATEGORIES, _window_of, poolable_trials

ANY_COMPETITIVE = "any competitive employment during follow-up"
SMI_MARKERS = ("SMI", "schizo", "psycho", "long-term mental illness")


def is_smi(population: pd.Series) -> pd.Series:
    """Trials in severe mental illness (incl. first-episode psychosis), as opposed to other populations."""
    text = population.str.lower()
    return text.str.contains("|".join(m.lower() for m in SMI_MARKERS))


def other_outcome(trials: pd.DataFrame) -> pd.Series:
    """1.0 for a trial whose outcome is not any competitive employment during follow-up, from the
    controlled ``outcome_category`` (never the free-text definition); the one indicator of the book."""
    return (trials["outcome_category"] != OUTCOME_CATEGORIES[0]).astype(float)


def other_population(trials: pd.DataFrame) -> pd.Series:
    """1.0 for a trial outside severe mental illness (:func:`is_smi`)."""
    return (~is_smi(trials["population"])).astype(float)


def population_label(trials: pd.DataFrame) -> tuple[str, str]:
    """Who the trials studied, as the table says: '21 trials in mental illness, 16 of them in severe
    mental illness' (English, Norwegian)."""
    k, k_smi = len(trials), int(is_smi(trials["population"]).sum())
    if k_smi == k:
        return f"{k} trials in severe mental illness", f"{k} studier av alvorlige psykiske lidelser"
    return (f"{k} trials in mental illness and related groups, {k_smi} of them in severe mental illness",
            f"{k} studier av psykiske lidelser og beslektede grupper, {k_smi} av dem alvorlige psykiske lidelser")


def analysis_sets(trials: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The trial sets of the book, from the main set (all trials with counts) to stricter ones."""
    usable = poolable_trials(trials)
    sets = {
        "all trials with counts (main)": usable,
        "reported counts only": poolable_trials(trials, ("reported",)),
        "reported + derived or secondary": poolable_trials(trials, ("reported", "derived_from_percentages", "secondary_source")),
        "without Tsang 2010 (unequal follow-up)": usable[usable["followup_window"] != FOLLOWUP_WINDOWS[-1]],
        "outcome = any competitive employment": usable[usable["outcome_category"] == OUTCOME_CATEGORIES[0]],
        "severe mental illness only": usable[is_smi(usable["population"])],
    }
    return {name: subset.reset_index(drop=True) for name, subset in sets.items()}


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


def published_label(analysis_id: str) -> str:
    """A published analysis as readers cite it: 'frederick2019' -> 'Frederick 2019',
    'frederick2019_corrected' -> 'Frederick 2019, corrected' (our re-analysis of its data)."""
    corrected = analysis_id.endswith("_corrected")
    return study_label(analysis_id.removesuffix("_corrected")) + (", corrected" * corrected)


def followup_window(months: float) -> str:
    """The follow-up window of a trial followed for ``months`` (the rule the table's column obeys)."""
    return _window_of(months)


def nested_sets(trials: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The evidence by how far it rests on reconstruction, then by what and when it measured.

    Nested by count status (reported; + derived from percentages or read in a secondary source;
    + inferred arm sizes = every trial with counts), then the subsets that measured the same
    outcome or followed up over the same window (from the table's controlled vocabularies).
    """
    usable = poolable_trials(trials)
    sets = {
        "reported counts": poolable_trials(trials, ("reported",)),
        "+ derived or secondary": poolable_trials(trials, ("reported", "derived_from_percentages", "secondary_source")),
        "+ inferred (all with counts)": usable,
        "same outcome: any competitive employment": usable[usable["outcome_category"] == OUTCOME_CATEGORIES[0]],
    }
    for window in FOLLOWUP_WINDOWS[:2]:
        sets[f"same follow-up: {window}"] = usable[usable["followup_window"] == window]
    return {name: subset.reset_index(drop=True) for name, subset in sets.items()}


def set_summaries(sets: dict[str, pd.DataFrame], tau_prior, mu_prior_sd: float = 2.0) -> pd.DataFrame:
    """For each set: DerSimonian-Laird RR with its 95% CI, tau and prediction interval, and the exact
    Bayesian normal-normal pooled RR, tau and prediction for a new setting (quadrature, no sampling)."""
    from scipy.optimize import brentq

    from ipscompendium.general.exact import normal_normal_posterior

    rows = []
    for name, subset in sets.items():
        y, v = log_effects_of(subset)
        row = {"trial set": name, "k": len(subset), "N": participants(subset)}
        if len(subset) >= 3:
            fit = frequentist.random_effects(y, v, "DL")
            row.update({"DL RR": float(np.exp(fit.mu)), "DL low": float(np.exp(fit.ci_low)), "DL high": float(np.exp(fit.ci_high)),
                        "DL tau": fit.tau})
        post = normal_normal_posterior(y, np.sqrt(v), tau_prior.logpdf, mu_prior_sd=mu_prior_sd)
        sd = np.sqrt(post.mu_sd_given_tau**2 + post.tau**2)
        lo, hi = float(np.min(post.mu_mean_given_tau - 12 * sd)), float(np.max(post.mu_mean_given_tau + 12 * sd))
        new = [float(np.exp(brentq(lambda x: post.predictive_cdf(x) - q, lo, hi))) for q in (0.025, 0.975)]
        row.update({"RR": float(np.exp(post.mu_quantile(0.5))), "RR low": float(np.exp(post.mu_quantile(0.025))),
                    "RR high": float(np.exp(post.mu_quantile(0.975))), "tau": post.tau_quantile(0.5),
                    "new RR low": new[0], "new RR high": new[1], "P(new RR > 1)": 1 - post.predictive_cdf(0.0)})
        rows.append(row)
    return pd.DataFrame(rows)


def like_for_like(trials: pd.DataFrame, tau_prior, mu_prior_sd: float = 2.0) -> dict[str, dict[str, float]]:
    """The published estimand on our trials: DerSimonian-Laird on log risk ratios (as Brinchmann et
    al.) and the exact Bayesian normal-normal model on the same log risk ratios (quadrature over
    tau), each with its pooled RR, 95% interval and 95% prediction interval for a new trial; the
    Bayesian one also with P(RR > 1), P(RR > 2) and P(new-trial RR > 1)."""
    from scipy.optimize import brentq

    from ipscompendium.general.exact import normal_normal_posterior

    y, v = log_effects_of(trials)
    dl = frequentist.random_effects(y, v, "DL").exp()
    post = normal_normal_posterior(y, np.sqrt(v), tau_prior.logpdf, mu_prior_sd=mu_prior_sd)
    sd = np.sqrt(post.mu_sd_given_tau**2 + post.tau**2)
    lo, hi = float(np.min(post.mu_mean_given_tau - 12 * sd)), float(np.max(post.mu_mean_given_tau + 12 * sd))
    new = [float(np.exp(brentq(lambda x: post.predictive_cdf(x) - q, lo, hi))) for q in (0.025, 0.975)]
    bayes = {"estimate": float(np.exp(post.mu_quantile(0.5))), "ci_low": float(np.exp(post.mu_quantile(0.025))),
             "ci_high": float(np.exp(post.mu_quantile(0.975))), "prediction_low": new[0], "prediction_high": new[1],
             "p_rr_above_1": 1 - post.mu_cdf(0.0), "p_rr_above_2": 1 - post.mu_cdf(float(np.log(2.0))),
             "p_new_above_1": 1 - post.predictive_cdf(0.0), "tau": post.tau_quantile(0.5)}
    return {"dl": {k: dl[k] for k in ("estimate", "ci_low", "ci_high", "prediction_low", "prediction_high")}, "bayes": bayes}


def misspecified_pooling(trials: pd.DataFrame, method: str = "REML") -> dict[str, float]:
    """The pooled RR with the 2x2 cells passed right, and as Frederick & VanderWeele's published R code
    passed them: arm totals where metafor expects the non-events (``bi = n``), so that every arm's
    risk becomes events / (events + n) and every RR is pulled towards 1."""
    out = {}
    for label, n_t, n_c in (("right", trials["n_treatment"], trials["n_control"]),
                            ("wrong", trials["n_treatment"] + trials["events_treatment"], trials["n_control"] + trials["events_control"])):
        y, v = effect_sizes.log_effects(trials["events_treatment"], n_t, trials["events_control"], n_c, "rr")
        fit = frequentist.random_effects(y, v, method)
        out.update({f"{label} RR": float(np.exp(fit.mu)), f"{label} low": float(np.exp(fit.ci_low)),
                    f"{label} high": float(np.exp(fit.ci_high)), f"{label} tau2": fit.tau2})
    return out


def worst_case_pooling(trials: pd.DataFrame, randomised_arms: pd.DataFrame, tau_prior, mu_prior_sd: float = 2.0) -> pd.DataFrame:
    """The main results with the trials whose counts are on the analysed patients put on their
    randomised denominators, as they are (missing = not employed in both arms) and in the worst
    case for IPS (missing IPS patients not employed, missing controls employed)."""
    usable = poolable_trials(trials)
    arms = randomised_arms.set_index("study")
    analysed = usable["denominator"] == "analysed"
    missing_studies = set(usable.loc[analysed, "study"]) - set(arms.index)
    if missing_studies:
        raise ValueError(f"no randomised arm sizes for {sorted(missing_studies)}")
    versions = {"complete cases (as analysed)": usable}
    for label, control_events in (("missing not employed", lambda r, m: r), ("worst case for IPS", lambda r, m: r + m)):
        frame = usable.copy()
        for i in frame.index[analysed]:
            row, arm = frame.loc[i], arms.loc[frame.at[i, "study"]]
            if arm.randomised_treatment < row.n_treatment or arm.randomised_control < row.n_control:
                raise ValueError(f"{row.study}: fewer randomised than analysed")
            missing_control = int(arm.randomised_control - row.n_control)
            frame.loc[i, ["n_treatment", "n_control"]] = [int(arm.randomised_treatment), int(arm.randomised_control)]
            frame.loc[i, "events_control"] = control_events(int(row.events_control), missing_control)
        versions[label] = frame
    table = set_summaries(versions, tau_prior, mu_prior_sd)
    return table.rename(columns={"trial set": "denominators"})


def design_moderators(trials: pd.DataFrame, tau_prior, mu_prior_sd: float = 2.0, slope_prior_sd: float = 0.5) -> dict:
    """Do the outcome definition and the length of follow-up explain the heterogeneity?

    An exact Bayesian meta-regression (:func:`~ipscompendium.general.exact.normal_normal_regression`)
    of the log RR on an indicator of another outcome definition than any competitive employment and
    on follow-up in years (centred), with N(0, ``slope_prior_sd``^2) on each slope, beside REML.
    Trials whose arms were followed for different lengths are left out. Returns the table of
    slopes (as ratios of RRs) and the residual tau with and without the moderators.
    """
    from scipy.stats import norm

    from ipscompendium.general import exact

    used = trials[trials["followup_window"] != FOLLOWUP_WINDOWS[-1]].reset_index(drop=True)
    y, v = log_effects_of(used)
    moderators = pd.DataFrame({
        "other outcome definition": other_outcome(used),
        "follow-up, years (centred)": used["followup_months"] / 12 - (used["followup_months"] / 12).mean(),
    })
    X = np.column_stack([np.ones(len(y)), moderators.to_numpy()])
    with_moderators = exact.normal_normal_regression(y, np.sqrt(v), X, tau_prior.logpdf, [mu_prior_sd, slope_prior_sd, slope_prior_sd],
                                                     ("intercept", *moderators.columns))
    without = exact.normal_normal_regression(y, np.sqrt(v), X[:, :1], tau_prior.logpdf, mu_prior_sd)
    reml = frequentist.meta_regression(y, v, moderators.to_numpy(), list(moderators.columns), "REML")
    rows = []
    for j, name in enumerate(moderators.columns, start=1):
        q = [with_moderators.coef_quantile(j, p) for p in (0.5, 0.025, 0.975)]
        rows.append({"moderator": name, "ratio of RRs": float(np.exp(q[0])), "2.5%": float(np.exp(q[1])), "97.5%": float(np.exp(q[2])),
                     "P(slope < 0)": with_moderators.coef_cdf(j, 0.0), "REML ratio": float(np.exp(reml.coef[j])),
                     "REML p": float(2 * norm.sf(abs(reml.coef[j] / reml.se[j])))})
    return {"table": pd.DataFrame(rows), "k": len(used), "k_other_definition": int(moderators.iloc[:, 0].sum()),
            "tau_with": with_moderators.tau_quantile(0.5), "tau_without": without.tau_quantile(0.5)}
