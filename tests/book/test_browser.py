"""The rendered book in a real browser (Debian's Chromium, driven by Playwright), offline.

Every page loads with no console error and no request leaving the site; every chart
draws marks; moving a control changes its chart; every page is screenshotted, whole, into
``_build/screenshots/`` (``book-cohort-accounting.png`` for ``book/cohort-accounting.html``), so
a reviewer can look at the book as rendered without a browser; each chapter page stays under the
page-weight budget.

What a reader takes away: a moved control shows the command that re-runs the chapter with it,
and that command, run, computes the numbers the chart shows; the page's address keeps the
values set and a link with them opens the page so; without JavaScript every chart is its static
drawing with its data, sources and command; the text alternative of each live chart says what it
draws.
"""

import functools
import html
import http.server
import json
import re
import shlex
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from labecon_book import describe, figures, rerun, specs
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
    column = page.locator("article.bd-article").bounding_box()
    too_wide = {}
    for i in range(charts.count()):
        marks = charts.nth(i).locator("svg .role-mark > *")
        assert marks.count() > 0, f"chart {i} of {slug} drew no marks"
        drawn = charts.nth(i).locator("svg").first.bounding_box()
        overhang = drawn["x"] + drawn["width"] - (column["x"] + column["width"])
        if overhang > 1:
            too_wide[charts.nth(i).get_attribute("id")] = f"{overhang:.0f} px beyond the text column"
        # Vega cuts a label longer than its limit with an ellipsis: the reader loses the end of it.
        cut = [t for t in charts.nth(i).locator("svg text").all_text_contents() if t.endswith("…")]
        if cut:
            too_wide[charts.nth(i).get_attribute("id")] = f"labels cut short: {cut}"
    assert not too_wide, too_wide
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


def move(control, value) -> None:
    """Set a slider or a drop-down of a chart to ``value`` as a reader would."""
    if control.evaluate("e => e.tagName") == "SELECT":
        control.select_option(str(value))
    else:
        control.evaluate(f"e => {{ e.value = {value}; e.dispatchEvent(new Event('input', {{bubbles: true}})); }}")


def shown_values(page, chart_id: str) -> dict[str, float]:
    """``label -> value`` the tooltip of each bar of a chart shows."""
    found = {}
    bars = page.locator(f"#{chart_id} svg .mark-rect path")
    for i in range(bars.count()):
        bars.nth(i).hover()
        label, value = re.fullmatch(r"label\s+(.+?)\s+usd\s+(\S+)",
                                    page.locator("#vg-tooltip-element").inner_text().strip(), re.S).groups()
        found[label] = float(value.replace("\u2212", "-").replace("$", "").replace(",", ""))
    return found


def test_a_moved_control_shows_the_command_that_computes_what_the_chart_shows(site, browser, tmp_path):
    base, _ = site
    chart_id = "chart-cohort-accounting-0"
    context, page, log = open_page(browser, base, "book/cohort-accounting.html")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    box = page.locator(f"#{chart_id}-rerun")
    assert box.locator(".labecon-rerun-command").inner_text() == "labecon run cohort-accounting"
    assert not box.locator(".labecon-rerun-values").is_visible(), "the live controls show their values"
    move(page.locator(f"#{chart_id} .vega-bindings input[type=range]").first, 4)
    page.wait_for_timeout(300)
    shown = box.locator(".labecon-rerun-command").inner_text()
    model = json.loads(box.locator("script.labecon-rerun-model").evaluate("e => e.textContent"))
    assert shown == rerun.command(model, {"cost_growth": "4"}) == "labecon run cohort-accounting -p cost_growth 4"
    assert page.url.endswith(f"#{chart_id}.cost_growth=4"), page.url
    box.locator("button.labecon-copy").click()
    page.wait_for_timeout(200)
    assert page.evaluate("navigator.clipboard.readText()") == shown
    values = shown_values(page, chart_id)
    context.close()
    assert not log.errors and not log.blocked, (log.errors, log.blocked)
    argv = shlex.split(shown)
    proc = subprocess.run([sys.executable, "-m", "labecon_book.cli", *argv[1:], "--out", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text())["results"]
    assert [values[y] for y in ("2023", "2024", "2025")] == results["conventional_pnl"]
    assert [values[f"gen {g} ({2023 + g})"] for g in range(3)] == results["cohort_pnl"]


def test_a_link_with_a_fragment_opens_the_page_with_those_values(site, browser):
    base, _ = site
    context, page, log = open_page(browser, base, "book/cohort-accounting.html")
    default = page.locator("#chart-cohort-accounting-0 svg").first.inner_html()
    context.close()
    link = ("book/cohort-accounting.html"
            "#chart-cohort-accounting-0.cost_growth=4&chart-cohort-accounting-0.gross_margin=0.6")
    context, page, log = open_page(browser, base, link)
    sliders = page.locator("#chart-cohort-accounting-0 .vega-bindings input[type=range]")
    assert [sliders.nth(i).input_value() for i in range(3)] == ["4", "2", "0.6"]
    assert page.locator("#chart-cohort-accounting-0-rerun .labecon-rerun-command").inner_text() == (
        "labecon run cohort-accounting -p cost_growth 4 -p gross_margin 0.6")
    assert page.locator("#chart-cohort-accounting-0 svg").first.inner_html() != default, "the chart follows"
    context.close()
    # A median moved on the synthesis chart sets both ends of its range; a value the chart lacks is named.
    context, page, log = open_page(browser, base, "book/synthesis.html#chart-synthesis-3.open_model_lag_months=24"
                                                  "&chart-synthesis-3.cost_growth_per_year=7")
    box = page.locator("#chart-synthesis-3-rerun")
    assert page.locator("#chart-synthesis-3 .vega-bindings select").first.input_value() == "24"
    assert re.fullmatch(r"labecon run synthesis -p open_model_lag_months_low \S+ -p open_model_lag_months_high \S+",
                        box.locator(".labecon-rerun-command").inner_text())
    assert "does not offer" in box.locator(".labecon-rerun-note").inner_text()
    context.close()
    assert not log.errors and not log.blocked, (log.errors, log.blocked)


@pytest.mark.parametrize("slug", [c.slug for c in chapters()])
def test_without_javascript_every_chart_is_its_drawing_with_its_data_sources_and_command(site, browser, slug):
    base, _ = site
    context = browser.new_context(java_script_enabled=False)
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
    page = context.new_page()
    page.goto(f"{base}/book/{slug}.html")
    charts = page.locator(".labecon-chart")
    assert charts.count() >= 1
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.locator("svg[role=img][aria-label] .role-mark > *").count() > 0, f"{slug} chart {i}: no drawing"
        figure = chart.locator("xpath=ancestor::figure")
        link = figure.locator("a.labecon-csv")
        response = page.request.get(f"{base}/book/{link.get_attribute('href')}")
        assert response.status == 200 and response.text().count("\n") > 1, link.get_attribute("href")
        assert figure.locator("details.labecon-sources summary").inner_text() == "Sources"
    for box in page.locator(".labecon-rerun").all():
        assert box.locator(".labecon-rerun-command").inner_text() == f"labecon run {slug}"
        assert box.locator(".labecon-rerun-values").inner_text().startswith("Drawn at: ")
        assert not box.locator("button").is_visible()
    context.close()


#: The Vega marks each Vega-Lite mark is drawn with.
DRAWN_AS = {"bar": "rect", "rect": "rect", "tick": "rect", "line": "line", "trail": "trail", "area": "area",
            "point": "symbol", "circle": "symbol", "square": "symbol", "rule": "rule", "text": "text", "arc": "arc"}


def drawn_as(title: str, drawn: str) -> bool:
    """Whether a title is drawn as ``drawn``: whole, or cut short with an ellipsis where it is too long."""
    return drawn == title or (drawn.endswith("…") and title.startswith(drawn[:-1]))


@pytest.mark.parametrize("slug", [c.slug for c in chapters()])
def test_the_text_alternative_of_each_live_chart_says_what_it_draws(site, browser, slug):
    base, root = site
    text = (root / "book" / f"{slug}.html").read_text()
    context, page, log = open_page(browser, base, f"book/{slug}.html")
    for m in figures.CHART.finditer(text):
        chart, live = specs.read(m["spec"]), page.locator(f"#{m['id']} > svg")
        label = html.unescape(re.search(r'aria-label="([^"]*)"', m["svg"])[1])
        assert live.get_attribute("role") == "img"
        assert live.get_attribute("aria-label") == label
        assert label.endswith(describe.describe(chart)), m["id"]
        for mark in {v.mark for v in chart.views}:
            assert live.locator(f"g.mark-{DRAWN_AS[mark]}").count(), f"{m['id']}: no {mark} drawn"
        drawn = "els => els.map(e => e.textContent.split(/\\s+/).join(' ').trim())"
        for kind, named in (("axis", describe.titles(chart, "x") + describe.titles(chart, "y")),
                            ("legend", describe.titles(chart, "color"))):
            titles = live.locator(f".role-{kind}-title").evaluate_all(drawn)
            for title in named:
                assert any(drawn_as(" ".join(title.split()), t) for t in titles), f"{m['id']}: no {kind} {title!r}"
    context.close()
    assert not log.errors and not log.blocked, (log.errors, log.blocked)
