"""Only the prerequisites and the gateway, in front of model servers a team already runs.

The pods of the existing vLLM Deployment carry ``app: my-vllm`` and serve
``mistralai/Mistral-7B-Instruct-v0.3`` on port 8000 in namespace ``default``.
Run: ``python examples/bring_your_own_servers/main.py`` (writes ``cdktf.out``).
"""

from __future__ import annotations

import sys

from cdktf import App, LocalBackend, TerraformStack
from constructs import Construct

from constructs_lib import (
    ClusterAccess,
    GieCrds,
    InferenceGateway,
    InferenceGatewayProps,
    InferenceModelSpec,
    InferencePoolSpec,
    MetricsRbac,
)

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


def synth(outdir: str = "cdktf.out") -> list[str]:
    app = App(outdir=outdir)
    prerequisites = ClusterStack(app, "prerequisites")
    GieCrds(prerequisites, "gie-crds")
    MetricsRbac(prerequisites, "metrics-rbac", cluster=prerequisites.cluster)
    gateway = ClusterStack(app, "inference-gateway", network=True)
    InferenceGateway(gateway, "inference-gateway", props=GATEWAY, cluster=gateway.cluster)
    gateway.add_dependency(prerequisites)
    app.synth()
    return [prerequisites.node.id, gateway.node.id]


if __name__ == "__main__":
    print("synthesized:", ", ".join(synth(sys.argv[1] if len(sys.argv) > 1 else "cdktf.out")))
