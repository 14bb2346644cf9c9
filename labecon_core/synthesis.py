"""The chain from the compute trend to a lab's profit, composed of the book's four models.

One draw of the chain, every step a call into the chapter that owns it:

1. **Training cost** (:mod:`labecon_core.trends`): the cost of a frontier model's final
   training run grows by a factor ``G`` a year, the compute chapter's fitted trend
   (compute growth net of falling dollars per FLOP). A lab's whole training bill (the
   experiments and data around the final runs) grows by ``G h`` a year, where ``h`` is how
   much faster (``h > 1``) or slower the rest of the bill grows than the final run. With a
   generation every ``D`` years, ``g = (G h)^D`` a generation. The level is anchored on a
   reported training spend ``S`` in the anchor year, the training year of generation ``a``:
   ``C_0 = S / g^a`` (the anchor comes before any wall).
2. **Competition** (:func:`labecon_core.competition.competition_model`): the open-model lag,
   the price decline, the successor's take and the premium kept at parity act on a model's
   revenue. The multiple and margin observed today (a model's lifetime revenue over its
   training cost, the margin labs report on paid tokens) were earned with today's rivals and
   today's open-model lag, so the model's no-competition multiple ``m0`` and a lone lab's
   margin are inferred from them (:func:`labecon_core.competition.calibrated`); the chain's
   own number of labs and lag then give the realized multiple ``m_r`` and paid margin
   ``gamma_r``. The successor arrives after ``12 D`` months, the generation interval.
3. **Margin on the whole serving bill** (:func:`labecon_core.margins.lab_margin`): a share
   ``u`` of the compute billed with serving earns nothing (free users' tokens, research on the
   serving fleet), so the lab keeps ``gamma_l = 1 - (1 - gamma_r) / (1 - u)`` of its revenue,
   which may be negative.
4. **Cohort P&L** (:func:`labecon_core.cohort.cohort_model`) at ``m_r`` and ``gamma_l``:
   generations trained each ``D`` years from
   ``first_year`` to ``last_year``, ending as the chain says: scaling continues; costs
   plateau after the wall year (no later generation costs more); or models stop improving
   (the wall year's generation earns only the overhang multiple and is the last). The wall
   year may itself be uncertain: :func:`outputs` gives the cohort model each draw's wall
   generation.
5. **Internal deployment** (optional, :func:`labecon_core.internal.extra_annual_revenue`):
   each generation also carries an edge worth ``V(1)`` a year to a single holder; what
   keeping it adds over selling it, summed over the model's life, is ``E`` dollars per
   generation. It is booked like the rest of the revenue (the cohort model times it, at a
   unit cost and multiple), and the paid margin ``gamma_r`` is charged on it (an edge a lab
   uses itself carries no free users). Unlike
   :func:`labecon_core.internal.cohort_with_internal`, the edge does not grow with the
   training bill: a trading edge is bounded by the market it trades in. Exclusivity ends
   when the open model catches up, the same lag as in step 2.
6. **Funding need** from ``funding_from_year``: the deepest cumulative deficit,
   ``N = max_t max(0, -sum_{s = t0..t} profit_s)``, the money still to be raised.

Every numeric input may be an array over draws (see :mod:`labecon_core.uncertainty`), and so
may the wall year in :func:`outputs`; the structural settings in :class:`ChainParams` are scalars.
:func:`outputs` also returns the lab's revenue, loss, training and serving spend in a report
year, which :func:`reported_calibration` holds against what a lab reported (see
:mod:`labecon_core.calibration`).
"""

from dataclasses import dataclass, replace
from functools import partial
from typing import NamedTuple

import numpy as np
import pandas as pd

from labecon_core import cohort, competition, compute, internal, margins, trends, uncertainty
from labecon_core.calibration import Calibration, Target, effective_sample_size
from labecon_core.errors import ParameterError
from labecon_core.finances import BridgeTargets, Interval
from labecon_core.uncertainty import Range
from labecon_core.validation import check_choice, check_int, check_number

ENDINGS = cohort.SCENARIOS


class Input(NamedTuple):
    """How one uncertain input of the chain is read: its family and domain (see :class:`Range`), a label, a unit,
    and its basis: ``sourced`` (a range a source states), ``fitted`` (from the book's own fit to data) or
    ``illustrative`` (a guess the reader should replace)."""

    family: str
    domain: tuple[float, float]
    label: str
    unit: str
    basis: str


_POSITIVE, _FACTOR, _SHARE = (0.0, np.inf), (1.0, np.inf), (0.0, 1.0)
#: The chain's uncertain inputs, in the order they are drawn.
INPUTS = {
    "cost_growth_per_year": Input("lognormal", _POSITIVE, "final-run cost growth", "×/year", "fitted"),
    "training_overhead_growth": Input("lognormal", _POSITIVE, "growth of the training bill over the final run",
                                      "×/year", "illustrative"),
    "anchor_training_usd": Input("lognormal", _POSITIVE, "training spend in the anchor year", "USD", "sourced"),
    "observed_revenue_multiple": Input("lognormal", _POSITIVE, "revenue multiple observed today", "×",
                                       "illustrative"),
    "open_model_lag_months": Input("lognormal", _POSITIVE, "open-model lag", "months", "sourced"),
    "annual_price_decline": Input("lognormal", _FACTOR, "price decline per year", "×/year", "illustrative"),
    "successor_cannibalization": Input("uniform", _SHARE, "successor's take", "share", "illustrative"),
    "retained_premium": Input("uniform", _SHARE, "premium kept at open parity", "share", "illustrative"),
    "reported_gross_margin": Input("logitnormal", _SHARE, "reported gross margin", "share", "sourced"),
    "unpaid_compute_share": Input("uniform", _SHARE, "serving compute that earns nothing", "share", "illustrative"),
    "overhang_multiple": Input("lognormal", _POSITIVE, "overhang multiple", "×", "illustrative"),
    "edge_value_usd": Input("lognormal", _POSITIVE, "value of an internal edge", "USD/year", "illustrative"),
    "wall_year": Input("discrete", (1900.0, 2200.0), "wall year", "year", "illustrative"),
}
#: The event input: what can still be raised.
CAPACITY = "funding_capacity_usd"
CAPACITY_INPUT = Input("lognormal", _POSITIVE, "what can still be raised", "USD", "sourced")
#: Fewest effective draws (see :func:`labecon_core.calibration.effective_sample_size`) below which a
#: calibrated summary is too noisy to report without a warning: a probability's standard error is then
#: above 1.6 percentage points.
MIN_EFFECTIVE_DRAWS = 1000
#: Smallest matched share (:func:`labecon_core.calibration.matched_share`) at which the stated ranges count as
#: reaching the reported figures: below it the calibrated draws are only the least bad of the draws.
MIN_MATCHED_SHARE = 0.01
#: The chain's figures for its report year, by the name of the reported line they are held against.
REPORT_OUTPUTS = {"revenue": "report_revenue", "loss": "report_loss", "training": "report_training",
                  "serving": "report_serving"}


@dataclass(frozen=True)
class ChainParams:
    """The structural settings of the chain, validated on construction.

    Parameters
    ----------
    first_year, last_year : int
        First training year and last year of the P&L.
    generation_interval_years : int
        Years between two generations, ``D`` (1-20).
    anchor_year : int
        A training year in which the training spend is known (``anchor_training_usd``).
    ending : str
        ``continue``, ``plateau`` (no generation after ``wall_year`` costs more than it)
        or ``overhang`` (the generation of ``wall_year`` earns only ``overhang_multiple``
        and is the last).
    wall_year : int
        A training year from ``anchor_year`` to ``last_year`` (not used by ``continue``).
    n_labs : float
        Symmetric frontier labs from now on (>= 1).
    n_labs_today : float
        Symmetric frontier labs when the observed multiple and margin were earned (>= 1).
    open_model_lag_today_months : float
        The open-model lag then, months (> 0); the drawn lag is the one from now on.
    model_life_months : int
        Months a model sells (1-240).
    revenue_years : int
        Years over which the cohort model spreads a generation's lifetime revenue (1-50).
    revenue_decay : float
        Yearly fall of that revenue within its spread, in [0, 1).
    funding_from_year : int
        First year whose losses must still be financed (``first_year`` to ``last_year``).
    report_year : int
        The year whose reported figures the chain is held against (after ``first_year``, so
        that a generation has had a year to sell, and at most ``last_year``).
    deployment : InternalParams or None
        Internal deployment settings (the edge value, exclusivity and horizon come from the
        draws and the model's life); ``None`` leaves internal deployment out.
    """

    first_year: int = 2023
    last_year: int = 2032
    generation_interval_years: int = 1
    anchor_year: int = 2024
    ending: str = "plateau"
    wall_year: int = 2028
    n_labs: float = 4.0
    n_labs_today: float = 4.0
    open_model_lag_today_months: float = 12.0
    model_life_months: int = 24
    revenue_years: int = 1
    revenue_decay: float = 0.0
    funding_from_year: int = 2026
    report_year: int = 2024
    deployment: internal.InternalParams | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        first = check_int("first_year", self.first_year, ge=1900, le=2200)
        last = check_int("last_year", self.last_year, ge=first + 1, le=first + 100)
        step = check_int("generation_interval_years", self.generation_interval_years, ge=1, le=20)
        set_(self, "first_year", first)
        set_(self, "last_year", last)
        set_(self, "generation_interval_years", step)
        set_(self, "anchor_year", self._training_year("anchor_year", self.anchor_year, first))
        check_choice("ending", self.ending, ENDINGS)
        set_(self, "wall_year", self._training_year("wall_year", self.wall_year, self.anchor_year))
        set_(self, "n_labs", check_number("n_labs", self.n_labs, ge=1))
        set_(self, "n_labs_today", check_number("n_labs_today", self.n_labs_today, ge=1))
        set_(self, "open_model_lag_today_months",
             check_number("open_model_lag_today_months", self.open_model_lag_today_months, gt=0))
        set_(self, "model_life_months", check_int("model_life_months", self.model_life_months, ge=1, le=240))
        set_(self, "revenue_years", check_int("revenue_years", self.revenue_years, ge=1, le=50))
        set_(self, "revenue_decay", check_number("revenue_decay", self.revenue_decay, ge=0, lt=1))
        set_(self, "funding_from_year", check_int("funding_from_year", self.funding_from_year, ge=first, le=last))
        set_(self, "report_year", check_int("report_year", self.report_year, ge=first + 1, le=last))
        if self.deployment is not None and not isinstance(self.deployment, internal.InternalParams):
            raise TypeError("deployment must be an InternalParams or None")

    def _training_year(self, name: str, year, earliest: int) -> int:
        year = check_int(name, year, ge=earliest, le=self.last_year)
        if (year - self.first_year) % self.generation_interval_years:
            raise ParameterError(name, year, f"a training year: first_year ({self.first_year}) plus a whole number "
                                 f"of generation intervals ({self.generation_interval_years} years)")
        return year

    def generation(self, year: int) -> int:
        """Index of the generation trained in ``year`` (a training year)."""
        return (year - self.first_year) // self.generation_interval_years

    @property
    def years(self) -> np.ndarray:
        """Calendar years of the P&L."""
        return np.arange(self.first_year, self.last_year + 1)

    @property
    def inputs(self) -> tuple[str, ...]:
        """The uncertain inputs the chain uses (wall year, overhang multiple, edge value only where they act)."""
        skip = {"overhang_multiple"} if self.ending != "overhang" else set()
        if self.ending == "continue":
            skip.add("wall_year")
        if self.deployment is None:
            skip.add("edge_value_usd")
        return tuple(k for k in INPUTS if k not in skip)

    def cohort_fields(self, wall_generation=None) -> dict:
        """The structural fields of :class:`labecon_core.cohort.CohortParams` for this chain.

        ``wall_generation`` (an int or an integer array over draws) replaces the generation of
        ``wall_year`` as the generation where scaling ends.
        """
        wall = self.generation(self.wall_year) if wall_generation is None else wall_generation
        return {
            "first_year": self.first_year,
            "generations": self.generation(self.last_year) + 1,
            "revenue_years": self.revenue_years,
            "revenue_decay": self.revenue_decay,
            "scenario": self.ending,
            "plateau_generation": wall,
            "overhang_generation": wall,
            "generation_interval_years": self.generation_interval_years,
            "horizon_years": self.last_year - self.first_year + 1,
        }


@dataclass(frozen=True)
class ChainResult:
    """Outputs of :func:`evaluate`; arrays have the draws' shape first.

    Attributes
    ----------
    pnl : CohortResult
        The lab's annual and per-generation P&L (USD), internal deployment included.
    competition : CompetitionParams
        The competition model's parameters, with the inferred ``m0`` and lone lab's margin.
    realized_multiple, realized_margin : ndarray
        From the competition model: lifetime revenue over training cost (×) and the margin on
        paid tokens (share of revenue).
    lab_margin : ndarray
        The margin on the whole serving bill, share of revenue (may be negative).
    edge_per_generation : ndarray
        Revenue internal deployment adds per generation, USD (0 without it).
    """

    pnl: cohort.CohortResult
    competition: competition.CompetitionParams
    realized_multiple: np.ndarray
    realized_margin: np.ndarray
    lab_margin: np.ndarray
    edge_per_generation: np.ndarray


def competition_params(chain: ChainParams, draws) -> competition.CompetitionParams:
    """The competition model's parameters for the draws (numeric fields are the draws' arrays).

    ``m0`` and the lone lab's margin are inferred from the observed multiple and the reported
    margin at today's labs and lag (:func:`labecon_core.competition.calibrated`); ``cost_growth``
    is the growth of the whole training bill a generation, ``(G h)^D``.
    """
    growth = (np.asarray(draws["cost_growth_per_year"], dtype=float)
              * np.asarray(draws["training_overhead_growth"], dtype=float)) ** chain.generation_interval_years
    forces = competition.CompetitionParams(
        open_model_lag_months=draws["open_model_lag_months"],
        annual_price_decline=draws["annual_price_decline"],
        successor_cannibalization=draws["successor_cannibalization"],
        generation_interval_months=12.0 * chain.generation_interval_years,
        n_labs=chain.n_labs,
        retained_premium=draws["retained_premium"],
        cost_growth=growth,
        model_life_months=chain.model_life_months,
    )
    return competition.calibrated(forces, draws["observed_revenue_multiple"], draws["reported_gross_margin"],
                                  chain.n_labs_today, chain.open_model_lag_today_months)


def _edge_per_generation(chain: ChainParams, draws) -> np.ndarray:
    """Revenue internal deployment adds over a model's life, USD (0 where the lab would sell)."""
    p = replace(chain.deployment, edge_value_usd=draws["edge_value_usd"],
                exclusivity_months=draws["open_model_lag_months"], horizon_years=chain.model_life_months / 12.0)
    return internal.extra_annual_revenue(p).sum(axis=-1)


def _with_edge(chain: ChainParams, pnl: cohort.CohortResult, edge, margin, wall) -> cohort.CohortResult:
    """Add an edge of ``edge`` USD per generation to the P&L, timed and charged like the models' revenue.

    ``wall`` is the wall's generation, an int or an integer array over the draws.
    """
    # Every amount of the cohort model is linear in its first cost: a unit-cost, unit-multiple run gives each
    # year's share of the generations' revenue. Only an overhang makes it depend on the wall (no generation after
    # it earns), so one run per wall generation, picked for each draw, serves them all.
    if chain.ending != "overhang":
        wall = None
    per_draw = np.ndim(wall) > 0
    walls = np.arange(np.max(wall) + 1) if per_draw else wall
    unit = cohort.cohort_model(cohort.CohortParams(first_training_cost=1.0, cost_growth=1.0, revenue_multiple=1.0,
                                                   gross_margin=1.0, overhang_multiple=1.0,
                                                   **chain.cohort_fields(walls)))
    timing, shares = unit.revenue, unit.cohort_revenue
    if per_draw:
        timing, shares = timing[wall], shares[wall]
    edge = np.asarray(edge)[..., None]
    gross = np.asarray(margin)[..., None] * edge

    def plus(amounts, amount, share):
        # amounts + amount * share, laid out like the cohort model's arrays (the year or generation axis first
        # in memory): several times faster than broadcasting along their short last axis.
        shape = np.broadcast_shapes(amounts.shape, amount.shape, share.shape)
        out = np.moveaxis(np.empty((shape[-1], *shape[:-1])), 0, -1)
        np.multiply(amount, share, out=out)
        out += amounts
        return out

    return replace(pnl, revenue=plus(pnl.revenue, edge, timing),
                   serving_cost=plus(pnl.serving_cost, edge - gross, timing), profit=plus(pnl.profit, gross, timing),
                   cohort_revenue=plus(pnl.cohort_revenue, edge, shares),
                   cohort_pnl=plus(pnl.cohort_pnl, gross, shares))


def _pnl(chain: ChainParams, draws, before: ChainResult, wall) -> cohort.CohortResult:
    """Steps 4 and 5: the cohort P&L at the realized multiple and the lab's margin, with the edge if any.

    ``before`` holds steps 1 to 3 (its ``pnl`` is not used); ``wall`` is the wall's generation, an
    int or an integer array over the draws.
    """
    growth = before.competition.cost_growth
    first_cost = np.asarray(draws["anchor_training_usd"], dtype=float) / growth ** chain.generation(chain.anchor_year)
    overhang = draws["overhang_multiple"] if chain.ending == "overhang" else cohort.CohortParams.overhang_multiple
    pnl = cohort.cohort_model(cohort.CohortParams(
        first_training_cost=first_cost, cost_growth=growth, revenue_multiple=before.realized_multiple,
        gross_margin=before.lab_margin, overhang_multiple=overhang, **chain.cohort_fields(wall)))
    if chain.deployment is None:
        return pnl
    return _with_edge(chain, pnl, before.edge_per_generation, before.realized_margin, wall)


def _before_pnl(chain: ChainParams, draws) -> ChainResult:
    """Steps 1 to 3 and the edge of step 5, which do not depend on the wall year (``pnl`` is left None)."""
    comp = competition_params(chain, draws)
    result = competition.competition_model(comp)
    lab = margins.lab_margin(result.realized_margin, draws["unpaid_compute_share"])
    edge = (np.zeros(np.shape(result.realized_multiple)) if chain.deployment is None
            else _edge_per_generation(chain, draws))
    return ChainResult(None, comp, result.realized_multiple, result.realized_margin, lab, edge)


def evaluate(chain: ChainParams, draws) -> ChainResult:
    """Run the chain for draws of its inputs (scalars or arrays of one shape), at the chain's wall year.

    Parameters
    ----------
    chain : ChainParams
    draws : mapping
        Every name of ``chain.inputs`` but ``wall_year`` (see :data:`INPUTS` for units).

    Returns
    -------
    ChainResult
    """
    before = _before_pnl(chain, draws)
    return replace(before, pnl=_pnl(chain, draws, before, chain.generation(chain.wall_year)))


def funding_need(profit, years, from_year: int) -> tuple[np.ndarray, np.ndarray]:
    """Money that must have been raised by each year to cover the losses since ``from_year``.

    Parameters
    ----------
    profit : array, shape (..., T)
        Annual profit, USD.
    years : array of int, shape (T,)
        Their calendar years.
    from_year : int
        First year whose losses count (one of ``years``).

    Returns
    -------
    years, need : ndarray
        The years from ``from_year`` on, and the running deepest deficit
        ``max(0, -min_{s <= t} sum_{from_year..s} profit)`` by year (USD, shape (..., T')).
    """
    years = np.asarray(years)
    if from_year not in years:
        raise ValueError(f"from_year {from_year} is outside the years {years[0]}-{years[-1]}")
    start = int(np.flatnonzero(years == from_year)[0])
    profit = np.asarray(profit, dtype=float)[..., start:]
    need = np.empty(profit.shape)
    cash, deepest = np.zeros(profit.shape[:-1]), np.zeros(profit.shape[:-1])
    # A loop over the few years: numpy's accumulations along a short last axis are several times slower.
    for t in range(profit.shape[-1]):
        cash += profit[..., t]
        np.minimum(deepest, cash, out=deepest)
        need[..., t] = 0.0 - deepest
    return years[start:], need


def profitable_from(profit, years) -> np.ndarray:
    """The year annual profit turns positive for good: ``profit > 0`` that year, never below 0 after it.

    A lab can post one profitable year between two training bills and lose money again;
    that year does not count. Years past the horizon are not seen, so "for good" means
    through the last year given.

    Parameters
    ----------
    profit : array, shape (..., T)
        Annual profit, USD.
    years : array of int, shape (T,)

    Returns
    -------
    ndarray
        The year, shape (...); NaN where profit does not turn positive for good.
    """
    profit = np.asarray(profit, dtype=float)
    years = np.asarray(years)
    first = np.full(profit.shape[:-1], np.nan)
    holds = np.ones(profit.shape[:-1], dtype=bool)
    # From the last year back: ``holds`` is "never below 0 from year t on"; the last year that
    # also turns a profit, going back, is the first such year.
    for t in range(profit.shape[-1] - 1, -1, -1):
        holds &= profit[..., t] >= 0
        first[holds & (profit[..., t] > 0)] = years[t]
    return first


def _wall_generation(chain: ChainParams, wall):
    """The generation of each wall year (an int, or an integer array over draws), checked like ``chain.wall_year``."""
    wall = np.asarray(wall)
    if wall.ndim == 0:
        return chain.generation(replace(chain, wall_year=wall.item()).wall_year)
    offset = (wall - chain.first_year) / chain.generation_interval_years
    with np.errstate(invalid="ignore"):
        generation = offset.astype(np.intp)
    bad = (generation != offset) | (wall < chain.anchor_year) | (wall > chain.last_year)
    if bad.any():
        replace(chain, wall_year=wall[bad][0].item())  # raises the chain's error for the first bad year
    return generation


def outputs(chain: ChainParams, draws) -> dict[str, np.ndarray]:
    """The chain's outputs kept from each draw (the model that :func:`labecon_core.uncertainty.evaluate` runs).

    Where the draws hold a ``wall_year`` (and the chain ends in a plateau or an overhang),
    each draw's wall year takes the place of the chain's: the cohort model gets the wall
    generation of every draw at once.

    Returns
    -------
    dict
        ``profit`` and ``revenue`` (USD by year, shape (n, T)), ``funding_need`` (USD from
        ``chain.funding_from_year``), ``profitable_from`` (see :func:`profitable_from`; NaN: not
        within the horizon); ``no_competition_multiple`` and ``lone_lab_margin`` (inferred from
        today's market), ``realized_multiple`` (×), ``realized_margin`` (on paid tokens),
        ``lab_margin`` (on the whole serving bill) and ``gross_profit_multiple`` (``gamma_l m_r``,
        × the training cost); the cohort chapter's two conditions: ``cohort_profitable`` (each
        model pays for itself, ``gamma_l m_r > 1``) and ``profitable_while_scaling`` (each model's
        gross profit covers the next one, ``gamma_l m_r > g``); and the values of
        :data:`REPORT_OUTPUTS` in ``chain.report_year`` (USD; the loss is minus the profit).
    """
    before = _before_pnl(chain, draws)
    wall = (chain.generation(chain.wall_year) if chain.ending == "continue"
            else _wall_generation(chain, draws.get("wall_year", chain.wall_year)))
    pnl = _pnl(chain, draws, before, wall)
    profit, revenue = pnl.profit, pnl.revenue
    _, need = funding_need(profit, chain.years, chain.funding_from_year)
    gross = before.lab_margin * before.realized_multiple
    at = chain.report_year - chain.first_year
    return {"profit": profit, "revenue": revenue, "funding_need": need[..., -1],
            "profitable_from": profitable_from(profit, chain.years),
            "no_competition_multiple": before.competition.revenue_multiple_no_competition,
            "lone_lab_margin": before.competition.gross_margin,
            "realized_multiple": before.realized_multiple, "realized_margin": before.realized_margin,
            "lab_margin": before.lab_margin, "gross_profit_multiple": gross,
            "cohort_profitable": gross > 1, "profitable_while_scaling": gross > before.competition.cost_growth,
            "report_revenue": revenue[..., at], "report_loss": -profit[..., at],
            "report_training": pnl.training_spend[..., at], "report_serving": pnl.serving_cost[..., at]}


def reported_calibration(chain: ChainParams, targets: BridgeTargets, tolerance: float) -> Calibration:
    """The reported figures of ``targets`` (revenue, loss and, where given, training and serving spend) as a
    :class:`~labecon_core.calibration.Calibration` of the chain's report-year outputs (:data:`REPORT_OUTPUTS`).

    Parameters
    ----------
    chain : ChainParams
        Its ``report_year`` must be the targets' year.
    targets : BridgeTargets
        Reported intervals for one year, USD (a loss may be of either sign).
    tolerance : float
        How far a draw may miss a figure, in logs (a loss: in shares of its interval's scale), > 0.
    """
    if targets.year != chain.report_year:
        raise ValueError(f"the targets are for {targets.year}, the chain's report year is {chain.report_year}")
    held = [Target(REPORT_OUTPUTS[name], interval.lo, interval.hi, positive=name != "loss")
            for name, interval in targets.constraints().items()]
    return Calibration(held, tolerance)


def model(chain: ChainParams):
    """The chain as a model of :mod:`labecon_core.uncertainty`: draws in, :func:`outputs` out."""
    return partial(outputs, chain)


def trend_cost_growth(level: float) -> tuple[Range, trends.LogLinearFit]:
    """The compute chapter's fitted growth of frontier training cost, as a lognormal range.

    The fit over ``data/models`` (the compute chapter's defaults for the models' costing
    and the frontier) gives the growth factor a year and its confidence interval at
    ``level``; that interval becomes the range's ``low`` and ``high``, so its median is the
    fitted rate. (The fit's interval is Student-t in logs; the lognormal reading matches its
    ends and centre and has slightly thinner tails.)
    """
    fit = trends.fit_models(compute.model_estimates(), trends.TrendParams(confidence_level=level)).cost_frontier
    low, high = fit.growth_interval
    spec = INPUTS["cost_growth_per_year"]
    return Range("cost_growth_per_year", low, high, spec.family, level, spec.domain), fit


def years_per_tenfold(growth_per_year) -> np.ndarray:
    """Years a growth of ``growth_per_year`` (a factor a year, > 1) takes to multiply by ten: ``1 / log10 G``."""
    growth = np.asarray(check_number("growth_per_year", growth_per_year, gt=1), dtype=float)
    return 1.0 / np.log10(growth)


def within(values, interval: Interval) -> np.ndarray:
    """Whether each value lies in a reported interval (bounds included)."""
    values = np.asarray(values, dtype=float)
    return (values >= interval.lo) & (values <= interval.hi)


def side_of(values, interval: Interval) -> np.ndarray:
    """Where each value lies against a reported interval: -1 below it, 0 within it (bounds included), 1 above it."""
    values = np.asarray(values, dtype=float)
    return (values > interval.hi).astype(int) - (values < interval.lo).astype(int)


def report_fit(calibrated: Calibration, out, weights) -> pd.DataFrame:
    """How the draws' report-year figures compare with the reported ones, before and after calibration.

    Parameters
    ----------
    calibrated : Calibration
    out : dict
        :func:`outputs` over the draws.
    weights : array or None
        The calibration's weights (``None``: the prior only, the posterior columns are NaN).

    Returns
    -------
    DataFrame
        Indexed by output name: ``lo`` and ``hi`` (the reported interval), ``median_prior``,
        ``median_posterior`` (USD) and ``share_inside_prior`` (draws inside the interval).
    """
    rows = {}
    for target in calibrated.targets:
        values = out[target.name]
        rows[target.name] = {
            "lo": target.lo, "hi": target.hi, "median_prior": float(np.median(values)),
            "median_posterior": (np.nan if weights is None
                                 else float(uncertainty.quantiles(values, 0.5, weights=weights))),
            "share_inside_prior": uncertainty.probability(target.distance(values) == 0),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("output")


def compare_endings(chain: ChainParams, draws, capacity, evaluated=None,
                    calibrated: Calibration | None = None) -> pd.DataFrame:
    """The chain under each ending of :data:`ENDINGS`, on the same draws.

    Parameters
    ----------
    chain : ChainParams
        The chain; its ``ending`` is replaced by each ending in turn.
    draws : mapping
        The draws of the chain's inputs (with ``wall_year`` and ``overhang_multiple``, which
        the endings use).
    capacity : array, shape (n,)
        What can still be raised in each draw, USD.
    evaluated : dict, optional
        :func:`outputs` of the chain's own ending over ``draws``, if already run (it is not run again).
    calibrated : Calibration, optional
        Weigh each ending's draws by how well they reproduce the reported figures (the
        posterior); without it every draw counts the same (the prior).

    Returns
    -------
    DataFrame
        Indexed by ending: ``p_profitable_by_last_year`` (probability that profit has turned
        positive for good by the chain's last year), ``median_funding_need_usd``,
        ``funding_need_p90_usd`` (90th percentile), ``p_need_exceeds_capacity`` and
        ``effective_draws`` (the draws' number without a calibration).
    """
    rows = {}
    for name in ENDINGS:
        out = evaluated if evaluated is not None and name == chain.ending else uncertainty.evaluate(
            model(replace(chain, ending=name)), draws)
        need = out["funding_need"]
        w = None if calibrated is None else calibrated.weights(out)
        rows[name] = {
            "p_profitable_by_last_year": float(uncertainty.probability_by(out["profitable_from"], chain.years[-1:],
                                                                          weights=w)[0]),
            "median_funding_need_usd": float(uncertainty.quantiles(need, 0.5, weights=w)),
            "funding_need_p90_usd": float(uncertainty.quantiles(need, 0.9, weights=w)),
            "p_need_exceeds_capacity": uncertainty.probability(need > capacity, weights=w),
            "effective_draws": float(len(need)) if w is None else effective_sample_size(w),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("ending")


def grid_axes(ranges, values: dict[str, list]) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Axes of a grid of input medians (see :func:`probability_grid`) that pass through the chain's own medians.

    Each input's median, rounded to two decimals, joins the values of its axis, so that the
    chapter's own point lies on the grid (a what-if control can start there).

    Parameters
    ----------
    ranges : sequence of Range
        Every input of the chain.
    values : dict
        ``input name -> medians`` to show, in the input's unit.

    Returns
    -------
    axes : dict
        ``input name -> sorted medians``, the chain's own among them.
    medians : dict
        ``input name -> the chain's own median``, rounded as on the axis.
    """
    by_name = {r.name: r for r in ranges}
    medians = {name: round(by_name[name].median, 2) for name in values}
    return {name: sorted({*v, medians[name]}) for name, v in values.items()}, medians


def median_settings(ranges, axes: dict[str, list]) -> dict[str, dict[float, dict[str, float]]]:
    """The chapter parameters that give each input of a grid (:func:`probability_grid`) each median of its axis.

    At a grid point an input keeps its spread and moves its median
    (:meth:`~labecon_core.uncertainty.Range.with_median`); the ends of that range are the
    values of the chapter parameters ``<input>_low`` and ``<input>_high`` that draw the same
    input, so re-running the chapter with them puts the chain at that point.

    Parameters
    ----------
    ranges : sequence of Range
        Every input of the chain.
    axes : dict
        ``input name -> medians``, as :func:`grid_axes` returns them.

    Returns
    -------
    dict
        ``input name -> {median: {"<input>_low": low, "<input>_high": high}}``.
    """
    by_name = {r.name: r for r in ranges}
    unknown = set(axes) - set(by_name)
    if unknown:
        raise ValueError(f"no input named {sorted(unknown)}; the inputs are {sorted(by_name)}")
    settings = {}
    for name, medians in axes.items():
        moved = {float(m): by_name[name].with_median(float(m)) for m in medians}
        settings[name] = {m: {f"{name}_low": r.low, f"{name}_high": r.high} for m, r in moved.items()}
    return settings


def probability_grid(chain: ChainParams, ranges, axes: dict[str, list], n_draws: int, seed: int,
                     calibrated: Calibration | None = None) -> pd.DataFrame:
    """Probability that annual profit has turned positive for good by each year, over a grid of input medians.

    At each grid point the named inputs keep their spread but move their median to the
    point's value; all points share the same standard normal draws (one seed), so the
    differences between points come from the medians, not from sampling noise.

    Parameters
    ----------
    chain : ChainParams
    ranges : sequence of Range
        Every input of the chain.
    axes : dict
        ``input name -> medians`` to combine (a full grid).
    n_draws : int
        Draws at each grid point.
    seed : int
        Seed of the draws.
    calibrated : Calibration, optional
        Weigh the draws at each point by how well they reproduce the reported figures (the
        posterior at that point's prior); without it, the prior.

    Returns
    -------
    DataFrame
        One row per grid point and year: the axes, ``year``, ``probability`` (the posterior
        with a calibration, else the prior), ``prior_probability`` and ``effective_draws`` at
        the point (:func:`labecon_core.calibration.effective_sample_size`).
    """
    n_draws, seed = uncertainty.check_run(n_draws, seed)
    by_name = {r.name: r for r in ranges}
    unknown = set(axes) - set(by_name)
    if unknown:
        raise ValueError(f"no input named {sorted(unknown)}; the inputs are {sorted(by_name)}")
    names = list(axes)
    points = np.array(np.meshgrid(*[np.asarray(axes[k], dtype=float) for k in names], indexing="ij")).reshape(
        len(names), -1).T
    draws = [uncertainty.sample([by_name[r.name].with_median(p[names.index(r.name)]) if r.name in names else r
                                 for r in ranges], n_draws, np.random.default_rng(seed)) for p in points]
    joined = {k: np.concatenate([d[k] for d in draws]) for k in draws[0]}
    out = uncertainty.evaluate(model(chain), joined)
    first = out["profitable_from"].reshape(len(points), n_draws)
    w = np.ones(first.shape) if calibrated is None else calibrated.weights(out).reshape(first.shape)
    years = chain.years[1:]
    prior = np.stack([uncertainty.probability_by(f, years) for f in first])
    prob = prior if calibrated is None else np.stack(
        [uncertainty.probability_by(f, years, weights=wi) for f, wi in zip(first, w, strict=True)])
    ess = np.array([effective_sample_size(wi) for wi in w])
    frame = pd.DataFrame({k: np.repeat(points[:, i], len(years)) for i, k in enumerate(names)})
    return frame.assign(year=np.tile(years, len(points)), probability=prob.ravel(), prior_probability=prior.ravel(),
                        effective_draws=np.repeat(ess, len(years)))


def cumulative_cash(chain: ChainParams, draws, year: int) -> np.ndarray:
    """The lab's cumulative profit from ``chain.first_year`` through ``year`` for each draw, USD."""
    year = check_int("break_even_year", year, ge=chain.first_year, le=chain.last_year)
    profit = uncertainty.evaluate(model(chain), draws)["profit"]
    return np.cumsum(profit[:, : year - chain.first_year + 1], axis=1)[:, -1]


def _search_values(chain: ChainParams, r: Range, at: float, window: float, steps: int) -> np.ndarray:
    """The values of ``r`` searched for a break-even: its allowed range around ``at``, ascending."""
    if r.name == "wall_year":
        return np.arange(chain.anchor_year, chain.last_year + 1, chain.generation_interval_years, dtype=float)
    a, b = r.domain
    if np.isinf(b):  # a positive quantity above a: ``window`` times smaller to ``window`` times larger, in logs
        return a + (at - a) * np.geomspace(1.0 / window, window, steps)
    return a + (b - a) * np.linspace(0.5 / steps, 1 - 0.5 / steps, steps)


def _nearest_crossing(values: np.ndarray, cash: np.ndarray, at: float, logs: bool) -> int | None:
    """Index ``i`` of the sign change of ``cash`` between ``values[i]`` and ``values[i + 1]`` nearest ``at``."""
    positive = cash >= 0
    changes = np.flatnonzero(positive[:-1] != positive[1:])
    if changes.size == 0:
        return None
    mids = 0.5 * (values[changes] + values[changes + 1])
    distance = np.abs(np.log(mids / at)) if logs else np.abs(mids - at)
    return int(changes[np.argmin(distance)])


def break_even(chain: ChainParams, point: dict, ranges, year: int, *, window: float = 1000.0, steps: int = 401,
               refine: int = 40) -> pd.DataFrame:
    """For each uncertain input, the value at which the lab's cumulative cash through ``year`` is zero, the others at
    ``point``: what a reader would have to believe about that input alone for the lab to have paid its way by then.

    Every input is searched over its allowed range in one vectorised run of the chain (``steps`` values each):
    a positive quantity from ``window`` times below to ``window`` times above its value at ``point`` (a factor of
    at least 1 no lower than 1), a share over (0, 1), the wall year over the chain's training years. Where the
    cumulative cash changes sign more than once, the change nearest the value at ``point`` counts; it is then
    refined by ``refine`` vectorised bisection steps (a wall year is not refined: the first year on the
    profitable side counts).

    Parameters
    ----------
    chain : ChainParams
    point : dict
        ``input name -> value`` for every input the chain uses (the calibrated medians, say), in its unit.
    ranges : sequence of Range
        The inputs to search (fixed ones are skipped), with their domains.
    year : int
        The year by which cumulative cash must have turned positive (``first_year`` to ``last_year``).
    window, steps, refine : float, int, int
        The search range of a positive quantity (> 1), values tried per input (>= 3), bisection steps (>= 0).

    Returns
    -------
    DataFrame
        Indexed by input: ``at_point`` (the value at ``point``), ``cash_at`` (cumulative cash there, USD),
        ``break_even`` (NaN where no value in the allowed range breaks even), ``profitable_side``
        (``"above"`` or ``"below"`` the break-even value; empty where there is none), and ``low``,
        ``high`` (the range searched).
    """
    window = check_number("window", window, gt=1)
    steps = check_int("steps", steps, ge=3, le=100_000)
    refine = check_int("refine", refine, ge=0, le=200)
    searched = [r for r in ranges if not r.fixed]
    grids = [_search_values(chain, r, float(point[r.name]), window, steps) for r in searched]
    n = sum(len(g) for g in grids)
    draws = {k: np.full(n + 1, float(v)) for k, v in point.items()}  # the last draw is the point itself
    starts = np.cumsum([0, *map(len, grids)])
    for r, g, start in zip(searched, grids, starts, strict=False):
        draws[r.name][start:start + len(g)] = g
    cash = cumulative_cash(chain, draws, year)
    base = float(cash[-1])
    rows, brackets = {}, {}
    for r, g, start in zip(searched, grids, starts, strict=False):
        c = cash[start:start + len(g)]
        logs = np.isinf(r.domain[1]) and r.name != "wall_year"
        i = _nearest_crossing(g, c, float(point[r.name]), logs)
        row = {"at_point": float(point[r.name]), "cash_at": base, "break_even": np.nan, "profitable_side": "",
               "low": float(g[0]), "high": float(g[-1])}
        if i is not None:
            row["profitable_side"] = "above" if c[i + 1] >= 0 else "below"
            if r.name == "wall_year":
                row["break_even"] = float(g[i + 1] if c[i + 1] >= 0 else g[i])
            else:
                brackets[r.name] = [g[i], g[i + 1], c[i] >= 0]
        rows[r.name] = row
    for name, value in _bisect(chain, point, year, brackets, refine).items():
        rows[name]["break_even"] = value
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("input")


def favourable_probability(frontier: pd.DataFrame, ranges) -> pd.Series:
    """How likely each stated range makes a value at least as favourable as the break-even one.

    Parameters
    ----------
    frontier : DataFrame
        :func:`break_even`'s result.
    ranges : sequence of Range
        The inputs' ranges (before calibration).

    Returns
    -------
    Series
        By input: ``P(X >= break-even)`` where cash is positive above it, ``P(X <= break-even)`` where below;
        NaN where no value breaks even.
    """
    by_name = {r.name: r for r in ranges}
    out = {}
    for name, row in frontier.iterrows():
        r, value = by_name[name], row.break_even
        if np.isnan(value):
            out[name] = np.nan
            continue
        below = float(r.cdf(value - (0.5 * r.step if r.family == "discrete" else 0.0)))
        out[name] = 1.0 - below if row.profitable_side == "above" else float(r.cdf(value))
    return pd.Series(out, name="favourable_probability", dtype=float)


def _bisect(chain: ChainParams, point: dict, year: int, brackets: dict, steps: int) -> dict[str, float]:
    """Narrow each input's bracket ``[lo, hi, cash at lo >= 0]`` around its break-even, all inputs in one run a step."""
    if not brackets:
        return {}
    names = list(brackets)
    lo, hi = (np.array([float(brackets[k][i]) for k in names]) for i in (0, 1))
    lo_positive = np.array([bool(brackets[k][2]) for k in names])
    rows = np.arange(len(names))
    draws = {k: np.full(len(names), float(v)) for k, v in point.items()}
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        for j, k in enumerate(names):  # row j moves its own input only
            draws[k][j] = mid[j]
        same = (cumulative_cash(chain, draws, year) >= 0) == lo_positive
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    return {k: float(0.5 * (lo[j] + hi[j])) for j, k in zip(rows, names, strict=True)}


def region_axis(chain: ChainParams, r: Range, *values: float, n: int = 50) -> tuple[np.ndarray, bool]:
    """Values of one input for a break-even region: its stated range's 0.5% to 99.5% quantiles, stretched to
    take in ``values`` (a median, a break-even value; NaN ignored), ``n`` of them, evenly in logs for a
    positive quantity; every training year for the wall year. Returns the values and whether they are in logs."""
    if r.name == "wall_year":
        return _search_values(chain, r, 0.0, 1.0, n), False
    ends = [float(v) for v in (*r.quantile([0.005, 0.995]), *values) if np.isfinite(v)]
    lo, hi = min(ends), max(ends)
    logs = bool(np.isinf(r.domain[1]))
    a = r.domain[0]
    if logs:
        return a + np.geomspace(lo - a, hi - a, n), True
    return np.linspace(lo, hi, n), False


def _cell_edges(values: np.ndarray, logs: bool) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper edges of the cells centred on ``values`` (midway between neighbours, in logs if asked)."""
    v = np.log(values) if logs else np.asarray(values, dtype=float)
    if len(v) == 1:
        mids = np.array([v[0] - 0.5, v[0] + 0.5])
    else:
        inner = 0.5 * (v[1:] + v[:-1])
        mids = np.concatenate([[2 * v[0] - inner[0]], inner, [2 * v[-1] - inner[-1]]])
    mids = np.exp(mids) if logs else mids
    return mids[:-1], mids[1:]


def break_even_region(chain: ChainParams, point: dict, axes: dict[str, tuple[np.ndarray, bool]],
                      year: int) -> pd.DataFrame:
    """The lab's cumulative cash through ``year`` over a grid of two inputs, the others at ``point``.

    Parameters
    ----------
    chain : ChainParams
    point : dict
        ``input name -> value`` for every input the chain uses.
    axes : dict
        Two ``input name -> (values, in logs)`` (as :func:`region_axis` returns them); every combination is
        run at once.
    year : int
        The year through which cash is counted.

    Returns
    -------
    DataFrame
        One row per grid point: the two inputs, the edges of the point's cell (``<name>_lo``,
        ``<name>_hi``) and ``cash_usd`` (cumulative profit, USD).
    """
    if len(axes) != 2:
        raise ValueError(f"a break-even region has two axes; got {len(axes)}")
    (x_name, (x, x_logs)), (y_name, (y, y_logs)) = axes.items()
    xx, yy = np.meshgrid(np.asarray(x, dtype=float), np.asarray(y, dtype=float), indexing="ij")
    draws = {k: np.full(xx.size, float(v)) for k, v in point.items()}
    draws[x_name], draws[y_name] = xx.ravel(), yy.ravel()
    (x_lo, x_hi), (y_lo, y_hi) = _cell_edges(np.asarray(x, float), x_logs), _cell_edges(np.asarray(y, float), y_logs)
    xl, yl = np.meshgrid(x_lo, y_lo, indexing="ij")
    xh, yh = np.meshgrid(x_hi, y_hi, indexing="ij")
    return pd.DataFrame({x_name: xx.ravel(), y_name: yy.ravel(), f"{x_name}_lo": xl.ravel(), f"{x_name}_hi": xh.ravel(),
                         f"{y_name}_lo": yl.ravel(), f"{y_name}_hi": yh.ravel(),
                         "cash_usd": cumulative_cash(chain, draws, year)})
