"""Checks shared by every parameter record.

Each check raises :class:`~labecon_core.errors.ParameterError` naming the field,
the value and the allowed range. The checks accept a scalar or a numpy array
(a record may hold many scenarios at once) and test every element.
"""

from collections.abc import Iterable

import numpy as np

from labecon_core.errors import ParameterError

#: The largest amount (USD, FLOP) a model may reach from its parameters: far beyond anything real, and
#: small enough that every sum and product of two such amounts stays finite.
MAX_AMOUNT = 1e100

def _as_float_array(name: str, value) -> np.ndarray:
    if isinstance(value, bool | np.bool_):
        raise ParameterError(name, value, "a number")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(name, value, "a number") from None
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, value, "a finite number")
    return arr


def check_number(
    name: str,
    value,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
):
    """Check that ``value`` (scalar or array) is finite and within the bounds.

    Returns the value unchanged (a float when scalar) so that records can write
    ``object.__setattr__(self, f, check_number(...))``.
    """
    arr = _as_float_array(name, value)
    bounds = []
    ok = np.ones(arr.shape, dtype=bool)
    if gt is not None:
        ok &= arr > gt
        bounds.append(f"> {gt:g}")
    if ge is not None:
        ok &= arr >= ge
        bounds.append(f">= {ge:g}")
    if lt is not None:
        ok &= arr < lt
        bounds.append(f"< {lt:g}")
    if le is not None:
        ok &= arr <= le
        bounds.append(f"<= {le:g}")
    if not np.all(ok):
        bad = value if arr.ndim == 0 else arr[~ok][0].item()
        raise ParameterError(name, bad, "a number " + " and ".join(bounds))
    return float(arr) if arr.ndim == 0 else arr


def check_count(name: str, value):
    """Check a count (scalar or array): finite, whole and > 0."""
    value = check_number(name, value, gt=0)
    arr = np.asarray(value)
    if not np.all(arr == np.floor(arr)):
        raise ParameterError(name, value if arr.ndim == 0 else arr[arr != np.floor(arr)][0].item(),
                             "a whole number > 0")
    return value


def check_share(name: str, value):
    """Check a share or probability in [0, 1]."""
    return check_number(name, value, ge=0.0, le=1.0)


def check_int(name: str, value, *, ge: int | None = None, le: int | None = None) -> int:
    """Check a whole number within optional bounds."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        if isinstance(value, float | np.floating) and float(value).is_integer():
            value = int(value)
        else:
            raise ParameterError(name, value, "a whole number")
    value = int(value)
    if (ge is not None and value < ge) or (le is not None and value > le):
        lo = f">= {ge}" if ge is not None else ""
        hi = f"<= {le}" if le is not None else ""
        raise ParameterError(name, value, "a whole number " + " and ".join(b for b in (lo, hi) if b))
    return value


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """Check that ``value`` is one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise ParameterError(name, value, "one of: " + ", ".join(map(str, choices)))
    return value
