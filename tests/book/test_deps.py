"""What a chapter depended on: the library modules its kernel loaded and the tables it read."""

import json
import sys

from labecon_book import deps
from labecon_core import data


def test_core_modules_are_the_library_files_loaded_in_this_process():
    import labecon_core.cohort  # noqa: F401

    modules = deps.core_modules()
    loaded = {name for name in sys.modules if name.split(".")[0] == "labecon_core"}
    assert "cohort.py" in modules and "__init__.py" in modules
    assert len(modules) == len(loaded), "one file for each library module loaded, and nothing of the book"
    assert modules == sorted(modules)
    assert all((deps.LIBRARY / m).is_file() for m in modules)


def test_the_report_names_the_modules_and_tables_a_chapter_used(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda bundle, **kwargs: shown.append((bundle, kwargs)))
    data.load("gross_margins")
    deps.report()
    (bundle, kwargs), = shown
    payload = json.loads(bundle[deps.DEPS_MIME])
    assert "gross_margins" in payload["tables"] and "data.py" in payload["modules"]
    assert kwargs["raw"] is True, "sent as data, not shown on the page"
