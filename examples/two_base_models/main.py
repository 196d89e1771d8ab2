"""Two base models behind one GKE Inference Gateway: Llama 3.1 8B with two LoRA adapters and
Mistral 7B, each in its own InferencePool.

The pools are derived from the servers, one per base model. With more than one pool the
gateway deploys the body-based router: it copies the request body's ``model`` into a
header (and, through ConfigMaps, the base model of an adapter), and each pool's HTTPRoute
matches that header. A request for ``food-review`` reaches the Llama pool; a model no pool
serves gets 404 from the gateway. Run:
``python examples/two_base_models/main.py [outdir] [v1|v1alpha2]`` (default ``cdktf.out``, ``v1``).
"""

from __future__ import annotations

import sys

from cdktf import App, LocalBackend, TerraformStack
from constructs import Construct

from constructs_lib import (
    GIE_RELEASE_BY_API,
    ApiVersion,
    BodyRoutingProps,
    ClusterAccess,
    GieCrds,
    InferenceGateway,
    InferenceGatewayProps,
    InferenceGatewayV1,
    InferenceGatewayV1Props,
    LoraAdapter,
    MetricsRbac,
    Preflight,
    VllmModelServer,
    VllmModelServerProps,
)

LLAMA = VllmModelServerProps(
    name="llama-3-1-8b",
    model="meta-llama/Llama-3.1-8B-Instruct",
    accelerator="nvidia-l4",
    adapters_config_map="llama-3-1-8b-adapters",
    adapters=(
        LoraAdapter(id="food-review", source="Kawon/llama3.1-food-finetune_v14_r8"),
        LoraAdapter(id="cad-fabricator", source="redcathode/fabricator"),
    ),
)
MISTRAL = VllmModelServerProps(
    name="mistral-7b",
    model="mistralai/Mistral-7B-Instruct-v0.3",
    accelerator="nvidia-l4",
    adapters_config_map="mistral-7b-adapters",
    adapters=(),
)
SERVERS = (LLAMA, MISTRAL)

#: Two router replicas: every request passes through the router before a route is chosen.
ROUTER = BodyRoutingProps(replicas=2)


def gateway_props(api_version: ApiVersion) -> InferenceGatewayProps | InferenceGatewayV1Props:
    if api_version == "v1":
        return InferenceGatewayV1Props(name="models-gateway", body_routing=ROUTER)
    return InferenceGatewayProps(name="models-gateway", body_routing=ROUTER)


class ClusterStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, *, network: bool = False,
                 preflight: tuple[Preflight, ...] = ()) -> None:
        super().__init__(scope, id)
        LocalBackend(self, path=f"../../../terraform.{id}.tfstate")
        self.cluster = ClusterAccess.from_variables(self, include_network=network, preflight=preflight)


def synth(outdir: str = "cdktf.out", api_version: ApiVersion = "v1") -> list[str]:
    app = App(outdir=outdir)
    prerequisites = ClusterStack(app, "prerequisites", preflight=(Preflight.MANAGED_PROMETHEUS,))
    GieCrds(prerequisites, "gie-crds", default_version=GIE_RELEASE_BY_API[api_version], cluster=prerequisites.cluster)
    MetricsRbac(prerequisites, "metrics-rbac", cluster=prerequisites.cluster)

    servers = ClusterStack(app, "model-servers")
    for props in SERVERS:
        VllmModelServer(servers, props.name, props=props)

    gateway = ClusterStack(app, "inference-gateway", network=True,
                           preflight=(Preflight.GATEWAY_API, Preflight.INFERENCE_GATEWAY_VERSION))
    props = gateway_props(api_version)
    if isinstance(props, InferenceGatewayV1Props):
        InferenceGatewayV1(gateway, "inference-gateway", props=props, cluster=gateway.cluster, model_servers=SERVERS)
    else:
        InferenceGateway(gateway, "inference-gateway", props=props, cluster=gateway.cluster, model_servers=SERVERS)
    gateway.add_dependency(prerequisites)
    gateway.add_dependency(servers)
    app.synth()
    return [stack.node.id for stack in (prerequisites, servers, gateway)]


if __name__ == "__main__":
    version: ApiVersion = "v1alpha2" if sys.argv[2:3] == ["v1alpha2"] else "v1"
    print("synthesized:", ", ".join(synth(sys.argv[1] if len(sys.argv) > 1 else "cdktf.out", version)))
