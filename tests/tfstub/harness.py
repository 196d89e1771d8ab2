"""Run ``terraform validate`` and ``plan`` offline on a synthesized stack.

Stub providers built from the bindings are installed in a filesystem mirror; the
ai-on-gke module is replaced by a local stand-in (its variables, providers and resource
shapes), wired through ``.terraform/modules/modules.json`` so nothing is downloaded.
Plans run on a scratch copy without the stack's backend (so a GCS backend plans offline
too) and read their data sources from a fixture file (``fake_cluster.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfstub.bindings_schema import binding_version, provider_schema
from tfstub.provider_main import FIXTURE_VARIABLE

TESTS = Path(__file__).resolve().parents[1]
STAND_IN_MODULE = TESTS / "fixtures" / "inference_gateway_module"
TERRAFORM = shutil.which("terraform")
_DECLARED = re.compile(r'^(resource|data) "([\w-]+)"', re.MULTILINE)
_REQUIRED = re.compile(r'^\s*([\w-]+)\s*=\s*\{\s*source\s*=\s*"hashicorp/[\w-]+"', re.MULTILINE)


def _reattach_config(name: str, out: Path, pid: int, timeout: float = 60) -> dict[str, Any]:
    """Read the line a stub in dev mode prints to ``out`` once it serves:
    ``export TF_REATTACH_PROVIDERS='...'``."""
    deadline, seen = time.monotonic() + timeout, ""
    while "TF_REATTACH_PROVIDERS=" not in seen or not seen.endswith("\n"):
        if time.monotonic() > deadline or not _alive(pid):
            raise RuntimeError(f"the {name} stub did not start: {seen!r}")
        time.sleep(0.005)
        seen = out.read_text() if out.exists() else ""
    line = next(line for line in seen.splitlines() if "TF_REATTACH_PROVIDERS=" in line)
    return json.loads(line.split("=", 1)[1].strip().strip("'"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class Result:
    ok: bool
    diagnostics: list[dict[str, Any]]

    def summary(self) -> str:
        return "\n".join(f"{d.get('severity')}: {d.get('summary')}: {d.get('detail', '')} "
                         f"{d.get('range', {}).get('filename', '')}" for d in self.diagnostics)

    def errors(self) -> list[str]:
        return [d["summary"] for d in self.diagnostics if d["severity"] == "error"]


@dataclass
class Plan(Result):
    """A plan's diagnostics and, when it succeeded, ``terraform show -json`` of it."""

    document: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # everything Terraform printed about the plan, for grepping
    directory: Path | None = None  # where it ran: the configuration, the fixture, the plan file

    def files(self) -> dict[str, bytes]:
        """Every file the plan left, the members of the plan file (a zip) included."""
        assert self.directory is not None
        found = {str(path.relative_to(self.directory)): path.read_bytes()
                 for path in self.directory.rglob("*") if path.is_file()}
        with zipfile.ZipFile(self.directory / "tfplan") as plan_file:
            found.update({f"tfplan:{name}": plan_file.read(name) for name in plan_file.namelist()})
        return found

    def resources(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Planned resources (root and modules): ``address``, ``type``, ``values``."""
        found: list[dict[str, Any]] = []
        modules = [self.document.get("planned_values", {}).get("root_module", {})]
        while modules:
            module = modules.pop()
            found += module.get("resources", [])
            modules += module.get("child_modules", [])
        return sorted((r for r in found if kind is None or r["type"] == kind), key=lambda r: r["address"])

    def manifests(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [r["values"]["manifest"] for r in self.resources("kubernetes_manifest")
                if kind is None or r["values"]["manifest"]["kind"] == kind]

    def manifest(self, kind: str, name: str) -> dict[str, Any]:
        (found,) = [m for m in self.manifests(kind) if m["metadata"]["name"] == name]
        return found


def _provider_of(tf_type: str, names: set[str]) -> str | None:
    return max((n for n in names if tf_type == n or tf_type.startswith(f"{n}_")), key=len, default=None)


def _types_used(config: dict[str, Any], modules: list[Path]) -> dict[str, tuple[str, set[str], set[str]]]:
    """Provider name -> (version, resource types, data source types), root and modules."""
    required = config.get("terraform", {}).get("required_providers", {})
    used = {name: (_lowest_match(spec["version"]), set(), set()) for name, spec in required.items()}
    declared = [(block, tf_type) for block in ("resource", "data") for tf_type in config.get(block, {})]
    for module in modules:
        text = "\n".join(path.read_text() for path in sorted(module.glob("*.tf")))
        for name in _REQUIRED.findall(text):
            used.setdefault(name, (binding_version(name), set(), set()))
        declared += _DECLARED.findall(text)
    for block, tf_type in declared:
        provider = _provider_of(tf_type, set(used))
        if provider is None:  # Terraform's implied provider: the type's first word (local_file -> local)
            provider = tf_type.split("_")[0]
            used[provider] = (binding_version(provider), set(), set())
        used[provider][1 if block == "resource" else 2].add(tf_type)
    return used


def _lowest_match(constraint: str) -> str:
    """A version the stub can be published as: ``6.50.0`` as is, ``~> 2.5`` as ``2.5.0``."""
    parts = constraint.removeprefix("~>").strip().split(".")
    return ".".join(parts + ["0"] * (3 - len(parts)))


class Harness:
    """One mirror and CLI configuration, shared by every stack validated or planned in a session."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.mirror = workdir / "mirror"
        self.cli_config = workdir / "terraform.rc"
        # No plugin_cache_dir: it is not safe for concurrent inits, and copying a stub from the
        # mirror costs no more than linking it.
        self.cli_config.write_text(
            'provider_installation {\n'
            f'  filesystem_mirror {{\n    path = "{self.mirror}"\n'
            '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
            '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n')
        self._installed: dict[tuple[str, str], set[str]] = {}
        self._lock = threading.Lock()
        self._servers: dict[tuple[str, str, int], dict[str, Any]] = {}
        self._generation: dict[str, int] = {}
        self._zygote: subprocess.Popen[str] | None = None

    def _install(self, name: str, version: str, resources: set[str], data_sources: set[str]) -> None:
        """(Re)write the stub for ``name`` covering every type seen so far."""
        key = (name, version)
        wanted = {f"r:{t}" for t in resources} | {f"d:{t}" for t in data_sources}
        known = self._installed.setdefault(key, set())
        if wanted <= known and (known or (self.workdir / f"{name}-{version}.schema.json").exists()):
            return
        known |= wanted
        self._generation[name] = self._generation.get(name, 0) + 1  # running servers have the old schema
        schema = provider_schema(name, {t[2:] for t in known if t.startswith("r:")},
                                 {t[2:] for t in known if t.startswith("d:")})
        platform = "linux_amd64" if os.uname().machine in ("x86_64", "amd64") else "linux_arm64"
        target = self.mirror / "registry.terraform.io" / "hashicorp" / name / version / platform
        target.mkdir(parents=True, exist_ok=True)
        schema_file = self.workdir / f"{name}-{version}.schema.json"
        scratch = schema_file.with_suffix(".tmp")
        scratch.write_text(json.dumps(schema))
        os.replace(scratch, schema_file)  # a provider starting now reads the old or the new file, whole
        executable = target / f"terraform-provider-{name}_v{version}"
        executable.write_text(
            f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(TESTS)!r})\n"
            f"from tfstub.provider_main import main\nmain({name!r}, {str(schema_file)!r})\n")
        executable.chmod(0o755)

    def _env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "TF_CLI_CONFIG_FILE": str(self.cli_config), "CHECKPOINT_DISABLE": "1",
                "TF_IN_AUTOMATION": "1", **extra}

    def _terraform(self, stack_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        assert TERRAFORM is not None
        return subprocess.run([TERRAFORM, *args], cwd=stack_dir, env=self._env(**env), capture_output=True,
                              text=True, timeout=300)

    def install(self, stack_dir: Path) -> None:
        """Install the stubs a stack needs now (plans started later find them complete).

        Reading the bindings may call the jsii kernel, which serves one thread: call this
        from the test's thread before planning in others (``PlanRuns`` does).
        """
        self._install_for(json.loads((stack_dir / "cdk.tf.json").read_text()))

    def _install_for(self, config: dict[str, Any]) -> list[str]:
        """Install the stubs a stack and its module need; their names."""
        modules = [STAND_IN_MODULE] if config.get("module") else []
        used = _types_used(config, modules)
        with self._lock:
            for name, (version, resources, data_sources) in used.items():
                self._install(name, version, resources, data_sources)
        return sorted(used)

    def validate(self, stack_dir: Path) -> Result:
        config = json.loads((stack_dir / "cdk.tf.json").read_text())
        names = self._install_for(config)
        self._wire_modules(stack_dir, config)
        # No terraform init: validate takes the schemas from stubs already running, as a plan
        # does. Init would check nothing more here, since every stub is published at the
        # version the stack asks for, and it cost about a tenth of the validate tests' time.
        check = self._terraform(stack_dir, "validate", "-json", "-no-color",
                                TF_REATTACH_PROVIDERS=self._attach(names, {}))
        report = json.loads(check.stdout)
        return Result(report["valid"], report.get("diagnostics", []))

    def plan(self, stack_dir: Path, fixture: dict[str, Any], var_file: Path,
             mutate: Callable[[dict[str, Any]], None] | None = None, **env: str) -> Plan:
        """``terraform plan -input=false -var-file`` of a copy of ``stack_dir`` (changed by
        ``mutate``, backend dropped) against ``fixture``; ``env`` adds variables such as
        ``TF_VAR_hf_token``. No ``terraform init``: Terraform attaches to stubs already
        running with this fixture (``TF_REATTACH_PROVIDERS``), for the plan and for
        ``terraform show``, instead of starting each provider once per phase."""
        config = json.loads((stack_dir / "cdk.tf.json").read_text())
        config.get("terraform", {}).pop("backend", None)  # local state in the scratch directory
        if mutate is not None:
            mutate(config)
        scratch = Path(tempfile.mkdtemp(prefix=f"{stack_dir.name}-", dir=self.workdir))
        shutil.copytree(stack_dir, scratch, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "cdk.tf.json"))
        (scratch / "cdk.tf.json").write_text(json.dumps(config, indent=1))
        self._wire_modules(scratch, config)
        env = {"TF_REATTACH_PROVIDERS": self._attach(self._install_for(config), fixture), **env}
        run = self._terraform(scratch, "plan", "-input=false", "-lock=false", "-json", "-no-color",
                              "-out=tfplan", f"-var-file={var_file}", **env)
        messages = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
        diagnostics = [m["diagnostic"] for m in messages if m.get("type") == "diagnostic"]
        if run.returncode != 0:
            if not any(d["severity"] == "error" for d in diagnostics):
                diagnostics.append({"severity": "error", "summary": "terraform plan failed", "detail": run.stderr})
            return Plan(False, diagnostics, text=run.stdout + run.stderr, directory=scratch)
        shown = self._terraform(scratch, "show", "-json", "-no-color", "tfplan", **env)
        return Plan(shown.returncode == 0, diagnostics, json.loads(shown.stdout or "{}"),
                    text=run.stdout + run.stderr + shown.stdout + shown.stderr, directory=scratch)

    def _attach(self, names: list[str], fixture: dict[str, Any]) -> str:
        """``TF_REATTACH_PROVIDERS`` for stubs ``names`` serving ``fixture``, started on first use.

        The stubs hold no state between calls, so plans running at the same time share them.
        """
        text = json.dumps(fixture, sort_keys=True)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        home = self.workdir / "servers" / digest
        with self._lock:
            keys = {name: (digest, name, self._generation[name]) for name in names}
            missing = [name for name in names if keys[name] not in self._servers]
            if missing:
                home.mkdir(parents=True, exist_ok=True)
                (home / "fixture.json").write_text(text)
            for name in missing:
                out = home / f"{name}-{self._generation[name]}.out"
                pid = self._fork_stub(name, out, tmpdir=home, fixture=home / "fixture.json")
                self._servers[keys[name]] = _reattach_config(name, out, pid)
            return json.dumps({k: v for name in names for k, v in self._servers[keys[name]].items()})

    def _fork_stub(self, name: str, out: Path, *, tmpdir: Path, fixture: Path) -> int:
        """Start the stub ``name`` in dev mode, forked from the zygote (``zygote.py``); its pid."""
        if self._zygote is None:
            self._zygote = subprocess.Popen([sys.executable, "-m", "tfstub.zygote"], cwd=TESTS,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                            env={**os.environ, "PYTHONPATH": str(TESTS)})
        assert self._zygote.stdin is not None and self._zygote.stdout is not None
        executable = next((self.mirror / "registry.terraform.io" / "hashicorp" / name).glob("*/*/*"))
        schema = self.workdir / f"{name}-{executable.parent.parent.name}.schema.json"  # <version>/<platform>/
        request = {"name": name, "schema": str(schema), "argv": [str(executable), "--dev"],
                   "env": {FIXTURE_VARIABLE: str(fixture)}, "tmpdir": str(tmpdir), "out": str(out)}
        self._zygote.stdin.write(json.dumps(request) + "\n")
        self._zygote.stdin.flush()
        answer = self._zygote.stdout.readline()
        if not answer.strip().isdigit():
            # Whatever it had started is unusable now: start afresh on the next request.
            self.close()
            raise RuntimeError(f"the stub zygote did not fork {name}: {answer.strip() or 'it ended'}")
        return int(answer)

    def close(self) -> None:
        """Stop the zygote, and with it every stub it forked (they die with it)."""
        self._servers.clear()
        if self._zygote is not None:
            self._zygote.kill()
            self._zygote.wait()
            self._zygote = None

    def _wire_modules(self, stack_dir: Path, config: dict[str, Any]) -> None:
        modules = [{"Key": "", "Source": "", "Dir": "."}]
        for key, block in config.get("module", {}).items():
            modules.append({"Key": key, "Source": block["source"], "Dir": str(STAND_IN_MODULE)})
        target = stack_dir / ".terraform" / "modules"
        target.mkdir(parents=True, exist_ok=True)
        (target / "modules.json").write_text(json.dumps({"Modules": modules}))
