"""Chapters read as prose plus short calls: no code cell is longer than CONTRIBUTING allows."""

import json

import pytest

from labecon_book.chapters import chapters

#: Lines a code cell may have (CONTRIBUTING.md); the parameters cell, one line a parameter, is exempt.
MAX_LINES = 40


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.slug)
def test_no_code_cell_is_longer_than_allowed(chapter):
    cells = json.loads(chapter.path.read_text())["cells"]
    long = {cell.get("id", i): len("".join(cell["source"]).splitlines()) for i, cell in enumerate(cells)
            if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", [])
            and len("".join(cell["source"]).splitlines()) > MAX_LINES}
    assert not long, f"code cells of {chapter.slug} over {MAX_LINES} lines (move the work into a model): {long}"
