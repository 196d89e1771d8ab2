"""Every metric the dashboard, the alert and the autoscalers read is one the pinned
releases emit, of the kind the query treats it as, and every PromQL expression parses.

The endpoint picker's metrics are read from its source at each deployed release
(tests/fixtures/upstream/gie-epp-metrics/SOURCE.md), vLLM's from its V1 metrics logger in
the release wheels around each row of the project's table (tests/fixtures/upstream/vllm)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import promql_parser
import pytest
from helpers import FIXTURES, synth

from cli.config_file import load_config
from constructs_lib import (
    ENDPOINT_PICKER_METRICS_BY_RELEASE,
    GIE_RELEASE_BY_API,
    VLLM_METRICS_BY_VERSION,
    release_number,
)
from constructs_lib._core.metric_names import vllm_metrics

ROOT = Path(__file__).resolve().parents[1]
SOURCES = FIXTURES / "upstream" / "gie-epp-metrics"
_KIND = {"Counter": "counter", "Gauge": "gauge", "Histogram": "histogram"}
#: Cloud Monitoring's dashboard variable for the step, which PromQL itself does not know.
_INTERVAL = "${__interval}"


def emitted(release: str) -> dict[str, str]:
    """The metric names a picker release registers, with their kinds, read from its
    ``metrics.go``: ``<Subsystem>_<Name>`` with the subsystem constants resolved."""
    source = (SOURCES / release / "metrics.go").read_text()
    constants = dict(re.findall(r'^\s*(\w+)\s*=\s*"([a-z_]+)"', source, re.MULTILINE))
    found = {}
    # prometheus.NewGaugeVec(prometheus.GaugeOpts{...}) from v1.x on; compbasemetrics.NewGaugeVec(
    # &compbasemetrics.GaugeOpts{...}) (Kubernetes component-base) before.
    pattern = re.compile(r'\b(?:prometheus|compbasemetrics)\.New(Counter|Gauge|Histogram)(?:Vec)?\(\s*&?'
                         r'(?:prometheus|compbasemetrics)\.\w+Opts\{\s*Subsystem:\s*(\w+),\s*Name:\s*"(\w+)"')
    for kind, subsystem, name in pattern.findall(source):
        found[f"{constants[subsystem]}_{name}"] = _KIND[kind]
    return found


@pytest.mark.parametrize("api", sorted(GIE_RELEASE_BY_API))
def test_the_picker_emits_every_name_we_read_with_its_kind(api):
    tag = GIE_RELEASE_BY_API[api]
    names = emitted(tag)
    assert len(names) >= 10, tag  # the parser found the registrations
    picker = dict(ENDPOINT_PICKER_METRICS_BY_RELEASE)
    row = [metrics for release, metrics in sorted(picker.items()) if release <= release_number(tag)][-1]
    expected = {row.pool_queue: "gauge", row.pool_kv_cache: "gauge", row.ready_pods: "gauge",
                row.requests: "counter", row.request_errors: "counter", row.latency: "histogram"}
    assert {name: names.get(name) for name in expected} == expected


VLLM_SOURCES = FIXTURES / "upstream" / "vllm"


def vllm_emitted(release: str) -> dict[str, str]:
    """The ``vllm:`` metrics a vLLM release's V1 logger defines, with their kinds (the
    config-info metric is a gauge set to 1, built from a variable name)."""
    source = (VLLM_SOURCES / release / "vllm" / "v1" / "metrics" / "loggers.py").read_text()
    pattern = re.compile(r'(?:prometheus_client\.(Gauge|Counter|Histogram)|self\._(gauge|counter|histogram)_cls)'
                         r'\(\s*name="(vllm:\w+)"')
    found = {name: (kind or cls).lower() for kind, cls, name in pattern.findall(source)}
    assert "info_gauge = " in source  # log_metrics_info emulates an Info metric with a Gauge
    found.update({name: "gauge" for name in re.findall(r'name = "(vllm:\w+_info)"', source)})
    return found


@pytest.mark.parametrize("release", ["0.8.5", "0.9.1", "0.9.2"])
def test_vllm_emits_every_name_we_read_with_its_kind(release):
    names = vllm_emitted(release)
    assert len(names) >= 15, release  # the parser found the definitions
    row = vllm_metrics(release_number(release))
    expected = {row.queue_depth: "gauge", row.running: "gauge", row.kv_cache_usage: "gauge",
                row.time_to_first_token: "histogram", row.time_per_output_token: "histogram",
                row.lora_info: "gauge", row.cache_info: "gauge"}
    assert {name: names.get(name) for name in expected} == expected


def test_the_kv_cache_rename_row_is_the_first_release_that_emits_the_new_name():
    before, after = vllm_emitted("0.9.1"), vllm_emitted("0.9.2")
    renamed = dict(VLLM_METRICS_BY_VERSION)[(0, 9, 2)].kv_cache_usage
    assert renamed not in before and renamed in after
    assert vllm_metrics((0, 9, 1)).kv_cache_usage in before
    assert [version for version, _ in VLLM_METRICS_BY_VERSION][-1] == (0, 9, 2)


def test_vllm_defines_its_lora_gauge_only_with_lora_enabled():
    """Why a pool without adapters leaves the picker's LoRA input empty."""
    source = (VLLM_SOURCES / "0.8.5" / "vllm" / "v1" / "metrics" / "loggers.py").read_text()
    guard = source.index("if vllm_config.lora_config is not None:")
    assert guard < source.index('name="vllm:lora_requests_info"') < source.index("# Cache config info metric")


def test_a_name_the_picker_does_not_emit_is_caught():
    assert "inference_objective_request_total" not in emitted("v0.3.0")
    assert "inference_model_request_total" not in emitted("v1.5.0")


def _known_names() -> set[str]:
    names = {name for _, metrics in VLLM_METRICS_BY_VERSION for name in metrics.names()}
    return names | {name for _, metrics in ENDPOINT_PICKER_METRICS_BY_RELEASE for name in metrics.names()}


def _selectors(query: str) -> list[str]:
    names: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.append(node.name)

    promql_parser.walk(promql_parser.parse(query.replace(_INTERVAL, "1m")), visit)
    return names


V1_OBSERVED = """\
model_servers:
  - autoscaling: {min_replicas: 1, max_replicas: 2, target: {metric: pool_queue_size}}
gateway: {api_version: v1}
observability:
  metrics_adapter: {}
  dashboard: {}
  queue_depth_alert: {notification_channels: [projects/my-project/notificationChannels/1]}
"""


@pytest.fixture(scope="module", params=["autoscaling example (v1alpha2)", "v1"])
def observability(request, tmp_path_factory):
    if request.param == "v1":
        config = tmp_path_factory.mktemp("v1-config") / "config.yaml"
        config.write_text(V1_OBSERVED)
    else:
        config = ROOT / "config.autoscaling.example.yaml"
    return synth(load_config(str(config)), tmp_path_factory.mktemp("observed"))


def _queries(stacks: dict) -> list[str]:
    stack = stacks["observability"]
    queries = []
    for dashboard in stack["resource"]["google_monitoring_dashboard"].values():
        body = json.loads(dashboard["dashboard_json"].replace("$${", "${"))
        queries += re.findall(r'"prometheusQuery": "((?:[^"\\]|\\.)*)"', json.dumps(body))
    for policy in stack["resource"]["google_monitoring_alert_policy"].values():
        queries += [condition["condition_prometheus_query_language"]["query"] for condition in policy["conditions"]]
    return [json.loads(f'"{query}"') if "\\" in query else query for query in queries]


def test_every_promql_parses_and_reads_only_known_metrics(observability):
    queries = _queries(observability)
    assert len(queries) >= 5
    known = _known_names()
    unknown = set()
    for query in queries:
        for name in _selectors(query):
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if name not in known and base not in known:
                unknown.add(name)
    assert unknown == set()


def test_histograms_are_read_through_their_buckets_and_counters_through_rates(observability):
    picker_kinds = emitted("v1.5.0") | emitted("v0.3.0")
    for query in _queries(observability):
        for name in _selectors(query):
            kind = picker_kinds.get(re.sub(r"_(bucket|sum|count)$", "", name))
            if kind == "histogram":
                assert re.search(r"_(bucket|sum|count)$", name), query
            if kind == "counter":
                assert re.search(rf"(rate|increase)\([^()]*{re.escape(name)}", query), query


@pytest.mark.parametrize("query", ["sum(rate(vllm:num_requests_waiting[5m])", "avg by (name (x)"])
def test_a_malformed_query_does_not_parse(query):
    with pytest.raises(Exception):  # noqa: B017 - the parser raises its own error type
        promql_parser.parse(query)


#: The content kinds a dashboard widget holds exactly one of (Cloud Monitoring API v1,
#: ``Widget``); ours are all xyChart.
WIDGET_KINDS = {"xyChart", "scorecard", "text", "blank", "alertChart", "timeSeriesTable", "collapsibleGroup",
                "logsPanel", "incidentList", "pieChart", "errorReportingPanel", "sectionHeader", "singleViewGroup",
                "filterControl"}


def _dashboards(stacks: dict) -> list[dict]:
    return [json.loads(body["dashboard_json"].replace("$${", "${"))
            for body in stacks["observability"]["resource"]["google_monitoring_dashboard"].values()]


def test_the_dashboard_layout_is_one_the_api_accepts(observability):
    """Cloud Monitoring API v1 ``MosaicLayout``: between 1 and 48 columns; each tile at a
    non-negative position, at least 1 block wide and high, contained in the columns; here
    also no two tiles overlapping. Each widget has a title and exactly one content kind."""
    for dashboard in _dashboards(observability):
        layout = dashboard["mosaicLayout"]
        assert 1 <= layout["columns"] <= 48
        taken: set[tuple[int, int]] = set()
        for tile in layout["tiles"]:
            x, y, width, height = tile.get("xPos", 0), tile.get("yPos", 0), tile["width"], tile["height"]
            assert x >= 0 and y >= 0 and width >= 1 and height >= 1 and x + width <= layout["columns"], tile
            blocks = {(column, row) for column in range(x, x + width) for row in range(y, y + height)}
            assert not blocks & taken, tile["widget"]["title"]
            taken |= blocks
            kinds = set(tile["widget"]) - {"title", "id", "visibility"}
            assert len(kinds) == 1 and kinds <= WIDGET_KINDS and tile["widget"]["title"], tile["widget"]
            for dataset in tile["widget"].get("xyChart", {}).get("dataSets", []):
                assert set(dataset["timeSeriesQuery"]) <= {"prometheusQuery", "unitOverride", "outputFullDuration"}
