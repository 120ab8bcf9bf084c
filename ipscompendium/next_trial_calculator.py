"""The next-trial calculator of the design chapter: choose a size per arm, an allocation, an
analysis prior and the decision rule's thresholds, and see the probability of success under
today's belief (assurance), the power and the type I error, with an operating-characteristic plot.

The numbers are computed in the reader's browser by ``_static/next_trial_calculator.js``, which
ports :mod:`ipscompendium.general.operating` (the success boundary on the shared lattice, then
sums of binomial probabilities). This module writes what the script reads: the analysis priors
as normal mixtures, the belief after the IPS in Pain trial, the range of control risks, the
defaults and the words in English and Norwegian, as one JSON block inside the calculator's HTML.
:func:`reference` computes the same numbers with the package, and
``tests/test_next_trial_calculator.py`` holds the script to it in V8.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

import numpy as np

from ipscompendium.dial import BrowserTool, terms_html
from ipscompendium.general import operating, trial_grid
from ipscompendium.general.priors import NormalMixturePrior

#: The true control risks of the plot and of the worst type I error: the design chapter's range.
CONTROL_RISKS = (0.05, 0.6, 45)
#: The sliders: (minimum, maximum, step).
SLIDERS = {
    "n_control": (10, 300, 10),
    "risk_control": (0.05, 0.6, 0.01),
    "odds_ratio": (1.2, 4.0, 0.1),
    "significance": (0.9, 0.995, 0.005),
    "relevant_or": (1.0, 2.5, 0.1),
}
#: IPS : usual care.
ALLOCATIONS = ((1.0, "1:1"), (1.5, "3:2"), (2.0, "2:1"))

WORDS = {
    "en": {
        "result": ("IPS {n_treatment}, usual care {n_control}, analysed with the {prior} prior; success when P(OR > 1) is at "
                   "least {significance} and the posterior median odds ratio at least {relevant_or}. Probability of success "
                   "under today's belief (assurance): {assurance}. Power if {risk_control} find work without IPS and the odds "
                   "ratio is {odds_ratio}: {power}. Type I error (success although IPS does nothing) at {risk_control}: "
                   "{alpha}; at most {alpha_max} (at {alpha_max_risk}) for true risks from {low} to {high}."),
        "sizes": "IPS {n_treatment}, usual care {n_control}",
        "key_power": "power at odds ratio {odds_ratio}",
        "x_axis": "true risk of work without IPS",
    },
    "nb": {
        "result": ("IPS {n_treatment}, vanlig oppfølging {n_control}, analysert med forhåndsantakelsen «{prior}»; suksess når "
                   "P(OR > 1) er minst {significance} og medianen av oddsratioen etterpå minst {relevant_or}. Sannsynlighet "
                   "for suksess ut fra det vi vet i dag (forventet teststyrke): {assurance}. Teststyrke hvis {risk_control} får jobb "
                   "uten IPS og oddsratioen er {odds_ratio}: {power}. Type I-feil (suksess selv om IPS ikke virker) ved "
                   "{risk_control}: {alpha}; høyst {alpha_max} (ved {alpha_max_risk}) når den sanne andelen uten IPS er "
                   "mellom {low} og {high}."),
        "sizes": "IPS {n_treatment}, vanlig oppfølging {n_control}",
        "key_power": "teststyrke ved oddsratio {odds_ratio}",
        "x_axis": "sann andel i jobb uten IPS",
    },
}
LABELS = {
    "en": {"name": "Next-trial calculator", "prior": "Analysis prior", "n_control": "Patients with usual care",
           "allocation": "Allocation, IPS : usual care", "risk_control": "Assumed share in work without IPS",
           "odds_ratio": "Odds ratio for the power", "significance": "Required P(OR > 1)",
           "relevant_or": "Relevant odds ratio (posterior median at least)", "key_alpha": "type I error (IPS does nothing)",
           "reference": "grey: one-sided {alpha}, and the assumed share",
           "plot": ("Probability of success against the true share in work without IPS, on a log scale from 0.001 to 1: "
                    "one solid line with circles for the power at the chosen odds ratio, one dashed line with squares "
                    "for the type I error; grey lines mark the nominal level and the assumed share."),
           "noscript": "The calculator needs JavaScript; the tables of this chapter give the same "
                                         "answers for {n} per arm."},
    "nb": {"name": "Kalkulator for neste studie", "prior": "Forhåndsantakelse i analysen",
           "n_control": "Pasienter med vanlig oppfølging", "allocation": "Fordeling, IPS : vanlig oppfølging",
           "risk_control": "Antatt andel i jobb uten IPS", "odds_ratio": "Oddsratio for teststyrken",
           "significance": "Krav til P(OR > 1)", "relevant_or": "Relevant oddsratio (medianen etterpå minst)",
           "key_alpha": "type I-feil (IPS virker ikke)", "reference": "grått: ensidig {alpha}, og den antatte andelen",
           "plot": ("Sannsynligheten for suksess mot den sanne andelen i jobb uten IPS, på logaritmisk skala fra 0,001 til 1: "
                    "en heltrukket linje med sirkler for teststyrken ved valgt oddsratio, en stiplet linje med kvadrater "
                    "for type I-feilen; grå linjer viser det nominelle nivået og den antatte andelen."),
           "noscript": "Kalkulatoren trenger JavaScript; tabellene i kapitlet gir de samme svarene for "
                                       "{n} per arm."},
}
#: The glossary terms the calculator's words use, linked under it: (term id, English, Norwegian).
TERMS = (("term-Assurance", "assurance", "assurance"), ("term-Statistical-power", "power", "teststyrke"),
         ("term-Type-I-error", "type I error", "type I-feil"), ("term-Prior", "prior", "forhåndsantakelse"),
         ("term-Operating-characteristics", "operating characteristics", "operasjonelle egenskaper"))


@dataclass(frozen=True)
class AnalysisPrior:
    """One preset: a prior on the log odds ratio, and a prior on the control arm's log-odds (``control``)
    or the package's centred baseline prior (``None``)."""

    key: str
    label_en: str
    label_nb: str
    colour: str
    effect: NormalMixturePrior
    control: NormalMixturePrior | None = None

    def log_prior(self) -> trial_grid.LogPrior:
        if self.control is None:
            return trial_grid.effect_prior(self.effect)
        return trial_grid.effect_prior_with_control(self.effect, self.control.logpdf)


#: Norwegian names of the book's analysis priors (the glossary's terms).
NORWEGIAN_NAMES = {"weakly informative": "svakt informativ", "sceptical": "skeptisk", "MAP": "MAP",
                   "robust MAP": "robust MAP", "borrowed control arm": "lånt kontrollarm"}


def presets_for(priors: dict[str, tuple[NormalMixturePrior, NormalMixturePrior | None]]) -> list[AnalysisPrior]:
    """The calculator's presets from the book's analysis priors: name -> (prior on the log odds ratio,
    prior on the control arm's log-odds or None), each drawn in its colour of ``style.PRIOR_LOOKS``."""
    from ipscompendium.style import prior_look

    unknown = sorted(set(priors) - set(NORWEGIAN_NAMES))
    if unknown:
        raise ValueError(f"no Norwegian name for the priors {unknown}")
    def colour(name):  # black follows the page's text colour, so that it shows in dark mode too
        value = prior_look(name).color
        return "currentColor" if value == "#000000" else value

    return [AnalysisPrior(name.split()[0].lower(), name, NORWEGIAN_NAMES[name], colour(name), effect, control)
            for name, (effect, control) in priors.items()]


def _mixture(prior: NormalMixturePrior) -> dict:
    return {"weights": [float(w) for w in prior.weights], "means": [float(m) for m in prior.means],
            "sds": [float(s) for s in prior.sds]}


def _prior_json(effect: NormalMixturePrior, control: NormalMixturePrior | None) -> dict:
    baseline = trial_grid.DEFAULT_BASELINE
    if control is None:
        if baseline.anchor != "centred":
            raise ValueError("the calculator's script knows the centred baseline prior only")
        return {"effect": _mixture(effect), "control": None, "baseline": {"mean": baseline.mean, "sd": baseline.sd}}
    return {"effect": _mixture(effect), "control": _mixture(control), "baseline": None}


def calculator_data(presets: list[AnalysisPrior], belief_effect: NormalMixturePrior, counts: dict, *, initial_preset: str,
                    risk_control: float, nominal_alpha: float, n_control: int = 100, allocation: float = 1.0,
                    odds_ratio: float = 2.0, significance: float = 0.975,
                    relevant_or: float = trial_grid.RELEVANT_ODDS_RATIO) -> dict:
    """What the script reads. ``belief_effect`` (on the log OR, with the centred baseline prior)
    updated by ``counts`` (``events_treatment``, ``n_treatment``, ``events_control``, ``n_control``:
    trials already run) is today's belief, over which assurance averages."""
    keys = [p.key for p in presets]
    if initial_preset not in keys:
        raise ValueError(f"initial_preset {initial_preset!r} is not one of {keys}")
    if allocation not in [a for a, _ in ALLOCATIONS]:
        raise ValueError(f"allocation must be one of {[a for a, _ in ALLOCATIONS]}, got {allocation}")
    missing = {"events_treatment", "n_treatment", "events_control", "n_control"} - set(counts)
    if missing:
        raise ValueError(f"counts needs {sorted(missing)}")
    low, high, number = CONTROL_RISKS
    return {
        "presets": [{"key": p.key, "label": {"en": p.label_en, "nb": p.label_nb}, "colour": p.colour,
                     "prior": _prior_json(p.effect, p.control)} for p in presets],
        "belief": {"prior": _prior_json(belief_effect, None), "counts": {k: int(counts[k]) for k in
                                                                          ("events_treatment", "n_treatment", "events_control", "n_control")}},
        "control_risks": [float(x) for x in np.linspace(low, high, number)],
        "nominal_alpha": float(nominal_alpha),
        "initial": {"preset": initial_preset, "n_control": int(n_control), "allocation": float(allocation),
                    "risk_control": round(float(risk_control), 2), "odds_ratio": float(odds_ratio),
                    "significance": float(significance), "relevant_or": float(relevant_or)},
        "words": WORDS,
    }


def _mixture_prior(name: str, mixture: dict) -> NormalMixturePrior:
    return NormalMixturePrior(name, tuple(mixture["weights"]), tuple(mixture["means"]), tuple(mixture["sds"]))


def _log_prior(prior: dict) -> trial_grid.LogPrior:
    effect = _mixture_prior("effect", prior["effect"])
    if prior["control"] is None:
        return trial_grid.effect_prior(effect, trial_grid.BaselinePrior(prior["baseline"]["sd"], prior["baseline"]["mean"]))
    return trial_grid.effect_prior_with_control(effect, _mixture_prior("control", prior["control"]).logpdf)


def reference(data: dict, settings: dict) -> dict:
    """What the script should show for ``settings`` (the keys of ``data["initial"]``), from
    :mod:`ipscompendium.general.operating`."""
    preset = next(p for p in data["presets"] if p["key"] == settings["preset"])
    n_control = int(settings["n_control"])
    n_treatment = int(np.floor(n_control * settings["allocation"] + 0.5))  # as the script's Math.round: halves go up
    rule = operating.dual_criterion(settings["significance"], settings["relevant_or"])
    boundary = operating.success_boundary(n_treatment, n_control, _log_prior(preset["prior"]), rule)
    counts = data["belief"]["counts"]
    belief = operating.updated_prior(_log_prior(data["belief"]["prior"]), counts["events_treatment"], counts["n_treatment"],
                                     counts["events_control"], counts["n_control"])
    risks = np.array(data["control_risks"])
    alphas = operating.type_one_error(boundary, risks)
    pc = settings["risk_control"]
    return {"n_treatment": n_treatment, "n_control": n_control, "fewest": [int(f) for f in boundary.fewest],
            "assurance": operating.assurance(boundary, belief),
            "power": float(operating.probability_of_success(boundary, operating.risk_with_odds_ratio(pc, settings["odds_ratio"]), pc)),
            "alpha": float(operating.type_one_error(boundary, pc)), "alpha_max": float(alphas.max()),
            "alpha_max_risk": float(risks[np.argmax(alphas)]),
            "curve_alpha": [float(a) for a in alphas],
            "curve_power": [float(p) for p in operating.probability_of_success(
                boundary, operating.risk_with_odds_ratio(risks, settings["odds_ratio"]), risks)]}


class NextTrialCalculator(BrowserTool):
    """The next-trial calculator of the design chapter."""

    default_id = "ips-next-trial"

    def __repr__(self) -> str:
        return f"NextTrialCalculator({len(self.data['presets'])} analysis priors)"


def _slider(name: str, label: str, value: float) -> str:
    low, high, step = SLIDERS[name]
    return (f'<label class="ips-dial-row">{label} <output class="ips-ntc-{name}-out"></output>'
            f'<input class="ips-ntc-{name}" type="range" min="{low}" max="{high}" step="{step}" value="{value}"></label>')


def calculator_html(data: dict, calculator_id: str = "ips-next-trial", language: str = "en",
                    glossary: str = "../book/glossary.html") -> str:
    """Labelled, keyboard-operable controls, the plot and an ``aria-live`` summary; hidden until the
    script runs. ``glossary`` is the glossary page's address from the page the calculator is on."""
    labels, initial = LABELS[language], data["initial"]
    presets = "".join(f'<label><input type="radio" name="{calculator_id}-preset" value="{p["key"]}"'
                      f'{" checked" if p["key"] == initial["preset"] else ""}> {html.escape(p["label"][language])}</label>'
                      for p in data["presets"])
    allocations = "".join(f'<label><input type="radio" name="{calculator_id}-allocation" value="{a:g}"'
                          f'{" checked" if a == initial["allocation"] else ""}> {text}</label>' for a, text in ALLOCATIONS)
    size = _slider("n_control", labels["n_control"], initial["n_control"])
    sliders = "".join(_slider(name, labels[name], initial[name]) for name in
                      ("risk_control", "odds_ratio", "significance", "relevant_or"))
    alpha = f"{data['nominal_alpha']:g}" if language == "en" else f"{data['nominal_alpha']:g}".replace(".", ",")
    payload = json.dumps(data).replace("</", "<\\/")
    return f"""<noscript><p class="ips-dial-note">{labels['noscript'].format(n=initial['n_control'])}</p></noscript>
<section class="ips-dial ips-ntc" id="{calculator_id}" lang="{language}" data-language="{language}" hidden
aria-label="{html.escape(labels['name'])}">
<script type="application/json" class="ips-ntc-data">{payload}</script>
<fieldset class="ips-ntc-presets"><legend>{labels['prior']}</legend>{presets}</fieldset>
{size}
<fieldset class="ips-ntc-allocations"><legend>{labels['allocation']}</legend>{allocations}</fieldset>
<p class="ips-ntc-sizes"></p>
{sliders}
<svg class="ips-ntc-plot" viewBox="0 0 340 200" role="img" aria-label="{html.escape(labels['plot'])}"></svg>
<p class="ips-dial-legend"><span class="ips-ntc-key-power-line">&#8212;&#9679; <span class="ips-ntc-key-power"></span></span>
<span class="ips-ntc-key-alpha-line">- -&#9632; {labels['key_alpha']}</span> <span class="ips-ntc-key-reference">{labels['reference'].format(alpha=alpha)}</span></p>
<p class="ips-dial-live ips-ntc-live" aria-live="polite"></p>
{terms_html(TERMS, language, glossary)}
</section>"""


NextTrialCalculator.render = staticmethod(calculator_html)


#: The design chapter's choices: the registry's weight in the borrowed control arm's robust prior,
#: the odds ratio a sceptic doubts (5% of the sceptical prior's mass above it), the one-sided level a
#: confirmatory trial is held to, and the follow-up the next trial is planned for.
REGISTRY_WEIGHT = 0.8
SCEPTICAL_ANCHOR_OR = 2.0
#: Patients per arm of the multicentre trial the report recommends: the chapter's curves, its
#: exercise on borrowing and the calculator's opening size.
DESIGN_N_PER_ARM = 100
NOMINAL_ALPHA = 0.025
MONTHS = 12


def registry_counts() -> tuple[float, int]:
    """The registry's historical control arm: (employed, n) at 12 months, from its reported share."""
    from ipscompendium import data

    n = int(data.reported_value("historical_control_n"))
    return data.reported_value("historical_control_pct_employed_12m") / 100 * n, n


def book_priors() -> dict[str, tuple[NormalMixturePrior, NormalMixturePrior | None]]:
    """The design chapter's five analysis priors: name -> (prior on the log OR, prior on the control
    arm's log-odds or None for the centred baseline prior)."""
    from ipscompendium.general import priors
    from ipscompendium.general.historical import robust_control_prior
    from ipscompendium.map_prior import load_map_prior

    map_prior = load_map_prior()
    weak = priors.weakly_informative_prior()
    return {"weakly informative": (weak, None),
            "sceptical": (priors.sceptical_prior(float(np.log(SCEPTICAL_ANCHOR_OR))), None),
            "MAP": (map_prior, None),
            "robust MAP": (priors.robustify(map_prior, priors.ROBUST_WEIGHT), None),
            "borrowed control arm": (weak, robust_control_prior(*registry_counts(), REGISTRY_WEIGHT))}


def book_calculator_data() -> dict:
    """The calculator of the design chapter: the five analysis priors, and today's belief, the robust
    MAP prior updated by the IPS in Pain trial at 12 months; it opens at that trial's control share."""
    from ipscompendium import data

    analysis = book_priors()
    follow_up = data.load_employment().set_index("timepoint_months").loc[MONTHS]
    counts = {"events_treatment": follow_up.employed_ips, "n_treatment": follow_up.n_ips,
              "events_control": follow_up.employed_control, "n_control": follow_up.n_control}
    return calculator_data(presets_for(analysis), analysis["robust MAP"][0], counts, initial_preset="weakly",
                           risk_control=float(follow_up.employed_control / follow_up.n_control), nominal_alpha=NOMINAL_ALPHA,
                           n_control=DESIGN_N_PER_ARM)
