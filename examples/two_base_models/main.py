"""Two base models behind one GKE Inference Gateway: Llama 3.1 8B with two LoRA adapters and
Mistral 7B, each in its own InferencePool.

The pools are derived from the servers, one per base model. With more than one pool the
gateway deploys the body-based router: it copies the request body's ``model`` into a
header (and, through ConfigMaps, the base model of an adapter), and each pool's HTTPRoute
matches that header. A request for ``food-review`` reaches the Llama pool; a model no pool
serves gets 404 from the gateway. Run:
``.venv/bin/python examples/two_base_models/main.py [outdir] [v1|v1alpha2]`` (default
``cdktf.out.two_base_models``, ``v1``).
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
    GIE_RELEASE_BY_API,
    ApiVersion,
    BodyRoutingProps,
    ClusterAccess,
    ConfigError,
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
    synthesize_into,
)

#: Its own default output, so it never replaces main.py's ``cdktf.out``.
DEFAULT_OUTDIR = "cdktf.out.two_base_models"

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


def build(outdir: str, api_version: ApiVersion = "v1") -> App:
    """The app, writing into ``outdir``."""
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
    return app


def synth(outdir: str = DEFAULT_OUTDIR, api_version: ApiVersion = "v1") -> list[str]:
    """Synthesize into ``outdir`` through the library's output-directory guard (the one
    ``main.py`` uses): an absent, empty or earlier output only. The stacks' names."""
    written = synthesize_into(outdir, lambda staging: build(staging, api_version))
    return list(json.loads((written / "manifest.json").read_text())["stacks"])


if __name__ == "__main__":
    version: ApiVersion = "v1alpha2" if sys.argv[2:3] == ["v1alpha2"] else "v1"
    try:
        names = synth(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUTDIR, version)
    except ConfigError as error:
        print("\n".join(f"error: {problem.render()}" for problem in error.problems), file=sys.stderr)
        sys.exit(2)
    print("synthesized:", ", ".join(names))
