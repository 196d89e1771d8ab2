"""Configuration problems, reported one line each, all at once.

A user who fixes one typo only to meet the next on the following run wastes a cycle per
mistake, so validation collects every problem before it raises.

The rule for errors: bad *data* (a value in props or YAML) is a :class:`ConfigError`
listing every :class:`Problem`; *misuse* of the Python API that no configuration can
cause (a wrong combination of arguments in code) is a ``TypeError``.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where, what it was, and how to put it right."""

    field: str
    value: object
    message: str
    fix: str
    #: Where the value stands in the user's input (``config.yaml:12``); empty when unknown.
    where: str = ""

    def under(self, prefix: str) -> Problem:
        """The same problem seen from an enclosing object whose field is ``prefix``."""
        if not prefix:
            return self
        joined = prefix if not self.field else (
            f"{prefix}{self.field}" if self.field.startswith("[") else f"{prefix}.{self.field}"
        )
        return dataclasses.replace(self, field=joined)

    def at(self, where: str) -> Problem:
        """The same problem, located in the user's input."""
        return dataclasses.replace(self, where=where)

    def render(self) -> str:
        field = _printable(_cut(self.field, 200)) or "<config>"
        where = f"{_printable(self.where)}: " if self.where else ""
        text = f"{where}{field}={_short(self.value)}: {_printable(self.message)}; fix: {_printable(self.fix)}"
        return " ".join(text.split())


# A value may be an alias bomb's millions of nodes: never ``repr()`` it whole.
_BOUNDED = reprlib.Repr()
_BOUNDED.maxlevel, _BOUNDED.maxstring, _BOUNDED.maxother = 3, 90, 90
_BOUNDED.maxlist = _BOUNDED.maxtuple = _BOUNDED.maxdict = _BOUNDED.maxset = 4


def _short(value: object, limit: int = 80) -> str:
    return _cut(_printable(_BOUNDED.repr(value)), limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _printable(text: str) -> str:
    """Control and line-separator characters escaped, so a problem stays one line."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


class ConfigError(ValueError):
    """Raised with every problem found; ``str()`` gives one line per problem."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(problem.render() for problem in self.problems))
