"""The "Sources" of a figure: the data tables and the works its chapter draws on.

Sources are given per chapter, not per figure: the book records which data tables a chapter
read while it ran (:func:`labecon_book.deps.tables_read`) and which works it cites (its
``{cite}`` roles), but not which of them each figure's numbers came through, and a figure
declares none of its own. So every figure of a chapter lists the same sources, and says that
they are its chapter's. In the book, each table links to its section of the data appendix
(its rows, each with its source) and each work to its entry in the bibliography.
"""

import html
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Work:
    """A cited work as a chapter shows it (``Amodei and Collison, 2025``), with its bibliography link if it has one."""

    text: str
    href: str | None = None


def table_label(name: str) -> str:
    """The label (and element id) of a table's section in the data appendix: ``data-gross-margins``."""
    return "data-" + name.replace("_", "-")


# A citation as Sphinx (sphinxcontrib-bibtex) writes it: a link into the bibliography page.
_CITATION = re.compile(r'<a class="reference internal" href="(references\.html#[^"]+)"[^>]*>([^<]+)</a>')


def cited_in_page(page: str) -> list[Work]:
    """The works a page of the book cites, each once, in the order it first cites them."""
    works = {}
    for href, text in _CITATION.findall(page):
        works.setdefault(href, Work(html.unescape(text), href))
    return list(works.values())


# A citation role in a chapter's Markdown: {cite:p}`key1,key2`.
_CITE_ROLE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


def cited_in_markdown(markdown: str) -> list[str]:
    """The bibliography keys a chapter's Markdown cites, each once, in the order it first cites them."""
    keys = [k.strip() for found in _CITE_ROLE.findall(markdown) for k in found.split(",")]
    return list(dict.fromkeys(k for k in keys if k))


def block(tables: list[str], works: list[Work], appendix: str | None) -> str:
    """The HTML of a figure's "Sources": its chapter's tables and works (``appendix``: the data appendix page)."""
    def table(name: str) -> str:
        code = f"<code>{html.escape(name)}</code>"
        return f'<a href="{appendix}#{table_label(name)}">{code}</a>' if appendix else code

    def work(w: Work) -> str:
        return f'<a href="{w.href}">{html.escape(w.text)}</a>' if w.href else html.escape(w.text)

    said = []
    if tables:
        where = f' (<a href="{appendix}">data and sources</a>)' if appendix else " (in <code>data/</code>)"
        said.append(f"the data table{'s' if len(tables) > 1 else ''} {', '.join(map(table, tables))}{where}")
    if works:
        said.append(f"the work{'s' if len(works) > 1 else ''} {'; '.join(map(work, works))}")
    body = " and ".join(said) if said else "no data table and no cited work"
    return ('<details class="labecon-sources"><summary>Sources</summary>'
            f"<p>This figure's chapter draws on {body}.</p></details>")
