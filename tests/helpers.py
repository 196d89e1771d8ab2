"""Synthesize apps in-process and look things up in the resulting Terraform JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stacks.app import build_app
from stacks.config import AppConfig

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def synth(config: AppConfig, outdir: Path) -> dict[str, dict[str, Any]]:
    """Every stack's ``cdk.tf.json`` by stack name, plus the manifest under ``manifest``."""
    build_app(config, outdir=str(outdir), state_root=str(outdir)).synth()
    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = {name: json.loads((outdir / stack["synthesizedStackPath"]).read_text())
              for name, stack in manifest["stacks"].items()}
    stacks["manifest"] = manifest
    return stacks


def by_path(stack: dict[str, Any], kind: str, block: str = "resource") -> dict[str, dict[str, Any]]:
    """Blocks of one type keyed by construct path below the stack (``metrics-rbac/x``)."""
    found = {}
    for body in stack.get(block, {}).get(kind, {}).values():
        path = body["//"]["metadata"]["path"].split("/", 1)[1]
        found[path] = body
    return found


def manifests(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Literal ``kubernetes_manifest`` bodies keyed by construct path."""
    return {path: body["manifest"] for path, body in by_path(stack, "kubernetes_manifest").items()}


def strings_in(value: Any) -> list[str]:
    """Every string in parsed JSON or YAML, mapping keys included (Terraform reads keys as
    templates too)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (key, *strings_in(item))]
    if isinstance(value, list):
        return [text for item in value for text in strings_in(item)]
    return []


CONSTRUCT_TREE = FIXTURES / "construct_tree.txt"


def construct_tree(outdir: Path) -> str:
    """The default app's construct tree; ids in it are a public contract."""
    from cdktf import Testing

    return Testing.render_construct_tree(build_app(AppConfig(), outdir=str(outdir))) + "\n"


if __name__ == "__main__":  # python tests/helpers.py: re-pin the tree after a deliberate rename
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        CONSTRUCT_TREE.write_text(construct_tree(Path(scratch)))
    print(f"wrote {CONSTRUCT_TREE}")
