"""Sphinx extension for the book's pages (listed in ``_config.yml``).

Jupyter Book 1 declares thebe's configuration script twice on every page (a
console error) and loads thebe even though the book has no live kernels; some
scripts (MathJax) are also added twice. This removes thebe's scripts and any
script declared a second time, so every page loads each script once. It also
gives the theme a colour mode (an empty one is logged as an error) and the pages
an inline favicon (otherwise browsers request a missing ``/favicon.ico``).

It also makes citations cheaper to resolve: pybtex looks its plugins up among the
installed packages' entry points on every citation, scanning every installed
distribution each time (about a second for this book); one scan is kept instead.

Finally, it lets ``labecon build`` start Sphinx while chapters still execute: the
pages named in :data:`labecon_book.render.PENDING_PAGES` are read last, each once
the build has announced it on standard input (its staged file is then read again).
"""

import os
import sys
from pathlib import Path

import pybtex.plugin
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from labecon_book.render import PENDING_PAGES


def _script_key(js) -> tuple:
    attributes = getattr(js, "attributes", {}) or {}
    return (getattr(js, "filename", None) or str(js), attributes.get("body"))


def _is_thebe(js) -> bool:
    filename, body = _script_key(js)
    return "thebe" in str(filename or "") or "THEBE_JS_URL" in str(body or "")


_FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
    "%3Crect width='16' height='16' rx='3' fill='%231f5f8b'/%3E%3C/svg%3E"
)


def tidy_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Drop thebe's scripts and duplicate script declarations; set colour mode and favicon."""
    if not context.get("default_mode"):
        context["default_mode"] = "light"
    context["favicon_url"] = _FAVICON
    scripts = context.get("script_files") or []
    seen, kept = set(), []
    for js in scripts:
        key = _script_key(js)
        if _is_thebe(js) or key in seen:
            continue
        seen.add(key)
        kept.append(js)
    scripts[:] = kept


class _PendingPages:
    """Pages staged while Sphinx runs: read after the others, each once announced."""

    def __init__(self, pages: list[str]):
        self.pages = pages
        self.announced: set[str] = set()

    def reorder(self, app, env, docnames: list[str]) -> None:
        later = [d for d in self.pages if d in docnames]
        docnames[:] = [d for d in docnames if d not in later] + later

    def read(self, app, docname: str, source: list[str]) -> None:
        if docname not in self.pages:
            return
        while docname not in self.announced:
            line = sys.stdin.readline()
            if not line:
                raise ExtensionError(f"the build ended before page {docname} was staged")
            self.announced.add(line.strip())
        source[0] = Path(app.env.doc2path(docname)).read_text(encoding="utf-8")


def _entry_points_scanned_once(lookup):
    everything = lookup()  # the installed packages do not change during a build

    def entry_points(**selection):
        return everything.select(**selection)

    entry_points.scanned_once = True
    return entry_points


def _scan_entry_points_once(app: Sphinx, config) -> None:
    # ``labecon_pybtex_scan_once = False`` keeps pybtex's own lookup (make bench measures the difference).
    if config.labecon_pybtex_scan_once and not getattr(pybtex.plugin.entry_points, "scanned_once", False):
        pybtex.plugin.entry_points = _entry_points_scanned_once(pybtex.plugin.entry_points)


def setup(app: Sphinx) -> dict:
    app.add_config_value("labecon_pybtex_scan_once", True, "env", types=[bool])
    app.connect("config-inited", _scan_entry_points_once)
    # Run after the themes and extensions that add scripts.
    app.connect("html-page-context", tidy_page, priority=900)
    pending = [page for page in os.environ.get(PENDING_PAGES, "").split(",") if page]
    if pending:
        staged_late = _PendingPages(pending)
        app.connect("env-before-read-docs", staged_late.reorder)
        app.connect("source-read", staged_late.read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
