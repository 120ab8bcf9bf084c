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


def test_the_prior_dial_works_in_the_browser(browser):
    """The dial on the static page: it mounts, its presets and keyboard-driven sliders update the
    spoken summary, and the numbers it shows are the package's (exact grid)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from ipscompendium import data
    from ipscompendium.general import priors, trial_grid
    from ipscompendium.map_prior import load_map_prior

    size, driver = browser
    _load(driver, HTML / "notebooks" / "pain_bayesian.html")
    dial = driver.find_element(By.CSS_SELECTOR, "section.ips-dial")
    assert dial.is_displayed(), "the dial stayed hidden: its script did not run"
    live = dial.find_element(By.CSS_SELECTOR, ".ips-dial-live")
    row = data.load_employment().set_index("timepoint_months").loc[12]
    counts = int(row.employed_ips), int(row.n_ips), int(row.employed_control), int(row.n_control)
    expected = trial_grid.trial_benefit(*counts, priors.weakly_informative_prior())["p_benefit"]
    assert f"probability that IPS is better {expected:.3f}" in live.text, live.text

    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", dial)
    dial.find_element(By.CSS_SELECTOR, "button[data-preset='robust']").click()
    time.sleep(0.3)
    assert dial.find_element(By.CSS_SELECTOR, ".ips-dial-weight-row").is_displayed()
    robust = trial_grid.trial_benefit(*counts, priors.robustify(load_map_prior(), priors.ROBUST_WEIGHT))["p_benefit"]
    assert f"probability that IPS is better {robust:.3f}" in live.text, live.text

    before = live.text
    dial.find_element(By.CSS_SELECTOR, "button[data-preset='weakly']").click()
    sd = dial.find_element(By.CSS_SELECTOR, "input.ips-dial-sd")
    for _ in range(20):  # the keyboard alone moves the slider: SD from 2.0 down to 1.0
        sd.send_keys(Keys.ARROW_LEFT)
    time.sleep(0.3)
    assert sd.get_attribute("value") == "1"
    narrower = trial_grid.trial_benefit(*counts, priors.normal_prior("reader", 0.0, 1.0))["p_benefit"]
    assert live.text != before and f"probability that IPS is better {narrower:.3f}" in live.text, live.text
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"prior-dial-{size}.png"))
