"""What every figure offers: its data as CSV, its sources, a text alternative, and the command for what-if values.

The parts are tested on small charts made with the book's own chart helpers; the built book's
figures are tested in ``test_reader.py`` and, live, in ``test_browser.py``.
"""

import csv
import io
import json

import altair as alt
import pandas as pd
import pytest

from labecon_book import chartdata, deps, describe, fallbacks, figures, rerun, sources, specs
from labecon_book.chapters import chapter
from labecon_core import charts
from labecon_core.errors import ChapterError

COHORT = chapter("cohort-accounting")


def rendered(chart) -> str:
    """The HTML the book's renderer makes of a chart, with its static drawing in."""
    bundle = chart._repr_mimebundle_()
    return fallbacks.add_static_fallbacks((bundle[0] if isinstance(bundle, tuple) else bundle)["text/html"])


def spec_of(chart) -> specs.Chart:
    return specs.read(figures.CHART.search(rendered(chart))["spec"])


@pytest.fixture(scope="module")
def what_if():
    """A what-if chart like the book's: lines over a grid, a band and a rule sharing its axes."""
    charts.set_chapter("cohort-accounting")
    grid = pd.DataFrame({"cost_growth": [2.0, 2.0, 4.0, 4.0], "price": [0.5, 5.0, 0.5, 5.0],
                         "usd": [1e8, 1e9, 2e8, 2e9], "basis": ["rented"] * 4})
    lines = alt.Chart(grid).mark_line().encode(
        x=alt.X("price:Q", title="price per hour (USD)"), y=alt.Y("usd:Q", axis=charts.usd_axis("cost (USD)")),
        color=alt.Color("basis:N", title=None))
    lines = charts.what_if(lines, {"cost_growth": ("cost growth (×)", [2.0, 4.0])}, {"cost_growth": 2.0})
    band = alt.Chart(pd.DataFrame({"lo": [1e8], "hi": [3e8]})).mark_rect(opacity=0.2).encode(y="lo:Q", y2="hi:Q")
    rule = alt.Chart(pd.DataFrame({"price": [1.3]})).mark_rule().encode(x="price:Q")
    return charts.finish(alt.layer(band, lines, rule))


def table(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_holds_every_row_drawn_with_columns_named_as_on_the_chart(what_if):
    chart = spec_of(what_if)
    rows = table(chartdata.csv_text(chart))
    assert len(rows) == 1 + 4 + 1, "every row of every data set"
    assert list(rows[0]) == ["part", "cost (USD) [hi]", "cost (USD) [lo]", "basis", "cost growth (×)",
                             "price per hour (USD)", "cost (USD)"]
    assert [r["part"] for r in rows] == ["rect", "line", "line", "line", "line", "rule"]
    assert rows[0]["cost (USD) [lo]"] == "100000000" and rows[0]["cost (USD) [hi]"] == "300000000"
    assert rows[5]["price per hour (USD)"] == "1.3", "a reference line's value sits in the column of its axis"
    assert {r["cost growth (×)"] for r in rows[1:5]} == {"2", "4"}, "a grid column is named by its control"


def test_folded_series_tooltips_and_facets_name_their_columns():
    frame = pd.DataFrame({"month": [0, 1], "no competition": [0.1, 0.2], "rivals": [0.05, 0.1], "k": ["a", "b"],
                          "lag": [3.0, 6.0]})
    chart = alt.Chart(frame).transform_fold(["no competition", "rivals"], as_=["forces", "revenue"]).mark_line().encode(
        x=alt.X("month:Q", title="months since launch"), y=alt.Y("revenue:Q", title="revenue (share of cost)"),
        color=alt.Color("forces:N", title="forces"),
        tooltip=[alt.Tooltip("lag:Q", title="lag (months)")]).facet(column=alt.Column("k:N", title="case"))
    names = chartdata.headers(spec_of(chart))["data-0"]
    assert names == {"k": "case", "lag": "lag (months)", "month": "months since launch",
                     "no competition": "revenue (share of cost) [no competition]",
                     "rivals": "revenue (share of cost) [rivals]"}
    assert spec_of(chart).panels == 2


@pytest.mark.parametrize(("value", "text"), [
    (0.1 + 0.2, "0.3"), (1e8, "100000000"), (-2.5e9, "-2500000000"), (1.23456789012e-7, "1.2345679e-07"),
    (3, "3"), (True, "true"), (None, ""), ("a, b", "a, b"), (float("nan"), ""), (1e20, "1e+20"),
])
def test_numbers_are_written_by_the_rounding_rule(value, text):
    assert chartdata.cell(value) == text


def test_inline_csv_data_is_read_with_its_parsed_columns():
    spec = {"data": {"values": "a,b,c\n1.5,x,true\n,y,false\n", "format": {"type": "csv",
                                                                    "parse": {"a": "number", "c": "boolean"}}},
            "mark": "point", "encoding": {"x": {"field": "a", "type": "quantitative", "title": "a (USD)"}}}
    chart = specs.read(spec)
    assert chart.datasets["values-0"] == [{"a": 1.5, "b": "x", "c": True}, {"a": None, "b": "y", "c": False}]
    assert chartdata.csv_text(chart) == "a (USD),b,c\n1.5,x,true\n,y,false\n"


@pytest.mark.parametrize(("spec", "message"), [
    ({"data": {"url": "x.csv"}, "mark": "point"}, "neither a named data set nor inline"),
    ({"data": {"name": "missing"}, "mark": "point"}, "does not hold"),
    ({"repeat": ["a"], "spec": {"mark": "point"}}, "cannot read"),
    ({"data": {"values": "a\nx\n", "format": {"type": "csv", "parse": {"a": "number"}}}, "mark": "point"},
     "'x' in its number column 'a'"),
    ({"data": {"values": "a\n1\n", "format": {"type": "tsv"}}, "mark": "point"}, "CSV text only"),
    ({"mark": "point", "params": [{"name": "ctl_x", "value": 1, "bind": {"input": "range", "min": 0, "max": 1,
                                                                          "step": 1}}]}, "labecon refresh"),
])
def test_a_spec_the_book_cannot_read_is_an_error(spec, message):
    with pytest.raises(ChapterError, match=message):
        specs.read(spec)


def test_the_description_names_marks_axes_colour_panels_and_controls(what_if):
    assert describe.describe(spec_of(what_if)) == (
        "Rectangles, lines and rules; horizontal axis: price per hour (USD); vertical axis: cost (USD); "
        "control: cost growth (×).")
    bars = alt.Chart(pd.DataFrame({"k": ["a"], "v": [1.0], "c": ["x"]})).mark_bar().encode(
        x=alt.X("k:N", title=None), y=alt.Y("v:Q", title="profit (USD)"), color=alt.Color("c:N", title="case"))
    assert describe.describe(spec_of(alt.hconcat(bars, bars))) == (
        "Bars in 2 panels; horizontal axis: categories; vertical axis: profit (USD); colour: case.")


def test_the_command_gives_what_the_moved_controls_set_in_the_chapters_order(what_if):
    model = rerun.model(spec_of(what_if), "chart-x-0", COHORT, COHORT.defaults() | {"generations": 5})
    assert model["fixed"] == [["generations", "5"]]
    assert rerun.command(model) == "labecon run cohort-accounting -p generations 5"
    moved = rerun.command(model, {"cost_growth": "4"})
    assert moved == "labecon run cohort-accounting -p cost_growth 4 -p generations 5"
    assert rerun.command(model, {"cost_growth": "2"}) == rerun.command(model), "a control at its value adds nothing"
    box = rerun.box(model, "chart-x-0")
    assert 'id="chart-x-0-rerun"' in box and "labecon run cohort-accounting -p generations 5</pre>" in box
    assert "Drawn at: cost growth (×) 2." in box, "without the live controls, the box says where the chart is"
    assert json.loads(box.split('class="labecon-rerun-model">')[1].split("</script>")[0]) == model


@pytest.mark.parametrize(("name", "value", "text"), [
    ("cost_growth", 4.0, "4"), ("cost_growth", 0.30000000000000004, "0.3"), ("generations", 5.0, "5"),
    ("scenario", "plateau", "plateau"), ("scenario", "a b", "'a b'"),
])
def test_values_are_written_as_the_command_line_reads_them(name, value, text):
    assert rerun.argument(COHORT, name, value, "here") == text


@pytest.mark.parametrize(("name", "value", "message"), [
    ("generations", 2.5, "generations \\(a int\\) to 2.5"),
    ("scenario", 1.0, "scenario \\(a str\\)"),
    ("growth", 1.0, "not a parameter of cohort-accounting .*cost_growth.*charts.what_if"),
])
def test_a_control_that_sets_no_such_parameter_is_an_error(name, value, message):
    with pytest.raises(ChapterError, match=message):
        rerun.argument(COHORT, name, value, "chart-x-0")


def test_a_bool_parameter_is_set_by_a_zero_or_one_control():
    finances = chapter("lab-finances")
    assert [rerun.argument(finances, "net_out_staff", v, "") for v in (0.0, 1.0, True)] == ["false", "true", "true"]
    with pytest.raises(ChapterError, match="net_out_staff"):
        rerun.argument(finances, "net_out_staff", 0.5, "")


def test_sources_are_the_chapters_tables_and_works():
    page = ('<p>as <a class="reference internal" href="references.html#id2" title="t">Amodei, 2025</a> and '
            '<a class="reference internal" href="references.html#id7">SemiAnalysis, 2026</a>; '
            '<a class="reference internal" href="references.html#id2">Amodei, 2025</a></p>')
    works = sources.cited_in_page(page)
    assert works == [sources.Work("Amodei, 2025", "references.html#id2"),
                     sources.Work("SemiAnalysis, 2026", "references.html#id7")]
    assert sources.cited_in_markdown("a {cite:p}`k1,k2` b {cite:t}`k2` {cite}`k3`") == ["k1", "k2", "k3"]
    block = sources.block(["gross_margins", "models"], works, "appendix-data.html")
    assert '<a href="appendix-data.html#data-gross-margins"><code>gross_margins</code></a>' in block
    assert "the works" in block and '<a href="references.html#id7">SemiAnalysis, 2026</a>' in block
    assert "<summary>Sources</summary>" in block and "chapter" in block
    alone = sources.block(["models"], [sources.Work("Amodei 2025")], None)
    assert "the data table <code>models</code> (in <code>data/</code>)" in alone and "the work Amodei 2025" in alone


def test_a_page_gets_each_charts_data_sources_description_and_command(what_if, tmp_path):
    chart = rendered(what_if)
    plain = rendered(charts.finish(alt.Chart(pd.DataFrame({"x": [1.0]})).mark_point().encode(
        x=alt.X("x:Q", title="x (USD)"))))
    page = (f'<figure id="fig-a">\n<div class="output">{chart}</div><figcaption>\n<p><span class="caption-number">'
            'Fig. 1.1 </span><span class="caption-text">the cost, USD</span><a class="headerlink" href="#fig-a">#</a>'
            f'</p>\n</figcaption>\n</figure>\n<p>between</p>\n{plain}\n<p>after</p>')
    context = figures.Context(COHORT, COHORT.defaults(), ["models"], [], "appendix-data.html", tmp_path / "data",
                              "data")
    out = figures.decorate(page, context)
    first, second = (m["id"] for m in figures.CHART.finditer(page))
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == sorted([f"{first}.csv", f"{second}.csv"])
    assert (tmp_path / "data" / f"{first}.csv").read_text() == chartdata.csv_text(spec_of(what_if))
    label = f'aria-label="Fig. 1.1 the cost, USD. {describe.describe(spec_of(what_if))}"'
    assert f'<svg role="img" {label}' in out
    assert out.index(f'id="{first}-rerun"') < out.index("<figcaption>") < out.index(f'href="data/{first}.csv"') \
        < out.index("</figure>"), "the command beside the controls, the links under the caption"
    assert out.index(f'href="data/{second}.csv"') < out.index("<p>after</p>"), "a chart outside a figure: right after"
    assert out.count("labecon-rerun-model") == 1, "only the what-if chart gets a command"
    assert figures.decorate("<p>no chart</p>", context) == "<p>no chart</p>"


def test_a_notebook_without_its_record_of_tables_is_an_error():
    assert deps.tables_read({"metadata": {deps.TABLES_KEY: ["models"]}}, "nb") == ["models"]
    with pytest.raises(ChapterError, match="labecon refresh"):
        deps.tables_read({"metadata": {}}, "book/x.ipynb")
