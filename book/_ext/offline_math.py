"""Serve MathJax from the book's own ``_static`` folder instead of a CDN.

The files come from the pinned PyPI distribution ``sphinx-mathjax-offline`` (MathJax 3.2,
Apache-2.0). That distribution ships them in a folder whose name is not an importable module, so
it cannot be used as a Sphinx extension directly; this one finds the folder through the
distribution's file list, copies it into the build; ``_config.yml`` points ``mathjax_path`` at it. A build
without the files fails rather than falling back to a third-party host.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.fileutil import copy_asset

DISTRIBUTION = "sphinx-mathjax-offline"
ENTRY_SCRIPT = "tex-chtml.js"


def mathjax_folder() -> Path:
    try:
        files = metadata.files(DISTRIBUTION) or []
    except metadata.PackageNotFoundError as error:
        raise ExtensionError(f"{DISTRIBUTION} is not installed: the book serves MathJax itself (see requirements.txt)") from error
    for file in files:
        if file.name == ENTRY_SCRIPT and file.parent.name == "mathjax":
            return Path(file.locate()).parent
    raise ExtensionError(f"{DISTRIBUTION} does not ship mathjax/{ENTRY_SCRIPT}")


def _copy(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        copy_asset(str(mathjax_folder()), str(Path(app.outdir) / "_static" / "mathjax"))


def setup(app: Sphinx) -> dict:
    mathjax_folder()  # fail early, before the notebooks execute, if the files are missing
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
