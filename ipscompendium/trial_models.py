"""The IPS in Pain analyses: the general two-arm trial (:mod:`ipscompendium.general.two_arm`,
:mod:`ipscompendium.general.trial_grid`) run over the trial's follow-ups and the book's priors,
and a longitudinal model that pools the follow-ups.

Rows of the employment table (``data.load_employment``) carry the IPS arm as ``employed_ips`` /
``n_ips``, the treatment arm of the general functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from ipscompendium.general.priors import NormalMixturePrior
from ipscompendium.general.trial_grid import DEFAULT_BASELINE, BaselinePrior
from ipscompendium.general.two_arm import two_arm_model

#: The trial's primary endpoint: employment during the 12 months after inclusion.
PRIMARY_MONTHS = 12

def book_trial_priors(map_prior: NormalMixturePrior) -> list[NormalMixturePrior]:
    """The book's five priors for IPS in Pain (weakly informative, sceptical, enthusiastic, MAP, robust
    MAP), from the data: the protocol's design rates (first sample-size scenario) for the enthusiast,
    Bond et al.'s pooled odds ratio outside severe mental illness for the sceptic."""
    from ipscompendium import data
    from ipscompendium.general.priors import trial_priors

    design = data.load_sample_size().set_index("scenario").loc[1]
    anchor = data.load_effect_anchors().set_index("key").loc["ips_non_smi_or"]
    return trial_priors(float(design.p_control), float(design.p_ips), map_prior, float(anchor.estimate),
                        "the pooled odds ratio of IPS outside severe mental illness, Bond et al. 2019")


def longitudinal_model(
    employment: pd.DataFrame, mu_prior: NormalMixturePrior, tau_scale: float = 0.5, baseline: BaselinePrior = DEFAULT_BASELINE
) -> pm.Model:
    """Timepoint effects partially pooled towards a common log-OR.

    log_or[t] = mu + tau * z[t], with a half-normal prior of scale ``tau_scale`` on tau, and a
    separate baseline log-odds per timepoint (centred by default, as in :func:`two_arm_model`). The timepoints share participants, which this
    aggregate-data model cannot represent: it treats them as exchangeable, not independent
    evidence, and its pooling is driven mostly by the prior on tau.
    """
    coords = {"timepoint": employment["timepoint_months"].astype(int).tolist()}
    with pm.Model(coords=coords) as model:
        mu = mu_prior.to_pymc("mu")
        tau = pm.HalfNormal("tau", tau_scale)
        z = pm.Normal("z", 0.0, 1.0, dims="timepoint")
        log_or = pm.Deterministic("log_or", mu + tau * z, dims="timepoint")
        baseline_logit = pm.Normal("baseline_logit", baseline.mean, baseline.sd, dims="timepoint")
        shift = log_or / 2 if baseline.anchor == "centred" else 0.0
        control_logit = pm.Deterministic("control_logit", baseline_logit - shift, dims="timepoint")
        p_control = pm.Deterministic("p_control", pm.math.invlogit(control_logit), dims="timepoint")
        p_ips = pm.Deterministic("p_ips", pm.math.invlogit(control_logit + log_or), dims="timepoint")
        pm.Deterministic("risk_difference", p_ips - p_control, dims="timepoint")
        pm.Binomial("employed_control", n=employment["n_control"].to_numpy(int), p=p_control,
                    observed=employment["employed_control"].to_numpy(int), dims="timepoint")
        pm.Binomial("employed_ips", n=employment["n_ips"].to_numpy(int), p=p_ips,
                    observed=employment["employed_ips"].to_numpy(int), dims="timepoint")
    return model


def fit_table(
    employment: pd.DataFrame, priors: Sequence[NormalMixturePrior], fit,
) -> pd.DataFrame:
    """Run ``fit(row, prior) -> summary dict`` for every timepoint and prior; one row each."""
    rows = []
    for prior in priors:
        for row in employment.itertuples():
            rows.append({"prior": prior.name, "timepoint_months": int(row.timepoint_months), **fit(row, prior)})
    return pd.DataFrame(rows)


def robust_weight_curve(employment: pd.DataFrame, informative_prior: NormalMixturePrior, weights: np.ndarray,
                        baseline: BaselinePrior = DEFAULT_BASELINE) -> pd.DataFrame:
    """Grid-exact probabilities of benefit at every follow-up as the robust weight goes from 0 to 1,
    with the posterior weight of the vague component and the robust prior's effective sample size."""
    from ipscompendium.general.priors import ess_per_arm, robustify
    from ipscompendium.general.trial_grid import RELEVANT_RISK_DIFFERENCE, log_or_likelihood

    rows = []
    for row in employment.itertuples():
        arm_counts = counts(row)
        control_risk = arm_counts[2] / arm_counts[3]
        # one lattice per follow-up answers every weight: the prior only weighs the lattice's diagonals
        likelihood = log_or_likelihood(*arm_counts, baseline, rd_threshold=RELEVANT_RISK_DIFFERENCE)
        for w in weights:
            prior = robustify(informative_prior, float(w))
            # each component's evidence: its prior weight times the data's mass under it, summed over the diagonals
            log_w = [np.log(weight) + np.logaddexp.reduce(likelihood.log_mass + NormalMixturePrior("c", (1.0,), (m,), (sd,)).logpdf(likelihood.log_or))
                     if weight > 0 else -np.inf for weight, m, sd in zip(prior.weights, prior.means, prior.sds)]
            posterior_vague = float(np.exp(log_w[-1] - np.logaddexp.reduce(log_w)))
            rows.append({"timepoint_months": int(row.timepoint_months), "robust weight": float(w),
                         "p_benefit": likelihood.prob_log_or_above(prior), "p_relevant_rd": likelihood.prob_rd_above(prior),
                         "posterior weight of vague component": posterior_vague, "prior ESS per arm": ess_per_arm(prior, control_risk)})
    return pd.DataFrame(rows)


def fit_two_arm(row, log_or_prior: NormalMixturePrior, seed: int, baseline: BaselinePrior = DEFAULT_BASELINE,
                **sample_kwargs) -> xr.DataTree:
    """Sample the general two-arm model for one follow-up (a row of the employment table)."""
    from ipscompendium.general.sampling import sample

    model = two_arm_model(*counts(row), log_or_prior, baseline)
    label = f"{log_or_prior.name}, {int(row.timepoint_months)} months" if hasattr(row, "timepoint_months") else log_or_prior.name
    return sample(model, seed=seed, label=label, **sample_kwargs)


def counts(row) -> tuple[int, int, int, int]:
    """A follow-up's counts in the general order: events and n in the treatment (IPS) arm, then the control arm."""
    return int(row.employed_ips), int(row.n_ips), int(row.employed_control), int(row.n_control)


def exact_table(employment: pd.DataFrame, priors_: Sequence[NormalMixturePrior], baseline: BaselinePrior = DEFAULT_BASELINE) -> pd.DataFrame:
    """Grid-exact posterior summaries for every prior and follow-up, with each prior's own P(benefit) beside it."""
    from ipscompendium.general.trial_grid import trial_benefit

    return pd.DataFrame([
        {"prior": prior.name, "timepoint_months": int(row.timepoint_months), **trial_benefit(*counts(row), prior, baseline),
         "prior P(benefit)": prior.prob_greater(0.0)}
        for prior in priors_ for row in employment.itertuples()
    ])


def baseline_sensitivity(employment: pd.DataFrame, log_or_prior: NormalMixturePrior, baselines: dict[str, BaselinePrior]) -> pd.DataFrame:
    """P(benefit) at every follow-up under each baseline prior, and under independent Beta(1, 1) arms (exact)."""
    from ipscompendium.general.exact import beta_posterior, prob_first_greater
    from ipscompendium.general.trial_grid import trial_benefit

    rows = []
    for row in employment.itertuples():
        arm_counts = counts(row)
        entry = {"timepoint_months": int(row.timepoint_months),
                 "Beta(1, 1) on each arm (conjugate, exact)": prob_first_greater(beta_posterior(*arm_counts[:2]), beta_posterior(*arm_counts[2:]))}
        for label, baseline in baselines.items():
            entry[label] = trial_benefit(*arm_counts, log_or_prior, baseline)["p_benefit"]
        rows.append(entry)
    return pd.DataFrame(rows)


def sceptic_curve(employment: pd.DataFrame, anchor_odds_ratios: np.ndarray, baseline: BaselinePrior = DEFAULT_BASELINE) -> pd.DataFrame:
    """P(benefit) and P(RD > 10 points) under ever more sceptical priors: how sceptical must one be to doubt the benefit?"""
    from ipscompendium.general.priors import sceptic_grid
    from ipscompendium.general.trial_grid import RELEVANT_RISK_DIFFERENCE, log_or_likelihood

    # one lattice per follow-up answers every sceptic: the prior only weighs the lattice's diagonals
    likelihoods = {int(row.timepoint_months): log_or_likelihood(*counts(row), baseline, rd_threshold=RELEVANT_RISK_DIFFERENCE)
                   for row in employment.itertuples()}
    rows = []
    for anchor, prior in zip(anchor_odds_ratios, sceptic_grid(anchor_odds_ratios)):
        for months, likelihood in likelihoods.items():
            rows.append({"timepoint_months": months, "anchor OR": float(anchor), "prior SD": prior.sds[0],
                         "p_benefit": likelihood.prob_log_or_above(prior), "p_relevant_rd": likelihood.prob_rd_above(prior)})
    return pd.DataFrame(rows)


def transport_table(employment: pd.DataFrame, alternatives: dict[str, tuple[NormalMixturePrior, str]],
                    control: BaselinePrior = BaselinePrior(anchor="control")) -> pd.DataFrame:
    """Grid-exact answers at every follow-up under effect priors on different scales (log-OR, log-RR, RD).

    ``alternatives`` maps a label to (prior, scale); all share one prior on the control arm, so
    rows differ only in the effect prior and the scale it is transported on.
    """
    from ipscompendium.general.trial_grid import benefit, effect_prior_on_scale, posterior_grid

    rows = []
    for label, (prior, scale) in alternatives.items():
        for row in employment.itertuples():
            summary = benefit(posterior_grid(*counts(row), effect_prior_on_scale(prior, scale, control)))
            rows.append({"MAP prior": label, "prior": prior.describe(), "timepoint_months": int(row.timepoint_months),
                         "P(IPS better)": summary["p_benefit"], "P(RD > 10 points)": summary["p_relevant_rd"],
                         "RD median, points": 100 * summary["rd_median"]})
    return pd.DataFrame(rows)


def threshold_curves(employment: pd.DataFrame, priors_: Sequence[NormalMixturePrior], rd_thresholds: np.ndarray,
                     or_thresholds: np.ndarray, baseline: BaselinePrior = DEFAULT_BASELINE) -> pd.DataFrame:
    """P(RD > x) and P(OR > x) over a range of thresholds x, for every prior and follow-up (exact grid).

    One row per (prior, follow-up, scale, threshold); ``scale`` is 'rd' or 'or'. Read as in the
    published Bayesian re-analyses of single trials: how probable is a benefit of at least x?
    """
    from ipscompendium.general.trial_grid import effect_prior, log_or_likelihood, posterior_grid

    rows = []
    for row in employment.itertuples():
        arm_counts = counts(row)
        likelihood = log_or_likelihood(*arm_counts, baseline)
        for prior in priors_:
            grid = posterior_grid(*arm_counts, effect_prior(prior, baseline))
            base = {"prior": prior.name, "timepoint_months": int(row.timepoint_months)}
            rows += [{**base, "scale": "rd", "threshold": float(x), "probability": grid.prob_rd_above(float(x))} for x in rd_thresholds]
            rows += [{**base, "scale": "or", "threshold": float(x), "probability": likelihood.prob_log_or_above(prior, float(np.log(x)))}
                     for x in or_thresholds]
    return pd.DataFrame(rows)


def reverse_bayes(employment: pd.DataFrame, targets: Sequence[float], certain_sd: float,
                  baseline: BaselinePrior = DEFAULT_BASELINE) -> pd.DataFrame:
    """How sceptical must one be? For each follow-up and target probability: the SD of the sceptic
    centred on no effect under whom P(IPS better) equals the target (NaN if no such sceptic exists),
    and the prior median OR that a prior with SD ``certain_sd`` would need for the same."""
    from ipscompendium.general.trial_grid import log_or_likelihood, prior_mean_for, sceptical_sd_for

    rows = []
    for row in employment.itertuples():
        likelihood = log_or_likelihood(*counts(row), baseline)
        for target in targets:
            sd = sceptical_sd_for(likelihood, float(target))
            rows.append({"timepoint_months": int(row.timepoint_months), "target": float(target),
                         "sceptic_sd": np.nan if sd is None else sd,
                         "sceptic_or_95": np.nan if sd is None else float(np.exp(1.959963984540054 * sd)),
                         "median_or_needed": float(np.exp(prior_mean_for(likelihood, float(target), certain_sd))),
                         "certain_sd": float(certain_sd)})
    return pd.DataFrame(rows)


def prior_and_posterior(employment: pd.DataFrame, priors_: Sequence[NormalMixturePrior],
                        baseline: BaselinePrior = DEFAULT_BASELINE) -> pd.DataFrame:
    """For every prior and follow-up, P(OR > 1) and P(RD > 10 points) before and after the data, the
    shift the data make, and what each side is worth: the prior's effective sample size per arm
    (ELIR, at the observed control risk) against the patients each arm contributes."""
    from ipscompendium.general.priors import ess_per_arm
    from ipscompendium.general.trial_grid import RELEVANT_RISK_DIFFERENCE, benefit, effect_prior, posterior_grid

    rows = []
    for prior in priors_:
        # The prior alone: the same grid with no data (the lattice then spans the log-odds -15 to 15).
        before = benefit(posterior_grid(0, 0, 0, 0, effect_prior(prior, baseline)))
        for row in employment.itertuples():
            arm_counts = counts(row)
            after = benefit(posterior_grid(*arm_counts, effect_prior(prior, baseline)))
            rows.append({"prior": prior.name, "timepoint_months": int(row.timepoint_months),
                         "prior P(OR > 1)": before["p_benefit"], "posterior P(OR > 1)": after["p_benefit"],
                         "prior P(RD > 10)": before["p_relevant_rd"], "posterior P(RD > 10)": after["p_relevant_rd"],
                         "shift P(OR > 1)": after["p_benefit"] - before["p_benefit"],
                         "shift P(RD > 10)": after["p_relevant_rd"] - before["p_relevant_rd"],
                         "prior ESS per arm": ess_per_arm(prior, arm_counts[2] / arm_counts[3]),
                         "patients, IPS": arm_counts[1], "patients, control": arm_counts[3],
                         "relevant_rd": RELEVANT_RISK_DIFFERENCE})
    return pd.DataFrame(rows)


def missing_outcome_table(employment: pd.DataFrame, randomised_ips: int, randomised_control: int,
                          log_or_prior: NormalMixturePrior, baseline: BaselinePrior = DEFAULT_BASELINE,
                          scenarios=None) -> tuple[pd.DataFrame, dict[int, pd.DataFrame]]:
    """P(IPS better) at every follow-up for the complete cases, the worst and best cases and each
    IMOR scenario (default :func:`missing.default_scenarios`), on the randomised denominators; and
    each follow-up's tipping-point table. Rows run 12, 24, 6 months: the primary endpoint first."""
    from ipscompendium.general import missing
    from ipscompendium.general.trial_grid import effect_prior

    scenarios = missing.default_scenarios() if scenarios is None else scenarios
    log_prior = effect_prior(log_or_prior, baseline)
    rows, tipping = [], {}
    for row in employment.itertuples():
        arms = (missing.Arm(int(row.employed_ips), int(row.n_ips), int(randomised_ips)),
                missing.Arm(int(row.employed_control), int(row.n_control), int(randomised_control)))
        cases = missing.bounds(*arms, log_prior)
        entry = {"timepoint_months": int(row.timepoint_months), "missing": f"{arms[0].missing} + {arms[1].missing}",
                 **{name: cases[name]["p_benefit"] for name in ("complete cases", "worst case", "best case")}}
        for scenario in scenarios:
            entry[f"IMOR: {scenario.label}"] = missing.imor_scenario(*arms, log_prior, scenario)["p_benefit"]
        rows.append(entry)
        tipping[int(row.timepoint_months)] = missing.tipping_point(*arms, log_prior)
    table = pd.DataFrame(rows)
    order = table["timepoint_months"].map(lambda t: (t != PRIMARY_MONTHS, t))
    return table.iloc[order.argsort(kind="stable")].reset_index(drop=True), tipping


def imor_columns(table: pd.DataFrame) -> list[str]:
    """The IMOR scenario columns of :func:`missing_outcome_table`."""
    return [c for c in table.columns if c.startswith("IMOR: ")]


def missing_verdict(table: pd.DataFrame, months: int):
    """Whether the conclusion at a follow-up survives the missing outcomes, in words, from the table."""
    from ipscompendium import conclusions

    row = table.set_index("timepoint_months").loc[months]
    return conclusions.missing_verdict(months, float(row["worst case"]), float(min(row[c] for c in imor_columns(table))))


def missing_range(table: pd.DataFrame, months: int) -> tuple[float, float]:
    """The lowest and highest P(IPS better) over the complete cases and the IMOR scenarios at a follow-up
    (the departures from missing at random a reader might hold; best and worst cases are the bounds)."""
    row = table.set_index("timepoint_months").loc[months]
    values = [float(row["complete cases"]), *(float(row[c]) for c in imor_columns(table))]
    return min(values), max(values)
