"""The GIE v1 path: pools through the ``inferencepool`` Helm chart, InferenceObjectives, a
GKE Gateway, HTTPRoutes for completions and chat completions, the proxy-only subnet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cdktf import Fn, Token
from constructs import Construct

from constructs_lib._cluster.access import ClusterAccess
from constructs_lib._core.releases import CHART_REPOSITORY
from constructs_lib._edge.gateway_edge import GatewayEdge
from constructs_lib._gateway.body_router import BodyRouter
from constructs_lib._gateway.common import (
    after_gateway,
    gateway_inputs,
    gateway_manifest,
    gateway_outputs,
    route_objects,
)
from constructs_lib._gateway.common_props import sample_model
from constructs_lib._gateway.picker_config import picker_values, served_metrics
from constructs_lib._gateway.pools import InferencePoolSpec, selected_servers, target_port
from constructs_lib._gateway.v1_props import (
    CHART_NAME,
    DEFAULT_TARGET_PORT,
    InferenceGatewayV1Props,
    InferenceObjectiveSpec,
)
from constructs_lib._model_server.server_props import VllmModelServerProps
from constructs_lib._terraform import plain, providers
from constructs_lib._terraform.manifests import kubernetes_manifest

POOL_API_GROUP = "inference.networking.k8s.io"
OBJECTIVE_API = "inference.networking.x-k8s.io/v1alpha2"


def _escape(key: str) -> str:
    """Helm ``--set`` paths split on dots: escape the ones inside a label key."""
    return key.replace(".", "\\.")


def chart_settings(pool: InferencePoolSpec, port: int, props: InferenceGatewayV1Props,
                   autopilot: str) -> list[tuple[str, str]]:
    """The chart values for one pool, as ``(path, value)`` pairs for helm ``set``: only
    keys chart v1.5.0 reads (it has no values schema, so a stale key is silently ignored)."""
    settings = [("provider.name", "gke"), ("inferencePool.targetPorts[0].number", str(port))]
    settings += [(f"inferencePool.modelServers.matchLabels.{_escape(key)}", value)
                 for key, value in sorted(pool.match_labels.items())]
    settings += [
        ("inferenceExtension.replicas", str(props.endpoint_picker_replicas)),
        ("inferenceExtension.resources.requests.cpu", props.endpoint_picker_cpu),
        ("inferenceExtension.resources.requests.memory", props.endpoint_picker_memory),
        ("inferenceExtension.resources.limits.memory", props.endpoint_picker_memory_limit),
    ]
    if props.gke_monitoring:
        # The chart's GKE monitoring block is gated on both switches (epplib _gke.yaml);
        # auth must stay on, or the picker serves /metrics unauthenticated and nothing scrapes it.
        settings += [("inferenceExtension.monitoring.prometheus.enabled", "true"),
                     ("inferenceExtension.monitoring.prometheus.auth.enabled", "true"),
                     ("provider.gke.autopilot", autopilot)]
    return settings


def chart_values(pool: InferencePoolSpec, props: InferenceGatewayV1Props,
                 servers: Sequence[VllmModelServerProps]) -> list[str]:
    """Values documents for one pool: the picker configured with the pool's scheduling
    profile and the metric names its servers emit, when either differs from the chart's."""
    metrics = served_metrics([server.image for server in selected_servers(pool, servers)])
    values = picker_values(metrics, props.chart_version, props.pool_scheduling(pool, servers))
    return [values] if values is not None else []


def objective_manifest(objective: InferenceObjectiveSpec) -> dict[str, Any]:
    spec: dict[str, Any] = {"poolRef": {"group": POOL_API_GROUP, "name": objective.inference_pool_name}}
    if objective.priority is not None:
        spec["priority"] = objective.priority
    return {"apiVersion": OBJECTIVE_API, "kind": "InferenceObjective",
            "metadata": {"name": objective.name, "namespace": objective.namespace}, "spec": spec}


class InferenceGatewayV1(Construct):
    """Everything the module did, on GIE v1, from our own constructs. Takes the same
    arguments as ``InferenceGateway``.

    With several pools (or ``body_routing.mode: on``) the body-based router is deployed
    and each pool's route matches the header it sets instead of paths alone.

    Construct ids: ``proxy-only-subnet-check`` and ``proxy-only-subnet`` (when created),
    ``pool-<pool>`` (Helm releases), ``objective-<name>``, ``gateway``, ``route-<pool>``,
    ``default-route``, ``body-router``, ``gateway-status`` and the same outputs as
    ``InferenceGateway``; with the optional
    features ``edge`` (``GatewayEdge``), ``http-redirect``, ``model-armor`` (``ModelArmor``) and
    the output ``gateway_url``.
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
        inputs = gateway_inputs(self, props, cluster, region, network_name, model_servers)
        props, model_servers = inputs.props, inputs.model_servers
        resolved = props.resolve(model_servers)
        gateway_after: list[Any] = []
        if props.create_proxy_only_subnetwork:
            gateway_after.append(plain.resource(
                self, "proxy-only-subnet", plain.GOOGLE, "google_compute_subnetwork", project=cluster.project_id,
                name=props.proxy_only_subnetwork_name, region=inputs.region, network=inputs.network_name,
                ip_cidr_range=props.proxy_only_subnetwork_cidr, purpose="REGIONAL_MANAGED_PROXY", role="ACTIVE"))
        helm = cluster.helm_provider()
        autopilot = Token.as_string(Fn.tostring(cluster.is_autopilot))
        self.pools = []
        for pool in resolved.pools:
            port = target_port(pool, model_servers, DEFAULT_TARGET_PORT)
            self.pools.append(providers.Release(
                self, f"pool-{pool.name}", name=pool.name, namespace=props.namespace,
                repository=CHART_REPOSITORY, chart=CHART_NAME, version=props.chart_version, provider=helm,
                values=chart_values(pool, props, model_servers) or None,
                set=[providers.ReleaseSet(name=path, value=value)
                     for path, value in chart_settings(pool, port, props, autopilot)]))
        self.objectives = [kubernetes_manifest(self, f"objective-{o.name}", manifest=objective_manifest(o),
                                    depends_on=self.pools) for o in resolved.objectives]
        edge = GatewayEdge(self, "edge", gateway=props.ref, static_address=props.static_address, https=props.https,
                           project_id=cluster.project_id, region=inputs.region) if props.has_edge else None
        gateway_after += edge.resources if edge is not None else []
        self.gateway = kubernetes_manifest(self, "gateway", manifest=gateway_manifest(props),
                                depends_on=gateway_after or None)
        plan = resolved.plan
        # No route `timeouts`: GKE rejects a route carrying them (GWCER104), and the chart's
        # GCPBackendPolicy already gives each pool a 300 s request timeout.
        self.routes = route_objects(self, props, resolved.planned_routes,
                                    resolved.pools, pool_group=POOL_API_GROUP, after=[self.gateway, *self.pools],
                                    default_pool=plan.default_pool if plan else None)
        self.router: BodyRouter | None = None
        if plan is not None:
            self.router = BodyRouter(self, "body-router", props=props.body_routing, plan=plan,
                                     gateway_name=props.name, namespace=props.namespace, helm=helm,
                                     after=[self.gateway])
        names = resolved.served_names
        after_gateway(self, props, self.gateway, project_id=cluster.project_id, region=inputs.region, models=names,
                      paths=props.paths)
        gateway_outputs(self, props, sample_model(model_servers, names), after=[self.gateway, *self.routes],
                        models=names, static_address=edge.address if edge is not None else None)
