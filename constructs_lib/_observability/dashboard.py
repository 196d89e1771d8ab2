"""A Cloud Monitoring dashboard for the gateway and its model servers, generated from the
app's own objects rather than pasted JSON.

Every chart is a PromQL query over Managed Prometheus series whose names come from
``_core/metric_names.py`` (by vLLM version and endpoint picker release) and whose labels are the ones
the PodMonitorings add, so a chart only ever asks for series that something in the app
produces. Rate windows use Cloud Monitoring's ``${__interval}``, which Terraform would
evaluate: the JSON is escaped where it is handed to Terraform.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cdktf import TerraformOutput
from constructs import Construct

from constructs_lib._core.literal import escape
from constructs_lib._core.metric_names import EndpointPickerMetrics, VllmMetrics, endpoint_picker_metrics
from constructs_lib._model_server.autoscaling import VLLM_TARGETS, AutoscalingProps
from constructs_lib._model_server.pod_monitoring import SERVER_LABEL
from constructs_lib._model_server.server_props import VllmModelServerProps
from constructs_lib._observability.props import DashboardProps
from constructs_lib._terraform import plain

COLUMNS = 48
TILE_WIDTH = 24
TILE_HEIGHT = 16
INTERVAL = "${__interval}"
CONSOLE_URL = "https://console.cloud.google.com/monitoring/dashboards/custom"


@dataclass(frozen=True)
class DashboardScope:
    """What the dashboard charts: the app's scraped model servers, their pools, and the
    endpoint picker in front of them (its release decides its metric names).

    ``cluster`` is usually a Terraform reference (``var.cluster_name``)."""

    cluster: str
    servers: tuple[VllmModelServerProps, ...]
    pools: tuple[str, ...]
    picker_namespace: str
    picker_release: tuple[int, int, int]
    pool_of: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def picker(self) -> EndpointPickerMetrics:
        return endpoint_picker_metrics(self.picker_release)


def _selector(**labels: str) -> str:
    """A PromQL label selector; values ending in ``|`` alternatives use ``=~``."""
    parts = [f'{key}=~"{value}"' if "|" in value else f'{key}="{value}"' for key, value in labels.items()]
    return "{" + ",".join(parts) + "}"


def _dataset(query: str, axis: str = "Y1", unit: str = "") -> dict[str, Any]:
    return {"plotType": "LINE", "targetAxis": axis,
            "timeSeriesQuery": {"prometheusQuery": query, "unitOverride": unit}}


def _chart(title: str, datasets: list[dict[str, Any]], *, y_label: str,
           thresholds: Sequence[dict[str, Any]] = (), y2_label: str | None = None) -> dict[str, Any]:
    chart: dict[str, Any] = {"chartOptions": {"mode": "COLOR"}, "dataSets": datasets,
                             "thresholds": list(thresholds), "yAxis": {"label": y_label, "scale": "LINEAR"}}
    if y2_label is not None:
        chart["y2Axis"] = {"label": y2_label, "scale": "LINEAR"}
    return {"title": title, "xyChart": chart}


def _threshold(value: float, label: str, axis: str = "Y1") -> dict[str, Any]:
    return {"value": value, "label": label, "targetAxis": axis, "color": "YELLOW", "direction": "ABOVE"}


def _by_metric(servers: Sequence[VllmModelServerProps],
               name_of: Callable[[VllmMetrics], str]) -> list[tuple[str, str]]:
    """``(metric name, "a|b")`` per distinct name: servers of different vLLM versions may
    call the same thing differently, so each group gets its own query."""
    groups: dict[str, list[str]] = {}
    for server in servers:
        names = server.vllm_metric_names
        if names is not None:
            groups.setdefault(name_of(names), []).append(server.name)
    return [(name, "|".join(members)) for name, members in sorted(groups.items())]


def _quantiles(scope: DashboardScope, name_of: Callable[[VllmMetrics], str]) -> list[dict[str, Any]]:
    return [_dataset(f"histogram_quantile({q}, sum by (le, {SERVER_LABEL}) (rate({name}_bucket"
                     f"{_selector(cluster=scope.cluster, model_server=members)}[{INTERVAL}])))", unit="s")
            for name, members in _by_metric(scope.servers, name_of) for q in ("0.5", "0.95")]


def _gauges(scope: DashboardScope, name_of: Callable[[VllmMetrics], str]) -> list[dict[str, Any]]:
    return [_dataset(f"avg by ({SERVER_LABEL}) ({name}{_selector(cluster=scope.cluster, model_server=members)})")
            for name, members in _by_metric(scope.servers, name_of)]


def _pool_gauge(scope: DashboardScope, name: str) -> dict[str, Any]:
    return _dataset(f"avg by (name) ({name}{_selector(cluster=scope.cluster, name='|'.join(scope.pools))})")


def _picker_rate(scope: DashboardScope, name: str, by: str) -> dict[str, Any]:
    selector = _selector(cluster=scope.cluster, namespace=scope.picker_namespace)
    return _dataset(f"sum by ({by}) (rate({name}{selector}[{INTERVAL}]))", unit="1/s")


def _autoscaling_chart(scope: DashboardScope, server: VllmModelServerProps,
                       autoscaling: AutoscalingProps) -> dict[str, Any]:
    """Replicas (pods reporting metrics) on the right axis against the HPA's metric and its
    target on the left."""
    names = server.vllm_metric_names
    if names is None:  # AppConfig refuses this; a hand-built scope could not
        raise TypeError(f"server {server.name} has no known vLLM release: set its vllm_version")
    own = _selector(cluster=scope.cluster, model_server=server.name)
    target = autoscaling.target
    if target.metric in VLLM_TARGETS:
        name = names.queue_depth if target.metric == "vllm_queue_depth" else names.kv_cache_usage
        metric = f"avg({name}{own})"
    else:
        name = scope.picker.pool_queue if target.metric == "pool_queue_size" else scope.picker.pool_kv_cache
        metric = f"avg({name}{_selector(cluster=scope.cluster, name=scope.pool_of[server.name])})"
    return _chart(
        f"{server.name}: replicas and {target.metric} against the HPA target",
        [_dataset(metric), _dataset(f"count({names.queue_depth}{own})", axis="Y2")],
        y_label=target.metric, y2_label="replicas",
        thresholds=[_threshold(target.effective_value, "HPA target"),
                    _threshold(autoscaling.max_replicas, "max_replicas", axis="Y2")])


def dashboard_body(display_name: str, scope: DashboardScope) -> dict[str, Any]:
    """The dashboard as the Cloud Monitoring API takes it (``mosaicLayout``, two charts
    per row, in reading order)."""
    picker = scope.picker
    servers = _selector(cluster=scope.cluster,
                        model_server="|".join(s.name for s in scope.servers if s.vllm_metric_names is not None))
    widgets = [
        _chart("Requests per second by model", [_picker_rate(scope, picker.requests, "model_name")],
               y_label="requests/s"),
        _chart("Errors per second by model", [_picker_rate(scope, picker.request_errors, "model_name, error_code")],
               y_label="errors/s"),
        _chart("Time to first token (p50, p95)", _quantiles(scope, lambda n: n.time_to_first_token),
               y_label="seconds"),
        _chart("Time per output token (p50, p95)", _quantiles(scope, lambda n: n.time_per_output_token),
               y_label="seconds"),
        _chart("Queue depth (requests waiting)",
               [*_gauges(scope, lambda n: n.queue_depth), _pool_gauge(scope, picker.pool_queue)],
               y_label="requests"),
        _chart("KV-cache use", [*_gauges(scope, lambda n: n.kv_cache_usage), _pool_gauge(scope, picker.pool_kv_cache)],
               y_label="fraction (1 = full)"),
        _chart(picker.latency_title, [
            _dataset(f"histogram_quantile({q}, sum by (le) (rate({picker.latency}_bucket"
                     f"{_selector(cluster=scope.cluster, namespace=scope.picker_namespace)}[{INTERVAL}])))", unit="s")
            for q in ("0.5", "0.95")], y_label="seconds"),
    ]
    scaled = [(server, server.autoscaling) for server in scope.servers if server.autoscaling is not None]
    if scaled:
        widgets += [_autoscaling_chart(scope, server, autoscaling) for server, autoscaling in scaled]
    else:
        widgets.append(_chart("Replicas reporting metrics", [_dataset(
            f"count by ({SERVER_LABEL}) ({metric}{servers})") for metric, _ in
            _by_metric(scope.servers, lambda n: n.queue_depth)], y_label="replicas"))
    per_row = COLUMNS // TILE_WIDTH
    tiles = [{"xPos": (index % per_row) * TILE_WIDTH, "yPos": (index // per_row) * TILE_HEIGHT,
              "width": TILE_WIDTH, "height": TILE_HEIGHT, "widget": widget}
             for index, widget in enumerate(widgets)]
    return {"displayName": display_name, "labels": {}, "mosaicLayout": {"columns": COLUMNS, "tiles": tiles}}


def layout_picture(body: dict[str, Any]) -> str:
    """A Mermaid block diagram of the dashboard's tiles, placed as the JSON places them."""
    layout = body["mosaicLayout"]
    tiles = sorted(layout["tiles"], key=lambda tile: (tile.get("yPos", 0), tile.get("xPos", 0)))
    widest = min(tile["width"] for tile in tiles)
    lines = ["```mermaid", "block-beta", f"  columns {layout['columns'] // widest}"]
    for index, tile in enumerate(tiles):
        span = tile["width"] // widest
        title = tile["widget"]["title"].replace('"', "'")
        lines.append(f'  t{index}["{title}"]' + (f":{span}" if span > 1 else ""))
    return "\n".join([*lines, "```"])


class InferenceDashboard(Construct):
    """The dashboard and its URL (output ``dashboard_url``).

    Construct ids: ``dashboard`` and ``dashboard_url``.
    """

    def __init__(self, scope: Construct, id: str, *, project_id: str, dashboard: DashboardScope,
                 props: DashboardProps | None = None) -> None:
        super().__init__(scope, id)
        props = props or DashboardProps()
        self.body = dashboard_body(props.display_name, dashboard)
        self.dashboard = plain.resource(
            self, "dashboard", plain.GOOGLE, "google_monitoring_dashboard", project=project_id,
            dashboard_json=escape(json.dumps(self.body, sort_keys=True)))
        TerraformOutput(
            self, "dashboard_url", static_id=True, description="The Cloud Monitoring dashboard.",
            value=f"{CONSOLE_URL}/${{basename({self.dashboard.fqn}.id)}}?project={project_id}")

