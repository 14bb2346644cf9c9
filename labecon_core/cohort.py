"""Cohort accounting: every model generation treated as a company of its own.

Generation ``k = 0..K-1`` costs ``C_k = C_0 g^k`` to train, spent in year
``first_year + k * generation_interval_years``. It earns lifetime revenue
``m C_k``, spread over ``revenue_years`` starting the year after training, and
serving it costs ``(1 - gamma)`` of that revenue (``gamma`` is the gross margin).
The conventional P&L of the lab in a year is gross profit of all models in
service minus that year's training spend; the cohort P&L of a generation is its
lifetime gross profit minus its training cost (Amodei's "each model is a
company", Cheeky Pint podcast with John Collison, 2025).

Numeric parameters may be numpy arrays (they broadcast together), so one call
evaluates many scenarios; the structural ones (generations, years, scenario)
are scalars.
"""

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from labecon_core.validation import check_choice, check_int, check_number, check_share

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
        Share of revenue left after the cost of serving it, in [0, 1].
    generations : int
        Number of generations trained while scaling (>= 1).
    revenue_years : int
        Years over which a generation earns its revenue, from the year after training (>= 1).
    scenario : str
        ``continue`` (costs keep growing), ``plateau`` (from ``plateau_generation`` on,
        each generation costs the same) or ``overhang`` (generation
        ``overhang_generation`` earns only ``overhang_multiple`` and is the last).
    plateau_generation : int
        First generation whose cost no longer grows (used by ``plateau``).
    overhang_generation : int
        The generation at which models stop improving (used by ``overhang``).
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
        set_(self, "gross_margin", check_share("gross_margin", self.gross_margin))
        set_(self, "generations", check_int("generations", self.generations, ge=1, le=100))
        set_(self, "revenue_years", check_int("revenue_years", self.revenue_years, ge=1, le=50))
        check_choice("scenario", self.scenario, SCENARIOS)
        last = self.generations - 1
        if self.scenario == "plateau":
            check_int("plateau_generation", self.plateau_generation, ge=0, le=last)
        if self.scenario == "overhang":
            check_int("overhang_generation", self.overhang_generation, ge=0, le=last)
        set_(self, "overhang_multiple", check_number("overhang_multiple", self.overhang_multiple, ge=0))
        set_(self, "generation_interval_years",
             check_int("generation_interval_years", self.generation_interval_years, ge=1, le=20))
        set_(self, "revenue_decay", check_number("revenue_decay", self.revenue_decay, ge=0, lt=1))
        set_(self, "horizon_years", check_int("horizon_years", self.horizon_years, ge=0, le=200))

    @property
    def trained_generations(self) -> int:
        """Generations actually trained (the overhang ending stops at ``overhang_generation``)."""
        return self.overhang_generation + 1 if self.scenario == "overhang" else self.generations


@dataclass(frozen=True)
class CohortResult:
    """Outputs of :func:`cohort_model`; arrays have the parameters' broadcast shape first.

    Attributes
    ----------
    years : ndarray of int, shape (T,)
        Calendar years of the annual P&L.
    revenue, serving_cost, training_spend, profit, cumulative_cash : ndarray, shape (..., T)
        Annual amounts, USD. ``profit = revenue - serving_cost - training_spend``.
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
    cumulative_cash: np.ndarray
    generation_years: np.ndarray
    training_cost: np.ndarray
    cohort_revenue: np.ndarray
    cohort_pnl: np.ndarray

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
        cash = self.cumulative_cash
        # Non-negative from year t to the end: reverse cumulative AND.
        ok_to_end = np.flip(np.logical_and.accumulate(np.flip(cash >= 0, axis=-1), axis=-1), axis=-1)
        had_deficit = np.logical_or.accumulate(cash < 0, axis=-1)
        deficit_before = np.roll(had_deficit, 1, axis=-1) & (np.arange(cash.shape[-1]) > 0)
        return _first_year_where(self.years, ok_to_end & deficit_before)


def _first_year_where(years: np.ndarray, mask: np.ndarray) -> np.ndarray:
    idx = np.argmax(mask, axis=-1)
    return np.where(mask.any(axis=-1), years[idx], np.nan)


def _revenue_weights(p: CohortParams, n_years: int) -> np.ndarray:
    """Share of generation k's lifetime revenue earned in year t: shape (..., T, K)."""
    decay = np.asarray(p.revenue_decay, dtype=float)[..., None]
    j = np.arange(p.revenue_years)
    profile = (1.0 - decay) ** j  # (..., R)
    profile = profile / profile.sum(axis=-1, keepdims=True)
    k = np.arange(p.trained_generations)
    start = k * p.generation_interval_years + 1  # offset of the first revenue year
    t = np.arange(n_years)[:, None]
    lag = t - start[None, :]  # (T, K)
    inside = (lag >= 0) & (lag < p.revenue_years)
    weights = np.take(profile, np.clip(lag, 0, p.revenue_years - 1), axis=-1)  # (..., T, K)
    return np.where(inside, weights, 0.0)


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
        and per-generation training cost, revenue and cohort P&L, all in USD.

    Notes
    -----
    With one revenue year, constant growth and the ``continue`` ending, profit in
    the year after generation ``k`` is trained is ``C_k (gamma m - g)``: the lab
    is profitable while scaling iff ``gamma m > g``, and each cohort iff ``gamma m > 1``.
    """
    n_gen = p.trained_generations
    c0, g, m, gm, om, _ = np.broadcast_arrays(
        p.first_training_cost, p.cost_growth, p.revenue_multiple, p.gross_margin, p.overhang_multiple,
        p.revenue_decay,
    )
    k = np.arange(n_gen)
    exponent = np.minimum(k, p.plateau_generation) if p.scenario == "plateau" else k
    cost = c0[..., None] * g[..., None] ** exponent  # (..., K)
    multiples = np.broadcast_to(m[..., None], cost.shape).copy()
    if p.scenario == "overhang":
        multiples[..., -1] = om
    cohort_revenue = multiples * cost

    last_training = (n_gen - 1) * p.generation_interval_years
    full_life = last_training + p.revenue_years + 1
    if p.horizon_years:
        n_years = p.horizon_years
    elif p.scenario == "overhang":
        n_years = full_life
    else:
        n_years = p.generations * p.generation_interval_years - (p.generation_interval_years - 1)
    weights = _revenue_weights(p, n_years)  # (..., T, K)
    weights = np.broadcast_to(weights, cost.shape[:-1] + weights.shape[-2:])
    revenue = np.einsum("...tk,...k->...t", weights, cohort_revenue)
    train_idx = k * p.generation_interval_years
    training_spend = np.zeros((*cost.shape[:-1], n_years))
    within = train_idx < n_years
    training_spend[..., train_idx[within]] = cost[..., within]
    serving = (1.0 - gm[..., None]) * revenue
    profit = revenue - serving - training_spend
    return CohortResult(
        years=p.first_year + np.arange(n_years),
        revenue=revenue,
        serving_cost=serving,
        training_spend=training_spend,
        profit=profit,
        cumulative_cash=np.cumsum(profit, axis=-1),
        generation_years=p.first_year + train_idx,
        training_cost=cost,
        cohort_revenue=cohort_revenue,
        cohort_pnl=gm[..., None] * cohort_revenue - cost,
    )


def profitable_while_scaling(gross_margin, revenue_multiple, cost_growth):
    """Whether the lab's annual profit is positive while costs keep growing: ``gamma m > g``.

    Holds exactly for one revenue year and a generation a year (see :func:`cohort_model`).
    """
    return np.asarray(gross_margin) * np.asarray(revenue_multiple) > np.asarray(cost_growth)


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


def validate_chapter(*, ending_generations: int, **model) -> CohortParams:
    """Validate the cohort chapter's parameters: the model's plus ``ending_generations``.

    ``ending_generations`` (>= 2) is how many generations the endings comparison
    trains; the plateau and overhang generations must fall inside it.
    """
    p = CohortParams(**model)
    n = check_int("ending_generations", ending_generations, ge=2, le=100)
    check_int("plateau_generation", p.plateau_generation, ge=0, le=n - 1)
    check_int("overhang_generation", p.overhang_generation, ge=0, le=n - 1)
    return p


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
