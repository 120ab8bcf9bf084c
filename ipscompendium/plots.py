"""Figures shared by the chapters: priors, probabilities of benefit, curves and forest plots.

All of them are drawn in the book's style (:mod:`ipscompendium.style`): as wide as the text
column, each prior in its fixed colour, line style and marker.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ipscompendium.general.priors import NormalMixturePrior
from ipscompendium.style import REFERENCE_GREY, ROLE_LOOKS, Look, figure_size, prior_look

ODDS_RATIO_TICKS = np.array([0.1, 0.25, 0.5, 1, 2, 4, 10, 25])


def _look(label: str, fallback: Look | None = None) -> Look:
    try:
        return prior_look(label)
    except KeyError:
        if fallback is None:
            raise
        return fallback


def odds_ratio_axis(ax: plt.Axes, label: str = "odds ratio, IPS vs control (log scale)") -> None:
    """Label a log-OR axis in odds ratios, with a dotted line at no effect."""
    lo, hi = ax.get_xlim()
    ticks = ODDS_RATIO_TICKS[(np.log(ODDS_RATIO_TICKS) >= lo) & (np.log(ODDS_RATIO_TICKS) <= hi)]
    ax.set_xticks(np.log(ticks), [f"{t:g}" for t in ticks])
    ax.axvline(0, color=REFERENCE_GREY, lw=0.8, ls=":")
    ax.set_xlabel(label)


def row_labels_above(ax: plt.Axes, positions: Sequence[float], labels: Sequence[str]) -> None:
    """Write each row's label just above its row, from the left edge, instead of as a tick label:
    on a phone-wide figure, long labels beside the axis would leave no room for the data."""
    from matplotlib.transforms import blended_transform_factory

    where = blended_transform_factory(ax.transAxes, ax.transData)
    for y, label in zip(positions, labels):
        ax.annotate(label, (0, y), xycoords=where, xytext=(2, 4), textcoords="offset points", va="bottom", ha="left")
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)


def plot_log_or_densities(
    densities: Sequence[tuple[str, np.ndarray, np.ndarray]], ax: plt.Axes | None = None, reference_or: float | None = None,
    title: str = "", reference_label: str = "design's OR",
) -> plt.Axes:
    """Densities over the log-OR, labelled on the odds-ratio scale; priors keep their fixed looks,
    with a marker every so often so the lines can be told apart in grey."""
    ax = ax or plt.subplots(figsize=figure_size(3.2))[1]
    for label, x, density in densities:
        look = _look(label, Look(REFERENCE_GREY, "-", "."))
        ax.plot(x, density, label=label, color=look.color, linestyle=look.linestyle, marker=look.marker,
                markevery=max(len(x) // 12, 1), lw=1.6)
    if reference_or:
        ax.axvline(np.log(reference_or), color=REFERENCE_GREY, lw=0.8, ls="--", label=reference_label)
    odds_ratio_axis(ax)
    ax.set_ylabel("density (per unit log-OR)")
    ax.set_ylim(bottom=0)
    if title:
        ax.set_title(title)
    # below the axes, not on them: on a phone-wide figure a legend inside would cover the curves
    ax.figure.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return ax


def plot_priors(priors: Sequence[NormalMixturePrior], ax: plt.Axes | None = None, reference_or: float | None = None) -> plt.Axes:
    x = np.linspace(np.log(0.08), np.log(30), 600)
    return plot_log_or_densities([(p.name, x, p.pdf(x)) for p in priors], ax, reference_or)


def plot_benefit_by_prior(table: pd.DataFrame, columns: dict[str, str]) -> plt.Figure:
    """One panel per probability in ``columns``, stacked for a phone; x = follow-up, one line per prior
    in its fixed look (seaborn, themed by :func:`ipscompendium.style.use_book_style`), the priors
    nudged apart so that their markers do not hide one another."""
    import seaborn as sns

    from ipscompendium.style import seaborn_mappings

    fig, axes = plt.subplots(len(columns), 1, figsize=figure_size(1.75 * len(columns) + 1.1), sharex=True)
    axes = np.atleast_1d(axes)
    priors = list(dict.fromkeys(table["prior"]))
    timepoints = sorted(table["timepoint_months"].unique())
    nudge = {prior: (i - (len(priors) - 1) / 2) * 0.06 for i, prior in enumerate(priors)}
    frame = table.assign(position=[timepoints.index(t) + nudge[p] for t, p in zip(table["timepoint_months"], table["prior"])])
    for ax, (column, title) in zip(axes, columns.items()):
        sns.lineplot(frame, x="position", y=column, hue="prior", style="prior", hue_order=priors, style_order=priors, ax=ax,
                     legend=ax is axes[0], lw=1.2, **seaborn_mappings(priors))
        ax.set_ylim(0, 1)
        ax.axhline(0.5, color=REFERENCE_GREY, lw=0.8, ls=":")
        ax.set_title(title, loc="left")
        ax.set_ylabel("")
    axes[-1].set_xticks(range(len(timepoints)), [str(t) for t in timepoints])
    axes[-1].set_xlabel("months after enrolment")
    fig.supylabel("posterior probability")
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].get_legend().remove()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(priors), 2))
    return fig


def plot_curve_with_band(x: np.ndarray, mid: np.ndarray, low: np.ndarray, high: np.ndarray, ax: plt.Axes, label: str = "",
                         look: Look | None = None) -> plt.Axes:
    look = look or ROLE_LOOKS["posterior"]
    ax.plot(x, mid, label=label, color=look.color, linestyle=look.linestyle)
    ax.fill_between(x, low, high, alpha=0.2, color=look.color, label=f"{label}: 95% interval" if label else None)
    return ax


def forest_plot(
    labels: Sequence[str], observed: pd.DataFrame, shrunken: pd.DataFrame | None = None,
    summary_rows: pd.DataFrame | None = None, xlabel: str = "risk ratio (log scale)", ax: plt.Axes | None = None,
    weights: Sequence[float] | None = None, numbers: bool = False, footer: str = "", decimals: int = 2, null: float = 1.0,
) -> plt.Axes:
    """Forest plot on the ratio scale: observed estimates, shrunken estimates beside them, and
    summary rows (pooled effect, prediction) at the bottom.

    Each frame has columns ``estimate``, ``low``, ``high`` on the ratio scale, one row per label
    (``summary_rows`` also a ``label`` column; a ``role`` column, 'pooled' or 'prediction' or
    'published', picks its look; a pooled row is drawn as a diamond).

    ``weights``: each trial's weight in the pooled estimate (any scale); the observed squares then
    have areas in proportion (with a floor, so that the smallest stays visible), as reviewers expect. ``numbers``: a column of estimates and intervals
    at the right. ``footer``: a line under the plot (heterogeneity, the prediction interval's method).
    ``null``: no effect; 1 draws a ratio's log axis, 0 a difference's linear one.
    """
    import textwrap

    from matplotlib.patches import Polygon
    from matplotlib.transforms import blended_transform_factory

    k = len(labels)
    extra = 0 if summary_rows is None else len(summary_rows)
    ax = ax or plt.subplots(figsize=figure_size(0.22 * (k + extra) + 1.2 + 0.35 * bool(footer)))[1]
    y = np.arange(k)[::-1] + extra + 1

    def bars(frame, yy, look, label, size=4, width=1.0):
        ax.errorbar(frame["estimate"], yy, xerr=[frame["estimate"] - frame["low"], frame["high"] - frame["estimate"]],
                    fmt=look.marker, color=look.color, ms=size, lw=width, label=label)

    offset = 0.15 if shrunken is not None else 0.0
    observed_look = ROLE_LOOKS["observed"]
    if weights is None:
        bars(observed, y + offset, observed_look, "observed (95% CI)")
    else:
        share = np.asarray(weights, float) / np.max(weights)
        ax.errorbar(observed["estimate"], y + offset, xerr=[observed["estimate"] - observed["low"],
                    observed["high"] - observed["estimate"]], fmt="none", color=observed_look.color, lw=1.0)
        ax.scatter(observed["estimate"], y + offset, s=np.maximum(90 * share, 6), marker=observed_look.marker, color=observed_look.color,
                   zorder=3, label="observed (95% CI; area: weight)")
    if shrunken is not None:
        bars(shrunken, y - offset, ROLE_LOOKS["posterior"], "shrunken (95% CrI)")
    ticks, yticks, shown = list(labels), list(y), list(observed[["estimate", "low", "high"]].itertuples(index=False))
    if summary_rows is not None:
        for i, row in enumerate(summary_rows.itertuples()):
            yy = extra - i
            role = getattr(row, "role", "pooled")
            look = ROLE_LOOKS[role]
            if role == "pooled":  # the pooled effect as the diamond a reviewer looks for
                ax.add_patch(Polygon([(row.low, yy), (row.estimate, yy + 0.32), (row.high, yy), (row.estimate, yy - 0.32)],
                                     closed=True, facecolor=look.color, edgecolor=look.color))
            else:
                bars(pd.DataFrame([row._asdict()]), [yy], look, None, size=6, width=2)
            ticks.append(row.label)
            yticks.append(yy)
            shown.append((row.estimate, row.low, row.high))
    ax.set_yticks(yticks, ticks)
    ax.set_ylim(0.3, k + extra + 0.7)
    if null == 1.0:
        ax.set_xscale("log")
        ratio_ticks = [t for t in (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32) if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        ax.set_xticks(ratio_ticks, [f"{t:g}" for t in ratio_ticks])
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.axvline(null, color=REFERENCE_GREY, lw=0.8, ls=":")
    ax.set_xlabel(xlabel)
    if numbers:
        right = blended_transform_factory(ax.transAxes, ax.transData)
        ax.annotate("estimate (95% interval)", (1, k + extra + 0.7), xycoords=right, xytext=(4, 0), textcoords="offset points",
                    va="bottom", ha="left", annotation_clip=False, fontweight="bold")
        for yy, (estimate, low, high) in zip(yticks, shown):
            ax.annotate(f"{estimate:.{decimals}f} ({low:.{decimals}f} to {high:.{decimals}f})", (1, yy), xycoords=right,
                        xytext=(4, 0), textcoords="offset points", va="center", ha="left", annotation_clip=False)
    handles, names = ax.get_legend_handles_labels()
    # the footer rides with the legend under the plot, so that the layout keeps room for both
    ax.figure.legend(handles, names, loc="outside lower center", ncols=2, title=textwrap.fill(footer, 60) if footer else None)
    return ax


def plot_employment_over_time(employment: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Percentage employed in each arm at each follow-up, with Wilson 95% confidence intervals
    (statsmodels), IPS and usual care in their fixed looks and slightly apart so the bars do not overlap."""
    from statsmodels.stats.proportion import proportion_confint

    ax = ax or plt.subplots(figsize=figure_size(3.2))[1]
    months = employment["timepoint_months"].to_numpy()
    positions = np.arange(len(months))
    for offset, (arm, label) in zip((-0.06, 0.06), (("control", "usual care"), ("ips", "IPS"))):
        events, n = employment[f"employed_{arm}"].to_numpy(), employment[f"n_{arm}"].to_numpy()
        low, high = proportion_confint(events, n, alpha=0.05, method="wilson")
        share = events / n
        look = ROLE_LOOKS[arm]
        ax.errorbar(positions + offset, 100 * share, yerr=[100 * (share - low), 100 * (high - share)], color=look.color,
                    linestyle=look.linestyle, marker=look.marker, capsize=3, label=f"{label} (95% CI)")
    ax.set_xticks(positions, [f"{m} months" for m in months])
    ax.set_ylim(0, 100)
    ax.set_ylabel("% in paid work")
    ax.legend(loc="upper left")
    return ax


#: Cell marks of the tipping-point figure: below one half a cross, below 0.8 a dot (so that the
#: reading does not rest on the colour scale alone).
TIPPING_MARKS = ((0.5, " \u00d7"), (0.8, " \u2022"))


def tipping_cell_label(p: float) -> str:
    """The text of one tipping-point cell: the probability and its mark ('0.42 ×', '0.75 •', '0.91')."""
    mark = next((m for limit, m in TIPPING_MARKS if p < limit), "")
    return f"{p:.2f}{mark}"


def tipping_figure(tipping: dict[int, pd.DataFrame], months_order: Sequence[int]) -> plt.Figure:
    """The tipping-point tables of :func:`ipscompendium.general.missing.tipping_point`, one panel per
    follow-up in ``months_order``, stacked so that the cell labels stay legible at phone width."""
    fig, axes = plt.subplots(len(months_order), 1, figsize=figure_size(5.6), layout="constrained")
    axes = np.atleast_1d(axes)
    mesh = None
    for ax, t in zip(axes, months_order):
        values = tipping[t].pivot(index="control missing with outcome", columns="treatment missing with outcome", values="p_benefit")
        mesh = ax.pcolormesh(values.columns, values.index, values.to_numpy(), cmap="cividis", vmin=0.3, vmax=1, shading="nearest")
        for (j, i), value in np.ndenumerate(values.to_numpy()):
            ax.text(values.columns[i], values.index[j], tipping_cell_label(value), ha="center", va="center",
                    color="white" if value < 0.65 else "black")
        ax.set_xticks(values.columns)
        ax.set_yticks(values.index)
        ax.set_title(f"{t} months", fontsize="medium")
        ax.set_ylabel("controls in work")
    fig.supxlabel("missing IPS patients in work", fontsize="medium")
    fig.supylabel("missing", fontsize="medium")
    fig.colorbar(mesh, ax=axes, label="P(IPS better)", shrink=0.9, orientation="horizontal", location="bottom")
    return fig


#: Width of the forest plot that ``ipscompendium meta --out`` writes: a report's or a journal's
#: full column, with room for the column of numbers. The book draws the same plot phone-wide.
REPORT_FIGURE_WIDTH_IN = 6.5


def meta_forest_figure(result: dict, phone: bool = False) -> plt.Figure:
    """The forest plot of a meta-analysis (:meth:`~ipscompendium.general.meta_analysis.MetaAnalysis.to_dict`, the command line's JSON):
    each trial (square area by its DL weight), the DL and Bayesian pooled effects, the prediction
    for a new trial, and the heterogeneity under it.

    ``phone=False`` (what ``--out`` writes): a report's full width, with each row's estimate and
    interval in a column at the right. ``phone=True`` (the book): phone-wide, without the column.
    """
    from ipscompendium import style
    from ipscompendium.general.measures import get_measure
    from ipscompendium.report import p_value_text

    style.use_book_style()
    measure = get_measure(result["measure"])
    observed = pd.DataFrame(result["trials"]).rename(columns={"ci_low": "low", "ci_high": "high"})
    bayes, dl = result["bayes"], result["dl"]
    summary = pd.DataFrame([
        {"label": "pooled (DL)", "estimate": dl["estimate"], "low": dl["ci_low"], "high": dl["ci_high"], "role": "published"},
        {"label": "pooled (Bayes)", "estimate": bayes["estimate"], "low": bayes["ci_low"], "high": bayes["ci_high"], "role": "pooled"},
        {"label": "new trial (Bayes)", "estimate": bayes["estimate"], "low": bayes["prediction_low"],
         "high": bayes["prediction_high"], "role": "prediction"},
    ])
    h = result["heterogeneity"]
    p = p_value_text(h["p_value"])
    footer = (f"Heterogeneity: tau² {dl['tau2']:.2f} (DL), I² {dl['i2']:.0%}, Q {h['q']:.1f} on {h['df']} df, "
              f"p {p if p.startswith('<') else '= ' + p}. Prediction: Bayesian posterior predictive.")
    rows = len(observed) + len(summary)
    width = style.FIGURE_WIDTH_IN if phone else REPORT_FIGURE_WIDTH_IN
    ax = plt.subplots(figsize=(width, 0.22 * rows + 1.55))[1]
    forest_plot(list(observed["label"]), observed, summary_rows=summary, xlabel=measure.axis_label, ax=ax,
                weights=[t["weight_dl"] for t in result["trials"]], numbers=not phone, footer=footer,
                decimals=2 if measure.ratio else 3, null=measure.null)
    return ax.figure


#: The significance contours of a contour-enhanced funnel plot (Peters et al. 2008): two-sided p
#: bands around no effect, from light to dark grey (grey alone, so no colour carries them).
FUNNEL_CONTOURS = ((0.10, 0.05, "#eeeeee", "0.05 < p < 0.10"), (0.05, 0.01, "#d0d0d0", "0.01 < p < 0.05"),
                   (0.01, 0.0, "#a9a9a9", "p < 0.01"))


def funnel_plot(analysis, phone: bool = True, ax: plt.Axes | None = None) -> plt.Axes:
    """A contour-enhanced funnel plot of a :class:`~ipscompendium.general.meta_analysis.MetaAnalysis`:
    each trial's effect against its standard error (the most precise at the top), over grey bands
    where a trial alone would be significant at p < 0.10, 0.05 and 0.01 (two-sided, against no
    effect), with the REML pooled effect and its pseudo 95% funnel. Trials that trim-and-fill adds
    are open circles. Asymmetry in the white band (not significant) suggests small studies are
    missing there; asymmetry that follows the bands suggests publication bias (Peters et al. 2008).
    """
    from scipy.stats import norm

    measure = analysis.measure
    y, se = analysis.y, np.sqrt(analysis.v)
    filled = analysis.trim_and_fill
    extra_se = np.sqrt(filled.filled_v) if filled is not None and filled.k0 else np.array([])
    top = 1.08 * float(np.max(np.concatenate([se, extra_se])))
    ax = ax or plt.subplots(figsize=figure_size(3.2 if phone else 3.6))[1]
    grid = np.linspace(0, top, 200)
    reach = float(np.max(np.abs(np.concatenate([y, filled.filled_y if filled is not None else []])))) * 1.15
    reach = max(reach, norm.ppf(1 - 0.005) * top * 1.05)
    for p_outer, p_inner, shade, label in FUNNEL_CONTOURS:
        outer = norm.ppf(1 - p_outer / 2) * grid
        inner = norm.ppf(1 - p_inner / 2) * grid if p_inner > 0 else np.full_like(grid, reach)
        for sign in (-1, 1):
            ax.fill_betweenx(grid, measure.back(sign * outer), measure.back(sign * inner), color=shade, lw=0,
                             label=label if sign == 1 else None)
    pooled = analysis.fits["REML"].mu
    ax.plot(measure.back(pooled + 1.96 * grid), grid, color=REFERENCE_GREY, ls="--", lw=0.9, label="pseudo 95% limits")
    ax.plot(measure.back(pooled - 1.96 * grid), grid, color=REFERENCE_GREY, ls="--", lw=0.9)
    look = ROLE_LOOKS["pooled"]
    ax.axvline(measure.back(pooled), color=look.color, lw=1.2, label="pooled (REML)")
    ax.axvline(measure.null, color="black", lw=0.8, ls=":")
    observed = ROLE_LOOKS["observed"]
    ax.scatter(measure.back(y), se, marker=observed.marker, s=22, color=observed.color, zorder=3, label="trial")
    if filled is not None and filled.k0:
        ax.scatter(measure.back(filled.filled_y), np.sqrt(filled.filled_v), marker="o", s=24, facecolors="white",
                   edgecolors="black", zorder=3, label="filled in")
    ax.set_ylim(top, 0)
    ax.set_xlim(*measure.back(np.array([-reach, reach])))
    if measure.ratio:
        ax.set_xscale("log")
        ticks = [t for t in (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16) if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xlabel(measure.axis_label)
    ax.set_ylabel("standard error")
    handles, names = ax.get_legend_handles_labels()
    ax.figure.legend(handles, names, loc="outside lower center", ncols=2)
    return ax
