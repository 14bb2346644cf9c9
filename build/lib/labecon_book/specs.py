"""The book's charts as data: the views, data sets and controls of a Vega-Lite spec.

Every chart of the book is a spec made by :mod:`labecon_core.charts` (found in a page or a
notebook by :func:`labecon_book.fallbacks.chart_specs`). The CSV of a chart
(:mod:`labecon_book.chartdata`), its text alternative (:mod:`labecon_book.describe`) and the
command beside its controls (:mod:`labecon_book.rerun`) are all read from here, so they
describe the same chart.

A spec composes unit views (a mark, an encoding, a data set) by layering, concatenation and
faceting; a view draws the data set of the nearest level that names one, and the views of a
layer share their axes, so a view that gives an axis no title of its own shows the layer's. A control is a
parameter ``ctl_<column>`` bound to an input, with its companion ``rerun_<column>`` listing
what each of its values sets in the chapter's parameters (see :func:`labecon_core.charts.what_if`).
"""

import csv
import io
import json
from dataclasses import dataclass

from labecon_core.errors import ChapterError

_CONCAT = ("hconcat", "vconcat", "concat")
#: Channels shown by a legend, and the second positions with the axis they share.
_LEGENDS = ("color", "fill", "stroke", "size", "shape", "opacity", "strokeDash", "strokeWidth")
_SECOND = {"x2": "x", "y2": "y"}
_ABSENT = object()


@dataclass(frozen=True)
class View:
    """One unit view of a chart.

    Attributes
    ----------
    mark : str
        The mark type (``bar``, ``line``, ``rule``, ...).
    data : str or None
        Key of the data set it draws in :attr:`Chart.datasets` (``None``: no data).
    encoding : dict
        Its encoding channels, as in the spec.
    transforms : tuple of dict
        Every transform applied to its data, from the top of the spec down to it.
    group : tuple
        Where the views sharing its axes are: the path of its outermost enclosing layer, or
        its own path.
    """

    mark: str
    data: str | None
    encoding: dict
    transforms: tuple
    group: tuple


@dataclass(frozen=True)
class Control:
    """A what-if control of a chart (a parameter bound to a slider or a drop-down).

    Attributes
    ----------
    signal : str
        The parameter's name, ``ctl_<column>``.
    column : str
        The grid column it picks a value of.
    label : str
        What the reader sees beside it, with its unit.
    values : tuple of float
        The values it can take, smallest first.
    default : float
        The value the chart opens with.
    settings : tuple
        ``(value, {chapter parameter: value})`` for each of :attr:`values`; empty when no
        parameter of the chapter sets the control.
    """

    signal: str
    column: str
    label: str
    values: tuple
    default: float
    settings: tuple


@dataclass(frozen=True)
class Chart:
    """A chart spec read whole."""

    views: tuple[View, ...]
    datasets: dict[str, list[dict]]
    controls: tuple[Control, ...]
    panels: int
    facets: tuple[dict, ...]


def _parse_csv(text: str, parse: dict) -> list[dict]:
    """Rows of inline CSV data, with the fields the spec parses as numbers or booleans converted."""
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        for field, kind in (parse or {}).items():
            value = row.get(field)
            if value is None:
                continue
            if kind == "number":
                try:
                    row[field] = float(value) if value.strip() else None
                except ValueError:
                    raise ChapterError(f"a chart's CSV data has {value!r} in its number column {field!r}") from None
            elif kind == "boolean":
                row[field] = value.strip().lower() == "true"
        rows.append(row)
    return rows


class _Reader:
    def __init__(self, spec: dict):
        self.named = spec.get("datasets", {})
        self.datasets: dict[str, list[dict]] = {}
        self.inline: dict[str, str] = {}
        self.views: list[View] = []
        self.facets: list[dict] = []

    def data_key(self, data: dict) -> str | None:
        if data is None:
            return None
        if "name" in data:
            if data["name"] not in self.named:
                raise ChapterError(f"a chart draws the data set {data['name']!r}, which its spec does not hold")
            key, values = data["name"], self.named[data["name"]]
        elif "values" in data:
            key = self.inline.setdefault(json.dumps(data, sort_keys=True), f"values-{len(self.inline)}")
            values = data["values"]
        else:
            raise ChapterError(f"a chart's data is neither a named data set nor inline values: {sorted(data)}; "
                               "the book's charts carry their data")
        if key not in self.datasets:
            if isinstance(values, str):
                kind = data.get("format", {}).get("type")
                if kind != "csv":
                    raise ChapterError(f"a chart holds its data as {kind!r} text; the book reads CSV text only")
                values = _parse_csv(values, data["format"].get("parse"))
            self.datasets[key] = values
        return key

    def walk(self, node: dict, data: str | None, transforms: tuple, path: tuple, group: tuple | None) -> int:
        """Read the views under ``node``; return how many panels it draws."""
        if "data" in node:
            data = self.data_key(node["data"])
        transforms = transforms + tuple(node.get("transform", ()))
        if "layer" in node:
            for i, child in enumerate(node["layer"]):
                self.walk(child, data, transforms, (*path, "layer", i), path if group is None else group)
            return 1
        for key in _CONCAT:
            if key in node:
                return sum(self.walk(child, data, transforms, (*path, key, i), None)
                           for i, child in enumerate(node[key]))
        if "facet" in node and "spec" in node:
            self.facets.append(node["facet"])
            inner = self.walk(node["spec"], data, transforms, (*path, "spec"), group)
            fields = [f["field"] for f in (node["facet"].get(k) for k in ("row", "column", "facet"))
                      if isinstance(f, dict) and "field" in f]
            rows = self.datasets.get(data, [])
            cells = len({tuple(r.get(f) for f in fields) for r in rows}) if fields and rows else 1
            return cells * inner
        if "mark" in node:
            mark = node["mark"] if isinstance(node["mark"], str) else node["mark"]["type"]
            self.views.append(View(mark, data, node.get("encoding", {}), transforms, path if group is None else group))
            return 1
        raise ChapterError(f"a chart view the book cannot read (keys {sorted(node)}): "
                           "charts are layers, concatenations and facets of marks")


def _params(node) -> list[dict]:
    """Every parameter declared anywhere in a spec."""
    found = []
    if isinstance(node, dict):
        found += [p for p in node.get("params", []) if isinstance(p, dict)]
        for key, value in node.items():
            if key not in ("params", "datasets", "data"):
                found += _params(value)
    elif isinstance(node, list):
        for value in node:
            found += _params(value)
    return found


def _values(bind: dict) -> tuple:
    """The values a bound input offers: a drop-down's options, or a slider's steps."""
    if "options" in bind:
        return tuple(sorted(float(v) for v in bind["options"]))
    low, high, step = float(bind["min"]), float(bind["max"]), float(bind["step"])
    return tuple(float(f"{low + k * step:.12g}") for k in range(round((high - low) / step) + 1))


def _controls(spec: dict) -> tuple[Control, ...]:
    params = _params(spec)
    by_name = {p["name"]: p for p in params}
    controls = []
    for p in params:
        if "bind" not in p or not p["name"].startswith("ctl_"):
            continue
        column = p["name"].removeprefix("ctl_")
        companion = by_name.get(f"rerun_{column}")
        if companion is None:
            raise ChapterError(f"the control {p['name']} has no rerun_{column}: the chapter was executed before its "
                               "controls said which parameters they set; run labecon refresh")
        settings = tuple((float(v), dict(sets)) for v, sets in companion.get("value", []))
        controls.append(Control(p["name"], column, str(p["bind"].get("name", column)).strip(), _values(p["bind"]),
                                float(p["value"]), settings))
    return tuple(controls)


def read(spec: dict | str) -> Chart:
    """Read a chart spec (a dict, or its JSON text) into its views, data sets and controls."""
    spec = json.loads(spec) if isinstance(spec, str) else spec
    reader = _Reader(spec)
    panels = reader.walk(spec, None, (), (), None)
    return Chart(tuple(reader.views), reader.datasets, _controls(spec), panels, tuple(reader.facets))


def _explicit(channel: str, enc: dict):
    """The title an encoding gives itself: a text, ``None`` (no title), or :data:`_ABSENT`."""
    if "title" in enc:
        return enc["title"]
    guide = enc.get("axis" if channel in ("x", "y") else "legend")
    if isinstance(guide, dict) and "title" in guide:
        return guide["title"]
    return _ABSENT


def title_text(title) -> str | None:
    """A title as text (a list of lines joined), or ``None`` for none."""
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return title if isinstance(title, str) and title.strip() else None


def axis_titles(views: tuple[View, ...]) -> dict[tuple, str]:
    """``(group, channel) -> title`` of each shared axis (``x``, ``y``): the first title its views give it."""
    titles = {}
    for view in views:
        for channel in ("x", "y"):
            enc = view.encoding.get(channel)
            if isinstance(enc, dict) and (title := title_text(_explicit(channel, enc))):
                titles.setdefault((view.group, channel), title)
    return titles


def field_title(view: View, channel: str, shared: dict[tuple, str]) -> str | None:
    """The title under which ``view`` shows the field of its ``channel`` (positions and legends), if any."""
    enc = view.encoding.get(channel)
    if not isinstance(enc, dict):
        return None
    own = _explicit(channel, enc)
    if channel in _SECOND:
        return title_text(own) if own is not _ABSENT else shared.get((view.group, _SECOND[channel]))
    if channel in ("x", "y"):
        return shared.get((view.group, channel)) if own is _ABSENT else title_text(own)
    if channel in _LEGENDS:
        return None if own is _ABSENT else title_text(own)
    return None
