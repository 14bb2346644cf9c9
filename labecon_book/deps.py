"""What a chapter depended on while it ran: the core modules it imported and the tables it read.

The build appends a cell calling :func:`report` to each chapter it executes (and
removes it afterwards), so the cache can re-execute exactly the chapters a change
to ``labecon_core/`` or ``data/`` can affect.
"""

import json
import sys
from pathlib import Path

import labecon_core

#: The library's folder: a chapter depends on the modules of it that its kernel loaded.
LIBRARY = Path(labecon_core.__file__).resolve().parent

DEPS_MIME = "application/papermill.record/application/vnd.labecon.deps+json"


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
