"""Inputs of the chapter "What the labs report": how figures are read, the loss scaled from an investor's
books, the cohort model bridged to the reported year, and a probe model."""

from dataclasses import dataclass

from labecon_core.cohort import CohortParams
from labecon_core.errors import ParameterError
from labecon_core.finances import LOSS_BASES, READING_TOLERANCE, bridge_params
from labecon_core.validation import check_choice, check_int, check_number, check_share


@dataclass(frozen=True)
class LabFinancesInputs:
    """Parameters of the chapter "What the labs report", validated on construction.

    Parameters
    ----------
    reading_tolerance : float
        Share in [0, 0.5] by which a figure stated as about, nearly, up to or over may
        differ from the stated number.
    msft_stake : float
        Microsoft's share of OpenAI, in (0, 1], used to scale its booked loss up to OpenAI's.
    msft_loss_basis : str
        Which of Microsoft's figures to scale: ``after tax`` or ``before tax``.
    net_out_staff : bool
        Whether the bridge takes staff costs out of the reported loss (the cohort model has none).
    bridge_first_year : int
        Year in which the bridge model trains its first generation (<= 2024).
    bridge_revenue_years : int
        Years over which each generation earns its revenue in the bridge (1-10).
    bridge_revenue_decay : float
        Yearly fall of a generation's revenue within its life, in [0, 1).
    bridge_generation_interval_years : int
        Years between two generations in the bridge (1-5).
    bridge_max_cost_growth, bridge_max_revenue_multiple : float
        Upper edges of the fitting grid (×).
    probe_cost_growth, probe_revenue_multiple, probe_gross_margin : float
        One parameter set tested against the reported figures (default: the podcast's cartoon).
    free_token_share : float
        Share of the tokens a lab serves that earn nothing (free users, trials), in [0, 1); an
        illustration, not a reported figure, used by the margin chain to split the compute that
        earns nothing between free tokens and research.
    """

    reading_tolerance: float = READING_TOLERANCE
    msft_stake: float = 0.27
    msft_loss_basis: str = "after tax"
    net_out_staff: bool = True
    bridge_first_year: int = 2023
    bridge_revenue_years: int = 1
    bridge_revenue_decay: float = 0.0
    bridge_generation_interval_years: int = 1
    bridge_max_cost_growth: float = 15.0
    bridge_max_revenue_multiple: float = 12.0
    probe_cost_growth: float = 10.0
    probe_revenue_multiple: float = 2.0
    probe_gross_margin: float = 1.0
    free_token_share: float = 0.5

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "reading_tolerance", check_number("reading_tolerance", self.reading_tolerance, ge=0, le=0.5))
        set_(self, "msft_stake", check_number("msft_stake", self.msft_stake, gt=0, le=1))
        check_choice("msft_loss_basis", self.msft_loss_basis, LOSS_BASES)
        if not isinstance(self.net_out_staff, bool):
            raise ParameterError("net_out_staff", self.net_out_staff, "true or false")
        set_(self, "bridge_first_year", check_int("bridge_first_year", self.bridge_first_year, ge=2000, le=2024))
        set_(self, "bridge_revenue_years", check_int("bridge_revenue_years", self.bridge_revenue_years, ge=1, le=10))
        set_(self, "bridge_revenue_decay",
             check_number("bridge_revenue_decay", self.bridge_revenue_decay, ge=0, lt=1))
        set_(self, "bridge_generation_interval_years",
             check_int("bridge_generation_interval_years", self.bridge_generation_interval_years, ge=1, le=5))
        set_(self, "bridge_max_cost_growth",
             check_number("bridge_max_cost_growth", self.bridge_max_cost_growth, ge=1.5, le=100))
        set_(self, "bridge_max_revenue_multiple",
             check_number("bridge_max_revenue_multiple", self.bridge_max_revenue_multiple, ge=0.5, le=100))
        set_(self, "probe_cost_growth", check_number("probe_cost_growth", self.probe_cost_growth, gt=0))
        set_(self, "probe_revenue_multiple", check_number("probe_revenue_multiple", self.probe_revenue_multiple, ge=0))
        set_(self, "probe_gross_margin", check_share("probe_gross_margin", self.probe_gross_margin))
        set_(self, "free_token_share", check_number("free_token_share", self.free_token_share, ge=0, lt=1))

    def bridge_base(self, through_year: int = 2025) -> CohortParams:
        """The bridge's structural cohort parameters, with P&L years through ``through_year``."""
        return bridge_params(self.bridge_first_year, through_year, revenue_years=self.bridge_revenue_years,
                             revenue_decay=self.bridge_revenue_decay,
                             generation_interval_years=self.bridge_generation_interval_years)


def validate(**params) -> LabFinancesInputs:
    """Validate the chapter's parameters (the CLI and the notebook call this)."""
    return LabFinancesInputs(**params)
