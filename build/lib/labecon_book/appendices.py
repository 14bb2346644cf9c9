"""The book's generated appendices: "Data and sources" and "Parameters".

Both are written from what the book itself declares, so they cannot drift from it:
the data appendix from every table's schema and rows, each source cited (author and
year, linked to the references) by sphinxcontrib-bibtex like every citation of the
book; the parameters appendix from the parameters cell of every chapter
(:func:`labecon_book.chapters.chapters`). The build's staging step calls
:func:`write_appendices` and lists both pages in the table of contents.
"""

from pathlib import Path

from labecon_book.chapters import chapters
from labecon_book.sources import table_label
from labecon_core import data, fmt
from labecon_core.paths import ROOT

DATA_PAGE = "appendix-data.md"
PARAMETERS_PAGE = "appendix-parameters.md"

# Every table has these two columns; data.py checks them, the schemas do not list them.
_COMMON_COLUMNS = {
    "source": {"type": "str", "description": "key of the source in the bibliography (data/bib/*.bib)"},
    "date": {"type": "str", "description": "when the figure was published: YYYY, YYYY-MM or YYYY-MM-DD"},
}
_CHECK_WORDS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def _allowed(spec: dict) -> str:
    bits = [f"{_CHECK_WORDS[k]} {spec[k]:g}" for k in _CHECK_WORDS if k in spec]
    if "isin" in spec:
        bits.append("one of: " + ", ".join(map(str, spec["isin"])))
    if "pattern" in spec:
        bits.append(f"matches {spec['pattern']}")
    if spec.get("unique"):
        bits.append("unique")
    bits.append("may be empty" if spec.get("nullable") else "required")
    return "; ".join(bits)


def table_section(name: str, data_dir: Path = data.DATA) -> str:
    """The appendix section of one table: description, columns, rows with their sources and dates, citations."""
    spec = data.schema(name, data_dir)
    frame = data.load(name, data_dir)
    columns = {**spec["columns"], **_COMMON_COLUMNS}
    out = [f"({table_label(name)})=", f"## `{name}`", "", " ".join(str(spec.get("description", "")).split()), "",
           f"File `data/{name}.csv`, {len(frame)} rows; schema `data/{name}.schema.yml`.", "",
           fmt.markdown_table(["column", "type", "unit", "meaning", "allowed"],
                 [[f"`{c}`", s["type"], s.get("unit", ""), s.get("description", ""), _allowed(s)]
                  for c, s in columns.items()])]
    for entry in spec.get("ranges", []):
        order = " <= ".join(f"`{c}`" for c in entry)
        out += ["", f"On every row, each pair of {order} that is given is in that order."]
    shown = [c for c in frame.columns if c not in ("source", "date")]
    out += ["", "### Rows", "", fmt.markdown_table(["row", *shown, "source", "date"],
                                      [[i + 1, *(r[c] for c in shown), f"`{r.source}`", r.date]
                                       for i, r in frame.iterrows()])]
    out += ["", "### Sources", ""]
    for key, group in frame.groupby("source", sort=True):
        rows = ", ".join(str(i + 1) for i in group.index)
        dates = ", ".join(sorted(set(group.date)))
        out.append(f"- `{key}`, {{cite:t}}`{key}`: {'rows' if len(group) > 1 else 'row'} {rows}; dated {dates}.")
    return "\n".join(out)


def data_appendix(data_dir: Path = data.DATA) -> str:
    """MyST markdown of the appendix "Data and sources": every table in ``data_dir``."""
    names = data.tables(data_dir)
    intro = (
        "(appendix-data)=\n# Data and sources\n\n"
        "Every figure the book quotes from a source is a row of one of the tables below. Each table is a "
        "CSV file in `data/` with a schema beside it, checked whenever the table is loaded: the type, unit "
        "and allowed range of every column, and, on every row, the key of its source in the bibliography "
        "and the date the figure was published. This page is generated from those files.\n\n"
        "The tables: " + ", ".join(f"{{ref}}`{n} <{table_label(n)}>`" for n in names) + "."
    )
    return "\n\n".join([intro, *(table_section(n, data_dir) for n in names)]) + "\n"


def _default(value) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def parameters_appendix(root: Path = ROOT) -> str:
    """MyST markdown of the appendix "Parameters": every chapter's parameters, name, type, default and meaning."""
    out = [
        "(appendix-parameters)=\n# Parameters\n\n"
        "Every chapter is a model run with the parameters listed here, read from the parameters cell of the "
        "chapter itself. Change any of them with `labecon run <chapter> -p NAME VALUE`; "
        "`labecon params <chapter>` prints the same list."
    ]
    for ch in chapters(root):
        rows = [[f"`{p.name}`", p.type.__name__, _default(p.default), p.help] for p in ch.parameters]
        header = ["parameter", "type", "default", "unit and meaning"]
        out.append(f"## {fmt.markdown_cell(ch.title)}\n\nChapter {{doc}}`{ch.path.stem}`, slug `{ch.slug}`; "
                   f"validated by `{ch.validator}`.\n\n" + fmt.markdown_table(header, rows))
    return "\n\n".join(out) + "\n"


def write_appendices(book_dir: Path, root: Path = ROOT, data_dir: Path = data.DATA) -> list[Path]:
    """Write ``appendix-data.md`` and ``appendix-parameters.md`` into ``book_dir``; return their paths."""
    book_dir = Path(book_dir)
    book_dir.mkdir(parents=True, exist_ok=True)
    pages = {DATA_PAGE: data_appendix(data_dir), PARAMETERS_PAGE: parameters_appendix(root)}
    paths = []
    for name, text in pages.items():
        path = book_dir / name
        path.write_text(text)
        paths.append(path)
    return paths
