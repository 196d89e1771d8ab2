"""The HorizontalPodAutoscaler of one model server, rendered from its props and its
autoscaling settings (see ``autoscaling.py`` for why these signals and timings)."""

from __future__ import annotations

from typing import Any

from constructs_lib._core.metric_names import VllmMetrics, adapter_metric_name, endpoint_picker_metrics
from constructs_lib._core.releases import EARLIEST_RELEASE
from constructs_lib._model_server.autoscaling import (
    DEFAULT_TARGETS,
    KUBERNETES_SCALE_DOWN_STABILIZATION_SECONDS,
    VLLM_TARGETS,
    AutoscalingProps,
    PoolTarget,
)
from constructs_lib._model_server.drain import Derivation
from constructs_lib._model_server.server_props import VllmModelServerProps


def quantity(value: float) -> str:
    """A Kubernetes quantity: whole numbers as such, fractions in thousandths (``800m``)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{round(value * 1000)}m"


def metric_spec(autoscaling: AutoscalingProps, vllm: VllmMetrics | None, pool: PoolTarget | None) -> dict[str, Any]:
    """The HPA's one metric. Per-pod vLLM gauges average over the Deployment's pods; the
    picker's pool averages are already averages, so their target is a plain ``Value``."""
    target = autoscaling.target
    value = quantity(target.effective_value)
    if target.metric in VLLM_TARGETS:
        if vllm is None:
            raise TypeError(f"an HPA on {target.metric} needs the server's vLLM metric names")
        name = vllm.queue_depth if target.metric == "vllm_queue_depth" else vllm.kv_cache_usage
        return {"type": "Pods", "pods": {
            "metric": {"name": adapter_metric_name(name, "gauge")},
            "target": {"type": "AverageValue", "averageValue": value}}}
    if pool is None:
        raise TypeError(f"an HPA on {target.metric} needs the server's pool")
    # The pool gauges have had the same names in every release.
    picker = endpoint_picker_metrics(EARLIEST_RELEASE)
    name = picker.pool_queue if target.metric == "pool_queue_size" else picker.pool_kv_cache
    labels = {"metric.labels.name": pool.name, "resource.labels.namespace": pool.namespace}
    if pool.cluster_name is not None:
        labels["resource.labels.cluster"] = pool.cluster_name
    return {"type": "External", "external": {
        "metric": {"name": adapter_metric_name(name, "gauge"), "selector": {"matchLabels": labels}},
        "target": {"type": "Value", "value": value}}}


def scale_down_period_seconds(server: VllmModelServerProps) -> int:
    """A pod takes up to its grace period (preStop included) to finish its requests."""
    return max(1, server.effective_termination_grace_seconds)


def scale_down_stabilization_seconds(server: VllmModelServerProps) -> int:
    return max(KUBERNETES_SCALE_DOWN_STABILIZATION_SECONDS, server.effective_termination_grace_seconds)


def autoscaler_manifest(server: VllmModelServerProps, autoscaling: AutoscalingProps,
                        vllm: VllmMetrics | None, pool: PoolTarget | None) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": server.name, "namespace": server.namespace},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": server.name},
            "minReplicas": autoscaling.min_replicas,
            "maxReplicas": autoscaling.max_replicas,
            "metrics": [metric_spec(autoscaling, vllm, pool)],
            "behavior": {"scaleDown": {
                "stabilizationWindowSeconds": scale_down_stabilization_seconds(server),
                "policies": [{"type": "Pods", "value": autoscaling.scale_down_pods_per_period,
                              "periodSeconds": scale_down_period_seconds(server)}],
            }},
        },
    }


def explain(server: VllmModelServerProps, autoscaling: AutoscalingProps) -> list[Derivation]:
    """Each autoscaling number of ``server`` with where it comes from."""
    target = autoscaling.target
    grace = server.effective_termination_grace_seconds
    default = DEFAULT_TARGETS[target.metric]
    value_source = "set explicitly" if target.value is not None else f"default: {default.source}"
    if target.metric in VLLM_TARGETS and server.vllm_metric_names is not None:
        names = server.vllm_metric_names
        gauge = names.queue_depth if target.metric == "vllm_queue_depth" else names.kv_cache_usage
        read = f"{adapter_metric_name(gauge, 'gauge')}, averaged over the pods"
    else:
        picker = endpoint_picker_metrics(EARLIEST_RELEASE)
        gauge = picker.pool_queue if target.metric == "pool_queue_size" else picker.pool_kv_cache
        read = f"{adapter_metric_name(gauge, 'gauge')} of the server's pool"
    return [
        Derivation(f"target {target.metric} ({read})", target.effective_value, value_source),
        Derivation("scale_down.periodSeconds", scale_down_period_seconds(server),
                   f"termination_grace_seconds {grace} (preStop {server.effective_pre_stop_seconds} s + drain): "
                   f"at most {autoscaling.scale_down_pods_per_period} pod(s) draining at a time"),
        Derivation("scale_down.stabilizationWindowSeconds", scale_down_stabilization_seconds(server),
                   f"max(Kubernetes default {KUBERNETES_SCALE_DOWN_STABILIZATION_SECONDS} s, grace {grace} s)"),
    ]
