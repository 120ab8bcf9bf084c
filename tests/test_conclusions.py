"""Every conclusion the book states in words, on both sides of each of its boundaries
(ipscompendium.conclusions), and the rule that notebooks hold no verdicts of their own."""

import re
from pathlib import Path

import pandas as pd
import pytest

from ipscompendium import conclusions

ROOT = Path(__file__).resolve().parent.parent


def test_the_pain_question_is_settled_only_when_both_priors_reach_the_threshold():
    assert conclusions.pain_verdict(0.95, 0.95).english == "is settled"
    assert conclusions.pain_verdict(0.95, 0.95).norwegian == "er avklart"
    assert conclusions.pain_verdict(0.9499, 0.99).english == "is still open"
    assert conclusions.pain_verdict(0.99, 0.9499).english == "is still open"
    assert conclusions.pain_verdict(0.5, 0.5).norwegian == "er fortsatt åpent"
    assert conclusions.pain_verdict(0.85, 0.85, threshold=0.8).english == "is settled"


@pytest.mark.parametrize("worst, modelled, start, lowest", [
    (0.8, 0.9, "at 12 months it stays above 0.8", 0.8),
    (0.7999, 0.9, "at 12 months it stays above one half", 0.7999),
    (0.9, 0.5, "at 12 months it stays above one half", 0.5),
    (0.9, 0.4999, "at 12 months a departure from missing at random against IPS brings it to 0.50, below one half", 0.4999),
    (0.3, 0.6, "at 12 months the worst case brings it to 0.30, below one half", 0.3),
])
def test_the_missing_outcome_verdict_names_the_lowest_and_where_it_comes_from(worst, modelled, start, lowest):
    sentence = conclusions.missing_verdict(12, worst, modelled)
    assert sentence.english.startswith(start)
    assert sentence.numbers == {"lowest": lowest}
    assert ("the worst case" in sentence.english) == (worst <= modelled)


@pytest.mark.parametrize("scenarios, bounds, priors, modelled, extreme", [
    ((0.40, 0.50), (0.30, 0.71), (0.30, 0.50), "less than", "more than"),          # 0.10 <= 0.5 x 0.20; 0.20 <= 0.5 x 0.41
    ((0.40, 0.5001), (0.30, 0.69), (0.30, 0.50), "about as much as", "about as much as"),
    ((0.30, 0.50), (0.45, 0.50), (0.40, 0.50), "more than", "less than"),
    ((0.30, 0.50), (0.40, 0.4501), (0.40, 0.5001), "about as much as", "about as much as"),
])
def test_missing_against_prior_compares_the_widths_of_the_ranges(scenarios, bounds, priors, modelled, extreme):
    sentence = conclusions.missing_versus_prior(12, scenarios, bounds, priors)
    assert sentence.english.startswith("at 12 months the modelled departures")
    assert f"{modelled} the choice among the five priors" in sentence.english
    assert f"move it {extreme} the priors" in sentence.english
    assert sentence.numbers == {"scenarios_low": scenarios[0], "scenarios_high": scenarios[1], "bounds_low": bounds[0],
                                "bounds_high": bounds[1], "priors_low": priors[0], "priors_high": priors[1]}
    assert f"{scenarios[0]:.2f} to {scenarios[1]:.2f}" in sentence.english and f"({bounds[0]:.2f} to {bounds[1]:.2f})" in sentence.english


def test_missing_against_prior_refuses_a_reversed_range():
    for args in (((0.6, 0.5), (0.1, 0.9), (0.1, 0.2)), ((0.5, 0.6), (0.9, 0.1), (0.1, 0.2)), ((0.5, 0.6), (0.1, 0.9), (0.3, 0.2))):
        with pytest.raises(ValueError):
            conclusions.missing_versus_prior(12, *args)


@pytest.mark.parametrize("population, outcome, text", [
    (0.25, 0.25, "the outcome definition and the population each explain a good part of it"),
    (0.2499, 0.25, "the outcome definition explains a good part of it, the population little"),
    (0.25, 0.2499, "the population explains a good part of it, the outcome definition little"),
    (0.0, -0.1, "neither the outcome definition nor the population explains much of it"),
])
def test_heterogeneity_sources(population, outcome, text):
    assert conclusions.heterogeneity_sources(population, outcome).english == text


def test_prior_data_conflict_and_later_agreement():
    verb, effect = conclusions.prior_data_conflict(0.51, 0.5)
    assert (verb.english, effect.english, verb.norwegian) == ("lean against", "gains", "taler mot")
    verb, effect = conclusions.prior_data_conflict(0.5, 0.5)
    assert (verb.english, effect.english, effect.norwegian) == ("agree with", "loses", "får mindre")
    assert conclusions.later_agreement({6: True, 12: False, 24: False}).english.startswith("at 12 and 24 months the data agree")
    assert conclusions.later_agreement({6: False, 12: False, 24: True}).english == "the data lean against the MAP prior at 24 months too"
    assert conclusions.later_agreement({6: False, 24: True, 12: True}).english.endswith("at 12 and 24 months too")


def test_sceptic_needed():
    found = conclusions.sceptic_needed(12, 0.86, 0.8, 0.31, 1.84)
    assert "prior SD of 0.31 or less" in found.english and "between 0.54 and 1.84" in found.english
    assert found.numbers["or_low"] == pytest.approx(1 / 1.84)
    below = conclusions.sceptic_needed(24, 0.7, 0.8, None, None)
    assert below.english == "at 24 months the weakly informative answer (0.70) is already below 0.80"
    none = conclusions.sceptic_needed(24, 0.9, 0.8, None, None)
    assert none.english == "at 24 months no sceptic centred on no effect brings it to 0.80"


def test_listed():
    assert conclusions.listed([]).english == "none" and conclusions.listed([], "no formula").english == "no formula"
    assert conclusions.listed(["MAP"]).english == "MAP"
    assert conclusions.listed(["MAP", "enthusiastic"]).english == "MAP and enthusiastic"
    assert conclusions.listed(["a", "b", "c"]).english == "a, b and c"


def test_sceptic_needed_treats_nan_as_no_sceptic():
    assert conclusions.sceptic_needed(12, 0.9, 0.8, float("nan"), float("nan")).english.startswith("at 12 months no sceptic")


def test_inside_or_outside_includes_the_limits():
    assert conclusions.inside_or_outside(2.07, 2.07, 2.5).english == "inside"
    assert conclusions.inside_or_outside(2.5, 2.07, 2.5).norwegian == "innenfor"
    assert conclusions.inside_or_outside(2.0699, 2.07, 2.5).english == "outside"
    assert conclusions.inside_or_outside(2.5001, 2.07, 2.5).english == "outside"


def test_model_choice_compares_the_model_gap_with_the_data_gap():
    more = conclusions.model_choice(2.35, 2.28, 2.07)  # +0.07 against +0.21
    assert "by +0.07, less than" in more.english and "(+0.21)" in more.english
    less = conclusions.model_choice(2.60, 2.28, 2.20)
    assert "by +0.32, more than" in less.english and "(+0.08)" in less.english
    assert "\u22120.10" in conclusions.model_choice(2.18, 2.28, 2.07).english
    assert less.numbers == pytest.approx({"model_gap": 0.32, "data_gap": 0.08})


def test_all_or_not_and_significant_outcomes():
    assert conclusions.all_or_not(True).english == "every" and conclusions.all_or_not(False).norwegian == "ikke alle"
    table = pd.DataFrame({"outcome": ["Pain", "Distress"], "timepoint_months": [6, 12], "p": [0.049, 0.05]})
    sentence = conclusions.significant_outcomes(table, "p")
    assert sentence.english == "Pain at 6 months (p = 0.049)" and sentence.numbers == {"p_0": 0.049}
    assert conclusions.significant_outcomes(table.assign(p=0.2), "p").english == "none"


def test_notebooks_hold_no_verdicts_of_their_own():
    """A verdict chosen in a notebook (``pub.text(..., "a" if x else "b")``) escapes the tests: it
    belongs in ipscompendium.conclusions."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.md")):
        text = path.read_text()
        for match in re.finditer(r"pub\.(text|sentence)\((?:[^()]|\([^()]*\))*\)", text):
            call = match.group(0)
            if re.search(r"\bif\b.*\belse\b", call, re.S):
                found.append(f"{path.name}: {call[:80]}")
    assert not found, "\n".join(found)


def test_every_sentence_in_full_with_its_numbers():
    """Whole sentences in both languages, and the names of the numbers they record, so that no word or
    key can change unseen."""
    s = conclusions.missing_versus_prior(24, (0.8, 0.9), (0.7, 0.95), (0.75, 0.99))
    assert s.english == ("at 24 months the modelled departures from missing at random move P(IPS better) over 0.80 to 0.90, "
                         "less than the choice among the five priors does (0.75 to > 0.99); the worst and best cases "
                         "(0.70 to 0.95) move it about as much as the priors")
    assert conclusions.sceptic_needed(12, 0.7, 0.8, None, None).numbers == {"p_weak": 0.7, "target": 0.8}
    assert conclusions.sceptic_needed(12, 0.9, 0.8, None, None).numbers == {"target": 0.8}
    found = conclusions.sceptic_needed(12, 0.9, 0.8, 0.5, 2.0)
    assert found.numbers == {"sceptic_sd": 0.5, "or_low": 0.5, "or_high": 2.0, "interval": 0.95}
    assert found.english == ("at 12 months you would need a sceptic centred on no effect with a prior SD of 0.50 or less: "
                             "someone 95% sure beforehand that the odds ratio lies between 0.50 and 2.00")
    # at the target itself no sceptic is needed: the answer is not below it
    assert conclusions.sceptic_needed(12, 0.8, 0.8, None, None).english == "at 12 months no sceptic centred on no effect brings it to 0.80"
    assert conclusions.sceptic_needed(12, 0.999, 0.8, None, None).english.endswith("brings it to 0.80")
    verb, effect = conclusions.prior_data_conflict(0.4, 0.5)
    assert (verb.norwegian, effect.norwegian) == ("stemmer med", "får mindre")
    verb, effect = conclusions.prior_data_conflict(0.6, 0.5)
    assert (verb.norwegian, effect.norwegian) == ("taler mot", "får mer")
    assert (conclusions.inside_or_outside(3.0, 2.0, 2.5).norwegian, conclusions.all_or_not(False).english) == ("utenfor", "not every")
    assert (conclusions.all_or_not(True).norwegian, conclusions.all_or_not(False).english) == ("alle", "not every")
    table = pd.DataFrame({"outcome": ["Pain", "Distress"], "timepoint_months": [6, 12], "p": [0.01, 0.0004]})
    listed = conclusions.significant_outcomes(table, "p")
    assert listed.english == "Pain at 6 months (p = 0.010), Distress at 12 months (p = < 0.001)"
    assert listed.numbers == {"p_0": 0.01, "p_1": 0.0004}
    assert conclusions.pain_verdict(0.5, 0.5).numbers == {}


def test_boundaries_where_two_numbers_are_equal():
    # worst case equal to the lowest modelled value: the worst case is named
    assert "the worst case" in conclusions.missing_verdict(12, 0.6, 0.6).english
    # equal gaps: 'less' (the model does not move it more than the data)
    assert "less than" in conclusions.model_choice(2.3, 2.2, 2.1).english
    # one range exactly half the other: 'less' and 'more' include the boundary
    s = conclusions.missing_versus_prior(12, (0.5, 0.625), (0.25, 0.75), (0.5, 0.75))
    assert "less than the choice" in s.english and "move it more than the priors" in s.english
    for bad in (((0.6, 0.5), (0.1, 0.9), (0.1, 0.2)),):
        with pytest.raises(ValueError, match="a range needs low <= high"):
            conclusions.missing_versus_prior(12, *bad)
    conclusions.missing_versus_prior(12, (0.5, 0.5), (0.5, 0.5), (0.5, 0.5))  # empty ranges are ranges


def test_probabilities_in_sentences_are_english_style():
    assert conclusions._p(0.5) == "0.50" and conclusions._p(0.5, True) == "0,50"


def test_exact_boundaries_and_messages():
    # gaps exactly equal (binary fractions): the model moves it no more than the data, 'less'
    assert "by +0.25, less than" in conclusions.model_choice(2.5, 2.25, 2.0).english
    with pytest.raises(ValueError) as error:
        conclusions.missing_versus_prior(12, (0.6, 0.5), (0.1, 0.9), (0.1, 0.2))
    assert str(error.value) == "a range needs low <= high"


def test_priors_reaching_a_threshold_name_what_they_said_before():
    after = {"weak": 0.83, "MAP": 0.98, "enthusiastic": 0.95}
    before = {"weak": 0.5, "MAP": 0.978, "enthusiastic": 0.95}
    s = conclusions.priors_reaching(after, before, 12)
    assert s.english == ("at 12 months only the MAP and enthusiastic priors end at or above 0.95, and before the trial each "
                         "of them already gave IPS a probability of at least 0.95 of being better")
    assert s.numbers == {"threshold": 0.95, "lowest_before": 0.95}
    assert s.norwegian == ("etter 12 måneder ender bare 2 av de 3 forhåndsantakelsene på eller over 0,95, og allerede før "
                           "studien ga hver av dem IPS en sannsynlighet på minst 0,95 for å være bedre")
    one = conclusions.priors_reaching({"MAP": 0.96, "weak": 0.9499}, {"MAP": 0.9, "weak": 0.5}, 24)
    assert one.norwegian == ("etter 24 måneder ender bare 1 av de 2 forhåndsantakelsene på eller over 0,95, og allerede før "
                             "studien ga den IPS en sannsynlighet på minst 0,90 for å være bedre")
    assert one.english.startswith("at 24 months only the MAP prior ends at or above 0.95") and "before the trial it already gave" in one.english
    none = conclusions.priors_reaching({"weak": 0.9}, {"weak": 0.5}, 12)
    assert none.english == "at 12 months no prior ends at or above 0.95" and none.numbers == {"threshold": 0.95}
    assert none.norwegian == "etter 12 måneder ender ingen forhåndsantakelse på eller over 0,95"


def test_small_study_verdict_on_each_side_of_its_boundaries():
    base = dict(egger_slope=0.8, k0=2, pooled=2.28, adjusted=2.10, adjusted_low=1.70, adjusted_high=2.60)
    few = conclusions.small_study_verdict(9, 0.01, 0.01, **base)
    assert "with 9 trials the tests have too little power" in few.english and not few.numbers
    quiet = conclusions.small_study_verdict(21, 0.10, 0.10, **base)
    assert quiet.english.startswith("the tests find no clear asymmetry (Egger's p = 0.100, Peters' p = 0.100), but with 21 trials")
    assert "adds 2 trials and moves the pooled ratio from 2.28 to 2.10 (95% CI 1.70 to 2.60), which still excludes no effect" in quiet.english
    egger = conclusions.small_study_verdict(21, 0.099, 0.5, **base)
    assert egger.english.startswith("the funnel plot is asymmetric") and "smaller trials show larger effects" in egger.english
    peters = conclusions.small_study_verdict(21, 0.5, 0.099, **{**base, "egger_slope": -0.1})
    assert "asymmetric" in peters.english and "smaller trials show smaller effects" in peters.english
    crossing = conclusions.small_study_verdict(21, 0.5, None, **{**base, "adjusted_low": 0.95, "k0": 1})
    assert "Peters" not in crossing.english and "adds 1 trial and" in crossing.english and "no longer excludes no effect" in crossing.english
    none = conclusions.small_study_verdict(21, 0.5, None, **{**base, "k0": 0})
    assert none.english.endswith("trim-and-fill finds no trials to fill in")
    assert set(quiet.numbers) == {"egger_p", "peters_p", "pooled", "adjusted", "adjusted_low", "adjusted_high"}


def test_asymmetry_in_a_subset_on_each_side_of_the_level():
    both = conclusions.asymmetry_in_a_subset(0.0999, 0.0999)
    assert both.english.startswith("both tests still find asymmetry") and "does not explain it" in both.english
    egger = conclusions.asymmetry_in_a_subset(0.0001, 0.48)
    assert egger.english.startswith("Egger's test still finds asymmetry and Peters' no longer does (Egger's p < 0.001, Peters' p = 0.480)")
    assert "part remains" in egger.english
    peters = conclusions.asymmetry_in_a_subset(0.2, 0.05)
    assert peters.english.startswith("Peters' test still finds asymmetry and Egger's no longer does")
    neither = conclusions.asymmetry_in_a_subset(0.10, 0.10)
    assert neither.english.startswith("neither test finds asymmetry") and neither.numbers == {"egger_p": 0.10, "peters_p": 0.10}


def test_borrowing_price_on_each_side_of_the_nominal_level():
    s = conclusions.borrowing_price(0.6, 0.75, 0.02, 0.2, 0.4)
    assert s.english == ("borrowing the control arm raises the power from 0.60 to 0.75; its type I error stays below the nominal "
                         "0.025 when the true control risk is the historical one (0.020), and exceeds it (0.200) when the true "
                         "control risk is 40%")
    t = conclusions.borrowing_price(0.6, 0.6, 0.0251, 0.025, 0.4)
    assert "does not raise" in t.english and "exceeds the nominal 0.025" in t.english and "and stays below it (0.025)" in t.english
    assert set(s.numbers) == {"power_alone", "power_borrowing", "nominal", "alpha_at_history", "alpha_far", "far_risk"}
