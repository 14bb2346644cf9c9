"""The book's Sphinx extension: pages staged while Sphinx runs are read last, each once announced."""

import io

import pytest
from sphinx.errors import ExtensionError

from labecon_book.sphinx_ext import _PendingPages


class _Env:
    def __init__(self, folder):
        self.folder = folder

    def doc2path(self, docname):
        return self.folder / f"{docname}.ipynb"


class _App:
    def __init__(self, folder):
        self.env = _Env(folder)


def test_pending_pages_are_read_last_in_their_order():
    pending = _PendingPages(["book/b", "book/a"])
    docnames = ["book/a", "book/b", "book/c", "index"]
    pending.reorder(None, None, docnames)
    assert docnames == ["book/c", "index", "book/b", "book/a"]


def test_a_pending_page_is_read_again_once_announced(tmp_path, monkeypatch):
    (tmp_path / "book").mkdir()
    page = tmp_path / "book" / "a.ipynb"
    page.write_text("placeholder")
    app = _App(tmp_path)
    pending = _PendingPages(["book/a", "book/b"])

    def announce():
        page.write_text("executed")  # the build stages the page, then announces it
        return "book/b\nbook/a\n"

    monkeypatch.setattr("sys.stdin", io.StringIO(announce()))
    source = ["placeholder"]
    pending.read(app, "book/a", source)
    assert source == ["executed"]
    other = ["left alone"]
    pending.read(app, "book/c", other)
    assert other == ["left alone"]


def test_a_build_that_ends_before_announcing_a_page_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("book/b\n"))
    with pytest.raises(ExtensionError, match="ended before page book/a was staged"):
        _PendingPages(["book/a"]).read(_App(tmp_path), "book/a", ["placeholder"])
