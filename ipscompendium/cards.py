"""Answer cards: out of 100 people, how many had work (as each study measured it) with usual services and with IPS,
as icon arrays (Galesic, Garcia-Retamero & Gigerenzer 2009) with the 95% range marked.

A card is HTML and CSS (styled by the book's ``_static/ips.css``): it reflows on a phone, its
text is real text, and each array carries a sentence for screen readers. Filled and hollow icons
tell "in work" from "not in work", and a dashed ring marks the icons inside the 95% range, so
nothing is told by colour alone.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ipscompendium import report
from ipscompendium.report import Estimate

WORDS = {
    "en": {"range": "95% range", "not": "did not", "ring": "thick dashed edge: inside the 95% range", "to": "to"},
    "no": {"range": "95\u00a0%-intervall", "not": "hadde ikke", "ring": "tykk stiplet kant: innenfor 95\u00a0%-intervallet",
           "to": "til"},
}

#: The outcome as each study measured it (English, Norwegian): what a filled icon means.
OUTCOMES = {
    # most meta-analysis trials: any competitive employment at any time during the follow-up
    "competitive employment": {"en": "had a competitive job during follow-up", "no": "hadde ordinær jobb i oppfølgingstiden"},
    # IPS in Pain's primary endpoint: ordinary paid work, at least one day, during the follow-up period
    "paid work, at least one day": {"en": "had paid work (at least one day) since the start",
                                    "no": "hadde lønnet arbeid (minst én dag) siden start"},
}


def _outcome_words(outcome: str, language: str) -> dict[str, str]:
    phrase = OUTCOMES[outcome][language]
    words = dict(WORDS[language])
    if language == "no":
        words.update({"of": f"av 100 {phrase}", "in_work": phrase, "array": f"{{n}} av 100 personer {phrase}; "
                      "95\u00a0%-intervallet er {low} til {high}."})
    else:
        words.update({"of": f"out of 100 {phrase}", "in_work": phrase, "array": f"{{n}} of 100 people {phrase}; "
                      "the 95% range is {low} to {high}."})
    return words


@dataclass(frozen=True)
class ArmOutcome:
    """One group's risk of being in work, with its 95% interval (all on the 0-1 scale)."""

    label: str
    risk: Estimate

    def per_100(self) -> tuple[int, int, int]:
        """Whole people out of 100: the middle estimate and the 95% range."""
        clip = lambda p: int(round(100 * min(max(p, 0.0), 1.0)))  # noqa: E731
        return clip(self.risk.value), clip(self.risk.low), clip(self.risk.high)


@dataclass(frozen=True)
class AnswerRow:
    """One comparison: a heading ("At 12 months"), its groups, and a sentence under it."""

    heading: str
    arms: tuple[ArmOutcome, ...]
    note: str = ""


@dataclass(frozen=True)
class AnswerCard:
    title: str
    rows: tuple[AnswerRow, ...]
    footnote: str = ""
    language: str = "en"
    outcome: str = "competitive employment"

    def to_html(self) -> str:
        words = _outcome_words(self.outcome, self.language)
        rows = "".join(_row_html(row, words) for row in self.rows)
        legend = (f'<p class="answer-legend"><span class="icon in-work"></span> {words["in_work"]} '
                  f'<span class="icon"></span> {words["not"]} '
                  f'<span class="icon in-range"></span> {words["ring"]}</p>')
        footnote = f'<p class="answer-footnote">{html.escape(self.footnote)}</p>' if self.footnote else ""
        # the key comes before the arrays, so that a reader on a phone meets it first
        return (f'<figure class="answer-card" lang="{_html_language(self.language)}"><figcaption class="answer-title">'
                f'{html.escape(self.title)}</figcaption>{legend}{rows}{footnote}</figure>')

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.title


def _html_language(language: str) -> str:
    """The HTML language tag: Norwegian Bokmål is 'nb' (BCP 47), which screen readers know."""
    return {"no": "nb"}.get(language, language)


def icon_array_html(n: int, low: int, high: int, words: dict) -> str:
    """A 10 x 10 array: ``n`` filled icons; the icons numbered low+1 .. high carry a dashed ring."""
    icons = []
    for i in range(100):
        classes = ["icon"]
        if i < n:
            classes.append("in-work")
        if low <= i < high:
            classes.append("in-range")
        icons.append(f'<span class="{" ".join(classes)}"></span>')
    label = words["array"].format(n=n, low=low, high=high)
    return f'<div class="icon-array" role="img" aria-label="{html.escape(label)}">{"".join(icons)}</div>'


def _row_html(row: AnswerRow, words: dict) -> str:
    arms = []
    for arm in row.arms:
        n, low, high = arm.per_100()
        interval = "" if low == high else f'<span class="answer-range">{words["range"]} {low} {words["to"]} {high}</span>'
        arms.append(f'<div class="answer-arm"><div class="answer-arm-label">{html.escape(arm.label)}</div>'
                    f'{icon_array_html(n, low, high, words)}'
                    f'<div class="answer-count"><strong>{n}</strong> {words["of"]}{interval}</div></div>')
    note = f'<p class="answer-note">{html.escape(row.note)}</p>' if row.note else ""
    heading = f'<div class="answer-heading">{html.escape(row.heading)}</div>' if row.heading else ""
    return f'<div class="answer-row">{heading}<div class="answer-arms">{"".join(arms)}</div>{note}</div>'


def meta_analysis_card(control_risk: float, pooled_rr: Estimate, new_setting_rr: Estimate, p_new_setting_helps: float,
                       population: str, language: str = "en") -> AnswerCard:
    """The trials of the meta-analysis: usual services at the reference control risk, IPS at the
    pooled risk ratio, and IPS in a new setting at the risk ratio predicted for a new trial.
    ``population`` names who the trials studied (``trial_sets.population_label``), in ``language``."""
    no = language == "no"
    fixed = Estimate(control_risk, control_risk, control_risk)
    pooled, new = pooled_rr.scaled(control_risk), new_setting_rr.scaled(control_risk)
    p_text = report.percent_of_probability(p_new_setting_helps, no)
    if no:
        title = f"{population[0].upper() + population[1:]}: av 100 personer, hvor mange fikk ordinær jobb i oppfølgingstiden?"
        arms = (ArmOutcome("Vanlig arbeidsrettet rehabilitering", fixed), ArmOutcome("IPS, i gjennomsnitt", pooled),
                ArmOutcome("IPS i en ny setting", new))
        note = f"Sannsynligheten for at IPS hjelper (uansett hvor mye) i en ny setting: {p_text}."
        foot = "Kontrollrisikoen er medianen i studiene; IPS-tallene er den samlede og den predikerte effekten ved den."
    else:
        title = f"{population[0].upper() + population[1:]}: out of 100 people, how many had a competitive job during follow-up?"
        arms = (ArmOutcome("Usual services", fixed), ArmOutcome("IPS, on average", pooled),
                ArmOutcome("IPS in a new setting", new))
        note = f"Probability that IPS helps (by any amount) in a new setting: {p_text}."
        foot = "Usual services at the trials' median control risk; IPS at the pooled and at the predicted effect."
    return AnswerCard(title, (AnswerRow("", arms, note),), foot, language, "competitive employment")


def pain_trial_card(timepoints: list[tuple[int, Estimate, Estimate, float, float]], prior_label: str, n_patients: int,
                    language: str = "en", relevant_points: int = 10) -> AnswerCard:
    """Chronic pain: per follow-up, the share in work in each arm with its 95% range, P(IPS better) by
    any amount and P(IPS better by more than ``relevant_points`` percentage points).

    ``timepoints``: (months, control risk, IPS risk, P(IPS better), P(gain > relevant_points)); each
    risk's value is what the trial observed, its interval the posterior 95% range.
    """
    no = language == "no"
    rows = []
    for months, control, ips, p_better, p_relevant in timepoints:
        p_text, r_text = report.percent_of_probability(p_better, no), report.percent_of_probability(p_relevant, no)
        if no:
            rows.append(AnswerRow(f"Etter {months} måneder", (ArmOutcome("Vanlig oppfølging", control), ArmOutcome("IPS", ips)),
                                  f"Sannsynlighet for at IPS er bedre (uansett hvor mye): {p_text}; "
                                  f"med mer enn {relevant_points} prosentpoeng: {r_text}"))
        else:
            rows.append(AnswerRow(f"At {months} months", (ArmOutcome("Usual care", control), ArmOutcome("IPS", ips)),
                                  f"Probability that IPS is better (by any amount): {p_text}; "
                                  f"by more than {relevant_points} percentage points: {r_text}"))
    if no:
        title = (f"Langvarige smerter (IPS in Pain, {n_patients} pasienter): av 100 pasienter, hvor mange hadde hatt "
                 "lønnet arbeid (minst én dag)?")
        foot = (f"Fylte prikker: det studien observerte. Intervallene: bayesiansk analyse med {prior_label} "
                "forhåndsantakelse; de er brede fordi studien er liten.")
    else:
        title = (f"Chronic pain (IPS in Pain, {n_patients} patients): out of 100 patients, how many had had paid work "
                 "(at least one day)?")
        foot = (f"Filled icons: what the trial observed. Ranges: Bayesian analysis with the {prior_label} prior; "
                "they are wide because the trial is small.")
    return AnswerCard(title, tuple(rows), foot, language, "paid work, at least one day")


def pain_trial_card_from_summary(summary, prior_name: str, prior_label: str, n_patients: int, language: str = "en",
                                 relevant_points: int = 10, observed=None) -> AnswerCard:
    """:func:`pain_trial_card` from :func:`trial_models.exact_table`'s rows for one prior.

    ``observed``: the employment table (``timepoint_months``, ``employed_ips``, ``n_ips``,
    ``employed_control``, ``n_control``). When given, each arm shows the share the trial observed,
    the number the text gives, with the posterior 95% range around it; otherwise the posterior median.
    """
    rows = summary[summary["prior"] == prior_name].sort_values("timepoint_months")
    if rows.empty:
        raise KeyError(f"no rows for the prior {prior_name!r}")
    seen = None if observed is None else observed.set_index("timepoint_months")

    def middle(r, arm: str, median: float) -> float:
        if seen is None:
            return median
        events, n = {"control": ("employed_control", "n_control"), "ips": ("employed_ips", "n_ips")}[arm]
        return float(seen.loc[r.timepoint_months, events] / seen.loc[r.timepoint_months, n])

    points = [(int(r.timepoint_months), Estimate(middle(r, "control", r.p_control_median), r.p_control_low, r.p_control_high),
               Estimate(middle(r, "ips", r.p_treatment_median), r.p_treatment_low, r.p_treatment_high), float(r.p_benefit),
               float(r.p_relevant_rd))
              for r in rows.itertuples()]
    return pain_trial_card(points, prior_label, n_patients, language, relevant_points)
