"""Inputs of the chapter "Cohort accounting": the cohort model's, the generations of its endings, and the
cost of capital its generations are valued at."""

from labecon_core.cohort import CohortParams
from labecon_core.errors import ParameterError
from labecon_core.validation import check_int, check_number


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
