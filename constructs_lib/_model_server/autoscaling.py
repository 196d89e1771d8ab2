"""A HorizontalPodAutoscaler per model server, on inference load rather than CPU.

GPU servers are busy or idle whatever their CPU does, so the useful signals are vLLM's own
queue depth and KV-cache use (per pod, ``type: Pods``) or the endpoint picker's averages
over a pool (``type: External``, selected by the pool's ``name`` label). Both reach the
HPA through the Custom Metrics Stackdriver Adapter, which names a Cloud Monitoring type
with ``|`` for ``/``.

Scale-down removes one pod at a time and waits a whole termination grace period (preStop
plus the drain) before the next, so no more than the configured pods are draining at once
and the others absorb their traffic; the stabilization window is at least that long too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.props import Props

AutoscalingMetric = Literal["vllm_queue_depth", "vllm_kv_cache", "pool_queue_size", "pool_kv_cache"]
VLLM_TARGETS = ("vllm_queue_depth", "vllm_kv_cache")
POOL_TARGETS = ("pool_queue_size", "pool_kv_cache")
KV_CACHE_TARGETS = ("vllm_kv_cache", "pool_kv_cache")

#: Kubernetes' own scale-down stabilization default, kept as the floor.
KUBERNETES_SCALE_DOWN_STABILIZATION_SECONDS = 300
#: ``HPAScalingPolicy.periodSeconds`` is limited to 30 minutes by the API server.
MAX_POLICY_PERIOD_SECONDS = 1800


@dataclass(frozen=True)
class DefaultTarget:
    value: float
    source: str


#: The value each target defaults to, and where it comes from.
DEFAULT_TARGETS: dict[str, DefaultTarget] = {
    "vllm_queue_depth": DefaultTarget(5, "the averageValue of GKE's vLLM HPA sample (multi-host GPU tutorial); "
                                         "GKE recommends queue size to maximise throughput at lowest cost"),
    "pool_queue_size": DefaultTarget(5, "the same queue depth as vllm_queue_depth, averaged by the endpoint "
                                        "picker over the pool"),
    "vllm_kv_cache": DefaultTarget(0.8, "no GKE-documented number was found; 0.8 scales before GIE's example "
                                        "'KV cache high' alert at 0.9. GKE recommends KV-cache use for "
                                        "latency-sensitive serving, where queue-based scaling reacts too late"),
    "pool_kv_cache": DefaultTarget(0.8, "as vllm_kv_cache, averaged by the endpoint picker over the pool"),
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class AutoscalingTarget(Props):
    """What the HPA keeps at a target value.

    Attributes:
        metric: ``vllm_queue_depth`` (requests waiting per pod, from the server's own
            metrics; for throughput at the lowest cost), ``vllm_kv_cache`` (KV-cache use per
            pod, 0-1; for latency-sensitive serving), ``pool_queue_size`` or
            ``pool_kv_cache`` (the endpoint picker's averages over the server's pool).
            Default ``vllm_queue_depth``.
        value: the target. Default ``None``: 5 for the queue metrics, 0.8 for KV-cache use
            (``main.py --explain`` says why).
    """

    metric: AutoscalingMetric = "vllm_queue_depth"
    value: float | None = None

    @property
    def effective_value(self) -> float:
        return self.value if self.value is not None else DEFAULT_TARGETS[self.metric].value

    def problems(self) -> list[Problem]:
        if self.value is None:
            return []
        if self.value <= 0:
            return [Problem("value", self.value, "must be positive", "give the target the HPA keeps")]
        if self.metric in KV_CACHE_TARGETS and self.value > 1:
            return [Problem("value", self.value, "is above 1, but KV-cache use is a fraction (1 = full)",
                            "use a fraction such as 0.8")]
        return []


@dataclasses.dataclass(frozen=True, kw_only=True)
class AutoscalingProps(Props):
    """A HorizontalPodAutoscaler for one model server. With it, the Deployment leaves out
    ``replicas``, so the next apply does not undo what the HPA did.

    Attributes:
        min_replicas: fewest pods. Default 1.
        max_replicas: most pods (each holds ``gpu_count`` GPUs).
        target: the metric and the value to keep it at.
        scale_down_pods_per_period: pods removed per termination grace period. Default 1.
    """

    max_replicas: int
    min_replicas: int = 1
    target: AutoscalingTarget = dataclasses.field(default_factory=AutoscalingTarget)
    scale_down_pods_per_period: int = 1

    def problems(self) -> list[Problem]:
        found = list(checks.at_least("min_replicas", self.min_replicas, 1))
        found += checks.at_least("scale_down_pods_per_period", self.scale_down_pods_per_period, 1)
        if self.min_replicas > self.max_replicas:
            found.append(Problem("min_replicas", self.min_replicas, f"exceeds max_replicas ({self.max_replicas})",
                                 "lower min_replicas or raise max_replicas"))
        return found


@dataclass(frozen=True)
class PoolTarget:
    """The pool whose endpoint picker averages a server's load; ``cluster_name`` (usually
    a Terraform reference) keeps pools of the same name in other clusters apart."""

    name: str
    namespace: str
    cluster_name: str | None = None
