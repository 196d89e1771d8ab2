"""A small interpreter of Go templates with the Helm functions the GIE charts use, so that
tests can render a chart from the values the app sets, offline (no Helm binary is
installable here).

It covers what the pinned charts use: actions with trim markers and comments; ``if`` /
``else if`` / ``else``, ``range`` (lists, maps, ``until``) with variables, ``with``,
``define`` and ``include``; pipelines; and the functions listed in ``FUNCTIONS``. Anything
else raises :class:`TemplateError`, so a chart that grows new template logic is noticed
rather than rendered wrongly. Semantics follow Go's ``text/template`` (truthiness, ``and``
/ ``or`` returning an operand, sorted map ranges) and Helm (missing keys render empty,
``toYaml`` sorts keys and drops the final newline).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml


class TemplateError(Exception):
    """The template uses something this interpreter does not implement, or fails."""


# --- lexing ---------------------------------------------------------------------------------

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)


def _tokens(text: str) -> list[tuple[str, str]]:
    """``("text", ...)`` and ``("action", ...)`` pieces, trim markers applied."""
    pieces: list[tuple[str, str]] = []
    position = 0
    trim_next = False
    for match in _ACTION.finditer(text):
        before = text[position:match.start()]
        if trim_next:
            before = before.lstrip()
        if match.group(1):
            before = before.rstrip()
        pieces.append(("text", before))
        body = match.group(2).strip()
        if not (body.startswith("/*") and body.endswith("*/")):
            pieces.append(("action", body))
        trim_next = bool(match.group(3))
        position = match.end()
    rest = text[position:]
    pieces.append(("text", rest.lstrip() if trim_next else rest))
    return [piece for piece in pieces if piece != ("text", "")]


# --- parsing --------------------------------------------------------------------------------

@dataclasses.dataclass
class Node:
    kind: str  # text, action, if, range, with, define
    text: str = ""
    branches: list[tuple[str, list[Node]]] = dataclasses.field(default_factory=list)
    otherwise: list[Node] | None = None


def parse(text: str) -> tuple[list[Node], dict[str, list[Node]]]:
    """The template's nodes, and the bodies of its ``define`` blocks by name."""
    defines: dict[str, list[Node]] = {}
    tokens = _tokens(text)
    nodes, index = _parse_block(tokens, 0, defines, top=True)
    if index != len(tokens):
        raise TemplateError(f"unexpected {tokens[index][1]!r}")
    return nodes, defines


def _parse_block(tokens: list[tuple[str, str]], index: int, defines: dict[str, list[Node]],
                 top: bool = False) -> tuple[list[Node], int]:
    nodes: list[Node] = []
    while index < len(tokens):
        kind, body = tokens[index]
        if kind == "text":
            nodes.append(Node("text", body))
            index += 1
            continue
        keyword = body.split(None, 1)[0] if body else ""
        if keyword in ("end", "else"):
            if top:
                raise TemplateError(f"unexpected {body!r}")
            return nodes, index
        if keyword in ("if", "range", "with"):
            node = Node(keyword)
            condition = body[len(keyword):].strip()
            index += 1
            while True:
                block, index = _parse_block(tokens, index, defines)
                node.branches.append((condition, block))
                if index >= len(tokens):
                    raise TemplateError(f"{keyword} {condition!r} is not closed")
                closing = tokens[index][1]
                index += 1
                if closing == "end":
                    break
                rest = closing[len("else"):].strip()
                if rest.startswith("if ") and keyword == "if":
                    condition = rest[len("if "):].strip()
                    continue
                if rest:
                    raise TemplateError(f"unsupported {closing!r}")
                node.otherwise, index = _parse_block(tokens, index, defines)
                if index >= len(tokens) or tokens[index][1] != "end":
                    raise TemplateError(f"expected end after else, got {tokens[index][1]!r}")
                index += 1
                break
            nodes.append(node)
            continue
        if keyword == "define":
            name = json.loads(body[len("define"):].strip())
            block, index = _parse_block(tokens, index + 1, defines)
            if index >= len(tokens) or tokens[index][1] != "end":
                raise TemplateError(f"define {name} not closed")
            defines[name] = block
            index += 1
            continue
        nodes.append(Node("action", body))
        index += 1
    return nodes, index


# --- evaluation -----------------------------------------------------------------------------

def truthy(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, (str, list, tuple, dict)):
        return len(value) > 0
    return True


def text_of(value: Any) -> str:
    """How Go prints a value into the output (Helm renders a missing value as nothing)."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        raise TemplateError(f"printing a {type(value).__name__} directly is not supported")
    return str(value)


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks, as Helm's ``toYaml`` does."""


_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def to_yaml(value: Any) -> str:
    if value is None:
        return "null"
    return yaml.dump(value, Dumper=_Dumper, default_flow_style=False, sort_keys=True).rstrip("\n")


def _go_printf(pattern: str, *args: Any) -> str:
    converted = iter(args)

    def one(match: re.Match[str]) -> str:
        verb = match.group(1)
        if verb == "%":
            return "%"
        value = next(converted)
        if verb == "d":
            return str(int(value))
        if verb == "q":
            return json.dumps(text_of(value))
        return text_of(value)
    return re.sub(r"%([sdvq%])", one, pattern)


def _index(collection: Any, *keys: Any) -> Any:
    for key in keys:
        if collection is None:
            return None
        collection = collection[key] if isinstance(collection, list) else collection.get(key)
    return collection


def _trunc(length: int, text: str) -> str:
    return text[:length] if length >= 0 else text[length:]


def _indent(spaces: int, text: str) -> str:
    return "\n".join(" " * spaces + line for line in text_of(text).split("\n"))


def _default(fallback: Any, *value: Any) -> Any:
    return value[0] if value and truthy(value[0]) else fallback


def _and(*values: Any) -> Any:
    for value in values:
        if not truthy(value):
            return value
    return values[-1]


def _or(*values: Any) -> Any:
    for value in values:
        if truthy(value):
            return value
    return values[-1]


def _required(message: str, value: Any) -> Any:
    if not truthy(value):
        raise TemplateError(f"required: {message}")
    return value


def _fail(message: str) -> Any:
    raise TemplateError(f"fail: {message}")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "eq": lambda a, *b: any(a == item for item in b),
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "and": _and,
    "or": _or,
    "not": lambda value: not truthy(value),
    "empty": lambda value: not truthy(value),
    "default": _default,
    "quote": lambda *values: " ".join(json.dumps(text_of(value)) for value in values),
    "lower": lambda text: text_of(text).lower(),
    "trim": lambda text: text_of(text).strip(),
    "trimSuffix": lambda suffix, text: text[: -len(suffix)] if suffix and text.endswith(suffix) else text,
    "trunc": _trunc,
    "nindent": lambda spaces, text: "\n" + _indent(spaces, text),
    "indent": _indent,
    "toYaml": to_yaml,
    "toJson": lambda value: json.dumps(value, separators=(",", ":"), sort_keys=True),
    "printf": _go_printf,
    "int": lambda value: int(value or 0),
    "add": lambda *values: sum(int(value) for value in values),
    "until": lambda count: list(range(int(count))),
    "index": _index,
    "hasKey": lambda mapping, key: isinstance(mapping, Mapping) and key in mapping,
    "dict": lambda *pairs: {pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2)},
    "required": _required,
    "fail": _fail,
}


class _Scope:
    def __init__(self, parent: _Scope | None = None) -> None:
        self.names: dict[str, Any] = {}
        self.parent = parent

    def get(self, name: str) -> Any:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        raise TemplateError(f"undefined variable ${name}")

    def set(self, name: str, value: Any) -> None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                scope.names[name] = value
                return
            scope = scope.parent
        raise TemplateError(f"assignment to undeclared ${name}")


_WORD = re.compile(r"[^\s()|]+")
_FIELDS = re.compile(r"(?:\.\w+)+")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _split(pipeline: str) -> list[Any]:
    """Operands and ``|`` of a pipeline; parenthesised groups become nested lists, with
    the fields read from their result (``(index .list 0).number``)."""
    stack: list[list[Any]] = [[]]
    position = 0
    while position < len(pipeline):
        char = pipeline[position]
        if char.isspace():
            position += 1
        elif char == '"':
            match = _STRING.match(pipeline, position)
            if match is None:
                raise TemplateError(f"unterminated string in {pipeline!r}")
            stack[-1].append(("string", json.loads(match.group())))
            position = match.end()
        elif char == "(":
            stack.append([])
            position += 1
        elif char == ")":
            if len(stack) == 1:
                raise TemplateError(f"unbalanced parentheses in {pipeline!r}")
            group = stack.pop()
            position += 1
            fields = _FIELDS.match(pipeline, position)
            path = fields.group()[1:] if fields else ""
            position = fields.end() if fields else position
            stack[-1].append(("group", (group, path)))
        elif char == "|":
            stack[-1].append(("bar", "|"))
            position += 1
        else:
            match = _WORD.match(pipeline, position)
            assert match is not None
            stack[-1].append(("word", match.group()))
            position = match.end()
    if len(stack) != 1:
        raise TemplateError(f"unbalanced parentheses in {pipeline!r}")
    return stack[0]


class Renderer:
    """Renders templates sharing one set of ``define`` blocks."""

    def __init__(self, defines: dict[str, list[Node]]) -> None:
        self.defines = defines

    def render(self, nodes: list[Node], dot: Any, root: Any, scope: _Scope | None = None) -> str:
        return "".join(self._nodes(nodes, dot, root, scope or _Scope()))

    def _nodes(self, nodes: list[Node], dot: Any, root: Any, scope: _Scope) -> Iterator[str]:
        for node in nodes:
            if node.kind == "text":
                yield node.text
            elif node.kind == "action":
                assigned = re.fullmatch(r"\$(\w+)\s*(:?=)\s*(.*)", node.text, re.DOTALL)
                if assigned:
                    value = self.pipeline(assigned[3], dot, root, scope)
                    if assigned[2] == ":=":
                        scope.names[assigned[1]] = value
                    else:
                        scope.set(assigned[1], value)
                else:
                    yield text_of(self.pipeline(node.text, dot, root, scope))
            elif node.kind == "if":
                for condition, body in node.branches:
                    if truthy(self.pipeline(condition, dot, root, scope)):
                        yield from self._nodes(body, dot, root, _Scope(scope))
                        break
                else:
                    if node.otherwise is not None:
                        yield from self._nodes(node.otherwise, dot, root, _Scope(scope))
            elif node.kind == "with":
                ((condition, body),) = node.branches
                value = self.pipeline(condition, dot, root, scope)
                if truthy(value):
                    yield from self._nodes(body, value, root, _Scope(scope))
                elif node.otherwise is not None:
                    yield from self._nodes(node.otherwise, dot, root, _Scope(scope))
            elif node.kind == "range":
                yield from self._range(node, dot, root, scope)

    def _range(self, node: Node, dot: Any, root: Any, scope: _Scope) -> Iterator[str]:
        ((header, body),) = node.branches
        declared = re.fullmatch(r"(\$\w+)(?:\s*,\s*(\$\w+))?\s*:=\s*(.*)", header, re.DOTALL)
        names = [name[1:] for name in (declared[1], declared[2]) if name] if declared else []
        value = self.pipeline(declared[3] if declared else header, dot, root, scope)
        items = sorted(value.items()) if isinstance(value, dict) else list(enumerate(value or []))
        if not items and node.otherwise is not None:
            yield from self._nodes(node.otherwise, dot, root, _Scope(scope))
        for key, item in items:
            inner = _Scope(scope)
            if len(names) == 1:
                inner.names[names[0]] = item
            elif len(names) == 2:
                inner.names[names[0]], inner.names[names[1]] = key, item
            yield from self._nodes(body, item, root, inner)

    # pipelines

    def pipeline(self, text: str, dot: Any, root: Any, scope: _Scope) -> Any:
        return self._evaluate(_split(text), dot, root, scope)

    def _evaluate(self, operands: list[Any], dot: Any, root: Any, scope: _Scope) -> Any:
        commands: list[list[Any]] = [[]]
        for operand in operands:
            if operand[0] == "bar":
                commands.append([])
            else:
                commands[-1].append(operand)
        value: Any = _NOTHING
        for command in commands:
            value = self._command(command, dot, root, scope, value)
        return value

    def _command(self, command: list[Any], dot: Any, root: Any, scope: _Scope, piped: Any) -> Any:
        if not command:
            raise TemplateError("empty command")
        kind, word = command[0]
        if kind == "word" and (word in FUNCTIONS or word in ("include", "tpl")):
            args = [self._operand(operand, dot, root, scope) for operand in command[1:]]
            if piped is not _NOTHING:
                args.append(piped)
            if word == "include":
                name, data = args
                if name not in self.defines:
                    raise TemplateError(f"include of undefined template {name!r}")
                return self.render(self.defines[name], data, root)
            if word == "tpl":
                text, data = args
                nodes, defines = parse(text)
                return Renderer({**self.defines, **defines}).render(nodes, data, root)
            return FUNCTIONS[word](*args)
        if len(command) != 1 or piped is not _NOTHING:
            raise TemplateError(f"unsupported command {command!r}")
        return self._operand(command[0], dot, root, scope)

    def _operand(self, operand: Any, dot: Any, root: Any, scope: _Scope) -> Any:
        kind, value = operand
        if kind == "string":
            return value
        if kind == "group":
            group, path = value
            return _field(self._evaluate(group, dot, root, scope), path)
        if value in ("true", "false"):
            return value == "true"
        if value == "nil":
            return None
        if re.fullmatch(r"-?\d+", value):
            return int(value)
        if re.fullmatch(r"-?\d+\.\d+", value):
            return float(value)
        if value == ".":
            return dot
        if value.startswith("$"):
            head, _, path = value[1:].partition(".")
            start = root if head == "" else scope.get(head)
            return _field(start, path)
        if value.startswith("."):
            return _field(dot, value[1:])
        raise TemplateError(f"unknown function or operand {value!r}")


_NOTHING = object()


def _field(value: Any, path: str) -> Any:
    for key in path.split(".") if path else []:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


# --- Helm charts -----------------------------------------------------------------------------

def merge(base: Any, override: Any) -> Any:
    """Helm's coalescing of values: maps merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base.get(key), value) if key in base else value
        return merged
    return override


def set_value(values: dict, path: str, value: str) -> dict:
    """``helm --set path=value`` (dots split keys unless escaped; ``[n]`` indexes a list;
    ``true``/``false`` and integers are typed as Helm types them)."""
    typed: Any = value
    if value in ("true", "false"):
        typed = value == "true"
    elif re.fullmatch(r"-?\d+", value):
        typed = int(value)
    keys = [key.replace("\0", ".") for key in path.replace("\\.", "\0").split(".")]
    merged = json.loads(json.dumps(values))
    target: Any = merged
    for position, key in enumerate(keys):
        indexed = re.fullmatch(r"(.+)\[(\d+)\]", key)
        last = position == len(keys) - 1
        if indexed:
            items = target.setdefault(indexed[1], [])
            while len(items) <= int(indexed[2]):
                items.append({})
            if last:
                items[int(indexed[2])] = typed
            else:
                target = items[int(indexed[2])]
        elif last:
            target[key] = typed
        else:
            existing = target.get(key)
            target[key] = existing if isinstance(existing, dict) else {}
            target = target[key]
    return merged


@dataclasses.dataclass(frozen=True)
class Chart:
    """A chart directory with its library dependencies (each under its alias)."""

    path: Path
    dependencies: Mapping[str, Path] = dataclasses.field(default_factory=dict)

    def default_values(self) -> dict:
        values: dict = {}
        for alias, path in self.dependencies.items():
            values = merge(values, {alias: yaml.safe_load((path / "values.yaml").read_text()) or {}})
        return merge(values, yaml.safe_load((self.path / "values.yaml").read_text()) or {})

    def render(self, values: dict, release: str, namespace: str) -> list[dict]:
        """Every object the chart renders, in file order (``_*`` files only define)."""
        files = [path for directory in (*self.dependencies.values(), self.path)
                 for path in sorted((directory / "templates").iterdir())]
        defines: dict[str, list[Node]] = {}
        parsed = {}
        for path in files:
            if path.suffix not in (".yaml", ".tpl"):
                continue
            nodes, found = parse(path.read_text())
            defines.update(found)
            parsed[path] = nodes
        chart = yaml.safe_load((self.path / "Chart.yaml").read_text())
        root = {"Values": values, "Release": {"Name": release, "Namespace": namespace},
                "Chart": {"Name": chart["name"], "AppVersion": chart.get("appVersion"),
                          "Version": chart.get("version")}}
        renderer = Renderer(defines)
        objects = []
        for path, nodes in parsed.items():
            if path.name.startswith("_") or path.parent.parent != self.path:
                continue
            text = renderer.render(nodes, root, root)
            # Helm splits manifests on "---" even when a trimmed action glued the next
            # line to it (pkg/releaseutil/manifest.go, SplitManifests).
            documents = (yaml.safe_load(piece) for piece in re.split(r"(?:^|\s*\n)---\s*", text))
            objects += [document for document in documents if document]
        return objects
