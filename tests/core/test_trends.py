"""Tests of labecon_core.trends: log-linear fits, intervals, frontier selection, projections."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from labecon_core import compute, trends
from labecon_core.errors import ParameterError
from labecon_core.trends import TrendParams, fit_log_linear


def noisy_series(seed=0, n=20, growth=2.4):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(2016, 2025, n))
    y = 1e6 * growth ** (x - 2016) * 10 ** rng.normal(0, 0.3, n)
    return x, y


def test_exact_exponential_is_recovered():
    x = np.arange(2018, 2026, dtype=float)
    fit = fit_log_linear(x, 5e6 * 3.0 ** (x - 2018))
    assert fit.growth_per_year == pytest.approx(3.0)
    assert fit.growth_interval == pytest.approx((3.0, 3.0))
    assert fit.doubling_time_years == pytest.approx(np.log(2) / np.log(3))
    assert fit.growth_over(2.5) == pytest.approx((3.0 ** 2.5,) * 3)


def test_fit_matches_scipy_linregress():
    x, y = noisy_series()
    fit = fit_log_linear(x, y, level=0.95)
    ref = stats.linregress(x, np.log10(y))
    assert fit.slope == pytest.approx(ref.slope)
    assert fit.intercept == pytest.approx(ref.intercept)
    assert fit.slope_se == pytest.approx(ref.stderr)
    t = stats.t.ppf(0.975, len(x) - 2)
    half = t * ref.stderr
    assert fit.growth_interval == pytest.approx((10 ** (ref.slope - half), 10 ** (ref.slope + half)))


def test_intervals_nest_and_widen_away_from_the_data():
    x, y = noisy_series(seed=3)
    fit = fit_log_linear(x, y)
    conf = fit.predict([fit.x_mean, 2030.0])
    pred = fit.predict([fit.x_mean, 2030.0], interval="prediction")
    assert np.all(pred.low < conf.low) and np.all(conf.high < pred.high)
    assert np.all((conf.low < conf.center) & (conf.center < conf.high))
    width = np.log10(conf.high / conf.low)
    assert width[1] > width[0]
    # At the mean year the line passes through the geometric mean of the data.
    assert conf.center[0] == pytest.approx(10 ** np.log10(y).mean())


def test_a_higher_level_gives_wider_intervals():
    x, y = noisy_series(seed=5)
    narrow, wide = fit_log_linear(x, y, 0.5), fit_log_linear(x, y, 0.95)
    assert wide.growth_interval[0] < narrow.growth_interval[0] < narrow.growth_per_year
    assert narrow.growth_interval[1] < wide.growth_interval[1]


def test_interval_coverage_matches_its_level():
    # Under the model's own assumptions the true growth lies inside the 90% interval about 90% of the time.
    hits = [fit_log_linear(*noisy_series(seed=k, n=12), level=0.9).growth_interval for k in range(400)]
    inside = np.mean([lo <= 2.4 <= hi for lo, hi in hits])
    assert 0.86 <= inside <= 0.94


def test_decimal_year_takes_the_middle_of_the_period():
    years = trends.decimal_year(["2023", "2023-03", "2024-12-31", "2023-01-01"])
    assert years[0] == 2023.5
    assert years[1] == pytest.approx(2023 + 2.5 / 12)
    assert years[2] == pytest.approx(2024 + 365.5 / 366)
    assert years[3] == pytest.approx(2023 + 0.5 / 365)


def test_near_frontier():
    x = np.array([2020.0, 2021.0, 2022.0, 2023.0, 2023.0])
    y = np.array([10.0, 5.0, 100.0, 20.0, np.nan])
    assert list(trends.near_frontier(x, y, 1.0)) == [True, False, True, False, False]
    assert list(trends.near_frontier(x, y, 5.0)) == [True, True, True, True, False]
    assert list(trends.near_frontier(x, y, 1e9)) == [True, True, True, True, False]


def test_projection_grows_at_the_fitted_rate():
    x, y = noisy_series()
    fit = fit_log_linear(x, y)
    proj = trends.project(fit, 2023.9, 2.5e8, 2028)
    assert proj.year.iloc[0] == 2023.9 and proj.center.iloc[0] == 2.5e8 == proj.low.iloc[0] == proj.high.iloc[0]
    assert list(proj.year.iloc[1:]) == [2024.5, 2025.5, 2026.5, 2027.5, 2028.5]
    assert proj.center.iloc[-1] == pytest.approx(2.5e8 * fit.growth_per_year ** (2028.5 - 2023.9))
    assert np.all(np.diff(np.log(proj.high / proj.low)) > 0)
    assert len(trends.project(fit, 2023.9, 2.5e8, 2023)) == 1


@given(st.integers(0, 100), st.floats(2000, 2030), st.floats(1e3, 1e12))
def test_projection_at_a_rate_is_the_fitted_projection_at_the_fitted_rate(seed, start, value):
    fit = fit_log_linear(*noisy_series(seed))
    proj = trends.project(fit, start, value, 2035)
    at_rate = trends.project_at_rate(fit.growth_per_year, start, value, proj.year)
    assert at_rate == pytest.approx(proj.center.to_numpy(), rel=1e-9)
    assert trends.project_at_rate(3.0, start, value, [start, start + 2]) == pytest.approx([value, 9 * value])


@given(st.floats(1.01, 100), st.floats(1.01, 20))
def test_years_to_multiply_grow_the_factor(factor, growth):
    years = trends.years_to_multiply(factor, growth)
    assert growth ** years == pytest.approx(factor)
    assert trends.years_to_multiply(factor, np.array([growth, 1.0, 0.5])).tolist()[1:] == [np.inf, np.inf]
    assert trends.years_to_multiply(100.0, 10.0) == pytest.approx(2.0)


def test_fits_over_the_models_table():
    est = compute.model_estimates()
    tr = trends.fit_models(est, TrendParams())
    pts = tr.points
    # A compute figure given only as a lower bound is shown, never fitted.
    assert pts.lower_bound.sum() == 1
    assert tr.flop_all.n == (est.training_flop.notna() & (est.flop_source != "lower bound")).sum()
    assert tr.flop_frontier.n == pts.frontier_flop.sum() < tr.flop_all.n
    assert not pts.loc[pts.lower_bound, "frontier_flop"].any()
    # Frontier compute grows faster than the whole sample, and, over the same runs, compute faster than cost
    # (the cost fits leave out the runs without a price, so their frontier is another sample).
    assert tr.flop_frontier.growth_per_year > tr.flop_all.growth_per_year > 1
    assert tr.flop_cost_frontier.growth_per_year > tr.cost_frontier.growth_per_year > 1
    costed = pts[pts.frontier_cost]
    assert tr.flop_cost_frontier.n == tr.cost_frontier.n == len(costed) and costed.cloud_cost.notna().all()
    assert tr.flop_cost_frontier.slope == pytest.approx(fit_log_linear(costed.year, costed.training_flop).slope)
    # The most expensive fitted run leads the cost; the years run from the first model to the last.
    leader = tr.cost_leader
    assert not leader.lower_bound and leader.cloud_cost == pts.cloud_cost[~pts.lower_bound].max()
    assert tr.years_covered == pytest.approx(pts.year.max() - pts.year.min()) and tr.years_covered > 0


def test_record_setters_only_is_a_smaller_frontier():
    est = compute.model_estimates()
    wide = trends.fit_models(est, TrendParams(frontier_factor=10.0))
    records = trends.fit_models(est, TrendParams(frontier_factor=1.0))
    assert records.points.frontier_flop.sum() < wide.points.frontier_flop.sum()


@pytest.mark.parametrize(("args", "message"), [
    (([2020.0, 2021.0], [1.0, 2.0]), "at least three points"),
    (([2020.0, 2020.0, 2020.0], [1.0, 2.0, 3.0]), "at least three points over two or more years"),
    (([2020.0, 2021.0, 2022.0], [1.0, 0.0, 3.0]), "> 0"),
    (([2020.0, 2021.0, 2022.0], [1.0, 2.0]), "same length"),
])
def test_bad_fits_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        fit_log_linear(*args)


def test_bad_interval_kind_and_level_are_refused():
    x, y = noisy_series()
    with pytest.raises(ValueError, match=r"interval must be one of"):
        fit_log_linear(x, y).predict([2026.0], interval="credible")
    with pytest.raises(ParameterError, match=r"'level'.*< 1"):
        fit_log_linear(x, y, level=1.0)


@pytest.mark.parametrize(("changes", "message"), [
    ({"frontier_factor": 0.5}, "'frontier_factor'.*>= 1"),
    ({"projection_last_year": 1999}, "'projection_last_year'.*>= 2000"),
    ({"projection_last_year": 2027.5}, "'projection_last_year'.*whole number"),
    ({"confidence_level": 0.0}, "'confidence_level'.*> 0"),
    ({"confidence_level": 1.0}, "'confidence_level'.*< 1"),
])
def test_bad_trend_settings_are_refused(changes, message):
    with pytest.raises(ParameterError, match=message):
        TrendParams(**changes)
