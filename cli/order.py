"""Stack order from ``cdktf.out/manifest.json``: dependencies first (apply), reversed (destroy)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class CycleError(ValueError):
    pass


def apply_order(manifest: Mapping[str, Any]) -> list[str]:
    """Stacks so that each comes after everything it depends on; ties keep manifest order."""
    stacks = manifest["stacks"]
    ordered: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise CycleError(" -> ".join((*trail, name)))
        if name not in stacks:
            raise KeyError(f"stack {trail[-1]!r} depends on unknown stack {name!r}")
        state[name] = "visiting"
        for dependency in stacks[name].get("dependencies", []):
            visit(dependency, (*trail, name))
        state[name] = "done"
        ordered.append(name)

    for name in stacks:
        visit(name, ())
    return ordered


def destroy_order(manifest: Mapping[str, Any]) -> list[str]:
    return list(reversed(apply_order(manifest)))


def read_manifest(outdir: Path) -> dict[str, Any]:
    return json.loads((outdir / "manifest.json").read_text())
