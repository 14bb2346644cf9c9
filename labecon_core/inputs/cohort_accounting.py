"""Inputs of the chapter "Cohort accounting": the cohort model's, and the generations of its endings."""

import numpy as np

from labecon_core import cohort
from labecon_core.cohort import CohortParams
from labecon_core.validation import check_int, check_share


def validate(*, ending_generations: int, **model) -> CohortParams:
    """Validate the cohort chapter's parameters: the model's plus ``ending_generations``.

    ``ending_generations`` (>= 2) is how many generations the endings comparison
    trains; the plateau and overhang generations must fall inside it.
    """
    # The chapter reads the margin as a share; the model also allows a serving bill above revenue (below 0).
    check_share("gross_margin", model.get("gross_margin", CohortParams.gross_margin))
    p = CohortParams(**model)
    n = check_int("ending_generations", ending_generations, ge=2, le=100)
    check_int("plateau_generation", p.plateau_generation, ge=0, le=n - 1)
    check_int("overhang_generation", p.overhang_generation, ge=0, le=n - 1)
    return p


#: The parameters a sweep may vary: the model's numeric ones (the others set the shape of its arrays).
SWEEPABLE = ("first_training_cost", "cost_growth", "revenue_multiple", "gross_margin", "overhang_multiple",
             "revenue_decay")


def sweep(**values) -> dict[str, np.ndarray]:
    """The chapter's headline results for arrays of its :data:`SWEEPABLE` parameters, in one vectorised run.

    Every other parameter is one value. The results are those ``labecon run cohort-accounting``
    records under the same names, a column per year or generation where the result is a list
    (``conventional_pnl_<year>``, ``cohort_pnl_<training year>``): USD, years and factors.
    """
    p = validate(**values)
    r = cohort.cohort_model(p)
    shape = np.broadcast_shapes(*(np.shape(getattr(p, k)) for k in SWEEPABLE))
    factor = np.broadcast_to(cohort.condition_factor(p.gross_margin, p.revenue_multiple, p.cost_growth), shape)
    out = {f"conventional_pnl_{y}": np.broadcast_to(r.profit[..., i], shape) for i, y in enumerate(r.years)}
    out |= {f"cohort_pnl_{y}": np.broadcast_to(r.cohort_pnl[..., i], shape) for i, y in enumerate(r.generation_years)}
    out |= {
        "peak_funding_need": np.broadcast_to(r.peak_funding_need, shape),
        "first_profitable_year": np.broadcast_to(r.first_profitable_year, shape),
        "company_condition_factor": np.where(np.isfinite(factor), factor, np.nan),
        "profit_growth": np.broadcast_to(cohort.profit_growth(p), shape),
        "breakeven_margin_cohort": np.broadcast_to(cohort.breakeven_gross_margin(p.revenue_multiple), shape),
        "breakeven_margin_company": np.broadcast_to(cohort.breakeven_gross_margin(p.revenue_multiple, p.cost_growth),
                                                    shape),
    }
    return out
