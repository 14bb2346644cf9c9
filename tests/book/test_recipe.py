"""CONTRIBUTING's "Add a chapter, step by step" works as written.

The test copies the project, writes exactly the recipe's blocks (each says where it goes)
and builds the book: the new chapter must execute, render with its numbers and citation,
and answer ``labecon params``.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from labecon_core.paths import ROOT

TOC = ("format: jb-book\nroot: book/intro\nparts:\n  - caption: Chapters\n    numbered: true\n    chapters:\n"
       "      - file: book/cohort-accounting\n  - caption: Appendices\n    chapters:\n"
       "      - file: book/references\n")


def recipe_blocks() -> list[tuple[str, str]]:
    """(first line, body) of every fenced block of the recipe section of CONTRIBUTING.md."""
    text = (ROOT / "CONTRIBUTING.md").read_text()
    section = text.split("## Add a chapter, step by step", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```\w+\n(.*?)^```$", section, re.M | re.S)
    return [tuple(block.split("\n", 1)) for block in blocks]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("recipe")
    for name in ("_config.yml", "CONTRIBUTING.md"):
        shutil.copyfile(ROOT / name, root / name)
    for folder in ("data", "labecon_core", "labecon_book"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "book").mkdir()
    for name in ("intro.md", "references.md"):
        shutil.copyfile(ROOT / "book" / name, root / "book" / name)
    (root / "book" / "cohort-accounting.md").write_text("# Cohort accounting\n\nA stand-in page.\n")
    toc, cells = TOC, []
    for first, body in recipe_blocks():
        if first.startswith("# file: "):
            (root / first.removeprefix("# file: ")).write_text(body)
        elif first.startswith("# cell: markdown"):
            cells.append(nbformat.v4.new_markdown_cell(body.strip()))
        elif first.startswith("# cell: code"):
            tags = first.split("tags", 1)[1].split() if "tags" in first else []
            cells.append(nbformat.v4.new_code_cell(body.strip(), metadata={"tags": tags}))
        elif first.startswith("# toc: after "):
            after = first.removeprefix("# toc: after ").strip()
            line = next(x for x in toc.splitlines() if x.strip() == f"- file: {after}")
            indent = line[:len(line) - len(line.lstrip())]
            toc = toc.replace(line + "\n", line + "\n" + indent + body.strip() + "\n")
        else:
            raise AssertionError(f"a recipe block says where it goes in its first line, not {first!r}")
    (root / "_toc.yml").write_text(toc)
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "labecon": {"slug": "payback", "validator": "labecon_core.inputs.payback:validate"}})
    nbformat.write(nb, root / "book" / "payback.ipynb")
    return root


def labecon(root: Path, *argv):
    # The copy's packages come first, so the recipe's new module is the one imported, kernels included.
    env = os.environ | {"LABECON_ROOT": str(root), "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-m", "labecon_book.cli", *argv], capture_output=True, text=True,
                          env=env, cwd=root)


def test_the_recipe_has_every_piece():
    places = [first for first, _ in recipe_blocks()]
    assert any(p.startswith("# file: labecon_core/inputs/") for p in places)
    assert sum(p.startswith("# cell: ") for p in places) >= 3
    assert any(p.startswith("# toc: ") for p in places)


def test_the_new_chapter_answers_params(project):
    proc = labecon(project, "params", "payback")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^revenue_multiple\s+2\.0\s+float\s+lifetime revenue over training cost$", proc.stdout, re.M)


def test_the_new_chapter_builds_with_its_numbers_and_citation(project):
    proc = labecon(project, "build")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert re.search(r"payback\s+\d+\.\d s", proc.stdout), proc.stdout
    page = (project / "_build" / "html" / "book" / "payback.html").read_text()
    text = re.sub(r"<[^>]+>", "", page)
    assert "trained for $100M earns back $100M more" in " ".join(text.split())
    assert "Amodei" in text and "{cite" not in text
    results = json.loads((project / "_build" / "exec" / "book" / "payback.results.json").read_text())
    assert results["results"] == {"cohort_pnl": 100000000.0}
