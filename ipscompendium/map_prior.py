"""The meta-analytic-predictive (MAP) prior: what the trials in mental illness predict for a new trial.

The binomial-normal meta-analysis gives draws of theta_new, the log odds ratio in a new trial.
A normal mixture fitted to them (as RBesT does) is the MAP prior; it is stored in
``data/derived/map_prior_log_or.csv`` with the SHA-256 of the trial table it came from, so the
IPS in Pain analysis can check that its prior is not stale.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ipscompendium import data
from ipscompendium.general.bayes_meta import binomial_normal_model
from ipscompendium.general.tau_priors import TauPrior
from ipscompendium.general.priors import NormalMixturePrior, fit_normal_mixture
from ipscompendium.general.sampling import draws_of, sample
from ipscompendium.validation import source_column, validate_table

MAP_PRIOR_PATH = data.DATA_DIR / "derived" / "map_prior_log_or.csv"
MAP_SEED = 20200206
MAP_COMPONENTS = 2

MAP_SCHEMA = pa.DataFrameSchema(
    {
        "component": pa.Column("Int64", pa.Check.ge(1), unique=True, coerce=True, description="Mixture component"),
        "weight": pa.Column("Float64", pa.Check.in_range(0, 1), coerce=True, description="Mixture weight"),
        "mean": pa.Column("Float64", coerce=True, description="Component mean (log-OR)"),
        "sd": pa.Column("Float64", pa.Check.gt(0), coerce=True, description="Component SD (log-OR)"),
        "trials_sha256": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{64}$"), description="SHA-256 of the trial table used"),
        "k_trials": pa.Column("Int64", pa.Check.gt(0), coerce=True, description="Trials pooled"),
        "source": source_column(),
    },
    strict=True,
)


def fit_map_prior(trials: pd.DataFrame, tau_prior: TauPrior, seed: int = MAP_SEED, components: int = MAP_COMPONENTS) -> tuple[NormalMixturePrior, object]:
    """Fit the binomial-normal model to ``trials`` and a normal mixture to theta_new's draws."""
    poolable = data.poolable_trials(trials)
    idata = sample(binomial_normal_model(poolable, tau_prior), seed=seed, draws=2000, label="MAP meta-analysis")
    theta_new = draws_of(idata, "theta_new")
    weights, means, sds = fit_normal_mixture(theta_new, components=components, seed=seed)
    prior = NormalMixturePrior(
        "MAP", tuple(float(w) for w in weights), tuple(float(m) for m in means), tuple(float(s) for s in sds),
        f"Meta-analytic-predictive: the log-OR predicted for a new trial by the {len(poolable)} IPS trials with counts "
        f"(binomial-normal model, {tau_prior.name} prior on tau), as a {components}-component normal mixture.",
    )
    return prior, idata


def normal_normal_map_prior(
    trials: pd.DataFrame, tau_prior: TauPrior, measure: str = "or", seed: int = MAP_SEED, draws: int = 40_000,
    components: int = MAP_COMPONENTS, name: str | None = None,
) -> NormalMixturePrior:
    """A MAP prior from the exact normal-normal posterior (quadrature over tau), on the log-OR, log-RR or RD scale.

    The predictive distribution of a new trial's effect is drawn exactly (tau from its
    quadrature posterior, then mu given tau, then the new effect) and approximated by a normal
    mixture, as for the binomial-normal MAP. No MCMC: fast enough to build several for a
    sensitivity analysis (other scales, other subsets of trials).
    """
    import numpy as np

    from ipscompendium.general.effect_sizes import log_effects
    from ipscompendium.general.exact import normal_normal_posterior
    from ipscompendium.general.bayes_meta import MU_PRIOR_SD
    from ipscompendium.general.measures import get_measure, tau_max
    from ipscompendium.general.predictive_prior import predictive_mixture

    measure = get_measure(measure)
    y, v = log_effects(trials["events_treatment"], trials["n_treatment"], trials["events_control"], trials["n_control"], measure.key)
    mu_sd = MU_PRIOR_SD if measure.ratio else 1.0
    post = normal_normal_posterior(y, np.sqrt(v), tau_prior.logpdf, mu_prior_sd=mu_sd, tau_max=tau_max(measure, v, y))
    scale = f"log-{measure.abbreviation}" if measure.ratio else measure.name
    return predictive_mixture(post, name or f"MAP ({scale})", f"Predicted {scale} of a new trial from {len(trials)} trials "
                              f"(normal-normal model, {tau_prior.name} prior on tau, exact).", seed=seed, draws=draws,
                              components=components)


def save_map_prior(prior: NormalMixturePrior, trials_path: Path, k_trials: int, path: Path = MAP_PRIOR_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(
        {
            "component": range(1, prior.components + 1),
            "weight": prior.weights,
            "mean": prior.means,
            "sd": prior.sds,
            "trials_sha256": data.file_sha256(trials_path),
            "k_trials": k_trials,
            "source": f"computed by ipscompendium.map_prior.fit_map_prior (seed {MAP_SEED}) from {Path(trials_path).name}",
        }
    )
    frame.to_csv(path, index=False, float_format="%.6f")


def load_map_prior(path: Path = MAP_PRIOR_PATH, trials_path: Path | None = None) -> NormalMixturePrior:
    """The stored MAP prior; raises if it was computed from another version of the trial table."""
    table = validate_table(path, MAP_SCHEMA, key_columns=("component",))
    trials_path = trials_path or data.TABLES["trials"].path
    current = data.file_sha256(trials_path)
    stored = set(table["trials_sha256"])
    if stored != {current}:
        raise ValueError(
            f"{path}: the MAP prior was computed from a trial table with SHA-256 {sorted(stored)}, but "
            f"{trials_path} now has {current}. Re-run `python scripts/update_map_prior.py`."
        )
    weights = table["weight"].to_numpy(float)
    return NormalMixturePrior(
        "MAP", tuple(weights / weights.sum()), tuple(table["mean"].astype(float)), tuple(table["sd"].astype(float)),
        f"Meta-analytic-predictive prior from {int(table['k_trials'].iloc[0])} IPS trials in mental illness "
        "(stored fit; see the meta-analysis chapter).",
        {"trials_sha256": current},
    )

