"""Cohort accounting: every model generation treated as a company of its own.

Generation ``k = 0..K-1`` costs ``C_k = C_0 g^k`` to train, spent in year
``first_year + k * generation_interval_years``. It earns lifetime revenue
``m C_k``, spread over ``revenue_years`` starting the year after training, and
serving it costs ``(1 - gamma)`` of that revenue (``gamma`` is the gross margin).
The conventional P&L of the lab in a year is gross profit of all models in
service minus that year's training spend; the cohort P&L of a generation is its
lifetime gross profit minus its training cost (Amodei's "each model is a
company", Cheeky Pint podcast with John Collison, 2025).

Judged as investments (:func:`time_value`), a generation's cash is its training cost
in its training year and then its gross profit in each revenue year, the lab's is its
annual profit; both are discounted at a yearly cost of capital to the first year, and
each gets a net present value, an internal rate of return and a payback year.

Numeric parameters may be numpy arrays (they broadcast together), so one call
evaluates many scenarios; so may the generation at which costs plateau or models
stop improving (integer arrays). The other structural parameters (generations,
years, scenario) are scalars.
"""

from dataclasses import dataclass, replace
from functools import cached_property, partial

import numpy as np
import pandas as pd

from labecon_core.errors import ParameterError
from labecon_core.validation import MAX_AMOUNT, check_choice, check_int, check_number

SCENARIOS = ("continue", "plateau", "overhang")


@dataclass(frozen=True)
class CohortParams:
    """Parameters of the cohort model, validated on construction.

    Parameters
    ----------
    first_training_cost : float or array
        Training cost of generation 0, USD (> 0).
    first_year : int
        Calendar year in which generation 0 is trained.
    cost_growth : float or array
        Factor by which training cost grows from one generation to the next (> 0).
    revenue_multiple : float or array
        Lifetime revenue of a generation as a multiple of its training cost (>= 0).
    gross_margin : float or array
        Share of revenue left after the cost of serving it (<= 1; below 0 where serving
        costs more than the revenue it brings, as for a lab whose free users outnumber its
        paying ones).
    generations : int
        Number of generations trained while scaling (>= 1).
    revenue_years : int
        Years over which a generation earns its revenue, from the year after training (>= 1).
    scenario : str
        ``continue`` (costs keep growing), ``plateau`` (from ``plateau_generation`` on,
        each generation costs the same) or ``overhang`` (generation
        ``overhang_generation`` earns only ``overhang_multiple`` and is the last).
    plateau_generation : int or array of int
        First generation whose cost no longer grows (used by ``plateau``), in
        ``0..generations-1``; an array broadcasts with the numeric parameters.
    overhang_generation : int or array of int
        The generation at which models stop improving (used by ``overhang``), in
        ``0..generations-1``; an array broadcasts with the numeric parameters, and
        the result then covers the most generations (and years) any scenario trains
        (see :func:`cohort_model`).
    overhang_multiple : float or array
        Revenue multiple of that last generation (>= 0).
    generation_interval_years : int
        Years between two generations (>= 1).
    revenue_decay : float or array
        Yearly fall of a generation's revenue within its life, in [0, 1): 0 is flat,
        0.5 halves it each year; weights are normalized so lifetime revenue stays ``m C_k``.
    horizon_years : int
        Years in the annual P&L; 0 = automatic: the training years (``continue``,
        ``plateau``), or through the end of the last model's revenue (``overhang``).
        Years past the last training year assume no further training.
    """

    first_training_cost: float = 100e6
    first_year: int = 2023
    cost_growth: float = 10.0
    revenue_multiple: float = 2.0
    gross_margin: float = 1.0
    generations: int = 3
    revenue_years: int = 1
    scenario: str = "continue"
    plateau_generation: int = 2
    overhang_generation: int = 2
    overhang_multiple: float = 0.5
    generation_interval_years: int = 1
    revenue_decay: float = 0.0
    horizon_years: int = 0

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "first_training_cost", check_number("first_training_cost", self.first_training_cost, gt=0))
        set_(self, "first_year", check_int("first_year", self.first_year, ge=1900, le=2200))
        set_(self, "cost_growth", check_number("cost_growth", self.cost_growth, gt=0))
        set_(self, "revenue_multiple", check_number("revenue_multiple", self.revenue_multiple, ge=0))
        set_(self, "gross_margin", check_number("gross_margin", self.gross_margin, le=1))
        set_(self, "generations", check_int("generations", self.generations, ge=1, le=100))
        set_(self, "revenue_years", check_int("revenue_years", self.revenue_years, ge=1, le=50))
        check_choice("scenario", self.scenario, SCENARIOS)
        last = self.generations - 1
        if self.scenario == "plateau":
            set_(self, "plateau_generation", _check_generation("plateau_generation", self.plateau_generation, last))
        if self.scenario == "overhang":
            set_(self, "overhang_generation", _check_generation("overhang_generation", self.overhang_generation, last))
        set_(self, "overhang_multiple", check_number("overhang_multiple", self.overhang_multiple, ge=0))
        set_(self, "generation_interval_years",
             check_int("generation_interval_years", self.generation_interval_years, ge=1, le=20))
        set_(self, "revenue_decay", check_number("revenue_decay", self.revenue_decay, ge=0, lt=1))
        set_(self, "horizon_years", check_int("horizon_years", self.horizon_years, ge=0, le=200))
        self._check_finite()

    def _check_finite(self) -> None:
        # The dearest generation's cost, and the revenue it brings, must stay below MAX_AMOUNT: every
        # later sum (a year's profit, cumulative cash) is then finite.
        with np.errstate(divide="ignore"):
            dearest = (np.log10(self.first_training_cost) + (self.generations - 1) * np.log10(self.cost_growth)
                       + np.log10(np.maximum(self.revenue_multiple, 1.0)))
        bad = np.broadcast_to(dearest > np.log10(MAX_AMOUNT), np.broadcast_shapes(
            np.shape(dearest), np.shape(self.cost_growth)))
        if np.any(bad):
            growth = np.broadcast_to(self.cost_growth, bad.shape)[bad].flat[0]
            raise ParameterError("cost_growth", float(growth),
                                 f"a growth that keeps the dearest of {self.generations} generations, and the "
                                 f"revenue it brings, below {MAX_AMOUNT:g} USD (with first_training_cost and "
                                 f"revenue_multiple as given)")

    @property
    def trained_generations(self) -> int:
        """Generations actually trained: the overhang ending stops at ``overhang_generation`` (its largest value)."""
        return int(np.max(self.overhang_generation)) + 1 if self.scenario == "overhang" else self.generations


def _check_generation(name: str, value, last: int):
    """A generation index in ``0..last``: a whole number (returned as given) or an array of them (as integers)."""
    if np.ndim(value) == 0:
        check_int(name, value, ge=0, le=last)
        return value
    arr = np.asarray(value)
    if arr.dtype.kind not in "iuf":
        raise ParameterError(name, value, "a whole number")
    whole = arr == np.round(arr) if arr.dtype.kind == "f" else np.ones(arr.shape, dtype=bool)
    if not whole.all():
        raise ParameterError(name, arr[~whole][0].item(), "a whole number")
    inside = (arr >= 0) & (arr <= last)
    if not inside.all():
        raise ParameterError(name, arr[~inside][0].item(), f"a whole number >= 0 and <= {last}")
    return arr.astype(np.intp)


@dataclass(frozen=True)
class CohortResult:
    """Outputs of :func:`cohort_model`; arrays have the parameters' broadcast shape first.

    The model's arrays hold their year (or generation) axis first in memory: they are views,
    not C-ordered, where the parameters are arrays.

    Attributes
    ----------
    years : ndarray of int, shape (T,)
        Calendar years of the annual P&L.
    revenue, serving_cost, training_spend, profit : ndarray, shape (..., T)
        Annual amounts, USD. ``profit = revenue - serving_cost - training_spend``.
    cumulative_cash : ndarray, shape (..., T)
        Cumulative profit, USD (computed when first read).
    generation_years : ndarray of int, shape (K,)
        Year in which each generation is trained.
    training_cost, cohort_revenue, cohort_pnl : ndarray, shape (..., K)
        Per generation, USD: training cost, lifetime revenue, lifetime gross profit
        minus training cost.
    """

    years: np.ndarray
    revenue: np.ndarray
    serving_cost: np.ndarray
    training_spend: np.ndarray
    profit: np.ndarray
    generation_years: np.ndarray
    training_cost: np.ndarray
    cohort_revenue: np.ndarray
    cohort_pnl: np.ndarray

    @cached_property
    def cumulative_cash(self) -> np.ndarray:
        """Cumulative profit by year, USD, shape (..., T)."""
        return np.cumsum(self.profit, axis=-1)

    @property
    def peak_funding_need(self) -> np.ndarray:
        """Deepest cumulative cash deficit over the horizon, USD (0 if cash never goes negative)."""
        return np.maximum(0.0, -self.cumulative_cash.min(axis=-1))

    @property
    def first_profitable_year(self) -> np.ndarray:
        """First year with positive annual profit; NaN where there is none in the horizon."""
        return _first_year_where(self.years, self.profit > 0)

    @property
    def break_even_year(self) -> np.ndarray:
        """First year from which cumulative cash is >= 0 for the rest of the horizon, after a deficit; NaN if none."""
        return _first_year_where(self.years, _recovered(self.cumulative_cash))


def _recovered(cash: np.ndarray) -> np.ndarray:
    """Where cumulative ``cash`` (..., T) is >= 0 from that year to the end, after a deficit in an earlier year."""
    # Non-negative from year t to the end: reverse cumulative AND.
    ok_to_end = np.flip(np.logical_and.accumulate(np.flip(cash >= 0, axis=-1), axis=-1), axis=-1)
    had_deficit = np.logical_or.accumulate(cash < 0, axis=-1)
    deficit_before = np.roll(had_deficit, 1, axis=-1) & (np.arange(cash.shape[-1]) > 0)
    return ok_to_end & deficit_before


def _first_year_where(years: np.ndarray, mask: np.ndarray) -> np.ndarray:
    idx = np.argmax(mask, axis=-1)
    return np.where(mask.any(axis=-1), years[idx], np.nan)


def _revenue_profile(p: CohortParams) -> np.ndarray:
    """Share of a generation's lifetime revenue earned in each of its revenue years: shape (..., R)."""
    decay = np.asarray(p.revenue_decay, dtype=float)[..., None]
    profile = (1.0 - decay) ** np.arange(p.revenue_years)
    return profile / profile.sum(axis=-1, keepdims=True)


def cohort_model(p: CohortParams) -> CohortResult:
    """Annual (conventional) and per-generation (cohort) P&L of a lab.

    Parameters
    ----------
    p : CohortParams
        Validated parameters; numeric fields may be arrays that broadcast together.

    Returns
    -------
    CohortResult
        Annual revenue, serving cost, training spend, profit and cumulative cash,
        and per-generation training cost, revenue and cohort P&L, all in USD. With
        an array of overhang generations, the ``K`` generations are the most any
        scenario trains (and an automatic horizon runs to the end of the latest
        one's revenue); a scenario's generations after its own, and its years after
        its last revenue, are zero.

    Notes
    -----
    With one revenue year, constant growth and the ``continue`` ending, profit in
    the year after generation ``k`` is trained is ``C_k (gamma m - g)``: the lab
    is profitable while scaling iff ``gamma m > g``, and each cohort iff ``gamma m > 1``.
    """
    n_gen = p.trained_generations
    # The generation the ending acts at; the ending's field only where it is used (and validated).
    wall = {"plateau": p.plateau_generation, "overhang": p.overhang_generation}.get(p.scenario, n_gen)
    c0, g, m, gm, om, _, wall = np.broadcast_arrays(
        p.first_training_cost, p.cost_growth, p.revenue_multiple, p.gross_margin, p.overhang_multiple,
        p.revenue_decay, wall,
    )
    # Arrays are built with the generation (or year) axis first, so that every step runs along the
    # scenarios, laid out one after the other, and in place where it can (the same values, fewer and
    # faster temporaries); they are returned with that axis last.
    k = np.arange(n_gen).reshape(-1, *[1] * g.ndim)
    exponent = np.minimum(k, wall) if p.scenario == "plateau" else k
    # float_power calls pow for every exponent; power squares g for an exponent of 2 shared along its loop,
    # which can round differently in the last bit.
    cost = np.float_power(g, exponent)  # (K, ...)
    cost *= c0
    multiples = m
    if p.scenario == "overhang":
        # Where the overhang generation varies, the generations after a scenario's are not trained: no cost, no revenue.
        multiples = np.where(k < wall, m, np.where(k == wall, om, 0.0))
        np.copyto(cost, 0.0, where=k > wall)
    cohort_revenue = multiples * cost

    step = p.generation_interval_years
    if p.horizon_years:
        n_years = p.horizon_years
    elif p.scenario == "overhang":
        n_years = (n_gen - 1) * step + p.revenue_years + 1  # through the last model's revenue
    else:
        n_years = (p.generations - 1) * step + 1
    # Generation k is trained in year k D and earns profile[j] of its revenue in year k D + 1 + j: both are
    # every D-th year, so each goes in as a strided slice of the generations within the horizon (revenue from
    # the last revenue year back, so that each year adds its generations oldest first).
    training_spend = np.zeros((n_years, *g.shape))
    trained = min(n_gen, (n_years - 1) // step + 1)
    training_spend[: trained * step : step] = cost[:trained]
    revenue = np.zeros((n_years, *g.shape))
    profile = np.moveaxis(_revenue_profile(p), -1, 0)  # (R, ...)
    for j in reversed(range(min(p.revenue_years, n_years - 1))):
        earning = min(n_gen, (n_years - 2 - j) // step + 1)
        revenue[1 + j : 1 + j + earning * step : step] += profile[j] * cohort_revenue[:earning]
    serving = (1.0 - gm) * revenue
    profit = revenue - serving
    profit -= training_spend
    cohort_pnl = gm * cohort_revenue
    cohort_pnl -= cost
    last = partial(np.moveaxis, source=0, destination=-1)
    return CohortResult(
        years=p.first_year + np.arange(n_years),
        revenue=last(revenue),
        serving_cost=last(serving),
        training_spend=last(training_spend),
        profit=last(profit),
        generation_years=p.first_year + step * np.arange(n_gen),
        training_cost=last(cost),
        cohort_revenue=last(cohort_revenue),
        cohort_pnl=last(cohort_pnl),
    )


def profitable_while_scaling(gross_margin, revenue_multiple, cost_growth):
    """Whether the lab's annual profit is positive while costs keep growing: ``gamma m > g``.

    Holds exactly for one revenue year and a generation a year (see :func:`cohort_model`).
    """
    return np.asarray(gross_margin) * np.asarray(revenue_multiple) > np.asarray(cost_growth)


def condition_factor(gross_margin, revenue_multiple, cost_growth=1.0):
    """How far ``gamma m`` is from ``g``: the larger of the two over the smaller (a factor, >= 1).

    Read with :func:`profitable_while_scaling` for the side of the line: where ``gamma m > g``
    holds, ``gamma m`` exceeds ``g`` by this factor; where it fails, it falls short of ``g`` by it.

    Parameters
    ----------
    gross_margin : float or array
        Share of revenue left after serving it, in [0, 1].
    revenue_multiple : float or array
        Lifetime revenue of a generation / its training cost (>= 0).
    cost_growth : float or array
        Growth of training cost per generation (> 0); 1 for a single cohort (``gamma m > 1``).

    Returns
    -------
    float or ndarray
        The factor (dimensionless): 1 on the line ``gamma m = g``, ``inf`` where ``gamma m = 0``.
    """
    gm = np.asarray(gross_margin, dtype=float) * np.asarray(revenue_multiple, dtype=float)
    g = np.asarray(cost_growth, dtype=float)
    safe = np.where(gm > 0, gm, 1.0)
    with np.errstate(over="ignore"):  # a factor beyond the largest float is inf, like gamma m = 0
        return np.where(gm > 0, np.maximum(safe / g, g / safe), np.inf)[()]


def steady_scaling_profit(p: CohortParams, years: int) -> np.ndarray:
    """The lab's annual profit in closed form while it keeps scaling, USD, shape (..., years).

    With revenue earned in the year after training, a generation a year and constant growth,
    year 0 only pays for generation 0 and every later year earns last year's model's gross profit
    and pays for this year's: ``pi_0 = -C_0`` and ``pi_t = gamma m C_{t-1} - C_t = C_{t-1} (gamma m - g)``.
    :func:`cohort_model` gives the same profits for ``scenario="continue"``, ``revenue_years=1`` and
    ``generation_interval_years=1``; the other fields of ``p`` are not used here.

    Parameters
    ----------
    p : CohortParams
        Its first training cost (USD), cost growth, revenue multiple and gross margin (arrays broadcast).
    years : int
        Years of profit to return (>= 1).

    Returns
    -------
    ndarray
        ``pi_0, ..., pi_{years-1}``, USD a year.
    """
    n = check_int("years", years, ge=1)
    c0, g, m, gamma = (np.asarray(x, dtype=float)[..., None] for x in
                       (p.first_training_cost, p.cost_growth, p.revenue_multiple, p.gross_margin))
    t = np.arange(n)
    earlier_cost = c0 * g ** np.maximum(t - 1, 0)  # C_{t-1}, from year 1 on
    return np.where(t == 0, -c0, earlier_cost * (gamma * m - g))


def profit_growth(p: CohortParams) -> np.ndarray:
    """Factor by which each year's profit (or loss) is multiplied from the third year on, in the closed form.

    ``pi_t / pi_{t-1} = C_{t-1} / C_{t-2} = g`` for ``t >= 2`` (:func:`steady_scaling_profit`): the profit
    keeps its sign and grows with the training cost. Year 1 over year 0 is ``g - gamma m`` instead.

    Returns
    -------
    float or ndarray
        The factor (dimensionless); NaN where ``gamma m = g`` (every year after the first breaks even).
    """
    profit = steady_scaling_profit(p, 3)
    previous, latest = profit[..., 1], profit[..., 2]
    return np.divide(latest, previous, out=np.full(np.shape(previous), np.nan), where=previous != 0)[()]


def breakeven_gross_margin(revenue_multiple, cost_growth=1.0):
    """Gross margin at which ``gamma m = g``: ``1 / m`` for a cohort (``g = 1``), ``g / m`` for a company scaling.

    Parameters
    ----------
    revenue_multiple : float or array
        Lifetime revenue of a generation / its training cost (>= 0).
    cost_growth : float or array
        Growth of training cost per generation (> 0); 1 for a single cohort.

    Returns
    -------
    float or ndarray
        The margin, a share; above 1 no margin reaches it, ``inf`` where the multiple is 0.
    """
    m = np.asarray(revenue_multiple, dtype=float)
    return np.where(m > 0, np.asarray(cost_growth, dtype=float) / np.where(m > 0, m, 1.0), np.inf)[()]


def breakeven_revenue_multiple(gross_margin, cost_growth=1.0):
    """Revenue multiple at which ``gamma m = g``: the line ``m = g / gamma`` (``g = 1`` for a single cohort).

    Parameters
    ----------
    gross_margin : float or array
        Share of revenue left after serving it, in [0, 1].
    cost_growth : float or array
        Growth of training cost per generation (> 0); 1 for a single cohort.

    Returns
    -------
    float or ndarray
        The multiple; ``inf`` where the margin is 0 (no multiple is enough).
    """
    gm = np.asarray(gross_margin, dtype=float)
    return np.where(gm > 0, np.asarray(cost_growth, dtype=float) / np.where(gm > 0, gm, 1.0), np.inf)[()]


def margin_sweep(p: CohortParams, gross_margin) -> pd.DataFrame:
    """Both views' totals over gross margins, in one vectorized model call; other parameters as in ``p``.

    Returns
    -------
    DataFrame
        One row per margin: ``gross_margin``, ``cohort_pnl_sum_usd`` (the generations'
        lifetime profits added up, USD) and ``final_cash_usd`` (cumulative cash at the end of
        the horizon, USD).
    """
    gm = np.asarray(gross_margin, dtype=float)
    r = cohort_model(replace(p, gross_margin=gm))
    return pd.DataFrame({"gross_margin": gm, "cohort_pnl_sum_usd": r.cohort_pnl.sum(axis=-1),
                         "final_cash_usd": r.cumulative_cash[..., -1]})


# --- Time value of money: each generation, and the lab, as an investment ----------------------------------
# Cash of a year counts as received at one moment, a whole number of years after the base year: the first
# year of the model (generation 0's training year), to which every value is discounted.


def generation_cash_flows(p: CohortParams, result: CohortResult) -> np.ndarray:
    """Each generation's cash, year by year over its life, USD: shape (..., K, R + 1).

    Column 0 is the generation's training year (``result.generation_years[k]``) and holds minus its
    training cost; column ``j`` (``j = 1..R``, ``R = revenue_years``) is the year ``j`` years after it
    and holds its lifetime gross profit (revenue less the cost of serving it, ``cohort_pnl +
    training_cost``) times the share of its revenue earned that year. The columns add up to
    ``result.cohort_pnl``. A generation the scenario does not train (after an overhang generation
    given as an array) has no cash.

    Parameters
    ----------
    p : CohortParams
        The parameters ``result`` was computed with (its revenue years and decay time the revenue).
    result : CohortResult
        The output of :func:`cohort_model` for ``p``.

    Returns
    -------
    ndarray
        Cash by generation and year of its life, USD (negative: spent).
    """
    gross = result.cohort_pnl + result.training_cost
    earned = gross[..., None] * _revenue_profile(p)[..., None, :]
    spent = np.broadcast_to(-result.training_cost[..., None], (*earned.shape[:-1], 1))
    return np.concatenate([spent, earned], axis=-1)


def net_present_value(flows, discount_rate, start=0):
    """Value at the base year of cash received year by year: ``sum_t x_t (1 + r)^-(start + t)``.

    Parameters
    ----------
    flows : array, shape (..., T)
        Cash by year, USD (negative: spent).
    discount_rate : float or array
        Yearly rate ``r`` (0.15 is 15% a year), > -1; broadcasts with ``flows[..., 0]``.
    start : int or array of int
        Years from the base year to the year of ``flows[..., 0]`` (>= 0); broadcasts with ``flows[..., 0]``.

    Returns
    -------
    float or ndarray
        The NPV, USD of the base year; at a rate of 0, the sum of the flows.
    """
    rate = np.asarray(check_number("discount_rate", discount_rate, gt=-1), dtype=float)
    x = np.asarray(flows, dtype=float)
    years = np.asarray(start)[..., None] + np.arange(x.shape[-1])
    return (x * np.power(1.0 + rate[..., None], -years.astype(float))).sum(axis=-1)[()]


def internal_rate_of_return(flows):
    """The yearly rate at which the NPV of cash received year by year is zero: the internal rate of return.

    Defined where the flows are an investment: they change sign once, from spending to earning (one or
    more negative flows, then one or more positive ones; zeros anywhere), as a generation's do when it
    earns a positive gross profit. The NPV is then a decreasing function of the rate and is zero at
    exactly one rate above -100% (Descartes' rule of signs on the polynomial in ``1 / (1 + r)``), which
    does not depend on the unit of the flows or the year they are discounted to. Elsewhere there is no
    rate (NaN): without a positive flow (a generation with a margin or a multiple of zero or below) or a
    negative one, no rate sets the NPV to zero; with more than one sign change, several rates can.

    With two flows, a cost ``N`` in year ``a`` and a gain ``P`` in year ``b > a``, the rate is in closed
    form, ``(P / N)^(1 / (b - a)) - 1``: for a generation earning all its revenue the year after
    training, ``gamma m - 1`` (exactly 100% a year in the podcast's cartoon, ``m = 2`` and
    ``gamma = 1``). Otherwise it is found by bisection on ``u = ln(1 + r)`` between two bounds that hold
    the root: with the spending ``N`` from year ``a1`` to ``a2`` and the gains ``P`` from ``b1`` to
    ``b2``, the root lies between ``ln(P / N) / (b2 - a1)`` and ``ln(P / N) / (b1 - a2)``; the bisection
    runs until the bounds are adjacent floats.

    Parameters
    ----------
    flows : array, shape (..., T)
        Cash by year, any currency (negative: spent).

    Returns
    -------
    float or ndarray
        The rate, a yearly share (1.0 is 100% a year), > -1; NaN where the flows are not an investment.
    """
    x = np.asarray(flows, dtype=float)
    n = x.shape[-1]
    t = np.arange(n)
    spent, earned = x < 0, x > 0
    a1, a2 = np.where(spent, t, n).min(axis=-1), np.where(spent, t, -1).max(axis=-1)
    b1, b2 = np.where(earned, t, n).min(axis=-1), np.where(earned, t, -1).max(axis=-1)
    defined = spent.any(axis=-1) & earned.any(axis=-1) & (a2 < b1)
    cost = np.where(defined, np.where(spent, -x, 0.0).sum(axis=-1), 1.0)
    gain = np.where(defined, np.where(earned, x, 0.0).sum(axis=-1), 1.0)
    narrowest, widest = np.where(defined, b1 - a2, 1), np.where(defined, b2 - a1, 1)
    log_ratio = np.log(gain) - np.log(cost)
    ends = log_ratio / widest, log_ratio / narrowest
    lo, hi = np.minimum(*ends), np.maximum(*ends)
    # The NPV's sign at u, from terms scaled by the largest (no overflow at any rate): times (1 + r)^a2 it
    # is a sum of terms each decreasing in u, so the sign turns from + to - once, at the root.
    with np.errstate(divide="ignore"):
        log_size = np.where(defined[..., None] & (x != 0), np.log(np.abs(x)), -np.inf)
    log_size = np.where(defined[..., None], log_size, 0.0)
    sign, lag = np.sign(x), t - np.where(defined, a2, 0)[..., None]
    for _ in range(200):  # about 60 halvings bring any bracket to adjacent floats
        mid = 0.5 * (lo + hi)
        moving = (lo < mid) & (mid < hi)  # a bracket of adjacent floats stays as it is
        if not moving.any():
            break
        exponent = log_size - mid[..., None] * lag
        exponent -= exponent.max(axis=-1, keepdims=True)
        positive = (sign * np.exp(exponent)).sum(axis=-1) > 0
        lo, hi = np.where(moving & positive, mid, lo), np.where(moving & ~positive, mid, hi)
    two_flows = (a1 == a2) & (b1 == b2)
    rate = np.where(two_flows, np.power(gain / cost, 1.0 / narrowest) - 1.0, np.expm1(0.5 * (lo + hi)))
    return np.where(defined, rate, np.nan)[()]


def payback_index(flows, discount_rate=0.0):
    """Position of the payback year in ``flows``: from it on, cumulative cash stays >= 0 to the end.

    The payback year is the first year whose cumulative cash (discounted at ``discount_rate``; 0 counts
    it undiscounted) is >= 0 and stays >= 0 in every later year of ``flows``, after a deficit in an
    earlier year. Cash that turns non-negative and falls back below zero before the end has not paid
    back. For one spending followed by gains (a generation) cumulative cash only rises after the first
    year, so this is also the first year it reaches zero. Discounting multiplies each year's
    cumulative cash by a positive factor, so the discounted payback year does not depend on the base year.

    Parameters
    ----------
    flows : array, shape (..., T)
        Cash by year (negative: spent).
    discount_rate : float or array
        Yearly rate (> -1); broadcasts with ``flows[..., 0]``.

    Returns
    -------
    float or ndarray
        The position (0 is the year of ``flows[..., 0]``); NaN where cash is never negative, or never
        recovers for good within ``flows``.
    """
    rate = np.asarray(check_number("discount_rate", discount_rate, gt=-1), dtype=float)
    x = np.asarray(flows, dtype=float)
    positions = np.arange(x.shape[-1])
    cash = np.cumsum(x * np.power(1.0 + rate[..., None], -positions.astype(float)), axis=-1)
    return _first_year_where(positions, _recovered(cash))[()]


@dataclass(frozen=True)
class TimeValue:
    """Outputs of :func:`time_value`; arrays have the parameters' and the rate's broadcast shape first.

    Attributes
    ----------
    discount_rate : float or ndarray
        The yearly cost of capital the values are discounted at (0.15 is 15% a year).
    base_year : int
        The year every value is discounted to: the model's first year, in which generation 0 is trained.
    generation_npv : ndarray, shape (..., K)
        NPV of each generation's cash over its whole life (:func:`generation_cash_flows`), USD of the
        base year; 0 for a generation the scenario does not train.
    generation_irr : ndarray, shape (..., K)
        Internal rate of return of each generation, a yearly share; NaN where it earns no gross profit
        (or is not trained), see :func:`internal_rate_of_return`.
    generation_payback_year, generation_discounted_payback_year : ndarray, shape (..., K)
        Calendar year from which the generation's cumulative cash, undiscounted or discounted, stays
        >= 0 (:func:`payback_index`); NaN where it never does.
    lab_npv : ndarray, shape (...)
        NPV of the lab's annual profits over the years of its P&L (``result.years``), USD of the base
        year. Cash after the last of these years (the revenue of the last models, with the automatic
        horizon of a lab that keeps scaling) is not counted; over a horizon that holds every
        generation's life, it is the sum of ``generation_npv``.
    lab_irr : ndarray, shape (...)
        Internal rate of return of the annual profits, a yearly share; NaN where they never turn
        positive or change sign more than once.
    lab_payback_year, lab_discounted_payback_year : ndarray, shape (...)
        Calendar year from which the lab's cumulative cash, undiscounted (``result.break_even_year``) or
        discounted, stays >= 0 to the end of the horizon; NaN where it does not.
    """

    discount_rate: float | np.ndarray
    base_year: int
    generation_npv: np.ndarray
    generation_irr: np.ndarray
    generation_payback_year: np.ndarray
    generation_discounted_payback_year: np.ndarray
    lab_npv: np.ndarray
    lab_irr: np.ndarray
    lab_payback_year: np.ndarray
    lab_discounted_payback_year: np.ndarray


def time_value(p: CohortParams, result: CohortResult, discount_rate) -> TimeValue:
    """NPV, internal rate of return and payback year of each generation and of the lab.

    A generation's cash is its training cost, spent in its training year, then its gross profit in
    each of its revenue years (:func:`generation_cash_flows`); the lab's cash is its annual profit in
    each year of the P&L. Every value is discounted to the model's first year.

    Parameters
    ----------
    p : CohortParams
        The parameters ``result`` was computed with.
    result : CohortResult
        The output of :func:`cohort_model` for ``p``.
    discount_rate : float or array
        The cost of capital, a yearly rate (> -1; 0.15 is 15% a year); an array broadcasts with the
        parameters.

    Returns
    -------
    TimeValue
    """
    rate = np.asarray(check_number("discount_rate", discount_rate, gt=-1), dtype=float)
    flows = generation_cash_flows(p, result)
    first_year = int(result.years[0])
    each = rate[..., None]  # the rate of each generation
    return TimeValue(
        discount_rate=rate[()],
        base_year=first_year,
        generation_npv=net_present_value(flows, each, result.generation_years - first_year),
        generation_irr=internal_rate_of_return(flows),
        generation_payback_year=result.generation_years + payback_index(flows),
        generation_discounted_payback_year=result.generation_years + payback_index(flows, each),
        lab_npv=net_present_value(result.profit, rate),
        lab_irr=internal_rate_of_return(result.profit),
        lab_payback_year=first_year + payback_index(result.profit),
        lab_discounted_payback_year=first_year + payback_index(result.profit, rate),
    )


def scaling_generation_irr(p: CohortParams) -> np.ndarray:
    """Internal rate of return of a generation earning the multiple ``m`` (one trained while scaling).

    It depends only on the margin, the multiple and the timing of revenue (``revenue_years``,
    ``revenue_decay``): ``gamma m - 1`` with one revenue year, less when the same revenue comes later.

    Returns
    -------
    float or ndarray
        A yearly share; NaN where ``gamma m <= 0`` (the generation earns nothing back).
    """
    one = replace(p, scenario="continue", generations=1, horizon_years=0)
    return internal_rate_of_return(generation_cash_flows(one, cohort_model(one))[..., 0, :])


def breakeven_margin_at_rate(p: CohortParams, discount_rate) -> np.ndarray:
    """Gross margin at which a generation earning the multiple ``m`` returns exactly the cost of capital.

    Valued at its training year, the generation is worth ``C (gamma m A(r) - 1)``, where
    ``A(r) = sum_{j=1..R} w_j (1 + r)^-j`` is what a dollar of its revenue is worth there when the share
    ``w_j`` of it is earned ``j`` years after training. The NPV is zero, and the
    internal rate of return equals ``r``, at ``gamma* = 1 / (m A(r))``: ``(1 + r) / m`` with one revenue
    year, and :func:`breakeven_gross_margin` (``1 / m``) at ``r = 0``.

    Parameters
    ----------
    p : CohortParams
        Its revenue multiple and revenue timing (arrays broadcast).
    discount_rate : float or array
        The cost of capital, a yearly rate (> -1).

    Returns
    -------
    float or ndarray
        The margin, a share; above 1 no margin earns the rate, ``inf`` where the multiple is 0.
    """
    dollar = net_present_value(_revenue_profile(p), discount_rate, start=1)  # A(r)
    # 1 / (m A(r)): the margin at which a cohort earning the multiple m A(r), undiscounted, breaks even.
    return breakeven_gross_margin(np.asarray(p.revenue_multiple, dtype=float) * dollar)


def annual_table(result: CohortResult) -> pd.DataFrame:
    """The annual P&L of a single scenario as a table (USD), one row per year."""
    _require_scalar(result)
    return pd.DataFrame(
        {
            "year": result.years,
            "revenue_usd": result.revenue,
            "serving_cost_usd": result.serving_cost,
            "training_spend_usd": result.training_spend,
            "profit_usd": result.profit,
            "cumulative_cash_usd": result.cumulative_cash,
        }
    )


def cohort_table(result: CohortResult) -> pd.DataFrame:
    """The per-generation P&L of a single scenario as a table (USD), one row per generation."""
    _require_scalar(result)
    return pd.DataFrame(
        {
            "generation": np.arange(len(result.generation_years)),
            "trained_in": result.generation_years,
            "training_cost_usd": result.training_cost,
            "lifetime_revenue_usd": result.cohort_revenue,
            "cohort_pnl_usd": result.cohort_pnl,
        }
    )


def _require_scalar(result: CohortResult) -> None:
    if result.profit.ndim != 1:
        raise ValueError("tables describe one scenario; index the result's arrays for many")


def year_or_none(value) -> int | None:
    """A year from a result array element, or ``None`` where there is none (NaN)."""
    value = float(value)
    return None if np.isnan(value) else int(value)


def endings(p: CohortParams, generations: int) -> dict[str, CohortResult]:
    """The three endings of the same lab over ``generations`` generations, with a common horizon.

    The common horizon is the years in which ``generations`` are trained (the
    continuing and plateauing labs keep training), extended if needed to the end
    of the overhang generation's revenue, so its loss is shown.
    """
    step = p.generation_interval_years
    full = max((generations - 1) * step + 1, p.overhang_generation * step + p.revenue_years + 1)
    return {
        name: cohort_model(replace(p, scenario=name, generations=generations, horizon_years=full))
        for name in SCENARIOS
    }


def endings_table(results: dict[str, CohortResult]) -> pd.DataFrame:
    """Long table of annual profit and cumulative cash (USD) by ending and year."""
    frames = [annual_table(r).assign(ending=name) for name, r in results.items()]
    return pd.concat(frames, ignore_index=True)


def frontier_grid(p: CohortParams, cost_growth, revenue_multiple) -> pd.DataFrame:
    """First profitable year and peak funding need over a grid of (cost growth, revenue multiple).

    Evaluated in one vectorized call. Other parameters are taken from ``p``.

    Returns
    -------
    DataFrame
        One row per grid point: ``cost_growth``, ``revenue_multiple``,
        ``first_profitable_year`` (NaN if none), ``peak_funding_need_usd``,
        ``profitable_while_scaling`` (``gamma m > g``).
    """
    g, m = np.meshgrid(np.asarray(cost_growth, float), np.asarray(revenue_multiple, float), indexing="ij")
    r = cohort_model(replace(p, cost_growth=g, revenue_multiple=m))
    return pd.DataFrame(
        {
            "cost_growth": g.ravel(),
            "revenue_multiple": m.ravel(),
            "first_profitable_year": r.first_profitable_year.ravel(),
            "peak_funding_need_usd": r.peak_funding_need.ravel(),
            "profitable_while_scaling": profitable_while_scaling(p.gross_margin, m, g).ravel(),
        }
    )


def views_grid(p: CohortParams, cost_growth, revenue_multiple, gross_margin) -> pd.DataFrame:
    """Both views (annual profit by year, cohort P&L by generation) over a grid of three parameters.

    One vectorized model call; the long table feeds the chapter's what-if chart.

    Returns
    -------
    DataFrame
        Columns ``cost_growth``, ``revenue_multiple``, ``gross_margin``, ``view``
        (``"annual"`` or ``"cohort"``), ``label`` (year, or generation with its
        training year) and ``usd``.
    """
    g, m, gm = np.meshgrid(np.asarray(cost_growth, float), np.asarray(revenue_multiple, float),
                           np.asarray(gross_margin, float), indexing="ij")
    r = cohort_model(replace(p, cost_growth=g, revenue_multiple=m, gross_margin=gm))
    year_labels = [str(y) for y in r.years]
    gen_labels = [f"gen {k} ({y})" for k, y in enumerate(r.generation_years)]
    frames = []
    for view, values, labels in (("annual", r.profit, year_labels), ("cohort", r.cohort_pnl, gen_labels)):
        n = len(labels)
        frames.append(pd.DataFrame({
            "cost_growth": np.repeat(g.ravel(), n),
            "revenue_multiple": np.repeat(m.ravel(), n),
            "gross_margin": np.repeat(gm.ravel(), n),
            "view": view,
            "label": np.tile(labels, g.size),
            "usd": values.reshape(-1, n).ravel(),
        }))
    return pd.concat(frames, ignore_index=True)
