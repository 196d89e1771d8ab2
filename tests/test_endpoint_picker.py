"""The v1 path against the facts of ../shared/upstream/gie-v1.5.0-inferencepool-chart.md:
routes GKE accepts, chart values the chart reads, the picker's size, the metric names the
picker and vLLM agree on, and the gateway classes known to serve inference pools."""

from __future__ import annotations

import dataclasses
import re

import pytest
import yaml
from helpers import by_path, fields_of, manifests, synth

from constructs_lib import (
    GIE_RELEASE_BY_API,
    ConfigError,
    InferenceGatewayProps,
    InferenceGatewayV1Props,
    VllmModelServerProps,
    from_mapping,
    release_number,
)
from constructs_lib._gateway.picker_config import (
    ENGINE_CONFIG_KEYS,
    PICKER_METRICS,
    picker_values,
    served_metrics,
)
from stacks.config import AppConfig

#: Value keys chart inferencepool v1.5.0 reads with provider gke, and the template that
#: reads each (fact sheet section 1; GIE@v1.5.0, IP = config/charts/inferencepool,
#: EL = config/charts/epplib). ``[]`` stands for a list index, ``*`` for a free map key.
CHART_V1_5_0_KEYS = {
    "provider.name": "IP/templates/gke.yaml:1, EL/templates/_gke.yaml:2",
    "provider.gke.autopilot": "EL/templates/_gke.yaml:9-17",
    "inferencePool.targetPorts[].number": "IP/templates/inferencepool.yaml:10-13",
    "inferencePool.modelServers.matchLabels.*": "IP/templates/inferencepool.yaml:19-25",
    "inferencePool.modelServerType": "EL/templates/_config.yaml",
    "inferencePool.modelServerProtocol": "IP/templates/inferencepool.yaml:14-18",
    "inferenceExtension.replicas": "EL/templates/_deployment.yaml:130-132",
    "inferenceExtension.resources.requests.cpu": "values.yaml:62-67",
    "inferenceExtension.resources.requests.memory": "values.yaml:62-67",
    "inferenceExtension.resources.limits.memory": "values.yaml:62-67",
    "inferenceExtension.monitoring.interval": "EL/templates/_gke.yaml:46",
    "inferenceExtension.monitoring.prometheus.enabled": "EL/templates/_gke.yaml:3, _rbac.yaml:2",
    "inferenceExtension.monitoring.prometheus.auth.enabled": "EL/templates/_gke.yaml:3, _deployment.yaml:143-145",
    "inferenceExtension.pluginsConfigFile": "EL/templates/_deployment.yaml:128-129",
    "inferenceExtension.pluginsCustomConfig.*": "EL/templates/_config.yaml:90-92",
}
#: Keys the fact sheet marks as read by no template (or not with provider gke), and the
#: deprecated metric flags the v1.5.0 picker refuses to start with (options.go:228-240).
UNREAD_OR_FATAL = {
    "inferenceExtension.monitoring.gke.enabled",
    "inferenceExtension.monitoring.prometheus.auth.secretName",
    "inferenceExtension.monitoring.prometheus.extraLabels",
    "inferencePool.targetPortNumber",
    "inferencePool.apiVersion",
    "experimentalHttpRoute.requestTimeout",
    "inferenceExtension.flags.kv-cache-usage-percentage-metric",
    "inferenceExtension.flags.total-queued-requests-metric",
    "inferenceExtension.flags.total-running-requests-metric",
    "inferenceExtension.flags.lora-info-metric",
    "inferenceExtension.flags.cache-info-metric",
}
#: The chart's own picker sizing (values.yaml:2, 62-67).
CHART_PICKER = {"replicas": 1, "cpu": "4", "memory": "8Gi", "memory_limit": "16Gi"}
#: vLLM v0.8.5 exposes the KV gauge as vllm:gpu_cache_usage_perc; vllm:kv_cache_usage_perc
#: came in 0.9.2 (tests/fixtures/upstream/vllm). The v1.5.0 picker reads the later name by default.
VLLM_0_8_5_KV = "vllm:gpu_cache_usage_perc"
PICKER_1_5_0_KV = "vllm:kv_cache_usage_perc"

POOL = "vllm-llama3-8b-instruct"


@pytest.fixture(scope="module")
def v1_stacks(tmp_path_factory):
    return synth(AppConfig(gateway=InferenceGatewayV1Props()), tmp_path_factory.mktemp("picker"))


def test_the_v1_example_is_the_v1_defaults_these_tests_hold():
    from helpers import FIXTURES

    from cli.config_file import load_config

    example = FIXTURES.parent.parent / "config.v1.example.yaml"
    assert load_config(str(example)) == AppConfig(gateway=InferenceGatewayV1Props())


def _release(stacks):
    return by_path(stacks["inference-gateway"], "helm_release")[f"inference-gateway/pool-{POOL}"]


def _flatten(value, prefix=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix


def _generic(key: str) -> str:
    """A concrete key as the table writes it: list indexes as ``[]``, free map keys as ``*``."""
    key = re.sub(r"\[\d+\]", "[]", key)
    key = re.sub(r"^(inferencePool\.modelServers\.matchLabels)\..+$", r"\1.*", key)
    return re.sub(r"^(inferenceExtension\.pluginsCustomConfig)\..+$", r"\1.*", key)


def _keys_set(release) -> set[str]:
    keys = {entry["name"] for entry in release["set"]}
    for document in release.get("values", []):
        values = yaml.safe_load(document)
        custom = values["inferenceExtension"].pop("pluginsCustomConfig", {})
        keys |= set(_flatten(values)) | {f"inferenceExtension.pluginsCustomConfig.{name}" for name in custom}
    return keys


# 1. Routes GKE accepts ----------------------------------------------------------------

@pytest.mark.parametrize("gateway", [
    InferenceGatewayV1Props(), InferenceGatewayV1Props(route_all_paths=True),
    InferenceGatewayV1Props(gateway_class="gke-l7-rilb"), InferenceGatewayProps()])
def test_no_route_carries_timeouts_on_a_gke_class(gateway, tmp_path):
    stacks = synth(AppConfig(gateway=gateway), tmp_path)
    routes = [body for body in manifests(stacks["inference-gateway"]).values() if body["kind"] == "HTTPRoute"]
    assert routes
    for route in routes:
        assert gateway.gateway_class.startswith("gke-")
        assert all("timeouts" not in rule for rule in route["spec"]["rules"])


def test_request_timeout_is_refused_with_where_the_timeout_lives():
    with pytest.raises(ConfigError) as caught:
        from_mapping(AppConfig, {"gateway": {"api_version": "v1", "request_timeout": "300s"}})
    (problem,) = caught.value.problems
    assert problem.field == "gateway.request_timeout"
    assert "GKE rejects HTTPRoutes with timeouts" in problem.render() and "300 s" in problem.render()


# 2. Chart values the chart reads ---------------------------------------------------------

@pytest.mark.parametrize("gateway", [
    InferenceGatewayV1Props(), InferenceGatewayV1Props(gke_monitoring=False, endpoint_picker_replicas=2)])
def test_every_chart_key_we_set_is_read_by_chart_v1_5_0(gateway, tmp_path):
    release = _release(synth(AppConfig(gateway=gateway), tmp_path))
    assert release["version"] == "v1.5.0"
    keys = _keys_set(release)
    assert {_generic(key) for key in keys} <= set(CHART_V1_5_0_KEYS)
    assert not keys & UNREAD_OR_FATAL
    assert not any(key.startswith("inferenceExtension.flags.") for key in keys)


def test_monitoring_sets_both_switches_the_gke_block_is_gated_on(v1_stacks):
    settings = {entry["name"]: entry["value"] for entry in _release(v1_stacks)["set"]}
    assert settings["inferenceExtension.monitoring.prometheus.enabled"] == "true"
    assert settings["inferenceExtension.monitoring.prometheus.auth.enabled"] == "true"
    assert settings["provider.gke.autopilot"].startswith("${tostring(data.google_container_cluster.")
    assert settings["provider.name"] == "gke"


def test_v1_path_leaves_out_the_tutorial_metrics_rbac_and_checks_managed_prometheus(v1_stacks):
    paths = [body["//"]["metadata"]["path"]
             for body in v1_stacks["prerequisites"]["resource"]["kubernetes_manifest"].values()]
    assert not [path for path in paths if "metrics-rbac" in path]
    cluster = next(iter(v1_stacks["inference-gateway"]["data"]["google_container_cluster"].values()))
    conditions = [check["condition"] for check in cluster["lifecycle"]["postcondition"]]
    assert "${try(self.monitoring_config[0].managed_prometheus[0].enabled, false)}" in conditions


def test_no_managed_prometheus_check_without_the_charts_monitoring(tmp_path):
    stacks = synth(AppConfig(gateway=InferenceGatewayV1Props(gke_monitoring=False)), tmp_path)
    cluster = next(iter(stacks["inference-gateway"]["data"]["google_container_cluster"].values()))
    assert not [c for c in cluster["lifecycle"]["postcondition"] if "managed_prometheus" in c["condition"]]


def test_only_the_chart_release_whose_keys_we_know_is_accepted():
    assert fields_of(InferenceGatewayV1Props, chart_version="v1.4.0") == ["chart_version"]
    with pytest.raises(ConfigError) as caught:
        InferenceGatewayV1Props(chart_version="v1.6.0")
    assert "use v1.5.0" in caught.value.problems[0].render()


# 6. The endpoint picker's size -------------------------------------------------------------

def test_picker_defaults_are_the_charts(v1_stacks):
    props = InferenceGatewayV1Props()
    assert (props.endpoint_picker_replicas, props.endpoint_picker_cpu, props.endpoint_picker_memory,
            props.endpoint_picker_memory_limit) == tuple(CHART_PICKER.values())
    settings = {entry["name"]: entry["value"] for entry in _release(v1_stacks)["set"]}
    assert settings["inferenceExtension.replicas"] == "1"
    assert settings["inferenceExtension.resources.requests.cpu"] == "4"
    assert "inferenceExtension.resources.limits.cpu" not in settings  # the chart sets none


def test_a_smaller_picker_reaches_the_chart(tmp_path):
    gateway = InferenceGatewayV1Props(endpoint_picker_cpu="500m", endpoint_picker_memory="1Gi",
                                      endpoint_picker_memory_limit="2Gi")
    release = _release(synth(AppConfig(gateway=gateway), tmp_path))
    settings = {entry["name"]: entry["value"] for entry in release["set"]}
    resources = "inferenceExtension.resources."
    assert (settings[resources + "requests.cpu"], settings[resources + "requests.memory"],
            settings[resources + "limits.memory"]) == ("500m", "1Gi", "2Gi")


def test_bad_picker_sizes_are_refused():
    assert fields_of(InferenceGatewayV1Props, endpoint_picker_replicas=0, endpoint_picker_cpu="four",
                     endpoint_picker_memory="0", endpoint_picker_memory_limit="-1Gi") == [
        "endpoint_picker_replicas", "endpoint_picker_cpu", "endpoint_picker_memory", "endpoint_picker_memory_limit"]


# 7. Metric names the picker reads and vLLM emits ----------------------------------------

def test_the_tables_hold_the_fact_sheets_names():
    assert served_metrics(["vllm/vllm-openai:v0.8.5"])["kv_cache"] == VLLM_0_8_5_KV
    assert PICKER_METRICS[(1, 5, 0)]["kv_cache"] == PICKER_1_5_0_KV
    assert PICKER_METRICS[(0, 3, 0)]["kv_cache"] == VLLM_0_8_5_KV
    assert set(ENGINE_CONFIG_KEYS.values()) == {
        "queuedRequestsSpec", "runningRequestsSpec", "kvUsageSpec", "loraSpec", "cacheInfoSpec"}


def _picker_reads(release) -> dict[str, str]:
    """The names the v1.5.0 picker scrapes with this release's values."""
    if not release.get("values"):
        return {ENGINE_CONFIG_KEYS[role]: name for role, name in PICKER_METRICS[(1, 5, 0)].items()}
    values = yaml.safe_load(release["values"][0])["inferenceExtension"]
    config = yaml.safe_load(values["pluginsCustomConfig"][values["pluginsConfigFile"]])
    (extractor,) = [p for p in config["plugins"] if p["type"] == "core-metrics-extractor"]
    (engine,) = extractor["parameters"]["engineConfigs"]
    assert engine["name"] == "vllm"
    return {key: value for key, value in engine.items() if key != "name"}


def test_v1_picker_reads_exactly_what_the_default_vllm_emits(v1_stacks):
    image = VllmModelServerProps().image
    emitted = served_metrics([image])
    reads = _picker_reads(_release(v1_stacks))
    # A vllm engine entry replaces the built-in one whole, so every role is given.
    assert set(reads) == set(ENGINE_CONFIG_KEYS.values())
    assert reads == {ENGINE_CONFIG_KEYS[role]: name for role, name in emitted.items()}
    assert reads["kvUsageSpec"] == VLLM_0_8_5_KV


def test_v1_picker_config_keeps_the_charts_default_plugins(v1_stacks):
    values = yaml.safe_load(_release(v1_stacks)["values"][0])["inferenceExtension"]
    config = yaml.safe_load(values["pluginsCustomConfig"][values["pluginsConfigFile"]])
    assert [p["type"] for p in config["plugins"]] == [
        "queue-scorer", "kv-cache-utilization-scorer", "prefix-cache-scorer", "metrics-data-source",
        "core-metrics-extractor"]
    assert config["schedulingProfiles"] == [{"name": "default", "plugins": [
        {"pluginRef": "queue-scorer", "weight": 2}, {"pluginRef": "kv-cache-utilization-scorer", "weight": 2},
        {"pluginRef": "prefix-cache-scorer", "weight": 3}]}]


def test_module_path_picker_reads_what_the_default_vllm_emits():
    release = GIE_RELEASE_BY_API["v1alpha2"]  # the module's chart and picker
    emitted = set(served_metrics([VllmModelServerProps().image]).values())
    assert set(PICKER_METRICS[release_number(release)].values()) <= emitted


def test_no_picker_values_when_the_servers_names_are_unknown_or_the_defaults():
    digest = "vllm/vllm-openai@sha256:" + "0" * 64
    assert served_metrics([digest]) is None and served_metrics([]) is None
    assert picker_values(None, "v1.5.0") is None
    assert picker_values(PICKER_METRICS[(1, 5, 0)], "v1.5.0") is None


# 8. Gateway classes --------------------------------------------------------------------

@pytest.mark.parametrize("api_version", ["v1", "v1alpha2"])
def test_the_unconfirmed_global_class_is_refused(api_version):
    with pytest.raises(ConfigError) as caught:
        from_mapping(AppConfig, {"gateway": {"api_version": api_version,
                                             "gateway_class": "gke-l7-global-external-managed"}})
    (problem,) = caught.value.problems
    assert problem.field == "gateway.gateway_class"
    assert "'gke-l7-regional-external-managed', 'gke-l7-rilb'" in problem.render()


def test_a_server_whose_vllm_release_is_unknown_needs_vllm_version_on_v1():
    digest = "vllm/vllm-openai@sha256:" + "a" * 64
    server = dataclasses.replace(VllmModelServerProps(), image=digest)
    assert fields_of(AppConfig, gateway=InferenceGatewayV1Props(), model_servers=(server,)) == [
        "model_servers[0].vllm_version"]
    AppConfig(gateway=InferenceGatewayV1Props(), model_servers=(dataclasses.replace(server, vllm_version="v0.8.5"),))
    AppConfig(model_servers=(server,))  # the module path's picker is v0.3.0, which reads vLLM 0.8's names
