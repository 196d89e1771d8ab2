"""The command line behind ``main.py``: load the configuration, synthesize into a staging
directory, and move the result into place only when everything succeeded."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.next_steps import GENERIC, next_steps
from constructs_lib import ConfigError, Problem, output_directory_problems, synthesize_into

#: Where main.py writes, and where deploy reads, unless told otherwise.
DEFAULT_OUTDIR = "cdktf.out"

if TYPE_CHECKING:
    from stacks.config import AppConfig

EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description=(
            "Synthesize Terraform JSON that installs the Gateway API Inference Extension, an\n"
            "optional vLLM model server and the GKE Inference Gateway on an existing GKE cluster.\n"
            "Without --config it builds the tutorial's example."
        ),
        epilog=GENERIC,
        # The epilog is commands to copy: argparse must not wrap them.
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", metavar="FILE.yaml",
                        help="YAML configuration (see config.example.yaml); default: built in")
    parser.add_argument("--outdir", metavar="DIR",
                        help=f"output directory (default: $CDKTF_OUTDIR or {DEFAULT_OUTDIR})")
    parser.add_argument("--quiet", action="store_true",
                        help="print nothing on success (no summary, no next steps)")
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
    outdir, option = _outdir(args.outdir)
    problems: list[Problem] = []
    if not args.explain:
        problems = output_directory_problems(outdir, option)
    try:
        config = _load(args.config)
    except ConfigError as error:
        return _fail([*problems, *error.problems])
    if problems:
        return _fail(problems)
    try:
        if args.explain:
            from cli.explain import explain_config

            print(explain_config(config))
            return 0
        synthesize(config, outdir, option)
    except ConfigError as error:
        return _fail(error.problems)
    if not args.quiet:
        manifest, stacks = read_output(outdir)
        print(describe_output(outdir, manifest, stacks))
        print(next_steps(outdir, stacks.values(), config, DEFAULT_OUTDIR))
        warning = config.gateway.access_warning() if config.gateway is not None else None
        if warning is not None:
            print(f"warning: {warning}", file=sys.stderr)
    return 0


def _outdir(given: str | None) -> tuple[Path, str]:
    """The output directory and the option or variable that chose it, named in errors."""
    if given is not None:
        return Path(given).absolute(), "--outdir"
    from_environment = os.environ.get("CDKTF_OUTDIR")
    if from_environment:
        return Path(from_environment).absolute(), "CDKTF_OUTDIR"
    return Path(DEFAULT_OUTDIR).absolute(), "--outdir"


def _load(path: str | None) -> AppConfig:
    if path:  # the file is read before the constructs load (see load_config)
        from cli.config_file import load_config

        return load_config(path)
    from stacks.config import AppConfig

    return AppConfig()


def synthesize(config: AppConfig, outdir: Path, option: str = "--outdir") -> None:
    """Synthesize into ``outdir`` through the library's output-directory guard."""
    from stacks.app import build_app

    synthesize_into(outdir, lambda staging: build_app(config, outdir=staging, final_outdir=str(outdir)),
                    source=option)


def read_output(outdir: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The output's manifest, and each stack's ``cdk.tf.json`` by stack name, read once for
    the summary and the next steps."""
    from cli.order import read_manifest

    manifest = read_manifest(outdir)
    return manifest, {name: json.loads((outdir / stack["synthesizedStackPath"]).read_text())
                      for name, stack in manifest["stacks"].items()}


def describe_output(outdir: Path, manifest: dict[str, Any], stacks: dict[str, dict[str, Any]]) -> str:
    """One line per stack (in apply order) with its resource and data source counts."""
    from cli.order import apply_order

    lines = [f"Synthesized {len(manifest['stacks'])} stacks into {outdir} (in apply order):"]
    for name in apply_order(manifest):
        stack = manifest["stacks"][name]
        body = stacks[name]
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
