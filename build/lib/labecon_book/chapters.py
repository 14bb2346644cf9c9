"""The book's chapters and their parameters, read from ``_toc.yml`` and the notebooks.

A chapter is a notebook listed in ``_toc.yml`` whose metadata has a ``labecon``
entry naming its slug and the library function that validates its parameters, and, for a
chapter whose headline results the library computes for arrays of parameters, the module
that ``labecon sweep`` calls (see :mod:`labecon_book.sweep`)::

    "metadata": {"labecon": {"slug": "cohort-accounting",
                             "validator": "labecon_core.inputs.cohort_accounting:validate",
                             "sweep": "labecon_core.inputs.cohort_accounting"}}

The table of contents is read by ``sphinx_external_toc`` (as Jupyter Book reads it) and
the parameters by papermill (``papermill.inspect_notebook``), from the cell tagged
``parameters``, so that the notebook stays the one master copy; the book's stricter rules
for that cell are checked on top (:func:`_parse_parameters`).
"""

import ast
import importlib
import io
import json
import tokenize
from dataclasses import dataclass
from dataclasses import field as dataclasses_field
from functools import cache, cached_property
from pathlib import Path

from labecon_core.errors import ChapterError, ParameterError
from labecon_core.paths import ROOT


class UnknownParameterError(ParameterError):
    """A parameter name that the chapter does not have; the message lists the valid names."""

    def __init__(self, name: str, chapter: "Chapter"):
        valid = ", ".join(p.name for p in chapter.parameters)
        super().__init__(name, None, f"one of the parameters of {chapter.slug}: {valid}")
        self.args = (f"unknown parameter {name!r} for chapter {chapter.slug}; valid names: {valid}.",)


@dataclass(frozen=True)
class Parameter:
    """One chapter parameter: its name, literal default, type and help text."""

    name: str
    default: object
    type: type
    help: str


@dataclass(frozen=True)
class Chapter:
    """A chapter notebook of the book; its parameters are read when first asked for."""

    slug: str
    title: str
    path: Path
    validator: str
    parameters_cell: dict = dataclasses_field(repr=False, compare=False)
    sweep: str | None = None

    @cached_property
    def parameters(self) -> tuple[Parameter, ...]:
        """The chapter's parameters, in the order of its parameters cell."""
        return _parse_parameters(self.parameters_cell, self.path)

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``; an error listing the valid names otherwise."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise UnknownParameterError(name, self)

    def defaults(self) -> dict:
        """The chapter's default parameter values."""
        return {p.name: p.default for p in self.parameters}

    def validate(self, values: dict) -> None:
        """Check a full set of parameter values with the chapter's core validator.

        Raises :class:`ParameterError` (naming parameter, value and what is
        allowed) before any kernel is started.
        """
        module, _, attr = self.validator.partition(":")
        validator = getattr(importlib.import_module(module), attr)
        validator(**values)


def toc_files(root: Path = ROOT) -> list[str]:
    """Every file listed in ``_toc.yml`` (without extension), in reading order."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    site = parse_toc_yaml(root / "_toc.yml")

    def walk(docname: str):
        yield str(docname)  # a plain string, not the parser's own type
        for subtree in site[docname].subtrees:
            for item in subtree.items:
                if isinstance(item, str):  # a file (not a glob or a URL)
                    yield from walk(item)

    return list(walk(site.root.docname))


def _parse_parameters(cell: dict, path: Path) -> tuple[Parameter, ...]:
    """The parameters of a chapter's cell tagged ``parameters``, read by papermill, with the book's rules on top.

    papermill reads the name, the default and the help of each ``name = value  # help``
    line. The book asks more of the cell: every line is such an assignment, every default a
    literal (its type is the parameter's), and every line has a comment that papermill can
    parse back (no quotes, no ``=``: papermill would skip such a line when it injects values).
    """
    import nbformat
    import papermill

    source = "".join(cell["source"])  # a list of lines in raw notebook JSON
    comments = {
        tok.start[0]: tok.string.lstrip("#").strip()
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    }
    lines = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise ChapterError(f"{path}: the parameters cell may hold only 'name = literal  # help' lines "
                               f"(line {node.lineno})")
        name = node.targets[0].id
        if not comments.get(node.lineno):
            raise ChapterError(f"{path}: parameter {name} needs a '# unit and meaning' comment")
        if any(ch in comments[node.lineno] for ch in "'\"="):
            raise ChapterError(f"{path}: the comment of parameter {name} may not contain quotes or '='")
        lines[name] = node.lineno
    # The parameters cell alone: papermill checks the whole notebook it is given, outputs included.
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]}))
    params = []
    for name, found in papermill.inspect_notebook(nb).items():
        try:
            default = ast.literal_eval(found["default"])
        except (ValueError, SyntaxError):
            raise ChapterError(f"{path}: parameter {name} needs a literal default (line {lines[name]})") from None
        params.append(Parameter(name, default, type(default), found["help"]))
    return tuple(params)


@cache
def _load_chapter(path: Path, mtime_ns: int) -> Chapter | None:
    """The chapter in ``path``, or ``None`` for a notebook without ``labecon`` metadata (read once per version)."""
    # Plain JSON, not nbformat: loading and validating with it would cost each command a noticeable delay.
    nb = json.loads(path.read_text())
    meta = nb.get("metadata", {}).get("labecon")
    if meta is None:
        return None
    title = next(
        (line[2:].strip() for c in nb["cells"] if c["cell_type"] == "markdown"
         for line in "".join(c["source"]).splitlines() if line.startswith("# ")),
        path.stem,
    )
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ChapterError(f"{path}: needs exactly one cell tagged 'parameters', found {len(cells)}")
    return Chapter(meta["slug"], title, path, meta["validator"], cells[0], meta.get("sweep"))


def chapters(root: Path = ROOT) -> list[Chapter]:
    """The parameterized chapters of the book, in ``_toc.yml`` order."""
    paths = [root / f"{entry}.ipynb" for entry in toc_files(root)]
    loaded = [_load_chapter(p, p.stat().st_mtime_ns) for p in paths if p.exists()]
    return [c for c in loaded if c is not None]


def chapter(slug: str, root: Path = ROOT) -> Chapter:
    """The chapter called ``slug``; an error listing the valid slugs otherwise."""
    known = chapters(root)
    for c in known:
        if c.slug == slug:
            return c
    raise ChapterError(f"no chapter {slug!r}; the chapters are: " + ", ".join(c.slug for c in known))
