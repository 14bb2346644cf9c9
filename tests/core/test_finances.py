"""Tests of labecon_core.finances: reading reported figures, the derivations, and the bridge to the cohort model."""

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labecon_core import data
from labecon_core import finances as fin
from labecon_core.cohort import cohort_model
from labecon_core.errors import DataError, ParameterError
from labecon_core.inputs import lab_finances

TABLE = data.load("lab_finances")
GRID = fin.bridge_grid(15.0, 12.0)


def reported(tolerance=0.1):
    return fin.Reported(TABLE, tolerance)


# --- intervals -----------------------------------------------------------------------

finite = st.floats(-1e3, 1e3, allow_nan=False)


@st.composite
def intervals(draw, lo=-1e3, hi=1e3):
    a, b = draw(st.floats(lo, hi)), draw(st.floats(lo, hi))
    return fin.Interval(min(a, b), max(a, b))


@st.composite
def member(draw, x):
    return draw(st.floats(x.lo, x.hi)) if x.lo < x.hi else x.lo


@settings(max_examples=200, deadline=None)
@given(st.data(), intervals(), intervals())
def test_interval_arithmetic_contains_every_result(d, a, b):
    x, y = d.draw(member(a)), d.draw(member(b))
    for result, value in ((a + b, x + y), (a - b, x - y), (a * b, x * y)):
        assert result.lo - 1e-6 <= value <= result.hi + 1e-6
    # Division by an interval that holds 0 is refused; one that only comes within 1e-6 of it would
    # overflow past the largest float on the book's scale of numbers (1e3 / 1e-308), so it is left out.
    if not b.lo <= 0 <= b.hi and min(abs(b.lo), abs(b.hi)) >= 1e-6:
        q = a / b
        assert q.lo - 1e-6 <= x / y <= q.hi + 1e-6


def test_interval_rules():
    a, b = fin.Interval(1, 2), fin.Interval(10, 20)
    assert (a + b).as_tuple() == (11, 22)
    assert (b - a).as_tuple() == (8, 19)
    assert (a * b).as_tuple() == (10, 40)
    assert (b / a).as_tuple() == (5, 20)
    assert fin.Interval(-1, 2) * fin.Interval(-3, 1) == fin.Interval(-6, 3)
    assert a.scale(3).as_tuple() == (3, 6)
    assert a.mid == 1.5 and fin.Interval.point(4).as_tuple() == (4, 4)
    assert a.overlaps(fin.Interval(2, 3)) and not a.overlaps(fin.Interval(2.5, 3))


def test_interval_errors():
    with pytest.raises(ValueError, match=r"interval \[2, 1\]: lo must not exceed hi"):
        fin.Interval(2, 1)
    with pytest.raises(ParameterError, match="parameter 'hi': got inf; allowed: a finite number"):
        fin.Interval(0, float("inf"))
    with pytest.raises(ValueError, match=r"cannot divide by an interval that contains zero: \[-1, 1\]"):
        fin.Interval(1, 2) / fin.Interval(-1, 1)
    with pytest.raises(ParameterError, match="parameter 'k'"):
        fin.Interval(1, 2).scale(-1)


# --- reading reported figures -----------------------------------------------------


def _row(qualifier, value=np.nan, low=np.nan, high=np.nan):
    return pd.DataFrame([{"lab": "L", "period": "2024", "item": "x", "qualifier": qualifier,
                          "value": value, "low": low, "high": high}])


@pytest.mark.parametrize("qualifier, fields, expected", [
    ("range", {"low": 2.0, "high": 5.0}, (2.0, 5.0)),
    ("up to", {"high": 10.0}, (8.0, 10.0)),
    ("over", {"low": 10.0}, (10.0, 12.0)),
    ("about", {"value": 10.0}, (8.0, 12.0)),
    ("nearly", {"value": 10.0}, (8.0, 10.0)),
    ("point", {"value": 10.0}, (10.0, 10.0)),
])
def test_each_qualifier_reads_as_its_interval(qualifier, fields, expected):
    out = fin.read_bounds(_row(qualifier, **fields), 0.2)
    assert (out.lo.iloc[0], out.hi.iloc[0]) == pytest.approx(expected)


def test_zero_tolerance_takes_figures_at_their_word():
    b = reported(0.0).bounds
    stated = b.value.fillna(b.high).fillna(b.low)
    single = b.qualifier != "range"
    assert np.allclose(b.lo[single], stated[single]) and np.allclose(b.hi[single], stated[single])


def test_bad_qualifier_fields_name_the_row_and_column():
    with pytest.raises(DataError, match=r"lab_finances row 1 \(L, 2024, x\), column value: "
                                        r"a figure qualified 'up to' gives high only"):
        fin.read_bounds(_row("up to", value=3.0), 0.1)
    with pytest.raises(DataError, match=r"column low: a figure qualified 'range' gives low and high only"):
        fin.read_bounds(_row("range", high=3.0), 0.1)
    with pytest.raises(DataError, match=r"lab_finances row 1, column qualifier: 'roughly' is not one of range, up to"):
        fin.read_bounds(_row("roughly", value=3.0), 0.1)


def test_every_row_of_the_table_reads():
    b = reported().bounds
    assert (b.lo <= b.hi).all() and b.lo.notna().all()


def test_tolerance_is_checked():
    with pytest.raises(ParameterError, match=r"parameter 'reading_tolerance': got 1; allowed: a number >= 0 and < 1"):
        fin.read_bounds(TABLE, 1)


@pytest.mark.parametrize("share", [1.0, -0.1, 1.5])
def test_the_free_token_share_is_a_share_below_one(share):
    allowed = "allowed: a number >= 0 and < 1"
    with pytest.raises(ParameterError, match=rf"parameter 'free_token_share': got {share}; {allowed}"):
        lab_finances.validate(free_token_share=share)


def test_lookup_errors_list_the_items():
    with pytest.raises(DataError, match=r"no rows for OpenAI, 2024, 'profit'; the items are: \['revenue'"):
        reported().interval("OpenAI", "2024", "profit")
    doubled = pd.concat([TABLE, TABLE.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataError, match=r"2 rows for OpenAI, 2024, 'revenue'"):
        fin.Reported(doubled, 0.1).interval("OpenAI", "2024", "revenue")


def test_stated_prefers_value_then_ceiling_then_floor():
    r = reported()
    assert r.stated("OpenAI", "2024", "inference on Microsoft servers") == 4e9
    assert r.stated("OpenAI", "2024", "operating costs") == 8.5e9
    assert r.stated("Anthropic", "2024", "total spend") == 2.7e9


# --- the reported figures agree with each other -----------------------------------------


@pytest.mark.parametrize("tolerance", [0.0, 0.05, 0.1, 0.3])
def test_openai_2024_totals_match_their_parts(tolerance):
    table = fin.check_identities(reported(tolerance), "OpenAI", "2024", fin.OPENAI_2024_IDENTITIES)
    assert list(table.total) == ["training and inference compute", "operating costs", "net loss"]
    assert table.consistent.all()


def test_identities_detect_a_mismatch():
    bad = TABLE.copy()
    bad.loc[(bad.lab == "OpenAI") & (bad["item"] == "operating costs"), "high"] = 20e9
    table = fin.check_identities(fin.Reported(bad, 0.0), "OpenAI", "2024", fin.OPENAI_2024_IDENTITIES)
    assert list(table.consistent) == [True, False, False]


def test_openai_2024_loss_range():
    # At face value: costs of 8.5 less revenue of 3.5-4.5; the top is the reported "up to $5B".
    assert fin.loss_range(reported(0.0), "OpenAI", "2024", "operating costs", "revenue").as_tuple() == (4e9, 5e9)
    loss = fin.loss_range(reported(0.1), "OpenAI", "2024", "operating costs", "revenue")
    assert loss.as_tuple() == pytest.approx((8.5e9 * 0.9 - 4.5e9, 5e9))
    assert loss.hi == reported().stated("OpenAI", "2024", "net loss")


@settings(max_examples=200, deadline=None)
@given(st.data(), intervals(0, 1e3), intervals(1, 1e3))
def test_net_loss_and_revenue_from_a_share_contain_every_value_their_figures_allow(d, costs, revenue):
    c, r = d.draw(member(costs)), d.draw(member(revenue))
    loss = fin.net_loss(costs, revenue)
    assert loss.lo - 1e-9 <= c - r <= loss.hi + 1e-9
    share = d.draw(intervals(0, 1))
    s = d.draw(member(share))
    derived = fin.revenue_from_share(share, revenue)
    assert derived.lo - 1e-9 <= s * r <= derived.hi + 1e-9
    assert derived.hi <= revenue.hi + 1e-9  # a share of at most 1 never exceeds the reference


def test_loss_range_is_the_net_loss_of_the_reported_items():
    r = reported()
    assert fin.loss_range(r, "OpenAI", "2024", "operating costs", "revenue") == fin.net_loss(
        r.interval("OpenAI", "2024", "operating costs"), r.interval("OpenAI", "2024", "revenue"))


def test_anthropic_2024_revenue_is_a_tenth_to_a_fifth_of_openai():
    r = reported(0.0)
    revenue = fin.revenue_from_share(r.interval("Anthropic", "2024", "revenue relative to OpenAI"),
                                     r.interval("OpenAI", "2024", "revenue"))
    assert revenue.as_tuple() == pytest.approx((0.1 * 3.5e9, 0.2 * 4.5e9))


def test_stated_multiple_scales_the_earlier_figure_to_the_later_one():
    r = reported()
    later, earlier = ("Anthropic", "2026", "annualized revenue"), ("Anthropic", "2024-12", "annualized revenue")
    multiple = fin.stated_multiple(r, "Anthropic", "annualized revenue", "2026", "2024-12")
    assert multiple * r.stated(*earlier) == pytest.approx(r.stated(*later))
    assert fin.stated_multiple(r, "Anthropic", "annualized revenue", "2024-12", "2026") == pytest.approx(1 / multiple)


@pytest.mark.parametrize("tolerance", [0.0, 0.1, 0.3, 0.5])
def test_spend_sources_are_placed_by_their_intervals(tolerance):
    r, spend = reported(tolerance), data.load("ai_spend_2024")
    out = fin.compare_spend_sources(spend, r)
    assert list(out.lab) == list(fin.AI_SPEND_ITEMS) and list(out["item"]) == list(fin.AI_SPEND_ITEMS.values())
    for row in out.itertuples():
        figure = r.interval(row.lab, "2024", row.item)
        assert (row.reported_lo, row.reported_hi) == figure.as_tuple()
        assert row.overlaps == fin.Interval(row.spend_lo, row.spend_hi).overlaps(figure)
        assert row.overlaps == (row.position == "overlaps")
        expected = ("above" if row.spend_lo > row.reported_hi else "below" if row.spend_hi < row.reported_lo
                    else "overlaps")
        assert row.position == expected


def test_spend_sources_below_and_the_chapter_defaults():
    spend = data.load("ai_spend_2024")
    low = spend.assign(spend_low_usd=1e9, spend_high_usd=2e9)
    assert set(fin.compare_spend_sources(low, reported()).position) == {"below"}
    # At the book's tolerance the two sources agree on OpenAI and not on Anthropic.
    assert list(fin.compare_spend_sources(spend, reported()).position) == ["overlaps", "above"]


def test_anthropic_monthly_and_annualized_revenue_agree():
    r = reported(0.0)
    monthly = r.stated("Anthropic", "2024-12", "monthly revenue")
    assert 12 * monthly == pytest.approx(r.stated("Anthropic", "2024-12", "annualized revenue"), rel=0.01)


def test_cost_stack():
    stack = fin.cost_stack(reported())
    parts = stack[stack.bar == "costs by item"].set_index("item")
    items = list(fin.OPENAI_2024_STACK)
    assert list(parts.index) == [*items, "sum of the items"]
    assert np.allclose(parts.loc[items, "base"], np.concatenate([[0], np.cumsum(parts.loc[items, "mid"])[:-1]]))
    assert parts.loc["sum of the items", "lo"] == pytest.approx(parts.loc[items, "lo"].sum())
    assert parts.loc["sum of the items", "hi"] == pytest.approx(parts.loc[items, "hi"].sum())
    assert set(stack.bar) == {"costs by item", "costs as reported", "revenue", "loss"}
    assert (stack.lo <= stack.mid).all() and (stack.mid <= stack.hi).all()


# --- derivations ----------------------------------------------------------------------


def test_implied_a100_hours():
    assert fin.implied_accelerator_hours(4e9, 1.30) == pytest.approx(3.0769e9, rel=1e-4)
    assert np.allclose(fin.implied_accelerator_hours(np.array([1.3, 2.6]), 1.3), [1, 2])
    with pytest.raises(ParameterError, match="parameter 'price_usd_per_hour': got 0; allowed: a number > 0"):
        fin.implied_accelerator_hours(4e9, 0)
    with pytest.raises(ParameterError, match="parameter 'spend_usd': got -1; allowed: a number >= 0"):
        fin.implied_accelerator_hours(-1, 1.3)


def test_hours_fleet_and_training_runs():
    assert fin.hours_in_year(2024) == 8784 and fin.hours_in_year(2023) == 8760
    assert fin.fleet_equivalent(8784 * 1000, 2024) == pytest.approx(1000)
    assert fin.training_runs_equivalent(25_000 * 24 * 100 * 3, 25_000, 100) == pytest.approx(3)
    with pytest.raises(ParameterError, match="parameter 'days'"):
        fin.training_runs_equivalent(1e6, 10, 0)
    with pytest.raises(ParameterError, match="parameter 'year'"):
        fin.hours_in_year(0)


def test_equity_method_reproduces_the_reported_quarterly_loss():
    r = reported()
    after = r.stated("OpenAI", "2025-Q3", fin.MSFT_LOSS_ITEMS["after tax"])
    stake = r.stated("OpenAI", "2025-Q3", "Microsoft stake after recapitalization")
    loss = fin.implied_investee_loss(after, stake)
    assert round(loss / 1e9, 1) == r.stated("OpenAI", "2025-Q3", "net loss (inferred)") / 1e9
    before = fin.implied_investee_loss(r.stated("OpenAI", "2025-Q3", fin.MSFT_LOSS_ITEMS["before tax"]), stake)
    assert before > loss  # hence "or more"


@given(st.floats(0, 1e11), st.floats(0.01, 1))
def test_implied_loss_times_stake_is_the_booked_loss(booked, stake):
    assert fin.implied_investee_loss(booked, stake) * stake == pytest.approx(booked, rel=1e-9, abs=1e-6)


@given(st.floats(0, 1e11), st.floats(0, 1e11), st.floats(0.01, 1))
def test_implied_loss_by_basis_is_the_table_at_one_stake(after, before, stake):
    recognized = {"after tax": after, "before tax": before}
    by_basis = fin.implied_loss_by_basis(recognized, stake)
    row = fin.implied_loss_table(recognized, [stake]).set_index("basis").implied_loss_usd
    assert by_basis == pytest.approx(row.to_dict())
    assert by_basis["after tax"] * stake == pytest.approx(after, rel=1e-9, abs=1e-6)


def test_implied_loss_errors_and_table():
    with pytest.raises(ParameterError, match=r"parameter 'stake': got 0; allowed: a number > 0 and <= 1"):
        fin.implied_investee_loss(3e9, 0)
    with pytest.raises(ParameterError, match=r"parameter 'recognized_loss_usd': got -3"):
        fin.implied_investee_loss(-3, 0.3)
    table = fin.implied_loss_table({"a": 1.0, "b": 2.0}, [0.25, 0.5])
    assert list(table.implied_loss_usd) == [4.0, 2.0, 8.0, 4.0]
    assert np.all(np.diff(fin.implied_investee_loss(3e9, np.linspace(0.1, 1, 10))) < 0)


def test_spend_ratio_and_implied_revenue_are_inverse():
    revenue, loss = fin.Interval.point(3e9), fin.Interval.point(12e9)
    costs = revenue + loss
    ratio = fin.spend_per_revenue_dollar(costs, revenue)
    assert ratio.as_tuple() == (5, 5)
    assert fin.revenue_implied_by_spend_ratio(loss, ratio).as_tuple() == pytest.approx((3e9, 3e9))
    with pytest.raises(ValueError, match="must exceed 1 to imply a loss"):
        fin.revenue_implied_by_spend_ratio(loss, fin.Interval(0.5, 2))


@given(st.floats(0, 1e11), st.floats(1e6, 1e11))
def test_loss_per_revenue_dollar_is_the_loss_over_revenue(costs, revenue):
    c, r = fin.Interval.point(costs), fin.Interval.point(revenue)
    per_dollar = fin.loss_per_revenue_dollar(fin.spend_per_revenue_dollar(c, r))
    assert per_dollar.lo == pytest.approx(fin.net_loss(c, r).lo / revenue, rel=1e-9, abs=1e-12)


def test_loss_per_revenue_dollar_shifts_a_range_down_by_one():
    assert fin.loss_per_revenue_dollar(fin.Interval(4.5, 5.5)).as_tuple() == (3.5, 4.5)


def test_implied_gross_margin():
    assert fin.implied_gross_margin(fin.Interval.point(3), fin.Interval.point(4)).as_tuple() == (0.25, 0.25)
    m = fin.implied_gross_margin(reported().interval("OpenAI", "2024", "inference on Microsoft servers"),
                                 reported().interval("OpenAI", "2024", "revenue"))
    assert m.lo < 0 < m.hi < 0.5  # serving cost about as much as the models earned


# --- the bridge --------------------------------------------------------------------------


def test_cohort_model_scales_with_the_first_training_cost():
    # fit_cohort relies on it: every amount is proportional to C_0.
    base = fin.bridge_params(2021, 2025, revenue_years=3, revenue_decay=0.3)
    p = replace(base, cost_growth=np.array([2.0, 7.5]), revenue_multiple=3.0, gross_margin=0.6)
    one = cohort_model(replace(p, first_training_cost=1.0))
    many = cohort_model(replace(p, first_training_cost=4.2e8))
    for field in ("revenue", "serving_cost", "training_spend", "profit"):
        assert np.allclose(getattr(many, field), 4.2e8 * getattr(one, field))


def test_bridge_params():
    p = fin.bridge_params(2023, 2025)
    assert (p.generations, p.horizon_years, p.scenario) == (3, 3, "continue")
    assert list(cohort_model(p).years) == [2023, 2024, 2025]
    q = fin.bridge_params(2019, 2025, generation_interval_years=2)
    assert (q.generations, q.horizon_years) == (4, 7)
    with pytest.raises(ParameterError, match="parameter 'through_year'"):
        fin.bridge_params(2023, 2022)


def _targets(**kw):
    return fin.openai_2024_targets(reported(), **{"net_out_staff": True, "with_cost_lines": False, **kw})


def test_default_bridge_ratio_is_growth_over_multiple_minus_margin():
    fit = fin.fit_cohort(fin.bridge_params(2023, 2025), _targets(), **GRID)
    t = fit.table
    assert np.allclose(t.loss_to_revenue, t.cost_growth / t.revenue_multiple - t.gross_margin)
    target = _targets().loss / _targets().revenue
    f = fit.fits
    assert (f.loss_to_revenue >= target.lo - 1e-9).all() and (f.loss_to_revenue <= target.hi + 1e-9).all()
    # ... and every grid point whose ratio lies inside fits (a first training cost can always be found).
    inside = (t.loss_to_revenue >= target.lo + 1e-9) & (t.loss_to_revenue <= target.hi - 1e-9)
    assert t.consistent[inside].all()


def test_fits_reproduce_the_targets_at_their_first_training_costs():
    targets = _targets(with_cost_lines=True)
    base = fin.bridge_params(2022, 2025, revenue_years=2, revenue_decay=0.2)
    fit = fin.fit_cohort(base, targets, **GRID)
    assert not fit.fits.empty
    pick = fit.fits.sample(40, random_state=0, replace=True)
    for c0 in ("first_cost_low_usd", "first_cost_high_usd"):
        r = cohort_model(replace(base, first_training_cost=pick[c0].to_numpy(), cost_growth=pick.cost_growth.to_numpy(),
                                 revenue_multiple=pick.revenue_multiple.to_numpy(),
                                 gross_margin=pick.gross_margin.to_numpy()))
        i = list(r.years).index(2024)
        got = {"revenue": r.revenue[:, i], "loss": -r.profit[:, i], "training": r.training_spend[:, i],
               "serving": r.serving_cost[:, i]}
        for name, target in targets.constraints().items():
            assert np.all(got[name] >= target.lo * (1 - 1e-9)) and np.all(got[name] <= target.hi * (1 + 1e-9)), name


def test_fit_agrees_with_a_brute_force_search_over_first_training_costs():
    targets = _targets()
    base = fin.bridge_params(2023, 2025)
    # Values off the boundaries of the band, where the fitting first costs shrink to a point.
    g, m, gm = np.array([2.0, 5.0, 10.0]), np.array([1.1, 3.3, 6.6]), np.array([0.05, 0.45, 0.95])
    fit = fin.fit_cohort(base, targets, g, m, gm)
    c0 = np.geomspace(1e7, 1e11, 4001)
    mesh = np.meshgrid(g, m, gm, c0, indexing="ij")
    r = cohort_model(replace(base, first_training_cost=mesh[3], cost_growth=mesh[0], revenue_multiple=mesh[1],
                             gross_margin=mesh[2]))
    rev, loss = r.revenue[..., 1], -r.profit[..., 1]
    ok = ((rev >= targets.revenue.lo) & (rev <= targets.revenue.hi) & (loss >= targets.loss.lo)
          & (loss <= targets.loss.hi)).any(axis=-1)
    assert 0 < ok.sum() < ok.size
    assert np.array_equal(fit.table.consistent.to_numpy(), ok.ravel())


def test_the_podcast_cartoon_does_not_fit_openai_2024():
    fit = fin.fit_cohort(fin.bridge_params(2023, 2025), _targets(), [10.0], [2.0], [1.0])
    row = fit.table.iloc[0]
    assert not row.consistent and row.loss_to_revenue == pytest.approx(4.0)
    assert fit.ranges()["cost_growth"] is None


def test_a_model_inside_the_band_fits():
    fit = fin.fit_cohort(fin.bridge_params(2023, 2025), _targets(net_out_staff=False), [4.0], [4.0], [0.3])
    row = fit.table.iloc[0]
    assert row.consistent and 0 < row.first_cost_low_usd <= row.first_cost_high_usd


def test_more_targets_mean_fewer_fits():
    base = fin.bridge_params(2023, 2025)
    loose = fin.fit_cohort(base, _targets(), **GRID).table.consistent
    tight = fin.fit_cohort(base, _targets(with_cost_lines=True), **GRID).table.consistent
    assert tight.sum() < loose.sum() and not (tight & ~loose).any()


def test_a_wider_reading_never_loses_a_fit():
    base = fin.bridge_params(2023, 2025)
    fits = [fin.fit_cohort(base, fin.openai_2024_targets(reported(t), net_out_staff=True, with_cost_lines=True),
                           **GRID).table.consistent for t in (0.0, 0.1, 0.2)]
    assert not (fits[0] & ~fits[1]).any() and not (fits[1] & ~fits[2]).any()


def test_cost_lines_pin_the_margin_and_growth_over_multiple():
    fit = fin.fit_cohort(fin.bridge_params(2023, 2025), _targets(with_cost_lines=True), **GRID)
    r = fit.ranges()
    # Serving cost ~ revenue leaves a small margin; training < revenue puts g below m.
    assert r["gross_margin"][1] <= 0.2 + 1e-9
    assert r["growth_to_multiple"][1] < 1


def test_with_constant_parameters_the_loss_ratio_does_not_change():
    fit = fin.fit_cohort(fin.bridge_params(2023, 2025), _targets(), **GRID)
    f = fit.fits
    assert np.allclose(f.next_loss_to_revenue, f.loss_to_revenue)


def test_no_fit_when_nothing_is_earned_in_the_target_year():
    fit = fin.fit_cohort(fin.bridge_params(2024, 2025), _targets(), **GRID)
    assert fit.fits.empty and fit.share == 0
    assert all(v is None for v in fit.ranges().values())
    assert fin.fit_map(fit).empty


def test_target_year_outside_the_model():
    with pytest.raises(ValueError, match="target year 2024 is outside the model's years 2025-2026"):
        fin.fit_cohort(fin.bridge_params(2025, 2026), _targets(), **GRID)


def test_fit_map_and_edges():
    fit = fin.fit_cohort(fin.bridge_params(2023, 2025), _targets(), **GRID)
    cells = fin.fit_map(fit)
    assert cells.n_margins.sum() == len(fit.fits)
    assert (cells.margin_low <= cells.margin_high).all()
    assert fit.at_edge()["cost_growth"] == (True, True)


def test_grid_parameters_spanned_and_edges_reached_agree_with_at_edge():
    base = fin.bridge_params(2023, 2025)
    for fit in (fin.fit_cohort(base, _targets(), **GRID), fin.fit_cohort(base, _targets(with_cost_lines=True), **GRID)):
        edges = fit.at_edge()
        assert fit.spanning_grid() == [name for name, ends in edges.items() if all(ends)]
        for name in fit.spanning_grid():
            assert fit.fits[name].min() == fit.table[name].min() and fit.fits[name].max() == fit.table[name].max()
        assert fit.reaches_edge(("gross_margin",)) == any(edges["gross_margin"])
    assert fin.fit_cohort(base, _targets(), **GRID).spanning_grid() == ["cost_growth", "gross_margin"]
    empty = fin.fit_cohort(fin.bridge_params(2024, 2025), _targets(), **GRID)
    assert empty.spanning_grid() == [] and not empty.reaches_edge()


@given(intervals(-5, 5), intervals(-5, 5))
def test_loss_ratio_gap_is_what_lifts_the_highest_fit_to_the_reported_range(reported_ratio, fitted):
    gap = fin.loss_ratio_gap(reported_ratio, fitted.as_tuple())
    assert fitted.hi + gap == pytest.approx(reported_ratio.lo, abs=1e-9)
    # No rise is needed exactly when some fitted ratio already reaches the reported range.
    assert (gap <= 0) == (fitted.hi >= reported_ratio.lo)
    assert fin.loss_ratio_gap(reported_ratio, None) is None


@settings(max_examples=50, deadline=None)
@given(st.floats(1.5, 100), st.floats(0.5, 100), st.integers(2, 60))
def test_coarse_grid_keeps_evenly_spaced_square_cells_up_to_the_top_of_the_grid(g_max, m_max, side):
    grid = fin.bridge_grid(g_max, m_max)
    cells, step = fin.coarse_grid(grid, side)
    for name in ("cost_growth", "revenue_multiple"):
        kept = cells[name]
        assert 1 <= len(kept) <= side
        assert kept[-1] == grid[name][-1] and set(kept) <= set(grid[name])
        assert np.allclose(np.diff(kept), step)
    assert step == pytest.approx(0.25 * int(np.ceil(max(len(grid[k]) for k in cells) / side)))
    # A long revenue axis can leave a single column of cost growth; its cells keep the same width.
    cells, step = fin.coarse_grid(fin.bridge_grid(1.5, 100.0), 30)
    assert len(cells["cost_growth"]) == 1 and step == pytest.approx(0.25 * 14)


def test_coarse_grid_rejects_a_side_without_cells():
    with pytest.raises(ParameterError, match=r"parameter 'max_side': got 1; allowed: a whole number >= 2"):
        fin.coarse_grid(GRID, 1)


@pytest.mark.parametrize("first_year", [2023, 2024])
def test_settings_without_fits_are_those_whose_map_is_empty(first_year):
    base = fin.bridge_params(first_year, 2025)
    cells, _ = fin.coarse_grid(GRID, 12)
    tolerances = [0.0, 0.1, 0.2]
    what_if = fin.fits_what_if(TABLE, base, tolerances, [False, True], gross_margin=GRID["gross_margin"], **cells)
    empty = fin.settings_without_fits(what_if, tolerances)
    assert list(empty) == [True, False]
    for staff, without in empty.items():
        for t in tolerances:
            targets = fin.openai_2024_targets(reported(t), net_out_staff=staff, with_cost_lines=True)
            fit = fin.fit_cohort(base, targets, gross_margin=GRID["gross_margin"], **cells)
            assert (t in without) == fit.fits.empty
    if first_year == 2024:  # nothing is earned in 2024: no setting fits
        assert empty == {True: tolerances, False: tolerances}


def test_grid_and_targets_validation():
    with pytest.raises(ParameterError, match=r"parameter 'bridge_max_cost_growth': got 1.0; allowed: a number >= 1\.5"):
        fin.bridge_grid(1.0, 12.0)
    with pytest.raises(ParameterError, match=r"parameter 'gross_margin': got 1\.5"):
        fin.fit_cohort(fin.bridge_params(2023, 2025), _targets(), [2.0], [2.0], [1.5])
    with pytest.raises(ParameterError, match="parameter 'year': got 1800"):
        fin.BridgeTargets(1800, fin.Interval(1, 2), fin.Interval(1, 2))
    assert set(_targets(with_cost_lines=True).constraints()) == {"revenue", "loss", "training", "serving"}


def test_what_if_grid_equals_one_fit_at_a_time():
    base = fin.bridge_params(2022, 2025, revenue_years=2)
    coarse = {"cost_growth": GRID["cost_growth"][::4], "revenue_multiple": GRID["revenue_multiple"][::4],
              "gross_margin": GRID["gross_margin"][::2]}
    grid = fin.fits_what_if(TABLE, base, [0.2, 0.0, 0.1, 0.1], [True, False], **coarse)
    assert set(grid.reading_tolerance) == {0.0, 0.1, 0.2} and set(grid.net_out_staff) == {0, 1}
    assert not grid.duplicated(["reading_tolerance", "net_out_staff", "targets", "cost_growth",
                                "revenue_multiple"]).any()
    for t in (0.0, 0.1, 0.2):
        for staff in (False, True):
            for name, lines in fin.WHAT_IF_TARGETS.items():
                one = fin.fit_map(fin.fit_cohort(base, fin.openai_2024_targets(
                    reported(t), net_out_staff=staff, with_cost_lines=lines), **coarse))
                got = grid[(grid.reading_tolerance == t) & (grid.net_out_staff == staff) & (grid.targets == name)]
                pd.testing.assert_frame_equal(got[one.columns].reset_index(drop=True), one)


def test_what_if_grid_holds_the_chapter_defaults():
    p = lab_finances.LabFinancesInputs()
    base = p.bridge_base(through_year=2025)
    grid = fin.fits_what_if(TABLE, base, p.reading_tolerance, p.net_out_staff, **GRID)
    assert set(grid.targets) == set(fin.WHAT_IF_TARGETS)
    # The default map is the chapter's fit, cell for cell; a wider reading never loses a cell.
    chapter = fin.fit_map(fin.fit_cohort(base, _targets(), **GRID))
    own = grid[grid.targets == "revenue and loss"]
    pd.testing.assert_frame_equal(own[chapter.columns].reset_index(drop=True), chapter)
    wider = fin.fits_what_if(TABLE, base, 0.2, True, **GRID)
    key = ["targets", "cost_growth", "revenue_multiple"]
    assert set(grid[key].itertuples(index=False)) < set(wider[key].itertuples(index=False))


def test_what_if_grid_errors():
    base = fin.bridge_params(2023, 2025)
    with pytest.raises(ParameterError, match=r"'reading_tolerance': got 0\.6; allowed: a number >= 0 and <= 0\.5"):
        fin.fits_what_if(TABLE, base, [0.1, 0.6], True, **GRID)
    with pytest.raises(ParameterError, match=r"parameter 'net_out_staff': got 'yes'; allowed: one of: False, True"):
        fin.fits_what_if(TABLE, base, 0.1, ["yes"], **GRID)
    with pytest.raises(ParameterError, match=r"parameter 'cost_growth': got 0\.0"):
        fin.fits_what_if(TABLE, base, 0.1, True, [0.0, 2.0], [1.0], [0.5])


# --- the chapter's parameters ----------------------------------------------------------


def test_defaults_validate():
    defaults = lab_finances.LabFinancesInputs()
    p = lab_finances.validate(**{f: getattr(defaults, f) for f in lab_finances.LabFinancesInputs.__dataclass_fields__})
    assert p.bridge_base().horizon_years == 3


@pytest.mark.parametrize("field, value, message", [
    ("reading_tolerance", 0.6, "parameter 'reading_tolerance': got 0.6; allowed: a number >= 0 and <= 0.5."),
    ("msft_stake", 0.0, "parameter 'msft_stake': got 0.0; allowed: a number > 0 and <= 1."),
    ("msft_loss_basis", "pre-tax", "parameter 'msft_loss_basis': got 'pre-tax'; allowed: one of: after tax, before"),
    ("net_out_staff", "yes", "parameter 'net_out_staff': got 'yes'; allowed: true or false."),
    ("bridge_first_year", 2025, "parameter 'bridge_first_year': got 2025; allowed: a whole number >= 2000 and <= 2024"),
    ("bridge_revenue_years", 0, "parameter 'bridge_revenue_years': got 0; allowed: a whole number >= 1 and <= 10."),
    ("bridge_revenue_decay", 1.0, "parameter 'bridge_revenue_decay': got 1.0; allowed: a number >= 0 and < 1."),
    ("bridge_generation_interval_years", 6, "parameter 'bridge_generation_interval_years': got 6"),
    ("bridge_max_cost_growth", 1.0, "parameter 'bridge_max_cost_growth': got 1.0; allowed: a number >= 1.5"),
    ("bridge_max_revenue_multiple", 200.0, "parameter 'bridge_max_revenue_multiple': got 200.0"),
    ("probe_cost_growth", 0.0, "parameter 'probe_cost_growth': got 0.0; allowed: a number > 0."),
    ("probe_revenue_multiple", -1.0, "parameter 'probe_revenue_multiple': got -1.0; allowed: a number >= 0."),
    ("probe_gross_margin", 1.2, "parameter 'probe_gross_margin': got 1.2; allowed: a number >= 0 and <= 1."),
])
def test_bad_parameters_are_named(field, value, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        lab_finances.LabFinancesInputs(**{field: value})



def test_periods_read_as_times():
    assert fin.period_time("2024", run_rate=False) == fin.Interval.point(2024.5)
    assert fin.period_time("2025-Q3", run_rate=False) == fin.Interval.point(2025.625)
    assert fin.period_time("2024-12", run_rate=True).as_tuple() == pytest.approx((2024 + 11 / 12, 2025.0))
    assert fin.period_time("2026", run_rate=True) == fin.Interval(2026.0, 2027.0)
    for bad in ("24", "2024-13", "2024-Q5", "2024/1"):
        with pytest.raises(DataError, match="expected YYYY"):
            fin.period_time(bad, run_rate=False)


@given(a=st.floats(0.1, 10), b=st.floats(0.1, 10), years=st.floats(0.25, 5))
def test_growth_between_two_points_compounds_back(a, b, years):
    g = fin.annual_growth(fin.Interval.point(a), fin.Interval.point(b), fin.Interval.point(0.0),
                               fin.Interval.point(years))
    assert g.lo == pytest.approx(g.hi) and a * g.lo ** years == pytest.approx(b, rel=1e-9)


def test_growth_bounds_hold_every_reading():
    start, end = fin.Interval(1.0, 2.0), fin.Interval(8.0, 10.0)
    t0, t1 = fin.Interval(0.0, 0.5), fin.Interval(1.5, 2.0)
    g = fin.annual_growth(start, end, t0, t1)
    assert g.lo == pytest.approx((8 / 2) ** (1 / 2)) and g.hi == pytest.approx(10.0)
    with pytest.raises(ValueError, match="must come after"):
        fin.annual_growth(start, end, t1, t0)
