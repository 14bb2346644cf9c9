"""Small copies of the project for the machinery's tests, which can break them on purpose."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from labecon_core.paths import ROOT

LABECON = [sys.executable, "-m", "labecon_book.cli"]
MINI_TOC = ("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/cohort-accounting\n"
            "  - file: book/compute-costs\n  - file: book/lab-finances\n  - file: book/references\n")


def make_project(root: Path, toc: str = MINI_TOC, whole: bool = False) -> Path:
    """A copy of the project: with one chapter (cohort accounting) and pages standing in for those it
    links to, or (``whole``) with every chapter and the real table of contents."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "_config.yml", root / "_config.yml")
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "scenarios", root / "scenarios")
    if whole:
        shutil.copyfile(ROOT / "_toc.yml", root / "_toc.yml")
        shutil.copytree(ROOT / "book", root / "book", ignore=shutil.ignore_patterns("_runs", "appendix-*"))
        return root
    (root / "_toc.yml").write_text(toc)
    (root / "book").mkdir()
    for name in ("intro.md", "references.md", "cohort-accounting.ipynb"):
        shutil.copyfile(ROOT / "book" / name, root / "book" / name)
    (root / "book" / "compute-costs.md").write_text("# Compute costs\n\nNot part of this small book.\n")
    # Stands in for the section the cohort chapter points to.
    (root / "book" / "lab-finances.md").write_text(
        "# What the labs report\n\n(margin-chain)=\n## Three margins, one model\n\nNot part of this small book.\n")
    return root


def add_broken_chapter(root: Path) -> None:
    """Add to a project copy a chapter ``broken`` whose third code cell raises."""
    nb = nbformat.read(root / "book" / "cohort-accounting.ipynb", as_version=4)
    broken = nbformat.v4.new_notebook(metadata=nb.metadata | {"labecon": {"slug": "broken",
                                                                            "validator": "builtins:dict"}})
    broken.cells = [nbformat.v4.new_markdown_cell("# Broken"),
                    nbformat.v4.new_code_cell("x = 1  # a number", metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell("y = 2"),
                    nbformat.v4.new_code_cell("raise RuntimeError('boom in the middle')")]
    nbformat.write(broken, root / "book" / "broken.ipynb")
    (root / "_toc.yml").write_text(MINI_TOC.replace("  - file: book/references", "  - file: book/broken\n"
                                                                                    "  - file: book/references"))


def labecon(root: Path, *argv, **kwargs) -> subprocess.CompletedProcess:
    """Run the ``labecon`` command on a project copy."""
    env = os.environ | {"LABECON_ROOT": str(root)}
    return subprocess.run([*LABECON, *argv], capture_output=True, text=True, env=env, cwd=root, **kwargs)


def chart_files(chapter_path: Path) -> list[str]:
    """The chart-data files a run of a chapter writes: one per chart of its committed notebook, in id order."""
    slug = chapter_path.stem
    ids = set(re.findall(rf"chart-{slug}-(\d+)\b", chapter_path.read_text()))
    return [f"chart-{slug}-{n}.csv" for n in sorted(map(int, ids))]
