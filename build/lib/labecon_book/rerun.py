""""Re-run with these values": the ``labecon run`` command for the values a reader set with a chart's controls.

Each control of a what-if chart says, for each of its values, which of the chapter's own
parameters that value sets (:func:`labecon_core.charts.what_if`): usually the parameter named
like the control, sometimes several (both ends of a range whose median the control moves),
sometimes none (a figure from the data, which no parameter sets). Here those settings are
checked against the chapter's parameters and written as command-line text, once, when the
page is made; the page's script (``labecon-reader.js``) only picks the texts of the values
set and joins them.

The command starts from the parameters the page was executed with (the defaults in the book,
a reader's values on the page of a ``labecon run``): every one that differs from the
chapter's default is given. A control moved away from the value the page opened with then
sets its parameters, in their place; a control at that value adds nothing, so the command
for an untouched chart re-runs the page as it is. Parameters are given in the chapter's order
(:func:`command`; the script follows the same rule, which the browser tests check).
"""

import html
import json
import shlex

from labecon_book.chapters import Chapter, UnknownParameterError
from labecon_book.specs import Chart, Control
from labecon_core.errors import ChapterError

#: Heading of the box beside a chart's controls.
TITLE = "Re-run with these values"


def value_key(value: float) -> str:
    """A control's value as the page writes it (in the model of the page's script and in a link's fragment)."""
    return f"{float(value):.12g}"


def argument(chapter: Chapter, name: str, value, where: str) -> str:
    """The command-line text of ``value`` for parameter ``name``, as ``labecon run -p`` reads it back."""
    try:
        kind = chapter.parameter(name).type
    except UnknownParameterError:
        valid = ", ".join(p.name for p in chapter.parameters)
        raise ChapterError(f"{where} sets {name!r}, which is not a parameter of {chapter.slug} (its parameters: "
                           f"{valid}); say what the control sets with charts.what_if(..., parameters=...)") from None
    wrong = ChapterError(f"{where} sets {name} (a {kind.__name__}) to {value!r}")
    if kind is bool:
        if value not in (0, 1):
            raise wrong
        return "true" if value else "false"
    if kind is str:
        if not isinstance(value, str):
            raise wrong
        return shlex.quote(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise wrong
    if kind is int:
        if not float(value).is_integer():
            raise wrong
        return str(int(value))
    return f"{float(value):.12g}"


def _sets(chapter: Chapter, control: Control, where: str) -> dict[str, list[list[str]]] | None:
    if not control.settings:
        return None
    sets = {}
    for value, parameters in control.settings:
        here = f"{where}, control {control.label!r} at {value:g},"
        sets[value_key(value)] = [[name, argument(chapter, name, v, here)] for name, v in parameters.items()]
    missing = [value_key(v) for v in control.values if value_key(v) not in sets]
    if missing:
        raise ChapterError(f"{where}: the control {control.label!r} does not say what it sets at {', '.join(missing)}")
    return sets


def model(chart: Chart, chart_id: str, chapter: Chapter, run_values: dict) -> dict:
    """What the page's script needs to write the command of one chart (JSON-ready).

    Parameters
    ----------
    chart : Chart
        The chart, with its controls.
    chart_id : str
        Its element id (``chart-<slug>-<n>``), named in errors.
    chapter : Chapter
        The chapter it belongs to.
    run_values : dict
        Every parameter value the page was executed with.

    Raises
    ------
    ChapterError
        When a control sets something that is not a parameter of the chapter, or a value of
        the wrong type.
    """
    defaults = chapter.defaults()
    fixed = [[name, argument(chapter, name, value, f"{chart_id}: the page's run")]
             for name, value in run_values.items() if value != defaults.get(name)]
    controls = [{"signal": c.signal, "column": c.column, "label": c.label, "default": value_key(c.default),
                 "values": [value_key(v) for v in c.values], "sets": _sets(chapter, c, f"{chart_id} of {chapter.slug}")}
                for c in chart.controls]
    return {"chapter": chapter.slug, "order": [p.name for p in chapter.parameters], "fixed": fixed,
            "controls": controls}


def command(rerun: dict, moved: dict[str, str] | None = None) -> str:
    """The command of a chart's model with its controls at the values the page opened with, except ``moved``.

    ``moved`` maps a control's column to one of its values (as :func:`value_key` writes it).
    The page's script joins the same texts by the same rule as the controls move.
    """
    texts = dict(rerun["fixed"])
    for control in rerun["controls"]:
        key = (moved or {}).get(control["column"], control["default"])
        if key != control["default"] and control["sets"]:
            texts.update(dict(control["sets"][key]))
    return " ".join(["labecon run", rerun["chapter"],
                     *(f"-p {name} {texts[name]}" for name in rerun["order"] if name in texts)])


def box(rerun: dict, chart_id: str) -> str:
    """The HTML of the box beside a chart's controls: its command as the page opens, and the model for the script.

    Without JavaScript (and in print) the chart is its static drawing, without controls: the box
    then says at which values it is drawn, and shows the command for them. The script keeps
    the command in step with the live controls and shows its copy button.
    """
    data = json.dumps(rerun, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    values = "; ".join(f"{c['label']} {c['default']}" for c in rerun["controls"])
    return (f'<div class="labecon-rerun" id="{chart_id}-rerun">'
            f'<p class="labecon-rerun-title">{TITLE}</p>'
            f'<p class="labecon-rerun-values">Drawn at: {html.escape(values)}.</p>'
            '<p class="labecon-rerun-hint">The command that runs the whole chapter with the values of the controls '
            "(from a clone of the book, after <code>make book</code>):</p>"
            f'<div class="labecon-rerun-line"><pre class="labecon-rerun-command">{html.escape(command(rerun))}</pre>'
            '<button type="button" class="labecon-copy" hidden>Copy</button></div>'
            '<p class="labecon-rerun-note" hidden></p>'
            f'<script type="application/json" class="labecon-rerun-model">{data}</script></div>')
