"""Exact (quadrature) answers that the MCMC fits are tested against.

- Two independent Beta posteriors: P(p_treatment > p_control) by one-dimensional integration.
- The normal-normal random-effects model: mu is conditionally normal given tau, so the joint
  posterior reduces to a one-dimensional integral over tau (as in bayesmeta, Röver 2020).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ipscompendium.general import normal

# scipy.stats and scipy.integrate take about half a second to import and only the Beta answers need
# them: they are imported there, so that the command line's `meta` (which uses the normal-normal
# posterior) starts faster.


def beta_posterior(events: int, n: int, alpha: float = 1.0, beta: float = 1.0):
    """Posterior of a binomial risk under a Beta(alpha, beta) prior (a frozen ``scipy.stats.beta``)."""
    from scipy import stats

    return stats.beta(alpha + events, beta + n - events)


def prob_first_greater(first, second) -> float:
    """P(X > Y) for independent X ~ first, Y ~ second on [0, 1]."""
    from scipy import integrate

    value, _ = integrate.quad(lambda x: first.pdf(x) * second.cdf(x), 0, 1, limit=200)
    return float(value)


@dataclass(frozen=True)
class NormalNormalPosterior:
    """Posterior of (mu, tau) in y_i ~ N(mu, se_i^2 + tau^2) on a grid over tau."""

    tau: np.ndarray
    tau_density: np.ndarray  # normalised on the grid
    mu_mean_given_tau: np.ndarray
    mu_sd_given_tau: np.ndarray

    def tau_weights(self) -> np.ndarray:
        """Posterior probability of each tau grid point (sums to 1)."""
        w = self.tau_density * np.gradient(self.tau)
        return w / w.sum()

    def tau_mean(self) -> float:
        return float(np.sum(self.tau_weights() * self.tau))

    def tau_quantile(self, q: float) -> float:
        cdf = np.cumsum(self.tau_weights())
        return float(np.interp(q, cdf, self.tau))

    def mu_mean(self) -> float:
        return float(np.sum(self.tau_weights() * self.mu_mean_given_tau))

    def mu_cdf(self, x: float) -> float:
        return float(np.sum(self.tau_weights() * normal.cdf(x, self.mu_mean_given_tau, self.mu_sd_given_tau)))

    def mu_quantile(self, q: float) -> float:
        from scipy.optimize import brentq

        lo = float(np.min(self.mu_mean_given_tau - 10 * self.mu_sd_given_tau))
        hi = float(np.max(self.mu_mean_given_tau + 10 * self.mu_sd_given_tau))
        return float(brentq(lambda x: self.mu_cdf(x) - q, lo, hi))

    def predictive_cdf(self, x: float) -> float:
        """CDF of the effect in a new trial, theta_new ~ N(mu, tau^2)."""
        sd = np.sqrt(self.mu_sd_given_tau**2 + self.tau**2)
        return float(np.sum(self.tau_weights() * normal.cdf(x, self.mu_mean_given_tau, sd)))


#: Posterior mass of tau in the top 5% of its range above which the range is too short.
TAU_BOUND_MASS = 1e-3


class TauBoundWarning(UserWarning):
    """The posterior of tau reaches the upper end of the grid: the answer is truncated there."""


def _check_tau_bound(tau: np.ndarray, density: np.ndarray, tau_max: float) -> float:
    """Warn when more than :data:`TAU_BOUND_MASS` of the posterior of tau lies in the top 5% of the
    grid (the range ``tau_max`` cuts the posterior off there); return that mass."""
    weights = density * np.gradient(tau)
    mass = float(weights[tau > 0.95 * tau_max].sum() / weights.sum())
    if mass > TAU_BOUND_MASS:
        import warnings

        warnings.warn(f"{mass:.1%} of the posterior of tau lies within 5% of the grid's upper end tau_max = {tau_max:g}: "
                      "the posterior is cut off there; widen tau_max", TauBoundWarning, stacklevel=3)
    return mass


def normal_normal_posterior(
    y: np.ndarray, se: np.ndarray, tau_prior_logpdf: Callable[[np.ndarray], np.ndarray],
    mu_prior_mean: float = 0.0, mu_prior_sd: float = 10.0, tau_max: float = 3.0, points: int = 4001,
) -> NormalNormalPosterior:
    """Exact posterior of the normal-normal model with a normal prior on mu.

    p(tau | y) is proportional to p(tau) N(y; m0 1, diag(se^2 + tau^2) + s0^2 1 1^T); given tau,
    mu is normal with precision 1/s0^2 + sum w_i and w_i = 1/(se_i^2 + tau^2). The grid over tau
    ends at ``tau_max``; a ``TauBoundWarning`` says when the posterior reaches it.
    """
    y, se = np.asarray(y, float), np.asarray(se, float)
    tau = np.linspace(0, tau_max, points)[1:]
    log_marginal = np.empty_like(tau)
    mu_mean = np.empty_like(tau)
    mu_sd = np.empty_like(tau)
    for i, t in enumerate(tau):
        w = 1 / (se**2 + t**2)
        precision = 1 / mu_prior_sd**2 + w.sum()
        mu_mean[i] = (mu_prior_mean / mu_prior_sd**2 + np.sum(w * y)) / precision
        mu_sd[i] = np.sqrt(1 / precision)
        # log N(y; m0, D + s0^2 11^T) by the matrix determinant lemma and Sherman-Morrison
        r = y - mu_prior_mean
        quad = np.sum(w * r**2) - (np.sum(w * r) ** 2) / precision
        logdet = np.sum(np.log(se**2 + t**2)) + np.log(1 + mu_prior_sd**2 * w.sum())
        log_marginal[i] = -0.5 * (quad + logdet + len(y) * np.log(2 * np.pi))
    log_post = log_marginal + tau_prior_logpdf(tau)
    density = np.exp(log_post - log_post.max())
    density /= np.trapezoid(density, tau)
    _check_tau_bound(tau, density, tau_max)
    return NormalNormalPosterior(tau, density, mu_mean, mu_sd)


@dataclass(frozen=True)
class NormalRegressionPosterior:
    """Posterior of a normal-normal meta-regression, y_i ~ N(x_i' beta, se_i^2 + tau^2), on a grid
    over tau: given tau, beta is multivariate normal (mean ``coef_mean_given_tau``, covariance
    ``coef_cov_given_tau``)."""

    names: tuple[str, ...]
    tau: np.ndarray
    tau_density: np.ndarray
    coef_mean_given_tau: np.ndarray  # (tau points, coefficients)
    coef_cov_given_tau: np.ndarray  # (tau points, coefficients, coefficients)

    def tau_weights(self) -> np.ndarray:
        w = self.tau_density * np.gradient(self.tau)
        return w / w.sum()

    def tau_quantile(self, q: float) -> float:
        return float(np.interp(q, np.cumsum(self.tau_weights()), self.tau))

    def coef_cdf(self, j: int, x: float) -> float:
        sd = np.sqrt(self.coef_cov_given_tau[:, j, j])
        return float(np.sum(self.tau_weights() * normal.cdf(x, self.coef_mean_given_tau[:, j], sd)))

    def coef_quantile(self, j: int, q: float) -> float:
        from scipy.optimize import brentq

        sd = np.sqrt(self.coef_cov_given_tau[:, j, j])
        lo = float(np.min(self.coef_mean_given_tau[:, j] - 10 * sd))
        hi = float(np.max(self.coef_mean_given_tau[:, j] + 10 * sd))
        return float(brentq(lambda x: self.coef_cdf(j, x) - q, lo, hi))


def normal_normal_regression(
    y: np.ndarray, se: np.ndarray, X: np.ndarray, tau_prior_logpdf: Callable[[np.ndarray], np.ndarray],
    coef_prior_sd: np.ndarray | float = 10.0, names: tuple[str, ...] | None = None, tau_max: float = 3.0, points: int = 4001,
) -> NormalRegressionPosterior:
    """Exact posterior of the normal-normal meta-regression with independent N(0, sd_j^2) priors on
    the coefficients (``X`` includes the intercept column): the random-effects model of
    :func:`normal_normal_posterior` with covariates, again one integral over tau.

    p(tau | y) is proportional to p(tau) N(y; 0, D + X S0 X^T) with D = diag(se^2 + tau^2), by the
    matrix determinant lemma and the Woodbury identity; given tau, beta has precision
    S0^-1 + X^T D^-1 X.
    """
    y, se = np.asarray(y, float), np.asarray(se, float)
    X = np.asarray(X, float)
    k, p = X.shape
    prior_var = np.broadcast_to(np.asarray(coef_prior_sd, float) ** 2, (p,))
    tau = np.linspace(0, tau_max, points)[1:]
    log_marginal = np.empty_like(tau)
    means = np.empty((len(tau), p))
    covs = np.empty((len(tau), p, p))
    for i, t in enumerate(tau):
        d = se**2 + t**2
        precision = np.diag(1 / prior_var) + X.T @ (X / d[:, None])
        cov = np.linalg.inv(precision)
        xty = X.T @ (y / d)
        means[i] = cov @ xty
        covs[i] = cov
        quad = np.sum(y**2 / d) - xty @ means[i]
        logdet = np.sum(np.log(d)) + np.sum(np.log(prior_var)) + np.linalg.slogdet(precision)[1]
        log_marginal[i] = -0.5 * (quad + logdet + k * np.log(2 * np.pi))
    log_post = log_marginal + tau_prior_logpdf(tau)
    density = np.exp(log_post - log_post.max())
    density /= np.trapezoid(density, tau)
    _check_tau_bound(tau, density, tau_max)
    return NormalRegressionPosterior(tuple(names or [f"x{j}" for j in range(p)]), tau, density, means, covs)


def compare_normal_normal(idata, y: np.ndarray, se: np.ndarray, tau_prior, mu_prior_sd: float) -> list[dict[str, float]]:
    """MCMC means and 95% limits of mu and tau against the quadrature posterior."""
    from ipscompendium.general.sampling import diagnostics, draws_of

    post = normal_normal_posterior(y, se, tau_prior.logpdf, mu_prior_sd=mu_prior_sd)
    rows = []
    for name, exact_mean, exact_quantile in (("mu", post.mu_mean(), post.mu_quantile), ("tau", post.tau_mean(), post.tau_quantile)):
        draws = draws_of(idata, name)
        ess = diagnostics(idata, [name]).min_ess_bulk
        rows.append({"parameter": name, "exact mean": exact_mean, "MCMC mean": float(draws.mean()),
                     "(MCMC - exact) / MC s.e.": float((draws.mean() - exact_mean) / (draws.std() / np.sqrt(ess))),
                     "exact 2.5%": exact_quantile(0.025), "MCMC 2.5%": float(np.quantile(draws, 0.025)),
                     "exact 97.5%": exact_quantile(0.975), "MCMC 97.5%": float(np.quantile(draws, 0.975))})
    return rows
