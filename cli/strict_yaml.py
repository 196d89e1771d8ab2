"""Read a configuration file as YAML 1.2 core, refusing what PyYAML's YAML 1.1 loader
would silently reinterpret or expand without limit.

PyYAML reads ``010`` as 8, ``yes``/``on`` as booleans and ``2001-12-14`` as a date, keeps
the last of two equal keys, and expands aliases without bound (a 1 KB "billion laughs"
file becomes billions of nodes once something walks it). Here scalars resolve as the YAML
1.2 core schema says (decimal integers only; ``true``/``false`` only), duplicate keys and
non-finite numbers are refused with their field path, and the node graph is measured
(depth, expanded size, cycles) before a single Python value is built from it.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from constructs_lib import ConfigError, Problem

#: Configuration files are a few KB; anything this large is a mistake or an attack.
MAX_FILE_BYTES = 1 << 20
#: Nesting deeper than this has no meaning in the configuration schema.
MAX_DEPTH = 64
#: Nodes after every alias is expanded; the largest real configuration has a few thousand.
MAX_EXPANDED_NODES = 100_000

_MERGE_TAG = "tag:yaml.org,2002:merge"
_FLOAT_TAG = "tag:yaml.org,2002:float"


class YamlRefusedError(ConfigError):
    """A file that is YAML but not an acceptable configuration document."""


class _CoreResolver(Resolver):
    """The YAML 1.2 core schema, plus the ``<<`` merge key."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789")),
    (_FLOAT_TAG, r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                 r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+.0123456789")),
    (_MERGE_TAG, r"^(?:<<)$", ["<"]),
):
    _CoreResolver.add_implicit_resolver(_tag, re.compile(_pattern), _first)


class _CoreConstructor(SafeConstructor):
    """Integers in decimal (leading zeros allowed, as YAML 1.2 reads them)."""

    def construct_yaml_int(self, node: ScalarNode) -> int:
        text = str(self.construct_scalar(node))
        if not re.fullmatch(r"[-+]?[0-9]+", text):
            raise ConstructorError(None, None, f"{text!r} is not a decimal integer", node.start_mark)
        return int(text)

    def construct_yaml_float(self, node: ScalarNode) -> float:
        text = str(self.construct_scalar(node)).lower()
        if text.lstrip("+-") == ".inf":
            return -math.inf if text.startswith("-") else math.inf
        if text == ".nan":
            return math.nan
        try:
            return float(text)
        except ValueError:
            raise ConstructorError(None, None, f"{text!r} is not a number", node.start_mark) from None

    def construct_yaml_bool(self, node: ScalarNode) -> bool:
        text = str(self.construct_scalar(node))
        if text not in ("true", "True", "TRUE", "false", "False", "FALSE"):
            raise ConstructorError(None, None, f"{text!r} is not true or false", node.start_mark)
        return text.lower() == "true"


_CoreConstructor.add_constructor("tag:yaml.org,2002:int", _CoreConstructor.construct_yaml_int)
_CoreConstructor.add_constructor(_FLOAT_TAG, _CoreConstructor.construct_yaml_float)
_CoreConstructor.add_constructor("tag:yaml.org,2002:bool", _CoreConstructor.construct_yaml_bool)


class _BoundedComposer(Composer):
    """Stops composing past ``MAX_DEPTH`` levels, before Python's recursion limit does."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlRefusedError([Problem("", f"line {mark.line + 1}",
                                           f"nests deeper than {MAX_DEPTH} levels",
                                           "flatten the document; the configuration is a few levels deep")])
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(Reader, Scanner, Parser, _BoundedComposer, _CoreConstructor, _CoreResolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _BoundedComposer.__init__(self)
        _CoreConstructor.__init__(self)
        _CoreResolver.__init__(self)


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


class _GraphCheck:
    """One pass over the node graph: each node once, however many aliases point at it."""

    def __init__(self) -> None:
        self.measured: dict[int, tuple[int, int]] = {}  # node id -> (expanded values, depth)
        self.active: set[int] = set()
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}  # path -> line of its key (or item), 1-based

    def measure(self, node: Node, path: str, level: int = 1) -> tuple[int, int]:
        """Values and levels below ``node`` once aliases are expanded; records problems on
        the way and refuses a graph that expands too far or too deep."""
        key = id(node)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if key in self.active:
            raise YamlRefusedError([Problem(path, f"line {node.start_mark.line + 1}", "is an alias that contains "
                                            "itself", "replace the alias with the value it should have")])
        if key not in self.measured:
            self.active.add(key)
            self.measured[key] = self._walk(node, path, level)
            self.active.discard(key)
        total, depth = self.measured[key]
        if total > MAX_EXPANDED_NODES:
            raise YamlRefusedError([Problem(path, f"line {node.start_mark.line + 1}",
                                            f"expands through aliases to more than {MAX_EXPANDED_NODES} values",
                                            "write the values out, or use fewer nested aliases")])
        if level + depth > MAX_DEPTH:
            raise YamlRefusedError([Problem(path, f"line {node.start_mark.line + 1}",
                                            f"nests deeper than {MAX_DEPTH} levels once aliases are expanded",
                                            "flatten the document; the configuration is a few levels deep")])
        return total, depth

    def _walk(self, node: Node, path: str, level: int) -> tuple[int, int]:
        children: list[tuple[int, int]] = []
        if isinstance(node, SequenceNode):
            children = [self.measure(item, _join(path, index), level + 1) for index, item in enumerate(node.value)]
        elif isinstance(node, MappingNode):
            children = self._mapping(node, path, level)
        elif node.tag == _FLOAT_TAG and not _is_finite(str(node.value)):
            self.problems.append(Problem(path, node.value, "is not a finite number",
                                         "give a finite number (.inf and .nan are not accepted)"))
        return 1 + sum(total for total, _ in children), 1 + max((depth for _, depth in children), default=0)

    def _mapping(self, node: MappingNode, path: str, level: int) -> list[tuple[int, int]]:
        children = []
        first_line: dict[object, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                children.append(self.measure(value_node, path, level + 1))
                continue
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            line = key_node.start_mark.line + 1
            if key is not None and key in first_line:
                self.problems.append(Problem(_join(path, key), key,
                                             f"is written twice, on line {first_line[key]} and line {line} "
                                             "(plain YAML would silently keep the last)",
                                             "keep one of the two lines"))
            elif key is not None:
                first_line[key] = line
                self.lines.setdefault(_join(path, key), line)
            children.append(self.measure(key_node, path, level + 1))
            children.append(self.measure(value_node, _join(path, key), level + 1))
        return children


def _is_finite(text: str) -> bool:
    """``.inf``, ``.nan`` and literals too large for a float (``1e400``) are not."""
    lowered = text.lower().lstrip("+-")
    try:
        return lowered not in (".inf", ".nan") and math.isfinite(float(text))
    except ValueError:
        return True  # not a number at all: the constructor names it


def parse(text: str) -> Any:
    """The single document in ``text`` as plain Python values, or ``YamlRefusedError``."""
    return parse_located(text)[0]


def parse_located(text: str) -> tuple[Any, dict[str, int]]:
    """:func:`parse`, and the line where each value stands, by its field path
    (``model_servers[0].replicas``), so that a problem can point at its line."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise YamlRefusedError([Problem("--config", f"{len(text)} characters", f"is larger than {MAX_FILE_BYTES} "
                                   "bytes", "a configuration is a few KB: check that this is the right file")])
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        check = _GraphCheck()
        check.measure(node, "")
        if check.problems:
            raise YamlRefusedError(check.problems)
        return loader.construct_document(node), check.lines
    finally:
        loader.dispose()


def yaml_error_problem(path: str, error: yaml.YAMLError) -> Problem:
    """A syntax error as one line naming where it is."""
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    reason = getattr(error, "problem", None) or "is not valid YAML"
    return Problem("--config", path, f"is not valid YAML{where} ({reason})", "fix the YAML syntax there")
