"""Meta-analytic-predictive (MAP) priors from anyone's two-arm trials, by the exact normal-normal
model (quadrature over tau, no MCMC), for the effect or for the control arm, as RBesT builds them.
The compendium's own stored MAP prior (binomial-normal, by MCMC) is in ``ipscompendium.map_prior``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipscompendium.general.priors import NormalMixturePrior, fit_normal_mixture
from ipscompendium.general.tau_priors import TauPrior

#: Mixture components and seed of the fit to the predictive draws.
COMPONENTS = 2
SEED = 20260101


@dataclass(frozen=True)
class BuiltMapPrior:
    prior: NormalMixturePrior
    scale: str  # 'log_or' (the effect) or 'control_logit' (the control arm)
    k: int


def control_log_odds(events, n) -> tuple["np.ndarray", "np.ndarray"]:
    """Each control arm's log-odds and its sampling variance, 1/events + 1/non-events, with 0.5
    added to both cells of an arm with no events or only events (metafor's ``escalc("PLO")`` with
    ``add = 1/2, to = "only0"`` on the events and non-events)."""
    import numpy as np

    e, n = np.asarray(events, float), np.asarray(n, float)
    add = 0.5 * ((e == 0) | (e == n))
    return np.log((e + add) / (n - e + add)), 1 / (e + add) + 1 / (n - e + add)


def map_prior_from_trials(
    events_treatment, n_treatment, events_control, n_control, tau_prior: TauPrior, arm: str = "effect",
    seed: int = SEED, draws: int = 40_000, components: int = COMPONENTS,
) -> BuiltMapPrior:
    """A MAP prior from anyone's trials, by the exact normal-normal model (no MCMC).

    ``arm="effect"``: the log odds ratio of a new trial (as RBesT builds from effect estimates);
    ``arm="control"``: the control arm's log-odds in a new trial, from the historical control arms
    (RBesT's ``gMAP`` on control rates), with 0.5 added to a control arm with no events or only events.
    """
    import numpy as np

    from ipscompendium.general.effect_sizes import effect_sizes
    from ipscompendium.general.exact import normal_normal_posterior

    if arm == "effect":
        sizes = effect_sizes(events_treatment, n_treatment, events_control, n_control, "or")
        y, v, scale, k = sizes.y, sizes.v, "log_or", int(sizes.used.sum())
    elif arm == "control":
        y, v = control_log_odds(events_control, n_control)
        scale, k = "control_logit", len(y)
    else:
        raise ValueError(f"arm must be 'effect' or 'control', got {arm!r}")
    post = normal_normal_posterior(y, np.sqrt(v), tau_prior.logpdf, mu_prior_sd=10.0)
    prior = predictive_mixture(post, "MAP", f"Predicted {scale} of a new trial from {k} trials (normal-normal, {tau_prior.name} "
                               "prior on tau, exact).", seed=seed, draws=draws, components=components)
    return BuiltMapPrior(prior, scale, k)


def predictive_mixture(post, name: str, description: str, seed: int = SEED, draws: int = 40_000,
                       components: int = COMPONENTS) -> NormalMixturePrior:
    """The effect in a new trial under an exact normal-normal posterior, as a normal mixture:
    tau drawn from its quadrature posterior, then mu given tau, then the new trial's effect,
    and a mixture fitted to the draws (as RBesT's ``automixfit`` does to a MAP sample)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    index = rng.choice(len(post.tau), draws, p=post.tau_weights())
    theta_new = rng.normal(post.mu_mean_given_tau[index], np.sqrt(post.mu_sd_given_tau[index] ** 2 + post.tau[index] ** 2))
    weights, means, sds = fit_normal_mixture(theta_new, components=components, seed=seed)
    return NormalMixturePrior(name, tuple(float(w) for w in weights), tuple(float(m) for m in means), tuple(float(s) for s in sds),
                              description)
