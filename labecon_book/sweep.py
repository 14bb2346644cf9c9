"""``labecon sweep``: a chapter's headline results over a grid of its parameters, without a kernel per point.

A chapter that can be swept names, in its notebook metadata, a library module with two things
(``"sweep": "labecon_core.inputs.cohort_accounting"``):

- ``SWEEPABLE``: the parameters a sweep may vary (those its models take as arrays);
- ``sweep(**values)``: the chapter's headline results for arrays of them, in one vectorised run,
  under the names ``labecon run`` records them with.

``-p NAME LOW:HIGH:N`` varies a parameter over ``N`` evenly spaced values from ``LOW`` to ``HIGH``;
``-p NAME VALUE`` sets one as ``labecon run`` does. Everything is checked before any work: the
values as ``run`` checks them, each grid value of each parameter with the chapter's validator,
and the size of the grid. The result is a tidy table, one row per grid point, every parameter and
every result a column, written with the book's rounding (:data:`labecon_core.portable.SIGNIFICANT_DIGITS`
significant digits, as every recorded number).
"""

import csv
import importlib
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from labecon_book import params
from labecon_book.chapters import Chapter, chapters
from labecon_core.errors import InputError, ParameterError
from labecon_core.portable import SIGNIFICANT_DIGITS

#: Most grid points one sweep may ask for (memory: a few hundred bytes per point and column).
MAX_POINTS = 1_000_000
#: Most values along one parameter.
MAX_STEPS = 100_000


@dataclass(frozen=True)
class Axis:
    """One swept parameter: ``n`` evenly spaced values from ``low`` to ``high``."""

    name: str
    low: float
    high: float
    n: int

    @property
    def values(self) -> np.ndarray:
        """The values, ``low`` first."""
        return np.linspace(self.low, self.high, self.n)


@dataclass(frozen=True)
class Sweep:
    """A finished sweep: its table (one row per point) and how long the vectorised run took (seconds)."""

    table: pd.DataFrame
    axes: tuple[Axis, ...]
    seconds: float

    @property
    def points_per_second(self) -> float:
        """Grid points evaluated per second of the vectorised run."""
        return len(self.table) / self.seconds if self.seconds > 0 else math.inf


def is_axis(text: str) -> bool:
    """Whether a ``-p`` value asks for a grid (``LOW:HIGH:N``) rather than one value."""
    return ":" in text


def parse_axis(chapter: Chapter, name: str, text: str) -> Axis:
    """Read ``LOW:HIGH:N`` for parameter ``name``; an error naming the parameter and what is allowed otherwise."""
    parameter = chapter.parameter(name)
    allowed = "LOW:HIGH:N, two numbers and a whole number of values (e.g. 2:20:10)"
    parts = text.split(":")
    if len(parts) != 3:
        raise ParameterError(name, text, allowed)
    if parameter.type not in (int, float):
        raise ParameterError(name, text, f"one value: a {parameter.type.__name__} parameter cannot be swept")
    low, high = (params.convert(chapter, name, part) for part in parts[:2])
    try:
        n = int(parts[2])
    except ValueError:
        raise ParameterError(name, text, allowed) from None
    if not 1 <= n <= MAX_STEPS:
        raise ParameterError(name, text, f"{allowed}, with N from 1 to {MAX_STEPS:,}")
    if low > high:
        raise ParameterError(name, text, f"{allowed}, with LOW <= HIGH")
    if n == 1 and low != high:
        raise ParameterError(name, text, f"{allowed}; one value needs LOW == HIGH (or give it as -p {name} VALUE)")
    if parameter.type is int and n > 1 and (high - low) % (n - 1):
        raise ParameterError(name, text, f"{allowed}, whole steps for a whole-number parameter: HIGH - LOW "
                                         "a multiple of N - 1")
    return Axis(name, float(low), float(high), n)


def _entry(chapter: Chapter):
    if chapter.sweep is None:
        can = [c.slug for c in chapters() if c.sweep is not None]
        raise InputError(f"chapter {chapter.slug} cannot be swept: its results need a run of the whole chapter "
                         f"(use labecon run); the chapters that can: {', '.join(can)}")
    return importlib.import_module(chapter.sweep)


def plan(chapter: Chapter, overrides=(), scenario: Path | None = None) -> tuple[dict, tuple[Axis, ...]]:
    """Check a sweep's input before any work: the fixed values, the axes and every grid value.

    Parameters
    ----------
    chapter : Chapter
    overrides : iterable of (str, str)
        ``-p`` pairs as typed: ``VALUE`` for a fixed value, ``LOW:HIGH:N`` for an axis.
    scenario : Path, optional
        A scenario file for the fixed values.

    Returns
    -------
    values, axes
        Every parameter's value (an axis at its first value) and the axes, in the order given.
    """
    entry = _entry(chapter)
    overrides = list(overrides)
    fixed = [(name, text) for name, text in overrides if not is_axis(text)]
    values = params.resolve(chapter, fixed, scenario)
    axes, seen = [], {name for name, _ in fixed}
    for name, text in overrides:
        if not is_axis(text):
            continue
        if name in seen:
            raise InputError(f"-p {name}: the parameter is given twice; give it once")
        seen.add(name)
        axis = parse_axis(chapter, name, text)
        if name not in entry.SWEEPABLE:
            raise ParameterError(name, text, "one value: it sets the shape of the model's arrays; the parameters "
                                             f"{chapter.slug} can sweep are {', '.join(entry.SWEEPABLE)}")
        axes.append(axis)
    if not axes:
        raise InputError(f"nothing to sweep: give at least one -p NAME LOW:HIGH:N (the parameters {chapter.slug} "
                         f"can sweep are {', '.join(entry.SWEEPABLE)})")
    points = math.prod(a.n for a in axes)
    if points > MAX_POINTS:
        raise InputError(f"the grid has {points:,} points; a sweep takes at most {MAX_POINTS:,}")
    for axis in axes:
        try:  # the whole axis in one call: the models check arrays element by element
            chapter.validate({**values, axis.name: axis.values})
        except ParameterError:
            # Name the first bad value as `run` would name it (a whole-number parameter as a whole number).
            kind = chapter.parameter(axis.name).type
            for value in axis.values:
                chapter.validate({**values, axis.name: kind(value) if kind is int else float(value)})
            raise
    return values, tuple(axes)


def run_sweep(chapter: Chapter, values: dict, axes: tuple[Axis, ...]) -> Sweep:
    """Evaluate the chapter's headline results at every point of the grid of ``axes`` (the rest at ``values``)."""
    entry = _entry(chapter)
    grid = np.meshgrid(*(a.values for a in axes), indexing="ij")
    swept = {a.name: g.ravel() for a, g in zip(axes, grid, strict=True)}
    start = time.perf_counter()
    results = entry.sweep(**{**values, **swept})
    seconds = time.perf_counter() - start
    n = grid[0].size
    columns = {name: (swept[name] if name in swept else np.full(n, value, dtype=object if isinstance(value, str)
                                                                else None))
               for name, value in values.items()}
    columns |= {name: np.asarray(result).reshape(n) for name, result in results.items()}
    return Sweep(pd.DataFrame(columns), axes, seconds)


def _cells(column: pd.Series) -> list[str]:
    """A column as CSV text: floats with the book's significant digits, a missing value empty."""
    number = f"{{:.{SIGNIFICANT_DIGITS}g}}".format
    return ["" if v is None or v != v else number(v) if isinstance(v, float) else str(v)
            for v in column.tolist()]


def write(result: Sweep, out: Path) -> Path:
    """Write the sweep's table as ``sweep.csv`` in ``out`` (a folder checked and claimed by the caller)."""
    path = out / "sweep.csv"
    # Formatted column by column: pandas' to_csv with a float_format spends ~25x longer per value.
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(result.table.columns)
        writer.writerows(zip(*(_cells(result.table[name]) for name in result.table.columns), strict=True))
    return path
