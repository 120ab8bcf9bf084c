"""The light normal functions agree with scipy.stats.norm."""

import numpy as np
from scipy import stats

from ipscompendium.general import normal


def test_normal_functions_match_scipy_stats():
    x = np.linspace(-8, 8, 101)
    for mean, sd in ((0.0, 1.0), (1.3, 0.4), (-2.0, 3.5)):
        assert np.allclose(normal.logpdf(x, mean, sd), stats.norm.logpdf(x, mean, sd), rtol=1e-12, atol=1e-12)
        assert np.allclose(normal.pdf(x, mean, sd), stats.norm.pdf(x, mean, sd), rtol=1e-12, atol=1e-300)
        assert np.allclose(normal.cdf(x, mean, sd), stats.norm.cdf(x, mean, sd), rtol=1e-12, atol=1e-300)
    q = np.array([1e-6, 0.025, 0.5, 0.95, 1 - 1e-9])
    assert np.allclose(normal.ppf(q, 0.7, 2.0), stats.norm.ppf(q, 0.7, 2.0), rtol=1e-12)
