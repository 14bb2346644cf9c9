"""Formatting of numbers for prose: the one place that decides how a result reads.

Every formatter first rounds its number by the book's rule (:func:`labecon_core.portable.round_sig`),
so that the text is a function of the rounded value and reads the same on every machine.
"""

import math

import pandas as pd

from labecon_core.portable import round_sig


def usd(value: float, digits: int = 1) -> str:
    """Format a dollar amount with a K/M/B/T suffix: ``-8e8 -> '-$800M'``, ``1.234e9 -> '$1.2B'``.

    ``digits`` is the most decimals shown; trailing zeros are dropped.
    """
    value = round_sig(value)
    v = abs(value)
    scale, suffix = next(((s, x) for s, x in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")) if v >= s), (1, ""))
    text = f"{v / scale:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    # An amount that reads as zero has no sign.
    sign = "-" if value < 0 and text.strip("0.,") else ""
    return f"{sign}${text}{suffix}"


def pct(value: float, digits: int = 0) -> str:
    """Format a share as a percentage: ``0.7 -> '70%'``."""
    text = f"{100 * round_sig(value):.{digits}f}"
    return f"{text.removeprefix('-') if not text.strip('-0.') else text}%"


def num(value: float, digits: int = 2) -> str:
    """Format a plain number with ``digits`` significant digits and separators: ``6.0 -> '6'``."""
    value = round_sig(value)
    if value == 0 or not math.isfinite(value):
        return f"{abs(value) if value == 0 else value:g}"
    magnitude = int(f"{value:e}".split("e")[1])  # the decimal exponent, exactly (no logarithm)
    decimals = max(digits - 1 - magnitude, 0)
    text = f"{round(value, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(value: float, digits: int = 2) -> str:
    """Format in scientific notation for prose, with a superscript exponent: ``2.1e25 -> '2.1×10²⁵'``."""
    mantissa, exponent = f"{round_sig(value):.{digits - 1}e}".split("e")
    return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def multiple(value: float, digits: int = 2) -> str:
    """Format a ratio as a multiple: ``2 -> '2×'``, ``1.456 -> '1.46×'``, ``10.0 -> '10×'``."""
    text = f"{round_sig(value):.{digits}f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "×"


def dollars(value: float, digits: int = 2) -> str:
    """A dollar price in full, with cents: ``1.3 -> '$1.30'``, ``-0.5 -> '-$0.50'``, ``1500 -> '$1,500.00'``."""
    value = round_sig(value)
    text = f"{abs(value):,.{digits}f}"
    return f"{'-' if value < 0 and text.strip('0.,') else ''}${text}"


def millions(value: float, digits: int = 3) -> str:
    """A count in millions, in words: ``5.4989945e7 -> '55 million'`` (``digits`` significant digits)."""
    return f"{num(round_sig(value) / 1e6, digits)} million"


def billions(value: float, digits: int = 2) -> str:
    """A count or amount in billions, in words: ``1.8e12 -> '1,800 billion'``, ``2.5e9 -> '2.5 billion'``."""
    return f"{num(round_sig(value) / 1e9, digits)} billion"


def months(value: float, digits: int = 2) -> str:
    """A duration in months: ``12.0 -> '12 months'``, ``1 -> '1 month'``."""
    text = num(value, digits)
    return f"{text} {'month' if text == '1' else 'months'}"


def probability(p: float) -> str:
    """A probability for prose: a percentage, and below half a point "under 0.5%" rather than "0%"."""
    return "under 0.5%" if 0 < round_sig(p) < 0.005 else pct(p)


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


def markdown_cell(value, missing: str = "") -> str:
    """Text of one Markdown table cell: on one line; pipes, backslashes and asterisks escaped.

    Floats are rounded by the book's rule: whole amounts in full (``8,500,000,000``),
    others to 8 significant digits. ``None`` and NaN read as ``missing``.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return missing
    if isinstance(value, float):
        value = round_sig(value)
        text = f"{int(value):,}" if value.is_integer() and abs(value) < 1e15 else f"{value:,.8g}"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")


def markdown_table(header: list[str], rows: list[list], missing: str = "") -> str:
    """A Markdown pipe table of ``rows`` under ``header`` (cells by :func:`markdown_cell`)."""
    lines = ["| " + " | ".join(markdown_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(markdown_cell(v, missing) for v in row) + " |" for row in rows]
    return "\n".join(lines)
