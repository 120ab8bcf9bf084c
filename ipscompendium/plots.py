"""Figures shared by the chapters: priors, probabilities of benefit, curves and forest plots."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ipscompendium.priors import NormalMixturePrior


def plot_log_or_densities(
    densities: Sequence[tuple[str, np.ndarray, np.ndarray]], ax: plt.Axes | None = None, reference_or: float | None = None,
    title: str = "",
) -> plt.Axes:
    """Densities over the log-OR, labelled on the odds-ratio scale."""
    ax = ax or plt.subplots(figsize=(7, 4))[1]
    for label, x, density in densities:
        ax.plot(x, density, label=label)
    ax.axvline(0, color="grey", lw=0.8, ls=":")
    if reference_or:
        ax.axvline(np.log(reference_or), color="grey", lw=0.8, ls="--")
    ticks = np.array([0.1, 0.25, 0.5, 1, 2, 4, 10, 25])
    ax.set_xticks(np.log(ticks), [f"{t:g}" for t in ticks])
    ax.set_xlabel("odds ratio, IPS vs control (log scale)")
    ax.set_ylabel("density (per unit log-OR)")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize="small")
    return ax


def plot_priors(priors: Sequence[NormalMixturePrior], ax: plt.Axes | None = None, reference_or: float | None = None) -> plt.Axes:
    x = np.linspace(np.log(0.08), np.log(30), 600)
    return plot_log_or_densities([(p.name, x, p.pdf(x)) for p in priors], ax, reference_or, "Priors on the odds ratio")


def plot_benefit_by_prior(table: pd.DataFrame, columns: dict[str, str]) -> plt.Figure:
    """One panel per probability in ``columns``; x = follow-up, one line per prior."""
    fig, axes = plt.subplots(1, len(columns), figsize=(5 * len(columns), 4), sharey=True)
    for ax, (column, title) in zip(np.atleast_1d(axes), columns.items()):
        sns.pointplot(data=table, x="timepoint_months", y=column, hue="prior", ax=ax, dodge=0.3, markers="o")
        ax.set_ylim(0, 1)
        ax.axhline(0.5, color="grey", lw=0.8, ls=":")
        ax.set_xlabel("months after enrolment")
        ax.set_ylabel("posterior probability")
        ax.set_title(title)
        ax.legend(fontsize="x-small", frameon=False)
    fig.tight_layout()
    return fig


def plot_curve_with_band(x: np.ndarray, mid: np.ndarray, low: np.ndarray, high: np.ndarray, ax: plt.Axes, label: str = "", color=None) -> plt.Axes:
    ax.plot(x, mid, label=label, color=color)
    ax.fill_between(x, low, high, alpha=0.2, color=ax.lines[-1].get_color())
    return ax


def forest_plot(
    labels: Sequence[str], observed: pd.DataFrame, shrunken: pd.DataFrame | None = None,
    summary_rows: pd.DataFrame | None = None, xlabel: str = "risk ratio (log scale)", ax: plt.Axes | None = None,
) -> plt.Axes:
    """Forest plot on the ratio scale: observed estimates, shrunken estimates beside them, and
    summary rows (pooled effect, prediction) at the bottom.

    Each frame has columns ``estimate``, ``low``, ``high`` on the ratio scale, one row per label
    (``summary_rows`` also a ``label`` column).
    """
    k = len(labels)
    extra = 0 if summary_rows is None else len(summary_rows)
    ax = ax or plt.subplots(figsize=(7, 0.32 * (k + extra) + 1.5))[1]
    y = np.arange(k)[::-1] + extra + 1
    ax.errorbar(observed["estimate"], y + 0.15, xerr=[observed["estimate"] - observed["low"], observed["high"] - observed["estimate"]],
                fmt="s", color="black", ms=4, lw=1, label="observed (95% CI)")
    if shrunken is not None:
        ax.errorbar(shrunken["estimate"], y - 0.15, xerr=[shrunken["estimate"] - shrunken["low"], shrunken["high"] - shrunken["estimate"]],
                    fmt="o", color="tab:blue", ms=4, lw=1, label="shrunken (95% CrI)")
    ticks = list(labels)
    yticks = list(y)
    if summary_rows is not None:
        for i, row in enumerate(summary_rows.itertuples()):
            yy = extra - i
            ax.errorbar(row.estimate, yy, xerr=[[row.estimate - row.low], [row.high - row.estimate]], fmt="D", color="tab:red", ms=6, lw=2)
            ticks.append(row.label)
            yticks.append(yy)
    ax.set_yticks(yticks, ticks, fontsize="small")
    ax.set_xscale("log")
    ratio_ticks = [t for t in (0.25, 0.5, 1, 2, 4, 8, 16, 32) if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    ax.set_xticks(ratio_ticks, [f"{t:g}" for t in ratio_ticks])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.axvline(1, color="grey", lw=0.8, ls=":")
    ax.set_xlabel(xlabel)
    ax.legend(frameon=False, fontsize="small", loc="lower right")
    return ax
