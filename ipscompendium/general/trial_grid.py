"""The two-arm posterior computed exactly on a grid: no sampling, so it checks MCMC and draws curves.

The two unknowns are the arms' log-odds, ``(logit p_control, logit p_treatment)``. Any prior
whose density can be written on that plane can be used: a prior on the log odds ratio with a
baseline prior (:class:`BaselinePrior`), independent Beta priors on the two risks, and the
power prior of a historical control (``history``). Both axes share one uniform, cell-centred
lattice, so the line "no difference" (``p_treatment == p_control``) runs through cell centres;
probabilities of a strict inequality count half of the mass on that line (the midpoint rule),
which keeps them unbiased to second order in the grid step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, expit, log_expit

from ipscompendium.general import normal
from ipscompendium.general.priors import NormalMixturePrior

#: The clinically relevant thresholds the book reports.
RELEVANT_RISK_DIFFERENCE = 0.10
RELEVANT_ODDS_RATIO = 1.5

#: Cells per axis; with the data-driven range this is a step of about 0.01 on the log-odds.
DEFAULT_POINTS = 800


@dataclass(frozen=True)
class BaselinePrior:
    """Normal prior on the baseline log-odds of a two-arm logistic model.

    ``anchor="centred"`` (the default) puts the prior on the mean of the two arms' log-odds,
    ``eta``, with ``logit p_control = eta - theta/2`` and ``logit p_treatment = eta + theta/2``:
    both arms then get the same prior, whatever the prior on the log odds ratio ``theta``.
    ``anchor="control"`` puts it on the control arm's log-odds, ``logit p_treatment =
    logit p_control + theta``: the treatment arm's prior is then wider than the control arm's,
    and a small control arm is pulled towards the prior's centre more than the other.
    """

    sd: float = 1.5
    mean: float = 0.0
    anchor: str = "centred"

    def __post_init__(self):
        if self.anchor not in ("centred", "control"):
            raise ValueError(f"anchor must be 'centred' or 'control', got {self.anchor!r}")
        if self.sd <= 0:
            raise ValueError(f"the baseline SD must be positive, got {self.sd}")

    def baseline_of(self, control_logit, treatment_logit):
        """The baseline log-odds at given arm log-odds."""
        if self.anchor == "centred":
            return (control_logit + treatment_logit) / 2
        return control_logit

    def describe(self) -> str:
        where = "mean of the two arms' log-odds" if self.anchor == "centred" else "control arm's log-odds"
        return f"N({self.mean:g}, {self.sd:g}^2) on the {where}"


#: The book's default: centred, 95% of the mass of the average risk between 5% and 95%.
DEFAULT_BASELINE = BaselinePrior()

LogPrior = Callable[[np.ndarray, np.ndarray], np.ndarray]


def effect_prior(log_or_prior: NormalMixturePrior, baseline: BaselinePrior = DEFAULT_BASELINE) -> LogPrior:
    """Log density on the (control, treatment) log-odds plane of a log-OR prior and a baseline prior.

    Both parametrisations are a linear map of unit determinant from the arm log-odds, so the
    density is the product of the two priors with no Jacobian.
    """

    def log_density(control_logit, treatment_logit):
        base = baseline.baseline_of(control_logit, treatment_logit)
        return normal.logpdf(base, baseline.mean, baseline.sd) + log_or_prior.logpdf(treatment_logit - control_logit)

    return log_density


def effect_prior_on_scale(effect: NormalMixturePrior, scale: str, control: BaselinePrior) -> LogPrior:
    """A prior on the effect as a log odds ratio, log risk ratio or risk difference, and one on the control log-odds.

    This is how a prior is *transported* to a new trial on a chosen scale: the same effect
    distribution means a different treatment risk on each scale once the control risk differs.
    The density on the plane carries the Jacobian of the effect with respect to the treatment
    log-odds (1 for the log-OR, 1 - p for the log-RR, p(1 - p) for the RD); values that would
    need a risk outside (0, 1) get no mass, and the grid renormalises.
    """
    if control.anchor != "control":
        raise ValueError("a prior on the log-RR or RD scale needs a baseline prior on the control arm (anchor='control')")
    if scale not in ("log_or", "log_rr", "rd"):
        raise ValueError(f"scale must be 'log_or', 'log_rr' or 'rd', got {scale!r}")

    def log_density(control_logit, treatment_logit):
        base = normal.logpdf(control_logit, control.mean, control.sd)
        if scale == "log_or":
            return base + effect.logpdf(treatment_logit - control_logit)
        if scale == "log_rr":
            value = log_expit(treatment_logit) - log_expit(control_logit)
            return base + effect.logpdf(value) + log_expit(-treatment_logit)
        value = expit(treatment_logit) - expit(control_logit)
        return base + effect.logpdf(value) + log_expit(treatment_logit) + log_expit(-treatment_logit)

    return log_density


def beta_arms_prior(alpha: float = 1.0, beta: float = 1.0) -> LogPrior:
    """Independent Beta(alpha, beta) priors on the two risks, as a density on the log-odds plane."""

    def log_density(control_logit, treatment_logit):
        total = 0.0
        for logit in (control_logit, treatment_logit):
            # Beta density of p times the Jacobian dp/dlogit = p(1 - p)
            total = total + alpha * log_expit(logit) + beta * log_expit(-logit) - betaln(alpha, beta)
        return total

    return log_density


def logit_normal_control_prior(mean: float, sd: float) -> Callable[[np.ndarray], np.ndarray]:
    """N(mean, sd^2) on the control arm's log-odds, as a log density of that log-odds."""
    if sd <= 0:
        raise ValueError(f"the SD must be positive, got {sd}")
    return lambda control_logit: normal.logpdf(control_logit, mean, sd)


def beta_control_prior(alpha: float, beta: float) -> Callable[[np.ndarray], np.ndarray]:
    """Beta(alpha, beta) on the control risk, as a log density of the control log-odds (with the Jacobian)."""
    if alpha <= 0 or beta <= 0:
        raise ValueError(f"Beta parameters must be positive, got {alpha}, {beta}")
    return lambda control_logit: alpha * log_expit(control_logit) + beta * log_expit(-control_logit) - betaln(alpha, beta)


def effect_prior_with_control(log_or_prior: NormalMixturePrior, control_log_density: Callable[[np.ndarray], np.ndarray]) -> LogPrior:
    """Independent priors on the log odds ratio and on the control arm's log-odds (any density on the
    log-odds: :func:`logit_normal_control_prior`, :func:`beta_control_prior`, or a MAP mixture's ``logpdf``).

    ``logit p_treatment = logit p_control + theta`` is a shear of unit determinant, so the joint
    density needs no Jacobian.
    """

    def log_density(control_logit, treatment_logit):
        return control_log_density(control_logit) + log_or_prior.logpdf(treatment_logit - control_logit)

    return log_density


@dataclass(frozen=True)
class History:
    """A historical control arm, borrowed through a power prior with weight ``a0``."""

    events: float
    n: int


def _log_odds_range(events: float, n: float, width: float = 10.0) -> tuple[float, float]:
    centre = np.log((events + 0.5) / (n - events + 0.5))
    se = np.sqrt(1 / (events + 0.5) + 1 / (n - events + 0.5))
    return centre - width * se, centre + width * se


@dataclass(frozen=True)
class TwoArmGrid:
    """A normalised posterior on a square lattice of the two arms' log-odds."""

    axis: np.ndarray  # cell centres, shared by both arms
    weight: np.ndarray  # [control, treatment], sums to 1
    log_evidence: float  # log marginal likelihood of the data (up to the binomial coefficients)

    @property
    def control_logit(self) -> np.ndarray:
        return self.axis[:, None]

    @property
    def treatment_logit(self) -> np.ndarray:
        return self.axis[None, :]

    @property
    def p_control(self) -> np.ndarray:
        return expit(self.control_logit)

    @property
    def p_treatment(self) -> np.ndarray:
        return expit(self.treatment_logit)

    @property
    def log_or(self) -> np.ndarray:
        return self.treatment_logit - self.control_logit

    @property
    def risk_difference(self) -> np.ndarray:
        return self.p_treatment - self.p_control

    def prob_log_or_above(self, threshold: float) -> float:
        """P(log-OR > threshold), with half the mass of cells exactly on the threshold."""
        step = self.axis[1] - self.axis[0]
        offset = (self.log_or - threshold) / step
        on_line = np.isclose(offset, np.round(offset), atol=1e-9) & (np.abs(offset) < 0.5)
        return float(self.weight[(offset > 0) & ~on_line].sum() + 0.5 * self.weight[on_line].sum())

    def prob_rd_above(self, threshold: float) -> float:
        """P(risk difference > threshold); at 0 this is P(log-OR > 0), which counts the tie line half."""
        if threshold == 0:
            return self.prob_log_or_above(0.0)
        return float(self.weight[self.risk_difference > threshold].sum())

    def quantiles(self, values: np.ndarray, q) -> np.ndarray:
        """Weighted quantiles of a function of the two risks (e.g. the risk difference), interpolated
        between the values the lattice takes.

        Cells with the same value are pooled first: the log odds ratio takes one value per diagonal
        of the lattice, and without pooling its quantiles would snap to those values (two priors
        could then give the same bound to the last digit). Each distinct value's mass is centred on
        it, and the quantile is read off the piecewise-linear CDF through those centres.
        """
        values = np.broadcast_to(values, self.weight.shape).ravel()
        step = self.axis[1] - self.axis[0]
        # values closer than a millionth of a cell are the same lattice value
        keys = np.round(values / (step * 1e-6)).astype(np.int64)
        unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        mass = np.bincount(inverse, weights=self.weight.ravel(), minlength=len(unique))
        cdf = np.cumsum(mass) - 0.5 * mass
        return np.interp(np.atleast_1d(q), cdf, values[first])

    def mean(self, values: np.ndarray) -> float:
        return float(np.sum(self.weight * values))


def _lattice(events_treatment: int, n_treatment: int, events_control: int, n_control: int,
             history: History | None, points: int) -> tuple[np.ndarray, float]:
    """The cell centres shared by both arms' log-odds: ten standard errors around each arm's estimate."""
    ranges = [_log_odds_range(events_treatment, n_treatment), _log_odds_range(events_control, n_control)]
    if history is not None:
        ranges.append(_log_odds_range(history.events, history.n))
    low = max(-15.0, min(r[0] for r in ranges))
    high = min(15.0, max(r[1] for r in ranges))
    step = (high - low) / points
    return low + step * (np.arange(points) + 0.5), step


def posterior_grid(
    events_treatment: int, n_treatment: int, events_control: int, n_control: int, log_prior: LogPrior,
    history: History | None = None, a0: float = 0.0, points: int = DEFAULT_POINTS,
) -> TwoArmGrid:
    """The exact posterior of a two-arm binomial trial on a grid.

    With ``history`` the control arm's likelihood is multiplied by the historical likelihood
    raised to ``a0`` (a power prior with the stated prior as initial prior).
    """
    if not 0 <= a0 <= 1:
        raise ValueError(f"a0 must lie in [0, 1], got {a0}")
    if a0 > 0 and history is None:
        raise ValueError("a0 > 0 borrows from a historical control: pass history=History(events, n)")
    axis, step = _lattice(events_treatment, n_treatment, events_control, n_control, history if a0 > 0 else None, points)
    control, treatment = axis[:, None], axis[None, :]
    log_post = (
        log_prior(control, treatment)
        + events_control * log_expit(control) + (n_control - events_control) * log_expit(-control)
        + events_treatment * log_expit(treatment) + (n_treatment - events_treatment) * log_expit(-treatment)
    )
    if history is not None and a0 > 0:
        log_post = log_post + a0 * (history.events * log_expit(control) + (history.n - history.events) * log_expit(-control))
    top = float(np.max(log_post))
    weight = np.exp(log_post - top)
    total = float(weight.sum())
    return TwoArmGrid(axis, weight / total, top + np.log(total * step**2))


def benefit(grid: TwoArmGrid, relevant_rd: float = RELEVANT_RISK_DIFFERENCE, relevant_or: float = RELEVANT_ODDS_RATIO) -> dict[str, float]:
    """P(benefit), P(RD > relevant), P(OR > relevant), and medians and 95% intervals of RD, OR and each arm's risk."""
    summary = {
        "p_benefit": grid.prob_log_or_above(0.0),
        "p_relevant_rd": grid.prob_rd_above(relevant_rd),
        "p_or_above": grid.prob_log_or_above(np.log(relevant_or)),
    }
    rd = grid.quantiles(grid.risk_difference, [0.5, 0.025, 0.975])
    log_or = grid.quantiles(grid.log_or, [0.5, 0.025, 0.975])
    summary.update(rd_median=float(rd[0]), rd_low=float(rd[1]), rd_high=float(rd[2]),
                   or_median=float(np.exp(log_or[0])), or_low=float(np.exp(log_or[1])), or_high=float(np.exp(log_or[2])))
    for arm, risk in (("control", grid.p_control), ("treatment", grid.p_treatment)):
        q = grid.quantiles(risk, [0.5, 0.025, 0.975])
        summary.update({f"p_{arm}_median": float(q[0]), f"p_{arm}_low": float(q[1]), f"p_{arm}_high": float(q[2])})
    return summary


def trial_benefit(
    events_treatment: int, n_treatment: int, events_control: int, n_control: int, log_or_prior: NormalMixturePrior,
    baseline: BaselinePrior = DEFAULT_BASELINE, **thresholds,
) -> dict[str, float]:
    """:func:`benefit` of the logistic two-arm model with a log-OR prior, in one call."""
    grid = posterior_grid(events_treatment, n_treatment, events_control, n_control, effect_prior(log_or_prior, baseline))
    return benefit(grid, **thresholds)


@dataclass(frozen=True)
class LogOddsRatioLikelihood:
    """The trial's evidence about the log odds ratio alone: likelihood times the baseline prior,
    summed along each diagonal of the lattice (the cells with one log-OR).

    With any prior on the log-OR, the posterior of the log-OR is this times the prior, exactly as
    :func:`posterior_grid` with :func:`effect_prior` gives it (the same cells, summed first). So one
    lattice answers any number of priors: a heat map over prior means and SDs, or the prior that
    would bring a probability to a target (:func:`sceptical_sd_for`, :func:`prior_mean_for`).
    """

    log_or: np.ndarray  # the diagonals' log-OR values, one lattice step apart, centred on 0
    log_mass: np.ndarray  # log of the summed likelihood x baseline prior on each diagonal (up to a constant)
    #: the same sums over the cells whose risk difference exceeds ``rd_threshold`` (when one was asked for)
    log_mass_rd_above: np.ndarray | None = None
    rd_threshold: float | None = None

    def posterior_weights(self, log_or_prior: NormalMixturePrior) -> np.ndarray:
        log_post = self.log_mass + log_or_prior.logpdf(self.log_or)
        weight = np.exp(log_post - np.max(log_post))
        return weight / weight.sum()

    def likelihood(self) -> np.ndarray:
        """The evidence on each diagonal, scaled to sum to one (a flat prior's posterior)."""
        weight = np.exp(self.log_mass - np.max(self.log_mass))
        return weight / weight.sum()

    def prob_log_or_above(self, log_or_prior: NormalMixturePrior, threshold: float = 0.0) -> float:
        """P(log-OR > threshold), counting half the mass of a diagonal that lies on the threshold."""
        weight = self.posterior_weights(log_or_prior)
        step = self.log_or[1] - self.log_or[0]
        offset = (self.log_or - threshold) / step
        on_line = np.abs(offset) <= 1e-9
        return float(weight[(offset > 0) & ~on_line].sum() + 0.5 * weight[on_line].sum())

    def prob_rd_above(self, log_or_prior: NormalMixturePrior) -> float:
        """P(risk difference > ``rd_threshold``) under a prior on the log-OR: the prior weighs each
        diagonal, whose cells above the threshold were summed once (as :meth:`TwoArmGrid.prob_rd_above`
        sums them, cell by cell)."""
        if self.log_mass_rd_above is None:
            raise ValueError("this likelihood was built without an rd_threshold (log_or_likelihood(..., rd_threshold=...))")
        log_prior = log_or_prior.logpdf(self.log_or)
        log_all = self.log_mass + log_prior
        top = np.max(log_all)
        with np.errstate(invalid="ignore"):
            above = np.exp(self.log_mass_rd_above + log_prior - top)
        return float(np.nansum(above) / np.exp(log_all - top).sum())

    def prob_benefit_surface(self, means: np.ndarray, sds: np.ndarray) -> np.ndarray:
        """P(log-OR > 0) under N(mean, sd^2) priors: rows are ``sds``, columns ``means``."""
        m, s = np.asarray(means, float)[None, :, None], np.asarray(sds, float)[:, None, None]
        log_post = self.log_mass + (-0.5 * ((self.log_or - m) / s) ** 2 - np.log(s))
        weight = np.exp(log_post - log_post.max(axis=-1, keepdims=True))
        above = (self.log_or > 0) + 0.5 * (self.log_or == 0)
        return (weight * above).sum(axis=-1) / weight.sum(axis=-1)


def log_or_likelihood(
    events_treatment: int, n_treatment: int, events_control: int, n_control: int,
    baseline: BaselinePrior = DEFAULT_BASELINE, points: int = DEFAULT_POINTS, rd_threshold: float | None = None,
) -> LogOddsRatioLikelihood:
    """:class:`LogOddsRatioLikelihood` of a trial, on the lattice :func:`posterior_grid` uses; with
    ``rd_threshold``, also the sums over the cells whose risk difference exceeds it."""
    axis, step = _lattice(events_treatment, n_treatment, events_control, n_control, None, points)
    control, treatment = axis[:, None], axis[None, :]
    log_cell = (
        normal.logpdf(baseline.baseline_of(control, treatment), baseline.mean, baseline.sd)
        + events_control * log_expit(control) + (n_control - events_control) * log_expit(-control)
        + events_treatment * log_expit(treatment) + (n_treatment - events_treatment) * log_expit(-treatment)
    )
    top = float(np.max(log_cell))
    diagonal = (np.arange(points)[None, :] - np.arange(points)[:, None] + points - 1).ravel()
    mass = np.bincount(diagonal, weights=np.exp(log_cell - top).ravel(), minlength=2 * points - 1)
    with np.errstate(divide="ignore"):
        log_mass = np.log(mass) + top
    log_mass_rd_above = None
    if rd_threshold is not None:
        above = (expit(treatment) - expit(control) > rd_threshold).ravel()
        mass_above = np.bincount(diagonal, weights=np.exp(log_cell - top).ravel() * above, minlength=2 * points - 1)
        with np.errstate(divide="ignore"):
            log_mass_rd_above = np.log(mass_above) + top
    return LogOddsRatioLikelihood((np.arange(2 * points - 1) - (points - 1)) * step, log_mass, log_mass_rd_above, rd_threshold)


def sceptical_sd_for(likelihood: LogOddsRatioLikelihood, target: float) -> float | None:
    """The SD of a prior N(0, sd^2) on the log-OR (a sceptic centred on no effect) under which
    P(IPS better) equals ``target``; None if no such sceptic exists.

    The probability moves from one half (sd -> 0) towards the data's own answer (sd large), so a
    target at or below one half, or beyond what a nearly flat prior gives, cannot be reached.
    """
    from scipy.optimize import brentq

    def gap(log_sd: float) -> float:
        return likelihood.prob_log_or_above(NormalMixturePrior("sceptic", (1.0,), (0.0,), (float(np.exp(log_sd)),))) - target

    low, high = np.log(1e-3), np.log(20.0)
    if gap(low) >= 0 or gap(high) <= 0:
        return None
    return float(np.exp(brentq(gap, low, high, xtol=1e-10)))


def prior_mean_for(likelihood: LogOddsRatioLikelihood, target: float, sd: float) -> float:
    """The prior mean of the log-OR (with prior SD ``sd``) under which P(IPS better) equals ``target``:
    how far towards harm a prior of that certainty must lean to bring the probability down."""
    from scipy.optimize import brentq

    def gap(mean: float) -> float:
        return likelihood.prob_log_or_above(NormalMixturePrior("prior", (1.0,), (float(mean),), (float(sd),))) - target

    return float(brentq(gap, -10.0, 10.0, xtol=1e-10))


def mixture_component_weights(
    events_treatment: int, n_treatment: int, events_control: int, n_control: int, log_or_prior: NormalMixturePrior,
    baseline: BaselinePrior = DEFAULT_BASELINE,
) -> np.ndarray:
    """Posterior weights of a mixture prior's components: prior weight times each component's evidence."""
    log_evidence = np.array([
        posterior_grid(events_treatment, n_treatment, events_control, n_control,
                       effect_prior(NormalMixturePrior("c", (1.0,), (m,), (s,)), baseline)).log_evidence
        for m, s in zip(log_or_prior.means, log_or_prior.sds)
    ])
    log_w = np.log(np.array(log_or_prior.weights)) + log_evidence
    return np.exp(log_w - np.logaddexp.reduce(log_w))


@dataclass(frozen=True)
class PowerPriorResult:
    """A power prior averaged over a prior on a0 (a point, a uniform, or two points for a robust mixture)."""

    a0: np.ndarray
    a0_posterior: np.ndarray  # sums to 1
    p_benefit_given_a0: np.ndarray
    p_benefit: float
    p_relevant_rd: float

    def a0_mean(self) -> float:
        return float(np.sum(self.a0 * self.a0_posterior))

    def prob_a0_below(self, value: float) -> float:
        return float(self.a0_posterior[self.a0 < value].sum())


def normalised_power_prior(
    events_treatment: int, n_treatment: int, events_control: int, n_control: int, log_prior: LogPrior,
    history: History, a0_values: np.ndarray, a0_prior_weights: np.ndarray | None = None,
    relevant_rd: float = RELEVANT_RISK_DIFFERENCE, points: int = DEFAULT_POINTS,
) -> PowerPriorResult:
    """The normalised power prior (Duan, Ye & Smith 2006) with a discrete prior on a0.

    p(a0 | data) is proportional to p(a0) Z(a0) / C(a0), where C(a0) is the normalising constant
    of the initial prior times the historical likelihood to the a0 (computed on the same grid with
    no current data) and Z(a0) the same with the current data. A uniform prior on a0 is a fine
    grid of ``a0_values`` with equal weights; a robust mixture of "no borrowing" and "full
    borrowing" is ``a0_values=[0, 1]`` with weights ``[w, 1 - w]``.
    """
    a0_values = np.asarray(a0_values, float)
    prior_w = np.full(len(a0_values), 1 / len(a0_values)) if a0_prior_weights is None else np.asarray(a0_prior_weights, float)
    log_w, p_benefit, p_relevant = [], [], []
    for a0 in a0_values:
        post = posterior_grid(events_treatment, n_treatment, events_control, n_control, log_prior, history, a0, points)
        normaliser = posterior_grid(0, 0, 0, 0, log_prior, history, a0, points).log_evidence
        log_w.append(post.log_evidence - normaliser)
        p_benefit.append(post.prob_log_or_above(0.0))
        p_relevant.append(post.prob_rd_above(relevant_rd))
    log_w = np.log(prior_w) + np.array(log_w)
    posterior = np.exp(log_w - np.logaddexp.reduce(log_w))
    p_benefit, p_relevant = np.array(p_benefit), np.array(p_relevant)
    return PowerPriorResult(a0_values, posterior, p_benefit, float(posterior @ p_benefit), float(posterior @ p_relevant))


def power_prior_curve(
    events_treatment: int, n_treatment: int, events_control: int, n_control: int, log_prior: LogPrior,
    history: History, a0_values, relevant_rd: float = RELEVANT_RISK_DIFFERENCE,
) -> "pd.DataFrame":
    """P(benefit), the risk difference and the control risk as the power prior's a0 goes from 0 to 1."""
    import pandas as pd

    rows = []
    for a0 in a0_values:
        grid = posterior_grid(events_treatment, n_treatment, events_control, n_control, log_prior, history, float(a0))
        rd = grid.quantiles(grid.risk_difference, [0.5, 0.025, 0.975])
        rows.append({"a0": float(a0), "p_control_mean": grid.mean(grid.p_control), "p_benefit": grid.prob_log_or_above(0.0),
                     "p_relevant_rd": grid.prob_rd_above(relevant_rd), "rd_median": float(rd[0]), "rd_low": float(rd[1]),
                     "rd_high": float(rd[2]), "historical controls borrowed": float(a0) * history.n})
    return pd.DataFrame(rows)
