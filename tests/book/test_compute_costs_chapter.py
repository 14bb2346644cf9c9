"""The compute chapter as committed: no figure typed into its prose, and one costing per model.

Both read ``book/compute-costs.ipynb`` as committed. nbval (in the same ``make test``) re-executes
the chapter and fails if its outputs differ from these, so the recorded results checked here are
the ones the chapter computes.
"""

import json

import numpy as np
import pytest
from prose_figures import markdown_cells, model_names, typed_figures

from labecon_core import compute
from labecon_core.paths import ROOT
from labecon_core.portable import round_sig

CHAPTER = ROOT / "book" / "compute-costs.ipynb"

def results(path=CHAPTER) -> dict:
    """The recorded results of the committed notebook (what ``results.json`` holds)."""
    out = {}
    for cell in json.loads(path.read_text())["cells"]:
        for output in cell.get("outputs", []):
            for mime, payload in output.get("data", {}).items():
                if mime.endswith("vnd.labecon.result+json"):
                    item = json.loads(payload)
                    out[item["name"]] = item["value"]
    return out


@pytest.mark.parametrize("text", [
    "The table's GPT-3 training cost of $4.6M matches Lambda's estimate.",
    "Lambda assumed each V100 sustained 28 TFLOP/s, which is fast.",
    "GPT-4 was trained on about 25,000 A100 for 90–100 days.",
    "It is inside the 32–36% reported.",
    "Epoch AI's rates are 4–5× a year for compute.",
    "GPT-3 had 175 billion parameters.",
    "It draws 10 MW, against 200+ MW in the table.",
    "For GPT-5 the table gives a floor, \"1e26+\".",
    "Serving the 175-billion-parameter model costs more.",
    "- **Power.** The cluster draws 50 MW in the table.",
    ":::{glue:figure} fig_x\n:name: fig-x\n\nshaded: the reported $100–200M\n:::",
])
def test_a_typed_figure_is_found(text):
    assert typed_figures(text, model_names())


@pytest.mark.parametrize("text", [
    "GPT-3 had {glue:text}`gpt3_params_text` parameters and {glue:text}`cost` in 2020.",
    "Training compute is close to {math}`F \\approx 6ND` (section 6), as in 2022 and 2024.",
    "GPT-3 had 175 billion parameters and was trained on 300 billion tokens {cite:p}`brown2020gpt3`.",
    "Llama 3.1 405B on H100 and Claude 3 Opus on TPU v4 cost {glue:text}`x`; GPT-4 and GPT-5 too.",
    "Run `labecon run compute-costs -p mfu 0.4` to try it.",
    "```bash\nlabecon run compute-costs -p price_per_gpu_hour 2.0 --out /tmp/compute\n```",
    "Like Cottier et al. {cite:p}`cottier2024risingcosts`, the chapter costs 12 models this way.",
    "## GPT-3 from parameters and tokens",
])
def test_names_years_roles_and_cited_figures_are_not(text):
    assert typed_figures(text, model_names()) == []


def test_the_chapter_types_no_figure_into_its_prose():
    names = model_names()
    found = [hit for cell in markdown_cells(CHAPTER) for hit in typed_figures(cell, names)]
    assert not found, "figures typed into the prose of compute-costs (glue them, or cite their source):\n" + \
        "\n".join(found)


def test_each_model_is_costed_once():
    # Every model a section costs has the compute, accelerator-hours and cost of its row in the trend, on the
    # price basis the section uses (GPT-3 has no committed price: its section is its on-demand costing).
    costed = results()["section_costings"]
    assert {"GPT-3 175B", "GPT-4"} <= set(costed)
    for model, run in costed.items():
        row = compute.model_estimates(run["price_basis"]).set_index("model").loc[model]
        for field in ("training_flop", "gpu_hours", "cloud_cost"):
            assert run[field] == round_sig(float(row[field])), (model, field)


def test_the_headline_run_is_gpt4_as_costed_in_its_section():
    r = results()
    gpt4 = r["section_costings"]["GPT-4"]
    assert r["cloud_cost"] == gpt4["cloud_cost"] and r["training_flop"] == gpt4["training_flop"]


def test_the_projection_runs_at_the_mfu_of_the_h100_generation():
    projected = results()["projection_mfu"]
    hopper = compute.generation_mfus().query("generation == 'Hopper' and peak_spec == 'peak_bf16_flops'").iloc[0]
    assert projected == round_sig(compute.generation_mfu("H100 SXM")) == round_sig(hopper.mfu)
    assert np.isclose(projected, np.median(compute.model_estimates().set_index("model").loc[hopper.models, "mfu"]))
