"""The ai-on-gke ``inference-gateway`` module with every input it requires, plus what it
lacks: a route for ``/v1/chat/completions`` and outputs to reach the gateway."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cdktf import TerraformHclModule
from constructs import Construct

from constructs_lib._body_routing import BodyRouter
from constructs_lib._cluster_access import ClusterAccess
from constructs_lib._gateway_common import (
    CHAT_COMPLETIONS_PATH,
    gateway_network,
    gateway_outputs,
    route_objects,
    sample_model,
)
from constructs_lib._gateway_module_props import (
    HttpRouteSpec,
    InferenceGatewayProps,
    ResolvedModuleGateway,
)
from constructs_lib._model_server_props import VllmModelServerProps
from constructs_lib._providers import Manifest
from constructs_lib._routes import matches, route_manifest

#: The v1alpha2 InferencePool's API group (v0.3.0).
GIE_GROUP = "inference.networking.x-k8s.io"


def module_inputs(props: InferenceGatewayProps, resolved: ResolvedModuleGateway,
                  environment: dict[str, str]) -> dict[str, Any]:
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
        "gateway": {"name": props.name, "namespace": props.namespace, "gateway_class": props.gateway_class},
        "http_routes": [{
            "name": route.name,
            "namespace": route.namespace,
            "gateway_name": route.gateway_name,
            "inference_pool_name": route.inference_pool_name,
        } for route in resolved.routes],
    }


def chat_route_manifest(route: HttpRouteSpec, props: InferenceGatewayProps) -> dict[str, Any]:
    """An HTTPRoute sending ``/v1/chat/completions`` to the same pool as ``route``."""
    return route_manifest(name=f"{route.name}-chat", namespace=route.namespace, gateway_name=props.name,
                          gateway_namespace=props.namespace, route_matches=matches([CHAT_COMPLETIONS_PATH]),
                          pool=route.inference_pool_name, pool_group=GIE_GROUP)


class InferenceGateway(Construct):
    """Gateway, pools (Helm), InferenceModels and routes through the ai-on-gke module.

    The module reads the cluster's ``project_id``, ``cluster_name`` and ``cluster_location``
    from ``cluster`` and creates the proxy-only subnet in ``region`` on ``network_name``
    (default: the variables of a ``ClusterAccess.from_variables(..., include_network=True)``).
    Pools, models and routes not given in ``props`` are derived from ``model_servers``;
    every cross-reference is checked here and reported as one ``ConfigError``.

    With several pools (or ``body_routing.mode: on``) the module gets no routes; the
    body-based router and one header-matching route per pool (ids ``route-<pool>``,
    ``default-route``, ``body-router``) are added beside it.

    Construct ids: ``module``, ``chat-route-<route>``, ``gateway-status`` and the outputs
    ``gateway_name``, ``gateway_namespace``, ``gateway_address``, ``chat_completions_curl``,
    ``model_names``, ``model_curls``.
    The module's address is ``module.inference_gateway``: one gateway per stack.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: InferenceGatewayProps,
        cluster: ClusterAccess,
        region: str | None = None,
        network_name: str | None = None,
        model_servers: Sequence[VllmModelServerProps] = (),
    ) -> None:
        super().__init__(scope, id)
        region, network_name = gateway_network(cluster, region, network_name)
        props.raise_problems_with(model_servers)
        resolved = props.resolve(model_servers)
        self.resolved = resolved
        environment = {"project_id": cluster.project_id, "cluster_name": cluster.cluster_name,
                       "cluster_location": cluster.cluster_location, "region": region,
                       "network_name": network_name}
        self.module = TerraformHclModule(
            self, "module", source=props.module_source,
            variables=module_inputs(props, resolved, environment),
        )
        # A readable, stable module address: module.inference_gateway.
        self.module.override_logical_id("inference_gateway")
        self.chat_routes: Sequence[Manifest] = []
        if props.chat_completions_route:
            self.chat_routes = [
                Manifest(self, f"chat-route-{route.name}",
                         manifest=chat_route_manifest(route, props), depends_on=[self.module])
                for route in resolved.routes
            ]
        self.routes: list[Manifest] = []
        self.router: BodyRouter | None = None
        plan = props.routing(resolved.pools, model_servers)
        if plan is not None:
            self.routes = route_objects(self, props, props.planned_routes(resolved, model_servers), resolved.pools,
                                        pool_group=GIE_GROUP, after=[self.module], default_pool=plan.default_pool)
            self.router = BodyRouter(self, "body-router", props=props.body_routing, plan=plan,
                                     gateway_name=props.name, namespace=props.namespace,
                                     helm=cluster.helm_provider(), after=[self.module])
        names = [model.model_name for model in resolved.models]
        gateway_outputs(self, props, sample_model(model_servers, names), after=[self.module, *self.routes],
                        models=names)
