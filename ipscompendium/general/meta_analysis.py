"""One meta-analysis engine for the book, the API and the command line.

:func:`meta_analysis` takes a checked trial table (any layout of
:mod:`ipscompendium.general.trial_table`) and plain arguments, and returns a typed
:class:`MetaAnalysis`: the common-effect and random-effects fits (as metafor's ``rma`` with
``method = "EE"``, ``"DL"``, ``"REML"``, ``"PM"``, and Mantel-Haenszel and Peto for counts), the
exact Bayesian normal-normal analysis, heterogeneity, small-study tests, subgroups,
meta-regression, leave-one-out and cumulative analyses, influence diagnostics and trim-and-fill.
Results stay on the analysis scale (log for ratios); :meth:`MetaAnalysis.to_dict` gives the
shown scale, as the command line's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ipscompendium.general import exact, frequentist, normal
from ipscompendium.general.effect_sizes import EffectSizes, continuous_effect_sizes, effect_sizes, generic_effect_sizes
from ipscompendium.general.measures import (BINARY, CONTINUOUS, Measure, default_mu_prior_sd, default_tau_scale, get_measure,
                                            tau_max)
from ipscompendium.general.tau_priors import TauPrior
from ipscompendium.general.trial_table import COUNT_COLUMNS, LAYOUTS, OPTIONAL_TEXT

#: The inverse-variance estimators every analysis reports, in the order they are shown (metafor's
#: ``rma`` methods); counts add Mantel-Haenszel ("MH") and, for odds ratios, Peto ("PETO").
METHODS = ("EE", "DL", "REML", "PM")
#: What each method is called in tables and text.
METHOD_NAMES = {"EE": "Common effect (inverse variance)", "MH": "Common effect (Mantel-Haenszel)",
                "PETO": "Common effect (Peto)", "DL": "DerSimonian-Laird", "REML": "REML", "PM": "Paule-Mandel"}
#: The book's default prior on tau for unit-free measures (log ratios, RD, SMD).
DEFAULT_TAU_PRIOR = TauPrior("half-normal(0.5)", "half_normal", scale=0.5)
#: The tests of the pooled effect (metafor's ``test``).
TESTS = ("z", "knha")
PREDICTION_QUANTILES = ("t", "normal")
#: Influence diagnostics refit the model once per trial; above this many trials they are left out
#: unless asked for (10,000 trials would take minutes, for diagnostics nobody reads row by row).
INFLUENCE_MAX_K = 500


class MetaAnalysisError(ValueError):
    """An argument that does not fit the trials: names the argument, its value and the rule."""

    def __init__(self, argument: str, value, rule: str):
        self.argument, self.value, self.rule = argument, value, rule
        super().__init__(f"{argument}={value!r}: {rule}")


@dataclass(frozen=True)
class BayesianPooled:
    """The exact normal-normal posterior (quadrature over tau), summarised on the analysis scale."""

    estimate: float
    ci_low: float
    ci_high: float
    tau: tuple[float, float, float]  # median, lower, upper
    prediction_low: float
    prediction_high: float
    prob_benefit: float
    prob_benefit_new_trial: float
    tau_prior: TauPrior
    mu_prior_sd: float
    posterior: exact.NormalNormalPosterior = field(repr=False)


@dataclass(frozen=True)
class Subgroup:
    name: str
    studies: tuple[str, ...]
    dl: frequentist.RandomEffectsResult | None  # None for a subgroup of one trial
    bayes: BayesianPooled | None


@dataclass(frozen=True)
class Regression:
    """Meta-regression on numeric columns: REML and DL, and the exact Bayesian regression whose
    slopes (per unit of each moderator) are ``(median, lower, upper, P(slope < 0))``."""

    moderators: tuple[str, ...]
    fits: dict[str, frequentist.MetaRegressionResult]
    bayes_slopes: dict[str, tuple[float, float, float, float]]
    bayes_tau: tuple[float, float, float]
    centred_at: dict[str, float]


@dataclass(frozen=True)
class SmallStudyEffects:
    """Egger's regression test and, for counts, Peters' test, on ``k`` trials."""

    egger: frequentist.SmallStudyTest
    peters: frequentist.SmallStudyTest | None  # binary outcomes only
    k: int

    @property
    def few_trials(self) -> bool:
        """Fewer than ten trials: the Cochrane Handbook (chapter 13) advises against the tests."""
        return self.k < 10


@dataclass(frozen=True)
class MetaAnalysis:
    """A meta-analysis, on the analysis scale of ``measure`` (``measure.back`` shows it)."""

    measure: Measure
    source: str
    level: float
    test: str
    prediction_quantile: str
    benefit: str
    trials: pd.DataFrame  # study, label, y, v, weight (DL share) and the table's other columns
    excluded_double_zero: tuple[str, ...]
    zero_cell_corrected: tuple[str, ...]
    fits: dict[str, frequentist.RandomEffectsResult]
    bayes: BayesianPooled
    small_study: SmallStudyEffects | None = None
    subgroups: tuple[Subgroup, ...] = ()
    subgroup_difference: frequentist.SubgroupDifference | None = None
    regression: Regression | None = None
    leave_one_out: pd.DataFrame | None = None
    cumulative: pd.DataFrame | None = None
    #: case-deletion diagnostics of the REML model, one row per trial (``frequentist.influence``)
    influence: pd.DataFrame | None = None
    #: trim-and-fill on the REML model (``frequentist.trim_and_fill``), a sensitivity analysis
    trim_and_fill: frequentist.TrimAndFill | None = None

    @property
    def k(self) -> int:
        return len(self.trials)

    @property
    def y(self) -> np.ndarray:
        return self.trials["y"].to_numpy(float)

    @property
    def v(self) -> np.ndarray:
        return self.trials["v"].to_numpy(float)

    def to_dict(self) -> dict:
        """The analysis on the shown scale, as the command line's ``--json`` prints it."""
        back = self.measure.back
        z = float(normal.ppf(0.5 + self.level / 2))
        se = np.sqrt(self.v)
        out = {"file": self.source, "measure": self.measure.key, "k": self.k, "benefit": self.benefit,
               "excluded_double_zero": list(self.excluded_double_zero), "zero_cell_corrected": list(self.zero_cell_corrected),
               "level": self.level}
        out["trials"] = [{"study": str(r.study), "label": str(r.label), **_interval(*back(np.array([r.y, r.y - z * e, r.y + z * e]))),
                          "weight_dl": float(r.weight)} for r, e in zip(self.trials.itertuples(), se)]
        out["prediction_interval"] = PREDICTION_INTERVAL_NAMES[self.prediction_quantile]
        out["test"] = TEST_NAMES[self.test]
        for method, fit in self.fits.items():
            defined = np.isfinite(fit.prediction_low) and method not in ("EE", "MH", "PETO")
            out[method.lower()] = {**_interval(back(fit.mu), back(fit.ci_low), back(fit.ci_high)), "tau2": fit.tau2, "i2": fit.i2,
                                   "prediction_low": float(back(fit.prediction_low)) if defined else None,
                                   "prediction_high": float(back(fit.prediction_high)) if defined else None,
                                   "statistic": fit.statistic, "p_value": fit.p_value}
        dl = self.fits["DL"]
        out["heterogeneity"] = {"q": dl.q, "df": dl.k - 1, "p_value": dl.q_p_value}
        b = self.bayes
        out["bayes"] = {**_interval(back(b.estimate), back(b.ci_low), back(b.ci_high)), "tau2": float(b.tau[0] ** 2),
                        "tau": _interval(*b.tau), "prediction_low": float(back(b.prediction_low)),
                        "prediction_high": float(back(b.prediction_high)), "prob_benefit": b.prob_benefit,
                        "prob_benefit_new_trial": b.prob_benefit_new_trial, "tau_prior": b.tau_prior.name,
                        "mu_prior": f"N(0, {b.mu_prior_sd:.3g}^2)", "method": "exact (quadrature over tau)"}
        if self.subgroups:
            groups = []
            for g in self.subgroups:
                entry = {"subgroup": g.name, "k": len(g.studies), "studies": list(g.studies)}
                if g.dl is not None:
                    entry["dl"] = {**_interval(back(g.dl.mu), back(g.dl.ci_low), back(g.dl.ci_high)), "tau2": g.dl.tau2}
                    entry["bayes"] = {**_interval(back(g.bayes.estimate), back(g.bayes.ci_low), back(g.bayes.ci_high)),
                                      "prob_benefit": g.bayes.prob_benefit}
                groups.append(entry)
            out["subgroups"] = {"groups": groups}
            if self.subgroup_difference is not None:
                d = self.subgroup_difference
                out["subgroups"]["difference"] = {"q": d.q, "df": d.df, "p_value": d.p_value, "method": "Q between subgroups (DL within)"}
        if self.regression is not None:
            r = self.regression
            out["regression"] = {"moderators": list(r.moderators)}
            for method, fit in r.fits.items():
                out["regression"][method.lower()] = {"coef": dict(zip(fit.names, map(float, fit.coef))),
                                                     "se": dict(zip(fit.names, map(float, fit.se))), "tau2": fit.tau2,
                                                     "qm": fit.qm, "qm_p": fit.qm_p, "r2": fit.r2}
            out["regression"]["bayes"] = {
                "slopes": {m: {**_interval(*s[:3]), "prob_negative": s[3], "per": "unit"} for m, s in r.bayes_slopes.items()},
                "tau": _interval(*r.bayes_tau), "coef_prior": "N(0, 1) per SD of each moderator", "tau_prior": b.tau_prior.name,
                "centred_at": r.centred_at, "method": "exact (quadrature over tau)"}
        if self.small_study is not None:
            e, p = self.small_study.egger, self.small_study.peters
            out["small_study"] = {"test": "Egger's regression test (REML; metafor's regtest)", "statistic": e.statistic,
                                  "p_value": e.p_value, **_interval(back(e.limit_estimate), back(e.ci_low), back(e.ci_high)),
                                  "few_trials": self.small_study.few_trials}
            if p is not None:
                out["small_study"]["peters"] = {"test": "Peters' test (weighted regression on 1/n; metafor's regtest, "
                                                        "model='lm', predictor='ninv')", "statistic": p.statistic, "p_value": p.p_value}
        studies = self.trials["study"].astype(str).to_numpy()
        if self.leave_one_out is not None:
            out["leave_one_out"] = [{"left_out": studies[int(r.left_out)], **_interval(back(r.estimate), back(r.ci_low), back(r.ci_high)),
                                     "tau2": float(r.tau2), "i2": float(r.i2), "q": float(r.q), "p_value": float(r.p_value)}
                                    for r in self.leave_one_out.itertuples()]
        if self.influence is not None:
            out["influence"] = [{"study": study, **{c: (bool(r[c]) if c == "influential" else float(r[c])) for c in self.influence.columns}}
                                for study, (_, r) in zip(studies, self.influence.iterrows())]
        if self.trim_and_fill is not None:
            t = self.trim_and_fill
            out["trim_and_fill"] = {"method": "REML, L0 estimator, as metafor's trimfill", "k0": t.k0, "side": t.side,
                                    **_interval(back(t.fit.mu), back(t.fit.ci_low), back(t.fit.ci_high)), "tau2": t.fit.tau2,
                                    "filled": [{"estimate": float(back(y)), "se": float(np.sqrt(v))}
                                               for y, v in zip(t.filled_y, t.filled_v)]}
        if self.cumulative is not None:
            out["cumulative"] = [{"added": studies[int(r.added)], "k": int(r.k), **_interval(back(r.estimate), back(r.ci_low),
                                  back(r.ci_high)), "tau2": float(r.tau2), "i2": float(r.i2)} for r in self.cumulative.itertuples()]
        return out


TEST_NAMES = {"z": "z (normal quantiles)",
              "knha": "Hartung-Knapp-Sidik-Jonkman (t on k-1 degrees of freedom, rescaled standard error)"}
PREDICTION_INTERVAL_NAMES = {"t": "t, k-2 degrees of freedom (Higgins, Thompson & Spiegelhalter 2009)",
                             "normal": "normal quantile (as metafor's predict())"}


def _interval(value: float, low: float, high: float) -> dict[str, float]:
    return {"estimate": float(value), "ci_low": float(low), "ci_high": float(high)}


def layout_of_table(trials: pd.DataFrame) -> str:
    """The layout of a checked table: from ``attrs`` when read from a file, else from its columns."""
    if "layout" in trials.attrs:
        return trials.attrs["layout"]
    for layout, columns in LAYOUTS.items():
        if all(c in trials.columns for c in columns):
            return layout
    raise ValueError("the table has none of the layouts' columns: " + "; ".join(", ".join(c) for c in LAYOUTS.values()))


def trial_effects(trials: pd.DataFrame, measure: str | Measure) -> EffectSizes:
    """Each trial's effect and sampling variance on the measure's analysis scale (metafor's ``escalc``)."""
    measure = get_measure(measure)
    layout = layout_of_table(trials)
    if measure.data != layout:
        raise MetaAnalysisError("measure", measure.key, f"needs {measure.data} input, but the trials are {layout}; "
                                f"use one of {', '.join(k for k, m in _measures().items() if m.data == layout)}")
    if layout == BINARY:
        return effect_sizes(*(trials[c] for c in COUNT_COLUMNS), measure.key)
    if layout == CONTINUOUS:
        return continuous_effect_sizes(trials["mean_treatment"], trials["sd_treatment"], trials["n_treatment"],
                                       trials["mean_control"], trials["sd_control"], trials["n_control"], measure.key)
    return generic_effect_sizes(trials["effect"], trials["se"], measure.key)


def _measures():
    from ipscompendium.general.measures import MEASURES

    return MEASURES


def bayes_pooled(y: np.ndarray, v: np.ndarray, measure: Measure, tau_prior: TauPrior, level: float = 0.95,
                 benefit: str = "higher", mu_prior_sd: float | None = None) -> BayesianPooled:
    """The exact Bayesian normal-normal analysis: N(0, mu_prior_sd^2) on the pooled effect and
    ``tau_prior`` on tau; the pooled effect, tau, a new trial's effect and P(benefit)."""
    from scipy.optimize import brentq

    mu_sd = mu_prior_sd if mu_prior_sd is not None else default_mu_prior_sd(measure, v, y)
    post = exact.normal_normal_posterior(y, np.sqrt(v), tau_prior.logpdf, mu_prior_sd=mu_sd, tau_max=tau_max(measure, v, y))
    tail = (1 - level) / 2
    sd = np.sqrt(post.mu_sd_given_tau**2 + post.tau**2)
    lo, hi = float(np.min(post.mu_mean_given_tau - 12 * sd)), float(np.max(post.mu_mean_given_tau + 12 * sd))
    predictive = lambda q: float(brentq(lambda x: post.predictive_cdf(x) - q, lo, hi))  # noqa: E731
    higher = benefit == "higher"
    null = 0.0  # on the analysis scale, no effect is 0 for every measure
    return BayesianPooled(
        estimate=post.mu_quantile(0.5), ci_low=post.mu_quantile(tail), ci_high=post.mu_quantile(1 - tail),
        tau=(post.tau_quantile(0.5), post.tau_quantile(tail), post.tau_quantile(1 - tail)),
        prediction_low=predictive(tail), prediction_high=predictive(1 - tail),
        prob_benefit=float(1 - post.mu_cdf(null) if higher else post.mu_cdf(null)),
        prob_benefit_new_trial=float(1 - post.predictive_cdf(null) if higher else post.predictive_cdf(null)),
        tau_prior=tau_prior, mu_prior_sd=mu_sd, posterior=post)


def default_tau_prior(measure: Measure, y: np.ndarray, v: np.ndarray, outcome_sd: float | None = None) -> TauPrior:
    """Half-normal(0.5) for unit-free measures; for measures in the outcome's units, a half-normal
    scaled as ``measures.default_tau_scale`` says."""
    scale = default_tau_scale(measure, v, y, outcome_sd)
    if scale is None:
        return DEFAULT_TAU_PRIOR
    why = ("half the outcome's typical SD: half-normal(0.5) in standard deviations, in the outcome's units"
           if outcome_sd is not None else "the larger of the effects' spread and their typical standard error")
    return TauPrior(f"half-normal({scale:.3g})", "half_normal", scale=scale, rationale=why)


def typical_outcome_sd(trials: pd.DataFrame) -> float | None:
    """The median of the trials' pooled within-trial SDs, for means and SDs; None otherwise."""
    if not {"sd_treatment", "sd_control"} <= set(trials.columns):
        return None
    n1, n2 = trials["n_treatment"].to_numpy(float), trials["n_control"].to_numpy(float)
    pooled = np.sqrt(((n1 - 1) * trials["sd_treatment"] ** 2 + (n2 - 1) * trials["sd_control"] ** 2) / (n1 + n2 - 2))
    return float(np.median(pooled))


def meta_analysis(
    trials: pd.DataFrame, measure: str | Measure = "rr", *, level: float = 0.95, test: str = "z", prediction: str = "t",
    tau_prior: TauPrior | None = None, benefit: str = "higher", moderators: tuple[str, ...] | list[str] = (),
    leave_one_out: bool = False, cumulative: str | None = None, source: str = "the trial table",
    influence: bool | None = None,
) -> MetaAnalysis:
    """Meta-analyse a table of trials, frequentist and Bayesian, as the command line's ``meta`` does.

    Parameters
    ----------
    trials : DataFrame
        A checked table (:func:`~ipscompendium.general.trial_table.read_trials` or ``check_trials``)
        in one of its layouts: counts, means and SDs, or effects with standard errors. Optional
        columns ``label`` and ``subgroup`` are used; other numeric columns can be moderators.
    measure : str or Measure
        ``rr``, ``or``, ``rd`` (counts), ``md``, ``smd`` (means), ``generic`` or ``generic-log``.
    level : float
        Confidence and credible level.
    test : {'z', 'knha'}
        The test and confidence interval of the pooled effect (metafor's ``test``).
    prediction : {'t', 'normal'}
        The quantile of the frequentist prediction intervals: t on k - 2 degrees of freedom
        (Higgins, Thompson & Spiegelhalter 2009) or normal (metafor's ``predict``).
    tau_prior : TauPrior, optional
        Prior on tau for the Bayesian analysis; by default half-normal(0.5) for unit-free
        measures and one in the outcome's units for the others (:func:`default_tau_prior`).
    benefit : {'higher', 'lower'}
        Whether a larger effect (more events, a higher mean) is better: sets P(benefit).
    moderators : sequence of str
        Numeric columns for a meta-regression (REML, DL and exact Bayes).
    leave_one_out : bool
        Also pool with each trial left out in turn (DL).
    cumulative : str, optional
        Also pool cumulatively in the order of this numeric column, or ``"file"`` for the table's order.
    source : str
        How the trials' origin is named in messages and in the result.
    influence : bool, optional
        Case-deletion diagnostics (one REML refit per trial); by default for up to
        ``INFLUENCE_MAX_K`` trials.

    Raises
    ------
    MetaAnalysisError
        When an argument does not fit the trials (too few trials, a moderator that is not a column).
    """
    measure = get_measure(measure)
    if not 0.5 <= level < 1:
        raise MetaAnalysisError("level", level, "give the level as a fraction between 0.5 and 1, for example 0.95")
    if test not in TESTS:
        raise MetaAnalysisError("test", test, f"use one of {', '.join(TESTS)}")
    if prediction not in PREDICTION_QUANTILES:
        raise MetaAnalysisError("prediction", prediction, f"use one of {', '.join(PREDICTION_QUANTILES)}")
    if benefit not in ("higher", "lower"):
        raise MetaAnalysisError("benefit", benefit, "use 'higher' or 'lower'")
    sizes = trial_effects(trials, measure)
    used = trials[sizes.used].reset_index(drop=True)
    if len(used) < 2:
        raise MetaAnalysisError("trials", source, f"{len(used)} trial(s) with an estimable effect; a meta-analysis needs at least 2")
    y, v = sizes.y, sizes.v
    tau_prior = tau_prior or default_tau_prior(measure, y, v, typical_outcome_sd(used))
    fits = {method: frequentist.random_effects(y, v, method, level=level, prediction_quantile=prediction, test=test)
            for method in METHODS}
    if measure.data == BINARY:  # the common-effect methods for counts: Mantel-Haenszel, and Peto for odds ratios
        counts = [trials[c] for c in COUNT_COLUMNS]
        fits["MH"] = _optional(lambda: frequentist.mantel_haenszel(*counts, measure.key, level))
        if measure.key == "or":
            fits["PETO"] = _optional(lambda: frequentist.peto(*counts, level))
        fits = {name: fit for name, fit in fits.items() if fit is not None}
    weights = 1 / (v + fits["DL"].tau2)
    table = used.assign(label=used["label"].fillna(used["study"]) if "label" in used.columns else used["study"],
                        y=y, v=v, weight=weights / weights.sum())
    table["study"] = table["study"].astype(str)
    table["label"] = table["label"].astype(str)
    bayes = bayes_pooled(y, v, measure, tau_prior, level, benefit)
    small = diagnostics = filled = None
    if len(used) >= 3:  # small-study tests, influence and trim-and-fill need three trials
        peters = None
        if measure.data == BINARY:
            peters = frequentist.peters_test(y, v, used["n_treatment"] + used["n_control"], level)
        small = SmallStudyEffects(frequentist.small_study_test(y, v, "REML", level), peters, len(used))
        if influence or (influence is None and len(used) <= INFLUENCE_MAX_K):
            diagnostics = frequentist.influence(y, v, "REML")
        filled = frequentist.trim_and_fill(y, v, "REML", level=level)
    groups, difference = _subgroups(table, measure, tau_prior, benefit) if _has_subgroups(table) else ((), None)
    regression = _regression(table, measure, tau_prior, tuple(moderators), source) if moderators else None
    loo = None
    if leave_one_out:
        if len(used) < 3:
            raise MetaAnalysisError("leave_one_out", True, f"needs at least 3 trials; {source} has {len(used)}")
        loo = frequentist.leave_one_out(y, v, "DL", level, test=test)
    cumul = _cumulative(table, cumulative, level, test, source) if cumulative else None
    return MetaAnalysis(
        measure=measure, source=source, level=level, test=test, prediction_quantile=prediction, benefit=benefit, trials=table,
        excluded_double_zero=tuple(str(s) for s in trials.loc[sizes.double_zero & ~sizes.used, "study"]),
        zero_cell_corrected=tuple(str(s) for s in trials.loc[sizes.corrected, "study"]),
        fits=fits, bayes=bayes, small_study=small, subgroups=groups, subgroup_difference=difference, regression=regression,
        leave_one_out=loo, cumulative=cumul, influence=diagnostics, trim_and_fill=filled)


def _optional(fit):
    """A fit that some data cannot have (an MH ratio with no events in one arm): None then."""
    try:
        return fit()
    except ValueError:
        return None


def _has_subgroups(table: pd.DataFrame) -> bool:
    return "subgroup" in table.columns and table["subgroup"].notna().any()


def _subgroups(table: pd.DataFrame, measure: Measure, tau_prior: TauPrior, benefit: str):
    """Each subgroup pooled on its own (DL, and exact Bayes with the same priors), and the test of
    subgroup differences on the DL estimates. Subgroups of one trial are listed, not pooled."""
    groups, pooled_y, pooled_se = [], [], []
    labels = table["subgroup"].fillna("(no subgroup)")
    for name in dict.fromkeys(labels):
        rows = np.flatnonzero((labels == name).to_numpy())
        studies = tuple(table["study"].iloc[rows])
        if len(rows) < 2:
            groups.append(Subgroup(str(name), studies, None, None))
            continue
        y, v = table["y"].to_numpy()[rows], table["v"].to_numpy()[rows]
        fit = frequentist.random_effects(y, v, "DL")
        # the pooled prior width of the whole analysis, so that every subgroup has the same prior
        whole_sd = default_mu_prior_sd(measure, table["v"].to_numpy(), table["y"].to_numpy())
        groups.append(Subgroup(str(name), studies, fit, bayes_pooled(y, v, measure, tau_prior, 0.95, benefit, whole_sd)))
        if name != "(no subgroup)":
            pooled_y.append(fit.mu)
            pooled_se.append(fit.se_mu)
    difference = (frequentist.subgroup_difference(np.array(pooled_y), np.array(pooled_se)) if len(pooled_y) >= 2 else None)
    return tuple(groups), difference


def numeric_columns(table: pd.DataFrame) -> list[str]:
    """The columns a meta-regression can use: everything but names, labels and the layout's own."""
    reserved = {"study", "line", "y", "v", "weight", *OPTIONAL_TEXT, *(c for cols in LAYOUTS.values() for c in cols)}
    return [c for c in table.columns if c not in reserved and pd.api.types.is_numeric_dtype(table[c])]


def _regression(table: pd.DataFrame, measure: Measure, tau_prior: TauPrior, moderators: tuple[str, ...], source: str) -> Regression:
    """Meta-regression on numeric columns: REML and DL (metafor's ``rma`` with ``mods``), and the
    exact Bayesian normal-normal regression. For the Bayesian fit the moderators are standardised
    (the intercept is the effect at their means; N(0, 1) on a change per SD), and the slopes are
    reported per unit of each moderator, like the frequentist ones."""
    allowed = numeric_columns(table)
    for name in moderators:
        if name not in allowed:
            raise MetaAnalysisError("moderator", name, f"no such numeric column (numeric columns: {', '.join(allowed) or 'none'})")
        empty = table.loc[table[name].isna(), "line"].tolist() if "line" in table.columns else (
            [int(i) + 1 for i in np.flatnonzero(table[name].isna())])
        if empty:
            raise MetaAnalysisError("moderator", name, f"{source}, line {empty[0]}, column '{name}': empty, but a "
                                                       "meta-regression needs a value for every trial")
    y, v = table["y"].to_numpy(float), table["v"].to_numpy(float)
    X = table[list(moderators)].to_numpy(float)
    if len(y) <= X.shape[1] + 2:
        raise MetaAnalysisError("moderator", ",".join(moderators), f"{len(y)} trials are too few for {X.shape[1]} moderator(s); "
                                f"a meta-regression needs at least {X.shape[1] + 3}")
    centre, scale = X.mean(axis=0), X.std(axis=0, ddof=1)
    if np.any(scale == 0):
        raise MetaAnalysisError("moderator", moderators[int(np.argmin(scale))], "takes one value only")
    fits = {method: frequentist.meta_regression(y, v, X, moderators, method) for method in ("REML", "DL")}
    design = np.column_stack([np.ones(len(y)), (X - centre) / scale])
    post = exact.normal_normal_regression(y, np.sqrt(v), design, tau_prior.logpdf,
                                          [default_mu_prior_sd(measure, v, y)] + [1.0] * X.shape[1], ("intercept", *moderators),
                                          tau_max=tau_max(measure, v, y))
    slopes = {name: (*(post.coef_quantile(j, p) / scale[j - 1] for p in (0.5, 0.025, 0.975)), float(post.coef_cdf(j, 0.0)))
              for j, name in enumerate(moderators, start=1)}
    return Regression(moderators, fits, slopes, tuple(post.tau_quantile(p) for p in (0.5, 0.025, 0.975)),
                      dict(zip(moderators, map(float, centre))))


def _cumulative(table: pd.DataFrame, column: str, level: float, test: str, source: str) -> pd.DataFrame:
    """Cumulative DL meta-analysis, adding trials in the order of ``column`` (or 'file': as listed)."""
    if column == "file":
        order = np.arange(len(table))
    elif column not in table.columns:
        raise MetaAnalysisError("cumulative", column, f"{source} has no such column; give a numeric column (e.g. year) or 'file'")
    else:
        key = table[column]
        if key.isna().any():
            raise MetaAnalysisError("cumulative", column, f"trials {', '.join(table.loc[key.isna(), 'study'])} have no value")
        order = np.argsort(key.to_numpy(float), kind="stable")
    return frequentist.cumulative(table["y"].to_numpy(float), table["v"].to_numpy(float), order, "DL", level, test=test)
