"""The generated appendices: every table, source and chapter parameter appears, and the markdown is well formed."""

import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from labecon_book import appendices
from labecon_book.chapters import chapters
from labecon_book.sources import table_label
from labecon_core import data, fmt


@pytest.fixture(scope="module")
def data_page():
    return appendices.data_appendix()


@pytest.fixture(scope="module")
def parameters_page():
    return appendices.parameters_appendix()


def _pipe_tables(text: str) -> list[list[str]]:
    """The markdown tables of a page, as lists of lines."""
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def _cells(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_every_table_and_column_appears(data_page):
    for name in data.tables():
        assert f"## `{name}`" in data_page
        assert f"({table_label(name)})=" in data_page
        for column in [*data.schema(name)["columns"], "source", "date"]:
            assert f"| `{column}` |" in data_page, f"{name}.{column}"


def test_every_row_source_and_date_appears(data_page):
    for name in data.tables():
        frame = data.load(name)
        section = data_page.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0]
        rows = [line for line in section.split("### Rows", 1)[1].split("### Sources", 1)[0].splitlines()
                if re.match(r"\| \d+ \|", line)]
        assert len(rows) == len(frame)
        for key in set(frame.source):
            assert f"- `{key}`, {{cite:t}}`{key}`:" in section
        for date in set(frame.date):
            assert date in section


def test_tables_are_well_formed(data_page, parameters_page):
    for page in (data_page, parameters_page):
        for table in _pipe_tables(page):
            assert re.fullmatch(r"\|(---\|)+", table[1])
            assert len({_cells(line) for line in table}) == 1, table[0]


def test_every_chapter_parameter_appears(parameters_page):
    found = chapters()
    assert found, "no chapters listed"
    for ch in found:
        section = parameters_page.split(f"## {fmt.markdown_cell(ch.title)}\n", 1)[1].split("\n## ", 1)[0]
        assert f"slug `{ch.slug}`" in section and f"{{doc}}`{ch.path.stem}`" in section
        for p in ch.parameters:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{p.name}` |"))
            assert f"| {p.type.__name__} | {fmt.markdown_cell(appendices._default(p.default))} |" in row


def test_defaults_read_as_typed():
    assert appendices._default(100e6) == "100000000"
    assert appendices._default(0.27) == "0.27"
    assert appendices._default("after tax") == '"after tax"'
    assert appendices._default(True) == "True"


def test_cells_escape_markdown():
    assert fmt.markdown_cell("a | b $5 *x*") == "a \\| b $5 \\*x\\*"
    assert fmt.markdown_cell(8.5e9) == "8,500,000,000"
    assert fmt.markdown_cell(1.3) == "1.3"
    assert fmt.markdown_cell(float("nan")) == ""
    assert fmt.markdown_cell("two\nlines") == "two lines"


def _tiny_data(tmp_path: Path) -> Path:
    (tmp_path / "bib").mkdir(parents=True)
    (tmp_path / "bib" / "t.bib").write_text(
        "@misc{doe2024x, author = {Doe, Jane and {Acme Corp}}, title = {Costs of {AI} in \\$}, "
        "howpublished = {A blog}, year = {2024}, url = {https://example.org/x}}\n")
    (tmp_path / "tiny.csv").write_text("name,cost_usd,source,date,note\na,1e9,doe2024x,2024-05,\"pipe | and $5\"\n")
    (tmp_path / "tiny.schema.yml").write_text(yaml.safe_dump({
        "description": "A tiny table.",
        "columns": {"name": {"type": "str", "description": "a name"},
                    "cost_usd": {"type": "float", "unit": "USD", "description": "a cost", "ge": 0},
                    "note": {"type": "str", "description": "a note", "nullable": True}}}))
    return tmp_path


def test_a_synthetic_table(tmp_path):
    page = appendices.data_appendix(_tiny_data(tmp_path))
    assert "## `tiny`" in page and "A tiny table." in page
    assert "| `cost_usd` | float | USD | a cost | >= 0; required |" in page
    assert "| 1 | a | 1,000,000,000 | pipe \\| and $5 | `doe2024x` | 2024-05 |" in page
    assert "- `doe2024x`, {cite:t}`doe2024x`: row 1; dated 2024-05." in page


def _tiny_book(root: Path) -> Path:
    (root / "book").mkdir(parents=True)
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/tiny\n")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A tiny chapter"),
        nbformat.v4.new_code_cell("rate = 0.05  # share: a rate | with a pipe\nname = \"x\"  # a label",
                                  metadata={"tags": ["parameters"]}),
    ])
    nb.metadata["labecon"] = {"slug": "tiny", "validator": "labecon_core.inputs.lab_finances:validate"}
    nbformat.write(nb, root / "book" / "tiny.ipynb")
    return root


def test_a_synthetic_chapter(tmp_path):
    page = appendices.parameters_appendix(_tiny_book(tmp_path))
    assert "## A tiny chapter" in page and "Chapter {doc}`tiny`, slug `tiny`" in page
    assert "| `rate` | float | 0.05 | share: a rate \\| with a pipe |" in page
    assert '| `name` | str | "x" | a label |' in page


def test_write_appendices(tmp_path):
    out = tmp_path / "staged" / "book"
    root = _tiny_book(tmp_path / "root")
    data_dir = _tiny_data(tmp_path / "data")
    paths = appendices.write_appendices(out, root=root, data_dir=data_dir)
    assert paths == [out / "appendix-data.md", out / "appendix-parameters.md"]
    assert paths[0].read_text() == appendices.data_appendix(data_dir)
    assert paths[1].read_text() == appendices.parameters_appendix(root)
    assert paths[0].read_text().startswith("(appendix-data)=\n# Data and sources")
    assert paths[1].read_text().startswith("(appendix-parameters)=\n# Parameters")


def test_write_appendices_of_the_book(tmp_path):
    paths = appendices.write_appendices(tmp_path)
    assert [p.name for p in paths] == ["appendix-data.md", "appendix-parameters.md"]
    assert "lab_finances" in paths[0].read_text() and "reading_tolerance" in paths[1].read_text()


def test_an_edited_table_shows_in_the_appendix(tmp_path):
    shutil.copytree(data.DATA, tmp_path / "data")
    path = tmp_path / "data" / "ai_spend_2024.csv"
    path.write_text(path.read_text().replace("pure-play lab", "an edited note", 1))
    assert "an edited note" in appendices.data_appendix(tmp_path / "data")
