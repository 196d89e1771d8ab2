"""The metric names each metrics source really emits, by release: one table for vLLM, one
for the endpoint picker (EPP).

Charts, autoscalers and alerts read names from here and nowhere else, because the names
move between releases: vLLM added ``vllm:kv_cache_usage_perc`` in 0.9.2 beside its KV-cache
gauge ``vllm:gpu_cache_usage_perc``, which it keeps emitting, deprecated, in 0.10; the EPP
renamed its per-model prefix ``inference_model_`` to ``inference_objective_`` in v1.1.0
and gained a scheduling-latency histogram in v0.4.0. When a release changes a name, a row
here changes and every consumer follows (``_gateway/picker_config.py`` reads vLLM's names
from here too).

Sources: vLLM ``vllm/v1/metrics/loggers.py`` in the 0.8.5, 0.9.1 and 0.9.2 release wheels
(its comment "Deprecated in 0.9 - Renamed as vllm:kv_cache_usage_perc" notwithstanding,
0.9.0 and 0.9.1 define only the old name); GIE ``pkg/epp/metrics/metrics.go`` at v0.3.0,
v0.4.0, v1.1.0 and v1.5.0. Both are test data (tests/fixtures/upstream/).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from constructs_lib._core.releases import EARLIEST_RELEASE, Version, parse_version

#: How Managed Prometheus stores a Prometheus metric in Cloud Monitoring.
MetricKind = Literal["gauge", "counter", "histogram"]
CLOUD_MONITORING_PREFIX = "prometheus.googleapis.com"

Row = TypeVar("Row")


@dataclass(frozen=True)
class VllmMetrics:
    """Names of the vLLM series the dashboard, autoscaler and alert use."""

    queue_depth: str = "vllm:num_requests_waiting"
    running: str = "vllm:num_requests_running"
    kv_cache_usage: str = "vllm:kv_cache_usage_perc"
    time_to_first_token: str = "vllm:time_to_first_token_seconds"
    time_per_output_token: str = "vllm:time_per_output_token_seconds"
    lora_info: str = "vllm:lora_requests_info"
    cache_info: str = "vllm:cache_config_info"

    def names(self) -> frozenset[str]:
        return frozenset(vars(self).values())


@dataclass(frozen=True)
class EndpointPickerMetrics:
    """Names of the endpoint picker's own series (which vLLM names it scrapes is in
    ``_gateway/picker_config.py``, with the configuration the v1 path gives it)."""

    pool_queue: str
    pool_kv_cache: str
    ready_pods: str
    requests: str
    request_errors: str
    #: A histogram of the picker's own latency; before v0.4.0 only the request duration
    #: seen by the picker exists.
    latency: str
    latency_title: str

    def names(self) -> frozenset[str]:
        return frozenset({self.pool_queue, self.pool_kv_cache, self.ready_pods, self.requests,
                          self.request_errors, self.latency})


#: vLLM releases, oldest first: each row holds from its version until the next row.
VLLM_METRICS_BY_VERSION: tuple[tuple[Version, VllmMetrics], ...] = (
    (EARLIEST_RELEASE, VllmMetrics(kv_cache_usage="vllm:gpu_cache_usage_perc")),
    ((0, 9, 2), VllmMetrics(kv_cache_usage="vllm:kv_cache_usage_perc")),
)

_POOL = {"pool_queue": "inference_pool_average_queue_size",
         "pool_kv_cache": "inference_pool_average_kv_cache_utilization",
         "ready_pods": "inference_pool_ready_pods"}

#: Endpoint picker releases, oldest first, as above.
ENDPOINT_PICKER_METRICS_BY_RELEASE: tuple[tuple[Version, EndpointPickerMetrics], ...] = (
    (EARLIEST_RELEASE, EndpointPickerMetrics(
        **_POOL, requests="inference_model_request_total", request_errors="inference_model_request_error_total",
        latency="inference_model_request_duration_seconds",
        latency_title="Request duration at the endpoint picker (no scheduling latency before v0.4.0)")),
    ((0, 4, 0), EndpointPickerMetrics(
        **_POOL, requests="inference_model_request_total", request_errors="inference_model_request_error_total",
        latency="inference_extension_scheduler_e2e_duration_seconds",
        latency_title="Endpoint picker scheduling latency")),
    ((1, 1, 0), EndpointPickerMetrics(
        **_POOL, requests="inference_objective_request_total",
        request_errors="inference_objective_request_error_total",
        latency="inference_extension_scheduler_e2e_duration_seconds",
        latency_title="Endpoint picker scheduling latency")),
)

def image_version(image: str) -> Version | None:
    """The release in an image's tag (``vllm/vllm-openai:v0.8.5``); ``None`` for a digest
    or a tag that names no release (``latest``)."""
    if "@" in image:
        return None
    name = image.rsplit("/", 1)[-1]
    if ":" not in name:
        return None
    return parse_version(name.rsplit(":", 1)[1])


def _row(table: tuple[tuple[Version, Row], ...], version: Version) -> Row:
    found = table[0][1]
    for first, names in table:
        if version >= first:
            found = names
    return found


def vllm_metrics(version: Version) -> VllmMetrics:
    return _row(VLLM_METRICS_BY_VERSION, version)


def endpoint_picker_metrics(release: Version) -> EndpointPickerMetrics:
    return _row(ENDPOINT_PICKER_METRICS_BY_RELEASE, release)


def cloud_monitoring_type(name: str, kind: MetricKind) -> str:
    """The Cloud Monitoring metric type of a Prometheus metric (the colon is kept)."""
    return f"{CLOUD_MONITORING_PREFIX}/{name}/{kind}"


def adapter_metric_name(name: str, kind: MetricKind) -> str:
    """How an HPA names that metric through the Custom Metrics Stackdriver Adapter: the
    Cloud Monitoring type with every ``/`` replaced by ``|``."""
    return cloud_monitoring_type(name, kind).replace("/", "|")
