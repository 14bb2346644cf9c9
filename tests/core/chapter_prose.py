"""A chapter's prose as its reader gets it, at any parameters, without a kernel.

The chapter's code cells run in the test's process, in order, with the given parameters set after
its parameters cell (where papermill injects them). What the cells glue and record is collected, and
the Markdown cells are returned with every ``{glue:text}`` role replaced by its text: the words a
reader would see, for parameters nbval never runs.
"""

import json
import re
from typing import NamedTuple

import myst_nb

from labecon_core import charts, record
from labecon_core.paths import ROOT

_GLUE_TEXT = re.compile(r"\{glue:text\}`(\w+)`")


class ChapterRun(NamedTuple):
    """What one in-process run of a chapter produced."""

    texts: dict  # glue name -> what the prose shows (a string for text; charts and tables as glued)
    results: dict  # recorded result name -> value, as results.json has it
    prose: str  # the Markdown cells, glued texts in place


def run_chapter(slug: str, monkeypatch, **parameters) -> ChapterRun:
    """Run ``book/<slug>.ipynb``'s code cells with ``parameters`` overriding its defaults."""
    nb = json.loads((ROOT / "book" / f"{slug}.ipynb").read_text())
    texts, results = {}, {}

    def glue(name, value, display=True):
        texts[name] = value

    def display(bundle, **_):
        for payload in bundle.values():
            item = json.loads(payload)
            results[item["name"]] = item["value"]

    monkeypatch.setattr(myst_nb, "glue", glue)
    monkeypatch.setattr(record, "glue", glue)
    monkeypatch.setattr(record, "display", display)
    monkeypatch.setattr(charts, "_page", dict(charts._page))  # the chapter's chart counter, undone after the test
    namespace = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        exec(compile("".join(cell["source"]), f"{slug}:{cell['id']}", "exec"), namespace)
        if "parameters" in cell["metadata"].get("tags", []):
            unknown = set(parameters) - set(namespace)
            assert not unknown, f"not parameters of {slug}: {sorted(unknown)}"
            namespace.update(parameters)
    markdown = "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return ChapterRun(texts, results, _GLUE_TEXT.sub(lambda m: texts[m.group(1)], markdown))
