"""Tests of labecon_core.inference: compute and memory-bandwidth bounds, cost per token, margin."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labecon_book.chapters import chapter
from labecon_core import compute, data, inference, margins
from labecon_core.errors import ParameterError
from labecon_core.inference import InferenceParams, serving_costs
from labecon_core.inputs import compute_costs

A100_PEAK, A100_BW, A100_MEM = 312e12, 2039e9, 80e9


def test_bounds_follow_their_formulas():
    p = InferenceParams()
    r = serving_costs(p)
    assert r.compute_bound_tokens_per_s == pytest.approx(A100_PEAK * 0.5 / (2 * 280e9))
    weights = 1.8e12 * 2
    kv = 4000 * 61440
    assert r.memory_bound_tokens_per_s == pytest.approx(256 * A100_BW * 0.8 / (weights + 256 * kv))
    assert r.decode_tokens_per_s == min(r.compute_bound_tokens_per_s, r.memory_bound_tokens_per_s)
    assert r.memory_bound  # GPT-4 at batch 256 on A100 is bandwidth bound
    assert r.gpus_to_hold_model == np.ceil((weights + 256 * kv) / A100_MEM)


def test_default_cost_is_near_the_reported_gpt4_figure():
    # The analysis article's "~$5 per million tokens" for GPT-4 (a cost, not a price).
    reported = data.load("compute_claims").set_index("claim").loc["table_gpt4_inference", "value"]
    assert serving_costs(InferenceParams()).output_cost_per_mtok == pytest.approx(reported, rel=0.25)


@given(st.floats(0.01, 100), st.floats(1, 1e5), st.floats(0.05, 1))
def test_cost_per_token_is_the_hourly_price_over_tokens_served(price, tps, duty):
    cost = inference.usd_per_mtok(price, tps, duty)
    assert cost * tps * 3600 * duty / 1e6 == pytest.approx(price)


@given(st.floats(0.01, 100), st.floats(0.01, 100))
def test_margin_identity(price, cost):
    margin = inference.implied_gross_margin(price, cost)
    assert price * (1 - margin) == pytest.approx(cost)
    assert (margin > 0) == (cost < price)


@given(st.floats(1e9, 2e12), st.floats(0.1, 1), st.floats(0, 2e5), st.floats(0, 8000))
@settings(max_examples=50, deadline=None)
def test_bounds_meet_at_the_critical_batch(active, util, kv, context):
    p = InferenceParams(active_params=active, total_params=0.0, serving_utilization=util, kv_bytes_per_token=kv,
                        context_tokens=context)
    b = serving_costs(p).critical_batch_size
    assume(np.isfinite(b) and b >= 2)
    at = serving_costs(replace(p, batch_size=b))
    assert at.memory_bound_tokens_per_s == pytest.approx(at.compute_bound_tokens_per_s, rel=1e-9)
    assert serving_costs(replace(p, batch_size=b / 2)).memory_bound, "below the critical batch, memory binds"


def test_batching_cuts_cost_in_proportion_while_memory_bound_without_kv():
    p = InferenceParams(kv_bytes_per_token=0.0)
    sweep = inference.batch_sweep(p, [1, 2, 4, 8])
    assert sweep.memory_bound.all()
    assert sweep.output_cost_per_mtok.to_numpy() == pytest.approx(sweep.output_cost_per_mtok.iloc[0] / np.array(
        [1, 2, 4, 8]))


def test_kv_cache_caps_what_batching_buys():
    p = InferenceParams(serving_utilization=1.0, active_params=1e9, total_params=0.0, context_tokens=8000,
                        kv_bytes_per_token=3e5)
    huge = serving_costs(replace(p, batch_size=1e7))
    cap = A100_BW * 0.8 / (8000 * 3e5)
    assert huge.memory_bound_tokens_per_s == pytest.approx(cap, rel=1e-3)
    assert huge.critical_batch_size == np.inf


def test_cost_never_rises_with_the_batch():
    sweep = inference.batch_sweep(InferenceParams(), np.geomspace(1, 8192, 30))
    assert np.all(np.diff(sweep.output_cost_per_mtok) <= 1e-12)
    assert sweep.memory_bound.iloc[0] and not sweep.memory_bound.iloc[-1]


def test_zero_total_params_means_dense():
    dense = InferenceParams(total_params=0.0)
    assert dense.params_in_memory == 280e9
    assert dense.weight_bytes == pytest.approx(280e9 * 2)
    moe = InferenceParams(total_params=np.array([0.0, 1.8e12]), bytes_per_param=1.0)
    assert moe.weight_bytes == pytest.approx(moe.params_in_memory) and moe.params_in_memory.tolist() == [280e9, 1.8e12]


@given(st.floats(1, 16))
def test_a_smaller_batch_costs_its_factor_while_memory_bound_without_kv(factor):
    p = InferenceParams(kv_bytes_per_token=0.0, batch_size=64.0)
    assert inference.smaller_batch_cost_multiple(p, factor) == pytest.approx(factor)


def test_a_smaller_batch_never_costs_less_and_stops_at_one_sequence():
    p = InferenceParams(batch_size=np.geomspace(1, 8192, 12))
    multiple = inference.smaller_batch_cost_multiple(p, 4.0)
    assert np.all(multiple >= 1 - 1e-12)
    assert multiple[0] == 1.0  # one sequence cannot be cut
    # Where both batches are compute bound, the cut changes nothing.
    compute_bound = ~serving_costs(replace(p, batch_size=np.maximum(p.batch_size / 4, 1))).memory_bound
    assert compute_bound.any() and multiple[compute_bound] == pytest.approx(1.0)
    with pytest.raises(ParameterError, match=r"'factor': got 0.5"):
        inference.smaller_batch_cost_multiple(InferenceParams(), 0.5)


def test_batch_sweeps_price_each_accelerator_at_its_committed_price():
    p = InferenceParams(price_per_gpu_hour=3.0)
    batches = [1.0, 64.0, 1024.0]
    sweeps = inference.batch_sweeps(p, ["A100 SXM", "H100 SXM"], batches)
    assert list(sweeps.columns) == ["batch_size", "decode_tokens_per_s", "output_cost_per_mtok", "memory_bound",
                                    "gpu", "price_per_gpu_hour"]
    assert sweeps.gpu.tolist() == ["A100 SXM"] * 3 + ["H100 SXM"] * 3
    h100_price = compute.hardware_table().loc["H100 SXM", "cloud_committed_usd_per_hour"]
    assert sweeps.price_per_gpu_hour.tolist() == [3.0] * 3 + [h100_price] * 3  # p's own price on p's gpu
    for gpu, one in sweeps.groupby("gpu"):
        alone = inference.batch_sweep(replace(p, gpu=gpu, price_per_gpu_hour=one.price_per_gpu_hour.iloc[0]), batches)
        assert one.output_cost_per_mtok.to_numpy() == pytest.approx(alone.output_cost_per_mtok.to_numpy(), rel=1e-12)


def test_duty_cycle_and_price_scale_the_cost():
    base = serving_costs(InferenceParams()).output_cost_per_mtok
    assert serving_costs(InferenceParams(fleet_duty_cycle=0.3)).output_cost_per_mtok == pytest.approx(2 * base)
    assert serving_costs(InferenceParams(price_per_gpu_hour=2.6)).output_cost_per_mtok == pytest.approx(2 * base)


def test_arrays_give_the_same_numbers_as_scalar_runs():
    r = serving_costs(InferenceParams(batch_size=np.array([16.0, 256.0]), gpu="H100 SXM",
                                      bytes_per_param=np.array([[1.0], [2.0]])))
    assert r.output_cost_per_mtok.shape == (2, 2)
    one = serving_costs(InferenceParams(batch_size=16.0, gpu="H100 SXM", bytes_per_param=2.0))
    assert r.output_cost_per_mtok[1, 0] == pytest.approx(one.output_cost_per_mtok)
    assert r.compute_bound_tokens_per_s.shape == (2, 2)


def test_for_model_takes_size_and_caps_the_context():
    gpt3 = inference.for_model(InferenceParams(), "GPT-3 175B")
    assert gpt3.active_params == 175e9 and gpt3.weight_bytes == pytest.approx(175e9 * 2)
    assert gpt3.context_tokens == 2048  # GPT-3's window, below the base 4000
    dsv3 = inference.for_model(InferenceParams(), "DeepSeek-V3", gpu="H800 SXM", bytes_per_param=1.0)
    assert dsv3.weight_bytes == pytest.approx(671e9) and dsv3.hardware.name == "H800 SXM"


@pytest.mark.parametrize(("model", "message"), [
    ("GPT-9", "'model'.*one of: GPT-3 175B"),
    ("Gopher", "'model'.*active parameters and KV size"),
])
def test_for_model_refuses_unknown_or_incomplete_models(model, message):
    with pytest.raises(ParameterError, match=message):
        inference.for_model(InferenceParams(), model)


@pytest.mark.parametrize(("changes", "message"), [
    ({"gpu": "Z100"}, r"'gpu'.*one of: A100 SXM"),
    ({"active_params": 0.0}, r"'active_params'.*> 0"),
    ({"total_params": 1e9}, r"'total_params'.*0 \(same as active_params\) or >= active_params"),
    ({"total_params": -1.0}, r"'total_params'.*>= 0"),
    ({"price_per_gpu_hour": 0.0}, r"'price_per_gpu_hour'.*> 0"),
    ({"serving_utilization": 0.0}, r"'serving_utilization'.*> 0 and <= 1"),
    ({"serving_utilization": 1.1}, r"'serving_utilization'.*> 0 and <= 1"),
    ({"bandwidth_utilization": 0.0}, r"'bandwidth_utilization'.*> 0"),
    ({"fleet_duty_cycle": 0.0}, r"'fleet_duty_cycle'.*> 0"),
    ({"batch_size": 0.5}, r"'batch_size'.*>= 1"),
    ({"bytes_per_param": 0.0}, r"'bytes_per_param'.*> 0"),
    ({"context_tokens": -1.0}, r"'context_tokens'.*>= 0"),
    ({"kv_bytes_per_token": -1.0}, r"'kv_bytes_per_token'.*>= 0"),
    ({"api_price_per_mtok": 0.0}, r"'api_price_per_mtok'.*> 0"),
])
def test_bad_inputs_are_refused_with_a_message(changes, message):
    with pytest.raises(ParameterError, match=message):
        InferenceParams(**changes)


# --- the margin chain ---------------------------------------------------------------------------

@settings(max_examples=60)
@given(gpu=st.sampled_from(["A100 SXM", "H100 SXM", "B200"]), price=st.floats(0.5, 10), duty=st.floats(0.05, 1),
       batch=st.floats(1, 4096), list_price=st.floats(0.5, 100), active=st.floats(1e9, 1e12),
       moe=st.floats(1, 8))
def test_the_chain_s_fleet_stage_is_the_serving_model_s_margin(gpu, price, duty, batch, list_price, active, moe):
    p = InferenceParams(gpu=gpu, price_per_gpu_hour=price, fleet_duty_cycle=duty, batch_size=batch,
                        api_price_per_mtok=list_price, active_params=active, total_params=active * moe)
    chain = inference.margin_params(p)
    m = margins.margins(chain)
    assert float(m.fleet) == pytest.approx(float(serving_costs(p).implied_gross_margin), rel=1e-12, abs=1e-12)
    # The list stage is the same serving with the fleet busy every hour it is paid for.
    busy = serving_costs(replace(p, fleet_duty_cycle=1.0))
    assert float(m.list) == pytest.approx(float(busy.implied_gross_margin), rel=1e-12, abs=1e-12)
    assert (chain.list_price_per_mtok, chain.fleet_utilization) == (list_price, duty)
    assert float(m.lab) == float(m.fleet), "the later stages take nothing unless given"


def test_the_chain_takes_the_later_stages_and_arrays():
    p = InferenceParams(batch_size=np.array([16.0, 256.0]))
    chain = inference.margin_params(p, discount_to_list=0.5, free_token_share=0.2, research_compute_share=0.1)
    assert (chain.discount_to_list, chain.free_token_share, chain.research_compute_share) == (0.5, 0.2, 0.1)
    np.testing.assert_allclose(margins.margins(chain).fleet, serving_costs(p).implied_gross_margin, rtol=1e-12)
    with pytest.raises(ParameterError, match="'free_token_share'"):
        inference.margin_params(p, free_token_share=1.0)


def test_the_compute_chapter_s_margin_is_the_fleet_stage():
    # The serving other chapters start from is the compute chapter's at its defaults, so its headline
    # margin (GPT-4 at list price) is the fleet stage of the chain built from it.
    at_defaults = compute_costs.validate(**chapter("compute-costs").defaults()).inference
    assert at_defaults == compute_costs.default_serving()
    fleet = margins.margins(inference.margin_params(compute_costs.default_serving())).fleet
    assert float(fleet) == pytest.approx(float(serving_costs(at_defaults).implied_gross_margin), rel=1e-12)
