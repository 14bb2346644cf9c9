"""Symmetric logit rivalry: the lone lab, the equilibrium conditions, how n moves shares and margins."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labecon_core import rivalry
from labecon_core.errors import ParameterError

gamma = st.floats(0, 1)
s1 = st.floats(0.01, 0.99)
n = st.floats(1, 50)


@given(g=gamma, s=s1)
def test_a_lone_lab_is_the_normalization(g, s):
    o = rivalry.symmetric_logit(1, g, s)
    assert o.share == pytest.approx(s, rel=1e-12)
    assert o.price == pytest.approx(1.0, rel=1e-12)
    assert o.margin == pytest.approx(g, rel=1e-9, abs=1e-12)
    assert o.volume == pytest.approx(1.0) and o.revenue == pytest.approx(1.0) and o.gross_profit == pytest.approx(1.0)


@given(g=st.floats(0.05, 1), s=s1, k=n)
def test_equilibrium_satisfies_demand_and_first_order_conditions(g, s, k):
    """p - c = lambda/(1 - s) and s = x/(1 + n x), x = exp((a - p)/lambda), with a and lambda from the lone lab."""
    lam = g * (1 - s)
    a = 1 + lam * np.log(s / (1 - s))
    o = rivalry.symmetric_logit(k, g, s)
    cost = 1 - g
    assert o.price - cost == pytest.approx(lam / (1 - o.share), rel=1e-9)
    x = np.exp((a - o.price) / lam)
    assert o.share == pytest.approx(x / (1 + k * x), rel=1e-7)


@given(g=gamma, s=s1, a=n, b=n)
def test_more_labs_mean_smaller_shares_prices_margins_and_revenue(g, s, a, b):
    lo, hi = sorted((a, b))
    o = rivalry.symmetric_logit(np.array([lo, hi]), g, s)
    tol = 1e-12
    assert o.share[1] <= o.share[0] + tol
    assert o.price[1] <= o.price[0] + tol
    assert o.margin[1] <= o.margin[0] + tol
    assert o.revenue[1] <= o.revenue[0] + tol
    assert o.gross_profit[1] <= o.gross_profit[0] + tol
    # Total coverage grows with rivals; the markup never falls below lambda = gamma (1 - s_1).
    assert hi * o.share[1] >= lo * o.share[0] - tol
    assert o.price[1] - (1 - g) >= g * (1 - s) - tol


def test_saturated_markets_compete_prices_down_more():
    loose, tight = rivalry.symmetric_logit(4, 0.72, np.array([0.1, 0.9])).margin
    assert tight < loose
    assert tight < 0.3 < 0.6 < loose


def test_cournot_margin_is_gamma_over_n():
    np.testing.assert_allclose(rivalry.cournot_margin([1, 2, 4], 0.72), [0.72, 0.36, 0.18])


@given(g=gamma, s=s1)
def test_margins_fall_towards_the_floor_and_never_below_it(g, s):
    floor = rivalry.margin_floor(g, s)
    margins = rivalry.symmetric_logit(np.array([1.0, 2.0, 10.0, 1e7]), g, s).margin
    assert np.all(margins >= floor - 1e-12)
    assert margins[-1] == pytest.approx(floor, abs=1e-6)
    # The floor is the markup lambda = gamma (1 - s_1) over the price c + lambda.
    assert floor * (1 - g + g * (1 - s)) == pytest.approx(g * (1 - s), abs=1e-15)


@given(k=n, m=st.floats(0, 1))
def test_the_cournot_lone_lab_margin_inverts_the_cournot_margin(k, m):
    needed = rivalry.cournot_lone_lab_margin(k, m)
    assert needed == pytest.approx(k * m)
    if needed <= 1:
        assert rivalry.cournot_margin(k, needed) == pytest.approx(m, abs=1e-15)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: rivalry.symmetric_logit(0.5, 0.7, 0.3), r"'n_labs': got 0.5; allowed: a number >= 1"),
    (lambda: rivalry.symmetric_logit(2, 1.2, 0.3), r"'gross_margin': got 1.2"),
    (lambda: rivalry.symmetric_logit(2, 0.7, 1.0), r"'lone_lab_share': got 1.0; allowed: a number > 0 and < 1"),
    (lambda: rivalry.cournot_margin(0, 0.7), r"'n_labs': got 0"),
    (lambda: rivalry.margin_floor(0.7, 1.0), r"'lone_lab_share': got 1.0"),
    (lambda: rivalry.cournot_lone_lab_margin(4, 1.2), r"'margin': got 1.2"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ParameterError, match=message):
        call()
