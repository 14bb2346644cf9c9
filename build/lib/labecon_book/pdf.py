"""The book as one PDF (``make pdf``, ``labecon pdf``), printed from the built site by Chromium.

The pages of the built site are joined into one HTML file, in the order of the table of
contents, after a cover that lists the chapters: of each page only its article, without
navigation or scripts, so every chart is its static drawing (:mod:`labecon_book.fallbacks`),
every what-if box shows the command for the values the page opens with, and every figure's
sources are shown open. Links between the pages become links within the file; links to the
site's files (a chart's CSV, a notebook) point at them in the site. Chromium, the one the
browser tests drive, prints the file headless after the site's own MathJax has set the
formulas; the figures keep their numbers and the bibliography closes the book. Nothing is
fetched from outside: the file names only files of the site, and any other request would go
to a proxy that does not exist.
"""

import html
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from bs4 import BeautifulSoup

from labecon_book.chapters import chapters, toc_files
from labecon_core.errors import InputError, LabeconError
from labecon_core.paths import ROOT

#: The PDF's file name, in ``<build folder>/pdf/``.
PDF_NAME = "labecon.pdf"
# How long Chromium may take to lay out and print the whole book (it takes some ten seconds).
_TIMEOUT_S = 600
# Virtual time Chromium lets the page's scripts (MathJax) run before it prints.
_SCRIPT_BUDGET_MS = 60_000

_PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm;
        @bottom-center { content: counter(page); font: 9pt sans-serif; color: #555; } }
html, body { background: #fff; }
body { font-size: 10pt; margin: 0; }
.labecon-print-page { break-before: page; }
.labecon-cover { text-align: left; padding-top: 30mm; }
.labecon-cover h1 { font-size: 24pt; margin-bottom: 4mm; }
.labecon-cover ol, .labecon-cover ul { font-size: 12pt; line-height: 1.6; }
.labecon-cover .note { color: #555; margin-top: 12mm; font-size: 9.5pt; }
h1 { break-after: avoid; }
h2, h3 { break-after: avoid; }
figure, .labecon-rerun, .admonition, tr { break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
a { color: inherit; text-decoration: none; }
a.reference.internal { color: #1f5f8b; }
pre { white-space: pre-wrap; word-break: break-word; }
table { font-size: 8.5pt; }
.headerlink, .labecon-copy, .toggle-button, .copybtn { display: none !important; }
"""


def chromium() -> str:
    """The Chromium the browser tests drive (Debian's); an error saying how to get it otherwise."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise InputError("printing the book needs Chromium; make pdf installs it (apt-get install chromium)")
    return path


def _file_url(url: str, page: Path) -> str:
    """A link of ``page`` to a file of the site, as an absolute ``file:`` URL (without the cache-busting query)."""
    parts = urlsplit(url)
    target = (page.parent / parts.path).resolve().as_uri()
    return target + (f"#{parts.fragment}" if parts.fragment else "")


def _article(page: Path, site: Path, anchors: dict[Path, str]) -> str:
    """The article of one page of the site, ready to sit in the printed book (see the module's notes)."""
    soup = BeautifulSoup(page.read_text(), "html.parser")
    article = soup.select_one("article.bd-article")
    if article is None:
        raise LabeconError(f"{page}: no article found; is {site} a site built by labecon build?")
    for tag in article.select("script, button, .headerlink"):
        tag.decompose()
    for details in article.select("details"):
        details["open"] = ""
    prefix = anchors[page.resolve()]
    for tag in article.select("[id]"):
        tag["id"] = f"{prefix}--{tag['id']}"
    for tag in article.select("[href], [src]"):
        attribute = "href" if tag.has_attr("href") else "src"
        url = tag[attribute]
        parts = urlsplit(url)
        if parts.scheme or url.startswith("//"):
            continue  # a link out of the book, or data: kept as it is
        if not parts.path:
            tag[attribute] = f"#{prefix}--{parts.fragment}" if parts.fragment else f"#{prefix}"
            continue
        target = (page.parent / parts.path).resolve()
        if target in anchors:
            tag[attribute] = f"#{anchors[target]}--{parts.fragment}" if parts.fragment else f"#{anchors[target]}"
        else:
            tag[attribute] = _file_url(url, page)
    return f'<section class="labecon-print-page" id="{prefix}">{article.decode_contents()}</section>'


def _head(first: Path) -> str:
    """The stylesheets and MathJax of the site's pages (as absolute ``file:`` URLs), and the print style."""
    soup = BeautifulSoup(first.read_text(), "html.parser")
    tags = [f'<link rel="stylesheet" href="{_file_url(link["href"], first)}">'
            for link in soup.select('head link[rel="stylesheet"]')]
    tags += [f'<script src="{_file_url(script["src"], first)}"></script>'
             for script in soup.select("head script[src]") if "mathjax" in script["src"]]
    return "\n".join([*tags, f"<style>{_PRINT_CSS}</style>"])


def _cover(pages: dict[str, Path], anchors: dict[Path, str]) -> str:
    """The first page: the book's title and the list of its chapters and appendices, linked."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    numbered = {f"book/{c.path.stem}": (i, c.title) for i, c in enumerate(chapters(), 1)}
    items, rest = [], []
    for doc, page in pages.items():
        if doc in numbered:
            number, title = numbered[doc]
            items.append(f'<li value="{number}"><a href="#{anchors[page.resolve()]}">{html.escape(title)}</a></li>')
        elif doc != next(iter(pages)):
            heading = BeautifulSoup(page.read_text(), "html.parser").select_one("article h1")
            title = heading.get_text(" ", strip=True).removesuffix("#").strip() if heading else doc
            rest.append(f'<li><a href="#{anchors[page.resolve()]}">{html.escape(title)}</a></li>')
    return (f'<section class="labecon-cover"><h1>{html.escape(config.get("title", "labecon"))}</h1>'
            f'<p>{html.escape(config.get("author", ""))}</p><h2>Contents</h2>'
            f'<ol>{"".join(items)}</ol><ul>{"".join(rest)}</ul>'
            '<p class="note">Printed from the built site. Charts appear as static drawings; a chart with controls '
            "shows them at the chapter's own values, with the command that re-runs the chapter. Each chart's data "
            "is a CSV file in the site, linked under its figure.</p></section>")


def book_html(site: Path) -> str:
    """The whole book as one HTML file for printing, from the site built in ``site``."""
    pages = {doc: site / f"{doc}.html" for doc in toc_files()}
    missing = [str(p) for p in pages.values() if not p.exists()]
    if missing:
        raise InputError(f"no built page {missing[0]}: build the book first (make book)")
    anchors = {page.resolve(): "page-" + doc.replace("/", "-") for doc, page in pages.items()}
    body = [_cover(pages, anchors), *(_article(page, site, anchors) for page in pages.values())]
    return (f'<!DOCTYPE html>\n<html lang="en" data-theme="light"><head><meta charset="utf-8">'
            f"<title>labecon</title>\n{_head(next(iter(pages.values())))}</head>\n"
            f'<body><div class="bd-article">{"".join(body)}</div></body></html>\n')


def write_pdf(build_dir: Path) -> Path:
    """Print the site built in ``build_dir / 'html'`` to ``build_dir / 'pdf' / labecon.pdf``; return its path.

    The joined HTML is kept beside the PDF (``labecon.html``). A failure leaves an earlier
    PDF in place and raises :class:`LabeconError` with the end of Chromium's messages.
    """
    site = build_dir / "html"
    if not (site / "index.html").exists():
        raise InputError(f"no built book in {site}: build it first (make book)")
    out = build_dir / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    source = out / "labecon.html"
    source.write_text(book_html(site))
    pdf, partial = out / PDF_NAME, out / f".{PDF_NAME}.printing"
    with tempfile.TemporaryDirectory() as profile:
        argv = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", f"--user-data-dir={profile}",
                "--no-pdf-header-footer", "--generate-pdf-document-outline", "--run-all-compositor-stages-before-draw",
                f"--virtual-time-budget={_SCRIPT_BUDGET_MS}", f"--print-to-pdf={partial}", source.resolve().as_uri()]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            partial.unlink(missing_ok=True)
            raise LabeconError(f"Chromium did not print the book within {_TIMEOUT_S} s") from None
    if proc.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        raise LabeconError(f"Chromium could not print the book (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    partial.replace(pdf)
    return pdf
