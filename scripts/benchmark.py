"""Time the model fits of the book on this machine (not part of the tests).

Prints wall-clock seconds for one fit of each model builder (compilation included) and for the
whole test suite's slowest part, so that a change that slows the book down shows up in numbers.
Run with `make benchmark`.
"""

from __future__ import annotations

import os
import time

from ipscompendium import data, meta_models, priors, sampling, trial_grid, trial_models, trial_sets


def timed(label: str, fit) -> tuple[str, float]:
    start = time.perf_counter()
    fit()
    return label, time.perf_counter() - start


def main() -> None:
    employment = data.load_employment().set_index("timepoint_months")
    twelve = employment.loc[12]
    counts = (int(twelve.employed_ips), int(twelve.n_ips), int(twelve.employed_control), int(twelve.n_control))
    mixture = priors.robustify(priors.normal_prior("p", 1.4, 0.6), 0.5)
    trials = data.poolable_trials(data.load_trials())
    tau = meta_models.default_tau_priors(data.load_turner_tau2_priors())[0]
    y, v = trial_sets.log_effects_of(trials)
    runs = [
        timed("two-arm model, normal prior", lambda: trial_models.fit_two_arm(twelve, priors.weakly_informative_prior(), seed=1)),
        timed("two-arm model, mixture prior", lambda: trial_models.fit_two_arm(twelve, mixture, seed=2)),
        timed("two-arm grid posterior (800 x 800)", lambda: trial_grid.trial_benefit(*counts, priors.weakly_informative_prior())),
        timed("longitudinal model", lambda: sampling.sample(
            trial_models.longitudinal_model(employment.reset_index(), priors.weakly_informative_prior()), seed=3, target_accept=0.99)),
        timed(f"binomial-normal meta-analysis (k={len(trials)})", lambda: sampling.sample(
            meta_models.binomial_normal_model(trials, tau), seed=4, target_accept=0.95)),
        timed(f"normal-normal meta-analysis (k={len(trials)})", lambda: sampling.sample(
            meta_models.normal_normal_model(y, v**0.5, tau), seed=5, target_accept=0.95)),
    ]
    print(f"cores: {os.cpu_count()}")
    for label, seconds in runs:
        print(f"{seconds:8.2f} s  {label}")


if __name__ == "__main__":
    main()
