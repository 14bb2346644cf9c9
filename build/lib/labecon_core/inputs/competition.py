"""Inputs of the chapter "Competition": today's observed market, the model's forces and what-ifs, and the evidence's."""

import numpy as np

from labecon_core import competition
from labecon_core.competition import CompetitionParams
from labecon_core.validation import check_number, check_share


def validate(*, observed_revenue_multiple: float, observed_gross_margin: float, n_labs_today: float,
             open_model_lag_today_months: float, input_token_share: float, pure_play_cash_usd: float,
             **model) -> CompetitionParams:
    """Validate the competition chapter's parameters: today's market, the model's forces and two for the evidence.

    The observed figures belong to today's market: ``observed_revenue_multiple`` (a model's
    lifetime revenue over its training cost, > 0) and ``observed_gross_margin`` (the gross
    margin reported on paid tokens, in [0, 1]), with ``n_labs_today`` symmetric frontier labs
    (>= 1) and open models ``open_model_lag_today_months`` behind (months, > 0). The chapter
    infers the lone lab's multiple and margin from them with
    :func:`labecon_core.competition.calibrated`; ``model`` holds the other fields of
    :class:`~labecon_core.competition.CompetitionParams`, whose ``n_labs`` and
    ``open_model_lag_months`` are what-ifs against today. ``input_token_share`` (in [0, 1])
    weights input against output list prices when blending them into one price per token;
    ``pure_play_cash_usd`` (>= 0, USD) is the cash a pure-play lab is assumed to hold.

    Returns
    -------
    CompetitionParams
        The forces and the what-ifs; its ``revenue_multiple_no_competition`` and
        ``gross_margin`` are the record's defaults until :func:`~labecon_core.competition.calibrated`
        replaces them with the values inferred from today's market.
    """
    check_number("observed_revenue_multiple", observed_revenue_multiple, gt=0)
    check_share("observed_gross_margin", observed_gross_margin)
    check_number("n_labs_today", n_labs_today, ge=1)
    check_number("open_model_lag_today_months", open_model_lag_today_months, gt=0)
    check_share("input_token_share", input_token_share)
    check_number("pure_play_cash_usd", pure_play_cash_usd, ge=0)
    return CompetitionParams(**model)


#: The parameters a sweep may vary: today's market and the model's numeric forces and what-ifs.
SWEEPABLE = ("observed_revenue_multiple", "observed_gross_margin", "n_labs_today", "open_model_lag_today_months",
             "open_model_lag_months", "annual_price_decline", "successor_cannibalization",
             "generation_interval_months", "n_labs", "retained_premium", "cost_growth", "commodity_margin",
             "lone_lab_share")


def sweep(**values) -> dict[str, np.ndarray]:
    """The chapter's headline results for arrays of its :data:`SWEEPABLE` parameters, in one vectorised run.

    As ``labecon run competition`` computes them: the lone lab's multiple and margin inferred from
    today's market (:func:`labecon_core.competition.calibrated`), then the model at the what-ifs.
    """
    forces = validate(**values)
    p = competition.calibrated(forces, values["observed_revenue_multiple"], values["observed_gross_margin"],
                               values["n_labs_today"], values["open_model_lag_today_months"])
    r = competition.competition_model(p)
    shape = np.broadcast_shapes(*(np.shape(values[k]) for k in SWEEPABLE))
    out = {
        "realized_revenue_multiple": r.realized_multiple,
        "breakeven_lag_months": competition.breakeven_lag(p),
        "revenue_share_before_catch_up": r.revenue_share_before_catch_up,
        "company_profitable_while_scaling": r.company_profitable_while_scaling,
        "inferred_no_competition_multiple": p.revenue_multiple_no_competition,
        "inferred_lone_lab_margin": p.gross_margin,
    }
    return {k: np.broadcast_to(np.asarray(v), shape) for k, v in out.items()}
