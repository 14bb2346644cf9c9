"""Tests of labecon_core.compute: training FLOP, accelerator-hours, rental and ownership cost, power."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labecon_book.chapters import chapter
from labecon_book.params import read_scenario
from labecon_core import compute, data
from labecon_core.compute import TrainingParams, training_costs
from labecon_core.errors import DataError, ParameterError
from labecon_core.inputs import compute_costs
from labecon_core.paths import ROOT
from labecon_core.power import HOURS_PER_YEAR


def claims():
    return data.load("compute_claims").set_index("claim")


# --- data ---------------------------------------------------------------------------------------

def test_peak_is_dense_not_the_sparse_headline():
    hw = compute.hardware_table()
    assert hw.loc["A100 SXM", "peak_bf16_flops"] == 312e12
    assert hw.loc["H100 SXM", "peak_bf16_flops"] == 989e12
    assert hw.loc["H200 SXM", "peak_bf16_flops"] == hw.loc["H100 SXM", "peak_bf16_flops"]
    assert hw.loc["B200", "peak_bf16_flops"] == 2.25e15


def test_every_usable_gpu_has_the_specs_the_models_need():
    hw = compute.hardware_table()
    names = compute.known_gpus()
    assert {"A100 SXM", "H100 SXM", "H200 SXM", "B200"} <= set(names)
    assert hw.loc[names, list(compute.REQUIRED_SPECS)].notna().all().all()
    # Ranges: the filled-in value lies between low and high.
    for spec in compute.SPEC_UNITS:
        ok = hw[f"{spec}_low"].isna() | ((hw[f"{spec}_low"] <= hw[spec]) & (hw[spec] <= hw[f"{spec}_high"]))
        assert ok.all(), spec


def test_every_training_accelerator_in_models_is_in_hardware():
    models = data.load("models")
    assert set(models.hardware.dropna()) <= set(compute.hardware_table().index)


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.assign(unit=np.where(t.spec == "board_power_w", "kW", t.unit)), "board_power_w is in 'kW'"),
    (lambda t: pd.concat([t, t.iloc[[0]]]), "appears twice"),
    (lambda t: t.assign(low=np.where(t.spec == "purchase_price_usd", 1e9, t.low)), "has low > high"),
])
def test_bad_hardware_rows_are_named(monkeypatch, change, message):
    table = data.load("hardware")
    monkeypatch.setattr(compute.data, "load", lambda name: change(table))
    with pytest.raises(DataError, match=message):
        compute.hardware_table()


def test_every_accelerator_has_a_generation(monkeypatch):
    assert set(compute.generations().index) >= set(compute.hardware_table().index)
    table = data.load("accelerator_generations")
    load = data.load
    monkeypatch.setattr(compute.data, "load", lambda name: table[table.accelerator != "B200"]
                        if name == "accelerator_generations" else load(name))
    with pytest.raises(DataError, match=r"accelerator_generations.csv: no generation for B200"):
        compute.generations()


def test_claims_and_spec_ranges_read_the_tables():
    c = claims()
    assert compute.claim("table_gpt4_flop") == c.loc["table_gpt4_flop", "value"]
    assert list(compute.claim_range("gpt4_days")) == [90.0, 100.0]
    assert np.isnan(compute.claim("table_gpt5_flop", "high"))  # a floor has no high end
    hw = compute.hardware_table()
    for gpu in compute.known_gpus():
        ends = compute.spec_range(gpu, "memory_gb")
        assert ends[0] <= hw.loc[gpu, "memory_gb"] <= ends[1]
    assert compute.spec_range("A100 SXM", "peak_bf16_flops").tolist() == [312e12, 312e12]  # a point: both ends


@pytest.mark.parametrize(("call", "message"), [
    (lambda: compute.claim("gpt6_flop"), r"'claim': got 'gpt6_flop'"),
    (lambda: compute.claim("gpt4_days", "middle"), r"'field': got 'middle'.*value, low, high"),
    (lambda: compute.spec_range("A100 SXM", "price"), r"'spec': got 'price'.*peak_bf16_flops"),
    (lambda: compute.spec_range("Z100", "memory_gb"), r"'gpu': got 'Z100'.*A100 SXM"),
    (lambda: compute.generation_mfu("Z100"), r"'gpu': got 'Z100'.*A100 SXM"),
    (lambda: compute.generation_mfu("H100 SXM", "FP4"), r"'precision': got 'FP4'.*BF16, FP16, FP8"),
])
def test_unknown_claims_and_specs_are_named(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


# --- the arithmetic --------------------------------------------------------------------------------

def test_six_nd_reproduces_gpt3():
    gpt3 = data.load("models").set_index("model").loc["GPT-3 175B"]
    assert compute.training_flop(175e9, 300e9) == pytest.approx(3.15e23)
    assert compute.training_flop(gpt3.active_params, gpt3.training_tokens) == pytest.approx(gpt3.training_flop,
                                                                                          rel=0.01)
    assert compute.training_flop(175e9, 300e9) == pytest.approx(claims().loc["table_gpt3_flop", "value"], rel=0.02)


def test_default_run_is_gpt4_as_reported():
    c = claims()
    r = training_costs(TrainingParams())
    assert r.training_flop == data.load("models").set_index("model").loc["GPT-4", "training_flop"]
    assert c.loc["gpt4_days", "low"] <= r.wall_clock_days <= c.loc["gpt4_days", "high"]
    assert r.cloud_cost == pytest.approx(r.gpu_hours * 1.30)
    # The reported $100-200M needs more than the $1.30 rate OpenAI paid.
    assert r.cloud_cost < c.loc["table_gpt4_cost", "low"]
    mfu = compute.implied_mfu(c.loc["table_gpt4_flop", "value"], c.loc["gpt4_gpus", "value"], 312e12,
                              np.array([100.0, 90.0]))
    assert 0.31 < mfu[0] < 0.32 and 0.34 < mfu[1] < 0.35


def test_lambda_gpt3_cost_is_gpt3_at_on_demand_prices():
    # Lambda's throughput is GPT-3's in data/models, its price the V100's on-demand price in data/hardware.
    c = claims()
    gpt3 = compute.model_estimates("on_demand").set_index("model").loc["GPT-3 175B"]
    assert gpt3.gpu_hours_source == "model MFU"
    assert gpt3.gpu_hours == pytest.approx(gpt3.training_flop / data.load("models").set_index("model").loc[
        "GPT-3 175B", "achieved_flops"] / 3600)
    assert gpt3.gpu_hours / HOURS_PER_YEAR == pytest.approx(c.loc["lambda_gpt3_gpu_years", "value"], rel=0.01)
    assert gpt3.cloud_cost == pytest.approx(c.loc["lambda_gpt3_cost", "value"], rel=0.02)


def test_deepseek_v3_reported_cost_is_its_gpu_hours_at_its_price():
    est = compute.model_estimates().set_index("model")
    row = est.loc["DeepSeek-V3"]
    assert row.gpu_hours_source == "reported"
    assert row.cloud_cost == pytest.approx(row.reported_cost_usd)


@given(st.floats(1e20, 1e28), st.floats(0.05, 1.0), st.floats(1, 1e6).map(round), st.floats(0.1, 20))
@settings(max_examples=50, deadline=None)
def test_accounting_identities(flop, mfu, n, price):
    p = TrainingParams(training_flop=flop, mfu=mfu, n_gpus=max(n, 1), price_per_gpu_hour=price)
    r = training_costs(p)
    assert r.gpu_hours == pytest.approx(flop / (312e12 * mfu * 3600))
    assert r.wall_clock_days * 24 * p.n_gpus == pytest.approx(r.gpu_hours)
    assert r.cloud_cost == pytest.approx(r.gpu_hours * price)
    assert r.owned_cost == pytest.approx(r.owned_capital_cost + r.energy_cost)
    assert r.owned_cost == pytest.approx(r.gpu_hours * r.owned_cost_per_gpu_hour)
    assert r.energy_mwh == pytest.approx(r.gpu_hours * r.kw_per_gpu / 1e3)
    assert r.cluster_power_mw == pytest.approx(p.n_gpus * r.kw_per_gpu / 1e3)
    assert r.cloud_cost_per_gw_year == pytest.approx(price * HOURS_PER_YEAR * 1e6 / r.kw_per_gpu)


@given(st.floats(1e9, 1e13), st.floats(1e10, 1e14), st.floats(-0.5, 2.0))
def test_six_nd_deviation_is_the_relative_gap(n, d, gap):
    flop = compute.training_flop(n, d) / (1 + gap)
    assert compute.six_nd_deviation(n, d, flop) == pytest.approx(abs(gap), abs=1e-12)
    assert compute.six_nd_deviation(n, d, compute.training_flop(n, d)) == 0
    assert np.isnan(compute.six_nd_deviation(np.nan, d, flop))  # a model without its size


@given(st.floats(1e20, 1e27), st.floats(1e12, 1e15), st.floats(0.05, 1.0))
def test_a_sustained_throughput_is_an_mfu(flop, peak, share):
    mfu = compute.achieved_mfu(share * peak, peak)
    assert mfu == pytest.approx(share)
    assert compute.gpu_hours(flop, peak, mfu) == pytest.approx(flop / (share * peak) / 3600)


@given(st.floats(1, 1e6), st.floats(1, 400), st.floats(1e11, 1e15), st.floats(0.05, 1.0), st.floats(0.1, 20))
def test_cluster_hours_years_and_rental_cost_agree(n, days, peak, mfu, price):
    hours = compute.cluster_gpu_hours(n, days)
    # The FLOP a cluster delivers take exactly its hours at the same MFU.
    assert compute.gpu_hours(compute.flop_from_cluster(n, peak, mfu, days), peak, mfu) == pytest.approx(hours)
    assert compute.gpu_years(compute.cluster_gpu_hours(n, 365.25)) == pytest.approx(n)
    cost = compute.rental_cost(hours, price)
    assert compute.implied_price_per_gpu_hour(cost, hours) == pytest.approx(price)
    assert compute.rental_cost(hours, np.array([price, 2 * price])) == pytest.approx([cost, 2 * cost])


@given(st.floats(1e-3, 1e6), st.floats(1e-3, 1e6), st.floats(1e-3, 1e6))
def test_midpoint_ratio_compares_ranges_by_their_middles(a, b, c):
    assert compute.multiple_of(a, b) == pytest.approx(a / b)
    assert compute.midpoint_ratio([a, (a, 3 * a)], [b, b]) == pytest.approx([a / b, 2 * a / b])
    assert compute.midpoint_ratio([(a, c)], [(b, c)])[0] == pytest.approx((a + c) / (b + c))
    # The ratio scales with the figure and against the reference.
    one = compute.midpoint_ratio([a], [b])[0]
    assert compute.midpoint_ratio([2 * a], [b])[0] == pytest.approx(2 * one)
    assert compute.midpoint_ratio([a], [2 * b])[0] == pytest.approx(one / 2)


def test_nothing_to_compare_to_is_nan():
    ratios = compute.midpoint_ratio([1.0, 1.0, 1.0, (10, 20)], [np.nan, 0.0, -1.0, (1, 3)])
    assert np.isnan(ratios[:3]).all() and ratios[3] == pytest.approx(7.5)
    assert np.isnan(compute.multiple_of(1.0, np.inf))


def test_system_power_factor_is_what_the_system_draws_per_board():
    hw = compute.hardware_table().dropna(subset=["system_power_w_per_gpu"])
    assert {"A100 SXM", "H100 SXM"} <= set(hw.index)
    factor = compute.system_power_factor(hw.system_power_w_per_gpu, hw.board_power_w)
    assert (factor > 1).all()
    # A server factor of that size draws the system's power per accelerator (PUE 1).
    kw = compute.facility_kw_per_gpu(hw.board_power_w, factor, 1.0)
    assert kw * 1e3 == pytest.approx(hw.system_power_w_per_gpu.to_numpy())


def test_derived_flop_when_training_flop_is_zero():
    p = TrainingParams(training_flop=0.0, active_params=70e9, training_tokens=2e12)
    assert training_costs(p).training_flop == pytest.approx(6 * 70e9 * 2e12)


@given(st.one_of(st.just(0.0), st.floats(1e-6, 0.5)), st.floats(0.5, 10))
def test_capital_recovery_factor_repays_the_capital(rate, years):
    crf = compute.capital_recovery_factor(rate, years)
    if rate == 0:
        assert crf == pytest.approx(1 / years)
    else:
        # Present value of the yearly charges over the life equals the capital.
        annuity = (1 - (1 + rate) ** -years) / rate
        assert crf * annuity == pytest.approx(1.0)
        assert crf >= 1 / years


@given(st.floats(1000, 50000), st.floats(0.01, 0.5), st.floats(0.2, 20))
def test_breakeven_utilization_equalizes_owning_and_renting(capital, energy, rent):
    u = compute.breakeven_utilization(capital, energy, rent)
    if rent <= energy:
        assert u == np.inf
    else:
        assert compute.owned_cost_per_gpu_hour(capital, energy, u) == pytest.approx(rent)


def test_costs_move_the_right_way():
    mfus = np.linspace(0.1, 0.9, 9)
    r = training_costs(TrainingParams(mfu=mfus))
    assert np.all(np.diff(r.gpu_hours) < 0) and np.all(np.diff(r.cloud_cost) < 0)
    years = training_costs(TrainingParams(depreciation_years=np.array([2.0, 4.0, 6.0])))
    assert np.all(np.diff(years.owned_cost) < 0)
    rates = training_costs(TrainingParams(cost_of_capital=np.array([0.0, 0.05, 0.2])))
    assert np.all(np.diff(rates.owned_cost) > 0)


def test_arrays_give_the_same_numbers_as_scalar_runs():
    prices = np.array([1.0, 1.3, 2.5])
    pues = np.array([[1.1], [1.5]])
    r = training_costs(TrainingParams(price_per_gpu_hour=prices, pue=pues))
    assert r.cloud_cost.shape == (2, 3) and r.gpu_hours.shape == (2, 3)
    one = training_costs(TrainingParams(price_per_gpu_hour=2.5, pue=1.5))
    for field in ("cloud_cost", "owned_cost", "cluster_power_mw", "owned_cost_per_gw_year"):
        assert getattr(r, field)[1, 2] == pytest.approx(getattr(one, field))


def test_scalar_inputs_give_scalar_results():
    for value in training_costs(TrainingParams()).__dict__.values():
        assert np.ndim(value) == 0 and not isinstance(value, np.ndarray)


def test_gpu_price_overrides_the_table():
    base = TrainingParams()
    assert base.unit_price == pytest.approx(15000)
    assert training_costs(replace(base, gpu_price=30000.0)).owned_capital_cost == pytest.approx(
        2 * training_costs(base).owned_capital_cost)


def test_model_estimates_cover_the_models():
    est = compute.model_estimates()
    assert len(est) == len(data.load("models"))
    assert set(est.flop_source) <= {"reported", "estimate", "lower bound", "6ND", "none"}
    assert (est.loc[est.model == "GPT-3 175B", "price_used"] == "none").all()  # no committed V100 price
    on_demand = compute.model_estimates(price_basis="on_demand").set_index("model")
    assert on_demand.loc["GPT-4", "cloud_cost"] > est.set_index("model").loc["GPT-4", "cloud_cost"]
    # A reported MFU range is used at its midpoint; reported hours win over any MFU.
    llama = est.set_index("model").loc["Llama 3.1 405B"]
    assert llama.gpu_hours == 30.84e6 and llama.gpu_hours_source == "reported"


def measured_runs(est: pd.DataFrame) -> pd.DataFrame:
    """The runs of ``est`` with an MFU of their own (reported hours, MFU or throughput)."""
    return est[est.gpu_hours_source.isin(["reported", "model MFU"])].assign(
        peak_spec=lambda e: e.precision.map(compute.PEAK_SPECS))


def test_a_run_without_its_own_mfu_takes_its_generation_s():
    est = compute.model_estimates()
    table = compute.generation_mfus()
    runs = measured_runs(est)
    # Each generation's MFU is the median over its runs in the same precision, every generation's pooled too.
    for row in table.itertuples():
        own = runs[(runs.peak_spec == row.peak_spec)
                   & ((runs.generation == row.generation) | (row.generation == compute.ALL_GENERATIONS))]
        assert sorted(own.model) == sorted(row.models) and row.runs == len(own)
        assert row.mfu == pytest.approx(own.mfu.median())
    # A run without an MFU takes its generation's, or the pooled one where its generation has no run.
    fallback = est[est.gpu_hours_source.isin(["generation MFU", "all-generations MFU"])]
    assert {"OPT-175B", "Nemotron-4 340B", "Gemma 2 27B", "Inflection-2"} <= set(fallback.model)
    for row in fallback.itertuples():
        spec = compute.PEAK_SPECS[row.precision]
        name = row.generation if row.gpu_hours_source == "generation MFU" else compute.ALL_GENERATIONS
        assert row.mfu == pytest.approx(table[(table.generation == name) & (table.peak_spec == spec)].mfu.item())
        assert row.mfu == pytest.approx(compute.generation_mfu(row.hardware, row.precision))
        assert row.gpu_hours == pytest.approx(row.training_flop / (row.peak_flops * row.mfu * 3600))
    # Not one MFU for every era: V100, A100 and H100 runs differ, and the H800 is an H100.
    eras = [compute.generation_mfu(g) for g in ("V100 SXM2", "A100 SXM", "H100 SXM")]
    assert len(set(eras)) == 3
    assert compute.generation_mfu("H800 SXM") == compute.generation_mfu("H100 SXM")


def test_a_generation_s_mfu_moves_with_its_runs_only(monkeypatch):
    models = data.load("models")
    before = {g: compute.generation_mfu(g) for g in ("A100 SXM", "H100 SXM", "V100 SXM2")}
    extra = models[models.model == "LLaMA 65B"].assign(model="Slow A100 run", gpu_hours=1e9)
    load = data.load
    monkeypatch.setattr(compute.data, "load", lambda name: pd.concat([models, extra], ignore_index=True)
                        if name == "models" else load(name))
    assert compute.generation_mfu("A100 SXM") < before["A100 SXM"]
    assert compute.generation_mfu("H100 SXM") == before["H100 SXM"]
    assert compute.generation_mfu("V100 SXM2") == before["V100 SXM2"]


def test_an_fp8_run_is_measured_against_the_fp8_peak():
    est = compute.model_estimates().set_index("model")
    hw = compute.hardware_table()
    fp8 = est[est.precision == "FP8"]
    assert {"DeepSeek-V3", "Inflection-2"} <= set(fp8.index)
    assert (fp8.peak_flops == fp8.hardware.map(hw.peak_fp8_flops)).all()
    assert (fp8.peak_flops > fp8.hardware.map(hw.peak_bf16_flops)).all()
    sixteen = est[est.precision.isin(["BF16", "FP16"])]
    assert (sixteen.peak_flops == sixteen.hardware.map(hw.peak_bf16_flops)).all()
    ds = est.loc["DeepSeek-V3"]
    fp8_peak = hw.loc["H800 SXM", "peak_fp8_flops"]
    assert ds.implied_mfu == pytest.approx(ds.training_flop / (ds.gpu_hours * 3600 * fp8_peak))
    assert ds.mfu == ds.implied_mfu and ds.cloud_cost == pytest.approx(ds.reported_cost_usd)  # hours as reported


def test_a_run_in_a_precision_its_hardware_lacks_is_named(monkeypatch):
    models = data.load("models")
    wrong = models.assign(precision=np.where(models.model == "OPT-175B", "FP8", models.precision))
    load = data.load
    monkeypatch.setattr(compute.data, "load", lambda name: wrong if name == "models" else load(name))
    with pytest.raises(DataError, match=r"A100 SXM has no peak_fp8_flops, the peak of OPT-175B's FP8 training"):
        compute.model_estimates()


@pytest.mark.parametrize(("basis", "other"), [("committed", "on_demand"), ("on_demand", "committed")])
def test_a_price_basis_never_reads_the_other_price(monkeypatch, basis, other):
    expected = compute.model_estimates(basis)
    full = compute.hardware_table()
    column = f"cloud_{other}_usd_per_hour"
    monkeypatch.setattr(compute, "hardware_table", lambda: full.drop(columns=[c for c in full if c.startswith(column)]))
    pd.testing.assert_frame_equal(compute.model_estimates(basis), expected)
    # Priced at its basis only: a model on hardware without that price stays uncosted.
    own = expected.hardware.map(full[f"cloud_{basis}_usd_per_hour"])
    assert np.allclose(expected.price_per_gpu_hour, own, equal_nan=True)
    assert (expected.cloud_cost.notna() == (own.notna() & expected.gpu_hours.notna())).all()
    assert set(expected.price_used) <= {basis, "none"}


# --- the what-if grid ---------------------------------------------------------------------------

GRID_AXES = {"mfu": [0.2, 0.34, 0.5], "price_per_gpu_hour": [0.5, 5.0], "depreciation_years": [2.0, 4.0],
             "cost_of_capital": [0.0, 0.1]}


def test_run_cost_grid_rows_are_one_at_a_time_runs():
    p = TrainingParams()
    grid = compute.run_cost_grid(p, **GRID_AXES)
    n_points = 3 * 2 * 2 * 2
    assert len(grid) == 2 * n_points
    assert list(grid.columns) == [*GRID_AXES, "basis", "usd", "gpu_hours"]
    assert (grid.basis.value_counts() == n_points).all()
    for row in grid.itertuples():
        one = training_costs(replace(p, **{k: getattr(row, k) for k in GRID_AXES}))
        expected = one.cloud_cost if row.basis == "rented" else one.owned_cost
        assert row.usd == pytest.approx(float(expected), rel=1e-12)
        assert row.gpu_hours == pytest.approx(float(one.gpu_hours), rel=1e-12)


def test_run_cost_grid_holds_the_defaults_and_each_basis_ignores_what_it_does_not_use():
    p = TrainingParams()
    grid = compute.run_cost_grid(p, **GRID_AXES)
    at_default = grid[(grid.mfu == p.mfu) & (grid.depreciation_years == p.depreciation_years)
                      & (grid.cost_of_capital == p.cost_of_capital)]
    run = training_costs(p)
    owned = at_default[at_default.basis == "owned"].usd
    assert len(owned) == 2 and np.allclose(owned, float(run.owned_cost))  # owned: any rental price
    rented = at_default[at_default.basis == "rented"].set_index("price_per_gpu_hour").usd
    assert rented.loc[0.5] == pytest.approx(float(run.gpu_hours) * 0.5)
    # Renting does not depend on how owned hardware is financed.
    rent = grid[grid.basis == "rented"].groupby(["mfu", "price_per_gpu_hour"]).usd
    assert (rent.nunique() == 1).all()


def test_run_cost_grid_of_one_axis_is_a_sweep():
    grid = compute.run_cost_grid(TrainingParams(), mfu=np.linspace(0.1, 0.9, 9))
    assert np.all(np.diff(grid[grid.basis == "rented"].usd) < 0)
    assert np.all(np.diff(grid[grid.basis == "owned"].usd) < 0)


@pytest.mark.parametrize(("p", "axes", "message"), [
    (TrainingParams(), {}, r"'axes'.*at least one of: active_params"),
    (TrainingParams(), {"gpu": ["B200"]}, r"'grid axis': got 'gpu'; allowed: one of: active_params"),
    (TrainingParams(), {"mfus": [0.3]}, r"'grid axis': got 'mfus'"),
    (TrainingParams(), {"mfu": [0.3, 1.5]}, r"'mfu': got 1.5"),
    (TrainingParams(pue=np.array([1.1, 1.2])), {"mfu": [0.3]}, r"'pue'.*a scalar \(only the grid's axes vary\)"),
])
def test_run_cost_grid_refuses_bad_axes(p, axes, message):
    with pytest.raises(ParameterError, match=message):
        compute.run_cost_grid(p, **axes)


def test_owned_cost_grid_rows_are_one_at_a_time_runs():
    p = TrainingParams()
    util, life = np.array([0.25, 0.5, 1.0]), np.array([2.0, 4.0])
    grid = compute.owned_cost_grid(p, util, life)
    assert list(grid.columns) == ["depreciation_years", "utilization", "usd_per_gpu_hour"]
    assert grid.depreciation_years.tolist() == [2.0] * 3 + [4.0] * 3 and grid.utilization.tolist() == [*util, *util]
    # At full use and the record's life, a row is the run's owned cost per accelerator-hour.
    full = grid[(grid.utilization == 1.0) & (grid.depreciation_years == p.depreciation_years)].usd_per_gpu_hour
    assert full.item() == pytest.approx(float(training_costs(p).owned_cost_per_gpu_hour))
    # Idle hours still pay the capital, so a busy hour costs less the busier the hardware.
    for _, one in grid.groupby("depreciation_years"):
        assert np.all(np.diff(one.usd_per_gpu_hour) < 0)


def test_gw_year_costs_are_the_runs_costs_per_gw_year():
    p = TrainingParams()
    costs = compute.gw_year_costs(p)
    assert list(costs.columns) == ["accelerator", "basis", "usd"] and costs.usd.notna().all()
    assert set(costs.accelerator) <= set(compute.known_gpus()) and set(costs.basis) == {"rented", "owned"}
    assert costs.accelerator.is_monotonic_increasing  # in the order of known_gpus, rented before owned
    a100 = costs[costs.accelerator == "A100 SXM"].set_index("basis").usd
    run = training_costs(replace(p, price_per_gpu_hour=compute.accelerator("A100 SXM").cloud_committed_usd_per_hour))
    assert a100.index.tolist() == ["rented", "owned"]
    assert a100["rented"] == pytest.approx(float(run.cloud_cost_per_gw_year))
    assert a100["owned"] == pytest.approx(float(run.owned_cost_per_gw_year))
    # An accelerator without a purchase price has no owned row.
    no_price = [g for g in compute.known_gpus() if np.isnan(compute.accelerator(g).purchase_price_usd)]
    assert no_price and not ((costs.accelerator.isin(no_price)) & (costs.basis == "owned")).any()


# --- the life of owned hardware -----------------------------------------------------------------

lives = st.floats(0.25, 12)


def test_with_no_cost_of_capital_the_charge_is_straight_line():
    p = TrainingParams(cost_of_capital=0.0)
    life = np.array([1.0, 2.5, 4.0, 6.0])
    by_life = compute.owned_cost_by_life(p, life)
    assert by_life.capital_per_gpu_year.to_numpy() == pytest.approx(p.unit_price * p.server_cost_factor / life)
    assert compute.straight_line_depreciation(1200.0, life, 1) == pytest.approx(1200.0 / np.maximum(life, 1.0))
    # The P&L of a fleet written off over one life and earning over the same charges capital / L a year.
    fleet = compute.fleet_depreciation(600.0, 4.0, 4.0)
    assert fleet.reported.tolist() == fleet.economic.tolist() == [150.0] * 4
    assert (fleet.write_down == 0).all() and (fleet.profit_overstated == 0).all()


def test_the_charge_falls_as_the_life_grows():
    life = np.linspace(0.5, 10, 20)
    for rate in (0.0, 0.1, 0.4):
        by_life = compute.owned_cost_by_life(TrainingParams(cost_of_capital=rate), life)
        for column in ("capital_per_gpu_year", "owned_cost_per_gpu_hour", "owned_cost", "owned_cost_per_gw_year"):
            assert np.all(np.diff(by_life[column]) < 0), (rate, column)
    first_year = compute.reported_depreciation(1000.0, life[life >= 1], 20.0, 1)
    assert np.all(np.diff(first_year) < 0)


def test_owned_cost_by_life_rows_are_one_at_a_time_runs():
    p = TrainingParams()
    by_life = compute.owned_cost_by_life(p, [2.0, 4.0, 6.0])
    assert list(by_life.columns) == ["depreciation_years", "capital_per_gpu_year", "owned_cost_per_gpu_hour",
                                     "owned_cost", "owned_cost_per_gw_year"]
    for row in by_life.itertuples():
        one = training_costs(replace(p, depreciation_years=row.depreciation_years))
        assert row.owned_cost == pytest.approx(float(one.owned_cost))
        assert row.owned_cost_per_gpu_hour == pytest.approx(float(one.owned_cost_per_gpu_hour))
        assert row.owned_cost_per_gw_year == pytest.approx(float(one.owned_cost_per_gw_year))
    # The record's own life is the chapter's headline owned cost.
    assert by_life.set_index("depreciation_years").owned_cost[4.0] == pytest.approx(float(training_costs(p).owned_cost))


@pytest.mark.parametrize(("call", "message"), [
    (lambda: compute.owned_cost_by_life(TrainingParams(mfu=np.array([0.3, 0.4])), [2.0]), "'mfu'.*a scalar"),
    (lambda: compute.owned_cost_by_life(TrainingParams(), [0.0, 2.0]), "'depreciation_years'.*> 0"),
    (lambda: compute.fleet_depreciation(1e9, 0.0, 2.0), "'accounting_life_years'.*> 0"),
    (lambda: compute.fleet_depreciation(1e9, 6.0, -1.0), "'economic_life_years'.*> 0"),
])
def test_bad_lives_are_refused_with_a_message(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


@given(st.floats(1e3, 1e11), lives, lives)
def test_the_total_written_off_is_the_capital(capital, accounting, economic):
    fleet = compute.fleet_depreciation(capital, accounting, economic)
    assert fleet.reported.sum() == pytest.approx(capital) and fleet.economic.sum() == pytest.approx(capital)
    assert fleet.profit_overstated.sum() == pytest.approx(0.0, abs=1e-9 * capital)
    assert (fleet.depreciation >= 0).all() and (fleet.write_down >= 0).all()
    assert fleet.year.tolist() == list(range(1, int(np.ceil(max(accounting, economic))) + 1))
    years = np.arange(1, np.ceil(accounting) + 1)
    assert compute.straight_line_depreciation(capital, accounting, years).sum() == pytest.approx(capital)
    # Retired before the books have written it off, the rest goes at once; otherwise nothing does.
    expected = capital * (1 - economic / accounting) if economic < accounting else 0.0
    assert fleet.write_down.sum() == pytest.approx(expected, abs=1e-9 * capital)
    assert (fleet.write_down > 0).sum() == (1 if expected > 1e-9 * capital else 0)


@given(st.floats(1e3, 1e11), lives, lives)
def test_a_longer_accounting_life_flatters_profit_until_the_write_down(capital, accounting, economic):
    fleet = compute.fleet_depreciation(capital, accounting, economic)
    before = fleet[fleet.year <= np.floor(economic)]  # whole years before the hardware stops earning
    if economic < accounting:
        assert (before.profit_overstated > 0).all()
        # Until it is retired, reported profit is higher by the book value the write-down then takes.
        gap = capital * (1 / economic - 1 / accounting)
        assert before.profit_overstated.to_numpy() == pytest.approx(np.full(len(before), gap))
    else:
        # Written off faster than it wears out: reported profit is the lower one while the books charge it.
        charging = fleet[fleet.year <= np.floor(accounting)]
        assert (charging.profit_overstated <= 1e-9 * capital).all()


def test_depreciation_arrays_give_the_same_numbers_as_scalar_calls():
    capital = np.array([1e6, 5e8])
    accounting, economic = np.array([6.0, 5.5, 2.0]), np.array([2.3, 4.0])
    years = np.arange(1, 8)[:, None, None, None]
    grid = compute.reported_depreciation(capital, accounting[:, None, None], economic[:, None], years)
    down = compute.write_down(capital, accounting[:, None, None], economic[:, None], years)
    assert grid.shape == down.shape == (7, 3, 2, 2)
    for (t, a, e, c), value in np.ndenumerate(grid):
        one = compute.fleet_depreciation(capital[c], accounting[a], economic[e]).set_index("year")
        assert value == pytest.approx(one.reported.get(t + 1, 0.0))
        assert down[t, a, e, c] == pytest.approx(one.write_down.get(t + 1, 0.0))


@given(st.floats(1000, 100000), st.floats(0.01, 0.5), st.floats(0.2, 20), st.one_of(st.just(0.0), st.floats(1e-4, 0.5)),
       st.floats(0.1, 1.0))
def test_the_breakeven_life_equalizes_owning_and_renting(capital, energy, rent, rate, util):
    life = compute.breakeven_life_years(capital, energy, rent, rate, util)
    if np.isinf(life):
        # No life is long enough: even an endless one leaves the owned hour dearer than the rent.
        longest = capital * max(rate, 1e-12) / (HOURS_PER_YEAR * util) + energy
        assert rent <= energy or longest >= rent * (1 - 1e-9)
    else:
        charge = capital * compute.capital_recovery_factor(rate, life)
        assert compute.owned_cost_per_gpu_hour(charge, energy, util) == pytest.approx(rent)


def test_the_breakeven_life_is_vectorised():
    rates = np.array([0.0, 0.05, 0.1, 0.9])
    many = compute.breakeven_life_years(27000.0, 0.07, 1.3, rates)
    assert [compute.breakeven_life_years(27000.0, 0.07, 1.3, r) for r in rates] == pytest.approx(many.tolist())
    assert np.all(np.diff(many) > 0) and np.isinf(many[-1])  # dearer capital needs a longer life, then none will do


def test_the_capital_of_a_gigawatt_is_what_its_owned_cost_recovers():
    p = TrainingParams(cost_of_capital=0.0, depreciation_years=5.0)
    r = training_costs(p)
    capital = compute.fleet_capital_per_gw(p.unit_price, p.server_cost_factor, r.kw_per_gpu)
    energy = compute.cost_per_gw_year(compute.energy_cost_per_gpu_hour(r.kw_per_gpu, p.electricity_usd_per_kwh),
                                      r.kw_per_gpu)
    assert float(r.owned_cost_per_gw_year) == pytest.approx(capital / 5.0 + energy)


def test_nvidia_generations_come_about_two_years_apart():
    gens = compute.generation_intervals()
    assert gens.generation.tolist() == ["Volta", "Ampere", "Hopper", "Blackwell"]
    assert gens.announced.is_monotonic_increasing and np.isnan(gens.years_since_previous[0])
    assert (gens.years_since_previous[1:] > 1).all() and (gens.years_since_previous[1:] < 4).all()
    mean = compute.generation_interval_years()
    assert mean == pytest.approx((gens.year.iloc[-1] - gens.year.iloc[0]) / (len(gens) - 1))
    assert set(gens.first_accelerator) <= set(compute.hardware_table().index)


def test_a_launch_of_the_wrong_generation_is_named(monkeypatch):
    load = data.load
    launches = load("accelerator_launches").assign(first_accelerator=lambda t: t.first_accelerator.replace(
        "H100 SXM", "A100 SXM"))
    monkeypatch.setattr(compute.data, "load", lambda name: launches if name == "accelerator_launches" else load(name))
    with pytest.raises(DataError, match="A100 SXM is not an accelerator of the Hopper generation"):
        compute.generation_intervals()


def test_current_server_lives_are_each_company_s_latest():
    lives = compute.current_server_lives()
    table = data.load("server_lives")
    assert lives.company.tolist() == sorted(table.company.unique())
    for row in lives.itertuples():
        mine = table[table.company == row.company]
        assert row.effective == mine.effective.max()
        assert row.life_years == mine.set_index("effective").life_after_years[row.effective]
    # A change's life before it is the life after the company's change before it, where the filing gives both.
    for _, mine in table.sort_values("effective").groupby("company"):
        before, after = mine.life_before_years.to_numpy()[1:], mine.life_after_years.to_numpy()[:-1]
        given = ~np.isnan(before)
        assert before[given] == pytest.approx(after[given])


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "message"), [
    ({"gpu": "Z100"}, r"'gpu'.*one of: A100 SXM, B200, H100 SXM"),
    ({"mfu": 0.0}, r"'mfu'.*> 0 and <= 1"),
    ({"mfu": 1.5}, r"'mfu'.*> 0 and <= 1"),
    ({"n_gpus": 0}, r"'n_gpus'.*> 0"),
    ({"n_gpus": -5}, r"'n_gpus'.*> 0"),
    ({"n_gpus": 2.5}, r"'n_gpus'.*whole number"),
    ({"price_per_gpu_hour": 0.0}, r"'price_per_gpu_hour'.*> 0"),
    ({"electricity_usd_per_kwh": -0.1}, r"'electricity_usd_per_kwh'.*> 0"),
    ({"pue": 0.9}, r"'pue'.*>= 1"),
    ({"depreciation_years": 0.0}, r"'depreciation_years'.*> 0"),
    ({"cost_of_capital": 1.0}, r"'cost_of_capital'.*< 1"),
    ({"server_cost_factor": 0.5}, r"'server_cost_factor'.*>= 1"),
    ({"server_power_factor": 0.9}, r"'server_power_factor'.*>= 1"),
    ({"gpu_price": -1.0}, r"'gpu_price'.*>= 0"),
    ({"active_params": -1.0}, r"'active_params'.*>= 0"),
    ({"training_flop": 0.0, "training_tokens": 0.0}, r"'training_flop'.*give the FLOP"),
    ({"training_flop": 0.0, "active_params": 0.0}, r"'training_flop'.*give the FLOP"),
    ({"gpu": "V100 SXM2"}, r"'gpu_price'.*no purchase price for V100 SXM2"),
    ({"mfu": np.array([0.3, 1.2])}, r"'mfu': got 1.2"),
])
def test_bad_inputs_are_refused_with_a_message(changes, message):
    with pytest.raises(ParameterError, match=message):
        TrainingParams(**changes)


def test_a_v100_run_works_with_a_purchase_price():
    r = training_costs(TrainingParams(gpu="V100 SXM2", gpu_price=9000.0))
    assert r.owned_cost > 0


# --- the chapter --------------------------------------------------------------------------------

def test_chapter_defaults_validate():
    inputs = compute_costs.validate(**chapter("compute-costs").defaults())
    assert inputs.training.gpu == "A100 SXM" and inputs.price_basis == "committed"


def test_an_economic_life_of_zero_is_the_generation_interval():
    defaults = chapter("compute-costs").defaults()
    assert defaults["economic_life_years"] == 0
    inputs = compute_costs.validate(**defaults)
    assert inputs.economic_life_years == pytest.approx(compute.generation_interval_years())
    assert compute_costs.validate(**{**defaults, "economic_life_years": 3.5}).economic_life_years == 3.5
    assert inputs.accounting_life_years == defaults["accounting_life_years"]


@pytest.mark.parametrize(("name", "value", "message"), [
    ("accounting_life_years", 0.0, "'accounting_life_years'.*> 0"),
    ("economic_life_years", -1.0, "'economic_life_years'.*>= 0"),
    ("batch_size", 0, "batch_size"),
    ("own_gross_margin", 1.5, "own_margin"),
    ("price_basis", "spot", "price_basis.*committed, on_demand"),
    ("confidence_level", 1.0, "confidence_level"),
    ("gpu", "TPU v5p", "gpu.*one of"),
])
def test_chapter_validator_refuses_bad_values(name, value, message):
    values = {**chapter("compute-costs").defaults(), name: value}
    with pytest.raises(ParameterError, match=message):
        compute_costs.validate(**values)


@pytest.mark.parametrize("scenario", ["compute-gpt4-reported.yml", "compute-100k-h100.yml"])
def test_scenarios_validate(scenario):
    c = chapter("compute-costs")
    values = {**c.defaults(), **read_scenario(ROOT / "scenarios" / scenario, c)}
    inputs = compute_costs.validate(**values)
    assert training_costs(inputs.training).cloud_cost > 0


def test_gpt4_scenario_is_the_defaults():
    c = chapter("compute-costs")
    scenario = read_scenario(ROOT / "scenarios" / "compute-gpt4-reported.yml", c)
    assert all(c.defaults()[k] == pytest.approx(v) if isinstance(v, float) else c.defaults()[k] == v
               for k, v in scenario.items())
