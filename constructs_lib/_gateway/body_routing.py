"""The body-based router (BBR): how one gateway tells its pools apart by model.

A gateway with several pools cannot route by path: every pool serves the same OpenAI
paths. BBR, an ext_proc service GKE runs as a GCPRoutingExtension *before* route
selection, copies the request body's ``model`` into ``X-Gateway-Model-Name`` and (from
v1.5.0) the model's base model into ``X-Gateway-Base-Model-Name``, read from ConfigMaps
labelled ``inference.networking.k8s.io/bbr-managed``. Each pool's HTTPRoute then matches
that header, so an adapter reaches its base model's pool.

Two ways to match, chosen by the BBR release:
- v1.5.0: one ConfigMap per pool (base model and adapters); the pool's route matches its
  base model in ``X-Gateway-Base-Model-Name``. Adapters never appear in a route.
- v1.0.0 to v1.4.0: no mapping; the route matches every model name of the pool (base and
  adapters) in ``X-Gateway-Model-Name``.

A model no pool serves matches no route: the load balancer answers 404, unless
``default_pool`` names a pool that receives such requests through a route without a
header match (Gateway API prefers the rule with more header matches).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.props import Props
from constructs_lib._core.releases import (
    BBR_RELEASE_BY_API,
    FIRST_BBR_RELEASE,
    LAST_BBR_RELEASE,
    ApiVersion,
    bbr_maps_base_models,
    release_number,
)
from constructs_lib._gateway.pools import InferencePoolSpec, PoolModels, pool_names_problem
from constructs_lib._gateway.routes import RouteMatch, matches

CHART_NAME = "body-based-routing"
MODEL_HEADER = "X-Gateway-Model-Name"
BASE_MODEL_HEADER = "X-Gateway-Base-Model-Name"
#: BBR reads only ConfigMaps with this label set to "true", in its own namespace.
BBR_MANAGED_LABEL = "inference.networking.k8s.io/bbr-managed"


@dataclasses.dataclass(frozen=True, kw_only=True)
class BodyRoutingProps(Props):
    """The body-based router in front of a gateway's pools.

    Attributes:
        mode: ``auto`` (default) deploys the router when the gateway has more than one
            pool; ``on`` also for one pool (a request for a model the pool does not serve
            then gets the gateway's 404, and adding a pool later changes no route);
            ``off`` never (several pools are then refused: their routes would match the
            same requests).
        chart_version: the ``body-based-routing`` chart, with its ``v``. Default ``None``:
            v1.5.0, pinned beside the GIE release (BBR left GIE in v1.6.0). Releases before
            v1.5.0 cannot map adapters to base models, so each pool's route then lists every
            model name the pool serves.
        name: the router's Helm release, Deployment, Service and GCPRoutingExtension.
            Default ``body-based-router``. One router per gateway namespace (the chart's
            HealthCheckPolicy has a fixed name).
        replicas: router pods. Default 1, the chart's. Every request passes through the
            router: use 2 or more for availability.
        default_pool: the pool that receives requests whose model no pool serves. Default
            ``None``: such requests get 404 from the gateway.
    """

    mode: Literal["auto", "on", "off"] = "auto"
    chart_version: str | None = None
    name: str = "body-based-router"
    replicas: int = 1
    default_pool: str | None = None

    def problems(self) -> list[Problem]:
        found = list(checks.helm_release_name("name", self.name, "the router is one"))
        found += checks.at_least("replicas", self.replicas, 1)
        found += checks.int32("replicas", self.replicas)
        if self.default_pool is not None:
            found += checks.dns_label("default_pool", self.default_pool)
        if self.chart_version is not None:
            grammar = list(checks.chart_version("chart_version", self.chart_version))
            found += grammar or checks.release_between(
                "chart_version", self.chart_version, release_number(self.chart_version), FIRST_BBR_RELEASE,
                LAST_BBR_RELEASE, "the body-based-routing chart")
        if self.mode == "off" and self.default_pool is not None:
            found.append(Problem("default_pool", self.default_pool, "only applies with the router",
                                 "remove it, or drop mode: off"))
        return found

    def enabled(self, pools: int) -> bool:
        """Whether a gateway with ``pools`` pools runs the router."""
        return self.mode == "on" or (self.mode == "auto" and pools > 1)

    def version(self, api: ApiVersion) -> str:
        return self.chart_version or BBR_RELEASE_BY_API[api]


@dataclasses.dataclass(frozen=True)
class RoutingPlan:
    """What the router and the routes do for one gateway: the header the routes match,
    the values each pool's route matches, and the base-model ConfigMaps BBR reads."""

    version: str
    header: str
    values: dict[str, tuple[str, ...]]
    base_models: tuple[PoolModels, ...]
    default_pool: str | None

    def pool_matches(self, pool: str, paths: Sequence[str]) -> tuple[RouteMatch, ...]:
        return matches(paths, self.header, self.values[pool])


def routing_plan(props: BodyRoutingProps, api: ApiVersion, models: Sequence[PoolModels]) -> RoutingPlan:
    """How ``models`` (one entry per pool) are routed with the router's release."""
    version = props.version(api)
    if bbr_maps_base_models(version):
        values = {pool.pool: (pool.base_model,) if pool.base_model else () for pool in models}
        return RoutingPlan(version, BASE_MODEL_HEADER, values, tuple(models), props.default_pool)
    return RoutingPlan(version, MODEL_HEADER, {pool.pool: pool.names for pool in models}, (), props.default_pool)


def routing_problems(props: BodyRoutingProps, pools: Sequence[InferencePoolSpec],
                     models: Sequence[PoolModels], with_servers: bool) -> list[Problem]:
    """What stops the router from telling these pools apart on this gateway. A pool whose
    base model is unknown is reported here only in an app without model servers (with
    servers, the pool is already refused for selecting none of them)."""
    found = []
    for index, pool in enumerate(models):
        if pool.base_model is None and not with_servers:
            found.append(Problem(f"inference_pools[{index}].base_model", None,
                                 "is unknown: the pool selects no model server of this app, so no route "
                                 "can name its model", "give the pool's base_model (and its adapters)"))
    names = [pool.name for pool in pools]
    if props.default_pool is not None:
        found += pool_names_problem("body_routing.default_pool", props.default_pool, names)
    if props.name in names:
        found.append(Problem("body_routing.name", props.name, "is also a pool's name, and both are Helm releases",
                             "give the router another name"))
    return found
