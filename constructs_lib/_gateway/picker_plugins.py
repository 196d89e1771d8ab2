"""The endpoint picker's plugins, by picker release: their types, parameters, and what
each one needs to see, so that a scheduling profile is checked before it reaches a picker
that would ignore a typo.

The picker decodes each plugin's ``parameters`` with Go's ``json.Unmarshal`` into the
plugin's config struct, which drops unknown keys without a word; a plugin that consumes
data nobody produces scores every pod the same, also without a word. The table below is
what stands between a misspelt parameter and a silently different scheduler.

Each entry names its source at the release's tag (paths under
``pkg/epp/framework/plugins/`` of gateway-api-inference-extension, registered in
``cmd/epp/runner/runner.go``); a test reads those sources and holds the table to them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Literal

from constructs_lib._core.errors import Problem
from constructs_lib._core.props import type_problems
from constructs_lib._core.releases import Version

#: Where a plugin acts: filters narrow the candidates, scorers rank them (weighted), the
#: picker chooses; producers compute per-request data for the others; an admitter may
#: reject a request before scheduling.
PluginKind = Literal["filter", "scorer", "picker", "producer", "admitter"]

#: What a plugin needs beyond itself: a model-server metric role (as in
#: ``picker_config.MetricRole``), a server feature, or the latency predictor sidecars.
Need = Literal["queue", "running", "kv_cache", "lora", "prefix_caching", "lora_adapters", "latency_predictor"]


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One parameter of a plugin's config struct: its JSON type and the range the plugin
    accepts (or, where the plugin silently falls back to a default, the range in which the
    value means what it says)."""

    kind: type
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()

    def problems(self, field: str, value: object) -> Iterator[Problem]:
        wrong_type = type_problems(value, self.kind, field)
        if wrong_type:
            yield from wrong_type
            return
        if self.choices and value not in self.choices:
            yield Problem(field, value, "is not accepted by the plugin", f"use one of: {', '.join(self.choices)}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            low_ok = self.minimum is None or (value > self.minimum if self.exclusive_minimum else value >= self.minimum)
            high_ok = self.maximum is None or value <= self.maximum
            if not (low_ok and high_ok):
                yield Problem(field, value, f"is outside {self.range_text()}", f"give a value in {self.range_text()}")

    def range_text(self) -> str:
        low = "(-inf" if self.minimum is None else f"{'(' if self.exclusive_minimum else '['}{self.minimum:g}"
        high = "inf)" if self.maximum is None else f"{self.maximum:g}]"
        return f"{low}, {high}"


@dataclasses.dataclass(frozen=True)
class PluginType:
    """A plugin type a picker release registers.

    Attributes:
        kind: where it acts.
        source: its Go source at the release's tag, under ``pkg/epp/framework/plugins/``.
        parameters: its config struct's JSON keys.
        needs: metrics, server features or sidecars without which it scores blind.
        produced_by: the producer type whose data it consumes, declared beside it when the
            configuration lacks one (the loader adds a producer only for
            ``prefix-cache-scorer``: ``pkg/epp/config/loader/configloader.go``).
    """

    kind: PluginKind
    source: str
    parameters: Mapping[str, Parameter] = dataclasses.field(default_factory=dict)
    needs: frozenset[Need] = frozenset()
    produced_by: str | None = None


_FRACTION = Parameter(float, 0.0, 1.0)
_NON_NEGATIVE = Parameter(float, 0.0)
_COUNT = Parameter(int, 1)
_PICKER = {"maxNumOfEndpoints": _COUNT}
#: The approximate prefix index's settings, which ``prefix-cache-scorer`` passes on to its
#: producer (``requestcontrol/dataproducer/approximateprefix/types.go``); ``blockSize``
#: (characters) is refused by that producer in favour of ``blockSizeTokens``.
_PREFIX_INDEX = {
    "autoTune": Parameter(bool),
    "blockSizeTokens": _COUNT,
    "maxPrefixBlocksToMatch": _COUNT,
    "maxPrefixTokensToMatch": Parameter(int, 0),
    "lruCapacityPerServer": _COUNT,
}
APPROX_PREFIX_PRODUCER = "approx-prefix-cache-producer"
LATENCY_PRODUCER = "predicted-latency-producer"
INFLIGHT_PRODUCER = "inflight-load-producer"

_V1_5_0: dict[str, PluginType] = {
    "queue-scorer": PluginType("scorer", "scheduling/scorer/queuedepth/queue.go", needs=frozenset({"queue"})),
    "kv-cache-utilization-scorer": PluginType(
        "scorer", "scheduling/scorer/kvcacheutilization/kvcache_utilization.go", needs=frozenset({"kv_cache"})),
    "running-requests-size-scorer": PluginType(
        "scorer", "scheduling/scorer/runningrequests/runningrequest.go", needs=frozenset({"running"})),
    "lora-affinity-scorer": PluginType(
        "scorer", "scheduling/scorer/loraaffinity/lora_affinity.go", needs=frozenset({"lora", "lora_adapters"})),
    "prefix-cache-scorer": PluginType(
        "scorer", "scheduling/scorer/prefix/plugin.go", _PREFIX_INDEX, frozenset({"prefix_caching"})),
    "token-load-scorer": PluginType(
        "scorer", "scheduling/scorer/tokenload/token_load.go", {"queueThresholdTokens": _COUNT},
        produced_by=INFLIGHT_PRODUCER),
    "latency-scorer": PluginType(
        "scorer", "scheduling/scorer/latency/plugin.go",
        {"ttftWeight": _NON_NEGATIVE, "tpotWeight": _NON_NEGATIVE,
         "headroomSelectionStrategy": Parameter(str, choices=("least", "most")),
         "compositeKVWeight": _NON_NEGATIVE, "compositeQueueWeight": _NON_NEGATIVE,
         "compositePrefixWeight": _NON_NEGATIVE},
        # Its fallback without predictions weighs KV cache and queue (compositeScores).
        frozenset({"latency_predictor", "kv_cache", "queue"}), LATENCY_PRODUCER),
    "prefix-cache-affinity-filter": PluginType(
        "filter", "scheduling/filter/prefixcacheaffinity/plugin.go",
        {"affinityThreshold": Parameter(float, 0.0, 1.0, exclusive_minimum=True),
         "explorationProbability": _FRACTION, "maxTTFTPenaltyMs": _NON_NEGATIVE},
        frozenset({"prefix_caching"}), APPROX_PREFIX_PRODUCER),
    "slo-headroom-tier-filter": PluginType(
        "filter", "scheduling/filter/sloheadroomtier/plugin.go", {"epsilonExploreNeg": _FRACTION},
        frozenset({"latency_predictor"}), LATENCY_PRODUCER),
    "max-score-picker": PluginType("picker", "scheduling/picker/max_score_picker.go", _PICKER),
    "random-picker": PluginType("picker", "scheduling/picker/random_picker.go", _PICKER),
    "weighted-random-picker": PluginType("picker", "scheduling/picker/weighted_random_picker.go", _PICKER),
    "latency-slo-admitter": PluginType(
        "admitter", "requestcontrol/admitter/latencyslo/plugin.go",
        needs=frozenset({"latency_predictor", "kv_cache", "running"}), produced_by=LATENCY_PRODUCER),
    APPROX_PREFIX_PRODUCER: PluginType(
        "producer", "requestcontrol/dataproducer/approximateprefix/plugin.go", _PREFIX_INDEX,
        frozenset({"prefix_caching"})),
    INFLIGHT_PRODUCER: PluginType("producer", "requestcontrol/requestdataproducer/inflightload/producer.go"),
    LATENCY_PRODUCER: PluginType(
        "producer", "requestcontrol/requestdataproducer/predictedlatency/plugin.go",
        {"samplingMean": Parameter(float, 0.0, exclusive_minimum=True),
         "maxDecodeTokenSamplesForPrediction": Parameter(int, 0),
         "sloBufferFactor": Parameter(float, 0.0, exclusive_minimum=True),
         "contextTTL": Parameter(int, 1),  # a Go time.Duration: nanoseconds in JSON
         "streamingMode": Parameter(bool), "endpointRoleLabel": Parameter(str),
         "predictInPrepareData": Parameter(bool)},
        # The predictor's features: KV cache, waiting queue, running requests (prediction.go).
        frozenset({"latency_predictor", "kv_cache", "queue", "running"}), APPROX_PREFIX_PRODUCER),
}

#: The plugin types each picker release registers that a scheduling profile may use.
PLUGINS_BY_RELEASE: dict[Version, Mapping[str, PluginType]] = {(1, 5, 0): _V1_5_0}

#: Types the release registers that no profile here offers: (why, what to do instead).
NOT_OFFERED: dict[str, tuple[str, str]] = {
    "predicted-latency-scorer": ("is the all-in-one latency plugin, which the chart's latency configuration "
                                 "no longer uses",
                                 "use profile latency-target (predicted-latency-producer with latency-scorer)"),
    "single-profile-handler": ("is added by the picker itself when there is one profile", "remove it"),
}
#: Parameters that would not do what they say: (why, what to do instead).
REFUSED_PARAMETERS: dict[str, tuple[str, str]] = {
    "blockSize": ("counts characters and is deprecated: the prefix index ignores it while blockSizeTokens "
                  "is set, which it is by default (16), and refuses to start when blockSizeTokens is not",
                  "give blockSizeTokens (tokens) instead"),
}
#: The other types the release registers (``cmd/epp/runner/runner.go``, and two eviction
#: policies registered by their packages): data sources, parsers, saturation detectors,
#: flow-control policies and test plugins, none of them part of a scheduling profile.
OTHER_REGISTERED = (
    "metrics-data-source", "core-metrics-extractor", "k8s-notification-source", "endpoint-notification-source",
    "openai-parser", "vllmgrpc-parser", "passthrough-parser", "concurrency-detector", "utilization-detector",
    "global-strict-fairness-policy", "round-robin-fairness-policy", "fcfs-ordering-policy", "edf-ordering-policy",
    "slo-deadline-ordering-policy", "static-usage-limit-policy", "request-attribute-reporter",
    "header-based-testing-filter", "destination-endpoint-served-verifier",
    "eviction-sheddable-filter", "eviction-priority-then-time-ordering",
)

#: What a user reads for each need in an error or in ``--explain``.
NEED_WORDS: dict[Need, str] = {
    "queue": "the servers' waiting-queue gauge",
    "running": "the servers' running-requests gauge",
    "kv_cache": "the servers' KV-cache usage gauge",
    "lora": "the servers' LoRA info gauge (vllm:lora_requests_info)",
    "prefix_caching": "vLLM automatic prefix caching on the servers",
    "lora_adapters": "LoRA adapters on the servers",
    "latency_predictor": "the latency predictor sidecars (the chart's inferenceExtension.latencyPredictor)",
}


def plugins_of(release: Version) -> Mapping[str, PluginType]:
    """The table for a picker release; every release the package installs has one."""
    return PLUGINS_BY_RELEASE[release]
