"""The inference gateway: on ``v1alpha2`` the ai-on-gke module and our chat-completions
routes; on ``v1`` our own pools (Helm), objectives, Gateway and routes.

Applied after the prerequisites (its InferenceModels need the CRDs at plan time) and
after the model servers when the app has them.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib import InferenceGateway, InferenceGatewayV1, Preflight
from stacks.base import BaseStack, StackOptions


class InferenceGatewayStack(BaseStack):
    def __init__(self, scope: Construct, id: str, *, options: StackOptions) -> None:
        super().__init__(scope, id, options=options)
        config = options.config
        assert config.gateway is not None
        self.connect(include_network=True, preflight=[Preflight.GATEWAY_API, Preflight.INFERENCE_GATEWAY_VERSION])
        env = self.env
        if config.api_version == "v1":
            self.gateway = InferenceGatewayV1(
                self, "inference-gateway",
                props=config.gateway_v1,
                cluster=self.cluster,
                project_id=env.project_id,
                region=env.region,
                network_name=env.network_name,
                model_servers=config.model_servers,
            )
        else:
            self.gateway = InferenceGateway(
                self, "inference-gateway",
                props=config.gateway,
                environment=env.module_inputs(),
                model_servers=config.model_servers,
            )

