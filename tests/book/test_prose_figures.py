"""No chapter types a figure into its prose: numbers are glued from the executed chapter or quoted with a source."""

import pytest
from prose_figures import markdown_cells, model_names, typed_figures

from labecon_book.chapters import chapters

#: Figures that are bounds of arithmetic, not results: a share cannot pass all of something.
CONSTANTS = ("100%",)


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.slug)
def test_no_chapter_types_a_figure_into_its_prose(chapter):
    names = model_names()
    found = [hit for cell in markdown_cells(chapter.path) for hit in typed_figures(cell, names)
             if not any(hit.startswith(repr(c)) for c in CONSTANTS)]
    assert not found, f"figures typed into the prose of {chapter.slug} (glue them, or cite their source):\n" + \
        "\n".join(found)
