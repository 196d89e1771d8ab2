"""Which model-server metrics the endpoint picker reads, which ones vLLM emits, and the
picker configuration that makes the two agree.

The picker routes on what it scrapes from each server's ``/metrics``: the queue length,
the running requests, the KV-cache utilisation, the loaded LoRA adapters and the cache
geometry. A name the server does not emit reads as 0 (and logs an error on every scrape),
so the KV-cache scorer loses its signal without any visible failure. The tables below
hold the names with their sources, so a test can hold each picker release against each
vLLM release the package deploys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import yaml

from constructs_lib._core.metric_names import VllmMetrics, image_version, vllm_metrics
from constructs_lib._core.releases import Version, release_number
from constructs_lib._gateway.scheduling_profiles import PluginUse, PoolScheduling, chart_scheduling

#: What each metric tells the picker. The keys of the picker's ``engineConfigs`` entry
#: for each role are in :data:`ENGINE_CONFIG_KEYS`.
MetricRole = Literal["queue", "running", "kv_cache", "lora", "cache_info"]

#: The names each endpoint-picker release reads by default.
#: - v0.3.0 (the ai-on-gke module's chart): flags ``totalQueuedRequestsMetric``,
#:   ``kvCacheUsagePercentageMetric``, ``loraInfoMetric``
#:   (GIE@v0.3.0:cmd/epp/main.go:94-104); it reads no running or cache-info metric.
#: - v1.5.0 (the v1 path's chart): the ``core-metrics-extractor`` plugin's built-in
#:   ``vllm`` engine (GIE@v1.5.0:pkg/epp/framework/plugins/datalayer/extractor/metrics/
#:   factories.go, ``defaultEngineConfigs``).
PICKER_METRICS: dict[Version, dict[MetricRole, str]] = {
    (0, 3, 0): {
        "queue": "vllm:num_requests_waiting",
        "kv_cache": "vllm:gpu_cache_usage_perc",
        "lora": "vllm:lora_requests_info",
    },
    (1, 5, 0): {
        "queue": "vllm:num_requests_waiting",
        "running": "vllm:num_requests_running",
        "kv_cache": "vllm:kv_cache_usage_perc",
        "lora": "vllm:lora_requests_info",
        "cache_info": "vllm:cache_config_info",
    },
}

#: The names each vLLM release emits for those roles come from the one table of vLLM's
#: metric names, ``_core/metric_names.VLLM_METRICS_BY_VERSION`` (keyed by release), held to
#: vLLM's V1 metrics logger (``vllm/v1/metrics/loggers.py``, test data from the release
#: wheels): the queue, running and KV gauges are ``vllm:num_requests_waiting``,
#: ``vllm:num_requests_running`` and ``vllm:gpu_cache_usage_perc``, with
#: ``vllm:kv_cache_usage_perc`` from 0.9.2. ``vllm:cache_config_info`` is always defined;
#: ``vllm:lora_requests_info`` only when the server runs with LoRA enabled, so a pool without
#: adapters costs the picker a "metric family not found" log line, not a wrong signal.
def _roles(names: VllmMetrics) -> dict[MetricRole, str]:
    return {"queue": names.queue_depth, "running": names.running, "kv_cache": names.kv_cache_usage,
            "lora": names.lora_info, "cache_info": names.cache_info}


#: ``engineConfigs`` field for each role (GIE@v1.5.0 factories.go, ``engineConfigParams``).
ENGINE_CONFIG_KEYS: dict[MetricRole, str] = {
    "queue": "queuedRequestsSpec",
    "running": "runningRequestsSpec",
    "kv_cache": "kvUsageSpec",
    "lora": "loraSpec",
    "cache_info": "cacheInfoSpec",
}

#: The file the v1 path adds to the picker's ConfigMap (``pluginsCustomConfig``).
PLUGINS_FILE = "vllm-metrics.yaml"

def served_metrics(images: Sequence[str]) -> dict[MetricRole, str] | None:
    """The metric names the servers behind one pool emit, when every image names its vLLM
    release and they agree; ``None`` when that is unknown."""
    versions = [image_version(image) for image in images]
    found = [_roles(vllm_metrics(version)) for version in versions if version is not None]
    if not found or len(found) < len(images):
        return None
    first = found[0]
    return first if all(names == first for names in found) else None


def averaged_kv_cache_metric(picker_release: Version, images: Sequence[str], follows_servers: bool) -> str | None:
    """The vLLM gauge behind the picker's ``inference_pool_average_kv_cache_utilization``:
    the servers' own name where the picker is configured with it (the v1 path, see
    :func:`picker_values`), else the release's default; ``None`` when unknown."""
    served = served_metrics(images) if follows_servers else None
    if served is not None:
        return served["kv_cache"]
    return PICKER_METRICS.get(picker_release, {}).get("kv_cache")


def _plugin_entry(use: PluginUse) -> dict[str, object]:
    entry: dict[str, object] = {"name": use.name} if use.name is not None else {}
    entry["type"] = use.type
    if use.parameters:
        entry["parameters"] = dict(use.parameters)
    return entry


def _weight(value: float) -> float | int:
    """Whole weights written as the chart writes them (``2``, not ``2.0``)."""
    return int(value) if float(value).is_integer() else value


def plugins_config(metrics: Mapping[MetricRole, str] | None, scheduling: PoolScheduling | None = None) -> str:
    """The picker's ``EndpointPickerConfig``: the scheduling plugins of the pool's profile
    (the chart's ``default-plugins.yaml`` for vLLM over HTTP when ``None``,
    GIE@v1.5.0:config/charts/epplib/templates/_config.yaml), then the metrics source and
    the ``core-metrics-extractor``, told the names the servers emit when ``metrics`` is given.

    A user-defined ``vllm`` engine replaces the built-in one whole (factories.go, the
    built-ins are appended only for names not defined), so every role is given.
    """
    scheduling = scheduling if scheduling is not None else chart_scheduling()
    extractor: dict[str, object] = {"type": "core-metrics-extractor"}
    if metrics is not None:
        engine = {"name": "vllm", **{ENGINE_CONFIG_KEYS[role]: metrics.get(role, "") for role in ENGINE_CONFIG_KEYS}}
        extractor["parameters"] = {"engineConfigs": [engine]}
    references = [{"pluginRef": use.instance, **({"weight": _weight(use.weight)} if use.weight is not None else {})}
                  for use in scheduling.uses if use.in_profile]
    config = {
        "apiVersion": "inference.networking.x-k8s.io/v1alpha1",
        "kind": "EndpointPickerConfig",
        "plugins": [
            *(_plugin_entry(use) for use in scheduling.uses),
            {"type": "metrics-data-source",
             "parameters": {"scheme": "http", "path": "/metrics", "insecureSkipVerify": True}},
            extractor,
        ],
        "schedulingProfiles": [{"name": "default", "plugins": references}],
    }
    return yaml.safe_dump(config, sort_keys=False)


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks, so the values read like the chart's."""


def _block(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_BlockDumper.add_representer(str, _block)


def picker_values(metrics: Mapping[MetricRole, str] | None, picker_release: str,
                  scheduling: PoolScheduling | None = None) -> str | None:
    """Chart values (YAML) pointing the picker at :func:`plugins_config`, or ``None`` when
    the chart's own configuration already fits: the servers' names unknown or the picker's
    defaults, and the chart's scheduling. The latency profiles add the predictor sidecars."""
    if metrics is not None and dict(metrics) == PICKER_METRICS[release_number(picker_release)]:
        metrics = None
    if metrics is None and (scheduling is None or scheduling.is_chart_default):
        return None
    values: dict[str, object] = {
        "pluginsConfigFile": PLUGINS_FILE,
        "pluginsCustomConfig": {PLUGINS_FILE: plugins_config(metrics, scheduling)},
    }
    if scheduling is not None and scheduling.latency_predictor:
        values["latencyPredictor"] = {"enabled": True}
    return yaml.dump({"inferenceExtension": values}, Dumper=_BlockDumper, sort_keys=False)
