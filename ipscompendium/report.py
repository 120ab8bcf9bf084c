"""Formatting of computed numbers for the prose, so that every chapter words them alike."""

from __future__ import annotations


def probability_text(p: float, draws: int, decimals: int = 3) -> str:
    """A posterior probability estimated from ``draws`` draws, never printed as exactly 0 or 1.

    With n draws a probability is resolved only to about 1/n, so 1.000 becomes '> 0.999'.
    """
    resolution = max(10.0**-decimals, 1.0 / draws)
    if p >= 1 - resolution:
        return f"> {1 - resolution:.{decimals}f}"
    if p <= resolution:
        return f"< {resolution:.{decimals}f}"
    return f"{p:.{decimals}f}"


def percent(p: float, norwegian: bool = False, decimals: int = 0) -> str:
    """A proportion as a percentage; Norwegian style puts a space before % and a comma for decimals."""
    text = f"{p:.{decimals}%}"
    return text.replace(".", ",").replace("%", " %") if norwegian else text
