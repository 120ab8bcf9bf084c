"""The general layer: analyses of any two-arm trials with a binary outcome. It knows nothing about
IPS and imports nothing from the compendium's own modules.

- input: :mod:`~ipscompendium.general.trial_table`
- effect sizes and frequentist meta-analysis: :mod:`~ipscompendium.general.effect_sizes`,
  :mod:`~ipscompendium.general.frequentist`
- Bayesian meta-analysis and MAP priors: :mod:`~ipscompendium.general.tau_priors`,
  :mod:`~ipscompendium.general.bayes_meta` (PyMC), :mod:`~ipscompendium.general.exact`,
  :mod:`~ipscompendium.general.predictive_prior`
- priors and one two-arm trial: :mod:`~ipscompendium.general.priors`,
  :mod:`~ipscompendium.general.trial_grid` (exact), :mod:`~ipscompendium.general.two_arm` (PyMC),
  :mod:`~ipscompendium.general.historical`,
  :mod:`~ipscompendium.general.design`
- sampling with a diagnostics gate: :mod:`~ipscompendium.general.sampling`; the normal
  distribution without scipy.stats: :mod:`~ipscompendium.general.normal`
"""
