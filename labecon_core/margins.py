"""Margins: from the price list to what a lab keeps of its revenue after compute.

The book meets three gross margins that differ by a factor of ten or more: a model
served at its list price (about 90% in the compute chapter), the margin a lab reports
on its inference (about 70%), and what a lab's revenue leaves after its whole serving
bill (around zero for OpenAI in 2024). They are one margin, seen at five stages:

    list    = 1 - c / p                                   serving cost at full use, list price
    fleet   = 1 - c / (u p)                               the fleet serves traffic ``u`` of its paid hours
    paid    = 1 - c / (u p (1 - d))                       tokens sell ``d`` below list (discounts, cheaper
                                                          tiers, subscriptions, price cuts since launch);
                                                          the margin labs report on their inference
    served  = 1 - c / (u p (1 - d) (1 - f))               a share ``f`` of the tokens served pays nothing
    lab     = 1 - c / (u p (1 - d) (1 - f) (1 - r))       a share ``r`` of the compute billed with serving
                                                          is research, not serving

``c`` is the cost of serving a token with the hardware busy all the time and ``p`` its
list price (:mod:`labecon_core.inference` computes both). Each stage divides the cost
per revenue dollar by a factor below one, so the margins fall in that order, and a
stage with its factor at zero (``u = 1``, ``d = f = r = 0``) leaves the margin as it was.
Every parameter may be a numpy array; the results broadcast.
"""

from dataclasses import dataclass, fields, replace

import numpy as np

from labecon_core.errors import ParameterError
from labecon_core.validation import check_number, check_share

#: The stages, in order, with the name a reader sees.
STAGES = {
    "list": "at list price, hardware always busy",
    "fleet": "with the fleet's idle hours",
    "paid": "at the prices actually paid (the reported margin)",
    "served": "with free users' tokens",
    "lab": "with research compute in the serving bill",
}


@dataclass(frozen=True)
class MarginParams:
    """How a list-price serving margin becomes a lab's margin; validated on construction.

    Parameters
    ----------
    serving_cost_per_mtok : float or array
        Cost of serving a million tokens with the hardware busy all the time, USD (> 0).
    list_price_per_mtok : float or array
        List price of a million tokens, USD (> 0).
    fleet_utilization : float or array
        Share of the serving fleet's paid hours that serve traffic, in (0, 1].
    discount_to_list : float or array
        How far below list the average token sells, share of the list price, in [0, 1).
    free_token_share : float or array
        Share of the tokens served that earn nothing (free users, trials), in [0, 1).
    research_compute_share : float or array
        Share of the compute billed with serving that is research or experiments, in [0, 1).
    """

    serving_cost_per_mtok: float = 3.2
    list_price_per_mtok: float = 60.0
    fleet_utilization: float = 0.6
    discount_to_list: float = 0.55
    free_token_share: float = 0.3
    research_compute_share: float = 0.3

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "serving_cost_per_mtok", check_number("serving_cost_per_mtok", self.serving_cost_per_mtok, gt=0))
        set_(self, "list_price_per_mtok", check_number("list_price_per_mtok", self.list_price_per_mtok, gt=0))
        set_(self, "fleet_utilization", check_number("fleet_utilization", self.fleet_utilization, gt=0, le=1))
        for name in ("discount_to_list", "free_token_share", "research_compute_share"):
            set_(self, name, check_number(name, getattr(self, name), ge=0, lt=1))


@dataclass(frozen=True)
class MarginResult:
    """The gross margin at each stage of :func:`margins` (shares of revenue; negative where costs exceed it)."""

    list: np.ndarray
    fleet: np.ndarray
    paid: np.ndarray
    served: np.ndarray
    lab: np.ndarray

    def stages(self) -> dict[str, np.ndarray]:
        """The margins by stage, in the order of :data:`STAGES`."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def margins(p: MarginParams) -> MarginResult:
    """The gross margin at each of the five stages (see the module notes), shares of revenue."""
    cost = np.asarray(p.serving_cost_per_mtok, dtype=float) / np.asarray(p.list_price_per_mtok, dtype=float)
    keep = [1.0, p.fleet_utilization, 1 - np.asarray(p.discount_to_list), 1 - np.asarray(p.free_token_share),
            1 - np.asarray(p.research_compute_share)]
    stages, per_dollar = [], cost
    for factor in keep:
        per_dollar = per_dollar / np.asarray(factor, dtype=float)
        stages.append(1 - per_dollar)
    return MarginResult(*stages)


def share_for_margin(margin_before, margin_after):
    """The share a stage takes away (a discount, a free share, a research share) that turns one margin into another.

    A stage multiplies the cost per revenue dollar by ``1 / (1 - s)``, so
    ``s = 1 - (1 - margin_before) / (1 - margin_after)``. A share is only possible where
    ``margin_after <= margin_before < 1``; elsewhere the result is NaN.
    """
    before, after = np.asarray(margin_before, dtype=float), np.asarray(margin_after, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = 1 - (1 - before) / (1 - after)
    return np.where((after <= before) & (before < 1), share, np.nan)


def lab_margin(paid_margin, unpaid_share):
    """The margin left when a share of the serving compute earns nothing: ``1 - (1 - paid) / (1 - unpaid)``.

    Parameters
    ----------
    paid_margin : float or array
        Gross margin on the tokens that pay, share of revenue (<= 1).
    unpaid_share : float or array
        Share of the compute billed with serving that earns nothing (free users' tokens,
        research on the serving fleet), in [0, 1): ``1 - (1 - f)(1 - r)`` in the module's terms.

    Returns
    -------
    ndarray
        The margin on the lab's whole serving bill, share of revenue (negative where that bill
        exceeds revenue).
    """
    paid = np.asarray(paid_margin, dtype=float)
    return 1 - (1 - paid) / (1 - np.asarray(unpaid_share, dtype=float))


def unpaid_share(p: MarginParams) -> np.ndarray:
    """The share of serving compute that earns nothing, free tokens and research together: ``1 - (1 - f)(1 - r)``."""
    return 1 - (1 - np.asarray(p.free_token_share, dtype=float)) * (1 - np.asarray(p.research_compute_share))


def _with_share_for(p: MarginParams, field: str, before, target, name: str, value, stage: str) -> MarginParams:
    """``p`` with ``field`` set to the share that takes margin ``before`` to ``target`` (checked ``value`` of
    parameter ``name``); an error naming it when ``target`` lies above ``before`` (the ``stage`` margin)."""
    share = share_for_margin(before, target)
    if np.any(np.isnan(share)):
        raise ParameterError(name, value, f"a margin at most {stage}, {float(np.min(before)):.3g}")
    return replace(p, **{field: share if share.ndim else float(share)})


def through_reported(p: MarginParams, reported_margin) -> MarginParams:
    """The chain ``p`` with the discount that makes its paid margin the reported one.

    A margin a lab reports on its inference is the margin on the tokens it sells, the
    *paid* stage: the free tokens and the research compute that the later stages charge are
    not in it. The discount is what it takes to go from ``p``'s fleet margin to the reported one.

    Raises
    ------
    ParameterError
        Naming ``reported_margin`` when no discount reaches it: a reported margin above the fleet
        margin the list price allows (the discount would be negative).
    """
    reported = np.asarray(check_share("reported_margin", reported_margin), dtype=float)
    return _with_share_for(p, "discount_to_list", margins(p).fleet, reported, "reported_margin", reported_margin,
                           "the fleet's at list price")


def through_lab(p: MarginParams, target_margin) -> MarginParams:
    """The chain ``p`` with the research share that makes its lab margin ``target_margin`` (one read off a P&L).

    Every other stage is ``p``'s.

    Raises
    ------
    ParameterError
        Naming ``target_margin`` when it lies above the served margin (no research share raises a margin).
    """
    target = np.asarray(check_number("target_margin", target_margin, le=1), dtype=float)
    return _with_share_for(p, "research_compute_share", margins(p).served, target, "target_margin", target_margin,
                           "the served one")
