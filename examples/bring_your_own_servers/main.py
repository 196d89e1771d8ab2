"""Only the prerequisites and the gateway, in front of model servers a team already runs.

The pods of the existing vLLM Deployment carry ``app: my-vllm`` and serve
``mistralai/Mistral-7B-Instruct-v0.3`` on port 8000 in namespace ``default``.
Run: ``.venv/bin/python examples/bring_your_own_servers/main.py [outdir]`` (default
``cdktf.out.bring_your_own_servers``).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

# Before anything that needs the project's packages: outside the venv, one line, not a traceback.
if importlib.util.find_spec("cdktf") is None:
    print(f"error: {sys.executable} has no cdktf; fix: run 'make install', then '.venv/bin/python "
          f"examples/{Path(__file__).parent.name}/main.py'", file=sys.stderr)
    sys.exit(2)

from cdktf import App, LocalBackend, TerraformStack
from constructs import Construct

from constructs_lib import (
    ClusterAccess,
    ConfigError,
    GieCrds,
    InferenceGateway,
    InferenceGatewayProps,
    InferenceModelSpec,
    InferencePoolSpec,
    MetricsRbac,
    synthesize_into,
)

#: Its own default output, so it never replaces main.py's ``cdktf.out``.
DEFAULT_OUTDIR = "cdktf.out.bring_your_own_servers"

GATEWAY = InferenceGatewayProps(
    inference_pools=(InferencePoolSpec(name="my-vllm", match_labels={"app": "my-vllm"}),),
    inference_models=(
        InferenceModelSpec(name="mistral-7b", model_name="mistralai/Mistral-7B-Instruct-v0.3",
                           criticality="Critical", inference_pool_name="my-vllm"),
    ),
    create_proxy_only_subnetwork=False,  # the VPC already has one
)


class ClusterStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, *, network: bool = False) -> None:
        super().__init__(scope, id)
        LocalBackend(self, path=f"../../../terraform.{id}.tfstate")
        self.cluster = ClusterAccess.from_variables(self, include_network=network)


def build(outdir: str) -> App:
    """The app, writing into ``outdir``."""
    app = App(outdir=outdir)
    prerequisites = ClusterStack(app, "prerequisites")
    GieCrds(prerequisites, "gie-crds")
    MetricsRbac(prerequisites, "metrics-rbac", cluster=prerequisites.cluster)
    gateway = ClusterStack(app, "inference-gateway", network=True)
    InferenceGateway(gateway, "inference-gateway", props=GATEWAY, cluster=gateway.cluster)
    gateway.add_dependency(prerequisites)
    return app


def synth(outdir: str = DEFAULT_OUTDIR) -> list[str]:
    """Synthesize into ``outdir`` through the library's output-directory guard (the one
    ``main.py`` uses): an absent, empty or earlier output only. The stacks' names."""
    written = synthesize_into(outdir, build)
    return list(json.loads((written / "manifest.json").read_text())["stacks"])


if __name__ == "__main__":
    try:
        names = synth(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUTDIR)
    except ConfigError as error:
        print("\n".join(f"error: {problem.render()}" for problem in error.problems), file=sys.stderr)
        sys.exit(2)
    print("synthesized:", ", ".join(names))
