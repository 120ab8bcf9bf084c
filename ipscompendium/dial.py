"""The prior dial of the IPS in Pain chapter: the page's controls and the numbers they start from.

The posterior itself is computed in the reader's browser by ``_static/prior_dial.js``, the same
grid as :mod:`ipscompendium.general.trial_grid`; this module writes what that script reads (the
counts at each follow-up, the named priors, the thresholds, the wording) as one JSON block inside
the dial's HTML, so that every number on the page still comes from the package.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

import pandas as pd

from ipscompendium.general.priors import VAGUE_SD, NormalMixturePrior
from ipscompendium.general.trial_grid import DEFAULT_BASELINE, DEFAULT_POINTS, RELEVANT_ODDS_RATIO, RELEVANT_RISK_DIFFERENCE

#: The sliders' ranges, on the log odds ratio: a median OR from about 0.22 to 12, an SD up to 3.
MEAN_RANGE = (-1.5, 2.5)
SD_RANGE = (0.05, 3.0)

WORDS = {
    "en": {
        "axis": "odds ratio (log scale)",
        "normal_prior": "Your prior: median odds ratio {median}, 95% between {low} and {high}.",
        "mixture_prior": "Your prior: {name}, weight of the vague component {w}.",
        "result": ("At {months} months: probability that IPS is better {p_benefit} (before the data {prior_p_benefit}); "
                   "probability of more than 10 percentage points {p_relevant_rd}. Odds ratio {or} (95% interval {or_low} "
                   "to {or_high}); risk difference {rd} percentage points ({rd_low} to {rd_high})."),
    },
    "nb": {
        "axis": "oddsratio (logaritmisk skala)",
        "normal_prior": "Din forhåndsantakelse: median oddsratio {median}, 95 % mellom {low} og {high}.",
        "mixture_prior": "Din forhåndsantakelse: {name}, vekt på den vage delen {w}.",
        "result": ("Etter {months} måneder: sannsynligheten for at IPS er bedre {p_benefit} (før dataene {prior_p_benefit}); "
                   "sannsynligheten for mer enn 10 prosentpoeng {p_relevant_rd}. Oddsratio {or} (95 %-intervall {or_low} "
                   "til {or_high}); risikodifferanse {rd} prosentpoeng ({rd_low} til {rd_high})."),
    },
}
#: The controls' visible labels; each is also the control's accessible name.
LABELS = {
    "en": {"dial": "Prior dial: choose a prior and see the posterior", "months": "Follow-up", "month": "months",
           "presets": "Named priors", "mean": "Prior median odds ratio", "sd": "Prior SD of the log odds ratio",
           "weight": "Weight of the vague component", "prior": "prior", "posterior": "posterior",
           "plot": "Prior (dashed) and posterior (solid) density of the odds ratio, on a log scale; the vertical line marks no effect.",
           "noscript": "The prior dial needs JavaScript; the tables of this chapter give the same answers for the named priors."},
    "nb": {"dial": "Forhåndsantakelser: velg en og se resultatet", "months": "Oppfølging", "month": "måneder",
           "presets": "Navngitte forhåndsantakelser", "mean": "Median oddsratio før dataene",
           "sd": "Standardavvik for log-oddsratioen før dataene", "weight": "Vekt på den vage delen",
           "prior": "før dataene", "posterior": "etter dataene",
           "plot": ("Tettheten til oddsratioen før (stiplet) og etter dataene (heltrukket), på logaritmisk skala; den "
                    "loddrette linjen viser ingen effekt."),
           "noscript": "Skiven trenger JavaScript; tabellene i kapittelet om IPS in Pain gir de samme svarene."},
}
#: The glossary terms the dial's words use, linked under it: (term id, English, Norwegian).
TERMS = (("term-Prior", "prior", "forhåndsantakelse"), ("term-Posterior", "posterior", "aposteriorifordeling"),
         ("term-Odds-ratio", "odds ratio", "oddsratio"), ("term-Risk-difference", "risk difference", "risikodifferanse"),
         ("term-MAP-prior", "MAP prior", "MAP-prior"), ("term-Robust-MAP-prior", "robust MAP prior", "robust MAP-prior"))
TERMS_LABEL = {"en": "Terms", "nb": "Ord"}

#: Norwegian names of the presets.
NORWEGIAN_LABELS = {"Weakly informative": "Svakt informativ", "Sceptical": "Skeptisk", "Enthusiastic": "Entusiastisk",
                    "MAP": "MAP", "Robust MAP": "Robust MAP"}


def _preset(key: str, label: str, prior: NormalMixturePrior, **extra) -> dict:
    kind = "normal" if prior.components == 1 else "mixture"
    return {"key": key, "label": label, "label_nb": NORWEGIAN_LABELS[label], "kind": kind, "weights": list(prior.weights), "means": list(prior.means),
            "sds": list(prior.sds), **extra}


def dial_data(employment: pd.DataFrame, named_priors: Sequence[NormalMixturePrior], map_prior: NormalMixturePrior,
              robust_weight: float, initial_months: int = 12) -> dict:
    """What the page's script reads: counts per follow-up, presets, baseline prior and thresholds.

    ``named_priors`` are the normal priors offered as presets (weakly informative, sceptical,
    enthusiastic); the MAP prior is offered as a mixture, alone and robustified with ``robust_weight``.
    """
    labels = {"weakly informative": "Weakly informative", "sceptical": "Sceptical", "enthusiastic": "Enthusiastic"}
    presets = [_preset(key.split()[0], labels[key], p) for key, p in ((p.name, p) for p in named_priors) if key in labels]
    if len(presets) != len(labels):
        raise ValueError(f"the dial needs the priors {sorted(labels)}; got {[p.name for p in named_priors]}")
    presets.append(_preset("map", "MAP", map_prior, robust_weight=0.0))
    presets.append(_preset("robust", "Robust MAP", map_prior, robust_weight=float(robust_weight), mixture="map"))
    return {
        "timepoints": [{"months": int(r.timepoint_months), "events_treatment": int(r.employed_ips), "n_treatment": int(r.n_ips),
                        "events_control": int(r.employed_control), "n_control": int(r.n_control)} for r in employment.itertuples()],
        "baseline": {"mean": DEFAULT_BASELINE.mean, "sd": DEFAULT_BASELINE.sd, "anchor": DEFAULT_BASELINE.anchor},
        "vague": {"mean": 0.0, "sd": VAGUE_SD},
        "relevant_rd": RELEVANT_RISK_DIFFERENCE, "relevant_or": RELEVANT_ODDS_RATIO, "points": DEFAULT_POINTS,
        "presets": presets, "initial": {"months": int(initial_months), "preset": "weakly"},
        "words": WORDS,
    }


def terms_html(terms, language: str, glossary: str) -> str:
    """A line of links to the glossary entries ``terms`` ((term id, English, Norwegian), ...), in
    ``language``; ``glossary`` is the glossary page's address from the page the block is on."""
    links = ", ".join(f'<a href="{glossary}#{anchor}">{english if language == "en" else norwegian}</a>'
                      for anchor, english, norwegian in terms)
    return f'<p class="ips-dial-terms">{TERMS_LABEL[language]}: {links}</p>'


class BrowserTool:
    """An in-browser tool of the book as an HTML block (``Publisher.html``): the data its script
    reads, rendered by the subclass's ``render(data, element_id, language, glossary)`` in English or
    Norwegian (``nb``); ``glossary`` is the glossary page's address from the page it is on."""

    default_id = ""

    def __init__(self, data: dict, element_id: str | None = None, language: str = "en", glossary: str = "../book/glossary.html"):
        self.data, self.element_id, self.language, self.glossary = data, element_id or self.default_id, language, glossary

    def _repr_html_(self) -> str:
        return type(self).render(self.data, self.element_id, self.language, self.glossary)


class PriorDial(BrowserTool):
    """The prior dial of the IPS in Pain chapter."""

    default_id = "ips-prior-dial"

    def __repr__(self) -> str:
        return f"PriorDial({len(self.data['presets'])} named priors, {len(self.data['timepoints'])} follow-ups)"


def dial_html(data: dict, dial_id: str = "ips-prior-dial", language: str = "en", glossary: str = "../book/glossary.html") -> str:
    """The dial's markup: labelled, keyboard-operable controls, a plot and an ``aria-live`` summary.
    Every control's accessible name is its visible label."""
    if language not in LABELS:
        raise ValueError(f"language must be one of {sorted(LABELS)}, got {language!r}")
    labels = LABELS[language]
    months = "".join(
        f'<label><input type="radio" name="{dial_id}-months" value="{t["months"]}"'
        f'{" checked" if t["months"] == data["initial"]["months"] else ""}> {t["months"]} {labels["month"]}</label>'
        for t in data["timepoints"]
    )
    buttons = "".join(
        f'<button type="button" data-preset="{p["key"]}" aria-pressed="false">'
        f'{html.escape(p["label"] if language == "en" else p["label_nb"])}</button>'
        for p in data["presets"]
    )
    payload = json.dumps(data).replace("</", "<\\/")
    return f"""<noscript><p class="ips-dial-note">{labels['noscript']}</p></noscript>
<section class="ips-dial" id="{dial_id}" lang="{language}" data-language="{language}" hidden aria-label="{html.escape(labels['dial'])}">
<script type="application/json" class="ips-dial-data">{payload}</script>
<fieldset class="ips-dial-months"><legend>{labels['months']}</legend>{months}</fieldset>
<div class="ips-dial-presets" role="group" aria-labelledby="{dial_id}-presets-label"><span class="ips-dial-presets-label" id="{dial_id}-presets-label">{labels['presets']}</span>{buttons}</div>
<label class="ips-dial-row">{labels['mean']} <output class="ips-dial-mean-out"></output>
<input class="ips-dial-mean" type="range" min="{MEAN_RANGE[0]}" max="{MEAN_RANGE[1]}" step="0.05" value="0"></label>
<label class="ips-dial-row">{labels['sd']} <output class="ips-dial-sd-out"></output>
<input class="ips-dial-sd" type="range" min="{SD_RANGE[0]}" max="{SD_RANGE[1]}" step="0.05" value="2"></label>
<label class="ips-dial-row ips-dial-weight-row" hidden>{labels['weight']} <output class="ips-dial-weight-out"></output>
<input class="ips-dial-weight" type="range" min="0" max="1" step="0.05" value="0"></label>
<p class="ips-dial-prior-text"></p>
<svg class="ips-dial-plot" viewBox="0 0 320 150" role="img" aria-label="{html.escape(labels['plot'])}"></svg>
<p class="ips-dial-legend"><span class="ips-dial-key-prior">- - {labels['prior']}</span> <span class="ips-dial-key-posterior">&#8212; {labels['posterior']}</span></p>
<p class="ips-dial-live" aria-live="polite"></p>
{terms_html(TERMS, language, glossary)}
</section>"""


PriorDial.render = staticmethod(dial_html)
