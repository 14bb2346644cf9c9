"""The chart helpers: what-if controls say which chapter parameters each of their values sets."""

import altair as alt
import pandas as pd
import pytest

from labecon_core import charts

GRID = pd.DataFrame({"g": [1.0, 2.0, 3.0], "usd": [1.0, 2.0, 3.0]})
LINE = alt.Chart(GRID).mark_line().encode(x="g:Q", y=alt.Y("usd:Q", title="profit (USD)"))


def params(chart) -> dict:
    return {p["name"]: p for p in chart.to_dict()["params"]}


def test_a_control_sets_the_parameter_named_like_its_column_by_default():
    chart = charts.what_if(LINE, {"g": ("growth (×)", [1, 2, 3])}, {"g": 2})
    found = params(chart)
    assert found["ctl_g"]["value"] == 2.0 and found["ctl_g"]["bind"]["input"] == "range"
    assert found["rerun_g"]["value"] == [[1.0, {"g": 1.0}], [2.0, {"g": 2.0}], [3.0, {"g": 3.0}]]
    assert "bind" not in found["rerun_g"]


def test_a_control_may_name_its_parameter_set_several_or_none():
    controls = {"g": ("growth (×)", [1, 2, 3]), "m": ("median (months)", [6, 12]), "d": ("data (share)", [0.5, 1])}
    medians = {6: {"m_low": 4.0, "m_high": 9.0}, 12.0: {"m_low": 8.0, "m_high": 18.0}}
    chart = charts.what_if(LINE, controls, {"g": 1, "m": 6, "d": 1}, {"g": "cost_growth", "m": medians, "d": None})
    found = params(chart)
    assert found["rerun_g"]["value"][0] == [1.0, {"cost_growth": 1.0}]
    assert found["rerun_m"]["value"] == [[6.0, {"m_low": 4.0, "m_high": 9.0}], [12.0, {"m_low": 8.0, "m_high": 18.0}]]
    assert found["rerun_d"]["value"] == []


@pytest.mark.parametrize(("parameters", "message"), [
    ({"x": "cost_growth"}, "not controls"),
    ({"g": {1: {"a": 1.0}, 2: {"a": 2.0}}}, "leave out its grid values"),
    ({"g": {1: {}, 2: {"a": 2.0}, 3: {"a": 3.0}}}, "expected {parameter name: value}"),
    ({"g": {1: 5.0, 2: {"a": 2.0}, 3: {"a": 3.0}}}, "expected {parameter name: value}"),
])
def test_what_a_control_sets_is_checked(parameters, message):
    with pytest.raises(ValueError, match=message):
        charts.what_if(LINE, {"g": ("growth (×)", [1, 2, 3])}, {"g": 2}, parameters)
