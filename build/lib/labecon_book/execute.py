"""Execute one chapter notebook with papermill, outside the sources."""

import json
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill
from nbformat.v4 import new_code_cell
from papermill.exceptions import PapermillExecutionError

from labecon_book import kernels
from labecon_book.chapters import Chapter
from labecon_book.deps import DEPS_MIME, TABLES_KEY
from labecon_core.errors import ChapterError
from labecon_core.record import results_from_notebook, to_json_value

_PROBE_TAG = "labecon-deps-probe"
_PROBE = "from labecon_book.deps import report as _labecon_report\n_labecon_report()"


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
        return results_json(self.chapter, self.parameters, self.results)


def results_json(chapter: Chapter, parameters: dict, results: dict) -> str:
    """The ``results.json`` of a run of ``chapter``: its slug, every parameter value used, its headline results."""
    doc = {"chapter": chapter.slug, "parameters": to_json_value(parameters), "results": results}
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"


def _failed_cell(nb) -> int | None:
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code_cells, 1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i
    return None


def _clean(nb) -> dict:
    """Remove the probe cell (returning what it reported, and keeping the tables in the metadata), hide injected
    parameters, drop timings."""
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
    nb.metadata[TABLES_KEY] = deps["tables"]
    return deps


def _without_outputs(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` with its code cells' outputs cleared, as papermill would clear them.

    The committed outputs are most of a chapter's file; papermill checks the notebook it is
    given against the schema twice, which on the full file costs a noticeable part of a run.
    """
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nbformat.from_dict(nb)


def execute(chapter: Chapter, out_path: Path, parameters: dict | None = None, kernel_manager_class=None,
            on_cell_executed=None) -> Execution:
    """Execute ``chapter`` into ``out_path``, injecting ``parameters`` (already validated).

    The injected-parameters cell is tagged ``remove-cell`` so the rendered page
    does not show it. A failure raises :class:`ChapterError` naming the chapter,
    the failing code cell (1-based) and the error. ``kernel_manager_class`` (see
    :meth:`labecon_book.kernels.KernelServer.manager_class`) takes the kernel from a
    kernel server; by default a fresh one is launched (on Unix sockets, like the server's). ``on_cell_executed`` is
    called with each cell once it has run (nbclient's hook of that name).
    """
    options = {"kernel_manager_class": kernel_manager_class or kernels.fresh_kernel_manager(),
               "on_cell_executed": on_cell_executed}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    values = chapter.defaults() | (parameters or {})
    injected = {k: v for k, v in values.items() if v != chapter.defaults()[k]}
    source = _without_outputs(chapter.path)
    source.cells.append(new_code_cell(_PROBE, metadata={"tags": ["remove-cell", _PROBE_TAG]}))
    start = time.perf_counter()
    try:
        nb = papermill.execute_notebook(
            source, str(out_path), parameters=injected, cwd=str(chapter.path.parent),
            kernel_name="python3", progress_bar=False,
            # Saving the whole notebook after every cell costs more than some chapters take to run.
            request_save_on_cell_execute=False,
            # Once the last cell's outputs are in, the kernel has nothing left to do: stopping it
            # at once saves the half second a graceful shutdown waits.
            shutdown_kernel="immediate",
            **{name: value for name, value in options.items() if value is not None},
        )
    except PapermillExecutionError as exc:
        cell = _failed_cell(nbformat.read(out_path, as_version=4))
        raise ChapterError(f"chapter {chapter.slug!r} failed in code cell {cell}: {exc.ename}: {exc.evalue}") from None
    seconds = time.perf_counter() - start
    deps = _clean(nb)
    nbformat.write(nb, out_path)
    return Execution(chapter, out_path, values, results_from_notebook(nb), seconds, deps)
