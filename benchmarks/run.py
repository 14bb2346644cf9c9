"""Build-speed benchmark (``make bench``): every figure measured in this one run.

Prints a profile of where the time goes, then ``key=value`` lines:

- ``build_vs_jupyter_book_ratio``: cold ``labecon build --force`` / ``jupyter-book build``
  of the same chapters with ``execute_notebooks: force`` (goal <= 0.6 on 2 cores);
- ``warm_rebuild_s``: ``labecon build`` again with nothing changed (goal <= 3);
- ``run_overhead_s``: ``labecon run`` of one chapter minus the floor, papermill executing
  an empty notebook on the same kernel (goal <= 2);
- ``chapter_exec_s_max``: the slowest chapter's execution in the cold build.

Each measurement is taken ``--repeats`` times (3), alternating the two builds, each in a
fresh folder; the keys are computed from the medians.
"""

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

from labecon_book.assets import write_mathjax, write_vega_bundle
from labecon_book.chapters import chapters, toc_files
from labecon_core.paths import ROOT

BIN = Path(sys.executable).parent


def timed(cmd, **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"benchmark step failed: {' '.join(map(str, cmd))}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return elapsed, proc


def jupyter_book_project(folder: Path) -> Path:
    """The same book for plain Jupyter Book: source notebooks, executed by Jupyter Book itself."""
    folder.mkdir(parents=True)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"] = {"execute_notebooks": "force", "timeout": 600}
    (folder / "_config.yml").write_text(yaml.safe_dump(config))
    shutil.copyfile(ROOT / "_toc.yml", folder / "_toc.yml")
    shutil.copytree(ROOT / "data" / "bib", folder / "data" / "bib")
    (folder / "book").mkdir()
    for entry in toc_files():
        for suffix in (".md", ".ipynb"):
            if (ROOT / f"{entry}{suffix}").exists():
                shutil.copyfile(ROOT / f"{entry}{suffix}", folder / f"{entry}{suffix}")
    write_vega_bundle(folder / "_static", ROOT / "_build" / "cache")
    write_mathjax(folder / "_static")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="cohort-accounting", help="chapter for run_overhead_s")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement (the median is reported)")
    args = parser.parse_args()
    times: dict[str, list[float]] = {k: [] for k in ("cold", "jb", "warm", "floor", "run", "imports")}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        labecon = [str(BIN / "labecon")]
        empty = tmp / "empty.ipynb"
        nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                "language": "python"}})
        nb.cells.append(nbformat.v4.new_code_cell("pass"))
        nbformat.write(nb, empty)
        # Alternated, each in a fresh folder (nothing cached), so that a slow spell of the machine
        # falls on both sides of a ratio; the medians are reported.
        for i in range(args.repeats):
            seconds, cold = timed([*labecon, "build", "--force", "--build-dir", str(tmp / f"lb{i}")])
            times["cold"].append(seconds)
            exec_times = {m[1]: float(m[2]) for m in re.finditer(r"^\s+(\S+)\s+([\d.]+) s$", cold.stdout, re.M)}
            seconds, _ = timed([str(BIN / "jupyter-book"), "build", str(jupyter_book_project(tmp / f"jb{i}")), "-q"])
            times["jb"].append(seconds)
            seconds, warm = timed([*labecon, "build", "--build-dir", str(tmp / f"lb{i}")])
            assert "site current" in warm.stdout, "a warm rebuild must start no kernel and no Sphinx"
            times["warm"].append(seconds)
            seconds, _ = timed([str(BIN / "papermill"), str(empty), str(tmp / "empty-out.ipynb"), "-k", "python3",
                                "--no-progress-bar"])
            times["floor"].append(seconds)
            seconds, _ = timed([*labecon, "run", args.chapter, "--out", str(tmp / "run")])
            times["run"].append(seconds)
            seconds, _ = timed([sys.executable, "-c", "import altair, pandas, pandera, labecon_core.charts"])
            times["imports"].append(seconds)

    med = {k: statistics.median(v) for k, v in times.items()}
    sphinx_s = exec_times.pop("jupyter-book", float("nan"))
    exec_times.pop("total", None)

    def spread(key):
        return f"{med[key]:6.1f}   ({min(times[key]):.1f}-{max(times[key]):.1f})"

    print(f"profile (seconds, this machine, this run; median of {args.repeats}, range)")
    for slug, seconds in exec_times.items():
        print(f"  execute {slug:<28} {seconds:6.1f}   (last cold build)")
    print(f"  render: stage, Sphinx, drawings     {sphinx_s:6.1f}   (last cold build)")
    print(f"  kernel start + papermill (empty nb) {spread('floor')}")
    print(f"  imports a chapter pays (python -c)  {spread('imports')}")
    print(f"  labecon run {args.chapter:<23} {spread('run')}")
    print(f"  cold labecon build --force          {spread('cold')}   ({len(chapters())} chapters)")
    print(f"  jupyter-book build, executing       {spread('jb')}")
    print()
    print(f"build_vs_jupyter_book_ratio={med['cold'] / med['jb']:.3f}")
    print(f"warm_rebuild_s={med['warm']:.2f}")
    print(f"run_overhead_s={med['run'] - med['floor']:.2f}")
    print(f"chapter_exec_s_max={max(exec_times.values()):.2f}")


if __name__ == "__main__":
    main()
