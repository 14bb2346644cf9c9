"""Errors that the book's tools report to a reader.

Every error says what was wrong, the value given and what is allowed, so that a
reader re-running a chapter can fix the input without reading code.
"""


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
        super().__init__(f"parameter {name!r}: got {value!r}; allowed: {allowed}.")


class DataError(LabeconError, ValueError):
    """A table in ``data/`` that does not match its schema (file, row, column named)."""


class ChapterError(LabeconError):
    """A chapter that does not exist, or that failed while it was executed."""
