"""Re-run one chapter with a reader's parameters: notebook, HTML page and results.json."""

import contextlib
import io
import re
from dataclasses import replace
from pathlib import Path

import nbformat

from labecon_core.assets import VEGA_BUNDLE, write_vega_bundle
from labecon_core.chapters import ROOT, Chapter
from labecon_core.charts import add_static_fallbacks
from labecon_core.errors import LabeconError
from labecon_core.execute import Execution, execute


def render_page(notebook: Path, html: Path) -> Path:
    """Render an executed notebook to a standalone HTML page (myst-nb with docutils, no Sphinx).

    Charts get their static SVG fallbacks; the page loads the vega bundle written
    beside it, so it works offline.
    """
    from myst_nb.docutils_ import cli_html5

    nb = nbformat.read(notebook, as_version=4)
    add_static_fallbacks(nb)
    with_svg = notebook.with_name(f".{notebook.stem}.svg.ipynb")
    nbformat.write(nb, with_svg)
    messages = io.StringIO()
    try:
        # In-process: a second interpreter would cost more than the rendering itself.
        with contextlib.redirect_stderr(messages):
            cli_html5(["--nb-execution-mode=off", "--nb-output-folder=", "--quiet", str(with_svg), str(html)])
    except SystemExit as exc:
        if exc.code:
            raise LabeconError(f"rendering {notebook} to HTML failed:\n{messages.getvalue()[-3000:]}") from None
    finally:
        with_svg.unlink(missing_ok=True)
    write_vega_bundle(html.parent, ROOT / "_build" / "cache")
    text = html.read_text()
    text = re.sub(r"</head>", f'<script src="{VEGA_BUNDLE}"></script>\n</head>', text, count=1)
    html.write_text(text)
    return html


def default_out_dir(chapter: Chapter) -> Path:
    """Where ``labecon run`` writes by default: ``_build/runs/<slug>``."""
    return ROOT / "_build" / "runs" / chapter.slug


def run(chapter: Chapter, values: dict, out_dir: Path) -> Execution:
    """Execute ``chapter`` with validated ``values`` and write its three outputs into ``out_dir``.

    Outputs are written under temporary names and moved into place only when all
    three exist, so a failed run leaves an earlier run in ``out_dir`` untouched.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp_nb = out_dir / f".{chapter.slug}.running.ipynb"
    tmp_html = out_dir / f".{chapter.slug}.running.html"
    try:
        result = execute(chapter, tmp_nb, values)
        render_page(tmp_nb, tmp_html)
        (out_dir / ".results.running.json").write_text(result.results_json())
        tmp_nb.replace(out_dir / f"{chapter.slug}.ipynb")
        tmp_html.replace(out_dir / f"{chapter.slug}.html")
        (out_dir / ".results.running.json").replace(out_dir / "results.json")
    finally:
        for leftover in (tmp_nb, tmp_html, out_dir / ".results.running.json"):
            leftover.unlink(missing_ok=True)
    return replace(result, notebook=out_dir / f"{chapter.slug}.ipynb")
