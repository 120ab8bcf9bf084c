"""Every page of the built book in a real browser (Debian's chromium driven by Selenium through
chromedriver; no browser is downloaded), at a phone's and a laptop's size.

Fails when a page scrolls sideways, when a raster figure is shown at less than half its natural
width on a laptop (its 9-pt text would shrink below legibility), when a displayed equation is
wider than the laptop's text column (it would be cut off), when the welcome page's answer
cards start below the first screen, or when the equations are left as raw LaTeX. Saves a
screenshot of each page's first screen under _build/screenshots/.

Run with `make browser-test` (which says what to install when the browser is missing).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", shutil.which("chromedriver") or "/usr/bin/chromedriver")


def _pages() -> list[Path]:
    return sorted(p for p in HTML.rglob("*.html")
                  if p.name not in ("genindex.html", "search.html", "index.html") and "_static" not in p.parts)


@pytest.fixture(scope="module", params=list(SIZES))
def browser(request):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).exists():
            pytest.fail(f"{path} not found: install it with `apt-get install -y {package}`")
    width, height = SIZES[request.param]
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                 "--disable-background-networking", "--no-first-run", f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # the window size includes no browser chrome in headless mode; make the viewport exact
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": request.param == "phone"})
    yield request.param, driver
    driver.quit()


def _load(driver, page: Path) -> None:
    driver.get(page.as_uri())
    for _ in range(100):
        if driver.execute_script("return document.readyState") == "complete":
            break
        time.sleep(0.05)
    # MathJax typesets asynchronously: wait for it, when the page has it
    driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
            MathJax.startup.promise.then(() => done(true)).catch(() => done(false));
        } else { done(true); }""")


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(HTML)))
def test_page_in_a_real_browser(browser, page):
    size, driver = browser
    _load(driver, page)
    name = str(page.relative_to(HTML)).replace("/", "_").removesuffix(".html")
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}-{size}.png"))
    problems = []

    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 1:
        wide = driver.execute_script("""
            const w = document.documentElement.clientWidth;
            return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > w + 1)
              .slice(0, 5).map(e => e.tagName + '.' + e.className);""")
        problems.append(f"scrolls sideways by {overflow} px; widest: {wide}")

    if size == "desktop":
        small = driver.execute_script("""
            return [...document.querySelectorAll('main img')].filter(i => /\\.(png|jpe?g)$/i.test(i.src) && i.clientWidth > 0
              && i.clientWidth < 0.5 * i.naturalWidth).map(i => i.src.split('/').pop() + ' ' + i.clientWidth + '/' + i.naturalWidth);""")
        if small:
            problems.append(f"figures shown at less than half their width: {small}")

    if size == "desktop":
        clipped = driver.execute_script("""
            return [...document.querySelectorAll('main mjx-container[display="true"]')]
              .filter(m => m.scrollWidth > m.clientWidth + 2).map(m => m.textContent.slice(0, 40));""")
        if clipped:
            problems.append(f"equations wider than the column: {clipped[:3]}")

    raw_tex = driver.execute_script("""
        return [...document.querySelectorAll('main .math, main div.math')].filter(e => !e.querySelector('mjx-container'))
          .map(e => e.textContent.slice(0, 40));""")
    if raw_tex:
        problems.append(f"equations left as raw LaTeX: {raw_tex[:3]}")

    if page.name in ("welcome.html", "sammendrag.html"):
        top = driver.execute_script(
            "const c = document.querySelector('figure.answer-card'); return c ? c.getBoundingClientRect().top : null;")
        height = driver.execute_script("return window.innerHeight")
        if top is None or top > height - 120:
            problems.append(f"the answer card starts at {top} px, below the first screen ({height} px)")

    assert not problems, f"{page.relative_to(HTML)} at {size}: " + "; ".join(problems)
