"""Decision rules and operating characteristics (ipscompendium.general.operating): the lattice
posterior against a finer lattice, the exact grid and one-dimensional quadrature; the sums over
outcomes against simulation; and the known shape of borrowing's type I error."""

import numpy as np
import pytest
from scipy import integrate, stats

from ipscompendium.general import operating, priors, trial_grid

WEAK = trial_grid.effect_prior(priors.weakly_informative_prior())
DUAL = operating.dual_criterion(0.975, 1.5)


def fine_lattice(step=0.005):
    m = int(round(2 * operating.LIMIT / step))
    return operating.Lattice(-operating.LIMIT + step * (np.arange(m) + 0.5), step)


def test_lattice_posterior_agrees_with_a_finer_lattice_and_the_exact_grid():
    counts = [0, 7, 18]
    default = operating.posterior_probabilities(36, 18, WEAK, DUAL)[:, counts]
    fine = operating.posterior_probabilities(36, 18, WEAK, DUAL, fine_lattice(), control_events=counts)
    assert np.max(np.abs(default - fine)) < 1e-4
    # the two-arm exact grid (800 points, data-driven range) at the IPS in Pain 12-month counts, 19/36 vs 7/18
    grid = trial_grid.posterior_grid(19, 36, 7, 18, WEAK)
    assert default[0, 1, 19] == pytest.approx(grid.prob_log_or_above(0.0), abs=2e-4)
    # the lattice sum converges: 0.8267595 at step 0.005, 0.8267607 at 0.0025
    assert fine[0, 1, 19] == pytest.approx(0.82676, abs=5e-6)


def _beta_decision(x_t, n_t, x_c, n_c, rule):
    """Independent Beta(1 + x, 1 + n - x) posteriors: P(logit p_t - logit p_c > q) by one-dimensional
    quadrature over p_c, independent of the lattice."""
    post_t, post_c = stats.beta(1 + x_t, 1 + n_t - x_t), stats.beta(1 + x_c, 1 + n_c - x_c)
    ok = True
    for c in rule.criteria:
        def integrand(p):
            threshold = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + c.log_or)))
            return post_c.pdf(p) * post_t.sf(threshold)

        value = integrate.quad(integrand, 0, 1, limit=200, epsabs=1e-12)[0]
        ok = ok and value >= c.probability
    return ok


def test_success_boundary_with_beta_priors_matches_quadrature_outcome_by_outcome():
    n_t, n_c = 16, 12
    boundary = operating.success_boundary(n_t, n_c, trial_grid.beta_arms_prior(1.0, 1.0), DUAL)
    for x_c in range(n_c + 1):
        expected = [x_t for x_t in range(n_t + 1) if _beta_decision(x_t, n_t, x_c, n_c, DUAL)]
        first = expected[0] if expected else n_t + 1
        assert boundary.fewest[x_c] == first, x_c
        assert expected == list(range(first, n_t + 1))  # monotone: every count above the boundary succeeds


def test_probability_of_success_and_assurance_against_simulation():
    boundary = operating.success_boundary(100, 100, WEAK, DUAL)
    rng = np.random.default_rng(20261206)
    draws = 400_000
    p_c = 0.2
    p_t = operating.risk_with_odds_ratio(p_c, 2.5)
    simulated = boundary.succeeds(rng.binomial(100, p_t, draws), rng.binomial(100, p_c, draws)).mean()
    exact = float(operating.probability_of_success(boundary, p_t, p_c))
    assert exact == pytest.approx(simulated, abs=4 * np.sqrt(exact * (1 - exact) / draws))
    # assurance over the weakly informative prior: draw the truth from the prior on the lattice, then outcomes
    lattice = operating.lattice_for(100, 100)
    g = lattice.points
    plane = np.exp(WEAK(g[:, None], g[None, :]) - np.max(WEAK(g[:, None], g[None, :])))
    cells = rng.choice(plane.size, draws, p=(plane / plane.sum()).ravel())
    c_logit, t_logit = g[cells // len(g)], g[cells % len(g)]
    x_t = rng.binomial(100, 1 / (1 + np.exp(-t_logit)))
    x_c = rng.binomial(100, 1 / (1 + np.exp(-c_logit)))
    simulated = boundary.succeeds(x_t, x_c).mean()
    exact = operating.assurance(boundary, WEAK)
    assert exact == pytest.approx(simulated, abs=4 * np.sqrt(exact * (1 - exact) / draws))


def test_type_one_error_with_a_flat_prior_is_near_the_significance_level_and_grows_with_borrowing():
    flat = operating.success_boundary(150, 150, trial_grid.beta_arms_prior(1.0, 1.0), operating.dual_criterion(0.975, 1.0))
    alpha = operating.type_one_error(flat, np.array([0.2, 0.35, 0.5]))
    assert np.all(alpha < 0.035) and np.all(alpha > 0.015)
    # borrowing: a MAP-like control prior centred on a 20% control risk (N(logit 0.2, 0.2^2) on the log-odds)
    control = trial_grid.logit_normal_control_prior(float(np.log(0.2 / 0.8)), 0.2)
    borrowing = trial_grid.effect_prior_with_control(priors.weakly_informative_prior(), control)
    borrowed = operating.success_boundary(60, 30, borrowing, operating.dual_criterion(0.975, 1.0))
    risks = np.array([0.1, 0.2, 0.3, 0.4])
    type_one = operating.type_one_error(borrowed, risks)
    # a true control risk above the historical one makes the trial's control arm look too good to the
    # prior, so the treatment arm looks better than it is: type I error rises with the true control risk
    assert np.all(np.diff(type_one) > 0) and type_one[-1] > 0.1 and type_one[0] < 0.025
    # and power at the historical rate is higher than without borrowing, for the same trial
    alone = operating.success_boundary(60, 30, WEAK, operating.dual_criterion(0.975, 1.0))
    p_t = operating.risk_with_odds_ratio(0.2, 3.0)
    assert operating.probability_of_success(borrowed, p_t, 0.2) > operating.probability_of_success(alone, p_t, 0.2)


def test_rules_are_checked():
    with pytest.raises(ValueError, match="between 0.5 and 1"):
        operating.dual_criterion(1.2)
    with pytest.raises(ValueError, match="must be positive"):
        operating.dual_criterion(0.975, 0)
    with pytest.raises(ValueError, match="at least one participant"):
        operating.success_boundary(0, 10, WEAK, DUAL)
    assert DUAL.describe() == "P(OR > 1) >= 0.975 and P(OR > 1.5) >= 0.5"


def test_updated_prior_is_the_exact_grid_posterior_and_sizes_are_found():
    updated = operating.updated_prior(WEAK, 19, 36, 7, 18)
    lattice = operating.lattice_for(200, 200)
    g = lattice.points
    plane = np.exp(updated(g[:, None], g[None, :]) - np.max(updated(g[:, None], g[None, :])))
    plane /= plane.sum()
    below, on = np.tril(plane, -1).sum(), np.trace(plane)  # rows: control; treatment log-odds above control above the diagonal
    grid = trial_grid.posterior_grid(19, 36, 7, 18, WEAK)
    assert 1 - below - on / 2 == pytest.approx(grid.prob_log_or_above(0.0), abs=5e-4)
    assert operating.smallest_size_for(0.5, [10, 20, 30], lambda n: n / 40) == 20
    assert operating.smallest_size_for(0.9, [10, 20, 30], lambda n: n / 40) is None


def test_robust_control_prior_from_a_historical_arm():
    from scipy.special import logit

    from ipscompendium.general.historical import robust_control_prior

    prior = robust_control_prior(50.4, 315, 0.8)
    assert prior.weights == pytest.approx((0.8, 0.2))
    assert prior.means[0] == pytest.approx(float(logit(50.4 / 315))) and prior.sds[0] == pytest.approx(np.sqrt(1 / 50.4 + 1 / 264.6))
    assert prior.sds[1] == priors.VAGUE_SD
    with pytest.raises(ValueError, match="events and non-events"):
        robust_control_prior(0, 315)
    with pytest.raises(ValueError, match="between 0 and 1"):
        robust_control_prior(50, 315, 1.5)


def test_compare_priors_is_the_pieces_prior_by_prior():
    sizes, belief = [20, 60, 120], operating.updated_prior(WEAK, 19, 36, 7, 18)
    table = operating.compare_priors({"weak": WEAK, "flat": trial_grid.beta_arms_prior(1.0, 1.0)}, DUAL, sizes, 0.55, 0.39,
                                     belief, 60, target=0.5)
    assert table["prior"].tolist() == ["weak", "flat"]
    boundary = operating.success_boundary(60, 60, WEAK, DUAL)
    assert table.loc[0, "power"] == pytest.approx(float(operating.probability_of_success(boundary, 0.55, 0.39)))
    assert table.loc[0, "assurance"] == pytest.approx(operating.assurance(boundary, belief))
    values = [operating.assurance(operating.success_boundary(n, n, WEAK, DUAL), belief) for n in sizes]
    assert table.loc[0, "n_for_target"] == next((n for n, a in zip(sizes, values) if a >= 0.5), None)
    with pytest.raises(ValueError, match="must be one of the sizes"):
        operating.compare_priors({"weak": WEAK}, DUAL, sizes, 0.55, 0.39, belief, 100)
