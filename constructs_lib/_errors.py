"""Configuration problems, reported one line each, all at once.

A user who fixes one typo only to meet the next on the following run wastes a cycle per
mistake, so validation collects every problem before it raises.

The rule for errors: bad *data* (a value in props or YAML) is a :class:`ConfigError`
listing every :class:`Problem`; *misuse* of the Python API that no configuration can
cause (a wrong combination of arguments in code) is a ``TypeError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where, what it was, and how to put it right."""

    field: str
    value: object
    message: str
    fix: str

    def under(self, prefix: str) -> Problem:
        """The same problem seen from an enclosing object whose field is ``prefix``."""
        if not prefix:
            return self
        joined = prefix if not self.field else (
            f"{prefix}{self.field}" if self.field.startswith("[") else f"{prefix}.{self.field}"
        )
        return Problem(joined, self.value, self.message, self.fix)

    def render(self) -> str:
        text = f"{self.field or '<config>'}={_short(self.value)}: {self.message}; fix: {self.fix}"
        return " ".join(text.split())


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ConfigError(ValueError):
    """Raised with every problem found; ``str()`` gives one line per problem."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(problem.render() for problem in self.problems))
