"""The publishing helper: what it glues, in which styles and words, and what it writes to the ledger."""

import pytest

from ipscompendium import publish, report
from ipscompendium.report import Estimate, Probability


@pytest.fixture
def publisher(tmp_path):
    glued = {}
    pub = publish.Publisher("chapter", lambda name, text, display: glued.__setitem__(name, text), ledger_dir=tmp_path)
    return pub, glued, tmp_path


def test_a_probability_is_glued_in_both_styles_and_in_calibrated_words(publisher):
    pub, glued, _ = publisher
    pub.probability("p", 0.8267)
    assert glued == {"p": "83%", "p_no": "83\u00a0%", "p_eq": "= 83%", "p_described": "83% (likely)",
                     "p_described_no": "83\u00a0% (sannsynlig)"}
    pub.probability("q", Probability(0.9996, "mcmc", 4000), style="decimal", decimals=3)
    assert glued["q"] == "> 0.999" and glued["q_described"] == "> 0.999 (virtually certain)"
    assert glued["q_eq"] == "> 0.999"  # "P(...) > 0.999", never "P(...) = > 0.999"


def test_the_word_is_chosen_from_the_number_as_shown():
    # 0.9456 prints as 0.95, which the scale calls extremely likely; the unrounded value would say very likely
    assert report.shown_probability(0.9456, "decimal", 2) == 0.95
    assert report.calibrated_words(0.9456, report.shown_probability(0.9456, "decimal", 2)) == "extremely likely"
    assert report.calibrated_words(0.9456, report.shown_probability(0.9456, "decimal", 3)) == "very likely"
    assert report.shown_probability(0.9456, "percent") == 0.95
    assert report.shown_probability(0.655, "percent") == 0.66 and report.shown_probability(0.654, "percent") == 0.65
    assert report.shown_probability(0.9996, "decimal", 3, draws=4000) == 1.0
    assert report.shown_probability(0.0004, "decimal", 3) == 0.0
    assert report.shown_probability(0.996, "percent") == 1.0 and report.shown_probability(0.004, "percent") == 0.0
    assert report.shown_probability(0.5, "decimal", 2, draws=10) == 0.5
    assert report.shown_probability(0.95, "decimal", 2, draws=10) == 1.0  # resolution 1/10


def test_no_word_within_one_monte_carlo_standard_error_of_a_boundary(publisher):
    assert report.calibrated_words(0.951, 0.95, mc_se=0.002) is None
    assert report.calibrated_words(0.949, 0.95, mc_se=0.002) is None
    assert report.calibrated_words(0.953, 0.95, mc_se=0.002) == "extremely likely"
    assert report.calibrated_words(0.947, 0.95, mc_se=0.002) == "extremely likely"  # the word follows the number shown
    assert report.calibrated_words(0.6601, 0.66, mc_se=0.0002) is None
    assert report.calibrated_words(0.3299, 0.33, mc_se=0.0002) is None
    assert report.calibrated_words(0.0995, 0.1, mc_se=0.001) is None
    assert report.calibrated_words(0.0995, 0.1, mc_se=None) == "very unlikely"
    pub, glued, _ = publisher
    pub.probability("near", Probability(0.951, "mcmc", 4000), style="decimal")
    assert glued["near_described"] == "0.95" and glued["near_described_no"] == "0,95"
    pub.probability("far", Probability(0.97, "mcmc", 4000), style="decimal")
    assert glued["far_described"] == "0.97 (extremely likely)"
    pub.probability("weak", 0.97, style="decimal", words=False)
    assert glued["weak_described"] == "0.97"


def test_words_with_decimals_must_come_as_a_sentence_whose_numbers_reach_the_ledger(publisher):
    pub, glued, folder = publisher
    for bad in ("1.05 to 5.29", "about 40%", "40 %", "0,95"):
        with pytest.raises(ValueError, match="report.Sentence"):
            pub.text("x", bad)
    with pytest.raises(ValueError, match="report.Sentence"):
        pub.text("x", "fine", "men 0,5 er ikke")
    pub.text("label", "Drake 1999")  # whole numbers (years, counts) are words here
    pub.sentence("s", report.Sentence("between 1.05 and 5.29", "mellom 1,05 og 5,29", {"low": 1.0512, "high": 5.2871}))
    assert glued["s"] == "between 1.05 and 5.29" and glued["s_no"] == "mellom 1,05 og 5,29"
    rows = {r["name"]: r for r in publish.read_ledger(folder)}
    assert float(rows["s.low"]["value"]) == 1.0512 and float(rows["s.high"]["value"]) == 5.2871
    assert rows["s.low"]["kind"] == "in sentence"


def test_a_p_value_is_glued_for_people_and_recorded(publisher):
    pub, glued, folder = publisher
    pub.p_value("p", 0.3171, method="published")
    pub.p_value("tiny", 0.00001)
    assert glued["p"] == "0.317" and glued["p_no"] == "0,317" and glued["tiny"] == "< 0.001"
    rows = {r["name"]: r for r in publish.read_ledger(folder)}
    assert rows["p"]["method"] == "published" and rows["p"]["kind"] == "p-value" and float(rows["tiny"]["value"]) == 0.00001


def test_an_estimate_is_glued_with_its_interval_and_units(publisher):
    pub, glued, _ = publisher
    pub.estimate("rd", Estimate(0.129, -0.1398, 0.39), 0, scale=100, signed=True, unit=(" points", " poeng"))
    assert glued["rd"] == "+13 points (95% CrI \u221214 to +39 points)"
    assert glued["rd_no"] == "+13 poeng (95\u00a0% KrI \u221214 til +39 poeng)"
    # the parts, for sentences that name the interval in their own words
    assert (glued["rd_value_no"], glued["rd_range"], glued["rd_range_no"]) == ("+13", "\u221214 to 39", "\u221214 til 39")


def test_every_number_is_written_to_the_ledger_unrounded(publisher):
    pub, _, folder = publisher
    pub.probability("p", Probability(0.5, "mcmc", 400))
    pub.number("n", 17.30067, 0)
    rows = {r["name"]: r for r in publish.read_ledger(folder)}
    assert float(rows["n"]["value"]) == 17.30067
    assert float(rows["p"]["mc_se"]) == pytest.approx(0.025)
    assert rows["p"]["chapter"] == "chapter" and rows["p"]["method"] == "mcmc"


def test_starting_a_chapter_clears_its_old_ledger(tmp_path):
    first = publish.Publisher("c", lambda *a, **k: None, ledger_dir=tmp_path)
    first.number("old", 1)
    publish.Publisher("c", lambda *a, **k: None, ledger_dir=tmp_path)
    assert publish.read_ledger(tmp_path) == []


@pytest.mark.parametrize("p, words", [(0.99, "virtually certain"), (0.95, "extremely likely"), (0.9, "very likely"),
                                      (0.66, "likely"), (0.659, "about as likely as not"), (0.331, "about as likely as not"),
                                      (0.33, "unlikely"), (0.1, "very unlikely"), (0.05, "extremely unlikely"),
                                      (0.01, "exceptionally unlikely")])
def test_likelihood_scale_boundaries(p, words):
    assert report.likelihood_words(p) == words
    with pytest.raises(ValueError):
        report.likelihood_words(1.2)


def test_number_formats_for_people():
    assert report.number(3744, 0, grouping=True) == "3,744"
    assert report.number(3744, 0, norwegian=True, grouping=True) == "3\u00a0744"
    assert report.number(3744.5, 1) == "3744.5" and report.number(3744.5, 1, norwegian=True) == "3744,5"
    assert report.number(-0.004, 2) == "0.00" and report.number(-0.004, 2, signed=True) == "0.00"
    assert report.number(-1.5, 1) == "\u22121.5"
    assert report.range_text(1.05, 5.29) == "1.05 to 5.29" and report.range_text(1.05, 5.29, norwegian=True) == "1,05 til 5,29"


def test_probabilities_are_capped_at_their_resolution():
    assert report.probability_text(0.9995, decimals=3) == "> 0.999"  # at the cap itself
    assert report.probability_text(0.9989, decimals=3) == "0.999"
    assert report.probability_text(0.001, decimals=3) == "< 0.001"
    assert report.probability_text(0.0011, decimals=3) == "0.001"
    assert report.probability_text(0.996, draws=200, decimals=3) == "> 0.995"  # 200 draws resolve only 1/200
    assert report.probability_text(0.004, draws=200, decimals=3) == "< 0.005"
    assert report.percent_of_probability(0.996) == "> 99%" and report.percent_of_probability(0.9949) == "99%"
    assert report.percent_of_probability(0.006) == "1%" and report.percent_of_probability(0.005) == "< 1%"  # 0.5 rounds to 0
    assert report.percent_of_probability(0.001, norwegian=True) == "< 1\u00a0%"
    assert report.percent_of_probability(0.999, norwegian=True) == "> 99\u00a0%"
    assert report.p_value_text(0.001) == "0.001" and report.p_value_text(0.3356) == "0.336"
    assert report.p_statement(0.0009) == "p < 0.001" and report.p_statement(0.48) == "p = 0.480"


def test_likelihood_words_cover_the_ends_and_refuse_non_probabilities():
    assert report.likelihood_words(0.0) == "exceptionally unlikely" and report.likelihood_words(1.0) == "virtually certain"
    assert report.likelihood_words(0.6599) == "about as likely as not"
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\], got -0.1"):
        report.likelihood_words(-0.1)


def test_a_scaled_estimate_keeps_how_it_was_computed():
    scaled = Estimate(0.1, -0.1, 0.3, "mcmc").scaled(100)
    assert (scaled.value, scaled.low, scaled.high, scaled.method) == (pytest.approx(10), pytest.approx(-10), pytest.approx(30), "mcmc")


def test_percent_and_decimal_display_differ_near_the_ends():
    # '99%' is 0.99, but 0.992 to two decimals prints '> 0.99' and reads 1; '1%' against '< 0.01'
    assert report.shown_probability(0.992) == 0.99 and report.shown_probability(0.992, "decimal", 2) == 1.0
    assert report.shown_probability(0.006) == 0.01 and report.shown_probability(0.006, "decimal", 2) == 0.0
    assert report.shown_probability(0.995) == 1.0 and report.shown_probability(0.0049) == 0.0
    assert report.shown_probability(0.9949, "decimal", 3) == 0.995
    assert report.shown_probability(0.9991, "decimal", 3) == 1.0 and report.shown_probability(0.0011, "decimal", 3) == 0.001
    assert report.shown_probability(0.985, "decimal", 2, draws=50) == 1.0  # resolution 1/50 = 0.02
    assert report.shown_probability(0.96, "decimal", 2, draws=50) == 0.96
    assert report.shown_probability(0.02, "decimal", 2, draws=50) == 0.0 and report.shown_probability(0.03, "decimal", 2, draws=50) == 0.03


def test_described_probability():
    assert report.described_probability("0.93", "very likely") == "0.93 (very likely)"
    assert report.described_probability("0.95", None) == "0.95"
    assert report.calibrated_words(0.5, 0.5, norwegian=True) == "omtrent like sannsynlig som ikke"
    assert report.calibrated_words(0.5, 0.5, mc_se=0.001) == "about as likely as not"


def test_display_boundaries_exactly():
    assert report.shown_probability(0.99, "decimal", 2) == 1.0  # printed '> 0.99'
    assert report.probability_text(0.99, decimals=2) == "> 0.99"
    assert report.shown_probability(0.01, "decimal", 2) == 0.0 and report.probability_text(0.01, decimals=2) == "< 0.01"
    assert report.calibrated_words(0.95, 0.95, mc_se=0.0) is None  # exactly on a boundary: no word
    assert report.calibrated_words(0.951, 0.95, mc_se=0.0) == "extremely likely"


def test_default_decimals():
    assert report.number(1.23456) == "1.23"
    assert report.shown_probability(0.9456, "decimal") == 0.95  # two decimals by default
