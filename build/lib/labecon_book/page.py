"""A chapter's standalone HTML page (``labecon run``), made by a process started ahead of time.

The page is rendered by myst-nb with docutils (no Sphinx) and every chart gets its
static drawing (:mod:`labecon_book.fallbacks`). Loading the renderer and starting
the drawing engine take about a second, and drawing the charts about as much again,
so :class:`PageMaker` starts ``python -m labecon_book.page`` as soon as the
chapter's kernel starts: it loads while the chapter runs, draws each chart as soon as
its cell has run, and renders the page once the notebook is complete.

Protocol (one JSON document per line on the process's standard input): ``{"spec": ...}``
draws a chart; ``{"render": [notebook, html, data folder], "values": {...}}`` writes the page
(its charts' CSV files into the data folder, their commands for the parameter values the
notebook was executed with) and ends the process, which then prints ``ok`` or the renderer's
messages.
"""

import contextlib
import gc
import io
import json
import queue
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import yaml

from labecon_book import fallbacks, processes
from labecon_book.assets import DATA_FOLDER, READER_CSS, READER_JS, VEGA_BUNDLE, write_reader_assets, write_vega_bundle
from labecon_book.chapters import chapters
from labecon_book.deps import tables_read
from labecon_core.errors import LabeconError
from labecon_core.paths import ROOT


def _myst_extensions() -> str:
    """The MyST syntax extensions the book enables (``_config.yml``), for the docutils renderer."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return ",".join(config.get("parse", {}).get("myst_enable_extensions", []))


def _split_target(text: str) -> tuple[str | None, str]:
    """``"title <target>"`` -> (title, target); ``"target"`` -> (None, target)."""
    match = re.fullmatch(r"(.*?)\s*<([^<>]+)>", text, re.S)
    return (match[1], match[2]) if match else (None, text)


_NUMBERED = re.compile(r"^(?::{3,}|`{3,})\{((?:glue:)?figure|table)\}[^\n]*\n((?::[^\n]*\n)*)", re.M)


def numbers(markdown: str, chapter: int | None = None) -> tuple[list[str], list[str], dict[str, str]]:
    """The numbers of the figures and the tables of MyST text, as the book shows them.

    Every figure and table directive counts, named or not, in page order, as in Sphinx;
    with the chapter's number, they read ``Fig. 3.2`` and ``Table 3.1``. Returns the
    figures' numbers, the tables' numbers and, for each named one, its number.
    """
    prefix = f"{chapter}." if chapter else ""
    figures, tables, named = [], [], {}
    for kind, options in _NUMBERED.findall(markdown):
        found = tables if kind == "table" else figures
        found.append(f"{'Table' if kind == 'table' else 'Fig.'} {prefix}{len(found) + 1}")
        if m := re.search(r"^:name:\s*(\S+)", options, re.M):
            named[m[1]] = found[-1]
    return figures, tables, named


def _number_captions(html: str, figures: list[str], tables: list[str]) -> str:
    """Put each figure's and table's number before its caption, in page order, as Sphinx does."""
    def numbered(pattern: str, labels: list[str], text: str) -> str:
        labels = iter(labels)
        return re.sub(pattern, lambda m: f'{m[0]}<span class="caption-number">{next(labels, "")} </span>', text)

    return numbered(r"<caption>", tables, numbered(r"<figcaption>\s*<p>", figures, html))


def _register_reference_roles(named: dict[str, str]) -> None:
    """Roles for what only Sphinx resolves (citations, cross-references), so the page reads whole.

    Citations read as author and year, as in the book; references to figures on the
    page link to them, numbered in page order; other pages of the book are named.
    """
    from docutils import nodes
    from docutils.parsers.rst import roles

    from labecon_core.bib import author_year  # the page process's: the parent needs no pybtex

    titles = {c.path.stem: c.title for c in chapters()}

    def cite(parenthetical):
        def role(name, rawtext, text, lineno, inliner, options=None, content=None):
            cited = [author_year(k.strip()) for k in text.split(",")]
            if parenthetical:
                return [nodes.Text("(" + "; ".join(f"{who} {year}".strip() for who, year in cited) + ")")], []
            return [nodes.Text("; ".join(f"{who} ({year})" for who, year in cited))], []
        return role

    def numref(name, rawtext, text, lineno, inliner, options=None, content=None):
        title, label = _split_target(text)
        number = named.get(label, "?")
        shown = (title or number).replace("{number}", number.split(" ")[-1]).replace("{name}", label)
        return [nodes.reference(rawtext, shown, refuri=f"#{label}")], []

    def ref(name, rawtext, text, lineno, inliner, options=None, content=None):
        title, label = _split_target(text)
        return [nodes.reference(rawtext, title or label, refuri=f"#{label}")], []

    def doc(name, rawtext, text, lineno, inliner, options=None, content=None):
        title, target = _split_target(text)
        return [nodes.emphasis(rawtext, title or titles.get(Path(target).name, target))], []

    for name, role in (("cite:p", cite(True)), ("cite:t", cite(False)), ("numref", numref), ("ref", ref),
                       ("doc", doc)):
        roles.register_local_role(name, role)


def _docutils_html(notebook: Path, html: Path) -> str | None:
    """Write ``html`` from an executed notebook with myst-nb's docutils writer; its messages if it failed."""
    from myst_nb.docutils_ import cli_html5

    messages = io.StringIO()
    argv = ["--nb-execution-mode=off", "--nb-output-folder=", f"--myst-enable-extensions={_myst_extensions()}",
            "--quiet", str(notebook), str(html)]
    try:
        # In-process: a second interpreter would cost more than the rendering itself.
        with contextlib.redirect_stderr(messages):
            cli_html5(argv)
    except SystemExit as exc:
        if exc.code:
            return messages.getvalue()[-3000:]
    return None


def render_page(notebook: Path, html: Path, svgs: dict[str, str] | None = None, values: dict | None = None,
                data_dir: Path | None = None) -> Path:
    """Render an executed notebook to a standalone HTML page (myst-nb with docutils, no Sphinx).

    The page parses the chapter with the book's MyST extensions (its figures are
    ``:::{glue:figure}`` blocks), charts get their static drawings (``svgs``, spec ->
    SVG, holds those made already), and the page loads the vega bundle written beside
    it, so it works offline. A chapter's figures get their data, sources and commands
    (:mod:`labecon_book.figures`) for the parameter ``values`` it was executed with (default:
    the chapter's defaults); the CSV files go to ``data_dir`` (default: ``chart-data`` beside
    the page), which the page links as ``chart-data``.
    """
    # Here, not at the top: they load the data stack, which only the page process needs (it loads them warming up).
    from labecon_book import figures, sources

    try:
        nb = json.loads(notebook.read_text())
        cells = nb["cells"]
        # Code is highlighted as Python: the IPython lexer is a pygments plugin, and looking a plugin up
        # scans every installed package (about 0.08 s for each code cell shown).
        nb.setdefault("metadata", {}).setdefault("language_info", {})["pygments_lexer"] = "python3"
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LabeconError(f"rendering {notebook} to HTML failed: not a readable notebook ({exc})") from None
    markdown = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown")
    slug = nb["metadata"].get("labecon", {}).get("slug")
    number, chapter = next(((i, c) for i, c in enumerate(chapters(), 1) if c.slug == slug), (None, None))
    figure_numbers, table_numbers, named = numbers(markdown, number)
    _register_reference_roles(named)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / notebook.name
        source.write_text(json.dumps(nb))
        failure = _docutils_html(source, html)
    if failure is not None:
        raise LabeconError(f"rendering {notebook} to HTML failed:\n{failure}")
    write_vega_bundle(html.parent, ROOT / "_build" / "cache")
    write_reader_assets(html.parent)
    text = _number_captions(fallbacks.add_static_fallbacks(html.read_text(), svgs), figure_numbers, table_numbers)
    if chapter is not None:
        from labecon_core.bib import author_year  # the page process's: the parent needs no pybtex

        works = [sources.Work(f"{who} {year}".strip()) for who, year in map(author_year,
                                                                           sources.cited_in_markdown(markdown))]
        context = figures.Context(chapter, values or chapter.defaults(), tables_read(nb, notebook), works, None,
                                  data_dir or html.parent / DATA_FOLDER, DATA_FOLDER)
        text = figures.decorate(text, context)
    head = (f'<script src="{VEGA_BUNDLE}"></script>\n<script src="{READER_JS}"></script>\n'
            f'<link rel="stylesheet" href="{READER_CSS}">\n</head>')
    text = re.sub(r"</head>", lambda _: head, text, count=1)
    html.write_text(text)
    return html


class PageMaker:
    """The page process for one run, in a ``with`` block (stopped on leaving it if still running)."""

    def __enter__(self) -> "PageMaker":
        self.proc = subprocess.Popen([sys.executable, "-m", "labecon_book.page"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return self

    def _send(self, message: dict) -> None:
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # the process ended: render() reports why

    def draw_charts(self, cell, **_) -> None:
        """Have the charts of an executed cell drawn now (an nbclient ``on_cell_executed`` hook)."""
        for spec in fallbacks.notebook_chart_specs({"cells": [cell]}):
            self._send({"spec": spec})

    def render(self, notebook: Path, html: Path, values: dict, data_dir: Path) -> None:
        """Write the page of a notebook executed with parameter ``values`` (its charts' CSV files into ``data_dir``);
        raise :class:`LabeconError` if that failed."""
        self._send({"render": [str(notebook), str(html), str(data_dir)], "values": values})
        output, _ = self.proc.communicate()
        if self.proc.returncode != 0 or output.strip().splitlines()[-1:] != ["ok"]:
            raise LabeconError(output.strip()[-3000:] or f"the page process failed (exit {self.proc.returncode})")

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _warm_renderer() -> None:
    """Render a small notebook like a chapter's: what the renderer loads on first use (the bibliography, the
    chapters' titles, the writers, math, code highlighting) loads now."""
    html = {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<b>x</b>", "text/plain": "x"}}
    text = "# Warm\n\nSee $x$ {cite:p}`amodei2025cheekypint` and {numref}`fig-x`.\n\n:::{note}\nx\n:::"
    nb = {"cells": [{"cell_type": "markdown", "id": "warm", "metadata": {}, "source": text},
                    {"cell_type": "code", "id": "code", "metadata": {}, "execution_count": 1, "source": "x = 1",
                     "outputs": [html]}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "warm.ipynb"
        source.write_text(json.dumps(nb))
        render_page(source, Path(folder) / "warm.html", {})


def main() -> int:
    """The page process: load the renderer, draw charts as they come, render the page when asked."""
    processes.lower_priority(10)  # the chapter's kernel comes first
    # Read at once, whatever this process is doing: a full pipe would hold up the run sending charts.
    lines = queue.SimpleQueue()
    specs = queue.SimpleQueue()
    svgs = {}

    def read():
        for line in sys.stdin:
            message = json.loads(line)
            if "spec" in message:
                specs.put(message["spec"])
            else:
                lines.put(message)
        specs.put(None)
        lines.put(None)  # the end of the input

    def draw():
        # vl-convert draws without holding the GIL: charts are drawn while the renderer warms up.
        fallbacks.warm()
        while (spec := specs.get()) is not None:
            svgs.setdefault(spec, fallbacks.draw(spec))

    threading.Thread(target=read, daemon=True).start()
    drawer = threading.Thread(target=draw, daemon=True)
    drawer.start()
    _warm_renderer()
    # What is loaded now stays: the collector need not walk it again while the page is rendered.
    gc.freeze()
    message = lines.get()
    if message is None:
        return 0
    drawer.join()  # every chart sent before the render request is drawn
    notebook, html, data_dir = map(Path, message["render"])
    try:
        render_page(notebook, html, svgs, message["values"], data_dir)
    except LabeconError as exc:
        print(exc)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
