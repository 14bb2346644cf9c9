"""What a chapter depended on while it ran: the core modules it imported and the tables it read.

The build appends a cell calling :func:`report` to each chapter it executes (and
removes it afterwards), so the cache can re-execute exactly the chapters a change
to ``labecon_core/`` or ``data/`` can affect. The tables are also kept in the executed
notebook's metadata (:data:`TABLES_KEY`, committed with the outputs), where the
"Sources" under each figure read them (:func:`tables_read`).
"""

import json
import sys
from pathlib import Path

import labecon_core
from labecon_core.errors import ChapterError

#: The library's folder: a chapter depends on the modules of it that its kernel loaded.
LIBRARY = Path(labecon_core.__file__).resolve().parent

DEPS_MIME = "application/papermill.record/application/vnd.labecon.deps+json"
#: Key of the executed notebook's metadata that lists the data tables the chapter read.
TABLES_KEY = "labecon_tables_read"


def core_modules() -> list[str]:
    """Source files (relative to the package) of every ``labecon_core`` module loaded in this process."""
    files = set()
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if (name == "labecon_core" or name.startswith("labecon_core.")) and path:
            files.add(Path(path).resolve().relative_to(LIBRARY).as_posix())
    return sorted(files)


def report() -> None:
    """Display (hidden) the modules and tables this kernel used."""
    from IPython.display import display

    from labecon_core import data

    payload = {"modules": core_modules(), "tables": sorted(data.tables_read())}
    display({DEPS_MIME: json.dumps(payload)}, raw=True,
            metadata={"scrapbook": {"name": "labecon-deps", "mime_prefix": "application/papermill.record/"}})


def tables_read(nb: dict, where) -> list[str]:
    """The data tables an executed notebook (as read from JSON) recorded reading; an error naming it otherwise."""
    tables = nb.get("metadata", {}).get(TABLES_KEY)
    if not isinstance(tables, list):
        raise ChapterError(f"{where} does not record the data tables it read (executed before the book kept them): "
                           "run labecon refresh")
    return tables
