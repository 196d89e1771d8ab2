"""Run ``terraform init`` and ``terraform validate`` offline on a synthesized stack.

Stub providers built from the bindings are installed in a filesystem mirror; the
ai-on-gke module is replaced by a local stand-in that declares exactly the real module's
variables, wired through ``.terraform/modules/modules.json`` so nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfstub.bindings_schema import provider_schema

TESTS = Path(__file__).resolve().parents[1]
STAND_IN_MODULE = TESTS / "fixtures" / "inference_gateway_module"
TERRAFORM = shutil.which("terraform")


@dataclass
class Result:
    ok: bool
    diagnostics: list[dict[str, Any]]

    def summary(self) -> str:
        return "\n".join(f"{d.get('severity')}: {d.get('summary')}: {d.get('detail', '')} "
                         f"{d.get('range', {}).get('filename', '')}" for d in self.diagnostics)


def _types_used(config: dict[str, Any]) -> dict[str, tuple[set[str], set[str]]]:
    used: dict[str, tuple[set[str], set[str]]] = {}
    for name in config.get("terraform", {}).get("required_providers", {}):
        used[name] = (set(), set())
    for block, index in (("resource", 0), ("data", 1)):
        for tf_type in config.get(block, {}):
            provider = next((p for p in used if tf_type == p or tf_type.startswith(f"{p}_")), None)
            if provider is not None:
                used[provider][index].add(tf_type)
    return used


def _lowest_match(constraint: str) -> str:
    """A version the stub can be published as: ``6.50.0`` as is, ``~> 2.5`` as ``2.5.0``."""
    parts = constraint.removeprefix("~>").strip().split(".")
    return ".".join(parts + ["0"] * (3 - len(parts)))


class Harness:
    """One mirror and CLI configuration, shared by every stack validated in a session."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.mirror = workdir / "mirror"
        self.cli_config = workdir / "terraform.rc"
        self.cli_config.write_text(
            'provider_installation {\n'
            f'  filesystem_mirror {{\n    path = "{self.mirror}"\n'
            '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
            '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n')
        self._installed: dict[tuple[str, str], set[str]] = {}

    def _install(self, name: str, version: str, resources: set[str], data_sources: set[str]) -> None:
        """(Re)write the stub for ``name`` covering every type seen so far."""
        key = (name, version)
        wanted = {f"r:{t}" for t in resources} | {f"d:{t}" for t in data_sources}
        known = self._installed.setdefault(key, set())
        if wanted <= known and known:
            return
        known |= wanted
        schema = provider_schema(name, {t[2:] for t in known if t.startswith("r:")},
                                 {t[2:] for t in known if t.startswith("d:")})
        platform = "linux_amd64" if os.uname().machine in ("x86_64", "amd64") else "linux_arm64"
        target = self.mirror / "registry.terraform.io" / "hashicorp" / name / version / platform
        target.mkdir(parents=True, exist_ok=True)
        schema_file = self.workdir / f"{name}-{version}.schema.json"
        schema_file.write_text(json.dumps(schema))
        executable = target / f"terraform-provider-{name}_v{version}"
        executable.write_text(
            f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(TESTS)!r})\n"
            f"from tfstub.provider_main import main\nmain({name!r}, {str(schema_file)!r})\n")
        executable.chmod(0o755)

    def validate(self, stack_dir: Path) -> Result:
        config = json.loads((stack_dir / "cdk.tf.json").read_text())
        required = config.get("terraform", {}).get("required_providers", {})
        for name, (resources, data_sources) in _types_used(config).items():
            self._install(name, _lowest_match(required[name]["version"]), resources, data_sources)
        self._wire_modules(stack_dir, config)
        env = {**os.environ, "TF_CLI_CONFIG_FILE": str(self.cli_config), "CHECKPOINT_DISABLE": "1",
               "TF_IN_AUTOMATION": "1"}
        init = subprocess.run([TERRAFORM, "init", "-backend=false", "-get=false", "-input=false", "-no-color"],
                              cwd=stack_dir, env=env, capture_output=True, text=True, timeout=300)
        if init.returncode != 0:
            return Result(False, [{"severity": "error", "summary": "terraform init failed",
                                   "detail": init.stderr + init.stdout}])
        check = subprocess.run([TERRAFORM, "validate", "-json", "-no-color"], cwd=stack_dir, env=env,
                               capture_output=True, text=True, timeout=300)
        report = json.loads(check.stdout)
        return Result(report["valid"], report.get("diagnostics", []))

    def _wire_modules(self, stack_dir: Path, config: dict[str, Any]) -> None:
        modules = [{"Key": "", "Source": "", "Dir": "."}]
        for key, block in config.get("module", {}).items():
            modules.append({"Key": key, "Source": block["source"], "Dir": str(STAND_IN_MODULE)})
        target = stack_dir / ".terraform" / "modules"
        target.mkdir(parents=True, exist_ok=True)
        (target / "modules.json").write_text(json.dumps({"Modules": modules}))
