"""``main.py --explain``: where each model server's drain, startup and autoscaling numbers
come from."""

from __future__ import annotations

from constructs_lib import (
    SCHEDULING_PROFILES,
    InferenceGatewayV1Props,
    VllmModelServerProps,
    explain_autoscaling,
    explain_drain,
    explain_pool_scheduling,
    release_number,
    selected_servers,
    served_metrics,
)
from stacks.config import AppConfig


def _source(props: VllmModelServerProps, explicit: object, derived_by: str) -> str:
    if explicit is not None:
        return "set explicitly"
    return derived_by if props.drain_profile is not None else "the tutorial's value"


def explain_server(props: VllmModelServerProps) -> list[str]:
    lines = [f"model server {props.name}:"]
    probe = props.effective_startup_probe
    if props.drain_profile is not None:
        for step in explain_drain(props.drain_profile, probe.period_seconds, probe.initial_delay_seconds or 0):
            lines.append(f"  {step.name} = {step.value:g}  <- {step.formula}")
    else:
        lines.append("  no drain_profile: the tutorial's numbers (set drain_profile to derive them)")
    lines += [
        f"  in effect: pre_stop_seconds = {props.effective_pre_stop_seconds} "
        f"({_source(props, props.pre_stop_seconds, 'derived')})",
        f"  in effect: termination_grace_seconds = {props.effective_termination_grace_seconds} "
        f"({_source(props, props.termination_grace_seconds, 'derived')})",
        f"  in effect: startup window = {probe.window_seconds()} s = initial delay "
        f"{probe.initial_delay_seconds or 0} s + {probe.failure_threshold} failures x {probe.period_seconds} s "
        f"({_source(props, props.startup_probe, 'derived')})",
    ]
    return lines + _explain_autoscaling(props)


_WHY = {
    "vllm_queue_depth": "requests waiting per pod: scales for throughput at the lowest cost, as long as the "
                        "latency at the server's full batch is acceptable",
    "vllm_kv_cache": "KV-cache use per pod: scales before the batch is full, for latency-sensitive serving "
                     "where a queue builds too late",
    "pool_queue_size": "the endpoint picker's queue average over the pool (an External metric)",
    "pool_kv_cache": "the endpoint picker's KV-cache average over the pool (an External metric)",
}


def _explain_autoscaling(props: VllmModelServerProps) -> list[str]:
    autoscaling = props.autoscaling
    if autoscaling is None:
        return [f"  autoscaling: none ({props.replicas} replicas, set in the Deployment)"]
    metric = autoscaling.target.metric
    lines = [f"  autoscaling: {autoscaling.min_replicas}..{autoscaling.max_replicas} replicas on {metric}: "
             f"{_WHY[metric]}"]
    lines += [f"  {step.name} = {step.value:g}  <- {step.formula}" for step in explain_autoscaling(props, autoscaling)]
    return lines + ["  scale-up: Kubernetes' defaults (no stabilization; up to 4 pods or 100 % per 15 s)",
                    "  replicas: left out of the Deployment, so an apply never resets what the HPA chose"]


def explain_scheduling(config: AppConfig) -> list[str]:
    """The endpoint pickers' scheduling: the profile, per pool."""
    gateway = config.gateway
    if gateway is None:
        return []
    if not isinstance(gateway, InferenceGatewayV1Props):
        return ["gateway scheduling: the v0.3.0 endpoint picker's fixed filter chain (critical requests to the "
                "least-queued pods, LoRA affinity, then least KV cache; sheddable requests only to pods with room, "
                "else dropped); profiles need api_version: v1"]
    design = SCHEDULING_PROFILES.get(gateway.scheduling.profile)
    purpose = design.purpose if design is not None else "your own plugins"
    lines = [f"gateway scheduling: profile {gateway.scheduling.profile} ({purpose})"]
    release = release_number(gateway.chart_version)
    for pool in gateway.resolve(config.model_servers).pools:
        servers = selected_servers(pool, config.model_servers)
        metrics = served_metrics([server.image for server in servers]) if servers else None
        lines.append(f"  pool {pool.name}:")
        lines += explain_pool_scheduling(gateway.scheduling, gateway.pool_scheduling(pool, config.model_servers),
                                         release, servers, metrics)
    return lines


def explain_config(config: AppConfig) -> str:
    lines = [line for server in config.model_servers for line in explain_server(server)]
    if not config.model_servers:
        lines.append("no model servers in this configuration")
    return "\n".join(lines + explain_scheduling(config))
