"""Files the site serves itself so it works offline: the chart library, MathJax, and the figures' script and style.

Kept apart from :mod:`labecon_core.charts` so that the build can write them
without importing Altair.
"""

import importlib.resources
from importlib import metadata
from pathlib import Path

#: File name of the vega / vega-lite / vega-embed bundle in the site's ``_static/``.
VEGA_BUNDLE = "vega-bundle.js"
#: Path of MathJax in the site's ``_static/`` (set as ``mathjax_path`` in ``_config.yml``).
MATHJAX = "mathjax/tex-svg.js"
#: The script and the stylesheet of the figures' data, sources and commands (:mod:`labecon_book.figures`), in
#: ``labecon_book/static/``; the site lists both in ``_config.yml``, after the chart bundle.
READER_JS = "labecon-reader.js"
READER_CSS = "labecon-reader.css"
_STATIC = Path(__file__).resolve().parent / "static"
#: The folder beside a page that holds its charts' CSV files (``chart-<slug>-<n>.csv``).
DATA_FOLDER = "chart-data"


def vega_bundle(cache_dir: Path | None = None) -> str:
    """The self-contained vega / vega-lite / vega-embed bundle (vl-convert), cached per version.

    Bundling takes over a second, so a build keeps the result in ``cache_dir``.
    """
    cached = cache_dir / f"vega-bundle-{metadata.version('vl-convert-python')}.js" if cache_dir else None
    if cached and cached.exists():
        return cached.read_text()
    import vl_convert

    # The bundle declares top-level names (such as `_`) that clash with Sphinx's own
    # globals; a function scope keeps them private. It still sets window.vegaEmbed.
    bundle = "(function(){\n" + vl_convert.javascript_bundle() + "\n})();\n"
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(bundle)
    return bundle


def write_vega_bundle(static_dir: Path, cache_dir: Path | None = None) -> Path:
    """Write the chart bundle into ``static_dir``; return its path."""
    static_dir.mkdir(parents=True, exist_ok=True)
    path = static_dir / VEGA_BUNDLE
    path.write_text(vega_bundle(cache_dir))
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


def write_reader_assets(static_dir: Path) -> list[Path]:
    """Copy the figures' script and stylesheet (:data:`READER_JS`, :data:`READER_CSS`) into ``static_dir``."""
    static_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in (READER_JS, READER_CSS):
        (static_dir / name).write_bytes((_STATIC / name).read_bytes())
        paths.append(static_dir / name)
    return paths
