"""The data of a chart as a CSV file a reader can take away: every row it draws, columns named as on the chart.

The rows are the chart's data sets, whole, as the chapter computed them: a what-if chart's
file holds every point of its grid, with a column for each control. Each column is named
after what the chart calls it, so that its unit comes with it:

1. the title of the axis or legend that shows the field (a second position, ``x2`` or
   ``y2``, and an untitled layer take the title of the axis they share);
2. for a column folded into one series (a ``fold`` transform), that series' title followed
   by the column's name in brackets;
3. the label of the control that picks it, for a what-if grid column;
4. its tooltip title, or the facet header that splits the chart by it;
5. otherwise the field's own name.

Two fields of one data set given the same title are told apart by their names in brackets.
A chart drawing several data sets gets one file: a first column ``part`` names the marks each
row is drawn with (``line``, ``rule``, ``area + line``), and the data sets share a column
when they share its title (the value of a reference line sits in the column of its axis).

Numbers are written by the book's rounding rule (:mod:`labecon_core.portable`), so the file is
the same on every machine.
"""

import csv
import io
import json
import math

from labecon_book.specs import Chart, axis_titles, field_title, title_text
from labecon_core.portable import round_sig

#: Ranks of the ways a column gets its name (lower wins; see the module's notes).
_AXIS, _FOLD, _CONTROL, _TOOLTIP, _FACET = range(5)


def _candidates(chart: Chart) -> dict[tuple, tuple[int, str]]:
    """``(data set, field) -> (rank, title)``: the best name found for each field, first view first."""
    shared = axis_titles(chart.views)
    found: dict[tuple, tuple[int, str]] = {}

    def offer(data, field, rank, title):
        if data is None or not isinstance(field, str) or not title:
            return
        if (data, field) not in found or rank < found[(data, field)][0]:
            found[(data, field)] = (rank, title)

    for view in chart.views:
        titles = {}
        for channel, enc in view.encoding.items():
            if channel == "tooltip":
                for tip in enc if isinstance(enc, list) else [enc]:
                    if isinstance(tip, dict):
                        offer(view.data, tip.get("field"), _TOOLTIP, title_text(tip.get("title")))
            elif title := field_title(view, channel, shared):
                titles[enc.get("field")] = title
                offer(view.data, enc.get("field"), _AXIS, title)
        for step in view.transforms:
            if "fold" in step:
                series = titles.get(step.get("as", ["key", "value"])[1])
                for column in step["fold"]:
                    offer(view.data, column, _FOLD, series and f"{series} [{column}]")
    for control in chart.controls:
        for view in chart.views:
            offer(view.data, control.column, _CONTROL, control.label)
    for facet in chart.facets:
        for channel in facet.values():
            if isinstance(channel, dict) and title_text(channel.get("title")):
                for view in chart.views:
                    offer(view.data, channel.get("field"), _FACET, channel["title"])
    return found


def headers(chart: Chart) -> dict[str, dict[str, str]]:
    """``data set -> field -> column name`` for every field of every data set of a chart."""
    found = _candidates(chart)
    out = {}
    for key, rows in chart.datasets.items():
        fields = list(dict.fromkeys(f for row in rows for f in row))
        named = {f: found.get((key, f), (None, f))[1] for f in fields}
        clash = {name for name in named.values() if list(named.values()).count(name) > 1}
        out[key] = {f: f"{name} [{f}]" if name in clash else name for f, name in named.items()}
    return out


def parts(chart: Chart) -> dict[str, str]:
    """``data set -> the marks that draw it`` (``area + line``), told apart by a number when two read the same."""
    marks = {}
    for view in chart.views:
        if view.data is not None:
            marks.setdefault(view.data, [])
            if view.mark not in marks[view.data]:
                marks[view.data].append(view.mark)
    names, seen = {}, {}
    for key in chart.datasets:
        name = " + ".join(marks.get(key, ["data"]))
        seen[name] = seen.get(name, 0) + 1
        names[key] = name if seen[name] == 1 else f"{name} ({seen[name]})"
    return names


def cell(value) -> str:
    """One value as CSV text: numbers by the book's rounding rule, whole numbers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        value = round_sig(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def csv_text(chart: Chart) -> str:
    """The CSV file of a chart: a header of column names, then every row of every data set it draws."""
    names, labels = headers(chart), parts(chart)
    several = len(chart.datasets) > 1
    columns = list(dict.fromkeys(name for key in chart.datasets for name in names[key].values()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((["part"] if several else []) + columns)
    for key, rows in chart.datasets.items():
        for row in rows:
            by_column = {names[key][f]: cell(v) for f, v in row.items()}
            writer.writerow(([labels[key]] if several else []) + [by_column.get(c, "") for c in columns])
    return out.getvalue()
