"""Jupyter Book in a process started ahead of time: ``python -m labecon_book.render``.

Sphinx, Jupyter Book and the book's extensions take about a second to import. The
build starts this process as soon as a core is free while the last chapters execute;
it imports them, then waits for one line on its standard input: the ``jupyter-book``
arguments (JSON) once the pages are staged, or nothing (end of input) if the site
turned out not to need rendering. Chapters still executing are announced on later
lines (see :data:`PENDING_PAGES`). Its exit code is Jupyter Book's.
"""

import importlib
import json
import sys

from labecon_book import processes

#: Environment variable naming the pages (comma-separated) the build stages while Sphinx runs: after the
#: ``jupyter-book`` arguments, the process reads one such page per line once it is staged.
PENDING_PAGES = "LABECON_PENDING_PAGES"

#: Imported while waiting; the extensions are the ones ``_config.yml`` makes Jupyter Book load.
PRELOAD = ("jupyter_book.cli.main", "jupyter_book.sphinx", "sphinx.application", "sphinx.builders.html",
           "sphinx.search.en", "myst_nb.sphinx_ext", "sphinx_book_theme", "pydata_sphinx_theme",
           "sphinxcontrib.bibtex", "sphinx_design", "sphinx_togglebutton", "sphinx_copybutton", "sphinx_thebe",
           "sphinx_comments", "sphinx_external_toc", "sphinx_jupyterbook_latex", "sphinx_multitoc_numbering",
           "labecon_book.sphinx_ext")


def main() -> int:
    # While chapters execute, their kernels come first; afterwards nothing competes with it.
    processes.lower_priority(10)
    for name in PRELOAD:
        importlib.import_module(name)
    line = sys.stdin.readline()
    if not line:
        return 0
    from jupyter_book.cli.main import main as jupyter_book

    try:
        jupyter_book.main(args=json.loads(line), prog_name="jupyter-book", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
