"""The command line behind ``main.py``: load the configuration, synthesize into a staging
directory, and move the result into place only when everything succeeded."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from constructs_lib import ConfigError, Problem

if TYPE_CHECKING:
    from stacks.config import AppConfig

EXIT_BAD_INPUT = 2
DEFAULT_OUTDIR = "cdktf.out"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description=(
            "Synthesize Terraform JSON that installs the Gateway API Inference Extension, "
            "an optional vLLM model server and the GKE Inference Gateway on an existing GKE "
            "cluster. Without --config it builds the tutorial's example."
        ),
        epilog=(
            "Then apply the stacks in dependency order: 'make apply VARS=values.tfvars' with plain "
            "Terraform, or 'npx cdktf-cli@0.21 deploy \"*\" --var-file=$PWD/values.tfvars'."
        ),
    )
    parser.add_argument("--config", metavar="FILE.yaml",
                        help="YAML configuration (see config.example.yaml); default: built in")
    parser.add_argument("--outdir", metavar="DIR",
                        help=f"output directory (default: $CDKTF_OUTDIR or {DEFAULT_OUTDIR})")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    parser.add_argument("--explain", action="store_true",
                        help="print how each model server's drain and startup settings are derived, "
                             "then exit without synthesizing")
    return parser


def _fail(problems: Sequence[Problem]) -> int:
    for problem in problems:
        print(f"error: {problem.render()}", file=sys.stderr)
    return EXIT_BAD_INPUT


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    outdir = Path(args.outdir or os.environ.get("CDKTF_OUTDIR") or DEFAULT_OUTDIR).absolute()
    try:
        config = _load(args.config)
        if args.explain:
            from stacks.explain import explain_config

            print(explain_config(config))
            return 0
        summary = synthesize(config, outdir)
    except ConfigError as error:
        return _fail(error.problems)
    if not args.quiet:
        print(summary)
    return 0


def _load(path: str | None) -> AppConfig:
    from stacks.config import AppConfig
    from stacks.config_file import load_config

    return load_config(path) if path else AppConfig()


def synthesize(config: AppConfig, outdir: Path) -> str:
    """Synthesize into a sibling staging directory, then swap it in; return a summary."""
    from stacks.app import build_app

    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        app = build_app(config, outdir=str(staging), final_outdir=str(outdir))
        app.synth()
        summary = describe_output(staging, outdir)
        _swap_into_place(staging, outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summary


def _swap_into_place(staging: Path, outdir: Path) -> None:
    retired = outdir.with_name(f".{outdir.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    if outdir.exists():
        outdir.rename(retired)
    staging.rename(outdir)
    shutil.rmtree(retired, ignore_errors=True)


def describe_output(staging: Path, outdir: Path) -> str:
    """One line per stack (in apply order) with its resource and data source counts."""
    from stacks.order import apply_order, read_manifest

    manifest = read_manifest(staging)
    lines = [f"Synthesized {len(manifest['stacks'])} stacks into {outdir} (in apply order):"]
    for name in apply_order(manifest):
        stack = manifest["stacks"][name]
        body = json.loads((staging / stack["synthesizedStackPath"]).read_text())
        resources = sum(len(items) for items in body.get("resource", {}).values())
        data = sum(len(items) for items in body.get("data", {}).values())
        modules = len(body.get("module", {}))
        needs = ", ".join(stack.get("dependencies", [])) or "nothing"
        lines.append(f"  {name:<18} {_counted(resources, 'resource', 3)}, {_counted(modules, 'module')}, "
                     f"{_counted(data, 'data source')} (after: {needs}) -> "
                     f"{Path(stack['workingDirectory']).as_posix()}")
    return "\n".join(lines)


def _counted(count: int, noun: str, width: int = 0) -> str:
    """``1 module``, ``2 modules``; the number right-aligned in ``width``."""
    return f"{count:>{width}} {noun}{'' if count == 1 else 's'}"
