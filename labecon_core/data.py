"""The book's data tables: loaded once, validated against their schemas.

Every table is ``data/<name>.csv`` with a schema ``data/<name>.schema.yml`` beside it::

    description: what the table holds
    columns:
      price_usd: {type: float, unit: USD, description: ..., ge: 0, nullable: true}
      name: {type: str, description: ..., unique: true}
      source: {type: str, description: source key in data/bib/*.bib}
      date: {type: str, description: when the figure was published (YYYY, YYYY-MM or YYYY-MM-DD)}
    ranges:                       # low <= value <= high on every row where all three are given
      - [price_low_usd, price_usd, price_high_usd]

The schema is checked by pandera (types, allowed ranges and values, required
columns); every row must carry a ``source`` key found in the bibliography and a
``date``. Nothing else in the book reads ``data/`` directly.
"""

from functools import cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import yaml
from pybtex.database import parse_file

from labecon_core.chapters import ROOT
from labecon_core.errors import DataError

DATA = ROOT / "data"
_TYPES = {"float": float, "int": "Int64", "str": str, "bool": bool}
_CHECKS = {"ge": pa.Check.ge, "gt": pa.Check.gt, "le": pa.Check.le, "lt": pa.Check.lt, "isin": pa.Check.isin,
           "pattern": pa.Check.str_matches}
_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def tables(data_dir: Path = DATA) -> list[str]:
    """Names of every table in ``data_dir``."""
    return sorted(p.name.removesuffix(".schema.yml") for p in data_dir.glob("*.schema.yml"))


def _source_keys(data_dir: Path) -> frozenset[str]:
    keys = set()
    for bib in sorted((data_dir / "bib").glob("*.bib")):
        keys.update(parse_file(str(bib)).entries.keys())
    return frozenset(keys)


def schema(name: str, data_dir: Path = DATA) -> dict:
    """The declared schema of table ``name`` (description, columns with units, ranges)."""
    path = data_dir / f"{name}.schema.yml"
    if not path.exists():
        raise DataError(f"no table {name!r}; the tables are: {', '.join(tables(data_dir))}")
    return yaml.safe_load(path.read_text())


def _pandera_schema(name: str, spec: dict, sources: frozenset[str]) -> pa.DataFrameSchema:
    columns = {}
    for col, c in spec["columns"].items():
        checks = [_CHECKS[k](c[k]) for k in _CHECKS if k in c]
        columns[col] = pa.Column(_TYPES[c["type"]], checks=checks, nullable=c.get("nullable", False),
                                 unique=c.get("unique", False), coerce=True)
    columns["source"] = pa.Column(str, pa.Check.isin(sorted(sources)), coerce=True)
    columns["date"] = pa.Column(str, pa.Check.str_matches(_DATE), coerce=True)
    checks = [
        pa.Check(
            lambda df, lo=lo, v=v, hi=hi: ~((df[lo] > df[v]) | (df[v] > df[hi])).fillna(False),
            name=f"{lo} <= {v} <= {hi}",
        )
        for lo, v, hi in spec.get("ranges", [])
    ]
    return pa.DataFrameSchema(columns, checks=checks, strict=True, name=name)


def _describe_failure(path: Path, frame: pd.DataFrame, exc: pa.errors.SchemaErrors) -> str:
    lines = []
    for case in exc.failure_cases.itertuples():
        idx = case.index
        row = "" if pd.isna(idx) else f", row {int(idx) + 1} (line {int(idx) + 2})"
        column = case.column if isinstance(case.column, str) else "(table)"
        if case.schema_context == "DataFrameSchema" and str(case.check).startswith("column_in_dataframe"):
            lines.append(f"{path}: missing column {case.failure_case!r}")
        elif case.schema_context == "DataFrameSchema" and str(case.check).startswith("column_in_schema"):
            lines.append(f"{path}: column {case.failure_case!r} is not in the schema")
        else:
            value = case.failure_case
            lines.append(f"{path}{row}, column {column}: value {value!r} fails {case.check}")
    return "bad data:\n  " + "\n  ".join(dict.fromkeys(lines))


def _stamp(name: str, data_dir: Path) -> tuple:
    # Part of the cache key, so an edited table is read again in a long-lived process.
    files = [data_dir / f"{name}.csv", data_dir / f"{name}.schema.yml", *sorted((data_dir / "bib").glob("*.bib"))]
    return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in files)


def _load(name: str, data_dir: Path) -> pd.DataFrame:
    return _load_stamped(name, data_dir, _stamp(name, data_dir))


@cache
def _load_stamped(name: str, data_dir: Path, _stamp: tuple) -> pd.DataFrame:
    spec = schema(name, data_dir)
    path = data_dir / f"{name}.csv"
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], comment=None)
    except (OSError, pd.errors.ParserError) as exc:
        raise DataError(f"bad data: {path}: cannot be read as CSV ({exc})") from None
    for col, c in spec["columns"].items():
        if col in frame and c["type"] in ("float", "int"):
            numeric = pd.to_numeric(frame[col], errors="coerce")
            bad = numeric.isna() & frame[col].notna()
            if bad.any():
                i = int(bad.to_numpy().nonzero()[0][0])
                raise DataError(
                    f"bad data:\n  {path}, row {i + 1} (line {i + 2}), column {col}: "
                    f"value {frame[col].iloc[i]!r} is not a number ({c.get('unit', 'no unit')})"
                )
            frame[col] = numeric
    try:
        return _pandera_schema(name, spec, _source_keys(data_dir)).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise DataError(_describe_failure(path, frame, exc)) from None


_READ: set[str] = set()


def tables_read() -> set[str]:
    """Names of the tables :func:`load` has returned in this process (the build's dependency record)."""
    return set(_READ)


def load(name: str, data_dir: Path = DATA) -> pd.DataFrame:
    """Table ``name`` as a validated DataFrame (a copy; units are in :func:`schema`).

    Raises
    ------
    DataError
        Naming file, row and column of the first problems found.
    """
    frame = _load(name, Path(data_dir)).copy()
    _READ.add(name)
    return frame


def validate_all(data_dir: Path = DATA) -> None:
    """Load and check every table; raise one :class:`DataError` listing every bad table."""
    errors = []
    for name in tables(data_dir):
        try:
            _load(name, Path(data_dir))
        except DataError as exc:
            errors.append(str(exc))
    if errors:
        raise DataError("\n".join(errors))
