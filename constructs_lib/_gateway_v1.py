"""The GIE v1 path: pools through the ``inferencepool`` Helm chart, InferenceObjectives, a
GKE Gateway, HTTPRoutes for completions and chat completions, the proxy-only subnet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cdktf import Fn, Token
from constructs import Construct

from constructs_lib._body_routing import BodyRouter
from constructs_lib._cluster_access import ClusterAccess
from constructs_lib._gateway_common import (
    GATEWAY_API,
    gateway_network,
    gateway_outputs,
    route_objects,
    sample_model,
)
from constructs_lib._gateway_v1_props import (
    CHART_NAME,
    CHART_REPOSITORY,
    DEFAULT_TARGET_PORT,
    InferenceGatewayV1Props,
    InferenceObjectiveSpec,
)
from constructs_lib._model_server_props import VllmModelServerProps
from constructs_lib._pools import InferencePoolSpec, target_port
from constructs_lib._providers import ComputeSubnetwork, Manifest, Release, ReleaseSet

POOL_API_GROUP = "inference.networking.k8s.io"
OBJECTIVE_API = "inference.networking.x-k8s.io/v1alpha2"


def _escape(key: str) -> str:
    """Helm ``--set`` paths split on dots: escape the ones inside a label key."""
    return key.replace(".", "\\.")


def chart_settings(pool: InferencePoolSpec, port: int, props: InferenceGatewayV1Props,
                   autopilot: str) -> list[tuple[str, str]]:
    """The chart values for one pool, as ``(path, value)`` pairs for helm ``set``."""
    settings = [("provider.name", "gke"), ("inferencePool.targetPorts[0].number", str(port))]
    settings += [(f"inferencePool.modelServers.matchLabels.{_escape(key)}", value)
                 for key, value in sorted(pool.match_labels.items())]
    if props.gke_monitoring:
        settings += [("inferenceExtension.monitoring.gke.enabled", "true"), ("provider.gke.autopilot", autopilot)]
    return settings


def objective_manifest(objective: InferenceObjectiveSpec) -> dict[str, Any]:
    spec: dict[str, Any] = {"poolRef": {"group": POOL_API_GROUP, "name": objective.inference_pool_name}}
    if objective.priority is not None:
        spec["priority"] = objective.priority
    return {"apiVersion": OBJECTIVE_API, "kind": "InferenceObjective",
            "metadata": {"name": objective.name, "namespace": objective.namespace}, "spec": spec}


def gateway_manifest(gateway: InferenceGatewayV1Props) -> dict[str, Any]:
    return {
        "apiVersion": GATEWAY_API, "kind": "Gateway",
        "metadata": {"name": gateway.name, "namespace": gateway.namespace},
        "spec": {"gatewayClassName": gateway.gateway_class,
                 "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]},
    }


class InferenceGatewayV1(Construct):
    """Everything the module did, on GIE v1, from our own constructs. Takes the same
    arguments as ``InferenceGateway``.

    With several pools (or ``body_routing.mode: on``) the body-based router is deployed
    and each pool's route matches the header it sets instead of paths alone.

    Construct ids: ``proxy-only-subnet``, ``pool-<pool>`` (Helm releases), ``objective-<name>``,
    ``gateway``, ``route-<pool>``, ``default-route``, ``body-router``, ``gateway-status``
    and the same outputs as ``InferenceGateway``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: InferenceGatewayV1Props,
        cluster: ClusterAccess,
        region: str | None = None,
        network_name: str | None = None,
        model_servers: Sequence[VllmModelServerProps] = (),
    ) -> None:
        super().__init__(scope, id)
        region, network_name = gateway_network(cluster, region, network_name)
        props.raise_problems_with(model_servers)
        resolved = props.resolve(model_servers)
        gateway_after: list[Any] = []
        if props.create_proxy_only_subnetwork:
            gateway_after.append(ComputeSubnetwork(
                self, "proxy-only-subnet", project=cluster.project_id, name=props.proxy_only_subnetwork_name,
                region=region, network=network_name, ip_cidr_range=props.proxy_only_subnetwork_cidr,
                purpose="REGIONAL_MANAGED_PROXY", role="ACTIVE"))
        helm = cluster.helm_provider()
        autopilot = Token.as_string(Fn.tostring(cluster.is_autopilot))
        self.pools = []
        for pool in resolved.pools:
            port = target_port(pool, model_servers, DEFAULT_TARGET_PORT)
            self.pools.append(Release(
                self, f"pool-{pool.name}", name=pool.name, namespace=props.namespace,
                repository=CHART_REPOSITORY, chart=CHART_NAME, version=props.chart_version, provider=helm,
                set=[ReleaseSet(name=path, value=value)
                     for path, value in chart_settings(pool, port, props, autopilot)]))
        self.objectives = [Manifest(self, f"objective-{o.name}", manifest=objective_manifest(o),
                                    depends_on=self.pools) for o in resolved.objectives]
        self.gateway = Manifest(self, "gateway", manifest=gateway_manifest(props),
                                depends_on=gateway_after or None)
        plan = props.routing(resolved.pools, model_servers)
        # GKE rejects route timeouts; only the single-pool route has always carried one.
        timeout = props.request_timeout if plan is None else None
        self.routes = route_objects(self, props, props.planned_routes(resolved.pools, model_servers),
                                    resolved.pools, pool_group=POOL_API_GROUP, after=[self.gateway, *self.pools],
                                    default_pool=plan.default_pool if plan else None, timeout=timeout)
        self.router: BodyRouter | None = None
        if plan is not None:
            self.router = BodyRouter(self, "body-router", props=props.body_routing, plan=plan,
                                     gateway_name=props.name, namespace=props.namespace, helm=helm,
                                     after=[self.gateway])
        names = [name for models in props.pool_models(resolved.pools, model_servers) for name in models.names]
        gateway_outputs(self, props, sample_model(model_servers, names), after=[self.gateway, *self.routes],
                        models=names)
