"""Missing outcomes in a two-arm trial: intention to treat with the randomised denominators.

A trial randomises ``N`` per arm but knows the outcome of only ``n`` (complete cases). Three
sensitivity analyses, each exact on the two-arm grid (:mod:`~ipscompendium.general.trial_grid`):

- **best and worst cases**: all missing treatment patients had the outcome and no missing control
  did, and the reverse;
- a **tipping-point** table: for every number ``i`` of the ``N_t - n_t`` missing treatment patients
  and ``j`` of the ``N_c - n_c`` missing controls who had the outcome, the posterior with those
  outcomes filled in; it shows which assumptions about the missing would change the conclusion;
- an **informative-missingness odds ratio** (IMOR) model (Higgins, White & Wood 2008; White,
  Higgins & Wood 2008): in each arm the log odds of the outcome among the missing differ from the
  observed by ``delta ~ N(0, sd^2)`` (``sd = 0`` is missing at random). The observed data say
  nothing about ``delta``, so its posterior is its prior; the intention-to-treat risk of an arm is
  ``(n p_obs + (N - n) p_missing) / N``. The integral over both deltas is done by Gauss-Hermite
  quadrature on the grid: no sampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from ipscompendium.general.trial_grid import RELEVANT_RISK_DIFFERENCE, LogPrior, benefit, posterior_grid


@dataclass(frozen=True)
class Arm:
    """One arm: ``events`` among ``analysed`` patients with a known outcome, of ``randomised``."""

    events: int
    analysed: int
    randomised: int

    def __post_init__(self):
        if not 0 <= self.events <= self.analysed <= self.randomised or self.analysed == 0:
            raise ValueError(f"need 0 <= events <= analysed <= randomised and analysed > 0; got {self}")

    @property
    def missing(self) -> int:
        return self.randomised - self.analysed


def bounds(treatment: Arm, control: Arm, log_prior: LogPrior) -> dict[str, dict]:
    """:func:`~ipscompendium.general.trial_grid.benefit` for the complete cases and for the best and
    worst cases on the randomised denominators (more events = better). ``log_prior`` is any prior on
    the two arms' log-odds, e.g. ``trial_grid.effect_prior(prior)``."""
    cases = {
        "complete cases": (treatment.events, treatment.analysed, control.events, control.analysed),
        "best case": (treatment.events + treatment.missing, treatment.randomised, control.events, control.randomised),
        "worst case": (treatment.events, treatment.randomised, control.events + control.missing, control.randomised),
    }
    return {name: benefit(posterior_grid(*counts, log_prior)) for name, counts in cases.items()}


def tipping_point(treatment: Arm, control: Arm, log_prior: LogPrior, relevant_rd: float = RELEVANT_RISK_DIFFERENCE) -> "pd.DataFrame":
    """One row per (i, j): i of the missing treatment patients and j of the missing controls had the
    outcome; P(benefit) and P(RD > relevant) with those outcomes filled in (randomised denominators)."""
    import pandas as pd

    rows = []
    for i in range(treatment.missing + 1):
        for j in range(control.missing + 1):
            grid = posterior_grid(treatment.events + i, treatment.randomised, control.events + j, control.randomised, log_prior)
            rows.append({"treatment missing with outcome": i, "control missing with outcome": j,
                         "p_benefit": grid.prob_log_or_above(0.0), "p_relevant_rd": grid.prob_rd_above(relevant_rd)})
    return pd.DataFrame(rows)


def imor(treatment: Arm, control: Arm, log_prior: LogPrior, sd: float, relevant_rd: float = RELEVANT_RISK_DIFFERENCE,
         nodes: int = 24, points: int = 400) -> dict[str, float]:
    """P(benefit) and P(RD > relevant) for the intention-to-treat risks under an IMOR prior
    N(0, ``sd``^2) in each arm (independent between arms); ``sd = 0`` is missing at random.

    ``log_prior`` is the prior of the model for the observed outcomes (on the observed risks'
    log-odds); the lattice has ``points`` per axis.
    """
    if sd < 0:
        raise ValueError(f"the IMOR SD cannot be negative, got {sd}")
    grid = posterior_grid(treatment.events, treatment.analysed, control.events, control.analysed, log_prior, points=points)
    if sd == 0:
        deltas, weights = np.zeros(1), np.ones(1)
    else:
        x, w = np.polynomial.hermite_e.hermegauss(nodes)  # nodes for the standard normal weight exp(-x^2 / 2)
        deltas, weights = sd * x, w / w.sum()
    control_logit, treatment_logit = grid.control_logit, grid.treatment_logit
    share_t, share_c = treatment.missing / treatment.randomised, control.missing / control.randomised
    p_benefit = p_relevant = 0.0
    for d_t, w_t in zip(deltas, weights):
        itt_t = (1 - share_t) * expit(treatment_logit) + share_t * expit(treatment_logit + d_t)
        for d_c, w_c in zip(deltas, weights):
            itt_c = (1 - share_c) * expit(control_logit) + share_c * expit(control_logit + d_c)
            difference = itt_t - itt_c
            tie = np.abs(difference) <= 1e-12  # the line of no difference, counted half (as the grid does)
            p_benefit += w_t * w_c * float(grid.weight[(difference > 0) & ~tie].sum() + 0.5 * grid.weight[tie].sum())
            p_relevant += w_t * w_c * float(grid.weight[difference > relevant_rd].sum())
    return {"imor_sd": float(sd), "p_benefit": float(p_benefit), "p_relevant_rd": float(p_relevant)}
