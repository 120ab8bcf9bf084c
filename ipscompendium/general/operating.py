"""Decision rules for a two-arm trial with a binary outcome, and their operating characteristics,
computed exactly by enumerating every outcome (as RBesT's ``decision2S``, ``oc2S`` and ``pos2S``).

A rule declares success when every one of its criteria holds: P(log OR > q_k | data) >= p_k. The
dual criterion of Neuenschwander et al. (2010) is :func:`dual_criterion`: significance,
P(OR > 1) >= 0.975, and clinical relevance, a posterior median OR of at least a relevant value.

The posterior of the two arms' log-odds is computed on one lattice shared by both axes, for every
outcome at once: for each number of control events, the lattice's column sums (masked by each
criterion) are formed once, and the posterior probabilities for every number of treatment events
follow as one matrix product. The result is the *success boundary*: for each number of control
events, the fewest treatment events that succeed (success is monotone in them). Every operating
characteristic is then a sum over binomial probabilities, with no simulation noise:

- the probability of success at any true pair of risks (:func:`probability_of_success`), hence the
  type I error at no effect across true control risks and the power at the design's effect;
- the probability of success averaged over a prior on the truth (:func:`assurance`), with the
  prior predictive distribution of the outcomes computed on the same lattice.

Any prior on the (control, treatment) log-odds plane of :mod:`ipscompendium.general.trial_grid`
can be used: an effect prior with a baseline prior, or with a control-arm prior (Beta, MAP,
robust MAP: borrowing a control arm).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import bdtr, gammaln

from ipscompendium.general.trial_grid import LogPrior

#: The lattice covers log-odds from -LIMIT to LIMIT (risks from 0.0003 to 0.9997).
LIMIT = 8.0


@dataclass(frozen=True)
class Criterion:
    """P(log OR > ``log_or`` | data) >= ``probability``."""

    probability: float
    log_or: float = 0.0


@dataclass(frozen=True)
class DecisionRule:
    """Success when every criterion holds (RBesT's ``decision2S`` with ``link = "logit"``)."""

    criteria: tuple[Criterion, ...]

    def describe(self) -> str:
        return " and ".join(f"P(OR > {np.exp(c.log_or):.3g}) >= {c.probability:g}" for c in self.criteria)


def dual_criterion(significance: float = 0.975, relevant_or: float = 1.0) -> DecisionRule:
    """Significance, P(OR > 1) >= ``significance``, and relevance: a posterior median OR of at
    least ``relevant_or`` (P(OR > relevant_or) >= 0.5)."""
    if not 0.5 <= significance < 1:
        raise ValueError(f"the significance probability lies between 0.5 and 1, got {significance}")
    if relevant_or <= 0:
        raise ValueError(f"the relevant odds ratio must be positive, got {relevant_or}")
    return DecisionRule((Criterion(significance, 0.0), Criterion(0.5, float(np.log(relevant_or)))))


@dataclass(frozen=True)
class Lattice:
    """The shared lattice of log-odds values, cell centres from -LIMIT to LIMIT, step ``step``."""

    points: np.ndarray
    step: float


def lattice_for(n_treatment: int, n_control: int, points_per_sd: float = 4.0) -> Lattice:
    """A lattice fine enough for the larger arm: about ``points_per_sd`` points per posterior SD
    of a log-odds near a risk of one half (2 / sqrt(n)), and never coarser than 0.025."""
    n = max(n_treatment, n_control, 1)
    step = min(0.025, 2.0 / np.sqrt(n) / points_per_sd)
    m = int(np.ceil(2 * LIMIT / step))
    step = 2 * LIMIT / m
    return Lattice(-LIMIT + step * (np.arange(m) + 0.5), step)


def _log_binomial(n: int, logit: np.ndarray) -> np.ndarray:
    """log P(X = x | n, expit(logit)) for x = 0..n (rows) and each lattice value (columns)."""
    x = np.arange(n + 1)[:, None]
    log_p, log_q = -np.logaddexp(0, -logit), -np.logaddexp(0, logit)
    return gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1) + x * log_p[None, :] + (n - x) * log_q[None, :]


def _criterion_weights(m: int, step: float, log_or: float) -> tuple[int, int, float]:
    """Cells with j - i >= ``full`` count wholly, the band j - i == ``partial`` by ``fraction``:
    the indicator of (t_j - c_i) > log_or, linearly interpolated across one step, so that a
    threshold on the lattice's diagonal counts half of the mass on it (the midpoint rule)."""
    d = log_or / step  # the threshold in lattice steps
    partial = int(np.floor(d + 0.5))  # the band whose centre is within half a step of the threshold
    fraction = float(np.clip(partial + 0.5 - d, 0.0, 1.0))
    return partial + 1, partial, fraction


@dataclass(frozen=True)
class SuccessBoundary:
    """For each number of control events ``x_c`` (0..n_control), ``fewest[x_c]``: the fewest treatment
    events that succeed (``n_treatment + 1`` when none does)."""

    n_treatment: int
    n_control: int
    fewest: np.ndarray
    rule: DecisionRule

    def succeeds(self, events_treatment, events_control) -> np.ndarray:
        return np.asarray(events_treatment) >= self.fewest[np.asarray(events_control)]


def posterior_probabilities(n_treatment: int, n_control: int, log_prior: LogPrior, rule: DecisionRule,
                            lattice: Lattice | None = None, control_events=None) -> np.ndarray:
    """P(log OR > q_k | x_t, x_c) for every outcome and criterion: an array (criteria, control counts,
    n_treatment + 1), for the control counts ``control_events`` (default: all, 0..n_control)."""
    lattice = lattice or lattice_for(n_treatment, n_control)
    grid, step, m = lattice.points, lattice.step, len(lattice.points)
    log_prior_plane = log_prior(grid[:, None], grid[None, :])  # rows: control log-odds, columns: treatment
    prior = np.exp(log_prior_plane - np.max(log_prior_plane))
    control_pmf = _log_binomial(n_control, grid)
    treatment_pmf = _log_binomial(n_treatment, grid)
    treatment_pmf = np.exp(treatment_pmf - treatment_pmf.max(axis=1, keepdims=True))  # each row scaled to its peak
    weights = [_criterion_weights(m, step, c.log_or) for c in rule.criteria]
    columns = np.arange(m)
    counts = list(range(n_control + 1)) if control_events is None else [int(x) for x in control_events]
    out = np.empty((len(rule.criteria), len(counts), n_treatment + 1))
    for position, x_c in enumerate(counts):
        row = control_pmf[x_c] - control_pmf[x_c].max()
        # only the control log-odds this count leaves any weight on (e^-40 of the peak and above)
        rows = np.flatnonzero(row > -40.0)
        first, count = rows[0], rows[-1] - rows[0] + 1
        plane = prior[first:first + count] * np.exp(row[first:first + count])[:, None]
        total = plane.sum(axis=0)
        cumulative = np.cumsum(plane, axis=0)  # cumulative[i, j]: rows first..first + i of column j
        denominator = treatment_pmf @ total
        for k, (full, partial, fraction) in enumerate(weights):
            # rows i <= j - full count wholly; row i = j - partial counts by `fraction`
            last = columns - full - first
            masked = np.where(last >= 0, cumulative[np.clip(last, 0, count - 1), columns], 0.0)
            band = columns - partial - first
            inside = (band >= 0) & (band < count)
            masked = masked + fraction * np.where(inside, plane[np.clip(band, 0, count - 1), columns], 0.0)
            out[k, position] = (treatment_pmf @ masked) / denominator
    return out


def success_boundary(n_treatment: int, n_control: int, log_prior: LogPrior, rule: DecisionRule,
                     lattice: Lattice | None = None) -> SuccessBoundary:
    """The success boundary of a design: every outcome's decision, summarised per control count."""
    if n_treatment < 1 or n_control < 1:
        raise ValueError("each arm needs at least one participant")
    probabilities = posterior_probabilities(n_treatment, n_control, log_prior, rule, lattice)
    success = np.all(probabilities >= np.array([c.probability for c in rule.criteria])[:, None, None], axis=0)
    # success is monotone in the treatment events: the first success marks the boundary
    fewest = np.where(success.any(axis=1), np.argmax(success, axis=1), n_treatment + 1)
    return SuccessBoundary(n_treatment, n_control, fewest, rule)


def probability_of_success(boundary: SuccessBoundary, risk_treatment, risk_control) -> np.ndarray:
    """P(success) when the true risks are ``risk_treatment`` and ``risk_control`` (arrays broadcast):
    the sum over control counts of their binomial probability times P(X_t >= fewest)."""
    p_t, p_c = np.broadcast_arrays(np.asarray(risk_treatment, float), np.asarray(risk_control, float))
    x_c = np.arange(boundary.n_control + 1)
    log_pc = (gammaln(boundary.n_control + 1) - gammaln(x_c + 1) - gammaln(boundary.n_control - x_c + 1))
    with np.errstate(divide="ignore"):
        pmf_c = np.exp(log_pc[:, None] + x_c[:, None] * np.log(p_c.ravel())[None, :]
                       + (boundary.n_control - x_c)[:, None] * np.log1p(-p_c.ravel())[None, :])
    fewest = boundary.fewest[:, None]
    # P(X_t >= f) = 1 - P(X_t <= f - 1); bdtr(k, n, p) = P(X <= k)
    tail = np.where(fewest <= 0, 1.0, np.where(fewest > boundary.n_treatment, 0.0,
                                                1.0 - bdtr(np.clip(fewest - 1, 0, None), boundary.n_treatment, p_t.ravel()[None, :])))
    return np.sum(pmf_c * tail, axis=0).reshape(p_t.shape)


def type_one_error(boundary: SuccessBoundary, risk_control) -> np.ndarray:
    """P(success) when the treatment does nothing, across true control risks."""
    return probability_of_success(boundary, risk_control, risk_control)


def risk_with_odds_ratio(risk_control, odds_ratio) -> np.ndarray:
    """The treatment risk at a control risk and an odds ratio."""
    odds = np.asarray(risk_control, float) / (1 - np.asarray(risk_control, float)) * odds_ratio
    return odds / (1 + odds)


def assurance(boundary: SuccessBoundary, log_prior_truth: LogPrior, lattice: Lattice | None = None) -> float:
    """The probability of success averaged over a prior on the truth (RBesT's ``pos2S``): the sum of
    the successful outcomes' prior predictive probabilities, computed on the lattice."""
    lattice = lattice or lattice_for(boundary.n_treatment, boundary.n_control)
    grid = lattice.points
    log_prior_plane = log_prior_truth(grid[:, None], grid[None, :])
    prior = np.exp(log_prior_plane - np.max(log_prior_plane))
    prior /= prior.sum()
    control_pmf = np.exp(_log_binomial(boundary.n_control, grid))  # (n_c + 1, m)
    treatment_pmf = np.exp(_log_binomial(boundary.n_treatment, grid))  # (n_t + 1, m)
    predictive = control_pmf @ prior @ treatment_pmf.T  # (n_c + 1, n_t + 1)
    x_t = np.arange(boundary.n_treatment + 1)[None, :]
    return float(np.sum(predictive * (x_t >= boundary.fewest[:, None])))


def updated_prior(log_prior: LogPrior, events_treatment: int, n_treatment: int, events_control: int,
                  n_control: int) -> LogPrior:
    """The posterior after one trial, as a (unnormalised) log density on the log-odds plane: the
    design prior for the next trial's assurance, when the belief is what one trial taught."""

    def log_density(control_logit, treatment_logit):
        return (log_prior(control_logit, treatment_logit)
                + events_treatment * -np.logaddexp(0, -treatment_logit) + (n_treatment - events_treatment) * -np.logaddexp(0, treatment_logit)
                + events_control * -np.logaddexp(0, -control_logit) + (n_control - events_control) * -np.logaddexp(0, control_logit))

    return log_density


def smallest_size_for(target: float, sizes, value_at) -> int | None:
    """The smallest per-arm size among ``sizes`` (ascending) at which ``value_at(n)`` reaches
    ``target``; None when none does."""
    for n in sizes:
        if value_at(int(n)) >= target:
            return int(n)
    return None


def compare_priors(analysis_priors: dict[str, LogPrior], rule: DecisionRule, sizes, risk_treatment: float, risk_control: float,
                   design_belief: LogPrior, design_n: int, target: float = 0.8):
    """For each analysis prior: the power at one truth and the assurance under ``design_belief`` at
    ``design_n`` per arm, and the smallest per-arm size among ``sizes`` (ascending, containing
    ``design_n``) whose assurance reaches ``target``. A DataFrame with columns ``prior``, ``power``,
    ``assurance``, ``n_for_target`` (None when no size reaches it)."""
    import pandas as pd

    sizes = [int(n) for n in sizes]
    if design_n not in sizes:
        raise ValueError(f"design_n {design_n} must be one of the sizes {sizes}")
    rows = []
    for name, prior in analysis_priors.items():
        found = {}
        for n in sizes:
            boundary = success_boundary(n, n, prior, rule)
            found[n] = (float(probability_of_success(boundary, risk_treatment, risk_control)), assurance(boundary, design_belief))
        rows.append({"prior": name, "power": found[design_n][0], "assurance": found[design_n][1],
                     "n_for_target": smallest_size_for(target, sizes, lambda n: found[n][1])})
    return pd.DataFrame(rows)
