"""The package's import graph, read from the source: which module imports which.

Every import counts, wherever it stands: at the top, in a function, or under
``TYPE_CHECKING`` (a type-only import still ties the two modules' designs together).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "constructs_lib"


@cache
def package_modules() -> dict[str, Path]:
    """Every module of the package by dotted name (``constructs_lib._core.checks``)."""
    found = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _targets(node: ast.AST) -> list[str]:
    """The dotted names one import statement loads (a ``from a import b`` names ``a.b``
    when that is a module, else ``a``)."""
    modules = package_modules()
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                for alias in node.names]
    return []


@cache
def imports_of(module: str, *, type_only: bool = True) -> frozenset[str]:
    """The package modules ``module`` imports; without ``type_only``, the imports under an
    ``if TYPE_CHECKING`` block are left out."""
    tree = ast.parse(package_modules()[module].read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if not type_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped.update(id(inner) for inner in ast.walk(node))
    modules = package_modules()
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        found.update(target for target in _targets(node) if target in modules and target != module)
    return frozenset(found)


def external_imports_of(module: str) -> frozenset[str]:
    """The top-level names of the other packages ``module`` imports (``cdktf``, ``yaml``)."""
    tree = ast.parse(package_modules()[module].read_text(encoding="utf-8"))
    return frozenset(target.split(".")[0] for node in ast.walk(tree) for target in _targets(node)
                     if not target.startswith(PACKAGE))


def find_cycle(*, type_only: bool = True) -> list[str]:
    """One import circle as a path ``a -> b -> a``, or ``[]`` when there is none."""
    graph = {name: imports_of(name, type_only=type_only) for name in package_modules() if name != PACKAGE}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> list[str]:
        if name in visiting:
            return [*visiting[visiting.index(name):], name]
        if name in done:
            return []
        visiting.append(name)
        for imported in sorted(graph.get(name, ())):
            cycle = visit(imported)
            if cycle:
                return cycle
        visiting.pop()
        done.add(name)
        return []

    for name in sorted(graph):
        cycle = visit(name)
        if cycle:
            return cycle
    return []
