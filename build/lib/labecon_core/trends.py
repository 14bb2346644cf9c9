"""Log-linear trends over time: growth per year with confidence intervals, and projections.

A quantity that grows by a constant factor a year is a straight line in logs:
``log10 y = a + b t``. Ordinary least squares over ``(t_i, log10 y_i)`` gives the
slope ``b``; the growth factor is ``10^b`` a year, with the interval
``10^(b +/- t* se(b))`` (``t*`` the Student quantile at ``n - 2`` degrees of
freedom). At a year ``t0`` the fitted line has standard error
``s sqrt(1/n + (t0 - tbar)^2 / Sxx)`` (confidence interval of the trend) and a
single new point ``s sqrt(1 + 1/n + (t0 - tbar)^2 / Sxx)`` (prediction
interval): the first says where the trend is, the second where the next model
may land. The intervals assume independent, normal residuals in logs, which a
handful of hand-picked models only roughly satisfy.
"""

import calendar
import datetime
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from labecon_core.validation import check_int, check_number

INTERVALS = ("confidence", "prediction")


def decimal_year(dates) -> np.ndarray:
    """Dates ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as decimal years (the middle of the period given).

    ``"2023"`` -> 2023.5, ``"2023-03"`` -> 2023 + 2.5/12, ``"2023-03-14"`` -> the middle of that day.
    """
    out = []
    for d in np.atleast_1d(np.asarray(dates, dtype=str)):
        parts = [int(x) for x in d.split("-")]
        year = parts[0]
        if len(parts) == 1:
            out.append(year + 0.5)
        elif len(parts) == 2:
            out.append(year + (parts[1] - 0.5) / 12)
        else:
            days = 366 if calendar.isleap(year) else 365
            day_of_year = datetime.date(year, parts[1], parts[2]).timetuple().tm_yday
            out.append(year + (day_of_year - 0.5) / days)
    return np.array(out)


@dataclass(frozen=True)
class TrendParams:
    """Settings of the trend fits, validated on construction.

    Parameters
    ----------
    frontier_factor : float
        A model counts as frontier if its value is within this factor of the
        largest one to date (>= 1; 1 = record-setters only).
    projection_last_year : int
        Last calendar year of a projection.
    confidence_level : float
        Level of the confidence and prediction intervals, in (0, 1).
    """

    frontier_factor: float = 10.0
    projection_last_year: int = 2028
    confidence_level: float = 0.9

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "frontier_factor", check_number("frontier_factor", self.frontier_factor, ge=1))
        set_(self, "projection_last_year",
             check_int("projection_last_year", self.projection_last_year, ge=2000, le=2100))
        set_(self, "confidence_level", check_number("confidence_level", self.confidence_level, gt=0, lt=1))


@dataclass(frozen=True)
class LogLinearFit:
    """An OLS fit of ``log10 y`` on ``x`` (years). Build it with :func:`fit_log_linear`.

    Attributes
    ----------
    slope, intercept : float
        Of ``log10 y = intercept + slope x`` (orders of magnitude per year).
    slope_se : float
        Standard error of the slope.
    resid_sd : float
        Residual standard deviation, in log10 units.
    n : int
        Points fitted.
    x_mean, sxx : float
        Mean of ``x`` and sum of squared deviations from it.
    level : float
        Level of the intervals the fit reports, in (0, 1).
    """

    slope: float
    intercept: float
    slope_se: float
    resid_sd: float
    n: int
    x_mean: float
    sxx: float
    level: float

    @property
    def t_crit(self) -> float:
        """Two-sided Student quantile at ``level`` with ``n - 2`` degrees of freedom."""
        # scipy.stats.t.ppf is this function; scipy.special loads in a fraction of scipy.stats' time.
        return float(special.stdtrit(self.n - 2, 0.5 + self.level / 2))

    @property
    def growth_per_year(self) -> float:
        """Growth factor per year, ``10^slope``."""
        return 10.0 ** self.slope

    @property
    def growth_interval(self) -> tuple[float, float]:
        """Interval of the growth factor per year at ``level``."""
        half = self.t_crit * self.slope_se
        return 10.0 ** (self.slope - half), 10.0 ** (self.slope + half)

    @property
    def doubling_time_years(self) -> float:
        """Years for the quantity to double (``inf`` if it does not grow)."""
        return np.log10(2.0) / self.slope if self.slope > 0 else np.inf

    def growth_over(self, years: float) -> tuple[float, float, float]:
        """Growth factor over ``years`` years: central value and interval at ``level``."""
        lo, hi = self.growth_interval
        return self.growth_per_year ** years, lo ** years, hi ** years

    def predict(self, x, interval: str = "confidence") -> pd.DataFrame:
        """The trend at years ``x`` with its interval, in the units of ``y``.

        Parameters
        ----------
        x : array
            Years (decimal).
        interval : str
            ``confidence`` (of the trend line) or ``prediction`` (of one new point).

        Returns
        -------
        DataFrame
            ``x``, ``center``, ``low``, ``high``.
        """
        if interval not in INTERVALS:
            raise ValueError(f"interval must be one of {INTERVALS}, got {interval!r}")
        x = np.asarray(x, dtype=float)
        center = self.intercept + self.slope * x
        extra = 1.0 if interval == "prediction" else 0.0
        se = self.resid_sd * np.sqrt(extra + 1.0 / self.n + (x - self.x_mean) ** 2 / self.sxx)
        half = self.t_crit * se
        return pd.DataFrame({"x": x, "center": 10.0 ** center, "low": 10.0 ** (center - half),
                             "high": 10.0 ** (center + half)})


def fit_log_linear(x, y, level: float = 0.9) -> LogLinearFit:
    """Fit ``log10 y = a + b x`` by ordinary least squares.

    Parameters
    ----------
    x : array
        Years (decimal), at least three distinct values.
    y : array
        Positive values (FLOP, USD...).
    level : float
        Level of the intervals, in (0, 1).

    Raises
    ------
    ValueError
        With fewer than three points, fewer than two distinct years, or a value <= 0.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("x and y must be one-dimensional and of the same length")
    if len(x) < 3 or np.ptp(x) == 0:
        raise ValueError(f"a trend needs at least three points over two or more years; got {len(x)}")
    if np.any(~np.isfinite(y) | (y <= 0)):
        raise ValueError("every value must be finite and > 0 to be fitted in logs")
    level = check_number("level", level, gt=0, lt=1)
    ly = np.log10(y)
    x_mean = x.mean()
    sxx = float(((x - x_mean) ** 2).sum())
    slope = float(((x - x_mean) * (ly - ly.mean())).sum() / sxx)
    intercept = float(ly.mean() - slope * x_mean)
    resid = ly - (intercept + slope * x)
    resid_sd = float(np.sqrt((resid ** 2).sum() / (len(x) - 2)))
    return LogLinearFit(slope=slope, intercept=intercept, slope_se=resid_sd / np.sqrt(sxx), resid_sd=resid_sd,
                        n=len(x), x_mean=float(x_mean), sxx=sxx, level=level)


def near_frontier(x, y, factor: float) -> np.ndarray:
    """Whether each point is within ``factor`` of the largest value up to its date (ties in date included).

    Parameters
    ----------
    x : array
        Dates (decimal years).
    y : array
        Values; NaN is never frontier.
    factor : float
        >= 1; 1 keeps only the running maximum.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(y)
    best = np.array([np.max(y[ok & (x <= xi)], initial=-np.inf) for xi in x])
    return ok & (y * factor >= best)


@dataclass(frozen=True)
class ModelTrends:
    """Log-linear fits of training compute and cost over the models of ``data/models``.

    Attributes
    ----------
    points : DataFrame
        One row per model with a usable figure: ``model``, ``year`` (decimal), ``training_flop``
        (FLOP), ``cloud_cost`` (USD), ``lower_bound`` (compute given only as a bound: shown, not
        fitted), ``frontier_flop``, ``frontier_cost`` (within the frontier factor of the largest to date).
    flop_all, flop_frontier, cost_all, cost_frontier : LogLinearFit
        Fits over all models and over frontier models.
    flop_cost_frontier : LogLinearFit
        Compute over the runs of ``cost_frontier``: the like-for-like comparison with its cost
        (the cost fits leave out the runs without a price, so their frontier is another sample).
    """

    points: pd.DataFrame
    flop_all: LogLinearFit
    flop_frontier: LogLinearFit
    cost_all: LogLinearFit
    cost_frontier: LogLinearFit
    flop_cost_frontier: LogLinearFit

    @property
    def years_covered(self) -> float:
        """Years from the first model's date to the last one's (decimal years)."""
        return float(self.points.year.max() - self.points.year.min())

    @property
    def cost_leader(self) -> pd.Series:
        """The row of ``points`` with the highest fitted cost (a lower bound of compute is not fitted)."""
        costed = self.points[self.points.cloud_cost.notna() & ~self.points.lower_bound]
        return costed.loc[costed.cloud_cost.idxmax()]


def fit_models(estimates: pd.DataFrame, p: TrendParams) -> ModelTrends:
    """Fit compute and cost trends over model estimates (see :func:`labecon_core.compute.model_estimates`).

    Parameters
    ----------
    estimates : DataFrame
        Needs ``model``, ``date``, ``training_flop`` (FLOP), ``flop_source`` and ``cloud_cost`` (USD).
    p : TrendParams
        Frontier factor and interval level.
    """
    pts = estimates.loc[estimates.training_flop.notna(), ["model", "date", "training_flop", "flop_source",
                                                          "cloud_cost"]].copy()
    pts["year"] = decimal_year(pts.date)
    pts["lower_bound"] = pts.flop_source == "lower bound"
    fit_flop = pts.training_flop.where(~pts.lower_bound)
    fit_cost = pts.cloud_cost.where(~pts.lower_bound)
    pts["frontier_flop"] = near_frontier(pts.year, fit_flop, p.frontier_factor)
    pts["frontier_cost"] = near_frontier(pts.year, fit_cost, p.frontier_factor)
    has_flop, has_cost = fit_flop.notna(), fit_cost.notna()
    level = p.confidence_level
    return ModelTrends(
        points=pts.drop(columns=["date", "flop_source"]).reset_index(drop=True),
        flop_all=fit_log_linear(pts.year[has_flop], fit_flop[has_flop], level),
        flop_frontier=fit_log_linear(pts.year[pts.frontier_flop], fit_flop[pts.frontier_flop], level),
        cost_all=fit_log_linear(pts.year[has_cost], fit_cost[has_cost], level),
        cost_frontier=fit_log_linear(pts.year[pts.frontier_cost], fit_cost[pts.frontier_cost], level),
        flop_cost_frontier=fit_log_linear(pts.year[pts.frontier_cost], fit_flop[pts.frontier_cost], level),
    )


def project(fit: LogLinearFit, start_year: float, start_value: float, last_year: int) -> pd.DataFrame:
    """Grow ``start_value`` from ``start_year`` at the fitted rate, to the middle of ``last_year``.

    The interval is that of the growth rate (the start is taken as known), so it
    widens with the years projected.

    Returns
    -------
    DataFrame
        ``year``: ``start_year``, then the middle of each later calendar year up to
        ``last_year``; ``center``, ``low``, ``high`` (units of ``start_value``). Only the
        start row when ``last_year`` is not after ``start_year``.
    """
    later = np.arange(np.floor(start_year) + 1, last_year + 1) + 0.5
    years = np.concatenate([[start_year], later])
    lo, hi = fit.growth_interval
    dt = years - start_year
    return pd.DataFrame({"year": years, "center": start_value * fit.growth_per_year ** dt,
                         "low": start_value * lo ** dt, "high": start_value * hi ** dt})


def project_at_rate(growth_per_year, start_year: float, start_value: float, years):
    """``start_value`` grown from ``start_year`` by ``growth_per_year`` a year, at each of ``years``.

    Parameters
    ----------
    growth_per_year : float or array
        Growth factor per year (> 0), e.g. a published rate.
    start_year : float
        Decimal year of ``start_value``.
    start_value : float
        The value at the start, in its own unit (FLOP, USD...).
    years : array
        Decimal years to project to.

    Returns
    -------
    ndarray
        ``start_value * growth_per_year ** (years - start_year)``, in the unit of ``start_value``.
    """
    return start_value * np.asarray(growth_per_year, dtype=float) ** (np.asarray(years, dtype=float) - start_year)


def years_to_multiply(factor, growth_per_year):
    """Years for a quantity growing by ``growth_per_year`` a year to grow ``factor``-fold: ``log factor / log growth``.

    Parameters
    ----------
    factor : float or array
        Growth to reach, a multiple (> 1).
    growth_per_year : float or array
        Growth factor per year (> 0).

    Returns
    -------
    float or ndarray
        Years; ``inf`` where the quantity does not grow (``growth_per_year <= 1``).
    """
    g = np.asarray(growth_per_year, dtype=float)
    grows = g > 1
    return np.where(grows, np.log(factor) / np.log(np.where(grows, g, 2.0)), np.inf)[()]
