"""The rendered book in a real browser (Debian's Chromium, driven by Playwright), offline.

Every page loads with no console error and no request leaving the site; every chart
draws marks; moving a control changes its chart; every page is screenshotted, whole, into
``_build/screenshots/`` (``book-cohort-accounting.png`` for ``book/cohort-accounting.html``), so
a reviewer can look at the book as rendered without a browser; each chapter page stays under the
page-weight budget.
"""

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from labecon_book.chapters import chapters
from labecon_core.paths import ROOT

PAGE_BUDGET_BYTES = 1_500_000
SCREENSHOTS = ROOT / "_build" / "screenshots"


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is required (make test installs it: apt-get install chromium)"
    return path


@pytest.fixture(scope="module")
def site(real_book):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(real_book))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", real_book
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield b
        b.close()


class PageLog:
    def __init__(self):
        self.errors, self.blocked = [], []


def open_page(browser, base: str, path: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    log = PageLog()

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            log.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and log.errors.append(m.text))
    page.on("pageerror", lambda e: log.errors.append(str(e)))
    page.goto(f"{base}/{path}", wait_until="networkidle")
    page.wait_for_timeout(300)
    return context, page, log


def pages(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html") if "_static" not in p.parts)


def screenshot_name(path: str) -> str:
    """The screenshot file of a page: its path with ``/`` as ``-`` and ``.png`` for ``.html``."""
    return path.removesuffix(".html").replace("/", "-") + ".png"


def test_every_page_loads_cleanly_offline_and_is_screenshotted(site, browser):
    base, root = site
    problems = {}
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    for path in pages(root):
        context, page, log = open_page(browser, base, path)
        page.screenshot(path=str(SCREENSHOTS / screenshot_name(path)), full_page=True)
        context.close()
        if log.errors or log.blocked:
            problems[path] = {"console": log.errors[:3], "blocked": log.blocked[:3]}
    assert not problems, problems
    shots = sorted(p.name for p in SCREENSHOTS.glob("*.png"))
    assert shots == sorted(screenshot_name(p) for p in pages(root)), "one screenshot a page"
    assert all((SCREENSHOTS / name).stat().st_size > 10_000 for name in shots), "no blank screenshot"


@pytest.mark.parametrize("slug", [c.slug for c in chapters()])
def test_chapter_charts_draw_and_controls_work(site, browser, slug):
    base, _ = site
    context, page, log = open_page(browser, base, f"book/{slug}.html")
    charts = page.locator(".labecon-chart")
    assert charts.count() >= 1, "the chapter has charts"
    for i in range(charts.count()):
        marks = charts.nth(i).locator("svg .role-mark > *")
        assert marks.count() > 0, f"chart {i} of {slug} drew no marks"
    controls = page.locator(".labecon-chart .vega-bindings input[type=range], .labecon-chart .vega-bindings select")
    assert controls.count() >= 1, f"{slug}: the main chart has what-if controls"
    control = controls.first
    chart = control.locator("xpath=ancestor::div[contains(@class,'labecon-chart')]")
    before = chart.locator("svg").first.inner_html()
    if control.evaluate("e => e.tagName") == "SELECT":
        options = control.locator("option").all_inner_texts()
        current = control.input_value()
        control.select_option(next(o for o in options if o != current))
    else:
        control.evaluate("e => { e.value = e.min; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.wait_for_timeout(300)
    assert chart.locator("svg").first.inner_html() != before, "moving a control changes the chart"
    context.close()
    assert not log.errors and not log.blocked, (log.errors, log.blocked)


@pytest.mark.parametrize("slug", [c.slug for c in chapters()])
def test_chapter_page_weight(site, slug):
    """The page and what only it loads (not the shared bundles in _static/) stay under budget."""
    _, root = site
    page = root / "book" / f"{slug}.html"
    own = page.stat().st_size
    images = root / "_images"
    html = page.read_text()
    if images.exists():
        own += sum(p.stat().st_size for p in images.iterdir() if p.name in html)
    assert own <= PAGE_BUDGET_BYTES, f"{slug}: {own:,} bytes"


def test_chapter_pages_offer_rerun_command_and_downloads(site):
    _, root = site
    for c in chapters():
        html = (root / "book" / f"{c.slug}.html").read_text()
        text = re.sub(r"<[^>]+>", "", html)
        assert "Re-run this chapter" in text
        assert f"labecon run {c.slug}" in text
        assert all(f"-p {p.name} " in text for p in c.parameters)
        assert f"{c.slug}.results.json" in html and f"{c.slug}.ipynb" in html
