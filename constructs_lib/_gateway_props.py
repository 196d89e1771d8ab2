"""Typed inputs of the ai-on-gke ``inference-gateway`` module, their defaults derived from
the model servers, and the cross-reference checks the module itself never makes."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from constructs_lib import _checks as checks
from constructs_lib._errors import Problem
from constructs_lib._model_server_props import VllmModelServerProps, model_name
from constructs_lib._props import Props

#: The commit that holds the module (branch ``inference-gateway``; ``main`` has no module).
MODULE_COMMIT = "3f9592a099eeee3eae1aa274c143c5845708e334"
MODULE_SOURCE = "github.com/ai-on-gke/common-infra//common/modules/inference-gateway?ref={ref}"
#: The module installs every pool (its Helm release) in this namespace...
MODULE_POOL_NAMESPACE = "default"
#: ...and hard-codes the pools' target port.
MODULE_TARGET_PORT = 8000
#: Pools become Helm releases, whose names Helm limits to 53 characters.
MAX_POOL_NAME = 53

Criticality = Literal["Critical", "Standard", "Sheddable"]
CRITICALITIES: tuple[str, ...] = ("Critical", "Standard", "Sheddable")
GKE_GATEWAY_CLASSES = (
    "gke-l7-regional-external-managed",
    "gke-l7-rilb",
    "gke-l7-global-external-managed",
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class InferencePoolSpec(Props):
    """An InferencePool: the model server pods its endpoint picker balances over.

    Attributes:
        name: pool name (also the Helm release's name).
        match_labels: labels selecting the model server pods.
    """

    name: str
    match_labels: Mapping[str, str]

    def problems(self) -> list[Problem]:
        found = [*checks.dns_label("name", self.name), *checks.labels("match_labels", self.match_labels)]
        if len(self.name) > MAX_POOL_NAME:
            found.append(Problem("name", self.name, f"is longer than {MAX_POOL_NAME} characters, the limit of "
                                 "Helm release names", f"shorten it to {MAX_POOL_NAME} characters"))
        return found


@dataclasses.dataclass(frozen=True, kw_only=True)
class InferenceModelSpec(Props):
    """An InferenceModel: a model name clients send, served by a pool, with a criticality.

    Attributes:
        name: object name.
        model_name: the OpenAI ``model`` value it matches (base model or adapter id).
        criticality: ``Critical``, ``Standard`` or ``Sheddable`` (shed first under load).
        inference_pool_name: the pool serving it.
        namespace: object namespace. Default ``default`` (the pools' namespace).
    """

    name: str
    model_name: str
    criticality: str
    inference_pool_name: str
    namespace: str = "default"

    def problems(self) -> list[Problem]:
        found = [*checks.dns_subdomain("name", self.name), *checks.dns_label("namespace", self.namespace)]
        found += model_name("model_name", self.model_name)
        if self.criticality not in CRITICALITIES:
            found.append(Problem("criticality", self.criticality, "is not a criticality",
                                 f"use one of: {', '.join(CRITICALITIES)} (capitalized)"))
        return found


@dataclasses.dataclass(frozen=True, kw_only=True)
class GatewaySpec(Props):
    """The Gateway (one HTTP listener on port 80).

    Attributes:
        name: Default ``inference-gateway``.
        namespace: Default ``default``.
        gateway_class: a GKE gateway class. Default ``gke-l7-regional-external-managed``
            (regional external Application Load Balancer); ``gke-l7-rilb`` for internal.
    """

    name: str = "inference-gateway"
    namespace: str = "default"
    gateway_class: str = "gke-l7-regional-external-managed"

    def problems(self) -> list[Problem]:
        found = [*checks.dns_subdomain("name", self.name), *checks.dns_label("namespace", self.namespace)]
        if self.gateway_class not in GKE_GATEWAY_CLASSES:
            found.append(Problem("gateway_class", self.gateway_class, "is not a GKE gateway class that "
                                 "supports inference pools",
                                 f"use one of: {', '.join(GKE_GATEWAY_CLASSES)}"))
        return found


@dataclasses.dataclass(frozen=True, kw_only=True)
class HttpRouteSpec(Props):
    """An HTTPRoute from the gateway to a pool (the module matches ``/v1/completions``).

    Attributes:
        name: route name.
        gateway_name: the gateway it attaches to.
        inference_pool_name: the pool it sends traffic to.
        namespace: Default ``default``.
    """

    name: str
    gateway_name: str
    inference_pool_name: str
    namespace: str = "default"

    def problems(self) -> list[Problem]:
        return [*checks.dns_subdomain("name", self.name), *checks.dns_label("namespace", self.namespace)]


@dataclasses.dataclass(frozen=True, kw_only=True)
class InferenceGatewayProps(Props):
    """The inference gateway. Pools, models and routes left as ``None`` are derived from the
    app's model servers: one pool per server selecting its pods, an InferenceModel for the
    base model (``Critical``) and one per adapter (``Standard``), one route per pool.

    Attributes:
        module_ref: git ref of the ai-on-gke module. Default: the commit that holds it.
        create_proxy_only_subnetwork: let the module create the regional proxy-only subnet
            (10.127.0.0/23). Default ``True``; ``False`` when the VPC already has one.
        proxy_only_subnetwork_name: its name. Default ``gateway-api-proxy-only``.
        inference_pools / inference_models / http_routes: explicit lists; ``None`` derives.
        gateway: the Gateway.
        chat_completions_route: also route ``/v1/chat/completions`` (the module routes only
            ``/v1/completions``). Default ``True``.
        base_model_criticality / adapter_criticality: criticality of derived models.
    """

    module_ref: str = MODULE_COMMIT
    create_proxy_only_subnetwork: bool = True
    proxy_only_subnetwork_name: str = "gateway-api-proxy-only"
    inference_pools: tuple[InferencePoolSpec, ...] | None = None
    inference_models: tuple[InferenceModelSpec, ...] | None = None
    gateway: GatewaySpec = dataclasses.field(default_factory=GatewaySpec)
    http_routes: tuple[HttpRouteSpec, ...] | None = None
    chat_completions_route: bool = True
    base_model_criticality: Criticality = "Critical"
    adapter_criticality: Criticality = "Standard"

    def problems(self) -> list[Problem]:
        found = list(checks.not_blank("module_ref", self.module_ref))
        if not re.match(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", self.proxy_only_subnetwork_name):
            found.append(Problem("proxy_only_subnetwork_name", self.proxy_only_subnetwork_name,
                                 "is not a subnetwork name",
                                 "use lower-case letters, digits and '-', starting with a letter"))
        return found

    @property
    def module_source(self) -> str:
        return MODULE_SOURCE.format(ref=self.module_ref)


@dataclasses.dataclass(frozen=True)
class ResolvedGateway:
    """What the module receives, after deriving every ``None`` from the model servers."""

    pools: tuple[InferencePoolSpec, ...]
    models: tuple[InferenceModelSpec, ...]
    gateway: GatewaySpec
    routes: tuple[HttpRouteSpec, ...]


def object_name(text: str) -> str:
    """A Kubernetes object name made from a model id (``meta-llama/Llama-3.1-8B``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:63].rstrip("-") or "model"


def derive_pools(servers: Sequence[VllmModelServerProps]) -> tuple[InferencePoolSpec, ...]:
    return tuple(InferencePoolSpec(name=server.name, match_labels=server.pod_labels) for server in servers)


@dataclasses.dataclass(frozen=True)
class DerivedModel:
    """A model name a pool serves, with the object name derived for it."""

    object_name: str
    model_name: str
    pool: str
    is_base: bool


def derived_models(pools: Sequence[InferencePoolSpec],
                   servers: Sequence[VllmModelServerProps]) -> list[DerivedModel]:
    """Every model name each pool serves (base models first, then adapters, once per pool).
    Object names follow the model name; a name served by several pools gets the pool's
    name in front, so that the objects stay distinct."""
    served: list[tuple[str, str, bool]] = []
    for pool in pools:
        seen: set[str] = set()
        selected = selected_servers(pool, servers)
        names = [(s.model, True) for s in selected] + [(a.id, False) for s in selected for a in s.adapters]
        for name, is_base in names:
            if name not in seen:
                seen.add(name)
                served.append((pool.name, name, is_base))
    pools_of: dict[str, int] = {}
    for _, name, _ in served:
        pools_of[name] = pools_of.get(name, 0) + 1
    return [DerivedModel(object_name(name if pools_of[name] == 1 else f"{pool}-{name}"), name, pool, is_base)
            for pool, name, is_base in served]


def derive_models(props: InferenceGatewayProps, servers: Sequence[VllmModelServerProps],
                  pools: Sequence[InferencePoolSpec]) -> tuple[InferenceModelSpec, ...]:
    return tuple(InferenceModelSpec(
        name=model.object_name, model_name=model.model_name,
        criticality=props.base_model_criticality if model.is_base else props.adapter_criticality,
        inference_pool_name=model.pool, namespace=MODULE_POOL_NAMESPACE,
    ) for model in derived_models(pools, servers))


def derive_routes(
    gateway: GatewaySpec, pools: Iterable[InferencePoolSpec]
) -> tuple[HttpRouteSpec, ...]:
    return tuple(HttpRouteSpec(name=f"{pool.name}-route", gateway_name=gateway.name,
                               inference_pool_name=pool.name, namespace=MODULE_POOL_NAMESPACE)
                 for pool in pools)


def resolve(props: InferenceGatewayProps, servers: Sequence[VllmModelServerProps]) -> ResolvedGateway:
    pools = props.inference_pools if props.inference_pools is not None else derive_pools(servers)
    models = (props.inference_models if props.inference_models is not None
              else derive_models(props, servers, pools))
    routes = props.http_routes if props.http_routes is not None else derive_routes(props.gateway, pools)
    return ResolvedGateway(pools=pools, models=models, gateway=props.gateway, routes=routes)


def selected_servers(pool: InferencePoolSpec,
                     servers: Sequence[VllmModelServerProps]) -> list[VllmModelServerProps]:
    """The model servers whose pods carry every label the pool selects on."""
    return [server for server in servers if pool.match_labels.items() <= server.pod_labels.items()]


def underivable(props: Props, names: Sequence[str], servers: Sequence[VllmModelServerProps]) -> list[Problem]:
    """Fields left to derivation (``None``) in an app without model servers to derive from."""
    return [Problem(name, None, "cannot be derived without model_servers",
                    f"list the {name.replace('_', ' ')} for your own model servers")
            for name in names if getattr(props, name) is None and not servers]


def cross_reference_problems(
    props: InferenceGatewayProps, servers: Sequence[VllmModelServerProps]
) -> list[Problem]:
    """Problems of the resolved gateway, with fields named as the user wrote them."""
    found = underivable(props, ("inference_pools", "inference_models"), servers)
    if found:
        return found
    resolved = resolve(props, servers)
    pools = {pool.name: pool for pool in resolved.pools}
    found += checks.unique("inference_pools", (p.name for p in resolved.pools), "pool name")
    found += checks.unique("inference_models", (f"{m.namespace}/{m.name}" for m in resolved.models),
                           "model name in one namespace")
    found += checks.unique("inference_models", (f"{m.inference_pool_name}/{m.model_name}"
                                                 for m in resolved.models), "model_name in one pool")
    found += checks.unique("http_routes", (f"{r.namespace}/{r.name}" for r in resolved.routes),
                           "route name in one namespace")
    if not resolved.pools:
        found.append(Problem("inference_pools", [], "is empty", "give at least one pool"))
    if props.inference_models == ():
        found.append(Problem("inference_models", [], "is empty, so the endpoint picker would refuse every "
                             "request", "list at least one model, or leave it unset to derive them"))
    for index, model in enumerate(resolved.models):
        field = f"inference_models[{index}]"
        if model.inference_pool_name not in pools:
            found.append(Problem(f"{field}.inference_pool_name", model.inference_pool_name,
                                 "names no pool", f"use one of: {', '.join(pools) or '(none)'}"))
        elif model.namespace != MODULE_POOL_NAMESPACE:
            found.append(Problem(f"{field}.namespace", model.namespace,
                                 f"differs from its pool's namespace ({MODULE_POOL_NAMESPACE})",
                                 f"use namespace {MODULE_POOL_NAMESPACE}"))
        elif servers:
            served = {name for server in selected_servers(pools[model.inference_pool_name], servers)
                      for name in server.model_names}
            if served and model.model_name not in served:
                found.append(Problem(f"{field}.model_name", model.model_name,
                                     f"is not served by pool {model.inference_pool_name}",
                                     f"use one of: {', '.join(sorted(served))}"))
    if resolved.gateway.namespace != MODULE_POOL_NAMESPACE:
        found.append(Problem("gateway.namespace", resolved.gateway.namespace,
                             "is not the namespace of the module's routes and pools",
                             f"use namespace {MODULE_POOL_NAMESPACE}"))
    found += shared_path_problems("http_routes", [(r.name, r.gateway_name) for r in resolved.routes])
    for index, route in enumerate(resolved.routes):
        field = f"http_routes[{index}]"
        if route.namespace != MODULE_POOL_NAMESPACE:
            found.append(Problem(f"{field}.namespace", route.namespace,
                                 "cannot reach the pools, which the module installs in namespace default",
                                 f"use namespace {MODULE_POOL_NAMESPACE}"))
        if route.gateway_name != resolved.gateway.name:
            found.append(Problem(f"{field}.gateway_name", route.gateway_name, "names no gateway",
                                 f"use {resolved.gateway.name}"))
        if route.inference_pool_name not in pools:
            found.append(Problem(f"{field}.inference_pool_name", route.inference_pool_name,
                                 "names no pool", f"use one of: {', '.join(pools) or '(none)'}"))
    if servers:
        for index, pool in enumerate(resolved.pools):
            selected = selected_servers(pool, servers)
            if not selected:
                found.append(Problem(f"inference_pools[{index}].match_labels", dict(pool.match_labels),
                                     "selects no model server's pods",
                                     "use the labels of one of model_servers"))
            elif any(s.namespace != MODULE_POOL_NAMESPACE for s in selected):
                found.append(Problem(f"inference_pools[{index}]", pool.name,
                                     "selects pods outside namespace default, where the module "
                                     "installs its pools",
                                     "deploy those model servers in namespace default"))
            elif any(s.port != MODULE_TARGET_PORT for s in selected):
                found.append(Problem(f"inference_pools[{index}]", pool.name,
                                     f"selects servers on port {sorted({s.port for s in selected})}, but the "
                                     f"module's pools target port {MODULE_TARGET_PORT}",
                                     f"serve on port {MODULE_TARGET_PORT}, or use api_version v1"))
    return found


def shared_path_problems(field: str, routes: Sequence[tuple[str, str]]) -> list[Problem]:
    """Routes that match the same paths on one gateway: only the oldest gets traffic."""
    first: dict[str, str] = {}
    found = []
    for index, (name, gateway) in enumerate(routes):
        if gateway in first:
            found.append(Problem(f"{field}[{index}]", name,
                                 f"matches the same paths on gateway {gateway} as {first[gateway]}, so "
                                 "only the older of the two would receive traffic",
                                 "serve these model servers through one pool: give their pods a shared "
                                 "label and list that pool in inference_pools"))
        first.setdefault(gateway, name)
    return found
