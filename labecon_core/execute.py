"""Execute one chapter notebook with papermill, outside the sources.

Also a worker entry point (``python -m labecon_core.execute SLUG OUT [PARAMS_JSON]``)
that the build runs once per chapter in its own process, so chapters execute in
parallel and an interrupted build can stop each worker, whose kernel is then shut down.
"""

import json
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill
from nbformat.v4 import new_code_cell
from papermill.exceptions import PapermillExecutionError

from labecon_core.chapters import Chapter, chapter
from labecon_core.charts import add_static_fallbacks
from labecon_core.deps import DEPS_MIME
from labecon_core.errors import ChapterError, LabeconError
from labecon_core.record import results_from_notebook, to_json_value

_PROBE_TAG = "labecon-deps-probe"
_PROBE = "from labecon_core.deps import report as _labecon_report\n_labecon_report()"


@dataclass(frozen=True)
class Execution:
    """What executing a chapter produced."""

    chapter: Chapter
    notebook: Path
    parameters: dict
    results: dict
    seconds: float
    deps: dict

    def results_json(self) -> str:
        """The ``results.json`` text: chapter, every parameter value used, headline results."""
        doc = {"chapter": self.chapter.slug, "parameters": to_json_value(self.parameters), "results": self.results}
        return json.dumps(doc, indent=2, allow_nan=False) + "\n"


def _failed_cell(nb) -> int | None:
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code_cells, 1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i
    return None


def _clean(nb) -> dict:
    """Remove the probe cell (returning what it reported), hide injected parameters, drop timings."""
    deps = {"modules": [], "tables": []}
    kept = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if _PROBE_TAG in tags:
            for output in cell.get("outputs", []):
                if DEPS_MIME in output.get("data", {}):
                    deps = json.loads(output["data"][DEPS_MIME])
            continue
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
        # papermill's timing metadata would make two identical runs differ.
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        kept.append(cell)
    nb.cells = kept
    nb.metadata.pop("papermill", None)
    return deps


def execute(chapter: Chapter, out_path: Path, parameters: dict | None = None) -> Execution:
    """Execute ``chapter`` into ``out_path``, injecting ``parameters`` (already validated).

    The injected-parameters cell is tagged ``remove-cell`` so the rendered page
    does not show it. A failure raises :class:`ChapterError` naming the chapter,
    the failing code cell (1-based) and the error.
    """
    out_path.parent.mkdir(parents=True, exist_ok=True)
    values = chapter.defaults() | (parameters or {})
    injected = {k: v for k, v in values.items() if v != chapter.defaults()[k]}
    source = nbformat.read(chapter.path, as_version=4)
    source.cells.append(new_code_cell(_PROBE, metadata={"tags": ["remove-cell", _PROBE_TAG]}))
    probe_input = out_path.with_name(f".{out_path.stem}.input.ipynb")
    nbformat.write(source, probe_input)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(probe_input), str(out_path), parameters=injected, cwd=str(chapter.path.parent),
            kernel_name="python3", progress_bar=False,
            # Saving the whole notebook after every cell costs more than some chapters take to run.
            request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as exc:
        cell = _failed_cell(nbformat.read(out_path, as_version=4))
        raise ChapterError(f"chapter {chapter.slug!r} failed in code cell {cell}: {exc.ename}: {exc.evalue}") from None
    finally:
        probe_input.unlink(missing_ok=True)
    seconds = time.perf_counter() - start
    nb = nbformat.read(out_path, as_version=4)
    deps = _clean(nb)
    nbformat.write(nb, out_path)
    return Execution(chapter, out_path, values, results_from_notebook(nb), seconds, deps)


def _terminate(signum, frame):
    # Unwinds papermill, whose kernel manager then shuts the kernel down.
    raise KeyboardInterrupt


def worker(argv: list[str]) -> int:
    """Execute one chapter for the build (``SLUG OUT [PARAMS_JSON]``), with static chart fallbacks.

    Prints a JSON summary line; exits 1 on failure.
    """
    signal.signal(signal.SIGTERM, _terminate)
    slug, out = argv[0], Path(argv[1])
    parameters = json.loads(argv[2]) if len(argv) > 2 else None
    try:
        run = execute(chapter(slug), out, parameters)
    except LabeconError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    # Drawn here, in the worker, so the build draws the charts of several chapters at once.
    nb = nbformat.read(out, as_version=4)
    add_static_fallbacks(nb)
    nbformat.write(nb, out)
    print(json.dumps({"seconds": run.seconds, "deps": run.deps, "results": run.results_json()}))
    return 0


if __name__ == "__main__":
    sys.exit(worker(sys.argv[1:]))
