"""``main.py --explain``: where each model server's drain and startup numbers come from."""

from __future__ import annotations

from constructs_lib import VllmModelServerProps, explain_drain
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
    return lines


def explain_config(config: AppConfig) -> str:
    if not config.model_servers:
        return "no model servers in this configuration"
    return "\n".join(line for server in config.model_servers for line in explain_server(server))
