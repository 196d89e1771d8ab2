"""Typed inputs of the ai-on-gke ``inference-gateway`` module (the ``v1alpha2`` path), their
defaults derived from the model servers, and the cross-reference checks the module itself
never makes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.props import Props
from constructs_lib._gateway.body_routing import RoutingPlan
from constructs_lib._gateway.common_props import (
    CHAT_COMPLETIONS_PATH,
    COMPLETIONS_PATH,
    GatewayCommonProps,
    ResolvedGateway,
    criticality_of,
)
from constructs_lib._gateway.pools import (
    Criticality,
    InferencePoolSpec,
    PoolPolicy,
    derivation_problems,
    derive_pools,
    pool_names_problem,
    pool_problems,
    served_model_problems,
    served_models,
    underivable,
)
from constructs_lib._gateway.routes import PlannedRoute, matches, route_problems
from constructs_lib._gateway.scheduling_props import SchedulingProps
from constructs_lib._model_server.server_props import VllmModelServerProps

#: The commit that holds the module (branch ``inference-gateway``; ``main`` has no module).
MODULE_COMMIT = "3f9592a099eeee3eae1aa274c143c5845708e334"
MODULE_SOURCE = "github.com/ai-on-gke/common-infra//common/modules/inference-gateway?ref={ref}"
#: The module installs every pool (its Helm release) in namespace ``default`` and
#: hard-codes the pools' target port.
MODULE_POOLS = PoolPolicy(namespace="default", target_port=8000, escape="use gateway api_version v1")


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
    criticality: Criticality
    inference_pool_name: str
    namespace: str = "default"

    def problems(self) -> list[Problem]:
        return [*checks.dns_subdomain("name", self.name), *checks.dns_label("namespace", self.namespace),
                *checks.model_name("model_name", self.model_name)]


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
        return [*checks.dns_subdomain("name", self.name), *checks.dns_label("namespace", self.namespace),
                *checks.derived_object_name("name", self.name, "-chat", "chat completions route")]


@dataclasses.dataclass(frozen=True, kw_only=True)
class InferenceGatewayProps(GatewayCommonProps):
    """The inference gateway through the ai-on-gke module (``api_version: v1alpha2``).
    Pools, models and routes left as ``None`` are derived from the app's model servers:
    one pool per base model selecting its servers' pods, an InferenceModel for the base
    model and one per adapter, one route per pool. The module creates the proxy-only
    subnet as 10.127.0.0/23.

    The module's routes match a path only, never a header, so with the body-based router
    (several pools) the module gets no routes (``http_routes: []``) and this package writes
    each pool's route, matching the router's header, for both completion paths.

    Attributes:
        module_ref: git ref of the ai-on-gke module. Default: the commit that holds it.
        inference_models: explicit InferenceModels; ``None`` derives them.
        http_routes: explicit module routes for ``/v1/completions``; ``None`` derives one per
            pool, or none with the body-based router (whose routes the module cannot write).
        chat_completions_route: also route ``/v1/chat/completions`` (the module routes only
            ``/v1/completions``). Default ``True``.
        scheduling: refused here: the v0.3.0 endpoint picker the module installs has fixed
            scheduling and reads no plugin configuration. Use ``api_version: v1``.
    """

    api_version: Literal["v1alpha2"] = "v1alpha2"
    module_ref: str = MODULE_COMMIT
    inference_models: tuple[InferenceModelSpec, ...] | None = None
    http_routes: tuple[HttpRouteSpec, ...] | None = None
    chat_completions_route: bool = True
    scheduling: SchedulingProps | None = None

    def problems(self) -> list[Problem]:
        found = super().problems()
        found += checks.git_ref("module_ref", self.module_ref)
        if self.scheduling is not None:
            found.append(Problem("scheduling.profile", self.scheduling.profile,
                                 "cannot be applied: the v0.3.0 endpoint picker the module installs has fixed "
                                 "scheduling and reads no plugin configuration",
                                 "set api_version: v1 (the inferencepool chart's picker), or remove scheduling"))
        if self.namespace != MODULE_POOLS.namespace:
            found.append(Problem("namespace", self.namespace,
                                 "is not the namespace of the module's routes and pools",
                                 f"use namespace {MODULE_POOLS.namespace}, or {MODULE_POOLS.escape}"))
        return found

    @property
    def module_source(self) -> str:
        return MODULE_SOURCE.format(ref=self.module_ref)

    def resolve(self, servers: Sequence[VllmModelServerProps]) -> ResolvedModuleGateway:
        """Every ``None`` derived from ``servers``."""
        pools = self.inference_pools if self.inference_pools is not None else derive_pools(servers)
        models = self.inference_models if self.inference_models is not None else tuple(
            InferenceModelSpec(name=model.object_name, model_name=model.model_name,
                               criticality=criticality_of(self, model.is_base),
                               inference_pool_name=model.pool, namespace=MODULE_POOLS.namespace)
            for model in served_models(pools, servers))
        pool_models, plan = self.resolved_core(pools, servers)
        routes = self.http_routes if self.http_routes is not None else () if plan is not None else tuple(
            HttpRouteSpec(name=f"{pool.name}-route", gateway_name=self.name, inference_pool_name=pool.name,
                          namespace=MODULE_POOLS.namespace)
            for pool in pools)
        return ResolvedModuleGateway(pools=tuple(pools), pool_models=pool_models, plan=plan,
                                     planned_routes=tuple(self.planned_routes(pools, plan, routes)),
                                     models=models, routes=routes)

    @property
    def paths(self) -> list[str]:
        """The paths this package routes: the module's, plus chat completions."""
        return [COMPLETIONS_PATH, CHAT_COMPLETIONS_PATH] if self.chat_completions_route else [COMPLETIONS_PATH]

    def planned_routes(self, pools: Sequence[InferencePoolSpec], plan: RoutingPlan | None,
                       routes: Sequence[HttpRouteSpec]) -> list[PlannedRoute]:
        """The routes on the gateway: the module's (with our chat routes) without the
        router; with it, one header-matching route per pool and the default pool's."""
        if plan is None:
            return [PlannedRoute(f"http_routes[{index}]", route.name, matches(self.paths))
                    for index, route in enumerate(routes)]
        return self.routed(plan, pools, self.paths)

    def problems_with(self, model_servers: Sequence[VllmModelServerProps]) -> list[Problem]:
        found = underivable(self, ("inference_pools", "inference_models"), model_servers)
        if self.inference_pools is None:
            found += derivation_problems(model_servers)
        if found:
            return found
        resolved = self.resolve(model_servers)
        pools = {pool.name: pool for pool in resolved.pools}
        found += pool_problems(resolved.pools, model_servers, MODULE_POOLS)
        found += checks.unique("inference_models", (f"{m.namespace}/{m.name}" for m in resolved.models),
                               "model name in one namespace")
        found += checks.unique("inference_models", (f"{m.inference_pool_name}/{m.model_name}"
                                                     for m in resolved.models), "model_name in one pool")
        found += checks.unique("http_routes", (f"{r.namespace}/{r.name}" for r in resolved.routes),
                               "route name in one namespace")
        if self.inference_models == ():
            found.append(Problem("inference_models", [], "is empty, so the endpoint picker would refuse every "
                                 "request", "list at least one model, or leave it unset to derive them"))
        for index, model in enumerate(resolved.models):
            field = f"inference_models[{index}]"
            wrong_pool = pool_names_problem(f"{field}.inference_pool_name", model.inference_pool_name, list(pools))
            if wrong_pool:
                found += wrong_pool
            elif model.namespace != MODULE_POOLS.namespace:
                found.append(Problem(f"{field}.namespace", model.namespace,
                                     f"differs from its pool's namespace ({MODULE_POOLS.namespace})",
                                     f"use namespace {MODULE_POOLS.namespace}"))
            else:
                found += served_model_problems(f"{field}.model_name", model.model_name,
                                               pools[model.inference_pool_name], model_servers)
        routing = self.routing_problems(resolved, model_servers)
        if resolved.plan is not None and resolved.routes:
            routing.append(Problem("http_routes", [r.name for r in resolved.routes],
                                   "are the module's routes, which match paths only, so they cannot tell the "
                                   "pools apart by the router's header", "remove http_routes: the gateway "
                                   "writes a header-matching route per pool"))
        found += routing or route_problems(resolved.planned_routes, self.duplicate_route_fix)
        found += self.feature_problems_with([model.model_name for model in resolved.models])
        for index, route in enumerate(resolved.routes):
            field = f"http_routes[{index}]"
            if route.namespace != MODULE_POOLS.namespace:
                found.append(Problem(f"{field}.namespace", route.namespace,
                                     "cannot reach the pools, which the module installs in namespace default",
                                     f"use namespace {MODULE_POOLS.namespace}"))
            if route.gateway_name != self.name:
                found.append(Problem(f"{field}.gateway_name", route.gateway_name, "names no gateway",
                                     f"use {self.name}"))
            found += pool_names_problem(f"{field}.inference_pool_name", route.inference_pool_name, list(pools))
        return found


@dataclasses.dataclass(frozen=True)
class ResolvedModuleGateway(ResolvedGateway):
    """What the module receives, after deriving every ``None`` from the model servers."""

    models: tuple[InferenceModelSpec, ...]
    routes: tuple[HttpRouteSpec, ...]
