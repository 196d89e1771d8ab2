"""Synthesize apps in-process and look things up in the resulting Terraform JSON."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from constructs_lib import ConfigError
from stacks.config import AppConfig

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


_LOCATION = re.compile(r"^error: \S+?:\d+: ")


def without_location(lines: list[str]) -> list[str]:
    """Error lines with the ``file:line:`` of a YAML value taken out, for tests about the
    rest of the line (test_cli.py checks the locations themselves)."""
    return [_LOCATION.sub("error: ", line) for line in lines]


def manual() -> str:
    """The README and every page of ``docs/``: the user's manual, as one text."""
    root = Path(__file__).resolve().parents[1]
    pages = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def needs_shared(*names: str) -> pytest.MarkDecorator:
    """Skip a test whose upstream data (``../shared/upstream/<name>``) is missing, except in
    CI, where the data is always laid beside the clone: there the test runs and fails."""
    missing = [name for name in names if not (SHARED / "upstream" / name).is_file()]
    return pytest.mark.skipif(bool(missing) and not os.environ.get("CI"),
                              reason=f"../shared/upstream/{', '.join(missing)} not found")


def synth(config: AppConfig, outdir: Path) -> dict[str, dict[str, Any]]:
    """Every stack's ``cdk.tf.json`` by stack name, plus the manifest under ``manifest``."""
    from stacks.app import build_app  # here, so that pytest's controller never starts a jsii kernel

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


def fields_of(build: Callable[..., object], *args: Any, **kwargs: Any) -> list[str]:
    """The field paths of the problems ``build(*args, **kwargs)`` raises (it must raise)."""
    with pytest.raises(ConfigError) as caught:
        build(*args, **kwargs)
    return [problem.field for problem in caught.value.problems]


CONSTRUCT_TREE = FIXTURES / "construct_tree.txt"


def construct_tree(outdir: Path) -> str:
    """The default app's construct tree, then each stack's ``kubernetes_manifest`` resources
    (kept in Python, not constructs) by construct path and address; ids in both are a
    public contract."""
    from cdktf import TerraformStack, Testing

    from constructs_lib._terraform.manifests import manifests_of
    from stacks.app import build_app

    app = build_app(AppConfig(), outdir=str(outdir))
    lines = [Testing.render_construct_tree(app), "", "kubernetes_manifest resources:"]
    for stack in app.node.children:
        if isinstance(stack, TerraformStack):
            lines += [f"  {m.path} -> {m.fqn}" for m in manifests_of(stack)]
    return "\n".join(lines) + "\n"

