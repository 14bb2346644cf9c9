"""Uncertainty: stated ranges as distributions, seeded draws, and what the draws say.

A source rarely gives a distribution; it gives a range ("6-12 months", "$250-500B").
Every uncertain input here is a :class:`Range`: a ``low`` and a ``high`` read as the
**central interval of probability** ``level`` (0.9 by default: 5% of draws fall below
``low`` and 5% above ``high``), and a family that says how probability spreads:

- ``lognormal`` for positive quantities (costs, multiples, months, growth factors):
  ``log(x - a)`` is normal on the domain ``(a, inf)`` (``a = 0`` usually; a factor
  that cannot fall below 1 has ``a = 1``). The median is the geometric midpoint
  ``a + sqrt((low - a)(high - a))``.
- ``logitnormal`` for shares and other quantities bounded on both sides, the beta-like
  choice: ``logit((x - a) / (b - a))`` is normal on ``(a, b)``. Unimodal, never leaves
  its bounds, and, unlike a beta fitted to two quantiles, exact in closed form.
- ``uniform`` for an illustrative share about which nothing is known inside the range:
  flat, its support widened so that ``[low, high]`` holds ``level`` of it; the support
  must stay inside the domain.
- ``discrete`` for a count or a calendar year: the values ``low, low + step, ..., high``,
  each equally likely. Here, and only here, ``low`` and ``high`` are the smallest and
  largest values rather than a central interval.

Every family is a monotone transform of one standard normal draw ``z``, so a range's
quantile ``q`` is the transform of ``Phi^-1(q)`` and the stated interval comes back
exactly: the ``(1 - level)/2`` quantile is ``low``. A range with ``low == high`` is a fixed
number (which may sit on the edge of its domain: no price decline, a margin of 1). Inputs
are drawn independently.

Draws come from a seeded :class:`numpy.random.Generator` passed in by the caller. They are
made in fixed-size chunks, each with its own child generator spawned from the caller's, on a
small pool of threads (numpy releases the interpreter lock in its array loops); chunk ``c``
always gets child ``c``, so results do not depend on the number of threads. A model is
evaluated in chunks too, of its own size, each chunk writing its slice of the outputs. The
model is any function from a dict of input arrays to a dict of output arrays (leading axis:
the draws); :func:`evaluate_each` runs the same model one draw at a time, the reference the
vectorised path is tested and benchmarked against.

The summaries are quantiles, probabilities of events with their Monte Carlo error,
one-at-a-time sensitivity (a tornado: each input moved to its ``low`` and ``high`` with
the others at their medians) and Spearman rank correlations of inputs with an outcome.
"""

import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import special

from labecon_core.errors import ParameterError
from labecon_core.validation import check_choice, check_int, check_number

FAMILIES = ("lognormal", "logitnormal", "uniform", "discrete")
#: Draws per sampling chunk: few enough to bound a chunk's arrays to a few MB, enough for the
#: per-chunk Python overhead to vanish. The draws of a seed depend on it (one child generator a chunk).
CHUNK = 65_536
#: Draws per call of the model in :func:`evaluate`: the fastest size measured on the benchmark
#: (the synthesis chain's temporaries, about 10 MB each, then fault in fewer memory pages per draw).
EVAL_CHUNK = 131_072
#: Most draws one call may ask for (memory: a few hundred bytes per draw).
MAX_DRAWS = 10_000_000
WORKERS = min(4, os.cpu_count() or 1)

Model = Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]]


@dataclass(frozen=True)
class Range:
    """An uncertain input: the interval ``[low, high]`` holds probability ``level``.

    Parameters
    ----------
    name : str
        The input's name; errors name ``<name>_low`` and ``<name>_high``, the chapter
        parameters that set the two ends.
    low, high : float
        Ends of the central interval, in the input's unit (``low <= high``; equal
        ends make the input a fixed number).
    family : str
        ``lognormal``, ``logitnormal``, ``uniform`` or ``discrete`` (see the module notes).
    level : float
        Probability of the central interval, in (0, 1) (not used by ``discrete``).
    domain : tuple of float
        Where the input lives: ``(a, inf)`` for ``lognormal`` (``x - a`` is lognormal),
        finite ``(a, b)`` for ``logitnormal``, a bound on the support of ``uniform`` and
        ``discrete``. A fixed input (``low == high``) may sit on the domain's edge.
    step : float
        Spacing of the values of a ``discrete`` input (> 0; ``high - low`` a whole number of steps).
    """

    name: str
    low: float
    high: float
    family: str = "lognormal"
    level: float = 0.9
    domain: tuple[float, float] = (0.0, math.inf)
    step: float = 1.0

    def __post_init__(self):
        lo_name, hi_name = f"{self.name}_low", f"{self.name}_high"
        low = check_number(lo_name, self.low)
        high = check_number(hi_name, self.high)
        check_choice("family", self.family, FAMILIES)
        level = check_number("interval_level", self.level, gt=0, lt=1)
        a, b = (float(x) for x in self.domain)
        if not a < b:
            raise ValueError(f"domain of {self.name}: {a:g} must be below {b:g}")
        if low > high:
            raise ParameterError(lo_name, self.low, f"a number <= {hi_name} ({high:g})")
        if self.family == "lognormal" and b != math.inf:
            raise ValueError(f"domain of {self.name}: a lognormal input is unbounded above")
        if self.family == "logitnormal" and b == math.inf:
            raise ValueError(f"domain of {self.name}: a logit-normal input needs a finite upper bound")
        if low == high:
            # A fixed input may sit on the edge of its domain (no price decline, a margin of 1).
            if not a <= low <= b:
                raise ParameterError(lo_name, self.low, f"a number >= {a:g} and <= {b:g}")
        elif self.family == "discrete":
            step = check_number("step", self.step, gt=0)
            count = (high - low) / step
            if abs(count - round(count)) > 1e-9:
                raise ParameterError(hi_name, self.high, f"{lo_name} ({low:g}) plus whole steps of {step:g}")
            if not (a <= low and high <= b):
                raise ParameterError(lo_name, self.low, f"a number >= {a:g}, with {hi_name} <= {b:g}")
            object.__setattr__(self, "step", step)
        elif self.family == "uniform":
            a_u, b_u = _uniform_support(low, high, level)
            if a_u < a:
                raise ParameterError(lo_name, self.low, f"a number that keeps the uniform draws >= {a:g} "
                                     f"(with {hi_name} = {high:g} at level {level:g})")
            if b_u > b:
                raise ParameterError(hi_name, self.high, f"a number that keeps the uniform draws <= {b:g} "
                                     f"(with {lo_name} = {low:g} at level {level:g})")
        else:
            # Open domain: the ends of a spread must be strictly inside it for the transform to exist.
            if not a < low:
                raise ParameterError(lo_name, self.low, f"a number > {a:g}")
            if not high < b:
                raise ParameterError(hi_name, self.high, f"a number < {b:g}")
        set_ = object.__setattr__
        set_(self, "low", low)
        set_(self, "high", high)
        set_(self, "level", level)
        set_(self, "domain", (a, b))

    @property
    def fixed(self) -> bool:
        """Whether the input is a fixed number (``low == high``)."""
        return self.low == self.high

    @property
    def z_level(self) -> float:
        """The standard normal quantile at ``(1 + level) / 2``: ``high`` sits this many sds above the centre."""
        return float(special.ndtri(0.5 + self.level / 2))

    def _latent(self, x):
        a, b = self.domain
        if self.family == "lognormal":
            return np.log(np.asarray(x, dtype=float) - a)
        return special.logit((np.asarray(x, dtype=float) - a) / (b - a))

    def _from_latent(self, y):
        a, b = self.domain
        if self.family == "lognormal":
            return a + np.exp(y)
        return a + (b - a) * special.expit(y)

    @property
    def values(self) -> np.ndarray:
        """The values of a ``discrete`` input, smallest first."""
        if self.family != "discrete":
            raise ValueError(f"{self.name} is {self.family}, not discrete")
        return self.low + self.step * np.arange(round((self.high - self.low) / self.step) + 1)

    def from_standard_normal(self, z) -> np.ndarray:
        """The input's value for standard normal draws ``z`` (any shape): its ``Phi(z)`` quantile."""
        z = np.asarray(z, dtype=float)
        if self.fixed:
            return np.full(z.shape, self.low)
        if self.family == "discrete":
            values = self.values
            return values[np.minimum((special.ndtr(z) * len(values)).astype(int), len(values) - 1)]
        if self.family == "uniform":
            a_u, b_u = _uniform_support(self.low, self.high, self.level)
            return a_u + (b_u - a_u) * special.ndtr(z)
        lo, hi = self._latent(self.low), self._latent(self.high)
        centre, scale = 0.5 * (lo + hi), (hi - lo) / (2 * self.z_level)
        return self._from_latent(centre + scale * z)

    def quantile(self, q) -> np.ndarray:
        """The input's quantiles at probabilities ``q`` in (0, 1)."""
        q = check_number("q", q, gt=0, lt=1)
        return self.from_standard_normal(special.ndtri(q))

    def cdf(self, x) -> np.ndarray:
        """The probability that the input is at most ``x`` (any shape): the inverse of :meth:`quantile`."""
        x = np.asarray(x, dtype=float)
        if self.fixed:
            return (x >= self.low).astype(float)
        if self.family == "discrete":
            return np.searchsorted(self.values, x, side="right") / len(self.values)
        if self.family == "uniform":
            a_u, b_u = _uniform_support(self.low, self.high, self.level)
            return np.clip((x - a_u) / (b_u - a_u), 0.0, 1.0)
        a, b = self.domain
        lo, hi = self._latent(self.low), self._latent(self.high)
        centre, scale = 0.5 * (lo + hi), (hi - lo) / (2 * self.z_level)
        inside = (x > a) & (x < b)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (self._latent(np.where(inside, x, self.median)) - centre) / scale
        return np.where(inside, special.ndtr(z), (x >= b).astype(float))

    @property
    def median(self) -> float:
        """The median: the geometric midpoint (lognormal), the midpoint in logits or in the unit."""
        return float(self.from_standard_normal(0.0))

    def with_median(self, median: float) -> "Range":
        """The same spread moved to another median: shifted in logs, logits or the unit itself."""
        if self.fixed:
            return replace(self, low=median, high=median)
        if self.family in ("uniform", "discrete"):
            shift = median - self.median
            return replace(self, low=self.low + shift, high=self.high + shift)
        a, b = self.domain
        if not a < median < b:
            raise ParameterError(f"{self.name} median", median, f"a number > {a:g} and < {b:g}")
        shift = float(self._latent(median)) - float(self._latent(self.median))
        low, high = (float(self._from_latent(self._latent(x) + shift)) for x in (self.low, self.high))
        return replace(self, low=low, high=high)


def _uniform_support(low: float, high: float, level: float) -> tuple[float, float]:
    """Support of the uniform whose central ``level`` interval is ``[low, high]``."""
    pad = (high - low) * (1.0 - level) / (2.0 * level)
    return low - pad, high + pad


def check_run(n_draws, seed) -> tuple[int, int]:
    """Check a run's size and seed before anything is drawn.

    Parameters
    ----------
    n_draws : int
        Monte Carlo draws, 1 to :data:`MAX_DRAWS`.
    seed : int
        Seed of the random generator, a whole number >= 0.
    """
    return (check_int("n_draws", n_draws, ge=1, le=MAX_DRAWS), check_int("seed", seed, ge=0))


def _chunks(n: int, size: int = CHUNK) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _map(fn, items: list, workers: int) -> list:
    if workers <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


def sample(ranges: Sequence[Range], n_draws: int, rng: np.random.Generator, *,
           workers: int = WORKERS) -> dict[str, np.ndarray]:
    """Draw every range ``n_draws`` times, independently.

    Parameters
    ----------
    ranges : sequence of Range
        The inputs, with distinct names.
    n_draws : int
        Draws of each input (1 to :data:`MAX_DRAWS`).
    rng : numpy.random.Generator
        Seeded generator; chunk ``c`` of the draws uses the ``c``-th generator it spawns,
        so the same seed gives the same arrays, byte for byte, with any number of threads.
    workers : int
        Threads drawing chunks at once.

    Returns
    -------
    dict
        ``name -> array of shape (n_draws,)``, in the units of each range.
    """
    n_draws = check_int("n_draws", n_draws, ge=1, le=MAX_DRAWS)
    names = [r.name for r in ranges]
    if len(set(names)) != len(names):
        raise ValueError(f"input names must be distinct: {names}")
    out = {r.name: np.empty(n_draws) for r in ranges}
    parts = _chunks(n_draws)
    children = rng.spawn(len(parts))

    def fill(job):
        part, child = job
        z = child.standard_normal((len(ranges), part.stop - part.start))
        for r, zi in zip(ranges, z, strict=True):
            out[r.name][part] = r.from_standard_normal(zi)

    _map(fill, list(zip(parts, children, strict=True)), workers)
    return out


def _length(inputs: Mapping[str, np.ndarray]) -> int:
    lengths = {len(np.atleast_1d(v)) for v in inputs.values()}
    if len(lengths) != 1:
        raise ValueError(f"every input needs the same number of draws; got lengths {sorted(lengths)}")
    return lengths.pop()


def evaluate(model: Model, inputs: Mapping[str, np.ndarray], *, chunk: int = EVAL_CHUNK,
             workers: int = WORKERS) -> dict[str, np.ndarray]:
    """Evaluate a vectorised model over every draw, a chunk at a time.

    Parameters
    ----------
    model : callable
        ``model(inputs) -> outputs``, dicts of arrays whose leading axis is the draws.
    inputs : mapping
        ``name -> array of shape (n,)``.
    chunk : int
        Draws per call of ``model``; bounds the memory of its intermediate arrays.
    workers : int
        Threads evaluating chunks at once.

    Returns
    -------
    dict
        Each output with its chunks in place along the leading axis.
    """
    n = _length(inputs)
    parts = _chunks(n, check_int("chunk", chunk, ge=1))
    out = {}
    allocating = threading.Lock()

    def fill(part):
        result = {k: np.asarray(v) for k, v in model({k: np.asarray(v)[part] for k, v in inputs.items()}).items()}
        # The first chunk to finish gives the outputs' shapes (no chunk waits for another); every
        # chunk writes into its own slice, so no output is ever copied whole.
        with allocating:
            if not out:
                out.update({k: np.empty((n, *v.shape[1:]), dtype=v.dtype) for k, v in result.items()})
        for k, v in result.items():
            out[k][part] = v

    _map(fill, parts, workers)
    return out


def evaluate_each(model: Model, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Evaluate ``model`` one draw at a time, in a Python loop (the reference for :func:`evaluate`).

    Each call gets 0-dimensional inputs; the outputs are stacked along a new leading axis.
    """
    n = _length(inputs)
    rows = [model({k: np.asarray(v)[i] for k, v in inputs.items()}) for i in range(n)]
    return {k: np.stack([np.asarray(r[k]) for r in rows]) for k in rows[0]}


def quantiles(values, probs, axis: int = 0, weights=None) -> np.ndarray:
    """Quantiles of ``values`` along ``axis`` (the draws) at probabilities ``probs`` in [0, 1].

    Without weights, linear interpolation between order statistics (numpy's default). With
    ``weights`` (one per draw, >= 0, see :mod:`labecon_core.calibration`), the smallest value
    whose cumulative weight reaches each probability (the inverted distribution function,
    numpy's ``inverted_cdf`` for equal weights); draws with a NaN value are left out there.
    Returns an array with the probabilities' shape in place of ``axis``.
    """
    probs = np.asarray(check_number("probs", probs, ge=0, le=1), dtype=float)
    values = np.asarray(values, dtype=float)
    if values.shape[axis] == 0:
        raise ValueError("quantiles need at least one draw")
    if weights is None:
        return np.quantile(values, probs, axis=axis)
    w = _weights(weights, values.shape[axis])
    columns = np.moveaxis(values, axis, 0).reshape(values.shape[axis], -1)
    out = np.stack([_weighted_quantiles(columns[:, j], w, probs) for j in range(columns.shape[1])], axis=-1)
    return out.reshape(probs.shape + np.moveaxis(values, axis, 0).shape[1:])


def _weights(weights, n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,) or not np.all(w >= 0):
        raise ValueError(f"weights: one number >= 0 per draw ({n}), got shape {w.shape}")
    return w


def _weighted_quantiles(x: np.ndarray, w: np.ndarray, probs: np.ndarray) -> np.ndarray:
    keep = ~np.isnan(x) & (w > 0)
    x, w = x[keep], w[keep]
    if x.size == 0:
        return np.full(probs.shape, np.nan)
    order = np.argsort(x, kind="stable")
    cumulative = np.cumsum(w[order])
    cumulative /= cumulative[-1]
    # A hair below each probability, so that a cumulative weight equal to it in exact arithmetic still counts.
    at = np.searchsorted(cumulative, probs * (1 - 1e-12), side="left")
    return x[order][np.minimum(at, x.size - 1)]


def quantile_bands(values, bands: Mapping[str, float], weights=None) -> pd.DataFrame:
    """Quantiles over the draws of a path, one row per step of the path (a year, say), for a fan chart.

    Parameters
    ----------
    values : array, shape (n, T)
        The path in each draw.
    bands : mapping
        ``column name -> probability`` in [0, 1] (``{"q05": 0.05, "q50": 0.5}``).
    weights : array, shape (n,), optional
        A weight per draw (see :func:`quantiles`).

    Returns
    -------
    DataFrame
        ``T`` rows, a column per band: the path's quantile at its probability, in the unit of ``values``.
    """
    q = quantiles(values, list(bands.values()), weights=weights)
    return pd.DataFrame(dict(zip(bands, q, strict=True)))


def probability(event, weights=None) -> float:
    """Share of draws in which ``event`` (a boolean array over the draws) holds, or its share of ``weights``.

    With weights (one per draw, >= 0) it is ``sum(w * event) / sum(w)``; NaN if every weight is 0.
    """
    event = np.asarray(event)
    if event.dtype != bool:
        raise ValueError(f"an event is a boolean array; got dtype {event.dtype}")
    if event.size == 0:
        raise ValueError("a probability needs at least one draw")
    if weights is None:
        return float(event.mean())
    w = _weights(weights, event.shape[0])
    total = w.sum()
    return float(w[event].sum() / total) if total > 0 else math.nan


def standard_error(p: float, n_draws: int) -> float:
    """Monte Carlo standard error of a probability ``p`` estimated from ``n_draws`` draws."""
    p = check_number("p", p, ge=0, le=1)
    n = check_int("n_draws", n_draws, ge=1)
    return math.sqrt(p * (1.0 - p) / n)


def never_as_inf(times) -> np.ndarray:
    """Event times with "never" (NaN) as infinity: later than any time, so that such draws rank last."""
    times = np.asarray(times, dtype=float)
    return np.where(np.isnan(times), np.inf, times)


def probability_by(times, points, weights=None) -> np.ndarray:
    """Probability that an event has happened by each of ``points``: ``P(time <= point)``.

    ``times`` holds each draw's event time (a year, say); NaN means it never happens.
    With ``weights`` (one per draw, >= 0) each draw counts by its weight.
    """
    times = np.asarray(times, dtype=float).ravel()
    if times.size == 0:
        raise ValueError("a probability needs at least one draw")
    points = np.asarray(points, dtype=float)
    if weights is None:
        happened = never_as_inf(times)[:, None] <= points.ravel()[None, :]
        return happened.mean(axis=0).reshape(points.shape)
    w = _weights(weights, times.size)
    # Cumulative weight over the sorted times: monotone in the point by construction, and no BLAS product whose
    # summation order differs from one CPU to another.
    order = np.argsort(never_as_inf(times), kind="stable")
    cumulative = np.cumsum(w[order])
    if not cumulative[-1] > 0:
        return np.full(points.shape, np.nan)
    reached = np.searchsorted(never_as_inf(times)[order], points.ravel(), side="right")
    return (np.where(reached > 0, cumulative[np.maximum(reached - 1, 0)], 0.0) / cumulative[-1]).reshape(points.shape)


def tornado(outcome: Callable[[Mapping[str, np.ndarray]], np.ndarray], ranges: Sequence[Range]) -> pd.DataFrame:
    """One-at-a-time sensitivity of a scalar outcome to each uncertain input.

    Every input sits at its median; each one that is not fixed is then moved alone to
    its ``low`` and to its ``high``. All ``1 + 2k`` cases are evaluated in one call of
    the vectorised ``outcome``.

    Parameters
    ----------
    outcome : callable
        ``outcome(inputs) -> array of shape (n,)`` for inputs of shape ``(n,)``.
    ranges : sequence of Range

    Returns
    -------
    DataFrame
        One row per varied input, largest swing first (ties in the order given):
        ``input``, ``low`` and ``high`` (the input's values), ``at_low`` and ``at_high``
        (the outcome there), ``base`` (the outcome at the medians) and
        ``swing = |at_high - at_low|``. ``attrs["base"]`` holds the outcome at the medians
        also when no input varies (and the table is empty).
    """
    varied = [r for r in ranges if not r.fixed]
    medians = {r.name: r.median for r in ranges}
    cases = [medians] + [{**medians, r.name: end} for r in varied for end in (r.low, r.high)]
    values = np.asarray(outcome({k: np.array([c[k] for c in cases]) for k in medians}), dtype=float)
    if values.shape != (len(cases),):
        raise ValueError(f"the outcome must give one number per case; got shape {values.shape}")
    at_low, at_high = values[1::2], values[2::2]
    table = pd.DataFrame({
        "input": [r.name for r in varied], "low": [r.low for r in varied], "high": [r.high for r in varied],
        "at_low": at_low, "at_high": at_high, "base": values[0], "swing": np.abs(at_high - at_low),
    })
    table = table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs["base"] = float(values[0])
    return table


def average_ranks(values) -> np.ndarray:
    """Ranks ``1..n`` of the values, tied values sharing the average of their ranks (no NaN).

    The same as ``scipy.stats.rankdata``'s default, without loading ``scipy.stats``
    (most of a second), which the chapters otherwise do not need.
    """
    values = np.asarray(values, dtype=float).ravel()
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])  # where each run of equal values starts
    end = np.r_[first[1:], values.size]
    average = (first + 1 + end) / 2.0  # mean of the ranks first+1..end
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(average, end - first)
    return ranks


def rank_correlations(inputs: Mapping[str, np.ndarray], outcome) -> pd.Series:
    """Spearman rank correlation of each input with an outcome over the same draws.

    Ranks are averaged over ties, so an outcome capped at a value (no funding need,
    an event that never happens, entered as ``inf``) is handled. Inputs that do not
    vary are left out. NaN outcomes are not allowed: map them to a rank first.

    Returns
    -------
    Series
        ``input -> rho`` in [-1, 1], largest ``|rho|`` first; NaN if the outcome is constant.
    """
    y = np.asarray(outcome, dtype=float).ravel()
    if np.isnan(y).any():
        raise ValueError("the outcome has NaN draws; give them a rank (e.g. inf for never) first")
    ry = average_ranks(y)
    rho = {}
    for name, x in inputs.items():
        x = np.asarray(x, dtype=float).ravel()
        if x.shape != y.shape:
            raise ValueError(f"input {name} has {x.size} draws, the outcome {y.size}")
        if np.ptp(x) == 0:
            continue
        rho[name] = np.nan if np.ptp(ry) == 0 else float(np.corrcoef(average_ranks(x), ry)[0, 1])
    s = pd.Series(rho, dtype=float)
    return s.reindex(s.abs().sort_values(ascending=False, kind="stable").index)


def posterior_shifts(inputs: Mapping[str, np.ndarray], weights, ranges: Sequence[Range]) -> pd.DataFrame:
    """How far weighting the draws (a calibration, or 0/1 for keeping some) moves each input, in logs.

    Parameters
    ----------
    inputs : mapping
        ``name -> draws`` of each range's input, shape (n,).
    weights : array, shape (n,)
        A weight per draw (>= 0, some above 0); booleans keep the draws where they hold.
    ranges : sequence of Range
        The inputs to compare, with positive medians.

    Returns
    -------
    DataFrame
        Indexed by input, largest shift first (ties in the order given): ``median_prior`` (the
        range's median), ``median_posterior``, ``q05_posterior`` and ``q95_posterior`` (under the
        weights), all in the input's unit, and ``log_shift``, ``|log(median_posterior / median_prior)|``.
    """
    w = np.asarray(weights, dtype=float)
    if not w.sum() > 0:
        raise ValueError("the weights must hold some weight (at least one draw above 0)")
    medians = np.array([r.median for r in ranges], dtype=float)
    q = np.array([quantiles(np.asarray(inputs[r.name], dtype=float), [0.5, 0.05, 0.95], weights=w) for r in ranges])
    q = q.reshape(len(ranges), 3)
    frame = pd.DataFrame({"median_prior": medians, "median_posterior": q[:, 0], "q05_posterior": q[:, 1],
                          "q95_posterior": q[:, 2], "log_shift": np.abs(np.log(q[:, 0] / medians))},
                         index=pd.Index([r.name for r in ranges], name="input"))
    return frame.sort_values("log_shift", ascending=False, kind="stable")


def density_table(x, y, x_edges, y_edges, weights=None) -> pd.DataFrame:
    """Share of the draws in each cell of a grid over two outcomes, for a density map.

    Parameters
    ----------
    x, y : array
        Two outcomes over the same draws.
    x_edges, y_edges : array
        Increasing cell edges; draws outside them are counted in no cell.
    weights : array, optional
        A weight per draw (>= 0): each draw counts by its weight.

    Returns
    -------
    DataFrame
        One row per cell holding some weight: ``x0``, ``x1``, ``y0``, ``y1`` (the cell's
        edges) and ``share`` (of all draws or all weight, outside ones included).
    """
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape or x.size == 0:
        raise ValueError("x and y need the same number of draws, at least one")
    x_edges, y_edges = np.asarray(x_edges, dtype=float), np.asarray(y_edges, dtype=float)
    w = None if weights is None else _weights(weights, x.size)
    counts, _, _ = np.histogram2d(x, y, bins=[x_edges, y_edges], weights=w)
    total = x.size if w is None else w.sum()
    i, j = np.nonzero(counts)
    return pd.DataFrame({"x0": x_edges[i], "x1": x_edges[i + 1], "y0": y_edges[j], "y1": y_edges[j + 1],
                         "share": counts[i, j] / total})
