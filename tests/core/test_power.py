"""Tests of labecon_core.power: the gigawatt arithmetic of the essay comments (source 003)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labecon_core import data, power
from labecon_core.errors import ParameterError
from labecon_core.power import GwParams, gw_arithmetic

money = st.floats(1e6, 1e12)
rate = st.floats(1e9, 5e10)
share = st.floats(0, 1)


def claims():
    return data.load("compute_claims").set_index("claim")


def test_revenue_to_gw_reproduces_the_comment():
    c = claims()
    revenue = 44e9
    lo, hi = c.loc["essay_usd_per_gw_year", ["low", "high"]]
    gw = power.gw_for_spend(revenue, np.array([hi, lo]))
    assert gw == pytest.approx([44 / 15, 44 / 12])
    # "maybe 3-4 GW": the high price gives a little under 3.
    assert gw[0] < c.loc["essay_affordable_gw", "low"] < gw[1] < c.loc["essay_affordable_gw", "high"]


def test_default_chain_reproduces_the_comment_and_its_gap():
    c = claims()
    r = gw_arithmetic(GwParams())
    assert r.gross_profit == pytest.approx(0.5 * 44e9 * 0.72 + 0.5 * 44e9 * 0.30)
    assert r.gross_profit == pytest.approx(c.loc["essay_gross_profit", "value"], rel=0.05)
    assert r.blended_margin == pytest.approx(0.51)
    assert r.own_inference_cost == pytest.approx(7.5e9)
    # Serving all revenue first-party at 72% costs ~$12.3B: ~0.8 GW at $15B, ~1 GW at $12B ("1 GW").
    assert r.all_first_party_inference_gw == pytest.approx(44e9 * 0.28 / 15e9)
    # R&D to break even is ~1.5 GW, not the comment's 1 GW...
    assert r.break_even_rd_gw == pytest.approx(22.44e9 / 15e9)
    assert r.first_party_gw_at_break_even == pytest.approx(0.5 + 22.44e9 / 15e9)
    # ...unless ~the own inference cost is charged a second time.
    other = power.other_costs_implied(r.gross_profit, c.loc["essay_break_even_rd_gw", "value"], 15e9)
    assert other == pytest.approx(7.44e9)
    assert power.counts_compute_twice(other, r.own_inference_cost)


@given(money, st.floats(-0.5, 0.5))
def test_counting_twice_is_a_gap_within_the_tolerance(own, gap):
    other = own * (1 + gap)
    assert power.counts_compute_twice(other, own) == (abs(other - own) < 0.1 * own)
    assert power.counts_compute_twice(own, own) and not power.counts_compute_twice(0.0, own)
    assert power.counts_compute_twice(other, own, rel_tol=0.6)


def test_scalar_inputs_give_scalar_results():
    r = gw_arithmetic(GwParams())
    for value in r.__dict__.values():
        assert np.ndim(value) == 0 and not isinstance(value, np.ndarray)


@given(money, rate)
def test_spend_and_gw_are_inverse(spend, c):
    assert power.spend_for_gw(power.gw_for_spend(spend, c), c) == pytest.approx(spend)


@given(money, share, rate)
def test_inference_gw_costs_the_serving_cost(revenue, margin, c):
    assert power.spend_for_gw(power.inference_gw(revenue, margin, c), c) == pytest.approx(
        power.serving_cost(revenue, margin), rel=1e-12, abs=1e-6)


@given(money, share, share, share)
def test_blended_profit_interpolates_between_the_two_margins(revenue, s, own, cloud):
    profit = power.blended_gross_profit(revenue, s, own, cloud)
    assert min(own, cloud) * revenue - 1e-3 <= profit <= max(own, cloud) * revenue + 1e-3
    assert power.blended_gross_profit(revenue, 1.0, own, cloud) == pytest.approx(revenue * own)
    assert power.blended_gross_profit(revenue, 0.0, own, cloud) == pytest.approx(revenue * cloud)


@given(money, rate, st.floats(0, 1e10))
def test_break_even_rd_spends_the_profit_to_zero(profit, c, other):
    rd = power.break_even_rd_gw(profit, c, other)
    assert profit - other - power.spend_for_gw(rd, c) == pytest.approx(0, abs=1e-3)
    assert power.other_costs_implied(profit, rd, c) == pytest.approx(other, abs=1e-3)


def test_arrays_broadcast_like_scalar_runs():
    rates = np.array([12e9, 13.5e9, 15e9])
    own = np.array([[0.25], [0.5], [1.0]])
    r = gw_arithmetic(GwParams(usd_per_gw_year=rates, own_inference_gw=own))
    assert r.break_even_rd_gw.shape == (3, 3)
    one = gw_arithmetic(GwParams(usd_per_gw_year=13.5e9, own_inference_gw=1.0))
    assert r.break_even_rd_gw[2, 1] == pytest.approx(one.break_even_rd_gw)
    assert r.gross_profit[2, 1] == pytest.approx(one.gross_profit)
    assert all(np.shape(v) == (3, 3) for v in r.__dict__.values())


def test_more_own_compute_at_a_higher_margin_earns_more():
    r = gw_arithmetic(GwParams(own_inference_gw=np.array([0.0, 0.5, 1.0]), cloud_inference_gw=0.5))
    assert np.all(np.diff(r.gross_profit) > 0)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("annualized_revenue", 0.0, "annualized_revenue.*> 0"),
    ("usd_per_gw_year", -1e9, "usd_per_gw_year.*> 0"),
    ("own_inference_gw", -0.1, "own_inference_gw.*>= 0"),
    ("cloud_inference_gw", float("nan"), "cloud_inference_gw.*finite"),
    ("own_margin", 1.2, "own_margin.*<= 1"),
    ("cloud_margin", -0.1, "cloud_margin.*>= 0"),
    ("other_costs", -1.0, "other_costs.*>= 0"),
    ("annualized_revenue", "lots", "annualized_revenue.*a number"),
])
def test_bad_inputs_name_the_field(field, value, message):
    with pytest.raises(ParameterError, match=message):
        GwParams(**{field: value})


def test_no_inference_compute_at_all_is_refused():
    with pytest.raises(ParameterError, match=r"own_inference_gw \+ cloud_inference_gw.*> 0"):
        GwParams(own_inference_gw=0.0, cloud_inference_gw=0.0)
