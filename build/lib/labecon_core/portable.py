"""The book's one rounding rule: a number leaves a chapter with 8 significant digits.

The models compute in full double precision. Their last bits are not the same on
every machine: numpy picks SIMD code paths by CPU (AVX-512, AVX2, NEON) and
OpenBLAS picks kernels by core type, and these do not round identically (about
1e-14 relative, more after long chains). So wherever a number is shown or
recorded (glued text, ``results.json``, the data of a chart), it is first rounded
here to :data:`SIGNIFICANT_DIGITS` significant digits. A value then differs between
two machines only when it lies within that noise of a rounding boundary: about one
value in a million. The rounding is decimal (Python's correctly rounded
formatting), so it is itself the same on every machine.
"""

import math
import re
from collections.abc import Mapping

import numpy as np

#: Significant digits kept in every number a chapter shows or records.
SIGNIFICANT_DIGITS = 8


def round_sig(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """Round one number to ``digits`` significant digits (NaN and infinities pass through).

    Examples
    --------
    >>> round_sig(0.30000000000000004)
    0.3
    >>> round_sig(1.0069138671714e9)
    1006913870.0
    """
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


def portable(value):
    """Round every float inside ``value`` (a number, array, list, tuple or mapping) by :func:`round_sig`.

    Integers, booleans, strings and ``None`` are kept as they are; numpy arrays and
    scalars become lists and Python numbers, so the result is plain JSON data.
    """
    kind = type(value)  # the plain types first: a chart's data holds tens of thousands of them
    if kind is float:
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}") if math.isfinite(value) else value
    if kind is dict:
        return {k: portable(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [portable(v) for v in value]
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        return round_sig(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.ndarray):
        return portable(value.tolist())
    if isinstance(value, Mapping):
        return {k: portable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [portable(v) for v in value]
    return value


# A number as it appears in output text: digits with optional thousands separators, decimals and exponent.
_NUMBER = re.compile(r"(?<![\w.#-])-?\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])")


def significant_digits(number: str) -> int:
    """How many significant digits a number written as text carries: ``'0.0012300' -> 3``, ``'13,000' -> 2``."""
    mantissa = re.split(r"[eE]", number)[0]
    return len(mantissa.lstrip("-").replace(",", "").replace(".", "").strip("0"))


def unportable_numbers(text: str) -> list[str]:
    """The numbers in ``text`` with more significant digits than the rule keeps (which one CPU may not compute)."""
    return [m[0] for m in _NUMBER.finditer(text) if significant_digits(m[0]) > SIGNIFICANT_DIGITS]
