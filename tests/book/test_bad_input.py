"""Nothing a reader types can damage the book: every bad input is one bounded error, before any work.

Each case runs the ``labecon`` command on a copy of the project whose site is built, and
asserts the exit code, that the message names the thing that was wrong, that no traceback
is shown, that no kernel was started (none wrote its connection file into the Jupyter
runtime folder) and that nothing in the sources or in the published site changed.
"""

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from mini_project import LABECON, make_project


class Case(NamedTuple):
    argv: tuple
    says: tuple  # every one of these is in the message
    setup: Callable | None = None  # (project, scratch) -> None, before the fingerprint is taken
    code: int = 2


def scenario(text: str | bytes) -> Callable:
    def write(project: Path, scratch: Path) -> None:
        path = scratch / "scenario.yml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return write


def edit(relpath: str, change: Callable[[str], str]) -> Callable:
    """Break a file of the project (the case then works on a copy of its own)."""
    def apply(project: Path, scratch: Path) -> None:
        path = project / relpath
        path.write_text(change(path.read_text()))
    apply.edits_project = True
    return apply


def make(relpath: str, content: str | None = None) -> Callable:
    """Create a file (or, with no content, a folder) somewhere the case needs one."""
    def apply(project: Path, scratch: Path) -> None:
        path = (scratch if relpath.startswith("SCRATCH/") else project) / relpath.removeprefix("SCRATCH/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir() if content is None else path.write_text(content)
    return apply


RUN = ("run", "cohort-accounting")
# Nine levels of nine aliases each: 9^9 values once expanded, in a few hundred bytes.
BOMB = "a: &a [1]\n" + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n"
                               for p, n in zip("abcdefgh", "bcdefghi", strict=True))
CASES = {
    # parameters on the command line
    "unknown chapter": Case(("run", "no-such"), ("no chapter 'no-such'", "cohort-accounting")),
    "unknown parameter": Case((*RUN, "-p", "growth", "5"), ("unknown parameter 'growth'", "cost_growth")),
    "text for a number": Case((*RUN, "-p", "cost_growth", "ten"), ("'cost_growth'", "number")),
    "negative growth": Case((*RUN, "-p", "cost_growth", "-1"), ("'cost_growth'", "> 0")),
    "fraction for a whole number": Case((*RUN, "-p", "generations", "2.5"), ("'generations'", "whole number")),
    "huge number": Case((*RUN, "-p", "cost_growth", "1e308"), ("'cost_growth'", "1e+30")),
    "400-digit integer": Case((*RUN, "-p", "generations", "9" * 400), ("'generations'", "...", "whole number")),
    "infinity": Case((*RUN, "-p", "cost_growth", "inf"), ("'cost_growth'", "finite")),
    "not a number": Case((*RUN, "-p", "cost_growth", "nan"), ("'cost_growth'", "finite")),
    "text for a choice": Case((*RUN, "-p", "scenario", "sideways"), ("'scenario'", "continue, plateau, overhang")),
    "parameter twice": Case((*RUN, "-p", "cost_growth", "5", "-p", "cost_growth", "6"), ("cost_growth", "twice")),
    "bool for a yes/no": Case(("run", "synthesis", "-p", "internal_deployment", "perhaps"),
                              ("'internal_deployment'", "true or false")),
    "missing value": Case((*RUN, "-p", "cost_growth"), ("-p",)),
    # where a run may write
    "empty --out": Case((*RUN, "--out", ""), ("--out", "empty path")),
    "--out into book": Case((*RUN, "--out", "book"), ("--out book", "sources")),
    "--out into data": Case((*RUN, "--out", "data/run"), ("--out data/run", "sources")),
    "--out into scenarios": Case((*RUN, "--out", "scenarios/x"), ("sources",)),
    "--out at the project": Case((*RUN, "--out", "."), ("--out .", "sources")),
    "--out into the site": Case((*RUN, "--out", "_build/html/book"), ("published site", "_build/runs")),
    "--out at a file": Case((*RUN, "--out", "SCRATCH/file.txt"), ("is a file",), make("SCRATCH/file.txt", "x")),
    "--out at a foreign folder": Case((*RUN, "--out", "SCRATCH/mine"), ("not empty", "earlier labecon run"),
                                      make("SCRATCH/mine/notes.txt", "keep me")),
    "--out nowhere": Case((*RUN, "--out", "/dev/null/run"), ("cannot be written",)),
    # scenario files
    "scenario missing": Case((*RUN, "--scenario", "SCRATCH/none.yml"), ("none.yml", "no such file")),
    "scenario is a folder": Case((*RUN, "--scenario", "SCRATCH/folder"), ("is a folder",), make("SCRATCH/folder")),
    "scenario not UTF-8": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("not UTF-8",),
                               scenario(b"chapter: \xff\xfe\n")),
    "scenario empty": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("is empty",), scenario("")),
    "scenario not YAML": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("not valid YAML", "line 3"),
                              scenario("chapter: cohort-accounting\nparameters: [a\n")),
    "scenario of aliases": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("aliases",), scenario(BOMB)),
    "scenario key twice": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("'cost_growth' is given twice",),
                               scenario("chapter: cohort-accounting\nparameters:\n  cost_growth: 5\n"
                                        "  cost_growth: 6\n")),
    "scenario number key": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("key 7 is not a name",),
                                scenario("chapter: cohort-accounting\nparameters:\n  7: 5\n")),
    "scenario of another chapter": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("is for chapter 'synthesis'",),
                                        scenario("chapter: synthesis\nparameters: {}\n")),
    "scenario unknown key": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("unknown key(s) params",),
                                 scenario("chapter: cohort-accounting\nparams: {}\n")),
    "scenario parameters a list": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("'parameters' must be",),
                                       scenario("chapter: cohort-accounting\nparameters: [1, 2]\n")),
    "scenario 400 digits": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("'generations'", "whole number"),
                                scenario("chapter: cohort-accounting\nparameters:\n  generations: " + "9" * 400)),
    "scenario too large": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("larger than a scenario",),
                               scenario("chapter: cohort-accounting\n# " + "x" * 200_000 + "\n")),
    "scenario bad value": Case((*RUN, "--scenario", "SCRATCH/scenario.yml"), ("'cost_growth'", "number"),
                               scenario("chapter: cohort-accounting\nparameters:\n  cost_growth: fast\n")),
    # other commands
    "params of no chapter": Case(("params", "nope"), ("no chapter 'nope'",)),
    "refresh of no chapter": Case(("refresh", "nope"), ("no chapter 'nope'",)),
    "--build-dir at a file": Case(("build", "--build-dir", "SCRATCH/file.txt"), ("is a file",),
                                  make("SCRATCH/file.txt", "x")),
    "--build-dir in the sources": Case(("build", "--build-dir", "book/build"), ("sources",)),
    "--build-dir foreign": Case(("build", "--build-dir", "SCRATCH/mine"), ("not empty",),
                                make("SCRATCH/mine/notes.txt", "keep me")),
    "--jobs -1": Case(("build", "--jobs", "-1"), ("--jobs", "at least 1")),
    "--jobs 0": Case(("build", "--jobs", "0"), ("--jobs", "at least 1")),
    "--jobs text": Case(("build", "--jobs", "two"), ("--jobs", "at least 1")),
    # data files, checked before any chapter runs
    "table without its value column": Case(("build", "--force"), ("gross_margins.csv", "missing column(s) value"),
                                           edit("data/gross_margins.csv", lambda t: "\n".join(
                                               ",".join(f for i, f in enumerate(line.split(",")) if i != 2)
                                               for line in t.splitlines()))),
    "empty table": Case(("build", "--force"), ("gross_margins.csv", "is empty"),
                        edit("data/gross_margins.csv", lambda t: "")),
    "row twice": Case(("build", "--force"), ("gross_margins.csv", "share the key"),
                      edit("data/gross_margins.csv", lambda t: t + t.splitlines()[1] + "\n")),
    "broken schema": Case(("build", "--force"), ("gross_margins.schema.yml", "not valid YAML"),
                          edit("data/gross_margins.schema.yml", lambda t: "columns: {lab: [type: str\n")),
    "broken bibliography": Case(("build", "--force"), ("articles.bib",),
                                edit("data/bib/articles.bib", lambda t: t + "@misc{broken, title = {x}\n")),
    "extra column": Case(("build", "--force"), ("gross_margins.csv", "not in gross_margins.schema.yml"),
                         edit("data/gross_margins.csv", lambda t: "\n".join(line + ",x" for line in t.splitlines()))),
    "run on bad data": Case((*RUN, "--out", "SCRATCH/out"), ("gross_margins.csv", "share the key"),
                            edit("data/gross_margins.csv", lambda t: t + t.splitlines()[1] + "\n")),
}


def fingerprint(project: Path) -> dict[str, str]:
    """Every file of the sources and of the published site, by its hash (caches and runs are not sources)."""
    files = {}
    for path in project.rglob("*"):
        rel = path.relative_to(project).as_posix()
        if path.is_file() and not rel.startswith(("_build/cache", "_build/runs", "_build/committed")):
            files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    """A copy of the whole project with its site built (from the committed outputs: no kernel)."""
    root = make_project(tmp_path_factory.mktemp("bad-input") / "project", whole=True)
    proc = subprocess.run([*LABECON, "build", "--no-execute"], capture_output=True, text=True, cwd=root,
                          env=os.environ | {"LABECON_ROOT": str(root)})
    assert proc.returncode == 0, proc.stderr
    return root


def test_there_are_enough_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_one_bounded_error_and_changes_nothing(name, built_project, tmp_path):
    case = CASES[name]
    project = built_project
    if getattr(case.setup, "edits_project", False):
        project = tmp_path / "project"
        shutil.copytree(built_project, project)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    if case.setup is not None:
        case.setup(project, scratch)
    before = fingerprint(project)
    runtime = tmp_path / "jupyter-runtime"
    argv = [str(scratch / a.removeprefix("SCRATCH/")) if a.startswith("SCRATCH/") else a for a in case.argv]
    env = os.environ | {"LABECON_ROOT": str(project), "JUPYTER_RUNTIME_DIR": str(runtime)}
    proc = subprocess.run([*LABECON, *argv], capture_output=True, text=True, cwd=project, env=env, timeout=120)
    message = proc.stderr
    assert proc.returncode == case.code, (proc.returncode, message[-2000:])
    assert all(s in message for s in case.says), message[-2000:]
    assert "Traceback" not in message and len(message) < 2000 and len(message.splitlines()) <= 14, message
    assert not runtime.exists(), "a kernel was started"
    assert fingerprint(project) == before, "the sources or the site changed"


def test_debug_shows_the_traceback(built_project):
    proc = subprocess.run([*LABECON, "--debug", "run", "cohort-accounting", "-p", "cost_growth", "-1"],
                          capture_output=True, text=True, cwd=built_project,
                          env=os.environ | {"LABECON_ROOT": str(built_project)})
    assert proc.returncode != 0 and "Traceback" in proc.stderr and "ParameterError" in proc.stderr
