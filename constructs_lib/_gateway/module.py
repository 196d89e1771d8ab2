"""The ai-on-gke ``inference-gateway`` module with every input it requires, plus what it
lacks: a route for ``/v1/chat/completions`` and outputs to reach the gateway.

The module renders its Gateway from three inputs (name, namespace, class): one HTTP listener
on port 80, no addresses, no TLS, and nothing outside the module can patch that object. With
a static address or HTTPS, the Gateway clients use is therefore ours (``gateway_manifest``,
the same as on the v1 path) and so are the serving routes (they need ``sectionName: https``,
which the module's routes lack). The module still creates a Gateway; it is renamed
``<name>-module-parked`` and given the class ``parked``, which no controller serves, so it
provisions no load balancer and no address (Gateway API: a Gateway whose class does not exist
is never accepted), and it gets no routes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cdktf import TerraformHclModule
from constructs import Construct

from constructs_lib._cluster.access import ClusterAccess
from constructs_lib._edge.gateway_edge import GatewayEdge
from constructs_lib._gateway.body_router import BodyRouter
from constructs_lib._gateway.common import (
    after_gateway,
    gateway_inputs,
    gateway_manifest,
    gateway_outputs,
    route_objects,
    serving_section,
)
from constructs_lib._gateway.common_props import CHAT_COMPLETIONS_PATH, COMPLETIONS_PATH, sample_model
from constructs_lib._gateway.module_props import (
    HttpRouteSpec,
    InferenceGatewayProps,
    ResolvedModuleGateway,
)
from constructs_lib._gateway.routes import matches, route_manifest
from constructs_lib._model_server.server_props import VllmModelServerProps
from constructs_lib._terraform.manifests import KubernetesManifest, kubernetes_manifest
from constructs_lib._terraform.requirements import require_provider

#: The v1alpha2 InferencePool's API group (v0.3.0).
GIE_GROUP = "inference.networking.x-k8s.io"
#: A GatewayClass no controller serves: the module's own Gateway waits on it, unprovisioned,
#: when ours carries the edge.
PARKED_GATEWAY_CLASS = "parked"
PARKED_GATEWAY_SUFFIX = "-module-parked"

#: Providers the module uses that the calling stack has no binding for. The module's
#: versions.tf declares google, google-beta, kubernetes and helm without versions, and its
#: main.tf uses local_file (common-infra@3f9592a0:common/modules/inference-gateway), so each
#: is pinned here to what the module's code is written for: helm 3 (its ``set = [...]`` and
#: ``kubernetes = {...}`` are attributes from helm 3 on), the helm the package binds for the
#: v1 path; google-beta in lockstep with the google the package binds; local 2.
MODULE_PROVIDERS: dict[str, tuple[str, str]] = {
    "google-beta": ("hashicorp/google-beta", "6.50.0"),
    "helm": ("hashicorp/helm", "3.1.1"),
    "local": ("hashicorp/local", "~> 2.5"),
}


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
        "gateway": ({"name": props.name + PARKED_GATEWAY_SUFFIX, "namespace": props.namespace,
                     "gateway_class": PARKED_GATEWAY_CLASS} if props.has_edge else
                    {"name": props.name, "namespace": props.namespace, "gateway_class": props.gateway_class}),
        "http_routes": [] if props.has_edge else [{
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
                          pool=route.inference_pool_name, pool_group=GIE_GROUP, section=serving_section(props))


def own_route_manifest(route: HttpRouteSpec, props: InferenceGatewayProps) -> dict[str, Any]:
    """``route`` as our own HTTPRoute (when our Gateway carries the edge): the module's
    completions path, and chat completions unless ``chat_completions_route`` is off. Named
    ``<route>-edge``, so that turning the edge on never creates a route the module is still
    deleting under the same name."""
    paths = [COMPLETIONS_PATH, CHAT_COMPLETIONS_PATH] if props.chat_completions_route else [COMPLETIONS_PATH]
    return route_manifest(name=f"{route.name}-edge", namespace=route.namespace, gateway_name=props.name,
                          gateway_namespace=props.namespace, route_matches=matches(paths),
                          pool=route.inference_pool_name, pool_group=GIE_GROUP, section=serving_section(props))


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

    Construct ids: ``proxy-only-subnet-check`` (when the module creates the subnet),
    ``module``, ``chat-route-<route>``, ``gateway-status`` and the outputs
    ``gateway_name``, ``gateway_namespace``, ``gateway_address``, ``chat_completions_curl``,
    ``model_names``, ``model_curls``.
    With a static address or HTTPS: ``edge`` (``GatewayEdge``), ``gateway`` and ``route-<route>``
    instead of ``chat-route-<route>``, and the output ``gateway_url``; with the redirect
    ``http-redirect``; with Model Armor ``model-armor`` (``ModelArmor``).
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
        inputs = gateway_inputs(self, props, cluster, region, network_name, model_servers)
        props, model_servers = inputs.props, inputs.model_servers
        resolved = props.resolve(model_servers)
        self.resolved = resolved
        environment = {"project_id": cluster.project_id, "cluster_name": cluster.cluster_name,
                       "cluster_location": cluster.cluster_location, "region": inputs.region,
                       "network_name": inputs.network_name}
        self.module = TerraformHclModule(
            self, "module", source=props.module_source,
            variables=module_inputs(props, resolved, environment),
        )
        # A readable, stable module address: module.inference_gateway.
        self.module.override_logical_id("inference_gateway")
        for name, (source, version) in MODULE_PROVIDERS.items():
            require_provider(self, name, source=source, version=version)
        self.chat_routes: Sequence[KubernetesManifest] = []
        gateway: Any = self.module
        edge = None
        if props.has_edge:
            edge = GatewayEdge(self, "edge", gateway=props.ref, static_address=props.static_address,
                               https=props.https, project_id=cluster.project_id, region=inputs.region)
            # After the module: it creates the proxy-only subnet the regional classes need.
            gateway = kubernetes_manifest(self, "gateway", manifest=gateway_manifest(props),
                               depends_on=[self.module, *edge.resources])
            self.chat_routes = [kubernetes_manifest(self, f"route-{route.name}",
                                                   manifest=own_route_manifest(route, props), depends_on=[gateway])
                                for route in resolved.routes]
        elif props.chat_completions_route:
            self.chat_routes = [
                kubernetes_manifest(self, f"chat-route-{route.name}",
                         manifest=chat_route_manifest(route, props), depends_on=[self.module])
                for route in resolved.routes
            ]
        self.routes: list[KubernetesManifest] = []
        self.router: BodyRouter | None = None
        plan = resolved.plan
        if plan is not None:
            self.routes = route_objects(self, props, resolved.planned_routes, resolved.pools,
                                        pool_group=GIE_GROUP, after=[gateway], default_pool=plan.default_pool)
            self.router = BodyRouter(self, "body-router", props=props.body_routing, plan=plan,
                                     gateway_name=props.name, namespace=props.namespace,
                                     helm=cluster.helm_provider(), after=[gateway])
        names = [model.model_name for model in resolved.models]
        after_gateway(self, props, gateway, project_id=cluster.project_id, region=inputs.region, models=names,
                      paths=[COMPLETIONS_PATH, CHAT_COMPLETIONS_PATH])
        after = [gateway, *self.chat_routes, *self.routes] if props.has_edge else [self.module, *self.routes]
        gateway_outputs(self, props, sample_model(model_servers, names), after=after, models=names,
                        static_address=edge.address if edge is not None else None)
