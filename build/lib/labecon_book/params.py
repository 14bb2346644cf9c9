"""Turn what a reader types (``-p NAME VALUE``, a scenario file) into a chapter's parameters.

Everything here runs before any kernel starts: values are converted to the type
of the chapter's default (whole numbers exactly, never through a float), unknown
and repeated names are rejected, a scenario file is checked as a file (it exists,
is UTF-8 YAML, has no repeated keys and no aliases that expand it beyond a small
budget), and the full set is checked by the chapter's validator.
"""

import math
import re
from pathlib import Path

import yaml

from labecon_book.chapters import Chapter
from labecon_core.errors import InputError, ParameterError, shown

_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}
_SCENARIO_KEYS = {"chapter", "parameters", "title", "description"}
#: Numbers beyond these are not parameters of any model in the book (the largest, training FLOP, is ~1e26;
#: whole numbers fit a 64-bit integer, as numpy's seeds do).
FLOAT_LIMIT = 1e30
INT_LIMIT = 2**63 - 1
#: A scenario file: at most this many bytes, and this many values once its YAML aliases are expanded.
SCENARIO_BYTES = 100_000
SCENARIO_VALUES = 1_000
_INTEGER = re.compile(r"[+-]?\d[\d_]*")


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
    if p.type is int:
        return _whole(name, value)
    if p.type is float:
        return _number(name, value)
    raise ParameterError(name, value, f"a {kind} (this parameter cannot be set from the command line)")


def _whole(name: str, value) -> int:
    """A whole number, exactly: ``9007199254740993`` stays itself (a float would round it)."""
    allowed = f"a whole number between {-INT_LIMIT} and {INT_LIMIT}"
    if isinstance(value, bool):
        raise ParameterError(name, value, allowed)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip().replace("_", ""))
    elif isinstance(value, int):
        number = value
    else:
        as_float = _number(name, value)
        if not as_float.is_integer():
            raise ParameterError(name, value, allowed)
        number = int(as_float)
    if abs(number) > INT_LIMIT:
        raise ParameterError(name, value, allowed)
    return number


def _number(name: str, value) -> float:
    allowed = f"a finite number between {-FLOAT_LIMIT:g} and {FLOAT_LIMIT:g}"
    if isinstance(value, bool):
        raise ParameterError(name, value, allowed)
    try:
        number = float(value.strip().replace("_", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(name, value, allowed) from None
    if not math.isfinite(number) or abs(number) > FLOAT_LIMIT:
        raise ParameterError(name, value, allowed)
    return number


class _ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a mapping that repeats a key (PyYAML keeps the last one silently)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise InputError(f"line {key_node.start_mark.line + 1}: the key {shown(key)} is not a name; "
                                 "keys are names (text)")
            if key in seen:
                raise InputError(f"line {key_node.start_mark.line + 1}: the key {key!r} is given twice "
                                 f"(first on line {seen[key]}); give it once")
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


def _values(node, budget: int) -> int:
    """How many values a YAML node holds with its aliases expanded, counting no further than ``budget``."""
    count, stack = 0, [node]
    while stack and count <= budget:
        current = stack.pop()
        count += 1
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(v for pair in current.value for v in pair)
    return count


def read_scenario(path: Path, chapter: Chapter) -> dict:
    """Read a scenario file (``chapter: SLUG``, ``parameters: {...}``) for ``chapter``.

    Raises
    ------
    InputError
        Naming the file and what is wrong with it: missing, a folder, too large, not UTF-8,
        empty, not YAML (line and column), a repeated or non-name key, aliases that expand
        beyond :data:`SCENARIO_VALUES` values, unknown keys, another chapter's scenario, or a
        parameter value that the parameter does not accept.
    """
    path = Path(path)
    where = f"scenario file {path}"
    if not path.exists():
        raise InputError(f"{where}: no such file")
    if path.is_dir():
        raise InputError(f"{where}: is a folder; give a .yml file (see scenarios/)")
    if path.stat().st_size > SCENARIO_BYTES:
        raise InputError(f"{where}: is larger than a scenario can be ({SCENARIO_BYTES:,} bytes at most)")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: is not UTF-8 text (byte {exc.object[exc.start]:#04x} at position "
                         f"{exc.start})") from None
    except OSError as exc:
        raise InputError(f"{where}: cannot be read ({exc.strerror})") from None
    if not text.strip():
        raise InputError(f"{where}: is empty; a scenario holds 'chapter: SLUG' and 'parameters:'")
    try:
        node = yaml.compose(text, Loader=_ScenarioLoader)
        if _values(node, SCENARIO_VALUES) > SCENARIO_VALUES:
            raise InputError(f"holds more than {SCENARIO_VALUES:,} values once its aliases are expanded; "
                             "write the parameters out")
        data = _ScenarioLoader(text).get_single_data()
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise InputError(f"{where}: not valid YAML{at}: {problem}") from None
    if not isinstance(data, dict):
        raise InputError(f"{where}: must be a mapping with keys 'chapter' and 'parameters'; got {shown(data)}")
    unknown = set(data) - _SCENARIO_KEYS
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                         f"allowed: {', '.join(sorted(_SCENARIO_KEYS))}")
    if data.get("chapter") != chapter.slug:
        raise InputError(f"{where}: is for chapter {shown(data.get('chapter'))}, not {chapter.slug!r}")
    params = data.get("parameters") or {}
    if not isinstance(params, dict):
        raise InputError(f"{where}: 'parameters' must be a mapping of name: value; got {shown(params)}")
    try:
        return {k: convert(chapter, k, v) for k, v in params.items()}
    except ParameterError as exc:
        raise InputError(f"{where}: {exc}") from None


def resolve(chapter: Chapter, overrides=(), scenario: Path | None = None) -> dict:
    """All parameter values for a run: defaults, then the scenario, then ``-p`` overrides.

    Parameters
    ----------
    chapter : Chapter
        The chapter to run.
    overrides : iterable of (str, str)
        ``(name, value)`` pairs as typed on the command line; a name given twice is an error.
    scenario : Path, optional
        A scenario YAML file for this chapter.

    Returns
    -------
    dict
        Every parameter's value, validated by the chapter's validator.
    """
    values = chapter.defaults()
    if scenario is not None:
        values.update(read_scenario(scenario, chapter))
    seen = set()
    for name, value in overrides:
        if name in seen:
            raise InputError(f"-p {name}: the parameter is given twice; give it once")
        seen.add(name)
        values[name] = convert(chapter, name, value)
    chapter.validate(values)
    return values
