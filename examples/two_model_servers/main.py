"""Two vLLM servers for the same base model on different GPUs (L4 and A100), each with its
own LoRA adapters, behind one internal GKE Inference Gateway; Terraform state in GCS.

One InferencePool selects both Deployments through a shared label, so the endpoint picker
balances across the heterogeneous pods and sends each adapter's requests to the pods that
have it loaded. Run: ``python examples/two_model_servers/main.py`` (writes ``cdktf.out``).
"""

from __future__ import annotations

import sys

from cdktf import App, GcsBackend, TerraformStack
from constructs import Construct

from constructs_lib import (
    ClusterAccess,
    GieCrds,
    InferenceGateway,
    InferenceGatewayProps,
    InferenceModelSpec,
    InferencePoolSpec,
    LoraAdapter,
    MetricsRbac,
    PoolTarget,
    Preflight,
    VllmModelServer,
    VllmModelServerProps,
)

STATE_BUCKET = "my-team-terraform-state"
BASE_MODEL = "meta-llama/Llama-3.1-8B-Instruct"
POOL = "llama-3-1-8b"

SERVERS = (
    VllmModelServerProps(
        name="llama-8b-l4",
        accelerator="nvidia-l4",
        labels={"app": "llama-8b-l4", "inference-pool": POOL},
        adapters_config_map="llama-8b-l4-adapters",
        adapters=(LoraAdapter(id="food-review", source="Kawon/llama3.1-food-finetune_v14_r8"),),
        max_loras=1,
        max_cpu_loras=4,
    ),
    VllmModelServerProps(
        name="llama-8b-a100",
        accelerator="nvidia-tesla-a100",
        replicas=2,
        labels={"app": "llama-8b-a100", "inference-pool": POOL},
        adapters_config_map="llama-8b-a100-adapters",
        adapters=(LoraAdapter(id="cad-fabricator", source="redcathode/fabricator"),),
    ),
)

GATEWAY = InferenceGatewayProps(
    name="llama-gateway",
    gateway_class="gke-l7-rilb",
    inference_pools=(InferencePoolSpec(name=POOL, match_labels={"inference-pool": POOL}),),
    inference_models=(
        InferenceModelSpec(name="llama-base", model_name=BASE_MODEL, criticality="Critical",
                           inference_pool_name=POOL),
        InferenceModelSpec(name="food-review", model_name="food-review", criticality="Standard",
                           inference_pool_name=POOL),
        InferenceModelSpec(name="cad-fabricator", model_name="cad-fabricator", criticality="Sheddable",
                           inference_pool_name=POOL),
    ),
)


class TeamStack(TerraformStack):
    """Our stacks all keep state in GCS and reach the same cluster."""

    def __init__(self, scope: Construct, id: str, *, network: bool = False,
                 preflight: tuple[Preflight, ...] = ()) -> None:
        super().__init__(scope, id)
        GcsBackend(self, bucket=STATE_BUCKET, prefix=f"inference/{id}")
        self.cluster = ClusterAccess.from_variables(self, include_network=network, preflight=preflight)


def synth(outdir: str = "cdktf.out") -> list[str]:
    app = App(outdir=outdir)
    prerequisites = TeamStack(app, "prerequisites", preflight=(Preflight.MANAGED_PROMETHEUS,))
    GieCrds(prerequisites, "gie-crds")
    MetricsRbac(prerequisites, "metrics-rbac", cluster=prerequisites.cluster)

    # Managed Prometheus must be on: each server gets a PodMonitoring, labelled with the pool.
    servers = TeamStack(app, "model-servers", preflight=(Preflight.POD_MONITORING,))
    pool = PoolTarget(name=POOL, namespace="default", cluster_name=servers.cluster.cluster_name)
    for props in SERVERS:
        VllmModelServer(servers, props.name, props=props, pool=pool)

    gateway = TeamStack(app, "inference-gateway", network=True,
                        preflight=(Preflight.GATEWAY_API, Preflight.INFERENCE_GATEWAY_VERSION))
    InferenceGateway(gateway, "inference-gateway", props=GATEWAY, cluster=gateway.cluster, model_servers=SERVERS)
    gateway.add_dependency(prerequisites)
    gateway.add_dependency(servers)
    app.synth()
    return [stack.node.id for stack in (prerequisites, servers, gateway)]


if __name__ == "__main__":
    print("synthesized:", ", ".join(synth(sys.argv[1] if len(sys.argv) > 1 else "cdktf.out")))
