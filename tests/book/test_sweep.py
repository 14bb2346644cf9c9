"""``labecon sweep``: the chapter's headline results over a grid, checked like ``run``, equal to ``run``."""

import json
import subprocess

import numpy as np
import pandas as pd
import pytest
from mini_project import LABECON, labecon

from labecon_book import sweep
from labecon_book.chapters import chapter
from labecon_book.outputs import MARKER
from labecon_core.errors import InputError, ParameterError
from labecon_core.paths import ROOT

COHORT = chapter("cohort-accounting")


@pytest.mark.parametrize(("pairs", "error", "message"), [
    ([("cost_growth", "2:20")], ParameterError, r"'cost_growth': got '2:20'; allowed: LOW:HIGH:N"),
    ([("cost_growth", "a:b:3")], ParameterError, r"'cost_growth': got 'a'; allowed: a finite number"),
    ([("cost_growth", "20:2:3")], ParameterError, r"with LOW <= HIGH"),
    ([("cost_growth", "2:20:0")], ParameterError, r"with N from 1 to 100,000"),
    ([("cost_growth", "2:20:1")], ParameterError, r"one value needs LOW == HIGH"),
    ([("cost_growth", "2:20:x")], ParameterError, r"allowed: LOW:HIGH:N"),
    ([("generations", "2:6:5")], ParameterError, r"'generations'.*sets the shape of the model's arrays"),
    ([("ending_generations", "2:6:4")], ParameterError, r"'ending_generations'.*whole steps"),
    ([("ending_generations", "2:6:3")], ParameterError, r"'ending_generations'.*sets the shape"),
    ([("scenario", "a:b:2")], ParameterError, r"'scenario'.*a str parameter cannot be swept"),
    ([("gross_margin", "0:2:3")], ParameterError, r"'gross_margin': got 2.0; allowed: a number >= 0 and <= 1"),
    ([("cost_growth", "-1:2:4")], ParameterError, r"'cost_growth': got -1.0; allowed: a number > 0"),
    ([("cost_growth", "2:20:1000"), ("revenue_multiple", "1:10:1001")], InputError,
     r"the grid has 1,001,000 points; a sweep takes at most 1,000,000"),
    ([("cost_growth", "5")], InputError, r"nothing to sweep"),
    ([("cost_growth", "5"), ("cost_growth", "2:20:3")], InputError, r"-p cost_growth: the parameter is given twice"),
    ([("growth", "2:20:3")], ParameterError, r"unknown parameter 'growth'"),
])
def test_bad_sweeps_are_named_before_any_work(pairs, error, message):
    with pytest.raises(error, match=message):
        sweep.plan(COHORT, pairs)


def test_a_chapter_whose_results_need_a_run_cannot_be_swept():
    with pytest.raises(InputError, match=r"chapter synthesis cannot be swept.*the chapters that can: "
                                         r"cohort-accounting, competition"):
        sweep.plan(chapter("synthesis"), [("n_labs", "1:4:4")])


def test_the_table_has_a_row_per_point_and_a_column_per_parameter_and_result():
    values, axes = sweep.plan(COHORT, [("cost_growth", "2:20:4"), ("revenue_multiple", "1:4:7"),
                                       ("gross_margin", "0.7")])
    result = sweep.run_sweep(COHORT, values, axes)
    table = result.table
    assert len(table) == 28
    assert list(table.columns[: len(values)]) == list(values)
    assert set(table.cost_growth) == {2.0, 8.0, 14.0, 20.0} and (table.gross_margin == 0.7).all()
    assert {"peak_funding_need", "first_profitable_year", "conventional_pnl_2025", "cohort_pnl_2023"} <= set(table)
    # Each row equals the model run at that point alone.
    for _, row in table.sample(5, random_state=1).iterrows():
        point = (sweep.Axis("cost_growth", row.cost_growth, row.cost_growth, 1),)
        alone = sweep.run_sweep(COHORT, {**values, "revenue_multiple": row.revenue_multiple}, point).table.iloc[0]
        for name in ("peak_funding_need", "conventional_pnl_2025", "company_condition_factor"):
            assert alone[name] == pytest.approx(row[name], rel=1e-12)


def test_the_sweep_gives_what_run_gives(tmp_path):
    out = tmp_path / "sweep"
    proc = labecon(ROOT, "sweep", "cohort-accounting", "-p", "cost_growth", "4:6:3", "-p", "revenue_multiple",
                   "1.5:2.5:3", "-p", "gross_margin", "0.6", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "9 points" in proc.stdout and (out / MARKER).read_text() == "sweep\n"
    table = pd.read_csv(out / "sweep.csv")
    row = table[(table.cost_growth == 6) & (table.revenue_multiple == 1.5)].iloc[0]
    run = labecon(ROOT, "run", "cohort-accounting", "-p", "cost_growth", "6", "-p", "revenue_multiple", "1.5",
                  "-p", "gross_margin", "0.6", "--out", str(tmp_path / "run"))
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "run" / "results.json").read_text())["results"]
    assert row.peak_funding_need == pytest.approx(results["peak_funding_need"], rel=1e-7)
    assert [row[f"conventional_pnl_{y}"] for y in results["years"]] == pytest.approx(results["conventional_pnl"],
                                                                                      rel=1e-7)
    assert row.breakeven_margin_company == pytest.approx(results["breakeven_margin_company"], rel=1e-7)
    assert row.company_condition_factor == pytest.approx(results["company_condition_factor"], rel=1e-7)
    assert row.lab_npv_usd == pytest.approx(results["lab_npv_usd"], rel=1e-7)
    assert [row[f"cohort_irr_{y}"] for y in results["years"]] == pytest.approx(results["cohort_irr"], rel=1e-7)


def test_the_competition_sweep_gives_what_run_gives(tmp_path):
    values, axes = sweep.plan(chapter("competition"), [("n_labs", "3:5:3"), ("observed_revenue_multiple", "3")])
    row = sweep.run_sweep(chapter("competition"), values, axes).table.iloc[2]
    run = labecon(ROOT, "run", "competition", "-p", "n_labs", "5", "-p", "observed_revenue_multiple", "3",
                  "--out", str(tmp_path / "run"))
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "run" / "results.json").read_text())["results"]
    for name in ("realized_revenue_multiple", "breakeven_lag_months", "inferred_no_competition_multiple"):
        assert row[name] == pytest.approx(results[name], rel=1e-7), name


def test_a_bad_sweep_writes_nothing(tmp_path):
    out = tmp_path / "never"
    proc = labecon(ROOT, "sweep", "cohort-accounting", "-p", "gross_margin", "0:2:3", "--out", str(out))
    assert proc.returncode == 2 and "'gross_margin': got 2.0" in proc.stderr and not out.exists()
    inside = labecon(ROOT, "sweep", "cohort-accounting", "-p", "cost_growth", "2:3:2", "--out", str(ROOT / "data"))
    assert inside.returncode == 2 and "inside the book's sources" in inside.stderr


def test_the_command_is_listed():
    proc = subprocess.run([*LABECON, "sweep", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "LOW:HIGH:N" in proc.stdout


def test_axis_values_are_evenly_spaced():
    np.testing.assert_allclose(sweep.Axis("x", 1, 2, 5).values, [1, 1.25, 1.5, 1.75, 2])
