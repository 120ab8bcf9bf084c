"""make pdf: the whole book as one PDF, offline, for print and handouts.

Debian's Chromium prints each page of the built book, in the order of ``_toc.yml``, with the
book's print style (``_static/ips.css``: no sidebars, no in-browser tools, code wrapped) after
MathJax has typeset the equations; poppler's ``pdfunite`` joins them into
``_build/html/ipscompendium.pdf``, which the welcome page then links (``book/_ext/data_downloads.py``
keeps that link while the PDF is there). Sphinx's one-page builder would be the direct route, but
myst-nb's hidden code cells stop it (``HideCodeCellNode`` has no ``singlehtml`` visitor).
Needs ``chromium`` and ``poppler-utils`` (``apt-get install -y chromium poppler-utils``);
``tests/pdf`` checks the result with ``pdftotext``.
"""

from __future__ import annotations

import concurrent.futures
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
PAGES = ROOT / "_build" / "pdf"
PDF_NAME = "ipscompendium.pdf"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
#: Milliseconds of page time Chromium lets a page's scripts run (MathJax) before it prints.
SCRIPT_BUDGET_MS = 10000


def _downloads_extension():
    spec = importlib.util.spec_from_file_location("data_downloads", ROOT / "book" / "_ext" / "data_downloads.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pages_in_order() -> list[Path]:
    """The built pages in the order of the table of contents."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [chapter["file"] for part in toc["parts"] for chapter in part["chapters"]]
    return [HTML / f"{name}.html" for name in files]


def _print(page: Path, target: Path) -> Path:
    subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--virtual-time-budget={SCRIPT_BUDGET_MS}", f"--print-to-pdf={target}", page.as_uri()],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    return target


def main() -> int:
    missing = [tool for tool in (CHROMIUM, shutil.which("pdfunite") or "pdfunite") if not Path(tool).exists()]
    if missing:
        print(f"make pdf needs {', '.join(missing)}: apt-get install -y chromium poppler-utils", file=sys.stderr)
        return 1
    pages = pages_in_order()
    absent = [p for p in pages if not p.exists()]
    if absent:
        print(f"build the book first (make book): {absent[0]} is missing", file=sys.stderr)
        return 1
    start = time.perf_counter()
    PAGES.mkdir(parents=True, exist_ok=True)
    targets = [PAGES / f"{k:02d}-{page.stem}.pdf" for k, page in enumerate(pages)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(_print, pages, targets))
    output = HTML / PDF_NAME
    subprocess.run(["pdfunite", *map(str, targets), str(output)], check=True)
    _downloads_extension().sync_pdf_link(HTML)
    print(f"wrote {output.relative_to(ROOT)}: {len(pages)} chapters, {output.stat().st_size / 1e6:.1f} MB, "
          f"in {time.perf_counter() - start:.0f} s; the welcome page links it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
