"""The app-wide observability settings (adapter, dashboard, alert) and the checks that tie
them to what the app really collects.

A chart of a metric nobody scrapes is an empty chart, and an HPA on such a metric shows
``<unknown>`` targets forever; both look like success until someone needs them. So each
consumer of a metric is checked against its producer at synthesis.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.metric_names import Version
from constructs_lib._core.props import Props
from constructs_lib._gateway.picker_config import averaged_kv_cache_metric
from constructs_lib._gateway.pools import InferencePoolSpec, selected_servers
from constructs_lib._model_server.autoscaling import KV_CACHE_TARGETS, POOL_TARGETS
from constructs_lib._model_server.server_props import VllmModelServerProps
from constructs_lib._observability.alerting import QueueDepthAlertProps
from constructs_lib._observability.dashboard import DashboardProps
from constructs_lib._observability.metrics_adapter import MetricsAdapterProps


@dataclasses.dataclass(frozen=True, kw_only=True)
class ObservabilityProps(Props):
    """What watches and scales the model servers beyond their own PodMonitorings
    (``model_servers[].metrics``) and HPAs (``model_servers[].autoscaling``). Each is
    opt-in: it needs IAM or is billed.

    Attributes:
        metrics_adapter: the Custom Metrics Stackdriver Adapter in the ``prerequisites``
            stack, which every HPA needs. Default ``None``: not installed.
        dashboard: a Cloud Monitoring dashboard (stack ``observability``). Default ``None``.
        queue_depth_alert: an alert policy on sustained queueing (stack ``observability``).
            Default ``None``.
    """

    metrics_adapter: MetricsAdapterProps | None = None
    dashboard: DashboardProps | None = None
    queue_depth_alert: QueueDepthAlertProps | None = None

    @property
    def has_monitoring_stack(self) -> bool:
        return self.dashboard is not None or self.queue_depth_alert is not None


@dataclass(frozen=True)
class EndpointPickerSource:
    """The endpoint picker in front of the servers: its release (which names its metrics),
    its namespace, whether Managed Prometheus scrapes it, how to make it do so, and whether
    it is configured with the servers' own metric names (the v1 path) or reads its
    release's defaults."""

    release: Version
    namespace: str
    collected: bool
    enable: str
    follows_servers: bool = False

    @property
    def release_tag(self) -> str:
        return "v" + ".".join(map(str, self.release))


def _autoscaling_problems(index: int, server: VllmModelServerProps, props: ObservabilityProps,
                          picker: EndpointPickerSource | None, pool: str | None,
                          pool_images: Sequence[str]) -> list[Problem]:
    autoscaling = server.autoscaling
    if autoscaling is None:
        return []
    field = f"model_servers[{index}].autoscaling"
    metric = autoscaling.target.metric
    found = []
    if props.metrics_adapter is None:
        found.append(Problem(field, metric, "needs the Custom Metrics Stackdriver Adapter to read its metric",
                             "set observability.metrics_adapter: {} (or {install: false} when the cluster "
                             "already runs it)"))
    if metric not in POOL_TARGETS:
        return found
    where = f"{field}.target.metric"
    if picker is None or pool is None:
        found.append(Problem(where, metric, "is produced by an endpoint picker, and no InferencePool of this "
                             "app selects the server", "scale on vllm_queue_depth, or put the server behind "
                             "the gateway"))
    elif not picker.collected:
        found.append(Problem(where, metric, "is the endpoint picker's, which Managed Prometheus does not scrape "
                             "in this configuration", picker.enable))
    elif metric in KV_CACHE_TARGETS:
        reads = averaged_kv_cache_metric(picker.release_tag, pool_images, picker.follows_servers)
        names = server.vllm_metric_names
        if names is None:
            found += checks.known_vllm_release(f"model_servers[{index}].vllm_version", False, server.image,
                                               f"autoscaling on {metric}")
        elif reads is not None and names.kv_cache_usage != reads:
            found.append(Problem(where, metric, f"averages {reads}, which this vLLM release does not emit "
                                 f"(it emits {names.kv_cache_usage}), so the pool average stays 0",
                                 "scale on vllm_kv_cache or pool_queue_size"))
    return found


def _scraped(servers: Sequence[VllmModelServerProps]) -> list[tuple[int, VllmModelServerProps]]:
    return [(index, server) for index, server in enumerate(servers) if server.metrics is not None]


def _monitoring_problems(servers: Sequence[VllmModelServerProps], props: ObservabilityProps,
                         picker: EndpointPickerSource | None) -> list[Problem]:
    found = []
    scraped = _scraped(servers)
    for name in ("dashboard", "queue_depth_alert"):
        if getattr(props, name) is not None and not scraped:
            found.append(Problem(f"observability.{name}", name, "reads vLLM's metrics, but no model server "
                                 "of this app is scraped", "keep metrics on at least one of model_servers"))
    if props.dashboard is None and props.queue_depth_alert is None:
        return found
    for index, server in scraped:
        found += checks.known_vllm_release(f"model_servers[{index}].vllm_version",
                                           server.vllm_metric_names is not None, server.image, "the charts")
    if props.dashboard is not None:
        if picker is None:
            found.append(Problem("observability.dashboard", "dashboard", "charts the endpoint picker's "
                                 "metrics, and this app has no gateway", "add a gateway, or remove the dashboard"))
        elif not picker.collected:
            found.append(Problem("observability.dashboard", "dashboard", "charts the endpoint picker's metrics, "
                                 "which Managed Prometheus does not scrape in this configuration", picker.enable))
    return found


def observability_problems(servers: Sequence[VllmModelServerProps], props: ObservabilityProps,
                           picker: EndpointPickerSource | None, pool_of: Mapping[str, str]) -> list[Problem]:
    """Every consumer of a metric (HPA, chart, alert) against what the app collects."""
    found = []
    for index, server in enumerate(servers):
        pool = pool_of.get(server.name)
        images = [other.image for other in servers if pool is not None and pool_of.get(other.name) == pool]
        found += _autoscaling_problems(index, server, props, picker, pool, images)
    return found + _monitoring_problems(servers, props, picker)


def pools_of_servers(pools: Sequence[InferencePoolSpec], servers: Sequence[VllmModelServerProps]) -> dict[str, str]:
    """The first pool that selects each server, by server name."""
    found: dict[str, str] = {}
    for pool in pools:
        for server in selected_servers(pool, servers):
            found.setdefault(server.name, pool.name)
    return found
