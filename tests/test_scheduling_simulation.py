"""What each scheduling profile does, shown on a few simulated pods.

The scorers, filters and pickers below re-implement the formulas of the endpoint picker at
v1.5.0 (sources in tests/fixtures/upstream/gie-epp-plugins/v1.5.0, each quoted by a test
so that a different formula at a new pin fails here first). The weights are read from the
profiles themselves, so the tests hold the profiles to what their reasons promise:
each one prefers the pod it is meant to, where ``balanced`` would not.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import pytest
from helpers import FIXTURES

from constructs_lib._gateway.scheduling_profiles import PROFILES

PLUGINS = FIXTURES / "upstream" / "gie-epp-plugins" / "v1.5.0" / "pkg" / "epp" / "framework" / "plugins"
SCHEDULING = FIXTURES / "upstream" / "gie-epp-plugins" / "v1.5.0" / "pkg" / "epp" / "scheduling"


@dataclasses.dataclass(frozen=True)
class Pod:
    """What the picker knows of one pod for one request."""

    name: str
    waiting: int = 0
    kv_cache: float = 0.0
    #: Blocks of this request's prompt the prefix index holds for the pod, out of ``PROMPT_BLOCKS``.
    cached_blocks: int = 0
    active_adapters: frozenset[str] = frozenset()
    waiting_adapters: frozenset[str] = frozenset()
    max_adapters: int = 2
    #: Predicted latency in ms (TTFT, TPOT), for the latency profile.
    predicted: tuple[float, float] = (0.0, 0.0)


PROMPT_BLOCKS = 10
Scorer = Callable[[Sequence[Pod], str], dict[str, float]]


def queue_scorer(pods: Sequence[Pod], _model: str) -> dict[str, float]:
    low, high = min(pod.waiting for pod in pods), max(pod.waiting for pod in pods)
    return {pod.name: 1.0 if high == low else (high - pod.waiting) / (high - low) for pod in pods}


def kv_cache_scorer(pods: Sequence[Pod], _model: str) -> dict[str, float]:
    return {pod.name: 1 - pod.kv_cache for pod in pods}


def prefix_scorer(pods: Sequence[Pod], _model: str) -> dict[str, float]:
    return {pod.name: pod.cached_blocks / PROMPT_BLOCKS for pod in pods}


def lora_scorer(pods: Sequence[Pod], model: str) -> dict[str, float]:
    def score(pod: Pod) -> float:
        if model in pod.active_adapters:
            return 1.0
        if len(pod.active_adapters) + len(pod.waiting_adapters) < pod.max_adapters:
            return 0.8
        return 0.6 if model in pod.waiting_adapters else 0.0
    return {pod.name: score(pod) for pod in pods}


SCORERS: dict[str, Scorer] = {
    "queue-scorer": queue_scorer,
    "kv-cache-utilization-scorer": kv_cache_scorer,
    "prefix-cache-scorer": prefix_scorer,
    "lora-affinity-scorer": lora_scorer,
}

#: Each formula above, as the source writes it (file under pkg/epp/framework/plugins/).
FORMULAS = {
    "scheduling/scorer/queuedepth/queue.go":
        "float64(maxQueueSize-endpoint.GetMetrics().WaitingQueueSize) / float64(maxQueueSize-minQueueSize)",
    "scheduling/scorer/kvcacheutilization/kvcache_utilization.go":
        "scores[endpoint] = 1 - endpoint.GetMetrics().KVCacheUsagePercent",
    "scheduling/scorer/prefix/plugin.go":
        "float64(prefixMatchInfo.MatchBlocks()) / float64(prefixMatchInfo.TotalBlocks())",
    "scheduling/scorer/loraaffinity/lora_affinity.go":
        "len(endpoint.GetMetrics().ActiveModels)+len(endpoint.GetMetrics().WaitingModels) < "
        "endpoint.GetMetrics().MaxActiveModels",
}


@pytest.mark.parametrize(("path", "line"), FORMULAS.items())
def test_the_simulated_formulas_are_the_sources(path, line):
    assert line in (PLUGINS / path).read_text()


def test_the_scores_are_clamped_weighted_and_summed_as_the_picker_does():
    text = (SCHEDULING / "scheduler_profile.go").read_text()
    assert "weightedScorePerEndpoint[endpoint] += enforceScoreRange(score) * scorer.Weight()" in text
    picker = (PLUGINS / "scheduling/picker/max_score_picker.go").read_text()
    assert "highest score first" in picker and "shuffleScoredEndpoints" in picker


TARGETS = (500.0, 50.0)  # x-slo-ttft-ms, x-slo-tpot-ms: the streaming mode the app configures


def _headroom(pod: Pod) -> tuple[float, float]:
    return TARGETS[0] - pod.predicted[0], TARGETS[1] - pod.predicted[1]


def slo_headroom_tier_filter(pods: Sequence[Pod], _parameters: dict) -> list[Pod]:
    """The positive tier when there is one (the filter's 99 % branch; 1 % explores the rest)."""
    positive = [pod for pod in pods if min(_headroom(pod)) >= 0]
    return positive or list(pods)


def prefix_cache_affinity_filter(pods: Sequence[Pod], parameters: dict) -> list[Pod]:
    """The pods holding at least ``affinityThreshold`` of the prompt, unless none does or
    they are predicted slower than the rest by more than ``maxTTFTPenaltyMs`` (the 1 %
    exploration is left out)."""
    threshold, penalty = parameters.get("affinityThreshold", 0.80), parameters.get("maxTTFTPenaltyMs", 5000)
    sticky = [pod for pod in pods if pod.cached_blocks / PROMPT_BLOCKS >= threshold]
    others = [pod for pod in pods if pod not in sticky]
    if not sticky or len(pods) <= 1:
        return list(pods)
    if others and min(p.predicted[0] for p in sticky) - min(p.predicted[0] for p in others) > penalty:
        return list(pods)
    return sticky


FILTERS: dict[str, Callable[[Sequence[Pod], dict], list[Pod]]] = {
    "prefix-cache-affinity-filter": prefix_cache_affinity_filter,
    "slo-headroom-tier-filter": slo_headroom_tier_filter,
}
#: Plugins that act on data this simulation gives directly (the predictions).
GIVEN = {"predicted-latency-producer"}


def schedule(profile: str, pods: Sequence[Pod], model: str = "base") -> dict[str, float]:
    """Each pod's chance to be picked under the profile, its plugins run in the profile's
    order: filters, the weighted sum of the clamped scores, then the picker (max-score by
    default: the best, ties broken at random; weighted-random: chance proportional to the
    score, which A-Res sampling gives for one pick). A plugin this simulation does not
    implement fails the test."""
    candidates = list(pods)
    totals: dict[str, float] | None = None
    picker = "max-score-picker"
    for use in (use for use in PROFILES[profile].uses if use.in_profile):
        if use.type in GIVEN:
            continue
        if use.type in FILTERS:
            candidates = FILTERS[use.type](candidates, dict(use.parameters))
        elif use.type in SCORERS:
            totals = totals if totals is not None else {pod.name: 0.0 for pod in candidates}
            for name, score in SCORERS[use.type](candidates, model).items():
                totals[name] += min(max(score, 0.0), 1.0) * (use.weight if use.weight is not None else 1)
        elif use.type in ("max-score-picker", "weighted-random-picker"):
            picker = use.type
        else:
            raise KeyError(f"{use.type} is not simulated")
    totals = totals if totals is not None else {pod.name: 0.0 for pod in candidates}
    if picker == "weighted-random-picker":
        return {name: total / sum(totals.values()) for name, total in totals.items()}
    best = [name for name, total in totals.items() if abs(total - max(totals.values())) < 1e-9]
    return {name: 1 / len(best) for name in best}


def max_score_pick(profile: str, pods: Sequence[Pod], model: str = "base") -> set[str]:
    """The pods a max-score picker may choose under the profile (several on a tie)."""
    return set(schedule(profile, pods, model))


# Shared prefixes ----------------------------------------------------------------------------

HOLDER_BUSY = Pod("holder", waiting=6, kv_cache=0.9, cached_blocks=PROMPT_BLOCKS)
IDLE = Pod("idle", waiting=0, kv_cache=0.1)


def test_shared_prefix_keeps_a_request_on_the_pod_holding_its_whole_prompt():
    assert max_score_pick("shared-prefix", [HOLDER_BUSY, IDLE]) == {"holder"}
    # The chart's weights send it to the idle pod, which must prefill the whole prompt again.
    assert max_score_pick("balanced", [HOLDER_BUSY, IDLE]) == {"idle"}


def test_shared_prefix_still_spreads_partial_hits_by_load():
    half = dataclasses.replace(HOLDER_BUSY, cached_blocks=PROMPT_BLOCKS // 2)
    assert max_score_pick("shared-prefix", [half, IDLE]) == {"idle"}


def test_balanced_prefers_the_emptier_pod_when_no_pod_holds_the_prompt():
    busy = Pod("busy", waiting=4, kv_cache=0.7)
    assert max_score_pick("balanced", [busy, IDLE]) == {"idle"}
    assert max_score_pick("shared-prefix", [busy, IDLE]) == {"idle"}


# Many LoRA adapters ---------------------------------------------------------------------------

HOLDS_ADAPTER = Pod("holds-adapter", waiting=6, kv_cache=0.7, active_adapters=frozenset({"sql-lora"}))
FULL_OTHERS = Pod("full-of-others", waiting=0, kv_cache=0.1, active_adapters=frozenset({"a", "b"}))
FREE_SLOT = Pod("free-slot", waiting=0, kv_cache=0.1, active_adapters=frozenset({"a"}))


def test_lora_adapters_keeps_a_request_where_its_adapter_is_loaded_rather_than_evict_one():
    assert max_score_pick("lora-adapters", [HOLDS_ADAPTER, FULL_OTHERS], "sql-lora") == {"holds-adapter"}
    # The chart's weights send it to the idle pod, which must evict an adapter to load it.
    assert max_score_pick("balanced", [HOLDS_ADAPTER, FULL_OTHERS], "sql-lora") == {"full-of-others"}


def test_lora_adapters_lets_an_idle_pod_with_a_free_slot_take_the_request():
    assert max_score_pick("lora-adapters", [HOLDS_ADAPTER, FREE_SLOT], "sql-lora") == {"free-slot"}
    # With equal load, the pod holding the adapter wins.
    calm = dataclasses.replace(HOLDS_ADAPTER, waiting=0, kv_cache=0.1)
    assert max_score_pick("lora-adapters", [calm, FREE_SLOT], "sql-lora") == {"holds-adapter"}


# Latency targets ------------------------------------------------------------------------------


def latency_scorer(pods: Sequence[Pod], _model: str) -> dict[str, float]:
    """The ``least`` strategy on one bucket of pods that meet their targets: closest to the
    targets scores highest (ttftWeight 0.8, tpotWeight 0.2, re-normalised when one
    dimension has no range)."""
    ttft_weight, tpot_weight = 0.8, 0.2
    heads = {pod.name: tuple(abs(value) for value in _headroom(pod)) for pod in pods}
    lows = [min(head[index] for head in heads.values()) for index in (0, 1)]
    ranges = [max(head[index] for head in heads.values()) - lows[index] for index in (0, 1)]
    if ranges[0] <= 1e-9 < ranges[1]:
        ttft_weight, tpot_weight = 0.0, 1.0
    elif ranges[1] <= 1e-9 < ranges[0]:
        ttft_weight, tpot_weight = 1.0, 0.0
    scores = {}
    for name, head in heads.items():
        normal = [(head[index] - lows[index]) / ranges[index] if ranges[index] > 1e-9 else 0.5 for index in (0, 1)]
        combined = ttft_weight * normal[0] + tpot_weight * normal[1]
        scores[name] = (int((1.0 - combined) * 100) + 1) / 100
    return scores


SCORERS["latency-scorer"] = latency_scorer


def test_the_latency_formulas_are_the_sources():
    scorer = (PLUGINS / "scheduling/scorer/latency/plugin.go").read_text()
    assert "w = float64(int((1.0-combined)*float64(wMax-minWeight)) + minWeight + 1)" in scorer
    assert "TTFTWeight:                0.8" in scorer and "TPOTWeight:                0.2" in scorer
    tier = (PLUGINS / "scheduling/filter/sloheadroomtier/plugin.go").read_text()
    assert "info.TTFTHeadroom() >= 0 && info.TPOTHeadroom() >= 0" in tier
    affinity = (PLUGINS / "scheduling/filter/prefixcacheaffinity/plugin.go").read_text()
    assert "if prefixCacheScore(ep) >= p.config.AffinityThreshold {" in affinity
    assert "if bestStickyTTFT-bestNonStickyTTFT > p.config.MaxTTFTPenaltyMs {" in affinity


def test_latency_target_packs_requests_onto_the_pod_closest_to_its_targets_that_still_meets_them():
    near = Pod("near-target", predicted=(450.0, 40.0))
    fast = Pod("fast", predicted=(100.0, 20.0))
    late = Pod("too-slow", predicted=(900.0, 60.0))
    chances = schedule("latency-target", [near, fast, late])
    assert set(chances) == {"near-target", "fast"}  # the pod that would miss its targets is filtered out
    assert max(chances, key=chances.get) == "near-target" and chances["near-target"] > 0.95
    assert chances["fast"] > 0  # its headroom stays free for requests with tighter targets


def test_latency_target_keeps_a_request_where_its_prompt_is_cached_unless_that_pod_is_far_slower():
    holder = Pod("holder", cached_blocks=PROMPT_BLOCKS, predicted=(480.0, 45.0))
    other = Pod("other", predicted=(100.0, 10.0))
    assert set(schedule("latency-target", [holder, other])) == {"holder"}
    slow_holder = dataclasses.replace(holder, predicted=(6000.0, 45.0))
    assert "other" in schedule("latency-target", [slow_holder, other])


def test_lora_adapters_lets_load_decide_base_model_requests_between_free_and_full_pods():
    """Base-model requests name no adapter: the scorer prefers pods with a free slot (0.8)
    over full ones (0), a gap the weight keeps below the load scorers' reach."""
    busy_free = Pod("busy-free-slot", waiting=8, kv_cache=0.95, active_adapters=frozenset({"a"}))
    idle_full = Pod("idle-full", waiting=0, kv_cache=0.05, active_adapters=frozenset({"a", "b"}))
    assert max_score_pick("lora-adapters", [busy_free, idle_full], "base") == {"idle-full"}
