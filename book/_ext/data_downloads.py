"""Offer the data from the website: every file of ``data/`` and ``datapackage.json``, and all of
them in one zip, copied into the built book so that a reader can download them without the
repository.

The files keep their paths (``data/...`` beside ``datapackage.json`` at the site's root), so the
Data Package's relative paths work in a copy of the site or in the unpacked zip. The data chapter
lists every file with its title from ``datapackage.json``; the archive page links the zip. The
welcome page links the whole book as a PDF while the site holds one (``make pdf`` prints it;
``make book`` removes it first, so a PDF never outlives the book it was printed from).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from sphinx.application import Sphinx

#: The zip, at the site's root.
ZIP_NAME = "ipscompendium-data.zip"
#: The whole book as one PDF, at the site's root, when `make pdf` has built it.
PDF_NAME = "ipscompendium.pdf"
PDF_LINK = ('<p class="ips-pdf-link"><a href="../ipscompendium.pdf">The whole book as one PDF</a>, '
            'for print and handouts.</p>')


def data_files(root: Path) -> list[Path]:
    """The files offered, relative to the repository root: ``datapackage.json`` and ``data/``'s
    tables and README (in a stable order)."""
    files = [Path("datapackage.json")] + sorted(p.relative_to(root) for p in (root / "data").rglob("*")
                                                if p.is_file() and p.suffix in (".csv", ".md"))
    return files


def sync_pdf_link(out: Path) -> bool:
    """The welcome page links the PDF exactly when the site holds it: insert the link under the
    page's title, or take it out. Returns whether the page links it now."""
    welcome = Path(out) / "book" / "welcome.html"
    if not welcome.exists():
        return False
    text = welcome.read_text(encoding="utf-8")
    text = text.replace(PDF_LINK, "")
    wanted = (Path(out) / PDF_NAME).exists()
    if wanted:
        end = text.find("</h1>")
        if end < 0:
            return False
        end += len("</h1>")
        text = text[:end] + PDF_LINK + text[end:]
    welcome.write_text(text, encoding="utf-8")
    return wanted


def publish(root: Path, out: Path) -> None:
    """Copy the data files into the site ``out``, write the zip, and make the welcome page's PDF link
    match the site (idempotent: `make book` runs it after every build, because Sphinx skips its
    build-finished step when no page is out of date)."""
    root, out = Path(root), Path(out)
    files = data_files(root)
    for relative in files:
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / relative, target)
    with zipfile.ZipFile(out / ZIP_NAME, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in files:
            # a fixed date: the zip changes only when a file does
            info = zipfile.ZipInfo(str(Path("ipscompendium-data") / relative), date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (root / relative).read_bytes())
    sync_pdf_link(out)


def _copy(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        publish(Path(app.srcdir), Path(app.outdir))


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    ROOT = Path(__file__).resolve().parents[2]
    publish(ROOT, ROOT / "_build" / "html")
