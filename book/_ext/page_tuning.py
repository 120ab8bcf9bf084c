"""What each page of the built book carries, beyond what the theme gives every page.

- **Language.** A page whose front matter says ``lang: nb`` (the Norwegian summary) has its whole
  body, heading included, tagged ``lang="nb"``, so that screen readers speak it in Norwegian.
- **MathJax only where there is mathematics.** MyST-NB asks Sphinx to put MathJax on every page;
  a page without equations does not need its 1.1 MB, so it is taken off again there.
- **Each script once.** The Thebe configuration is added twice by the theme and the launch
  buttons, which makes the browser log "Identifier 'THEBE_JS_URL' has already been declared".
- **One h1 per page.** The theme repeats the page title in a print-only block; it is written as a
  paragraph there, so that the page has one top-level heading.
- **Only the icons the book shows.** The theme loads Font Awesome's whole icon set as one 1.5 MB
  script on every page; the book shows about twenty icons. After the build, the icon definitions
  that no page names (by name or alias) are taken out of the script; the library itself is kept.
- **Unique ids.** sphinx-exercise gives every exercise and solution body the same id
  (``exercise-content``, ``solution-content``), and the API page's numpydoc docstrings each give
  their "Parameters", "Returns", "Raises" and "Attributes" headings the same id; the second and
  later are numbered.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

REPEATED_IDS = re.compile(r'id="(exercise-content|solution-content|parameters|returns|raises|attributes)"')
FONTAWESOME = Path("_static") / "scripts" / "fontawesome.js"
#: One icon definition in the minified script: "name":[width,height,[aliases],"unicode","path" or [paths]]
#: (names that are identifiers are written without quotes: mandalorian:[...])
ICON = re.compile(r',?(?:"([a-z0-9-]+)"|([a-z][a-z0-9]*)):\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]+",(?:"[^"]*"|\[[^\]]*\])\]')
ICON_CLASS = re.compile(r"\bfa-([a-z0-9-]+)")
PRINT_TITLE = re.compile(r'(<div id="jb-print-docs-body" class="onlyprint">\s*)<h1>(.*?)</h1>', re.S)


def _script_key(script) -> str:
    return f"{getattr(script, 'filename', '') or ''}|{script.attributes.get('body', '')}"


def _tune(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if scripts is not None:
        seen, kept = set(), []
        # the page's own doctree: Sphinx's math domain also counts the pages a toctree includes, so
        # it would say the welcome page (whose toctree is the book) has equations
        has_maths = doctree is not None and any(doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))))
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
        counts: dict[str, int] = {}

        def number(match: re.Match) -> str:
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
            n = counts[match.group(1)]
            return match.group(0) if n == 1 else f'id="{match.group(1)}-{n}"'

        tuned = REPEATED_IDS.sub(number, tuned)
        if tuned != text:
            page.write_text(tuned, encoding="utf-8")


def icons_in_use(outdir: Path) -> set[str]:
    """Every ``fa-<name>`` class named in the built pages and the theme's own scripts."""
    names: set[str] = set()
    for path in list(outdir.rglob("*.html")) + [p for p in (outdir / "_static").rglob("*.js") if p.name != "fontawesome.js"]:
        names |= set(ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return names


def keep_icons(script: str, used: set[str]) -> str:
    """The script without the definitions of icons whose name and aliases are all unused."""
    def drop_unused(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        aliases = {a.strip('"') for a in match.group(5).split(",") if a.startswith('"')}
        if name in used or aliases & used:
            return match.group(0)
        # keep the object literal well formed: a leading comma goes with the dropped entry, and an
        # entry that opened an object passes its place to the next one
        return ""

    trimmed = ICON.sub(drop_unused, script)
    return re.sub(r"\{,", "{", trimmed)


def _trim_icons(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir) / FONTAWESOME
    if path.exists():
        path.write_text(keep_icons(path.read_text(encoding="utf-8"), icons_in_use(Path(app.outdir))), encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", _trim_icons)
    app.connect("html-page-context", _tune, priority=900)
    app.connect("build-finished", _one_h1)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
