"""GRADE certainty of evidence and the rows of a summary-of-findings table (Guyatt et al. 2011).

Certainty starts high for randomised trials and is rated down one level for each serious
concern (two for a very serious one) in five domains: risk of bias, inconsistency, indirectness,
imprecision and publication bias. GRADE asks for judgement; this module writes down the rules
this package applies, so that a judgement drawn from numbers is a tested function of them:

- **inconsistency**: serious when I² is at least 50 % *and* the 95 % prediction interval for a new
  trial includes no effect (trials disagree about direction, not only about size); not
  applicable to a single trial;
- **imprecision**: very serious when the 95 % interval includes both appreciable benefit and
  appreciable harm (a ratio below 0.75 and above 1.25, GRADE's defaults); serious when it
  includes no effect, or when fewer participants were randomised than the optimal information
  size (when one is given);
- **publication bias**: not assessed below ten trials (the tests have too little power); serious
  ("suspected") when Egger's test gives p < 0.10; otherwise not serious ("undetected");
- **risk of bias** and **indirectness**: stated judgements with their reasons, or "not assessed".

A domain that was not assessed rates nothing down, and the table says so: the certainty is then
an upper bound.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The levels of certainty, from the top.
LEVELS = ("high", "moderate", "low", "very low")
#: Levels rated down per judgement.
DOWNGRADE = {"not serious": 0, "serious": 1, "very serious": 2, "not assessed": 0, "not applicable": 0}
#: GRADE's default thresholds of appreciable benefit and harm for a ratio.
APPRECIABLE_RATIO = (0.75, 1.25)
#: I² from which unexplained heterogeneity can be serious.
SUBSTANTIAL_I2 = 0.5
#: Egger's p-value below which small-study effects are suspected (the test's usual, lenient level).
EGGER_ALPHA = 0.10
#: Fewer trials than this leave the small-study tests without power (Cochrane Handbook, chapter 13).
MIN_TRIALS_FOR_TESTS = 10


@dataclass(frozen=True)
class Domain:
    """One GRADE domain: its ``judgement`` (a key of ``DOWNGRADE``) and the ``reason``."""

    name: str
    judgement: str
    reason: str

    def __post_init__(self):
        if self.judgement not in DOWNGRADE:
            raise ValueError(f"judgement must be one of {', '.join(DOWNGRADE)}, got {self.judgement!r}")

    @property
    def downgrade(self) -> int:
        return DOWNGRADE[self.judgement]


def stated(name: str, judgement: str, reason: str) -> Domain:
    """A domain judged by the authors, not computed (risk of bias, indirectness)."""
    return Domain(name, judgement, reason)


def inconsistency(i2: float | None, prediction_low: float | None, prediction_high: float | None, k: int,
                  null: float = 1.0) -> Domain:
    """Inconsistency from I² and the 95 % prediction interval (see the module's rules)."""
    if k < 2:
        return Domain("Inconsistency", "not applicable", "one trial")
    includes_null = prediction_low is None or prediction_high is None or prediction_low <= null <= prediction_high
    if i2 >= SUBSTANTIAL_I2 and includes_null:
        return Domain("Inconsistency", "serious", f"I² {i2:.0%}, and the 95 % prediction interval includes no effect")
    if i2 >= SUBSTANTIAL_I2:
        return Domain("Inconsistency", "not serious",
                      f"I² {i2:.0%}, but the 95 % prediction interval excludes no effect: trials differ in size, not direction")
    return Domain("Inconsistency", "not serious", f"I² {i2:.0%}")


def imprecision(ci_low: float, ci_high: float, participants: int, optimal_information_size: int | None = None,
                appreciable: tuple[float, float] = APPRECIABLE_RATIO, null: float = 1.0) -> Domain:
    """Imprecision of a ratio from its 95 % interval and the number of participants."""
    harm, benefit = appreciable
    if ci_low < harm and ci_high > benefit:
        return Domain("Imprecision", "very serious",
                      f"the 95 % interval, {ci_low:.2f} to {ci_high:.2f}, includes appreciable benefit and appreciable harm")
    if ci_low <= null <= ci_high:
        return Domain("Imprecision", "serious", f"the 95 % interval, {ci_low:.2f} to {ci_high:.2f}, includes no effect")
    if optimal_information_size is not None and participants < optimal_information_size:
        return Domain("Imprecision", "serious", f"{participants} participants, fewer than the optimal information size "
                                                f"({optimal_information_size})")
    return Domain("Imprecision", "not serious", f"the 95 % interval, {ci_low:.2f} to {ci_high:.2f}, excludes no effect")


def publication_bias(k: int, egger_p: float | None) -> Domain:
    """Publication bias from Egger's test, when there are enough trials to test (see the module's rules)."""
    if k < MIN_TRIALS_FOR_TESTS or egger_p is None:
        return Domain("Publication bias", "not assessed", f"{k} trial{'s' if k != 1 else ''}: too few for the tests")
    if egger_p < EGGER_ALPHA:
        return Domain("Publication bias", "serious", f"suspected: Egger's test p = {egger_p:.2f}")
    return Domain("Publication bias", "not serious", f"undetected: Egger's test p = {egger_p:.2f}, with {k} trials")


def certainty(domains: list[Domain] | tuple[Domain, ...], randomised: bool = True) -> str:
    """The certainty after rating down: from 'high' (randomised trials) or 'low' (observational)."""
    start = 0 if randomised else 2
    return LEVELS[min(len(LEVELS) - 1, start + sum(d.downgrade for d in domains))]


def not_assessed(domains) -> list[str]:
    """The domains that were not assessed, whose absence makes the certainty an upper bound."""
    return [d.name for d in domains if d.judgement == "not assessed"]


def per_thousand(risk: float) -> int:
    """A risk as people per 1000, as summary-of-findings tables give it."""
    return int(round(1000 * risk))


def risk_from_ratio(control_risk: float, ratio: float, measure: str = "rr") -> float:
    """The intervention's risk implied by a control risk and a risk ratio or odds ratio."""
    if measure == "rr":
        return min(1.0, control_risk * ratio)
    if measure == "or":
        odds = control_risk / (1 - control_risk) * ratio
        return odds / (1 + odds)
    raise ValueError(f"measure must be 'rr' or 'or', got {measure!r}")
