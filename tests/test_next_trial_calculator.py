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
    # the whole structure the script reads (mutmut: a renamed key survives only if nothing reads it here)
    assert set(page) == {"presets", "belief", "control_risks", "nominal_alpha", "initial", "words"}
    assert page["initial"] == {"preset": "weakly", "n_control": 100, "allocation": 1.0, "risk_control": 0.39, "odds_ratio": 2.0,
                               "significance": 0.975, "relevant_or": 1.5}
    assert page["control_risks"] == pytest.approx(list(np.linspace(0.05, 0.6, 45))) and page["nominal_alpha"] == 0.025
    assert [p["label"] for p in page["presets"]][::4] == [{"en": "weakly informative", "nb": "svakt informativ"},
                                                          {"en": "borrowed control arm", "nb": "lånt kontrollarm"}]
    assert page["presets"][0]["prior"]["control"] is None and page["presets"][0]["prior"]["baseline"] == {"mean": 0.0, "sd": 1.5}
    assert page["presets"][-1]["prior"]["baseline"] is None
    assert page["presets"][-1]["prior"]["effect"] == next_trial_calculator._mixture(priors.weakly_informative_prior())
    assert page["belief"]["prior"]["control"] is None and page["belief"]["prior"]["baseline"] == {"mean": 0.0, "sd": 1.5}
    sceptical = priors.sceptical_prior(np.log(2.0))
    assert page["presets"][1]["prior"]["effect"] == {"weights": [1.0], "means": [0.0], "sds": [pytest.approx(sceptical.sds[0])]}
    assert page["words"] == next_trial_calculator.WORDS and set(page["words"]["nb"]) == set(page["words"]["en"])


def test_the_reference_reads_any_baseline_and_control_prior():
    """reference() rebuilds each prior from the JSON the script reads: a baseline other than the
    default, and a control-arm prior, give the package's own densities."""
    from ipscompendium.general import trial_grid

    effect = priors.normal_prior("effect", 0.2, 0.7)
    control = priors.normal_prior("control", -1.0, 0.4)
    grid = np.linspace(-3, 3, 7)
    shifted = {"effect": next_trial_calculator._mixture(effect), "control": None, "baseline": {"mean": 0.3, "sd": 1.0}}
    expected = trial_grid.effect_prior(effect, trial_grid.BaselinePrior(1.0, 0.3))(grid[:, None], grid[None, :])
    assert np.allclose(next_trial_calculator._log_prior(shifted)(grid[:, None], grid[None, :]), expected)
    with_control = {"effect": next_trial_calculator._mixture(effect), "control": next_trial_calculator._mixture(control), "baseline": None}
    expected = trial_grid.effect_prior_with_control(effect, control.logpdf)(grid[:, None], grid[None, :])
    assert np.allclose(next_trial_calculator._log_prior(with_control)(grid[:, None], grid[None, :]), expected)
    with pytest.raises(ValueError, match="centred baseline"):
        from unittest import mock

        with mock.patch.object(trial_grid, "DEFAULT_BASELINE", trial_grid.BaselinePrior(anchor="control")):
            next_trial_calculator._prior_json(effect, None)


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


def test_the_markup_opens_at_the_initial_settings_in_each_language(page):
    """Exactly the initial prior and allocation are checked, each slider stands at its initial value
    inside the label that names it, and the nominal level is written as each language writes it."""
    import re

    markup = next_trial_calculator.calculator_html(page)
    assert 'id="ips-next-trial"' in markup
    assert re.findall(r'name="ips-next-trial-preset" value="(\w+)" checked', markup) == ["weakly"]
    assert re.findall(r'name="ips-next-trial-allocation" value="([\d.]+)" checked', markup) == ["1"]
    assert markup.count(" checked") == 2
    # the controls follow one another with nothing between them
    assert '> weakly informative</label><label><input type="radio" name="ips-next-trial-preset" value="sceptical">' in markup
    assert '> 1:1</label><label><input type="radio" name="ips-next-trial-allocation" value="1.5">' in markup
    assert 'value="0.39"></label><label class="ips-dial-row">Odds ratio for the power' in markup
    for name, label in (("n_control", "Patients with usual care"), ("risk_control", "Assumed share in work without IPS"),
                        ("odds_ratio", "Odds ratio for the power"), ("significance", "Required P(OR &gt; 1)"),
                        ("relevant_or", "Relevant odds ratio (posterior median at least)")):
        low, high, step = next_trial_calculator.SLIDERS[name]
        assert (f'<label class="ips-dial-row">{label} <output class="ips-ntc-{name}-out"></output><input class="ips-ntc-{name}" '
                f'type="range" min="{low}" max="{high}" step="{step}" value="{page["initial"][name]}"></label>') in markup.replace(
                    "P(OR > 1)", "P(OR &gt; 1)"), name
    assert "grey: one-sided 0.025, and the assumed share" in markup
    norwegian = next_trial_calculator.calculator_html(page, "nb-id", "nb")
    assert "grått: ensidig 0,025, og den antatte andelen" in norwegian and 'name="nb-id-preset"' in norwegian
    assert "> svakt informativ</label>" in norwegian
    tricky = dict(page, presets=[dict(page["presets"][0], label={"en": "a</script>b", "nb": "c"})] + page["presets"][1:])
    assert "a<\\/script>b" in next_trial_calculator.calculator_html(tricky)


def test_each_preset_s_density_is_the_package_s(page):
    """AnalysisPrior.log_prior, which the design chapter's figure uses, is the same density the
    calculator's reference rebuilds from the page's JSON."""
    grid = np.linspace(-4, 4, 9)
    presets = next_trial_calculator.presets_for(next_trial_calculator.book_priors())
    for preset, shown in zip(presets, page["presets"]):
        assert preset.key == shown["key"]
        assert np.allclose(preset.log_prior()(grid[:, None], grid[None, :]),
                           next_trial_calculator._log_prior(shown["prior"])(grid[:, None], grid[None, :]))
    assert [p.colour for p in presets] == [p["colour"] for p in page["presets"]]
