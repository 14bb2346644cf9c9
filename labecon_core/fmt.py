"""Formatting of numbers for prose: the one place that decides how a result reads."""

import math


def usd(value: float, digits: int = 1) -> str:
    """Format a dollar amount with a K/M/B/T suffix: ``-8e8 -> '-$800M'``, ``1.234e9 -> '$1.2B'``.

    ``digits`` is the most decimals shown; trailing zeros are dropped.
    """
    value = float(value)
    sign = "-" if value < 0 else ""
    v = abs(value)
    scale, suffix = next(((s, x) for s, x in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")) if v >= s), (1, ""))
    text = f"{v / scale:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{sign}${text}{suffix}"


def pct(value: float, digits: int = 0) -> str:
    """Format a share as a percentage: ``0.7 -> '70%'``."""
    return f"{100 * float(value):.{digits}f}%"


def num(value: float, digits: int = 2) -> str:
    """Format a plain number with ``digits`` significant digits and separators: ``6.0 -> '6'``."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - magnitude, 0)
    text = f"{round(value, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def sci(value: float, digits: int = 2) -> str:
    """Format in scientific notation for prose: ``2.1e25 -> '2.1 × 10^25'`` (as MyST math-free text)."""
    mantissa, exponent = f"{float(value):.{digits - 1}e}".split("e")
    return f"{mantissa}×10^{int(exponent)}"


def multiple(value: float, digits: int = 2) -> str:
    """Format a ratio as a multiple: ``2 -> '2×'``, ``1.456 -> '1.46×'``, ``10.0 -> '10×'``."""
    return f"{float(value):.{digits}f}".rstrip("0").rstrip(".") + "×"


def span(ends, one=usd, sep: str = "–") -> str:
    """Format a range from its two ends with ``one``; a single figure when both ends read the same.

    ``span((3.5e9, 4.5e9)) -> '$3.5B–$4.5B'``; ``span((0.7, 0.7), pct, " to ") -> '70%'``.
    """
    lo, hi = (one(x) for x in ends)
    return lo if lo == hi else f"{lo}{sep}{hi}"


def listing(items) -> str:
    """Join phrases as prose: ``['a', 'b', 'c'] -> 'a, b and c'``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def year(value) -> str:
    """Format a year, or 'never' for ``None``."""
    return "never" if value is None else str(int(value))
