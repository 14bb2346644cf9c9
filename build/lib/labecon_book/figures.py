"""What a reader gets with every chart of a page: its data, its sources, a text alternative, and for a what-if
chart the command that re-runs the chapter with the values set.

Applied to a finished page (a page of the book, or of ``labecon run``) after the charts'
static drawings are in (:mod:`labecon_book.fallbacks`). For each chart it

- writes the chart's data as a CSV file (:mod:`labecon_book.chartdata`) into the page's data
  folder and links it under the figure, with the chapter's sources beside it
  (:mod:`labecon_book.sources`);
- gives the static drawing the role of an image and, as its text alternative, the figure's
  caption followed by a sentence saying what the chart shows (:mod:`labecon_book.describe`);
  the page's script gives the live chart the same;
- puts beside a what-if chart's controls the box "Re-run with these values"
  (:mod:`labecon_book.rerun`).

Pages load :data:`labecon_book.assets.READER_JS`, which wires the boxes to the controls and
keeps the values set in the page's address.
"""

import html
import re
from dataclasses import dataclass
from pathlib import Path

from labecon_book import chartdata, describe, rerun, sources, specs
from labecon_book.chapters import Chapter

# A chart once its static drawing is in: the renderer's <div> with the drawing, then its script.
CHART = re.compile(r'<div id="(?P<id>chart-[a-z0-9-]+-\d+)" class="labecon-chart">(?P<svg><svg\b.*?</svg>)?</div>\n'
                   r"<script>\(function\(\)\{var spec=(?P<spec>\{.*?\});function draw.*?</script>", re.S)
_CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)
#: The link under every figure.
DATA_LINK = "Data (CSV)"


@dataclass(frozen=True)
class Context:
    """What a page's figures need to know of the page.

    Attributes
    ----------
    chapter : Chapter
    run_values : dict
        Every parameter value the page was executed with.
    tables : list of str
        The data tables the chapter read.
    works : list of Work
        The works it cites.
    appendix : str or None
        Link from the page to the data appendix (``None``: the page stands alone).
    data_dir : Path
        Folder the CSV files are written to.
    data_href : str
        Link from the page to that folder.
    """

    chapter: Chapter
    run_values: dict
    tables: list
    works: list
    appendix: str | None
    data_dir: Path
    data_href: str


def _plain(fragment: str) -> str:
    """The text of an HTML fragment as a reader sees it, without the theme's "#" link to it."""
    fragment = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", fragment, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def alternative(caption: str, chart: specs.Chart) -> str:
    """The text alternative of a chart: its figure's caption (number included), then what it shows."""
    caption = caption.rstrip(". ")
    return f"{caption}. {describe.describe(chart)}" if caption else describe.describe(chart)


def decorate(page: str, context: Context) -> str:
    """The page with every chart's data, sources, text alternative and command; writes the CSV files."""
    matches = list(CHART.finditer(page))
    if not matches:
        return page
    context.data_dir.mkdir(parents=True, exist_ok=True)
    sourced = sources.block(context.tables, context.works, context.appendix)
    out, pos = [], 0
    for i, m in enumerate(matches):
        chart_id, chart = m["id"], specs.read(m["spec"])
        (context.data_dir / f"{chart_id}.csv").write_text(chartdata.csv_text(chart))
        following = matches[i + 1].start() if i + 1 < len(matches) else len(page)
        in_figure = page.rfind("<figure", 0, m.start()) > page.rfind("</figure>", 0, m.start())
        end = page.find("</figure>", m.end(), following) if in_figure else -1
        caption = _CAPTION.search(page, m.end(), end) if end != -1 else None
        block = m[0]
        if m["svg"]:  # the static drawing, now an image with its text alternative
            label = html.escape(alternative(_plain(caption[1]) if caption else "", chart), quote=True)
            drawing = m["svg"].replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
            block = page[m.start():m.start("svg")] + drawing + page[m.end("svg"):m.end()]
        if chart.controls:
            block += rerun.box(rerun.model(chart, chart_id, context.chapter, context.run_values), chart_id)
        links = (f'<div class="labecon-figure-links"><a class="labecon-csv" href="{context.data_href}/{chart_id}.csv" '
                 f'type="text/csv" download>{DATA_LINK}</a><span aria-hidden="true"> · </span>{sourced}</div>')
        out.append(page[pos:m.start()] + block)
        if end == -1:
            out.append(links)
            pos = m.end()
        else:
            out.append(page[m.end():end] + links)
            pos = end
    out.append(page[pos:])
    return "".join(out)
