"""The book's data tables: loaded once, validated against their schemas.

Every table is ``data/<name>.csv`` with a schema ``data/<name>.schema.yml`` beside it::

    description: what the table holds
    key: [name]                   # the columns that name a row: no two rows share them
    columns:
      price_usd: {type: float, unit: USD, description: ..., ge: 0, nullable: true}
      name: {type: str, description: ..., unique: true}
      source: {type: str, description: source key in data/bib/*.bib}
      date: {type: str, description: when the figure was published (YYYY, YYYY-MM or YYYY-MM-DD)}
    ranges:                       # each present pair ordered: low <= value, value <= high, low <= high
      - [price_low_usd, price_usd, price_high_usd]
      - [spend_low_usd, spend_high_usd]

The schema is checked by pandera (types, allowed ranges and values, required
columns); the ``key`` columns name a row, so no two rows share them; every row must
carry a ``source`` key found in the bibliography and a ``date``. Nothing else in the
book reads ``data/`` directly.
"""

import re
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from labecon_core.bib import bibliography
from labecon_core.errors import DataError
from labecon_core.paths import DATA

_TYPES = {"float": float, "int": "Int64", "str": str, "bool": bool}
_CHECKS = ("ge", "gt", "le", "lt", "isin", "pattern")
_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def tables(data_dir: Path = DATA) -> list[str]:
    """Names of every table in ``data_dir``."""
    return sorted(p.name.removesuffix(".schema.yml") for p in data_dir.glob("*.schema.yml"))


def _source_keys(data_dir: Path) -> frozenset[str]:
    return frozenset(bibliography(data_dir))


_COLUMN_KEYS = {"type", "unit", "description", "nullable", "unique", *_CHECKS}
_SCHEMA_KEYS = {"description", "columns", "ranges", "key"}


def schema(name: str, data_dir: Path = DATA) -> dict:
    """The declared schema of table ``name`` (description, columns with units, key, ranges).

    Raises
    ------
    DataError
        Naming the schema file and what is wrong: not YAML (line and column), not a mapping of
        the known keys, a column without a known ``type`` or with an unknown setting, a ``key``
        or a range naming a column the schema does not declare.
    """
    path = data_dir / f"{name}.schema.yml"
    if not path.exists():
        raise DataError(f"no table {name!r}; the tables are: {', '.join(tables(data_dir))}")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DataError(f"bad schema: {path}: is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DataError(f"bad schema: {path}: not valid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("columns"), dict) or set(spec) - _SCHEMA_KEYS:
        raise DataError(f"bad schema: {path}: must be a mapping with 'columns' (and optionally "
                        f"{', '.join(sorted(_SCHEMA_KEYS - {'columns'}))})")
    declared = {*spec["columns"], "source", "date"}
    for col, c in spec["columns"].items():
        if not isinstance(c, dict) or c.get("type") not in _TYPES:
            raise DataError(f"bad schema: {path}: column {col!r} needs a type, one of: {', '.join(_TYPES)}")
        if set(c) - _COLUMN_KEYS:
            raise DataError(f"bad schema: {path}: column {col!r} has unknown setting(s) "
                            f"{', '.join(sorted(set(c) - _COLUMN_KEYS))}; allowed: {', '.join(sorted(_COLUMN_KEYS))}")
    for what, names in (("key", spec.get("key", [])), *(("range", r) for r in spec.get("ranges", []))):
        if not isinstance(names, list) or not set(names) <= declared:
            raise DataError(f"bad schema: {path}: the {what} {names!r} names columns the schema does not declare")
    return spec


def _ordered_pairs(spec: dict) -> list[tuple[str, str]]:
    """Pairs of columns that must be ordered: from ``ranges`` entries ``[low, high]`` or
    ``[low, value, high]`` (each present pair is checked, so an empty value still checks low <= high)."""
    pairs = []
    for entry in spec.get("ranges", []):
        pairs.extend((a, b) for i, a in enumerate(entry) for b in entry[i + 1:])
    return list(dict.fromkeys(pairs))


def _pandera_schema(name: str, spec: dict, sources: frozenset[str]):
    import pandera.pandas as pa  # loaded when a table is first checked, not with every model

    check = {"ge": pa.Check.ge, "gt": pa.Check.gt, "le": pa.Check.le, "lt": pa.Check.lt, "isin": pa.Check.isin,
             "pattern": pa.Check.str_matches}
    columns = {}
    for col, c in spec["columns"].items():
        checks = [check[k](c[k]) for k in _CHECKS if k in c]
        columns[col] = pa.Column(_TYPES[c["type"]], checks=checks, nullable=c.get("nullable", False),
                                 unique=c.get("unique", False), coerce=True)
    columns["source"] = pa.Column(str, pa.Check.isin(sorted(sources)), coerce=True)
    columns["date"] = pa.Column(str, pa.Check.str_matches(_DATE), coerce=True)
    checks = [
        pa.Check(lambda df, lo=lo, hi=hi: ~(df[lo] > df[hi]).fillna(False), name=f"{lo} <= {hi}")
        for lo, hi in _ordered_pairs(spec)
    ]
    return pa.DataFrameSchema(columns, checks=checks, strict=True, name=name)


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def _describe_failure(path: Path, frame: pd.DataFrame, exc) -> str:
    lines = []
    for case in exc.failure_cases.itertuples():
        idx = case.index
        row = "" if pd.isna(idx) else f", row {int(idx) + 1} (line {int(idx) + 2})"
        column = case.column if isinstance(case.column, str) else "(table)"
        if case.schema_context == "DataFrameSchema" and str(case.check).startswith("column_in_dataframe"):
            lines.append(f"{path}: missing column {case.failure_case!r}")
        elif case.schema_context == "DataFrameSchema" and str(case.check).startswith("column_in_schema"):
            lines.append(f"{path}: column {case.failure_case!r} is not in the schema")
        elif case.schema_context == "DataFrameSchema" and re.fullmatch(r"\w+ <= \w+", str(case.check)):
            lo, hi = str(case.check).split(" <= ")
            lines.append(f"{path}{row}, columns {lo} and {hi}: {lo} = {_plain(frame.at[idx, lo])} "
                         f"is above {hi} = {_plain(frame.at[idx, hi])}")
        else:
            lines.append(f"{path}{row}, column {column}: value {_plain(case.failure_case)!r} fails {case.check}")
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
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], comment=None,
                            encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise DataError(f"bad data: {path}: is empty; a table has a header row and a row for each figure") from None
    except UnicodeDecodeError:
        raise DataError(f"bad data: {path}: is not UTF-8 text") from None
    except (OSError, pd.errors.ParserError) as exc:
        raise DataError(f"bad data: {path}: cannot be read as CSV ({exc})") from None
    columns = [*spec["columns"], "source", "date"]
    missing, extra = [c for c in columns if c not in frame], [c for c in frame if c not in columns]
    if missing or extra:
        raise DataError(f"bad data: {path}: " + "; ".join(
            [f"missing column(s) {', '.join(missing)}"] * bool(missing)
            + [f"column(s) {', '.join(extra)} not in {name}.schema.yml"] * bool(extra)))
    if key := spec.get("key"):
        twice = frame[frame.duplicated(subset=key, keep=False)]
        if len(twice):
            rows = ", ".join(f"{i + 1} (line {i + 2})" for i in twice.index[:6])
            raise DataError(f"bad data: {path}: rows {rows} share the key ({', '.join(key)}) = "
                            f"{tuple(twice.iloc[0][key])}; each row names one figure")
    for col, c in spec["columns"].items():
        if col in frame and c["type"] == "bool":
            # pandas would read any non-empty text, "False" included, as True.
            text = frame[col].str.strip().str.lower()
            bad = text.notna() & ~text.isin(list(_BOOLS))
            if bad.any():
                i = int(bad.to_numpy().nonzero()[0][0])
                raise DataError(f"bad data:\n  {path}, row {i + 1} (line {i + 2}), column {col}: "
                                f"value {frame[col].iloc[i]!r} is not one of true/false/yes/no/1/0")
            frame[col] = text.map(_BOOLS)
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
    from pandera.errors import SchemaErrors

    try:
        return _pandera_schema(name, spec, _source_keys(data_dir)).validate(frame, lazy=True)
    except SchemaErrors as exc:
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
