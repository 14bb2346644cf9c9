"""Uncertainty: ranges as distributions, seeded draws, vectorised evaluation, summaries, bad input."""

import math
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special, stats

from labecon_core import uncertainty
from labecon_core.errors import ParameterError
from labecon_core.uncertainty import Range

levels = st.floats(0.5, 0.99)


@given(low=st.floats(1e-3, 1e12), ratio=st.floats(1.0001, 1e4), level=levels, floor=st.sampled_from([0.0, 1.0]))
def test_lognormal_interval_round_trip(low, ratio, level, floor):
    r = Range("x", floor + low, floor + low * ratio, "lognormal", level, (floor, math.inf))
    lo, hi = r.quantile([(1 - level) / 2, (1 + level) / 2])
    assert lo == pytest.approx(r.low, rel=1e-9)
    assert hi == pytest.approx(r.high, rel=1e-9)
    assert r.median == pytest.approx(floor + low * math.sqrt(ratio), rel=1e-9)


@given(low=st.floats(0.01, 0.98), width=st.floats(1e-3, 0.5), level=levels)
def test_logitnormal_interval_round_trip(low, width, level):
    high = min(low + width, 0.99)
    r = Range("share", low, high, "logitnormal", level, (0.0, 1.0))
    np.testing.assert_allclose(r.quantile([(1 - level) / 2, (1 + level) / 2]), [low, high], rtol=1e-9)
    assert r.median == pytest.approx(special.expit((special.logit(low) + special.logit(high)) / 2), rel=1e-9)
    assert 0 < r.quantile(1e-9) and r.quantile(1 - 1e-9) < 1


@given(low=st.floats(0.2, 0.4), width=st.floats(0.0, 0.3), level=levels)
def test_uniform_interval_round_trip(low, width, level):
    r = Range("share", low, low + width, "uniform", level, (0.0, 1.0))
    np.testing.assert_allclose(r.quantile([(1 - level) / 2, 0.5, (1 + level) / 2]),
                               [low, low + width / 2, low + width], atol=1e-12)


def test_discrete_values_are_equally_likely():
    r = Range("year", 2026, 2030, "discrete", domain=(1900, 2200))
    np.testing.assert_array_equal(r.values, [2026, 2027, 2028, 2029, 2030])
    assert r.median == 2028
    assert r.quantile(0.01) == 2026 and r.quantile(0.99) == 2030
    x = uncertainty.sample([r], 100_000, np.random.default_rng(3))["year"]
    counts = np.array([(x == v).sum() for v in r.values])
    assert stats.chisquare(counts).pvalue > 1e-3
    two = Range("k", 0, 6, "discrete", step=3)
    np.testing.assert_array_equal(two.values, [0, 3, 6])


def test_draws_match_the_stated_interval():
    level = 0.9
    ranges = [Range("lag", 6, 12), Range("decline", 1.1, 2.5, domain=(1, math.inf)),
              Range("margin", 0.4, 0.8, "logitnormal", domain=(0, 1)),
              Range("take", 0.25, 0.75, "uniform", domain=(0, 1))]
    draws = uncertainty.sample(ranges, 400_000, np.random.default_rng(11))
    for r in ranges:
        x = draws[r.name]
        # 5% of draws below low and 5% above high, within a few Monte Carlo standard errors.
        se = uncertainty.standard_error(0.05, len(x))
        assert np.mean(x < r.low) == pytest.approx((1 - level) / 2, abs=5 * se)
        assert np.mean(x > r.high) == pytest.approx((1 - level) / 2, abs=5 * se)
        assert np.median(x) == pytest.approx(r.median, rel=0.01)


def test_a_fixed_range_is_a_number_even_on_the_edge_of_its_domain():
    r = Range("decline", 1.0, 1.0, domain=(1, math.inf))
    assert r.fixed and r.median == 1.0
    np.testing.assert_array_equal(r.from_standard_normal([-3.0, 0.0, 3.0]), [1.0, 1.0, 1.0])
    assert Range("margin", 1.0, 1.0, "logitnormal", domain=(0, 1)).quantile(0.3) == 1.0


def test_with_median_keeps_the_spread():
    r = Range("lag", 6, 12)
    moved = r.with_median(24.0)
    assert moved.median == pytest.approx(24.0)
    assert moved.high / moved.low == pytest.approx(r.high / r.low)
    share = Range("m", 0.4, 0.8, "logitnormal", domain=(0, 1)).with_median(0.5)
    assert share.median == pytest.approx(0.5)
    width = special.logit(share.high) - special.logit(share.low)
    assert width == pytest.approx(special.logit(0.8) - special.logit(0.4))
    flat = Range("k", 0.25, 0.75, "uniform", domain=(0, 1)).with_median(0.4)
    assert (flat.low, flat.high) == pytest.approx((0.15, 0.65))
    assert Range("y", 2027, 2027, "discrete", domain=(1900, 2200)).with_median(2029).low == 2029


def test_same_seed_same_draws_byte_for_byte_with_any_number_of_threads():
    ranges = [Range("a", 1, 10), Range("b", 0.2, 0.6, "logitnormal", domain=(0, 1))]
    n = 3 * uncertainty.CHUNK + 17
    one = uncertainty.sample(ranges, n, np.random.default_rng(42), workers=1)
    many = uncertainty.sample(ranges, n, np.random.default_rng(42), workers=4)
    again = uncertainty.sample(ranges, n, np.random.default_rng(42))
    for k in one:
        assert one[k].tobytes() == many[k].tobytes() == again[k].tobytes()
    other = uncertainty.sample(ranges, n, np.random.default_rng(43))
    assert not np.array_equal(one["a"], other["a"])


def _toy(d):
    a, b = np.asarray(d["a"]), np.asarray(d["b"])
    return {"sum": a + b, "path": np.stack([a, a * b, a * b * b], axis=-1)}


def test_vectorised_equals_one_at_a_time_and_chunking_does_not_matter():
    d = uncertainty.sample([Range("a", 1, 10), Range("b", 0.5, 2)], 1000, np.random.default_rng(0))
    whole = uncertainty.evaluate(_toy, d)
    chunked = uncertainty.evaluate(_toy, d, chunk=7, workers=3)
    each = uncertainty.evaluate_each(_toy, d)
    assert whole["path"].shape == (1000, 3)
    for k in whole:
        np.testing.assert_array_equal(whole[k], chunked[k])
        np.testing.assert_allclose(whole[k], each[k], rtol=1e-15)


def test_chunks_fill_their_slices_in_whatever_order_they_finish():
    def first_chunk_last(d):
        a = np.asarray(d["a"])
        if a[0] == 0:
            time.sleep(0.05)
        return {"twice": 2 * a, "rows": np.stack([a, -a], axis=-1).astype(np.float32)}

    a = np.arange(100.0)
    out = uncertainty.evaluate(first_chunk_last, {"a": a}, chunk=10, workers=3)
    np.testing.assert_array_equal(out["twice"], 2 * a)
    assert out["rows"].dtype == np.float32
    np.testing.assert_array_equal(out["rows"], np.stack([a, -a], axis=-1))


def test_quantiles_and_probabilities_on_known_distributions():
    x = uncertainty.sample([Range("u", 0.05, 0.95, "uniform", 0.9, (0, 1))], 200_000, np.random.default_rng(5))["u"]
    np.testing.assert_allclose(uncertainty.quantiles(x, [0.1, 0.5, 0.9]), [0.1, 0.5, 0.9], atol=0.005)
    assert uncertainty.probability(x < 0.3) == pytest.approx(0.3, abs=0.005)
    path = np.column_stack([x, 2 * x])
    np.testing.assert_allclose(uncertainty.quantiles(path, 0.5), [0.5, 1.0], atol=0.01)
    assert uncertainty.standard_error(0.5, 10_000) == pytest.approx(0.005)
    times = np.array([2025.0, np.nan, 2027.0, 2025.0])
    np.testing.assert_allclose(uncertainty.probability_by(times, [2024, 2025, 2026, 2027, 2030]),
                               [0.0, 0.5, 0.5, 0.75, 0.75])


def test_quantile_bands_are_the_quantiles_of_each_step():
    rng = np.random.default_rng(3)
    paths = np.cumsum(rng.normal(size=(2000, 6)), axis=1)
    bands = {"q05": 0.05, "q50": 0.5, "q95": 0.95}
    frame = uncertainty.quantile_bands(paths, bands)
    assert list(frame.columns) == list(bands) and len(frame) == 6
    for name, p in bands.items():
        np.testing.assert_array_equal(frame[name], uncertainty.quantiles(paths, p))
    assert np.all(frame.q05 <= frame.q50) and np.all(frame.q50 <= frame.q95)


def test_never_ranks_after_every_time():
    times = np.array([2025.0, np.nan, 2027.0])
    np.testing.assert_array_equal(uncertainty.never_as_inf(times), [2025.0, np.inf, 2027.0])
    assert uncertainty.average_ranks(uncertainty.never_as_inf(times))[1] == 3


def test_posterior_shifts_measure_how_weights_move_each_input():
    ranges = [Range("moved", 1, 100), Range("independent", 1, 100), Range("fixed", 5, 5)]
    d = uncertainty.sample(ranges, 20_000, np.random.default_rng(8))
    event = d["moved"] > 10.0  # the median of "moved" is 10
    shifts = uncertainty.posterior_shifts(d, event, ranges)
    assert list(shifts.index) == ["moved", "independent", "fixed"]
    moved = shifts.loc["moved"]
    assert moved.median_posterior == np.quantile(d["moved"][event], 0.5, method="inverted_cdf")
    assert moved.q05_posterior <= moved.median_posterior <= moved.q95_posterior
    assert moved.log_shift == pytest.approx(abs(math.log(moved.median_posterior / moved.median_prior)))
    # Above the median of a lognormal with these ends, half the probability: the 75th percentile.
    assert moved.median_posterior == pytest.approx(float(ranges[0].quantile(0.75)), rel=0.02)
    assert shifts.loc["independent", "log_shift"] < 0.05 and shifts.loc["fixed", "log_shift"] == 0
    with pytest.raises(ValueError, match="some weight"):
        uncertainty.posterior_shifts(d, np.zeros(20_000, dtype=bool), ranges)


def test_tornado_orders_by_swing_on_a_constructed_case():
    ranges = [Range("small", 1, 2), Range("big", 1, 5), Range("none", 1, 3), Range("fixed", 4, 4),
              Range("negative", 1, 3)]

    def outcome(d):
        return 10 * d["big"] + d["small"] - 2 * d["negative"] + 0 * d["none"] + d["fixed"]

    t = uncertainty.tornado(outcome, ranges)
    assert list(t.input) == ["big", "negative", "small", "none"]
    big = t.iloc[0]
    base = 10 * math.sqrt(5) + math.sqrt(2) - 2 * math.sqrt(3) + 4
    assert t.attrs["base"] == pytest.approx(base)
    assert (big.at_low, big.at_high, big.swing) == pytest.approx((base - 10 * (math.sqrt(5) - 1),
                                                                   base + 10 * (5 - math.sqrt(5)), 40))
    assert t.set_index("input").loc["negative", "at_high"] < t.set_index("input").loc["negative", "at_low"]
    assert t.set_index("input").loc["none", "swing"] == 0


def test_rank_correlations():
    rng = np.random.default_rng(2)
    x, noise = rng.random(5000), rng.random(5000)
    rho = uncertainty.rank_correlations({"noise": noise, "x": x, "flat": np.ones(5000), "minus": -x}, np.exp(x))
    assert list(rho.index[:2]) == ["x", "minus"] and "flat" not in rho
    assert rho["x"] == pytest.approx(1.0) and rho["minus"] == pytest.approx(-1.0)
    assert rho["noise"] == pytest.approx(stats.spearmanr(noise, x).statistic)
    assert abs(rho["noise"]) < 0.05
    # Ties (every draw above 0.5 "never" happens) are ranked on average, as scipy does.
    outcome = np.where(x > 0.5, np.inf, x)
    capped = uncertainty.rank_correlations({"x": x}, outcome)
    assert capped["x"] == pytest.approx(stats.spearmanr(x, outcome).statistic)
    assert 0.9 < capped["x"] < 1


def test_density_table():
    x, y = np.array([0.5, 0.5, 1.5, 5.0]), np.array([0.5, 0.5, 0.5, 0.5])
    t = uncertainty.density_table(x, y, [0, 1, 2], [0, 1])
    assert isinstance(t, pd.DataFrame) and len(t) == 2
    assert t.share.sum() == pytest.approx(0.75)
    assert t.loc[t.x0 == 0, "share"].item() == pytest.approx(0.5)
    weighted = uncertainty.density_table(x, y, [0, 1, 2], [0, 1], weights=[0.0, 0.0, 1.0, 1.0])
    assert weighted.share.tolist() == [0.5] and weighted.x0.item() == 1


# Bad input: every error names what was wrong and what is allowed, before anything is drawn.

@pytest.mark.parametrize(("args", "message"), [
    (("lag", 12, 6), r"'lag_low': got 12; allowed: a number <= lag_high \(6\)"),
    (("lag", 0, 6), r"'lag_low': got 0; allowed: a number > 0"),
    (("lag", -1, -1), r"'lag_low': got -1; allowed: a number >= 0 and <= inf"),
    (("margin", 0.5, 1.0, "logitnormal", 0.9, (0, 1)), r"'margin_high': got 1.0; allowed: a number < 1"),
    (("take", 0.0, 0.5, "uniform", 0.9, (0, 1)), r"'take_low': got 0.0; allowed: a number that keeps the uniform "
                                                 r"draws >= 0"),
    (("take", 0.5, 1.0, "uniform", 0.9, (0, 1)), r"'take_high': got 1.0; allowed: a number that keeps the uniform"),
    (("lag", 6, 12, "lognormal", 1.0), r"'interval_level': got 1.0; allowed: a number > 0 and < 1"),
    (("lag", 6, 12, "normal"), r"'family': got 'normal'; allowed: one of: lognormal, logitnormal, uniform, discrete"),
    (("lag", float("nan"), 12), r"'lag_low'.*a finite number"),
    (("lag", "six", 12), r"'lag_low': got 'six'; allowed: a number"),
    (("year", 2026, 2030.5, "discrete", 0.9, (1900, 2200)), r"'year_high': got 2030.5; allowed: year_low \(2026\) plus "
                                                             r"whole steps of 1"),
])
def test_bad_ranges_are_named(args, message):
    with pytest.raises(ParameterError, match=message):
        Range(*args)


def test_bad_runs_are_named():
    with pytest.raises(ParameterError, match=r"'n_draws': got 0; allowed: a whole number >= 1 and <= 10000000"):
        uncertainty.check_run(0, 1)
    with pytest.raises(ParameterError, match=r"'seed': got -1; allowed: a whole number >= 0"):
        uncertainty.check_run(10, -1)
    with pytest.raises(ParameterError, match=r"'n_draws': got 2.5; allowed: a whole number"):
        uncertainty.check_run(2.5, 1)
    with pytest.raises(ParameterError, match=r"'n_draws': got 0"):
        uncertainty.sample([Range("a", 1, 2)], 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="input names must be distinct"):
        uncertainty.sample([Range("a", 1, 2), Range("a", 2, 3)], 10, np.random.default_rng(0))
    with pytest.raises(ParameterError, match=r"'lag median': got -2; allowed: a number > 0 and < inf"):
        Range("lag", 6, 12).with_median(-2)
    with pytest.raises(ValueError, match="the same number of draws"):
        uncertainty.evaluate(_toy, {"a": np.ones(3), "b": np.ones(4)})
    with pytest.raises(ParameterError, match=r"'probs': got 1.5; allowed: a number >= 0 and <= 1"):
        uncertainty.quantiles(np.ones(3), 1.5)
    with pytest.raises(ValueError, match="an event is a boolean array"):
        uncertainty.probability(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="at least one draw"):
        uncertainty.probability(np.array([], dtype=bool))
    with pytest.raises(ValueError, match="NaN draws"):
        uncertainty.rank_correlations({"a": np.arange(3.0)}, [1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="one number per case"):
        uncertainty.tornado(lambda d: np.zeros(2), [Range("a", 1, 2)])


@given(st.lists(st.sampled_from([-np.inf, -2.0, 0.0, 0.5, 1.0, 3.0, np.inf]) | st.floats(-1e6, 1e6), max_size=60))
def test_average_ranks_are_scipys_default_ranks(values):
    assert np.array_equal(uncertainty.average_ranks(values), stats.rankdata(np.asarray(values, dtype=float)))


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=40), st.floats(0.01, 0.99))
def test_equal_weights_give_the_empirical_quantile(xs, q):
    x = np.array(xs)
    assert uncertainty.quantiles(x, q, weights=np.ones_like(x)) == np.quantile(x, q, method="inverted_cdf")


def test_weights_move_probabilities_and_quantiles_toward_the_weighted_draws():
    x = np.arange(10.0)
    w = np.where(x >= 5, 1.0, 0.0)
    assert uncertainty.probability(x >= 5, weights=w) == 1.0
    assert uncertainty.quantiles(x, 0.5, weights=w) == 7.0
    assert np.isnan(uncertainty.probability(x > 0, weights=np.zeros(10)))
    np.testing.assert_array_equal(uncertainty.probability_by(x, [4, 7], weights=w), [0.0, 0.6])
    np.testing.assert_array_equal(uncertainty.probability_by(x, [4, 7], weights=np.ones(10)),
                                  uncertainty.probability_by(x, [4, 7]))
    paths = np.column_stack([x, 10 * x])
    bands = uncertainty.quantile_bands(paths, {"q50": 0.5}, weights=w)
    np.testing.assert_array_equal(bands.q50, [7.0, 70.0])
    with pytest.raises(ValueError, match="one number >= 0 per draw"):
        uncertainty.probability(x > 0, weights=-w)


@given(q=st.floats(0.001, 0.999))
def test_the_cdf_inverts_the_quantile(q):
    for r in (Range("cost", 1.5, 4.0), Range("decline", 1.1, 2.5, domain=(1.0, math.inf)),
              Range("margin", 0.6, 0.8, "logitnormal", 0.9, (0.0, 1.0)),
              Range("take", 0.25, 0.75, "uniform", 0.9, (0.0, 1.0))):
        assert float(r.cdf(r.quantile(q))) == pytest.approx(q, abs=1e-9)
    years = Range("wall", 2026, 2030, "discrete", 0.9, (1900, 2200))
    assert years.cdf(2027.0) == pytest.approx(0.4) and years.cdf(2025.0) == 0 and years.cdf(2030.0) == 1
    assert Range("fixed", 3, 3).cdf(2.0) == 0 and Range("fixed", 3, 3).cdf(3.0) == 1
    assert Range("cost", 1.5, 4.0).cdf(0.0) == 0 and Range("cost", 1.5, 4.0).cdf(np.inf) == 1
