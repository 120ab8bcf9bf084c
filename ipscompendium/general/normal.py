"""The normal distribution's density, distribution and quantile functions on scipy.special alone.

scipy.stats takes about a second to import; the command line's `trial` must answer in under one
second, so the modules on its path (priors, the exact grid) use these instead. They agree with
scipy.stats.norm to rounding (tests/test_normal.py).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

_HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)


def logpdf(x, mean=0.0, sd=1.0):
    z = (np.asarray(x, float) - mean) / sd
    return -0.5 * z * z - np.log(sd) - _HALF_LOG_2PI


def pdf(x, mean=0.0, sd=1.0):
    return np.exp(logpdf(x, mean, sd))


def cdf(x, mean=0.0, sd=1.0):
    return ndtr((np.asarray(x, float) - mean) / sd)


def ppf(q, mean=0.0, sd=1.0):
    return mean + sd * ndtri(np.asarray(q, float))
