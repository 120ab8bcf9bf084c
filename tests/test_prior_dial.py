"""The prior dial's JavaScript (_static/prior_dial.js), run in V8 (mini-racer), against the package.

The page computes its posteriors in the reader's browser; these tests hold that code to the
Python grid (trial_grid) for every named prior at every follow-up and for settings a reader
might choose, and to an MCMC fit, so the dial cannot drift from the book.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from ipscompendium import data, dial
from ipscompendium.general import priors, sampling, trial_grid, two_arm
from ipscompendium.map_prior import load_map_prior

SCRIPT = Path(__file__).resolve().parent.parent / "_static" / "prior_dial.js"
PROBABILITIES = ("p_benefit", "p_relevant_rd", "p_or_above")


@pytest.fixture(scope="module")
def page_data():
    employment = data.load_employment()
    map_prior = load_map_prior()
    named = priors.trial_priors(0.23, 0.61, map_prior, 2.23)
    return dial.dial_data(employment, named, map_prior, priors.ROBUST_WEIGHT), employment, named, map_prior


def _run(js, page, settings) -> dict:
    return json.loads(js.eval(f"JSON.stringify((function () {{ var r = IPSDial.compute({json.dumps(page)}, {json.dumps(settings)});"
                              " delete r.log_or; delete r.log_or_mass; return r; })())"))


def _counts(employment, months):
    row = employment.set_index("timepoint_months").loc[months]
    return int(row.employed_ips), int(row.n_ips), int(row.employed_control), int(row.n_control)


def _check_against_grid(result, counts, prior):
    grid = trial_grid.posterior_grid(*counts, trial_grid.effect_prior(prior, trial_grid.DEFAULT_BASELINE))
    exact = trial_grid.benefit(grid)
    for key in PROBABILITIES:
        assert result[key] == pytest.approx(exact[key], abs=1e-9), key
    # Quantiles: the page reads the odds ratio from each diagonal of the lattice, the package from
    # each cell, so they may differ by up to one lattice step in log-OR; the RD is binned at 0.0005.
    step = grid.axis[1] - grid.axis[0]
    for q in ("median", "low", "high"):
        assert np.log(result[f"or_{q}"]) == pytest.approx(np.log(exact[f"or_{q}"]), abs=step)
        assert result[f"rd_{q}"] == pytest.approx(exact[f"rd_{q}"], abs=1e-3)
    assert result["prior_p_benefit"] == pytest.approx(prior.prob_greater(0.0), abs=1e-6)


@pytest.mark.parametrize("months", [6, 12, 24])
def test_every_named_prior_matches_the_grid(js, page_data, months):
    page, employment, named, map_prior = page_data
    counts = _counts(employment, months)
    for preset, prior in zip(page["presets"], named):
        settings = {"months": months, "kind": preset["kind"], "mean": preset["means"][0], "sd": preset["sds"][0],
                    "mixture": preset.get("mixture", preset["key"]), "robust_weight": preset.get("robust_weight", 0.0)}
        _check_against_grid(_run(js, page, settings), counts, prior)


@pytest.mark.parametrize("mean, sd", [(0.0, 0.3), (-1.0, 1.0), (2.0, 0.5), (0.7, 2.9)])
def test_a_readers_normal_prior_matches_the_grid(js, page_data, mean, sd):
    page, employment, *_ = page_data
    result = _run(js, page, {"months": 24, "kind": "normal", "mean": mean, "sd": sd})
    _check_against_grid(result, _counts(employment, 24), priors.normal_prior("reader", mean, sd))


@pytest.mark.parametrize("weight", [0.0, 0.1, 0.75, 1.0])
def test_the_robust_weight_slider_matches_the_package(js, page_data, weight):
    page, employment, _, map_prior = page_data
    result = _run(js, page, {"months": 12, "kind": "mixture", "mixture": "map", "robust_weight": weight})
    _check_against_grid(result, _counts(employment, 12), priors.robustify(map_prior, weight))


def test_the_page_agrees_with_mcmc(js, page_data):
    # The robust MAP prior (a three-component mixture) at 12 months, sampled with NUTS: each
    # probability within four Monte Carlo standard errors of the page's.
    page, employment, _, map_prior = page_data
    prior = priors.robustify(map_prior, priors.ROBUST_WEIGHT)
    counts = _counts(employment, 12)
    idata = sampling.sample(two_arm.two_arm_model(*counts, prior), seed=61, draws=2000)
    mcmc = two_arm.benefit_summary(idata)
    ess = sampling.diagnostics(idata, ["log_or"]).min_ess_bulk
    result = _run(js, page, {"months": 12, "kind": "mixture", "mixture": "map", "robust_weight": priors.ROBUST_WEIGHT})
    for key in PROBABILITIES:
        p = result[key]
        assert abs(mcmc[key] - p) < max(0.005, 4 * np.sqrt(p * (1 - p) / ess)), key


def test_the_markup_carries_the_data_and_is_accessible(page_data):
    page = page_data[0]
    markup = dial.dial_html(page)
    embedded = markup.split('<script type="application/json" class="ips-dial-data">')[1].split("</script>")[0]
    assert json.loads(embedded.replace("<\\/", "</")) == json.loads(json.dumps(page))
    assert 'aria-live="polite"' in markup and markup.count('type="range"') == 3 and "<noscript>" in markup
    assert all(f'data-preset="{p["key"]}"' in markup for p in page["presets"])
    # the presets' group is named by a visible label, and the terms link to the glossary
    assert 'aria-labelledby="ips-prior-dial-presets-label"' in markup and 'id="ips-prior-dial-presets-label">Named priors<' in markup
    assert '<a href="../book/glossary.html#term-Robust-MAP-prior">robust MAP prior</a>' in markup


def test_the_dial_speaks_norwegian(page_data):
    page = page_data[0]
    markup = dial.dial_html(page, "ips-prior-dial-nb", "nb", "glossary.html")
    assert 'lang="nb"' in markup and 'data-language="nb"' in markup and "12 måneder</label>" in markup
    assert ">Svakt informativ</button>" in markup and "Median oddsratio før dataene" in markup
    assert '<a href="glossary.html#term-Prior">forhåndsantakelse</a>' in markup
    assert page["words"]["nb"]["result"].startswith("Etter {months} måneder")
    assert set(page["words"]["nb"]) == set(page["words"]["en"])
    with pytest.raises(ValueError, match="language"):
        dial.dial_html(page, language="de")
    # the block the chapter glues is the same markup
    assert dial.PriorDial(page)._repr_html_() == dial.dial_html(page)
    assert dial.PriorDial(page, "ips-prior-dial-nb", "nb", "glossary.html")._repr_html_() == markup


def test_the_dial_refuses_missing_named_priors(page_data):
    _, employment, named, map_prior = page_data
    with pytest.raises(ValueError, match="the dial needs the priors"):
        dial.dial_data(employment, named[:1], map_prior, 0.5)


@pytest.mark.parametrize("weight", [0.0, 0.2, 0.5])
def test_the_dial_shows_the_median_and_sd_of_the_prior_in_use(js, page_data, weight):
    """Under a MAP preset the dial's median OR and SD are the mixture's own, not the last normal prior's."""
    _, _, _, map_prior = page_data
    prior = priors.robustify(map_prior, weight) if weight else map_prior
    shown = json.loads(js.eval(f"JSON.stringify(IPSDial.priorSummary({json.dumps({'weights': list(prior.weights), 'means': list(prior.means), 'sds': list(prior.sds)})}))"))
    assert shown["median"] == pytest.approx(prior.quantile(0.5), abs=1e-6)
    assert shown["sd"] == pytest.approx(prior.sd(), rel=1e-9)
