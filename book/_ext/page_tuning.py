"""What each page of the built book carries, beyond what the theme gives every page.

- **Language.** A page whose front matter says ``lang: nb`` (the Norwegian summary) has its whole
  body, heading included, tagged ``lang="nb"``, so that screen readers speak it in Norwegian.
- **MathJax only where there is mathematics.** MyST-NB asks Sphinx to put MathJax on every page;
  a page without equations does not need its 1.1 MB, so it is taken off again there.
- **Each script once.** The Thebe configuration is added twice by the theme and the launch
  buttons, which makes the browser log "Identifier 'THEBE_JS_URL' has already been declared".
- **One h1 per page.** The theme repeats the page title in a print-only block; it is written as a
  paragraph there, so that the page has one top-level heading.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx

PRINT_TITLE = re.compile(r'(<div id="jb-print-docs-body" class="onlyprint">\s*)<h1>(.*?)</h1>', re.S)


def _script_key(script) -> str:
    return f"{getattr(script, 'filename', '') or ''}|{script.attributes.get('body', '')}"


def _tune(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if scripts is not None:
        seen, kept = set(), []
        has_maths = doctree is not None and app.env.get_domain("math").has_equations(pagename)
        for script in scripts:
            key = _script_key(script)
            if key in seen:
                continue
            seen.add(key)
            if not has_maths and ("mathjax" in (getattr(script, "filename", "") or "").lower()
                                  or "window.MathJax" in script.attributes.get("body", "")):
                continue
            kept.append(script)
        context["script_files"] = kept
    language = app.env.metadata.get(pagename, {}).get("lang")
    if language and "body" in context:
        context["body"] = f'<div lang="{language}">{context["body"]}</div>'


def _one_h1(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        tuned = PRINT_TITLE.sub(r'\1<p class="print-title">\2</p>', text)
        if tuned != text:
            page.write_text(tuned, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _tune, priority=900)
    app.connect("build-finished", _one_h1)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
