"""What the labs report, and what it implies: the arithmetic of the chapter "What the labs report".

The reported figures are rows of ``data/lab_finances.csv``. Sources state them in
different ways ("$3.5-4.5B", "up to $8.5B", "over $2.7B", "about $1.5B"), so each
figure is read as an interval :class:`Interval` ``[lo, hi]`` by its ``qualifier``,
with one explicit reading tolerance ``t`` (a share):

======== ==========================
range    ``[low, high]``
up to    ``[high (1 - t), high]``
over     ``[low, low (1 + t)]``
about    ``[value (1 - t), value (1 + t)]``
nearly   ``[value (1 - t), value]``
point    ``[value, value]``
======== ==========================

Sums and differences of figures follow interval arithmetic, so every derived
number (a loss, a ratio) carries the range the reported figures allow.

The bridge to the cohort model (:mod:`labecon_core.cohort`) asks which
parameters reproduce a lab's reported revenue and loss in one year. Every
quantity of the cohort model is proportional to the first training cost
``C_0``, so the model is run once at ``C_0 = 1`` over a grid of cost growth,
revenue multiple and gross margin; each reported interval ``[a, b]`` on a
quantity ``q = C_0 q_1`` then bounds ``C_0`` to ``[a / q_1, b / q_1]``, and a grid
point fits when the bounds from every target overlap. The result is the set
of fits, each with the interval of first training costs that makes it fit.
"""

import calendar
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from labecon_core.cohort import CohortParams, cohort_model
from labecon_core.errors import DataError
from labecon_core.validation import check_choice, check_int, check_number, check_share

QUALIFIERS = ("range", "up to", "over", "about", "nearly", "point")
#: How far the book reads a figure stated as about, nearly, up to or over from the stated number (share).
READING_TOLERANCE = 0.1
# Columns each qualifier reads; the others must be empty.
_NEEDS = {
    "range": ("low", "high"),
    "up to": ("high",),
    "over": ("low",),
    "about": ("value",),
    "nearly": ("value",),
    "point": ("value",),
}
LOSS_BASES = ("after tax", "before tax")
#: Microsoft's reported figure for each basis, as items of ``lab_finances`` (OpenAI, 2025-Q3).
MSFT_LOSS_ITEMS = {
    "after tax": "Microsoft net income cut from OpenAI losses",
    "before tax": "Microsoft pre-tax loss from OpenAI",
}

#: OpenAI's reported 2024 figures that add up: (total, ((part, sign), ...)).
OPENAI_2024_IDENTITIES = (
    ("training and inference compute", (("inference on Microsoft servers", 1), ("training including data", 1))),
    ("operating costs", (("training and inference compute", 1), ("staff costs", 1))),
    ("net loss", (("operating costs", 1), ("revenue", -1))),
)
#: The items of OpenAI's 2024 cost stack, bottom to top.
OPENAI_2024_STACK = ("inference on Microsoft servers", "training including data", "staff costs")


@dataclass(frozen=True)
class Interval:
    """A closed interval ``[lo, hi]`` of a reported or derived figure (unit of the figure).

    Arithmetic follows interval rules: ``a + b = [a.lo + b.lo, a.hi + b.hi]``,
    ``a - b = [a.lo - b.hi, a.hi - b.lo]``, and a product or quotient spans the
    smallest to the largest of its four corner values (a quotient needs a divisor
    that does not contain zero).
    """

    lo: float
    hi: float

    def __post_init__(self):
        lo = check_number("lo", self.lo)
        hi = check_number("hi", self.hi)
        if lo > hi:
            raise ValueError(f"interval [{lo:g}, {hi:g}]: lo must not exceed hi")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    @classmethod
    def point(cls, value: float) -> "Interval":
        """The degenerate interval ``[value, value]``."""
        return cls(value, value)

    @property
    def mid(self) -> float:
        """The midpoint."""
        return 0.5 * (self.lo + self.hi)

    def __add__(self, other: "Interval") -> "Interval":
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: "Interval") -> "Interval":
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def __mul__(self, other: "Interval") -> "Interval":
        corners = [a * b for a in self.as_tuple() for b in other.as_tuple()]
        return Interval(min(corners), max(corners))

    def __truediv__(self, other: "Interval") -> "Interval":
        if other.lo <= 0 <= other.hi:
            raise ValueError(f"cannot divide by an interval that contains zero: [{other.lo:g}, {other.hi:g}]")
        corners = [a / b for a in self.as_tuple() for b in other.as_tuple()]
        return Interval(min(corners), max(corners))

    def scale(self, k: float) -> "Interval":
        """``k`` times the interval, for ``k >= 0``."""
        k = check_number("k", k, ge=0)
        return Interval(k * self.lo, k * self.hi)

    def overlaps(self, other: "Interval") -> bool:
        """Whether the two intervals share at least one value."""
        return self.lo <= other.hi and other.lo <= self.hi

    def as_tuple(self) -> tuple[float, float]:
        """``(lo, hi)``."""
        return (self.lo, self.hi)


def read_bounds(frame: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Add columns ``lo`` and ``hi``: the interval each reported figure allows.

    Parameters
    ----------
    frame : DataFrame
        Rows of ``lab_finances`` (columns ``qualifier``, ``value``, ``low``, ``high``).
    tolerance : float
        Share ``t`` in [0, 1) by which a figure stated as *about*, *nearly*,
        *up to* or *over* may differ from the stated number (see the module table).

    Raises
    ------
    DataError
        If a row's qualifier is unknown or the columns it reads are empty, naming the row.
    """
    t = check_number("reading_tolerance", tolerance, ge=0, lt=1)
    for i, row in enumerate(frame.itertuples(index=False)):
        if row.qualifier not in _NEEDS:
            raise DataError(f"lab_finances row {i + 1}, column qualifier: {row.qualifier!r} is not one of "
                            f"{', '.join(QUALIFIERS)}")
        for col in ("value", "low", "high"):
            given = not pd.isna(getattr(row, col))
            if given != (col in _NEEDS[row.qualifier]):
                need = " and ".join(_NEEDS[row.qualifier])
                raise DataError(
                    f"lab_finances row {i + 1} ({row.lab}, {row.period}, {row.item}), column {col}: "
                    f"a figure qualified {row.qualifier!r} gives {need} only"
                )
    q, v, low, high = frame.qualifier, frame.value, frame.low, frame.high
    lo = np.select(
        [q == "range", q == "up to", q == "over", q.isin(["about", "nearly"]), q == "point"],
        [low, high * (1 - t), low, v * (1 - t), v],
    )
    hi = np.select(
        [q == "range", q == "up to", q == "over", q == "about", q.isin(["nearly", "point"])],
        [high, high, low * (1 + t), v * (1 + t), v],
    )
    return frame.assign(lo=lo, hi=hi)


@dataclass(frozen=True, eq=False)
class Reported:
    """The reported figures, each read as an interval with one tolerance.

    Parameters
    ----------
    table : DataFrame
        The ``lab_finances`` table (see :func:`labecon_core.data.load`).
    tolerance : float
        Reading tolerance ``t`` (see :func:`read_bounds`).
    """

    table: pd.DataFrame
    tolerance: float
    bounds: pd.DataFrame = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "bounds", read_bounds(self.table, self.tolerance))

    def row(self, lab: str, period: str, item: str) -> pd.Series:
        """The row of one figure; an error listing the items of ``lab`` and ``period`` otherwise."""
        b = self.bounds
        hit = b[(b.lab == lab) & (b.period == period) & (b["item"] == item)]
        if len(hit) != 1:
            known = b.loc[(b.lab == lab) & (b.period == period), "item"].tolist()
            found = "no" if hit.empty else f"{len(hit)}"
            raise DataError(f"lab_finances: {found} rows for {lab}, {period}, {item!r}; the items are: {known}")
        return hit.iloc[0]

    def interval(self, lab: str, period: str, item: str) -> Interval:
        """The interval allowed by one reported figure, in the row's unit."""
        r = self.row(lab, period, item)
        return Interval(r.lo, r.hi)

    def stated(self, lab: str, period: str, item: str) -> float:
        """The number as stated: ``value``, else the ceiling (``high``), else the floor (``low``)."""
        r = self.row(lab, period, item)
        return float(next(x for x in (r.value, r.high, r.low) if not pd.isna(x)))


def check_identities(reported: Reported, lab: str, period: str, identities) -> pd.DataFrame:
    """Confront each reported total with the sum of its reported parts.

    Parameters
    ----------
    reported : Reported
    lab, period : str
        Whose figures, and for which period.
    identities : sequence of (str, sequence of (str, int))
        ``(total item, ((part item, +1 or -1), ...))``, e.g. :data:`OPENAI_2024_IDENTITIES`.

    Returns
    -------
    DataFrame
        One row per identity: ``total``, ``parts`` (as text), ``reported_lo``/``reported_hi``
        (the total as reported), ``parts_lo``/``parts_hi`` (the signed sum of the parts) and
        ``consistent`` (the two intervals overlap), in the rows' unit.
    """
    rows = []
    for total, parts in identities:
        acc = Interval.point(0.0)
        for item, sign in parts:
            x = reported.interval(lab, period, item)
            acc = acc + x if sign > 0 else acc - x
        rep = reported.interval(lab, period, total)
        text = " ".join(("+ " if s > 0 else "- ") + item for item, s in parts).removeprefix("+ ")
        rows.append({"total": total, "parts": text, "reported_lo": rep.lo, "reported_hi": rep.hi,
                     "parts_lo": acc.lo, "parts_hi": acc.hi, "consistent": rep.overlaps(acc)})
    return pd.DataFrame(rows)


def period_time(period: str, run_rate: bool) -> Interval:
    """When a reported figure holds, in fractional calendar years (2024.5 is the middle of 2024).

    A flow over a period (a year's revenue, a quarter's loss) is read at the period's middle; a run rate
    stated for a period (an annualized revenue "in 2026") may hold anywhere in it.

    Parameters
    ----------
    period : str
        ``YYYY``, ``YYYY-MM`` or ``YYYY-Qn``.
    run_rate : bool
        Whether the figure is a rate at some moment of the period rather than a flow over all of it.
    """
    text = str(period)
    try:
        year = int(text[:4])
        if len(text) == 4:
            start, length = float(year), 1.0
        elif text[4:6] == "-Q" and len(text) == 7 and text[6] in "1234":
            start, length = year + (int(text[6]) - 1) / 4, 0.25
        elif text[4] == "-" and len(text) == 7 and 1 <= int(text[5:]) <= 12:
            start, length = year + (int(text[5:]) - 1) / 12, 1 / 12
        else:
            raise ValueError
    except (ValueError, IndexError):
        raise DataError(f"period {text!r}: expected YYYY, YYYY-MM or YYYY-Qn") from None
    return Interval(start, start + length) if run_rate else Interval.point(start + length / 2)


def annual_growth(start: Interval, end: Interval, start_time: Interval, end_time: Interval) -> Interval:
    """The yearly growth factor between two yearly amounts, ``(end / start) ** (1 / years)``, over every reading.

    Parameters
    ----------
    start, end : Interval
        The amounts, USD a year (> 0).
    start_time, end_time : Interval
        When each holds, fractional years (see :func:`period_time`); every end time after every start time.

    Returns
    -------
    Interval
        The lowest and highest growth factor a year the readings allow (× a year).
    """
    if not (start.lo > 0 and end.lo > 0):
        raise ValueError("growth needs positive amounts")
    if not end_time.lo > start_time.hi:
        raise ValueError(f"the end ({end_time.lo:g}) must come after the start ({start_time.hi:g})")
    corners = [(e / s) ** (1.0 / (t1 - t0)) for s in (start.lo, start.hi) for e in (end.lo, end.hi)
               for t0 in (start_time.lo, start_time.hi) for t1 in (end_time.lo, end_time.hi)]
    return Interval(min(corners), max(corners))


def net_loss(costs: Interval, revenue: Interval) -> Interval:
    """The loss that costs and revenue allow: ``costs - revenue`` as intervals, USD (negative: a profit)."""
    return costs - revenue


def loss_range(reported: Reported, lab: str, period: str, costs: str, revenue: str) -> Interval:
    """The loss that reported costs and revenue allow: :func:`net_loss` of two reported items, USD."""
    return net_loss(reported.interval(lab, period, costs), reported.interval(lab, period, revenue))


def stated_multiple(reported: Reported, lab: str, item: str, period: str, earlier_period: str) -> float:
    """How many times the figure stated for ``period`` is the one stated for ``earlier_period`` (×).

    Both as stated (:meth:`Reported.stated`), not as intervals: a headline growth multiple.
    """
    return reported.stated(lab, period, item) / reported.stated(lab, earlier_period, item)


def revenue_from_share(share: Interval, reference_revenue: Interval) -> Interval:
    """A lab's revenue stated as a share of another's: ``share × reference revenue``, USD.

    Parameters
    ----------
    share : Interval
        The lab's revenue over the reference lab's (a share, e.g. a tenth to a fifth).
    reference_revenue : Interval
        The reference lab's revenue, USD.
    """
    return share * reference_revenue


def cost_stack(reported: Reported, lab: str = "OpenAI", period: str = "2024", parts=OPENAI_2024_STACK,
               total: str = "operating costs", revenue: str = "revenue") -> pd.DataFrame:
    """The cost items of a year stacked against revenue, with their ranges (USD).

    Returns
    -------
    DataFrame
        Columns ``bar`` (``costs by item``, ``costs as reported``, ``revenue``, ``loss``),
        ``item``, ``lo``, ``hi``, ``mid`` (the bar height: the interval's midpoint),
        ``base`` (the top of the items below it in the stack) and ``whisker`` (whether the
        row's ``lo``/``hi`` is the bar's whole range, drawn as an error bar).
    """
    rows, base, acc = [], 0.0, Interval.point(0.0)
    for item in parts:
        x = reported.interval(lab, period, item)
        rows.append({"bar": "costs by item", "item": item, "lo": x.lo, "hi": x.hi, "mid": x.mid, "base": base,
                     "whisker": False})
        base += x.mid
        acc = acc + x
    rows.append({"bar": "costs by item", "item": "sum of the items", "lo": acc.lo, "hi": acc.hi, "mid": acc.mid,
                 "base": 0.0, "whisker": True})
    for bar, x in (("costs as reported", reported.interval(lab, period, total)),
                   ("revenue", reported.interval(lab, period, revenue)),
                   ("loss", loss_range(reported, lab, period, total, revenue))):
        rows.append({"bar": bar, "item": bar, "lo": x.lo, "hi": x.hi, "mid": x.mid, "base": 0.0, "whisker": True})
    return pd.DataFrame(rows)


#: The figure of ``lab_finances`` (2024) each lab's AI spend in ``ai_spend_2024`` is held against.
AI_SPEND_ITEMS = {"OpenAI": "operating costs", "Anthropic": "total spend"}


def compare_spend_sources(spend: pd.DataFrame, reported: Reported, items=AI_SPEND_ITEMS,
                          period: str = "2024") -> pd.DataFrame:
    """Each lab's AI spend range from one source against the matching reported figure of another.

    Parameters
    ----------
    spend : DataFrame
        The ``ai_spend_2024`` table (columns ``company``, ``spend_low_usd``, ``spend_high_usd``).
    reported : Reported
        The ``lab_finances`` figures, read at the chapter's tolerance.
    items : dict
        ``lab -> lab_finances item`` to compare, e.g. :data:`AI_SPEND_ITEMS`.
    period : str
        The period of the ``lab_finances`` items.

    Returns
    -------
    DataFrame
        One row per lab, in the order of ``items``: ``lab``, ``item``, ``spend_lo``/``spend_hi`` (the
        range of ``spend``), ``reported_lo``/``reported_hi`` (the reported figure's interval), all USD;
        ``overlaps`` (the two share a value) and ``position`` of the spend range against the reported
        one: ``"overlaps"``, ``"above"`` or ``"below"`` (entirely).
    """
    by_company = spend.set_index("company")
    rows = []
    for lab, item in items.items():
        ranged = Interval(by_company.loc[lab, "spend_low_usd"], by_company.loc[lab, "spend_high_usd"])
        figure = reported.interval(lab, period, item)
        position = "overlaps" if ranged.overlaps(figure) else "above" if ranged.lo > figure.hi else "below"
        rows.append({"lab": lab, "item": item, "spend_lo": ranged.lo, "spend_hi": ranged.hi,
                     "reported_lo": figure.lo, "reported_hi": figure.hi, "overlaps": position == "overlaps",
                     "position": position})
    return pd.DataFrame(rows)


def implied_accelerator_hours(spend_usd, price_usd_per_hour):
    """Accelerator-hours a spend buys at an hourly rental price: ``spend / price``.

    Parameters
    ----------
    spend_usd : float or array
        Spend on rented accelerators, USD (>= 0).
    price_usd_per_hour : float or array
        Rental price of one accelerator for one hour, USD (> 0).

    Returns
    -------
    float or ndarray
        Accelerator-hours.
    """
    spend = check_number("spend_usd", spend_usd, ge=0)
    price = check_number("price_usd_per_hour", price_usd_per_hour, gt=0)
    return spend / price


def hours_in_year(year: int) -> int:
    """Hours in a calendar year (8,784 in a leap year, else 8,760)."""
    year = check_int("year", year, ge=1, le=9999)
    return 24 * (366 if calendar.isleap(year) else 365)


def fleet_equivalent(accelerator_hours, year: int):
    """The number of accelerators that, running every hour of ``year``, supply ``accelerator_hours``."""
    return check_number("accelerator_hours", accelerator_hours, ge=0) / hours_in_year(year)


def training_runs_equivalent(accelerator_hours, cluster_size, days):
    """How many training runs of ``cluster_size`` accelerators for ``days`` days the hours would supply.

    ``hours / (cluster_size * 24 * days)``; arrays broadcast (e.g. a range of days).
    """
    hours = check_number("accelerator_hours", accelerator_hours, ge=0)
    n = check_number("cluster_size", cluster_size, gt=0)
    d = check_number("days", days, gt=0)
    return hours / (n * 24.0 * d)


def implied_investee_loss(recognized_loss_usd, stake):
    """Net loss of a company implied by an equity-method investor's share of it: ``L = S / s``.

    Under the equity method an investor holding a share ``s`` of a company books
    ``s`` times the company's profit or loss; dividing the booked loss ``S`` by the
    stake recovers the company's loss.

    Parameters
    ----------
    recognized_loss_usd : float or array
        Loss booked by the investor, USD (>= 0).
    stake : float or array
        The investor's share of the company, in (0, 1].

    Returns
    -------
    float or ndarray
        The company's implied net loss, USD.
    """
    loss = check_number("recognized_loss_usd", recognized_loss_usd, ge=0)
    s = check_number("stake", stake, gt=0, le=1)
    return loss / s


def spend_per_revenue_dollar(costs: Interval, revenue: Interval) -> Interval:
    """Dollars spent for each dollar of revenue: ``costs / revenue`` (USD per USD)."""
    return costs / revenue


def implied_gross_margin(serving_cost: Interval, revenue: Interval) -> Interval:
    """Gross margin left after serving costs: ``1 - serving / revenue`` (share of revenue; may be negative)."""
    return Interval.point(1.0) - serving_cost / revenue


def loss_per_revenue_dollar(spend_per_dollar: Interval) -> Interval:
    """Loss per dollar of revenue of a lab that spends ``r`` per dollar: ``r - 1`` (USD per USD)."""
    return spend_per_dollar - Interval.point(1.0)


def revenue_implied_by_spend_ratio(loss: Interval, spend_per_dollar: Interval) -> Interval:
    """Revenue implied by a loss and a spend-per-dollar ratio ``r``: ``R = L / (r - 1)``, USD.

    From ``costs = r R`` and ``loss = costs - R``. Needs ``r > 1`` (a loss).
    """
    margin = loss_per_revenue_dollar(spend_per_dollar)
    if margin.lo <= 0:
        raise ValueError(f"a spend ratio of [{spend_per_dollar.lo:g}, {spend_per_dollar.hi:g}] per dollar "
                         "must exceed 1 to imply a loss")
    return loss / margin


def implied_loss_by_basis(recognized: dict[str, float], stake: float) -> dict[str, float]:
    """Implied net loss (USD) for each booked-loss basis at one stake (share, 0-1).

    ``recognized`` maps a basis name (``after tax``...) to the investor's booked loss, USD;
    each is scaled up by :func:`implied_investee_loss`.
    """
    return {basis: float(implied_investee_loss(loss, stake)) for basis, loss in recognized.items()}


def implied_loss_table(recognized: dict[str, float], stakes) -> pd.DataFrame:
    """Implied net loss (USD) for each booked-loss basis over a range of stakes (share, 0-1).

    ``recognized`` maps a basis name (``after tax``...) to the investor's booked loss, USD.
    """
    stakes = np.asarray(check_number("stakes", stakes, gt=0, le=1), dtype=float).ravel()
    return pd.DataFrame([
        {"basis": basis, "stake": s, "implied_loss_usd": float(implied_investee_loss(loss, s))}
        for basis, loss in recognized.items() for s in stakes
    ])


# ---------------------------------------------------------------------------
# The bridge to the cohort model
# ---------------------------------------------------------------------------

#: Cohort-model quantities a target may constrain in its year (USD).
BRIDGE_QUANTITIES = ("revenue", "loss", "training", "serving")


@dataclass(frozen=True)
class BridgeTargets:
    """What the cohort model must reproduce in ``year`` (intervals in USD).

    ``loss`` is the model's loss, ``training + serving - revenue``: costs the
    model does not have (staff) must be taken out of a reported loss first.
    ``training`` and ``serving`` are optional extra constraints.
    """

    year: int
    revenue: Interval
    loss: Interval
    training: Interval | None = None
    serving: Interval | None = None

    def __post_init__(self):
        check_int("year", self.year, ge=1900, le=2200)

    def constraints(self) -> dict[str, Interval]:
        """The targets that are set, by quantity name."""
        return {q: getattr(self, q) for q in BRIDGE_QUANTITIES if getattr(self, q) is not None}


def bridge_params(first_year: int, through_year: int, *, revenue_years: int = 1, revenue_decay: float = 0.0,
                  generation_interval_years: int = 1) -> CohortParams:
    """Structural cohort parameters for the bridge: scaling continues, P&L from ``first_year`` through ``through_year``.

    Enough generations are trained to cover the horizon; the numeric parameters
    (first cost, growth, multiple, margin) are placeholders set by :func:`fit_cohort`.
    """
    first_year = check_int("bridge_first_year", first_year, ge=1900, le=2200)
    horizon = check_int("through_year", through_year, ge=first_year, le=2200) - first_year + 1
    interval = check_int("bridge_generation_interval_years", generation_interval_years, ge=1, le=20)
    return CohortParams(first_year=first_year, generations=(horizon - 1) // interval + 1,
                        revenue_years=revenue_years, revenue_decay=revenue_decay,
                        generation_interval_years=interval, scenario="continue", horizon_years=horizon)


def _first_cost_bounds(per_unit: np.ndarray, target: Interval) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on ``C_0 > 0`` from ``C_0 q_1 in [a, b]`` (``q_1`` per unit of first training cost)."""
    a, b = target.lo, target.hi
    zero_ok = a <= 0 <= b
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(per_unit > 0, a / per_unit, np.where(per_unit < 0, b / per_unit, -np.inf if zero_ok else np.inf))
        hi = np.where(per_unit > 0, b / per_unit, np.where(per_unit < 0, a / per_unit, np.inf if zero_ok else -np.inf))
    return lo, hi


@dataclass(frozen=True, eq=False)
class BridgeFit:
    """The result of :func:`fit_cohort`.

    Attributes
    ----------
    table : DataFrame
        One row per grid point: ``cost_growth``, ``revenue_multiple``, ``gross_margin``,
        ``growth_to_multiple`` (g / m), ``loss_to_revenue`` (the model's loss over its revenue
        in the target year; it does not depend on the first training cost),
        ``next_loss_to_revenue`` (the same a year later, NaN beyond the horizon),
        ``first_cost_low_usd`` / ``first_cost_high_usd`` (the first training costs that fit,
        NaN where none does) and ``consistent``.
    targets : BridgeTargets
    """

    table: pd.DataFrame
    targets: BridgeTargets

    @property
    def fits(self) -> pd.DataFrame:
        """The consistent grid points."""
        return self.table[self.table.consistent]

    @property
    def share(self) -> float:
        """Share of the grid points that fit."""
        return float(self.table.consistent.mean())

    def ranges(self) -> dict[str, tuple[float, float] | None]:
        """Smallest and largest value of each parameter over the fits (``None`` when nothing fits)."""
        f = self.fits
        cols = ("cost_growth", "revenue_multiple", "gross_margin", "growth_to_multiple", "loss_to_revenue",
                "next_loss_to_revenue")
        out = {c: None if f.empty or f[c].isna().all() else (float(f[c].min()), float(f[c].max())) for c in cols}
        out["first_training_cost"] = None if f.empty else (float(f.first_cost_low_usd.min()),
                                                           float(f.first_cost_high_usd.max()))
        return out

    def at_edge(self) -> dict[str, tuple[bool, bool]]:
        """For each grid parameter, whether the fits reach the grid's lower and upper edge."""
        t, f = self.table, self.fits
        return {c: (not f.empty and bool(np.isclose(f[c].min(), t[c].min())),
                    not f.empty and bool(np.isclose(f[c].max(), t[c].max())))
                for c in ("cost_growth", "revenue_multiple", "gross_margin")}

    def spanning_grid(self) -> list[str]:
        """The grid parameters whose fits reach both edges of the grid (none when nothing fits)."""
        return [name for name, (low, high) in self.at_edge().items() if low and high]

    def reaches_edge(self, names=("cost_growth", "revenue_multiple")) -> bool:
        """Whether the fits of any of the named grid parameters reach an edge of the grid."""
        edges = self.at_edge()
        return any(any(edges[name]) for name in names)


def fit_cohort(base: CohortParams, targets: BridgeTargets, cost_growth, revenue_multiple,
               gross_margin) -> BridgeFit:
    """Every grid point of (cost growth, revenue multiple, gross margin) that reproduces the targets.

    Parameters
    ----------
    base : CohortParams
        Structural parameters (years, generations, revenue profile, ending), e.g.
        from :func:`bridge_params`; ``targets.year`` must be one of its P&L years.
    targets : BridgeTargets
        Intervals the model's revenue, loss (and optionally training spend and
        serving cost) must fall in, in ``targets.year``.
    cost_growth, revenue_multiple, gross_margin : array_like
        The grid's values of each parameter (> 0, >= 0 and in [0, 1]).

    Returns
    -------
    BridgeFit
        The whole grid, with the first training costs (USD) that make each point fit.

    Notes
    -----
    One call of :func:`labecon_core.cohort.cohort_model` over the grid, at a first
    training cost of 1: every output is proportional to it, so each target
    interval turns into an interval of first training costs, and a point fits
    when these intersect.
    """
    g, m, gm = np.meshgrid(
        np.asarray(check_number("cost_growth", cost_growth, gt=0), float).ravel(),
        np.asarray(check_number("revenue_multiple", revenue_multiple, ge=0), float).ravel(),
        np.asarray(check_share("gross_margin", gross_margin), float).ravel(),
        indexing="ij",
    )
    unit = cohort_model(replace(base, first_training_cost=1.0, cost_growth=g, revenue_multiple=m, gross_margin=gm))
    years = list(unit.years)
    if targets.year not in years:
        raise ValueError(f"target year {targets.year} is outside the model's years {years[0]}-{years[-1]}")
    i = years.index(targets.year)
    per_unit = {"revenue": unit.revenue, "loss": -unit.profit, "training": unit.training_spend,
                "serving": unit.serving_cost}
    lo, hi = np.zeros(g.shape), np.full(g.shape, np.inf)
    for name, target in targets.constraints().items():
        a, b = _first_cost_bounds(per_unit[name][..., i], target)
        lo, hi = np.maximum(lo, a), np.minimum(hi, b)
    consistent = (lo <= hi) & (hi > 0)

    def ratio(j):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(unit.revenue[..., j] > 0, -unit.profit[..., j] / unit.revenue[..., j], np.nan)

    table = pd.DataFrame({
        "cost_growth": g.ravel(),
        "revenue_multiple": m.ravel(),
        "gross_margin": gm.ravel(),
        "growth_to_multiple": np.divide(g, m, out=np.full(g.shape, np.inf), where=m > 0).ravel(),
        "loss_to_revenue": ratio(i).ravel(),
        "next_loss_to_revenue": (ratio(i + 1) if i + 1 < len(years) else np.full(g.shape, np.nan)).ravel(),
        "first_cost_low_usd": np.where(consistent, lo, np.nan).ravel(),
        "first_cost_high_usd": np.where(consistent, hi, np.nan).ravel(),
        "consistent": consistent.ravel(),
    })
    return BridgeFit(table, targets)


def loss_ratio_gap(reported_loss_to_revenue: Interval, fitted: tuple[float, float] | None) -> float | None:
    """How far the fitted models' loss per dollar of revenue falls short of a reported one (USD per USD).

    ``reported_loss_to_revenue.lo - fitted[1]``: the least rise in loss per dollar of revenue, from costs outside
    the model, that takes the highest fitted ratio up to the reported interval. Zero or negative
    when some fitted ratio already reaches it; ``None`` when nothing fits (``fitted`` is ``None``,
    as :meth:`BridgeFit.ranges` gives it).
    """
    return None if fitted is None else reported_loss_to_revenue.lo - fitted[1]


def fit_map(fit: BridgeFit) -> pd.DataFrame:
    """The fits summarized over (cost growth, revenue multiple), for a map.

    Returns
    -------
    DataFrame
        One row per (cost growth, revenue multiple) with at least one fit: ``n_margins``
        (how many grid margins fit) and ``margin_low`` / ``margin_high`` (the lowest and
        highest gross margin that fits, share of revenue).
    """
    return (fit.fits.groupby(["cost_growth", "revenue_multiple"], as_index=False)
            .agg(n_margins=("gross_margin", "size"), margin_low=("gross_margin", "min"),
                 margin_high=("gross_margin", "max")))


def openai_2024_targets(reported: Reported, *, net_out_staff: bool, with_cost_lines: bool) -> BridgeTargets:
    """OpenAI's 2024 revenue and loss as bridge targets (USD).

    The loss is reported operating costs minus revenue; with ``net_out_staff`` the
    staff costs are taken out of it, since the cohort model has no staff. With
    ``with_cost_lines``, the reported training (including data) and inference
    spend must also be matched by the model's training spend and serving cost.
    """
    loss = loss_range(reported, "OpenAI", "2024", "operating costs", "revenue")
    if net_out_staff:
        loss = loss - reported.interval("OpenAI", "2024", "staff costs")
    lines = {}
    if with_cost_lines:
        lines = {"training": reported.interval("OpenAI", "2024", "training including data"),
                 "serving": reported.interval("OpenAI", "2024", "inference on Microsoft servers")}
    return BridgeTargets(2024, reported.interval("OpenAI", "2024", "revenue"), loss, **lines)


def bridge_grid(max_cost_growth: float, max_revenue_multiple: float) -> dict[str, np.ndarray]:
    """The fitting grid: cost growth from 1 and revenue multiple from 0.25 in steps of 0.25, margin 0-1 by 0.05."""
    g_max = check_number("bridge_max_cost_growth", max_cost_growth, ge=1.5, le=100)
    m_max = check_number("bridge_max_revenue_multiple", max_revenue_multiple, ge=0.5, le=100)
    return {
        "cost_growth": np.round(np.arange(1.0, g_max + 1e-9, 0.25), 2),
        "revenue_multiple": np.round(np.arange(0.25, m_max + 1e-9, 0.25), 2),
        "gross_margin": np.round(np.linspace(0.0, 1.0, 21), 2),
    }


#: The two target sets of the chapter's map of fits, as ``targets`` in :func:`fits_what_if`.
WHAT_IF_TARGETS = {"revenue and loss": False, "revenue, loss and cost lines": True}


def fits_what_if(table: pd.DataFrame, base: CohortParams, tolerances, net_out_staff, cost_growth, revenue_multiple,
                 gross_margin) -> pd.DataFrame:
    """The map of fits (:func:`fit_map`) for every reading tolerance and staff treatment, in one call.

    Feeds the chapter's what-if chart: every cell the reader can reveal is computed here.
    For each tolerance and each staff treatment, OpenAI's 2024 targets are read
    (:func:`openai_2024_targets`), without and with the cost lines, and the cohort
    model is fitted over the whole (cost growth, revenue multiple, gross margin)
    grid in one vectorised :func:`fit_cohort`.

    Parameters
    ----------
    table : DataFrame
        The ``lab_finances`` table.
    base : CohortParams
        Structural parameters of the bridge (see :func:`bridge_params`).
    tolerances : array_like
        Reading tolerances, shares in [0, 0.5] (see :func:`read_bounds`); duplicates are dropped.
    net_out_staff : bool or 0/1, or a sequence of them
        Whether staff costs are taken out of the reported loss.
    cost_growth, revenue_multiple, gross_margin : array_like
        The fitting grid (×, ×, share), as in :func:`fit_cohort`.

    Returns
    -------
    DataFrame
        One row per tolerance, staff treatment, target set and (cost growth, revenue
        multiple) with at least one fit: ``reading_tolerance`` (share),
        ``net_out_staff`` (1 if staff costs are taken out, else 0), ``targets``
        (a key of :data:`WHAT_IF_TARGETS`), ``cost_growth`` and ``revenue_multiple``
        (×), ``n_margins`` (how many grid margins fit), ``margin_low`` and ``margin_high``
        (the lowest and highest that fit, share of revenue), as in :func:`fit_map`.
    """
    tolerances = np.unique(check_number("reading_tolerance", tolerances, ge=0, le=0.5))
    staff = dict.fromkeys(bool(check_choice("net_out_staff", s, (False, True)))
                          for s in np.ravel(net_out_staff).tolist())
    maps = []
    for t in tolerances:
        reported = Reported(table, float(t))
        for s in staff:
            for name, lines in WHAT_IF_TARGETS.items():
                targets = openai_2024_targets(reported, net_out_staff=s, with_cost_lines=lines)
                cells = fit_map(fit_cohort(base, targets, cost_growth, revenue_multiple, gross_margin))
                maps.append(cells.assign(reading_tolerance=float(t), net_out_staff=int(s), targets=name))
    columns = ["reading_tolerance", "net_out_staff", "targets", "cost_growth", "revenue_multiple", "n_margins",
               "margin_low", "margin_high"]
    return pd.concat(maps, ignore_index=True)[columns]


def coarse_grid(grid: dict[str, np.ndarray], max_side: int = 30) -> tuple[dict[str, np.ndarray], float]:
    """Every few points of the fitting grid's cost growth and revenue multiple, for a map of fits.

    Parameters
    ----------
    grid : dict
        The fitting grid (:func:`bridge_grid`): evenly spaced ``cost_growth`` and ``revenue_multiple`` (×).
    max_side : int
        Most points kept along either axis.

    Returns
    -------
    cells : dict
        ``cost_growth`` and ``revenue_multiple`` (×), one stride along both axes so that the cells are
        square, counted down from each axis's largest value (which is kept). The grid's two axes
        must have the same spacing, as :func:`bridge_grid`'s do.
    step : float
        The spacing of the kept points (×), also when an axis keeps a single point.
    """
    side = check_int("max_side", max_side, ge=2)
    axes = ("cost_growth", "revenue_multiple")
    stride = max(int(np.ceil(len(grid[k]) / side)) for k in axes)
    cells = {k: grid[k][::-1][::stride][::-1] for k in axes}
    return cells, stride * float(grid["cost_growth"][1] - grid["cost_growth"][0])


def settings_without_fits(what_if: pd.DataFrame, tolerances, targets: str = "revenue, loss and cost lines"
                          ) -> dict[bool, list[float]]:
    """For each staff treatment, the reading tolerances at which no cell of a map of fits fits ``targets``.

    Parameters
    ----------
    what_if : DataFrame
        The maps of fits of :func:`fits_what_if`.
    tolerances : sequence of float
        The reading tolerances it was computed for (shares).
    targets : str
        A key of :data:`WHAT_IF_TARGETS`.

    Returns
    -------
    dict
        ``net_out_staff -> tolerances`` (in the order given) without a fit, for ``True``
        (staff costs taken out) then ``False``.
    """
    shown = what_if[what_if.targets == targets]
    with_fits = set(zip(shown.reading_tolerance, shown.net_out_staff.astype(bool), strict=True))
    return {staff: [t for t in tolerances if (t, staff) not in with_fits] for staff in (True, False)}
