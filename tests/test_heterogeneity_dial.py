"""The heterogeneity dial's JavaScript (_static/heterogeneity_dial.js), run in V8 (mini-racer),
against the package's exact normal-normal posterior (general.exact) for every trial set, every
prior family and a range of scales a reader can choose."""

import json
from pathlib import Path

import pytest

from ipscompendium import data, heterogeneity_dial, meta_models, trial_sets
from ipscompendium.general import bayes_meta

SCRIPT = Path(__file__).resolve().parent.parent / "_static" / "heterogeneity_dial.js"


@pytest.fixture(scope="module")
def page():
    sets = trial_sets.analysis_sets(data.load_trials())
    chosen = {"all": ("all trials with counts", sets["all trials with counts (main)"]),
              "smi": ("severe mental illness only", sets["severe mental illness only"]),
              "matched": ("outcome: any competitive employment", sets["outcome = any competitive employment"])}
    turner = meta_models.default_tau_priors(data.load_turner_tau2_priors())[3]
    return heterogeneity_dial.dial_data(chosen, turner, bayes_meta.MU_PRIOR_SD, "all")


def _run(js, page, settings, language="en"):
    call = f"IPSTauDial.compute({json.dumps(page)}, {json.dumps(settings)})"
    result = json.loads(js.eval(f"JSON.stringify({call})"))
    text = json.loads(js.eval(f"JSON.stringify(IPSTauDial.describe({json.dumps(page)}, {json.dumps(settings)}, {call}, '{language}'))"))
    return result, text


@pytest.mark.parametrize("set_key", ["all", "smi", "matched"])
@pytest.mark.parametrize("family, scale", [("half_normal", 0.5), ("half_normal", 0.1), ("half_normal", 2.0),
                                           ("half_cauchy", 0.25), ("lognormal_tau2", 0.5)])
def test_the_dial_computes_what_the_package_computes(js, page, set_key, family, scale):
    result, _ = _run(js, page, {"set": set_key, "family": family, "scale": scale})
    expected = heterogeneity_dial.reference(page, set_key, family, scale)
    for key in ("rr", "rr_low", "rr_high", "new_low", "new_high"):
        assert result[key] == pytest.approx(expected[key], rel=2e-6), key
    for key in ("tau", "tau_low", "tau_high"):
        assert result[key] == pytest.approx(expected[key], abs=1e-9), key
    for key in ("p", "p_new"):
        assert result[key] == pytest.approx(expected[key], abs=5e-7), key
    assert result["prior_median"] == pytest.approx(expected["prior_median"], rel=1e-9)


def test_the_words_in_both_languages(js, page):
    settings = {"set": "all", "family": "half_normal", "scale": 0.5}
    result, english = _run(js, page, settings)
    _, norwegian = _run(js, page, settings, "nb")
    assert english["result"].startswith(f"Pooled risk ratio {result['rr']:.2f} (95% interval")
    assert "Probability that IPS helps on average > 0.999" in english["result"]
    assert norwegian["result"].startswith(f"Samlet risikoratio {result['rr']:.2f}".replace(".", ","))
    assert english["prior"] == "Prior on tau: half-normal with scale 0.50: half of its mass below 0.34."
    assert norwegian["prior"].startswith("Forhåndsantakelse om tau: halvnormal med skala 0,50")


def test_the_markup_is_labelled_and_carries_its_data(page):
    markup = heterogeneity_dial.dial_html(page)
    assert markup.count('type="radio"') == 6 and 'aria-live="polite"' in markup and " hidden" in markup
    assert json.loads(markup.split('class="ips-tau-dial-data">')[1].split("</script>")[0]) == page
    assert "(k = 21)" in markup and 'lang="en"' in markup
    norwegian = heterogeneity_dial.dial_html(dict(page, sets=[dict(page["sets"][0], label_nb="alle studier")]), "ips-tau-dial-nb", "nb",
                                             "glossary.html")
    assert 'lang="nb"' in norwegian and "alle studier (k = 21)" in norwegian
    assert '<a href="glossary.html#term-Heterogeneity">heterogenitet (tau)</a>' in norwegian
    with pytest.raises(ValueError, match="initial_set"):
        heterogeneity_dial.dial_data({"a": ("A", data.poolable_trials(data.load_trials()))}, None, 2.0, "b")
