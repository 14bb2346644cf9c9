"""The book's chart theme and the offline renderer.

Every chart in the book is an Altair chart built by a chapter from data that the
core has already aggregated. Importing this module registers the ``labecon``
theme and the ``labecon`` renderer and enables both. The renderer emits HTML that
draws the chart with the ``vegaEmbed`` bundled in the site's ``_static/`` (see
:mod:`labecon_book.assets`), so no page loads a script from outside the site; the
pages get a static drawing of each chart too (:mod:`labecon_book.fallbacks`).

Every number in a chart's spec is rounded by the book's rule
(:mod:`labecon_core.portable`), and a chart's element id is the chapter's slug and
the chart's place in it (``chart-cohort-accounting-0``), so that a chapter's
outputs are the same on every machine.
"""

import itertools
import json
import re

import altair as alt
import numpy as np

from labecon_core.portable import portable

_WIDTH, _HEIGHT = 560, 300
_PALETTE = ["#1f5f8b", "#d1495b", "#edae49", "#66a182", "#8d6a9f", "#2e4057", "#00798c"]
_page = {"slug": "page", "counter": itertools.count()}
_DATASET = re.compile(r'"data-[0-9a-f]{32}"')


def set_chapter(slug: str) -> None:
    """Name the charts that follow after chapter ``slug``: ``chart-<slug>-0``, ``chart-<slug>-1``, ….

    Every chapter calls it once, before its first chart, with the slug of its
    notebook metadata, so chart ids are unique across the book and stable.
    """
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise ValueError(f"a chapter slug is lowercase words joined by '-', got {slug!r}")
    _page["slug"], _page["counter"] = slug, itertools.count()


@alt.theme.register("labecon", enable=True)
def _labecon_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "view": {"continuousWidth": _WIDTH, "continuousHeight": _HEIGHT, "stroke": None},
            "font": "sans-serif",
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal", "grid": True},
            # Vega cuts legend labels and titles at 160-180 px; the book's are phrases that must read whole.
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "labelLimit": 400,
                       "titleLimit": 400},
            "range": {"category": _PALETTE},
            "line": {"strokeWidth": 2.5},
        }
    }


def _render(spec: dict, **_metadata) -> dict:
    """Altair renderer: an HTML snippet that calls the site's vegaEmbed, plus the spec."""
    spec = portable(spec)
    # Altair names each data set by a hash of its unrounded values: number them in the order the
    # spec (built in the chart's own order, not sorted) first uses them instead.
    names = {}
    text = _DATASET.sub(lambda m: names.setdefault(m[0], f'"data-{len(names)}"'), json.dumps(spec))
    text = json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    div_id = f"chart-{_page['slug']}-{next(_page['counter'])}"
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


def what_if(chart, controls: dict[str, tuple[str, list]], defaults: dict, parameters: dict | None = None):
    """Add reader controls to a unit chart whose data is a grid of model results.

    Each control picks one value of a grid column; the chart shows only the rows at
    the picked values. The model is not re-implemented in the browser: every value
    shown was computed by the core when the chapter ran.

    Beside the controls, the book shows the command that re-runs the chapter with the
    values picked. For that, the spec carries for each control ``ctl_<column>`` a parameter
    ``rerun_<column>`` (bound to nothing) whose value lists, for each grid value, the
    chapter parameters that value sets: ``[[value, {parameter: value, ...}], ...]``, or
    ``[]`` when no parameter of the chapter sets the control.

    Parameters
    ----------
    chart : altair.Chart
        A unit chart (before faceting or layering) over the grid.
    controls : dict
        ``column -> (label with unit, grid values)``; evenly spaced values get a
        slider, others a drop-down.
    defaults : dict
        ``column -> value`` shown first (must be one of the grid values).
    parameters : dict, optional
        ``column -> what re-running the chapter sets``, for a control whose column is not
        the chapter parameter of the same name: the name of the parameter that takes the
        control's value; ``{grid value: {parameter: value, ...}}`` when the control moves
        several parameters (e.g. both ends of a range whose median it sets); or ``None``
        when no parameter of the chapter sets it (the command then keeps the chapter's
        value, and says so). A control not listed sets the parameter named like its column.
    """
    parameters = parameters or {}
    unknown = set(parameters) - set(controls)
    if unknown:
        raise ValueError(f"parameters given for {sorted(unknown)}, which are not controls: {sorted(controls)}")
    for column, (label, values) in controls.items():
        values = sorted({float(v) for v in values})
        default = float(defaults[column])
        if not any(abs(default - v) < 1e-9 for v in values):
            raise ValueError(f"default {column}={default} is not among the grid values {values}")
        steps = np.diff(values)
        if len(values) > 2 and np.allclose(steps, steps[0]):
            bind = alt.binding_range(min=values[0], max=values[-1], step=float(steps[0]), name=f"{label} ")
        else:
            bind = alt.binding_select(options=values, name=f"{label} ")
        name = f"ctl_{column}"
        chart = chart.add_params(alt.param(name=name, value=default, bind=bind),
                                 alt.param(name=f"rerun_{column}", value=_settings(column, values,
                                                                                   parameters.get(column, column))))
        chart = chart.transform_filter(f"abs(datum['{column}'] - {name}) < 1e-9")
    return chart


def _settings(column: str, values: list[float], sets) -> list:
    """What re-running the chapter sets for each grid value of a control (see :func:`what_if`)."""
    if sets is None:
        return []
    if isinstance(sets, str):
        return [[v, {sets: v}] for v in values]
    table = {float(k): v for k, v in sets.items()}
    missing = [v for v in values if not any(abs(v - k) < 1e-9 for k in table)]
    if missing:
        raise ValueError(f"the parameters of control {column} leave out its grid values {missing}")
    out = []
    for v in values:
        chosen = next(table[k] for k in table if abs(v - k) < 1e-9)
        if not (isinstance(chosen, dict) and chosen and all(isinstance(p, str) for p in chosen)):
            raise ValueError(f"control {column} at {v:g}: expected {{parameter name: value}}, got {chosen!r}")
        out.append([v, dict(chosen)])
    return out


def usd_axis(title: str, **options) -> alt.Axis:
    """An axis for dollar amounts with SI suffixes (``$1.5G`` reads as $1.5 billion); ``options`` are further
    ``alt.Axis`` settings (``values=`` for ticks at chosen amounts, in USD)."""
    return alt.Axis(title=title, format="$.2~s", labelExpr="replace(datum.label, 'G', 'B')", **options)


def finish(chart: alt.TopLevelMixin, *, width: int = _WIDTH, height: int = _HEIGHT):
    """Give a chart the book's size; every chapter figure passes through here."""
    return chart.properties(width=width, height=height)
