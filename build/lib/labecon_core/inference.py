"""What a token costs to serve: the compute bound, the memory-bandwidth bound and the margin.

A transformer spends about ``2 N_a`` FLOP per token (``N_a`` active parameters).
Reading the prompt (prefill) processes many tokens per pass and is compute
bound: an accelerator of peak ``P`` FLOP/s at serving utilization ``u`` reads
``P u / (2 N_a)`` tokens per second. Generating output (decode) produces one
token per sequence per step, and every step must stream all the weights held in
memory (``W = N_total x bytes per parameter``; for a mixture of experts, at
batch sizes where every expert is hit) plus each sequence's KV cache
(``S x k`` bytes for ``S`` tokens of context at ``k`` bytes per token) from
memory of bandwidth ``BW`` at utilization ``u_bw``. A batch of ``B`` sequences
shares the weight reads, so per accelerator

    memory bound = B BW u_bw / (W + B S k)      tokens per second,
    decode rate  = min(compute bound, memory bound)      (a roofline).

The cost of a million tokens is the accelerator-hour price over the tokens an
accelerator produces in an hour, at a fleet duty cycle ``d`` (the share of paid
hours that serve traffic):

    cost per Mtok = price / (3600 x rate x d) x 1e6,

and the implied gross margin at an API price ``p`` is ``1 - cost / p``: the *fleet* stage of
the book's margin model (:mod:`labecon_core.margins`, entered through :func:`margin_params`). Batching
raises the memory bound until the compute bound or the KV cache binds; serving
engines such as vLLM matter because their memory management allows larger
batches. Numeric parameters may be numpy arrays that broadcast.
"""

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from labecon_core import data, margins
from labecon_core.compute import Accelerator, accelerator, broadcast_results, scalar_or_array
from labecon_core.errors import ParameterError
from labecon_core.validation import check_number

FORWARD_FLOP_PER_PARAM_TOKEN = 2.0  # one multiply and one add per weight


def compute_bound_tokens_per_s(peak_flops, serving_utilization, active_params):
    """Tokens per second per accelerator when FLOP bind: ``P u / (2 N_a)``."""
    return np.asarray(peak_flops, dtype=float) * serving_utilization / (
        FORWARD_FLOP_PER_PARAM_TOKEN * np.asarray(active_params, dtype=float))


def memory_bound_tokens_per_s(bandwidth, bandwidth_utilization, batch_size, weight_bytes, kv_bytes_per_sequence):
    """Decode tokens per second per accelerator when memory bandwidth binds: ``B BW u_bw / (W + B S k)``.

    Parameters
    ----------
    bandwidth : float or array
        Peak memory bandwidth, bytes/s.
    bandwidth_utilization : float or array
        Share of peak bandwidth achieved, 0-1.
    batch_size : float or array
        Sequences decoded together.
    weight_bytes : float or array
        Bytes of weights read per decode step (over all accelerators holding the model).
    kv_bytes_per_sequence : float or array
        Bytes of KV cache read per sequence per step.
    """
    b = np.asarray(batch_size, dtype=float)
    return b * np.asarray(bandwidth, dtype=float) * bandwidth_utilization / (
        np.asarray(weight_bytes, dtype=float) + b * kv_bytes_per_sequence)


def usd_per_mtok(price_per_gpu_hour, tokens_per_s, duty_cycle=1.0):
    """Cost of a million tokens, USD: the hourly price over the tokens made in the hours actually served."""
    return np.asarray(price_per_gpu_hour, dtype=float) / (3600.0 * np.asarray(tokens_per_s) * duty_cycle) * 1e6


def implied_gross_margin(api_price_per_mtok, cost_per_mtok):
    """Gross margin at a list price: ``1 - cost / price`` (negative when serving loses money)."""
    return 1.0 - np.asarray(cost_per_mtok, dtype=float) / np.asarray(api_price_per_mtok, dtype=float)


def critical_batch_size(peak_flops, serving_utilization, active_params, bandwidth, bandwidth_utilization,
                        weight_bytes, kv_bytes_per_sequence):
    """Batch at which decoding turns from memory bound to compute bound (``inf`` if it never does).

    Solves ``B BW u_bw / (W + B S k) = P u / (2 N_a)`` for ``B``.
    """
    compute = compute_bound_tokens_per_s(peak_flops, serving_utilization, active_params)
    per_seq = np.asarray(bandwidth, dtype=float) * bandwidth_utilization - compute * kv_bytes_per_sequence
    safe = np.where(per_seq > 0, per_seq, 1.0)
    return scalar_or_array(np.where(per_seq > 0, compute * np.asarray(weight_bytes) / safe, np.inf))


@dataclass(frozen=True)
class InferenceParams:
    """A model served on an accelerator at a price, validated on construction.

    Parameters
    ----------
    active_params : float or array
        Parameters used per token, count (> 0).
    total_params : float or array
        Parameters held in memory and read per decode step, count (0 = same as
        ``active_params``; otherwise >= ``active_params``).
    gpu : str
        Accelerator, a name in ``data/hardware``.
    price_per_gpu_hour : float or array
        Price of an accelerator-hour, USD (> 0).
    serving_utilization : float or array
        Share of peak FLOP/s achieved when compute bound, in (0, 1].
    bandwidth_utilization : float or array
        Share of peak memory bandwidth achieved when decoding, in (0, 1].
    fleet_duty_cycle : float or array
        Share of paid accelerator-hours that serve traffic, in (0, 1].
    batch_size : float or array
        Sequences decoded together (>= 1).
    bytes_per_param : float or array
        Bytes per weight: 2 for BF16, 1 for FP8 or INT8 (> 0).
    context_tokens : float or array
        Average tokens of context held per sequence (>= 0).
    kv_bytes_per_token : float or array
        KV cache per token of context over all layers, bytes (>= 0).
    api_price_per_mtok : float or array
        List price of output tokens, USD per million (> 0).
    """

    active_params: float = 280e9
    total_params: float = 1.8e12
    gpu: str = "A100 SXM"
    price_per_gpu_hour: float = 1.30
    serving_utilization: float = 0.5
    bandwidth_utilization: float = 0.8
    fleet_duty_cycle: float = 0.6
    batch_size: float = 256
    bytes_per_param: float = 2.0
    context_tokens: float = 4000
    kv_bytes_per_token: float = 61440
    api_price_per_mtok: float = 60.0
    _hardware: Accelerator = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "_hardware", accelerator(self.gpu))
        set_(self, "active_params", check_number("active_params", self.active_params, gt=0))
        set_(self, "total_params", check_number("total_params", self.total_params, ge=0))
        total = np.asarray(self.total_params)
        bad = (total > 0) & (total < self.active_params)
        if np.any(bad):
            raise ParameterError("total_params", self.total_params if total.ndim == 0 else total[bad][0].item(),
                                 "0 (same as active_params) or >= active_params")
        set_(self, "price_per_gpu_hour", check_number("price_per_gpu_hour", self.price_per_gpu_hour, gt=0))
        set_(self, "serving_utilization", check_number("serving_utilization", self.serving_utilization, gt=0, le=1))
        set_(self, "bandwidth_utilization",
             check_number("bandwidth_utilization", self.bandwidth_utilization, gt=0, le=1))
        set_(self, "fleet_duty_cycle", check_number("fleet_duty_cycle", self.fleet_duty_cycle, gt=0, le=1))
        set_(self, "batch_size", check_number("batch_size", self.batch_size, ge=1))
        set_(self, "bytes_per_param", check_number("bytes_per_param", self.bytes_per_param, gt=0))
        set_(self, "context_tokens", check_number("context_tokens", self.context_tokens, ge=0))
        set_(self, "kv_bytes_per_token", check_number("kv_bytes_per_token", self.kv_bytes_per_token, ge=0))
        set_(self, "api_price_per_mtok", check_number("api_price_per_mtok", self.api_price_per_mtok, gt=0))

    @property
    def hardware(self) -> Accelerator:
        """The accelerator's figures from ``data/hardware``."""
        return self._hardware

    @property
    def params_in_memory(self):
        """Parameters held in memory and read per decode step: ``total_params``, or ``active_params`` where it is 0."""
        total = np.asarray(self.total_params)
        return np.where(total > 0, total, self.active_params)

    @property
    def weight_bytes(self):
        """Bytes of weights read per decode step: parameters in memory x bytes per parameter."""
        return self.params_in_memory * np.asarray(self.bytes_per_param)

    @property
    def kv_bytes_per_sequence(self):
        """KV cache read per sequence per decode step, bytes."""
        return np.asarray(self.context_tokens, dtype=float) * self.kv_bytes_per_token


@dataclass(frozen=True)
class InferenceResult:
    """Outputs of :func:`serving_costs` (arrays of the parameters' broadcast shape).

    Attributes
    ----------
    compute_bound_tokens_per_s, memory_bound_tokens_per_s, decode_tokens_per_s : tokens/s per accelerator.
    memory_bound : bool, True where memory bandwidth is the binding bound of decoding.
    output_cost_per_mtok : USD per million output (decoded) tokens.
    input_cost_per_mtok : USD per million input (prefill) tokens, compute bound.
    implied_gross_margin : on output tokens at ``api_price_per_mtok``, share of price.
    critical_batch_size : sequences; above it decoding is compute bound.
    gpus_to_hold_model : accelerators whose memory holds the weights and the batch's KV cache.
    """

    compute_bound_tokens_per_s: np.ndarray
    memory_bound_tokens_per_s: np.ndarray
    decode_tokens_per_s: np.ndarray
    memory_bound: np.ndarray
    output_cost_per_mtok: np.ndarray
    input_cost_per_mtok: np.ndarray
    implied_gross_margin: np.ndarray
    critical_batch_size: np.ndarray
    gpus_to_hold_model: np.ndarray


def serving_costs(p: InferenceParams) -> InferenceResult:
    """Throughput, cost per million tokens and implied margin of serving a model.

    Parameters
    ----------
    p : InferenceParams
        Validated parameters; numeric fields may be arrays that broadcast together.

    Returns
    -------
    InferenceResult
        See its attributes for units. Prefill attention over long contexts,
        speculative decoding and quantization beyond ``bytes_per_param`` are not modelled.
    """
    hw = p.hardware
    compute = compute_bound_tokens_per_s(hw.peak_flops, p.serving_utilization, p.active_params)
    memory = memory_bound_tokens_per_s(hw.bandwidth, p.bandwidth_utilization, p.batch_size, p.weight_bytes,
                                       p.kv_bytes_per_sequence)
    decode = np.minimum(compute, memory)
    output_cost = usd_per_mtok(p.price_per_gpu_hour, decode, p.fleet_duty_cycle)
    fields = dict(
        compute_bound_tokens_per_s=compute,
        memory_bound_tokens_per_s=memory,
        decode_tokens_per_s=decode,
        memory_bound=memory < compute,
        output_cost_per_mtok=output_cost,
        input_cost_per_mtok=usd_per_mtok(p.price_per_gpu_hour, compute, p.fleet_duty_cycle),
        implied_gross_margin=implied_gross_margin(p.api_price_per_mtok, output_cost),
        critical_batch_size=critical_batch_size(hw.peak_flops, p.serving_utilization, p.active_params, hw.bandwidth,
                                                p.bandwidth_utilization, p.weight_bytes, p.kv_bytes_per_sequence),
        gpus_to_hold_model=np.ceil((p.weight_bytes + np.asarray(p.batch_size) * p.kv_bytes_per_sequence)
                                   / hw.memory_bytes),
    )
    return InferenceResult(**broadcast_results(fields, p))


def batch_sweep(p: InferenceParams, batch_sizes) -> pd.DataFrame:
    """Decode throughput and output cost over batch sizes, other parameters as in ``p`` (scalars).

    Returns
    -------
    DataFrame
        ``batch_size``, ``decode_tokens_per_s`` (per accelerator), ``output_cost_per_mtok`` (USD),
        ``memory_bound`` (bool).
    """
    b = np.asarray(batch_sizes, dtype=float)
    r = serving_costs(replace(p, batch_size=b))
    return pd.DataFrame({"batch_size": b, "decode_tokens_per_s": r.decode_tokens_per_s,
                         "output_cost_per_mtok": r.output_cost_per_mtok, "memory_bound": r.memory_bound})


def batch_sweeps(p: InferenceParams, gpus, batch_sizes) -> pd.DataFrame:
    """:func:`batch_sweep` on several accelerators, each at its committed cloud price (``p``'s price on ``p.gpu``).

    Parameters
    ----------
    p : InferenceParams
        The model and the serving assumptions (scalars).
    gpus : sequence of str
        Accelerators in ``data/hardware``; each other than ``p.gpu`` needs a committed price.
    batch_sizes : array
        Sequences decoded together.

    Returns
    -------
    DataFrame
        The columns of :func:`batch_sweep`, then ``gpu`` and ``price_per_gpu_hour`` (USD), accelerator by accelerator.
    """
    frames = []
    for gpu in gpus:
        price = p.price_per_gpu_hour if gpu == p.gpu else accelerator(gpu).cloud_committed_usd_per_hour
        frames.append(batch_sweep(replace(p, gpu=gpu, price_per_gpu_hour=price), batch_sizes)
                      .assign(gpu=gpu, price_per_gpu_hour=price))
    return pd.concat(frames, ignore_index=True)


def smaller_batch_cost_multiple(p: InferenceParams, factor: float):
    """How many times dearer an output token is when the batch is cut by ``factor`` (to no less than one sequence).

    While decoding is memory bound and the KV cache small, cost per token is nearly
    proportional to one over the batch, so the multiple approaches ``factor``; it is 1 where
    decoding stays compute bound.

    Parameters
    ----------
    p : InferenceParams
        Validated parameters; numeric fields may be arrays that broadcast together.
    factor : float or array
        Divisor of the batch size (>= 1).

    Returns
    -------
    float or ndarray
        Output cost per million tokens at the smaller batch / at ``p.batch_size``, a ratio >= 1.
    """
    factor = check_number("factor", factor, ge=1)
    smaller = serving_costs(replace(p, batch_size=np.maximum(np.asarray(p.batch_size) / factor, 1)))
    return smaller.output_cost_per_mtok / serving_costs(p).output_cost_per_mtok


def for_model(base: InferenceParams, model: str, **changes) -> InferenceParams:
    """``base`` with the size and KV cache of ``model`` from ``data/models``, then ``changes``.

    Takes ``active_params``, ``total_params`` and ``kv_bytes_per_token`` from the
    table, and caps ``context_tokens`` at the model's context window. Keyword
    ``changes`` (e.g. ``gpu``, ``price_per_gpu_hour``, ``bytes_per_param``) are applied last.

    Raises
    ------
    ParameterError
        If ``model`` is not in ``data/models`` or lacks the parameter counts or KV size.
    """
    table = data.load("models").set_index("model")
    if model not in table.index:
        raise ParameterError("model", model, "one of: " + ", ".join(table.index))
    row = table.loc[model]
    if row[["active_params", "kv_bytes_per_token"]].isna().any():
        raise ParameterError("model", model, "a model whose active parameters and KV size are in data/models")
    window = row.context_window if np.isfinite(row.context_window) else np.inf
    fields = {
        "active_params": row.active_params,
        "total_params": row.total_params if np.isfinite(row.total_params) else 0.0,
        "kv_bytes_per_token": row.kv_bytes_per_token,
        "context_tokens": np.minimum(base.context_tokens, window),
    }
    return replace(base, **{**fields, **changes})


def margin_params(p: InferenceParams, *, discount_to_list=0.0, free_token_share=0.0,
                  research_compute_share=0.0) -> margins.MarginParams:
    """The margin model's chain for serving ``p``: its list and fleet stages from this model, the later ones as given.

    The serving cost is that of an output token with the accelerators busy every hour they are
    paid for (duty cycle 1); the list price and the fleet's utilization are ``p``'s list price and
    duty cycle. The chain's fleet margin is therefore the ``implied_gross_margin`` of
    :func:`serving_costs`.

    Parameters
    ----------
    p : InferenceParams
        Validated serving parameters; numeric fields may be arrays that broadcast together.
    discount_to_list, free_token_share, research_compute_share : float or array
        The later stages' shares (see :class:`~labecon_core.margins.MarginParams`), each in [0, 1);
        0 by default, so that those stages leave the fleet margin as it is.

    Returns
    -------
    MarginParams
        ``serving_cost_per_mtok`` (USD per million output tokens at full use), ``list_price_per_mtok``
        (USD), ``fleet_utilization`` (share) and the three shares given.
    """
    full_use_cost = usd_per_mtok(p.price_per_gpu_hour, serving_costs(p).decode_tokens_per_s, duty_cycle=1.0)
    return margins.MarginParams(
        serving_cost_per_mtok=scalar_or_array(full_use_cost), list_price_per_mtok=p.api_price_per_mtok,
        fleet_utilization=p.fleet_duty_cycle, discount_to_list=discount_to_list, free_token_share=free_token_share,
        research_compute_share=research_compute_share,
    )
