"""The labecon command: listing, parameters, good runs and (table-driven) bad input."""

import json
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mini_project import chart_files

from labecon_book import fallbacks, params
from labecon_book.chapters import chapter
from labecon_book.cli import main
from labecon_core.errors import ParameterError, shown
from labecon_core.paths import ROOT

LABECON = [sys.executable, "-m", "labecon_book.cli"]


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_chapters_lists_slugs_and_titles(capsys):
    code, out, _ = run_cli(capsys, "chapters")
    assert code == 0
    assert "cohort-accounting" in out and "Cohort accounting" in out


def test_params_shows_name_default_type_and_meaning(capsys):
    code, out, _ = run_cli(capsys, "params", "cohort-accounting")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("cost_growth"))
    assert "10.0" in line and "float" in line and "training cost grows" in line
    assert "results that stay finite" in out and "1e+30" in out


def _scenario(tmp_path, text, name="s.yml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


BAD = [
    # (argv after "run cohort-accounting", message fragment)
    (["-p", "cost_growth", "-1"], r"'cost_growth': got -1.0; allowed: a number > 0"),
    (["-p", "cost_growth", "0"], r"'cost_growth': got 0.0"),
    (["-p", "cost_growth", "ten"], r"'cost_growth': got 'ten'; allowed: a finite number between"),
    (["-p", "cost_growth", "nan"], r"'cost_growth': got 'nan'; allowed: a finite number"),
    (["-p", "cost_growth", "inf"], r"'cost_growth'.*finite"),
    (["-p", "cost_growth", ""], r"'cost_growth': got ''"),
    (["-p", "first_training_cost", "0"], r"'first_training_cost': got 0.0"),
    (["-p", "first_training_cost", "-1e8"], r"'first_training_cost'"),
    (["-p", "gross_margin", "1.2"], r"'gross_margin': got 1.2; allowed: a number >= 0 and <= 1"),
    (["-p", "gross_margin", "-0.5"], r"'gross_margin'"),
    (["-p", "generations", "0"], r"'generations': got 0; allowed: a whole number >= 1"),
    (["-p", "cost_growth", "1e25", "-p", "generations", "6"],
     r"'cost_growth': got 1e\+25; allowed: a growth that keeps the dearest of 6 generations.*below 1e\+100 USD"),
    (["-p", "generations", "2.5"], r"'generations': got '2.5'; allowed: a whole number"),
    (["-p", "generations", "three"], r"'generations': got 'three'"),
    (["-p", "revenue_years", "0"], r"'revenue_years'"),
    (["-p", "scenario", "boom"], r"'scenario': got 'boom'; allowed: one of: continue, plateau, overhang"),
    (["-p", "scenario", "plateau", "-p", "plateau_generation", "9"], r"'plateau_generation': got 9"),
    (["-p", "scenario", "overhang", "-p", "overhang_generation", "-1"], r"'overhang_generation': got -1"),
    (["-p", "ending_generations", "1"], r"'ending_generations': got 1"),
    (["-p", "revenue_decay", "1"], r"'revenue_decay': got 1.0.*< 1"),
    (["-p", "first_year", "1066"], r"'first_year': got 1066"),
    (["-p", "nosuch", "1"], r"unknown parameter 'nosuch' for chapter cohort-accounting; valid names: first_training"),
    (["-p", "Cost_Growth", "5"], r"unknown parameter 'Cost_Growth'"),
    (["--scenario", "{tmp}/missing.yml"], r"scenario file .*missing.yml: no such file"),
    (["--scenario", "@bad_yaml"], r"scenario file .*: not valid YAML"),
    (["--scenario", "@not_mapping"], r"must be a mapping with keys 'chapter' and 'parameters'"),
    (["--scenario", "@unknown_key"], r"unknown key\(s\) paramters; allowed: chapter, description, parameters, title"),
    (["--scenario", "@other_chapter"], r"is for chapter 'competition', not 'cohort-accounting'"),
    (["--scenario", "@wrong_type"], r"parameter 'cost_growth': got 'fast'; allowed: a finite number between"),
    (["--scenario", "@params_list"], r"'parameters' must be a mapping"),
    (["--scenario", "@unknown_param"], r"unknown parameter 'growth'"),
    (["--scenario", "@out_of_range"], r"parameter 'gross_margin': got 2.0"),
    (["--scenario", "@bool_for_number"], r"parameter 'generations': got True"),
]
SCENARIOS = {
    "bad_yaml": "chapter: cohort-accounting\nparameters: {cost_growth: [1,\n",
    "not_mapping": "- just\n- a list\n",
    "unknown_key": "chapter: cohort-accounting\nparamters: {cost_growth: 5}\n",
    "other_chapter": "chapter: competition\nparameters: {}\n",
    "wrong_type": "chapter: cohort-accounting\nparameters: {cost_growth: fast}\n",
    "params_list": "chapter: cohort-accounting\nparameters: [1, 2]\n",
    "unknown_param": "chapter: cohort-accounting\nparameters: {growth: 5}\n",
    "out_of_range": "chapter: cohort-accounting\nparameters: {gross_margin: 2}\n",
    "bool_for_number": "chapter: cohort-accounting\nparameters: {generations: true}\n",
}


@pytest.mark.parametrize(("argv", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_rejected_before_any_kernel(argv, message, tmp_path, capsys):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    argv = [_scenario(tmp_path, SCENARIOS[a[1:]]) if a.startswith("@") else a for a in argv]
    out_dir = tmp_path / "out"
    code, _out, err = run_cli(capsys, "run", "cohort-accounting", *argv, "--out", str(out_dir))
    assert code != 0
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1, "one paragraph"
    assert re.search(message, err), err
    assert not out_dir.exists(), "nothing is written for bad input"


def test_unknown_chapter_lists_the_chapters(capsys):
    code, _, err = run_cli(capsys, "run", "no-such-chapter")
    assert code == 2
    assert "no chapter 'no-such-chapter'; the chapters are: cohort-accounting" in err
    code, _, err = run_cli(capsys, "params", "nope")
    assert code == 2 and "the chapters are" in err


def test_bad_input_starts_no_kernel_and_loads_no_executor(tmp_path):
    code = (
        "import sys; from labecon_book.cli import main;"
        "rc = main(['run', 'cohort-accounting', '-p', 'cost_growth', '-1', '--out', sys.argv[1]]);"
        "assert rc == 2, rc;"
        "loaded = [m for m in sys.modules if m in ('labecon_book.execute', 'labecon_book.run', 'labecon_book.page')];"
        "assert not loaded, loaded"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "'cost_growth'" in proc.stderr


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_fuzzed_values_either_convert_or_raise_parameter_error(text):
    c = chapter("cohort-accounting")
    for name in ("cost_growth", "generations", "scenario"):
        try:
            value = params.convert(c, name, text)
        except ParameterError as exc:
            assert exc.name == name and shown(text) in str(exc)
        else:
            assert isinstance(value, c.parameter(name).type)


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-10**6, 10**6))
def test_fuzzed_numbers_round_trip_or_are_rejected_by_the_model(number):
    c = chapter("cohort-accounting")
    try:
        values = params.resolve(c, [("cost_growth", repr(number))])
    except ParameterError as exc:
        assert exc.name == "cost_growth"
        assert not 0 < number <= params.FLOAT_LIMIT, "rejected only outside (0, FLOAT_LIMIT]"
    else:
        assert values["cost_growth"] == pytest.approx(float(number))
        assert 0 < number <= params.FLOAT_LIMIT


def test_string_parameters_reach_the_notebook_as_literals(tmp_path):
    """A string parameter is injected as a Python literal, never evaluated as code."""
    from papermill.translators import PythonTranslator

    payload = "plateau'); import os; os.system('touch HACKED'); ('"
    line = PythonTranslator.codify({"scenario": payload})
    namespace = {}
    exec(line, namespace)  # what the injected cell does
    assert namespace["scenario"] == payload
    assert not (tmp_path / "HACKED").exists()


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    proc = subprocess.run([*LABECON, "run", "cohort-accounting", "-p", "cost_growth", "5", "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    return proc, out


def test_run_writes_notebook_page_and_results(good_run):
    proc, out = good_run
    assert proc.returncode == 0, proc.stderr
    assert {"cohort-accounting.ipynb", "cohort-accounting.html", "results.json"} <= {p.name for p in out.iterdir()}
    doc = json.loads((out / "results.json").read_text())
    assert doc["chapter"] == "cohort-accounting"
    assert doc["parameters"]["cost_growth"] == 5.0
    assert set(chapter("cohort-accounting").defaults()) == set(doc["parameters"])
    r = doc["results"]
    assert r["conventional_pnl"] == pytest.approx([-1e8, -3e8, -1.5e9])
    assert r["cohort_pnl"] == pytest.approx([1e8, 5e8, 2.5e9])
    assert r["peak_funding_need"] == pytest.approx(1.9e9)
    assert r["first_profitable_year"] is None
    assert "conventional_pnl" in proc.stdout and "peak_funding_need" in proc.stdout


def test_run_page_is_offline_and_shows_the_new_numbers(good_run):
    _, out = good_run
    html = (out / "cohort-accounting.html").read_text()
    assert "-$300M" in html  # the glued prose follows the parameter
    sources = re.findall(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["']([^"']+)""", html)
    assert sources and not [s for s in sources if re.match(r"(?:https?:)?//", s)], sources
    assert '<script src="vega-bundle.js">' in html and (out / "vega-bundle.js").exists()
    # Every figure is on the page (parsed with the book's MyST extensions), with its static drawing.
    charts = len(fallbacks.notebook_chart_specs(json.loads((out / "cohort-accounting.ipynb").read_text())))
    assert charts > 0 and ":::{glue" not in html
    assert html.count('class="labecon-chart"><svg') == charts
    # Citations and links to other chapters read as in the book (Sphinx-only roles, resolved for the page).
    from labecon_core.bib import author_year

    markdown = "".join("".join(c["source"]) for c in json.loads((out / "cohort-accounting.ipynb").read_text())["cells"]
                       if c["cell_type"] == "markdown")
    key = re.search(r"\{cite:p\}`([^`,]+)`", markdown)[1]
    who, year = author_year(key)
    assert f"({who} {year})" in html and year
    assert f"<em>{chapter('compute-costs').title}</em>" in html


def test_run_page_offers_each_charts_data_sources_and_the_command_of_its_run(good_run):
    _, out = good_run
    html = (out / "cohort-accounting.html").read_text()
    assert '<script src="labecon-reader.js"></script>' in html and (out / "labecon-reader.js").exists()
    csvs = sorted(p.name for p in (out / "chart-data").iterdir())
    assert csvs == chart_files(ROOT / "book" / "cohort-accounting.ipynb")
    assert all(f'class="labecon-csv" href="chart-data/{name}"' in html for name in csvs)
    assert '<pre class="labecon-rerun-command">labecon run cohort-accounting -p cost_growth 5</pre>' in html, \
        "the command of a run page keeps the run's own values"
    assert "the data tables <code>gross_margins</code>" in html and "Amodei and Collison 2025" in html


def test_scenario_file_with_override(tmp_path, capsys):
    c = chapter("cohort-accounting")
    values = params.resolve(c, [("gross_margin", "0.5")], ROOT / "scenarios" / "cohort-plateau.yml")
    assert values["scenario"] == "plateau" and values["gross_margin"] == 0.5 and values["generations"] == 7


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yml")), ids=lambda p: p.name)
def test_every_shipped_scenario_is_valid(path):
    import yaml

    slug = yaml.safe_load(path.read_text())["chapter"]
    params.resolve(chapter(slug), (), path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("x = 1", "needs a '# unit and meaning' comment"),
        ("x = 1  # share (0 = none)", "may not contain quotes or '='"),
        ("x = 1  # the lab's share", "may not contain quotes or '='"),
        ("x = f(1)  # share", "needs a literal default"),
        ("import os", "only 'name = literal  # help' lines"),
    ],
)
def test_parameters_cell_rules(tmp_path, line, message):
    import nbformat

    from labecon_book.chapters import _parse_parameters
    from labecon_core.errors import ChapterError

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(line, metadata={"tags": ["parameters"]}))
    with pytest.raises(ChapterError, match=re.escape(message)):
        _parse_parameters(nb.cells[0], tmp_path / "x.ipynb")


def test_a_page_that_cannot_be_rendered_is_an_error_and_writes_nothing(tmp_path):
    from labecon_book.page import PageMaker
    from labecon_core.errors import LabeconError

    (tmp_path / "broken.ipynb").write_text("{not json")
    with PageMaker() as page, pytest.raises(LabeconError, match=r"broken\.ipynb"):
        page.render(tmp_path / "broken.ipynb", tmp_path / "broken.html", {}, tmp_path / "chart-data")
    assert not (tmp_path / "broken.html").exists()


def test_figures_and_tables_on_a_run_page_are_numbered_as_in_the_book():
    from labecon_book.page import numbers

    text = ("Intro.\n\n:::{glue:figure} first\n:figwidth: 80%\n\ncaption\n:::\n\n"
            "```{figure} image.png\n:name: fig-b\n:alt: b\n```\n\n"
            ":::{table} costs, USD\n:name: tbl-a\n\n| a |\n|---|\n:::\n\n"
            ":::{glue:figure} third\n:name: fig-c\n:::\n"
            "not a figure:\n:name: fig-x\n")
    assert numbers(text, 3) == (["Fig. 3.1", "Fig. 3.2", "Fig. 3.3"], ["Table 3.1"],
                                {"fig-b": "Fig. 3.2", "tbl-a": "Table 3.1", "fig-c": "Fig. 3.3"})
    assert numbers(text)[2]["fig-c"] == "Fig. 3"
