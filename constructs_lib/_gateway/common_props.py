"""The settings every inference gateway has, whichever API path builds it, and the Gateway
API paths both serve. Pure data and checks: nothing here loads cdktf, so a wrong value is
reported before Node starts.

The ai-on-gke module path (``InferenceGatewayProps``) and the v1 path
(``InferenceGatewayV1Props``) each extend :class:`GatewayCommonProps`, so a shared setting
is declared, documented and checked once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import ClassVar

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import ConfigError, Problem
from constructs_lib._core.gateway_classes import GATEWAY_CLASSES, INTERNAL_CLASSES, GatewayClass
from constructs_lib._core.props import Props
from constructs_lib._core.releases import ApiVersion
from constructs_lib._edge.gateway_edge_props import GatewayRef, HttpsProps, StaticAddressProps, edge_problems
from constructs_lib._edge.model_armor_props import ModelArmorProps
from constructs_lib._gateway.body_routing import BodyRoutingProps, RoutingPlan, routing_plan, routing_problems
from constructs_lib._gateway.pools import (
    Criticality,
    InferencePoolSpec,
    PoolModels,
    derive_pools,
    pool_models,
    served_twice_problems,
)
from constructs_lib._gateway.routes import PlannedRoute, matches
from constructs_lib._model_server.server_props import VllmModelServerProps

COMPLETIONS_PATH = "/v1/completions"
CHAT_COMPLETIONS_PATH = "/v1/chat/completions"
HTTP_LISTENER = "http"
HTTPS_LISTENER = "https"
CERT_MANAGER_OPTION = "networking.gke.io/cert-manager-certs"
PRE_SHARED_OPTION = "networking.gke.io/pre-shared-certs"


@dataclasses.dataclass(frozen=True)
class ResolvedGateway:
    """A gateway with every ``None`` derived from its model servers, once: its checks, its
    construct and the app read this instead of deriving pools, models and routes again.

    Attributes:
        pools: the pools, as given or one per base model.
        pool_models: what each pool serves, in the order of ``pools``.
        plan: the body-based router's plan; ``None`` without the router.
        planned_routes: the routes on the gateway, in the order they are created.
    """

    pools: tuple[InferencePoolSpec, ...]
    pool_models: tuple[PoolModels, ...]
    plan: RoutingPlan | None
    planned_routes: tuple[PlannedRoute, ...]

    @property
    def served_names(self) -> list[str]:
        """Every model name (base models and adapters) the pools serve."""
        return [name for models in self.pool_models for name in models.names]


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
            classes need. Default ``True``; ``False`` when the VPC already has one. When
            creating it, ``terraform plan`` stops if the network already has an ACTIVE one
            in the region, or if ``region`` is not the cluster's region (unless
            ``cluster.preflight_checks`` is off).
        proxy_only_subnetwork_name: its name. Default ``gateway-api-proxy-only``.
        inference_pools: explicit pools; ``None`` derives one per base model (the servers
            of one base model share it).
        base_model_criticality: criticality of the derived base-model entries.
            Default ``Critical``.
        adapter_criticality: criticality of the derived adapter entries. Default ``Standard``.
        body_routing: the body-based router that sends each request to the pool of the
            model it names; deployed when the gateway has several pools.
        static_address: a reserved IP address for the Gateway. Default ``None``: an
            ephemeral one.
        https: an HTTPS listener on port 443 instead of plain HTTP on port 80. Default
            ``None``: HTTP only.
        redirect_http_to_https: with ``https``, also listen on port 80 and answer every request
            there with a 301 redirect to HTTPS. Default ``False``: no port 80 at all.
        model_armor: screen prompts and responses with Model Armor. Default ``None``: no
            screening.
    """

    moved_settings: ClassVar[Mapping[str, str]] = {
        "gateway": "write its name, namespace and gateway_class directly in the gateway section",
    }
    #: What to do when two routes match the same requests.
    duplicate_route_fix: ClassVar[str] = ("let the body-based router tell the pools apart "
                                          "(body_routing.mode: auto), or serve them through one pool")

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
    static_address: StaticAddressProps | None = None
    https: HttpsProps | None = None
    redirect_http_to_https: bool = False
    model_armor: ModelArmorProps | None = None

    def problems(self) -> list[Problem]:
        found = [*checks.dns_subdomain("name", self.name), *checks.dns_label("namespace", self.namespace),
                 *checks.gce_name("proxy_only_subnetwork_name", self.proxy_only_subnetwork_name, "subnetwork")]
        found += edge_problems(self.gateway_class, self.name, self.proxy_only_subnetwork_name,
                               self.static_address, self.https, self.redirect_http_to_https)
        # Objects named after the gateway must still fit a Kubernetes name.
        suffixes = [suffix for suffix, present in (
            ("-http-redirect", self.redirect_http_to_https),
            ("-default-route", self.body_routing.default_pool is not None),
            ("-model-armor", self.model_armor is not None)) if present]
        if suffixes:
            found += checks.derived_object_name("name", self.name, max(suffixes, key=len),
                                                "objects named after the gateway")
        return found

    @property
    def ref(self) -> GatewayRef:
        """The Gateway as the edge parts see it."""
        return GatewayRef(name=self.name, namespace=self.namespace, gateway_class=self.gateway_class)

    @property
    def public_unauthenticated(self) -> bool:
        """Reachable from the internet with nothing in front of the models: an external class,
        and no access control (this release has none but the internal class)."""
        return not GATEWAY_CLASSES[self.gateway_class].internal

    def access_warning(self) -> str | None:
        """One line saying so, naming the class and what restricts it; ``None`` when the
        gateway is not public."""
        if not self.public_unauthenticated:
            return None
        return (f"gateway.gateway_class={self.gateway_class} gives the gateway a public address with no "
                "authentication: anyone who finds it can call the models and spend the GPUs; restrict it with "
                f"gateway_class: {INTERNAL_CLASSES[0]} (reachable from the VPC only)")

    @property
    def has_edge(self) -> bool:
        """A static address or HTTPS: the Gateway needs more than one plain HTTP listener."""
        return self.static_address is not None or self.https is not None

    def feature_problems_with(self, served: Sequence[str]) -> list[Problem]:
        """Problems of the optional features that depend on the model names the gateway
        serves (both paths call this from ``problems_with``)."""
        if self.model_armor is None:
            return []
        return [p.under("model_armor") for p in self.model_armor.problems_with(self.name, served)]

    def problems_with(self, model_servers: Sequence[VllmModelServerProps]) -> list[Problem]:
        """Problems of this gateway in front of ``model_servers``, with fields named as the
        user wrote them; the gateway constructs raise them, apps can report them early."""
        raise NotImplementedError

    def resolved_core(self, pools: Sequence[InferencePoolSpec],
                      servers: Sequence[VllmModelServerProps]) -> tuple[tuple[PoolModels, ...], RoutingPlan | None]:
        """What each pool serves, and how requests reach the pools (``None`` without the
        router: one route per pool, by path only), derived once for ``resolve``."""
        models = tuple(pool_models(pool, servers) for pool in pools)
        if not self.body_routing.enabled(len(pools)):
            return models, None
        return models, routing_plan(self.body_routing, self.api_version, models)

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

    def routing_problems(self, resolved: ResolvedGateway, servers: Sequence[VllmModelServerProps]) -> list[Problem]:
        """Names served by two pools; with the router, what stops it telling pools apart."""
        found = served_twice_problems(resolved.pool_models)
        if resolved.plan is not None:
            found += routing_problems(self.body_routing, resolved.pools, resolved.pool_models, bool(servers))
        return found

    def raise_problems_with(self, model_servers: Sequence[VllmModelServerProps]) -> None:
        """Raise every problem of :meth:`problems_with` as one ``ConfigError``."""
        problems = self.problems_with(model_servers)
        if problems:
            raise ConfigError(problems)


def criticality_of(props: GatewayCommonProps, is_base: bool) -> Criticality:
    return props.base_model_criticality if is_base else props.adapter_criticality


def sample_model(servers: Sequence[VllmModelServerProps], model_names: Sequence[str]) -> str:
    """The model the ready-made curl asks for: the first adapter, as in GKE's examples,
    else the first model name the gateway serves."""
    fallback = model_names[0] if model_names else "your-model"
    return next((server.adapters[0].id for server in servers if server.adapters), fallback)
