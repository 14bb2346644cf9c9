"""Inputs of the chapter "When does a lab turn a profit?": the chain's structure, a range for each of
its uncertain inputs, and the size of the Monte Carlo."""

from dataclasses import dataclass, replace

from labecon_core import data, finances, internal, trends, uncertainty
from labecon_core.calibration import Calibration
from labecon_core.errors import ParameterError
from labecon_core.synthesis import (
    CAPACITY,
    CAPACITY_INPUT,
    INPUTS,
    ChainParams,
    reported_calibration,
    trend_cost_growth,
)
from labecon_core.uncertainty import Range
from labecon_core.validation import MAX_AMOUNT, check_int, check_number


@dataclass(frozen=True)
class SynthesisInputs:
    """The chapter's validated parameters.

    Attributes
    ----------
    chain : ChainParams
    ranges : tuple of Range
        Every uncertain input of :data:`labecon_core.synthesis.INPUTS` the chain may use, except the cost growth when
        it comes from the compute trend (see :meth:`all_ranges`).
    cost_growth : Range or None
        The stated cost growth, or ``None`` for the compute chapter's trend.
    capacity : Range
        What can still be raised, USD.
    level : float
        Probability of every stated interval.
    n_draws, seed, grid_draws : int
    break_even_year : int
        The year by which the break-even frontier asks the lab's cumulative cash to have turned positive.
    targets : BridgeTargets
        OpenAI's reported figures for the chain's report year (staff costs taken out of the loss).
    calibration : Calibration
        Those figures as the chain's calibration, with the chapter's tolerance.
    """

    chain: ChainParams
    ranges: tuple[Range, ...]
    cost_growth: Range | None
    capacity: Range
    level: float
    n_draws: int
    seed: int
    grid_draws: int
    break_even_year: int
    targets: finances.BridgeTargets
    calibration: Calibration

    def all_ranges(self) -> tuple[tuple[Range, ...], trends.LogLinearFit | None]:
        """The ranges to draw, with the trend fit when the cost growth comes from it (else ``None``).

        These are the chain's inputs plus the wall year and the overhang multiple, always drawn
        so that the three endings can be compared on the same draws.
        """
        growth, fit = (self.cost_growth, None) if self.cost_growth is not None else trend_cost_growth(self.level)
        keep = {*self.chain.inputs, "overhang_multiple", "wall_year"}
        return tuple(r for r in (growth, *self.ranges) if r.name in keep), fit


def _range(name: str, low, high, level: float, step: float = 1.0) -> Range:
    spec = INPUTS.get(name, CAPACITY_INPUT)
    return Range(name, low, high, spec.family, level, spec.domain, step)


#: The rarest draw the finiteness check covers: a one-in-a-trillion quantile, far beyond any run of 10 million draws.
_RAREST = 1e-12


def _check_finite(chain: ChainParams, growth: Range | None, ranges) -> None:
    """Refuse ranges whose rarest draws would carry a generation's cost beyond :data:`MAX_AMOUNT` USD."""
    by_name = {r.name: r for r in ranges}
    growth = growth if growth is not None else trend_cost_growth(0.9)[0]
    top = 1 - _RAREST
    per_year = float(growth.quantile(top)) * float(by_name["training_overhead_growth"].quantile(top))
    dearest = float(by_name["anchor_training_usd"].quantile(top)) * per_year ** (chain.last_year - chain.anchor_year)
    if not dearest < MAX_AMOUNT:
        raise ParameterError("cost_growth_per_year_high", growth.high,
                             "a high end (with training_overhead_growth_high) whose rarest draws keep the last "
                             f"generation's training bill below {MAX_AMOUNT:g} USD by {chain.last_year}")


def openai_targets() -> finances.BridgeTargets:
    """OpenAI's 2024 revenue, loss without staff, training and serving spend, as the lab-finances chapter reads them."""
    reported = finances.Reported(data.load("lab_finances"), finances.READING_TOLERANCE)
    return finances.openai_2024_targets(reported, net_out_staff=True, with_cost_lines=True)


def validate(*, n_draws, seed, interval_level, grid_draws, calibration_tolerance, break_even_year, internal_deployment,
             erosion_exponent, api_customers, value_capture_share, internal_cost_share, holders_after_catchup,
             cost_growth_per_year_low, cost_growth_per_year_high, funding_capacity_usd_low,
             funding_capacity_usd_high, **rest) -> SynthesisInputs:
    """Validate every parameter of the chapter (``labecon params synthesis``) before anything is drawn.

    Each uncertain input ``x`` comes as ``x_low`` and ``x_high`` (``low <= high``); the
    cost growth may be ``0`` and ``0`` for the compute chapter's trend. The chain's years must
    hold the year of the reported figures it is calibrated on, after its first year. Raises
    :class:`~labecon_core.errors.ParameterError` naming the first bad parameter.
    """
    n_draws, seed = uncertainty.check_run(n_draws, seed)
    grid_draws = check_int("grid_draws", grid_draws, ge=100, le=100_000)
    level = check_number("interval_level", interval_level, gt=0, lt=1)
    tolerance = check_number("calibration_tolerance", calibration_tolerance, gt=0, le=10)
    targets = openai_targets()
    first, last = rest.get("first_year", ChainParams.first_year), rest.get("last_year", ChainParams.last_year)
    if check_int("first_year", first) >= targets.year:
        raise ParameterError("first_year", first, f"a year before {targets.year}, the year of the reported figures "
                             "the chain is calibrated on (a generation needs a year to sell)")
    if check_int("last_year", last) < targets.year:
        raise ParameterError("last_year", last, f"a year from {targets.year} on, the year of the reported figures "
                             "the chain is calibrated on")
    if not isinstance(internal_deployment, bool):
        raise ParameterError("internal_deployment", internal_deployment, "true or false")
    wall = rest.pop("wall_year_low"), rest.pop("wall_year_high")
    ranges = [_range(name, rest.pop(f"{name}_low"), rest.pop(f"{name}_high"), level)
              for name in INPUTS if name not in ("cost_growth_per_year", "wall_year")]
    if cost_growth_per_year_low == 0 and cost_growth_per_year_high == 0:
        growth = None
    else:
        for name, value in (("cost_growth_per_year_low", cost_growth_per_year_low),
                            ("cost_growth_per_year_high", cost_growth_per_year_high)):
            check_number(name, value)
            if value <= 0:
                raise ParameterError(name, value, "a number > 0, or 0 for both ends to use the compute trend")
        growth = _range("cost_growth_per_year", cost_growth_per_year_low, cost_growth_per_year_high, level)
    capacity = _range(CAPACITY, funding_capacity_usd_low, funding_capacity_usd_high, level)
    deployment = internal.InternalParams(
        erosion_exponent=erosion_exponent, api_customers=api_customers, value_capture_share=value_capture_share,
        internal_cost_share=internal_cost_share, holders_after_catchup=holders_after_catchup)
    # The anchor year is always a valid wall; the wall's own range is checked with its parameters' names.
    chain = ChainParams(**rest, wall_year=rest.get("anchor_year", ChainParams.anchor_year),
                        report_year=targets.year, deployment=deployment if internal_deployment else None)
    low, high = (chain._training_year(f"wall_year_{end}", year, chain.anchor_year)
                 for end, year in zip(("low", "high"), wall, strict=True))
    wall_range = _range("wall_year", low, high, level, step=chain.generation_interval_years)
    chain = replace(chain, wall_year=int(wall_range.median))
    break_even_year = check_int("break_even_year", break_even_year, ge=chain.first_year + 1, le=chain.last_year)
    _check_finite(chain, growth, ranges)
    return SynthesisInputs(chain, (*ranges, wall_range), growth, capacity, level, n_draws, seed, grid_draws,
                           break_even_year, targets, reported_calibration(chain, targets, tolerance))
