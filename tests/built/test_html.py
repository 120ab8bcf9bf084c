"""The built book as a reader meets it: read from _build/html after `make book`.

Each test fails on one thing a reader would stumble over: an image without a description, a
figure without a caption, a table cell that says NaN or was cut short, a visible import or glue
cell, a raster figure too wide or too coarse for the column, a reference nobody cites, a summary
page without its answer figure, or anything loaded from another host.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup
from PIL import Image

pytestmark = pytest.mark.built

HTML = Path(__file__).resolve().parents[2] / "_build" / "html"
SKIP = {"genindex.html", "search.html"}
MAX_WIDTH_IN = 8.5
MIN_DPI = 144
BAD_CELL = re.compile(r"^(nan|NaN|<NA>|NaT|None|\.\.\.|…)$")
PLUMBING = re.compile(r"^\s*(import \w|from [\w.]+ import |%load_ext|%watermark|glue\(|pub = publish\.Publisher)", re.M)


def _pages() -> list[Path]:
    if not (HTML / "index.html").exists():
        pytest.fail("no built book: run `make book` first")
    return sorted(p for p in HTML.rglob("*.html") if p.name not in SKIP and "_static" not in p.parts)


@pytest.fixture(scope="module")
def pages() -> dict[str, BeautifulSoup]:
    return {str(p.relative_to(HTML)): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser") for p in _pages()}


def _main(soup: BeautifulSoup):
    return soup.find("article") or soup.find("main") or soup  # the article: not the theme's buttons


def _each(pages, tags, only_notebooks=False):
    """(page name, element) for every element of the given tags in each page's article."""
    for name, soup in pages.items():
        if only_notebooks and not name.startswith("notebooks/"):
            continue
        for element in _main(soup).find_all(tags):
            yield name, element


def test_every_image_has_a_description(pages):
    bad = []
    for name, img in _each(pages, "img"):
        alt = (img.get("alt") or "").strip()
        if len(alt) < 20 or re.search(r"\.(png|jpe?g|svg|gif)$", alt) or "_images" in alt or "/" in alt[:40]:
            bad.append(f"{name}: {img.get('src')} alt={alt!r}")
    assert not bad, "images without a real description:\n" + "\n".join(bad)


def test_every_image_is_a_captioned_figure(pages):
    bad = [f"{name}: {img.get('src')}" for name, img in _each(pages, "img") if img.find_parent("figure") is None]
    for name, figure in _each(pages, "figure"):
        caption = figure.find("figcaption")
        if caption is None or not caption.get_text(strip=True):
            bad.append(f"{name}: a figure without caption")
    assert not bad, "figures without a caption:\n" + "\n".join(bad)


def test_no_table_cell_reads_nan_or_is_cut_short(pages):
    bad = [f"{name}: {cell.get_text(strip=True)!r} in {cell.find_parent('table').get('class')}"
           for name, cell in _each(pages, ["td", "th"]) if BAD_CELL.match(cell.get_text(strip=True))]
    assert not bad, "table cells a reader cannot use:\n" + "\n".join(bad[:30])


def test_every_table_comes_from_the_table_helper(pages):
    # tables in the prose chapters are written by hand in Markdown, not computed
    bad = [f"{name}: {table.get('class')}" for name, table in _each(pages, "table", only_notebooks=True)
           if "ips-table" not in table.get("class", []) and not table.find_parent(class_="ips-table-wrapper")]
    assert not bad, "tables not made by ipscompendium.tables.table:\n" + "\n".join(bad)


def test_tables_have_no_meaningless_index(pages):
    bad = [f"{name}: a table shows its index ({table.get('class')})" for name, table in _each(pages, "table")
           if table.find("th", class_=re.compile("row_heading|blank")) or table.find("th", string=re.compile(r"^\d+$"))]
    assert not bad, "\n".join(bad)


def test_no_visible_plumbing_cell(pages):
    bad = []
    for name, soup in pages.items():
        for cell in _main(soup).find_all("div", class_="cell"):
            classes = " ".join(cell.get("class", []))
            if "tag_hide-input" in classes or "tag_hide-cell" in classes:
                continue
            source = cell.find("div", class_="cell_input")
            if source is not None and PLUMBING.search(source.get_text()):
                bad.append(f"{name}: {source.get_text()[:80]!r}")
    assert not bad, "import, glue or watermark cells shown to readers:\n" + "\n".join(bad)


def test_raster_figures_fit_the_column_at_print_resolution(pages):
    bad = []
    images = {(HTML / name).parent.joinpath(img["src"]).resolve() for name, soup in pages.items()
              for img in _main(soup).find_all("img", src=True) if re.search(r"\.(png|jpe?g)$", img["src"], re.I)}
    assert images, "no figures in the built book"
    for path in sorted(images):
        with Image.open(path) as image:
            dpi = image.info.get("dpi", (0, 0))[0]
            width_px = image.size[0]
        if dpi < MIN_DPI:
            bad.append(f"{path.name}: {dpi:.0f} dpi")
        elif width_px / dpi > MAX_WIDTH_IN:
            bad.append(f"{path.name}: {width_px / dpi:.1f} in wide")
    assert not bad, "figures too coarse or too wide:\n" + "\n".join(bad)


def test_references_list_only_cited_works(pages):
    references = pages["book/references.html"]
    entries = {tag.get("id") for tag in _main(references).select(".citation [id], .citation[id]") if tag.get("id")}
    entries |= {dt.get("id") for dt in _main(references).select("dl.citation > dt") if dt.get("id")}
    assert entries, "the references page lists nothing"
    cited = set()
    for name, soup in pages.items():
        for link in soup.find_all("a", href=True):
            if "references.html#" in link["href"]:
                cited.add(link["href"].split("#", 1)[1])
    uncited = entries - cited
    assert not uncited, f"references nobody cites: {sorted(uncited)}"
    text = references.get_text()
    assert "$" not in text and "\\widehat" not in text and "Completed from the literature" not in text


def test_summary_pages_open_with_their_answer_cards(pages):
    for name, language in (("book/welcome.html", "en"), ("book/sammendrag.html", "nb")):
        soup = pages[name]
        cards = _main(soup).select("figure.answer-card")
        assert len(cards) >= 2, f"{name}: {len(cards)} answer cards"
        assert all(card.get("lang") == language for card in cards)
        assert all(card.find("figcaption") and card.select(".icon-array[role=img][aria-label]") for card in cards)
    assert _main(pages["book/sammendrag.html"]).find(attrs={"lang": "nb"}) is not None
    title = pages["book/sammendrag.html"].find("h1").get_text(strip=True)
    assert "Norwegian" not in title and "summary" not in title.lower()


def test_every_chapter_opens_with_what_it_finds(pages):
    chapters = [name for name in pages if name.startswith("notebooks/")]
    assert chapters
    for name in chapters:
        main = _main(pages[name])
        box = main.find("div", class_="chapter-finds")
        assert box is not None, f"{name}: no 'What this chapter finds' box"
        first_cell = main.find("div", class_="cell")
        if first_cell is not None:  # the box comes before any code
            assert box.sourceline < first_cell.sourceline, f"{name}: code before the findings"
        assert box.find("figure") is not None, f"{name}: the findings box has no figure"


def test_nothing_is_loaded_from_another_host(pages):
    bad = []
    for name, soup in pages.items():
        for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for element in soup.find_all(tag):
                url = element.get(attribute) or ""
                if tag == "link" and not set(element.get("rel", [])) & {"stylesheet", "preload", "icon", "modulepreload"}:
                    continue
                if urlparse(url).scheme in ("http", "https") or url.startswith("//"):
                    bad.append(f"{name}: <{tag} {attribute}={url}>")
    for css in (HTML / "_static").rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", css.read_text(errors="ignore")):
            bad.append(f"{css.relative_to(HTML)}: url({url})")
    assert not bad, "third-party resources:\n" + "\n".join(sorted(set(bad))[:30])


def test_math_is_served_by_the_book_itself(pages):
    scripts = [s.get("src", "") for s in pages["notebooks/pain_bayesian.html"].find_all("script")]
    mathjax = [s for s in scripts if "mathjax" in s.lower()]
    assert mathjax, "no MathJax on a page with equations"
    for src in mathjax:
        assert not urlparse(src).scheme, src
        assert (HTML / "notebooks" / src.split("?")[0]).resolve().exists(), f"{src} is not in the build"


def test_math_is_loaded_only_where_there_is_math(pages):
    """MathJax (1.1 MB) rides only on pages with equations (book/_ext/page_tuning.py)."""
    def loads_mathjax(soup):
        return any("mathjax" in (s.get("src") or "").lower() for s in soup.find_all("script"))

    assert not loads_mathjax(pages["book/welcome.html"]) and not loads_mathjax(pages["book/sammendrag.html"])
    for name, soup in pages.items():
        has_math = bool(_main(soup).select(".math, mjx-container, div.math, span.math"))
        assert loads_mathjax(soup) == has_math, f"{name}: MathJax {'missing' if has_math else 'loaded without equations'}"


#: Words that mark a passage as Norwegian (Bokmål) and are not English words.
NORWEGIAN_WORDS = re.compile(r"\b(og|ikke|sannsynligheten|måneder|etter|hadde|studien|for å|mot|eller|lønnet)\b", re.I)


def test_every_norwegian_passage_is_tagged_nb(pages):
    """Screen readers switch voice on lang: every paragraph, list item and caption in Norwegian sits
    inside an element with lang="nb"; the Norwegian summary is tagged as a whole, heading included."""
    bad = []
    for name, soup in pages.items():
        for element in _main(soup).find_all(["p", "li", "figcaption", "h1", "h2", "td"]):
            text = element.get_text(" ", strip=True)
            if len(NORWEGIAN_WORDS.findall(text)) < 3:
                continue
            tagged = element.find_parent(attrs={"lang": True})
            if tagged is None or not tagged["lang"].startswith("nb"):
                bad.append(f"{name}: {text[:70]!r} (lang={tagged['lang'] if tagged else None})")
    assert not bad, "Norwegian passages without lang=\"nb\":\n" + "\n".join(bad[:20])
    summary = _main(pages["book/sammendrag.html"])
    assert summary.find("h1").find_parent(attrs={"lang": "nb"}), "the summary's heading is not tagged nb"


def test_the_data_can_be_downloaded_from_the_site(pages):
    """Every file of the Data Package is in the built site at its own path, linked from the data
    chapter; the zip holds all of them, byte for byte, and the archive page links it."""
    import json
    import zipfile

    root = HTML.parents[1]
    package = json.loads((root / "datapackage.json").read_text())
    linked = {a["href"] for a in pages["notebooks/data.html"].find_all("a", href=True)}
    assert "../ipscompendium-data.zip" in linked and "../datapackage.json" in linked
    assert (HTML / "datapackage.json").read_bytes() == (root / "datapackage.json").read_bytes()
    with zipfile.ZipFile(HTML / "ipscompendium-data.zip") as archive:
        names = set(archive.namelist())
        for resource in package["resources"]:
            path = resource["path"]
            assert f"../{path}" in linked, f"the data chapter does not link {path}"
            assert (HTML / path).read_bytes() == (root / path).read_bytes(), f"{path} is missing or stale in the site"
            assert archive.read(f"ipscompendium-data/{path}") == (root / path).read_bytes()
        assert "ipscompendium-data/datapackage.json" in names and "ipscompendium-data/data/README.md" in names
    assert "../ipscompendium-data.zip" in {a["href"] for a in pages["book/archive.html"].find_all("a", href=True)}
