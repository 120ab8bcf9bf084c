"""Conclusions in words, chosen from the numbers that support them.

Every sentence of the book that states a verdict or a comparison ("is still open", "matters less
than", "explains much of", "inside the interval") is produced here, from its numbers, and each
function is tested on both sides of each of its boundaries (``tests/test_conclusions.py``). The
notebooks call these functions and glue the :class:`~ipscompendium.report.Sentence` they return
with :meth:`Publisher.sentence <ipscompendium.publish.Publisher.sentence>`, which records every
number a sentence shows in the ledger. A notebook holds no ``"..." if ... else "..."`` verdict.
"""

from __future__ import annotations

from ipscompendium import report
from ipscompendium.report import Sentence

#: A question about benefit is settled when the probability of benefit reaches this under both the
#: weakly informative and the sceptical prior.
SETTLED_PROBABILITY = 0.95
#: A covariate "explains a good part" of the heterogeneity when it lowers the median tau by this share.
EXPLAINS_SHARE = 0.25
#: One range "matters less" than another when it is at most this fraction of the other's width
#: (and "more" when the other is at most this fraction of it); in between, "about as much".
COMPARABLE_WIDTH = 0.5


def _p(p: float, norwegian: bool = False) -> str:
    return report.probability_text(p, decimals=2, norwegian=norwegian)


def pain_verdict(p_weak: float, p_sceptical: float, threshold: float = SETTLED_PROBABILITY) -> Sentence:
    """Whether the trial settles that IPS helps: only if the probability of benefit reaches
    ``threshold`` both taken at face value (weakly informative prior) and for a sceptic."""
    settled = p_weak >= threshold and p_sceptical >= threshold
    return Sentence("is settled" if settled else "is still open", "er avklart" if settled else "er fortsatt åpent")


def missing_verdict(months: int, worst: float, lowest_modelled: float) -> Sentence:
    """What the missing outcomes do to P(IPS better) at one follow-up: ``worst`` is the worst case
    (every missing treatment patient without the outcome, every missing control with it),
    ``lowest_modelled`` the lowest probability under the IMOR scenarios."""
    low = min(worst, lowest_modelled)
    which = "the worst case" if worst <= lowest_modelled else "a departure from missing at random against IPS"
    numbers = {"lowest": low}
    if low >= 0.8:
        text = f"at {months} months it stays above 0.8 under every assumption about the missing outcomes (lowest {_p(low)}, {which})"
    elif low >= 0.5:
        text = f"at {months} months it stays above one half under every assumption (lowest {_p(low)}, {which})"
    else:
        text = f"at {months} months {which} brings it to {_p(low)}, below one half"
    return Sentence(text, numbers=numbers)


def _compare_spans(span: float, other: float, width: float) -> str:
    if span <= width * other:
        return "less than"
    if other <= width * span:
        return "more than"
    return "about as much as"


def missing_versus_prior(months: int, scenarios: tuple[float, float], bounds: tuple[float, float], priors: tuple[float, float],
                         width: float = COMPARABLE_WIDTH) -> Sentence:
    """Compare how far the assumptions about the missing outcomes move P(IPS better) with how far the
    choice of prior moves it, at one follow-up: ``scenarios`` is the range over the modelled departures
    from missing at random, ``bounds`` the worst and best cases, ``priors`` the range over the priors.
    A range "matters less" when its width is at most ``width`` times the other's, "more" in the reverse
    case, and "about as much" in between."""
    for low, high in (scenarios, bounds, priors):
        if low > high:
            raise ValueError("a range needs low <= high")
    span_prior = priors[1] - priors[0]
    modelled = _compare_spans(scenarios[1] - scenarios[0], span_prior, width)
    extreme = _compare_spans(bounds[1] - bounds[0], span_prior, width)
    text = (f"at {months} months the modelled departures from missing at random move P(IPS better) over "
            f"{_p(scenarios[0])} to {_p(scenarios[1])}, {modelled} the choice among the five priors does "
            f"({_p(priors[0])} to {_p(priors[1])}); the worst and best cases ({_p(bounds[0])} to {_p(bounds[1])}) "
            f"move it {extreme} the priors")
    return Sentence(text, numbers={"scenarios_low": scenarios[0], "scenarios_high": scenarios[1], "bounds_low": bounds[0],
                                   "bounds_high": bounds[1], "priors_low": priors[0], "priors_high": priors[1]})


def heterogeneity_sources(share_population: float, share_outcome: float, threshold: float = EXPLAINS_SHARE) -> Sentence:
    """Which of two indicators explains a good part of tau (``share_*``: the drop in the median tau)."""
    population, outcome = share_population >= threshold, share_outcome >= threshold
    text = {(True, True): "the outcome definition and the population each explain a good part of it",
            (False, True): "the outcome definition explains a good part of it, the population little",
            (True, False): "the population explains a good part of it, the outcome definition little",
            (False, False): "neither the outcome definition nor the population explains much of it"}[(population, outcome)]
    return Sentence(text)


def prior_data_conflict(posterior_vague: float, prior_vague: float) -> tuple[Sentence, Sentence]:
    """Whether the data lean against an informative prior: the robust mixture's vague component gains
    weight (conflict) or loses it (agreement). Returns the verb phrase and what the vague component does."""
    conflict = posterior_vague > prior_vague
    return (Sentence("lean against" if conflict else "agree with", "taler mot" if conflict else "stemmer med"),
            Sentence("gains" if conflict else "loses", "får mer" if conflict else "får mindre"))


def later_agreement(conflict_by_months: dict[int, bool]) -> Sentence:
    """The follow-ups after the first: do the data agree with the informative prior there?"""
    later = sorted(conflict_by_months)[1:]
    if not any(conflict_by_months[t] for t in later):
        listed = " and ".join(str(t) for t in later)
        return Sentence(f"at {listed} months the data agree with the MAP prior, and the vague component loses weight")
    against = " and ".join(str(t) for t in later if conflict_by_months[t])
    return Sentence(f"the data lean against the MAP prior at {against} months too")


def sceptic_needed(months: int, p_weak: float, target: float, sceptic_sd: float | None, sceptic_or_95: float | None) -> Sentence:
    """Reverse Bayes in words: the prior SD a sceptic centred on no effect needs to bring P(IPS better)
    down to ``target`` (None or NaN when no such sceptic exists)."""
    if sceptic_sd is None or sceptic_sd != sceptic_sd:
        if p_weak < target:
            return Sentence(f"at {months} months the weakly informative answer ({_p(p_weak)}) is already below {_p(target)}",
                            numbers={"p_weak": p_weak, "target": target})
        return Sentence(f"at {months} months no sceptic centred on no effect brings it to {_p(target)}", numbers={"target": target})
    return Sentence(f"at {months} months you would need a sceptic centred on no effect with a prior SD of {sceptic_sd:.2f} or "
                    f"less: someone 95% sure beforehand that the odds ratio lies between {1 / sceptic_or_95:.2f} and "
                    f"{sceptic_or_95:.2f}", numbers={"sceptic_sd": sceptic_sd, "or_low": 1 / sceptic_or_95,
                                                    "or_high": sceptic_or_95, "interval": 0.95})


def inside_or_outside(value: float, low: float, high: float) -> Sentence:
    """Whether a value lies inside an interval (limits included)."""
    inside = low <= value <= high
    return Sentence("inside" if inside else "outside", "innenfor" if inside else "utenfor")


def model_choice(headline: float, like_for_like: float, published: float) -> Sentence:
    """How much the model of the headline moves the pooled ratio, against the gap that the data
    (our reconstruction against the published trials) leave on the same estimand."""
    model_gap, data_gap = headline - like_for_like, like_for_like - published
    bigger = "more" if abs(model_gap) > abs(data_gap) else "less"
    text = (f"the choice of model moves the pooled risk ratio by {model_gap:+.2f}, {bigger} than the reconstruction of the "
            f"trials does on the published estimand ({data_gap:+.2f})").replace("-", "\u2212")
    return Sentence(text, numbers={"model_gap": model_gap, "data_gap": data_gap})


def listed(items, none: str = "none") -> Sentence:
    """Names joined with 'and' ('A, B and C'), or ``none`` when there are none."""
    items = [str(item) for item in items]
    if not items:
        return Sentence(none)
    return Sentence(items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1])


def priors_reaching(after: dict[str, float], before: dict[str, float], months: int, threshold: float = SETTLED_PROBABILITY) -> Sentence:
    """Which priors end at or above ``threshold`` after the data (``after``: P(benefit) by prior name),
    and what those priors said before it (``before``): the sentence names them and the lowest prior
    probability among them, so that a reader sees how much of the certainty was there already."""
    reached = [name for name, p in after.items() if p >= threshold]
    if not reached:
        return Sentence(f"at {months} months no prior ends at or above {_p(threshold)}",
                        f"etter {months} måneder ender ingen forhåndsantakelse på eller over {_p(threshold, True)}",
                        numbers={"threshold": threshold})
    lowest_before = min(before[name] for name in reached)
    names = listed(reached).english
    plural = len(reached) > 1
    return Sentence(f"at {months} months only the {names} prior{'s end' if plural else ' ends'} at or above "
                    f"{_p(threshold)}, and before the trial {'each of them' if plural else 'it'} already gave "
                    f"IPS a probability of at least {_p(lowest_before)} of being better",
                    f"etter {months} måneder ender bare {len(reached)} av de {len(after)} forhåndsantakelsene på eller over "
                    f"{_p(threshold, True)}, og allerede før studien ga {'hver av dem' if plural else 'den'} IPS en "
                    f"sannsynlighet på minst {_p(lowest_before, True)} for å være bedre",
                    numbers={"threshold": threshold, "lowest_before": lowest_before})


def all_or_not(all_true: bool) -> Sentence:
    """'every' or 'not every'."""
    return Sentence("every" if all_true else "not every", "alle" if all_true else "ikke alle")


def significant_outcomes(table, column: str, alpha: float = 0.05) -> Sentence:
    """The outcomes whose p-value in ``column`` is below ``alpha``, listed with their p-values, or 'none'.
    ``table`` has the columns ``outcome`` and ``timepoint_months`` (as ``reproduction.secondary_p_values``)."""
    below = table[table[column] < alpha]
    if below.empty:
        return Sentence("none")
    text = ", ".join(f"{r.outcome} at {r.timepoint_months} months (p = {report.p_value_text(getattr(r, column))})"
                     for r in below.itertuples())
    return Sentence(text, numbers={f"p_{i}": float(getattr(r, column)) for i, r in enumerate(below.itertuples())})


def small_study_verdict(k: int, egger_p: float, peters_p: float | None, egger_slope: float, k0: int, pooled: float,
                        adjusted: float, adjusted_low: float, adjusted_high: float, null: float = 1.0,
                        min_trials: int = 10, alpha: float = 0.10) -> Sentence:
    """What the small-study tests and trim-and-fill say, and what they cannot: below ``min_trials``
    the tests have too little power to say anything; a p-value under ``alpha`` (Egger's or Peters')
    is read as asymmetry, in the direction of Egger's slope (positive: smaller trials show larger
    effects); otherwise no clear asymmetry, which with few trials is not evidence of symmetry.
    Trim-and-fill is reported as a sensitivity analysis: whether its estimate still excludes ``null``.
    """
    numbers = {"egger_p": egger_p, "pooled": pooled, "adjusted": adjusted, "adjusted_low": adjusted_low,
               "adjusted_high": adjusted_high}
    if k < min_trials:
        return Sentence(f"with {k} trials the tests have too little power to say anything about small-study effects",
                        numbers={})
    tests = f"Egger's {report.p_statement(egger_p)}" + (f", Peters' {report.p_statement(peters_p)}" if peters_p is not None else "")
    if peters_p is not None:
        numbers["peters_p"] = peters_p
    asymmetric = egger_p < alpha or (peters_p is not None and peters_p < alpha)
    if asymmetric:
        direction = "smaller trials show larger effects" if egger_slope > 0 else "smaller trials show smaller effects"
        first = f"the funnel plot is asymmetric ({tests}): {direction}"
    else:
        first = (f"the tests find no clear asymmetry ({tests}), but with {k} trials they can miss a moderate one, "
                 "so this is not evidence that no trials are missing")
    still = "still excludes" if (adjusted_low > null or adjusted_high < null) else "no longer excludes"
    if k0 == 0:
        second = "trim-and-fill finds no trials to fill in"
    else:
        second = (f"trim-and-fill, which assumes the asymmetry is publication bias, adds {k0} trial{'s' if k0 > 1 else ''} and "
                  f"moves the pooled ratio from {report.number(pooled)} to {report.number(adjusted)} "
                  f"(95% CI {report.range_text(adjusted_low, adjusted_high, 2)}), which {still} no effect")
    return Sentence(f"{first}; {second}", numbers=numbers)


def asymmetry_in_a_subset(egger_p: float, peters_p: float, alpha: float = 0.10) -> Sentence:
    """What the two small-study tests say on a subset of trials (the outcome-matched ones), and
    what that means for a difference of outcomes as the cause of the whole set's asymmetry."""
    egger, peters = egger_p < alpha, peters_p < alpha
    tests = f"Egger's {report.p_statement(egger_p)}, Peters' {report.p_statement(peters_p)}"
    if egger and peters:
        text = f"both tests still find asymmetry ({tests}): a difference of outcomes does not explain it"
    elif egger or peters:
        which, other = ("Egger's", "Peters'") if egger else ("Peters'", "Egger's")
        text = (f"{which} test still finds asymmetry and {other} no longer does ({tests}): part of the asymmetry is a "
                "difference of outcomes, not of size, and part remains")
    else:
        text = f"neither test finds asymmetry ({tests}): a difference of outcomes can explain it"
    return Sentence(text, numbers={"egger_p": egger_p, "peters_p": peters_p})


def borrowing_price(power_alone: float, power_borrowing: float, alpha_at_history: float, alpha_far: float,
                    far_risk: float, nominal: float = 0.025) -> Sentence:
    """What borrowing a historical control arm buys and what it costs: the change in power at the
    design's effect, and the type I error when the true control risk equals the historical one and
    when it lies at ``far_risk``, each against the ``nominal`` one-sided level."""
    change = "raises" if power_borrowing > power_alone else "does not raise"
    near = "stays below" if alpha_at_history <= nominal else "exceeds"
    far = "exceeds" if alpha_far > nominal else "stays below"
    text = (f"borrowing the control arm {change} the power from {report.number(power_alone)} to "
            f"{report.number(power_borrowing)}; its type I error {near} the nominal {report.number(nominal, 3)} when the "
            f"true control risk is the historical one ({report.number(alpha_at_history, 3)}), and {far} it "
            f"({report.number(alpha_far, 3)}) when the true control risk is {report.percent(far_risk)}")
    return Sentence(text, numbers={"power_alone": power_alone, "power_borrowing": power_borrowing, "nominal": nominal,
                                   "alpha_at_history": alpha_at_history, "alpha_far": alpha_far, "far_risk": far_risk})
