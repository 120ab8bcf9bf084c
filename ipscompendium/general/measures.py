"""Effect measures: one :class:`Measure` per scale a meta-analysis can pool on.

A measure knows its names, whether it is a ratio (pooled on the log scale and shown
exponentiated), which input it is computed from (two-arm counts, two-arm means and SDs, or an
effect with its standard error given per trial), and how wide the Bayesian analyses' default
prior on the pooled effect is. Everything that used to switch on the strings ``"rr"``, ``"or"``
and ``"rd"`` asks the measure instead.

The measures and their per-trial effects are metafor's (``escalc``): RR, OR and RD from counts
with 0.5 added to every cell of a trial with a zero cell; MD and SMD (Hedges' g, with the exact
small-sample correction and the large-sample variance, ``vtype = "LS"``) from means, SDs and
sizes; and the generic inverse-variance input, an effect and its standard error per trial, on
the scale the user gives (``generic``) or as log ratios (``generic-log``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The kinds of input a measure is computed from; each has its own columns in a trial table.
BINARY, CONTINUOUS, GENERIC = "binary", "continuous", "generic"


@dataclass(frozen=True)
class Measure:
    """An effect measure.

    Attributes
    ----------
    key : str
        The name the command line and the API take (``"rr"``).
    abbreviation : str
        As tables and plots show it (``"RR"``).
    name : str
        In words (``"risk ratio"``).
    ratio : bool
        Pooled on the log scale and shown exponentiated; no effect is 1 rather than 0.
    data : {'binary', 'continuous', 'generic'}
        The input the per-trial effects are computed from.
    mu_prior_sd : float or None
        SD of the Bayesian analyses' default normal prior on the pooled effect, on the analysis
        scale; ``None`` for measures in the outcome's own units (MD, generic), whose prior is
        scaled by the data (see ``default_mu_prior_sd``).
    unit_free : bool
        Whether a number on this scale means the same in every outcome (so that a default prior
        on tau, such as half-normal(0.5), makes sense).
    """

    key: str
    abbreviation: str
    name: str
    ratio: bool
    data: str
    mu_prior_sd: float | None
    unit_free: bool

    @property
    def null(self) -> float:
        """No effect, as shown: 1 for a ratio, 0 otherwise."""
        return 1.0 if self.ratio else 0.0

    def back(self, x):
        """From the analysis scale to the shown scale (exp for ratios)."""
        return np.exp(x) if self.ratio else x

    def forward(self, x):
        """From the shown scale to the analysis scale (log for ratios)."""
        return np.log(x) if self.ratio else x

    @property
    def analysis_scale(self) -> str:
        """The scale of pooling, in words: 'log risk ratio', 'mean difference'."""
        return f"log {self.name}" if self.ratio and not self.name.startswith("log") else self.name

    @property
    def axis_label(self) -> str:
        return f"{self.name} (log scale)" if self.ratio else self.name


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("rr", "RR", "risk ratio", True, BINARY, 10.0, True),
    Measure("or", "OR", "odds ratio", True, BINARY, 10.0, True),
    Measure("rd", "RD", "risk difference", False, BINARY, 1.0, True),
    Measure("md", "MD", "mean difference", False, CONTINUOUS, None, False),
    Measure("smd", "SMD", "standardised mean difference (Hedges' g)", False, CONTINUOUS, 10.0, True),
    Measure("generic", "effect", "effect", False, GENERIC, None, False),
    Measure("generic-log", "ratio", "ratio", True, GENERIC, 10.0, True),
)}


def get_measure(key: str | Measure) -> Measure:
    """The measure called ``key`` (a :class:`Measure` is returned as it is)."""
    if isinstance(key, Measure):
        return key
    try:
        return MEASURES[key]
    except KeyError:
        raise ValueError(f"unknown measure {key!r}; the measures are {', '.join(MEASURES)}") from None


def measures_for(data: str) -> tuple[str, ...]:
    """The measures that can be computed from one kind of input."""
    return tuple(m.key for m in MEASURES.values() if m.data == data)


def default_mu_prior_sd(measure: Measure, v: np.ndarray, y: np.ndarray) -> float:
    """The SD of the default prior on the pooled effect: the measure's own, or, for measures in
    the outcome's units, ten times the larger of the effects' spread and their typical standard
    error, so that the prior is vague whatever the unit (mmHg or kg)."""
    if measure.mu_prior_sd is not None:
        return measure.mu_prior_sd
    spread = max(float(np.max(np.abs(y))), float(np.sqrt(np.median(v))))
    return 10.0 * spread


def default_tau_scale(measure: Measure, v: np.ndarray, y: np.ndarray, outcome_sd: float | None = None) -> float | None:
    """The scale of the default half-normal prior on tau for measures in the outcome's units.

    ``None`` for unit-free measures, which use the book's half-normal(0.5). For a mean difference
    with the outcome's typical SD known, half that SD: the same prior as half-normal(0.5) on the
    standardised scale, carried into the outcome's units. Otherwise (generic effects) the larger of
    the effects' spread and their typical standard error, so that the prior is wide on the data's
    own scale (a data-scaled default; give ``--tau-prior`` to state your own).
    """
    if measure.unit_free:
        return None
    if outcome_sd is not None:
        return 0.5 * float(outcome_sd)
    return max(float(np.std(y, ddof=1)) if len(y) > 1 else 0.0, float(np.sqrt(np.median(v))))


def tau_max(measure: Measure, v: np.ndarray, y: np.ndarray) -> float:
    """The upper end of the quadrature grid over tau: 3 on a log-ratio scale, 1 for the risk
    difference, and ten times the data's spread for the others."""
    if measure.ratio:
        return 3.0
    if measure.key == "rd":
        return 1.0
    if measure.key == "smd":
        return 3.0
    return 10.0 * max(float(np.std(y)), float(np.sqrt(np.median(v))))
