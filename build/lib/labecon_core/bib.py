"""The book's bibliography: every entry of ``data/bib/*.bib`` by key."""

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from labecon_core.errors import DataError
from labecon_core.paths import DATA


def bibliography(data_dir: Path = DATA) -> Mapping:
    """Every entry of ``data_dir/bib/*.bib`` by key (pybtex entries), read once per version of the files.

    pybtex is loaded on the first call, not on import: a model that reads a table loads it
    only when a table is checked against the bibliography.
    """
    files = sorted((Path(data_dir) / "bib").glob("*.bib"))
    return _read(tuple((path, path.stat().st_mtime_ns) for path in files))


@cache
def _read(files: tuple) -> Mapping:
    from pybtex.database.input import bibtex
    from pybtex.exceptions import PybtexError

    entries, found_in = {}, {}
    for path, _ in files:
        try:
            # The BibTeX parser itself: looking it up by name scans every installed package's entry points.
            parsed = bibtex.Parser().parse_file(str(path)).entries
        except (PybtexError, UnicodeDecodeError) as exc:
            raise DataError(f"bad bibliography: {path}: {exc}") from None
        for key in parsed:
            if key in found_in:
                raise DataError(f"bad bibliography: {path}: key {key!r} is also in {found_in[key]}; "
                                "keys are unique across data/bib/*.bib")
            found_in[key] = path.name
        entries.update(parsed)
    return MappingProxyType(entries)


def author_year(key: str) -> tuple[str, str]:
    """Who and when for a citation: ``("Amodei", "2025")``, ``("Smith and Jones", ...)``, ``("Lee et al.", ...)``.

    Organisations (``{OpenAI}``) are named as written; an unknown key is returned as it is, with no year.
    """
    entry = bibliography().get(key)
    if entry is None:
        return key, ""
    names = ["".join(p.last_names).strip("{}") for p in entry.persons.get("author", [])]
    who = (names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2
           else f"{names[0]} et al." if names else entry.fields.get("title", key).strip("{}"))
    return who, entry.fields.get("year", "")
