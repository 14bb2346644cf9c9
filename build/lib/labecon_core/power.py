"""The gigawatt arithmetic of a frontier lab: revenue, compute power and gross profit.

Commentators size a lab by the power of the compute it runs. A gigawatt-year
(GW-year) of compute costs a lab ``c`` USD, all in (hardware, energy, buildings,
the cloud's margin when rented); the essay comments of source 003 use
``c = $12-15B``. The identities used there are

- compute an annual spend ``S`` pays for: ``S / c`` GW;
- compute needed to serve revenue ``R`` at gross margin ``gamma``: ``R (1 - gamma) / c`` GW;
- gross profit when a share ``s`` of inference runs on the lab's own compute
  at margin ``gamma_own`` and the rest on rented cloud capacity at ``gamma_cloud``
  (each GW serving the same revenue): ``R (s gamma_own + (1 - s) gamma_cloud)``;
- R&D compute that spends that gross profit to zero: ``(gross profit - other costs) / c`` GW.

Every function accepts numpy arrays that broadcast, so one call evaluates many
scenarios. :func:`labecon_core.compute.cost_per_gw_year` derives ``c`` from
hardware prices instead of taking it as given.
"""

from dataclasses import dataclass

import numpy as np

from labecon_core.validation import check_number, check_share

#: Hours in an average (Julian) year: 365.25 days.
HOURS_PER_YEAR = 8766.0
GW = 1e9  # watts


def gw_for_spend(annual_spend, usd_per_gw_year):
    """Gigawatts of compute that an annual spend pays for.

    Parameters
    ----------
    annual_spend : float or array
        Spending on compute, USD per year.
    usd_per_gw_year : float or array
        All-in cost of one gigawatt of compute for a year, USD per GW-year.

    Returns
    -------
    float or ndarray
        Power of the compute, GW.
    """
    return np.asarray(annual_spend, dtype=float) / np.asarray(usd_per_gw_year, dtype=float)


def spend_for_gw(gw, usd_per_gw_year):
    """Annual cost of ``gw`` gigawatts of compute, USD per year (inverse of :func:`gw_for_spend`)."""
    return np.asarray(gw, dtype=float) * np.asarray(usd_per_gw_year, dtype=float)


def serving_cost(revenue, gross_margin):
    """Cost of serving ``revenue`` at ``gross_margin``: ``R (1 - gamma)``, USD per year."""
    return np.asarray(revenue, dtype=float) * (1.0 - np.asarray(gross_margin, dtype=float))


def inference_gw(revenue, gross_margin, usd_per_gw_year):
    """Gigawatts of inference compute whose cost equals the serving cost of ``revenue``.

    Parameters
    ----------
    revenue : float or array
        Annualized revenue served, USD per year.
    gross_margin : float or array
        Share of revenue left after serving costs, 0-1.
    usd_per_gw_year : float or array
        All-in cost of compute, USD per GW-year.

    Returns
    -------
    float or ndarray
        ``R (1 - gamma) / c``, GW.
    """
    return gw_for_spend(serving_cost(revenue, gross_margin), usd_per_gw_year)


def blended_gross_profit(revenue, own_share, own_margin, cloud_margin):
    """Gross profit when part of the inference runs on the lab's own compute and part is rented.

    Each gigawatt is assumed to serve the same revenue, so revenue splits in
    proportion to the compute that serves it.

    Parameters
    ----------
    revenue : float or array
        Annualized revenue, USD per year.
    own_share : float or array
        Share of inference compute (and so of revenue) on the lab's own compute, 0-1.
    own_margin, cloud_margin : float or array
        Gross margin on revenue served by own compute and by a cloud (which keeps
        the rest), 0-1.

    Returns
    -------
    float or ndarray
        ``R (s gamma_own + (1 - s) gamma_cloud)``, USD per year.
    """
    s = np.asarray(own_share, dtype=float)
    return np.asarray(revenue, dtype=float) * (s * own_margin + (1.0 - s) * np.asarray(cloud_margin, dtype=float))


def break_even_rd_gw(gross_profit, usd_per_gw_year, other_costs=0.0):
    """R&D compute that brings operating profit to zero.

    Parameters
    ----------
    gross_profit : float or array
        Gross profit on inference, USD per year.
    usd_per_gw_year : float or array
        All-in cost of compute, USD per GW-year.
    other_costs : float or array, optional
        Other operating costs (staff, data, sales), USD per year.

    Returns
    -------
    float or ndarray
        ``(gross profit - other costs) / c``, GW; negative when the lab loses
        money before any R&D compute.
    """
    return gw_for_spend(np.asarray(gross_profit, dtype=float) - np.asarray(other_costs, dtype=float), usd_per_gw_year)


@dataclass(frozen=True)
class GwParams:
    """Inputs of the gigawatt arithmetic, validated on construction (scalars or broadcasting arrays).

    Defaults are the figures of the essay comments of source 003 (Anthropic, 2026):
    they are the starting point of the arithmetic, not this book's estimates.

    Parameters
    ----------
    annualized_revenue : float or array
        Revenue run-rate, USD per year (> 0).
    usd_per_gw_year : float or array
        All-in cost of compute, USD per GW-year (> 0).
    own_inference_gw : float or array
        Inference compute the lab runs itself, GW (>= 0).
    cloud_inference_gw : float or array
        Inference capacity rented from clouds that serve the lab's models, GW (>= 0);
        ``own + cloud`` must be > 0.
    own_margin : float or array
        Gross margin on revenue served by own compute, 0-1.
    cloud_margin : float or array
        Share of revenue the lab keeps when a cloud serves it, 0-1.
    other_costs : float or array
        Operating costs other than compute, USD per year (>= 0).
    """

    annualized_revenue: float = 44e9
    usd_per_gw_year: float = 15e9
    own_inference_gw: float = 0.5
    cloud_inference_gw: float = 0.5
    own_margin: float = 0.72
    cloud_margin: float = 0.30
    other_costs: float = 0.0

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "annualized_revenue", check_number("annualized_revenue", self.annualized_revenue, gt=0))
        set_(self, "usd_per_gw_year", check_number("usd_per_gw_year", self.usd_per_gw_year, gt=0))
        set_(self, "own_inference_gw", check_number("own_inference_gw", self.own_inference_gw, ge=0))
        set_(self, "cloud_inference_gw", check_number("cloud_inference_gw", self.cloud_inference_gw, ge=0))
        check_number("own_inference_gw + cloud_inference_gw", np.add(self.own_inference_gw, self.cloud_inference_gw),
                     gt=0)
        set_(self, "own_margin", check_share("own_margin", self.own_margin))
        set_(self, "cloud_margin", check_share("cloud_margin", self.cloud_margin))
        set_(self, "other_costs", check_number("other_costs", self.other_costs, ge=0))

    @property
    def own_share(self):
        """Share of inference compute that is the lab's own, 0-1."""
        return np.asarray(self.own_inference_gw) / (np.asarray(self.own_inference_gw) + self.cloud_inference_gw)


@dataclass(frozen=True)
class GwResult:
    """Outputs of :func:`gw_arithmetic` (arrays have the parameters' broadcast shape).

    Attributes
    ----------
    affordable_gw : ndarray
        Compute the whole revenue would pay for, GW.
    all_first_party_inference_gw : ndarray
        Inference compute if all revenue were served first-party at ``own_margin``, GW.
    gross_profit : ndarray
        Gross profit with the own/cloud split, USD per year.
    blended_margin : ndarray
        ``gross_profit / annualized_revenue``, 0-1.
    own_inference_cost : ndarray
        Yearly cost of the own inference compute, USD per year.
    break_even_rd_gw : ndarray
        R&D compute that spends the gross profit (less other costs) to zero, GW.
    first_party_gw_at_break_even : ndarray
        Own inference plus that R&D compute, GW.
    """

    affordable_gw: np.ndarray
    all_first_party_inference_gw: np.ndarray
    gross_profit: np.ndarray
    blended_margin: np.ndarray
    own_inference_cost: np.ndarray
    break_even_rd_gw: np.ndarray
    first_party_gw_at_break_even: np.ndarray


def gw_arithmetic(p: GwParams) -> GwResult:
    """Re-derive the essay comments' chain: revenue -> GW -> gross profit -> R&D GW to break even.

    Parameters
    ----------
    p : GwParams
        Validated inputs; numeric fields may be arrays that broadcast together.

    Returns
    -------
    GwResult
        Powers in GW and money in USD per year.
    """
    gross = blended_gross_profit(p.annualized_revenue, p.own_share, p.own_margin, p.cloud_margin)
    rd = break_even_rd_gw(gross, p.usd_per_gw_year, p.other_costs)
    fields = dict(
        affordable_gw=gw_for_spend(p.annualized_revenue, p.usd_per_gw_year),
        all_first_party_inference_gw=inference_gw(p.annualized_revenue, p.own_margin, p.usd_per_gw_year),
        gross_profit=gross,
        blended_margin=gross / p.annualized_revenue,
        own_inference_cost=spend_for_gw(p.own_inference_gw, p.usd_per_gw_year),
        break_even_rd_gw=rd,
        first_party_gw_at_break_even=np.asarray(p.own_inference_gw) + rd,
    )
    shape = np.broadcast_shapes(*(np.shape(getattr(p, f)) for f in p.__dataclass_fields__))
    # Every output has the parameters' common shape; 0-dimensional ones become numpy scalars.
    return GwResult(**{k: np.broadcast_to(np.asarray(v, dtype=float), shape)[()] for k, v in fields.items()})


def other_costs_implied(gross_profit, rd_gw, usd_per_gw_year):
    """Non-compute operating costs that make ``rd_gw`` of R&D compute the break-even amount, USD per year.

    Inverts :func:`break_even_rd_gw`: ``gross profit - rd_gw * c``.
    """
    return np.asarray(gross_profit, dtype=float) - spend_for_gw(rd_gw, usd_per_gw_year)


def counts_compute_twice(implied_other_costs, own_inference_cost, rel_tol=0.1):
    """Whether implied other costs are, within ``rel_tol``, the cost of the own inference compute.

    If so, the break-even arithmetic charges that compute twice: once inside the
    gross margin and once beside the R&D compute (see :func:`other_costs_implied`).

    Parameters
    ----------
    implied_other_costs : float or array
        Other costs that a claimed break-even R&D compute implies, USD per year.
    own_inference_cost : float or array
        Yearly cost of the lab's own inference compute, USD per year (> 0).
    rel_tol : float
        Largest gap, as a share of the own inference cost, still read as the same amount.

    Returns
    -------
    bool or ndarray of bool
    """
    own = np.asarray(own_inference_cost, dtype=float)
    return np.abs(np.asarray(implied_other_costs, dtype=float) - own) < rel_tol * own
