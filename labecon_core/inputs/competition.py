"""Inputs of the chapter "Competition": the competition model's, and two for its evidence."""

from labecon_core.competition import CompetitionParams
from labecon_core.validation import check_number, check_share


def validate(*, input_token_share: float, pure_play_cash_usd: float, **model) -> CompetitionParams:
    """Validate the competition chapter's parameters: the model's plus two for the evidence and the runway.

    ``input_token_share`` (in [0, 1]) weights input against output list prices when
    blending them into one price per token; ``pure_play_cash_usd`` (>= 0, USD) is the
    cash a pure-play lab is assumed to hold.
    """
    check_share("input_token_share", input_token_share)
    check_number("pure_play_cash_usd", pure_play_cash_usd, ge=0)
    return CompetitionParams(**model)
