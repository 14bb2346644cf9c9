"""Re-run one chapter with a reader's parameters: notebook, HTML page and results.json."""

from dataclasses import replace
from pathlib import Path

from labecon_core.chapters import ROOT, Chapter
from labecon_core.execute import Execution, execute
from labecon_core.kernel_client import QuickKernelManager
from labecon_core.page import PageMaker


def default_out_dir(chapter: Chapter) -> Path:
    """Where ``labecon run`` writes by default: ``_build/runs/<slug>``."""
    return ROOT / "_build" / "runs" / chapter.slug


def run(chapter: Chapter, values: dict, out_dir: Path) -> Execution:
    """Execute ``chapter`` with validated ``values`` and write its three outputs into ``out_dir``.

    The page (:mod:`labecon_core.page`) is made by a process that loads while the
    chapter runs and draws each chart as soon as its cell has run. Outputs are
    written under temporary names and moved into place only when all three exist,
    so a failed run leaves an earlier run in ``out_dir`` untouched.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp_nb = out_dir / f".{chapter.slug}.running.ipynb"
    tmp_html = out_dir / f".{chapter.slug}.running.html"
    try:
        with PageMaker() as page:
            result = execute(chapter, tmp_nb, values, kernel_manager_class=QuickKernelManager,
                             on_cell_executed=page.draw_charts)
            page.render(tmp_nb, tmp_html)
        (out_dir / ".results.running.json").write_text(result.results_json())
        tmp_nb.replace(out_dir / f"{chapter.slug}.ipynb")
        tmp_html.replace(out_dir / f"{chapter.slug}.html")
        (out_dir / ".results.running.json").replace(out_dir / "results.json")
    finally:
        for leftover in (tmp_nb, tmp_html, out_dir / ".results.running.json"):
            leftover.unlink(missing_ok=True)
    return replace(result, notebook=out_dir / f"{chapter.slug}.ipynb")
