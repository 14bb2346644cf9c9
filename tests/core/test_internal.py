"""Tests of labecon_core.internal: the keep-or-sell model of internal deployment."""

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from chapter_prose import run_chapter
from hypothesis import given, settings
from hypothesis import strategies as st

from labecon_core import cohort, data, internal
from labecon_core.errors import ParameterError
from labecon_core.inputs import internal_deployment
from labecon_core.internal import InternalParams, internal_model
from labecon_core.paths import ROOT

# Ranges wide enough to reach every regime, narrow enough to stay away from underflow.
RANGES = {
    "edge_value_usd": (1e6, 1e12),
    "erosion_exponent": (0.0, 3.0),
    "api_customers": (1.0, 200.0),
    "value_capture_share": (0.0, 1.0),
    "internal_cost_share": (0.0, 1.0),
    "exclusivity_months": (0.0, 60.0),
    "holders_after_catchup": (1.0, 500.0),
    "discount_rate": (0.0, 0.5),
    "horizon_years": (0.1, 10.0),
}


def _value(name):
    lo, hi = RANGES[name]
    values = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if name == "exclusivity_months":  # none at all, or at least an hour: no subnormal windows
        return st.one_of(st.just(0.0), st.floats(1e-3, hi))
    return values


params_strategy = st.builds(InternalParams, **{name: _value(name) for name in RANGES})


def close(a, b, rel=1e-9):
    return np.allclose(a, b, rtol=rel, atol=1e-9 * max(1.0, float(np.max(np.abs(b)))))


def routes_tie(res, p, rel=1e-9):
    """The two present values agree up to rounding on the scale of the edge (V(1) over the horizon)."""
    return abs(float(res.internal_npv - res.api_npv)) <= rel * p.edge_value_usd * p.horizon_years


# --- the invariant the issue names -------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(edge=_value("edge_value_usd"), k=_value("api_customers"), n=_value("holders_after_catchup"),
       r=_value("discount_rate"), h=_value("horizon_years"), past=st.floats(1.0, 3.0))
def test_fixed_pie_full_capture_free_running_and_endless_exclusivity_make_the_routes_equal(edge, k, n, r, h, past):
    p = InternalParams(edge_value_usd=edge, erosion_exponent=0.0, api_customers=k, value_capture_share=1.0,
                       internal_cost_share=0.0, exclusivity_months=12 * h * past, holders_after_catchup=n,
                       discount_rate=r, horizon_years=h)
    res = internal_model(p)
    assert close(res.internal_npv, res.api_npv)
    assert close(res.breakeven_value_capture_share, 1.0)
    assert close(res.breakeven_internal_cost_share, 0.0)
    assert res.shared_years <= 1e-12 * h  # months / 12 may round a hair below the horizon


def test_a_tie_goes_to_leasing():
    p = InternalParams(erosion_exponent=0.0, value_capture_share=1.0, internal_cost_share=0.0,
                       exclusivity_months=36.0, horizon_years=3.0)
    res = internal_model(p)
    assert res.internal_npv == res.api_npv
    assert not res.keep_internal


# --- closed forms against first principles ---------------------------------------------------

def _numeric_npvs(p: InternalParams, per_year=12_000):
    """Midpoint-rule integral of the two routes' flows, written from the model's definition.

    The grid puts a cell edge on every whole month, so the end of exclusivity falls on one.
    """
    steps = round(p.horizon_years * per_year)
    dt = 1 / per_year
    t = (np.arange(steps) + 0.5) * dt
    discount = (1 + p.discount_rate) ** -t
    exclusive = t < p.exclusivity_months / 12
    v1, alpha = p.edge_value_usd, p.erosion_exponent
    value = lambda n: v1 * n ** -alpha  # noqa: E731  V(n), the total value among n holders
    internal_flow = (1 - p.internal_cost_share) * np.where(
        exclusive, value(1), value(p.holders_after_catchup) / p.holders_after_catchup)
    api_flow = np.where(exclusive, p.value_capture_share * value(p.api_customers), 0.0)
    return (internal_flow * discount).sum() * dt, (api_flow * discount).sum() * dt


@pytest.mark.parametrize("overrides", [
    {},
    {"erosion_exponent": 0.0, "exclusivity_months": 6.0, "discount_rate": 0.0},
    {"erosion_exponent": 2.0, "api_customers": 3, "holders_after_catchup": 2, "discount_rate": 0.3},
    {"exclusivity_months": 0.0, "horizon_years": 5.0},
    {"exclusivity_months": 120.0, "horizon_years": 2.5, "internal_cost_share": 0.9},
])
def test_present_values_match_a_numerical_integral_of_the_flows(overrides):
    p = InternalParams(**overrides)
    res = internal_model(p)
    internal_num, api_num = _numeric_npvs(p)
    assert res.internal_npv == pytest.approx(internal_num, rel=1e-5)
    assert res.api_npv == pytest.approx(api_num, rel=1e-5, abs=1e-3)


@settings(max_examples=200, deadline=None)
@given(params_strategy)
def test_breakeven_capture_share_is_the_closed_form_and_equalises_the_routes(p):
    res = internal_model(p)
    phi_star = res.breakeven_value_capture_share
    a_e, a_s = res.exclusive_years, res.shared_years
    if a_e > 0:
        n_term = p.holders_after_catchup ** (-1 - p.erosion_exponent)
        expected = (1 - p.internal_cost_share) * p.api_customers ** p.erosion_exponent * (1 + a_s / a_e * n_term)
        assert close(phi_star, expected)
        at_star = internal_model(replace(p, value_capture_share=min(float(phi_star), 1.0)))
        if phi_star <= 1:
            assert routes_tie(at_star, p)
        else:
            assert at_star.keep_internal  # even capturing everything, the API falls short
    else:
        assert res.api_npv == 0
        assert phi_star == (np.inf if res.internal_npv > 0 else 0.0)
    assert res.breakeven_reachable == (phi_star <= 1)
    # The decision is the comparison of phi with phi*.
    if not np.isclose(p.value_capture_share, phi_star, rtol=1e-9):
        assert res.keep_internal == (p.value_capture_share < phi_star)


@settings(max_examples=200, deadline=None)
@given(params_strategy)
def test_breakeven_internal_cost_share_lies_in_0_1_and_equalises_the_routes(p):
    res = internal_model(p)
    kappa_star = float(res.breakeven_internal_cost_share)
    assert -1e-12 <= kappa_star <= 1 + 1e-12
    at_star = internal_model(replace(p, internal_cost_share=min(max(kappa_star, 0.0), 1.0)))
    assert routes_tie(at_star, p)


def test_no_exclusivity_leaves_the_api_nothing_to_sell():
    res = internal_model(InternalParams(exclusivity_months=0.0))
    assert res.api_npv == 0 and res.exclusive_years == 0
    assert res.breakeven_value_capture_share == np.inf and not res.breakeven_reachable
    assert res.keep_internal
    worthless = internal_model(InternalParams(exclusivity_months=0.0, internal_cost_share=1.0))
    assert worthless.breakeven_value_capture_share == 0.0 and not worthless.keep_internal


def test_essay_erosion_divides_the_api_revenue_by_the_number_of_customers():
    """alpha = 1: k customers share V(1)/k in total, so the API earns phi V(1) / k while it is ahead."""
    p = InternalParams(erosion_exponent=1.0, api_customers=8, discount_rate=0.0, exclusivity_months=12.0)
    assert internal_model(p).api_npv == pytest.approx(p.value_capture_share * p.edge_value_usd / 8 * 1.0)


@settings(max_examples=200, deadline=None)
@given(params_strategy)
def test_the_api_sells_a_share_of_what_its_customers_hold_together(p):
    """api_npv = phi V(k) A_e, with V(k) = V(1) k^-alpha the total value among the k customers."""
    res = internal_model(p)
    together = internal.total_value_usd(p, p.api_customers)
    assert close(together, p.edge_value_usd * internal.total_value_share(p, p.api_customers))
    assert close(res.api_npv, p.value_capture_share * together * res.exclusive_years)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 3.0), st.floats(1.0, 100.0), st.floats(0.0, 100.0))
def test_the_total_value_shrinks_with_more_holders_and_each_holder_gets_less(alpha, n, more):
    p = InternalParams(erosion_exponent=alpha)
    assert internal.total_value_share(p, 1.0) == 1.0
    share, shared_wider = internal.total_value_share(p, n), internal.total_value_share(p, n + more)
    assert shared_wider <= share * (1 + 1e-12)
    assert shared_wider / (n + more) <= share / n * (1 + 1e-12)
    assert internal.total_value_share(replace(p, erosion_exponent=0.0), n) == 1.0  # a fixed pie is only split
    np.testing.assert_allclose(internal.total_value_share(p, np.array([n, n + more])), [share, shared_wider])


@settings(max_examples=100, deadline=None)
@given(params_strategy)
def test_the_api_earns_only_in_the_months_before_catch_up(p):
    _, api = internal.revenue_by_period(p, 1 / 12)
    month = float(internal.catchup_month(p))
    assert month == min(p.exclusivity_months, 12 * p.horizon_years)
    starts = np.arange(api.shape[-1])
    assert (api[starts > month + 1e-6] == 0).all()
    if p.value_capture_share > 0:
        assert (api[starts < month - 1e-6] > 0).all()


# --- monotonicity in each parameter ----------------------------------------------------------

# Direction in which each result moves when the parameter rises (+1 up, -1 down, 0 unchanged).
DIRECTIONS = {
    "edge_value_usd": {"internal_npv": 1, "api_npv": 1, "breakeven_value_capture_share": 0},
    "erosion_exponent": {"internal_npv": -1, "api_npv": -1},
    "api_customers": {"internal_npv": 0, "api_npv": -1, "advantage": 1, "breakeven_value_capture_share": 1},
    "value_capture_share": {"internal_npv": 0, "api_npv": 1, "advantage": -1, "breakeven_value_capture_share": 0},
    "internal_cost_share": {"internal_npv": -1, "api_npv": 0, "advantage": -1, "breakeven_value_capture_share": -1},
    "exclusivity_months": {"internal_npv": 1, "api_npv": 1, "breakeven_value_capture_share": -1},
    "holders_after_catchup": {"internal_npv": -1, "api_npv": 0, "breakeven_value_capture_share": -1},
    "discount_rate": {"internal_npv": -1, "api_npv": -1, "breakeven_value_capture_share": -1},
    "horizon_years": {"internal_npv": 1, "api_npv": 1, "breakeven_value_capture_share": 1},
}


def _moves(before, after, direction):
    if np.isinf(before) and np.isinf(after):
        return True
    if np.isinf(before) or np.isinf(after):
        return direction >= 0 if np.isinf(after) else direction <= 0
    tol = 1e-9 * max(abs(before), abs(after), 1e-12)
    if direction > 0:
        return after >= before - tol
    if direction < 0:
        return after <= before + tol
    return abs(after - before) <= tol


@settings(max_examples=400, deadline=None)
@given(params_strategy, st.sampled_from(sorted(DIRECTIONS)), st.floats(0.0, 1.0))
def test_results_move_monotonically_in_each_parameter(p, name, step):
    hi = RANGES[name][1]
    before_value = getattr(p, name)
    after_value = before_value + step * (hi - before_value)
    before, after = internal_model(p), internal_model(replace(p, **{name: after_value}))
    for result, direction in DIRECTIONS[name].items():
        b, a = float(getattr(before, result)), float(getattr(after, result))
        assert _moves(b, a, direction), (name, before_value, after_value, result, b, a)
    if name == "value_capture_share" and not before.keep_internal:
        assert not after.keep_internal  # capturing more never makes selling worse


# --- vectorisation ---------------------------------------------------------------------------

def test_arrays_broadcast_and_match_scalar_runs():
    alphas = np.array([0.0, 0.5, 1.0, 2.0])[:, None]
    months = np.array([0.0, 6.0, 12.0, 48.0])[None, :]
    p = InternalParams(erosion_exponent=alphas, exclusivity_months=months)
    res = internal_model(p)
    assert res.internal_npv.shape == res.breakeven_value_capture_share.shape == (4, 4)
    for i, a in enumerate(alphas[:, 0]):
        for j, m in enumerate(months[0]):
            one = internal_model(InternalParams(erosion_exponent=a, exclusivity_months=m))
            assert res.internal_npv[i, j] == pytest.approx(float(one.internal_npv))
            assert res.api_npv[i, j] == pytest.approx(float(one.api_npv))
            assert res.keep_internal[i, j] == one.keep_internal


def test_decision_grid_matches_the_model_point_by_point():
    p = InternalParams()
    grid = internal.decision_grid(p, [0.0, 0.3, 1.0], [0.0, 0.5, 1.0])
    assert len(grid) == 9
    row = grid[(grid.erosion_exponent == 0.3) & (grid.value_capture_share == 0.5)].iloc[0]
    one = internal_model(replace(p, erosion_exponent=0.3, value_capture_share=0.5))
    assert row.internal_npv_usd == pytest.approx(float(one.internal_npv))
    assert row.api_npv_usd == pytest.approx(float(one.api_npv))
    assert (grid.keep_internal == (grid.value_capture_share < grid.breakeven_value_capture_share)).all()


GRID_AXES = {"api_customers": [1.0, 10.0], "erosion_exponent": [0.0, 1.0, 2.0],
             "internal_cost_share": [0.0, 0.3, 0.9], "exclusivity_months": [3.0, 9.0]}


def test_selling_share_is_the_share_of_the_grid_where_selling_is_worth_as_much():
    p = InternalParams()
    alphas, phis = np.linspace(0, 2, 21), np.linspace(0, 1, 11)
    grid = internal.decision_grid(p, alphas, phis)
    assert internal.selling_share(p, alphas, phis) == (~grid.keep_internal).mean()
    # A dearer desk never shrinks the API's region; a desk that loses everything leaves all of it to the API.
    shares = [internal.selling_share(replace(p, internal_cost_share=kappa), alphas, phis) for kappa in (0, 0.3, 0.9)]
    assert shares == sorted(shares)
    assert internal.selling_share(replace(p, internal_cost_share=1.0), alphas, phis) == 1.0


@settings(max_examples=200, deadline=None)
@given(params_strategy)
def test_the_exponents_that_let_the_api_win_form_one_range(p):
    alphas = np.linspace(0, 3, 121)
    reachable = internal_model(replace(p, erosion_exponent=alphas)).breakeven_reachable
    reach = internal.reachable_exponents(p, alphas)
    if not reachable.any():
        assert reach is None
        return
    inside = (alphas >= reach[0]) & (alphas <= reach[1])
    assert np.array_equal(inside, reachable)  # phi* is convex in alpha: no gap inside the range
    if p.api_customers >= p.holders_after_catchup:  # then phi* rises with alpha: the range starts at 0
        assert reach[0] == 0.0


def test_with_one_customer_the_range_reaches_the_largest_exponent():
    # k = 1: phi* only falls as alpha rises, so the API's exponents are the large ones.
    p = InternalParams(api_customers=1.0, holders_after_catchup=3.0, internal_cost_share=0.2)
    low, high = internal.reachable_exponents(p, np.linspace(0, 2, 201))
    assert 0 < low and high == 2.0


def test_scenario_grid_rows_are_one_at_a_time_runs():
    p = InternalParams()
    grid = internal.scenario_grid(p, **GRID_AXES)
    assert len(grid) == 2 * 3 * 3 * 2
    assert list(grid.columns) == [*GRID_AXES, "internal_npv_usd", "api_npv_usd", "keep_internal",
                                  "breakeven_value_capture_share", "breakeven_internal_cost_share"]
    for row in grid.itertuples():
        one = internal_model(replace(p, **{k: getattr(row, k) for k in GRID_AXES}))
        assert row.internal_npv_usd == pytest.approx(float(one.internal_npv), rel=1e-12)
        assert row.api_npv_usd == pytest.approx(float(one.api_npv), rel=1e-12)
        assert row.keep_internal == bool(one.keep_internal)
        assert row.breakeven_value_capture_share == pytest.approx(float(one.breakeven_value_capture_share), rel=1e-12)
        assert row.breakeven_internal_cost_share == pytest.approx(float(one.breakeven_internal_cost_share), rel=1e-12)


def test_scenario_grid_holds_the_defaults_and_agrees_with_the_decision_grid():
    p = InternalParams()
    grid = internal.scenario_grid(p, **GRID_AXES)
    at_default = grid[(grid.api_customers == p.api_customers) & (grid.erosion_exponent == p.erosion_exponent)
                      & (grid.internal_cost_share == p.internal_cost_share)
                      & (grid.exclusivity_months == p.exclusivity_months)]
    assert len(at_default) == 1
    assert at_default.internal_npv_usd.iloc[0] == pytest.approx(float(internal_model(p).internal_npv))
    two_axes = internal.scenario_grid(p, erosion_exponent=[0.0, 1.0], value_capture_share=[0.1, 0.9])
    decision = internal.decision_grid(p, [0.0, 1.0], [0.1, 0.9])
    assert np.allclose(two_axes.api_npv_usd, decision.api_npv_usd)
    assert (two_axes.keep_internal == decision.keep_internal).all()


def test_scenario_grid_without_exclusivity_has_an_infinite_break_even_share():
    grid = internal.scenario_grid(InternalParams(), exclusivity_months=[0.0, 9.0])
    assert np.isinf(grid.breakeven_value_capture_share.iloc[0])
    assert np.isfinite(grid.breakeven_value_capture_share.iloc[1])


@pytest.mark.parametrize(("p", "axes", "message"), [
    (InternalParams(), {}, r"'axes'.*at least one of: edge_value_usd"),
    (InternalParams(), {"alpha": [1.0]}, r"'grid axis': got 'alpha'; allowed: one of: edge_value_usd"),
    (InternalParams(), {"internal_cost_share": [0.3, 1.2]}, r"'internal_cost_share': got 1.2"),
    (InternalParams(discount_rate=np.array([0.0, 0.1])), {"erosion_exponent": [1.0]},
     r"'discount_rate'.*a scalar \(only the grid's axes vary\)"),
])
def test_scenario_grid_refuses_bad_axes(p, axes, message):
    with pytest.raises(ParameterError, match=message):
        internal.scenario_grid(p, **axes)


# --- revenue streams for the cohort model ----------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(params_strategy, st.sampled_from([1.0, 0.5, 1 / 12]))
def test_undiscounted_period_revenue_adds_up_to_the_zero_rate_present_value(p, period):
    p0 = replace(p, discount_rate=0.0)
    internal_rev, api_rev = internal.revenue_by_period(p0, period)
    res = internal_model(p0)
    assert close(internal_rev.sum(), res.internal_npv, rel=1e-9)
    assert close(api_rev.sum(), res.api_npv, rel=1e-9)
    assert internal_rev.shape[-1] == int(np.ceil(round(p.horizon_years / period, 9)))


def test_periods_past_the_horizon_earn_nothing():
    internal_rev, api_rev = internal.revenue_by_period(InternalParams(horizon_years=2.0), 1.0, periods=4)
    assert (internal_rev[2:] == 0).all() and (api_rev[2:] == 0).all()
    assert (internal_rev[:2] > 0).all()


@settings(max_examples=200, deadline=None)
@given(params_strategy)
def test_extra_revenue_is_the_forgone_api_revenue_subtracted_and_sums_non_negative(p):
    extra = internal.extra_annual_revenue(p)
    internal_rev, api_rev = internal.revenue_by_period(p)
    if internal_model(p).keep_internal:
        np.testing.assert_allclose(extra, internal_rev - api_rev)
        assert extra.sum() >= -1e-9 * p.edge_value_usd
    else:
        assert (extra == 0).all()


def test_revenue_multiple_is_extra_revenue_over_training_cost_and_vectorises():
    p = InternalParams(edge_value_usd=np.array([1e9, 2e9, 4e9]))
    costs = np.array([1e9, 1e9, 2e9])
    multiple = internal.internal_revenue_multiple(p, costs, years=5)
    np.testing.assert_allclose(multiple, internal.extra_annual_revenue(p, 5).sum(axis=-1) / costs)
    assert multiple[1] == pytest.approx(2 * multiple[0]) and multiple[2] == pytest.approx(multiple[1])


def test_cohort_composition_adds_the_extra_revenue_to_the_cohort_model():
    p = InternalParams()
    cp = cohort.CohortParams(first_training_cost=1e9, revenue_multiple=1.0, gross_margin=0.72, generations=1,
                             revenue_years=3)
    base, with_edge = cohort.cohort_model(cp), internal.cohort_with_internal(p, cp)
    extra = internal.extra_annual_revenue(p, 3).sum()
    assert with_edge.cohort_revenue[0] - base.cohort_revenue[0] == pytest.approx(extra)
    assert with_edge.cohort_pnl[0] - base.cohort_pnl[0] == pytest.approx(0.72 * extra)
    selling = replace(p, erosion_exponent=0.0, internal_cost_share=0.9, value_capture_share=0.5)
    assert not internal_model(selling).keep_internal
    np.testing.assert_array_equal(internal.cohort_with_internal(selling, cp).profit, base.profit)


def test_breakeven_edge_value_zeroes_the_cohort_pnl():
    p = InternalParams()
    cp = cohort.CohortParams(first_training_cost=1e9, revenue_multiple=1.0, gross_margin=0.72, generations=1,
                             revenue_years=3)
    needed = float(internal.breakeven_edge_value(p, cp))
    assert needed > 0
    at = internal.cohort_with_internal(replace(p, edge_value_usd=needed), cp)
    assert at.cohort_pnl[0] == pytest.approx(0.0, abs=1e-3 * cp.first_training_cost)
    assert internal.breakeven_edge_value(p, replace(cp, revenue_multiple=2.0)) == 0.0
    selling = replace(p, erosion_exponent=0.0, internal_cost_share=0.9, value_capture_share=0.5)
    assert np.isnan(internal.breakeven_edge_value(selling, cp))


def test_cohort_pnl_over_edges_is_linear_in_the_edge_and_zero_at_the_break_even_edge():
    p = InternalParams()
    cp = internal.single_model_cohort(1e9, 1.0, 0.72, p.horizon_years)
    edges = np.linspace(1e8, 2e10, 7)
    pnl = internal.cohort_pnl_over_edges(p, cp, edges)
    assert pnl.shape == edges.shape
    # The route chosen does not depend on the edge's value, so the P&L is a straight line in it.
    np.testing.assert_allclose(np.diff(pnl, 2), 0.0, atol=1e-9 * np.abs(pnl).max())
    for edge, value in zip(edges, pnl, strict=True):
        assert value == pytest.approx(float(internal.cohort_with_internal(replace(p, edge_value_usd=edge), cp)
                                            .cohort_pnl[0]))
    needed = float(internal.breakeven_edge_value(p, cp))
    assert internal.cohort_pnl_over_edges(p, cp, [needed])[0] == pytest.approx(0.0, abs=1e-3 * cp.first_training_cost)


@pytest.mark.parametrize(("horizon", "years"), [(3.0, 3), (2.5, 3), (0.1, 1), (3.0000000001, 3)])
def test_a_single_model_cohort_serves_the_horizon_in_whole_years(horizon, years):
    cp = internal.single_model_cohort(1e9, 1.5, 0.7, horizon)
    assert (cp.generations, cp.revenue_years) == (1, years)
    assert cohort.cohort_model(cp).cohort_revenue[0] == pytest.approx(1.5e9)  # the multiple, over the whole life


# --- evidence on the erosion exponent --------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 3.0), st.integers(1, 20), st.integers(1, 20))
def test_implied_erosion_exponent_inverts_the_per_holder_share(alpha, n0, extra):
    n1 = n0 + extra
    kept = (n1 / n0) ** (-1 - alpha)  # V(n1)/n1 over V(n0)/n0
    assert internal.implied_erosion_exponent(n0, n1, kept) == pytest.approx(alpha, abs=1e-9)


def test_halving_on_a_second_holder_is_a_fixed_pie():
    assert internal.implied_erosion_exponent(1, 2, 0.5) == pytest.approx(0.0)
    assert internal.implied_erosion_exponent(1, 2, 0.25) == pytest.approx(1.0)


def test_the_evidence_table_gives_one_exponent_per_row_stated_or_implied():
    table = data.load("internal_edge_evidence")
    erosion = internal.erosion_evidence(table)
    assert list(erosion.columns) == ["claim", "source", "basis", "erosion_exponent"]
    assert erosion.claim.tolist() == table.claim.tolist()
    for row, piece in zip(table.itertuples(), erosion.itertuples(), strict=True):
        if np.isnan(row.erosion_exponent):
            assert piece.basis == "implied"
            assert piece.erosion_exponent == internal.implied_erosion_exponent(row.holders_before, row.holders_after,
                                                                              row.share_kept)
        else:
            assert (piece.basis, piece.erosion_exponent) == ("stated", row.erosion_exponent)
    # The essay's statement and the Jane Street episode: an edge that halves in total, and a pie only shared.
    assert sorted(zip(erosion.basis, erosion.erosion_exponent, strict=True)) == [("implied", 0.0), ("stated", 1.0)]


# --- the break-even capture share over a range of erosion exponents ----------------------------

@settings(max_examples=200, deadline=None)
@given(params_strategy, st.floats(0.0, 3.0), st.floats(0.0, 3.0))
def test_the_break_even_range_bounds_phi_star_on_the_range_and_is_reached(p, a, b):
    low, high = min(a, b), max(a, b)
    smallest, largest = internal.breakeven_capture_share_range(p, low, high)
    alphas = np.linspace(low, high, 2001)
    phi = internal_model(replace(p, erosion_exponent=alphas)).breakeven_value_capture_share
    if np.isinf(phi).all():
        assert smallest == largest == np.inf
        return
    assert smallest <= largest
    assert (phi >= smallest * (1 - 1e-9)).all() and (phi <= largest * (1 + 1e-9)).all()
    # phi* is convex in alpha: its largest value is at an end, its smallest no lower than the grid shows
    # (the grid's spacing bounds how far above the true minimum the grid can stay).
    assert largest == max(phi[0], phi[-1])
    assert smallest >= phi.min() * (1 - 1e-4) - 1e-12


@settings(max_examples=100, deadline=None)
@given(params_strategy, st.floats(0.0, 3.0))
def test_the_break_even_range_of_one_exponent_is_phi_star_there(p, alpha):
    phi = float(internal_model(replace(p, erosion_exponent=alpha)).breakeven_value_capture_share)
    assert internal.breakeven_capture_share_range(p, alpha, alpha) == (phi, phi)


@pytest.mark.parametrize(("overrides", "smallest_at"), [
    ({"api_customers": 20.0, "holders_after_catchup": 20.0}, "low"),  # k >= N: phi* rises with alpha
    ({"api_customers": 1.0, "holders_after_catchup": 3.0}, "high"),  # one customer: phi* only falls
    ({"exclusivity_months": 36.0}, "low"),  # nothing after catch-up: phi* = (1 - kappa) k^alpha
    ({"api_customers": 2.0, "holders_after_catchup": 200.0, "exclusivity_months": 1.0, "horizon_years": 10.0},
     "inside"),
])
def test_the_smallest_break_even_share_is_where_convexity_puts_it(overrides, smallest_at):
    p = InternalParams(**overrides)
    smallest, largest = internal.breakeven_capture_share_range(p, 0.0, 2.0)
    at_ends = internal_model(replace(p, erosion_exponent=np.array([0.0, 2.0]))).breakeven_value_capture_share
    assert largest == at_ends.max()
    if smallest_at == "inside":
        assert smallest < at_ends.min()
    else:
        assert smallest == at_ends[0 if smallest_at == "low" else 1]


def test_the_break_even_range_at_the_chapter_defaults_crosses_100_percent():
    """At the defaults phi* is reachable at the episode's alpha = 0 and out of reach at the essay's alpha = 1."""
    p = InternalParams()
    smallest, largest = internal.breakeven_capture_share_range(p, 0.0, 1.0)
    assert smallest < 1 < largest
    assert largest == pytest.approx(float(internal_model(p).breakeven_value_capture_share))
    # Proportional to 1 - kappa, the illustrative internal cost share.
    half = internal.breakeven_capture_share_range(replace(p, internal_cost_share=1 - 0.5 * 0.7), 0.0, 1.0)
    np.testing.assert_allclose(half, [0.5 * smallest, 0.5 * largest], rtol=1e-12)


def test_without_exclusivity_the_break_even_range_is_infinite():
    assert internal.breakeven_capture_share_range(InternalParams(exclusivity_months=0.0), 0.0, 1.0) == (np.inf, np.inf)


# --- the chapter's words -----------------------------------------------------------------------

CHAPTER_CASES = {"defaults": {}, "no window": {"exclusivity_months": 0.0}, "one customer": {"api_customers": 1},
                 **{name: yaml.safe_load(Path(ROOT, "scenarios", f"{name}.yml").read_text())["parameters"]
                    for name in ("internal-trading-desk", "internal-api-landlord")}}


@pytest.mark.parametrize("case", sorted(CHAPTER_CASES))
def test_the_chapter_never_shows_a_share_above_100_percent(case, monkeypatch):
    """A break-even capture share above 100% is no price at all: the prose says so in words, never as a figure."""
    run = run_chapter("internal-deployment", monkeypatch, **CHAPTER_CASES[case])
    for text in [run.prose] + ([run.texts["tbl_evidence"].data] if "tbl_evidence" in run.texts else []):
        shown = [float(x.replace(",", "")) for x in re.findall(r"(\d[\d,.]*)%", text)]
        assert shown and max(shown) <= 100, [x for x in shown if x > 100]
    phi_star = run.results["breakeven_value_capture_share"]
    headline = run.texts["breakeven_value_capture_share"]
    if phi_star is None:
        assert headline.startswith("is infinite")
    elif phi_star > 1:
        assert headline.startswith("is out of reach") and "no price lets selling win" in headline
    else:
        assert headline.startswith(f"is {phi_star:.0%}:")


def test_the_chapter_headline_gives_the_break_even_share_over_the_evidence(monkeypatch):
    run = run_chapter("internal-deployment", monkeypatch)
    p = InternalParams()
    erosion = internal.erosion_evidence(data.load("internal_edge_evidence")).erosion_exponent
    smallest, largest = internal.breakeven_capture_share_range(p, erosion.min(), erosion.max())
    assert run.results["phi_star_evidence_range"] == [pytest.approx(smallest), pytest.approx(largest)]
    assert run.texts["alpha_evidence_text"] == "0 to 1"
    assert run.texts["phi_star_evidence_range"].startswith(f"runs from {smallest:.0%} to above 100%, and a price")
    headline = next(para for para in run.prose.split("\n\n") if "The lab should" in para)
    assert "{numref}`tbl-evidence`" in headline and "illustrative" in headline
    # The table: one row per piece of evidence, the break-even share selling to one firm and to the chapter's k.
    rows = run.texts["tbl_evidence"].data.splitlines()[2:]
    assert len(rows) == len(erosion)
    assert rows[0].endswith("| 1 (stated) | 70% | above 100% |")


# --- sourced tables and scenarios ------------------------------------------------------------

def test_the_essay_figures_are_in_the_tables():
    trading = data.load("trading_revenue")
    essay = trading[trading.source == "labprofit2026essay"].set_index("entity").value_usd
    assert essay["trading industry"] == 200e9 and essay["largest trading firms"] == 50e9
    lag = data.load("open_model_lag").set_index("source").loc["labprofit2026essay"]
    assert (lag.low_months, lag.high_months) == (6, 12)
    evidence = data.load("internal_edge_evidence")
    assert evidence.erosion_exponent.dropna().tolist() == [1.0]


def test_trading_figures_read_the_table():
    table = data.load("trading_revenue")
    figures = internal.trading_figures(table)
    assert (figures.industry_usd, figures.top_firms_usd) == (200e9, 50e9)
    assert figures.firm_usd("Jane Street", 2024) == 20.5e9 and figures.firm_usd("Citadel Securities", 2023) == 6.3e9
    assert not figures.firms.entity.str.contains("trading").any()  # the essay's figures are not firms
    assert len(figures.firms) == (table.measure == "net trading revenue").sum()  # one strategy is not a firm
    assert figures.largest_firm_to_top == figures.firms.value_usd.max() / 50e9


@given(st.floats(0.0, 1e13))
def test_shares_of_the_trading_figures_invert(usd):
    figures = internal.trading_figures(data.load("trading_revenue"))
    assert figures.industry_share_usd(figures.share_of_industry(usd)) == pytest.approx(usd)
    assert figures.share_of_industry(figures.industry_usd) == 1.0
    assert figures.share_of_firm(usd, "Jane Street", 2024) * 20.5e9 == pytest.approx(usd)
    np.testing.assert_allclose(figures.share_of_industry(np.array([usd, 2 * usd])), [usd / 200e9, usd / 100e9])


@pytest.mark.parametrize(("scenario", "keeps"), [("internal-trading-desk", True), ("internal-api-landlord", False)])
def test_scenarios_validate_and_make_the_case_they_are_named_for(scenario, keeps):
    spec = yaml.safe_load(Path(ROOT, "scenarios", f"{scenario}.yml").read_text())
    assert spec["chapter"] == "internal-deployment"
    assert bool(internal_model(InternalParams(**spec["parameters"])).keep_internal) is keeps


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "message"), [
    ("edge_value_usd", -1e9, r"parameter 'edge_value_usd': got -1000000000.0; allowed: a number > 0"),
    ("edge_value_usd", 0.0, r"'edge_value_usd'.*> 0"),
    ("edge_value_usd", float("nan"), r"'edge_value_usd'.*a finite number"),
    ("edge_value_usd", "ten", r"'edge_value_usd'.*a number"),
    ("erosion_exponent", -0.1, r"'erosion_exponent': got -0.1; allowed: a number >= 0 and <= 10"),
    ("erosion_exponent", 11.0, r"'erosion_exponent'.*<= 10"),
    ("api_customers", 0.5, r"'api_customers': got 0.5; allowed: a number >= 1"),
    ("api_customers", True, r"'api_customers'.*a number"),
    ("value_capture_share", 1.2, r"'value_capture_share': got 1.2; allowed: a number >= 0 and <= 1"),
    ("value_capture_share", -0.1, r"'value_capture_share'.*>= 0"),
    ("internal_cost_share", 1.5, r"'internal_cost_share': got 1.5; allowed: a number >= 0 and <= 1"),
    ("internal_cost_share", -0.2, r"'internal_cost_share'.*>= 0"),
    ("exclusivity_months", -3.0, r"'exclusivity_months': got -3.0; allowed: a number >= 0 and <= 1200"),
    ("holders_after_catchup", 0.0, r"'holders_after_catchup': got 0.0; allowed: a number >= 1"),
    ("discount_rate", -0.05, r"'discount_rate': got -0.05; allowed: a number >= 0 and <= 1"),
    ("discount_rate", 5.0, r"'discount_rate'.*<= 1"),
    ("horizon_years", 0.0, r"'horizon_years': got 0.0; allowed: a number > 0 and <= 100"),
    ("horizon_years", -1.0, r"'horizon_years'.*> 0"),
])
def test_bad_parameters_are_rejected_with_the_field_value_and_range(field, value, message):
    with pytest.raises(ParameterError, match=message):
        InternalParams(**{field: value})


def test_bad_array_elements_are_named():
    with pytest.raises(ParameterError, match=r"'value_capture_share': got 1.5"):
        InternalParams(value_capture_share=np.array([0.2, 1.5]))


@pytest.mark.parametrize(("extra", "message"), [
    ({"model_training_cost_usd": 0.0}, r"'model_training_cost_usd': got 0.0; allowed: a number > 0"),
    ({"base_revenue_multiple": -1.0}, r"'base_revenue_multiple': got -1.0; allowed: a number >= 0"),
    ({"api_customers": 0}, r"'api_customers': got 0"),
])
def test_chapter_validator_checks_its_own_parameters_and_the_model(extra, message):
    values = {"model_training_cost_usd": 1e9, "base_revenue_multiple": 1.0} | extra
    with pytest.raises(ParameterError, match=message):
        internal_deployment.validate(**values)


def test_chapter_validator_returns_the_model_parameters():
    p = internal_deployment.validate(model_training_cost_usd=1e9, base_revenue_multiple=1.0, api_customers=3)
    assert p == InternalParams(api_customers=3.0)


@pytest.mark.parametrize(("args", "message"), [
    ((0, 2, 0.5), r"'holders_before': got 0"),
    ((2, 2, 0.5), r"'holders_after': got 2; allowed: a number > holders_before"),
    ((1, 2, 0.0), r"'share_kept': got 0.0; allowed: a number > 0 and <= 1"),
    ((1, 2, 1.5), r"'share_kept'.*<= 1"),
])
def test_implied_erosion_exponent_rejects_bad_input(args, message):
    with pytest.raises(ParameterError, match=message):
        internal.implied_erosion_exponent(*args)


def test_stream_helpers_reject_bad_input():
    with pytest.raises(ParameterError, match=r"'period_years': got 0.0; allowed: a number > 0"):
        internal.revenue_by_period(InternalParams(), 0.0)
    with pytest.raises(ParameterError, match=r"'training_cost_usd': got -1.0; allowed: a number > 0"):
        internal.internal_revenue_multiple(InternalParams(), -1.0)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: internal.total_value_share(InternalParams(), 0.5), r"'holders': got 0.5; allowed: a number >= 1"),
    (lambda: internal.total_value_usd(InternalParams(), [2.0, 0.0]), r"'holders': got 0.0; allowed: a number >= 1"),
    (lambda: internal.reachable_exponents(InternalParams(), [-1.0, 1.0]), r"'erosion_exponent': got -1.0"),
    (lambda: internal.breakeven_capture_share_range(InternalParams(), -0.5, 1.0),
     r"'erosion_exponent': got -0.5; allowed: a number >= 0 and <= 10"),
    (lambda: internal.breakeven_capture_share_range(InternalParams(), 1.0, 0.5),
     r"'erosion_exponent': got 0.5; allowed: a number >= 1 and <= 10"),
    (lambda: internal.single_model_cohort(1e9, 1.0, 0.7, 0.0), r"'horizon_years': got 0.0; allowed: a number > 0"),
    (lambda: internal.cohort_pnl_over_edges(InternalParams(), internal.single_model_cohort(1e9, 1.0, 0.7, 3.0),
                                            [1e9, -1.0]), r"'edge_value_usd': got -1.0; allowed: a number > 0"),
])
def test_the_chapter_helpers_reject_bad_input(call, message):
    with pytest.raises(ParameterError, match=message):
        call()
