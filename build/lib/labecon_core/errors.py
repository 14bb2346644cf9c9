"""Errors that the book's tools report to a reader.

Every error says what was wrong, the value given and what is allowed, so that a
reader re-running a chapter can fix the input without reading code. A value is shown
by :func:`shown`, at most about 80 characters of it, whatever its size.
"""

import reprlib

_REPR = reprlib.Repr()
for _limit, _size in (("maxlevel", 3), ("maxdict", 4), ("maxlist", 6), ("maxtuple", 6), ("maxset", 6),
                      ("maxstring", 60), ("maxlong", 40), ("maxother", 60)):
    setattr(_REPR, _limit, _size)


def shown(value: object, width: int = 80) -> str:
    """A value as an error message shows it: its repr, cut to about ``width`` characters with ``…``.

    The repr is built with limits (:mod:`reprlib`), so a huge or deeply nested value (a YAML
    file of aliases, a 400-digit number) costs no more to show than a small one.
    """
    text = _REPR.repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


class LabeconError(Exception):
    """Base class of every error the ``labecon`` command reports as a message."""


class ParameterError(LabeconError, ValueError):
    """A parameter value that a model does not accept.

    Parameters
    ----------
    name : str
        The parameter's name, as the reader types it.
    value : object
        The value given.
    allowed : str
        What is allowed, in words (``"a number > 0"``, ``"one of: a, b"``).
    """

    def __init__(self, name: str, value: object, allowed: str):
        self.name = name
        self.value = value
        self.allowed = allowed
        super().__init__(f"parameter {name!r}: got {shown(value)}; allowed: {allowed}.")


class DataError(LabeconError, ValueError):
    """A table in ``data/`` that does not match its schema (file, row, column named)."""


class ChapterError(LabeconError):
    """A chapter that does not exist, or that failed while it was executed."""


class InputError(LabeconError):
    """A file or an option the reader gave that cannot be used (the message names it and what is allowed)."""
