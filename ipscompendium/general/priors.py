"""Priors on the log odds ratio, stated so that a reader can check and vary them.

A prior is a mixture of normals (a single normal is a one-component mixture). The named
constructors follow the recipes of Spiegelhalter, Abrams & Myles (2004): a *sceptical* prior
centred on no effect that gives a small stated probability to an effect as large as the design
assumed, an *enthusiastic* prior centred on the design effect, and the meta-analytic-predictive
(MAP) prior of Schmidli et al. (2014) with its *robust* version, which adds a vague component.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ipscompendium.general import normal

#: Standard deviation of the vague component and of the weakly informative prior on the log-OR:
#: 95% of its mass lies between OR 1/50 and 50.
VAGUE_SD = 2.0


@dataclass(frozen=True)
class NormalMixturePrior:
    """A mixture of normal distributions on a log-odds scale: a log odds ratio, or a control arm's log-odds."""

    name: str
    weights: tuple[float, ...]
    means: tuple[float, ...]
    sds: tuple[float, ...]
    rationale: str = ""
    provenance: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if not (len(self.weights) == len(self.means) == len(self.sds)) or not self.weights:
            raise ValueError("weights, means and sds must have the same, non-zero length")
        if any(w < 0 for w in self.weights) or not np.isclose(sum(self.weights), 1.0):
            raise ValueError(f"weights must be non-negative and sum to 1, got {self.weights}")
        if any(s <= 0 for s in self.sds):
            raise ValueError(f"standard deviations must be positive, got {self.sds}")

    @property
    def components(self) -> int:
        return len(self.weights)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, float)[..., None]
        return np.sum(np.array(self.weights) * normal.pdf(x, self.means, self.sds), axis=-1)

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, float)[..., None]
        terms = np.log(np.array(self.weights)) + normal.logpdf(x, self.means, self.sds)
        return np.logaddexp.reduce(terms, axis=-1)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, float)[..., None]
        return np.sum(np.array(self.weights) * normal.cdf(x, self.means, self.sds), axis=-1)

    def prob_greater(self, threshold: float) -> float:
        """Prior probability that the log-OR exceeds ``threshold``."""
        return float(1 - self.cdf(threshold))

    def mean(self) -> float:
        return float(np.dot(self.weights, self.means))

    def sd(self) -> float:
        second = np.dot(self.weights, np.square(self.sds) + np.square(self.means))
        return float(np.sqrt(second - self.mean() ** 2))

    def quantile(self, q: float) -> float:
        lo, hi = min(self.means) - 10 * max(self.sds), max(self.means) + 10 * max(self.sds)
        from scipy.optimize import brentq

        return float(brentq(lambda x: self.cdf(x) - q, lo, hi))

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        component = rng.choice(self.components, size=size, p=np.array(self.weights))
        return rng.normal(np.array(self.means)[component], np.array(self.sds)[component])

    def to_pymc(self, name: str):
        """The prior as a PyMC random variable (inside a model context)."""
        import pymc as pm  # only the MCMC path needs PyMC; the exact grid and the CLI do not

        if self.components == 1:
            return pm.Normal(name, mu=self.means[0], sigma=self.sds[0])
        return pm.NormalMixture(name, w=np.array(self.weights), mu=np.array(self.means), sigma=np.array(self.sds))

    def describe(self) -> str:
        parts = [f"{w:.2f} x N({m:.2f}, {s:.2f}^2)" for w, m, s in zip(self.weights, self.means, self.sds)]
        return " + ".join(parts) if self.components > 1 else f"N({self.means[0]:.2f}, {self.sds[0]:.2f}^2)"


def normal_prior(name: str, mean: float, sd: float, rationale: str = "") -> NormalMixturePrior:
    return NormalMixturePrior(name, (1.0,), (float(mean),), (float(sd),), rationale)


def design_log_odds_ratio(p_control: float, p_treated: float) -> float:
    """The log odds ratio a design assumed, from its two risks."""
    return float(np.log(p_treated / (1 - p_treated)) - np.log(p_control / (1 - p_control)))


def weakly_informative_prior() -> NormalMixturePrior:
    return normal_prior(
        "weakly informative", 0.0, VAGUE_SD,
        f"N(0, {VAGUE_SD:g}^2): no direction favoured; 95% of the mass between OR 1/50 and 50, so "
        "the data dominate while absurd effects are discounted.",
    )


def sceptical_prior(anchor_log_or: float, tail_probability: float = 0.05, anchor_label: str = "") -> NormalMixturePrior:
    """Centred on no effect, with ``tail_probability`` that the log-OR exceeds ``anchor_log_or``.

    The anchor should be an effect a sceptic finds plausible but doubts (Spiegelhalter, Abrams &
    Myles 2004): the larger the anchor, the weaker the scepticism.
    """
    sd = anchor_log_or / normal.ppf(1 - tail_probability)
    label = f" ({anchor_label})" if anchor_label else ""
    return normal_prior(
        "sceptical", 0.0, sd,
        f"Centred on no effect, with a {tail_probability:.0%} prior probability that the odds ratio is at "
        f"least {np.exp(anchor_log_or):.2f}{label}.",
    )


def sceptic_grid(anchor_odds_ratios, tail_probability: float = 0.05) -> list[NormalMixturePrior]:
    """A family of sceptical priors, from strong (small anchor) to weak (large anchor)."""
    return [
        NormalMixturePrior(f"sceptic, P(OR > {a:.2f}) = {tail_probability:.0%}", (1.0,), (0.0,),
                           (float(np.log(a) / normal.ppf(1 - tail_probability)),))
        for a in anchor_odds_ratios
    ]


def enthusiastic_prior(design_log_or: float, tail_probability: float = 0.05) -> NormalMixturePrior:
    """Centred on the design effect, with ``tail_probability`` that the treatment is no better than control."""
    sd = design_log_or / normal.ppf(1 - tail_probability)
    return normal_prior(
        "enthusiastic", design_log_or, sd,
        f"Centred on the design's odds ratio {np.exp(design_log_or):.2f}, with a {tail_probability:.0%} prior "
        "probability that the treatment is no better than control.",
    )


def robustify(prior: NormalMixturePrior, weight: float, vague_mean: float = 0.0, vague_sd: float = VAGUE_SD) -> NormalMixturePrior:
    """Add a vague component N(vague_mean, vague_sd^2) with prior weight ``weight`` (Schmidli et al. 2014)."""
    if not 0 <= weight <= 1:
        raise ValueError(f"the robust weight must lie in [0, 1], got {weight}")
    weights = tuple(w * (1 - weight) for w in prior.weights) + (weight,)
    means = prior.means + (vague_mean,)
    sds = prior.sds + (vague_sd,)
    kept = [i for i, w in enumerate(weights) if w > 0]
    return NormalMixturePrior(
        f"robust {prior.name} (w={weight:g})",
        tuple(weights[i] for i in kept), tuple(means[i] for i in kept), tuple(sds[i] for i in kept),
        f"{1 - weight:.0%} {prior.name} + {weight:.0%} vague N({vague_mean:g}, {vague_sd:g}^2): if the new "
        "trial's data conflict with the prior, the vague component takes over.",
        prior.provenance,
    )


_HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)


def fit_normal_mixture(
    samples: np.ndarray, components: int = 2, seed: int = 0, iterations: int = 500, tolerance: float = 1e-10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximum-likelihood normal mixture for 1-D samples by expectation-maximisation.

    Returns (weights, means, sds), components ordered by mean. Written out (30 lines) because
    the only well-kept alternative, scikit-learn's GaussianMixture, would add a large dependency
    for one 1-D fit.
    """
    x = np.asarray(samples, float).ravel()
    rng = np.random.default_rng(seed)
    means = np.quantile(x, (np.arange(components) + 0.5) / components) + rng.normal(0, 1e-3, components)
    sds = np.full(components, x.std())
    weights = np.full(components, 1 / components)
    previous = -np.inf
    for _ in range(iterations):
        # The normal log-density written out (scipy.stats' per-call overhead dominated this loop), with
        # components along the first axis: sums over a short last axis are several times slower.
        log_density = (np.log(weights) - np.log(sds) - _HALF_LOG_2PI)[:, None] - 0.5 * ((x - means[:, None]) / sds[:, None]) ** 2
        top = log_density.max(axis=0)
        scaled = np.exp(log_density - top)
        total = scaled.sum(axis=0)
        log_total = top + np.log(total)
        responsibility = scaled / total
        mass = responsibility.sum(axis=1)
        weights = mass / len(x)
        means = (responsibility @ x) / mass
        sds = np.sqrt((responsibility * (x - means[:, None]) ** 2).sum(axis=1) / mass)
        sds = np.maximum(sds, 1e-6)
        likelihood = log_total.sum()
        if likelihood - previous < tolerance * abs(likelihood):
            break
        previous = likelihood
    order = np.argsort(means)
    return weights[order], means[order], sds[order]


def turner_tau_prior_quantiles(log_tau2_mean: float, log_tau2_sd: float, q: np.ndarray) -> np.ndarray:
    """Quantiles of tau under Turner et al.'s log-normal prior on tau^2."""
    return np.sqrt(np.exp(normal.ppf(q, log_tau2_mean, log_tau2_sd)))


#: Prior weight of the vague component in the book's robust MAP prior. Higher than RBesT's
#: example (0.1) because chronic pain is not the population of the trials behind the MAP; the
#: pain chapter shows the effective sample size and the posterior weights over all weights.
ROBUST_WEIGHT = 0.5


def unit_information_variance(p_control: float, p_treatment: float | None = None) -> float:
    """Variance of a log odds ratio estimated from one patient per arm: 1/(p0(1-p0)) + 1/(p1(1-p1)).

    An effective sample size of a prior on the log-OR is this variance over the prior's, and is
    counted per arm; at equal risks it is 2 / (p(1 - p)).
    """
    p_treatment = p_control if p_treatment is None else p_treatment
    return float(1 / (p_control * (1 - p_control)) + 1 / (p_treatment * (1 - p_treatment)))


def ess_moment(prior: NormalMixturePrior, p_control: float, p_treatment: float | None = None) -> float:
    """Moment-matching effective sample size per arm: the unit-information variance over the prior variance."""
    return unit_information_variance(p_control, p_treatment) / prior.sd() ** 2


def _expected_curvature(prior: NormalMixturePrior, points: int, weight=None) -> float:
    """E_prior[w(theta) * -d^2/dtheta^2 log p(theta)], by the trapezoid rule on a wide grid (w = 1 by default)."""
    lo = min(m - 12 * s for m, s in zip(prior.means, prior.sds))
    hi = max(m + 12 * s for m, s in zip(prior.means, prior.sds))
    x = np.linspace(lo, hi, points)[:, None]
    w, m, s = np.array(prior.weights), np.array(prior.means), np.array(prior.sds)
    phi = w * normal.pdf(x, m, s)
    f = phi.sum(axis=1)
    f1 = (phi * -(x - m) / s**2).sum(axis=1)
    f2 = (phi * (((x - m) / s**2) ** 2 - 1 / s**2)).sum(axis=1)
    safe = f > 0
    curvature = np.zeros_like(f)
    curvature[safe] = -(f2[safe] / f[safe] - (f1[safe] / f[safe]) ** 2)
    if weight is not None:
        curvature = curvature * weight(x.ravel())
    return float(np.trapezoid(f * curvature, x.ravel()) / np.trapezoid(f, x.ravel()))


def ess_elir(prior: NormalMixturePrior, p_control: float, p_treatment: float | None = None, points: int = 20001) -> float:
    """Expected local-information-ratio effective sample size per arm (Neuenschwander et al. 2020).

    ELIR = sigma_F^2 E_prior[-d^2/dtheta^2 log p(theta)], with sigma_F^2 the unit-information
    variance; it equals the moment ESS for a normal prior, and is predictively consistent: the
    expected ELIR of the posterior after n units is the prior's plus n. RBesT's
    ``ess(mix, method = "elir", sigma = sigma_F)`` computes the same quantity.
    """
    return unit_information_variance(p_control, p_treatment) * _expected_curvature(prior, points)


def ess_elir_logit(prior: NormalMixturePrior, points: int = 20001) -> float:
    """ELIR effective sample size of a prior on one arm's log-odds, in patients of that arm.

    One patient's information about the log-odds theta is p(1 - p), which changes with theta, so
    the ratio is taken point by point: ELIR = E_prior[-(log p)''(theta) / (p(theta)(1 - p(theta)))]
    (Neuenschwander et al. 2020, for the binomial family on its canonical scale). This is what RBesT
    computes with ``ess(mix, method = "elir", family = binomial)`` for a normal mixture on the logit
    scale (RBesT >= 1.8-0). It needs no reference risk.
    """
    from scipy.special import expit

    return _expected_curvature(prior, points, weight=lambda theta: 1 / (expit(theta) * expit(-theta)))


def trial_priors(
    p_control_design: float, p_treatment_design: float, map_prior: NormalMixturePrior, sceptic_anchor_or: float,
    sceptic_anchor_label: str = "", robust_weight: float = ROBUST_WEIGHT,
) -> list[NormalMixturePrior]:
    """The five priors of a Bayesian re-analysis of one trial (the book's IPS in Pain priors).

    The sceptic doubts ``sceptic_anchor_or`` (5% prior probability of an odds ratio at least that
    large); the enthusiast believes the design's effect; the MAP prior carries earlier trials (for IPS in Pain, the trials in
    mental illness), and its robust version mixes in the weakly informative prior.
    """
    design = design_log_odds_ratio(p_control_design, p_treatment_design)
    return [
        weakly_informative_prior(),
        sceptical_prior(float(np.log(sceptic_anchor_or)), 0.05, sceptic_anchor_label),
        enthusiastic_prior(design),
        map_prior,
        robustify(map_prior, robust_weight),
    ]


def _expected_treatment_risk(prior: NormalMixturePrior, control_risk: float) -> float:
    """The treatment risk at the prior's median odds ratio: where its information is counted."""
    from scipy.special import expit, logit

    return float(expit(logit(control_risk) + prior.quantile(0.5)))


def ess_per_arm(prior: NormalMixturePrior, control_risk: float) -> float:
    """The one effective-sample-size convention for a prior on the log odds ratio: ELIR patients per
    arm, with one patient's information taken at ``control_risk`` in the control arm and at the
    risk the prior's median odds ratio implies in the treatment arm."""
    return ess_elir(prior, control_risk, _expected_treatment_risk(prior, control_risk))


def prior_summary(prior_list: list[NormalMixturePrior], design_odds_ratio: float, control_risk: float) -> "pd.DataFrame":
    """Each prior's stated properties on the odds-ratio scale, its effective sample size, and its rationale."""
    import pandas as pd

    return pd.DataFrame([
        {"prior": p.name, "log-OR distribution": p.describe(),
         "P(OR > 1)": p.prob_greater(0.0), "P(OR > 1.5)": p.prob_greater(np.log(1.5)),
         f"P(OR > {design_odds_ratio:.2f})": p.prob_greater(np.log(design_odds_ratio)),
         "OR 2.5%": np.exp(p.quantile(0.025)), "OR median": np.exp(p.quantile(0.5)), "OR 97.5%": np.exp(p.quantile(0.975)),
         "ESS per arm (ELIR)": ess_per_arm(p, control_risk),
         "ESS per arm (moment)": ess_moment(p, control_risk, _expected_treatment_risk(p, control_risk)),
         "rationale": p.rationale}
        for p in prior_list
    ])
