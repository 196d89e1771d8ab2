"""The app-wide observability settings (adapter, dashboard, alert) and the checks that tie
them to what the app really collects.

A chart of a metric nobody scrapes is an empty chart, and an HPA on such a metric shows
``<unknown>`` targets forever; both look like success until someone needs them. So each
consumer of a metric is checked against its producer at synthesis.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.literal import LOCAL_ONLY
from constructs_lib._core.manifest_source import ManifestSource
from constructs_lib._core.props import Props
from constructs_lib._core.releases import Version
from constructs_lib._gateway.picker_config import averaged_kv_cache_metric
from constructs_lib._gateway.pools import InferencePoolSpec, selected_servers
from constructs_lib._model_server.autoscaling import KV_CACHE_TARGETS, POOL_TARGETS
from constructs_lib._model_server.server_props import VllmModelServerProps

ADAPTER_COMMIT = "af49d863755c0535f598cfde9288ae9a75251d38"
ADAPTER_MANIFEST_URL = (
    "https://raw.githubusercontent.com/GoogleCloudPlatform/k8s-stackdriver/{commit}/"
    "custom-metrics-stackdriver-adapter/deploy/production/adapter_new_resource_model.yaml"
)
_COMMIT = re.compile(r"[0-9a-f]{40}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DashboardProps(Props):
    """The Cloud Monitoring dashboard.

    Attributes:
        display_name: the dashboard's title. Default ``vLLM behind GKE Inference Gateway``.
    """

    display_name: str = "vLLM behind GKE Inference Gateway"

    def problems(self) -> list[Problem]:
        return list(checks.not_blank("display_name", self.display_name, "give the dashboard a title"))


@dataclasses.dataclass(frozen=True, kw_only=True)
class QueueDepthAlertProps(Props):
    """Alert when a server's average queue stays above a threshold.

    Attributes:
        notification_channels: Cloud Monitoring notification channels to notify, by id
            (``projects/<project>/notificationChannels/<number>``).
        threshold: requests waiting per pod, averaged over the server's pods. Default 50,
            GIE's example alert on the pool queue.
        duration: how long the queue must stay above it, in seconds with ``s``. Default
            ``300s`` (GIE's example: 5 minutes), so a burst the autoscaler absorbs stays quiet.
    """

    notification_channels: tuple[str, ...]
    threshold: float = 50
    duration: str = "300s"

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        if not self.notification_channels:
            found.append(Problem("notification_channels", [], "is empty", "give at least one channel id"))
        for index, channel in enumerate(self.notification_channels):
            found += checks.notification_channel(f"notification_channels[{index}]", channel)
        if self.threshold <= 0:
            found.append(Problem("threshold", self.threshold, "must be positive", "give a number of requests"))
        found += checks.whole_seconds("duration", self.duration)
        return found


@dataclasses.dataclass(frozen=True, kw_only=True)
class MetricsAdapterProps(Props):
    """The adapter that lets HPAs read Managed Prometheus metrics.

    Attributes:
        install: install it (with its IAM binding). ``False`` when the cluster already runs
            the Custom Metrics Stackdriver Adapter: nothing is installed. Default ``True``.
        commit: the GoogleCloudPlatform/k8s-stackdriver commit to take the release manifest
            from. Default: the one that pins image v0.16.9-gke.0.
        manifest_file: a local copy of ``adapter_new_resource_model.yaml`` instead of
            downloading it at plan time. Default ``None``.
    """

    install: bool = True
    commit: str = ADAPTER_COMMIT
    manifest_file: str | None = dataclasses.field(default=None, metadata={LOCAL_ONLY: True})

    def problems(self) -> list[Problem]:
        found = []
        if not _COMMIT.fullmatch(self.commit):
            found.append(Problem("commit", self.commit, "is not a full git commit id",
                                 "give the 40-character commit of GoogleCloudPlatform/k8s-stackdriver"))
        if self.manifest_file is not None:
            found += checks.manifest_file("manifest_file", self.manifest_file, "adapter_new_resource_model.yaml")
        return found

    @property
    def source(self) -> ManifestSource:
        if self.manifest_file is not None:
            return ManifestSource.local(self.manifest_file)
        return ManifestSource(url=ADAPTER_MANIFEST_URL.format(commit=self.commit))


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
        reads = averaged_kv_cache_metric(picker.release, pool_images, picker.follows_servers)
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
