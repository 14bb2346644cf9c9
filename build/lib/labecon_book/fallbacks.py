"""Static drawings of the book's charts, for readers without JavaScript and for print.

Every chart is emitted by the renderer of :mod:`labecon_core.charts` as an empty
``<div>`` and a script that draws it with vegaEmbed. Here each ``<div>`` gets an SVG
of the chart drawn by vl-convert; with JavaScript, vegaEmbed replaces it with the
live chart. The drawings are added to the finished pages, not to the notebooks, so
the committed and downloadable notebooks stay small, and the build can draw them
while chapters execute and Sphinx renders the pages (:class:`Drawer`).
"""

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

import vl_convert

from labecon_book import processes

# The renderer's output (labecon_core.charts._render): the div, then the spec as a JS object literal.
_CHART = re.compile(
    r'(<div id="chart-[a-z0-9-]+-\d+" class="labecon-chart">)'
    r"(</div>\n<script>\(function\(\)\{var spec=)(\{.*?\});function draw",
    re.S,
)
_VERSION = metadata.version("vl-convert-python")


def chart_specs(html: str) -> list[str]:
    """The Vega-Lite specs (JSON text) of the book's charts in an HTML text, in order."""
    return [m.group(3) for m in _CHART.finditer(html)]


def notebook_chart_specs(nb: Mapping) -> list[str]:
    """The specs of the charts in a notebook's HTML outputs (a notebook as read from JSON)."""
    specs = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            for mime, value in output.get("data", {}).items():
                if mime.endswith("text/html"):
                    specs += chart_specs("".join(value) if isinstance(value, list) else value)
    return specs


def draw(spec: str, cache: Path | None = None) -> str:
    """The SVG of one chart spec, kept in ``cache`` (a folder) under the hash of the spec and vl-convert's version."""
    path = None
    if cache is not None:
        path = cache / (hashlib.sha256(f"{_VERSION}\0{spec}".encode()).hexdigest() + ".svg")
        if path.exists():
            return path.read_text()
    svg = vl_convert.vegalite_to_svg(json.loads(spec))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(svg)
        tmp.replace(path)
    return svg


def draw_all(specs: Iterable[str], cache: Path | None = None) -> dict[str, str]:
    """SVGs of several specs (spec -> SVG), each distinct spec drawn once."""
    return {spec: draw(spec, cache) for spec in dict.fromkeys(specs)}


def warm() -> None:
    """Start vl-convert's drawing engine (about half a second, once per process) by drawing an empty chart."""
    vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": []}})


def add_static_fallbacks(html: str, svgs: Mapping[str, str] | None = None, cache: Path | None = None) -> str:
    """Put the SVG of each chart of an HTML text inside its ``<div>``.

    ``svgs`` (spec -> SVG) holds drawings made earlier; any other chart is drawn now
    (see :func:`draw`: taken from ``cache`` if it is kept there).
    """
    svgs = svgs or {}

    def fill(match: re.Match) -> str:
        svg = svgs.get(match.group(3)) or draw(match.group(3), cache)
        return f"{match.group(1)}{svg}{match.group(2)}{match.group(3)};function draw"

    return _CHART.sub(fill, html)


class Drawer:
    """A process drawing the charts of notebooks into a cache folder, in a ``with`` block.

    It starts with the first notebook submitted and runs at the lowest priority, so
    that while chapters execute it only takes time no kernel wants. It is sent paths,
    never specs, so that the caller never waits on it. Leaving the block stops it if
    it still runs.
    """

    def __init__(self, cache: Path):
        self.cache = cache
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Drawer":
        return self

    def submit(self, notebooks: Iterable[Path]) -> None:
        """Have the charts of executed notebooks drawn (see :func:`draw`)."""
        if self.proc is None:
            self.proc = subprocess.Popen([sys.executable, "-m", "labecon_book.fallbacks", str(self.cache)],
                                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        try:
            for path in notebooks:
                self.proc.stdin.write(f"{path}\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # the process failed: what it did not draw is drawn when the pages are filled

    def finish(self) -> None:
        """Wait until the charts of every notebook submitted are drawn."""
        if self.proc is not None:
            if not self.proc.stdin.closed:
                self.proc.stdin.close()
            self.proc.wait()

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def main(cache: str) -> None:
    """The :class:`Drawer` process: draw the charts of each notebook named on standard input."""
    processes.lower_priority(19)
    for line in sys.stdin:
        draw_all(notebook_chart_specs(json.loads(Path(line.strip()).read_text())), Path(cache))


if __name__ == "__main__":
    main(sys.argv[1])
