"""The named scheduling profiles, why each weighs what it does, and each one resolved for
one pool: parameters derived from the pool's servers, the producers its plugins read from,
and the server features it relies on.

How the picker combines plugins (GIE@v1.5.0 ``pkg/epp/scheduling/scheduler_profile.go``):
filters narrow the candidates, each scorer gives every candidate a score clamped to
[0, 1], the scores are multiplied by their weights and summed, and the picker chooses
(``max-score-picker``, the default, takes the highest sum and breaks ties at random).
So a weight is a budget: a scorer whose weight exceeds the sum of the others' can
overrule them all at its best. The weights of ``balanced`` are the chart's
(``config/charts/epplib/templates/_config.yaml``); the others are this package's choice,
argued below from that rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from constructs_lib._core.errors import Problem
from constructs_lib._core.releases import DEFAULT_CHART_VERSION, Version, release_number
from constructs_lib._gateway.picker_plugins import (
    APPROX_PREFIX_PRODUCER,
    LATENCY_PRODUCER,
    NEED_WORDS,
    Need,
    PluginType,
    plugins_of,
)
from constructs_lib._gateway.pools import InferencePoolSpec
from constructs_lib._gateway.scheduling_props import SchedulingProps, flag_values
from constructs_lib._model_server.server_props import VllmModelServerProps

#: vLLM's KV-cache block size on GPUs when ``--block-size`` is not given, and the prefix
#: index's own default (``approximateprefix/types.go``, ``defaultBlockSizeTokens``).
VLLM_DEFAULT_BLOCK_SIZE = 16
#: The flag that turns vLLM's automatic prefix caching off; the V1 engine, which the
#: Deployment selects (``VLLM_USE_V1=1``), has it on by default.
PREFIX_CACHING_OFF = "--no-enable-prefix-caching"
#: The chart value that adds the latency predictor's training and prediction sidecars.
LATENCY_PREDICTOR_VALUE = "inferenceExtension.latencyPredictor.enabled"
#: The sidecars' requests in the chart's defaults (``config/charts/epplib/values.yaml``).
LATENCY_SIDECAR_REQUESTS = {"trainingServer": ("2000m", "4Gi"), "predictionServers": ("8000m", "4Gi")}
#: The request headers that carry a request's latency targets, in milliseconds
#: (``requestcontrol/admitter/latencyslo/plugin.go``).
SLO_HEADERS = ("x-slo-ttft-ms", "x-slo-tpot-ms")
PREFIX_SCORER = "prefix-cache-scorer"
#: Needs met by a gauge of the servers. Every vLLM release in the metric table emits all of
#: them (the LoRA gauge only with LoRA on, which ``lora_adapters`` checks), so the check
#: below guards against a future row of the table, not a present one.
METRIC_NEEDS = ("queue", "running", "kv_cache", "lora")


@dataclasses.dataclass(frozen=True)
class PluginUse:
    """One plugin instance in a picker configuration."""

    type: str
    name: str | None = None
    weight: float | None = None
    parameters: Mapping[str, object] = dataclasses.field(default_factory=dict)
    #: Whether the scheduling profile references it (admitters act outside the profile).
    in_profile: bool = True

    @property
    def instance(self) -> str:
        return self.name if self.name is not None else self.type


@dataclasses.dataclass(frozen=True)
class ProfileDesign:
    """A named profile: what it is for, its plugins, and the reasoning behind them."""

    purpose: str
    uses: tuple[PluginUse, ...]
    reasons: tuple[str, ...]


PROFILES: dict[str, ProfileDesign] = {
    "balanced": ProfileDesign(
        "any workload; the chart's own configuration",
        (PluginUse("queue-scorer", weight=2), PluginUse("kv-cache-utilization-scorer", weight=2),
         PluginUse(PREFIX_SCORER, weight=3)),
        ("queue 2 + KV cache 2 against prefix 3: a pod holding the whole prompt wins unless it is clearly "
         "busier, since the load scorers together (4) can outweigh a full prefix match (3)",)),
    "shared-prefix": ProfileDesign(
        "chat and RAG with long shared prompts (system prompts, multi-turn history, common documents)",
        (PluginUse(PREFIX_SCORER, weight=4), PluginUse("queue-scorer", weight=2),
         PluginUse("kv-cache-utilization-scorer", weight=1)),
        ("prefix 4 against queue 2 + KV cache 1: a pod holding the whole prompt keeps the request even when it "
         "is the busiest (4 > 3), because its prefill is nearly free there; a half match (2) does not, so "
         "partial hits still spread by load",
         "no prefix-cache-affinity-filter: without the latency predictor its overload gate is off "
         "(its README: the TTFT load gate is skipped without predictions), so it would pin traffic to a hot pod")),
    "lora-adapters": ProfileDesign(
        "many LoRA adapters over one base model",
        (PluginUse("lora-affinity-scorer", weight=3.5), PluginUse("queue-scorer", weight=2),
         PluginUse("kv-cache-utilization-scorer", weight=1)),
        ("lora affinity 3.5 against queue 2 + KV cache 1: the scorer gives 1 where the adapter is active (the pod "
         "has running or waiting requests for it, per vllm:lora_requests_info), 0.8 where an adapter slot is free, "
         "0.6 where every slot is taken but the adapter is queued, 0 where every slot is taken by others",
         "so a pod that would have to evict an adapter (0) loses to the one holding it even when that one is the "
         "busiest (3.5 > 3), while an idle pod with a free slot (2.8 + up to 3) may take the request from a busy "
         "pod holding the adapter",
         "base-model requests name no adapter, so they too score 0.8 on pods with a free slot and 0 on full ones: "
         "the weight stays below 3.75 so that this gap (2.8) never outweighs the load scorers (3) alone")),
    "latency-target": ProfileDesign(
        "requests that carry latency targets (headers x-slo-ttft-ms and x-slo-tpot-ms, milliseconds)",
        (PluginUse(LATENCY_PRODUCER),
         PluginUse("prefix-cache-affinity-filter", "strict-affinity-filter", parameters={"affinityThreshold": 0.99}),
         PluginUse("slo-headroom-tier-filter"),
         PluginUse("prefix-cache-affinity-filter", "loose-affinity-filter", parameters={"affinityThreshold": 0.80}),
         PluginUse("latency-scorer"),
         PluginUse("weighted-random-picker"),
         PluginUse("latency-slo-admitter", in_profile=False)),
        ("the chart's own latency configuration: a model trained on the pool's live traffic predicts each "
         "pod's latency; pods nearly sure to hold the prompt (0.99) are kept first, then the pods predicted to "
         "meet the targets, then those holding most of the prompt (0.80); the latency scorer prefers the pod "
         "closest to its targets, keeping headroom elsewhere; sheddable requests that no pod can serve in time "
         "are rejected",
         "with streaming on (the default) the predictor learns time to first token and time per output token "
         "(its streamingMode); with streaming: false it learns end-to-end latency, compares x-slo-ttft-ms with "
         "that, and ignores x-slo-tpot-ms",
         "the chart's training and prediction sidecars join each picker pod "
         "(requests 2 CPU / 4Gi and 8 CPU / 4Gi by the chart's defaults): size the picker's nodes for them; "
         "without them the plugins fall back silently (no predictions: the filters keep every pod, the scorer "
         "weighs KV cache, queue and prefix, the admitter lets requests through)",
         "the prefix filters and the predictor read prefix matches from the approx-prefix-cache-producer; "
         "the chart gets it by declaring prefix-cache-scorer outside its latency profile, beside which the "
         "loader adds it; here the producer is declared directly")),
}


@dataclasses.dataclass(frozen=True)
class PoolScheduling:
    """One pool's picker scheduling, resolved against the servers it selects."""

    profile: str
    uses: tuple[PluginUse, ...]
    needs: frozenset[Need]
    derivations: tuple[str, ...]
    latency_predictor: bool

    @property
    def is_chart_default(self) -> bool:
        """Whether the chart's own ``default-plugins.yaml`` already schedules this way."""
        return self.uses == PROFILES["balanced"].uses


#: The kinds a scheduling profile references; admitters act on every request before it.
PROFILE_KINDS = ("filter", "scorer", "picker")
LATENCY_PLUGINS = ("latency-scorer", "slo-headroom-tier-filter", "latency-slo-admitter")


def custom_uses(scheduling: SchedulingProps, table: Mapping[str, PluginType]) -> tuple[PluginUse, ...]:
    return tuple(PluginUse(entry.type, entry.name, entry.weight, dict(entry.parameters),
                           in_profile=entry.type in table and table[entry.type].kind in PROFILE_KINDS)
                 for entry in scheduling.plugins)


def block_size(servers: Sequence[VllmModelServerProps]) -> tuple[int | None, str]:
    """The servers' KV-cache block size in tokens, and where it comes from; ``None`` when
    they disagree or give something that is not a number. A server without
    ``--block-size`` counts with vLLM's default."""
    explicit = [list(flag_values(server.extra_args, "--block-size")) for server in servers]
    if not any(explicit):
        return VLLM_DEFAULT_BLOCK_SIZE, f"vLLM's default block size ({VLLM_DEFAULT_BLOCK_SIZE})"
    given = {values[-1] if values else str(VLLM_DEFAULT_BLOCK_SIZE) for values in explicit}
    if len(given) == 1 and next(iter(given)).isdigit():
        size = int(next(iter(given)))
        return size, f"--block-size {size} on the servers"
    return None, (f"--block-size differs between the servers ({', '.join(sorted(given))}; "
                  f"a server without it uses {VLLM_DEFAULT_BLOCK_SIZE})")


def resolve_pool(scheduling: SchedulingProps, release: Version,
                 servers: Sequence[VllmModelServerProps]) -> PoolScheduling:
    """The plugins one pool's picker runs: the profile's, the producers they read from, the
    block size derived from the servers where a prefix index needs it, and the
    predictor's streaming mode."""
    table = plugins_of(release)
    uses = list(custom_uses(scheduling, table) if scheduling.profile == "custom"
                else PROFILES[scheduling.profile].uses)
    derivations: list[str] = []
    present = {use.type for use in uses}
    for use in uses:  # grows as producers are declared, which may read from others
        producer = table[use.type].produced_by if use.type in table else None
        # The loader creates the prefix producer itself beside prefix-cache-scorer.
        if producer is not None and producer not in present and not (
                producer == APPROX_PREFIX_PRODUCER and PREFIX_SCORER in present):
            uses.append(PluginUse(producer, in_profile=False))
            present.add(producer)
            derivations.append(f"{producer} declared: {use.instance} reads what it produces")
    size, origin = block_size(servers)
    for index, use in enumerate(uses):
        if use.type in (PREFIX_SCORER, APPROX_PREFIX_PRODUCER):
            if "blockSizeTokens" in use.parameters:
                derivations.append(f"{use.instance}.blockSizeTokens = {use.parameters['blockSizeTokens']} "
                                   "(set explicitly)")
            elif servers and size is not None:
                derivations.append(f"{use.instance}.blockSizeTokens = {size} <- {origin}; the picker reads the "
                                   "live value from vllm:cache_config_info when the servers emit it (autoTune)")
                if size != VLLM_DEFAULT_BLOCK_SIZE:
                    uses[index] = dataclasses.replace(use, parameters={**use.parameters, "blockSizeTokens": size})
        elif use.type == LATENCY_PRODUCER and scheduling.streaming and "streamingMode" not in use.parameters:
            uses[index] = dataclasses.replace(use, parameters={**use.parameters, "streamingMode": True})
            derivations.append(f"{use.instance}.streamingMode = true <- scheduling.streaming")
    needs = frozenset(need for use in uses if use.type in table for need in table[use.type].needs)
    return PoolScheduling(scheduling.profile, tuple(uses), needs, tuple(derivations),
                          "latency_predictor" in needs)


def pool_scheduling_problems(scheduling: SchedulingProps, release: Version, resolved: PoolScheduling,
                             pool: InferencePoolSpec, servers: Sequence[VllmModelServerProps],
                             metrics: Mapping[str, str] | None) -> list[Problem]:
    """What the pool's servers lack for the profile: a feature turned off, adapters that are
    not there, a metric their vLLM does not emit, block sizes that disagree."""
    field, profile = "scheduling.profile", scheduling.profile
    found: list[Problem] = []
    if "prefix_caching" in resolved.needs:
        for server in servers:
            if PREFIX_CACHING_OFF in server.extra_args:
                found.append(Problem(field, profile, f"relies on {NEED_WORDS['prefix_caching']}, which model server "
                                     f"{server.name} turns off with {PREFIX_CACHING_OFF}",
                                     "remove that flag from its extra_args, or choose a profile without "
                                     "prefix-cache-scorer"))
        size, origin = block_size(servers)
        if servers and size is None:
            found.append(Problem(field, profile, f"indexes prefixes by block, but in pool {pool.name} {origin}",
                                 "give the pool's servers one --block-size"))
        elif servers and size is not None:
            # A derived value meets the parameter's own check, as a written one does.
            check = plugins_of(release)[PREFIX_SCORER].parameters["blockSizeTokens"]
            found += [Problem(field, profile, f"derives blockSizeTokens {size} for pool {pool.name} from {origin}, "
                              f"which {problem.message}", "give the pool's servers a --block-size vLLM accepts")
                      for problem in check.problems("blockSizeTokens", size)]
    if "lora_adapters" in resolved.needs and not (pool.adapters or any(server.adapters for server in servers)):
        found.append(Problem(field, profile, f"scores LoRA adapters (lora-affinity-scorer), but pool {pool.name} "
                             "serves none", "add adapters to its servers, or choose another profile"))
    if metrics is not None:
        for need in sorted(resolved.needs):
            if need in METRIC_NEEDS and not metrics.get(need):
                found.append(Problem(field, profile, f"needs {NEED_WORDS[need]}, which the vLLM of pool "
                                     f"{pool.name} does not emit", "choose a profile without that scorer, "
                                     "or serve a vLLM release that emits it"))
    return found


def chart_scheduling() -> PoolScheduling:
    """The scheduling the chart's ``default-plugins.yaml`` configures: the default profile
    with no servers to derive anything from."""
    return resolve_pool(SchedulingProps(), release_number(DEFAULT_CHART_VERSION), ())


def _plugin_words(resolved: PoolScheduling, release: Version) -> str:
    table = plugins_of(release)
    named = [f"{use.instance} x{use.weight if use.weight is not None else 1:g}"
             if use.type in table and table[use.type].kind == "scorer" else use.instance
             for use in resolved.uses if use.in_profile and use.type in table and table[use.type].kind in PROFILE_KINDS]
    if not any(use.type in table and table[use.type].kind == "picker" for use in resolved.uses):
        named.append("max-score-picker (the picker's default)")
    return ", ".join(named)


def _need_state(need: Need, servers: Sequence[VllmModelServerProps], metrics: Mapping[str, str] | None) -> str:
    if need == "latency_predictor":
        return f"on (the app sets the chart value {LATENCY_PREDICTOR_VALUE})"
    if not servers:
        return "not checked: the app does not deploy this pool's servers"
    if need in METRIC_NEEDS:
        return metrics[need] if metrics is not None else "unknown: give the servers' vllm_version"
    if need == "prefix_caching":
        return "on (the V1 engine's default; no server turns it off)"
    return f"{sum(len(server.adapters) for server in servers)} adapters"


def explain_pool_scheduling(scheduling: SchedulingProps, resolved: PoolScheduling, release: Version,
                            servers: Sequence[VllmModelServerProps],
                            metrics: Mapping[str, str] | None) -> list[str]:
    """Why the pool's picker weighs what it does, what that needs, and what was derived."""
    design = PROFILES.get(scheduling.profile)
    lines = [f"    runs: {_plugin_words(resolved, release)}"]
    lines += [f"    why: {reason}" for reason in (design.reasons if design is not None else
                                                   ("your plugins and weights (profile custom)",))]
    lines += [f"    needs {NEED_WORDS[need]}: {_need_state(need, servers, metrics)}" for need in sorted(resolved.needs)]
    lines += [f"    derived: {step}" for step in resolved.derivations]
    if any(use.type in LATENCY_PLUGINS for use in resolved.uses):
        headers = " and ".join(SLO_HEADERS) if scheduling.streaming else f"{SLO_HEADERS[0]} (end-to-end)"
        lines.append(f"    clients: send the targets as headers {headers}, in milliseconds; without them the "
                     "predicted fastest pod is preferred")
    return lines
