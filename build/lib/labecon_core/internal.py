"""Internal deployment: should a lab use a capability itself or sell it through its API?

An edge (a trading strategy, a drug-discovery pipeline...) is worth ``V(1)`` a
year to a single holder. Held by ``n`` firms its *total* value is

    V(n) = V(1) n^(-alpha),

shared equally, so each holder gets ``V(n) / n`` (``alpha = 0``: a fixed pie
shared out; ``alpha = 1``: the essay's "inversely proportional" edge).

Two routes, over ``[0, H]`` years (``H = horizon_years``), with exclusivity
until ``T_e = min(exclusivity_months / 12, H)``:

- **API route.** While the lab's model is ahead, it sells the capability to
  ``k`` firms (``api_customers``) and captures a share ``phi``
  (``value_capture_share``) of what they earn: ``phi V(k)`` a year. Once open
  models catch up, anyone can run an equivalent model at cost, so the API's
  rent on this capability is competed away: 0 a year.
- **Internal route.** The lab alone holds the edge and earns ``(1 - kappa) V(1)``
  a year, where ``kappa`` (``internal_cost_share``) is the share lost to running
  the business itself (capital at risk, competence it lacks). After catch-up the
  lab is one of ``N`` holders (``holders_after_catchup``, the lab included) and
  earns ``(1 - kappa) V(N) / N``.

Present values discount continuous flows at the rate ``rho = ln(1 + r)`` a year,
where ``r`` (``discount_rate``) is the annual effective rate. With
``A_e = int_0^T_e e^(-rho t) dt`` and ``A_s = int_T_e^H e^(-rho t) dt``
(discounted years of exclusivity and of shared use),

    internal_npv = (1 - kappa) V(1) [A_e + A_s N^(-1-alpha)]
    api_npv      = phi V(1) k^(-alpha) A_e

and the break-even capture share, at which the two are equal, is

    phi* = (1 - kappa) k^alpha [1 + (A_s / A_e) N^(-1-alpha)].

Numeric parameters may be numpy arrays that broadcast together, so one call
evaluates a grid or many Monte Carlo draws.
"""

import math
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from labecon_core import cohort
from labecon_core.errors import ParameterError
from labecon_core.validation import check_choice, check_number, check_share


@dataclass(frozen=True)
class InternalParams:
    """Parameters of the keep-or-sell model, validated on construction.

    Defaults are illustrative (see the chapter), except ``erosion_exponent = 1``
    (the essay's "inversely proportional") and ``exclusivity_months = 9`` (the
    middle of the essay's 6-12 months).

    Parameters
    ----------
    edge_value_usd : float or array
        Value of the edge to a single holder, USD a year (> 0).
    erosion_exponent : float or array
        ``alpha`` in ``V(n) = V(1) n^(-alpha)``, in [0, 10].
    api_customers : float or array
        ``k``, firms the lab sells the capability to during exclusivity (>= 1;
        non-integer values interpolate, for sweeps and Monte Carlo draws).
    value_capture_share : float or array
        ``phi``, share of the customers' value the lab captures through its prices, in [0, 1].
    internal_cost_share : float or array
        ``kappa``, share of the edge's value lost to running the business itself, in [0, 1].
    exclusivity_months : float or array
        Months before open models catch up (>= 0; beyond the horizon means never).
    holders_after_catchup : float or array
        ``N``, firms holding the capability once open models match it, the lab included (>= 1).
    discount_rate : float or array
        Annual effective discount rate, in [0, 1]; flows are discounted continuously.
    horizon_years : float or array
        Years over which the routes are compared (> 0, <= 100).
    """

    edge_value_usd: float = 10e9
    erosion_exponent: float = 1.0
    api_customers: float = 10.0
    value_capture_share: float = 0.25
    internal_cost_share: float = 0.3
    exclusivity_months: float = 9.0
    holders_after_catchup: float = 20.0
    discount_rate: float = 0.10
    horizon_years: float = 3.0

    def __post_init__(self):
        checks = {
            "edge_value_usd": lambda n, v: check_number(n, v, gt=0),
            "erosion_exponent": lambda n, v: check_number(n, v, ge=0, le=10),
            "api_customers": lambda n, v: check_number(n, v, ge=1),
            "value_capture_share": check_share,
            "internal_cost_share": check_share,
            "exclusivity_months": lambda n, v: check_number(n, v, ge=0, le=1200),
            "holders_after_catchup": lambda n, v: check_number(n, v, ge=1),
            "discount_rate": lambda n, v: check_number(n, v, ge=0, le=1),
            "horizon_years": lambda n, v: check_number(n, v, gt=0, le=100),
        }
        for name, check in checks.items():
            object.__setattr__(self, name, check(name, getattr(self, name)))


@dataclass(frozen=True)
class InternalResult:
    """Outputs of :func:`internal_model`; arrays have the parameters' broadcast shape.

    Attributes
    ----------
    internal_npv, api_npv : ndarray
        Present value of each route over the horizon, USD.
    breakeven_value_capture_share : ndarray
        ``phi*``, the capture share at which the routes are worth the same. Not
        clipped: above 1 no API price can match the internal route (see
        ``breakeven_reachable``); ``inf`` when there is no exclusivity window
        (the API earns nothing) but the internal route earns something.
    breakeven_internal_cost_share : ndarray
        ``kappa*``, the internal cost share at which the routes are worth the
        same: internal wins iff ``kappa < kappa*``. Always in [0, 1], since the
        API can at most capture all of a value that cannot exceed ``V(1)``.
    exclusive_years, shared_years : ndarray
        Discounted years of exclusivity ``A_e`` and after catch-up ``A_s``.
    """

    internal_npv: np.ndarray
    api_npv: np.ndarray
    breakeven_value_capture_share: np.ndarray
    breakeven_internal_cost_share: np.ndarray
    exclusive_years: np.ndarray
    shared_years: np.ndarray

    @property
    def advantage(self) -> np.ndarray:
        """``internal_npv - api_npv``, USD (positive: keep the model)."""
        return self.internal_npv - self.api_npv

    @property
    def keep_internal(self) -> np.ndarray:
        """Whether internal deployment is worth strictly more (a tie goes to leasing, which risks no capital)."""
        return self.internal_npv > self.api_npv

    @property
    def breakeven_reachable(self) -> np.ndarray:
        """Whether some capture share in [0, 1] makes the API route as good as the internal one."""
        return self.breakeven_value_capture_share <= 1.0


def _arrays(p: InternalParams) -> dict[str, np.ndarray]:
    """The numeric fields as float arrays broadcast to one shape."""
    names = [f.name for f in fields(p)]
    return dict(zip(names, np.broadcast_arrays(*(np.asarray(getattr(p, n), float) for n in names)), strict=True))


def _years(start, end):
    """Length of ``[start, end]`` in years; 0 where ``end <= start``."""
    return np.maximum(np.asarray(end) - np.asarray(start), 0.0)


def _discounted_years(start, end, rho):
    """``int_start^end e^(-rho t) dt`` in years; 0 where ``end <= start``; plain length where ``rho = 0``."""
    length = _years(start, end)
    x = rho * length
    # (1 - e^-x) / x -> 1 as x -> 0; -expm1 keeps precision for small x.
    average = np.divide(-np.expm1(-x), x, out=np.ones(np.shape(x)), where=x > 0)
    return np.exp(-rho * start) * length * average


# The shares below are powers of the fields as given, not broadcast with the others: a scalar
# field (as in Monte Carlo draws of other inputs) then costs one power, not one per draw.

def _per_holder_share_after_catchup(p: InternalParams) -> np.ndarray:
    """``V(N) / (N V(1)) = N^(-1-alpha)``: what one of ``N`` holders keeps of the single-holder value."""
    return np.asarray(p.holders_after_catchup, float) ** (-1.0 - np.asarray(p.erosion_exponent, float))


def _value_share(p: InternalParams, holders) -> np.ndarray:
    """``n^(-alpha)``, unchecked (the model's inner loop)."""
    return np.asarray(holders, float) ** -np.asarray(p.erosion_exponent, float)


def total_value_share(p: InternalParams, holders) -> np.ndarray:
    """``V(n) / V(1) = n^(-alpha)``: the total value of the edge among ``n`` holders, per unit of ``V(1)``.

    Parameters
    ----------
    p : InternalParams
        Its ``erosion_exponent`` (alpha) is used.
    holders : float or array
        ``n``, firms holding the edge (>= 1).

    Returns
    -------
    ndarray
        A share of the single-holder value (1 at ``n = 1``; 1 for every ``n`` when ``alpha = 0``).
    """
    return _value_share(p, check_number("holders", holders, ge=1))


def total_value_usd(p: InternalParams, holders) -> np.ndarray:
    """``V(n) = V(1) n^(-alpha)``: what the edge is worth a year to ``n`` holders together, USD a year."""
    return np.asarray(p.edge_value_usd, float) * total_value_share(p, holders)


def _api_share(p: InternalParams) -> np.ndarray:
    """``V(k) / V(1) = k^(-alpha)``: total value of the edge among ``k`` customers, per unit of ``V(1)``."""
    return _value_share(p, p.api_customers)


def _exclusivity_end(a: dict) -> np.ndarray:
    return np.minimum(a["exclusivity_months"] / 12.0, a["horizon_years"])


def catchup_month(p: InternalParams) -> np.ndarray:
    """Months from the model's release until open models catch up, capped at the horizon (months)."""
    return np.minimum(np.asarray(p.exclusivity_months, float), 12 * np.asarray(p.horizon_years, float))


def internal_model(p: InternalParams) -> InternalResult:
    """Present values of the internal and API routes, the decision and the break-even shares.

    Parameters
    ----------
    p : InternalParams
        Validated parameters; numeric fields may be arrays that broadcast together.

    Returns
    -------
    InternalResult
        Present values (USD), ``phi*`` and ``kappa*`` (shares), discounted years.

    Notes
    -----
    With ``alpha = 0``, ``phi = 1``, ``kappa = 0`` and exclusivity lasting past the
    horizon, both routes are worth ``V(1) A_e``: selling to ``k`` firms who share
    a fixed pie, and taking all of it, is the same as holding it alone.
    """
    a = _arrays(p)
    rho = np.log1p(np.asarray(p.discount_rate, float))
    t_e = _exclusivity_end(a)
    exclusive = _discounted_years(0.0, t_e, rho)
    shared = _discounted_years(t_e, a["horizon_years"], rho)
    whole_life = exclusive + shared * _per_holder_share_after_catchup(p)  # internal_npv / V(1) at kappa = 0
    internal_per_value = (1.0 - a["internal_cost_share"]) * whole_life
    api_per_capture = _api_share(p) * exclusive  # api_npv / (phi V(1))
    with np.errstate(over="ignore"):
        phi_star = np.divide(internal_per_value, api_per_capture, out=np.where(internal_per_value > 0, np.inf, 0.0),
                             where=api_per_capture > 0)
    # kappa* = 1 - api_npv / (internal_npv at kappa = 0); the API earning nothing leaves kappa* = 1.
    kappa_star = 1.0 - np.divide(a["value_capture_share"] * api_per_capture, whole_life,
                                 out=np.zeros(whole_life.shape), where=whole_life > 0)
    return InternalResult(
        internal_npv=np.asarray(a["edge_value_usd"] * internal_per_value),
        api_npv=np.asarray(a["edge_value_usd"] * a["value_capture_share"] * api_per_capture),
        breakeven_value_capture_share=np.asarray(phi_star),
        breakeven_internal_cost_share=np.asarray(kappa_star),
        exclusive_years=np.asarray(exclusive),
        shared_years=np.asarray(shared),
    )


def revenue_by_period(p: InternalParams, period_years: float = 1.0, periods: int | None = None):
    """Undiscounted revenue of each route in consecutive periods from the start, USD.

    Parameters
    ----------
    p : InternalParams
        Validated parameters (arrays broadcast).
    period_years : float
        Length of a period in years (``1/12`` for months).
    periods : int, optional
        Number of periods; default: enough to cover the longest horizon. Periods
        past a scenario's horizon earn nothing.

    Returns
    -------
    internal, api : ndarray, shape (..., P)
        Revenue earned in each period, USD (not a yearly rate).
    """
    check_number("period_years", period_years, gt=0)
    a = _arrays(p)
    if periods is None:
        periods = math.ceil(round(float(a["horizon_years"].max()) / period_years, 9))
    edges = np.arange(periods + 1) * period_years
    start, end = edges[:-1], edges[1:]
    t_e = _exclusivity_end(a)[..., None]
    horizon = a["horizon_years"][..., None]
    exclusive = _years(start, np.minimum(end, t_e))
    shared = _years(np.maximum(start, t_e), np.minimum(end, horizon))
    value = a["edge_value_usd"][..., None]
    internal = value * (1.0 - a["internal_cost_share"][..., None]) * (
        exclusive + shared * _per_holder_share_after_catchup(p)[..., None])
    api = value * (a["value_capture_share"] * _api_share(p))[..., None] * exclusive
    return internal, api


def extra_annual_revenue(p: InternalParams, years: int | None = None) -> np.ndarray:
    """Revenue internal deployment adds each year over selling the capability, USD, shape (..., Y).

    Where the lab keeps the model (by present value, :func:`internal_model`) this
    is the internal route's revenue minus the API revenue it forgoes; where it
    sells, 0. A year inside the exclusivity window can be negative (the API would
    have earned more that year), but over the whole horizon the sum is not: the
    later years, where the API earns nothing, weigh more undiscounted than
    discounted. ``years`` defaults to the longest horizon; years past it add
    nothing, and fewer years can cut the sum below zero.
    """
    internal, api = revenue_by_period(p, 1.0, years)
    return np.where(internal_model(p).keep_internal[..., None], internal - api, 0.0)


def internal_revenue_multiple(p: InternalParams, training_cost_usd, years: int | None = None) -> np.ndarray:
    """Extra lifetime revenue from internal deployment, as a multiple of a model's training cost.

    The quantity to add to :class:`labecon_core.cohort.CohortParams` ``revenue_multiple``
    (which is then read as the model's revenue *with* the lab's choice of route for
    this edge, the API sale of the edge being already in the base multiple).

    Parameters
    ----------
    p : InternalParams
        Validated parameters (arrays broadcast, e.g. Monte Carlo draws).
    training_cost_usd : float or array
        Training cost of the model that carries the edge, USD (> 0).
    years : int, optional
        Years the model is in service (the cohort's ``revenue_years``); default:
        the longest horizon. Undiscounted, like the cohort model.

    Returns
    -------
    ndarray
        ``sum(extra_annual_revenue) / training_cost_usd`` (>= 0 when ``years`` covers the horizon).
    """
    cost = check_number("training_cost_usd", training_cost_usd, gt=0)
    return extra_annual_revenue(p, years).sum(axis=-1) / np.asarray(cost)


def cohort_with_internal(p: InternalParams, cohort_params: cohort.CohortParams) -> cohort.CohortResult:
    """The cohort P&L of :func:`labecon_core.cohort.cohort_model` with internal deployment's extra revenue.

    The extra multiple is :func:`internal_revenue_multiple` against the first
    generation's training cost over the cohort's ``revenue_years``; the cohort
    model spreads it like the rest of the revenue and charges its gross margin on
    it (internal use runs on the same inference). With several generations, every
    generation is assumed to carry an edge worth the same multiple of its cost.
    """
    extra = internal_revenue_multiple(p, cohort_params.first_training_cost, cohort_params.revenue_years)
    multiple = np.asarray(cohort_params.revenue_multiple) + extra
    return cohort.cohort_model(replace(cohort_params, revenue_multiple=multiple))


def breakeven_edge_value(p: InternalParams, cohort_params: cohort.CohortParams) -> np.ndarray:
    """Edge value (USD a year) at which internal deployment makes generation 0's cohort P&L zero.

    The cohort P&L is linear in the edge value (the route chosen does not depend
    on it), so the root follows from the P&L without and with ``p.edge_value_usd``.
    Returns 0 where the cohort is already profitable without the edge, and NaN
    where internal deployment adds nothing (the lab sells, or the horizon misses
    the model's service years).
    """
    base = cohort.cohort_model(cohort_params).cohort_pnl[..., 0]
    with_edge = cohort_with_internal(p, cohort_params).cohort_pnl[..., 0]
    base, with_edge, value = np.broadcast_arrays(base, with_edge, np.asarray(p.edge_value_usd, float))
    slope = (with_edge - base) / value
    root = np.divide(-base, slope, out=np.full(slope.shape, np.nan), where=slope > 0)
    return np.where(base >= 0, 0.0, root)


def cohort_pnl_over_edges(p: InternalParams, cohort_params: cohort.CohortParams, edge_values_usd) -> np.ndarray:
    """Generation 0's cohort P&L with internal deployment (USD) for each value of the edge.

    Parameters
    ----------
    p : InternalParams
        The other parameters (scalars).
    cohort_params : CohortParams
        The model that carries the edge (e.g. :func:`single_model_cohort`).
    edge_values_usd : array_like
        Values of the edge to a single holder, USD a year (> 0).

    Returns
    -------
    ndarray
        :func:`cohort_with_internal`'s first cohort P&L at each edge value, USD, shape of ``edge_values_usd``.
    """
    values = np.asarray(check_number("edge_value_usd", edge_values_usd, gt=0), float)
    return cohort_with_internal(replace(p, edge_value_usd=values), cohort_params).cohort_pnl[..., 0]


def single_model_cohort(training_cost_usd: float, revenue_multiple: float, gross_margin: float,
                        horizon_years: float) -> cohort.CohortParams:
    """The cohort of one model that carries the edge: one generation, in service for the horizon's years.

    Parameters
    ----------
    training_cost_usd : float
        The model's training cost, USD (> 0).
    revenue_multiple : float
        Its lifetime API revenue over its training cost (×, >= 0).
    gross_margin : float
        Share of revenue left after serving it, in [0, 1].
    horizon_years : float
        The horizon of the keep-or-sell comparison, years; the model earns over it rounded up to
        whole years, the cohort model's unit.
    """
    years = check_number("horizon_years", horizon_years, gt=0, le=100)
    return cohort.CohortParams(first_training_cost=training_cost_usd, revenue_multiple=revenue_multiple,
                               gross_margin=gross_margin, generations=1, revenue_years=math.ceil(round(years, 9)))


def decision_grid(p: InternalParams, erosion_exponents, capture_shares) -> pd.DataFrame:
    """Both routes over a grid of (erosion exponent, capture share), in one vectorised call.

    Returns
    -------
    DataFrame
        One row per grid point: ``erosion_exponent``, ``value_capture_share``,
        ``internal_npv_usd``, ``api_npv_usd``, ``keep_internal`` and
        ``breakeven_value_capture_share`` (``phi*`` at that exponent). Other
        parameters are ``p``'s and must be scalars.
    """
    grid = scenario_grid(p, erosion_exponent=erosion_exponents, value_capture_share=capture_shares)
    return grid.drop(columns="breakeven_internal_cost_share")


def selling_share(p: InternalParams, erosion_exponents, capture_shares) -> float:
    """Share of a grid of (erosion exponent, capture share) at which selling is worth at least as much.

    The grid is :func:`decision_grid`'s; a tie counts for selling, as in
    :attr:`InternalResult.keep_internal`. Other parameters are ``p``'s (scalars).
    """
    return float((~decision_grid(p, erosion_exponents, capture_shares).keep_internal).mean())


def reachable_exponents(p: InternalParams, erosion_exponents) -> tuple[float, float] | None:
    """The range of erosion exponents at which some capture share in [0, 1] lets the API match keeping the model.

    Parameters
    ----------
    p : InternalParams
        The other parameters (scalars).
    erosion_exponents : array_like
        Values of ``alpha`` to try, in increasing order.

    Returns
    -------
    tuple of float or None
        The smallest and largest of them with ``phi* <= 1`` (:attr:`InternalResult.breakeven_reachable`);
        ``None`` when there is none. Every exponent between the two has ``phi* <= 1`` too:
        ``phi* = (1 - kappa) [k^alpha + (A_s / A_e) (k / N)^alpha / N]`` is a sum of exponentials in
        ``alpha``, hence convex. It rises with ``alpha`` when ``N <= k``; when ``k`` is small against
        ``N`` it can fall first (with one customer it only falls), so the range need not start at
        the smallest exponent.
    """
    alphas = np.asarray(check_number("erosion_exponent", erosion_exponents, ge=0, le=10), float).ravel()
    reached = alphas[internal_model(replace(p, erosion_exponent=alphas)).breakeven_reachable]
    return (float(reached.min()), float(reached.max())) if reached.size else None


def scenario_grid(p: InternalParams, **axes) -> pd.DataFrame:
    """Every result of :func:`internal_model` over a full grid of the named parameters, in one vectorised call.

    Feeds the chapter's what-if chart: every value the reader can pick is computed here.

    Parameters
    ----------
    p : InternalParams
        Values of the parameters not on the grid; they must be scalars.
    **axes : array-like
        One or more fields of :class:`InternalParams` with the values to combine,
        in the field's unit (``exclusivity_months`` months, shares in [0, 1]...).
        Every grid point is validated like the record.

    Returns
    -------
    DataFrame
        One row per grid point: the axes, ``internal_npv_usd`` and ``api_npv_usd``
        (USD), ``keep_internal`` (bool), ``breakeven_value_capture_share`` (``phi*``,
        share, not clipped, ``inf`` without exclusivity) and
        ``breakeven_internal_cost_share`` (``kappa*``, share).

    Raises
    ------
    ParameterError
        If an axis is not a field, no axis is given, or a field off the grid is an array.
    """
    names = [f.name for f in fields(p)]
    if not axes:
        raise ParameterError("axes", axes, "at least one of: " + ", ".join(names))
    for name in axes:
        check_choice("grid axis", name, names)
    for name in names:
        if name not in axes and np.ndim(getattr(p, name)) > 0:
            raise ParameterError(name, getattr(p, name), "a scalar (only the grid's axes vary)")
    mesh = np.meshgrid(*[np.asarray(v, dtype=float) for v in axes.values()], indexing="ij")
    r = internal_model(replace(p, **dict(zip(axes, mesh, strict=True))))
    return pd.DataFrame({
        **{k: m.ravel() for k, m in zip(axes, mesh, strict=True)},
        "internal_npv_usd": r.internal_npv.ravel(),
        "api_npv_usd": r.api_npv.ravel(),
        "keep_internal": r.keep_internal.ravel(),
        "breakeven_value_capture_share": r.breakeven_value_capture_share.ravel(),
        "breakeven_internal_cost_share": r.breakeven_internal_cost_share.ravel(),
    })


def implied_erosion_exponent(holders_before, holders_after, share_kept):
    """The ``alpha`` implied when one holder keeps ``share_kept`` of its earnings as holders go from n0 to n1.

    With equal shares, a holder's earnings go from ``V(n0)/n0`` to ``V(n1)/n1``, a
    ratio of ``(n1/n0)^(-1-alpha)``, so ``alpha = -ln(share_kept) / ln(n1/n0) - 1``.
    A result below 0 means the holder kept more than an equal split of a fixed pie
    would leave it (outside the model's range); the value is returned as is.
    """
    n0 = np.asarray(check_number("holders_before", holders_before, ge=1))
    n1 = np.asarray(check_number("holders_after", holders_after, ge=1))
    s = check_number("share_kept", share_kept, gt=0, le=1)
    if np.any(n1 <= n0):
        raise ParameterError("holders_after", holders_after, "a number > holders_before")
    return -np.log(s) / np.log(n1 / n0) - 1.0


def erosion_evidence(table: pd.DataFrame) -> pd.DataFrame:
    """The erosion exponent each piece of evidence supports, stated by its source or implied by its episode.

    Parameters
    ----------
    table : DataFrame
        ``data/internal_edge_evidence`` (:func:`labecon_core.data.load`): a row either states
        ``erosion_exponent`` or reports an episode (``holders_before``, ``holders_after``,
        ``share_kept``), whose exponent :func:`implied_erosion_exponent` gives.

    Returns
    -------
    DataFrame
        One row per piece of evidence, in the table's order: ``claim``, ``source``, ``basis``
        (``"stated"`` or ``"implied"``) and ``erosion_exponent`` (alpha, dimensionless).
    """
    stated = table.erosion_exponent.notna()
    episodes = table[~stated]
    alpha = table.erosion_exponent.astype(float).copy()
    alpha[~stated] = implied_erosion_exponent(episodes.holders_before.to_numpy(float),
                                              episodes.holders_after.to_numpy(float),
                                              episodes.share_kept.to_numpy(float))
    return pd.DataFrame({"claim": table.claim, "source": table.source,
                         "basis": np.where(stated, "stated", "implied"),
                         "erosion_exponent": alpha}).reset_index(drop=True)


def breakeven_capture_share_range(p: InternalParams, low, high) -> tuple[float, float]:
    """The smallest and largest break-even capture share ``phi*`` over erosion exponents from ``low`` to ``high``.

    ``phi* = (1 - kappa) [k^alpha + (A_s / A_e) N^-1 (k / N)^alpha]`` is a sum of exponentials in
    ``alpha`` with non-negative weights, hence convex: its largest value on the interval is at an
    end, its smallest at the stationary point ``alpha_0`` clipped to the interval, where
    ``ln k k^alpha + (A_s / A_e) N^-1 ln(k / N) (k / N)^alpha = 0``, i.e.

        alpha_0 = ln(-(A_s / A_e) N^-1 ln(k / N) / ln k) / ln N

    when ``1 < k < N`` and the lab earns after catch-up. Otherwise ``phi*`` does not rise as
    ``alpha`` falls (``k >= N``, or nothing after catch-up: the smallest value is at ``low``), or
    does not fall as it rises (``k = 1 < N``: at ``high``).

    Parameters
    ----------
    p : InternalParams
        The other parameters (scalars); its own ``erosion_exponent`` is not used.
    low, high : float
        Ends of the range of ``alpha``, ``0 <= low <= high <= 10``.

    Returns
    -------
    tuple of float
        The smallest and the largest ``phi*`` on the range (shares, not clipped: above 1 no price
        lets the API win; ``inf`` throughout when there is no exclusivity window and the kept edge earns).
    """
    lo = float(check_number("erosion_exponent", low, ge=0, le=10))
    hi = float(check_number("erosion_exponent", high, ge=lo, le=10))
    at_any = internal_model(p)  # A_e and A_s do not depend on alpha
    k, n = float(p.api_customers), float(p.holders_after_catchup)
    exclusive, shared = float(at_any.exclusive_years), float(at_any.shared_years)
    weight = shared / exclusive / n if exclusive > 0 else 0.0  # (A_s / A_e) N^-1
    rises, falls = math.log(k), -math.log(k / n)  # d/dalpha of ln k^alpha, and minus that of ln (k/N)^alpha
    if weight > 0 and falls > 0 and rises > 0:
        stationary = math.log(weight * falls / rises) / math.log(n)
    else:
        stationary = hi if weight > 0 and falls > 0 else lo
    alphas = np.array([lo, hi, min(max(stationary, lo), hi)])
    phi = internal_model(replace(p, erosion_exponent=alphas)).breakeven_value_capture_share
    return float(phi.min()), float(phi[:2].max())


@dataclass(frozen=True, eq=False)
class TradingFigures:
    """The trading industry's net revenue, the scale of the chapter's worked case (USD a year).

    Attributes
    ----------
    industry_usd : float
        Net trading revenue of the whole industry, as the essay states it.
    top_firms_usd : float
        What the essay says the largest trading firms earn.
    firms : DataFrame
        Reported net trading revenue of single firms: ``entity``, ``year``, ``value_usd``.
    """

    industry_usd: float
    top_firms_usd: float
    firms: pd.DataFrame

    def firm_usd(self, entity: str, year: int) -> float:
        """One firm's reported net trading revenue in ``year``, USD."""
        f = self.firms
        return float(f.loc[(f.entity == entity) & (f.year == year), "value_usd"].iloc[0])

    @property
    def largest_firm_to_top(self) -> float:
        """The largest reported single-firm figure over the essay's top-firm figure (share)."""
        return float(self.firms.value_usd.max() / self.top_firms_usd)

    def share_of_industry(self, usd):
        """``usd`` (a yearly amount, or an array of them) as a share of the industry's net trading revenue."""
        return usd / self.industry_usd

    def industry_share_usd(self, shares):
        """The yearly amounts (USD) that are ``shares`` of the industry's net trading revenue."""
        return shares * self.industry_usd

    def share_of_firm(self, usd, entity: str, year: int):
        """``usd`` (a yearly amount) as a share of one firm's net trading revenue in ``year``."""
        return usd / self.firm_usd(entity, year)


def trading_figures(table: pd.DataFrame) -> TradingFigures:
    """The essay's industry and top-firm figures and the reported firms' net trading revenue.

    ``table`` is ``data/trading_revenue`` (:func:`labecon_core.data.load`): the essay's figures
    have entity ``trading industry`` and ``largest trading firms``; single firms are the rows with
    a year whose measure is ``net trading revenue`` (one strategy's revenue is not a firm's).
    """
    def essay(entity):
        return float(table.loc[table.entity == entity, "value_usd"].iloc[0])

    firms = table[table.year.notna() & table.measure.eq("net trading revenue")]
    return TradingFigures(essay("trading industry"), essay("largest trading firms"),
                          firms[["entity", "year", "value_usd"]].reset_index(drop=True))
