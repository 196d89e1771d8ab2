"""``main.py --explain``: where each model server's drain, startup and autoscaling numbers
come from."""

from __future__ import annotations

from constructs_lib import VllmModelServerProps, explain_autoscaling, explain_drain
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


def explain_config(config: AppConfig) -> str:
    if not config.model_servers:
        return "no model servers in this configuration"
    return "\n".join(line for server in config.model_servers for line in explain_server(server))
