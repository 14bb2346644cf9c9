"""Execute one chapter notebook with papermill, outside the sources."""

import json
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from labecon_core.chapters import Chapter
from labecon_core.errors import ChapterError
from labecon_core.record import results_from_notebook, to_json_value


@dataclass(frozen=True)
class Execution:
    """What executing a chapter produced."""

    chapter: Chapter
    notebook: Path
    parameters: dict
    results: dict
    seconds: float

    def results_json(self) -> str:
        """The ``results.json`` text: chapter, every parameter value used, headline results."""
        doc = {"chapter": self.chapter.slug, "parameters": to_json_value(self.parameters), "results": self.results}
        return json.dumps(doc, indent=2, sort_keys=False, allow_nan=False) + "\n"


def _failed_cell(nb) -> int | None:
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code_cells, 1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i
    return None


def execute(chapter: Chapter, out_path: Path, parameters: dict | None = None) -> Execution:
    """Execute ``chapter`` into ``out_path``, injecting ``parameters`` (already validated).

    The injected-parameters cell is tagged ``remove-cell`` so the rendered page
    does not show it. A failure raises :class:`ChapterError` naming the chapter,
    the failing code cell (1-based) and the error.
    """
    out_path.parent.mkdir(parents=True, exist_ok=True)
    values = chapter.defaults() | (parameters or {})
    injected = {k: v for k, v in values.items() if v != chapter.defaults()[k]}
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(chapter.path),
            str(out_path),
            parameters=injected,
            cwd=str(chapter.path.parent),
            kernel_name="python3",
            progress_bar=False,
            report_mode=False,
        )
    except PapermillExecutionError as exc:
        nb = nbformat.read(out_path, as_version=4)
        cell = _failed_cell(nb)
        raise ChapterError(
            f"chapter {chapter.slug!r} failed in code cell {cell}: {exc.ename}: {exc.evalue}"
        ) from None
    seconds = time.perf_counter() - start
    nb = nbformat.read(out_path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    # papermill's timing metadata would make two identical runs differ.
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, out_path)
    return Execution(chapter, out_path, values, results_from_notebook(nb), seconds)
