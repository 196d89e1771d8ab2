"""Compose the stacks of one app in their apply order."""

from __future__ import annotations

import os

from cdktf import App

from stacks.base import StackOptions
from stacks.config import AppConfig
from stacks.inference_gateway import InferenceGatewayStack
from stacks.model_servers import ModelServersStack
from stacks.observability import ObservabilityStack
from stacks.prerequisites import PrerequisitesStack

PREREQUISITES = "prerequisites"
MODEL_SERVERS = "model-servers"
INFERENCE_GATEWAY = "inference-gateway"
OBSERVABILITY = "observability"


def build_app(
    config: AppConfig,
    *,
    outdir: str,
    final_outdir: str | None = None,
    state_root: str | None = None,
) -> App:
    """An ``App`` writing to ``outdir``.

    ``final_outdir`` is where the output will finally live when ``outdir`` is a staging
    directory; local state files go to ``state_root`` (default: the current directory),
    referenced by a path relative to each stack's final directory.
    """
    app = App(outdir=outdir)
    root = os.path.abspath(state_root or os.getcwd())
    layout = os.path.abspath(final_outdir or outdir)

    def options(stack_id: str) -> StackOptions:
        stack_dir = os.path.join(layout, "stacks", stack_id)
        return StackOptions(config=config, state_dir=os.path.relpath(root, stack_dir))

    prerequisites = PrerequisitesStack(app, PREREQUISITES, options=options(PREREQUISITES))
    model_servers = None
    if config.model_servers:
        model_servers = ModelServersStack(app, MODEL_SERVERS, options=options(MODEL_SERVERS))
    if config.gateway is not None:
        gateway = InferenceGatewayStack(app, INFERENCE_GATEWAY, options=options(INFERENCE_GATEWAY))
        gateway.add_dependency(prerequisites)
        if model_servers is not None:
            gateway.add_dependency(model_servers)
    if config.observability.has_monitoring_stack:
        # After the servers it charts, so that destroy removes the dashboard first.
        observability = ObservabilityStack(app, OBSERVABILITY, options=options(OBSERVABILITY))
        if model_servers is not None:
            observability.add_dependency(model_servers)
    return app
