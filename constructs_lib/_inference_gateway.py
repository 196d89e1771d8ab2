"""The ai-on-gke ``inference-gateway`` module with every input it requires, plus what it
lacks: a route for ``/v1/chat/completions`` and outputs to reach the gateway."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdktf import ITerraformDependable, TerraformHclModule, TerraformOutput
from constructs import Construct

from constructs_lib._errors import ConfigError
from constructs_lib._gateway_props import (
    GatewaySpec,
    HttpRouteSpec,
    InferenceGatewayProps,
    ResolvedGateway,
    cross_reference_problems,
    resolve,
)
from constructs_lib._literal import literal
from constructs_lib._model_server_props import VllmModelServerProps
from constructs_lib._providers import DataKubernetesResource, DataKubernetesResourceMetadata, Manifest

GIE_GROUP = "inference.networking.x-k8s.io"
GATEWAY_API = "gateway.networking.k8s.io/v1"
CHAT_COMPLETIONS_PATH = "/v1/chat/completions"


def module_inputs(
    props: InferenceGatewayProps,
    resolved: ResolvedGateway,
    environment: dict[str, str],
) -> dict[str, Any]:
    """The module's variables: exactly the attributes it declares, nothing else."""
    return {
        **environment,
        "create_proxy_only_subnetwork": props.create_proxy_only_subnetwork,
        "proxy_only_subnetwork_name": props.proxy_only_subnetwork_name,
        "inference_pools": [{"name": pool.name, "match_labels": dict(pool.match_labels)}
                            for pool in resolved.pools],
        "inference_models": [{
            "name": model.name,
            "namespace": model.namespace,
            "model_name": model.model_name,
            "criticality": model.criticality,
            "inference_pool_name": model.inference_pool_name,
        } for model in resolved.models],
        "gateway": {"name": resolved.gateway.name, "namespace": resolved.gateway.namespace,
                    "gateway_class": resolved.gateway.gateway_class},
        "http_routes": [{
            "name": route.name,
            "namespace": route.namespace,
            "gateway_name": route.gateway_name,
            "inference_pool_name": route.inference_pool_name,
        } for route in resolved.routes],
    }


def chat_route_manifest(route: HttpRouteSpec, gateway: GatewaySpec) -> dict[str, Any]:
    """An HTTPRoute sending ``/v1/chat/completions`` to the same pool as ``route``."""
    return {
        "apiVersion": GATEWAY_API,
        "kind": "HTTPRoute",
        "metadata": {"name": f"{route.name}-chat", "namespace": route.namespace},
        "spec": {
            "parentRefs": [{"name": gateway.name, "namespace": gateway.namespace}],
            "rules": [{
                "matches": [{"path": {"type": "PathPrefix", "value": CHAT_COMPLETIONS_PATH}}],
                "backendRefs": [{"group": GIE_GROUP, "kind": "InferencePool",
                                 "name": route.inference_pool_name}],
            }],
        },
    }


def sample_model(servers: Sequence[VllmModelServerProps], fallback: str) -> str:
    """The model the ready-made curl asks for: the first adapter, as in GKE's examples."""
    return next((server.adapters[0].id for server in servers if server.adapters), fallback)


class InferenceGateway(Construct):
    """Gateway, pools (Helm), InferenceModels and routes through the ai-on-gke module.

    ``environment`` maps the module's ``project_id``, ``cluster_name``, ``cluster_location``,
    ``region`` and ``network_name`` to values (usually ``EnvironmentVariables`` tokens).
    Pools, models and routes not given in ``props`` are derived from ``model_servers``;
    every cross-reference is checked here and reported as one ``ConfigError``.

    Construct ids: ``module``, ``chat-route-<route>``, ``gateway-status`` and the outputs
    ``gateway_name``, ``gateway_namespace``, ``gateway_address``, ``chat_completions_curl``.
    The module's address is ``module.inference_gateway``: one gateway per stack.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: InferenceGatewayProps,
        environment: Mapping[str, str],
        model_servers: Sequence[VllmModelServerProps] = (),
    ) -> None:
        super().__init__(scope, id)
        problems = cross_reference_problems(props, model_servers)
        if problems:
            raise ConfigError(problems)
        props, model_servers = literal(props), literal(tuple(model_servers))
        resolved = resolve(props, model_servers)
        self.resolved = resolved
        self.module = TerraformHclModule(
            self, "module", source=props.module_source,
            variables=module_inputs(props, resolved, dict(environment)),
        )
        # A readable, stable module address: module.inference_gateway.
        self.module.override_logical_id("inference_gateway")
        self.chat_routes: Sequence[Manifest] = []
        if props.chat_completions_route:
            self.chat_routes = [
                Manifest(self, f"chat-route-{route.name}",
                         manifest=chat_route_manifest(route, resolved.gateway), depends_on=[self.module])
                for route in resolved.routes
            ]
        sample = sample_model(model_servers, resolved.models[0].model_name)
        gateway_outputs(self, resolved.gateway, sample, after=[self.module])


def gateway_outputs(scope: Construct, gateway: GatewaySpec, model: str,
                    after: Sequence[ITerraformDependable]) -> None:
    """The Gateway's status read back after ``after`` applied, and the four outputs:
    ``gateway_name``, ``gateway_namespace``, ``gateway_address``, ``chat_completions_curl``."""
    status = DataKubernetesResource(
        scope, "gateway-status", api_version=GATEWAY_API, kind="Gateway",
        metadata=DataKubernetesResourceMetadata(name=gateway.name, namespace=gateway.namespace),
        depends_on=list(after),
    )
    address = f'${{try({status.fqn}.object.status.addresses[0].value, "")}}'
    TerraformOutput(scope, "gateway_name", value=gateway.name, static_id=True,
                    description="Name of the Gateway.")
    TerraformOutput(scope, "gateway_namespace", value=gateway.namespace, static_id=True,
                    description="Namespace of the Gateway.")
    TerraformOutput(scope, "gateway_address", value=address, static_id=True,
                    description="The Gateway's IP address (empty until the load balancer is ready).")
    body = ('{"model": "' + model + '", "messages": [{"role": "user", '
            '"content": "Say hello in one sentence."}], "max_tokens": 64}')
    TerraformOutput(
        scope, "chat_completions_curl", static_id=True,
        description="A chat completion through the gateway, ready to paste.",
        value=f"curl -sS http://{address}{CHAT_COMPLETIONS_PATH} "
              f"-H 'Content-Type: application/json' -d '{body}'",
    )
