"""Link the first use of each glossary term in each chapter to the glossary ({term} role).

Run by hand after writing prose: `python scripts/link_glossary_terms.py`; review the diff. Terms
are matched in prose only: not in code cells, headings, directive options, inline code, links or
math, and not inside a term already linked. tests/test_book_structure.py checks the result.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ["book/welcome.md", "book/what_is_ips.md", "book/two_studies.md", "notebooks/data.md",
            "notebooks/meta_reproduction.md", "notebooks/meta_bayesian.md", "notebooks/meta_regression.md",
            "notebooks/pain_reproduction.md", "notebooks/pain_bayesian.md", "notebooks/pain_extensions.md",
            "notebooks/pain_next_trial.md", "notebooks/own_trials.md", "book/methods.md", "notebooks/teaching.md"]
# (glossary term, pattern of its surface forms, case sensitive?) - longer terms first
TERMS = [
    ("Individual Placement and Support", r"Individual Placement and Support", True),
    ("Randomised controlled trial", r"randomi[sz]ed (?:controlled )?trials?", False),
    ("Robust MAP prior", r"robust MAP priors?", False),
    ("Weakly informative prior", r"weakly informative priors?", False),
    ("Posterior probability", r"posterior probabilit(?:y|ies)", False),
    ("Random-effects model", r"random[- ]effects models?", False),
    ("Effective sample size", r"effective sample sizes?", False),
    ("Prediction interval", r"prediction intervals?", False),
    ("Confidence interval", r"confidence intervals?", False),
    ("Credible interval", r"credible intervals?", False),
    ("Historical control", r"historical controls?", False),
    ("Enthusiastic prior", r"enthusiastic priors?", False),
    ("Sceptical prior", r"sceptical priors?", False),
    ("Risk difference", r"risk differences?", False),
    ("Percentage point", r"percentage points?", False),
    ("Meta-regression", r"meta-regressions?", False),
    ("Operating characteristics", r"operating characteristics", False),
    ("Statistical power", r"statistical power", False),
    ("Type I error", r"type I errors?", False),
    ("Pooled effect", r"pooled effects?", False),
    ("Power prior", r"power priors?", False),
    ("Heterogeneity", r"heterogeneity", False),
    ("Meta-analysis", r"meta-analys[ie]s", False),
    ("Risk ratio", r"risk ratios?", False),
    ("Odds ratio", r"odds ratios?", False),
    ("Usual care", r"usual care", False),
    ("Likelihood", r"likelihood", False),
    ("Assurance", r"assurance", False),
    ("MAP prior", r"MAP priors?", True),
    ("Exact grid", r"exact grid", False),
    ("p-value", r"p-values?", False),
    ("Posterior", r"posteriors?", False),
    ("Prior", r"priors?", False),
    ("R-hat", r"R-hat", True),
    ("MCMC", r"MCMC", True),
    ("I²", r"I²", True),
]
PROSE_FENCES = ("{glue:figure}", "{exercise}", "{admonition}", "{note}", "{dropdown}")
PROTECTED = re.compile(r"(\{[a-z:]+\}`[^`]*`|`[^`]*`|\[[^\]]*\]\([^)]*\)|\$[^$]*\$)")


def _prose_lines(lines: list[str]):
    """Indices of the lines that are prose."""
    fence = None
    front = lines[:1] == ["---"]
    for i, line in enumerate(lines):
        stripped = line.strip()
        if front:
            if i > 0 and stripped == "---":
                front = False
            continue
        if stripped.startswith("```"):
            if fence is None:
                fence = stripped[3:].split()[0] if len(stripped) > 3 else ""
            elif stripped == "```":
                fence = None
            continue
        if fence is not None and not fence.startswith(PROSE_FENCES):
            continue
        if not stripped or stripped.startswith(("#", ":", "|", "(", "<", "$$", ":::")) or stripped.endswith(")="):
            continue
        yield i


def link(text: str) -> str:
    lines = text.split("\n")
    done = {t for t, _, _ in TERMS if re.search(r"\{term\}`[^`]*<" + re.escape(t) + r">`|\{term\}`" + re.escape(t) + "`", text, re.I)}
    for term, pattern, case in TERMS:
        if term in done:
            continue
        regex = re.compile(r"(?<![\w-])(" + pattern + r")(?![\w-])", 0 if case else re.I)
        for i in _prose_lines(lines):
            pieces = PROTECTED.split(lines[i])
            for k in range(0, len(pieces), 2):  # even pieces are outside protected spans
                match = regex.search(pieces[k])
                if match:
                    surface = match.group(1)
                    role = f"{{term}}`{surface}`" if surface.lower() == term.lower() else f"{{term}}`{surface} <{term}>`"
                    pieces[k] = pieces[k][: match.start(1)] + role + pieces[k][match.end(1):]
                    lines[i] = "".join(pieces)
                    break
            else:
                continue
            break
    return "\n".join(lines)


if __name__ == "__main__":
    for chapter in CHAPTERS:
        path = ROOT / chapter
        path.write_text(link(path.read_text()))
