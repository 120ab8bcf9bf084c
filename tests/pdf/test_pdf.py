"""The printed book (`make pdf`, then `make pdf-test`): one PDF with every chapter's findings, its
glued numbers and its figures, linked from the welcome page. Read with poppler's pdftotext and
pdfimages (apt-get install -y poppler-utils); not part of `make test`."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.pdf

HTML = Path(__file__).resolve().parents[2] / "_build" / "html"
PDF = HTML / "ipscompendium.pdf"


def _normal(text: str) -> str:
    """Ligatures, non-breaking spaces and line breaks as plain text, so PDF and HTML compare."""
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def pdf_text() -> str:
    if not PDF.exists():
        pytest.fail("no PDF: run `make pdf` first")
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install -y poppler-utils")
    return _normal(subprocess.run(["pdftotext", str(PDF), "-"], check=True, capture_output=True, text=True).stdout)


def _findings() -> dict[str, str]:
    """Each chapter's first finding, as the HTML page shows it (glued numbers included)."""
    found = {}
    for page in sorted(HTML.rglob("*.html")):
        if "_static" in page.parts:
            continue
        box = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("div.chapter-finds li")
        if box is not None:
            found[str(page.relative_to(HTML))] = _normal(box.get_text())
    return found


def test_every_chapter_s_findings_are_in_the_pdf(pdf_text):
    findings = _findings()
    assert len(findings) >= 10, f"only {len(findings)} chapters with findings in the built HTML"
    # the first eight words of each first finding: numbers, names and all
    missing = {page: text for page, text in findings.items() if " ".join(text.split()[:8]) not in pdf_text}
    assert not missing, f"findings missing from the PDF: {missing}"


def test_the_pdf_holds_the_figures_and_no_in_browser_tools(pdf_text):
    listing = subprocess.run(["pdfimages", "-list", str(PDF)], check=True, capture_output=True, text=True).stdout
    images = len([line for line in listing.splitlines()[2:] if line.strip()])
    assert images >= 30, f"only {images} images in the PDF"
    # the dials are screen-only: their controls' labels do not appear
    assert "Relevant odds ratio (posterior median at least)" not in pdf_text


def test_the_welcome_page_links_the_pdf():
    welcome = BeautifulSoup((HTML / "book" / "welcome.html").read_text(encoding="utf-8"), "html.parser")
    assert welcome.select_one("p.ips-pdf-link a")["href"] == "../ipscompendium.pdf"
