"""Time the model fits of the book on this machine (not part of the tests).

Prints wall-clock seconds for one fit of each model builder (compilation included) and for the
whole test suite's slowest part, so that a change that slows the book down shows up in numbers.
Run with `make benchmark`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ipscompendium import data, meta_models, trial_models, trial_sets
from ipscompendium.general import bayes_meta, priors, sampling, tau_priors, trial_grid


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
            bayes_meta.binomial_normal_model(trials, tau), seed=4, target_accept=0.95)),
        timed(f"normal-normal meta-analysis (k={len(trials)})", lambda: sampling.sample(
            bayes_meta.normal_normal_model(y, v**0.5, tau), seed=5, target_accept=0.95)),
    ]
    runs += command_line_runs(trials, counts)
    print(f"cores: {os.cpu_count()}")
    for label, seconds in runs:
        print(f"{seconds:8.2f} s  {label}")


def command_line_runs(trials, counts) -> list[tuple[str, float]]:
    """Wall time of the `ipscompendium` command line (a fresh process: imports included), beside the
    same analysis through the API in this (warm) process. Goals on 2 cores: trial < 1 s, meta < 2 s,
    meta --mcmc < 15 s cold."""
    from ipscompendium.general import effect_sizes, exact, frequentist
    from ipscompendium.general.trial_table import REQUIRED

    table = trials[list(REQUIRED)]  # the compendium's table extends the general one: its five columns suffice
    folder = Path(tempfile.mkdtemp())
    csv = folder / "trials.csv"
    table.to_csv(csv, index=False)
    t, c = f"{counts[0]}/{counts[1]}", f"{counts[2]}/{counts[3]}"

    def cli(*args):
        return lambda: subprocess.run([sys.executable, "-m", "ipscompendium", *args], check=True, capture_output=True)

    def api_meta():
        sizes = effect_sizes.effect_sizes(table.events_treatment, table.n_treatment, table.events_control, table.n_control, "rr")
        for method in ("DL", "REML"):
            frequentist.random_effects(sizes.y, sizes.v, method)
        exact.normal_normal_posterior(sizes.y, sizes.v**0.5, tau_priors.TauPrior("hn", "half_normal", scale=0.5).logpdf).mu_quantile(0.5)

    k = len(table)
    return [
        timed("CLI: ipscompendium trial (new process)", cli("trial", "--treatment", t, "--control", c, "--json")),
        timed("API: trial_grid.trial_benefit (warm)", lambda: trial_grid.trial_benefit(*counts, priors.weakly_informative_prior())),
        timed(f"CLI: ipscompendium meta, k={k} (DL, REML, exact Bayes; new process)", cli("meta", str(csv), "--json")),
        timed(f"API: the same meta-analysis (warm)", api_meta),
        timed(f"CLI: ipscompendium meta --mcmc, k={k} (new process, cold)", cli("meta", str(csv), "--measure", "or", "--mcmc", "--json")),
        timed("CLI: ipscompendium map (new process)", cli("map", str(csv), "--json")),
    ]


if __name__ == "__main__":
    main()
