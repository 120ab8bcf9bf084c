"""The teaching chapter's exercises: each solution's numbers, computed from the package.

One function per exercise, named after it; the chapter calls them at build time and glues what
they return, and ``tests/test_exercises.py`` checks each, so an exercise cannot break silently
(the old exercise 4 asked for a crossing that never happened; :func:`robust_weight_crossing`
now chooses its threshold from the curve itself).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipscompendium.general import effect_sizes, frequentist, priors, trial_grid
from ipscompendium.general.priors import NormalMixturePrior


def _row(employment: pd.DataFrame, months: int):
    return employment.set_index("timepoint_months").loc[months]


def _counts(employment: pd.DataFrame, months: int) -> tuple[int, int, int, int]:
    row = _row(employment, months)
    return int(row.employed_ips), int(row.n_ips), int(row.employed_control), int(row.n_control)


@dataclass(frozen=True)
class ForestReading:
    widest: str
    widest_ratio: float  # upper / lower 95% limit
    largest: str
    largest_rr: float
    n_excluding_one: int  # trials whose 95% CI lies wholly above 1
    n_trials: int


def read_a_forest_plot(trials: pd.DataFrame) -> ForestReading:
    """Exercise: which trial is least precise, which shows the largest RR, how many exclude no effect."""
    ratios = effect_sizes.trial_ratios(trials, "rr")
    spread = ratios["ci_high"] / ratios["ci_low"]
    widest, largest = ratios.loc[spread.idxmax()], ratios.loc[ratios["rr"].idxmax()]
    return ForestReading(str(widest["study"]), float(spread.max()), str(largest["study"]), float(largest["rr"]),
                         int((ratios["ci_low"] > 1).sum()), len(ratios))


@dataclass(frozen=True)
class TwoByTwo:
    risk_ips: float
    risk_control: float
    rd: float
    rr: float
    odds_ratio: float


def two_by_two_by_hand(employment: pd.DataFrame, months: int = 12) -> TwoByTwo:
    """Exercise: risk, RD, RR and OR from the four counts, as a student would compute them by hand."""
    a, n1, c, n0 = _counts(employment, months)
    p1, p0 = a / n1, c / n0
    return TwoByTwo(p1, p0, p1 - p0, p1 / p0, (a / (n1 - a)) / (c / (n0 - c)))


@dataclass(frozen=True)
class PValueAndPosterior:
    p_two_sided: float
    p_one_sided: float
    posterior_flat: float  # P(IPS better) under a nearly flat prior
    posterior_weak: float  # under the book's weakly informative prior


def p_value_and_posterior(employment: pd.DataFrame, months: int = 12) -> PValueAndPosterior:
    """Exercise: why P(IPS better) is not 1 - p, and why it is close to 1 - p/2 under a flat prior."""
    counts = _counts(employment, months)
    p = frequentist.pearson_chi_square_p(*counts)
    flat = trial_grid.trial_benefit(*counts, priors.normal_prior("nearly flat", 0.0, 20.0))["p_benefit"]
    weak = trial_grid.trial_benefit(*counts, priors.weakly_informative_prior())["p_benefit"]
    return PValueAndPosterior(p, p / 2, flat, weak)


@dataclass(frozen=True)
class Scepticism:
    sd_5: float
    sd_1: float
    p_benefit_5: float
    p_benefit_1: float
    p_relevant_5: float
    p_relevant_1: float


def sceptic_tail(employment: pd.DataFrame, anchor_or: float, months: int = 12) -> Scepticism:
    """Exercise: the sceptical prior with 1% instead of 5% on odds ratios beyond the anchor.

    The call in the chapter is ``priors.sceptical_prior(np.log(anchor_or), 0.01)``: the first
    argument is a log odds ratio (the old exercise passed the design object and failed).
    """
    counts = _counts(employment, months)
    five, one = priors.sceptical_prior(np.log(anchor_or), 0.05), priors.sceptical_prior(np.log(anchor_or), 0.01)
    r5, r1 = trial_grid.trial_benefit(*counts, five), trial_grid.trial_benefit(*counts, one)
    return Scepticism(five.sds[0], one.sds[0], r5["p_benefit"], r1["p_benefit"], r5["p_relevant_rd"], r1["p_relevant_rd"])


@dataclass(frozen=True)
class WeightCrossing:
    threshold: float  # a value the curve does cross, chosen from the curve itself
    weight: float  # the robust weight at which P(RD > 10 points) falls below it
    at_map: float  # the probability under the MAP prior alone (w = 0)
    at_vague: float  # under the vague prior alone (w = 1): the floor


def robust_weight_crossing(employment: pd.DataFrame, map_prior: NormalMixturePrior, months: int = 12) -> WeightCrossing:
    """Exercise: where does P(RD > 10 points) fall below a threshold as the robust weight rises?

    The curve runs from the MAP prior's answer (w = 0) down to the vague prior's (w = 1); the
    threshold is the midpoint of that range, rounded to two decimals, so the crossing exists.
    """
    from scipy.optimize import brentq

    counts = _counts(employment, months)

    def probability(w: float) -> float:
        return trial_grid.trial_benefit(*counts, priors.robustify(map_prior, w))["p_relevant_rd"]

    at_map, at_vague = probability(0.0), probability(1.0)
    threshold = round((at_map + at_vague) / 2, 2)
    weight = brentq(lambda w: probability(w) - threshold, 0.0, 1.0, xtol=1e-4)
    return WeightCrossing(threshold, float(weight), at_map, at_vague)


@dataclass(frozen=True)
class PooledAndNew:
    pooled_rr: float
    pooled_low: float
    pooled_high: float
    new_low: float
    new_high: float
    p_pooled_above_1: float
    p_new_above_1: float
    tau: float


def heterogeneity_and_prediction(trials: pd.DataFrame, tau_prior) -> PooledAndNew:
    """Exercise: the pooled RR's interval against the prediction for a new trial (exact normal-normal)."""
    from ipscompendium.general.exact import normal_normal_posterior

    sizes = effect_sizes.effect_sizes(trials["events_treatment"], trials["n_treatment"], trials["events_control"],
                                      trials["n_control"], "rr")
    post = normal_normal_posterior(sizes.y, np.sqrt(sizes.v), tau_prior.logpdf)
    from scipy.optimize import brentq

    sd = np.sqrt(post.mu_sd_given_tau**2 + post.tau**2)
    lo, hi = float(np.min(post.mu_mean_given_tau - 12 * sd)), float(np.max(post.mu_mean_given_tau + 12 * sd))
    new = [brentq(lambda x: post.predictive_cdf(x) - q, lo, hi) for q in (0.025, 0.975)]
    return PooledAndNew(float(np.exp(post.mu_quantile(0.5))), float(np.exp(post.mu_quantile(0.025))),
                        float(np.exp(post.mu_quantile(0.975))), float(np.exp(new[0])), float(np.exp(new[1])),
                        float(1 - post.mu_cdf(0.0)), float(1 - post.predictive_cdf(0.0)), float(post.tau_quantile(0.5)))


@dataclass(frozen=True)
class LeaveOneOut:
    all_rr: float
    most_influential: str
    without_it: float
    smallest: float
    largest: float


def drop_a_trial(trials: pd.DataFrame) -> LeaveOneOut:
    """Exercise: the DerSimonian-Laird pooled RR without each trial in turn."""
    sizes = effect_sizes.effect_sizes(trials["events_treatment"], trials["n_treatment"], trials["events_control"],
                                      trials["n_control"], "rr")
    full = float(np.exp(frequentist.random_effects(sizes.y, sizes.v, "DL").mu))
    keep = np.ones(len(sizes.y), bool)
    values = []
    for i in range(len(sizes.y)):
        keep[:] = True
        keep[i] = False
        values.append(float(np.exp(frequentist.random_effects(sizes.y[keep], sizes.v[keep], "DL").mu)))
    values = np.array(values)
    worst = int(np.argmax(np.abs(np.log(values / full))))
    return LeaveOneOut(full, str(trials["study"].iloc[worst]), float(values[worst]), float(values.min()), float(values.max()))


@dataclass(frozen=True)
class NestedSets:
    k_reported: int
    rr_reported: float
    k_all: int
    rr_all: float


def counts_by_status(trials: pd.DataFrame) -> NestedSets:
    """Exercise: how much rests on counts that were derived or inferred rather than reported?"""
    def pooled(subset):
        sizes = effect_sizes.effect_sizes(subset["events_treatment"], subset["n_treatment"], subset["events_control"],
                                          subset["n_control"], "rr")
        return float(np.exp(frequentist.random_effects(sizes.y, sizes.v, "DL").mu))

    reported = trials[trials["count_status"] == "reported"]
    return NestedSets(len(reported), pooled(reported), len(trials), pooled(trials))


@dataclass(frozen=True)
class Borrowing:
    a0_equal: float  # the a0 at which the registry counts as many controls as the trial has
    trial_controls: int
    registry_n: int
    p_benefit_alone: float
    p_benefit_equal: float
    p_benefit_pooled: float


def power_prior_borrowing(employment: pd.DataFrame, registry_events: float, registry_n: int, months: int = 12) -> Borrowing:
    """Exercise: at which a0 does the registry weigh as much as the trial's own controls, and what then?"""
    counts = _counts(employment, months)
    history = trial_grid.History(registry_events, registry_n)
    prior = trial_grid.effect_prior(priors.weakly_informative_prior())
    a0 = counts[3] / registry_n

    def p(a):
        return trial_grid.posterior_grid(*counts, prior, history, a).prob_log_or_above(0.0)

    return Borrowing(a0, counts[3], registry_n, p(0.0), p(a0), p(1.0))


@dataclass(frozen=True)
class NextTrial:
    n_power: int  # per arm, 80% power at the protocol's assumed risks
    assurance_at_n_power: float  # the same n, averaged over the current posterior
    p_benefit_ceiling: float  # assurance can never exceed this


def design_the_next_trial(employment: pd.DataFrame, p_control: float, p_ips: float, months: int = 12,
                          draws: int = 20_000, seed: int = 2024) -> NextTrial:
    """Exercise: power at an assumed effect against assurance under what the trial now says.

    The posterior (weakly informative prior) is sampled from the exact grid, cell by cell.
    """
    from ipscompendium.general import design

    counts = _counts(employment, months)
    grid = trial_grid.posterior_grid(*counts, trial_grid.effect_prior(priors.weakly_informative_prior()))
    rng = np.random.default_rng(seed)
    cells = rng.choice(grid.weight.size, size=draws, p=grid.weight.ravel())
    control, treatment = np.unravel_index(cells, grid.weight.shape)
    log_or = grid.axis[treatment] - grid.axis[control]
    control_risk = 1 / (1 + np.exp(-grid.axis[control]))
    n = frequentist.sample_size_two_proportions(p_control, p_ips, 0.05, 0.8)
    return NextTrial(int(n), float(design.assurance(log_or, control_risk, n)), grid.prob_log_or_above(0.0))


def broken_file_message(tmp_folder, column: str = "published_pct_ips", value: str = "62.5") -> str:
    """Exercise: the error a wrong percentage in a copy of the employment table produces."""
    from pathlib import Path

    from ipscompendium import data
    from ipscompendium.validation import DataValidationError

    frame = pd.read_csv(data.TABLES["employment"].path, dtype=str, keep_default_na=False)
    frame.loc[1, column] = value
    path = Path(tmp_folder) / "employment.csv"
    frame.to_csv(path, index=False)
    try:
        data.load_employment(path)
    except DataValidationError as error:
        return str(error).replace(str(path), path.name)  # the file's name, not the temporary folder
    raise AssertionError("the broken copy was accepted")


@dataclass(frozen=True)
class FunnelReading:
    k: int
    not_significant_alone: int  # trials whose own 95% CI includes RR = 1 (in the funnel's white band)
    egger_p: float
    peters_p: float
    k0: int
    side: str
    pooled_rr: float  # REML
    adjusted_rr: float
    adjusted_low: float
    adjusted_high: float


def read_a_funnel_plot(trials: pd.DataFrame) -> FunnelReading:
    """Exercise: how many trials would not be significant alone, what Egger's and Peters' tests say,
    and where trim-and-fill adds trials and how far it moves the pooled risk ratio (REML)."""
    from ipscompendium.general.meta_analysis import meta_analysis

    analysis = meta_analysis(trials[["study", "events_treatment", "n_treatment", "events_control", "n_control"]], "rr")
    z = np.abs(analysis.y / np.sqrt(analysis.v))
    filled = analysis.trim_and_fill
    return FunnelReading(analysis.k, int((z < 1.959963984540054).sum()), analysis.small_study.egger.p_value,
                         analysis.small_study.peters.p_value, filled.k0, filled.side, float(np.exp(analysis.fits["REML"].mu)),
                         float(np.exp(filled.fit.mu)), float(np.exp(filled.fit.ci_low)), float(np.exp(filled.fit.ci_high)))


@dataclass(frozen=True)
class TauDialReading:
    narrow: dict  # the dial's numbers with a half-normal(0.1) prior on tau
    wide: dict  # ... and with half-normal(1)
    turner: dict  # ... and with Turner et al.'s log-normal


def move_the_tau_prior(page_data: dict, set_key: str = "all") -> TauDialReading:
    """Exercise: the heterogeneity dial at a narrow and a wide half-normal prior on tau and at
    Turner et al.'s: what moves (tau, the new setting) and what hardly does (the pooled RR)."""
    from ipscompendium.heterogeneity_dial import reference

    return TauDialReading(reference(page_data, set_key, "half_normal", 0.1), reference(page_data, set_key, "half_normal", 1.0),
                          reference(page_data, set_key, "lognormal_tau2", 0.5))


@dataclass(frozen=True)
class BorrowingPrice:
    alpha_at_history: float
    worst_alpha: float
    worst_risk: float
    alpha_far: float  # at a control risk far from the history, where the vague component takes over
    far_risk: float
    alpha_alone: float  # the same rule without borrowing, at the worst risk
    n_per_arm: int = 100


def price_of_borrowing(history_events: float, history_n: int, n_per_arm: int | None = None, weight: float | None = None,
                       far_risk: float = 0.55) -> BorrowingPrice:
    """Exercise: the type I error of a trial that borrows a historical control arm (a robust prior
    with ``weight`` on the history), across true control risks, against the same trial without it."""
    from ipscompendium.general import operating
    from ipscompendium.general.historical import robust_control_prior
    from ipscompendium.next_trial_calculator import DESIGN_N_PER_ARM, REGISTRY_WEIGHT

    # by default, the design chapter's trial and registry weight
    n_per_arm = DESIGN_N_PER_ARM if n_per_arm is None else n_per_arm
    weight = REGISTRY_WEIGHT if weight is None else weight
    registry = robust_control_prior(history_events, history_n, weight)
    rule = operating.dual_criterion(0.975, trial_grid.RELEVANT_ODDS_RATIO)
    borrowed = operating.success_boundary(n_per_arm, n_per_arm, trial_grid.effect_prior_with_control(
        priors.weakly_informative_prior(), registry.logpdf), rule)
    alone = operating.success_boundary(n_per_arm, n_per_arm, trial_grid.effect_prior(priors.weakly_informative_prior()), rule)
    risks = np.linspace(0.05, 0.6, 111)
    errors = operating.type_one_error(borrowed, risks)
    worst = int(np.argmax(errors))
    return BorrowingPrice(float(operating.type_one_error(borrowed, history_events / history_n)), float(errors[worst]),
                          float(risks[worst]), float(operating.type_one_error(borrowed, far_risk)), far_risk,
                          float(operating.type_one_error(alone, risks[worst])), int(n_per_arm))


@dataclass(frozen=True)
class CalculatorReading:
    """What a student reads off the next-trial calculator, for three settings."""

    weak: dict  # the weakly informative prior at the calculator's opening settings
    map: dict  # the MAP prior, the same rule
    strict: dict  # the MAP prior with the strictest rule the slider allows
    strict_significance: float
    nominal_alpha: float
    lesson: str  # what the comparison teaches, picked from the numbers
    n_control: int  # the calculator's opening size and allocation, which the exercise starts from
    allocation: float


#: Powers closer than this are "about the same" to a reader of two decimals.
SAME_POWER = 0.02


def plan_with_the_calculator(page: dict) -> CalculatorReading:
    """Exercise: the calculator at 100 per arm with the weakly informative prior, with the MAP prior,
    and with the MAP prior under the strictest significance threshold of the slider: does a stricter
    rule buy back the type I error, and at what cost in power? ``page`` is the calculator's data
    (``next_trial_calculator.book_calculator_data()``)."""
    from ipscompendium.next_trial_calculator import SLIDERS, reference

    strictest = SLIDERS["significance"][1]
    weak = reference(page, dict(page["initial"], preset="weakly"))
    map_ = reference(page, dict(page["initial"], preset="map"))
    strict = reference(page, dict(page["initial"], preset="map", significance=strictest))
    nominal = page["nominal_alpha"]
    if strict["alpha"] > nominal and abs(strict["power"] - weak["power"]) < SAME_POWER:
        lesson = ("even the strictest rule leaves the type I error above the nominal level, and its power is then about the "
                  "same as the weakly informative prior's: the power the MAP prior seemed to add was bought with type I error")
    elif strict["alpha"] <= nominal:
        lesson = ("the strictest rule brings the type I error down to the nominal level; compare its power with the weakly "
                  "informative prior's to see what is left of the gain")
    else:
        lesson = ("even the strictest rule leaves the type I error above the nominal level; the MAP prior decides part of "
                  "the question before the trial is run")
    return CalculatorReading(weak, map_, strict, float(strictest), float(nominal), lesson,
                             int(page["initial"]["n_control"]), float(page["initial"]["allocation"]))
