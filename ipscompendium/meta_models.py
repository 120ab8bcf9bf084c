"""The book's choices for the Bayesian meta-analysis of IPS trials: its four heterogeneity priors.

The models themselves are general (:mod:`ipscompendium.general.bayes_meta`).
"""

from __future__ import annotations

import pandas as pd

from ipscompendium.general.tau_priors import TauPrior


def default_tau_priors(turner: pd.DataFrame, turner_outcome: str = "quality of life / functioning (dichotomized)") -> list[TauPrior]:
    """The book's four heterogeneity priors: the default first, then the sensitivity priors."""
    row = turner.set_index("outcome_type").loc[turner_outcome]
    return [
        TauPrior("half-normal(1)", "half_normal", scale=1.0,
                 rationale="Default, weakly informative: half of the mass below tau = 0.67, i.e. trial effects "
                           "that differ by a factor of up to about 3.7 either way."),
        TauPrior("half-normal(0.5)", "half_normal", scale=0.5,
                 rationale="Tighter: most heterogeneity seen in Cochrane reviews of binary outcomes is below 0.5."),
        TauPrior("half-Cauchy(0.5)", "half_cauchy", scale=0.5,
                 rationale="Heavy-tailed: allows large heterogeneity if the data ask for it."),
        TauPrior("Turner et al. log-normal", "lognormal_tau2",
                 log_tau2_mean=float(row["log_tau2_mean"]), log_tau2_sd=float(row["log_tau2_sd"]),
                 rationale=f"Empirical (Turner et al. 2015, Table IV): tau^2 ~ LogNormal({row['log_tau2_mean']}, "
                           f"{row['log_tau2_sd']}^2) for '{turner_outcome}', non-pharmacological vs control; "
                           "employment is classed here as (dichotomised) functioning."),
    ]
