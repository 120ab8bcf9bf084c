"""ipscompendium: data, effect sizes, reference methods, Bayesian models and plots for the IPS compendium."""

__version__ = "0.1.0"
