"""Many offline plans in one session: each distinct stack planned once, in parallel.

Plans are Terraform subprocesses (the stub providers are more), so a few threads keep
both cores busy while the test process waits. Two stacks whose Terraform is the same
(ignoring construct metadata and the backend) against the same fixture share one plan.
A plan may run against the cluster an earlier one leaves (a gateway stack after its
prerequisites stack's CRDs); jobs start in submission order, so submit that one first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tfstub.fake_cluster import FakeCluster
from tfstub.harness import Harness, Plan

#: What every plan is given, in the tfvars syntax the README tells users to write.
TFVARS = """project_id       = "fake-project-123"
cluster_name     = "fake-cluster"
cluster_location = "us-central1"
region           = "us-central1"
network_name     = "default"
"""


def planned_crds(plan: Plan) -> list[dict[str, Any]]:
    return plan.manifests("CustomResourceDefinition")


def _without_metadata(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_metadata(item) for key, item in value.items() if key != "//"}
    if isinstance(value, list):
        return [_without_metadata(item) for item in value]
    return value


def stack_key(config: dict[str, Any]) -> str:
    """What decides a plan: the Terraform of a stack, without metadata and backend."""
    body = _without_metadata(config)
    body.get("terraform", {}).pop("backend", None)
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class PlanRuns:
    """Submit plans by name; ``get(name)`` waits for one."""

    def __init__(self, harness: Harness, workdir: Path, workers: int = 3) -> None:
        self.harness, self.workdir = harness, workdir
        self.var_file = workdir / "plan.tfvars"
        workdir.mkdir(parents=True, exist_ok=True)
        self.var_file.write_text(TFVARS)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="terraform-plan")
        self._jobs: dict[str, Future[Plan]] = {}
        self._by_key: dict[str, Future[Plan]] = {}
        self._keys: dict[str, str] = {}

    def submit(self, name: str, stack_dir: Path, cluster: FakeCluster, after: str | None = None,
               mutate: Callable[[dict[str, Any]], None] | None = None, **env: str) -> None:
        """Plan ``stack_dir`` (changed by ``mutate``) against ``cluster``, once the CRDs the
        plan ``after`` creates are installed in it."""
        self.harness.install(stack_dir)
        config = json.loads((stack_dir / "cdk.tf.json").read_text())
        if mutate is not None:
            mutate(config)
        key = json.dumps([stack_key(config), sorted(env.items()), repr(cluster),
                          self._keys[after] if after else None])
        self._keys[name] = key
        if key in self._by_key:
            self._jobs[name] = self._by_key[key]
            return

        def run() -> Plan:
            fake = cluster.after(planned_crds(self.get(after))) if after else cluster
            return self.harness.plan(stack_dir, fake.fixture(), self.var_file, mutate, **env)

        self._jobs[name] = self._by_key[key] = self._pool.submit(run)

    def get(self, name: str, timeout: float = 600) -> Plan:
        return self._jobs[name].result(timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
