"""The heterogeneity dial of the Bayesian meta-analysis chapter: choose a prior on tau and a set of
trials, and see the pooled risk ratio, tau, the prediction for a new setting and P(RR > 1) change.

The posterior is computed in the reader's browser by ``_static/heterogeneity_dial.js``: the exact
normal-normal model of :func:`ipscompendium.general.exact.normal_normal_posterior` (one-dimensional
quadrature over tau, on the same grid). This module writes what the script reads: each trial set's
log risk ratios and variances, the prior families with their ranges, and the words in English and
Norwegian, as one JSON block inside the dial's HTML, so that every number still comes from the
package (``tests/test_heterogeneity_dial.py`` holds the script to it in V8).
"""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd

from ipscompendium.dial import BrowserTool, terms_html
from ipscompendium.general.effect_sizes import effect_sizes
from ipscompendium.general.tau_priors import TauPrior

#: The scale slider's range, for the half-normal and half-Cauchy families (tau on the log-RR scale).
SCALE_RANGE = (0.05, 2.0)
#: The grid over tau: the same as the exact analyses of the chapter.
TAU_MAX, POINTS = 3.0, 4001

WORDS = {
    "en": {
        "result": ("Pooled risk ratio {rr} (95% interval {rr_low} to {rr_high}); between-trial SD tau {tau} ({tau_low} to "
                   "{tau_high}); in a new setting {new_low} to {new_high}. Probability that IPS helps on average {p}; "
                   "in a new setting {p_new}."),
        "prior": {"half_normal": "Prior on tau: half-normal with scale {scale}: half of its mass below {median}.",
                  "half_cauchy": "Prior on tau: half-Cauchy with scale {scale}: half of its mass below {median}.",
                  "lognormal_tau2": "Prior on tau: Turner et al.'s log-normal for this kind of outcome: half of its mass "
                                    "below {median}."},
    },
    "nb": {
        "result": ("Samlet risikoratio {rr} (95 %-intervall {rr_low} til {rr_high}); standardavvik mellom studiene tau {tau} "
                   "({tau_low} til {tau_high}); i en ny setting {new_low} til {new_high}. Sannsynligheten for at IPS hjelper "
                   "i gjennomsnitt {p}; i en ny setting {p_new}."),
        "prior": {"half_normal": "Forhåndsantakelse om tau: halvnormal med skala {scale}: halvparten under {median}.",
                  "half_cauchy": "Forhåndsantakelse om tau: halv-Cauchy med skala {scale}: halvparten under {median}.",
                  "lognormal_tau2": "Forhåndsantakelse om tau: Turner mfl.s lognormale for denne typen utfall: halvparten "
                                    "under {median}."},
    },
}
#: The glossary terms the dial's words use: (term id, English, Norwegian).
TERMS = (("term-Heterogeneity", "heterogeneity (tau)", "heterogenitet (tau)"), ("term-Pooled-effect", "pooled effect", "samlet effekt"),
         ("term-Prediction-interval", "new setting (prediction interval)", "ny setting (prediksjonsintervall)"),
         ("term-Prior", "prior", "forhåndsantakelse"), ("term-Risk-ratio", "risk ratio", "risikoratio"))
LABELS = {
    "en": {"set": "Trials", "family": "Prior on tau", "scale": "Scale of the prior",
           "half_normal": "Half-normal", "half_cauchy": "Half-Cauchy", "lognormal_tau2": "Turner et al."},
    "nb": {"set": "Studier", "family": "Forhåndsantakelse om tau", "scale": "Skala",
           "half_normal": "Halvnormal", "half_cauchy": "Halv-Cauchy", "lognormal_tau2": "Turner mfl."},
}


def dial_data(trial_sets: dict[str, tuple[str, pd.DataFrame]], turner: TauPrior, mu_prior_sd: float,
              initial_set: str, initial_scale: float = 0.5, norwegian_labels: dict[str, str] | None = None) -> dict:
    """What the script reads. ``trial_sets`` maps a key to (label, trial table); the log risk ratios
    and variances are metafor's (``effect_sizes``). ``norwegian_labels`` names the sets in Norwegian
    (key -> label; the English label where none is given)."""
    sets = []
    for key, (label, trials) in trial_sets.items():
        sizes = effect_sizes(trials["events_treatment"], trials["n_treatment"], trials["events_control"], trials["n_control"], "rr")
        sets.append({"key": key, "label": label, "label_nb": (norwegian_labels or {}).get(key, label), "k": int(len(sizes.y)), "y": [float(x) for x in sizes.y],
                     "v": [float(x) for x in sizes.v]})
    if initial_set not in trial_sets:
        raise ValueError(f"initial_set {initial_set!r} is not one of {list(trial_sets)}")
    return {"sets": sets, "turner": {"log_tau2_mean": turner.log_tau2_mean, "log_tau2_sd": turner.log_tau2_sd},
            "mu_prior_sd": float(mu_prior_sd), "tau_max": TAU_MAX, "points": POINTS,
            "initial": {"set": initial_set, "family": "half_normal", "scale": float(initial_scale)},
            "words": WORDS, "scale_range": list(SCALE_RANGE)}


def tau_prior_for(data: dict, family: str, scale: float) -> TauPrior:
    """The prior a setting of the dial means, as the package's TauPrior (for the tests and the text)."""
    if family == "lognormal_tau2":
        return TauPrior("Turner et al. log-normal", "lognormal_tau2", log_tau2_mean=data["turner"]["log_tau2_mean"],
                        log_tau2_sd=data["turner"]["log_tau2_sd"])
    if family not in ("half_normal", "half_cauchy"):
        raise ValueError(f"family must be half_normal, half_cauchy or lognormal_tau2, got {family!r}")
    return TauPrior(f"{family}({scale:g})", family, scale=float(scale))


class HeterogeneityDial(BrowserTool):
    """The heterogeneity dial of the Bayesian meta-analysis chapter."""

    default_id = "ips-tau-dial"

    def __repr__(self) -> str:
        return f"HeterogeneityDial({len(self.data['sets'])} trial sets)"


def dial_html(data: dict, dial_id: str = "ips-tau-dial", language: str = "en", glossary: str = "../book/glossary.html") -> str:
    """Labelled, keyboard-operable controls and an ``aria-live`` summary; hidden until the script runs."""
    labels = LABELS[language]
    sets = "".join(f'<label><input type="radio" name="{dial_id}-set" value="{s["key"]}"'
                   f'{" checked" if s["key"] == data["initial"]["set"] else ""}> {html.escape(s["label"] if language == "en" else s["label_nb"])}'
                   f' (k = {s["k"]})</label>'
                   for s in data["sets"])
    families = "".join(f'<label><input type="radio" name="{dial_id}-family" value="{f}"'
                       f'{" checked" if f == data["initial"]["family"] else ""}> {labels[f]}</label>'
                       for f in ("half_normal", "half_cauchy", "lognormal_tau2"))
    low, high = data["scale_range"]
    payload = json.dumps(data).replace("</", "<\\/")
    note = ("The dial needs JavaScript; the tables of this chapter give the same answers for the named priors."
            if language == "en" else "Skiven trenger JavaScript; tabellene i kapitlet gir de samme svarene.")
    return f"""<noscript><p class="ips-dial-note">{note}</p></noscript>
<section class="ips-dial ips-tau-dial" id="{dial_id}" lang="{language}" data-language="{language}" hidden
aria-label="{html.escape(labels['family'])}">
<script type="application/json" class="ips-tau-dial-data">{payload}</script>
<fieldset class="ips-tau-dial-sets"><legend>{labels['set']}</legend>{sets}</fieldset>
<fieldset class="ips-tau-dial-families"><legend>{labels['family']}</legend>{families}</fieldset>
<label class="ips-dial-row ips-tau-dial-scale-row">{labels['scale']} <output class="ips-tau-dial-scale-out"></output>
<input class="ips-tau-dial-scale" type="range" min="{low}" max="{high}" step="0.05" value="{data['initial']['scale']}"></label>
<p class="ips-dial-prior-text ips-tau-dial-prior-text"></p>
<p class="ips-dial-live ips-tau-dial-live" aria-live="polite"></p>
{terms_html(TERMS, language, glossary)}
</section>"""


HeterogeneityDial.render = staticmethod(dial_html)


def reference(data: dict, set_key: str, family: str, scale: float) -> dict:
    """What the script should show, from :func:`ipscompendium.general.exact.normal_normal_posterior`."""
    from ipscompendium.general.exact import normal_normal_posterior

    chosen = next(s for s in data["sets"] if s["key"] == set_key)
    prior = tau_prior_for(data, family, scale)
    post = normal_normal_posterior(np.array(chosen["y"]), np.sqrt(chosen["v"]), prior.logpdf, mu_prior_sd=data["mu_prior_sd"],
                                   tau_max=data["tau_max"], points=data["points"])
    from scipy.optimize import brentq

    sd = np.sqrt(post.mu_sd_given_tau**2 + post.tau**2)
    lo, hi = float(np.min(post.mu_mean_given_tau - 12 * sd)), float(np.max(post.mu_mean_given_tau + 12 * sd))
    new = [brentq(lambda x: post.predictive_cdf(x) - q, lo, hi) for q in (0.025, 0.975)]
    return {"rr": float(np.exp(post.mu_quantile(0.5))), "rr_low": float(np.exp(post.mu_quantile(0.025))),
            "rr_high": float(np.exp(post.mu_quantile(0.975))), "tau": post.tau_quantile(0.5), "tau_low": post.tau_quantile(0.025),
            "tau_high": post.tau_quantile(0.975), "new_low": float(np.exp(new[0])), "new_high": float(np.exp(new[1])),
            "p": 1 - post.mu_cdf(0.0), "p_new": 1 - post.predictive_cdf(0.0), "prior_median": prior.quantile(0.5)}
