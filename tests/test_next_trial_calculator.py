"""The next-trial calculator's JavaScript (_static/next_trial_calculator.js), run in V8 (mini-racer),
against the package's exact operating characteristics (general.operating): the success boundary
outcome by outcome, and the assurance, power and type I error, for every analysis prior of the
design chapter, sizes from 10 to 300 per arm, each allocation and other decision thresholds."""

import json
from pathlib import Path

import numpy as np
import pytest

from ipscompendium import data, next_trial_calculator
from ipscompendium.general import priors
from ipscompendium.general.historical import robust_control_prior
from ipscompendium.map_prior import load_map_prior

SCRIPT = Path(__file__).resolve().parent.parent / "_static" / "next_trial_calculator.js"


@pytest.fixture(scope="module")
def page():
    return next_trial_calculator.book_calculator_data()


def test_the_book_page_holds_the_chapter_s_priors_and_belief(page):
    """Five presets with their colours, the belief is the robust MAP prior with the 12-month counts,
    and the calculator opens at the trial's control share."""
    assert [p["key"] for p in page["presets"]] == ["weakly", "sceptical", "map", "robust", "borrowed"]
    robust = priors.robustify(load_map_prior(), priors.ROBUST_WEIGHT)
    assert page["belief"]["prior"]["effect"]["weights"] == pytest.approx(list(robust.weights))
    twelve = data.load_employment().set_index("timepoint_months").loc[12]
    assert page["belief"]["counts"] == {"events_treatment": twelve.employed_ips, "n_treatment": twelve.n_ips,
                                        "events_control": twelve.employed_control, "n_control": twelve.n_control}
    assert page["initial"]["risk_control"] == round(twelve.employed_control / twelve.n_control, 2)
    borrowed = page["presets"][-1]["prior"]["control"]
    registry = robust_control_prior(0.16 * 315, 315, 0.8)  # the report's registry: 16% of 315
    assert borrowed["means"] == pytest.approx(list(registry.means)) and borrowed["weights"] == pytest.approx([0.8, 0.2])
    assert page["presets"][0]["colour"] == "currentColor" and page["presets"][1]["colour"] == "#D55E00"


def _run(js, page, settings):
    js.eval(f"var PAGE = {json.dumps(page)};")  # one object, as on the page: the script's caches hold
    return json.loads(js.eval(f"JSON.stringify(IPSNextTrial.compute(PAGE, {json.dumps(settings)}))"))


def _check(js, page, settings):
    result = _run(js, page, settings)
    expected = next_trial_calculator.reference(page, settings)
    assert result["fewest"] == expected["fewest"]  # every outcome's decision
    assert (result["n_treatment"], result["n_control"]) == (expected["n_treatment"], expected["n_control"])
    # the assurance lattice is coarser (step 0.1): the midpoint rule on a smooth integrand
    assert result["assurance"] == pytest.approx(expected["assurance"], abs=1e-8)
    for key in ("power", "alpha", "alpha_max", "alpha_max_risk"):
        assert result[key] == pytest.approx(expected[key], abs=1e-11), key
    assert [p["alpha"] for p in result["curve"]] == pytest.approx(expected["curve_alpha"], abs=1e-11)
    assert [p["power"] for p in result["curve"]] == pytest.approx(expected["curve_power"], abs=1e-11)
    return result, expected


@pytest.mark.parametrize("preset", ["weakly", "sceptical", "map", "robust", "borrowed"])
def test_each_analysis_prior_at_the_chapter_design(js, page, preset):
    _check(js, page, dict(page["initial"], preset=preset))


@pytest.mark.parametrize("n_control, allocation", [(10, 1.0), (20, 2.0), (60, 1.5), (300, 1.0), (300, 2.0)])
def test_sizes_and_allocations(js, page, n_control, allocation):
    result, _ = _check(js, page, dict(page["initial"], preset="borrowed", n_control=n_control, allocation=allocation))
    assert result["n_treatment"] == round(n_control * allocation)


@pytest.mark.parametrize("significance, relevant_or", [(0.9, 1.0), (0.95, 1.3), (0.995, 2.5)])
def test_other_thresholds(js, page, significance, relevant_or):
    _check(js, page, dict(page["initial"], preset="map", significance=significance, relevant_or=relevant_or,
                          risk_control=0.2, odds_ratio=3.0))


def test_the_truth_moves_the_answers_the_design_does_not(js, page):
    """Power rises with the odds ratio and equals the type I error at odds ratio 1; a stricter rule
    succeeds less often; the boundary does not depend on the truth."""
    base = dict(page["initial"], preset="weakly")
    weak = _run(js, page, dict(base, odds_ratio=1.5))
    strong = _run(js, page, dict(base, odds_ratio=3.0))
    assert weak["fewest"] == strong["fewest"] and strong["power"] > weak["power"] > weak["alpha"]
    strict = _run(js, page, dict(base, significance=0.995))
    assert strict["alpha"] < weak["alpha"] and strict["assurance"] < weak["assurance"]
    assert all(s >= w for s, w in zip(strict["fewest"], weak["fewest"]))


def test_the_words_in_both_languages(js, page):
    settings = dict(page["initial"], preset="borrowed")
    result = _run(js, page, settings)
    english = js.eval(f"IPSNextTrial.describe(PAGE, {json.dumps(settings)}, {json.dumps(result)}, 'en')")
    norwegian = js.eval(f"IPSNextTrial.describe(PAGE, {json.dumps(settings)}, {json.dumps(result)}, 'nb')")
    assert english.startswith("IPS 100, usual care 100, analysed with the borrowed control arm prior;")
    assert f"(assurance): {result['assurance']:.2f}." in english
    assert f"odds ratio is 2.0: {result['power']:.2f}." in english and "at 39%:" in english
    assert norwegian.startswith("IPS 100, vanlig oppfølging 100, analysert med forhåndsantakelsen «lånt kontrollarm»")
    assert f"(forventet teststyrke): {result['assurance']:.2f}".replace(".", ",") in norwegian and "ved 39 %:" in norwegian


def test_the_plot_draws_both_curves_in_the_prior_colour(js, page):
    settings = dict(page["initial"], preset="sceptical")
    svg = js.eval(f"IPSNextTrial.plotSvg(PAGE, {json.dumps(settings)}, IPSNextTrial.compute(PAGE, {json.dumps(settings)}), 'nb', '#D55E00')")
    assert svg.count("<path") == 2 and svg.count("color:#D55E00") == 2
    assert "sann andel i jobb uten IPS" in svg and ">0,001<" in svg and ">20 %<" in svg


def test_the_markup_is_labelled_and_carries_its_data(page):
    markup = next_trial_calculator.calculator_html(page)
    assert markup.count('type="radio"') == 5 + 3 and markup.count('type="range"') == 5
    assert 'aria-live="polite"' in markup and " hidden" in markup and 'role="img"' in markup
    assert json.loads(markup.split('class="ips-ntc-data">')[1].split("</script>")[0]) == page
    assert 'href="../book/glossary.html#term-Type-I-error"' in markup
    norwegian = next_trial_calculator.calculator_html(page, "ips-next-trial-nb", "nb", "glossary.html")
    assert 'lang="nb"' in norwegian and "Pasienter med vanlig oppfølging" in norwegian and 'href="glossary.html#term-Assurance"' in norwegian


def test_bad_settings_are_refused(page):
    weak = next_trial_calculator.presets_for({"weakly informative": (priors.weakly_informative_prior(), None)})
    counts = {"events_treatment": 1, "n_treatment": 2, "events_control": 1, "n_control": 2}
    with pytest.raises(ValueError, match="initial_preset"):
        next_trial_calculator.calculator_data(weak, priors.weakly_informative_prior(), counts, initial_preset="map",
                                              risk_control=0.3, nominal_alpha=0.025)
    with pytest.raises(ValueError, match="allocation"):
        next_trial_calculator.calculator_data(weak, priors.weakly_informative_prior(), counts, initial_preset="weakly",
                                              risk_control=0.3, nominal_alpha=0.025, allocation=3.0)
    with pytest.raises(ValueError, match="counts needs"):
        next_trial_calculator.calculator_data(weak, priors.weakly_informative_prior(), {"n_control": 2},
                                              initial_preset="weakly", risk_control=0.3, nominal_alpha=0.025)
    with pytest.raises(ValueError, match="Norwegian name"):
        next_trial_calculator.presets_for({"my prior": (priors.weakly_informative_prior(), None)})
