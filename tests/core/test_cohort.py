"""Cohort model: the podcast example, the closed form, the accounting identity, validation."""

from dataclasses import replace

import numpy as np
import pytest
from chapter_prose import run_chapter
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labecon_core import cohort, data
from labecon_core.cohort import CohortParams, cohort_model
from labecon_core.errors import ParameterError
from labecon_core.inputs import cohort_accounting

growth = st.floats(0.2, 20)
multiple = st.floats(0, 10)
margin = st.floats(0, 1)


def test_podcast_example_is_reproduced_exactly():
    r = cohort_model(CohortParams())
    assert list(r.years) == [2023, 2024, 2025]
    np.testing.assert_allclose(r.profit, [-100e6, -800e6, -8e9])
    np.testing.assert_allclose(r.cohort_pnl, [100e6, 1e9, 10e9])
    assert r.peak_funding_need == pytest.approx(8.9e9)
    assert np.isnan(r.first_profitable_year)


@given(c0=st.floats(1e6, 1e10), g=growth, m=multiple, gamma=margin, k=st.integers(2, 8))
def test_closed_form_profit(c0, g, m, gamma, k):
    """One revenue year, a generation a year, continue: profit_t = C_{t-1} (gamma m - g)."""
    r = cohort_model(CohortParams(first_training_cost=c0, cost_growth=g, revenue_multiple=m,
                                  gross_margin=gamma, generations=k))
    cost = c0 * g ** np.arange(k)
    np.testing.assert_allclose(r.profit[0], -c0, rtol=1e-12)
    np.testing.assert_allclose(r.profit[1:], cost[:-1] * (gamma * m - g), rtol=1e-9, atol=1e-6 * c0)


@given(c0=st.floats(1e6, 1e10), g=growth, m=multiple, gamma=margin, k=st.integers(2, 8))
def test_signs_follow_the_two_conditions(c0, g, m, gamma, k):
    """Away from the lines themselves (where rounding decides the sign), the company profits while scaling
    exactly when gamma m > g, and every cohort exactly when gamma m > 1."""
    assume(not np.isclose(gamma * m, g, rtol=1e-9) and not np.isclose(gamma * m, 1, rtol=1e-9))
    r = cohort_model(CohortParams(first_training_cost=c0, cost_growth=g, revenue_multiple=m,
                                  gross_margin=gamma, generations=k))
    assert np.all((r.profit[1:] > 0) == cohort.profitable_while_scaling(gamma, m, g))
    assert np.all((r.cohort_pnl > 0) == (gamma * m > 1))


@settings(max_examples=60)
@given(g=growth, m=multiple, gamma=margin, k=st.integers(1, 6), years=st.integers(1, 5),
       decay=st.floats(0, 0.9), interval=st.integers(1, 3),
       scenario=st.sampled_from(cohort.SCENARIOS), stop=st.integers(0, 5), om=st.floats(0, 3))
def test_annual_and_cohort_views_sum_to_the_same_cash(g, m, gamma, k, years, decay, interval, scenario, stop, om):
    """Over a horizon covering every cohort's revenue life, sum of annual profit == sum of cohort P&L."""
    stop = min(stop, k - 1)
    horizon = (k - 1) * interval + years + 1
    p = CohortParams(cost_growth=g, revenue_multiple=m, gross_margin=gamma, generations=k, revenue_years=years,
                     revenue_decay=decay, generation_interval_years=interval, scenario=scenario,
                     plateau_generation=stop, overhang_generation=stop, overhang_multiple=om, horizon_years=horizon)
    r = cohort_model(p)
    assert r.profit.sum() == pytest.approx(r.cohort_pnl.sum(), rel=1e-9, abs=1e-3)
    assert r.revenue.sum() == pytest.approx(r.cohort_revenue.sum(), rel=1e-9, abs=1e-3)
    np.testing.assert_allclose(r.profit, r.revenue - r.serving_cost - r.training_spend)


def test_vectorized_equals_one_at_a_time():
    g = np.array([1.5, 3.0, 10.0])[:, None]
    m = np.array([0.5, 2.0, 4.0, 12.0])[None, :]
    many = cohort_model(CohortParams(cost_growth=g, revenue_multiple=m, gross_margin=0.7, generations=5))
    assert many.profit.shape == (3, 4, 5)
    for i, gi in enumerate(g[:, 0]):
        for j, mj in enumerate(m[0]):
            one = cohort_model(CohortParams(cost_growth=gi, revenue_multiple=mj, gross_margin=0.7, generations=5))
            np.testing.assert_allclose(many.profit[i, j], one.profit)
            assert many.peak_funding_need[i, j] == pytest.approx(one.peak_funding_need)


generation_lists = st.lists(st.integers(0, 5), min_size=1, max_size=6)


@settings(max_examples=40)
@given(stops=generation_lists, g=growth, m=multiple, gamma=margin, years=st.integers(1, 3), interval=st.integers(1, 2),
       horizon=st.sampled_from([0, 9]))
def test_plateau_generations_as_an_array_equal_one_at_a_time(stops, g, m, gamma, years, interval, horizon):
    stops = np.array(stops)
    growths = g * (1.0 + 0.1 * np.arange(len(stops)))  # a numeric field varying with them
    common = {"revenue_multiple": m, "gross_margin": gamma, "generations": 6, "revenue_years": years,
              "revenue_decay": 0.3, "generation_interval_years": interval, "horizon_years": horizon,
              "scenario": "plateau"}
    many = cohort_model(CohortParams(cost_growth=growths, plateau_generation=stops, **common))
    assert many.profit.shape[0] == many.training_cost.shape[0] == len(stops)
    for i, (gi, stop) in enumerate(zip(growths, stops, strict=True)):
        one = cohort_model(CohortParams(cost_growth=gi, plateau_generation=int(stop), **common))
        np.testing.assert_array_equal(many.years, one.years)
        np.testing.assert_array_equal(many.generation_years, one.generation_years)
        for name in ("revenue", "serving_cost", "training_spend", "profit", "cumulative_cash", "training_cost",
                     "cohort_revenue", "cohort_pnl"):
            np.testing.assert_array_equal(getattr(many, name)[i], getattr(one, name), err_msg=name)


@settings(max_examples=40)
@given(stops=generation_lists, om=st.floats(0, 3), m=multiple, gamma=margin, years=st.integers(1, 3),
       interval=st.integers(1, 2), horizon=st.sampled_from([0, 14]))
def test_overhang_generations_as_an_array_equal_one_at_a_time(stops, om, m, gamma, years, interval, horizon):
    """Scenarios stopping earlier are padded: their later generations and years are zero."""
    stops = np.array(stops)
    common = {"cost_growth": 3.0, "revenue_multiple": m, "gross_margin": gamma, "generations": 6,
              "revenue_years": years, "generation_interval_years": interval, "horizon_years": horizon,
              "scenario": "overhang"}
    p = CohortParams(overhang_generation=stops, overhang_multiple=om * np.ones((2, 1)), **common)
    assert p.trained_generations == stops.max() + 1
    many = cohort_model(p)
    n_years = horizon or stops.max() * interval + years + 1
    assert many.profit.shape == (2, len(stops), n_years)
    assert many.training_cost.shape == (2, len(stops), stops.max() + 1)
    assert list(many.generation_years) == [2023 + interval * k for k in range(stops.max() + 1)]
    for i, stop in enumerate(stops):
        one = cohort_model(CohortParams(overhang_generation=int(stop), overhang_multiple=om, **common))
        t, k = len(one.years), len(one.generation_years)
        np.testing.assert_array_equal(many.years[:t], one.years)
        for name in ("revenue", "serving_cost", "training_spend", "profit", "cumulative_cash"):
            np.testing.assert_array_equal(getattr(many, name)[1, i, :t], getattr(one, name), err_msg=name)
        for name in ("revenue", "serving_cost", "training_spend", "profit"):
            assert np.all(getattr(many, name)[1, i, t:] == 0), name
        for name in ("training_cost", "cohort_revenue", "cohort_pnl"):
            np.testing.assert_array_equal(getattr(many, name)[1, i, :k], getattr(one, name), err_msg=name)
            assert np.all(getattr(many, name)[1, i, k:] == 0), name
        assert many.peak_funding_need[1, i] == one.peak_funding_need
        np.testing.assert_array_equal(many.break_even_year[1, i], one.break_even_year)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scenario": "plateau", "plateau_generation": np.array([0, 3])}, r"'plateau_generation': got 3; allowed: "
                                                                          r"a whole number >= 0 and <= 2"),
        ({"scenario": "plateau", "plateau_generation": np.array([1.0, 1.5])}, r"'plateau_generation': got 1.5; "
                                                                              r"allowed: a whole number"),
        ({"scenario": "overhang", "overhang_generation": np.array([[1], [-1]])}, r"'overhang_generation': got -1; "
                                                                                 r"allowed: a whole number >= 0"),
        ({"scenario": "overhang", "overhang_generation": np.array([True, False])}, r"'overhang_generation': got "
                                                                                   r"array\(\[ True, False\]\); "
                                                                                   r"allowed: a whole number"),
        ({"scenario": "overhang", "overhang_generation": np.array(["1", "2"])}, r"'overhang_generation'.*a whole"),
        ({"scenario": "plateau", "plateau_generation": np.array([1.0, np.nan])}, r"'plateau_generation': got nan"),
    ],
)
def test_bad_generation_arrays_are_named(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        CohortParams(**kwargs)


def test_whole_float_generations_are_taken_as_integers():
    p = CohortParams(scenario="plateau", generations=4, plateau_generation=np.array([1.0, 2.0]))
    assert p.plateau_generation.dtype.kind == "i"
    np.testing.assert_array_equal(cohort_model(p).training_cost[1], cohort_model(
        CohortParams(scenario="plateau", generations=4, plateau_generation=2)).training_cost)


def test_plateau_costs_stop_growing_and_turn_profitable():
    r = cohort_model(CohortParams(scenario="plateau", generations=6, plateau_generation=2))
    np.testing.assert_allclose(r.training_cost, [1e8, 1e9, 1e10, 1e10, 1e10, 1e10])
    # From the year after the plateau is reached, profit is (gamma m - 1) C_P a year.
    np.testing.assert_allclose(r.profit[3:], 1e10)
    assert r.first_profitable_year == 2026
    assert r.break_even_year == 2026


def test_overhang_is_a_one_time_loss_and_nothing_after():
    r = cohort_model(CohortParams(scenario="overhang", generations=5, overhang_generation=2, overhang_multiple=0.5))
    assert len(r.training_cost) == 3
    assert r.cohort_pnl[-1] == pytest.approx(-5e9)
    assert r.years[-1] == 2026  # the horizon runs to the last model's revenue
    assert r.training_spend[-1] == 0


def test_revenue_spread_and_decay_keep_lifetime_revenue():
    r = cohort_model(CohortParams(revenue_years=4, revenue_decay=0.5, generations=1, horizon_years=6))
    assert r.revenue.sum() == pytest.approx(2e8)
    assert np.all(np.diff(r.revenue[1:5]) < 0)  # decaying profile


def test_generation_interval_spaces_training():
    r = cohort_model(CohortParams(generation_interval_years=2, generations=3))
    assert list(r.generation_years) == [2023, 2025, 2027]
    assert list(np.nonzero(r.training_spend)[0]) == [0, 2, 4]


def test_frontier_grid_matches_the_condition():
    grid = cohort.frontier_grid(CohortParams(generations=4, gross_margin=0.5), [2, 4, 8], [1, 6, 20])
    assert len(grid) == 9
    assert (grid.profitable_while_scaling == (0.5 * grid.revenue_multiple > grid.cost_growth)).all()
    profitable = grid[grid.profitable_while_scaling]
    assert (profitable.first_profitable_year == 2024).all()


@given(g=growth, m=st.floats(1, 10), gamma=st.floats(0.05, 1))
def test_breakeven_margin_and_multiple_solve_the_conditions(g, m, gamma):
    # At the break-even margin every cohort earns back its training cost exactly...
    at_cohort = cohort_model(CohortParams(revenue_multiple=m, gross_margin=cohort.breakeven_gross_margin(m)))
    assert np.all(np.abs(at_cohort.cohort_pnl) <= 1e-9 * at_cohort.training_cost)
    # ...and at the company's, gamma m = g: the closed-form profit while scaling is zero.
    assert cohort.breakeven_gross_margin(m, g) * m == pytest.approx(g)
    # The line m = g / gamma splits the plane where the company is profitable while scaling.
    line = cohort.breakeven_revenue_multiple(gamma, g)
    assert line * gamma == pytest.approx(g)
    assert cohort.profitable_while_scaling(gamma, line * 1.01, g)
    assert not cohort.profitable_while_scaling(gamma, line * 0.99, g)
    assert cohort.breakeven_revenue_multiple(gamma) == pytest.approx(cohort.breakeven_gross_margin(gamma))


def test_no_margin_or_no_revenue_never_breaks_even():
    assert cohort.breakeven_gross_margin(0.0) == np.inf
    assert cohort.breakeven_revenue_multiple(np.array([0.0, 0.5]), 10.0).tolist() == [np.inf, 20.0]


def test_margin_sweep_equals_one_margin_at_a_time():
    p = CohortParams(revenue_years=2, generations=4)
    margins = np.array([0.0, 0.5, 1.0])
    sweep = cohort.margin_sweep(p, margins)
    assert list(sweep.columns) == ["gross_margin", "cohort_pnl_sum_usd", "final_cash_usd"]
    for row in sweep.itertuples():
        one = cohort_model(replace(p, gross_margin=row.gross_margin))
        assert row.cohort_pnl_sum_usd == pytest.approx(one.cohort_pnl.sum())
        assert row.final_cash_usd == pytest.approx(one.cumulative_cash[-1])
    # A margin of zero earns nothing: every generation loses its training cost.
    assert sweep.cohort_pnl_sum_usd.iloc[0] == pytest.approx(-cohort_model(p).training_cost.sum())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"first_training_cost": 0}, r"'first_training_cost': got 0.*> 0"),
        ({"first_training_cost": -5}, r"'first_training_cost': got -5"),
        ({"cost_growth": -1}, r"'cost_growth': got -1.*> 0"),
        ({"cost_growth": 0}, r"'cost_growth'"),
        ({"gross_margin": 1.5}, r"'gross_margin': got 1.5.*<= 1"),
        ({"gross_margin": float("nan")}, r"'gross_margin'"),
        ({"generations": 0}, r"'generations': got 0.*whole number >= 1"),
        ({"generations": 2.5}, r"'generations': got 2.5.*whole number"),
        ({"scenario": "boom"}, r"'scenario': got 'boom'.*one of: continue, plateau, overhang"),
        ({"scenario": "plateau", "plateau_generation": 3}, r"'plateau_generation': got 3.*<= 2"),
        ({"scenario": "overhang", "overhang_generation": -1}, r"'overhang_generation': got -1"),
        ({"revenue_decay": 1.0}, r"'revenue_decay'.*< 1"),
        ({"revenue_multiple": float("nan")}, r"'revenue_multiple'.*finite"),
        ({"cost_growth": "ten"}, r"'cost_growth': got 'ten'.*a number"),
        ({"cost_growth": np.array([2.0, -1.0])}, r"'cost_growth': got -1.0"),
    ],
)
def test_bad_parameters_are_named(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        CohortParams(**kwargs)


CHAPTER_RATES = {"discount_rate": 0.15, "cost_of_capital_low": 0.1, "cost_of_capital_high": 0.3}


def test_chapter_validator_checks_the_endings_run():
    with pytest.raises(ParameterError, match="'ending_generations'"):
        cohort_accounting.validate(ending_generations=1, **CHAPTER_RATES)
    with pytest.raises(ParameterError, match="'plateau_generation': got 6"):
        cohort_accounting.validate(ending_generations=6, plateau_generation=6, **CHAPTER_RATES)


@pytest.mark.parametrize(
    ("rates", "match"),
    [
        ({"discount_rate": -0.05}, r"'discount_rate': got -0.05; allowed: a number >= 0 and <= 1"),
        ({"discount_rate": 1.5}, r"'discount_rate': got 1.5; allowed: a number >= 0 and <= 1"),
        ({"discount_rate": float("nan")}, r"'discount_rate': got nan; allowed: a finite number"),
        ({"cost_of_capital_low": -0.1}, r"'cost_of_capital_low': got -0.1; allowed: a number >= 0 and <= 1"),
        ({"cost_of_capital_high": 1.2}, r"'cost_of_capital_high': got 1.2; allowed: a number >= 0 and <= 1"),
        ({"cost_of_capital_low": 0.4}, r"'cost_of_capital_high': got 0.3; allowed: a number >= cost_of_capital_low "
                                       r"\(0.4\) and <= 1"),
    ],
)
def test_chapter_validator_names_a_bad_rate(rates, match):
    with pytest.raises(ParameterError, match=match):
        cohort_accounting.validate(ending_generations=6, **(CHAPTER_RATES | rates))


# --- the algebra of the chapter's section "The example, reproduced" -------------------------------

@given(gamma=st.one_of(st.just(0.0), st.floats(1e-6, 1)), m=st.one_of(st.just(0.0), st.floats(1e-6, 10)), g=growth)
def test_condition_factor_is_how_far_gamma_m_is_from_g_on_either_side(gamma, m, g):
    factor = cohort.condition_factor(gamma, m, g)
    if gamma * m == 0:
        assert factor == np.inf
        return
    assert factor >= 1
    if cohort.profitable_while_scaling(gamma, m, g):
        assert gamma * m == pytest.approx(g * factor, rel=1e-12)  # gamma m exceeds g by the factor
    else:
        assert g == pytest.approx(gamma * m * factor, rel=1e-12)  # gamma m falls short of g by it
    assert cohort.condition_factor(gamma, m * factor, g * factor) == pytest.approx(factor, rel=1e-12)


def test_condition_factor_is_one_on_the_line_and_vectorises():
    assert cohort.condition_factor(0.5, 4.0, 2.0) == 1.0
    assert cohort.condition_factor(1.0, 2.0, 10.0) == pytest.approx(5.0)  # the podcast: short by a factor of 5
    assert cohort.condition_factor(1.0, 2.0) == pytest.approx(2.0)  # and every cohort clears gamma m > 1 twice over
    np.testing.assert_allclose(cohort.condition_factor(np.array([1.0, 0.0, 0.5]), 8.0, 5.0), [1.6, np.inf, 1.25])


@given(c0=st.floats(1e6, 1e10), g=growth, m=multiple, gamma=margin, k=st.integers(1, 8))
def test_steady_scaling_profit_is_the_model_in_its_closed_form_case(c0, g, m, gamma, k):
    p = CohortParams(first_training_cost=c0, cost_growth=g, revenue_multiple=m, gross_margin=gamma, generations=k)
    np.testing.assert_allclose(cohort.steady_scaling_profit(p, k), cohort_model(p).profit, rtol=1e-9,
                               atol=1e-6 * c0)


@given(g=growth, m=multiple, gamma=margin)
def test_profit_growth_is_the_cost_growth_and_keeps_the_sign(g, m, gamma):
    """pi_t / pi_(t-1) = g from the third year on: the profit (or loss) grows with the training cost."""
    p = CohortParams(cost_growth=g, revenue_multiple=m, gross_margin=gamma)
    profit = cohort.steady_scaling_profit(p, 4)
    if gamma * m == g:
        assert np.isnan(cohort.profit_growth(p)) and (profit[1:] == 0).all()
        return
    assert cohort.profit_growth(p) == pytest.approx(g, rel=1e-12)
    np.testing.assert_allclose(profit[2:] / profit[1:-1], g, rtol=1e-12)
    assert (np.sign(profit[1:]) == (1 if cohort.profitable_while_scaling(gamma, m, g) else -1)).all()


def test_profit_growth_vectorises_and_breaks_even_on_the_line():
    p = CohortParams(cost_growth=np.array([10.0, 5.0, 2.0]), revenue_multiple=np.array([2.0, 8.0, 4.0]),
                     gross_margin=np.array([1.0, 1.0, 0.5]))
    np.testing.assert_allclose(cohort.profit_growth(p), [10.0, 5.0, np.nan])
    assert cohort.steady_scaling_profit(p, 2).shape == (3, 2)
    with pytest.raises(ParameterError, match=r"'years': got 0; allowed: a whole number >= 1"):
        cohort.steady_scaling_profit(p, 0)


# Parameters of the chapter, and words its algebra paragraph must then say (and must not).
ALGEBRA_WORDS = [
    ({}, ["{math}`m` = 2 and {math}`g` = 10",
          "the first holds and the second fails: γm falls short of g by a factor of 5",
          "From the third year on, each year's loss is 10× the year before's"], []),
    ({"cost_growth": 5.0, "revenue_multiple": 8.0},
     ["{math}`m` = 8 and {math}`g` = 5", "the second holds: γm exceeds g by a factor of 1.6",
      "each year's profit is 5× the year before's"], ["fails", "loss is"]),
    ({"gross_margin": 0.72}, ["{math}`\\gamma` = 0.72", "falls short of g by a factor of 6.9",
                              "each year's loss is 10×"], []),
    ({"gross_margin": 0.5, "revenue_multiple": 4.0, "cost_growth": 2.0},
     ["the first holds and the second fails, if only just: γm equals g", "every year breaks even"], ["loss is"]),
    ({"revenue_multiple": 0.0}, ["the first fails and the second fails: γm is zero"], []),
]


@pytest.mark.parametrize(("parameters", "said", "unsaid"), ALGEBRA_WORDS,
                         ids=["podcast", "growth 5, multiple 8", "reported margin", "on the line", "no revenue"])
def test_the_chapter_algebra_says_what_its_parameters_make_true(parameters, said, unsaid, monkeypatch):
    run = run_chapter("cohort-accounting", monkeypatch, **parameters)
    paragraph = " ".join(next(p for p in run.prose.split("\n\n") if "keeps scaling only when" in p).split())
    for words in said:
        assert words in paragraph, (words, paragraph)
    for words in [*unsaid, "factor of five", "ten times the last"]:
        assert words not in paragraph, (words, paragraph)
    p = replace(CohortParams(), **parameters)
    factor = cohort.condition_factor(p.gross_margin, p.revenue_multiple, p.cost_growth)
    assert run.results["company_condition_factor"] == (pytest.approx(factor) if np.isfinite(factor) else None)


def test_the_chapter_glues_the_essay_lag_from_the_table(monkeypatch):
    run = run_chapter("cohort-accounting", monkeypatch)
    lag = data.load("open_model_lag").set_index("source").loc["labprofit2026essay"]
    assert f"reaches parity within {lag.low_months:g}–{lag.high_months:g} months" in run.prose


def test_a_negative_margin_is_a_serving_bill_above_revenue():
    r = cohort_model(CohortParams(cost_growth=2.0, revenue_multiple=2.0, gross_margin=-0.25, generations=3))
    np.testing.assert_allclose(r.serving_cost, 1.25 * r.revenue)
    np.testing.assert_allclose(r.profit, r.revenue - r.serving_cost - r.training_spend)


# --- time value of money: NPV, internal rate of return, payback ------------------------------------------

def test_the_cartoon_returns_exactly_100_percent_a_year():
    p = CohortParams()
    r = cohort_model(p)
    tv = cohort.time_value(p, r, 0.15)
    assert tv.generation_irr.tolist() == [1.0, 1.0, 1.0]  # m - 1, to the last bit
    assert tv.base_year == 2023 and tv.discount_rate == 0.15
    # Each generation, valued in 2023: C_k (2 / 1.15 - 1) / 1.15^k.
    np.testing.assert_allclose(tv.generation_npv, [10**k * 1e8 * (2 / 1.15 - 1) / 1.15**k for k in range(3)],
                               rtol=1e-12)
    assert tv.generation_payback_year.tolist() == tv.generation_discounted_payback_year.tolist() == [2024, 2025, 2026]
    # The lab's P&L stops in 2025: it pays for all three models and earns from two.
    assert tv.lab_npv == pytest.approx(-1e8 - 8e8 / 1.15 - 8e9 / 1.15**2, rel=1e-12)
    assert np.isnan([tv.lab_irr, tv.lab_payback_year, tv.lab_discounted_payback_year]).all()


@pytest.mark.parametrize(("gamma", "m"), [(1.0, 2.0), (0.5, 2.0), (0.75, 4.0), (0.25, 2.0), (0.5, 3.0), (1.0, 0.5)])
def test_one_revenue_year_returns_gamma_m_minus_one_exactly(gamma, m):
    """Margins and multiples whose products are exact in binary: the two-flow closed form gives gamma m - 1 bit
    for bit."""
    p = CohortParams(gross_margin=gamma, revenue_multiple=m, cost_growth=4.0, generations=4)
    assert (cohort.time_value(p, cohort_model(p), 0.1).generation_irr == gamma * m - 1).all()
    assert cohort.scaling_generation_irr(p) == gamma * m - 1


@given(c0=st.floats(1e6, 1e10), g=growth, m=st.floats(0.01, 10), gamma=st.floats(0.01, 1), k=st.integers(1, 5),
       interval=st.integers(1, 3))
def test_one_revenue_year_returns_gamma_m_minus_one(c0, g, m, gamma, k, interval):
    p = CohortParams(first_training_cost=c0, cost_growth=g, revenue_multiple=m, gross_margin=gamma, generations=k,
                     generation_interval_years=interval)
    irr = cohort.time_value(p, cohort_model(p), 0.15).generation_irr
    np.testing.assert_allclose(irr, gamma * m - 1, rtol=1e-12, atol=1e-14)


@given(gamma=st.one_of(st.just(0.0), st.floats(-1, 0)), m=multiple, years=st.integers(1, 4))
def test_no_gross_profit_means_no_rate_and_no_payback(gamma, m, years):
    p = CohortParams(gross_margin=gamma, revenue_multiple=m, revenue_years=years)
    r = cohort_model(p)
    tv = cohort.time_value(p, r, 0.15)
    assert np.isnan(tv.generation_irr).all() and np.isnan(tv.generation_payback_year).all()
    assert (tv.generation_npv <= -r.training_cost / 1.15 ** np.arange(3)).all()  # at most the cost, discounted
    assert np.isnan(cohort.scaling_generation_irr(p))


investments = st.tuples(st.lists(st.floats(1e-3, 1e3), min_size=1, max_size=4), st.integers(0, 3),
                        st.lists(st.floats(0, 1e3), min_size=1, max_size=6), st.floats(1e-3, 1e3))


def _investment(spent, gap, earned, last):
    """Cash spent, years of nothing, then cash earned (zeros allowed among it, ending on a gain)."""
    return np.array([*(-np.array(spent)), *np.zeros(gap), *earned, last])


@given(investments, st.integers(0, 3), st.floats(1e-6, 1e9))
def test_npv_at_the_irr_is_zero_and_the_irr_ignores_unit_and_base_year(flows, shift, scale):
    x = _investment(*flows)
    irr = cohort.internal_rate_of_return(x)
    assert irr > -1
    assert abs(cohort.net_present_value(x, irr)) <= 1e-9 * cohort.net_present_value(np.abs(x), irr)
    shifted = np.concatenate([np.zeros(shift), scale * x])
    assert cohort.internal_rate_of_return(shifted) == pytest.approx(irr, rel=1e-9, abs=1e-12)


@given(m=st.floats(0.1, 10), gamma=st.floats(0.05, 1), years=st.integers(2, 8), decay=st.floats(0, 0.9))
def test_several_revenue_years_return_the_root_of_the_npv_polynomial(m, gamma, years, decay):
    """The NPV is a polynomial in v = 1 / (1 + r) with one positive root (one sign change): numpy's roots agree."""
    p = CohortParams(revenue_multiple=m, gross_margin=gamma, revenue_years=years, revenue_decay=decay, generations=1)
    flows = cohort.generation_cash_flows(p, cohort_model(p))[0]
    roots = np.polynomial.polynomial.polyroots(flows)
    v = roots[(np.abs(roots.imag) < 1e-9) & (roots.real > 0)].real
    assert len(v) == 1
    assert cohort.scaling_generation_irr(p) == pytest.approx(1 / v[0] - 1, rel=1e-8, abs=1e-10)
    # Later revenue is worth less at a positive rate and more at a negative one: the return moves towards 0.
    one_year = gamma * m - 1
    assert abs(cohort.scaling_generation_irr(p)) <= abs(one_year) + 1e-12


@given(gains=st.lists(st.floats(0.01, 100), min_size=1, max_size=6),
       rates=st.lists(st.floats(-0.9, 5), min_size=2, max_size=6, unique=True))
def test_npv_of_one_cost_then_gains_falls_as_the_rate_rises(gains, rates):
    rates = np.sort(rates)
    assume(np.diff(rates).min() > 1e-6)
    npv = cohort.net_present_value(np.array([-1.0, *gains]), rates)  # one call over all the rates
    assert npv.shape == rates.shape
    assert (np.diff(npv) < 0).all()


@settings(max_examples=60)
@given(g=growth, m=multiple, gamma=margin, k=st.integers(1, 6), years=st.integers(1, 5), decay=st.floats(0, 0.9),
       interval=st.integers(1, 3), scenario=st.sampled_from(cohort.SCENARIOS), stop=st.integers(0, 5),
       om=st.floats(0, 3), rate=st.floats(0, 1))
def test_npv_identities(g, m, gamma, k, years, decay, interval, scenario, stop, om, rate):
    """At a rate of 0 the NPV is the sum of the cash: a generation's is its cohort P&L, the lab's its total profit
    (and its payback year the break-even year). Over a horizon holding every generation's life, at any rate, the
    lab's NPV is the sum of the generations'."""
    stop = min(stop, k - 1)
    p = CohortParams(cost_growth=g, revenue_multiple=m, gross_margin=gamma, generations=k, revenue_years=years,
                     revenue_decay=decay, generation_interval_years=interval, scenario=scenario,
                     plateau_generation=stop, overhang_generation=stop, overhang_multiple=om,
                     horizon_years=(k - 1) * interval + years + 1)
    r = cohort_model(p)
    size = np.abs(cohort.generation_cash_flows(p, r)).sum()
    at_zero = cohort.time_value(p, r, 0.0)
    np.testing.assert_allclose(cohort.generation_cash_flows(p, r).sum(axis=-1), r.cohort_pnl, rtol=1e-12,
                               atol=1e-12 * size)
    np.testing.assert_allclose(at_zero.generation_npv, r.cohort_pnl, rtol=1e-12, atol=1e-12 * size)
    assert at_zero.lab_npv == pytest.approx(r.profit.sum(), rel=1e-12, abs=1e-12 * size)
    np.testing.assert_array_equal(at_zero.lab_payback_year, r.break_even_year)
    at_rate = cohort.time_value(p, r, rate)
    assert at_rate.lab_npv == pytest.approx(at_rate.generation_npv.sum(), rel=1e-9, abs=1e-9 * size)


def test_payback_is_when_cumulative_cash_turns_non_negative_for_good():
    assert cohort.payback_index([-1.0, 1.0]) == 1  # reaching zero exactly counts
    assert cohort.payback_index([-1.0, 2.0, -5.0, 10.0]) == 3  # above zero in year 1, below again in year 2
    assert np.isnan(cohort.payback_index([-1.0, 2.0, -5.0, 1.0]))  # reached zero, then fell back for good
    assert np.isnan(cohort.payback_index([0.0, 1.0]))  # never in deficit: nothing to pay back
    # Discounted: -1 + 0.6 / 1.1 + 0.6 / 1.1^2 > 0, but at 20% the same cash falls short.
    np.testing.assert_array_equal(cohort.payback_index([-1.0, 0.6, 0.6], np.array([0.0, 0.1, 0.2])), [2, 2, np.nan])


@given(m=multiple, gamma=st.floats(-0.5, 1), years=st.integers(1, 6), decay=st.floats(0, 0.9),
       interval=st.integers(1, 3), rate=st.floats(0, 1))
def test_a_generation_pays_back_when_its_cash_first_reaches_zero(m, gamma, years, decay, interval, rate):
    """A generation's cumulative cash only rises after its training year (or only falls): it pays back the first
    year it reaches zero, and no sooner counted in discounted cash."""
    p = CohortParams(revenue_multiple=m, gross_margin=gamma, revenue_years=years, revenue_decay=decay,
                     generation_interval_years=interval)
    r = cohort_model(p)
    tv = cohort.time_value(p, r, rate)
    for k, row in enumerate(cohort.generation_cash_flows(p, r)):
        reached = np.nonzero(np.cumsum(row) >= 0)[0]
        expected = r.generation_years[k] + reached[0] if reached.size else np.nan
        np.testing.assert_array_equal(tv.generation_payback_year[k], expected)
    undiscounted, discounted = tv.generation_payback_year, tv.generation_discounted_payback_year
    assert not (np.isnan(undiscounted) & ~np.isnan(discounted)).any()
    assert (discounted[~np.isnan(discounted)] >= undiscounted[~np.isnan(discounted)]).all()


def test_the_lab_has_a_rate_only_when_its_profit_turns_positive_once():
    plateau = CohortParams(scenario="plateau", generations=7, plateau_generation=3, gross_margin=0.72)
    overhang = CohortParams(scenario="overhang", generations=5, overhang_generation=3, gross_margin=0.72)
    for p in (plateau, overhang):  # losses, then profits (plateau) or a last year of revenue (overhang)
        r = cohort_model(p)
        tv = cohort.time_value(p, r, 0.15)
        assert abs(cohort.net_present_value(r.profit, tv.lab_irr)) <= 1e-9 * np.abs(r.profit).sum()
    assert cohort.time_value(plateau, cohort_model(plateau), 0.15).lab_payback_year == 2029
    # A generation every other year, each paying for itself the year after: profit changes sign every year.
    alternating = CohortParams(generation_interval_years=2, cost_growth=1.5, horizon_years=6)
    r = cohort_model(alternating)
    assert (np.sign(r.profit) == [-1, 1, -1, 1, -1, 1]).all()
    assert np.isnan(cohort.time_value(alternating, r, 0.15).lab_irr)
    assert np.isnan(cohort.internal_rate_of_return([1.0, -2.0]))  # a loan, not an investment
    assert np.isnan(cohort.internal_rate_of_return(np.zeros(3)))


def test_time_value_vectorised_equals_one_at_a_time():
    g = np.array([1.5, 3.0, 10.0])[:, None]
    m = np.array([0.5, 2.0, 4.0, 12.0])[None, :]
    rate = np.array([0.0, 0.15, 0.4])[:, None]
    common = {"gross_margin": 0.7, "generations": 5, "revenue_years": 3, "revenue_decay": 0.3,
              "scenario": "plateau", "plateau_generation": 2, "horizon_years": 9}
    p = CohortParams(cost_growth=g, revenue_multiple=m, **common)
    many = cohort.time_value(p, cohort_model(p), rate)
    assert many.generation_irr.shape == (3, 4, 5) and many.lab_npv.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            q = CohortParams(cost_growth=g[i, 0], revenue_multiple=m[0, j], **common)
            one = cohort.time_value(q, cohort_model(q), rate[i, 0])
            for field in ("generation_npv", "generation_irr", "generation_payback_year",
                          "generation_discounted_payback_year", "lab_npv", "lab_irr", "lab_payback_year",
                          "lab_discounted_payback_year"):
                np.testing.assert_allclose(getattr(many, field)[i, j], getattr(one, field), rtol=1e-12,
                                           err_msg=field)


def test_generations_an_overhang_does_not_train_have_no_cash():
    p = CohortParams(scenario="overhang", generations=5, overhang_generation=np.array([1, 3]), gross_margin=0.72)
    tv = cohort.time_value(p, cohort_model(p), 0.15)
    assert tv.generation_npv.shape == (2, 4)
    assert (tv.generation_npv[0, 2:] == 0).all()
    assert np.isnan(tv.generation_irr[0, 2:]).all() and np.isnan(tv.generation_payback_year[0, 2:]).all()
    assert tv.generation_irr[0, 1] == pytest.approx(0.72 * 0.5 - 1)  # the overhang generation earns 0.5x


@given(m=st.floats(0.5, 10), years=st.integers(1, 6), decay=st.floats(0, 0.8), rate=st.floats(0, 1))
def test_the_breakeven_margin_at_a_rate_returns_exactly_that_rate(m, years, decay, rate):
    p = CohortParams(revenue_multiple=m, revenue_years=years, revenue_decay=decay)
    gamma = cohort.breakeven_margin_at_rate(p, rate)
    assume(gamma <= 1)
    at_gamma = replace(p, gross_margin=gamma)
    assert cohort.scaling_generation_irr(at_gamma) == pytest.approx(rate, rel=1e-9, abs=1e-12)
    assert cohort.time_value(at_gamma, cohort_model(at_gamma), rate).generation_npv[0] == pytest.approx(0, abs=1e-3)


def test_the_breakeven_margin_at_a_rate_in_closed_form():
    p = CohortParams(revenue_multiple=2.0)
    np.testing.assert_allclose(cohort.breakeven_margin_at_rate(p, np.array([0.0, 0.15, 0.3])), [0.5, 0.575, 0.65])
    spread = replace(p, revenue_years=3, revenue_decay=0.2)
    assert cohort.breakeven_margin_at_rate(spread, 0.0) == pytest.approx(cohort.breakeven_gross_margin(2.0))
    assert cohort.breakeven_margin_at_rate(spread, 0.15) > cohort.breakeven_margin_at_rate(p, 0.15)  # later revenue
    assert cohort.breakeven_margin_at_rate(replace(p, revenue_multiple=0.0), 0.15) == np.inf


@pytest.mark.parametrize("call", [
    lambda: cohort.time_value(CohortParams(), cohort_model(CohortParams()), -1.0),
    lambda: cohort.net_present_value([-1.0, 2.0], np.array([0.1, -1.5])),
    lambda: cohort.payback_index([-1.0, 2.0], float("nan")),
    lambda: cohort.breakeven_margin_at_rate(CohortParams(), -2),
])
def test_a_rate_of_minus_100_percent_or_below_is_named(call):
    with pytest.raises(ParameterError, match=r"'discount_rate': got .*; allowed: a (finite )?number( > -1)?"):
        call()


# Parameters of the chapter, and words its section "Each model as an investment" must then say.
RETURNS_WORDS = [
    ({}, ["which at this chapter's margin and multiple is 100% a year. This chapter's generations do earn their "
          "revenue in that one year", "the internal rate of return is 100% a year for every generation",
          "At a cost of capital of 15%, the NPV is positive for every generation",
          "Payback comes the year after training for every generation, discounted or not",
          "they have no rate of return, since no year makes a profit, and the lab does not pay back",
          "$13.2B more: the value of the generations' cash after 2025",
          "{math}`\\gamma^{*}` is 57.5%; across the band, it runs from 55% to 65%",
          "margin of 72%, a generation returns 44% a year, above the cost of capital"]),
    ({"gross_margin": 0.5}, ["is 0% a year for every generation", "the NPV is negative for every generation",
                             "Payback comes the year after training for every generation; counted in discounted "
                             "cash, it never comes"]),
    ({"revenue_years": 3, "revenue_decay": 0.3, "gross_margin": 0.72},
     ["multiple is 44% a year. This chapter's generations earn theirs over 3 years instead, and a generation "
      "earning 2× its cost then returns 23.9% a year", "is 23.9% a year for every generation",
      "Payback comes 2 years after training for every generation; counted in discounted cash, 3 years after"]),
    ({"scenario": "overhang", "generations": 5, "overhang_generation": 3, "gross_margin": 0.72},
     ["is 44% a year for generations 0–2 and -64% a year for generation 3",
      "the NPV is positive for generations 0–2 and negative for generation 3",
      "the year after training for generations 0–2 and never for generation 3, discounted or not",
      "they return -59.6% a year", "the same, since no generation has cash after 2027"]),
    ({"scenario": "plateau", "generations": 7, "plateau_generation": 3, "gross_margin": 0.72},
     ["over 2023–2029 are worth $2.5B in 2023; they return 17.2% a year, and the lab pays back in 2029"]),
    ({"gross_margin": 0.0}, ["no rate at all, since there is no gross profit", "is not defined for any generation",
                             "No generation pays back, discounted or not"]),
    ({"revenue_multiple": 0.4}, ["is above 100%, out of reach; across the band, it is above 100%, out of reach",
                                 "returns -71.2% a year, below the cost of capital"]),
]


@pytest.mark.parametrize(("parameters", "said"), RETURNS_WORDS,
                         ids=["podcast", "margin 0.5", "three revenue years", "overhang", "plateau", "no margin",
                              "small multiple"])
def test_the_chapter_returns_say_what_their_parameters_make_true(parameters, said, monkeypatch):
    run = run_chapter("cohort-accounting", monkeypatch, **parameters)
    section = " ".join(run.prose[run.prose.index("## Each model as an investment"):
                                 run.prose.index("## Two endings")].split())
    for words in said:
        assert words in section, (words, section)
    for words in ("nan", "None", "undefined", "for every generation and", "runs from above"):
        assert words not in section, (words, section)
    p = cohort_accounting.validate(**(CHAPTER_RATES | {"ending_generations": 6} | parameters))
    tv = cohort.time_value(p, cohort_model(p), parameters.get("discount_rate", 0.15))
    assert run.results["cohort_npv_usd"] == pytest.approx(tv.generation_npv.tolist(), rel=1e-7)
    assert run.results["cohort_irr"] == [None if np.isnan(v) else pytest.approx(v, rel=1e-7)
                                         for v in tv.generation_irr]
    assert run.results["cohort_payback_year"] == [cohort.year_or_none(y) for y in tv.generation_payback_year]
    assert run.results["lab_npv_usd"] == pytest.approx(float(tv.lab_npv), rel=1e-7)
