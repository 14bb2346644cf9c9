"""Re-run one chapter with a reader's parameters: notebook, HTML page (with its charts' data) and results.json."""

import contextlib
import shutil
from dataclasses import replace
from pathlib import Path

from labecon_book.assets import DATA_FOLDER
from labecon_book.chapters import Chapter
from labecon_book.kernels import KernelServer
from labecon_book.outputs import claim
from labecon_book.page import PageMaker


def run(chapter: Chapter, values: dict, out_dir: Path, kernels: KernelServer | None = None):
    """Execute ``chapter`` with validated ``values`` and write its outputs into ``out_dir``.

    ``out_dir`` has passed :func:`labecon_book.outputs.check_folder`; it is marked as a run's output.

    The kernel comes from ``kernels``, a running kernel server (by default one is
    started here), which imports the chapters' libraries while this process loads
    papermill. The page
    (:mod:`labecon_book.page`) is made by a process started at the same time, which
    loads its renderer and draws each chart as soon as its cell has run. Outputs are written under
    temporary names and moved into place only when all exist (the notebook, the page, ``results.json``
    and the folder of the charts' CSV files), so a failed run leaves an earlier run in ``out_dir``
    untouched. Returns the
    :class:`~labecon_book.execute.Execution`.
    """
    claim(out_dir, "run")
    tmp_nb = out_dir / f".{chapter.slug}.running.ipynb"
    tmp_html = out_dir / f".{chapter.slug}.running.html"
    tmp_data = out_dir / f".{chapter.slug}.running.{DATA_FOLDER}"
    try:
        with contextlib.nullcontext(kernels) if kernels else KernelServer() as kernels, PageMaker() as page:
            # Loaded while the server and the page process warm up.
            from labecon_book.execute import execute

            result = execute(chapter, tmp_nb, values, kernel_manager_class=kernels.manager_class(),
                             on_cell_executed=page.draw_charts)
            page.render(tmp_nb, tmp_html, result.parameters, tmp_data)
        (out_dir / ".results.running.json").write_text(result.results_json())
        tmp_nb.replace(out_dir / f"{chapter.slug}.ipynb")
        tmp_html.replace(out_dir / f"{chapter.slug}.html")
        (out_dir / ".results.running.json").replace(out_dir / "results.json")
        shutil.rmtree(out_dir / DATA_FOLDER, ignore_errors=True)
        if tmp_data.exists():
            tmp_data.replace(out_dir / DATA_FOLDER)
    finally:
        for leftover in (tmp_nb, tmp_html, out_dir / ".results.running.json"):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(tmp_data, ignore_errors=True)
    return replace(result, notebook=out_dir / f"{chapter.slug}.ipynb")
