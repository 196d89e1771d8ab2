"""What both gateway paths share: the settings every inference gateway has, the Gateway
API names and paths, and the outputs that tell a user how to reach the gateway.

The ai-on-gke module path (``InferenceGatewayProps``) and the v1 path
(``InferenceGatewayV1Props``) each extend :class:`GatewayCommonProps`, so a shared setting
is declared, documented and checked once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import ClassVar, Literal, get_args

from cdktf import ITerraformDependable, TerraformOutput
from constructs import Construct

from constructs_lib import _checks as checks
from constructs_lib._body_routing import BodyRoutingProps, RoutingPlan, routing_plan, routing_problems
from constructs_lib._cluster_access import ClusterAccess
from constructs_lib._errors import ConfigError, Problem
from constructs_lib._model_server_props import VllmModelServerProps
from constructs_lib._pools import (
    Criticality,
    InferencePoolSpec,
    PoolModels,
    derive_pools,
    pool_models,
    served_twice_problems,
)
from constructs_lib._props import Props
from constructs_lib._providers import DataKubernetesResource, DataKubernetesResourceMetadata, Manifest
from constructs_lib._releases import ApiVersion
from constructs_lib._routes import GATEWAY_API as GATEWAY_API
from constructs_lib._routes import PlannedRoute, matches, route_manifest

COMPLETIONS_PATH = "/v1/completions"
CHAT_COMPLETIONS_PATH = "/v1/chat/completions"

#: GKE gateway classes that route to inference pools.
GatewayClass = Literal[
    "gke-l7-regional-external-managed",
    "gke-l7-rilb",
    "gke-l7-global-external-managed",
]
GKE_GATEWAY_CLASSES: tuple[str, ...] = get_args(GatewayClass)


@dataclasses.dataclass(frozen=True, kw_only=True)
class GatewayCommonProps(Props):
    """Settings every inference gateway has, whichever API path builds it.

    Attributes:
        api_version: the InferencePool API, which picks the path: ``v1alpha2`` (the
            tutorial's GIE v0.3.0 through the ai-on-gke module) or ``v1`` (GIE v1.x
            through this package's own constructs).
        name: the Gateway's name. Default ``inference-gateway``.
        namespace: the Gateway's namespace (on ``v1`` also the pools', objectives' and
            routes'). Default ``default``; the module path allows nothing else.
        gateway_class: the GKE gateway class. Default ``gke-l7-regional-external-managed``
            (regional external Application Load Balancer); ``gke-l7-rilb`` for internal.
        create_proxy_only_subnetwork: create the regional proxy-only subnet the regional
            classes need. Default ``True``; ``False`` when the VPC already has one.
        proxy_only_subnetwork_name: its name. Default ``gateway-api-proxy-only``.
        inference_pools: explicit pools; ``None`` derives one per model server.
        base_model_criticality: criticality of the derived base-model entries.
            Default ``Critical``.
        adapter_criticality: criticality of the derived adapter entries. Default ``Standard``.
        body_routing: the body-based router that sends each request to the pool of the
            model it names; deployed when the gateway has several pools.
    """

    moved_settings: ClassVar[Mapping[str, str]] = {
        "gateway": "write its name, namespace and gateway_class directly in the gateway section",
    }

    api_version: ApiVersion = "v1alpha2"
    name: str = "inference-gateway"
    namespace: str = "default"
    gateway_class: GatewayClass = "gke-l7-regional-external-managed"
    create_proxy_only_subnetwork: bool = True
    proxy_only_subnetwork_name: str = "gateway-api-proxy-only"
    inference_pools: tuple[InferencePoolSpec, ...] | None = None
    base_model_criticality: Criticality = "Critical"
    adapter_criticality: Criticality = "Standard"
    body_routing: BodyRoutingProps = dataclasses.field(default_factory=BodyRoutingProps)

    #: What to do when two routes match the same requests.
    duplicate_route_fix: ClassVar[str] = ("let the body-based router tell the pools apart "
                                          "(body_routing.mode: auto), or serve them through one pool")

    def problems(self) -> list[Problem]:
        return [*checks.dns_subdomain("name", self.name), *checks.dns_label("namespace", self.namespace),
                *checks.gce_name("proxy_only_subnetwork_name", self.proxy_only_subnetwork_name, "subnetwork")]

    def problems_with(self, model_servers: Sequence[VllmModelServerProps]) -> list[Problem]:
        """Problems of this gateway in front of ``model_servers``, with fields named as the
        user wrote them; the gateway constructs raise them, apps can report them early."""
        raise NotImplementedError

    def routing(self, pools: Sequence[InferencePoolSpec],
                servers: Sequence[VllmModelServerProps]) -> RoutingPlan | None:
        """How requests reach ``pools``: ``None`` without the router (one route per pool,
        by path only)."""
        if not self.body_routing.enabled(len(pools)):
            return None
        return routing_plan(self.body_routing, self.api_version, self.pool_models(pools, servers))

    def routed(self, plan: RoutingPlan, pools: Sequence[InferencePoolSpec],
               paths: Sequence[str]) -> list[PlannedRoute]:
        """The routes with the router: one per pool matching its header values on
        ``paths``, then the default pool's route (no header) when there is one."""
        routes = [PlannedRoute(f"inference_pools[{index}]", f"{pool.name}-route", plan.pool_matches(pool.name, paths))
                  for index, pool in enumerate(pools)]
        if plan.default_pool is not None:
            routes.append(PlannedRoute("body_routing.default_pool", f"{self.name}-default-route", matches(paths)))
        return routes

    def uses_router(self, servers: Sequence[VllmModelServerProps]) -> bool:
        """Whether this gateway deploys the body-based router in front of ``servers``."""
        pools = self.inference_pools if self.inference_pools is not None else derive_pools(servers)
        return self.body_routing.enabled(len(pools))

    @staticmethod
    def pool_models(pools: Sequence[InferencePoolSpec], servers: Sequence[VllmModelServerProps]) -> list[PoolModels]:
        return [pool_models(pool, servers) for pool in pools]

    def routing_problems(self, pools: Sequence[InferencePoolSpec],
                         servers: Sequence[VllmModelServerProps]) -> list[Problem]:
        """Names served by two pools; with the router, what stops it telling pools apart."""
        models = self.pool_models(pools, servers)
        found = served_twice_problems(models)
        if self.body_routing.enabled(len(pools)):
            found += routing_problems(self.body_routing, self.gateway_class, pools, models, bool(servers))
        return found

    def raise_problems_with(self, model_servers: Sequence[VllmModelServerProps]) -> None:
        """Raise every problem of :meth:`problems_with` as one ``ConfigError``."""
        problems = self.problems_with(model_servers)
        if problems:
            raise ConfigError(problems)


def gateway_network(cluster: ClusterAccess, region: str | None, network_name: str | None) -> tuple[str, str]:
    """The region and VPC network of the proxy-only subnet: as given, or the ``region`` and
    ``network_name`` variables of a cluster made by ``ClusterAccess.from_variables``."""
    variables = cluster.variables
    if region is None or network_name is None:
        if variables is None or not variables.has_network:
            raise TypeError("give region= and network_name=, or a cluster from "
                            "ClusterAccess.from_variables(..., include_network=True)")
        region = region if region is not None else variables.region
        network_name = network_name if network_name is not None else variables.network_name
    return region, network_name


def criticality_of(props: GatewayCommonProps, is_base: bool) -> Criticality:
    return props.base_model_criticality if is_base else props.adapter_criticality


def sample_model(servers: Sequence[VllmModelServerProps], model_names: Sequence[str]) -> str:
    """The model the ready-made curl asks for: the first adapter, as in GKE's examples,
    else the first model name the gateway serves."""
    fallback = model_names[0] if model_names else "your-model"
    return next((server.adapters[0].id for server in servers if server.adapters), fallback)


def route_objects(scope: Construct, props: GatewayCommonProps, planned: Sequence[PlannedRoute],
                  pools: Sequence[InferencePoolSpec], *, pool_group: str, after: Sequence[ITerraformDependable],
                  default_pool: str | None = None, timeout: str | None = None) -> list[Manifest]:
    """The HTTPRoutes of ``planned`` (one per pool, then the default pool's), ids
    ``route-<pool>`` and ``default-route``, in the Gateway's namespace."""
    targets = [(f"route-{pool.name}", pool.name) for pool in pools]
    if default_pool is not None:
        targets.append(("default-route", default_pool))
    return [Manifest(scope, construct_id, depends_on=list(after), manifest=route_manifest(
                name=route.name, namespace=props.namespace, gateway_name=props.name,
                gateway_namespace=props.namespace, route_matches=route.route_matches, pool=pool,
                pool_group=pool_group, timeout=timeout))
            for (construct_id, pool), route in zip(targets, planned, strict=True)]


def chat_curl(address: str, model: str) -> str:
    """A chat completion for ``model`` through the gateway at ``address``."""
    body = ('{"model": "' + model + '", "messages": [{"role": "user", '
            '"content": "Say hello in one sentence."}], "max_tokens": 64}')
    return (f"curl -sS http://{address}{CHAT_COMPLETIONS_PATH} "
            f"-H 'Content-Type: application/json' -d '{body}'")


def gateway_outputs(scope: Construct, gateway: GatewayCommonProps, model: str,
                    after: Sequence[ITerraformDependable], models: Sequence[str] = ()) -> None:
    """The Gateway's status read back after ``after`` applied, and the outputs:
    ``gateway_name``, ``gateway_namespace``, ``gateway_address``, ``chat_completions_curl``
    (for ``model``), ``model_names`` (every name the gateway serves, ``models``) and
    ``model_curls`` (a chat completion per name)."""
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
    TerraformOutput(scope, "chat_completions_curl", static_id=True,
                    description="A chat completion through the gateway, ready to paste.",
                    value=chat_curl(address, model))
    names = list(dict.fromkeys(models))
    TerraformOutput(scope, "model_names", static_id=True, value=names,
                    description="Every model name (base models and adapters) the gateway routes.")
    TerraformOutput(scope, "model_curls", static_id=True, value={name: chat_curl(address, name) for name in names},
                    description="A chat completion per model name, ready to paste.")
