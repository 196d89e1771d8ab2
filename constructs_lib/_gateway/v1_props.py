"""Typed inputs of the GIE v1 path: InferencePool v1 through the ``inferencepool`` Helm
chart, InferenceObjectives, our own Gateway and HTTPRoutes, and the proxy-only subnet.

InferenceModel (v1alpha2) is gone in v1: the endpoint picker reads the model from the
request body, and an InferenceObjective gives requests that name it (header
``x-gateway-inference-objective``) a priority. The tutorial's criticality maps onto it:
Critical -> 1, Standard -> 0 (the default priority), Sheddable -> -1 (shed first).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping, Sequence
from typing import ClassVar, Literal, get_args

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.props import Props
from constructs_lib._core.releases import DEFAULT_CHART_VERSION, KNOWN_CHART_VERSIONS, release_number
from constructs_lib._gateway.body_routing import RoutingPlan
from constructs_lib._gateway.common_props import (
    CHAT_COMPLETIONS_PATH,
    COMPLETIONS_PATH,
    GatewayCommonProps,
    ResolvedGateway,
    criticality_of,
)
from constructs_lib._gateway.picker_config import served_metrics
from constructs_lib._gateway.pools import (
    Criticality,
    InferencePoolSpec,
    PoolPolicy,
    derivation_problems,
    derive_pools,
    pool_names_problem,
    pool_problems,
    selected_servers,
    served_models,
    underivable,
)
from constructs_lib._gateway.routes import PlannedRoute, matches, route_problems
from constructs_lib._gateway.scheduling_profiles import PoolScheduling, pool_scheduling_problems, resolve_pool
from constructs_lib._gateway.scheduling_props import SchedulingProps
from constructs_lib._model_server.server_props import VllmModelServerProps

CHART_NAME = "inferencepool"
#: The criticalities in their Literal's order (Critical, Standard, Sheddable) as priorities.
PRIORITY_BY_CRITICALITY: dict[str, int] = dict(zip(get_args(Criticality), (1, 0, -1), strict=True))
#: Where the servers of a pool listen when the app does not deploy them (vLLM's default).
DEFAULT_TARGET_PORT = 8000
#: The chart's own endpoint-picker sizing (GIE@v1.5.0:config/charts/inferencepool/values.yaml).
CHART_PICKER_REPLICAS = 1
CHART_PICKER_CPU = "4"
CHART_PICKER_MEMORY = "8Gi"
CHART_PICKER_MEMORY_LIMIT = "16Gi"


@dataclasses.dataclass(frozen=True, kw_only=True)
class InferenceObjectiveSpec(Props):
    """An InferenceObjective: a named priority for requests to a pool.

    Attributes:
        name: object name; clients select it with header ``x-gateway-inference-objective``.
        inference_pool_name: the pool it applies to.
        priority: higher is more important; negative values are shed first. Default ``None``:
            unset (the pool's default, 0).
        namespace: Default ``default``; must be the pool's namespace.
    """

    name: str
    inference_pool_name: str
    priority: int | None = None
    namespace: str = "default"

    def problems(self) -> list[Problem]:
        found = [*checks.dns_subdomain("name", self.name), *checks.dns_label("namespace", self.namespace)]
        return found + list(checks.int32_range("priority", self.priority)) if self.priority is not None else found


@dataclasses.dataclass(frozen=True, kw_only=True)
class InferenceGatewayV1Props(GatewayCommonProps):
    """The inference gateway on GIE v1 (``api_version: v1``), built from this package's own
    constructs instead of the module. Pools and objectives left as ``None`` are derived from
    the model servers (one pool per base model; one objective per base model and adapter,
    priorities 1 / 0 / -1 from the criticalities).

    Attributes:
        chart_version: version of the ``inferencepool`` chart, with its ``v`` prefix. Default
            and only accepted value ``v1.5.0``: the values this package sets are those that
            chart reads, and it is the chart's last release.
        inference_objectives: explicit objectives; ``None`` derives them; ``[]`` for none.
        route_all_paths: route every path (``/``) instead of ``/v1/completions`` and
            ``/v1/chat/completions`` only. Default ``False``. Requests time out after
            300 s either way: the chart's GCPBackendPolicy sets it on GKE, which rejects
            HTTPRoute ``timeouts``.
        proxy_only_subnetwork_cidr: the proxy-only subnet's range (what the module
            hard-codes); must not overlap the VPC's other ranges.
        gke_monitoring: let the chart create the endpoint picker's Managed Prometheus
            scraping (PodMonitoring, metrics-reader ServiceAccount, token Secret and the
            collector's RBAC, per pool; the collector namespace follows Autopilot).
            Default ``True``; the gateway stack then checks that Managed Prometheus is on.
        endpoint_picker_replicas: endpoint picker pods per pool. Default ``1`` (the
            chart's); more adds leader election.
        endpoint_picker_cpu: CPU request of each picker pod. Default ``4`` (the chart's,
            sized for high QPS); lower it on small Standard node pools, where the Helm
            release otherwise waits for a node that size until it times out.
        endpoint_picker_memory: memory request of each picker pod. Default ``8Gi`` (the
            chart's).
        endpoint_picker_memory_limit: memory limit of each picker pod. Default ``16Gi``
            (the chart's); the chart sets no CPU limit.
        scheduling: how each pool's endpoint picker chooses a pod. Default: profile
            ``balanced``, the chart's own weights.
    """

    moved_settings: ClassVar[Mapping[str, str]] = {
        **GatewayCommonProps.moved_settings,
        "request_timeout": "remove it: GKE rejects HTTPRoutes with timeouts, and the chart's GCPBackendPolicy "
                           "already gives each pool a 300 s request timeout",
    }

    api_version: Literal["v1"] = "v1"
    chart_version: str = DEFAULT_CHART_VERSION
    inference_objectives: tuple[InferenceObjectiveSpec, ...] | None = None
    route_all_paths: bool = False
    proxy_only_subnetwork_cidr: str = "10.127.0.0/23"
    gke_monitoring: bool = True
    endpoint_picker_replicas: int = CHART_PICKER_REPLICAS
    endpoint_picker_cpu: str = CHART_PICKER_CPU
    endpoint_picker_memory: str = CHART_PICKER_MEMORY
    endpoint_picker_memory_limit: str = CHART_PICKER_MEMORY_LIMIT
    scheduling: SchedulingProps = dataclasses.field(default_factory=SchedulingProps)

    def problems(self) -> list[Problem]:
        found = super().problems()
        release_problems = list(checks.chart_version("chart_version", self.chart_version)) or list(
            checks.known_release("chart_version", self.chart_version, KNOWN_CHART_VERSIONS))
        found += release_problems
        if not release_problems:
            found += [problem.under("scheduling") for problem in
                      self.scheduling.release_problems(release_number(self.chart_version), self.chart_version)]
        found += checks.at_least("endpoint_picker_replicas", self.endpoint_picker_replicas, 1)
        found += checks.quantity("endpoint_picker_cpu", self.endpoint_picker_cpu)
        found += checks.quantity("endpoint_picker_memory", self.endpoint_picker_memory)
        found += checks.quantity("endpoint_picker_memory_limit", self.endpoint_picker_memory_limit)
        try:
            network = ipaddress.ip_network(self.proxy_only_subnetwork_cidr)
            if network.version != 4 or network.prefixlen > 26:
                raise ValueError
        except ValueError:
            found.append(Problem("proxy_only_subnetwork_cidr", self.proxy_only_subnetwork_cidr,
                                 "is not an IPv4 network of /26 or larger",
                                 "use a free private range such as 10.127.0.0/23"))
        return found

    @property
    def pool_policy(self) -> PoolPolicy:
        return PoolPolicy(namespace=self.namespace, target_port=None,
                          escape="set the gateway's namespace to theirs")

    @property
    def paths(self) -> list[str]:
        """The paths every route matches."""
        return ["/"] if self.route_all_paths else [COMPLETIONS_PATH, CHAT_COMPLETIONS_PATH]

    def planned_routes(self, pools: Sequence[InferencePoolSpec], plan: RoutingPlan | None) -> list[PlannedRoute]:
        """One route per pool (by header with the router), and the default pool's route."""
        if plan is None:
            return [PlannedRoute(f"inference_pools[{index}]", f"{pool.name}-route", matches(self.paths))
                    for index, pool in enumerate(pools)]
        return self.routed(plan, pools, self.paths)

    def resolve(self, servers: Sequence[VllmModelServerProps]) -> ResolvedV1Gateway:
        """Every ``None`` derived from ``servers``."""
        pools = self.inference_pools if self.inference_pools is not None else derive_pools(servers)
        models, plan = self.resolved_core(pools, servers)
        objectives = self.inference_objectives if self.inference_objectives is not None else tuple(
            InferenceObjectiveSpec(name=model.object_name, inference_pool_name=model.pool,
                                   namespace=self.namespace,
                                   priority=PRIORITY_BY_CRITICALITY[criticality_of(self, model.is_base)])
            for model in served_models(pools, servers))
        return ResolvedV1Gateway(pools=tuple(pools), pool_models=models, plan=plan,
                                 planned_routes=tuple(self.planned_routes(pools, plan)), objectives=objectives)

    def pool_scheduling(self, pool: InferencePoolSpec,
                        servers: Sequence[VllmModelServerProps]) -> PoolScheduling:
        """The plugins the pool's picker runs, resolved against the servers it selects."""
        return resolve_pool(self.scheduling, release_number(self.chart_version), selected_servers(pool, servers))

    def scheduling_problems(self, pools: Sequence[InferencePoolSpec],
                            servers: Sequence[VllmModelServerProps]) -> list[Problem]:
        found: list[Problem] = []
        release = release_number(self.chart_version)
        for pool in pools:
            selected = selected_servers(pool, servers)
            metrics = served_metrics([server.image for server in selected]) if selected else None
            found += pool_scheduling_problems(self.scheduling, release,
                                              resolve_pool(self.scheduling, release, selected), pool, selected,
                                              metrics)
        return list(dict.fromkeys(found))

    def problems_with(self, model_servers: Sequence[VllmModelServerProps]) -> list[Problem]:
        found = underivable(self, ("inference_pools", "inference_objectives"), model_servers)
        if self.inference_pools is None:
            found += derivation_problems(model_servers)
        if found:
            return found
        resolved = self.resolve(model_servers)
        pools = [pool.name for pool in resolved.pools]
        found += pool_problems(resolved.pools, model_servers, self.pool_policy)
        found += checks.unique("inference_objectives", (o.name for o in resolved.objectives), "objective name")
        found += self.routing_problems(resolved, model_servers) or route_problems(resolved.planned_routes,
                                                                                  self.duplicate_route_fix)
        found += self.feature_problems_with(resolved.served_names)
        found += self.scheduling_problems(resolved.pools, model_servers)
        for index, objective in enumerate(resolved.objectives):
            field = f"inference_objectives[{index}]"
            found += pool_names_problem(f"{field}.inference_pool_name", objective.inference_pool_name, pools)
            if objective.namespace != self.namespace:
                found.append(Problem(f"{field}.namespace", objective.namespace,
                                     f"differs from the pools' namespace ({self.namespace})",
                                     f"use namespace {self.namespace}"))
        return found


@dataclasses.dataclass(frozen=True)
class ResolvedV1Gateway(ResolvedGateway):
    """The v1 gateway resolved, with its InferenceObjectives."""

    objectives: tuple[InferenceObjectiveSpec, ...]
