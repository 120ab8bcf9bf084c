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
    "axis": "odds ratio (log scale)",
    "normal_prior": "Your prior: median odds ratio {median}, 95% between {low} and {high}.",
    "mixture_prior": "Your prior: {name}, weight of the vague component {w}.",
    "result": ("At {months} months: probability that IPS is better {p_benefit} (before the data {prior_p_benefit}); "
               "probability of more than 10 percentage points {p_relevant_rd}. Odds ratio {or} (95% interval {or_low} "
               "to {or_high}); risk difference {rd} percentage points ({rd_low} to {rd_high})."),
}


def _preset(key: str, label: str, prior: NormalMixturePrior, **extra) -> dict:
    kind = "normal" if prior.components == 1 else "mixture"
    return {"key": key, "label": label, "kind": kind, "weights": list(prior.weights), "means": list(prior.means),
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


class PriorDial:
    """The dial as an HTML block for the book (``Publisher.html``)."""

    def __init__(self, data: dict, dial_id: str = "ips-prior-dial"):
        self.data, self.dial_id = data, dial_id

    def _repr_html_(self) -> str:
        return dial_html(self.data, self.dial_id)

    def __repr__(self) -> str:
        return f"PriorDial({len(self.data['presets'])} named priors, {len(self.data['timepoints'])} follow-ups)"


def dial_html(data: dict, dial_id: str = "ips-prior-dial") -> str:
    """The dial's markup: labelled, keyboard-operable controls, a plot and an ``aria-live`` summary."""
    months = "".join(
        f'<label><input type="radio" name="{dial_id}-months" value="{t["months"]}"'
        f'{" checked" if t["months"] == data["initial"]["months"] else ""}> {t["months"]} months</label>'
        for t in data["timepoints"]
    )
    buttons = "".join(
        f'<button type="button" data-preset="{p["key"]}" aria-pressed="false">{html.escape(p["label"])}</button>'
        for p in data["presets"]
    )
    payload = json.dumps(data).replace("</", "<\\/")
    return f"""<noscript><p class="ips-dial-note">The prior dial needs JavaScript; the tables of this chapter give the
same answers for the named priors.</p></noscript>
<section class="ips-dial" id="{dial_id}" hidden aria-label="Prior dial: choose a prior and see the posterior">
<script type="application/json" class="ips-dial-data">{payload}</script>
<fieldset class="ips-dial-months"><legend>Follow-up</legend>{months}</fieldset>
<div class="ips-dial-presets" role="group" aria-label="Named priors">{buttons}</div>
<label class="ips-dial-row">Prior median odds ratio <output class="ips-dial-mean-out"></output>
<input class="ips-dial-mean" type="range" min="{MEAN_RANGE[0]}" max="{MEAN_RANGE[1]}" step="0.05" value="0"></label>
<label class="ips-dial-row">Prior SD of the log odds ratio <output class="ips-dial-sd-out"></output>
<input class="ips-dial-sd" type="range" min="{SD_RANGE[0]}" max="{SD_RANGE[1]}" step="0.05" value="2"></label>
<label class="ips-dial-row ips-dial-weight-row" hidden>Weight of the vague component <output class="ips-dial-weight-out"></output>
<input class="ips-dial-weight" type="range" min="0" max="1" step="0.05" value="0"></label>
<p class="ips-dial-prior-text"></p>
<svg class="ips-dial-plot" viewBox="0 0 320 150" role="img"
aria-label="Prior (dashed) and posterior (solid) density of the odds ratio, on a log scale; the vertical line marks no effect."></svg>
<p class="ips-dial-legend"><span class="ips-dial-key-prior">- - prior</span> <span class="ips-dial-key-posterior">&#8212; posterior</span></p>
<p class="ips-dial-live" aria-live="polite"></p>
</section>"""
