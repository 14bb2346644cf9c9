"""Inputs of the chapter "Cohort accounting": the cohort model's, and the generations of its endings."""

from labecon_core.cohort import CohortParams
from labecon_core.validation import check_int


def validate(*, ending_generations: int, **model) -> CohortParams:
    """Validate the cohort chapter's parameters: the model's plus ``ending_generations``.

    ``ending_generations`` (>= 2) is how many generations the endings comparison
    trains; the plateau and overhang generations must fall inside it.
    """
    p = CohortParams(**model)
    n = check_int("ending_generations", ending_generations, ge=2, le=100)
    check_int("plateau_generation", p.plateau_generation, ge=0, le=n - 1)
    check_int("overhang_generation", p.overhang_generation, ge=0, le=n - 1)
    return p
