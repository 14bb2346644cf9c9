"""Where the ``labecon`` command may write: never into the book's sources or its published site.

A run (``labecon run``, ``labecon sweep``) writes into a folder of its own and a build into
its build folder. Each leaves a marker file naming what made it, so that a later run may
replace its own earlier output but never a folder of anything else. The published site,
``<build folder>/html``, is written only by ``labecon build``, which makes it aside and swaps
it in whole.
"""

import os
from pathlib import Path

from labecon_core.errors import InputError
from labecon_core.paths import ROOT

#: The file that marks a folder as the output of a run or a build (it holds which).
MARKER = ".labecon-output"
#: The project's folders that hold sources: no output goes inside them.
SOURCES = ("book", "data", "labecon_core", "labecon_book", "scenarios", "tests", "benchmarks", ".git", ".ci")
#: The default build folder (``make book``): it may hold builds made before markers existed.
DEFAULT_BUILD = ROOT / "_build"


def _made_by(folder: Path) -> str | None:
    marker = folder / MARKER
    return marker.read_text().strip() if marker.is_file() else None


def check_folder(path, kind: str, option: str) -> Path:
    """The folder where an output of ``kind`` (``run``, ``sweep``, ``build``) may go; an error saying why not otherwise.

    Parameters
    ----------
    path : str or Path
        The folder the reader gave.
    kind : str
        ``run`` (a run's notebook, page and results), ``sweep`` (a sweep's table) or ``build`` (a
        build's cache and site).
    option : str
        The option that gave it (``--out``, ``--build-dir``), named in the error.

    Raises
    ------
    InputError
        For an empty path, a file, a folder inside the sources (``book/``, ``data/``, the
        packages, ``scenarios/``, the project's top folder itself) or inside a published site,
        a non-empty folder that an earlier ``labecon`` output of the same kind did not make,
        or a place that cannot be written. Nothing is written before this check.
    """
    if str(path).strip() == "":
        raise InputError(f"{option}: an empty path; give a folder, e.g. _build/runs/<chapter>")
    folder = Path(path).expanduser().resolve()
    where = f"{option} {path}"
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{where}: is a file; give a folder")
    if folder == ROOT or (ROOT in folder.parents and folder.relative_to(ROOT).parts[0] in SOURCES):
        raise InputError(f"{where}: is inside the book's sources, which outputs never overwrite; "
                         f"write under _build/ or outside the project")
    site = next((p for p in (folder, *folder.parents) if (p.name == "html" and _made_by(p.parent) == "build")
                 or p == DEFAULT_BUILD / "html"), None)
    if site is not None and kind != "build":
        raise InputError(f"{where}: is inside the published site {site}, which only labecon build writes; "
                         f"write under _build/{kind}s/ instead")
    if folder.exists() and any(folder.iterdir()) and _made_by(folder) != kind \
            and not (kind == "build" and folder == DEFAULT_BUILD):
        raise InputError(f"{where}: is not empty and is not the output of an earlier labecon {kind}; "
                         f"give a new or empty folder")
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{where}: cannot be written ({existing} is not writable)")
    return folder


def claim(folder: Path, kind: str) -> Path:
    """Create ``folder`` (checked by :func:`check_folder`) and mark it as an output of ``kind``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(kind + "\n")
    return folder


def default_out_dir(slug: str, kind: str = "run") -> Path:
    """Where ``labecon run`` (or ``sweep``) writes by default: ``_build/runs/<slug>`` (``_build/sweeps/<slug>``)."""
    return DEFAULT_BUILD / f"{kind}s" / slug
