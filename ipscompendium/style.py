"""One figure style for every chapter: phone-first geometry, the Okabe-Ito palette, and one fixed
colour, line style and marker for each prior and each role, so a reader who met the MAP prior as
a dotted blue line with squares meets it the same way in every chapter, in colour or in grey.

The palette is Okabe & Ito (2008); pairing each colour with a line style and a marker keeps every
figure readable without colour (WCAG 2.1, success criterion 1.4.1). Seaborn draws the statistical
figures; :func:`use_book_style` themes it (and matplotlib) once from the constants here.

Figures are drawn for the phone: the narrowest place a figure is shown is a "What this chapter
finds" box on a 390-px phone, about :data:`PHONE_COLUMN_PX` CSS pixels wide. A figure
:data:`FIGURE_WIDTH_IN` inches wide shown there displays text of ``s`` points at
``s / 72 * PHONE_COLUMN_PX / FIGURE_WIDTH_IN`` pixels; :func:`check_legible` refuses a figure
whose smallest text would fall below :data:`MIN_TEXT_PX`, and :func:`figure_png` writes the
smallest size into the PNG, where the browser test reads it back to measure the page as shown.
"""

from __future__ import annotations

import io
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

#: Figures are drawn 3.8 inches wide, the proportions of a phone's column: panels are stacked, not
#: set side by side, and 9-10 pt text stays at least 9 px when the figure is shown 276 px wide.
FIGURE_WIDTH_IN = 3.8
#: Raster resolution: 760 px across, sharp on a phone's 2x screen and on a laptop.
FIGURE_DPI = 200
BASE_FONT_PT = 10
#: No text in a figure is smaller than this (tick labels, legends, cell labels).
MIN_FONT_PT = 9
#: The narrowest column a figure is shown in: a findings box on a 390-px phone (CSS pixels, as
#: measured by the browser test).
PHONE_COLUMN_PX = 276
#: Smallest displayed text size a figure may have on a phone (CSS pixels).
MIN_TEXT_PX = 9.0


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
    "borrowed control arm": Look(_C["sky blue"], (0, (3, 1, 1, 1)), "X"),
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


def seaborn_mappings(names) -> dict:
    """Keyword arguments that make a seaborn plot with ``hue=style=<prior>`` draw each prior in its
    fixed look: ``palette``, ``dashes`` and ``markers``, keyed by the names in ``names``."""
    looks = {name: prior_look(name) for name in names}
    return {"palette": {n: look.color for n, look in looks.items()},
            "dashes": {n: _dash_pattern(look.linestyle) for n, look in looks.items()},
            "markers": {n: look.marker for n, look in looks.items()}}


def _dash_pattern(linestyle) -> tuple | str:
    """A matplotlib line style as seaborn's dash sequence ('' for solid)."""
    named = {"-": "", "--": (4, 1.6), "-.": (6, 1.6, 1, 1.6), ":": (1, 1.6)}
    if isinstance(linestyle, str):
        return named[linestyle]
    return tuple(linestyle[1])


def smallest_text_pt(figure) -> float:
    """The size in points of the smallest visible, non-empty text of a drawn figure."""
    from matplotlib.text import Text

    figure.canvas.draw()  # realises tick labels, legends and layout
    sizes = [t.get_fontsize() for t in figure.findobj(Text)
             if t.get_visible() and t.get_text().strip() and t.get_figure(root=True) is figure]
    return min(sizes) if sizes else float("inf")


def displayed_text_px(text_pt: float, width_in: float, shown_px: float = PHONE_COLUMN_PX) -> float:
    """CSS pixels of ``text_pt``-point text in a figure ``width_in`` inches wide shown ``shown_px`` wide."""
    return text_pt / 72 * shown_px / width_in


def check_legible(figure, name: str = "figure") -> float:
    """Refuse a figure whose smallest text would be shown below :data:`MIN_TEXT_PX` on a phone.

    Returns the smallest text size in points. The message names the figure, its width and the
    smallest size, and what would make it legible.
    """
    width = figure.get_size_inches()[0]
    smallest = smallest_text_pt(figure)
    shown = displayed_text_px(smallest, width)
    if shown < MIN_TEXT_PX - 1e-9:
        raise ValueError(
            f"figure {name!r}: its smallest text ({smallest:.1f} pt in a {width:.1f}-in figure) would show at "
            f"{shown:.1f} px on a phone; draw it at most {FIGURE_WIDTH_IN:g} in wide with text of at least {MIN_FONT_PT} pt")
    return smallest


def figure_png(figure, name: str = "figure") -> bytes:
    """The figure as PNG bytes at :data:`FIGURE_DPI`, after :func:`check_legible`, with the smallest
    text size and the resolution written into the PNG's text chunks (``ips-min-text-pt``,
    ``ips-dpi``) for the browser test.

    The image is stored with a 256-colour palette (Pillow's median cut, no dithering): a third of
    the bytes of full colour, with no visible change to lines, text or the cividis maps.
    """
    from PIL import Image, PngImagePlugin

    smallest = check_legible(figure, name)
    drawn = io.BytesIO()
    figure.savefig(drawn, format="png", dpi=FIGURE_DPI)
    with Image.open(drawn) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    info = PngImagePlugin.PngInfo()
    info.add_text("ips-min-text-pt", f"{smallest:g}")
    info.add_text("ips-dpi", str(FIGURE_DPI))
    stored = io.BytesIO()
    palette.save(stored, format="PNG", optimize=True, pnginfo=info, dpi=(FIGURE_DPI, FIGURE_DPI))
    return stored.getvalue()


def use_book_style() -> None:
    """Set seaborn and matplotlib to the book's style.

    Inside Jupyter, importing pyplot first lets the inline backend apply its own defaults before
    ours; it then renders each PNG at the figure's dpi, so figures come out at ``FIGURE_DPI``.
    """
    import matplotlib.pyplot  # noqa: F401
    import seaborn as sns

    looks = list(PRIOR_LOOKS.values())
    sns.set_theme(context="paper", style="ticks", palette=[look.color for look in looks])
    mpl.rcParams.update({
        "figure.figsize": figure_size(3.0),
        "figure.dpi": FIGURE_DPI,
        "savefig.dpi": FIGURE_DPI,
        "figure.constrained_layout.use": True,
        "font.size": BASE_FONT_PT,
        "axes.titlesize": BASE_FONT_PT + 1,
        "axes.labelsize": BASE_FONT_PT,
        "xtick.labelsize": MIN_FONT_PT,
        "ytick.labelsize": MIN_FONT_PT,
        "legend.fontsize": MIN_FONT_PT,
        "legend.title_fontsize": MIN_FONT_PT,
        "figure.titlesize": BASE_FONT_PT + 1,
        "figure.labelsize": BASE_FONT_PT,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        # no marker in the cycle: a dense curve would carry one on every point; figures that need
        # markers to be told apart in grey set them from a Look, with markevery
        "axes.prop_cycle": cycler(color=[look.color for look in looks]) + cycler(linestyle=[look.linestyle for look in looks]),
        "lines.markersize": 5,
        "image.cmap": "cividis",
    })
