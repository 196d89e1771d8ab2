"""What to do after a synth, for this output: which variables to fill, which Secret to
create, and the apply command. Read from what the stacks declare, so it never drifts from
the output it follows."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stacks.config import AppConfig

VARS_FILE = "values.tfvars"
#: The order of values.tfvars.example: where first, then what.
VARIABLE_ORDER = ("project_id", "cluster_name", "cluster_location", "region", "network_name")
#: The steps when no output is at hand (``--help``).
GENERIC = f"""Then:
  cp values.tfvars.example {VARS_FILE}   # fill in the project, cluster and network
  make apply VARS={VARS_FILE}             # each stack in dependency order
  # or: CHECKPOINT_DISABLE=1 npx cdktf-cli@0.21 deploy '*' --var-file=$PWD/{VARS_FILE}"""


def declared_variables(stacks: Iterable[Mapping[str, Any]]) -> dict[str, bool]:
    """Every Terraform variable without a default that the stacks (their ``cdk.tf.json``)
    declare, what the user must give -> whether it is sensitive."""
    found: dict[str, bool] = {}
    for body in stacks:
        for name, variable in body.get("variable", {}).items():
            if "default" in variable:
                continue
            found[name] = found.get(name, False) or bool(variable.get("sensitive"))
    order = {name: index for index, name in enumerate(VARIABLE_ORDER)}
    return dict(sorted(found.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def _apply_command(outdir: Path, default_outdir: str) -> str:
    if outdir == Path(default_outdir).absolute():
        return f"make apply VARS={VARS_FILE}"
    shown = os.path.relpath(outdir)
    shown = str(outdir) if shown.startswith("..") else shown
    return f".venv/bin/python -m cli.deploy apply --outdir {shown} --var-file {VARS_FILE}"


def next_steps(outdir: Path, stacks: Iterable[Mapping[str, Any]], config: AppConfig, default_outdir: str) -> str:
    """The block printed after a successful synth of ``stacks`` into ``outdir``."""
    variables = declared_variables(stacks)
    plain = [name for name, sensitive in variables.items() if not sensitive]
    lines = ["Next:"]
    if plain:
        verb = "check it sets" if Path(VARS_FILE).exists() else "fill in"
        lines.append(f"  cp -n values.tfvars.example {VARS_FILE}   # {verb} {', '.join(plain)}")
    lines += [f"  export TF_VAR_{name}=...   # sensitive: from the environment, never the file"
              for name, sensitive in variables.items() if sensitive]
    secrets = dict.fromkeys((server.namespace, server.hf_token.secret_name, server.hf_token.secret_key)
                            for server in config.model_servers if server.hf_token.mode == "existing_secret")
    lines += [f"  kubectl create secret generic {name} -n {namespace} --from-literal={key}=<YOUR_HF_TOKEN>"
              for namespace, name, key in secrets]
    lines.append(f"  {_apply_command(outdir, default_outdir)}")
    return "\n".join(lines)
