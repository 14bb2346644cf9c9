"""Competition: how much of a model's no-competition revenue survives rivals, open models and successors.

A model is launched at month 0 and sells for ``T = model_life_months`` months. Its
lifetime revenue with no competition is ``m0 = revenue_multiple_no_competition`` times
its training cost, earned at a constant price (the price a lone lab charges) and a
constant volume. Prices are expressed relative to that price, so the serving cost is
``c = 1 - gamma`` (``gamma`` = ``gross_margin``). Four forces cut into it:

- **rivals**: with ``n_labs`` symmetric labs the launch price falls to ``p_n`` and
  each lab serves the volume ``v_n`` (symmetric logit, :mod:`labecon_core.rivalry`);
- **steady price decline**: the price of a fixed capability, and the cost of serving
  it, fall by ``D = annual_price_decline`` a year: a factor ``exp(-delta s)``,
  ``delta = ln(D)/12``, at month ``s``;
- **open-model parity** at month ``L = open_model_lag_months``: the price falls to the
  commodity price ``p_c = c / (1 - commodity_margin)`` plus ``retained_premium`` of
  the premium ``p_n - p_c`` (the lab keeps its customers by matching that price);
- **the lab's successor** at month ``G = generation_interval_months`` takes
  ``successor_cannibalization`` (``kappa``) of the revenue left.

Revenue per month at month ``s`` (in multiples of the training cost) is

    r(s) = (m0 / T) v_n P(s) exp(-delta s) S(s),   P(s) = p_n (s < L), p_n - (1 - rho)(p_n - p_c)^+ (s >= L),

with ``S(s) = 1 - kappa [s >= G]``, and gross profit replaces ``P`` by ``P - c``. The
integrals have closed forms, so lifetime figures are exact and smooth in every
parameter. Volumes are held at their launch level: the model does not let cheaper
tokens sell in larger volumes (enter a net fall in revenue as the decline if they do).

Normalization (the invariant the tests check): with the lag at or beyond the model's
life, no price decline, no cannibalisation and one lab, the realized multiple equals
``m0`` and the realized gross margin equals ``gamma``.

Numeric parameters may be numpy arrays that broadcast together; ``model_life_months``
is a scalar. The cohort P&L is ``gamma_r m_r - 1`` (in training costs), with the
realized margin ``gamma_r``; it is composed with :mod:`labecon_core.cohort` by
:func:`cohort_params`.
"""

from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from labecon_core import cohort, rivalry
from labecon_core.validation import check_int, check_number, check_share

_BISECTION_STEPS = 60  # halves the model's life (<= 240 months) to below 1e-15 months


@dataclass(frozen=True)
class CompetitionParams:
    """Parameters of the competition model, validated on construction.

    Parameters
    ----------
    revenue_multiple_no_competition : float or array
        Lifetime revenue over training cost of a model sold by one lab, at its launch
        price, for its whole life, with no rival or successor (>= 0).
    open_model_lag_months : float or array
        Months from launch until an open model matches it (> 0; at or beyond the
        model's life, it never does while the model sells).
    annual_price_decline : float or array
        Factor by which the price of a fixed capability falls each year (>= 1; 1 = no fall).
    successor_cannibalization : float or array
        Share of the model's remaining revenue its successor takes, in [0, 1].
    generation_interval_months : float or array
        Months from launch until the lab's successor launches (> 0).
    n_labs : float or array
        Symmetric frontier labs selling comparable models (>= 1).
    retained_premium : float or array
        Share of the premium over the commodity price kept after open parity, in [0, 1].
    gross_margin : float or array
        Gross margin of a lone lab at its launch price, in [0, 1].
    cost_growth : float or array
        Factor by which training cost grows each generation (> 0); used by the
        profitable-while-scaling test.
    model_life_months : int
        Months the model sells, from launch (1 to 240).
    commodity_margin : float or array
        Gross margin of hosts serving an open model at parity, in [0, 1): the
        commodity price is the serving cost divided by ``1 - commodity_margin``.
    lone_lab_share : float or array
        Share of potential buyers a lone lab serves at its price, in (0, 1); sets how
        much each rival takes (see :mod:`labecon_core.rivalry`).
    """

    revenue_multiple_no_competition: float = 2.0
    open_model_lag_months: float = 12.0
    annual_price_decline: float = 1.5
    successor_cannibalization: float = 0.5
    generation_interval_months: float = 12.0
    n_labs: float = 4.0
    retained_premium: float = 0.3
    gross_margin: float = 0.72
    cost_growth: float = 10.0
    model_life_months: int = 24
    commodity_margin: float = 0.1
    lone_lab_share: float = 0.3

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "revenue_multiple_no_competition",
             check_number("revenue_multiple_no_competition", self.revenue_multiple_no_competition, ge=0))
        set_(self, "open_model_lag_months", check_number("open_model_lag_months", self.open_model_lag_months, gt=0))
        set_(self, "annual_price_decline", check_number("annual_price_decline", self.annual_price_decline, ge=1))
        set_(self, "successor_cannibalization",
             check_share("successor_cannibalization", self.successor_cannibalization))
        set_(self, "generation_interval_months",
             check_number("generation_interval_months", self.generation_interval_months, gt=0))
        set_(self, "n_labs", check_number("n_labs", self.n_labs, ge=1))
        set_(self, "retained_premium", check_share("retained_premium", self.retained_premium))
        set_(self, "gross_margin", check_share("gross_margin", self.gross_margin))
        set_(self, "cost_growth", check_number("cost_growth", self.cost_growth, gt=0))
        set_(self, "model_life_months", check_int("model_life_months", self.model_life_months, ge=1, le=240))
        set_(self, "commodity_margin", check_number("commodity_margin", self.commodity_margin, ge=0, lt=1))
        set_(self, "lone_lab_share", check_number("lone_lab_share", self.lone_lab_share, gt=0, lt=1))

    def without_competition(self) -> "CompetitionParams":
        """The same model with every force switched off (the normalization case)."""
        return replace(self, open_model_lag_months=float(self.model_life_months), annual_price_decline=1.0,
                       successor_cannibalization=0.0, n_labs=1.0)


@dataclass(frozen=True)
class CompetitionResult:
    """Lifetime outcomes of :func:`competition_model`; arrays have the parameters' broadcast shape.

    Attributes
    ----------
    realized_multiple : ndarray
        Lifetime revenue over training cost, ``m_r``.
    gross_profit_multiple : ndarray
        Lifetime gross profit over training cost, ``gamma_r m_r``; the cohort makes
        money iff it exceeds 1.
    realized_margin : ndarray
        Lifetime gross profit over lifetime revenue, ``gamma_r``.
    revenue_share_before_catch_up : ndarray
        Share of lifetime revenue earned before open parity (1 if parity comes after the model's life).
    company_profitable_while_scaling : ndarray of bool
        ``gamma_r m_r > g``: the lab's annual profit is positive while training cost grows
        by ``g`` a generation (:func:`labecon_core.cohort.profitable_while_scaling`).
    """

    realized_multiple: np.ndarray
    gross_profit_multiple: np.ndarray
    realized_margin: np.ndarray
    revenue_share_before_catch_up: np.ndarray
    company_profitable_while_scaling: np.ndarray

    @property
    def cohort_profitable(self) -> np.ndarray:
        """Whether the cohort earns back its training cost: ``gamma_r m_r > 1``."""
        return self.gross_profit_multiple > 1


@dataclass(frozen=True)
class _Prices:
    """Price levels relative to the lone lab's launch price, broadcast with the parameters."""

    launch: np.ndarray  # p_n
    after_parity: np.ndarray  # p_n - (1 - rho)(p_n - p_c)^+
    cost: np.ndarray  # c = 1 - gamma
    volume: np.ndarray  # v_n


def _prices(p: CompetitionParams) -> _Prices:
    rival = rivalry.symmetric_logit(p.n_labs, p.gross_margin, p.lone_lab_share)
    cost = 1.0 - np.asarray(p.gross_margin, dtype=float)
    commodity = cost / (1.0 - np.asarray(p.commodity_margin, dtype=float))
    premium = np.maximum(rival.price - commodity, 0.0)
    after = rival.price - (1.0 - np.asarray(p.retained_premium, dtype=float)) * premium
    return _Prices(rival.price, after, cost, rival.volume)


def _decay_integral(delta, a, b):
    """Integral of exp(-delta s) over [a, b] (a <= b), months; exact at delta = 0."""
    safe = np.where(delta > 0, delta, 1.0)
    return np.where(delta > 0, np.exp(-delta * a) * -np.expm1(-delta * (b - a)) / safe, b - a)


def _weighted(p: CompetitionParams, a, b):
    """Integral of exp(-delta s) S(s) over [a, b]: the successor takes kappa from month G on."""
    delta = np.log(np.asarray(p.annual_price_decline, dtype=float)) / 12.0
    kappa = np.asarray(p.successor_cannibalization, dtype=float)
    gen = np.asarray(p.generation_interval_months, dtype=float)
    return _decay_integral(delta, a, b) - kappa * _decay_integral(delta, np.clip(gen, a, b), b)


def _window(p: CompetitionParams, a, b, lag=None, q: _Prices | None = None):
    """Revenue, gross profit and revenue before open parity over months [a, b], in training costs.

    ``lag`` overrides ``open_model_lag_months`` (the break-even solver varies it, and
    passes the prices ``q``, which do not depend on the lag, once for all iterations).
    """
    q = _prices(p) if q is None else q
    lag = np.minimum(p.open_model_lag_months if lag is None else lag, p.model_life_months)
    before = _weighted(p, np.minimum(a, lag), np.minimum(b, lag))
    after = _weighted(p, np.maximum(a, lag), np.maximum(b, lag))
    scale = np.asarray(p.revenue_multiple_no_competition, dtype=float) / p.model_life_months * q.volume
    early = scale * q.launch * before
    revenue = early + scale * q.after_parity * after
    gross = scale * ((q.launch - q.cost) * before + (q.after_parity - q.cost) * after)
    return revenue, gross, early


def competition_model(p: CompetitionParams) -> CompetitionResult:
    """Lifetime revenue and gross profit of one model under competition.

    Parameters
    ----------
    p : CompetitionParams
        Validated parameters; numeric fields may be arrays that broadcast together.

    Returns
    -------
    CompetitionResult
        Realized revenue multiple, gross-profit multiple and margin, share of revenue
        before open parity, and the profitable-while-scaling test.
    """
    revenue, gross, before = _window(p, 0.0, float(p.model_life_months))
    positive = revenue > 0
    safe = np.where(positive, revenue, 1.0)
    # 0 <= gross <= revenue exactly; the clip removes rounding (a margin of 1 + 2e-16 is not a share).
    margin = np.clip(np.where(positive, gross / safe, np.asarray(p.gross_margin, dtype=float)), 0.0, 1.0)
    return CompetitionResult(
        realized_multiple=revenue,
        gross_profit_multiple=gross,
        realized_margin=margin,
        revenue_share_before_catch_up=np.where(positive, before / safe, 1.0),
        company_profitable_while_scaling=cohort.profitable_while_scaling(margin, revenue, p.cost_growth),
    )


def calibrated(p: CompetitionParams, observed_multiple, observed_margin, n_labs_today, lag_today_months
               ) -> CompetitionParams:
    """The model with the no-competition multiple and the lone lab's margin that today's market reproduces.

    The observed figures, a model's lifetime revenue over its training cost and the gross
    margin labs report, belong to today's market: ``n_labs_today`` rivals and an open model
    ``lag_today_months`` behind, with ``p``'s price decline, successor and premium. The
    counterfactual a lone lab would have, ``m0`` and its margin, is what makes the model
    reproduce them there; ``p``'s own ``n_labs`` and lag are then what-ifs against today.
    Lifetime revenue and gross profit are linear in the lone lab's margin on either side of
    the margin at which the launch price meets the commodity price (below it, parity leaves
    no premium to cut), so the margin that gives the observed realized margin solves a linear
    equation there, with coefficients read off the model itself; the realized multiple is
    proportional to ``m0``.

    Parameters
    ----------
    p : CompetitionParams
        The forces; its ``revenue_multiple_no_competition`` and ``gross_margin`` are replaced.
    observed_multiple : float or array
        A model's lifetime revenue over its training cost today (>= 0).
    observed_margin : float or array
        The gross margin reported today, share of revenue in [0, 1].
    n_labs_today, lag_today_months : float or array
        Today's number of symmetric frontier labs (>= 1) and open-model lag (months, > 0).

    Returns
    -------
    CompetitionParams
        ``p`` with the inferred ``revenue_multiple_no_competition`` and ``gross_margin``
        (arrays where the inputs are).
    """
    multiple = np.asarray(check_number("observed_multiple", observed_multiple, ge=0), dtype=float)
    margin = np.asarray(check_share("observed_margin", observed_margin), dtype=float)
    today = replace(p, revenue_multiple_no_competition=1.0,
                    n_labs=check_number("n_labs_today", n_labs_today, ge=1),
                    open_model_lag_months=check_number("lag_today_months", lag_today_months, gt=0))

    def at(gamma):
        r = competition_model(replace(today, gross_margin=gamma))
        return r.realized_multiple, r.gross_profit_multiple

    # The launch price 1 + gamma (k - 1) meets the commodity price (1 - gamma) / (1 - mu_c) at gamma = kink.
    k = rivalry.symmetric_logit(today.n_labs, 1.0, today.lone_lab_share).price
    up = 1.0 / (1.0 - np.asarray(today.commodity_margin, dtype=float))
    kink = (up - 1.0) / (k - 1.0 + up)

    def solve(x0, x1, ends):
        # G(x) = mu R(x) on [x0, x1], where G and R are linear in x; also R at the solution.
        (r0, g0), (r1, g1) = ends
        slope_g, slope_r = (g1 - g0) / (x1 - x0), (r1 - r0) / (x1 - x0)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = x0 + (margin * r0 - g0) / (slope_g - margin * slope_r)
        return x, r0 + slope_r * (x - x0)

    at_kink = at(kink)
    lone, per_unit = solve(kink, 1.0, (at_kink, at(1.0)))
    if np.any(lower := ~(lone >= kink)):  # a margin below the kink's (rare): the other segment
        below, below_unit = solve(0.0, kink, (at(0.0), at_kink))
        lone, per_unit = np.where(lower, below, lone), np.where(lower, below_unit, per_unit)
    lone = np.clip(lone, 0.0, 1.0)
    m0 = np.where(per_unit > 0, multiple / np.where(per_unit > 0, per_unit, 1.0), 0.0)
    if np.ndim(m0) == 0:
        m0, lone = float(m0), float(lone)
    return replace(p, revenue_multiple_no_competition=m0, gross_margin=lone)


def monthly(p: CompetitionParams) -> tuple[np.ndarray, np.ndarray]:
    """Revenue and gross profit in each month of the model's life, in multiples of the training cost.

    Returns
    -------
    revenue, gross_profit : ndarray, shape (..., T)
        Month ``j`` covers ``[j, j + 1)`` months after launch; each sums over months
        to the lifetime figure of :func:`competition_model`.
    """
    edges = np.arange(p.model_life_months + 1, dtype=float)
    expanded = replace(p, **{f.name: np.asarray(getattr(p, f.name))[..., None] for f in fields(p)
                              if f.name != "model_life_months"})
    revenue, gross, _ = _window(expanded, edges[:-1], edges[1:])
    return revenue, gross


def lag_for_gross_multiple(p: CompetitionParams, target) -> np.ndarray:
    """The open-model lag (months) at which lifetime gross profit reaches ``target`` training costs.

    Gross profit rises with the lag (the premium lasts longer), so the answer is
    unique: 0 where even an immediate catch-up earns ``target``, NaN where the target
    is missed even if no open model catches up within the model's life. Solved by
    vectorized bisection on ``[0, model_life_months]``.

    Parameters
    ----------
    p : CompetitionParams
        Parameters (``open_model_lag_months`` is ignored).
    target : float or array
        Gross profit over training cost to reach: 1 for the cohort's break-even,
        ``cost_growth`` for profit while scaling.
    """
    life = float(p.model_life_months)
    target = np.asarray(target, dtype=float)

    prices = _prices(p)

    def gross(lag):
        return _window(p, 0.0, life, lag=lag, q=prices)[1]

    top, bottom = gross(life), gross(0.0)
    shape = np.broadcast_shapes(np.shape(top), target.shape)
    lo, hi = np.zeros(shape), np.full(shape, life)
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        short = gross(mid) < target
        lo, hi = np.where(short, mid, lo), np.where(short, hi, mid)
    lag = 0.5 * (lo + hi)
    return np.where(bottom >= target, 0.0, np.where(top < target, np.nan, lag))


def breakeven_lag(p: CompetitionParams) -> np.ndarray:
    """The open-model lag (months) below which the cohort loses money, ``gamma_r m_r < 1``.

    See :func:`lag_for_gross_multiple` for the conventions (0: never loses money; NaN: always does).
    """
    return lag_for_gross_multiple(p, 1.0)


def scaling_lag(p: CompetitionParams) -> np.ndarray:
    """The shortest open-model lag (months) at which the lab is profitable while scaling (``gamma_r m_r >= g``)."""
    return lag_for_gross_multiple(p, p.cost_growth)


def required_multiple(p: CompetitionParams, target=1.0) -> np.ndarray:
    """The no-competition multiple ``m0`` at which lifetime gross profit reaches ``target`` training costs.

    Lifetime gross profit is proportional to ``m0``, so this is ``target m0 / (gamma_r m_r)``;
    infinite where the forces leave no gross profit at all.
    """
    per_unit = competition_model(replace(p, revenue_multiple_no_competition=1.0)).gross_profit_multiple
    with np.errstate(divide="ignore"):
        return np.where(per_unit > 0, np.asarray(target, dtype=float) / np.where(per_unit > 0, per_unit, 1.0), np.inf)


def shortest_lags(p: CompetitionParams, revenue_multiple_no_competition, annual_price_decline,
                  targets: dict[str, float]) -> pd.DataFrame:
    """The shortest open-model lag that earns each gross-profit target, along an axis of no-competition multiples.

    One vectorized call of :func:`lag_for_gross_multiple` over every multiple, decline and
    target. Multiples at which a target is missed even with no open model within the
    model's life are left out, and so is the flat run at a lag of 0 beyond the first
    multiple that reaches it (each curve ends where it meets the axis).

    Parameters
    ----------
    p : CompetitionParams
        Values of the other parameters.
    revenue_multiple_no_competition : array-like
        The no-competition multiples ``m0``, increasing.
    annual_price_decline : array-like
        Price declines (factor a year, >= 1), one curve each.
    targets : dict
        ``name -> gross profit over training cost`` to reach (1: the cohort breaks even;
        ``cost_growth``: the lab profits while scaling).

    Returns
    -------
    DataFrame
        One row per decline, target and multiple kept, in that order: ``annual_price_decline``,
        ``condition`` (the target's name), ``revenue_multiple_no_competition`` and ``lag_months``.
    """
    multiples = np.asarray(revenue_multiple_no_competition, dtype=float)
    declines = np.asarray(annual_price_decline, dtype=float)
    names = np.array(list(targets))
    q = replace(p, revenue_multiple_no_competition=multiples, annual_price_decline=declines[:, None, None])
    lag = lag_for_gross_multiple(q, np.array(list(targets.values()), dtype=float)[:, None])  # (decline, target, m0)
    keep = ~np.isnan(lag) & ((lag > 0) | (np.cumsum(lag == 0, axis=-1) == 1))
    d, t, m = np.nonzero(keep)
    return pd.DataFrame({"annual_price_decline": declines[d], "condition": names[t],
                         "revenue_multiple_no_competition": multiples[m], "lag_months": lag[keep]})


#: The forces in the order :func:`mechanism_steps` switches them on.
STEPS = ("no competition", "+ price decline", "+ open-model parity", "+ own successor", "+ rival labs")


def step_params(p: CompetitionParams) -> dict[str, CompetitionParams]:
    """The model with the forces switched on one at a time, cumulatively, in the order of :data:`STEPS`."""
    off = p.without_competition()
    on = [
        {},
        {"annual_price_decline": p.annual_price_decline},
        {"open_model_lag_months": p.open_model_lag_months},
        {"successor_cannibalization": p.successor_cannibalization},
        {"n_labs": p.n_labs},
    ]
    out, acc = {}, {}
    for name, change in zip(STEPS, on, strict=True):
        acc.update(change)
        out[name] = replace(off, **acc)
    return out


def mechanism_steps(p: CompetitionParams) -> pd.DataFrame:
    """Realized multiple, gross-profit multiple and margin as each force is added (scalar parameters).

    The order matters for how a loss is attributed (each force acts on what the
    earlier ones left), not for the final row, which is the full model.
    """
    rows = []
    for name, q in step_params(p).items():
        r = competition_model(q)
        rows.append({"step": name, "realized_multiple": float(r.realized_multiple),
                     "gross_profit_multiple": float(r.gross_profit_multiple),
                     "realized_margin": float(r.realized_margin)})
    return pd.DataFrame(rows)


def grid(p: CompetitionParams, **axes) -> pd.DataFrame:
    """Evaluate the model over the grid of the named parameters, in one vectorized call.

    Parameters
    ----------
    p : CompetitionParams
        Values of the parameters not on the grid.
    **axes : array-like
        One or more parameter names with the values to combine (a full grid).

    Returns
    -------
    DataFrame
        One row per grid point: the axes, ``realized_multiple``, ``gross_profit_multiple``,
        ``realized_margin``, ``revenue_share_before_catch_up``, ``cohort_profitable``
        and ``company_profitable_while_scaling``.
    """
    names = list(axes)
    mesh = np.meshgrid(*[np.asarray(axes[k], dtype=float) for k in names], indexing="ij")
    r = competition_model(replace(p, **dict(zip(names, mesh, strict=True))))
    out = {k: m.ravel() for k, m in zip(names, mesh, strict=True)}
    shape = mesh[0].shape
    for attr in ("realized_multiple", "gross_profit_multiple", "realized_margin", "revenue_share_before_catch_up",
                 "cohort_profitable", "company_profitable_while_scaling"):
        out[attr] = np.broadcast_to(getattr(r, attr), shape).ravel()
    return pd.DataFrame(out)


def monthly_grid(p: CompetitionParams, **axes) -> pd.DataFrame:
    """Revenue and gross profit per month of every step of :data:`STEPS`, over a grid of parameters, in one call.

    Each grid point gets the cumulative steps of :func:`step_params`; the steps are
    stacked on an extra axis so that one vectorized call of :func:`monthly` evaluates
    every step at every grid point. A what-if chart filters this table to the point
    a reader picks.

    Parameters
    ----------
    p : CompetitionParams
        Scalar values of the parameters not on the grid.
    **axes : array-like
        One or more parameter names with the values to combine (a full grid).

    Returns
    -------
    DataFrame
        One row per grid point, step and month: the axes; ``forces``, the step's name
        in :data:`STEPS`; ``month``, months from launch to the start of the month
        (0 to ``model_life_months - 1``); ``revenue`` and ``gross_profit`` earned in
        that month, in multiples of the training cost. Summed over months they are
        the step's lifetime figures (:func:`mechanism_steps`).
    """
    names = list(axes)
    mesh = np.meshgrid(*[np.asarray(axes[k], dtype=float) for k in names], indexing="ij")
    shape = mesh[0].shape
    steps = step_params(replace(p, **dict(zip(names, mesh, strict=True)))).values()
    stacked = replace(p, **{f.name: np.stack([np.broadcast_to(np.asarray(getattr(q, f.name), dtype=float), shape)
                                              for q in steps])
                            for f in fields(p) if f.name != "model_life_months"})
    revenue, gross = monthly(stacked)  # shape (step, *grid, month)
    life, points = p.model_life_months, mesh[0].size
    out = {k: np.tile(np.repeat(m.ravel(), life), len(STEPS)) for k, m in zip(names, mesh, strict=True)}
    out["forces"] = np.repeat(np.array(STEPS), points * life)
    out["month"] = np.tile(np.arange(life), len(STEPS) * points)
    out["revenue"] = revenue.ravel()
    out["gross_profit"] = gross.ravel()
    return pd.DataFrame(out)


#: The events that change a model's revenue during its life, as :func:`force_events` names them.
EVENTS = ("open-model parity", "own successor")


def force_events(p: CompetitionParams, open_model_lag_months) -> pd.DataFrame:
    """When open parity and the lab's own successor arrive within the model's life, for each open-model lag.

    Parameters
    ----------
    p : CompetitionParams
        ``generation_interval_months`` and ``model_life_months`` are used.
    open_model_lag_months : array-like
        The lags (months), increasing.

    Returns
    -------
    DataFrame
        One row per lag and month at which an event of :data:`EVENTS` falls before the end of
        the model's life: ``open_model_lag_months``, ``month`` (months from launch) and ``event``;
        events in the same month share a row, their names joined by " and ".
    """
    lags = np.asarray(open_model_lag_months, dtype=float)
    months = np.column_stack([lags, np.full(lags.shape, float(p.generation_interval_months))])
    events = pd.DataFrame({"open_model_lag_months": np.repeat(lags, len(EVENTS)), "month": months.ravel(),
                           "event": list(EVENTS) * len(lags)})
    events = events[events.month < p.model_life_months]
    return events.groupby(["open_model_lag_months", "month"], as_index=False).agg({"event": " and ".join})


def cohort_params(result: CompetitionResult, p: CompetitionParams, **cohort_fields) -> cohort.CohortParams:
    """Cohort-model parameters with the realized multiple and margin of ``result``.

    The cohort model books a generation's lifetime revenue in the year after it is
    trained (its default of one revenue year), so a model selling longer than a
    year is treated as if it earned everything in that year: generous to the lab
    while training cost grows, since later revenue is set against a larger bill.
    """
    return cohort.CohortParams(revenue_multiple=result.realized_multiple, gross_margin=result.realized_margin,
                               cost_growth=p.cost_growth, **cohort_fields)


# Evidence: turning dated prices and releases into rates the model can be compared with.

_DAYS_PER_MONTH = 365.25 / 12


def months_between(start, end) -> np.ndarray:
    """Months from ``start`` to ``end`` (dates as ``YYYY-MM-DD`` strings or timestamps; average month length)."""
    def days(d):
        return pd.to_datetime(np.atleast_1d(np.asarray(d))).to_numpy().astype("datetime64[D]").astype(float)

    return (days(end) - days(start)) / _DAYS_PER_MONTH


def blended_price(input_price, output_price, input_token_share):
    """One price per token from input and output list prices (USD per million tokens).

    ``input_token_share`` is the share of input tokens in the traffic (0.75 is the
    common 3:1 blend).
    """
    share = check_share("input_token_share", input_token_share)
    return share * np.asarray(input_price, dtype=float) + (1.0 - share) * np.asarray(output_price, dtype=float)


def annual_fall(dates, prices) -> float:
    """Factor by which prices fall per year on a log-linear least-squares trend through (date, price) points.

    Needs points spanning at least a year: a trend through a few months of price
    steps would be extrapolated wildly.
    """
    dates = pd.to_datetime(np.asarray(dates))
    t = months_between(dates.min(), dates) / 12.0
    if t.max() < 1.0:
        raise ValueError(f"a yearly trend needs points spanning a year; these span {12 * t.max():.1f} months")
    slope = np.polyfit(t, np.log(np.asarray(prices, dtype=float)), 1)[0]
    return float(np.exp(-slope))


def flagship_path(prices: pd.DataFrame, first_model: str, input_token_share) -> pd.DataFrame:
    """The list price of a lab's flagship over time, following the ``replaces`` chain from ``first_model``.

    Each model counts from its launch until its successor's launch, with any price
    cut in between, so the path shows what a customer of the lab's best model paid.

    Returns
    -------
    DataFrame
        ``date``, ``model``, ``event``, ``blended_usd_per_mtok`` (see :func:`blended_price`), in date order.
    """
    frame = prices.assign(date=pd.to_datetime(prices.date),
                          blended_usd_per_mtok=blended_price(prices.input_usd_per_mtok, prices.output_usd_per_mtok,
                                                             input_token_share))
    chain, model = [], first_model
    while model is not None:
        chain.append(model)
        nxt = frame[(frame.event == "launch") & (frame.replaces == model)].model
        model = nxt.iloc[0] if len(nxt) else None
    launches = {m: frame[(frame.model == m) & (frame.event == "launch")].date.iloc[0] for m in chain}
    ends = dict(zip(chain, [launches[m] for m in chain[1:]] + [pd.Timestamp.max], strict=True))
    rows = [frame[(frame.model == m) & (frame.date >= launches[m]) & (frame.date < ends[m])] for m in chain]
    path = pd.concat(rows)[["date", "model", "event", "blended_usd_per_mtok"]]
    return path.sort_values("date").reset_index(drop=True)


def flagship_paths(prices: pd.DataFrame, input_token_share) -> pd.DataFrame:
    """The flagship path (:func:`flagship_path`) of every line of models, one per launch that replaces no model.

    Returns
    -------
    DataFrame
        The columns of :func:`flagship_path` plus ``line``, the line's first model, and ``lab``,
        its lab; lines in the order of the table.
    """
    firsts = prices[(prices.event == "launch") & prices.replaces.isna()]
    return pd.concat([flagship_path(prices, r.model, input_token_share).assign(line=r.model, lab=r.lab)
                      for r in firsts.itertuples()], ignore_index=True)


def successor_discounts(prices: pd.DataFrame, input_token_share) -> pd.DataFrame:
    """How much cheaper each successor launched than the model it replaced, at the price then in force.

    Returns
    -------
    DataFrame
        One row per launch with a ``replaces`` entry: ``model``, ``replaces``, ``date``,
        ``discount``, the predecessor's blended price on that date over the successor's
        launch price (2 = half the price), and ``price_share``, its inverse (0.5 = half the price).
    """
    frame = prices.assign(date=pd.to_datetime(prices.date),
                          blended=blended_price(prices.input_usd_per_mtok, prices.output_usd_per_mtok,
                                                input_token_share)).sort_values("date")
    rows = []
    for r in frame[(frame.event == "launch") & frame.replaces.notna()].itertuples():
        before = frame[(frame.model == r.replaces) & (frame.date <= r.date)].blended.iloc[-1]
        rows.append({"model": r.model, "replaces": r.replaces, "date": r.date,
                     "discount": before / r.blended, "price_share": r.blended / before})
    return pd.DataFrame(rows)


def first_year_falls(prices: pd.DataFrame, as_of, input_token_share) -> pd.DataFrame:
    """How much each model's own list price fell in its first year on sale.

    Parameters
    ----------
    prices : DataFrame
        Rows of ``api_price_cuts``: ``model``, ``event`` (``launch`` or ``price cut``),
        ``date``, ``input_usd_per_mtok``, ``output_usd_per_mtok``.
    as_of : str or Timestamp
        Date up to which the table is complete; models launched less than a year
        before it are left out (their first year is not over).
    input_token_share : float
        Blend of input and output prices (see :func:`blended_price`).

    Returns
    -------
    DataFrame
        One row per model: ``model``, ``launch``, ``launch_price``, ``price_after_year``
        (blended USD per million tokens in force twelve months after launch) and
        ``fall`` (their ratio, 1 = no cut).
    """
    frame = prices.assign(date=pd.to_datetime(prices.date),
                          blended=blended_price(prices.input_usd_per_mtok, prices.output_usd_per_mtok,
                                                input_token_share))
    rows = []
    for model, g in frame.sort_values("date").groupby("model", sort=False):
        launch = g[g.event == "launch"]
        if launch.empty:
            continue
        start = launch.date.iloc[0]
        year_later = start + pd.DateOffset(months=12)
        if year_later > pd.Timestamp(as_of):
            continue
        in_force = g[g.date <= year_later].blended.iloc[-1]
        rows.append({"model": model, "launch": start, "launch_price": launch.blended.iloc[0],
                     "price_after_year": in_force, "fall": launch.blended.iloc[0] / in_force})
    return pd.DataFrame(rows)


def geometric_mean(values) -> float:
    """Geometric mean of positive numbers (the average of factors)."""
    return float(np.exp(np.mean(np.log(np.asarray(values, dtype=float)))))


def lag_extremes(lags: pd.DataFrame) -> tuple[float, float]:
    """The shortest and the longest open-model lag (months) in rows of ``open_model_lag``.

    Central figures and interval ends count alike: the shortest is the least of
    ``value_months`` and ``low_months``, the longest the greatest of ``value_months`` and
    ``high_months`` (missing figures are skipped).
    """
    return (float(np.nanmin(lags[["value_months", "low_months"]].to_numpy(dtype=float))),
            float(np.nanmax(lags[["value_months", "high_months"]].to_numpy(dtype=float))))


# Section 6: how long a lab that loses money can keep going.

def runway_months(cash_usd, annual_burn_usd) -> np.ndarray:
    """Months that ``cash_usd`` lasts at an annual burn of ``annual_burn_usd`` (infinite if the burn is <= 0)."""
    cash = np.asarray(check_number("cash_usd", cash_usd, ge=0), dtype=float)
    burn = np.asarray(annual_burn_usd, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(burn > 0, 12.0 * cash / np.where(burn > 0, burn, 1.0), np.inf)


def runway_band(cash_usd, burn_low_usd, burn_high_usd) -> tuple[np.ndarray, np.ndarray]:
    """Shortest and longest runway (months) of ``cash_usd`` for an annual burn between two ends (USD a year).

    The shortest is at the high burn, the longest at the low one (see :func:`runway_months`);
    the arguments broadcast together, and so do the two results.
    """
    return tuple(np.broadcast_arrays(runway_months(cash_usd, burn_high_usd), runway_months(cash_usd, burn_low_usd)))


def profit_cover(net_income_usd, spend_low_usd, spend_high_usd) -> tuple[np.ndarray, np.ndarray]:
    """How many times a net income covers a spend known as a range: (lowest, highest) cover, ×.

    The lowest cover is against the high spend, the highest against the low one.
    """
    income = np.asarray(net_income_usd, dtype=float)
    return income / np.asarray(spend_high_usd, dtype=float), income / np.asarray(spend_low_usd, dtype=float)


def burn_range(spend_low, spend_high, revenue_low, revenue_high) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest annual burn (spend minus revenue, USD) consistent with two ranges."""
    return (np.asarray(spend_low, dtype=float) - np.asarray(revenue_high, dtype=float),
            np.asarray(spend_high, dtype=float) - np.asarray(revenue_low, dtype=float))
