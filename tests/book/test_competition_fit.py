"""The competition chapter is fitted to today's market: its results give back the observed multiple and margin."""

import json
import subprocess
import sys

import nbformat
import pytest

from labecon_book.chapters import chapter
from labecon_core.paths import ROOT
from labecon_core.record import results_from_notebook

LABECON = [sys.executable, "-m", "labecon_book.cli"]


def check_fit(results: dict, values: dict):
    """Today's settings give back the observed figures; one more lab lowers both."""
    assert results["today_realized_multiple"] == pytest.approx(values["observed_revenue_multiple"], rel=1e-7)
    assert results["today_realized_margin"] == pytest.approx(values["observed_gross_margin"], rel=1e-7)
    assert results["one_more_lab_realized_multiple"] < results["today_realized_multiple"]
    assert results["one_more_lab_realized_margin"] < results["today_realized_margin"]
    assert results["inferred_no_competition_multiple"] > values["observed_revenue_multiple"]
    assert results["inferred_lone_lab_margin"] > values["observed_gross_margin"]


def test_the_committed_chapter_gives_back_the_observed_figures():
    c = chapter("competition")
    results = results_from_notebook(nbformat.read(c.path, as_version=4))
    values = c.defaults()
    check_fit(results, values)
    # The what-ifs default to today, so the headline multiple is the observed one.
    assert results["realized_revenue_multiple"] == pytest.approx(values["observed_revenue_multiple"], rel=1e-7)


def test_a_run_fits_other_observed_figures_and_keeps_the_what_ifs_apart(tmp_path):
    observed = {"observed_revenue_multiple": 3.0, "observed_gross_margin": 0.6, "n_labs_today": 3,
                "open_model_lag_today_months": 9.0}
    what_if = {"n_labs": 2, "open_model_lag_months": 6.0}
    argv = [arg for name, value in {**observed, **what_if}.items() for arg in ("-p", name, str(value))]
    proc = subprocess.run([*LABECON, "run", "competition", *argv, "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert {k: doc["parameters"][k] for k in {**observed, **what_if}} == {**observed, **what_if}
    check_fit(doc["results"], observed)
    # The headline is the what-if market (fewer labs, earlier parity), not today's.
    assert doc["results"]["realized_revenue_multiple"] != pytest.approx(observed["observed_revenue_multiple"], rel=1e-3)
