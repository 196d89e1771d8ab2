"""Two vLLM servers for the same base model on different GPUs (L4 and A100), each with its
own LoRA adapters, behind one internal GKE Inference Gateway; Terraform state in GCS.

One InferencePool selects both Deployments through a shared label, so the endpoint picker
balances across the heterogeneous pods and sends each adapter's requests to the pods that
have it loaded. Run: ``.venv/bin/python examples/two_model_servers/main.py [outdir]``
(default ``cdktf.out.two_model_servers``).
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

from cdktf import App, GcsBackend, TerraformStack
from constructs import Construct

from constructs_lib import (
    ClusterAccess,
    ConfigError,
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
    synthesize_into,
)

#: Its own default output, so it never replaces main.py's ``cdktf.out``.
DEFAULT_OUTDIR = "cdktf.out.two_model_servers"

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


def build(outdir: str) -> App:
    """The app, writing into ``outdir``."""
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
