"""Monte Carlo benchmark: a million draws of the synthesis chain, against a Python loop.

Run with ``.venv/bin/python benchmarks/uncertainty.py``. Every figure is measured in this
one run, on this machine, and printed as ``key=value`` lines:

- ``draws``: draws of the full chain timed (1,000,000 by default);
- ``threads``, ``chunk``, ``eval_chunk`` and ``repeats``: the settings: threads drawing and
  evaluating, draws per sampling chunk and per call of the chain, and timed runs;
- ``chain_s`` and ``chain_best_s``: drawing the inputs and evaluating the full chain for all of
  them (compute trend -> competition -> cohort P&L -> internal deployment, the synthesis
  chapter's defaults with internal deployment on), vectorised, in chunks on ``threads``
  threads: the median and the fastest of ``repeats`` runs. The trend fit, done once before
  any draw, is not timed;
- ``chapter_chain_s``: the same for the chapter's default chain, which leaves internal
  deployment out (median of ``repeats`` runs);
- ``calibration_s``: weighing those draws against the reported year (the chapter's calibration) and
  summarising them (effective draws, a weighted median and a weighted probability by year);
- ``loop_draws`` and ``loop_s_per_draw``: the same chain evaluated one draw at a time in a
  Python loop (:func:`labecon_core.uncertainty.evaluate_each`) on the first ``loop_draws`` of
  those draws;
- ``loop_s_estimated``: that time per draw times ``draws``; the loop is timed on the
  subsample and scaled, not run on every draw;
- ``speedup_vs_loop``: ``loop_s_estimated / chain_s``;
- ``peak_traced_mb``: the most memory held at once during one vectorised run, traced by
  :mod:`tracemalloc` (numpy reports its arrays to it), in a run of its own so that tracing
  does not slow the timed ones;
- ``max_rss_mb``: the process's peak resident memory, interpreter and libraries included;
- ``load_average_1m``: the machine's load when the benchmark ended (other work slows it).
"""

import argparse
import os
import resource
import statistics
import time
import tracemalloc
from dataclasses import replace

import numpy as np

from labecon_book import chapters
from labecon_core import calibration, synthesis, uncertainty
from labecon_core.inputs import synthesis as synthesis_inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000_000, help="draws of the vectorised chain")
    parser.add_argument("--loop-draws", type=int, default=2_000, help="draws evaluated one at a time")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the vectorised chain")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    values = {**chapters.chapter("synthesis").defaults(), "internal_deployment": True, "n_draws": args.draws}
    inputs = synthesis_inputs.validate(**values)
    ranges, _ = inputs.all_ranges()
    model = synthesis.model(inputs.chain)

    def run(chain_model=model):
        draws = uncertainty.sample(ranges, args.draws, np.random.default_rng(args.seed))
        return draws, uncertainty.evaluate(chain_model, draws)

    def timed(chain_model):
        times, result = [], None
        for _ in range(args.repeats):
            result = None  # free the last run's arrays before the next one
            start = time.perf_counter()
            result = run(chain_model)
            times.append(time.perf_counter() - start)
        return times, result

    run()  # warm-up: imports, caches, thread pool
    chapter_times = timed(synthesis.model(replace(inputs.chain, deployment=None)))[0]
    times, (draws, out) = timed(model)

    start = time.perf_counter()
    w = inputs.calibration.weights(out)
    calibration.effective_sample_size(w)
    uncertainty.quantiles(out["funding_need"], 0.5, weights=w)
    uncertainty.probability_by(out["profitable_from"], inputs.chain.years, weights=w)
    calibration_s = time.perf_counter() - start

    subsample = {k: v[: args.loop_draws] for k, v in draws.items()}
    start = time.perf_counter()
    each = uncertainty.evaluate_each(model, subsample)
    per_draw = (time.perf_counter() - start) / args.loop_draws
    assert np.allclose(each["funding_need"], out["funding_need"][: args.loop_draws], rtol=1e-9)

    del draws, out, each, w
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    chain_s = statistics.median(times)
    loop_s = per_draw * args.draws
    print(f"draws={args.draws}")
    print(f"threads={uncertainty.WORKERS}")
    print(f"chunk={uncertainty.CHUNK}")
    print(f"eval_chunk={uncertainty.EVAL_CHUNK}")
    print(f"repeats={args.repeats}")
    print(f"chain_s={chain_s:.3f}")
    print(f"chain_best_s={min(times):.3f}")
    print(f"chapter_chain_s={statistics.median(chapter_times):.3f}")
    print(f"calibration_s={calibration_s:.3f}")
    print(f"loop_draws={args.loop_draws}")
    print(f"loop_s_per_draw={per_draw:.6f}")
    print(f"loop_s_estimated={loop_s:.0f}")
    print(f"speedup_vs_loop={loop_s / chain_s:.0f}")
    print(f"peak_traced_mb={peak / 2**20:.0f}")
    print(f"max_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
    print(f"load_average_1m={os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
