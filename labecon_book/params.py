"""Turn what a reader types (``-p NAME VALUE``, a scenario file) into a chapter's parameters.

Everything here runs before any kernel starts: values are converted to the type
of the chapter's default, unknown names are rejected with the valid ones, and the
full set is checked by the chapter's core validator.
"""

import math
from pathlib import Path

import yaml

from labecon_book.chapters import Chapter
from labecon_core.errors import LabeconError, ParameterError

_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}
_SCENARIO_KEYS = {"chapter", "parameters", "title", "description"}


def convert(chapter: Chapter, name: str, value):
    """Convert ``value`` (a typed string or a YAML value) to the type of parameter ``name``."""
    p = chapter.parameter(name)
    kind = p.type.__name__
    if p.type is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ParameterError(name, value, "true or false")
    if p.type is str:
        if isinstance(value, str):
            return value
        raise ParameterError(name, value, "a text value")
    if p.type in (int, float):
        if isinstance(value, bool):
            raise ParameterError(name, value, f"a number ({kind})")
        try:
            number = float(value.replace("_", "")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise ParameterError(name, value, f"a number ({kind})") from None
        if not math.isfinite(number):
            raise ParameterError(name, value, "a finite number")
        if p.type is int:
            if not number.is_integer():
                raise ParameterError(name, value, "a whole number")
            return int(number)
        return number
    raise ParameterError(name, value, f"a {kind} (this parameter cannot be set from the command line)")


def read_scenario(path: Path, chapter: Chapter) -> dict:
    """Read a scenario file (``chapter: SLUG``, ``parameters: {...}``) for ``chapter``."""
    path = Path(path)
    where = f"scenario file {path}"
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise LabeconError(f"{where}: no such file.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise LabeconError(f"{where}: not valid YAML{at}: {problem}.") from None
    if not isinstance(data, dict):
        raise LabeconError(f"{where}: must be a mapping with keys 'chapter' and 'parameters'; got {data!r}.")
    unknown = set(data) - _SCENARIO_KEYS
    if unknown:
        raise LabeconError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"allowed: {', '.join(sorted(_SCENARIO_KEYS))}."
        )
    if data.get("chapter") != chapter.slug:
        raise LabeconError(f"{where}: is for chapter {data.get('chapter')!r}, not {chapter.slug!r}.")
    params = data.get("parameters") or {}
    if not isinstance(params, dict):
        raise LabeconError(f"{where}: 'parameters' must be a mapping of name: value; got {params!r}.")
    try:
        return {str(k): convert(chapter, str(k), v) for k, v in params.items()}
    except ParameterError as exc:
        raise LabeconError(f"{where}: {exc}") from None


def resolve(chapter: Chapter, overrides=(), scenario: Path | None = None) -> dict:
    """All parameter values for a run: defaults, then the scenario, then ``-p`` overrides.

    Parameters
    ----------
    chapter : Chapter
        The chapter to run.
    overrides : iterable of (str, str)
        ``(name, value)`` pairs as typed on the command line.
    scenario : Path, optional
        A scenario YAML file for this chapter.

    Returns
    -------
    dict
        Every parameter's value, validated by the chapter's core validator.
    """
    values = chapter.defaults()
    if scenario is not None:
        values.update(read_scenario(scenario, chapter))
    for name, value in overrides:
        values[name] = convert(chapter, name, value)
    chapter.validate(values)
    return values
