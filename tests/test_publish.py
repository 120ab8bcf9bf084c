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
    assert glued == {"p": "83%", "p_no": "83\u00a0%", "p_eq": "= 83%", "p_words": "likely", "p_words_no": "sannsynlig"}
    pub.probability("q", Probability(0.9996, "mcmc", 4000), style="decimal", decimals=3)
    assert glued["q"] == "> 0.999" and glued["q_words"] == "virtually certain"
    assert glued["q_eq"] == "> 0.999"  # "P(...) > 0.999", never "P(...) = > 0.999"


def test_an_estimate_is_glued_with_its_interval_and_units(publisher):
    pub, glued, _ = publisher
    pub.estimate("rd", Estimate(0.129, -0.1398, 0.39), 0, scale=100, signed=True, unit=(" points", " poeng"))
    assert glued["rd"] == "+13 points (95% CrI \u221214 to +39 points)"
    assert glued["rd_no"] == "+13 poeng (95\u00a0% KrI \u221214 til +39 poeng)"


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


def test_likelihood_words_cover_the_ends_and_refuse_non_probabilities():
    assert report.likelihood_words(0.0) == "exceptionally unlikely" and report.likelihood_words(1.0) == "virtually certain"
    assert report.likelihood_words(0.6599) == "about as likely as not"
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\], got -0.1"):
        report.likelihood_words(-0.1)


def test_a_scaled_estimate_keeps_how_it_was_computed():
    scaled = Estimate(0.1, -0.1, 0.3, "mcmc").scaled(100)
    assert (scaled.value, scaled.low, scaled.high, scaled.method) == (pytest.approx(10), pytest.approx(-10), pytest.approx(30), "mcmc")
