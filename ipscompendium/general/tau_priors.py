"""Priors on the between-trial heterogeneity tau, without PyMC: the exact (quadrature) analyses
and the command line use them as densities, the PyMC models build them as random variables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ipscompendium.general import normal


@dataclass(frozen=True)
class TauPrior:
    """A prior on the heterogeneity tau (log-ratio scale).

    ``kind``: 'half_normal' or 'half_cauchy' with ``scale``; or 'lognormal_tau2' with
    ``log_tau2_mean`` and ``log_tau2_sd`` (Turner et al. 2015: a log-normal on tau^2).
    """

    name: str
    kind: str
    scale: float = 0.0
    log_tau2_mean: float = 0.0
    log_tau2_sd: float = 1.0
    rationale: str = ""

    def to_pymc(self, name: str = "tau"):
        import pymc as pm  # only the MCMC models need PyMC

        if self.kind == "half_normal":
            return pm.HalfNormal(name, self.scale)
        if self.kind == "half_cauchy":
            return pm.HalfCauchy(name, self.scale)
        if self.kind == "lognormal_tau2":
            tau2 = pm.LogNormal(f"{name}_squared", self.log_tau2_mean, self.log_tau2_sd)
            return pm.Deterministic(name, pm.math.sqrt(tau2))
        raise ValueError(f"unknown tau prior kind {self.kind!r}")

    def logpdf(self, tau: np.ndarray) -> np.ndarray:
        # the half-normal and half-Cauchy in closed form: scipy.stats would add half a second to the
        # command line's start (tests/test_priors_and_exact.py holds them to scipy.stats)
        tau = np.asarray(tau, float)
        with np.errstate(divide="ignore"):
            if self.kind == "half_normal":
                return np.where(tau >= 0, np.log(2.0) + normal.logpdf(tau, 0.0, self.scale), -np.inf)
            if self.kind == "half_cauchy":
                return np.where(tau >= 0, np.log(2 / (np.pi * self.scale)) - np.log1p((tau / self.scale) ** 2), -np.inf)
        if self.kind == "lognormal_tau2":
            from scipy import stats

            # change of variables from tau^2 to tau: p(tau) = 2 tau p_{tau^2}(tau^2)
            return np.log(2 * tau) + stats.lognorm.logpdf(tau**2, s=self.log_tau2_sd, scale=np.exp(self.log_tau2_mean))
        raise ValueError(f"unknown tau prior kind {self.kind!r}")

    def quantile(self, q: float) -> float:
        if self.kind == "half_normal":
            return float(normal.ppf((1 + q) / 2, 0.0, self.scale))
        if self.kind == "half_cauchy":
            return float(self.scale * np.tan(np.pi * q / 2))
        return float(np.sqrt(np.exp(normal.ppf(q, self.log_tau2_mean, self.log_tau2_sd))))



def parse_tau_prior(text: str) -> TauPrior:
    """'half-normal:0.5' or 'half-cauchy:0.5' -> a TauPrior (for the command line)."""
    kind, _, value = text.partition(":")
    kinds = {"half-normal": "half_normal", "half-cauchy": "half_cauchy"}
    if kind not in kinds or not value:
        raise ValueError(f"'{text}' is not a tau prior: use half-normal:SCALE or half-cauchy:SCALE, e.g. half-normal:0.5")
    scale = float(value)
    if scale <= 0:
        raise ValueError(f"'{text}': the scale must be positive")
    return TauPrior(f"{kind}({scale:g})", kinds[kind], scale=scale)
