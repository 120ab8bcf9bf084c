"""One figure style for every chapter: the column size, the Okabe-Ito palette, and one fixed
colour, line style and marker for each prior and each role, so a reader who met the MAP prior as
a dotted blue line with squares meets it the same way in every chapter, in colour or in grey.

The palette is Okabe & Ito (2008); pairing each colour with a line style and a marker keeps every
figure readable without colour (WCAG 2.1, success criterion 1.4.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib as mpl
from matplotlib import cycler

#: Okabe & Ito's colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7",
}
#: A neutral grey for reference lines (no effect, thresholds): never carries information alone.
REFERENCE_GREY = "#777777"

#: The book's text column is about 7 inches at desktop width; figures are drawn at that size so
#: 9-10 pt text in the figure is 9-10 pt on the page.
FIGURE_WIDTH_IN = 7.0
#: Raster resolution of every figure in the book.
FIGURE_DPI = 150
BASE_FONT_PT = 10


@dataclass(frozen=True)
class Look:
    """How one series is drawn: colour, line style and marker (and its legend label)."""

    color: str
    linestyle: str | tuple
    marker: str

    def line(self) -> dict:
        """Keyword arguments for ``Axes.plot``."""
        return {"color": self.color, "linestyle": self.linestyle, "marker": self.marker}


_C = OKABE_ITO
#: The IPS in Pain priors, fixed across the book.
PRIOR_LOOKS = {
    "weakly informative": Look(_C["black"], "-", "o"),
    "sceptical": Look(_C["vermillion"], "--", "v"),
    "enthusiastic": Look(_C["bluish green"], "-.", "^"),
    "MAP": Look(_C["blue"], ":", "s"),
    "robust MAP": Look(_C["orange"], (0, (6, 2, 1, 2, 1, 2)), "D"),
}
#: The heterogeneity priors of the meta-analysis, fixed across the book.
TAU_PRIOR_LOOKS = {
    "half-normal(1)": Look(_C["black"], "-", "o"),
    "half-normal(0.5)": Look(_C["sky blue"], "--", "s"),
    "half-Cauchy(0.5)": Look(_C["reddish purple"], "-.", "^"),
    "Turner et al. log-normal": Look(_C["bluish green"], ":", "D"),
}
#: Roles that recur in forest plots and curves.
ROLE_LOOKS = {
    "observed": Look(_C["black"], "-", "s"),
    "posterior": Look(_C["blue"], "-", "o"),
    "pooled": Look(_C["vermillion"], "-", "D"),
    "prediction": Look(_C["orange"], "--", "D"),
    "published": Look(_C["reddish purple"], "--", "P"),
    "control": Look(_C["black"], "--", "o"),
    "ips": Look(_C["blue"], "-", "s"),
}
#: Follow-up times of the pain trial, when a figure has one line per time point.
TIMEPOINT_LOOKS = {
    6: Look(_C["sky blue"], ":", "o"),
    12: Look(_C["blue"], "--", "s"),
    24: Look(_C["black"], "-", "D"),
}


def prior_look(name: str) -> Look:
    """The look of a prior by its name; variants ('robust MAP (w=0.5)', 'sceptic, P(OR > 2)...')
    take their family's look, so a prior never changes colour between chapters."""
    for table in (PRIOR_LOOKS, TAU_PRIOR_LOOKS):
        if name in table:
            return table[name]
    if name.startswith("robust"):
        return PRIOR_LOOKS["robust MAP"]
    if name.startswith("sceptic"):
        return PRIOR_LOOKS["sceptical"]
    raise KeyError(f"no fixed look for the prior {name!r}; add it to ipscompendium.style")


def figure_size(height_in: float) -> tuple[float, float]:
    """A figure as wide as the text column."""
    return (FIGURE_WIDTH_IN, height_in)


def use_book_style() -> None:
    """Set matplotlib to the book's style.

    Inside Jupyter, importing pyplot first lets the inline backend apply its own defaults before
    ours; it then renders each PNG at the figure's dpi, so figures come out at ``FIGURE_DPI``.
    """
    import matplotlib.pyplot  # noqa: F401

    looks = list(PRIOR_LOOKS.values())
    mpl.rcParams.update({
        "figure.figsize": figure_size(3.8),
        "figure.dpi": FIGURE_DPI,
        "savefig.dpi": FIGURE_DPI,
        "figure.constrained_layout.use": True,
        "font.size": BASE_FONT_PT,
        "axes.titlesize": BASE_FONT_PT + 1,
        "axes.labelsize": BASE_FONT_PT,
        "xtick.labelsize": BASE_FONT_PT - 1,
        "ytick.labelsize": BASE_FONT_PT - 1,
        "legend.fontsize": BASE_FONT_PT - 1,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=[look.color for look in looks])
        + cycler(linestyle=[look.linestyle for look in looks]) + cycler(marker=[look.marker for look in looks]),
        "lines.markersize": 5,
        "image.cmap": "cividis",
    })
