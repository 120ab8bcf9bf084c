"""The ``ipscompendium`` command line: the book's methods on anyone's two-arm trials.

    ipscompendium trial --treatment 14/38 --control 5/20        one trial, exact posterior
    ipscompendium meta TRIALS.csv                               a random-effects meta-analysis
    ipscompendium map TRIALS.csv --out map.json                 a MAP prior for the next trial

Exit codes: 0 on success, 2 on bad input (one line per problem naming the file, the line, the
column and the rule; never a traceback). Heavy libraries are imported only on the paths that need them, so
``trial`` answers in well under a second.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXAMPLES = {"bcg": "bcg.csv", "normand": "normand.csv"}
#: How many of a file's problems the command line lists before it says how many more there are.
MAX_PROBLEMS_SHOWN = 10


class UsageError(ValueError):
    """Bad input on the command line itself (not in a file)."""


# ---------------------------------------------------------------------------------------------
# helpers

def _example_path(name: str) -> Path:
    from importlib.resources import files

    if name not in EXAMPLES:
        raise UsageError(f"no example called {name!r}; examples: {', '.join(EXAMPLES)}")
    return Path(str(files("ipscompendium.examples").joinpath(EXAMPLES[name])))


def _trials_path(args) -> Path:
    if args.example and args.trials:
        raise UsageError(f"give a CSV file ({args.trials}) or --example {args.example}, not both")
    if args.example:
        return _example_path(args.example)
    if args.trials is None:
        raise UsageError("give a CSV file of trials, or --example bcg")
    return Path(args.trials)


def _shown_source(args, path: Path) -> str:
    """Where the trials came from, as the output shows it: the example's name (not the installed
    package's folder on this machine), or the path the user gave."""
    return f"the {args.example} example" if getattr(args, "example", None) else str(path)


def _trials_and_tau_prior(args):
    """The checked trial table and the prior on tau that `meta` and `map` share."""
    from ipscompendium.general.tau_priors import parse_tau_prior
    from ipscompendium.general.trial_table import read_trials

    path = _trials_path(args)
    trials = read_trials(path)
    try:
        tau_prior = parse_tau_prior(args.tau_prior) if args.tau_prior else None
    except ValueError as error:
        raise UsageError(f"--tau-prior: {error}") from None
    return path, trials, tau_prior


def parse_tau_prior_default():
    """The book's default prior on tau, half-normal(0.5), for `map` (which pools log odds ratios)."""
    from ipscompendium.general.meta_analysis import DEFAULT_TAU_PRIOR

    return DEFAULT_TAU_PRIOR


def _interval(value: float, low: float, high: float) -> dict[str, float]:
    return {"estimate": float(value), "ci_low": float(low), "ci_high": float(high)}


def _fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace("-", "\u2212")


def _prob(p: float) -> str:
    from ipscompendium.report import probability_text

    return probability_text(float(p), decimals=3)


def _p_value(p: float) -> str:
    """'p < 0.001' or 'p = 0.464'."""
    from ipscompendium.report import p_value_text

    text = p_value_text(float(p))
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# priors from the command line

def parse_effect_prior(text: str):
    """weak | sceptical[:OR] | enthusiastic:OR | normal:MEAN,SD | map:FILE -> a prior on the log-OR."""
    import numpy as np

    from ipscompendium.general import priors

    kind, _, value = text.partition(":")
    try:
        if kind == "weak" and not value:
            return priors.weakly_informative_prior()
        if kind == "sceptical":
            anchor = float(value) if value else 2.0
            if anchor <= 1:
                raise UsageError(f"--prior {text}: the sceptic's odds ratio must exceed 1")
            return priors.sceptical_prior(float(np.log(anchor)))
        if kind == "enthusiastic" and value:
            anchor = float(value)
            if anchor <= 1:
                raise UsageError(f"--prior {text}: the enthusiast's odds ratio must exceed 1")
            return priors.enthusiastic_prior(float(np.log(anchor)))
        if kind == "normal" and value:
            if value.count(",") != 1:
                raise UsageError(f"--prior {text}: normal:MEAN,SD needs two numbers, for example normal:0,1")
            mean, sd = (float(x) for x in value.split(","))
            if sd <= 0:
                raise UsageError(f"--prior {text}: the SD must be positive")
            return priors.normal_prior(f"N({mean:g}, {sd:g}^2) on the log-OR", mean, sd)
        if kind == "map" and value:
            return read_map_file(Path(value), expected_scale="log_or")
    except ValueError as error:
        if isinstance(error, UsageError):
            raise
        raise UsageError(f"--prior {text}: {error}") from None
    raise UsageError(f"--prior {text}: use weak, sceptical[:OR], enthusiastic:OR, normal:MEAN,SD or map:FILE")


def parse_control_prior(text: str):
    """beta:A,B | logit-normal:MEAN,SD | map:FILE -> a log density on the control arm's log-odds."""
    from ipscompendium.general import trial_grid

    kind, _, value = text.partition(":")
    try:
        if kind == "beta" and value:
            a, b = (float(x) for x in value.split(","))
            return trial_grid.beta_control_prior(a, b), f"Beta({a:g}, {b:g}) on the control risk"
        if kind == "logit-normal" and value:
            mean, sd = (float(x) for x in value.split(","))
            return trial_grid.logit_normal_control_prior(mean, sd), f"N({mean:g}, {sd:g}^2) on the control log-odds"
        if kind == "map" and value:
            prior = read_map_file(Path(value), expected_scale="control_logit")
            return prior.logpdf, f"MAP prior on the control log-odds ({prior.describe()})"
    except ValueError as error:
        if isinstance(error, UsageError):
            raise
        raise UsageError(f"--control-prior {text}: {error}") from None
    raise UsageError(f"--control-prior {text}: use beta:A,B, logit-normal:MEAN,SD or map:FILE")


def read_map_file(path: Path, expected_scale: str):
    from ipscompendium.general.priors import NormalMixturePrior

    try:
        content = json.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}, line {error.lineno}: not a MAP file written by `ipscompendium map` ({error.msg})") from None
    for key in ("scale", "weights", "means", "sds"):
        if key not in content:
            raise UsageError(f"{path}: not a MAP file written by `ipscompendium map` (no '{key}')")
    if content["scale"] != expected_scale:
        option = "--control-prior" if content["scale"] == "control_logit" else "--prior"
        raise UsageError(f"{path}: this MAP prior is on the {content['scale']} scale; use it with {option} map:{path}")
    return NormalMixturePrior(content.get("name", "MAP"), tuple(content["weights"]), tuple(content["means"]), tuple(content["sds"]))


# ---------------------------------------------------------------------------------------------
# trial

def run_trial(args) -> dict:
    import numpy as np

    from ipscompendium.general import trial_grid
    from ipscompendium.general.trial_table import parse_arm

    try:
        events_t, n_t = parse_arm(args.treatment)
        events_c, n_c = parse_arm(args.control)
    except ValueError as error:
        raise UsageError(str(error)) from None
    effect = parse_effect_prior(args.prior)
    if args.control_prior:
        control_density, control_text = parse_control_prior(args.control_prior)
        log_prior = trial_grid.effect_prior_with_control(effect, control_density)
    else:
        log_prior = trial_grid.effect_prior(effect)
        control_text = trial_grid.DEFAULT_BASELINE.describe()
    grid = trial_grid.posterior_grid(events_t, n_t, events_c, n_c, log_prior)
    sign = 1.0 if args.benefit == "higher" else -1.0
    p_benefit = grid.prob_log_or_above(0.0) if sign > 0 else 1 - grid.prob_log_or_above(0.0)
    threshold = args.threshold_rd
    p_rd = grid.prob_rd_above(threshold) if sign > 0 else float(grid.weight[grid.risk_difference < -threshold].sum())
    log_or = grid.quantiles(grid.log_or, [0.5, 0.025, 0.975])
    rd = grid.quantiles(grid.risk_difference, [0.5, 0.025, 0.975])
    result = {
        "treatment": {"events": events_t, "n": n_t}, "control": {"events": events_c, "n": n_c},
        "prior": effect.describe() if effect.name.startswith("N(") else f"{effect.name}: {effect.describe()} on the log-OR",
        "control_prior": control_text, "benefit": args.benefit, "method": "exact grid",
        "prob_benefit": float(p_benefit),
        "rd_threshold": threshold if sign > 0 else -threshold, "prob_rd_above": float(p_rd),
        "or": _interval(*np.exp(log_or)), "rd": _interval(*rd),
    }
    if args.randomised:
        result["missing"] = _missing_outcomes(args.randomised, (events_t, n_t), (events_c, n_c), log_prior, sign)
    return result


def _missing_outcomes(text: str, treatment: tuple[int, int], control: tuple[int, int], log_prior, sign: float) -> dict:
    """Intention to treat when outcomes are missing: best and worst cases, the tipping-point table and
    the IMOR model (SD 1 and 2), on the randomised denominators; see ipscompendium.general.missing."""
    from ipscompendium.general import missing

    try:
        n_rand_t, n_rand_c = (int(part) for part in text.split(","))
        arms = [missing.Arm(e, n, r) for (e, n), r in ((treatment, n_rand_t), (control, n_rand_c))]
    except ValueError:
        raise UsageError(f"--randomised {text}: give the randomised numbers as NT,NC, each at least the analysed number") from None
    if sign < 0:  # fewer events is better: the events are the bad outcome, so count the good one instead
        arms = [missing.Arm(a.analysed - a.events, a.analysed, a.randomised) for a in arms]
        log_prior = (lambda base: (lambda c, t: base(-c, -t)))(log_prior)
    treatment_arm, control_arm = arms
    cases = missing.bounds(treatment_arm, control_arm, log_prior)
    tipping = missing.tipping_point(treatment_arm, control_arm, log_prior)
    return {
        "randomised": {"treatment": n_rand_t, "control": n_rand_c},
        "missing": {"treatment": treatment_arm.missing, "control": control_arm.missing},
        "best_case": {"prob_benefit": cases["best case"]["p_benefit"]},
        "worst_case": {"prob_benefit": cases["worst case"]["p_benefit"]},
        "tipping_point": [{"treatment_missing_better": int(r[1]), "control_missing_better": int(r[2]), "prob_benefit": float(r.p_benefit)}
                          for r in tipping.itertuples()],
        "imor": [{"sd": sd, "prob_benefit": missing.imor(treatment_arm, control_arm, log_prior, sd)["p_benefit"]} for sd in (1.0, 2.0)],
        # departures that differ by arm (White, Higgins & Wood 2008): the missing treatment patients with half
        # (a third) the odds of the better outcome of those observed, the missing controls with twice (three times)
        "imor_against_treatment": [
            {"imor_treatment": s.treatment, "imor_control": s.control,
             "prob_benefit": missing.imor_scenario(treatment_arm, control_arm, log_prior, s)["p_benefit"]}
            for s in (missing.ImorScenario("1/2 vs 2", 0.5, 2.0), missing.ImorScenario("1/3 vs 3", 1 / 3, 3.0))],
    }


def print_trial(result: dict) -> None:
    t, c = result["treatment"], result["control"]
    better = "fewer events" if result["benefit"] == "lower" else "more events"
    beyond = ("RD < " if result["benefit"] == "lower" else "RD > ") + _fmt(result["rd_threshold"])
    print(f"Treatment {t['events']}/{t['n']} vs control {c['events']}/{c['n']} (exact posterior on a grid)")
    print(f"  prior on the effect:  {result['prior']}")
    print(f"  prior on the control: {result['control_prior']}")
    o, r = result["or"], result["rd"]
    print(f"  odds ratio:           {_fmt(o['estimate'])} (95% CrI {_fmt(o['ci_low'])} to {_fmt(o['ci_high'])})")
    print(f"  risk difference:      {_fmt(r['estimate'], 3)} (95% CrI {_fmt(r['ci_low'], 3)} to {_fmt(r['ci_high'], 3)})")
    print(f"  P(treatment better, {better}): {_prob(result['prob_benefit'])}")
    print(f"  P({beyond}):          {_prob(result['prob_rd_above'])}")
    if "missing" in result:
        m = result["missing"]
        print(f"  missing outcomes: {m['missing']['treatment']} (treatment) and {m['missing']['control']} (control) of "
              f"{m['randomised']['treatment']} and {m['randomised']['control']} randomised")
        print(f"    P(treatment better) worst case {_prob(m['worst_case']['prob_benefit'])}, best case "
              f"{_prob(m['best_case']['prob_benefit'])}; IMOR centred on 1, SD 1: {_prob(m['imor'][0]['prob_benefit'])}, "
              f"SD 2: {_prob(m['imor'][1]['prob_benefit'])}")
        a, b = m["imor_against_treatment"]
        print(f"    against treatment (IMOR 1/2 vs 2): {_prob(a['prob_benefit'])}; (1/3 vs 3): {_prob(b['prob_benefit'])} "
              "(the tipping-point table is in --json)")


# ---------------------------------------------------------------------------------------------
# meta

def run_meta(args) -> dict:
    """Parse, call :func:`ipscompendium.general.meta_analysis.meta_analysis`, add the MCMC fit if asked."""
    from ipscompendium.general import meta_analysis as engine
    from ipscompendium.general.measures import get_measure, measures_for

    path, trials, tau_prior = _trials_and_tau_prior(args)
    layout = engine.layout_of_table(trials)
    measure = get_measure(args.measure or {"binary": "rr", "continuous": "md", "generic": "generic"}[layout])
    if measure.data != layout:
        raise UsageError(f"--measure {measure.key}: {_shown_source(args, path)} holds {layout} trials; use --measure "
                         + " or ".join(measures_for(layout)))
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise UsageError(f"--out {args.out}: is a file; give a folder (it is created if missing)")
    if args.mcmc and measure.key != "or":
        raise UsageError("--mcmc fits the binomial-normal model on the log odds ratio: use it with --measure or")
    try:
        analysis = engine.meta_analysis(
            trials, measure, level=args.level, test=args.test, prediction=args.prediction_interval,
            tau_prior=tau_prior if args.tau_prior else None, benefit=args.benefit, moderators=tuple(args.moderator or ()),
            leave_one_out=args.leave_one_out, cumulative=args.cumulative, source=_shown_source(args, path))
    except engine.MetaAnalysisError as error:
        raise UsageError(_option_error(error)) from None
    result = analysis.to_dict()
    if args.mcmc:
        used = analysis.trials
        result["bayes_binomial_normal"] = _binomial_normal(used, analysis.bayes.tau_prior, args, measure.back,
                                                           1.0 if args.benefit == "higher" else -1.0)
    if args.out:
        _write_meta_outputs(result, Path(args.out), analysis)
    return result


def _option_error(error) -> str:
    """An engine's complaint about an argument, in the command line's words (its option)."""
    if error.argument == "trials":
        return f"{error.value}: {error.rule}"
    option = "--" + error.argument.replace("_", "-").replace("prediction", "prediction-interval")
    shown = "" if isinstance(error.value, bool) else f" {error.value:g}" if isinstance(error.value, float) else f" {error.value}"
    return f"{option}{shown}: {error.rule}"


def _binomial_normal(trials, tau_prior, args, back, sign) -> dict:
    _progress("sampling the binomial-normal model (PyMC + nutpie; about 10-20 s the first time) ...")
    import numpy as np

    from ipscompendium.general import bayes_meta, sampling

    idata = sampling.sample(bayes_meta.binomial_normal_model(trials, tau_prior), seed=args.seed, target_accept=0.95,
                            label="binomial-normal (ipscompendium meta --mcmc)")
    gate = sampling.diagnostics(idata)
    mu, theta_new, tau = (sampling.draws_of(idata, n) for n in ("mu", "theta_new", "tau"))
    q = lambda x: np.quantile(x, [0.5, 0.025, 0.975])  # noqa: E731
    return {**_interval(*back(q(mu))), "tau2": float(np.median(tau) ** 2),
            "prediction_low": float(back(np.quantile(theta_new, 0.025))), "prediction_high": float(back(np.quantile(theta_new, 0.975))),
            "prob_benefit": float(np.mean(sign * mu > 0)), "diagnostics": {"max_rhat": gate.max_rhat, "min_ess_bulk": gate.min_ess_bulk,
                                                                        "min_ess_tail": gate.min_ess_tail, "divergences": gate.divergences}}


def _write_meta_outputs(result: dict, out: Path, analysis=None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    out.mkdir(parents=True, exist_ok=True)
    from ipscompendium.plots import meta_forest_figure

    figure = meta_forest_figure(result)
    for suffix in ("png", "svg"):
        figure.savefig(out / f"forest.{suffix}", bbox_inches="tight")
    if analysis is not None and analysis.k >= 3:
        from ipscompendium.plots import funnel_plot

        funnel = funnel_plot(analysis, phone=False).figure
        for suffix in ("png", "svg"):
            funnel.savefig(out / f"funnel.{suffix}", bbox_inches="tight")
    (out / "report.md").write_text(meta_markdown(result))
    (out / "result.json").write_text(json.dumps(result, indent=2))


def meta_markdown(result: dict) -> str:
    from ipscompendium.general.measures import get_measure

    name = get_measure(result["measure"]).name
    name = name[0].upper() + name[1:]
    lines = [f"# Meta-analysis of {result['k']} trials ({result['file']})", "", "![Forest plot](forest.svg)", "",
             f"| Method | {name} | {100 * result['level']:g}% interval | {100 * result['level']:g}% prediction interval | tau² |", "|---|---|---|---|---|"]
    for key, label in (("ee", "Common effect (inverse variance)"), ("mh", "Common effect (Mantel-Haenszel)"),
                       ("peto", "Common effect (Peto)"), ("dl", "DerSimonian-Laird"), ("reml", "REML"),
                       ("pm", "Paule-Mandel"), ("bayes", "Bayesian normal-normal (exact)")):
        if key not in result:
            continue
        r = result[key]
        prediction = ("none" if key in ("ee", "mh", "peto") else "not defined (2 trials, t)" if r["prediction_low"] is None
                      else f"{_fmt(r['prediction_low'], 3)} to {_fmt(r['prediction_high'], 3)}")
        lines.append(f"| {label} | {_fmt(r['estimate'], 3)} | {_fmt(r['ci_low'], 3)} to {_fmt(r['ci_high'], 3)} | "
                     f"{prediction} | {_fmt(r['tau2'], 4)} |")
    b = result["bayes"]
    h = result["heterogeneity"]
    lines += ["", f"Heterogeneity: Q = {h['q']:.2f}, df = {h['df']}, {_p_value(h['p_value'])}. Intervals at "
                  f"{100 * result['level']:g}%; test of the pooled effect: {result['test']}. Prediction intervals: DL, REML and "
                  f"PM {result['prediction_interval']}; Bayes, the posterior predictive."]
    lines += ["", f"P(benefit, {result['benefit']} is better): {_prob(b['prob_benefit'])} for the pooled effect, "
                  f"{_prob(b['prob_benefit_new_trial'])} in a new trial (prior on tau: {b['tau_prior']})."]
    if "subgroups" in result:
        lines += ["", f"| Subgroup | Trials | {name}, DL (95% CI) | {name}, Bayes (95% CrI) | P(benefit) |", "|---|---|---|---|---|"]
        for g in result["subgroups"]["groups"]:
            if "dl" in g:
                d, b = g["dl"], g["bayes"]
                lines.append(f"| {g['subgroup']} | {g['k']} | {_fmt(d['estimate'], 3)} ({_fmt(d['ci_low'], 3)} to {_fmt(d['ci_high'], 3)}) | "
                             f"{_fmt(b['estimate'], 3)} ({_fmt(b['ci_low'], 3)} to {_fmt(b['ci_high'], 3)}) | {_prob(b['prob_benefit'])} |")
            else:
                lines.append(f"| {g['subgroup']} | 1 | not pooled | not pooled | — |")
        if "difference" in result["subgroups"]:
            t = result["subgroups"]["difference"]
            lines.append(f"\nTest for subgroup differences: Q = {t['q']:.2f}, df = {t['df']}, {_p_value(t['p_value'])}.")
    if "regression" in result:
        g = result["regression"]
        lines += ["", "| Moderator | Slope, REML (SE) | Slope, DL (SE) | Slope, Bayes (95% CrI) | P(slope < 0) |", "|---|---|---|---|---|"]
        for m in g["moderators"]:
            r, d, b = g["reml"], g["dl"], g["bayes"]["slopes"][m]
            lines.append(f"| {m} | {_fmt(r['coef'][m], 4)} ({_fmt(r['se'][m], 4)}) | {_fmt(d['coef'][m], 4)} ({_fmt(d['se'][m], 4)}) | "
                         f"{_fmt(b['estimate'], 4)} ({_fmt(b['ci_low'], 4)} to {_fmt(b['ci_high'], 4)}) | {_prob(b['prob_negative'])} |")
        lines.append(f"\nSlopes on the log scale, per unit of each moderator. Residual tau² {_fmt(g['reml']['tau2'], 4)} (REML); "
                     f"test of moderators QM = {g['reml']['qm']:.2f}, {_p_value(g['reml']['qm_p'])}; R² {g['reml']['r2']:.0%}.")
    lines += _sensitivity_lines(result, name, markdown=True)
    if "small_study" in result:
        short = get_measure(result["measure"]).abbreviation
        lines += ["", _small_study_line(result["small_study"], short)]
        lines += ["", "![Contour-enhanced funnel plot](funnel.svg)", ""] + _trim_and_influence_lines(result, short)
    if result["excluded_double_zero"]:
        lines.append(f"Left out (no events, or only events, in both arms): {', '.join(result['excluded_double_zero'])}.")
    if result["zero_cell_corrected"]:
        lines.append(f"0.5 added to every cell of: {', '.join(result['zero_cell_corrected'])}.")
    return "\n".join(lines) + "\n"


def _small_study_line(egger: dict, name: str) -> str:
    caution = (" With fewer than 10 trials the test has little power (Cochrane Handbook, chapter 13); read it with care."
               if egger["few_trials"] else "")
    peters = egger.get("peters")  # for counts only
    peters_text = f" {peters['test']}: t = {peters['statistic']:.2f}, {_p_value(peters['p_value'])}." if peters else ""
    return (f"Small-study effects: {egger['test']}, z = {egger['statistic']:.2f}, {_p_value(egger['p_value'])}; "
            f"limit estimate {name} {_fmt(egger['estimate'], 3)} ({_fmt(egger['ci_low'], 3)} to {_fmt(egger['ci_high'], 3)})."
            f"{peters_text}{caution}")


def _trim_and_influence_lines(result: dict, name: str) -> list[str]:
    """Trim-and-fill (a sensitivity analysis) and the trials metafor's influence criteria flag."""
    lines = []
    if "trim_and_fill" in result:
        t = result["trim_and_fill"]
        if t["k0"] == 0:
            lines.append(f"Trim-and-fill ({t['method']}): no trials estimated missing.")
        else:
            lines.append(f"Trim-and-fill ({t['method']}): {t['k0']} trial{'s' if t['k0'] > 1 else ''} estimated missing on "
                         f"the {t['side']}; with {'them' if t['k0'] > 1 else 'it'} filled in, {name} {_fmt(t['estimate'], 3)} ({_fmt(t['ci_low'], 3)} to "
                         f"{_fmt(t['ci_high'], 3)}). A sensitivity analysis: it assumes the asymmetry is publication bias.")
    if "influence" in result:
        flagged = [r["study"] for r in result["influence"] if r["influential"]]
        lines.append("Influential trials (metafor's influence() criteria, REML): " + (", ".join(flagged) if flagged else "none")
                     + ".")
    return lines


def _sensitivity_lines(result: dict, name: str, markdown: bool) -> list[str]:
    """Leave-one-out and cumulative rows, as a Markdown table (report.md) or as text."""
    lines = []
    for key, title, first in (("leave_one_out", "Leaving one trial out (DL)", "left_out"),
                              ("cumulative", "Cumulative meta-analysis (DL)", "added")):
        if key not in result:
            continue
        head = "Left out" if first == "left_out" else "Added"
        if markdown:
            lines += ["", f"**{title}**", "", f"| {head} | {name} | interval | tau² | I² |", "|---|---|---|---|---|"]
        else:
            lines.append(f"{title}:")
        for r in result[key]:
            cells = (str(r[first]), _fmt(r["estimate"], 3), f"{_fmt(r['ci_low'], 3)} to {_fmt(r['ci_high'], 3)}",
                     _fmt(r["tau2"], 4), f"{r['i2']:.0%}")
            lines.append("| " + " | ".join(cells) + " |" if markdown else
                         f"  {cells[0][:28]:<28} {name} {cells[1]} ({cells[2]}); tau² {cells[3]}; I² {cells[4]}")
    return lines


def print_meta(result: dict) -> None:
    from ipscompendium.general.measures import get_measure

    name = get_measure(result["measure"]).abbreviation
    print(f"{result['k']} trials from {result['file']}  (effect: {name}; {result['benefit']} is better)")
    for trial in result["trials"]:
        print(f"  {trial['label'][:32]:<32} {_fmt(trial['estimate'], 3):>8} ({_fmt(trial['ci_low'], 3)} to {_fmt(trial['ci_high'], 3)})")
    percent = f"{100 * result['level']:g}%"
    for key, label in (("ee", "Common effect (IV)"), ("mh", "Mantel-Haenszel"), ("peto", "Peto"), ("dl", "DerSimonian-Laird"),
                       ("reml", "REML"), ("pm", "Paule-Mandel"), ("bayes", "Bayes (exact)")):
        if key not in result:
            continue
        r = result[key]
        if key in ("ee", "mh", "peto"):
            prediction = "none (one common effect)"
        elif r["prediction_low"] is None:
            prediction = "not defined for 2 trials with t (use --prediction-interval normal)"
        else:
            prediction = f"{_fmt(r['prediction_low'], 3)} to {_fmt(r['prediction_high'], 3)}"
        test = f"; {_p_value(r['p_value'])}" if "p_value" in r else ""
        print(f"{label:<18} {name} {_fmt(r['estimate'], 3)} ({percent} {'CrI' if key == 'bayes' else 'CI'} {_fmt(r['ci_low'], 3)} "
              f"to {_fmt(r['ci_high'], 3)}){test}; tau² {_fmt(r['tau2'], 4)}; prediction {prediction}"
              + (f"; I² {r['i2']:.0%}" if "i2" in r else ""))
    h = result["heterogeneity"]
    print(f"Heterogeneity: Q = {h['q']:.2f}, df = {h['df']}, {_p_value(h['p_value'])}. Test of the pooled effect: "
          f"{result['test']}.")
    print(f"Prediction intervals: DL, REML and PM {result['prediction_interval']}; Bayes, the posterior predictive.")
    b = result["bayes"]
    print(f"P(benefit): pooled {_prob(b['prob_benefit'])}, new trial {_prob(b['prob_benefit_new_trial'])} "
          f"(prior on tau {b['tau_prior']}, on the pooled effect {b['mu_prior']})")
    if "subgroups" in result:
        print("Subgroups (each pooled on its own):")
        for g in result["subgroups"]["groups"]:
            if "dl" in g:
                d, b = g["dl"], g["bayes"]
                print(f"  {g['subgroup'][:24]:<24} k={g['k']:<3} DL {name} {_fmt(d['estimate'], 3)} ({_fmt(d['ci_low'], 3)} to "
                      f"{_fmt(d['ci_high'], 3)}); Bayes {_fmt(b['estimate'], 3)}, P(benefit) {_prob(b['prob_benefit'])}")
            else:
                print(f"  {g['subgroup'][:24]:<24} k={g['k']:<3} one trial: not pooled")
        if "difference" in result["subgroups"]:
            t = result["subgroups"]["difference"]
            print(f"  test for subgroup differences: Q = {t['q']:.2f}, df = {t['df']}, {_p_value(t['p_value'])}")
    for line in _sensitivity_lines(result, name, markdown=False):
        print(line)
    if "small_study" in result:
        print(_small_study_line(result["small_study"], name))
        for line in _trim_and_influence_lines(result, name):
            print(line)
    if "regression" in result:
        g = result["regression"]
        per = "ratio of " + name + "s" if name != "RD" else "change in RD"
        print(f"Meta-regression on {', '.join(g['moderators'])} (log scale; {per} per unit = exp(slope)):")
        for m in g["moderators"]:
            r, b = g["reml"], g["bayes"]["slopes"][m]
            print(f"  {m:<16} REML slope {_fmt(r['coef'][m], 4)} (SE {_fmt(r['se'][m], 4)}); Bayes {_fmt(b['estimate'], 4)} "
                  f"(95% CrI {_fmt(b['ci_low'], 4)} to {_fmt(b['ci_high'], 4)}), P(slope < 0) {_prob(b['prob_negative'])}")
        print(f"  residual tau² {_fmt(g['reml']['tau2'], 4)} (REML), test of moderators QM = {g['reml']['qm']:.2f}, "
              f"{_p_value(g['reml']['qm_p'])}; R² {g['reml']['r2']:.0%}")
    if "bayes_binomial_normal" in result:
        r = result["bayes_binomial_normal"]
        d = r["diagnostics"]
        print(f"Binomial-normal (MCMC) OR {_fmt(r['estimate'], 3)} ({_fmt(r['ci_low'], 3)} to {_fmt(r['ci_high'], 3)}); "
              f"P(benefit) {_prob(r['prob_benefit'])}; R-hat {d['max_rhat']:.3f}, ESS {d['min_ess_bulk']:.0f}, "
              f"{d['divergences']} divergences")
    if result["excluded_double_zero"]:
        print(f"Left out (no events, or only events, in both arms): {', '.join(result['excluded_double_zero'])}")
    if result["zero_cell_corrected"]:
        print(f"0.5 added to every cell of: {', '.join(result['zero_cell_corrected'])}")


# ---------------------------------------------------------------------------------------------
# map

def run_map(args) -> dict:
    from ipscompendium.general import predictive_prior, priors

    path, trials, tau_prior = _trials_and_tau_prior(args)
    if trials.attrs.get("layout", "binary") != "binary":
        raise UsageError(f"{_shown_source(args, path)}: a MAP prior for `trial` is built from counts (events and participants "
                         f"per arm); this table holds {trials.attrs['layout']} trials")
    tau_prior = tau_prior or parse_tau_prior_default()
    if not 0 <= args.robust_weight <= 1:
        raise UsageError(f"--robust-weight {args.robust_weight}: a weight lies between 0 and 1")
    built = predictive_prior.map_prior_from_trials(trials["events_treatment"], trials["n_treatment"], trials["events_control"],
                                            trials["n_control"], tau_prior, arm=args.arm, seed=args.seed)
    prior = priors.robustify(built.prior, args.robust_weight) if args.robust_weight > 0 else built.prior
    control_risk = float(trials["events_control"].sum() / trials["n_control"].sum())
    # A control-arm prior's information varies with the risk itself (RBesT's family = binomial);
    # an effect prior's ESS needs a reference control risk: the trials' pooled one.
    ess = priors.ess_elir_logit(prior) if args.arm == "control" else priors.ess_elir(prior, control_risk)
    result = {"scale": built.scale, "name": "MAP" if args.robust_weight == 0 else f"robust MAP (w={args.robust_weight:g})",
              "weights": list(prior.weights), "means": list(prior.means), "sds": list(prior.sds),
              "robust_weight": args.robust_weight, "k": int(built.k), "tau_prior": tau_prior.name,
              "ess_elir": float(ess), "ess_at_control_risk": control_risk if args.arm == "effect" else None, "source": _shown_source(args, path),
              "median": float(prior.quantile(0.5)), "interval_95": [float(prior.quantile(0.025)), float(prior.quantile(0.975))]}
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
    result["_transform"] = "exp" if built.scale == "log_or" else "expit"
    return result


def print_map(result: dict) -> None:
    import numpy as np

    back = np.exp if result.pop("_transform") == "exp" else (lambda x: 1 / (1 + np.exp(-x)))
    what = "odds ratio of a new trial" if result["scale"] == "log_or" else "control risk of a new trial"
    print(f"{result['name']} prior from {result['k']} trials ({result['source']}), prior on tau {result['tau_prior']}")
    for w, m, s in zip(result["weights"], result["means"], result["sds"]):
        print(f"  weight {w:.3f}  mean {_fmt(m, 3)}  SD {_fmt(s, 3)}   ({result['scale']} scale)")
    low, high = result["interval_95"]
    print(f"  {what}: median {_fmt(float(back(result['median'])), 3)} (95% {_fmt(float(back(low)), 3)} to {_fmt(float(back(high)), 3)})")
    per = "per arm" if result["scale"] == "log_or" else "in the control arm"
    at = f", at a control risk of {result['ess_at_control_risk']:.2f}" if result["ess_at_control_risk"] is not None else ""
    print(f"  effective sample size (ELIR): {result['ess_elir']:.1f} patients {per}{at}")


# ---------------------------------------------------------------------------------------------
# the parser

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ipscompendium", description="Bayesian and frequentist analyses of two-arm trials with binary outcomes.",
        epilog="Examples:\n  ipscompendium trial --treatment 14/38 --control 5/20\n  ipscompendium meta --example bcg "
               "--benefit lower\n  ipscompendium map --example bcg --robust-weight 0.2 --out map.json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    trial = sub.add_parser("trial", help="one two-arm trial: exact posterior of the odds ratio and risk difference",
                           formatter_class=raw, epilog="Examples:\n  ipscompendium trial --treatment 14/38 --control 5/20\n"
                           "  ipscompendium trial --treatment 14/38 --control 5/20 --prior sceptical:2 --json\n"
                           "  ipscompendium trial --treatment 14/38 --control 5/20 --prior map:map.json --control-prior beta:1,1")
    trial.add_argument("--treatment", required=True, metavar="EVENTS/N", help="events and participants in the treatment arm, e.g. 14/38")
    trial.add_argument("--control", required=True, metavar="EVENTS/N", help="events and participants in the control arm, e.g. 5/20")
    trial.add_argument("--prior", default="weak", help="prior on the log odds ratio: weak (N(0, 2^2), default), sceptical[:OR] "
                       "(centred on no effect, 5%% chance of exceeding OR, default 2), enthusiastic:OR, normal:MEAN,SD, map:FILE")
    trial.add_argument("--control-prior", help="prior on the control risk: beta:A,B, logit-normal:MEAN,SD or map:FILE "
                       "(default: N(0, 1.5^2) on the mean of the two arms' log-odds)")
    trial.add_argument("--threshold-rd", type=float, default=0.10, help="report P(RD beyond this), default 0.10")
    trial.add_argument("--randomised", metavar="NT,NC", help="participants randomised per arm, when some outcomes are missing: adds "
                       "best and worst cases, a tipping-point table and the IMOR model (intention to treat)")
    trial.add_argument("--benefit", choices=("higher", "lower"), default="higher", help="whether more events (default) or fewer is better")
    trial.add_argument("--json", action="store_true", help="print one JSON object instead of text")

    meta = sub.add_parser("meta", help="random-effects meta-analysis: DL, REML and Bayesian, with prediction for a new trial",
                          formatter_class=raw, epilog="Examples:\n  ipscompendium meta trials.csv\n"
                          "  ipscompendium meta --example bcg --benefit lower --out bcg-report\n"
                          "  ipscompendium meta trials.csv --measure or --mcmc --json\n"
                          "  ipscompendium meta --example bcg --benefit lower --moderator latitude\n"
                          "  ipscompendium meta --example normand --benefit lower --measure smd\n\n"
                          "The CSV has the columns study,events_treatment,n_treatment,events_control,n_control;\n"
                          "or study,mean_treatment,sd_treatment,n_treatment,mean_control,sd_control,n_control;\n"
                          "or study,effect,se (an effect and its standard error per trial).")
    meta.add_argument("trials", nargs="?", help="CSV file of trials")
    meta.add_argument("--example", choices=sorted(EXAMPLES), help="use a table shipped with the package")
    meta.add_argument("--measure", choices=("rr", "or", "rd", "md", "smd", "generic", "generic-log"),
                      help="effect measure: rr (default), or or rd from counts; md (default) or smd (Hedges' g) from means "
                           "and SDs; generic (default) or generic-log (log ratios) from effects with standard errors")
    meta.add_argument("--tau-prior", help="prior on tau: half-normal:SCALE or half-cauchy:SCALE (default half-normal:0.5; for md "
                                          "and generic, half-normal scaled to the typical standard error)")
    meta.add_argument("--benefit", choices=("higher", "lower"), default="higher", help="whether more events (default) or fewer is better")
    meta.add_argument("--moderator", action="append", metavar="COLUMN",
                      help="meta-regression on this numeric column (repeat for more): REML and DL as metafor, and exact Bayes")
    meta.add_argument("--leave-one-out", action="store_true",
                      help="also pool with each trial left out in turn (DL; metafor's leave1out)")
    meta.add_argument("--cumulative", metavar="COLUMN",
                      help="also pool cumulatively, adding trials in the order of this numeric column (e.g. year), or "
                           "'file' for the order of the file (DL; metafor's cumul)")
    meta.add_argument("--mcmc", action="store_true", help="also fit the binomial-normal model by MCMC (--measure or; 10-20 s)")
    meta.add_argument("--seed", type=int, default=20260101, help="seed of the MCMC")
    meta.add_argument("--test", choices=("knha", "z"), default="z",
                      help="confidence interval and test of the pooled effect: z (default) or knha (Hartung-Knapp-Sidik-"
                           "Jonkman, which metafor suggests with few trials)")
    meta.add_argument("--level", type=float, default=0.95, help="confidence (and credible) level, default 0.95")
    meta.add_argument("--prediction-interval", choices=("normal", "t"), default="t",
                      help="quantile of the DL and REML prediction intervals: t on k-2 degrees of freedom (default; Higgins, "
                           "Thompson & Spiegelhalter 2009, needs 3 trials) or normal (metafor's predict())")
    meta.add_argument("--out", metavar="DIR", help="write forest.png, forest.svg, report.md and result.json here")
    meta.add_argument("--json", action="store_true", help="print one JSON object instead of text")

    map_ = sub.add_parser("map", help="meta-analytic-predictive prior for a new trial, with its effective sample size",
                          formatter_class=raw, epilog="Examples:\n  ipscompendium map trials.csv --out map.json\n"
                          "  ipscompendium map trials.csv --arm control --robust-weight 0.2 --out control-map.json\n"
                          "Then: ipscompendium trial ... --prior map:map.json (or --control-prior map:control-map.json)")
    map_.add_argument("trials", nargs="?", help="CSV file of trials")
    map_.add_argument("--example", choices=sorted(EXAMPLES), help="use a table shipped with the package")
    map_.add_argument("--arm", choices=("effect", "control"), default="effect",
                      help="a prior on the log odds ratio (effect, default) or on the control arm's log-odds (control)")
    map_.add_argument("--robust-weight", type=float, default=0.0, help="weight of a vague N(0, 2^2) component (0 to 1)")
    map_.add_argument("--tau-prior", help="prior on tau (default half-normal:0.5)")
    map_.add_argument("--seed", type=int, default=20260101, help="seed of the draws the mixture is fitted to")
    map_.add_argument("--out", metavar="FILE", help="write the prior as JSON (read by trial --prior map:FILE)")
    map_.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run, show = {"trial": (run_trial, print_trial), "meta": (run_meta, print_meta), "map": (run_map, print_map)}[args.command]
    from ipscompendium.general.trial_table import InputError

    try:
        result = run(args)
    except InputError as error:
        # every problem of the file on its own line (up to ten), so that one run fixes them all
        shown = error.problems[:MAX_PROBLEMS_SHOWN]
        for problem in shown:
            print(f"ipscompendium {args.command}: {problem.describe(error.path)}", file=sys.stderr)
        if len(error.problems) > len(shown):
            print(f"ipscompendium {args.command}: ... and {len(error.problems) - len(shown)} more problems", file=sys.stderr)
        return 2
    except UsageError as error:
        print(f"ipscompendium {args.command}: {error}", file=sys.stderr)
        return 2
    if args.json:
        result.pop("_transform", None)
        print(json.dumps(result, indent=2))
    else:
        show(result)
    return 0


def main_exit() -> None:
    """The console script's entry point."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    main_exit()
