"""The data package: every table loads and validates, every source is cited, and bad tables fail loudly.

The malformed tables are copies of the real ones in a temporary folder, each broken
in one way; the error must name the file, the row and the column.
"""

import itertools
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pybtex.database import parse_file

from labecon_core import data
from labecon_core.errors import DataError
from labecon_core.paths import ROOT
from labecon_core.portable import round_sig

TABLES = data.tables()


def bib_keys(data_dir: Path = data.DATA) -> dict[str, list[str]]:
    """Every bibliography key and the files that define it."""
    keys: dict[str, list[str]] = {}
    for bib in sorted((data_dir / "bib").glob("*.bib")):
        for key in parse_file(str(bib)).entries:
            keys.setdefault(key, []).append(bib.name)
    return keys


def test_there_are_tables():
    assert {"gross_margins", "lab_finances", "ai_spend_2024"} <= set(TABLES)


@pytest.mark.parametrize("name", TABLES)
def test_every_table_loads_and_validates(name):
    frame = data.load(name)
    assert len(frame) > 0
    spec = data.schema(name)
    assert set(frame.columns) == set(spec["columns"]) | {"source", "date"}
    for col, c in spec["columns"].items():
        assert c.get("description"), f"{name}.{col} has no description"


def test_validate_all_passes():
    data.validate_all()


@pytest.mark.parametrize("name", TABLES)
def test_every_source_is_in_the_bibliography(name):
    keys = bib_keys()
    missing = sorted(set(data.load(name).source) - set(keys))
    assert not missing, f"{name}: sources not in data/bib/*.bib: {missing}"


@pytest.mark.parametrize("name", TABLES)
def test_every_row_has_a_date(name):
    dates = data.load(name).date
    assert dates.str.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?").all()


def test_every_bibliography_entry_is_used():
    # An entry no table and no chapter cites is a source the book only seems to rest on (a table may name
    # sources in columns besides `source`, so the tables are read as text, like the chapters).
    texts = [*sorted((ROOT / "book").glob("*.ipynb")), *sorted((ROOT / "book").glob("*.md")),
             *sorted(data.DATA.glob("*.csv"))]
    cited = "\n".join(p.read_text() for p in texts if p.name != "references.md")
    unused = sorted(k for k in bib_keys() if not re.search(rf"\b{re.escape(k)}\b", cited))
    assert not unused, f"entries of data/bib/*.bib that no table or chapter cites: {unused}"


def test_bibliography_keys_are_unique_across_files():
    dup = {k: files for k, files in bib_keys().items() if len(files) > 1}
    assert not dup, f"keys defined twice: {dup}"


def test_load_returns_a_copy():
    first = data.load("lab_finances")
    first.loc[0, "item"] = "changed"
    assert data.load("lab_finances").loc[0, "item"] != "changed"


def test_unknown_table_lists_the_tables():
    with pytest.raises(DataError, match=r"no table 'nope'; the tables are: .*lab_finances"):
        data.load("nope")


# --- malformed copies ------------------------------------------------------------


@pytest.fixture
def copy_dir(tmp_path):
    """A copy of data/ (tables and bibliography) to break."""
    shutil.copytree(data.DATA / "bib", tmp_path / "bib")
    for name in TABLES:
        for suffix in (".csv", ".schema.yml"):
            shutil.copy(data.DATA / f"{name}{suffix}", tmp_path / f"{name}{suffix}")
    return tmp_path


def _rewrite(path: Path, edit) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False)


def _set(*cells):
    """An edit that writes ``(row, column, text)`` cells (rows counted from 0)."""
    def edit(frame):
        for row, column, text in cells:
            frame.loc[row, column] = text
    return edit


def _where(path: Path, row: int, column: str) -> str:
    # data.py counts rows from 1 and adds the header line.
    return re.escape(f"{path}, row {row} (line {row + 1}), column {column}")


def _numeric_columns(name: str) -> list[str]:
    return [c for c, s in data.schema(name)["columns"].items() if s["type"] in ("float", "int")]


def test_copy_loads_from_its_own_folder(copy_dir):
    _rewrite(copy_dir / "lab_finances.csv", _set((0, "note", "edited copy")))
    assert data.load("lab_finances", data_dir=copy_dir).loc[0, "note"] == "edited copy"
    assert data.load("lab_finances").loc[0, "note"] != "edited copy"


def test_an_edited_table_is_read_again(copy_dir):
    data.load("ai_spend_2024", data_dir=copy_dir)
    path = copy_dir / "ai_spend_2024.csv"
    _rewrite(path, _set((0, "spend_low_usd", "-5")))
    with pytest.raises(DataError, match=_where(path, 1, "spend_low_usd")):
        data.load("ai_spend_2024", data_dir=copy_dir)


@pytest.mark.parametrize("name", TABLES)
def test_missing_column_is_named(copy_dir, name):
    path = copy_dir / f"{name}.csv"
    column = next(iter(data.schema(name)["columns"]))
    _rewrite(path, lambda f: f.pop(column))
    with pytest.raises(DataError, match=re.escape(f"{path}: missing column(s) {column}")):
        data.load(name, data_dir=copy_dir)


@pytest.mark.parametrize("name", [n for n in TABLES if _numeric_columns(n)])
def test_non_numeric_value_is_named(copy_dir, name):
    path = copy_dir / f"{name}.csv"
    column = _numeric_columns(name)[0]
    _rewrite(path, _set((1, column, "lots")))
    with pytest.raises(DataError, match=_where(path, 2, column) + r": value 'lots' is not a number"):
        data.load(name, data_dir=copy_dir)


def _bounded_below(name: str) -> list[str]:
    return [c for c in _numeric_columns(name) if "ge" in data.schema(name)["columns"][c]
            or "gt" in data.schema(name)["columns"][c]]


@pytest.mark.parametrize("name", [n for n in TABLES if _bounded_below(n)])
def test_negative_value_is_named(copy_dir, name):
    # A cost, a price or a count below its floor (every floor in the book is >= 0).
    path = copy_dir / f"{name}.csv"
    column = _bounded_below(name)[0]
    _rewrite(path, _set((0, column, "-1")))
    with pytest.raises(DataError, match=_where(path, 1, column) + r": value .*-1.* fails greater_than"):
        data.load(name, data_dir=copy_dir)


@pytest.mark.parametrize("name", [n for n in TABLES if data.schema(n).get("ranges")])
def test_low_above_high_is_named(copy_dir, name):
    path = copy_dir / f"{name}.csv"
    entry = data.schema(name)["ranges"][0]
    lo, hi = entry[0], entry[-1]

    def edit(f):
        # Values inside every column's own bounds (shares, positive amounts), in the wrong order;
        # the middle column (if any) left empty: low <= high is still checked on its own.
        f.loc[0, lo], f.loc[0, hi] = "0.3", "0.1"
        for middle in entry[1:-1]:
            f.loc[0, middle] = ""

    _rewrite(path, edit)
    with pytest.raises(DataError) as err:
        data.load(name, data_dir=copy_dir)
    message = str(err.value)
    assert f"{path}, row 1 (line 2), columns {lo} and {hi}: {lo} = 0.3 is above {hi} = 0.1" in message


def test_lab_finances_range_without_value_still_checks_low_and_high(copy_dir):
    # A range row leaves `value` empty; low > high must still fail.
    path = copy_dir / "lab_finances.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = int(frame.index[(frame.qualifier == "range") & (frame.value == "")][0])
    _rewrite(path, _set((row, "low", "9e99")))
    where = f"{path}, row {row + 1} (line {row + 2}), columns low and high: low = 9e+99 is above high"
    with pytest.raises(DataError, match=re.escape(where)):
        data.load("lab_finances", data_dir=copy_dir)


@pytest.mark.parametrize("name", TABLES)
def test_unknown_source_is_named(copy_dir, name):
    path = copy_dir / f"{name}.csv"
    _rewrite(path, _set((0, "source", "nosuchsource2099")))
    with pytest.raises(DataError, match=_where(path, 1, "source") + r": value 'nosuchsource2099' fails isin"):
        data.load(name, data_dir=copy_dir)


@pytest.mark.parametrize("name", TABLES)
def test_bad_date_is_named(copy_dir, name):
    path = copy_dir / f"{name}.csv"
    _rewrite(path, _set((0, "date", "July 2024")))
    with pytest.raises(DataError, match=_where(path, 1, "date") + r": value 'July 2024'"):
        data.load(name, data_dir=copy_dir)


def test_unknown_qualifier_and_unit_are_named(copy_dir):
    path = copy_dir / "lab_finances.csv"
    _rewrite(path, _set((0, "qualifier", "roughly"), (1, "unit", "EUR")))
    with pytest.raises(DataError) as err:
        data.load("lab_finances", data_dir=copy_dir)
    assert re.search(_where(path, 1, "qualifier") + r": value 'roughly' fails isin", str(err.value))
    assert re.search(_where(path, 2, "unit") + r": value 'EUR' fails isin", str(err.value))


def test_subsidized_must_be_true_or_false(copy_dir):
    path = copy_dir / "ai_spend_2024.csv"
    _rewrite(path, _set((2, "subsidized", "maybe")))
    with pytest.raises(DataError, match=_where(path, 3, "subsidized") + r": value 'maybe' is not one of true/false"):
        data.load("ai_spend_2024", data_dir=copy_dir)


def test_column_not_in_schema_is_named(copy_dir):
    path = copy_dir / "ai_spend_2024.csv"
    _rewrite(path, lambda f: f.insert(1, "extra", "x"))
    with pytest.raises(DataError, match=re.escape(f"{path}: column(s) extra not in ai_spend_2024.schema.yml")):
        data.load("ai_spend_2024", data_dir=copy_dir)


def test_validate_all_lists_every_bad_table(copy_dir):
    for name in ("lab_finances", "ai_spend_2024"):
        _rewrite(copy_dir / f"{name}.csv", _set((0, "source", "nosuchsource2099")))
    with pytest.raises(DataError) as err:
        data.validate_all(copy_dir)
    assert "lab_finances.csv" in str(err.value) and "ai_spend_2024.csv" in str(err.value)


# --- the tables of this chapter ----------------------------------------------------


def test_ai_spend_2024_columns_and_subsidy():
    spend = data.load("ai_spend_2024").set_index("company")
    assert list(data.load("ai_spend_2024").columns) == [
        "company", "spend_low_usd", "spend_high_usd", "revenue_model", "profitability", "subsidized", "source",
        "date", "note"]
    assert not spend.loc[["OpenAI", "Anthropic"], "subsidized"].astype(bool).any()
    assert spend.loc[["Google DeepMind", "Meta", "Microsoft"], "subsidized"].astype(bool).all()
    assert (spend.spend_low_usd <= spend.spend_high_usd).all()


def test_lab_finances_figures_are_unique():
    frame = data.load("lab_finances")
    assert not frame.duplicated(["lab", "period", "item"]).any()


def test_lab_finances_schema_declares_units():
    spec = yaml.safe_load((data.DATA / "lab_finances.schema.yml").read_text())
    for col in ("value", "low", "high"):
        assert spec["columns"][col]["unit"]
    assert set(data.load("lab_finances").unit) <= set(spec["columns"]["unit"]["isin"])


# --- one fact, one row ------------------------------------------------------------

# A model's or an accelerator's name in a row: letters, then a digit ("A100", "GPT-4o", "Claude 3.5", "TPU v4").
NAME = re.compile(r"[A-Za-z]+[- ]?\d[\w.]*")
# Columns that say how a figure is given or where it comes from, not what it is about.
NOT_NAMES = {"source", "date", "note", "unit", "qualifier", "replaces", "event", "cost_basis", "flop_basis", "spec"}


def _price_class(unit) -> str | None:
    """Prices in the same unit compare; an accelerator-hour is one, whichever accelerator it names."""
    if not isinstance(unit, str) or not unit.startswith("USD per "):
        return None
    return re.sub(r"USD per (?:[\w]+-)?hour$", "USD per accelerator-hour", unit)


def price_facts(name: str, frame: pd.DataFrame | None = None, data_dir: Path = data.DATA) -> list[tuple]:
    """Every price in table ``name``: ``(unit, year, value, names, table, row)``, one per figure of a row."""
    frame = data.load(name, data_dir) if frame is None else frame
    columns = data.schema(name, data_dir)["columns"]
    names_from = [c for c, s in columns.items() if s["type"] == "str" and c not in NOT_NAMES]
    facts = []
    for i, row in frame.iterrows():
        names = {m.group(0).lower() for c in names_from for m in NAME.finditer(str(row[c]))}
        for col, spec in columns.items():
            if spec["type"] != "float" or pd.isna(row[col]):
                continue
            # A figure whose unit is given row by row ("see the unit column") takes its row's.
            unit = _price_class(row["unit"] if "unit" in spec.get("unit", "") else spec.get("unit"))
            if unit:
                facts.append((unit, row["date"][:4], round_sig(float(row[col])), names, name, i + 1))
    return facts


def repeated_facts(facts) -> list[str]:
    """Pairs of figures from two tables with the same unit, year and value, about the same model or accelerator."""
    found = []
    for a, b in itertools.combinations(facts, 2):
        if a[4] != b[4] and a[:3] == b[:3] and a[3] & b[3]:
            found.append(f"{a[2]} {a[0]} ({a[1]}, {', '.join(sorted(a[3] & b[3]))}): {a[4]} row {a[5]}, "
                         f"{b[4]} row {b[5]}")
    return found


def test_no_two_tables_hold_the_same_price():
    facts = [f for name in TABLES for f in price_facts(name)]
    assert len({f[4] for f in facts}) >= 3  # hardware, the API prices and the claims, at least
    found = repeated_facts(facts)
    assert not found, "one fact, one row: " + "; ".join(found)


def test_a_price_copied_into_another_table_is_found():
    # The A100 price Microsoft charged OpenAI, and GPT-4o's launch price, each written a second time.
    finances = data.load("lab_finances")
    copy = pd.DataFrame([{**finances.iloc[0].to_dict(), "item": "A100 rental price", "qualifier": "point",
                          "value": 1.30, "low": np.nan, "high": np.nan, "unit": "USD per A100-hour",
                          "date": "2024-07"}])
    prices = data.load("api_price_cuts")
    claims = data.load("compute_claims")
    quoted = pd.DataFrame([{**claims.iloc[0].to_dict(), "claim": "gpt4o_price", "subject": "GPT-4o",
                            "measure": "launch price", "value": 5.0, "low": np.nan, "high": np.nan,
                            "unit": "USD per million input tokens", "date": "2024-05"}])
    facts = (price_facts("hardware") + price_facts("lab_finances", pd.concat([finances, copy], ignore_index=True))
             + price_facts("api_price_cuts", prices)
             + price_facts("compute_claims", pd.concat([claims, quoted], ignore_index=True)))
    found = repeated_facts(facts)
    assert any("USD per accelerator-hour (2024, a100)" in f and "lab_finances" in f for f in found)
    assert any("USD per million input tokens (2024, gpt-4o)" in f and "compute_claims" in f for f in found)
    assert len(found) == 2
