"""Apply or destroy the synthesized stacks with plain Terraform, in dependency order.

``.venv/bin/python -m cli.deploy apply --var-file values.tfvars`` runs ``terraform init`` and
``terraform apply`` in each stack's directory, dependencies first; ``destroy`` runs
``terraform destroy`` in the reverse order. ``--dry-run`` prints the commands only.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from cli.order import CycleError, apply_order, destroy_order, read_manifest
from cli.synth import DEFAULT_OUTDIR
from constructs_lib import Problem


def commands(action: str, outdir: Path, var_file: Path | None, auto_approve: bool) -> list[list[str]]:
    manifest = read_manifest(outdir)
    names = apply_order(manifest) if action == "apply" else destroy_order(manifest)
    planned: list[list[str]] = []
    for name in names:
        chdir = f"-chdir={outdir / manifest['stacks'][name]['workingDirectory']}"
        planned.append(["terraform", chdir, "init", "-input=false"])
        step = ["terraform", chdir, action, "-input=false"]
        if var_file is not None:
            step.append(f"-var-file={var_file.absolute()}")
        if auto_approve:
            step.append("-auto-approve")
        planned.append(step)
    return planned


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=".venv/bin/python -m cli.deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["apply", "destroy"],
                        help="apply: dependencies first; destroy: the reverse order")
    parser.add_argument("--outdir", default=DEFAULT_OUTDIR, type=Path,
                        help="where 'make synth' (main.py) wrote the stacks (default: %(default)s)")
    parser.add_argument("--var-file", type=Path, help="e.g. values.tfvars (see values.tfvars.example)")
    parser.add_argument("--auto-approve", action="store_true",
                        help="pass -auto-approve to terraform: apply or destroy without asking")
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = parser.parse_args(argv)
    problem = None
    if not (args.outdir / "manifest.json").is_file():
        problem = Problem("--outdir", str(args.outdir), "has no manifest.json", "run 'make synth' first")
    elif args.var_file is not None and not args.var_file.is_file():
        problem = Problem("--var-file", str(args.var_file), "no such file",
                          "copy values.tfvars.example and fill it in")
    else:
        try:
            planned = commands(args.action, args.outdir, args.var_file, args.auto_approve)
        except (CycleError, KeyError, ValueError) as error:
            # A manifest edited by hand, or written by another tool: no order to follow.
            problem = Problem("--outdir", str(args.outdir), f"holds a manifest.json with no stack order ({error})",
                              "run 'make synth' again")
    if problem is not None:
        print(f"error: {problem.render()}", file=sys.stderr)
        return 2
    for command in planned:
        print("+ " + shlex.join(command), flush=True)
        if not args.dry_run:
            result = subprocess.run(command, check=False)
            if result.returncode != 0:
                return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
