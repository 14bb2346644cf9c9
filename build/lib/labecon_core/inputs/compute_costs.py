"""Inputs of the chapter "Compute costs": a training run, the serving of its model, the gigawatt
arithmetic and the cost trend, each a model's parameter record."""

from dataclasses import dataclass

from labecon_core.compute import PRICE_BASES, TrainingParams, generation_interval_years
from labecon_core.inference import InferenceParams
from labecon_core.power import GwParams
from labecon_core.trends import TrendParams
from labecon_core.validation import check_choice, check_number


@dataclass(frozen=True)
class ComputeCostsInputs:
    """The compute chapter's parameters, as validated records.

    Attributes
    ----------
    training : TrainingParams
    inference : InferenceParams
    power : GwParams
    trend : TrendParams
    price_basis : str
        Cloud price basis used to cost the models of ``data/models``.
    accounting_life_years : float
        Life over which the accounts depreciate owned hardware, years.
    economic_life_years : float
        Life over which owned hardware earns, years: the parameter, or where it is 0 the mean
        interval between NVIDIA's data-centre generations (:func:`~labecon_core.compute.generation_interval_years`).
    """

    training: TrainingParams
    inference: InferenceParams
    power: GwParams
    trend: TrendParams
    price_basis: str
    accounting_life_years: float
    economic_life_years: float


def validate(
    *, active_params, total_params, training_tokens, training_flop, gpu, n_gpus, mfu, price_per_gpu_hour,
    gpu_price, server_cost_factor, server_power_factor, electricity_usd_per_kwh, pue, depreciation_years,
    cost_of_capital, accounting_life_years, economic_life_years, serving_utilization, bandwidth_utilization,
    fleet_duty_cycle, batch_size, bytes_per_param, context_tokens, kv_bytes_per_token, api_price_per_mtok,
    annualized_revenue, usd_per_gw_year, own_inference_gw, cloud_inference_gw, own_gross_margin, cloud_gross_margin,
    price_basis, frontier_factor, projection_last_year, confidence_level,
) -> ComputeCostsInputs:
    """Validate every parameter of the compute chapter (``labecon params compute-costs``).

    Raises :class:`~labecon_core.errors.ParameterError` naming the first bad
    parameter, its value and what is allowed.
    """
    training = TrainingParams(
        active_params=active_params, training_tokens=training_tokens, training_flop=training_flop, gpu=gpu,
        n_gpus=n_gpus, mfu=mfu, price_per_gpu_hour=price_per_gpu_hour, gpu_price=gpu_price,
        server_cost_factor=server_cost_factor, server_power_factor=server_power_factor,
        electricity_usd_per_kwh=electricity_usd_per_kwh, pue=pue, depreciation_years=depreciation_years,
        cost_of_capital=cost_of_capital,
    )
    inference = InferenceParams(
        active_params=active_params, total_params=total_params, gpu=gpu, price_per_gpu_hour=price_per_gpu_hour,
        serving_utilization=serving_utilization, bandwidth_utilization=bandwidth_utilization,
        fleet_duty_cycle=fleet_duty_cycle, batch_size=batch_size, bytes_per_param=bytes_per_param,
        context_tokens=context_tokens, kv_bytes_per_token=kv_bytes_per_token, api_price_per_mtok=api_price_per_mtok,
    )
    power = GwParams(
        annualized_revenue=annualized_revenue, usd_per_gw_year=usd_per_gw_year, own_inference_gw=own_inference_gw,
        cloud_inference_gw=cloud_inference_gw, own_margin=own_gross_margin, cloud_margin=cloud_gross_margin,
    )
    trend = TrendParams(frontier_factor=frontier_factor, projection_last_year=projection_last_year,
                        confidence_level=confidence_level)
    economic_life_years = check_number("economic_life_years", economic_life_years, ge=0)
    return ComputeCostsInputs(
        training=training, inference=inference, power=power, trend=trend,
        price_basis=check_choice("price_basis", price_basis, PRICE_BASES),
        accounting_life_years=check_number("accounting_life_years", accounting_life_years, gt=0),
        economic_life_years=economic_life_years if economic_life_years > 0 else generation_interval_years(),
    )


def default_serving() -> InferenceParams:
    """The serving the chapter computes at its default parameters, for other chapters to start from.

    GPT-4 served on rented A100s and sold at its launch list price: the defaults of
    :class:`~labecon_core.inference.InferenceParams`, which ``tests/core/test_inference.py`` holds
    equal to the serving parameters of the chapter's parameters cell.
    """
    return InferenceParams()
