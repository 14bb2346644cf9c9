"""Refresh the committed outputs of chapters (what nbval compares against)."""

import json
import shutil
import tempfile
from pathlib import Path

from labecon_book.chapters import chapter, chapters
from labecon_book.execute import execute
from labecon_core.errors import ChapterError
from labecon_core.portable import SIGNIFICANT_DIGITS, unportable_numbers


def unportable_outputs(nb: dict) -> list[tuple[int, str]]:
    """(code cell number, number) for each number in a notebook's outputs that breaks the rounding rule.

    ``nb`` is a notebook as read from JSON. Numbers with more than
    :data:`~labecon_core.portable.SIGNIFICANT_DIGITS` significant digits carry last bits
    that another CPU may compute differently (see :mod:`labecon_core.portable`).
    """
    found = []
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for i, cell in enumerate(code, 1):
        for output in cell.get("outputs", []):
            texts = [v if isinstance(v, str) else "".join(v) if isinstance(v, list) else json.dumps(v)
                     for v in output.get("data", {}).values()]
            texts.append("".join(output.get("text", "")))
            found += [(i, number) for text in texts for number in unportable_numbers(text)]
    return found


def refresh(slugs=(), log=print) -> None:
    """Re-execute the named chapters (default: all) with their defaults, in place.

    Each chapter is executed into a temporary folder first; the source notebook
    is replaced only when execution succeeded and its outputs keep the book's
    rounding rule (a chapter that shows a number unrounded is refused, naming it).
    """
    todo = [chapter(s) for s in slugs] if slugs else chapters()
    with tempfile.TemporaryDirectory() as tmp:
        for c in todo:
            out = Path(tmp) / c.path.name
            run = execute(c, out)
            bad = unportable_outputs(json.loads(out.read_text()))
            if bad:
                shown = ", ".join(f"{n} (code cell {i})" for i, n in bad[:5])
                raise ChapterError(
                    f"chapter {c.slug!r} shows numbers with more than {SIGNIFICANT_DIGITS} significant digits, "
                    f"which differ between CPUs: {shown}; show them through labecon_core.fmt, record or charts "
                    f"(rounded by labecon_core.portable); {c.path} is unchanged")
            shutil.copyfile(out, c.path)
            log(f"refreshed {c.path} ({run.seconds:.1f} s)")
