"""Build-speed benchmark (``make bench``): every figure measured in this one run.

Prints a profile of where the time goes, then ``key=value`` lines:

- ``build_vs_jupyter_book_ratio``: cold ``labecon build --force`` / ``jupyter-book build``
  of the same chapters with ``execute_notebooks: force`` (goal <= 0.6 on 2 cores);
- ``warm_rebuild_s``: ``labecon build`` again with nothing changed (goal <= 3);
- ``run_overhead_s``: ``labecon run`` of one chapter minus the floor, papermill executing
  an empty notebook on the same kernel (goal <= 1.5);
- ``chapter_exec_s_max``: the slowest chapter's execution in the cold build;
- what each speed trick saves, measured alone (the same build with that one trick off):
  ``saved_by_warm_kernels_s`` (kernels forked from a warm server), ``saved_by_early_sphinx_s``
  (Sphinx reading pages while chapters execute), ``saved_by_pybtex_scan_once_s`` (Sphinx on
  the executed chapters with pybtex's own plugin lookup), ``saved_by_run_page_renderer_s``
  (the page of a ``labecon run`` once the chapter has run, by a one-page Jupyter Book build
  instead of the page process, each started as early).

Each measurement is taken ``--repeats`` times (3), alternating, each build in a fresh
folder; the keys are computed from the medians.
"""

import argparse
import json
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

from labecon_book.assets import write_mathjax, write_reader_assets, write_vega_bundle
from labecon_book.chapters import chapter, chapters, toc_files
from labecon_core.paths import ROOT

BIN = Path(sys.executable).parent
PAGE_TAIL = """import json, sys, time
from pathlib import Path
from labecon_book import fallbacks, page
page._warm_renderer()
notebook = Path(sys.argv[1])
svgs = {spec: fallbacks.draw(spec) for spec in fallbacks.notebook_chart_specs(json.loads(notebook.read_text()))}
start = time.perf_counter()
page.render_page(notebook, Path(sys.argv[2]), svgs)
print(time.perf_counter() - start)"""
SPHINX_TAIL = """import importlib, sys, time
from labecon_book.render import PRELOAD
for name in PRELOAD:
    importlib.import_module(name)
from jupyter_book.cli.main import main
start = time.perf_counter()
try:
    main.main(args=["build", sys.argv[1], "-q"], prog_name="jupyter-book", standalone_mode=False)
except SystemExit:
    pass
print(time.perf_counter() - start)"""
BUILD = "import sys; from pathlib import Path; from labecon_book.build import build; " \
        "build(Path(sys.argv[1]), force=True, {options})"


def last_number(text: str) -> float:
    """The figure a timing script prints last (Jupyter Book prints its own lines before it)."""
    return float(text.strip().splitlines()[-1])


def timed(cmd, **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"benchmark step failed: {' '.join(map(str, cmd))}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return elapsed, proc


def jupyter_book_project(folder: Path, notebooks: dict[str, Path] | None = None, execute: bool = True,
                         config: dict | None = None) -> Path:
    """The book for plain Jupyter Book: the source notebooks executed by Jupyter Book itself, or
    ``notebooks`` (entry -> executed notebook) already executed; ``config`` adds Sphinx settings."""
    folder.mkdir(parents=True)
    settings = yaml.safe_load((ROOT / "_config.yml").read_text())
    settings["execute"] = {"execute_notebooks": "force" if execute else "off", "timeout": 600}
    settings["sphinx"]["config"].update(config or {})
    (folder / "_config.yml").write_text(yaml.safe_dump(settings))
    entries = toc_files()
    if notebooks is not None:
        toc = {"format": "jb-book", "root": entries[0], "chapters": [{"file": e} for e in notebooks]}
        (folder / "_toc.yml").write_text(yaml.safe_dump(toc))
        entries = [entries[0], *notebooks]
    else:
        shutil.copyfile(ROOT / "_toc.yml", folder / "_toc.yml")
    shutil.copytree(ROOT / "data" / "bib", folder / "data" / "bib")
    (folder / "book").mkdir()
    for entry in entries:
        for suffix in (".md", ".ipynb"):
            source = (notebooks or {}).get(entry) if suffix == ".ipynb" else None
            source = source or ROOT / f"{entry}{suffix}"
            if source.exists():
                shutil.copyfile(source, folder / f"{entry}{suffix}")
    write_vega_bundle(folder / "_static", ROOT / "_build" / "cache")
    write_mathjax(folder / "_static")
    write_reader_assets(folder / "_static")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="cohort-accounting", help="chapter for run_overhead_s")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement (the median is reported)")
    args = parser.parse_args()
    keys = ("cold", "jb", "warm", "no_warm_kernels", "no_early_sphinx", "sphinx", "sphinx_plain_pybtex", "floor",
            "run", "page_docutils", "page_sphinx", "imports")
    times: dict[str, list[float]] = {k: [] for k in keys}
    run_chapter = chapter(args.chapter)
    entry = run_chapter.path.relative_to(ROOT).with_suffix("").as_posix()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        labecon = [str(BIN / "labecon")]
        python = [sys.executable, "-c"]
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
            for key, options in (("no_warm_kernels", "warm_kernels=False"), ("no_early_sphinx", "early_sphinx=False")):
                seconds, _ = timed([*python, BUILD.format(options=options), str(tmp / f"{key}{i}")])
                times[key].append(seconds)
            # Sphinx alone on the executed chapters, with the book's pybtex lookup and with pybtex's own.
            executed = {e: tmp / f"lb{i}" / "exec" / f"{e}.ipynb" for e in toc_files()
                        if (tmp / f"lb{i}" / "exec" / f"{e}.ipynb").exists()}
            for key, scan_once in (("sphinx", True), ("sphinx_plain_pybtex", False)):
                project = jupyter_book_project(tmp / f"{key}{i}", executed, execute=False,
                                               config={"labecon_pybtex_scan_once": scan_once})
                seconds, _ = timed([str(BIN / "jupyter-book"), "build", str(project), "-q"])
                times[key].append(seconds)
            seconds, _ = timed([str(BIN / "papermill"), str(empty), str(tmp / "empty-out.ipynb"), "-k", "python3",
                                "--no-progress-bar"])
            times["floor"].append(seconds)
            seconds, _ = timed([*labecon, "run", args.chapter, "--out", str(tmp / "run")])
            times["run"].append(seconds)
            # The run's page, once the chapter has run: what the page process (docutils, warmed while the
            # kernel runs) takes, against a one-page Jupyter Book build in a process that had imported
            # Sphinx and the book's extensions as early.
            notebook = tmp / "run" / f"{args.chapter}.ipynb"
            _, page = timed([*python, PAGE_TAIL, str(notebook), str(tmp / "page.html")])
            times["page_docutils"].append(last_number(page.stdout))
            one_page = jupyter_book_project(tmp / f"page{i}", {entry: notebook}, execute=False)
            _, page = timed([*python, SPHINX_TAIL, str(one_page)])
            times["page_sphinx"].append(last_number(page.stdout))
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
    print(f"    without warm kernels              {spread('no_warm_kernels')}")
    print(f"    without Sphinx started early      {spread('no_early_sphinx')}")
    print(f"  Sphinx on the executed chapters     {spread('sphinx')}")
    print(f"    with pybtex's own plugin lookup   {spread('sphinx_plain_pybtex')}")
    print(f"  run page after the run: docutils    {spread('page_docutils')}")
    print(f"  run page after the run: Jupyter Book{spread('page_sphinx')}")
    print(f"  jupyter-book build, executing       {spread('jb')}")
    print()
    figures = {
        "build_vs_jupyter_book_ratio": med["cold"] / med["jb"],
        "warm_rebuild_s": med["warm"],
        "run_overhead_s": med["run"] - med["floor"],
        "chapter_exec_s_max": max(exec_times.values()),
        "saved_by_warm_kernels_s": med["no_warm_kernels"] - med["cold"],
        "saved_by_early_sphinx_s": med["no_early_sphinx"] - med["cold"],
        "saved_by_pybtex_scan_once_s": med["sphinx_plain_pybtex"] - med["sphinx"],
        "saved_by_run_page_renderer_s": med["page_sphinx"] - med["page_docutils"],
    }
    for key, value in figures.items():
        print(f"{key}={value:.3f}" if key.endswith("ratio") else f"{key}={value:.2f}")
    print(json.dumps({"raw_seconds": times}), file=sys.stderr)


if __name__ == "__main__":
    main()
