"""Refresh the committed outputs of chapters (what nbval compares against)."""

import shutil
import tempfile
from pathlib import Path

from labecon_core.chapters import chapter, chapters
from labecon_core.execute import execute


def refresh(slugs=(), log=print) -> None:
    """Re-execute the named chapters (default: all) with their defaults, in place.

    Each chapter is executed into a temporary folder first; the source notebook
    is replaced only when execution succeeded.
    """
    todo = [chapter(s) for s in slugs] if slugs else chapters()
    with tempfile.TemporaryDirectory() as tmp:
        for c in todo:
            out = Path(tmp) / c.path.name
            run = execute(c, out)
            shutil.copyfile(out, c.path)
            log(f"refreshed {c.path} ({run.seconds:.1f} s)")
