"""ipscompendium: data, effect sizes, reference methods, Bayesian models and plots for the IPS compendium."""

__version__ = "0.1.0"

#: The book's one interval convention: 95%, equal-tailed. :mod:`ipscompendium.general.sampling` sets
#: ArviZ to it on import (ArviZ's default is 89%), so its summaries agree with the prose.
INTERVAL_PROB = 0.95
