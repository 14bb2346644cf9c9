"""Every model's results at its default parameters, against reference values, to 1e-9 relative.

The chapters' committed outputs are rounded to 8 significant digits (so that they are the
same on every machine), which lets nbval catch a change of a model result down to about
1e-7. This test catches smaller ones: each model runs at its parameter record's defaults
and every number it returns is compared with ``reference_values.json`` with a relative
tolerance of 1e-9 (a thousand times the noise between CPUs, and far below any change a
reader could see). When a model is changed on purpose, ``make refresh`` writes the file
again (``pytest tests/core/test_reference_values.py --update-reference``); review its diff.
"""

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labecon_core import (
    calibration,
    cohort,
    competition,
    compute,
    finances,
    inference,
    internal,
    power,
    rivalry,
    synthesis,
    trends,
    uncertainty,
)
from labecon_core import data as book_data

REFERENCE = Path(__file__).with_name("reference_values.json")
REL = 1e-9
ABS = 1e-12  # for results that are zero: their noise is absolute, not relative


def numbers(obj, prefix: str = "") -> dict[str, float]:
    """Every number in a model result (dataclass, frame, array, mapping), by a readable key."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for field in dataclasses.fields(obj):
            out |= numbers(getattr(obj, field.name), f"{prefix}.{field.name}")
        return out
    if isinstance(obj, pd.DataFrame):
        return numbers({c: obj[c].to_numpy() for c in obj.columns if pd.api.types.is_numeric_dtype(obj[c])}, prefix)
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            out |= numbers(value, f"{prefix}.{key}")
        return out
    if isinstance(obj, tuple | list | np.ndarray | pd.Series):
        values = np.asarray(obj, dtype=float).ravel()
        if values.size == 1 and np.ndim(obj) == 0:
            return {prefix: float(values[0])}
        return {f"{prefix}[{i}]": float(v) for i, v in enumerate(values)}
    if isinstance(obj, bool | np.bool_ | int | float | np.number):
        return {prefix: float(obj)}
    return {}


def _cohort():
    variants = {
        "cartoon": cohort.CohortParams(),
        "margin_spread_plateau": cohort.CohortParams(gross_margin=0.72, revenue_years=3, revenue_decay=0.2,
                                                     scenario="plateau", generations=6),
        "overhang": cohort.CohortParams(scenario="overhang", generations=5, overhang_generation=3),
    }
    out = {}
    for name, p in variants.items():
        r = cohort.cohort_model(p)
        out |= numbers(r, name) | {f"{name}.peak_funding_need": float(r.peak_funding_need)}
        out |= numbers(cohort.time_value(p, r, 0.15), f"{name}.time_value")
    return out


def _competition():
    p = competition.CompetitionParams()
    return (numbers(competition.competition_model(p), "default")
            | {"breakeven_lag": float(competition.breakeven_lag(p))}
            | numbers(competition.mechanism_steps(p), "steps"))


def _rivalry():
    logit = numbers(rivalry.symmetric_logit(4.0, 0.72, 0.6), "logit")
    return logit | {"cournot": float(rivalry.cournot_margin(4, 0.72))}


def _compute():
    estimates = compute.model_estimates()
    fits = trends.fit_models(estimates, trends.TrendParams())
    growth = {name: [fit.growth_per_year, *fit.growth_interval]
              for name, fit in (("flop_frontier", fits.flop_frontier), ("cost_frontier", fits.cost_frontier))}
    return (numbers(compute.training_costs(compute.TrainingParams()), "training")
            | numbers(estimates[["cloud_cost"]], "estimates")
            | numbers(growth, "trends"))


def _inference_and_power():
    return (numbers(inference.serving_costs(inference.InferenceParams()), "serving")
            | numbers(power.gw_arithmetic(power.GwParams()), "gw"))


def _internal():
    p = internal.InternalParams()
    return numbers(internal.internal_model(p), "default") | numbers(internal.extra_annual_revenue(p), "extra")


def _finances():
    reported = finances.Reported(book_data.load("lab_finances"), 0.1)
    loss = finances.loss_range(reported, "OpenAI", "2024", "operating costs", "revenue")
    return numbers({"loss_2024": loss.as_tuple(), "implied_q3": finances.implied_investee_loss(4.1e9, 0.27)})


def _synthesis():
    ends = {"cost_growth_per_year": (1.5, 4.0), "training_overhead_growth": (0.8, 1.25),
            "anchor_training_usd": (2.7e9, 3.0e9), "observed_revenue_multiple": (1.5, 6.0),
            "open_model_lag_months": (6.0, 12.0), "annual_price_decline": (1.1, 2.5),
            "successor_cannibalization": (0.25, 0.75), "retained_premium": (0.1, 0.5),
            "reported_gross_margin": (0.6, 0.8), "unpaid_compute_share": (0.3, 0.8), "overhang_multiple": (0.25, 1.0),
            "wall_year": (2026.0, 2030.0)}
    ranges = [uncertainty.Range(name, lo, hi, synthesis.INPUTS[name].family, 0.9, synthesis.INPUTS[name].domain)
              for name, (lo, hi) in ends.items()]
    draws = uncertainty.sample(ranges, 4000, np.random.default_rng(7))
    out = uncertainty.evaluate(synthesis.model(synthesis.ChainParams()), draws)
    probs = [0.1, 0.5, 0.9]
    targets = finances.openai_2024_targets(finances.Reported(book_data.load("lab_finances"), 0.1), net_out_staff=True,
                                           with_cost_lines=True)
    w = synthesis.reported_calibration(synthesis.ChainParams(), targets, 0.1).weights(out)
    return numbers({"profit": uncertainty.quantiles(out["profit"], probs),
                    "calibrated_funding_need": uncertainty.quantiles(out["funding_need"], probs, weights=w),
                    "calibration_ess": calibration.effective_sample_size(w),
                    "funding_need": uncertainty.quantiles(out["funding_need"], probs),
                    "realized_multiple": uncertainty.quantiles(out["realized_multiple"], probs),
                    "p_profitable_by": uncertainty.probability_by(out["profitable_from"],
                                                                  synthesis.ChainParams().years[1:])})


CASES = {"cohort": _cohort, "competition": _competition, "rivalry": _rivalry, "compute": _compute,
         "inference_and_power": _inference_and_power, "internal": _internal, "finances": _finances,
         "synthesis": _synthesis}


@pytest.fixture(scope="module")
def reference(request):
    if request.config.getoption("--update-reference"):
        values = {name: case() for name, case in CASES.items()}
        REFERENCE.write_text(json.dumps(values, indent=1, sort_keys=True) + "\n")
    return json.loads(REFERENCE.read_text())


@pytest.mark.parametrize("case", CASES)
def test_model_results_match_the_reference_values(case, reference):
    got, want = CASES[case](), reference[case]
    assert got.keys() == want.keys(), f"{case}: results added {sorted(got.keys() - want.keys())[:5]}, " \
                                      f"removed {sorted(want.keys() - got.keys())[:5]}; run make refresh"
    differ = {k: (got[k], want[k]) for k in want
              if not (math.isnan(want[k]) and math.isnan(got[k]))
              and got[k] != pytest.approx(want[k], rel=REL, abs=ABS)}
    assert not differ, f"{case}: {len(differ)} results changed beyond 1e-9 relative, e.g. {list(differ.items())[:5]}"
