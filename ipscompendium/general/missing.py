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
  observed by ``delta``, with a normal prior whose mean may differ between the arms (a departure
  *against* the treatment: its missing less likely, the control's missing more likely to have the
  outcome) and whose uncertainty may be correlated between the arms, as White, Higgins & Wood
  recommend. ``delta = 0`` in both arms is missing at random; a prior centred on 0 in both arms is
  symmetric noise around it and moves the answer little by construction. The observed data say
  nothing about ``delta``, so its posterior is its prior; the intention-to-treat risk of an arm is
  ``(n p_obs + (N - n) p_missing) / N``. The integral over both deltas is done by Gauss-Hermite
  quadrature on the grid: no sampling. Best, worst and tipping-point cells enter the likelihood as
  if the filled-in outcomes had been observed.
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


@dataclass(frozen=True)
class ImorScenario:
    """A prior on the log informative-missingness odds ratios of the two arms.

    ``treatment`` and ``control`` are the IMORs at the prior's centre (1 = missing at random; 0.5:
    the missing had half the odds of the outcome of those observed); ``sd`` the SD of each log IMOR
    around its centre and ``correlation`` the correlation of the two log IMORs.
    """

    label: str
    treatment: float = 1.0
    control: float = 1.0
    sd: float = 0.0
    correlation: float = 0.0

    def __post_init__(self):
        if self.treatment <= 0 or self.control <= 0:
            raise ValueError(f"an IMOR is an odds ratio and must be positive; got {self}")
        if self.sd < 0:
            raise ValueError(f"the IMOR SD cannot be negative, got {self.sd}")
        if not -1 <= self.correlation <= 1:
            raise ValueError(f"a correlation lies in [-1, 1], got {self.correlation}")


def imor(treatment: Arm, control: Arm, log_prior: LogPrior, sd: float = 0.0, relevant_rd: float = RELEVANT_RISK_DIFFERENCE,
         nodes: int = 24, points: int = 400, *, mean_treatment: float = 0.0, mean_control: float = 0.0,
         correlation: float = 0.0) -> dict[str, float]:
    """P(benefit) and P(RD > relevant) for the intention-to-treat risks under an IMOR prior.

    The log IMOR of the treatment arm is ``N(mean_treatment, sd^2)``, that of the control arm
    ``N(mean_control, sd^2)``, with ``correlation`` between them (White, Higgins & Wood 2008);
    ``sd = 0`` with both means 0 is missing at random. ``log_prior`` is the prior of the model for the
    observed outcomes (on the observed risks' log-odds); the lattice has ``points`` per axis.
    """
    if sd < 0:
        raise ValueError(f"the IMOR SD cannot be negative, got {sd}")
    if not -1 <= correlation <= 1:
        raise ValueError(f"a correlation lies in [-1, 1], got {correlation}")
    grid = posterior_grid(treatment.events, treatment.analysed, control.events, control.analysed, log_prior, points=points)
    if sd == 0:
        x, weights = np.zeros(1), np.ones(1)
    else:
        x, w = np.polynomial.hermite_e.hermegauss(nodes)  # nodes for the standard normal weight exp(-x^2 / 2)
        weights = w / w.sum()
    control_logit, treatment_logit = grid.control_logit, grid.treatment_logit
    share_t, share_c = treatment.missing / treatment.randomised, control.missing / control.randomised
    residual = np.sqrt(1.0 - correlation**2)
    p_benefit = p_relevant = 0.0
    for x_t, w_t in zip(x, weights):
        d_t = mean_treatment + sd * x_t
        itt_t = (1 - share_t) * expit(treatment_logit) + share_t * expit(treatment_logit + d_t)
        for x_c, w_c in zip(x, weights):
            d_c = mean_control + sd * (correlation * x_t + residual * x_c)
            itt_c = (1 - share_c) * expit(control_logit) + share_c * expit(control_logit + d_c)
            difference = itt_t - itt_c
            tie = np.abs(difference) <= 1e-12  # the line of no difference, counted half (as the grid does)
            p_benefit += w_t * w_c * float(grid.weight[(difference > 0) & ~tie].sum() + 0.5 * grid.weight[tie].sum())
            p_relevant += w_t * w_c * float(grid.weight[difference > relevant_rd].sum())
    return {"imor_sd": float(sd), "p_benefit": float(p_benefit), "p_relevant_rd": float(p_relevant)}


def imor_scenario(treatment: Arm, control: Arm, log_prior: LogPrior, scenario: ImorScenario, **kwargs) -> dict[str, float]:
    """:func:`imor` under a named :class:`ImorScenario`."""
    return {"scenario": scenario.label, **imor(treatment, control, log_prior, scenario.sd, mean_treatment=float(np.log(scenario.treatment)),
                                               mean_control=float(np.log(scenario.control)), correlation=scenario.correlation, **kwargs)}


def default_scenarios() -> tuple[ImorScenario, ...]:
    """Departures from missing at random that a reader of a trial with missing outcomes would ask
    about: symmetric noise (as a sensitivity analysis often stops at), then the missing *differing
    by arm*, against and in favour of the treatment, fixed and with correlated uncertainty."""
    return (
        ImorScenario("missing at random"),
        ImorScenario("uncertain, centred on MAR (SD 1)", sd=1.0),
        ImorScenario("against treatment: IMOR 1/2 vs 2", 0.5, 2.0),
        ImorScenario("against treatment: IMOR 1/3 vs 3", 1 / 3, 3.0),
        ImorScenario("against treatment, uncertain: 1/2 vs 2, SD 0.5, correlation 0.5", 0.5, 2.0, 0.5, 0.5),
        ImorScenario("both arms' missing less often in work: 1/2 and 1/2", 0.5, 0.5),
        ImorScenario("for treatment: IMOR 2 vs 1/2", 2.0, 0.5),
    )
