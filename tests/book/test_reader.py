"""The built book's figures as a reader takes them away: every chart's CSV, sources, text alternative and command.

The last test re-runs chapters with the command of a moved control and finds, in the new run's
chart, exactly the rows the book's chart showed at that setting (the cohort chapter is re-run
from the command shown in a real browser, in ``test_browser.py``).
"""

import csv
import io
import json
import re
import shlex
import subprocess

import pytest
from bs4 import BeautifulSoup
from mini_project import LABECON

from labecon_book import chartdata, describe, fallbacks, figures, rerun, specs
from labecon_book.chapters import chapters
from labecon_book.deps import tables_read
from labecon_core.paths import ROOT
from labecon_core.portable import unportable_numbers


def charts_of(root, slug):
    """(chart id, chart, its element's figure or None, the links under it) of every chart on a chapter page."""
    html = (root / "book" / f"{slug}.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for m in figures.CHART.finditer(html):
        holder = soup.find(id=m["id"])
        figure = holder.find_parent("figure")
        links = (figure or holder.parent).select_one(".labecon-figure-links")
        found.append((m["id"], specs.read(m["spec"]), holder, figure, links))
    return found


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("slug", [c.slug for c in chapters()])
def test_every_chart_links_its_data_as_csv_with_units_in_the_column_names(real_book, slug):
    for chart_id, chart, _, _, links in charts_of(real_book, slug):
        link = links.select_one("a.labecon-csv")
        assert link.get_text() == "Data (CSV)" and link["href"] == f"chart-data/{chart_id}.csv"
        text = (real_book / "book" / link["href"]).read_text()
        table = rows(text)
        assert len(table) == sum(len(r) for r in chart.datasets.values()), f"{chart_id}: every row it draws"
        assert not [v for r in table for v in r.values() if unportable_numbers(v)], f"{chart_id}: the rounding rule"
        header = list(table[0]) if table else []
        for channel in ("x", "y"):
            for title in describe.titles(chart, channel):
                assert any(h.startswith(title) for h in header), f"{chart_id}: no column named {title!r}: {header}"
        names, parts = chartdata.headers(chart), chartdata.parts(chart)
        for key, data in chart.datasets.items():
            part = [r for r in table if r["part"] == parts[key]] if len(chart.datasets) > 1 else table
            expected = [{names[key][f]: chartdata.cell(v) for f, v in d.items()} for d in data]
            assert [{n: r[n] for n in e} for r, e in zip(part, expected, strict=True)] == expected, chart_id


@pytest.mark.parametrize("slug", [c.slug for c in chapters()])
def test_every_chart_names_its_chapters_tables_and_works_as_sources(real_book, slug):
    appendix = BeautifulSoup((real_book / "book" / "appendix-data.html").read_text(), "html.parser")
    references = BeautifulSoup((real_book / "book" / "references.html").read_text(), "html.parser")
    recorded = tables_read(json.loads((ROOT / "book" / f"{slug}.ipynb").read_text()), slug)
    for chart_id, _, _, _, links in charts_of(real_book, slug):
        details = links.select_one("details.labecon-sources")
        assert details.summary.get_text() == "Sources"
        tables = [a for a in details.select("a") if "#data-" in a["href"]]
        assert [a.get_text() for a in tables] == recorded, chart_id
        for a in details.select("a[href]"):
            page, _, anchor = a["href"].partition("#")
            target = {"appendix-data.html": appendix, "references.html": references}[page]
            assert not anchor or target.find(id=anchor), f"{chart_id}: {a['href']} leads nowhere"
        assert any("references.html#" in a["href"] for a in details.select("a")), f"{chart_id}: no work"


@pytest.mark.parametrize("slug", [c.slug for c in chapters()])
def test_every_chart_has_its_caption_and_a_description_as_text_alternative(real_book, slug):
    for chart_id, chart, holder, figure, _ in charts_of(real_book, slug):
        drawing = holder.find("svg")
        assert drawing["role"] == "img", chart_id
        caption = figure.figcaption
        caption.select_one(".headerlink").decompose()
        said = f"{' '.join(caption.get_text(' ').split()).rstrip('. ')}. {describe.describe(chart)}"
        assert drawing["aria-label"] == said, chart_id


def test_the_book_has_34_charts_with_15_controls_and_each_what_if_chart_its_command(real_book):
    found = [(slug, *chart) for slug in (c.slug for c in chapters()) for chart in charts_of(real_book, slug)]
    assert len(found) >= 34
    assert sum(len(chart.controls) for _, _, chart, *_ in found) >= 15
    for slug, chart_id, chart, holder, _, _ in found:
        box = holder.parent.select_one(f"#{chart_id}-rerun")
        assert (box is not None) == bool(chart.controls), chart_id
        if box:
            assert box.select_one(".labecon-rerun-command").get_text() == f"labecon run {slug}"
            assert box.select_one("button.labecon-copy").has_attr("hidden"), "without JavaScript, no copy button"


def _what_if_charts():
    """(slug, chart number, chart) of every what-if chart of the committed chapters but the cohort one."""
    found = []
    for c in chapters():
        for n, spec in enumerate(fallbacks.notebook_chart_specs(json.loads(c.path.read_text()))):
            chart = specs.read(spec)
            if chart.controls and c.slug != "cohort-accounting":
                found.append(pytest.param(c.slug, n, id=f"{c.slug}-{n}"))
    return found


def at(table: list[dict], point: dict) -> list[tuple]:
    """The rows of a chart's CSV at a setting of its controls (``column name -> value text``), without those columns."""
    return sorted(tuple(v for k, v in r.items() if k not in point) for r in table
                  if all(r.get(k) == v for k, v in point.items()))


def rerun_model(page, chart_id: str) -> dict:
    """The model of a chart's box "Re-run with these values" on a page."""
    html = page.read_text()
    return json.loads(re.search(rf'id="{chart_id}-rerun".*?"labecon-rerun-model">(.*?)</script>', html, re.S)[1])


@pytest.mark.parametrize(("slug", "number"), _what_if_charts())
def test_the_command_of_a_moved_control_re_runs_the_chapter_at_that_setting(real_book, tmp_path, slug, number):
    """Move the control that sets parameters to another value: its command, run, opens the chart at that setting
    and draws there what the book's chart showed."""
    chart_id = f"chart-{slug}-{number}"
    model = rerun_model(real_book / "book" / f"{slug}.html", chart_id)
    control = next(c for c in model["controls"] if c["sets"])
    value = next(v for v in reversed(control["values"]) if v != control["default"])
    command = shlex.split(rerun.command(model, {control["column"]: value}))
    assert command[:3] == ["labecon", "run", slug] and "-p" in command
    proc = subprocess.run([*LABECON, *command[1:], "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    setting = {c["column"]: c["default"] for c in model["controls"]} | {control["column"]: value}
    opened = {c["column"]: c["default"] for c in rerun_model(tmp_path / f"{slug}.html", chart_id)["controls"]}
    assert opened == setting, f"{' '.join(command)} opens the chart at {opened}, not {setting}"
    chart = next(c for i, c, *_ in charts_of(real_book, slug) if i == chart_id)
    named = {f: n for names in chartdata.headers(chart).values() for f, n in names.items()}
    point = {named[column]: v for column, v in setting.items()}
    shown = at(rows((real_book / "book" / "chart-data" / f"{chart_id}.csv").read_text()), point)
    again = at(rows((tmp_path / "chart-data" / f"{chart_id}.csv").read_text()), point)
    assert shown and again == shown, f"{' '.join(command)}: the re-run's chart differs at {point}"
