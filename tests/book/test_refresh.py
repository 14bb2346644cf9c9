"""Refreshing the committed outputs: written only when the chapter ran and keeps the rounding rule."""

import json
from dataclasses import replace

import nbformat
import pytest
from mini_project import add_broken_chapter, labecon

from labecon_book.chapters import chapters
from labecon_core.errors import ChapterError
from labecon_core.record import results_from_notebook


def test_refresh_writes_the_outputs_of_a_chapter_back(project):
    path = project / "book" / "cohort-accounting.ipynb"
    committed = nbformat.read(path, as_version=4)
    cleared = nbformat.read(path, as_version=4)
    for cell in cleared.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbformat.write(cleared, path)
    proc = labecon(project, "refresh", "cohort-accounting")
    assert proc.returncode == 0, proc.stderr
    assert f"refreshed {path}" in proc.stdout
    refreshed = nbformat.read(path, as_version=4)
    assert results_from_notebook(refreshed) == results_from_notebook(committed)
    assert [c.source for c in refreshed.cells] == [c.source for c in committed.cells], "sources untouched"


def test_a_chapter_that_fails_is_not_written(project):
    add_broken_chapter(project)
    path = project / "book" / "broken.ipynb"
    before = path.read_bytes()
    proc = labecon(project, "refresh", "broken")
    assert proc.returncode == 2
    assert "chapter 'broken' failed in code cell 3: RuntimeError: boom in the middle" in proc.stderr
    assert path.read_bytes() == before


def test_refresh_refuses_a_chapter_that_shows_an_unrounded_number(tmp_path, monkeypatch):
    from labecon_book import refresh as refresh_module

    source = next(c for c in chapters() if c.slug == "cohort-accounting")
    nb = json.loads(source.path.read_text())
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "raw", "metadata": {}, "outputs": [],
                        "source": "print(1 / 3)"})
    copy = tmp_path / source.path.name
    copy.write_text(json.dumps(nb))
    before = copy.read_bytes()
    monkeypatch.setattr(refresh_module, "chapter", lambda slug: replace(source, path=copy))
    with pytest.raises(ChapterError, match=r"0\.3333333333333333 \(code cell \d+\).*is unchanged"):
        refresh_module.refresh(["cohort-accounting"], log=lambda *a: None)
    assert copy.read_bytes() == before
