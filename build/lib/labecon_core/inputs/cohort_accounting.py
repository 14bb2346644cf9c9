"""Inputs of the chapter "Cohort accounting": the cohort model's, the generations of its endings, and the
cost of capital its generations are valued at."""

import numpy as np

from labecon_core import cohort
from labecon_core.cohort import CohortParams
from labecon_core.errors import ParameterError
from labecon_core.validation import check_int, check_number, check_share


def validate(*, ending_generations: int, discount_rate: float, cost_of_capital_low: float,
             cost_of_capital_high: float, **model) -> CohortParams:
    """Validate the cohort chapter's parameters: the model's plus the chapter's own.

    ``ending_generations`` (>= 2) is how many generations the endings comparison
    trains; the plateau and overhang generations must fall inside it.
    ``discount_rate`` is the cost of capital the generations and the lab are valued at,
    a yearly rate in [0, 1]; ``cost_of_capital_low`` and ``cost_of_capital_high`` are the
    ends of the illustrative band of costs of capital in the chart of returns, yearly
    rates in [0, 1], the low end not above the high one.
    """
    # The chapter reads the margin as a share; the model also allows a serving bill above revenue (below 0).
    check_share("gross_margin", model.get("gross_margin", CohortParams.gross_margin))
    p = CohortParams(**model)
    n = check_int("ending_generations", ending_generations, ge=2, le=100)
    check_int("plateau_generation", p.plateau_generation, ge=0, le=n - 1)
    check_int("overhang_generation", p.overhang_generation, ge=0, le=n - 1)
    check_number("discount_rate", discount_rate, ge=0, le=1)
    low = check_number("cost_of_capital_low", cost_of_capital_low, ge=0, le=1)
    high = check_number("cost_of_capital_high", cost_of_capital_high, ge=0, le=1)
    if high < low:
        raise ParameterError("cost_of_capital_high", cost_of_capital_high,
                             f"a number >= cost_of_capital_low ({low:g}) and <= 1")
    return p


#: The parameters a sweep may vary: the model's numeric ones (the others set the shape of its arrays).
SWEEPABLE = ("first_training_cost", "cost_growth", "revenue_multiple", "gross_margin", "overhang_multiple",
             "revenue_decay", "discount_rate")


def sweep(**values) -> dict[str, np.ndarray]:
    """The chapter's headline results for arrays of its :data:`SWEEPABLE` parameters, in one vectorised run.

    Every other parameter is one value. The results are those ``labecon run cohort-accounting``
    records under the same names, a column per year or generation where the result is a list
    (``conventional_pnl_<year>``, ``cohort_pnl_<training year>``, ``cohort_irr_<training year>``): USD,
    years, factors and yearly rates.
    """
    p = validate(**values)
    r = cohort.cohort_model(p)
    returns = cohort.time_value(p, r, values["discount_rate"])
    shape = np.broadcast_shapes(*(np.shape(getattr(p, k)) for k in SWEEPABLE if k != "discount_rate"),
                                np.shape(values["discount_rate"]))
    factor = np.broadcast_to(cohort.condition_factor(p.gross_margin, p.revenue_multiple, p.cost_growth), shape)
    out = {f"conventional_pnl_{y}": np.broadcast_to(r.profit[..., i], shape) for i, y in enumerate(r.years)}
    for name, per_generation in (("cohort_pnl", r.cohort_pnl), ("cohort_npv_usd", returns.generation_npv),
                                 ("cohort_irr", returns.generation_irr),
                                 ("cohort_payback_year", returns.generation_payback_year)):
        out |= {f"{name}_{y}": np.broadcast_to(per_generation[..., i], shape)
                for i, y in enumerate(r.generation_years)}
    out |= {
        "peak_funding_need": np.broadcast_to(r.peak_funding_need, shape),
        "first_profitable_year": np.broadcast_to(r.first_profitable_year, shape),
        "company_condition_factor": np.where(np.isfinite(factor), factor, np.nan),
        "profit_growth": np.broadcast_to(cohort.profit_growth(p), shape),
        "breakeven_margin_cohort": np.broadcast_to(cohort.breakeven_gross_margin(p.revenue_multiple), shape),
        "breakeven_margin_company": np.broadcast_to(cohort.breakeven_gross_margin(p.revenue_multiple, p.cost_growth),
                                                    shape),
        "lab_npv_usd": np.broadcast_to(returns.lab_npv, shape),
        "lab_irr": np.broadcast_to(returns.lab_irr, shape),
        "lab_payback_year": np.broadcast_to(returns.lab_payback_year, shape),
    }
    return out
