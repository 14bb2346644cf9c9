"""``make pdf``: the built book printed to one PDF by Chromium, offline, with every chapter, figure and reference."""

import re
import subprocess
import sys
import unicodedata

import pytest
from pypdf import PdfReader

from labecon_book.chapters import chapters
from labecon_book.pdf import PDF_NAME
from labecon_core.paths import ROOT

#: The book runs to well over a hundred A4 pages; fewer means pages went missing.
MIN_PAGES = 80


def words(text: str) -> str:
    """Text as compared: ligatures undone (``ﬁ``), whitespace and line breaks made single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def printed(real_book):
    proc = subprocess.run([sys.executable, "-m", "labecon_book.cli", "pdf", "--build-dir", str(real_book.parent)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pdf = real_book.parent / "pdf" / PDF_NAME
    assert f"wrote {pdf}" in proc.stdout
    reader = PdfReader(pdf)
    return reader, [words(page.extract_text()) for page in reader.pages]


def test_the_pdf_holds_every_chapter_its_numbered_figures_and_the_bibliography(printed):
    reader, pages = printed
    assert len(reader.pages) >= MIN_PAGES, len(reader.pages)
    text = " ".join(pages)
    for number, c in enumerate(chapters(), 1):
        assert f"{number}. {words(c.title)}" in text, c.title
        assert f"Fig. {number}.1 " in text, f"the first figure of chapter {number}"
    assert "Data and sources" in text and "Parameters" in text
    bibliography = text.split("References Every source cited in the book")[-1]
    assert "Cheeky Pint podcast" in bibliography, "the bibliography closes the book"


def test_the_pdf_shows_charts_as_drawings_with_their_commands_and_sources(printed):
    _, pages = printed
    text = " ".join(pages)
    assert text.count("Data (CSV)") >= 34 and text.count("This figure's chapter draws on") >= 34
    assert text.count("Re-run with these values") >= 6
    assert re.search(r"labecon run cohort-accounting\b", text)
    assert "profit (USD)" in text and "months since launch" in text, "the drawings' axes are printed"


def test_pdf_without_a_built_book_says_so(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "labecon_book.cli", "pdf", "--build-dir", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "no built book" in proc.stderr and "make book" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
