"""Sampling with a diagnostics gate: a fit that has not converged raises instead of reporting.

Every model in the book is sampled through :func:`sample`, which runs NUTS (nutpie) with a
fixed seed and then calls :func:`check_convergence`: R-hat <= 1.01, bulk and tail ESS above a
floor, and no divergent transitions (Vehtari et al. 2021). A failed check raises
:class:`ConvergenceError`, which fails the book build.
"""

from __future__ import annotations

from dataclasses import dataclass

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from ipscompendium import INTERVAL_PROB

az.rcParams["stats.ci_prob"] = INTERVAL_PROB
az.rcParams["stats.ci_kind"] = "eti"

#: Thresholds of the gate (Vehtari et al. 2021: R-hat below 1.01, ESS above 100 per chain).
MAX_RHAT = 1.01
MIN_ESS = 400
DEFAULT_DRAWS = 1000
DEFAULT_TUNE = 1000
DEFAULT_CHAINS = 4


class ConvergenceError(RuntimeError):
    """MCMC diagnostics failed; the message lists every parameter that failed and why."""


@dataclass(frozen=True)
class DiagnosticsReport:
    """The worst diagnostics of a fit, and the per-parameter table behind them."""

    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int
    table: pd.DataFrame

    @property
    def passed(self) -> bool:
        return self.max_rhat <= MAX_RHAT and min(self.min_ess_bulk, self.min_ess_tail) >= MIN_ESS and self.divergences == 0


def diagnostics(idata: xr.DataTree, var_names: list[str] | None = None) -> DiagnosticsReport:
    """R-hat, bulk and tail ESS of every scalar parameter, and the number of divergences."""
    posterior = idata["posterior"].to_dataset()
    names = var_names or [name for name in posterior.data_vars if not name.endswith("__")]
    rhat = az.rhat(idata, var_names=names)
    ess_bulk = az.ess(idata, var_names=names, method="bulk")
    ess_tail = az.ess(idata, var_names=names, method="tail")
    rows = []
    for name in names:  # column names are DIAGNOSTIC_LABELS' keys
        r = np.atleast_1d(rhat[name].values).ravel()
        b = np.atleast_1d(ess_bulk[name].values).ravel()
        t = np.atleast_1d(ess_tail[name].values).ravel()
        rows.append({"parameter": name, "max_rhat": np.nanmax(r), "min_ess_bulk": np.nanmin(b), "min_ess_tail": np.nanmin(t)})
    table = pd.DataFrame(rows)
    divergences = int(idata["sample_stats"]["diverging"].sum()) if "sample_stats" in idata.children else 0
    return DiagnosticsReport(
        max_rhat=float(table["max_rhat"].max()),
        min_ess_bulk=float(table["min_ess_bulk"].min()),
        min_ess_tail=float(table["min_ess_tail"].min()),
        divergences=divergences,
        table=table,
    )


def check_convergence(idata: xr.DataTree, var_names: list[str] | None = None, label: str = "model") -> DiagnosticsReport:
    """Raise :class:`ConvergenceError` unless every parameter passes the gate; return the report."""
    report = diagnostics(idata, var_names)
    if report.passed:
        return report
    problems = []
    bad = report.table
    for row in bad.itertuples():
        reasons = []
        if row.max_rhat > MAX_RHAT:
            reasons.append(f"R-hat {row.max_rhat:.3f} > {MAX_RHAT}")
        if row.min_ess_bulk < MIN_ESS:
            reasons.append(f"bulk ESS {row.min_ess_bulk:.0f} < {MIN_ESS}")
        if row.min_ess_tail < MIN_ESS:
            reasons.append(f"tail ESS {row.min_ess_tail:.0f} < {MIN_ESS}")
        if reasons:
            problems.append(f"  - {row.parameter}: " + ", ".join(reasons))
    if report.divergences:
        problems.append(f"  - {report.divergences} divergent transition(s)")
    raise ConvergenceError(f"{label}: MCMC diagnostics failed; its numbers are not reported:\n" + "\n".join(problems))


def sample(
    model: pm.Model,
    seed: int,
    draws: int = DEFAULT_DRAWS,
    tune: int = DEFAULT_TUNE,
    chains: int = DEFAULT_CHAINS,
    var_names: list[str] | None = None,
    label: str | None = None,
    log_likelihood: bool = False,
    **kwargs,
) -> xr.DataTree:
    """Sample ``model`` with NUTS and a fixed seed, then enforce the diagnostics gate."""
    with model:
        idata = pm.sample(
            draws=draws, tune=tune, chains=chains, random_seed=seed, progressbar=False,
            idata_kwargs={"log_likelihood": log_likelihood}, **kwargs,
        )
    check_convergence(idata, var_names, label or model.name or "model")
    return idata


def draws_of(idata: xr.DataTree, name: str, group: str = "posterior") -> np.ndarray:
    """All draws of a variable, chains stacked first: shape (chain*draw, ...)."""
    values = idata[group][name].values
    return values.reshape(-1, *values.shape[2:])


#: Reader labels for the columns of an ArviZ summary at the book's 95% interval.
ARVIZ_SUMMARY_LABELS = {"mean": "Mean", "sd": "SD", "eti95_lb": "2.5%", "eti95_ub": "97.5%", "ess_bulk": "Bulk ESS",
                        "ess_tail": "Tail ESS", "r_hat": "R-hat", "mcse_mean": "MC s.e. of mean", "mcse_sd": "MC s.e. of SD"}

#: Reader labels for :attr:`DiagnosticsReport.table`'s columns (for ``tables.table``).
DIAGNOSTIC_LABELS = {"parameter": "Parameter", "max_rhat": "Largest R-hat", "min_ess_bulk": "Smallest bulk ESS",
                     "min_ess_tail": "Smallest tail ESS"}

