"""What a training run costs: FLOP, accelerator-hours, rental and ownership cost, power.

A run of ``F`` FLOP on accelerators of peak dense throughput ``P`` (FLOP/s) at
model FLOP utilization ``u`` takes ``H = F / (P u 3600)`` accelerator-hours,
``H / (24 n)`` days on ``n`` of them. For a dense transformer ``F ~ 6 N D``
(``N`` parameters used per token, ``D`` training tokens): two FLOP per
parameter and token in the forward pass, four in the backward pass. The rule
ignores attention over the context (a few percent at the usual context lengths),
recomputed activations (which raise the hardware's FLOP, not the model's) and
everything before the final run: experiments, failed runs, data generation.

Cost is counted two ways, as in Cottier et al. (2024):

- **cloud rental**: ``H x`` the price of an accelerator-hour;
- **ownership**: the purchase price times a factor for servers and networking,
  turned into a yearly charge by the capital recovery factor
  ``r / (1 - (1 + r)^-L)`` (straight-line ``1 / L`` when ``r = 0``) over ``L``
  years of depreciation, charged for the hours of the run, plus energy:
  board power x a server factor x PUE x the electricity price.

The accounts see ownership differently: they charge straight-line depreciation over an accounting
life (the hyperscalers' five or six years), with no interest, while the hardware earns only over its
economic life (at the frontier, about the interval between accelerator generations). When the
economic life is the shorter, reported profit is higher than the economic cost allows until the
hardware is retired, and the book value left then is written off at once; over the whole life both
charge the same capital.

Cluster power is ``n`` x board power x server factor x PUE. The cost of a
gigawatt-year of compute is what the accelerators drawing one GW of facility
power cost for a year, comparable to the $12-15B quoted in source 003.

Numeric parameters may be numpy arrays that broadcast; the accelerator name is a scalar.
"""

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from labecon_core import data
from labecon_core.errors import DataError, ParameterError
from labecon_core.power import GW, HOURS_PER_YEAR
from labecon_core.validation import check_choice, check_count, check_number

#: Unit of each ``spec`` in ``data/hardware``.
SPEC_UNITS = {
    "peak_bf16_flops": "FLOP/s",
    "peak_fp8_flops": "FLOP/s",
    "memory_gb": "GB",
    "memory_bandwidth_gb_s": "GB/s",
    "board_power_w": "W",
    "purchase_price_usd": "USD",
    "cloud_on_demand_usd_per_hour": "USD per GPU-hour",
    "cloud_committed_usd_per_hour": "USD per GPU-hour",
    "system_power_w_per_gpu": "W",
    "system_price_usd_per_gpu": "USD",
}
#: Specs an accelerator needs to be usable as the ``gpu`` of a chapter.
REQUIRED_SPECS = ("peak_bf16_flops", "memory_gb", "memory_bandwidth_gb_s", "board_power_w")
#: Cloud price bases of ``data/hardware`` usable to price the runs in ``data/models``.
PRICE_BASES = ("committed", "on_demand")
_PRICE_COLUMNS = {"committed": "cloud_committed_usd_per_hour", "on_demand": "cloud_on_demand_usd_per_hour"}
#: The spec of ``data/hardware`` whose peak a run in each precision of ``data/models`` is measured against
#: (FP16 shares the 16-bit peak: V100 has no BF16, and where both exist their dense peaks are equal).
PEAK_SPECS = {"BF16": "peak_bf16_flops", "FP16": "peak_bf16_flops", "FP8": "peak_fp8_flops"}
#: Precision of a run of ``data/models`` whose ``precision`` is empty.
DEFAULT_PRECISION = "BF16"
#: ``generation`` of the rows of :func:`generation_mfus` that pool the runs of every generation.
ALL_GENERATIONS = "all generations"
TRAINING_FLOP_PER_PARAM_TOKEN = 6.0  # forward pass 2, backward pass 4


def hardware_table() -> pd.DataFrame:
    """``data/hardware`` in wide form: one row per accelerator, each spec with ``_low`` and ``_high``.

    Where a spec is a range without a point value, the value is the midpoint.
    Missing specs are NaN.

    Raises
    ------
    DataError
        If a spec has the wrong unit, appears twice for one accelerator, or has low > high.
    """
    long = data.load("hardware")
    wrong = long[long.unit != long.spec.map(SPEC_UNITS)]
    if len(wrong):
        row = wrong.iloc[0]
        raise DataError(f"bad data: data/hardware.csv: {row.accelerator} {row.spec} is in {row.unit!r}, "
                        f"expected {SPEC_UNITS[row.spec]!r}")
    dup = long[long.duplicated(["accelerator", "spec"])]
    if len(dup):
        raise DataError(f"bad data: data/hardware.csv: {dup.accelerator.iloc[0]} {dup.spec.iloc[0]} appears twice")
    inverted = long[long.low > long.high]
    if len(inverted):
        raise DataError(f"bad data: data/hardware.csv: {inverted.accelerator.iloc[0]} {inverted.spec.iloc[0]} "
                        "has low > high")
    long = long.assign(
        value=long.value.fillna((long.low + long.high) / 2),
        low=long.low.fillna(long.value),
        high=long.high.fillna(long.value),
    )
    wide = long.pivot(index="accelerator", columns="spec", values=["value", "low", "high"])
    wide.columns = [spec if kind == "value" else f"{spec}_{kind}" for kind, spec in wide.columns]
    return wide.reindex(columns=[f"{s}{k}" for s in SPEC_UNITS for k in ("", "_low", "_high")])


def _usable(table: pd.DataFrame) -> list[str]:
    return sorted(table.index[table[list(REQUIRED_SPECS)].notna().all(axis=1)])


def known_gpus() -> list[str]:
    """Accelerators in ``data/hardware`` with every spec a training or serving model needs."""
    return _usable(hardware_table())


def spec_range(gpu: str, spec: str) -> np.ndarray:
    """The ``(low, high)`` of one spec of one accelerator in ``data/hardware``, in the spec's unit (see ``SPEC_UNITS``).

    A spec given as a point has it at both ends; an unknown one is NaN.
    """
    table = hardware_table()
    check_choice("gpu", gpu, tuple(table.index))
    check_choice("spec", spec, tuple(SPEC_UNITS))
    row = table.loc[gpu]
    return np.array([row[f"{spec}_low"], row[f"{spec}_high"]], dtype=float)


def claim(key: str, field: str = "value") -> float:
    """One figure of ``data/compute_claims``: its ``value``, ``low`` or ``high``, in the row's unit (NaN if blank).

    Raises
    ------
    ParameterError
        If ``key`` is not a claim of the table or ``field`` is not one of its figures.
    """
    claims = data.load("compute_claims").set_index("claim")
    check_choice("claim", key, tuple(claims.index))
    check_choice("field", field, ("value", "low", "high"))
    return float(claims.loc[key, field])


def claim_range(key: str) -> np.ndarray:
    """The ``(low, high)`` of a claim of ``data/compute_claims`` given as a range, in the row's unit."""
    return np.array([claim(key, "low"), claim(key, "high")])


@dataclass(frozen=True)
class Accelerator:
    """One accelerator's figures from ``data/hardware`` (midpoints of ranges; NaN where unknown).

    Attributes
    ----------
    name : str
    peak_flops : float
        Peak dense BF16 throughput, FLOP/s.
    memory_bytes : float
        High-bandwidth memory, bytes.
    bandwidth : float
        Memory bandwidth, bytes/s.
    board_power_w : float
        Board (module) power, W.
    purchase_price_usd : float
        Purchase price of one accelerator, USD.
    cloud_on_demand_usd_per_hour, cloud_committed_usd_per_hour : float
        Rental price, USD per accelerator-hour.
    system_power_w_per_gpu, system_price_usd_per_gpu : float
        NVIDIA DGX system power (W) and list price (USD) per GPU.
    """

    name: str
    peak_flops: float
    memory_bytes: float
    bandwidth: float
    board_power_w: float
    purchase_price_usd: float
    cloud_on_demand_usd_per_hour: float
    cloud_committed_usd_per_hour: float
    system_power_w_per_gpu: float
    system_price_usd_per_gpu: float


def accelerator(name: str) -> Accelerator:
    """The accelerator called ``name``; a :class:`ParameterError` listing the usable names otherwise."""
    table = hardware_table()
    check_choice("gpu", name, _usable(table))
    row = table.loc[name]
    return Accelerator(
        name=name,
        peak_flops=float(row.peak_bf16_flops),
        memory_bytes=float(row.memory_gb) * 1e9,
        bandwidth=float(row.memory_bandwidth_gb_s) * 1e9,
        board_power_w=float(row.board_power_w),
        purchase_price_usd=float(row.purchase_price_usd),
        cloud_on_demand_usd_per_hour=float(row.cloud_on_demand_usd_per_hour),
        cloud_committed_usd_per_hour=float(row.cloud_committed_usd_per_hour),
        system_power_w_per_gpu=float(row.system_power_w_per_gpu),
        system_price_usd_per_gpu=float(row.system_price_usd_per_gpu),
    )


def scalar_or_array(value):
    """``value`` as a numpy array, or as a numpy scalar when 0-dimensional (so results of scalar inputs are scalars)."""
    return np.asarray(value)[()]


def broadcast_results(fields: dict, params) -> dict:
    """Broadcast every result in ``fields`` to the common shape of the record ``params``'s fields."""
    shape = np.broadcast_shapes(*(np.shape(getattr(params, f)) for f in params.__dataclass_fields__))
    return {k: scalar_or_array(np.broadcast_to(v, shape)) for k, v in fields.items()}


# --- the arithmetic ---------------------------------------------------------------------------

def training_flop(active_params, training_tokens):
    """Training compute of a transformer by the ``6 N D`` rule, FLOP.

    Parameters
    ----------
    active_params : float or array
        Parameters used per token (all of them for a dense model).
    training_tokens : float or array
        Tokens seen in training.
    """
    n = np.asarray(active_params, dtype=float)
    return TRAINING_FLOP_PER_PARAM_TOKEN * n * np.asarray(training_tokens, dtype=float)


def gpu_hours(flop, peak_flops, mfu):
    """Accelerator-hours to compute ``flop`` FLOP at ``mfu`` of ``peak_flops`` FLOP/s: ``F / (P u 3600)``."""
    return np.asarray(flop, dtype=float) / (np.asarray(peak_flops, dtype=float) * mfu * 3600.0)


def implied_mfu(flop, n_gpus, peak_flops, days):
    """MFU that fits ``flop`` FLOP into ``days`` days on ``n_gpus`` accelerators of ``peak_flops`` FLOP/s."""
    return np.asarray(flop, dtype=float) / (np.asarray(n_gpus, dtype=float) * peak_flops * np.asarray(days) * 86400.0)


def flop_from_cluster(n_gpus, peak_flops, mfu, days):
    """FLOP that ``n_gpus`` accelerators deliver in ``days`` days at ``mfu`` of ``peak_flops`` FLOP/s."""
    return np.asarray(n_gpus, dtype=float) * peak_flops * np.asarray(mfu) * np.asarray(days) * 86400.0


def six_nd_deviation(active_params, training_tokens, flop):
    """How far the ``6 N D`` rule is from a published training compute: ``|6 N D / F - 1|``, a share.

    Parameters
    ----------
    active_params : float or array
        Parameters used per token, count.
    training_tokens : float or array
        Tokens seen in training, count.
    flop : float or array
        Published training compute, FLOP (> 0).

    Returns
    -------
    float or ndarray
        The relative gap, 0 where the rule is exact; NaN where a figure is missing (NaN).
    """
    return np.abs(training_flop(active_params, training_tokens) / np.asarray(flop, dtype=float) - 1)


def achieved_mfu(throughput_flops, peak_flops):
    """Model FLOP utilization of an accelerator that sustains ``throughput_flops`` FLOP/s of ``peak_flops``, a share."""
    return np.asarray(throughput_flops, dtype=float) / np.asarray(peak_flops, dtype=float)


def cluster_gpu_hours(n_gpus, days):
    """Accelerator-hours of ``n_gpus`` accelerators running for ``days`` days."""
    return np.asarray(n_gpus, dtype=float) * np.asarray(days, dtype=float) * 24.0


def gpu_years(gpu_hours):
    """Accelerator-years in ``gpu_hours`` accelerator-hours (years of 365.25 days)."""
    return np.asarray(gpu_hours, dtype=float) / HOURS_PER_YEAR


def rental_cost(gpu_hours, usd_per_gpu_hour):
    """Cost of renting ``gpu_hours`` accelerator-hours at ``usd_per_gpu_hour`` USD each, USD."""
    return np.asarray(gpu_hours, dtype=float) * np.asarray(usd_per_gpu_hour, dtype=float)


def implied_price_per_gpu_hour(cost_usd, gpu_hours):
    """Rental price at which ``gpu_hours`` accelerator-hours cost ``cost_usd`` USD, USD per accelerator-hour.

    Inverts :func:`rental_cost`.
    """
    return np.asarray(cost_usd, dtype=float) / np.asarray(gpu_hours, dtype=float)


def multiple_of(value, reference):
    """``value / reference``, NaN where the reference is not a positive finite number (nothing to compare to)."""
    ref = np.asarray(reference, dtype=float)
    usable = np.isfinite(ref) & (ref > 0)
    return scalar_or_array(np.where(usable, np.asarray(value, dtype=float) / np.where(usable, ref, 1.0), np.nan))


def midpoint_ratio(values, references):
    """Each figure over its reference, a range compared by its midpoint: ``mid(value) / mid(reference)``.

    Parameters
    ----------
    values, references : sequence
        Figures in matching units, each a number or a ``(low, high)`` pair; a floor or a
        point is the number itself, a missing figure NaN.

    Returns
    -------
    ndarray
        One ratio per figure; NaN where the reference midpoint is not a positive finite number.
    """
    def midpoints(figures):
        return np.array([np.broadcast_to(np.asarray(f, dtype=float), 2) for f in figures]).mean(axis=1)

    return np.asarray(multiple_of(midpoints(values), midpoints(references)))


def capital_recovery_factor(rate, years):
    """Yearly charge per USD of capital repaid over ``years`` at interest ``rate``: ``r / (1 - (1 + r)^-L)``.

    Equals ``1 / L`` (straight-line depreciation) when ``r = 0``.
    """
    r = np.asarray(rate, dtype=float)
    n = np.asarray(years, dtype=float)
    # Below ~1e-9 the annuity formula loses all precision; its limit is straight-line.
    positive = r > 1e-9
    safe = np.where(positive, r, 1.0)
    return scalar_or_array(np.where(positive, safe / -np.expm1(-n * np.log1p(safe)), 1.0 / n))


def facility_kw_per_gpu(board_power_w, server_power_factor, pue):
    """Facility power drawn per accelerator, kW: board power x server factor x PUE."""
    return np.asarray(board_power_w, dtype=float) * server_power_factor * np.asarray(pue) / 1e3


def cluster_power_mw(n_gpus, board_power_w, server_power_factor, pue):
    """Facility power of a cluster of ``n_gpus`` accelerators, MW."""
    return np.asarray(n_gpus, dtype=float) * facility_kw_per_gpu(board_power_w, server_power_factor, pue) / 1e3


def system_power_factor(system_power_w_per_gpu, board_power_w):
    """Server power factor measured on a whole system: its power per accelerator / board power, a ratio.

    NVIDIA's DGX systems give the first (system power over its GPUs), the datasheet the second.
    """
    return np.asarray(system_power_w_per_gpu, dtype=float) / np.asarray(board_power_w, dtype=float)


def capital_cost_per_gpu_year(gpu_price, server_cost_factor, depreciation_years, cost_of_capital):
    """Yearly capital charge of one owned accelerator with its share of servers and network, USD per year."""
    return np.asarray(gpu_price, dtype=float) * server_cost_factor * capital_recovery_factor(
        cost_of_capital, depreciation_years)


def energy_cost_per_gpu_hour(kw_per_gpu, electricity_usd_per_kwh):
    """Energy bill of one accelerator-hour at facility power ``kw_per_gpu`` kW, USD."""
    return np.asarray(kw_per_gpu, dtype=float) * electricity_usd_per_kwh


def owned_cost_per_gpu_hour(capital_per_year, energy_per_hour, utilization=1.0):
    """Cost of a useful accelerator-hour on owned hardware busy a share ``utilization`` of the time, USD.

    The capital charge accrues every hour; energy is paid only when busy.
    """
    return np.asarray(capital_per_year, dtype=float) / (HOURS_PER_YEAR * np.asarray(utilization)) + energy_per_hour


def breakeven_utilization(capital_per_year, energy_per_hour, rent_per_hour):
    """Utilization above which owning is cheaper than renting (``inf`` if renting always wins).

    Solves ``capital / (8766 u) + energy = rent`` for ``u``; above 1 means owning
    never pays at that rental price.
    """
    margin = np.asarray(rent_per_hour, dtype=float) - energy_per_hour
    safe = np.where(margin > 0, margin, 1.0)
    return scalar_or_array(np.where(margin > 0, np.asarray(capital_per_year) / (HOURS_PER_YEAR * safe), np.inf))


def cost_per_gw_year(usd_per_gpu_hour, kw_per_gpu):
    """Cost of the accelerators that draw one GW of facility power, for a year, USD per GW-year."""
    gpus_per_gw = GW / 1e3 / np.asarray(kw_per_gpu, dtype=float)
    return gpus_per_gw * np.asarray(usd_per_gpu_hour) * HOURS_PER_YEAR


# --- the parameter record and the model -------------------------------------------------------

@dataclass(frozen=True)
class TrainingParams:
    """A training run and the prices it is costed at, validated on construction.

    Parameters
    ----------
    active_params : float or array
        Parameters used per token, count (> 0 unless ``training_flop`` is given).
    training_tokens : float or array
        Training tokens, count (>= 0; 0 = unknown, then ``training_flop`` is needed).
    training_flop : float or array
        Compute of the final run, FLOP (>= 0; 0 = derive as ``6 x active_params x training_tokens``).
    gpu : str
        Accelerator, a name in ``data/hardware`` with all technical specs.
    n_gpus : float or array
        Accelerators in the cluster, whole number > 0.
    mfu : float or array
        Model FLOP utilization, in (0, 1].
    price_per_gpu_hour : float or array
        Rental price, USD per accelerator-hour (> 0).
    gpu_price : float or array
        Purchase price of one accelerator, USD (>= 0; 0 = midpoint of ``data/hardware``).
    server_cost_factor : float or array
        Capital per accelerator including servers and network / accelerator price (>= 1).
    server_power_factor : float or array
        Server power per accelerator / board power (>= 1): host CPUs, memory, network.
    electricity_usd_per_kwh : float or array
        Electricity price, USD per kWh (> 0).
    pue : float or array
        Power usage effectiveness, facility / IT power, in [1, 3].
    depreciation_years : float or array
        Life over which owned hardware is written off, years (> 0).
    cost_of_capital : float or array
        Yearly interest on the capital tied up in owned hardware, in [0, 1).
    """

    active_params: float = 280e9
    training_tokens: float = 13e12
    training_flop: float = 2.15e25
    gpu: str = "A100 SXM"
    n_gpus: float = 25_000
    mfu: float = 0.34
    price_per_gpu_hour: float = 1.30
    gpu_price: float = 0.0
    server_cost_factor: float = 1.8
    server_power_factor: float = 1.8
    electricity_usd_per_kwh: float = 0.08
    pue: float = 1.2
    depreciation_years: float = 4.0
    cost_of_capital: float = 0.10
    _hardware: Accelerator = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        set_ = object.__setattr__
        hw = accelerator(self.gpu)
        set_(self, "_hardware", hw)
        set_(self, "active_params", check_number("active_params", self.active_params, ge=0))
        set_(self, "training_tokens", check_number("training_tokens", self.training_tokens, ge=0))
        set_(self, "training_flop", check_number("training_flop", self.training_flop, ge=0))
        derivable = np.asarray(self.active_params) * np.asarray(self.training_tokens) > 0
        missing = (np.asarray(self.training_flop) == 0) & ~derivable
        if np.any(missing):
            raise ParameterError("training_flop", 0, "> 0 when active_params or training_tokens is 0 "
                                 "(give the FLOP, or both the parameters and the tokens)")
        set_(self, "n_gpus", check_count("n_gpus", self.n_gpus))
        set_(self, "mfu", check_number("mfu", self.mfu, gt=0, le=1))
        set_(self, "price_per_gpu_hour", check_number("price_per_gpu_hour", self.price_per_gpu_hour, gt=0))
        set_(self, "gpu_price", check_number("gpu_price", self.gpu_price, ge=0))
        if np.any(np.asarray(self.gpu_price) == 0) and np.isnan(hw.purchase_price_usd):
            raise ParameterError("gpu_price", 0, f"> 0: data/hardware has no purchase price for {self.gpu}")
        set_(self, "server_cost_factor", check_number("server_cost_factor", self.server_cost_factor, ge=1))
        set_(self, "server_power_factor", check_number("server_power_factor", self.server_power_factor, ge=1))
        set_(self, "electricity_usd_per_kwh",
             check_number("electricity_usd_per_kwh", self.electricity_usd_per_kwh, gt=0))
        set_(self, "pue", check_number("pue", self.pue, ge=1, le=3))
        set_(self, "depreciation_years", check_number("depreciation_years", self.depreciation_years, gt=0))
        set_(self, "cost_of_capital", check_number("cost_of_capital", self.cost_of_capital, ge=0, lt=1))

    @property
    def hardware(self) -> Accelerator:
        """The accelerator's figures from ``data/hardware``."""
        return self._hardware

    @property
    def flop(self):
        """Training compute used by the model: ``training_flop``, or ``6 N D`` where it is 0, FLOP."""
        derived = training_flop(self.active_params, self.training_tokens)
        return scalar_or_array(np.where(np.asarray(self.training_flop) > 0, self.training_flop, derived))

    @property
    def unit_price(self):
        """Purchase price of one accelerator used by the model, USD."""
        listed = self.hardware.purchase_price_usd
        return scalar_or_array(np.where(np.asarray(self.gpu_price) > 0, self.gpu_price, listed))


@dataclass(frozen=True)
class TrainingResult:
    """Outputs of :func:`training_costs` (arrays of the parameters' broadcast shape).

    Attributes
    ----------
    training_flop : FLOP.
    gpu_hours : accelerator-hours.
    wall_clock_days : days on ``n_gpus`` accelerators.
    cloud_cost : USD, renting at ``price_per_gpu_hour``.
    owned_cost : USD, ownership (``owned_capital_cost + energy_cost``).
    owned_capital_cost, energy_cost : USD.
    energy_mwh : facility energy, MWh.
    cluster_power_mw : facility power of the cluster, MW.
    kw_per_gpu : facility power per accelerator, kW.
    capital_per_gpu_year : yearly capital charge per owned accelerator, USD.
    owned_cost_per_gpu_hour : USD per accelerator-hour, owned and fully used.
    cloud_cost_per_gw_year, owned_cost_per_gw_year : USD per GW-year of facility power.
    """

    training_flop: np.ndarray
    gpu_hours: np.ndarray
    wall_clock_days: np.ndarray
    cloud_cost: np.ndarray
    owned_cost: np.ndarray
    owned_capital_cost: np.ndarray
    energy_cost: np.ndarray
    energy_mwh: np.ndarray
    cluster_power_mw: np.ndarray
    kw_per_gpu: np.ndarray
    capital_per_gpu_year: np.ndarray
    owned_cost_per_gpu_hour: np.ndarray
    cloud_cost_per_gw_year: np.ndarray
    owned_cost_per_gw_year: np.ndarray


def training_costs(p: TrainingParams) -> TrainingResult:
    """FLOP, time, cost (rented and owned), energy and power of a training run.

    Parameters
    ----------
    p : TrainingParams
        Validated parameters; numeric fields may be arrays that broadcast together.

    Returns
    -------
    TrainingResult
        See its attributes for units. The ownership cost charges the run for its
        hours only (the hardware is assumed busy with other work the rest of its
        life), as in Epoch AI's amortized method; buildings and staff are excluded.
    """
    hw = p.hardware
    flop = p.flop
    hours = gpu_hours(flop, hw.peak_flops, p.mfu)
    kw = facility_kw_per_gpu(hw.board_power_w, p.server_power_factor, p.pue)
    capital = capital_cost_per_gpu_year(p.unit_price, p.server_cost_factor, p.depreciation_years, p.cost_of_capital)
    energy_hour = energy_cost_per_gpu_hour(kw, p.electricity_usd_per_kwh)
    owned_hour = owned_cost_per_gpu_hour(capital, energy_hour)
    capital_cost = hours * capital / HOURS_PER_YEAR
    energy_cost = hours * energy_hour
    fields = dict(
        training_flop=flop,
        gpu_hours=hours,
        wall_clock_days=hours / (np.asarray(p.n_gpus) * 24.0),
        cloud_cost=hours * p.price_per_gpu_hour,
        owned_cost=capital_cost + energy_cost,
        owned_capital_cost=capital_cost,
        energy_cost=energy_cost,
        energy_mwh=hours * kw / 1e3,
        cluster_power_mw=cluster_power_mw(p.n_gpus, hw.board_power_w, p.server_power_factor, p.pue),
        kw_per_gpu=kw,
        capital_per_gpu_year=capital,
        owned_cost_per_gpu_hour=owned_hour,
        cloud_cost_per_gw_year=cost_per_gw_year(p.price_per_gpu_hour, kw),
        owned_cost_per_gw_year=cost_per_gw_year(owned_hour, kw),
    )
    return TrainingResult(**broadcast_results(fields, p))


#: Numeric fields of :class:`TrainingParams` that :func:`run_cost_grid` can vary.
GRID_FIELDS = tuple(name for name, f in TrainingParams.__dataclass_fields__.items() if f.init and name != "gpu")


def _check_scalars(p: TrainingParams, varying) -> None:
    """Refuse a numeric field of ``p`` that is an array, except those in ``varying`` (the axes a function sets)."""
    for name in GRID_FIELDS:
        if name not in varying and np.ndim(getattr(p, name)) > 0:
            raise ParameterError(name, getattr(p, name), "a scalar (only the grid's axes vary)")


def run_cost_grid(p: TrainingParams, **axes) -> pd.DataFrame:
    """Cost of the final run, rented and owned, over a full grid of parameters, in one vectorised call.

    Feeds a chapter's what-if chart: every value the reader can pick is computed here.

    Parameters
    ----------
    p : TrainingParams
        Values of the parameters not on the grid; their numeric fields must be scalars.
    **axes : array-like
        One or more numeric fields of :class:`TrainingParams` (see ``GRID_FIELDS``)
        with the values to combine, in the field's unit (``mfu`` a share,
        ``price_per_gpu_hour`` USD, ``depreciation_years`` years...). Every grid
        point is validated like the record.

    Returns
    -------
    DataFrame
        One row per grid point and basis: the axes, ``basis`` (``"rented"``:
        accelerator-hours x ``price_per_gpu_hour``; ``"owned"``: the capital charge
        for the run's hours plus energy, as in :func:`training_costs`), ``usd`` (cost
        of the final run, USD) and ``gpu_hours`` (accelerator-hours).

    Raises
    ------
    ParameterError
        If an axis is not a numeric field, no axis is given, or a field of ``p``
        off the grid is an array.
    """
    if not axes:
        raise ParameterError("axes", axes, "at least one of: " + ", ".join(GRID_FIELDS))
    for name in axes:
        check_choice("grid axis", name, GRID_FIELDS)
    _check_scalars(p, axes)
    names = list(axes)
    mesh = np.meshgrid(*[np.asarray(axes[k], dtype=float) for k in names], indexing="ij")
    r = training_costs(replace(p, **dict(zip(names, mesh, strict=True))))
    n = mesh[0].size
    hours = np.broadcast_to(r.gpu_hours, mesh[0].shape).ravel()
    return pd.DataFrame({
        **{k: np.tile(m.ravel(), 2) for k, m in zip(names, mesh, strict=True)},
        "basis": np.repeat(["rented", "owned"], n),
        "usd": np.concatenate([np.ravel(r.cloud_cost), np.ravel(r.owned_cost)]),
        "gpu_hours": np.tile(hours, 2),
    })


def owned_cost_grid(p: TrainingParams, utilization, depreciation_years) -> pd.DataFrame:
    """Cost of a busy accelerator-hour on owned hardware over a grid of utilization and hardware life.

    The capital charge accrues every hour, busy or idle, and energy is paid when busy
    (:func:`owned_cost_per_gpu_hour`); prices, factors and cost of capital are ``p``'s.

    Parameters
    ----------
    p : TrainingParams
        The accelerator and the ownership assumptions (scalars).
    utilization : array
        Shares of hours the accelerator is busy, in (0, 1].
    depreciation_years : array
        Lives over which the hardware is written off, years (> 0).

    Returns
    -------
    DataFrame
        One row per life and utilization (life by life): ``depreciation_years``,
        ``utilization`` and ``usd_per_gpu_hour`` (USD per busy accelerator-hour).
    """
    util = np.asarray(utilization, dtype=float)
    life = np.asarray(depreciation_years, dtype=float)
    capital = capital_cost_per_gpu_year(p.unit_price, p.server_cost_factor, life[:, None], p.cost_of_capital)
    kw = facility_kw_per_gpu(p.hardware.board_power_w, p.server_power_factor, p.pue)
    usd = owned_cost_per_gpu_hour(capital, energy_cost_per_gpu_hour(kw, p.electricity_usd_per_kwh), util[None, :])
    return pd.DataFrame({"depreciation_years": np.repeat(life, len(util)), "utilization": np.tile(util, len(life)),
                         "usd_per_gpu_hour": usd.ravel()})


def gw_year_costs(p: TrainingParams) -> pd.DataFrame:
    """Cost of a gigawatt-year of compute on every usable accelerator of ``data/hardware``, rented and owned.

    Rented is the committed cloud price; owned is the capital charge and energy of
    :func:`training_costs` at full use, with ``p``'s prices and factors (its own
    accelerator is one of the rows, not a choice).

    Returns
    -------
    DataFrame
        ``accelerator`` (in the order of :func:`known_gpus`), ``basis`` (``"rented"``
        before ``"owned"``) and ``usd`` (USD per GW-year of facility power); an
        accelerator without a committed or purchase price has no row of that basis.
    """
    table = hardware_table()
    names = _usable(table)
    hw = table.loc[names]
    kw = facility_kw_per_gpu(hw.board_power_w.to_numpy(), p.server_power_factor, p.pue)
    capital = capital_cost_per_gpu_year(hw.purchase_price_usd.to_numpy(), p.server_cost_factor, p.depreciation_years,
                                        p.cost_of_capital)
    owned_hour = owned_cost_per_gpu_hour(capital, energy_cost_per_gpu_hour(kw, p.electricity_usd_per_kwh))
    usd = np.column_stack([cost_per_gw_year(hw.cloud_committed_usd_per_hour.to_numpy(), kw),
                           cost_per_gw_year(owned_hour, kw)])
    frame = pd.DataFrame({"accelerator": np.repeat(names, 2), "basis": np.tile(["rented", "owned"], len(names)),
                          "usd": usd.ravel()})
    return frame.dropna().reset_index(drop=True)


# --- the life of owned hardware: accounting against economic ----------------------------------

def fleet_capital_per_gw(gpu_price, server_cost_factor, kw_per_gpu):
    """Capital of the accelerators (with servers and network) that draw one GW of facility power, USD per GW.

    Parameters
    ----------
    gpu_price : float or array
        Purchase price of one accelerator, USD.
    server_cost_factor : float or array
        Capital per accelerator with servers and network / accelerator price (>= 1).
    kw_per_gpu : float or array
        Facility power per accelerator, kW (see :func:`facility_kw_per_gpu`).
    """
    gpus_per_gw = GW / 1e3 / np.asarray(kw_per_gpu, dtype=float)
    return gpus_per_gw * np.asarray(gpu_price, dtype=float) * server_cost_factor


def owned_cost_by_life(p: TrainingParams, depreciation_years) -> pd.DataFrame:
    """What owning costs over a range of hardware lives, in one vectorised call of :func:`training_costs`.

    Parameters
    ----------
    p : TrainingParams
        The run, the accelerator and the ownership assumptions; numeric fields must be scalars
        (its ``depreciation_years`` is replaced by the lives given).
    depreciation_years : array
        Lives over which the hardware is written off, years (> 0).

    Returns
    -------
    DataFrame
        One row per life: ``depreciation_years``, ``capital_per_gpu_year`` (yearly capital charge per
        accelerator at ``p``'s cost of capital, USD), ``owned_cost_per_gpu_hour`` (USD per accelerator-hour,
        fully used), ``owned_cost`` (the run, USD) and ``owned_cost_per_gw_year`` (USD per GW-year).

    Raises
    ------
    ParameterError
        If a life is not > 0 or a field of ``p`` is an array.
    """
    _check_scalars(p, ())
    life = np.atleast_1d(np.asarray(depreciation_years, dtype=float))
    r = training_costs(replace(p, depreciation_years=life))
    return pd.DataFrame({"depreciation_years": life, "capital_per_gpu_year": r.capital_per_gpu_year,
                         "owned_cost_per_gpu_hour": r.owned_cost_per_gpu_hour, "owned_cost": r.owned_cost,
                         "owned_cost_per_gw_year": r.owned_cost_per_gw_year})


def breakeven_life_years(capital_usd, energy_per_hour, rent_per_hour, cost_of_capital, utilization=1.0):
    """Shortest life over which an owned accelerator costs no more per busy hour than renting one, years.

    Solves ``capital x CRF(r, L) / (8766 u) + energy = rent`` for ``L`` (:func:`capital_recovery_factor`,
    :func:`owned_cost_per_gpu_hour`). The rent leaves a yearly charge of
    ``c = (rent - energy) x 8766 u / capital`` per USD of capital; straight-line depreciation
    (``r = 0``) needs ``L = 1 / c``, an annuity ``L = -ln(1 - r / c) / ln(1 + r)``.

    Parameters
    ----------
    capital_usd : float or array
        Capital per accelerator with its servers and network, USD.
    energy_per_hour : float or array
        Energy bill of a busy accelerator-hour, USD.
    rent_per_hour : float or array
        Rental price, USD per accelerator-hour.
    cost_of_capital : float or array
        Yearly interest on the capital, in [0, 1).
    utilization : float or array
        Share of hours the owned accelerator is busy, in (0, 1].

    Returns
    -------
    float or ndarray
        Years; ``inf`` where no life is long enough: the rent does not cover the energy, or the
        interest alone (``r >= c``) costs more than the rent leaves.
    """
    rate = np.asarray(cost_of_capital, dtype=float)
    room = (np.asarray(rent_per_hour, dtype=float) - energy_per_hour) * HOURS_PER_YEAR * np.asarray(utilization)
    c = room / np.asarray(capital_usd, dtype=float)
    positive = rate > 1e-9  # below it, the annuity is straight-line (as in capital_recovery_factor)
    feasible = (c > 0) & (~positive | (c > rate))
    safe_c = np.where(feasible, c, 1.0)
    safe_r = np.where(positive, rate, 0.5)
    annuity = -np.log1p(-np.where(feasible & positive, safe_r / safe_c, 0.0)) / np.log1p(safe_r)
    return scalar_or_array(np.where(feasible, np.where(positive, annuity, 1.0 / safe_c), np.inf))


def straight_line_depreciation(capital_usd, life_years, year):
    """Depreciation charged in year ``year`` on capital written off evenly over ``life_years``, USD.

    ``capital x (min(year, L) - min(year - 1, L)) / L``: ``capital / L`` in each whole year of the life,
    the matching fraction in the year a fractional life ends, 0 after it. Summed over the years of the
    life it is the capital.

    Parameters
    ----------
    capital_usd : float or array
        Capital written off, USD.
    life_years : float or array
        Years over which it is written off (> 0).
    year : int or array
        Year after purchase, 1 for the first (year ``k`` runs from ``k - 1`` to ``k`` years after it).
    """
    t = np.asarray(year, dtype=float)
    life = np.asarray(life_years, dtype=float)
    return np.asarray(capital_usd, dtype=float) * (np.clip(t, 0, life) - np.clip(t - 1, 0, life)) / life


def write_down(capital_usd, accounting_life_years, economic_life_years, year):
    """Book value written off at once in year ``year`` when hardware stops earning before it is written off, USD.

    Hardware depreciated over the accounting life ``La`` but retired at the end of its economic life
    ``Le < La`` still carries ``capital x (1 - Le / La)`` on the books; it is written off in the year
    the economic life ends (0 in every other year, and when ``Le >= La``).

    Parameters
    ----------
    capital_usd : float or array
        Capital of the hardware, USD.
    accounting_life_years, economic_life_years : float or array
        Life in the accounts and life over which the hardware earns, years (> 0).
    year : int or array
        Year after purchase, 1 for the first.
    """
    t = np.asarray(year, dtype=float)
    acc = np.asarray(accounting_life_years, dtype=float)
    econ = np.asarray(economic_life_years, dtype=float)
    ends = (t - 1 < econ) & (econ <= t) & (econ < acc)
    return np.where(ends, np.asarray(capital_usd, dtype=float) * (1 - econ / acc), 0.0)


def reported_depreciation(capital_usd, accounting_life_years, economic_life_years, year):
    """What the P&L charges in year ``year`` for hardware depreciated over one life and retired after another, USD.

    Straight-line depreciation over the accounting life while the hardware is in service (until the
    earlier of the two lives), plus the :func:`write_down` of its remaining book value when it is retired.
    Over all years it charges the capital, whatever the two lives. Parameters as :func:`write_down`.
    """
    acc = np.asarray(accounting_life_years, dtype=float)
    in_service = np.minimum(acc, economic_life_years)
    # Straight-line over the accounting life, cut at retirement: capital x in_service / La spread over in_service years.
    charged = np.asarray(capital_usd, dtype=float) * in_service / acc
    return (straight_line_depreciation(charged, in_service, year)
            + write_down(capital_usd, accounting_life_years, economic_life_years, year))


def fleet_depreciation(capital_usd: float, accounting_life_years: float, economic_life_years: float) -> pd.DataFrame:
    """A fleet bought at once, year by year: what the P&L charges for it against what it costs economically.

    Parameters
    ----------
    capital_usd : float
        Capital of the fleet, USD.
    accounting_life_years : float
        Life over which the accounts depreciate it, years (> 0).
    economic_life_years : float
        Life over which it earns, years (> 0): its economic cost is straight-line over this life.

    Returns
    -------
    DataFrame
        One row per year after purchase until both lives have ended (``year``, 1 for the first):
        ``depreciation`` (over the accounting life while in service), ``write_down`` (see
        :func:`write_down`), ``reported`` (their sum, what the P&L charges), ``economic``
        (straight-line over the economic life) and ``profit_overstated`` (``economic - reported``:
        how much higher reported profit is than the economic cost allows; negative in the year of the
        write-down), all USD. The columns ``reported`` and ``economic`` each sum to the capital.
    """
    acc = check_number("accounting_life_years", accounting_life_years, gt=0)
    econ = check_number("economic_life_years", economic_life_years, gt=0)
    years = np.arange(1, np.ceil(max(acc, econ)) + 1)
    dropped = write_down(capital_usd, acc, econ, years)
    reported = reported_depreciation(capital_usd, acc, econ, years)
    economic = straight_line_depreciation(capital_usd, econ, years)
    return pd.DataFrame({"year": years.astype(int), "depreciation": reported - dropped, "write_down": dropped,
                         "reported": reported, "economic": economic, "profit_overstated": economic - reported})


def generation_intervals() -> pd.DataFrame:
    """NVIDIA's data-centre GPU generations (``data/accelerator_launches``) with the years between them.

    Returns
    -------
    DataFrame
        In order of announcement: ``generation``, ``first_accelerator``, ``announced`` (the date),
        ``year`` (the date as a decimal year) and ``years_since_previous`` (years of 365.25 days,
        NaN for the first).

    Raises
    ------
    DataError
        If a generation's first accelerator is not in ``data/hardware`` or belongs to another
        generation in ``data/accelerator_generations``.
    """
    launches = data.load("accelerator_launches")
    known = generations()
    wrong = launches[launches.first_accelerator.map(known) != launches.generation]
    if len(wrong):
        row = wrong.iloc[0]
        raise DataError(f"bad data: data/accelerator_launches.csv: {row.first_accelerator} is not an accelerator of "
                        f"the {row.generation} generation in data/accelerator_generations")
    announced = pd.to_datetime(launches.date, format="mixed")
    order = np.argsort(announced.to_numpy(), kind="stable")
    launches, announced = launches.iloc[order].reset_index(drop=True), announced.iloc[order].reset_index(drop=True)
    days = (announced - pd.Timestamp("1970-01-01")).dt.days.to_numpy(dtype=float)
    return pd.DataFrame({"generation": launches.generation, "first_accelerator": launches.first_accelerator,
                         "announced": announced, "year": 1970 + days / 365.25,
                         "years_since_previous": np.r_[np.nan, np.diff(days) / 365.25]})


def generation_interval_years() -> float:
    """Mean years between NVIDIA's successive data-centre generations: span of the announcements / (generations - 1)."""
    return float(generation_intervals().years_since_previous.mean())


def current_server_lives() -> pd.DataFrame:
    """The latest useful life over which each company of ``data/server_lives`` depreciates its servers.

    Returns
    -------
    DataFrame
        One row per company, by company name: ``company``, ``effective`` (YYYY-MM), ``assets``,
        ``life_years`` (the life after the latest change, years) and ``source``.
    """
    lives = data.load("server_lives").sort_values(["company", "effective"])
    latest = lives.groupby("company", sort=True).tail(1)
    return latest.rename(columns={"life_after_years": "life_years"})[
        ["company", "effective", "assets", "life_years", "source"]].reset_index(drop=True)


# --- the models of data/models ------------------------------------------------------------------

def generations() -> pd.Series:
    """The chip generation of each accelerator of ``data/hardware`` (``data/accelerator_generations``).

    Returns
    -------
    Series
        Generation names (``"Ampere"``, ``"Hopper"``, ``"TPU v4"``...) indexed by accelerator.

    Raises
    ------
    DataError
        If an accelerator of ``data/hardware`` has no generation.
    """
    table = data.load("accelerator_generations").set_index("accelerator").generation
    missing = sorted(set(hardware_table().index) - set(table.index))
    if missing:
        raise DataError(f"bad data: data/accelerator_generations.csv: no generation for {', '.join(missing)}")
    return table


def _runs(m: pd.DataFrame, hw: pd.DataFrame) -> pd.DataFrame:
    """Each run of ``data/models`` with its compute, the peak it is measured against and its MFUs."""
    derived = pd.Series(training_flop(m.active_params, m.training_tokens), index=m.index)
    flop = m.training_flop.fillna(m.training_flop_low).fillna(derived)
    flop_source = np.select(
        [m.training_flop.notna() | m.training_flop_low.notna(), np.isfinite(derived)],
        [m.flop_basis.fillna("reported"), "6ND"], default="none")
    precision = m.precision.fillna(DEFAULT_PRECISION)
    spec = precision.map(PEAK_SPECS)
    peak = pd.Series([hw.at[g, s] if isinstance(g, str) else np.nan for g, s in zip(m.hardware, spec, strict=True)],
                     index=m.index, dtype=float)
    lacking = m.hardware.notna() & peak.isna()
    if lacking.any():
        row = m[lacking].iloc[0]
        raise DataError(f"bad data: data/hardware.csv: {row.hardware} has no {PEAK_SPECS[precision[row.name]]}, "
                        f"the peak of {row.model}'s {precision[row.name]} training")
    # The run's own MFU: reported (a range at its midpoint), else a reported throughput over the peak.
    own = m.mfu.fillna((m.mfu_low + m.mfu_high) / 2).fillna(
        pd.Series(achieved_mfu(m.achieved_flops, peak), index=m.index))
    # Reported accelerator-hours imply the MFU at which the run was billed, stalls and restarts included.
    implied = flop / (m.gpu_hours * 3600.0 * peak)
    return pd.DataFrame({"flop": flop, "flop_source": flop_source, "precision": precision, "peak_spec": spec,
                         "peak": peak, "generation": m.hardware.map(generations()), "own_mfu": own,
                         "implied_mfu": implied, "measured_mfu": implied.fillna(own)})


def _generation_mfus(runs: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """The median measured MFU of each generation and peak, and of all generations per peak (see below)."""
    usable = runs[runs.measured_mfu.notna() & runs.generation.notna() & (runs.flop_source != "lower bound")]
    usable = usable.assign(model=names[usable.index])
    pooled = usable.assign(generation=ALL_GENERATIONS)
    rows = [{"generation": g, "peak_spec": s, "mfu": float(one.measured_mfu.median()), "runs": len(one),
             "models": list(one.model)}
            for (g, s), one in pd.concat([usable, pooled]).groupby(["generation", "peak_spec"], sort=False)]
    return pd.DataFrame(rows, columns=["generation", "peak_spec", "mfu", "runs", "models"])


def generation_mfus() -> pd.DataFrame:
    """The MFU that the runs of ``data/models`` reach on each accelerator generation, per precision.

    A run's MFU is the one its reported accelerator-hours imply (compute over hours x the
    peak of its precision), else its reported MFU (a range at its midpoint), else its
    reported throughput over that peak. Each generation's figure is the median over its
    runs measured against the same peak (16-bit or FP8); a row with ``generation``
    :data:`ALL_GENERATIONS` pools every generation's runs of that peak.

    Returns
    -------
    DataFrame
        ``generation``, ``peak_spec`` (the spec of ``data/hardware`` the MFUs are shares of),
        ``mfu`` (the median, a share of peak), ``runs`` (how many runs) and ``models`` (their names).
    """
    m = data.load("models")
    return _generation_mfus(_runs(m, hardware_table()), m.model)


def _fallback(table: pd.DataFrame, generation, spec: str) -> tuple[float, str]:
    """The MFU of a generation and peak in ``table`` (:func:`generation_mfus`), and which row gave it."""
    for name, source in ((generation, "generation MFU"), (ALL_GENERATIONS, "all-generations MFU")):
        row = table[(table.generation == name) & (table.peak_spec == spec)].mfu
        if len(row):
            return float(row.iloc[0]), source
    return np.nan, "none"


def generation_mfu(gpu: str, precision: str = DEFAULT_PRECISION) -> float:
    """MFU assumed for a run on ``gpu`` in ``precision`` that reports none, a share of that precision's peak.

    The median of the runs of ``data/models`` on the same generation in the same precision
    (see :func:`generation_mfus`); where that generation has none, the median of the runs
    of every generation in that precision; NaN if there are none at all.

    Raises
    ------
    ParameterError
        If ``gpu`` is not in ``data/hardware`` or ``precision`` is not one of :data:`PEAK_SPECS`.
    """
    check_choice("gpu", gpu, tuple(hardware_table().index))
    check_choice("precision", precision, tuple(PEAK_SPECS))
    return _fallback(generation_mfus(), generations()[gpu], PEAK_SPECS[precision])[0]


def model_estimates(price_basis: str = "committed") -> pd.DataFrame:
    """Training compute, accelerator-hours and rental cost of every model in ``data/models``.

    Compute is the published figure, else ``6 N D``. Accelerator-hours are the reported
    ones, else compute / (peak x MFU), where the peak is that of the precision the model
    trained in (FP8 or 16-bit) on its hardware and the MFU is the model's own (reported,
    or a reported throughput over the peak), else its generation's (:func:`generation_mfu`).
    Cost is accelerator-hours times the ``price_basis`` cloud price of its hardware in
    ``data/hardware``, and only that price: a model whose hardware has none is not costed.
    It is a cloud-rental estimate at today's prices, in the spirit of Cottier et al. (2024),
    not what the developer paid.

    Parameters
    ----------
    price_basis : str
        ``committed`` or ``on_demand``.

    Returns
    -------
    DataFrame
        One row per model: ``model``, ``organization``, ``date``, ``training_flop`` (FLOP),
        ``flop_source`` (reported, estimate, lower bound, 6ND or none), ``hardware``, ``generation``,
        ``precision``, ``peak_flops`` (FLOP/s, the peak of that precision), ``hardware_quantity``,
        ``gpu_hours``, ``gpu_hours_source`` (reported, model MFU, generation MFU, all-generations MFU or
        none), ``mfu``
        (share of peak: the one the hours imply), ``implied_mfu`` (from reported accelerator-hours
        only), ``price_per_gpu_hour`` (USD), ``price_used`` (the basis, or none), ``cloud_cost`` (USD),
        ``reported_cost_usd`` and the table's other columns used here.
    """
    check_choice("price_basis", price_basis, PRICE_BASES)
    m = data.load("models")
    hw = hardware_table()
    runs = _runs(m, hw)
    table = _generation_mfus(runs, m.model)
    fallback = pd.DataFrame([_fallback(table, g, s) for g, s in zip(runs.generation, runs.peak_spec, strict=True)],
                            index=m.index, columns=["mfu", "source"])
    hours = m.gpu_hours.fillna(gpu_hours(runs.flop, runs.peak, runs.own_mfu.fillna(fallback.mfu)))
    hours_source = np.select([m.gpu_hours.notna(), runs.own_mfu.notna() & hours.notna(), hours.notna()],
                             ["reported", "model MFU", fallback.source], default="none")
    # Only the basis's own column is read: a model on hardware without that price stays uncosted.
    price = m.hardware.map(hw[_PRICE_COLUMNS[price_basis]])
    return pd.DataFrame({
        "model": m.model, "organization": m.organization, "date": m.date,
        "training_flop": runs.flop, "flop_source": runs.flop_source, "hardware": m.hardware,
        "generation": runs.generation, "precision": runs.precision.where(m.hardware.notna()), "peak_flops": runs.peak,
        "hardware_quantity": m.hardware_quantity, "gpu_hours": hours, "gpu_hours_source": hours_source,
        "mfu": runs.flop / (hours * 3600.0 * runs.peak), "implied_mfu": runs.implied_mfu,
        "price_per_gpu_hour": price, "price_used": np.where(price.notna(), price_basis, "none"),
        "cloud_cost": hours * price, "reported_cost_usd": m.reported_cost_usd, "active_params": m.active_params,
        "total_params": m.total_params, "kv_bytes_per_token": m.kv_bytes_per_token,
    })
