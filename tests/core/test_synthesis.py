"""The synthesis chain: composition of the four models, the podcast case, determinism, the chapter's inputs."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labecon_book import chapters
from labecon_book import params as cli_params
from labecon_core import (
    calibration,
    cohort,
    competition,
    compute,
    data,
    finances,
    internal,
    margins,
    synthesis,
    trends,
    uncertainty,
)
from labecon_core.errors import ParameterError
from labecon_core.inputs import synthesis as synthesis_inputs
from labecon_core.inputs.evidence import first_party_margin
from labecon_core.paths import ROOT
from labecon_core.synthesis import ChainParams

DEFAULTS = chapters.chapter("synthesis").defaults()
SCENARIOS = ("podcast", "scaling-wall", "models-stop-improving", "open-parity", "internal-trading-desk")


def chapter_inputs(**changes):
    return synthesis_inputs.validate(**{**DEFAULTS, **changes})


def some_draws(n=64, seed=7, **changes):
    inputs = chapter_inputs(**changes)
    ranges, _ = inputs.all_ranges()
    return inputs, uncertainty.sample(ranges, n, np.random.default_rng(seed))


def podcast_draws():
    return {"cost_growth_per_year": 10.0, "training_overhead_growth": 1.0, "anchor_training_usd": 100e6,
            "observed_revenue_multiple": 2.0, "open_model_lag_months": 12.0, "annual_price_decline": 1.0,
            "successor_cannibalization": 0.0, "retained_premium": 0.3, "reported_gross_margin": 1.0,
            "unpaid_compute_share": 0.0}


def test_the_podcast_example_runs_through_the_chain():
    chain = ChainParams(first_year=2023, last_year=2025, anchor_year=2023, ending="continue", wall_year=2025,
                        n_labs=1.0, n_labs_today=1.0, model_life_months=12, funding_from_year=2023)
    r = synthesis.evaluate(chain, podcast_draws())
    assert r.realized_multiple == pytest.approx(2.0) and r.realized_margin == pytest.approx(1.0)
    assert r.lab_margin == pytest.approx(1.0)
    np.testing.assert_allclose(r.pnl.profit, [-100e6, -800e6, -8e9])
    out = synthesis.outputs(chain, podcast_draws())
    assert out["funding_need"] == pytest.approx(8.9e9)
    assert np.isnan(out["profitable_from"])
    assert out["report_revenue"] == pytest.approx(200e6) and out["report_loss"] == pytest.approx(800e6)


def test_the_podcast_scenario_fixes_every_draw_to_the_example():
    values = cli_params.resolve(chapters.chapter("synthesis"), scenario=ROOT / "scenarios" / "synthesis-podcast.yml")
    inputs = synthesis_inputs.validate(**{**values, "n_draws": 500})
    ranges, fit = inputs.all_ranges()
    assert fit is None and all(r.fixed for r in ranges if r.name in inputs.chain.inputs)
    out = uncertainty.evaluate(synthesis.model(inputs.chain), uncertainty.sample(ranges, 500, np.random.default_rng(1)))
    np.testing.assert_allclose(out["profit"], np.tile([-100e6, -800e6, -8e9], (500, 1)))
    # The cartoon's 2024 earns a twentieth of OpenAI's revenue on no serving bill at all: no draw comes near the
    # reported year, every weight is zero, and the chapter falls back on the prior with a warning.
    w = inputs.calibration.weights(out)
    assert calibration.effective_sample_size(w) == 0 and calibration.matched_share(w) == 0


def test_the_chain_composes_the_models_it_names():
    inputs, d = some_draws(ending="continue")
    chain = inputs.chain
    r = synthesis.evaluate(chain, d)
    g = d["cost_growth_per_year"] * d["training_overhead_growth"]
    forces = competition.CompetitionParams(
        open_model_lag_months=d["open_model_lag_months"], annual_price_decline=d["annual_price_decline"],
        successor_cannibalization=d["successor_cannibalization"], retained_premium=d["retained_premium"],
        n_labs=chain.n_labs, cost_growth=g, generation_interval_months=12.0, model_life_months=chain.model_life_months)
    comp = competition.calibrated(forces, d["observed_revenue_multiple"], d["reported_gross_margin"],
                                  chain.n_labs_today, chain.open_model_lag_today_months)
    direct = competition.competition_model(comp)
    np.testing.assert_allclose(r.realized_multiple, direct.realized_multiple, rtol=1e-14)
    lab = margins.lab_margin(direct.realized_margin, d["unpaid_compute_share"])
    np.testing.assert_allclose(r.lab_margin, lab, rtol=1e-14)
    c0 = d["anchor_training_usd"] / g ** (chain.anchor_year - chain.first_year)
    pnl = cohort.cohort_model(cohort.CohortParams(
        first_training_cost=c0, first_year=chain.first_year, cost_growth=g, revenue_multiple=direct.realized_multiple,
        gross_margin=lab, generations=chain.last_year - chain.first_year + 1))
    np.testing.assert_allclose(r.pnl.profit, pnl.profit, rtol=1e-12)
    # The anchor: training spend in the anchor year is the drawn spend; the whole bill grows by G h a year.
    anchor = list(r.pnl.years).index(chain.anchor_year)
    np.testing.assert_allclose(r.pnl.training_spend[:, anchor], d["anchor_training_usd"], rtol=1e-12)
    np.testing.assert_allclose(r.pnl.training_spend[:, anchor + 1] / r.pnl.training_spend[:, anchor], g, rtol=1e-12)


def test_today_s_market_reproduces_what_is_observed_and_one_more_lab_lowers_it():
    inputs, d = some_draws(n=200, open_model_lag_months_low=12.0, open_model_lag_months_high=12.0)
    chain = inputs.chain
    assert (chain.n_labs, chain.open_model_lag_today_months) == (chain.n_labs_today, 12.0)
    r = synthesis.evaluate(chain, d)
    np.testing.assert_allclose(r.realized_multiple, d["observed_revenue_multiple"], rtol=1e-9)
    np.testing.assert_allclose(r.realized_margin, d["reported_gross_margin"], rtol=1e-9)
    crowded = synthesis.evaluate(replace(chain, n_labs=chain.n_labs_today + 1), d)
    assert np.all(crowded.realized_multiple < r.realized_multiple)
    assert np.all(crowded.realized_margin < r.realized_margin)


def test_the_report_year_outputs_are_the_pnl_in_that_year():
    inputs, d = some_draws(n=50)
    chain = inputs.chain
    out = synthesis.outputs(chain, d)
    pnl = synthesis.evaluate(replace(chain, wall_year=2030), {**d, "wall_year": 2030.0}).pnl
    at = list(chain.years).index(chain.report_year)
    np.testing.assert_allclose(out["report_revenue"], pnl.revenue[:, at])
    np.testing.assert_allclose(out["report_loss"], -pnl.profit[:, at])
    np.testing.assert_allclose(out["report_training"], pnl.training_spend[:, at])
    np.testing.assert_allclose(out["report_serving"], pnl.serving_cost[:, at])
    np.testing.assert_allclose(out["report_serving"], (1 - out["lab_margin"]) * out["report_revenue"], rtol=1e-12)


def test_the_calibrated_chapter_reproduces_the_reported_year():
    inputs = chapter_inputs()
    ranges, _ = inputs.all_ranges()
    d = uncertainty.sample(ranges, inputs.n_draws, np.random.default_rng(inputs.seed))
    out = uncertainty.evaluate(synthesis.model(inputs.chain), d)
    w = inputs.calibration.weights(out)
    assert calibration.effective_sample_size(w) >= synthesis.MIN_EFFECTIVE_DRAWS
    revenue = float(uncertainty.quantiles(out["report_revenue"], 0.5, weights=w))
    assert inputs.targets.revenue.lo <= revenue <= inputs.targets.revenue.hi
    fit = synthesis.report_fit(inputs.calibration, out, w)
    # Calibration moves every reported figure's median into its interval, or closer to it than before.
    for name, row in fit.iterrows():
        target = next(t for t in inputs.calibration.targets if t.name == name)
        assert target.distance(row.median_posterior) <= target.distance(row.median_prior)
        assert target.distance(row.median_posterior) == 0


def test_the_outputs_carry_the_cohort_chapters_two_conditions():
    inputs, d = some_draws(n=400)
    chain = inputs.chain
    out = synthesis.outputs(chain, d)
    gross = out["gross_profit_multiple"]
    np.testing.assert_allclose(gross, out["realized_multiple"] * out["lab_margin"], rtol=1e-12)
    g = (d["cost_growth_per_year"] * d["training_overhead_growth"]) ** chain.generation_interval_years
    np.testing.assert_array_equal(out["profitable_while_scaling"], out["lab_margin"] * out["realized_multiple"] > g)
    np.testing.assert_array_equal(out["cohort_profitable"], gross > 1)
    # Where costs grow (g > 1), a model that covers the next, larger one also pays for itself.
    assert not np.any(out["profitable_while_scaling"] & ~out["cohort_profitable"] & (g > 1))
    # Unpaid compute only lowers the margin the lab keeps.
    assert np.all(out["lab_margin"] <= out["realized_margin"])


def test_the_endings_compared_on_the_same_draws():
    inputs = chapter_inputs()
    ranges, _ = inputs.all_ranges()
    d = uncertainty.sample([*ranges, inputs.capacity], 300, np.random.default_rng(4))
    capacity = d[synthesis.CAPACITY]
    out = uncertainty.evaluate(synthesis.model(inputs.chain), d)
    table = synthesis.compare_endings(inputs.chain, d, capacity)
    assert list(table.index) == list(synthesis.ENDINGS)
    # Handing over the chain's own run changes nothing.
    pd.testing.assert_frame_equal(synthesis.compare_endings(inputs.chain, d, capacity, evaluated=out), table)
    own = table.loc[inputs.chain.ending]
    assert own.median_funding_need_usd == np.median(out["funding_need"])
    assert own.p_need_exceeds_capacity == np.mean(out["funding_need"] > capacity)
    assert own.p_profitable_by_last_year == np.mean(out["profitable_from"] <= inputs.chain.last_year)
    assert (table.median_funding_need_usd <= table.funding_need_p90_usd).all()
    # A lab that stops training after the wall has no bill left to pay: it turns a profit in every draw whose
    # models earn more than they cost to serve.
    overhang = uncertainty.evaluate(synthesis.model(replace(inputs.chain, ending="overhang")), d)
    assert table.loc["overhang", "p_profitable_by_last_year"] == np.mean(overhang["lab_margin"] > 0)
    assert (table.effective_draws == 300).all()
    weighed = synthesis.compare_endings(inputs.chain, d, capacity, evaluated=out, calibrated=inputs.calibration)
    w = inputs.calibration.weights(out)
    own = weighed.loc[inputs.chain.ending]
    assert own.p_need_exceeds_capacity == pytest.approx(np.sum(w * (out["funding_need"] > capacity)) / w.sum())
    assert own.effective_draws == pytest.approx(calibration.effective_sample_size(w))


def test_the_grid_axes_pass_through_the_chains_medians():
    ranges, _ = chapter_inputs().all_ranges()
    values = {"open_model_lag_months": [3.0, 24.0], "observed_revenue_multiple": [2.0, 20.0]}
    axes, medians = synthesis.grid_axes(ranges, values)
    by_name = {r.name: r for r in ranges}
    for name, axis in axes.items():
        assert medians[name] == round(by_name[name].median, 2) and medians[name] in axis
        assert axis == sorted(set(axis)) and set(values[name]) <= set(axis)
    assert synthesis.grid_axes(ranges, {"open_model_lag_months": [medians["open_model_lag_months"]]})[0] == {
        "open_model_lag_months": [medians["open_model_lag_months"]]}


def test_median_settings_are_the_chapter_parameters_of_each_grid_point():
    """Re-validating the chapter with the settings of a median draws that input as the grid point does."""
    ranges, _ = chapter_inputs().all_ranges()
    axes = {"open_model_lag_months": [3.0, 24.0], "cost_growth_per_year": [1.5, 4.0]}
    settings = synthesis.median_settings(ranges, axes)
    assert {n: sorted(s) for n, s in settings.items()} == axes
    for name, by_median in settings.items():
        for median, values in by_median.items():
            assert set(values) == {f"{name}_low", f"{name}_high"}
            moved = {r.name: r for r in chapter_inputs(**values).all_ranges()[0]}[name]
            assert moved.median == pytest.approx(median, rel=1e-12)
            assert (moved.low, moved.high) == (values[f"{name}_low"], values[f"{name}_high"])
    with pytest.raises(ValueError, match="no input named"):
        synthesis.median_settings(ranges, {"nothing": [1.0]})


@given(growth=st.floats(1.001, 1e3))
def test_years_per_tenfold_multiply_by_ten(growth):
    years = float(synthesis.years_per_tenfold(growth))
    assert growth ** years == pytest.approx(10.0, rel=1e-9)
    assert synthesis.years_per_tenfold(growth ** 2) == pytest.approx(years / 2)


def test_side_of_a_reported_interval_agrees_with_within():
    interval = finances.Interval(2.0, 4.0)
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_array_equal(synthesis.side_of(values, interval), [-1, 0, 0, 0, 1])
    np.testing.assert_array_equal(synthesis.side_of(values, interval) == 0, synthesis.within(values, interval))


def test_endings_follow_the_wall_year():
    inputs, d = some_draws(n=200)
    chain = inputs.chain
    for year in (2026, 2029):
        plateau = synthesis.evaluate(replace(chain, ending="plateau", wall_year=year), d).pnl
        after = plateau.training_spend[:, plateau.years >= year]
        np.testing.assert_allclose(after, np.repeat(after[:, :1], after.shape[1], axis=1), rtol=1e-12)
        overhang = synthesis.evaluate(replace(chain, ending="overhang", wall_year=year), d).pnl
        assert np.all(overhang.training_spend[:, overhang.years > year] == 0)
        assert np.all(overhang.training_spend[:, overhang.years == year] > 0)


def test_an_uncertain_wall_year_runs_each_year_as_its_own_chain():
    inputs, d = some_draws(n=300)
    chain = inputs.chain
    out = synthesis.outputs(chain, d)
    assert set(np.unique(d["wall_year"])) == {2026.0, 2027.0, 2028.0, 2029.0, 2030.0}
    for year in (2026, 2030):
        rows = d["wall_year"] == year
        alone = synthesis.evaluate(replace(chain, wall_year=year), {k: v[rows] for k, v in d.items()}).pnl
        np.testing.assert_allclose(out["profit"][rows], alone.profit, rtol=1e-12)


@pytest.mark.parametrize("ending", ["plateau", "overhang"])
def test_each_draw_gets_its_own_wall_year_with_internal_deployment(ending):
    inputs, d = some_draws(n=400, ending=ending, internal_deployment=True)
    chain = inputs.chain
    out = synthesis.outputs(chain, d)
    for year in np.unique(d["wall_year"]):
        rows = d["wall_year"] == year
        alone = synthesis.evaluate(replace(chain, wall_year=int(year)), {k: v[rows] for k, v in d.items()}).pnl
        np.testing.assert_array_equal(out["profit"][rows], alone.profit)
        np.testing.assert_array_equal(out["revenue"][rows], alone.revenue)


@pytest.mark.parametrize(("wall", "message"), [
    (2026.5, r"'wall_year': got 2026.5; allowed: a whole number"),
    (2033.0, r"'wall_year': got 2033; allowed: a whole number >= 2024 and <= 2032"),
    (2023.0, r"'wall_year': got 2023; allowed: a whole number >= 2024"),
    (np.nan, r"'wall_year': got nan; allowed: a whole number"),
])
def test_bad_wall_year_draws_are_named(wall, message):
    inputs, d = some_draws(n=5)
    for walls in (np.array([2026.0, wall, 2027.0]), wall):
        draws = {k: v[:3] if np.ndim(walls) else v[0] for k, v in d.items()}
        with pytest.raises(ParameterError, match=message):
            synthesis.outputs(inputs.chain, {**draws, "wall_year": walls})
    every_other = replace(inputs.chain, generation_interval_years=2, anchor_year=2025, wall_year=2027)
    with pytest.raises(ParameterError, match=r"'wall_year': got 2026; allowed: a training year"):
        synthesis.outputs(every_other, {**{k: v[:2] for k, v in d.items()}, "wall_year": np.array([2027.0, 2026.0])})


def test_an_edge_value_swept_alone_gives_one_pnl_per_value():
    inputs, d = some_draws(n=1, internal_deployment=True)
    one = {k: v[0] for k, v in d.items() if k != "wall_year"}
    values = np.array([1e9, 5e9, 2e10])
    swept = synthesis.evaluate(inputs.chain, {**one, "edge_value_usd": values})
    assert swept.pnl.profit.shape == (3, len(inputs.chain.years))
    for i, value in enumerate(values):
        alone = synthesis.evaluate(inputs.chain, {**one, "edge_value_usd": value})
        np.testing.assert_array_equal(swept.pnl.profit[i], alone.pnl.profit)
        np.testing.assert_array_equal(swept.pnl.cohort_pnl[i], alone.pnl.cohort_pnl)


def test_vectorised_chain_equals_one_draw_at_a_time():
    inputs, d = some_draws(n=25, internal_deployment=True)
    model = synthesis.model(inputs.chain)
    whole, each = uncertainty.evaluate(model, d, chunk=8), uncertainty.evaluate_each(model, d)
    for k in whole:
        np.testing.assert_allclose(whole[k], each[k], rtol=1e-12, equal_nan=True)


def test_same_seed_same_chain_outputs_byte_for_byte():
    inputs, _ = some_draws()
    ranges, _ = inputs.all_ranges()
    n = uncertainty.EVAL_CHUNK + 5_000  # two chunks of the model
    runs = [uncertainty.evaluate(synthesis.model(inputs.chain),
                                 uncertainty.sample(ranges, n, np.random.default_rng(2026)), workers=w)
            for w in (1, 2)]
    for k in runs[0]:
        assert runs[0][k].tobytes() == runs[1][k].tobytes()


def test_internal_deployment_adds_a_fixed_dollar_edge_per_generation():
    inputs, d = some_draws(ending="continue", internal_deployment=True)
    chain = inputs.chain
    without = synthesis.evaluate(replace(chain, deployment=None), d)
    with_edge = synthesis.evaluate(chain, d)
    p = replace(chain.deployment, edge_value_usd=d["edge_value_usd"], exclusivity_months=d["open_model_lag_months"],
                horizon_years=chain.model_life_months / 12)
    extra = internal.extra_annual_revenue(p).sum(axis=-1)
    np.testing.assert_allclose(with_edge.edge_per_generation, extra, rtol=1e-12)
    # One revenue year: each generation's edge arrives the year after it is trained, whatever it cost.
    gained = with_edge.pnl.profit - without.pnl.profit
    np.testing.assert_allclose(gained[:, 0], 0, atol=1e-6)
    # Equal up to the rounding of the P&L's own terms: at the fast end of the fitted cost trend a generation
    # costs over 1e18 USD, and a difference of two profits of that size is exact only to about 1e3 USD.
    expected = (with_edge.realized_margin * extra)[:, None] * np.ones((1, 9))
    terms = np.abs(without.pnl.revenue) + np.abs(without.pnl.serving_cost) + np.abs(without.pnl.training_spend)
    assert np.all(np.abs(gained[:, 1:] - expected) <= 1e-9 * np.abs(expected) + 8 * np.finfo(float).eps * terms[:, 1:])
    # A lab that would rather sell (running the business loses all of the edge) gains nothing.
    sells = synthesis.evaluate(replace(chain, deployment=replace(chain.deployment, internal_cost_share=1.0)), d)
    np.testing.assert_allclose(sells.pnl.profit, without.pnl.profit)


def test_funding_need_and_the_year_profit_turns_for_good():
    years = np.arange(2023, 2029)
    profit = np.array([[-1.0, -2.0, 1.0, -3.0, 5.0, 0.0],
                       [-1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                       [-1.0, -1.0, -1.0, -1.0, -1.0, 2.0]])
    ys, need = synthesis.funding_need(profit, years, 2024)
    np.testing.assert_array_equal(ys, np.arange(2024, 2029))
    np.testing.assert_allclose(need, [[2, 2, 4, 4, 4], [0, 0, 0, 0, 0], [1, 2, 3, 4, 4]])
    np.testing.assert_allclose(synthesis.profitable_from(profit, years), [2027, 2024, 2028])
    assert np.isnan(synthesis.profitable_from([-1.0, 3.0, -0.5], [2023, 2024, 2025]))
    with pytest.raises(ValueError, match="from_year 2030 is outside the years 2023-2028"):
        synthesis.funding_need(profit, years, 2030)


def test_the_grid_shares_its_draws_across_points():
    inputs = chapter_inputs(n_draws=1000)
    ranges, _ = inputs.all_ranges()
    medians = {r.name: r.median for r in ranges}
    axes = {"open_model_lag_months": [3.0, medians["open_model_lag_months"], 24.0],
            "observed_revenue_multiple": [medians["observed_revenue_multiple"], 20.0]}
    grid = synthesis.probability_grid(inputs.chain, ranges, axes, 500, 9, calibrated=inputs.calibration)
    assert len(grid) == 6 * (len(inputs.chain.years) - 1)
    # At the chapter's own medians the grid equals a direct run with the same seed, weighted and not.
    same = uncertainty.sample(ranges, 500, np.random.default_rng(9))
    direct = uncertainty.evaluate(synthesis.model(inputs.chain), same)
    w = inputs.calibration.weights(direct)
    here = grid[np.isclose(grid.open_model_lag_months, axes["open_model_lag_months"][1])
                & np.isclose(grid.observed_revenue_multiple, axes["observed_revenue_multiple"][0])]
    np.testing.assert_allclose(here.probability,
                               uncertainty.probability_by(direct["profitable_from"], here.year, weights=w))
    np.testing.assert_allclose(here.prior_probability, uncertainty.probability_by(direct["profitable_from"], here.year))
    np.testing.assert_allclose(here.effective_draws, calibration.effective_sample_size(w))
    for _, cell in grid.groupby(list(axes)):
        assert np.all(np.diff(cell.probability) >= 0) and np.all(np.diff(cell.prior_probability) >= 0)
    # Before calibration, a longer lead over open models never makes profit less likely.
    by = grid.groupby(list(axes)).prior_probability.last()
    assert by.loc[(24.0, 20.0)] >= by.loc[(3.0, 20.0)]
    prior_only = synthesis.probability_grid(inputs.chain, ranges, axes, 500, 9)
    np.testing.assert_array_equal(prior_only.probability, prior_only.prior_probability)
    with pytest.raises(ValueError, match="no input named"):
        synthesis.probability_grid(inputs.chain, ranges, {"lag": [1.0]}, 100, 1)


def test_the_cost_growth_is_the_compute_chapters_fit():
    growth, _ = synthesis.trend_cost_growth(0.9)
    direct = trends.fit_models(compute.model_estimates(), trends.TrendParams()).cost_frontier
    assert (growth.low, growth.high) == pytest.approx(direct.growth_interval)
    assert growth.median == pytest.approx(direct.growth_per_year)
    ranges, used = chapter_inputs().all_ranges()
    assert used is not None and ranges[0] == growth


def test_the_chapter_defaults_are_the_sourced_figures():
    funding = data.load("synthesis_funding").set_index("claim")
    assert (DEFAULTS["funding_capacity_usd_low"], DEFAULTS["funding_capacity_usd_high"]) == (
        funding.loc["one_more_round", "low_usd"], funding.loc["one_more_round", "high_usd"])
    reported = finances.Reported(data.load("lab_finances"), finances.READING_TOLERANCE)
    spend = reported.interval("OpenAI", "2024", "training including data")
    assert (DEFAULTS["anchor_training_usd_low"], DEFAULTS["anchor_training_usd_high"]) == pytest.approx(
        spend.as_tuple())
    lags = data.load("open_model_lag")
    essay = lags[lags.who == "essay on lab profits"].iloc[0]
    assert (DEFAULTS["open_model_lag_months_low"], DEFAULTS["open_model_lag_months_high"]) == (
        essay.low_months, essay.high_months)
    assert (DEFAULTS["cost_growth_per_year_low"], DEFAULTS["cost_growth_per_year_high"]) == (0.0, 0.0)
    epoch = lags[(lags.source == "cottier2024openmodels") & lags.value_months.notna()].iloc[0]
    assert DEFAULTS["open_model_lag_today_months"] == epoch.value_months
    reported = first_party_margin()
    assert DEFAULTS["reported_gross_margin_low"] < reported < DEFAULTS["reported_gross_margin_high"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenarios_resolve_against_the_chapter(name):
    values = cli_params.resolve(chapters.chapter("synthesis"), scenario=ROOT / "scenarios" / f"synthesis-{name}.yml")
    inputs = synthesis_inputs.validate(**values)
    expected = {"scaling-wall": "plateau", "models-stop-improving": "overhang", "podcast": "continue"}
    assert inputs.chain.ending == expected.get(name, DEFAULTS["ending"])
    assert (inputs.chain.deployment is not None) == (name == "internal-trading-desk")


# Bad input: the chapter's validator names the parameter before any kernel starts.

@pytest.mark.parametrize(("changes", "message"), [
    ({"open_model_lag_months_low": 12.0, "open_model_lag_months_high": 6.0},
     r"'open_model_lag_months_low': got 12.0; allowed: a number <= open_model_lag_months_high \(6\)"),
    ({"n_draws": 0}, r"'n_draws': got 0; allowed: a whole number >= 1 and <= 10000000"),
    ({"seed": -1}, r"'seed': got -1; allowed: a whole number >= 0"),
    ({"grid_draws": 10}, r"'grid_draws': got 10; allowed: a whole number >= 100 and <= 100000"),
    ({"interval_level": 1.5}, r"'interval_level': got 1.5; allowed: a number > 0 and < 1"),
    ({"cost_growth_per_year_low": 2.0}, r"'cost_growth_per_year_high': got 0.0; allowed: a number > 0, or 0 for both"),
    ({"cost_growth_per_year_low": 3.0, "cost_growth_per_year_high": 2.0},
     r"'cost_growth_per_year_low': got 3.0; allowed: a number <= cost_growth_per_year_high \(2\)"),
    ({"reported_gross_margin_high": 1.2}, r"'reported_gross_margin_high': got 1.2; allowed: a number < 1"),
    ({"unpaid_compute_share_low": 0.0}, r"'unpaid_compute_share_low': got 0.0; allowed: a number that keeps"),
    ({"calibration_tolerance": 0}, r"'calibration_tolerance': got 0; allowed: a number > 0 and <= 10"),
    ({"first_year": 2024, "anchor_year": 2024}, r"'first_year': got 2024; allowed: a year before 2024"),
    ({"n_labs_today": 0.5}, r"'n_labs_today': got 0.5; allowed: a number >= 1"),
    ({"break_even_year": 2040}, r"'break_even_year': got 2040; allowed: a whole number >= 2024 and <= 2032"),
    ({"open_model_lag_today_months": 0}, r"'open_model_lag_today_months': got 0; allowed: a number > 0"),
    ({"annual_price_decline_low": 0.9}, r"'annual_price_decline_low': got 0.9; allowed: a number > 1"),
    ({"successor_cannibalization_low": 0.0}, r"'successor_cannibalization_low': got 0.0; allowed: a number that keeps"),
    ({"funding_capacity_usd_low": 600e9}, r"'funding_capacity_usd_low': got 600000000000.0; allowed: a number <= "
                                          r"funding_capacity_usd_high"),
    ({"wall_year_low": 2031, "wall_year_high": 2030},
     r"'wall_year_low': got 2031; allowed: a number <= wall_year_high"),
    ({"wall_year_high": 2040}, r"'wall_year_high': got 2040; allowed: a whole number >= 2024 and <= 2032"),
    ({"wall_year_low": 2023}, r"'wall_year_low': got 2023; allowed: a whole number >= 2024"),
    ({"generation_interval_years": 2},
     r"'anchor_year': got 2024; allowed: a training year: first_year \(2023\) plus a whole number of generation"),
    ({"generation_interval_years": 2, "anchor_year": 2025, "wall_year_low": 2026},
     r"'wall_year_low': got 2026; allowed: a training year"),
    ({"last_year": 2023}, r"'last_year': got 2023; allowed: a year from 2024 on"),
    ({"funding_from_year": 2040}, r"'funding_from_year': got 2040; allowed: a whole number >= 2023 and <= 2032"),
    ({"ending": "boom"}, r"'ending': got 'boom'; allowed: one of: continue, plateau, overhang"),
    ({"model_life_months": 0}, r"'model_life_months': got 0; allowed: a whole number >= 1 and <= 240"),
    ({"n_labs": 0.5}, r"'n_labs': got 0.5; allowed: a number >= 1"),
    ({"internal_deployment": "yes"}, r"'internal_deployment': got 'yes'; allowed: true or false"),
    ({"value_capture_share": 2.0}, r"'value_capture_share': got 2.0; allowed: a number >= 0 and <= 1"),
    ({"edge_value_usd_low": 0.0}, r"'edge_value_usd_low': got 0.0; allowed: a number > 0"),
])
def test_bad_chapter_input_is_named(changes, message):
    with pytest.raises(ParameterError, match=message):
        chapter_inputs(**changes)


def test_the_command_line_rejects_bad_input_before_running():
    chapter = chapters.chapter("synthesis")
    for name, value in [("n_draws", "0"), ("seed", "-3"), ("open_model_lag_months_low", "30")]:
        with pytest.raises(ParameterError, match=f"'{name}'"):
            cli_params.resolve(chapter, overrides=[(name, value)])


# What you would have to believe: the break-even frontier.

def calibrated_point(n=20_000):
    inputs = chapter_inputs()
    ranges, _ = inputs.all_ranges()
    d = uncertainty.sample(ranges, n, np.random.default_rng(3))
    w = inputs.calibration.weights(uncertainty.evaluate(synthesis.model(inputs.chain), d))
    point = {r.name: float(uncertainty.quantiles(d[r.name], 0.5, weights=w)) for r in ranges}
    return inputs, [r for r in ranges if r.name in inputs.chain.inputs], point


def test_the_break_even_values_zero_the_cumulative_cash():
    inputs, used, point = calibrated_point()
    chain, year = inputs.chain, 2032
    frontier = synthesis.break_even(chain, point, used, year)
    assert set(frontier.index) == {r.name for r in used if not r.fixed}
    # A scale: the anchor's spend multiplies every cost and revenue, so it never changes the sign of the cash.
    assert np.isnan(frontier.break_even["anchor_training_usd"])
    found = frontier.dropna(subset=["break_even"])
    assert len(found) >= 2
    for name, row in found.iterrows():
        if name == "wall_year":
            continue
        # Just past the break-even value on its profitable side the lab has paid its way; just short of it, not.
        step = 1e-6 * abs(row.break_even) * (1 if row.profitable_side == "above" else -1)
        cash = synthesis.cumulative_cash(chain, {**{k: np.array([v, v]) for k, v in point.items()},
                                                 name: np.array([row.break_even + step, row.break_even - step])}, year)
        assert cash[0] >= 0 > cash[1], name
    probability = synthesis.favourable_probability(frontier, used)
    assert probability.dropna().between(0, 1).all() and probability.isna().equals(frontier.break_even.isna())


def test_the_break_even_region_agrees_with_the_frontier():
    inputs, used, point = calibrated_point()
    by_name = {r.name: r for r in used}
    frontier = synthesis.break_even(inputs.chain, point, used, 2032)
    pair = ["reported_gross_margin", "unpaid_compute_share"]
    axes = {k: synthesis.region_axis(inputs.chain, by_name[k], point[k], frontier.break_even[k], n=9) for k in pair}
    region = synthesis.break_even_region(inputs.chain, point, axes, 2032)
    assert len(region) == 81
    assert (region.reported_gross_margin_lo < region.reported_gross_margin).all()
    assert (region.reported_gross_margin < region.reported_gross_margin_hi).all()
    # Along the margin axis, at the calibrated unpaid share's nearest grid value, cash changes sign where the
    # frontier says it does.
    share = region.unpaid_compute_share.unique()[np.argmin(np.abs(region.unpaid_compute_share.unique()
                                                                  - point["unpaid_compute_share"]))]
    line = region[region.unpaid_compute_share == share]
    assert line.cash_usd.is_monotonic_increasing
    with pytest.raises(ValueError, match="two axes"):
        synthesis.break_even_region(inputs.chain, point, {pair[0]: axes[pair[0]]}, 2032)


def test_the_chapter_headline_is_the_calibrated_one(monkeypatch):
    from chapter_prose import run_chapter

    run = run_chapter("synthesis", monkeypatch, grid_draws=200)
    results = run.results
    assert results["calibration_ess"] >= synthesis.MIN_EFFECTIVE_DRAWS
    assert 3.5e9 <= results["posterior_median_revenue_2024_usd"] <= 4.5e9
    assert set(results["p_profitable_by"]) == set(results["p_profitable_by_prior"])
    assert set(results["break_even"]) == set(chapter_inputs().chain.inputs)
    assert str(run.texts["calibration_warning"].data) == ""
    assert "(illustrative)" in run.texts["top_drivers"]
    few = run_chapter("synthesis", monkeypatch, n_draws=2000, grid_draws=200)
    assert "effective draws, fewer than 1,000" in str(few.texts["calibration_warning"].data)
