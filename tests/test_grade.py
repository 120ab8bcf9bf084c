"""GRADE rules (ipscompendium.general.grade): each judgement on both sides of its boundaries."""

import pytest

from ipscompendium.general import grade


def test_inconsistency_needs_substantial_i2_and_a_prediction_interval_that_includes_no_effect():
    assert grade.inconsistency(0.76, 0.9, 4.9, k=21).judgement == "serious"
    assert grade.inconsistency(0.76, 1.05, 4.95, k=21).judgement == "not serious"  # size varies, direction does not
    assert grade.inconsistency(0.49, 0.9, 4.9, k=21).judgement == "not serious"
    assert grade.inconsistency(0.50, 0.9, 4.9, k=21).judgement == "serious"
    assert grade.inconsistency(0.80, None, None, k=2).judgement == "serious"  # no prediction interval: direction unknown
    assert grade.inconsistency(None, None, None, k=1).judgement == "not applicable"
    assert grade.inconsistency(0.6, 0.5, 0.99, k=5, null=1.0).judgement == "not serious"  # harm in every setting is consistent too


def test_imprecision_from_the_interval_and_the_information_size():
    assert grade.imprecision(0.56, 5.56, 54).judgement == "very serious"  # IPS in Pain at 12 months
    assert grade.imprecision(0.80, 5.56, 54).judgement == "serious"  # crosses 1, no appreciable harm
    assert grade.imprecision(0.70, 1.20, 54).judgement == "serious"  # crosses 1, no appreciable benefit
    assert grade.imprecision(1.89, 2.76, 5000).judgement == "not serious"
    assert grade.imprecision(1.89, 2.76, 300, optimal_information_size=400).judgement == "serious"
    assert grade.imprecision(1.89, 2.76, 400, optimal_information_size=400).judgement == "not serious"
    assert grade.imprecision(1.0, 2.0, 400).judgement == "serious"  # the null on the edge counts as included


def test_publication_bias_is_not_assessed_below_ten_trials():
    assert grade.publication_bias(9, 0.01).judgement == "not assessed"
    assert grade.publication_bias(10, 0.099).judgement == "serious"
    assert grade.publication_bias(10, 0.10).judgement == "not serious"
    assert grade.publication_bias(21, None).judgement == "not assessed"


def test_certainty_rates_down_from_high_and_stops_at_very_low():
    d = lambda j: grade.Domain("x", j, "")  # noqa: E731
    assert grade.certainty([d("not serious")] * 5) == "high"
    assert grade.certainty([d("serious"), d("not assessed")]) == "moderate"
    assert grade.certainty([d("very serious")]) == "low"
    assert grade.certainty([d("very serious"), d("serious")]) == "very low"
    assert grade.certainty([d("very serious"), d("very serious")]) == "very low"
    assert grade.certainty([d("not serious")], randomised=False) == "low"
    assert grade.not_assessed([grade.Domain("Risk of bias", "not assessed", ""), d("serious")]) == ["Risk of bias"]
    with pytest.raises(ValueError, match="judgement must be one of"):
        grade.Domain("x", "grave", "")


def test_absolute_effects_per_thousand():
    assert grade.per_thousand(0.389) == 389 and grade.per_thousand(0.0004) == 0
    assert grade.risk_from_ratio(0.2, 2.0) == pytest.approx(0.4) and grade.risk_from_ratio(0.6, 2.0) == 1.0
    # OR 1.76 at a control risk of 7/18: odds 7/11 * 1.76 = 1.12 -> risk 0.528
    assert grade.risk_from_ratio(7 / 18, 1.76, "or") == pytest.approx(1.12 / 2.12)
    with pytest.raises(ValueError):
        grade.risk_from_ratio(0.2, 2.0, "rd")


def test_each_judgement_states_its_reason_with_the_numbers():
    assert grade.inconsistency(0.76, 0.9, 4.9, k=21).reason == "I² 76%, and the 95 % prediction interval includes no effect"
    assert grade.inconsistency(0.76, 1.05, 4.95, k=21).reason == (
        "I² 76%, but the 95 % prediction interval excludes no effect: trials differ in size, not direction")
    assert grade.inconsistency(0.3, 0.9, 4.9, k=21).reason == "I² 30%"
    assert grade.inconsistency(None, None, None, k=1).reason == "one trial"
    assert grade.imprecision(0.56, 5.56, 54).reason == "the 95 % interval, 0.56 to 5.56, includes appreciable benefit and appreciable harm"
    assert grade.imprecision(0.80, 5.56, 54).reason == "the 95 % interval, 0.80 to 5.56, includes no effect"
    assert grade.imprecision(1.89, 2.76, 300, optimal_information_size=400).reason == (
        "300 participants, fewer than the optimal information size (400)")
    assert grade.imprecision(1.89, 2.76, 5000).reason == "the 95 % interval, 1.89 to 2.76, excludes no effect"
    assert grade.publication_bias(1, None).reason == "1 trial: too few for the tests"
    assert grade.publication_bias(9, 0.5).reason == "9 trials: too few for the tests"
    assert grade.publication_bias(21, 0.01).reason == "suspected: Egger's test p = 0.01"
    assert grade.publication_bias(21, 0.5).reason == "undetected: Egger's test p = 0.50, with 21 trials"
    assert all(d.name == name for d, name in ((grade.inconsistency(0.1, 1, 2, 3), "Inconsistency"),
                                              (grade.imprecision(1.1, 2, 3), "Imprecision"),
                                              (grade.publication_bias(3, 0.5), "Publication bias")))
    domain = grade.stated("Indirectness", "serious", "another population")
    assert (domain.name, domain.judgement, domain.reason, domain.downgrade) == ("Indirectness", "serious", "another population", 1)
    assert grade.per_thousand(0.2475) == 248 and grade.risk_from_ratio(0.5, 1.0, "or") == pytest.approx(0.5)
