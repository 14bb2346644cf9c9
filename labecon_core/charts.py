"""The book's chart theme and the offline renderer.

Every chart in the book is an Altair chart built by a chapter from data that the
core has already aggregated. Importing this module registers the ``labecon``
theme and the ``labecon`` renderer and enables both. The renderer emits HTML that
draws the chart with the ``vegaEmbed`` bundled in the site's ``_static/`` (see
:func:`write_vega_bundle`), so no page loads a script from outside the site.
"""

import hashlib
import importlib.resources
import itertools
import json
from pathlib import Path

import altair as alt
import vl_convert

#: File name of the vega / vega-lite / vega-embed bundle in the site's ``_static/``.
VEGA_BUNDLE = "vega-bundle.js"
#: Path of MathJax in the site's ``_static/`` (set as ``mathjax_path`` in ``_config.yml``).
MATHJAX = "mathjax/tex-svg.js"

_WIDTH, _HEIGHT = 560, 300
_PALETTE = ["#1f5f8b", "#d1495b", "#edae49", "#66a182", "#8d6a9f", "#2e4057", "#00798c"]
_counter = itertools.count()


@alt.theme.register("labecon", enable=True)
def _labecon_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "view": {"continuousWidth": _WIDTH, "continuousHeight": _HEIGHT, "stroke": None},
            "font": "sans-serif",
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal", "grid": True},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "range": {"category": _PALETTE},
            "line": {"strokeWidth": 2.5},
        }
    }


def _render(spec: dict, **_metadata) -> dict:
    """Altair renderer: an HTML snippet that calls the site's vegaEmbed, plus the spec."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    div_id = "chart-" + hashlib.sha256(text.encode()).hexdigest()[:12] + f"-{next(_counter)}"
    html = (
        f'<div id="{div_id}" class="labecon-chart"></div>\n'
        "<script>(function(){"
        f"var spec={text};"
        f'function draw(){{vegaEmbed("#{div_id}",spec,{{actions:false,renderer:"svg"}})'
        ".catch(function(e){console.error(e);});}"
        'if(window.vegaEmbed){draw();}else{window.addEventListener("load",draw);}'
        "})();</script>"
    )
    return {"text/html": html, "text/plain": f"<labecon chart {div_id}>"}


alt.renderers.register("labecon", _render)
alt.renderers.enable("labecon")


def write_vega_bundle(static_dir: Path) -> Path:
    """Write the self-contained vega / vega-lite / vega-embed bundle into ``static_dir``."""
    static_dir.mkdir(parents=True, exist_ok=True)
    path = static_dir / VEGA_BUNDLE
    # The bundle declares top-level names (such as `_`) that clash with Sphinx's own
    # globals; a function scope keeps them private. It still sets window.vegaEmbed.
    bundle = "(function(){\n" + vl_convert.javascript_bundle() + "\n})();\n"
    if not path.exists() or path.read_text() != bundle:
        path.write_text(bundle)
    return path


def write_mathjax(static_dir: Path) -> Path:
    """Copy MathJax 3 (SVG output, fonts included) from the ``django-static-mathjax`` package into ``static_dir``.

    Sphinx's default loads MathJax from a CDN; the book must work offline.
    """
    source = importlib.resources.files("mathjax") / "static" / "mathjax" / "es5" / "tex-svg.js"
    target = static_dir / MATHJAX
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    return target


def usd_axis(title: str) -> alt.Axis:
    """A y axis for dollar amounts with SI suffixes (``$1.5G`` reads as $1.5 billion)."""
    return alt.Axis(title=title, format="$.2~s", labelExpr="replace(datum.label, 'G', 'B')")


def finish(chart: alt.TopLevelMixin, *, width: int = _WIDTH, height: int = _HEIGHT):
    """Give a chart the book's size; every chapter figure passes through here."""
    return chart.properties(width=width, height=height)
