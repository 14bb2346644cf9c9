"""Proofread the book as the reader gets it: the built HTML of every page, and the pages of ``labecon run``.

A build without warnings can still show a garbled sentence (a role swallowed by a
false formula, a number that never arrived, a ``nan``). These checks read the text a
reader sees and the specs of the charts, and fail with the page and an excerpt.
"""

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from labecon_book.chapters import chapters
from labecon_book.fallbacks import chart_specs
from labecon_book.page import render_page

# MyST that should have become something else: a role, a directive, a fence.
LITERAL_MYST = re.compile(r"\{(?:glue(?::\w+)?|cite(?::\w+)?|numref|ref|doc|eq|math|download|term)\}`?|```\{|:::\{")
# A formula holding prose (two words in a row) or money: a currency sign swallowed as math.
TEX_COMMAND = re.compile(r"\\[A-Za-z]+|\\text\{[^}]*\}")
PROSE = re.compile(r"\b[A-Za-z]{3,}\s+[A-Za-z]{3,}\b")
MONEY = re.compile(r"\$|\b\d+(?:\.\d+)?\s*(?:M|B|bn|k|K|T)\b")
# TeX a reader would see as such: a formula that was not rendered as one.
LITERAL_TEX = re.compile(r"\\(?:gamma|alpha|kappa|varphi|rho|lambda|delta|frac|sum|int|ln|mathbf|cdot|le|ge)\b")
# Values that mean a number went missing. "None of them ..." is English; "None" alone is a missing value.
MISSING = re.compile(r"\$NaN|\bNaN\b|\bnan\b|-?\binf\b|\bInfinity\b|\bundefined\b|\bNone\b(?!\s+of\b)")
# A number's label written twice: "Figure Fig. 3.2".
DOUBLED_LABEL = re.compile(r"\b(?:Figure|Fig\.|Table)\s+(?:Figure|Fig\.|Table)\s")
# An axis title names its unit: in parentheses, or a unit of its own.
UNIT = re.compile(r"\(.+\)|\b(?:USD|share|year|years|months?|FLOP|MW|GW|×)\b|%")


def visible_text(html: str) -> str:
    """The text of a page as a reader sees it, without code, scripts, styles and rendered math."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "pre", "code", "svg", "head"]):
        tag.decompose()
    for tag in soup.select(".math"):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def formulas(html: str) -> list[str]:
    """The TeX of every formula on a page (Sphinx wraps inline math in \\( \\), display math in \\[ \\])."""
    soup = BeautifulSoup(html, "html.parser")
    return [tag.get_text() for tag in soup.select(".math")]


def excerpt(text: str, match: re.Match, width: int = 60) -> str:
    return "…" + text[max(match.start() - width, 0):match.end() + width] + "…"


def axes(spec: dict):
    """(channel, title, type) of every positional axis and colour legend of a Vega-Lite spec, nested views included."""
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for view in spec.get(key, []):
            yield from axes(view)
    if isinstance(spec.get("spec"), dict):
        yield from axes(spec["spec"])
    for channel, enc in (spec.get("encoding") or {}).items():
        if channel not in ("x", "y", "color") or not isinstance(enc, dict) or "field" not in enc:
            continue
        guide = enc.get("axis" if channel in ("x", "y") else "legend", {})
        if guide is None:
            continue  # no axis drawn
        title = enc.get("title", (guide or {}).get("title", enc["field"]))
        yield channel, title, enc.get("type")


def problems(page: str, html: str) -> list[str]:
    """Every proofreading problem on one page."""
    found = []
    text = visible_text(html)
    for m in LITERAL_MYST.finditer(text):
        found.append(f"{page}: MyST shown as text: {excerpt(text, m)}")
    for m in LITERAL_TEX.finditer(text):
        found.append(f"{page}: TeX shown as text: {excerpt(text, m)}")
    for m in MISSING.finditer(text):
        found.append(f"{page}: a missing value shown: {excerpt(text, m)}")
    for m in DOUBLED_LABEL.finditer(text):
        found.append(f"{page}: a label written twice: {excerpt(text, m)}")
    for tex in formulas(html):
        for role in re.finditer(r"\{(?:glue:\w+|cite:\w+|numref|ref|doc)\}`[^`]*`", tex):
            found.append(f"{page}: a role swallowed by a formula: {role[0]}")
        words = TEX_COMMAND.sub(" ", tex)
        if PROSE.search(words) or MONEY.search(words):
            found.append(f"{page}: a formula that is prose or money: {tex[:120]!r}")
    soup = BeautifulSoup(html, "html.parser")
    for figure in soup.select("figure"):
        caption = figure.find("figcaption")
        if caption is None or not caption.get_text(strip=True):
            found.append(f"{page}: a figure without a caption: {str(figure)[:120]!r}")
    for spec_text in chart_specs(html):
        spec = json.loads(spec_text, parse_constant=lambda c: found.append(f"{page}: {c} in a chart's data"))
        for m in MISSING.finditer(json.dumps(spec)):
            found.append(f"{page}: a missing value in a chart: {excerpt(json.dumps(spec), m, 40)}")
        for channel, title, kind in axes(spec):
            if kind == "quantitative" and not (isinstance(title, str) and UNIT.search(title)):
                found.append(f"{page}: a {channel} axis without a unit: {title!r}")
    return found


@pytest.fixture(scope="module")
def run_pages(tmp_path_factory) -> dict[str, str]:
    """The page ``labecon run`` writes for each chapter, rendered from the chapter's executed notebook."""
    out = tmp_path_factory.mktemp("run-pages")
    pages = {}
    for c in chapters():
        html = render_page(c.path, out / f"{c.slug}.html")
        pages[f"labecon run {c.slug}"] = html.read_text()
    return pages


def test_every_page_of_the_book_reads_whole(real_book):
    found = []
    for page in sorted(real_book.rglob("*.html")):
        if "_static" not in page.parts:
            found += problems(page.relative_to(real_book).as_posix(), page.read_text())
    assert not found, "\n".join(found[:40])


def test_every_run_page_reads_whole(run_pages):
    found = []
    for name, html in run_pages.items():
        found += problems(name, html)
        if BeautifulSoup(html, "html.parser").select(".system-message, .problematic"):
            found.append(f"{name}: the renderer reported a problem in the page")
    assert not found, "\n".join(found[:40])


def numbering(html: str) -> tuple[list[str], list[str]]:
    """The caption numbers of a page in order, and the texts of its references to numbered things."""
    soup = BeautifulSoup(html, "html.parser")
    captions = [" ".join(s.get_text().split()) for s in soup.select(".caption-number")]
    refs = [" ".join(a.get_text().split()) for a in soup.select("a.reference")
            if re.fullmatch(r"(?:Fig\.|Table) [\d.]+", " ".join(a.get_text().split()))]
    return captions, refs


def test_figures_and_tables_are_numbered_within_their_chapter(real_book, run_pages):
    """Fig. 3.2 is the second figure of chapter 3 and Table 3.1 its first table, in the book and on run pages;
    every reference reads as the number of something that exists."""
    every_caption, every_ref = set(), []
    for number, c in enumerate(chapters(), 1):
        for where, html in ((f"book/{c.slug}.html", (real_book / "book" / f"{c.slug}.html").read_text()),
                            (f"labecon run {c.slug}", run_pages[f"labecon run {c.slug}"])):
            captions, refs = numbering(html)
            figures = [x for x in captions if x.startswith("Fig.")]
            tables = [x for x in captions if x.startswith("Table")]
            assert figures == [f"Fig. {number}.{i}" for i in range(1, len(figures) + 1)], (where, figures)
            assert tables == [f"Table {number}.{i}" for i in range(1, len(tables) + 1)], (where, tables)
            every_caption |= set(captions)
            every_ref += [(where, r) for r in refs]
    assert every_ref, "the chapters refer to their figures"
    assert not [r for r in every_ref if r[1] not in every_caption], every_ref


def test_the_build_log_has_no_warning(real_book):
    log = Path(real_book).parent / "jupyter-book.log"
    if log.exists():
        assert "WARNING" not in log.read_text(), log.read_text()[-3000:]


@pytest.mark.parametrize(("html", "expected"), [
    ('<p><span class="math notranslate nohighlight">\\(100–200M to train GPT-4, about\\)</span></p>', "formula"),
    ("<p>the cost is {glue:text}`gpt5_cost` a year</p>", "MyST shown"),
    ("<p>cited {cite:p}`lambda2020gpt3`</p>", "MyST shown"),
    ("<p>a margin of nan</p>", "missing value"),
    ("<p>costs $NaNM</p>", "missing value"),
    ("<p>None</p>", "missing value"),
    ("<p>where $\\gamma$ is the margin</p>", "TeX shown"),
    ("<figure><img src='x.png'></figure>", "without a caption"),
    ("<p>as Figure Fig. 3.2 shows</p>", "written twice"),
])
def test_the_proofreader_catches(html, expected):
    assert any(expected in p for p in problems("page", html)), problems("page", html)


def test_the_proofreader_accepts_prose_formulas_and_english():
    html = ('<p>None of them says when; a margin of <span class="math notranslate nohighlight">'
            '\\(\\gamma m > g\\)</span> and <span class="math">\\(\\text{NPV}_\\text{keep}\\)</span>.</p>')
    assert problems("page", html) == []


def test_the_proofreader_finds_an_axis_without_a_unit():
    spec = {"mark": "line", "encoding": {"x": {"field": "year", "type": "quantitative", "title": "year"},
                                         "y": {"field": "usd", "type": "quantitative", "title": "profit"}}}
    html = ('<div id="chart-x-0" class="labecon-chart"></div>\n<script>(function(){var spec='
            + json.dumps(spec) + ';function draw(){}})();</script>')
    assert problems("page", html) == ["page: a y axis without a unit: 'profit'"]
