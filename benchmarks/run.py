"""Build-speed benchmark (``make bench``): every figure measured in this one run.

Prints a profile of where the time goes, then ``key=value`` lines:

- ``build_vs_jupyter_book_ratio``: cold ``labecon build --force`` / ``jupyter-book build``
  of the same chapters with ``execute_notebooks: force`` (goal <= 0.6 on 2 cores);
- ``warm_rebuild_s``: ``labecon build`` again with nothing changed (goal <= 3);
- ``run_overhead_s``: ``labecon run`` of one chapter minus the floor, papermill executing
  an empty notebook on the same kernel (goal <= 2);
- ``chapter_exec_s_max``: the slowest chapter's execution in the cold build.
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

from labecon_core.assets import write_mathjax, write_vega_bundle
from labecon_core.chapters import ROOT, chapters, toc_files

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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        labecon = [str(BIN / "labecon")]

        cold_s, cold = timed([*labecon, "build", "--force", "--build-dir", str(tmp / "lb")])
        exec_times = {m[1]: float(m[2]) for m in re.finditer(r"^\s+(\S+)\s+([\d.]+) s$", cold.stdout, re.M)}
        sphinx_s = exec_times.pop("jupyter-book", float("nan"))
        exec_times.pop("total", None)
        warm_s, warm = timed([*labecon, "build", "--build-dir", str(tmp / "lb")])
        assert "site current" in warm.stdout, "a warm rebuild must start no kernel and no Sphinx"

        jb_s, _ = timed([str(BIN / "jupyter-book"), "build", str(jupyter_book_project(tmp / "jb")), "-q"])

        empty = tmp / "empty.ipynb"
        nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                "language": "python"}})
        nb.cells.append(nbformat.v4.new_code_cell("pass"))
        nbformat.write(nb, empty)
        floor_s, _ = timed([str(BIN / "papermill"), str(empty), str(tmp / "empty-out.ipynb"), "-k", "python3",
                            "--no-progress-bar"])
        run_s, _ = timed([*labecon, "run", args.chapter, "--out", str(tmp / "run")])
        import_s, _ = timed([sys.executable, "-c", "import altair, pandas, pandera, labecon_core.charts"])

    print("profile (seconds, this machine, this run)")
    for slug, seconds in exec_times.items():
        print(f"  execute {slug:<28} {seconds:6.1f}")
    print(f"  sphinx render (jupyter-book)          {sphinx_s:6.1f}")
    print(f"  kernel start + papermill (empty nb)   {floor_s:6.1f}")
    print(f"  imports a chapter pays (python -c)    {import_s:6.1f}")
    print(f"  labecon run {args.chapter:<25} {run_s:6.1f}")
    print(f"  cold labecon build --force            {cold_s:6.1f}   ({len(chapters())} chapters)")
    print(f"  jupyter-book build, executing         {jb_s:6.1f}")
    print()
    print(f"build_vs_jupyter_book_ratio={cold_s / jb_s:.3f}")
    print(f"warm_rebuild_s={warm_s:.2f}")
    print(f"run_overhead_s={run_s - floor_s:.2f}")
    print(f"chapter_exec_s_max={max(exec_times.values()):.2f}")


if __name__ == "__main__":
    main()
