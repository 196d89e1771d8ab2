"""Scheduling profiles for the endpoint picker: the plugin table held to the picker's
source at the pinned tag, the named profiles against the chart's own configurations, the
checks a user meets, the servers each profile relies on, and the wiring into the chart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_type_hints

import pytest
import yaml
from gotemplate import set_value
from helpers import FIXTURES, by_path, synth
from test_upstream_charts import CHART_DIRECTORIES, _leaves, _templates, read_by_a_template

from cli.explain import explain_config
from constructs_lib import (
    ConfigError,
    InferenceGatewayV1Props,
    InferencePoolSpec,
    LoraAdapter,
    PluginEntry,
    SchedulingProps,
    VllmModelServerProps,
    describe,
    from_mapping,
)
from constructs_lib._gateway.picker_config import PICKER_METRICS, picker_values, plugins_config
from constructs_lib._gateway.picker_plugins import (
    NOT_OFFERED,
    OTHER_REGISTERED,
    PLUGINS_BY_RELEASE,
    REFUSED_PARAMETERS,
)
from constructs_lib._gateway.scheduling_profiles import (
    LATENCY_SIDECAR_REQUESTS,
    PROFILES,
    SLO_HEADERS,
    VLLM_DEFAULT_BLOCK_SIZE,
    chart_scheduling,
    pool_scheduling_problems,
    resolve_pool,
)
from stacks.config import AppConfig

SOURCES = FIXTURES / "upstream" / "gie-epp-plugins" / "v1.5.0"
PLUGIN_SOURCES = SOURCES / "pkg" / "epp" / "framework" / "plugins"
CHART_CONFIG = FIXTURES / "upstream" / "gie-v1.5.0-charts" / "epplib" / "templates" / "_config.yaml"
RELEASE = (1, 5, 0)
TABLE = PLUGINS_BY_RELEASE[RELEASE]
NAMED = [name for name in PROFILES]
POOL = "vllm-llama3-8b-instruct"


def _gateway(**scheduling) -> InferenceGatewayV1Props:
    return InferenceGatewayV1Props(scheduling=SchedulingProps(**scheduling))


def _config_of(values: str) -> dict:
    inner = yaml.safe_load(values)["inferenceExtension"]
    return yaml.safe_load(inner["pluginsCustomConfig"][inner["pluginsConfigFile"]])


def _problems(data: dict, servers: list[dict] | None = None) -> list:
    mapping: dict = {"gateway": {"api_version": "v1", **data}}
    if servers is not None:
        mapping["model_servers"] = servers
    with pytest.raises(ConfigError) as caught:
        from_mapping(AppConfig, mapping)
    return caught.value.problems


def _custom(*plugins: dict) -> dict:
    return {"scheduling": {"profile": "custom", "plugins": list(plugins)}}


# 1. The plugin table, held to the picker's source at v1.5.0 ------------------------------

def _go_strings(path: Path) -> dict[str, str]:
    """Go constants assigned a string literal: identifier -> value."""
    return dict(re.findall(r"^\s*(\w+)\s*=\s*\"([^\"]*)\"", path.read_text(), re.MULTILINE))


def _json_keys(text: str, struct: str) -> set[str]:
    body = re.search(rf"type {struct} struct \{{(.*?)\n\}}", text, re.DOTALL)
    assert body is not None, struct
    return set(re.findall(r"json:\"(\w+)", body.group(1)))


#: The config struct each plugin decodes its parameters into, where it has one.
CONFIG_STRUCTS = {
    "prefix-cache-scorer": ("requestcontrol/dataproducer/approximateprefix/types.go", "config"),
    "approx-prefix-cache-producer": ("requestcontrol/dataproducer/approximateprefix/types.go", "config"),
    "token-load-scorer": ("scheduling/scorer/tokenload/token_load.go", "Config"),
    "latency-scorer": ("scheduling/scorer/latency/plugin.go", "Config"),
    "prefix-cache-affinity-filter": ("scheduling/filter/prefixcacheaffinity/plugin.go", "Config"),
    "slo-headroom-tier-filter": ("scheduling/filter/sloheadroomtier/plugin.go", "Config"),
    "predicted-latency-producer": ("requestcontrol/requestdataproducer/predictedlatency/plugin.go", "Config"),
    "max-score-picker": ("scheduling/picker/common.go", "pickerParameters"),
    "random-picker": ("scheduling/picker/common.go", "pickerParameters"),
    "weighted-random-picker": ("scheduling/picker/common.go", "pickerParameters"),
}


@pytest.mark.parametrize("type_name", sorted(TABLE))
def test_each_plugin_type_is_defined_in_its_source_and_registered(type_name):
    source = PLUGIN_SOURCES / TABLE[type_name].source
    constants = {value: name for name, value in _go_strings(source).items()}
    assert type_name in constants, f"{type_name} not defined in {TABLE[type_name].source}"
    runner = (SOURCES / "cmd" / "epp" / "runner" / "runner.go").read_text()
    assert re.search(rf"fwkplugin\.Register\(\w+\.{constants[type_name]},", runner), type_name


@pytest.mark.parametrize("type_name", sorted(TABLE))
def test_each_plugin_takes_exactly_the_parameters_its_config_struct_decodes(type_name):
    declared = set(TABLE[type_name].parameters)
    if type_name not in CONFIG_STRUCTS:
        # No config struct: the factory ignores its parameters (``_ json.RawMessage``) or
        # decodes an empty struct.
        text = (PLUGIN_SOURCES / TABLE[type_name].source).read_text()
        assert declared == set()
        assert re.search(r"Factory\(name string, _ json\.RawMessage", text) or "Config struct{}" in text
        return
    path, struct = CONFIG_STRUCTS[type_name]
    upstream = _json_keys((PLUGIN_SOURCES / path).read_text(), struct)
    assert declared | (upstream & set(REFUSED_PARAMETERS)) == upstream


def test_the_refused_parameter_is_ignored_or_fatal_as_the_message_says():
    text = (PLUGIN_SOURCES / "requestcontrol/dataproducer/approximateprefix/plugin.go").read_text()
    assert "if config.BlockSize > 0 && config.BlockSizeTokens <= 0 {" in text  # fatal only then
    types = (PLUGIN_SOURCES / "requestcontrol/dataproducer/approximateprefix/types.go").read_text()
    assert "BlockSizeTokens:        defaultBlockSizeTokens," in types and "defaultBlockSizeTokens = 16" in types


def test_the_other_registered_types_and_the_table_are_every_registration():
    runner = (SOURCES / "cmd" / "epp" / "runner" / "runner.go").read_text()
    registrations = re.findall(r"fwkplugin\.Register\(\w+\.\w+,", runner)
    # The two eviction policies register themselves in their packages' init().
    assert len(registrations) + 2 == len(TABLE) + len(NOT_OFFERED) + len(OTHER_REGISTERED)
    assert not set(OTHER_REGISTERED) & (set(TABLE) | set(NOT_OFFERED))


def test_the_types_not_offered_are_registered_too():
    runner = (SOURCES / "cmd" / "epp" / "runner" / "runner.go").read_text()
    defined = {value for path in PLUGIN_SOURCES.rglob("*.go") for value in _go_strings(path).values()}
    assert "predicted-latency-scorer" in defined and "PredictedLatencyPluginType" in runner
    assert set(NOT_OFFERED) & set(TABLE) == set()


def test_only_the_prefix_producer_is_added_by_the_loader():
    """Why the table declares the other producers itself."""
    loader = (SOURCES / "pkg" / "epp" / "config" / "loader" / "configloader.go").read_text()
    assert "ApproxPrefixCacheFactory" in loader
    assert "InFlightLoad" not in loader and "PredictedLatency" not in loader


# 2. The named profiles -------------------------------------------------------------------

def _chart_config(latency: bool) -> dict:
    """The chart's ``default-plugins.yaml`` for vLLM over HTTP, with the latency predictor
    on or off, as the chart renders it (``tests/gotemplate.py``)."""
    chart = CHART_DIRECTORIES["inferencepool"]
    values = set_value(chart.default_values(), "inferencePool.modelServers.matchLabels.app", "vllm")
    values = set_value(values, "inferenceExtension.latencyPredictor.enabled", "true" if latency else "false")
    (config_map,) = [obj for obj in chart.render(values, "pool", "default")
                     if obj["kind"] == "ConfigMap" and obj["metadata"]["name"] == "pool-epp"]
    return yaml.safe_load(config_map["data"]["default-plugins.yaml"])


def _chart_plugins_and_references(latency: bool) -> tuple[list[dict], list[dict]]:
    config = _chart_config(latency)
    plugins = [plugin for plugin in config["plugins"]
               if plugin["type"] not in ("metrics-data-source", "core-metrics-extractor")]
    return plugins, config["schedulingProfiles"][0]["plugins"]


def _our_plugins_and_references(profile: str) -> tuple[list[dict], list[dict]]:
    resolved = resolve_pool(SchedulingProps(profile=profile), RELEASE, [VllmModelServerProps()])
    config = yaml.safe_load(plugins_config(None, resolved))
    ours = [plugin for plugin in config["plugins"]
            if plugin["type"] not in ("metrics-data-source", "core-metrics-extractor")]
    return ours, config["schedulingProfiles"][0]["plugins"]


def test_balanced_is_the_charts_default_configuration():
    chart_plugins, chart_references = _chart_plugins_and_references(latency=False)
    ours, references = _our_plugins_and_references("balanced")
    assert ours == chart_plugins and references == chart_references
    assert chart_scheduling().uses == PROFILES["balanced"].uses


def test_latency_target_is_the_charts_latency_configuration():
    """The same profile; where the chart declares prefix-cache-scorer (unreferenced) only so
    that the loader adds the prefix producer, the producer is declared directly."""
    chart_plugins, chart_references = _chart_plugins_and_references(latency=True)
    ours, references = _our_plugins_and_references("latency-target")
    assert references == chart_references
    unreferenced = [{"type": "queue-scorer"}, {"type": "kv-cache-utilization-scorer"}, {"type": "prefix-cache-scorer"}]
    assert chart_plugins[:3] == unreferenced
    # The one parameter added: the predictor learns from streamed responses (scheduling.streaming).
    (producer,) = [plugin for plugin in ours if plugin["type"] == "predicted-latency-producer"]
    assert producer.pop("parameters") == {"streamingMode": True}
    key = lambda plugin: plugin.get("name", plugin["type"])  # noqa: E731
    assert sorted(ours, key=key) == sorted([*chart_plugins[3:], {"type": "approx-prefix-cache-producer"}], key=key)


def test_the_latency_sidecars_requests_quoted_are_the_charts_defaults():
    values = yaml.safe_load((CHART_CONFIG.parents[1] / "values.yaml").read_text())["latencyPredictor"]
    for sidecar, (cpu, memory) in LATENCY_SIDECAR_REQUESTS.items():
        assert values[sidecar]["resources"]["requests"] == {"cpu": cpu, "memory": memory}
    assert "2 CPU / 4Gi and 8 CPU / 4Gi" in " ".join(PROFILES["latency-target"].reasons)


@pytest.mark.parametrize("profile", NAMED)
def test_each_profile_is_a_consistent_picker_configuration(profile):
    resolved = resolve_pool(SchedulingProps(profile=profile), RELEASE, [VllmModelServerProps()])
    config = yaml.safe_load(plugins_config(None, resolved))
    names = [plugin.get("name", plugin["type"]) for plugin in config["plugins"]]
    assert len(names) == len(set(names))
    references = config["schedulingProfiles"][0]["plugins"]
    assert {reference["pluginRef"] for reference in references} <= set(names)
    kinds = {plugin.get("name", plugin["type"]): TABLE[plugin["type"]].kind
             for plugin in config["plugins"] if plugin["type"] in TABLE}
    assert sum(kinds[reference["pluginRef"]] == "picker" for reference in references) <= 1
    for reference in references:
        assert ("weight" in reference) <= (kinds[reference["pluginRef"]] == "scorer")
        assert reference.get("weight", 1) > 0
    for plugin in config["plugins"]:
        if plugin["type"] in TABLE:
            for key, value in plugin.get("parameters", {}).items():
                assert list(TABLE[plugin["type"]].parameters[key].problems(key, value)) == []
    # Every plugin reads data some plugin produces (the loader adds the prefix producer).
    present = {plugin["type"] for plugin in config["plugins"]}
    for plugin in present & set(TABLE):
        producer = TABLE[plugin].produced_by
        assert producer is None or producer in present or (
            producer == "approx-prefix-cache-producer" and "prefix-cache-scorer" in present)


@pytest.mark.parametrize("profile", NAMED)
def test_every_value_a_profile_sets_is_read_by_the_chart(profile):
    resolved = resolve_pool(SchedulingProps(profile=profile), RELEASE, [VllmModelServerProps()])
    values = picker_values(None, "v1.5.0", resolved)
    if profile == "balanced":
        assert values is None  # the chart's own configuration: nothing to set
        return
    paths = _leaves(yaml.safe_load(values))
    assert paths and all(read_by_a_template(path, _templates("inferencepool")) for path in paths)
    assert ("inferenceExtension.latencyPredictor.enabled" in paths) == (profile == "latency-target")


def test_the_profiles_weights_say_what_their_reasons_claim():
    def weights(profile):
        return {use.type: use.weight for use in PROFILES[profile].uses}
    shared = weights("shared-prefix")
    assert shared["prefix-cache-scorer"] > shared["queue-scorer"] + shared["kv-cache-utilization-scorer"]
    assert shared["prefix-cache-scorer"] / 2 < shared["queue-scorer"] + shared["kv-cache-utilization-scorer"]
    balanced = weights("balanced")
    assert balanced["prefix-cache-scorer"] < balanced["queue-scorer"] + balanced["kv-cache-utilization-scorer"]
    lora = weights("lora-adapters")
    load = lora["queue-scorer"] + lora["kv-cache-utilization-scorer"]
    assert load < lora["lora-affinity-scorer"] and 0.8 * lora["lora-affinity-scorer"] < load


# 3. What a user meets ----------------------------------------------------------------------

def test_the_default_is_balanced_and_writes_nothing_beyond_the_metric_names():
    assert InferenceGatewayV1Props().scheduling == SchedulingProps(profile="balanced")
    resolved = resolve_pool(SchedulingProps(), RELEASE, [VllmModelServerProps(image="vllm/vllm-openai:v0.10.0")])
    assert resolved.is_chart_default
    assert picker_values(PICKER_METRICS[RELEASE], "v1.5.0", resolved) is None


@pytest.mark.parametrize(("plugin", "field", "words"), [
    ({"type": "queue-scoer"}, "plugins[0].type", "did you mean queue-scorer?"),
    ({"type": "least-busy"}, "plugins[0].type", "use one of: kv-cache-utilization-scorer"),
    ({"type": "queue-scorer", "weight": 0}, "plugins[0].weight", "is not positive"),
    ({"type": "queue-scorer", "weight": -2}, "plugins[0].weight", "is not positive"),
    ({"type": "max-score-picker", "weight": 2}, "plugins[0].weight", "only scorers take a weight"),
    ({"type": "queue-scorer", "parameters": {"depth": 3}}, "plugins[0].parameters.depth",
     "the plugin takes no parameters"),
    ({"type": "prefix-cache-scorer", "parameters": {"lruCapacity": 3}}, "plugins[0].parameters.lruCapacity",
     "did you mean lruCapacityPerServer?"),
    ({"type": "prefix-cache-scorer", "parameters": {"blockSize": 64}}, "plugins[0].parameters.blockSize",
     "give blockSizeTokens"),
    ({"type": "prefix-cache-scorer", "parameters": {"blockSizeTokens": "16"}},
     "plugins[0].parameters.blockSizeTokens", "must be a whole number"),
    ({"type": "prefix-cache-scorer", "parameters": {"autoTune": "yes"}}, "plugins[0].parameters.autoTune",
     "must be true or false"),
    ({"type": "prefix-cache-scorer", "parameters": {"blockSizeTokens": 0}},
     "plugins[0].parameters.blockSizeTokens", "is outside [1, inf)"),
    ({"type": "prefix-cache-affinity-filter", "parameters": {"affinityThreshold": 1.5}},
     "plugins[0].parameters.affinityThreshold", "is outside (0, 1]"),
    ({"type": "latency-scorer", "parameters": {"headroomSelectionStrategy": "fastest"}},
     "plugins[0].parameters.headroomSelectionStrategy", "use one of: least, most"),
    ({"type": "approx-prefix-cache-producer"}, "plugins[0].type", "declares itself where needed"),
    ({"type": "predicted-latency-scorer"}, "plugins[0].type", "use profile latency-target"),
    ({"type": "openai-parser"}, "plugins[0].type", "is not a scheduling plugin"),
    ({"type": "queue-scorer", "name": "metrics-data-source"}, "plugins[0].name", "is the name of another plugin"),
    ({"type": "queue-scorer", "name": "max-score-picker"}, "plugins[0].name", "is the name of another plugin"),
])
def test_a_custom_plugin_the_picker_would_ignore_or_refuse_is_one_line(plugin, field, words):
    (problem,) = _problems(_custom(plugin))
    assert problem.field == f"gateway.scheduling.{field}"
    assert words in problem.render() and "\n" not in problem.render()


def test_every_problem_of_a_custom_profile_is_reported_at_once():
    problems = _problems(_custom({"type": "queue-scoer"}, {"type": "queue-scorer", "weight": 0},
                                 {"type": "random-picker"}, {"type": "max-score-picker"},
                                 {"type": "queue-scorer", "name": "random-picker"}))
    fields = [problem.field for problem in problems]
    assert fields == ["gateway.scheduling.plugins[0].type", "gateway.scheduling.plugins[1].weight",
                      "gateway.scheduling.plugins[4]", "gateway.scheduling.plugins[4].name",
                      "gateway.scheduling.plugins"]
    assert "plugin name" in problems[2].render() and "more than one picker" in problems[4].render()


def test_one_prefix_index_means_one_set_of_prefix_parameters():
    (problem,) = _problems(_custom({"type": "prefix-cache-scorer", "parameters": {"blockSizeTokens": 32}},
                                   {"type": "prefix-cache-scorer", "name": "again"}))
    assert problem.field == "gateway.scheduling.plugins" and "last entry's parameters" in problem.message
    from_mapping(AppConfig, {"gateway": {"api_version": "v1", **_custom(
        {"type": "prefix-cache-scorer", "weight": 2}, {"type": "prefix-cache-scorer", "name": "b", "weight": 1})}})


def test_plugins_belong_to_custom_and_custom_needs_plugins():
    (problem,) = _problems({"scheduling": {"profile": "custom"}})
    assert problem.field == "gateway.scheduling.plugins" and "list the plugins" in problem.render()
    (problem,) = _problems({"scheduling": {"profile": "shared-prefix", "plugins": [{"type": "queue-scorer"}]}})
    assert problem.field == "gateway.scheduling.plugins" and "set profile: custom" in problem.render()
    (problem,) = _problems({"scheduling": {"profile": "fastest"}})
    assert problem.field == "gateway.scheduling.profile" and "'latency-target'" in problem.render()


def test_the_module_path_refuses_scheduling_with_the_v1_path_as_the_fix():
    with pytest.raises(ConfigError) as caught:
        from_mapping(AppConfig, {"gateway": {"scheduling": {"profile": "lora-adapters"}}})
    (problem,) = caught.value.problems
    assert problem.field == "gateway.scheduling.profile"
    assert "v0.3.0 endpoint picker" in problem.message and "api_version: v1" in problem.fix


def test_parameters_take_any_json_value_but_their_keys_are_strings():
    assert describe(get_type_hints(PluginEntry)["parameters"]) == "a mapping of strings to values"
    entry = from_mapping(PluginEntry, {"type": "queue-scorer", "parameters": {"a": [1], "b": {"c": 2}}})
    assert entry.parameters == {"a": [1], "b": {"c": 2}}
    with pytest.raises(ConfigError) as caught:
        from_mapping(PluginEntry, {"type": "queue-scorer", "parameters": {1: 2}})
    assert "has a key that is not a string" in caught.value.problems[0].render()


# 4. Consistent with the servers ------------------------------------------------------------

VLLM = FIXTURES / "upstream" / "vllm" / "0.8.5" / "vllm"


def test_the_vllm_facts_the_profiles_rely_on_are_vllms():
    """At 0.8.5, the default image's release: the V1 engine caches prefixes unless told
    not to, boolean flags take a ``--no-`` form, and CUDA blocks are 16 tokens."""
    arguments = (VLLM / "engine" / "arg_utils.py").read_text()
    v1_defaults = arguments[arguments.index("def _set_default_args_v1"):]
    assert "if self.enable_prefix_caching is None:\n            self.enable_prefix_caching = True" in v1_defaults
    assert 'cache_group.add_argument("--enable-prefix-caching"' in arguments
    assert 'kwargs[name]["action"] = argparse.BooleanOptionalAction' in arguments
    cuda = (VLLM / "platforms" / "cuda.py").read_text()
    assert f"cache_config.block_size = {VLLM_DEFAULT_BLOCK_SIZE}" in cuda
    assert "cache_group.add_argument('--block-size'" in arguments


def test_a_profile_that_relies_on_prefix_caching_refuses_a_server_that_turns_it_off():
    off = [{"extra_args": ["--no-enable-prefix-caching"]}]
    for profile in ("balanced", "shared-prefix", "latency-target"):
        (problem,) = _problems({"scheduling": {"profile": profile}}, off)
        assert problem.field == "gateway.scheduling.profile"
        assert "vllm-llama3-8b-instruct turns off with --no-enable-prefix-caching" in problem.message
    # lora-adapters does not index prefixes, so the server may turn caching off.
    from_mapping(AppConfig, {"model_servers": off,
                             "gateway": {"api_version": "v1", "scheduling": {"profile": "lora-adapters"}}})


def test_lora_adapters_needs_a_pool_that_serves_adapters():
    (problem,) = _problems({"scheduling": {"profile": "lora-adapters"}}, [{"adapters": []}])
    assert problem.field == "gateway.scheduling.profile" and f"pool {POOL} serves none" in problem.message
    # A pool of servers this app does not deploy, with its adapters named, is accepted.
    gateway = InferenceGatewayV1Props(
        scheduling=SchedulingProps(profile="lora-adapters"),
        inference_pools=(InferencePoolSpec(name="byo", match_labels={"app": "byo"}, base_model="m",
                                           adapters=("a",)),))
    assert gateway.scheduling_problems(gateway.inference_pools, []) == []


def test_the_prefix_block_size_follows_the_servers():
    server = VllmModelServerProps(extra_args=("--block-size", "32"))
    resolved = resolve_pool(SchedulingProps(profile="shared-prefix"), RELEASE, [server])
    (scorer,) = [use for use in resolved.uses if use.type == "prefix-cache-scorer"]
    assert scorer.parameters == {"blockSizeTokens": 32}
    assert any("blockSizeTokens = 32 <- --block-size 32 on the servers" in step for step in resolved.derivations)
    default = resolve_pool(SchedulingProps(profile="shared-prefix"), RELEASE, [VllmModelServerProps()])
    assert [use.parameters for use in default.uses if use.type == "prefix-cache-scorer"] == [{}]
    explicit = SchedulingProps(profile="custom", plugins=(
        PluginEntry(type="prefix-cache-scorer", parameters={"blockSizeTokens": 64}),))
    kept = resolve_pool(explicit, RELEASE, [server])
    assert kept.uses[0].parameters == {"blockSizeTokens": 64}


def test_servers_of_one_pool_with_different_block_sizes_are_refused():
    servers = [{"name": "a", "labels": {"pool": "p"}, "extra_args": ["--block-size=16"]},
               {"name": "b", "labels": {"pool": "p"}, "extra_args": ["--block-size", "32"],
                "adapters_config_map": "b-adapters"}]
    problems = _problems({"scheduling": {"profile": "shared-prefix"},
                          "inference_pools": [{"name": "p", "match_labels": {"pool": "p"}}]}, servers)
    assert [problem.field for problem in problems] == ["gateway.scheduling.profile"]
    assert "--block-size differs between the servers (16, 32;" in problems[0].message
    # A server without the flag has vLLM's 16, which differs from another's 32.
    servers[0]["extra_args"] = []
    (problem,) = _problems({"scheduling": {"profile": "shared-prefix"},
                            "inference_pools": [{"name": "p", "match_labels": {"pool": "p"}}]}, servers)
    assert "(16, 32; a server without it uses 16)" in problem.message


def test_a_derived_block_size_meets_the_parameters_range():
    (problem,) = _problems({"scheduling": {"profile": "shared-prefix"}}, [{"extra_args": ["--block-size", "0"]}])
    assert problem.field == "gateway.scheduling.profile"
    assert "derives blockSizeTokens 0" in problem.message and "--block-size 0 on the servers" in problem.message
    assert "outside [1, inf)" in problem.message


def test_a_metric_the_servers_vllm_does_not_emit_is_refused():
    server = VllmModelServerProps()
    resolved = resolve_pool(SchedulingProps(profile="lora-adapters"), RELEASE, [server])
    pool = InferencePoolSpec(name=POOL, match_labels={"app": POOL})
    metrics = {"queue": "q", "kv_cache": "k", "running": "r", "cache_info": "c", "lora": ""}
    (problem,) = pool_scheduling_problems(SchedulingProps(profile="lora-adapters"), RELEASE, resolved, pool, [server],
                                          metrics)
    assert "LoRA info gauge" in problem.message and f"pool {POOL}" in problem.message
    assert pool_scheduling_problems(SchedulingProps(profile="lora-adapters"), RELEASE, resolved, pool, [server],
                                    {**metrics, "lora": "vllm:lora_requests_info"}) == []


def test_a_declared_prefix_producer_gets_the_servers_block_size_and_the_predictor_its_mode():
    server = VllmModelServerProps(extra_args=("--block-size", "32"))
    resolved = resolve_pool(SchedulingProps(profile="latency-target"), RELEASE, [server])
    by_type = {use.type: use for use in resolved.uses}
    assert by_type["approx-prefix-cache-producer"].parameters == {"blockSizeTokens": 32}
    assert by_type["predicted-latency-producer"].parameters == {"streamingMode": True}
    whole = resolve_pool(SchedulingProps(profile="latency-target", streaming=False), RELEASE, [server])
    assert {use.type: use for use in whole.uses}["predicted-latency-producer"].parameters == {}


def test_the_latency_plugins_need_the_gauges_the_predictor_reads():
    resolved = resolve_pool(SchedulingProps(profile="latency-target"), RELEASE, [VllmModelServerProps()])
    assert {"kv_cache", "queue", "running", "latency_predictor"} <= resolved.needs
    prediction = (PLUGIN_SOURCES / "requestcontrol/requestdataproducer/predictedlatency/plugin.go").read_text()
    assert "StreamingMode:                      false," in prediction  # why the app sets it


def test_producers_are_declared_beside_the_plugins_that_read_them():
    token = resolve_pool(SchedulingProps(profile="custom", plugins=(PluginEntry(type="token-load-scorer"),)),
                         RELEASE, [])
    assert [use.type for use in token.uses] == ["token-load-scorer", "inflight-load-producer"]
    assert not token.latency_predictor
    latency = resolve_pool(SchedulingProps(profile="custom", plugins=(PluginEntry(type="latency-scorer"),)),
                           RELEASE, [])
    assert [use.type for use in latency.uses] == [
        "latency-scorer", "predicted-latency-producer", "approx-prefix-cache-producer"]
    assert latency.latency_predictor
    prefix = resolve_pool(SchedulingProps(profile="custom", plugins=(
        PluginEntry(type="prefix-cache-scorer"), PluginEntry(type="prefix-cache-affinity-filter"))), RELEASE, [])
    assert "approx-prefix-cache-producer" not in [use.type for use in prefix.uses]  # the loader adds it


# 5. Wired into the chart, and explained --------------------------------------------------

@pytest.fixture(scope="module")
def latency_stacks(tmp_path_factory):
    return synth(AppConfig(gateway=_gateway(profile="latency-target")), tmp_path_factory.mktemp("scheduling"))


def test_the_pools_helm_release_carries_the_profile_and_the_predictor(latency_stacks):
    release = by_path(latency_stacks["inference-gateway"], "helm_release")[f"inference-gateway/pool-{POOL}"]
    (document,) = release["values"]
    assert yaml.safe_load(document)["inferenceExtension"]["latencyPredictor"] == {"enabled": True}
    config = _config_of(document)
    assert config["schedulingProfiles"][0]["plugins"][-1] == {"pluginRef": "weighted-random-picker"}
    # The metric names of the tutorial's vLLM are kept beside the profile.
    (extractor,) = [plugin for plugin in config["plugins"] if plugin["type"] == "core-metrics-extractor"]
    assert extractor["parameters"]["engineConfigs"][0]["kvUsageSpec"] == "vllm:gpu_cache_usage_perc"


def test_explain_says_why_each_profile_weighs_what_it_does():
    text = explain_config(AppConfig(model_servers=(VllmModelServerProps(extra_args=("--block-size", "32")),),
                                    gateway=_gateway(profile="shared-prefix")))
    assert "gateway scheduling: profile shared-prefix" in text
    assert "runs: prefix-cache-scorer x4, queue-scorer x2, kv-cache-utilization-scorer x1, max-score-picker" in text
    assert all(f"why: {reason}" in text for reason in PROFILES["shared-prefix"].reasons)
    assert "needs vLLM automatic prefix caching on the servers: on" in text
    assert "needs the servers' KV-cache usage gauge: vllm:gpu_cache_usage_perc" in text
    assert "derived: prefix-cache-scorer.blockSizeTokens = 32 <- --block-size 32" in text
    latency = explain_config(AppConfig(gateway=_gateway(profile="latency-target")))
    assert all(header in latency for header in SLO_HEADERS)
    assert "approx-prefix-cache-producer declared" in latency and "streamingMode = true" in latency
    assert "runs: strict-affinity-filter, slo-headroom-tier-filter, loose-affinity-filter, latency-scorer x1, " \
           "weighted-random-picker\n" in latency + "\n"
    whole = explain_config(AppConfig(gateway=_gateway(profile="latency-target", streaming=False)))
    assert "x-slo-ttft-ms (end-to-end)" in whole and "x-slo-tpot-ms" not in whole.split("clients:")[1]
    module = explain_config(AppConfig())
    assert "profiles need api_version: v1" in module


def test_the_lora_profile_counts_the_adapters_it_relies_on():
    server = VllmModelServerProps(adapters=(LoraAdapter(id="a", source="org/a"), LoraAdapter(id="b", source="org/b")))
    text = explain_config(AppConfig(model_servers=(server,), gateway=_gateway(profile="lora-adapters")))
    assert "needs LoRA adapters on the servers: 2 adapters" in text


def test_the_manuals_examples_are_valid_configurations():
    text = (Path(__file__).resolve().parents[1] / "docs" / "scheduling.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 2
    for block in blocks:
        config = from_mapping(AppConfig, yaml.safe_load(block))
        assert isinstance(config.gateway, InferenceGatewayV1Props)
    custom = from_mapping(AppConfig, yaml.safe_load(blocks[1])).gateway
    uses = custom.pool_scheduling(custom.resolve(AppConfig().model_servers).pools[0], AppConfig().model_servers).uses
    assert [use.type for use in uses][-1] == "inflight-load-producer"
