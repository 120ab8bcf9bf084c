"""How computed numbers are written for people: number styles, intervals, and calibrated words.

Pure formatting, no side effects; :mod:`ipscompendium.publish` uses it to glue numbers into the
book and to record them in the ledger. English and Norwegian styles differ in the decimal mark,
the space before "%" and the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: The verbal scale for probabilities, after the IPCC's calibrated language (Mastrandrea et al.
#: 2010). The IPCC's ranges overlap ("likely" is 66-100%, "very likely" 90-100%); each
#: probability gets the narrowest range that contains it. (English, Norwegian, lowest, highest).
LIKELIHOOD_SCALE: tuple[tuple[str, str, float, float], ...] = (
    ("virtually certain", "praktisk talt sikkert", 0.99, 1.0),
    ("extremely likely", "ekstremt sannsynlig", 0.95, 0.99),
    ("very likely", "svært sannsynlig", 0.90, 0.95),
    ("likely", "sannsynlig", 0.66, 0.90),
    ("about as likely as not", "omtrent like sannsynlig som ikke", 0.33, 0.66),
    ("unlikely", "usannsynlig", 0.10, 0.33),
    ("very unlikely", "svært usannsynlig", 0.05, 0.10),
    ("extremely unlikely", "ekstremt usannsynlig", 0.01, 0.05),
    ("exceptionally unlikely", "eksepsjonelt usannsynlig", 0.0, 0.01),
)


#: Where one word of the scale gives way to the next.
SCALE_BOUNDARIES: tuple[float, ...] = (0.01, 0.05, 0.10, 0.33, 0.66, 0.90, 0.95, 0.99)


def likelihood_words(p: float, norwegian: bool = False) -> str:
    """The calibrated phrase for a probability: 0.82 -> 'likely', 0.48 -> 'about as likely as not'.

    Upper ranges include their lower end (0.66 is 'likely', 0.90 'very likely'); lower ranges
    include their upper end (0.33 is 'unlikely', 0.10 'very unlikely'). Give it the probability
    *as the reader sees it* (:func:`shown_probability`), so that the word and the number agree.
    """
    if not 0 <= p <= 1:
        raise ValueError(f"a probability must lie in [0, 1], got {p}")
    if p >= 0.66:
        chosen = next(row for row in LIKELIHOOD_SCALE[:4] if p >= row[2])
    elif p > 0.33:
        chosen = LIKELIHOOD_SCALE[4]
    else:
        chosen = next(row for row in reversed(LIKELIHOOD_SCALE[5:]) if p <= row[3])
    return chosen[1] if norwegian else chosen[0]


def shown_probability(p: float, style: str = "percent", decimals: int = 2, draws: int | None = None) -> float:
    """The value a reader reads off a printed probability: 0.9456 printed as '0.95' reads 0.95,
    '95%' reads 0.95, '> 0.999' reads 1 and '< 1%' reads 0."""
    if style == "percent":
        return round(100 * p) / 100  # '> 99%' reads 1 and '< 1%' reads 0: round() already lands there
    resolution = max(10.0**-decimals, 1.0 / draws if draws else 0.0)
    if p >= 1 - resolution:
        return 1.0
    if p <= resolution:
        return 0.0
    return round(p, decimals)


def calibrated_words(p: float, shown: float, mc_se: float | None = None, norwegian: bool = False) -> str | None:
    """The word for a probability as shown, or None where no word is earned.

    The word is chosen from ``shown``, the number the reader sees (0.9456 shown as 0.95 is
    'extremely likely', as the scale says of 0.95). Where the computed ``p`` lies within one Monte
    Carlo standard error ``mc_se`` of a boundary of the scale, the sampler cannot tell which word
    applies, and the number is given without one.
    """
    if mc_se is not None and any(abs(p - boundary) <= mc_se for boundary in SCALE_BOUNDARIES):
        return None
    return likelihood_words(shown, norwegian)


def described_probability(text: str, word: str | None) -> str:
    """'0.93 (very likely)'; the number alone where there is no word."""
    return text if word is None else f"{text} ({word})"


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% interval; ``method`` says how it was computed."""

    value: float
    low: float
    high: float
    method: str = "exact"

    def scaled(self, factor: float) -> "Estimate":
        return Estimate(self.value * factor, self.low * factor, self.high * factor, self.method)


@dataclass(frozen=True)
class Probability:
    """A probability; from ``draws`` Monte Carlo draws it is resolved only to about 1/draws."""

    value: float
    method: str = "exact"
    draws: int | None = None

    @property
    def mc_se(self) -> float | None:
        if self.draws is None:
            return None
        return float((max(self.value * (1 - self.value), 1 / self.draws) / self.draws) ** 0.5)


#: A decimal or a percentage inside words: such a number must reach the page through the ledger.
NUMBER_IN_WORDS = re.compile(r"\d[.,]\d|\d\s?%")


@dataclass(frozen=True)
class Sentence:
    """Words chosen from numbers by a tested function, with every number they show.

    ``numbers`` maps a short name to the unrounded value behind each decimal or percentage in the
    words, so that the publishing helper records them in the ledger like any other number.
    """

    english: str
    norwegian: str | None = None
    numbers: dict[str, float] = field(default_factory=dict)


def number(x: float, decimals: int = 2, norwegian: bool = False, signed: bool = False, grouping: bool = False) -> str:
    """A number in English (1.25, 3,744) or Norwegian (1,25, 3 744) style; a minus sign, not a hyphen."""
    comma = "," if grouping else ""
    text = f"{x:+{comma}.{decimals}f}" if signed else f"{x:{comma}.{decimals}f}"
    if norwegian:
        text = text.replace(",", "\u00a0").replace(".", ",")
    if text.lstrip("+-").strip("0.") == "" and text.startswith("-"):
        text = text[1:]  # no "-0.00"
    return text.replace("-", "\u2212")


def percent(p: float, norwegian: bool = False, decimals: int = 0) -> str:
    """A proportion as a percentage; Norwegian style puts a space before % and a comma for decimals."""
    text = f"{p:.{decimals}%}"
    return text.replace(".", ",").replace("%", "\u00a0%") if norwegian else text


def probability_text(p: float, draws: int | None = None, decimals: int = 3, norwegian: bool = False) -> str:
    """A probability, never printed as exactly 0 or 1: 1.000 becomes '> 0.999'.

    With ``draws`` Monte Carlo draws it is resolved only to about 1/draws, and is capped there.
    """
    resolution = max(10.0**-decimals, 1.0 / draws if draws else 0.0)
    if p >= 1 - resolution:
        text = f"> {1 - resolution:.{decimals}f}"
    elif p <= resolution:
        text = f"< {resolution:.{decimals}f}"
    else:
        text = f"{p:.{decimals}f}"
    return text.replace(".", ",") if norwegian else text


def percent_of_probability(p: float, norwegian: bool = False) -> str:
    """A probability as a whole percentage, never '0%' or '100%': '> 99%' and '< 1%' where it would round there."""
    shown = round(100 * p)
    if shown >= 100:
        return "> 99\u00a0%" if norwegian else "> 99%"
    if shown <= 0:
        return "< 1\u00a0%" if norwegian else "< 1%"
    return percent(p, norwegian)


INTERVAL_LABELS = {
    "CrI": ("95% CrI", "95\u00a0% KrI"),
    "CI": ("95% CI", "95\u00a0% KI"),
    "PrI": ("95% prediction interval", "95\u00a0% prediksjonsintervall"),
}


def interval_text(estimate: Estimate, decimals: int = 2, kind: str = "CrI", norwegian: bool = False,
                  signed: bool = False, unit: str = "") -> str:
    """'2.40 (95% CrI 2.03 to 2.76)'; Norwegian '2,40 (95 % KrI 2,03 til 2,76)'; ``unit`` follows each number."""
    fmt = lambda x: number(x, decimals, norwegian, signed)  # noqa: E731
    label = INTERVAL_LABELS[kind][1 if norwegian else 0]
    to = "til" if norwegian else "to"
    return f"{fmt(estimate.value)}{unit} ({label} {fmt(estimate.low)} {to} {fmt(estimate.high)}{unit})"


def range_text(low: float, high: float, decimals: int = 2, norwegian: bool = False) -> str:
    """An interval on its own: '1.05 to 5.29'; Norwegian '1,05 til 5,29'."""
    return f"{number(low, decimals, norwegian)} {'til' if norwegian else 'to'} {number(high, decimals, norwegian)}"


def p_value_text(p: float) -> str:
    """A p-value for people: '< 0.001' or three decimals."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def p_statement(p: float) -> str:
    """A p-value as a statement: 'p < 0.001' or 'p = 0.480' (never 'p = < 0.001')."""
    text = p_value_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"
