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
    runs += operating_runs()
    print(f"cores: {os.cpu_count()}")
    for label, seconds in runs:
        print(f"{seconds:8.2f} s  {label}")


def command_line_runs(trials, counts) -> list[tuple[str, float]]:
    """Wall time of the `ipscompendium` command line (a fresh process: imports included), beside the
    same analysis through the API in this (warm) process. Goals on 2 cores: trial < 1 s, meta < 2 s,
    meta --mcmc < 15 s cold."""
    from ipscompendium.general.meta_analysis import meta_analysis
    from ipscompendium.general.trial_table import REQUIRED

    table = trials[list(REQUIRED)]  # the compendium's table extends the general one: its five columns suffice
    folder = Path(tempfile.mkdtemp())
    csv = folder / "trials.csv"
    table.to_csv(csv, index=False)
    t, c = f"{counts[0]}/{counts[1]}", f"{counts[2]}/{counts[3]}"

    def cli(*args):
        return lambda: subprocess.run([sys.executable, "-m", "ipscompendium", *args], check=True, capture_output=True)

    def api_meta():
        meta_analysis(table, "rr")

    k = len(table)
    return [
        timed("CLI: ipscompendium trial (new process)", cli("trial", "--treatment", t, "--control", c, "--json")),
        timed("API: trial_grid.trial_benefit (warm)", lambda: trial_grid.trial_benefit(*counts, priors.weakly_informative_prior())),
        timed(f"CLI: ipscompendium meta, k={k} (DL, REML, exact Bayes; new process)", cli("meta", str(csv), "--json")),
        timed("API: the same meta-analysis (warm)", api_meta),
        timed(f"CLI: ipscompendium meta --mcmc, k={k} (new process, cold)", cli("meta", str(csv), "--measure", "or", "--mcmc", "--json")),
        timed("CLI: ipscompendium map (new process)", cli("map", str(csv), "--json")),
        *beside_metafor(folder),
        timed("CLI: ipscompendium meta, k=10,000 (new process)", cli("meta", str(many_trials(folder)), "--json")),
    ]


def operating_runs() -> list[tuple[str, float]]:
    """The exact operating characteristics of one design (every outcome enumerated): goal under 1 s
    at 500 per arm."""
    from ipscompendium.general import operating

    prior = trial_grid.effect_prior(priors.weakly_informative_prior())
    rule = operating.dual_criterion(0.975, trial_grid.RELEVANT_ODDS_RATIO)
    return [timed(f"OC: success boundary, {n} per arm (every outcome)", lambda n=n: operating.success_boundary(n, n, prior, rule))
            for n in (100, 500)]


def many_trials(folder: Path, k: int = 10_000) -> Path:
    """A synthetic table of k trials (seeded), for the large-file timing."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    n = rng.integers(20, 400, size=(k, 2))
    p_control = rng.uniform(0.1, 0.5, k)
    p_treatment = np.clip(p_control * np.exp(rng.normal(0.5, 0.3, k)), 0.01, 0.95)
    path = folder / "many.csv"
    pd.DataFrame({"study": [f"T{i}" for i in range(k)], "events_treatment": rng.binomial(n[:, 0], p_treatment),
                  "n_treatment": n[:, 0], "events_control": rng.binomial(n[:, 1], p_control), "n_control": n[:, 1]}).to_csv(path, index=False)
    return path


#: What `ipscompendium meta` computes for the bundled BCG file, in metafor: the effect sizes, the
#: four rma fits, Mantel-Haenszel, Egger's test, trim-and-fill and influence. Run with Rscript.
METAFOR_SCRIPT = """
suppressMessages(library(metafor))
d <- read.csv("{csv}")
e <- escalc("RR", ai=events_treatment, n1i=n_treatment, ci=events_control, n2i=n_control, data=d)
fits <- lapply(c("EE", "DL", "REML", "PM"), function(m) rma(yi, vi, data=e, method=m))
mh <- rma.mh(measure="RR", ai=events_treatment, n1i=n_treatment, ci=events_control, n2i=n_control, data=d)
r <- fits[[3]]; predict(r); regtest(r); trimfill(r); influence(r)
"""


def beside_metafor(folder: Path) -> list[tuple[str, float]]:
    """`ipscompendium meta` on the bundled BCG trials, cold, beside Rscript doing the same with metafor
    (when R and metafor are installed: apt-get install r-cran-metafor). Goal: no slower."""
    import shutil
    from importlib.resources import files

    bcg = Path(str(files("ipscompendium.examples").joinpath("bcg.csv")))
    runs = [timed("CLI: ipscompendium meta on the BCG trials, k=13 (new process)",
                  lambda: subprocess.run([sys.executable, "-m", "ipscompendium", "meta", str(bcg), "--json"], check=True,
                                         capture_output=True))]
    if shutil.which("Rscript"):
        script = folder / "metafor.R"
        script.write_text(METAFOR_SCRIPT.format(csv=bcg))
        runs.append(timed("Rscript: metafor, the same analyses on the BCG trials (new process)",
                          lambda: subprocess.run(["Rscript", str(script)], check=True, capture_output=True)))
    else:
        print("Rscript not found: the metafor timing is skipped (apt-get install r-cran-metafor)")
    return runs


if __name__ == "__main__":
    main()
