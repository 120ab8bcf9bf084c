"""Refit the meta-analytic-predictive prior and store it in data/derived/map_prior_log_or.csv.

Run after any change to data/meta_analysis/trials.csv; tests/test_map_prior.py fails until you do.
"""

from ipscompendium import data
from ipscompendium.map_prior import MAP_PRIOR_PATH, fit_map_prior, save_map_prior
from ipscompendium.meta_models import default_tau_priors


def main() -> None:
    trials = data.load_trials()
    tau_prior = default_tau_priors(data.load_turner_tau2_priors())[0]
    prior, _ = fit_map_prior(trials, tau_prior)
    save_map_prior(prior, data.TABLES["trials"].path, len(data.poolable_trials(trials)))
    print(f"MAP prior {prior.describe()} written to {MAP_PRIOR_PATH}")


if __name__ == "__main__":
    main()
