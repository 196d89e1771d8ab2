"""The inference gateway: the ai-on-gke module and our chat-completions routes.

Applied after the prerequisites (its InferenceModels need the CRDs at plan time) and
after the model servers when the app has them.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib.cluster_access import ClusterAccess
from constructs_lib.environment import CORE_VARIABLES, NETWORK_VARIABLES, EnvironmentVariables
from constructs_lib.gateway_props import resolve
from constructs_lib.inference_gateway import InferenceGateway
from constructs_lib.model_server_props import VllmModelServerProps
from constructs_lib.preflight import Preflight
from stacks.base import BaseStack, StackOptions


class InferenceGatewayStack(BaseStack):
    def __init__(self, scope: Construct, id: str, *, options: StackOptions) -> None:
        super().__init__(scope, id, options=options)
        config = options.config
        assert config.gateway is not None
        env = EnvironmentVariables(self, "environment", include_network=True)
        self.cluster = ClusterAccess(
            self, "cluster",
            project_id=env.project_id,
            cluster_name=env.cluster_name,
            cluster_location=env.cluster_location,
            props=config.cluster,
            preflight=[Preflight.GATEWAY_API, Preflight.INFERENCE_GATEWAY_VERSION],
        )
        resolved = resolve(config.gateway, config.model_servers)
        self.gateway = InferenceGateway(
            self, "inference-gateway",
            props=config.gateway,
            resolved=resolved,
            environment={name: f"${{var.{name}}}" for name in CORE_VARIABLES + NETWORK_VARIABLES},
            sample_model=_sample_model(config.model_servers, resolved.models[0].model_name),
        )


def _sample_model(servers: tuple[VllmModelServerProps, ...], fallback: str) -> str:
    """The model the ready-made curl asks for: the first adapter, as in GKE's examples."""
    for server in servers:
        if server.adapters:
            return server.adapters[0].id
    return fallback
