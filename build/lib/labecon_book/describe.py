"""A one-sentence description of what a chart shows, read from its spec: the text alternative of a figure.

The sentence names the kinds of marks drawn, the panels, the titles of the horizontal and
vertical axes and of the colour legend (when one is drawn), and the controls; each part is read from the spec
the chart is drawn from (:mod:`labecon_book.specs`), so it is true of every chart, and a part
a chart does not have is left out. An axis that shows categories without a title is said to
show categories.

>>> describe(specs.read({"mark": "bar", "data": {"values": [{"k": "a", "v": 1}]},
...     "encoding": {"x": {"field": "k", "type": "nominal", "title": None},
...                  "y": {"field": "v", "type": "quantitative", "title": "profit (USD)"}}}))
'Bars; horizontal axis: categories; vertical axis: profit (USD).'
"""

from labecon_book import specs
from labecon_book.specs import axis_titles, field_title

#: How the sentence names each Vega-Lite mark.
MARK_WORDS = {"bar": "bars", "line": "lines", "trail": "lines", "area": "shaded areas", "point": "points",
              "circle": "points", "square": "points", "tick": "ticks", "rule": "rules", "rect": "rectangles",
              "text": "text labels", "arc": "arcs", "image": "images", "geoshape": "shapes"}


def listing(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def titles(chart: specs.Chart, channel: str) -> list[str]:
    """The distinct titles a channel (``x``, ``y``, ``color``) shows across a chart's views, in order.

    A legend that one of the views sharing it turns off (``legend: null``) is not drawn, so its
    title is not shown.
    """
    shared = axis_titles(chart.views)
    hidden = {v.group for v in chart.views
              if isinstance(enc := v.encoding.get(channel), dict) and "legend" in enc and enc["legend"] is None}
    found = [field_title(view, channel, shared) for view in chart.views if view.group not in hidden]
    return list(dict.fromkeys(t for t in found if t))


def _categories(chart: specs.Chart, channel: str) -> bool:
    """Whether some view shows categories on a positional channel."""
    return any(isinstance(enc := v.encoding.get(channel), dict) and enc.get("type") in ("nominal", "ordinal")
               for v in chart.views)


def describe(chart: specs.Chart) -> str:
    """The sentence for one chart (see the module's notes)."""
    marks = list(dict.fromkeys(MARK_WORDS.get(v.mark, f"{v.mark} marks") for v in chart.views))
    sentence = listing(marks or ["a chart"])
    sentence = sentence[0].upper() + sentence[1:]
    if chart.panels > 1:
        sentence += f" in {chart.panels} panels"
    parts = [sentence]
    for channel, where in (("x", "horizontal"), ("y", "vertical")):
        shown = titles(chart, channel)
        if shown:
            parts.append(f"{where} ax{'es' if len(shown) > 1 else 'is'}: {'; '.join(shown)}")
        elif _categories(chart, channel):
            parts.append(f"{where} axis: categories")
    colours = titles(chart, "color")
    if colours:
        parts.append(f"colour: {'; '.join(colours)}")
    if chart.controls:
        parts.append(f"control{'s' if len(chart.controls) > 1 else ''}: {listing([c.label for c in chart.controls])}")
    return "; ".join(parts) + "."
