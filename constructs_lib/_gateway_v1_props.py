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
import re
from collections.abc import Sequence
from typing import Literal

from constructs_lib import _checks as checks
from constructs_lib._errors import Problem
from constructs_lib._gateway_props import (
    GKE_GATEWAY_CLASSES,
    GatewaySpec,
    InferencePoolSpec,
    derive_pools,
    derived_models,
    selected_servers,
    shared_path_problems,
    underivable,
)
from constructs_lib._model_server_props import VllmModelServerProps
from constructs_lib._props import Props

CHART_REPOSITORY = "oci://registry.k8s.io/gateway-api-inference-extension/charts"
CHART_NAME = "inferencepool"
DEFAULT_CHART_VERSION = "v1.5.0"
PRIORITY_BY_CRITICALITY = {"Critical": 1, "Standard": 0, "Sheddable": -1}
_CHART_VERSION = re.compile(r"^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
_DURATION = re.compile(r"^([0-9]{1,5}(h|m|s|ms)){1,4}$")


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
        return [*checks.dns_subdomain("name", self.name), *checks.dns_label("namespace", self.namespace)]


@dataclasses.dataclass(frozen=True, kw_only=True)
class InferenceGatewayV1Props(Props):
    """The v1 inference gateway, built from our own constructs instead of the module.
    Pools and objectives left as ``None`` are derived from the model servers (one pool per
    server; one objective per base model and adapter, priorities from the criticalities).

    Attributes:
        chart_version: version of the ``inferencepool`` chart, with its ``v`` prefix.
            Default ``v1.5.0``.
        namespace: namespace of the pools, objectives and routes. Default ``default``.
        inference_pools: explicit pools; ``None`` derives one per model server.
        inference_objectives: explicit objectives; ``None`` derives them; ``[]`` for none.
        gateway: the Gateway (GKE class).
        request_timeout: HTTPRoute request timeout, long enough for long generations.
            Default ``300s``.
        route_all_paths: route every path (``/``) instead of ``/v1/completions`` and
            ``/v1/chat/completions`` only. Default ``False``.
        create_proxy_only_subnetwork: create the regional proxy-only subnet the regional
            gateway classes need. Default ``True``.
        proxy_only_subnetwork_name: its name. Default ``gateway-api-proxy-only``.
        proxy_only_subnetwork_cidr: its range. Default ``10.127.0.0/23`` (what the module
            hard-codes); must not overlap the VPC's other ranges.
        gke_monitoring: let the chart create the GKE monitoring objects for the endpoint
            picker (Autopilot flag read from the cluster). Default ``True``.
        base_model_criticality / adapter_criticality: criticality of derived objectives,
            mapped to priorities 1 / 0 / -1.
    """

    chart_version: str = DEFAULT_CHART_VERSION
    namespace: str = "default"
    inference_pools: tuple[InferencePoolSpec, ...] | None = None
    inference_objectives: tuple[InferenceObjectiveSpec, ...] | None = None
    gateway: GatewaySpec = dataclasses.field(default_factory=GatewaySpec)
    request_timeout: str = "300s"
    route_all_paths: bool = False
    create_proxy_only_subnetwork: bool = True
    proxy_only_subnetwork_name: str = "gateway-api-proxy-only"
    proxy_only_subnetwork_cidr: str = "10.127.0.0/23"
    gke_monitoring: bool = True
    base_model_criticality: Literal["Critical", "Standard", "Sheddable"] = "Critical"
    adapter_criticality: Literal["Critical", "Standard", "Sheddable"] = "Standard"

    def problems(self) -> list[Problem]:
        found = list(checks.dns_label("namespace", self.namespace))
        if not re.match(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", self.proxy_only_subnetwork_name):
            found.append(Problem("proxy_only_subnetwork_name", self.proxy_only_subnetwork_name,
                                 "is not a subnetwork name",
                                 "use lower-case letters, digits and '-', starting with a letter"))
        if not _CHART_VERSION.match(self.chart_version):
            fix = (f"write v{self.chart_version}" if re.match(r"^\d", self.chart_version)
                   else "write it as v<major>.<minor>.<patch>")
            found.append(Problem("chart_version", self.chart_version,
                                 "is not an inferencepool chart version (they carry a 'v' prefix)", fix))
        if not _DURATION.match(self.request_timeout):
            found.append(Problem("request_timeout", self.request_timeout, "is not a Gateway API duration",
                                 "write it like 300s, 10m or 1h"))
        try:
            network = ipaddress.ip_network(self.proxy_only_subnetwork_cidr)
            if network.version != 4 or network.prefixlen > 26:
                raise ValueError
        except ValueError:
            found.append(Problem("proxy_only_subnetwork_cidr", self.proxy_only_subnetwork_cidr,
                                 "is not an IPv4 network of /26 or larger",
                                 "use a free private range such as 10.127.0.0/23"))
        if self.gateway.namespace != self.namespace:
            found.append(Problem("gateway.namespace", self.gateway.namespace,
                                 f"differs from the routes' namespace ({self.namespace})",
                                 "put the gateway and the routes in one namespace"))
        if self.gateway.gateway_class not in GKE_GATEWAY_CLASSES:
            found.append(Problem("gateway.gateway_class", self.gateway.gateway_class, "is not supported",
                                 f"use one of: {', '.join(GKE_GATEWAY_CLASSES)}"))
        return found


@dataclasses.dataclass(frozen=True)
class ResolvedV1:
    pools: tuple[InferencePoolSpec, ...]
    objectives: tuple[InferenceObjectiveSpec, ...]


def derive_objectives(props: InferenceGatewayV1Props, servers: Sequence[VllmModelServerProps],
                      pools: Sequence[InferencePoolSpec]) -> tuple[InferenceObjectiveSpec, ...]:
    return tuple(InferenceObjectiveSpec(
        name=model.object_name, inference_pool_name=model.pool, namespace=props.namespace,
        priority=PRIORITY_BY_CRITICALITY[props.base_model_criticality if model.is_base
                                         else props.adapter_criticality],
    ) for model in derived_models(pools, servers))


def resolve_v1(props: InferenceGatewayV1Props, servers: Sequence[VllmModelServerProps]) -> ResolvedV1:
    pools = props.inference_pools if props.inference_pools is not None else derive_pools(servers)
    objectives = (props.inference_objectives if props.inference_objectives is not None
                  else derive_objectives(props, servers, pools))
    return ResolvedV1(pools=pools, objectives=objectives)


def v1_problems(props: InferenceGatewayV1Props, servers: Sequence[VllmModelServerProps]) -> list[Problem]:
    found = underivable(props, ("inference_pools", "inference_objectives"), servers)
    if found:
        return found
    resolved = resolve_v1(props, servers)
    pools = {pool.name for pool in resolved.pools}
    found += checks.unique("inference_pools", (p.name for p in resolved.pools), "pool name")
    found += checks.unique("inference_objectives", (o.name for o in resolved.objectives), "objective name")
    if not resolved.pools:
        found.append(Problem("inference_pools", [], "is empty", "give at least one pool"))
    # One route per pool, all with the same paths on the one gateway.
    found += shared_path_problems("inference_pools", [(p.name, props.gateway.name) for p in resolved.pools])
    for index, objective in enumerate(resolved.objectives):
        if objective.inference_pool_name not in pools:
            found.append(Problem(f"inference_objectives[{index}].inference_pool_name",
                                 objective.inference_pool_name, "names no pool",
                                 f"use one of: {', '.join(sorted(pools)) or '(none)'}"))
        if objective.namespace != props.namespace:
            found.append(Problem(f"inference_objectives[{index}].namespace", objective.namespace,
                                 f"differs from the pools' namespace ({props.namespace})",
                                 f"use namespace {props.namespace}"))
    for index, pool in enumerate(resolved.pools):
        selected = selected_servers(pool, servers)
        if servers and not selected:
            found.append(Problem(f"inference_pools[{index}].match_labels", dict(pool.match_labels),
                                 "selects no model server's pods", "use the labels of one of model_servers"))
        if any(s.namespace != props.namespace for s in selected):
            found.append(Problem(f"inference_pools[{index}]", pool.name,
                                 f"selects pods outside namespace {props.namespace}",
                                 "deploy the model servers in the gateway's namespace"))
        ports = {s.port for s in selected}
        if len(ports) > 1:
            found.append(Problem(f"inference_pools[{index}]", pool.name,
                                 f"selects servers on different ports {sorted(ports)}",
                                 "give the servers of one pool the same port"))
    return found


def target_port(pool: InferencePoolSpec, servers: Sequence[VllmModelServerProps]) -> int:
    """The port of the servers a pool selects (8000 when it selects none in this app)."""
    selected = selected_servers(pool, servers)
    return selected[0].port if selected else 8000
