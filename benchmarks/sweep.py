"""Sweep benchmark: ``labecon sweep`` over a grid of the cohort model, in this process.

Run with ``.venv/bin/python benchmarks/sweep.py``. Every figure is measured in this one run and
printed as ``key=value`` lines:

- ``sweep_points``: grid points of the timed sweep (100 x 100 by default);
- ``sweep_s``: the whole sweep, median of ``repeats`` runs: checking the input (every grid value
  through the chapter's validator), the vectorised run of the model and writing the CSV;
- ``sweep_points_per_s``: ``sweep_points / sweep_s``;
- ``eval_points_per_s``: the vectorised run alone, on a grid of ``large_points`` points;
- ``load_average_1m``: the machine's load when the benchmark ended (other work slows it).

The interpreter's start and imports, which ``labecon sweep`` also pays once, are not timed.
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from labecon_book import sweep
from labecon_book.chapters import chapter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=100, help="values along each of the two swept parameters")
    parser.add_argument("--large-side", type=int, default=1000, help="values along each axis of the large grid")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cohort = chapter("cohort-accounting")
    pairs = [("cost_growth", f"2:20:{args.side}"), ("revenue_multiple", f"1:10:{args.side}")]
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeats):
            start = time.perf_counter()
            values, axes = sweep.plan(cohort, pairs)
            sweep.write(sweep.run_sweep(cohort, values, axes), Path(folder))
            times.append(time.perf_counter() - start)
    large = [("cost_growth", f"2:20:{args.large_side}"), ("revenue_multiple", f"1:10:{args.large_side}")]
    values, axes = sweep.plan(cohort, large)
    evaluated = sweep.run_sweep(cohort, values, axes)
    sweep_s = statistics.median(times)
    print(f"sweep_points={args.side ** 2}")
    print(f"repeats={args.repeats}")
    print(f"sweep_s={sweep_s:.3f}")
    print(f"sweep_points_per_s={args.side ** 2 / sweep_s:.0f}")
    print(f"large_points={args.large_side ** 2}")
    print(f"eval_points_per_s={evaluated.points_per_second:.0f}")
    print(f"load_average_1m={os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
