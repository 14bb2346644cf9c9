"""Inputs of the chapter "Internal deployment": the internal-deployment model's, and its cohort section's."""

from labecon_core.internal import InternalParams
from labecon_core.validation import check_number


def validate(*, model_training_cost_usd, base_revenue_multiple, **model) -> InternalParams:
    """Validate the chapter's parameters: the model's plus the two of its cohort section.

    ``model_training_cost_usd`` (> 0, USD) is the training cost of the model that
    carries the edge; ``base_revenue_multiple`` (>= 0) its lifetime revenue over
    that cost when sold through the API alone.
    """
    check_number("model_training_cost_usd", model_training_cost_usd, gt=0)
    check_number("base_revenue_multiple", base_revenue_multiple, ge=0)
    return InternalParams(**model)
