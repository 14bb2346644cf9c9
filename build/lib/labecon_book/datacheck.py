"""The data tables checked before any chapter runs, once per version of ``data/``."""

import hashlib
from pathlib import Path

from labecon_book.deps import LIBRARY
from labecon_core.paths import DATA


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def validate_data(cache_dir: Path) -> None:
    """Check every table (:func:`labecon_core.data.validate_all`) unless nothing in ``data/`` changed.

    The fingerprint, kept in ``cache_dir``, covers the tables, their schemas, the
    bibliography and the checking code; the check itself (pandas, pandera, pybtex) is
    loaded only when needed. A bad table raises :class:`~labecon_core.errors.DataError`
    naming its file, row and column.
    """
    digest = hashlib.sha256(b"".join(_sha(LIBRARY / m).encode() for m in ("data.py", "bib.py")))
    for path in sorted(p for p in DATA.rglob("*") if p.is_file()):
        digest.update(path.relative_to(DATA).as_posix().encode() + b"\0" + _sha(path).encode())
    stamp = cache_dir / "data.validated"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    from labecon_core import data

    data.validate_all(DATA)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest.hexdigest())
