"""Generate ``docs/configuration.md`` from the typed props: ``.venv/bin/python -m cli.reference``.

The reference is built from the classes themselves (fields, type hints, defaults and the
``Attributes:`` sections of their docstrings), so it cannot drift from the code; a test
fails when the committed file is stale.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any, get_args, get_origin

from constructs_lib import Props, describe, iter_fields
from stacks.config import AppConfig

OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
_ENTRY = re.compile(r"^    ([a-z][a-z0-9_]*(?: / [a-z][a-z0-9_]*)*): (.*)$")


def field_docs(cls: type) -> dict[str, str]:
    """Descriptions from the ``Attributes:`` sections of ``cls``'s docstring and those of the
    props classes it extends (a field documented once, where it is declared)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if isinstance(klass, type) and issubclass(klass, Props) and "__doc__" in vars(klass):
            docs.update(_own_field_docs(klass))
    return docs


def _own_field_docs(cls: type) -> dict[str, str]:
    lines = inspect.cleandoc(cls.__doc__ or "").splitlines()
    if "Attributes:" not in lines:
        return {}
    docs: dict[str, str] = {}
    current: list[str] = []
    for line in lines[lines.index("Attributes:") + 1:]:
        entry = _ENTRY.match(line)
        if entry:
            current = [name.strip() for name in entry.group(1).split("/")]
            for name in current:
                docs[name] = entry.group(2)
        elif line.startswith("        ") and current:
            for name in current:
                docs[name] += " " + line.strip()
        elif line.strip():
            break
    return {name: text.replace("``", "`") for name, text in docs.items()}


def _nested_props(hint: Any) -> list[type[Props]]:
    if isinstance(hint, type) and issubclass(hint, Props):
        return [hint]
    return [found for arg in get_args(hint) for found in _nested_props(arg)]


def _default(field: dataclasses.Field[Any]) -> str:
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return "required"
    if isinstance(value, Props):
        return "see below"
    if isinstance(value, tuple) and value and isinstance(value[0], Props):
        return f"{len(value)} {'entry' if len(value) == 1 else 'entries'} (the tutorial's)"
    if isinstance(value, tuple):
        value = list(value)
    return f"`{json.dumps(value)}`"


def _is_list(hint: Any) -> bool:
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in get_args(hint))
    return origin is tuple


def sections(root: type[Props] = AppConfig) -> list[tuple[str, type[Props]]]:
    """Each props class once, with the configuration path where it first appears."""
    found: list[tuple[str, type[Props]]] = []
    seen: set[type] = set()
    queue: list[tuple[str, type[Props]]] = [("", root)]
    while queue:
        path, cls = queue.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        found.append((path, cls))
        for field, hint in iter_fields(cls):
            suffix = "[]" if _is_list(hint) else ""
            for nested in _nested_props(hint):
                queue.append((f"{path}.{field.name}{suffix}".lstrip("."), nested))
    return found


def render() -> str:
    out = [
        "# Configuration reference",
        "",
        "Generated from the typed props by `.venv/bin/python -m cli.reference`; do not edit by hand.",
        "The same fields are keyword arguments of the Python classes (`from constructs_lib import ...`)",
        "and keys of the YAML file given to `main.py --config` (see `config.example.yaml`).",
        "",
    ]
    for path, cls in sections():
        title = f"`{path}`" if path else "top level"
        summary = inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0].replace("\n", " ").replace("``", "`")
        out += [f"## {title} ({cls.__name__})", "", summary, "",
                "| field | type | default | description |", "|---|---|---|---|"]
        docs = field_docs(cls)
        for field, hint in iter_fields(cls):
            description = docs.get(field.name, "").replace("|", "\\|")
            out.append(f"| `{field.name}` | {describe(hint)} | {_default(field)} | {description} |")
        out.append("")
    return "\n".join(out)


def main() -> int:
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(render())
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
