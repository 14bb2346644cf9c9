"""Record a chapter's headline results.

A chapter calls :func:`record` once per headline result. The value is glued
(myst-nb ``glue``) as a pre-formatted string, so the prose can insert it with
``{glue:text}`name``` and never contains a typed-in number, and the value, rounded
by the book's rule (:mod:`labecon_core.portable`), is stored in the executed
notebook, from which the pipeline writes ``results.json``.
"""

import json
import math
from collections.abc import Callable, Mapping

import numpy as np
from IPython.display import Markdown, display
from myst_nb import glue

from labecon_core import fmt
from labecon_core.portable import portable

#: Mime type under which the raw value of a result is stored in a notebook output.
RESULT_MIME = "application/vnd.labecon.result+json"
# myst-nb, like papermill's scrapbook, ignores outputs whose mime types carry this prefix.
_HIDDEN_PREFIX = "application/papermill.record/"


def to_json_value(value):
    """Convert numpy scalars/arrays, tuples and dicts to plain JSON values (NaN -> None)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, np.ndarray | list | tuple):
        return [to_json_value(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def record(name: str, value, text: str | Callable | None = None) -> None:
    """Record a headline result of the running chapter.

    Parameters
    ----------
    name : str
        The result's key in ``results.json`` and its glue name in the prose.
    value : object
        The value (number, list, dict, ``None``); numpy values are converted and
        floats rounded to :data:`labecon_core.portable.SIGNIFICANT_DIGITS` digits.
    text : str or callable, optional
        How the prose shows it: a string, or a formatter applied to ``value``
        (e.g. :func:`labecon_core.fmt.usd`). Default: ``str(value)``.
    """
    raw = portable(to_json_value(value))
    shown = text(value) if callable(text) else (str(raw) if text is None else text)
    glue(name, shown, display=False)
    payload = json.dumps({"name": name, "value": raw}, allow_nan=False)
    display(
        {_HIDDEN_PREFIX + RESULT_MIME: payload},
        raw=True,
        metadata={"scrapbook": {"name": f"result:{name}", "mime_prefix": _HIDDEN_PREFIX}},
    )


def results_from_notebook(nb) -> dict:
    """Collect the recorded results of an executed notebook, in recording order."""
    results = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if _HIDDEN_PREFIX + RESULT_MIME in data:
                item = json.loads(data[_HIDDEN_PREFIX + RESULT_MIME])
                results[item["name"]] = item["value"]
    return results


def prose(name: str, text: str) -> None:
    """Glue a piece of text for the prose (an echoed parameter, a phrase) without recording a result."""
    glue(name, text, display=False)


def table(name: str, frame, missing: str = "–") -> None:
    """Glue a table (a DataFrame) as Markdown, for a numbered ``{table}`` block of the prose.

    In the prose::

        :::{table} short lowercase caption, with units
        :name: tbl-x

        ```{glue:md} tbl_x
        :format: myst
        ```
        :::

    Sphinx numbers it as a table of its chapter (``Table 3.1``). Cells are shown as
    :func:`labecon_core.fmt.markdown_cell` writes them; a missing value reads ``missing``.
    """
    text = fmt.markdown_table([str(c) for c in frame.columns], frame.to_numpy().tolist(), missing)
    glue(name, Markdown(text), display=False)


def note(name: str, text: str, kind: str = "warning") -> None:
    """Glue an admonition (``warning``, ``note``, ...) holding ``text``, or nothing when ``text`` is empty.

    In the prose::

        ```{glue:md} name
        :format: myst
        ```

    A condition the reader must not miss (a calibration resting on few draws, say) shows only
    when it holds.
    """
    glue(name, Markdown(f":::{{{kind}}}\n{text}\n:::" if text else ""), display=False)
