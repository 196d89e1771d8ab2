"""The base of every props class: typed, keyword-only, validated on construction.

Python users build props directly; YAML users go through :func:`from_mapping`, which turns
plain mappings into the same classes. Both paths run the same checks, so an error names
the same field whichever way the value arrived.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar, Literal, TypeVar, get_args, get_origin, get_type_hints

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import ConfigError, Problem
from constructs_lib._core.literal import has_token

P = TypeVar("P", bound="Props")

_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false", float: "a number"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Props:
    """Subclasses are ``@dataclass(frozen=True, kw_only=True)`` and may add ``problems()``.

    Naming: ``*Props`` configure a construct or a section of the app; ``*Spec`` describe one
    Kubernetes object inside them; ``*Settings`` and ``*Profile`` group related numbers.
    """

    _hints_cache: ClassVar[dict[type, dict[str, Any]]] = {}
    #: Settings that moved, by their old key: what to write instead (for migration errors).
    moved_settings: ClassVar[Mapping[str, str]] = {}

    def __post_init__(self) -> None:
        found: list[Problem] = []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            expected = _hints(type(self))[field.name]
            converted, field_problems = _coerce(value, expected, field.name)
            found.extend(field_problems)
            if converted is not value:
                object.__setattr__(self, field.name, converted)
        if not found:
            # A cdktf token is a Terraform reference passed on purpose: its value is known
            # only at apply time, so the grammar of the field cannot be checked here.
            references = {field.name for field in dataclasses.fields(self) if _holds_token(getattr(self, field.name))}
            found.extend(problem for problem in self.problems() if _root(problem.field) not in references)
        else:
            found.extend(self._problems_beside({_root(problem.field) for problem in found}))
        if found:
            raise ConfigError(found)

    def _problems_beside(self, wrong: set[str]) -> list[Problem]:
        """The problems of the other fields while ``wrong`` fields have the wrong type, so
        that every problem is reported at once: checked on a copy in which those fields hold
        their defaults. A problem that names a wrong field is left out (it would judge a
        default the user never wrote), and so is everything when a wrong field is required."""
        shadow = object.__new__(type(self))
        for field in dataclasses.fields(self):
            value: Any = getattr(self, field.name)
            if field.name in wrong:
                if field.default is not dataclasses.MISSING:
                    value = field.default
                elif field.default_factory is not dataclasses.MISSING:
                    value = field.default_factory()
                else:
                    return []
            object.__setattr__(shadow, field.name, value)
        if any(_holds_token(getattr(shadow, field.name)) for field in dataclasses.fields(self)):
            return []
        return [problem for problem in shadow.problems()
                if not any(name in f"{problem.field} {problem.message} {problem.fix}" for name in wrong)]

    def problems(self) -> Iterable[Problem]:
        """Cross-field checks; they always see fields of the right type (a field of the wrong
        type holds its default while they run, see ``_problems_beside``)."""
        return ()


def _root(field: str) -> str:
    """The top-level field of a problem's path (``adapters`` of ``adapters[0].id``)."""
    return re.split(r"[.\[]", field, maxsplit=1)[0]


def _holds_token(value: Any) -> bool:
    if isinstance(value, str):
        return has_token(value)
    if isinstance(value, (tuple, list)):
        return any(_holds_token(item) for item in value)
    if isinstance(value, Mapping):
        return any(_holds_token(key) or _holds_token(item) for key, item in value.items())
    return False


def _hints(cls: type) -> dict[str, Any]:
    cached = Props._hints_cache.get(cls)
    if cached is None:
        cached = get_type_hints(cls)
        Props._hints_cache[cls] = cached
    return cached


def describe(expected: Any) -> str:
    """Human words for a type hint, used in error messages and the reference docs."""
    origin = get_origin(expected)
    if expected in _TYPE_NAMES:
        return _TYPE_NAMES[expected]
    if origin is Literal:
        return "one of " + ", ".join(repr(choice) for choice in get_args(expected))
    if origin in (types.UnionType, typing.Union):
        return " or ".join("null" if arg is type(None) else describe(arg) for arg in get_args(expected))
    if origin is tuple:
        item = get_args(expected)[0]
        if isinstance(item, type) and issubclass(item, Props):
            return f"a list of {item.__name__} mappings"
        return f"a list of {describe(item).removeprefix('a ')}s"
    if origin in (dict, Mapping):
        return "a mapping of strings to " + ("values" if get_args(expected)[1] is Any else "strings")
    if isinstance(expected, type) and issubclass(expected, Props):
        return f"a mapping with {expected.__name__} fields"
    return getattr(expected, "__name__", str(expected))


def type_problems(value: Any, expected: Any, path: str) -> list[Problem]:
    """Whether ``value`` is of the type hint ``expected``, judged as a props field is: for
    values typed outside a props class (a plugin parameter checked against a table)."""
    return _coerce(value, expected, path)[1]


def _coerce(value: Any, expected: Any, path: str) -> tuple[Any, list[Problem]]:
    """Check ``value`` against ``expected``; lists become tuples, mappings become props."""
    origin = get_origin(expected)
    if expected is Any:
        return value, []
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in get_args(expected):
            return value, []
        if isinstance(value, Mapping):
            tagged = _tagged_choice(value, get_args(expected), path)
            if tagged is not None:
                return tagged
        for option in get_args(expected):
            if option is type(None):
                continue
            converted, found = _coerce(value, option, path)
            if not found:
                return converted, []
            # A list or mapping meant for this container option: its own problems (a bad
            # item, an unknown key) say more than "must be X or null" for the whole value.
            if _is_container(option) and isinstance(value, (list, tuple, dict, Mapping)):
                return converted, found
        return value, _mismatch(value, expected, path)
    if origin is Literal:
        ok = _is_choice(value, get_args(expected))
        return (value, []) if ok else (value, _mismatch(value, expected, path))
    if expected is bool:
        return (value, []) if isinstance(value, bool) else (value, _mismatch(value, expected, path))
    if expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return (value, list(checks.int64(path, value))) if ok else (value, _mismatch(value, expected, path))
    if expected is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and not (math.isfinite(value) and abs(value) <= checks.FLOAT_MAX):
            return value, [Problem(path, value, "is not a finite number of sensible size",
                                   f"give a number between -{checks.FLOAT_MAX:g} and {checks.FLOAT_MAX:g}")]
        return (float(value), []) if ok else (value, _mismatch(value, expected, path))
    if expected is str:
        return (value, []) if isinstance(value, str) else (value, _mismatch(value, expected, path))
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            return value, _mismatch(value, expected, path)
        too_long = list(checks.at_most_items(path, len(value)))
        if too_long:
            return value, too_long
        item_type = get_args(expected)[0]
        items, found = [], []
        for index, item in enumerate(value):
            converted, item_problems = _coerce(item, item_type, f"{path}[{index}]")
            items.append(converted)
            found.extend(item_problems)
        return tuple(items), found
    if origin in (dict, Mapping):
        if not isinstance(value, Mapping):
            return value, _mismatch(value, expected, path)
        key_type, value_type = get_args(expected)
        found = []
        for key, item in value.items():
            if not isinstance(key, key_type):
                found.append(Problem(f"{path}", key, f"has a key that is not {describe(key_type)}",
                                     "quote the key"))
            elif value_type is not Any and (not isinstance(item, value_type) or isinstance(item, bool)):
                found.append(Problem(f"{path}.{key}", item, f"must be {describe(value_type)}",
                                     "quote the value"))
        return (dict(value), found) if not found else (value, found)
    if isinstance(expected, type) and issubclass(expected, Props):
        if isinstance(value, expected):
            return value, []
        if isinstance(value, Mapping):
            try:
                return from_mapping(expected, value), []
            except ConfigError as error:
                return value, [problem.under(path) for problem in error.problems]
        return value, _mismatch(value, expected, path)
    return value, []


def _is_choice(value: Any, choices: tuple[Any, ...]) -> bool:
    """Whether ``value`` is one of a literal's choices, of the same type too (``True`` is
    not ``1``). The first equal choice is found at C speed: some literals have hundreds."""
    try:
        first = choices.index(value)
    except ValueError:
        return False
    if type(choices[first]) is type(value):
        return True
    return any(value == choice and type(value) is type(choice) for choice in choices[first + 1:])


def _mismatch(value: Any, expected: Any, path: str) -> list[Problem]:
    """A value not of the expected type, worded only when it happens: describing a hint
    costs more than checking a value against it, and most values pass."""
    words = describe(expected)
    return [Problem(path, value, f"must be {words}", f"give {words}")]


def _tagged_choice(value: Mapping[Any, Any], options: tuple[Any, ...],
                   path: str) -> tuple[Any, list[Problem]] | None:
    """A union of props classes told apart by a field each pins to one literal value (a
    tag such as ``api_version``): the mapping's tag picks the class, so errors are reported
    against the class the user meant. Without the tag, the first class is the default."""
    classes = [option for option in options if isinstance(option, type) and issubclass(option, Props)]
    if len(classes) < 2:
        return None
    tag = _tag_field(classes)
    if tag is None:
        return None
    if tag not in value:
        return _coerce(value, classes[0], path)
    allowed = {get_args(_hints(cls)[tag])[0]: cls for cls in classes}
    # Compared, not looked up: the tag may be any YAML value, a list included.
    chosen = next((cls for choice, cls in allowed.items()
                   if value[tag] == choice and type(value[tag]) is type(choice)), None)
    if chosen is None:
        choices = ", ".join(repr(choice) for choice in allowed)
        return value, [Problem(f"{path}.{tag}", value[tag], f"must be one of {choices}",
                               f"give one of {choices}")]
    return _coerce(value, chosen, path)


def _tag_field(classes: list[type[Props]]) -> str | None:
    """The first field that every class pins to its own single literal value."""
    for field in dataclasses.fields(classes[0]):
        hints = [_hints(cls).get(field.name) for cls in classes]
        if all(get_origin(hint) is Literal and len(get_args(hint)) == 1 for hint in hints):
            if len({get_args(hint)[0] for hint in hints}) == len(classes):
                return field.name
    return None


def _is_container(expected: Any) -> bool:
    origin = get_origin(expected)
    return origin in (tuple, dict, Mapping) or (isinstance(expected, type) and issubclass(expected, Props))


def from_mapping(cls: type[P], data: Mapping[str, Any]) -> P:
    """Build ``cls`` from a plain mapping (parsed YAML), reporting unknown keys too."""
    if not isinstance(data, Mapping):
        raise ConfigError([Problem("", data, f"must be {describe(cls)}", "write a mapping of keys")])
    fields = [field for field in dataclasses.fields(cls) if field.init]
    names = [field.name for field in fields]
    unknown = [
        Problem(str(key), _shown(data[key]), "has moved", cls.moved_settings[key])
        if key in cls.moved_settings else
        Problem(str(key), _shown(data[key]), "is not a known setting", _unknown_key_fix(str(key), names))
        for key in data if key not in names
    ]
    found = [Problem(field.name, "(missing)", "is required", f"add {field.name}")
             for field in fields if field.name not in data and _required(field)]
    if found:
        raise ConfigError(unknown + found)
    kwargs = {key: _coerce(data[key], _hints(cls)[key], key)[0] for key in names if key in data}
    try:
        built = cls(**kwargs)
    except ConfigError as error:
        # Unknown keys and the object's own checks are reported together, in one run.
        raise ConfigError(unknown + list(error.problems)) from None
    if unknown:
        raise ConfigError(unknown)
    return built


class _Elided:
    """Stands for a section or a list in a problem: its ``repr`` is ``{...}`` or ``[...]``."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _shown(value: Any) -> Any:
    """A value as an unknown key's problem shows it: a section as what it is, never a
    truncated dump of its contents."""
    if isinstance(value, Mapping):
        return _Elided("{...}")
    if isinstance(value, list | tuple):
        return _Elided("[...]")
    return value


def _unknown_key_fix(key: str, names: list[str]) -> str:
    """``did you mean replicas?`` when a known setting is close; else the known ones."""
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.75)
    if close:
        return f"did you mean {close[0]}?"
    return f"remove it or use one of: {', '.join(names)}"


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def iter_fields(cls: type[Props]) -> Iterator[tuple[dataclasses.Field[Any], Any]]:
    """Each init field of ``cls`` with its resolved type hint (for reference docs)."""
    hints = _hints(cls)
    for field in dataclasses.fields(cls):
        if field.init:
            yield field, hints[field.name]
