"""Figures typed into a chapter's prose: the checker behind the prose tests of every chapter.

A number in the prose must come from the executed chapter (a glued role) or be quoted with its
source in the same sentence. The checker finds currency amounts, scientific notation and numbers
with a unit outside roles, inline code and code blocks, in sentences that cite nothing; years,
section numbers and the digits of model names ("Llama 3.1 405B") are not figures.
"""

import json
import re

from labecon_core import data

# A role's text is glued, a formula's is notation, inline code is a name: none is a figure typed in the prose.
CITATION = re.compile(r"\{cite:[pt]\}`[^`]*`")
ROLE_OR_CODE = re.compile(r"\{[\w:-]+\}`[^`]*`|`[^`]*`")
CURRENCY = re.compile(r"\$\s?\d")
SCIENTIFIC = re.compile(r"(?<![\w.])\d+(?:\.\d+)?e[+-]?\d+")
UNITS = (r"%|×|\bx\b|[KMBT]\b|bn\b|MWh?\b|GWh?\b|kWh?\b|TWh?\b|[TPG]?FLOP(?:/s)?\b|W\b|GB\b|TB\b|days?\b|hours?\b"
         r"|weeks?\b|months?\b|years?\b|tokens?\b|parameters?\b|GPUs?\b|accelerators?\b|chips?\b|thousand\b"
         r"|million\b|billion\b|trillion\b|[A-Z]\d{2,4}\b")
# A number (a range of two, a "+" floor) followed by a unit; a digit inside a name ("GPT-4", "H100") is not one.
WITH_UNIT = re.compile(r"(?<![\w.\-/])\d[\d,]*(?:\.\d+)?\+?(?:\s?[–-]\s?\d[\d,]*(?:\.\d+)?)?\+?[\s-]?(?:" + UNITS + ")")
# Where a sentence ends: a full stop, question or exclamation mark before a space and a capital, a quote or a role.
SENTENCE_END = re.compile(r"(?<!\bal)(?<!\be\.g)(?<!\bi\.e)(?<!\bFig)[.!?]\s+(?=[A-Z\"({*⟦])")


def model_names() -> list[str]:
    """Names in the tables whose digits follow a space ("Llama 3.1 405B"), longest first: never a figure."""
    names = set(data.load("models").model) | set(data.load("api_price_cuts").model)
    return sorted((n for n in names if re.search(r"\s\d", n)), key=len, reverse=True)


def sentences(markdown: str):
    """The sentences of a Markdown cell (list items and directive captions each apart), code blocks left out."""
    text = re.sub(r"```.*?```", "\n\n", markdown, flags=re.S)
    lines = []
    for line in text.splitlines():
        if re.match(r"\s*:[\w-]+:", line):  # a directive's option (":name: fig-x")
            continue
        line = re.sub(r"^\s*:::(?:\{[\w:-]+\})?", "", line)  # a directive fence keeps its caption
        lines.append("\n\n" + line if re.match(r"\s*(?:[-*]|\d+\.)\s|#", line) else line)
    for paragraph in re.split(r"\n\s*\n", "\n".join(lines)):
        yield from SENTENCE_END.split(" ".join(paragraph.split()))


def typed_figures(markdown: str, names=()) -> list[str]:
    """Currency amounts and numbers with a unit typed outside a role, in sentences that cite no source."""
    found = []
    for sentence in sentences(markdown):
        if CITATION.search(sentence):
            continue
        text = ROLE_OR_CODE.sub("⟦role⟧", sentence)
        for name in names:
            text = text.replace(name, "⟦name⟧")
        hits = [m.group(0) for pattern in (CURRENCY, SCIENTIFIC, WITH_UNIT) for m in pattern.finditer(text)]
        found += [f"{hit!r} in: {sentence}" for hit in hits]
    return found


def markdown_cells(path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"]
