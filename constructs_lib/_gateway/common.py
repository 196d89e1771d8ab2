"""What both gateway paths share: the settings every inference gateway has, the Gateway
API names and paths, and the outputs that tell a user how to reach the gateway.

The ai-on-gke module path (``InferenceGatewayProps``) and the v1 path
(``InferenceGatewayV1Props``) each extend :class:`GatewayCommonProps`, so a shared setting
is declared, documented and checked once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, Literal, TypeVar, get_args

from cdktf import ITerraformDependable, TerraformOutput
from constructs import Construct

from constructs_lib._cluster.access import ClusterAccess
from constructs_lib._core import checks as checks
from constructs_lib._core.errors import ConfigError, Problem
from constructs_lib._core.literal import literal
from constructs_lib._core.props import Props
from constructs_lib._core.releases import ApiVersion
from constructs_lib._edge.gateway_edge_props import GatewayRef, HttpsProps, StaticAddressProps, edge_problems
from constructs_lib._edge.model_armor import ModelArmor
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
from constructs_lib._gateway.proxy_subnet import ProxyOnlySubnetCheck
from constructs_lib._gateway.routes import GATEWAY_API as GATEWAY_API
from constructs_lib._gateway.routes import PlannedRoute, matches, route_manifest
from constructs_lib._model_server.server_props import VllmModelServerProps
from constructs_lib._terraform.providers import DataKubernetesResource, DataKubernetesResourceMetadata, Manifest

COMPLETIONS_PATH = "/v1/completions"
CHAT_COMPLETIONS_PATH = "/v1/chat/completions"
HTTP_LISTENER = "http"
HTTPS_LISTENER = "https"
CERT_MANAGER_OPTION = "networking.gke.io/cert-manager-certs"
PRE_SHARED_OPTION = "networking.gke.io/pre-shared-certs"

#: GKE gateway classes that route to inference pools, both regional (each needs the
#: region's proxy-only subnet). ``gke-l7-global-external-managed`` is not accepted: no GKE
#: or GIE source confirms it serves InferencePool backends.
GatewayClass = Literal[
    "gke-l7-regional-external-managed",
    "gke-l7-rilb",
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
            found += routing_problems(self.body_routing, pools, models, bool(servers))
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


def serving_section(gateway: GatewayCommonProps) -> str | None:
    """The listener serving routes attach to: ``https`` with HTTPS, so that a redirecting
    ``http`` listener never serves the API in clear text; else none (every listener)."""
    return HTTPS_LISTENER if gateway.https is not None else None


def listeners(gateway: GatewayCommonProps, certificate_name: str | None) -> list[dict[str, Any]]:
    """Plain HTTP on 80; or HTTPS on 443 terminating TLS with the certificate, plus an
    ``http`` listener on 80 when it redirects."""
    http = {"name": HTTP_LISTENER, "protocol": "HTTP", "port": 80}
    https = gateway.https
    if https is None:
        return [http]
    tls: dict[str, Any] = {"mode": "Terminate"}
    if https.certificate == "secret":
        tls["certificateRefs"] = [{"group": "", "kind": "Secret", "name": certificate_name}]
    else:
        option = PRE_SHARED_OPTION if https.certificate == "ssl_certificate" else CERT_MANAGER_OPTION
        tls["options"] = {option: certificate_name}
    secure = {"name": HTTPS_LISTENER, "protocol": "HTTPS", "port": 443, "tls": tls}
    return [http, secure] if gateway.redirect_http_to_https else [secure]


def gateway_manifest(gateway: GatewayCommonProps) -> dict[str, Any]:
    """The Gateway: its class, listeners and, with a static address, ``spec.addresses``."""
    spec: dict[str, Any] = {"gatewayClassName": gateway.gateway_class}
    if gateway.static_address is not None:
        spec["addresses"] = [{"type": "NamedAddress", "value": gateway.static_address.address_name(gateway.name)}]
    certificate = gateway.https.resource_name(gateway.name) if gateway.https is not None else None
    spec["listeners"] = listeners(gateway, certificate)
    return {"apiVersion": GATEWAY_API, "kind": "Gateway",
            "metadata": {"name": gateway.name, "namespace": gateway.namespace}, "spec": spec}


def redirect_route_manifest(gateway: GatewayCommonProps) -> dict[str, Any]:
    """The ``http`` listener's only route: a 301 to ``https`` for every request, no backend
    (Gateway API forbids backends beside a RequestRedirect)."""
    return {
        "apiVersion": GATEWAY_API, "kind": "HTTPRoute",
        "metadata": {"name": f"{gateway.name}-http-redirect", "namespace": gateway.namespace},
        "spec": {
            "parentRefs": [{"name": gateway.name, "namespace": gateway.namespace, "sectionName": HTTP_LISTENER}],
            "rules": [{"filters": [{"type": "RequestRedirect",
                                    "requestRedirect": {"scheme": "https", "statusCode": 301}}]}],
        },
    }


G = TypeVar("G", bound=GatewayCommonProps)


@dataclasses.dataclass(frozen=True)
class GatewayInputs(Generic[G]):
    """A gateway construct's inputs once checked: user text escaped, network resolved."""

    props: G
    model_servers: tuple[VllmModelServerProps, ...]
    region: str
    network_name: str


def gateway_inputs(scope: Construct, props: G, cluster: ClusterAccess, region: str | None,
                   network_name: str | None, model_servers: Sequence[VllmModelServerProps]) -> GatewayInputs[G]:
    """What both gateway constructs do first: resolve the subnet's region and network, raise
    every problem at once, escape the user's text (once, here), and add the plan-time check
    of the proxy-only subnet the gateway is about to create."""
    region, network_name = gateway_network(cluster, region, network_name)
    props.raise_problems_with(model_servers)
    props, servers = literal(props), literal(tuple(model_servers))
    proxy_only_subnet_check(scope, props, cluster, region, network_name)
    return GatewayInputs(props, servers, region, network_name)


def proxy_only_subnet_check(scope: Construct, props: GatewayCommonProps, cluster: ClusterAccess,
                            region: str, network_name: str) -> None:
    """The plan-time check of the proxy-only subnet a gateway is about to create (id
    ``proxy-only-subnet-check``), unless the subnet is not created or checks are off."""
    if props.create_proxy_only_subnetwork and cluster.preflight_checks:
        ProxyOnlySubnetCheck(scope, "proxy-only-subnet-check", cluster=cluster, region=region,
                             network_name=network_name, subnet_name=props.proxy_only_subnetwork_name)


def criticality_of(props: GatewayCommonProps, is_base: bool) -> Criticality:
    return props.base_model_criticality if is_base else props.adapter_criticality


def sample_model(servers: Sequence[VllmModelServerProps], model_names: Sequence[str]) -> str:
    """The model the ready-made curl asks for: the first adapter, as in GKE's examples,
    else the first model name the gateway serves."""
    fallback = model_names[0] if model_names else "your-model"
    return next((server.adapters[0].id for server in servers if server.adapters), fallback)


def route_objects(scope: Construct, props: GatewayCommonProps, planned: Sequence[PlannedRoute],
                  pools: Sequence[InferencePoolSpec], *, pool_group: str, after: Sequence[ITerraformDependable],
                  default_pool: str | None = None) -> list[Manifest]:
    """The HTTPRoutes of ``planned`` (one per pool, then the default pool's), ids
    ``route-<pool>`` and ``default-route``, in the Gateway's namespace."""
    targets = [(f"route-{pool.name}", pool.name) for pool in pools]
    if default_pool is not None:
        targets.append(("default-route", default_pool))
    return [Manifest(scope, construct_id, depends_on=list(after), manifest=route_manifest(
                name=route.name, namespace=props.namespace, gateway_name=props.name,
                gateway_namespace=props.namespace, route_matches=route.route_matches, pool=pool,
                pool_group=pool_group, section=serving_section(props)))
            for (construct_id, pool), route in zip(targets, planned, strict=True)]


def chat_curl(url: str, model: str) -> str:
    """A chat completion for ``model`` through the gateway at ``url`` (scheme and host)."""
    body = ('{"model": "' + model + '", "messages": [{"role": "user", '
            '"content": "Say hello in one sentence."}], "max_tokens": 64}')
    return (f"curl -sS {url}{CHAT_COMPLETIONS_PATH} "
            f"-H 'Content-Type: application/json' -d '{body}'")


def gateway_outputs(scope: Construct, gateway: GatewayCommonProps, model: str,
                    after: Sequence[ITerraformDependable], models: Sequence[str] = (),
                    static_address: str | None = None) -> None:
    """The Gateway's status read back after ``after`` applied, and the outputs:
    ``gateway_name``, ``gateway_namespace``, ``gateway_address``, ``chat_completions_curl``
    (for ``model``), ``model_names`` (every name the gateway serves, ``models``) and
    ``model_curls`` (a chat completion per name); with a static address or HTTPS also
    ``gateway_url``. The URL is ``https://`` and the first domain with HTTPS, else ``http://``
    and the address (the reserved one when there is one)."""
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
    if gateway.https is not None:
        url = f"https://{gateway.https.domains[0]}"
    else:
        url = f"http://{static_address or address}"
    if gateway.has_edge:
        TerraformOutput(scope, "gateway_url", value=url, static_id=True,
                        description="Where clients reach the gateway.")
    TerraformOutput(scope, "chat_completions_curl", static_id=True,
                    description="A chat completion through the gateway, ready to paste.",
                    value=chat_curl(url, model))
    names = list(dict.fromkeys(models))
    TerraformOutput(scope, "model_names", static_id=True, value=names,
                    description="Every model name (base models and adapters) the gateway routes.")
    TerraformOutput(scope, "model_curls", static_id=True, value={name: chat_curl(url, name) for name in names},
                    description="A chat completion per model name, ready to paste.")


def after_gateway(scope: Construct, gateway: GatewayCommonProps, manifest: ITerraformDependable, *,
                  project_id: str, region: str, models: Sequence[str], paths: Sequence[str]) -> None:
    """What attaches to the Gateway, the same on both paths: the HTTP redirect route (id
    ``http-redirect``) and Model Armor (id ``model-armor``) screening ``paths``."""
    if gateway.redirect_http_to_https:
        Manifest(scope, "http-redirect", manifest=redirect_route_manifest(gateway), depends_on=[manifest])
    if gateway.model_armor is not None:
        ModelArmor(scope, "model-armor", gateway=gateway.ref, props=gateway.model_armor, project_id=project_id,
                   region=region, models=models, paths=paths, after=[manifest])
