"""Sphinx extension for the book's pages (listed in ``_config.yml``).

Jupyter Book 1 declares thebe's configuration script twice on every page (a
console error) and loads thebe even though the book has no live kernels; some
scripts (MathJax) are also added twice. This removes thebe's scripts and any
script declared a second time, so every page loads each script once. It also
gives the theme a colour mode (an empty one is logged as an error) and the pages
an inline favicon (otherwise browsers request a missing ``/favicon.ico``).
"""

from sphinx.application import Sphinx


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


def setup(app: Sphinx) -> dict:
    # Run after the themes and extensions that add scripts.
    app.connect("html-page-context", tidy_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
