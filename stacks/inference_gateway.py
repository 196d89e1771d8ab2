"""The inference gateway: on ``v1alpha2`` the ai-on-gke module and our chat-completions
routes; on ``v1`` our own pools (Helm), objectives, Gateway and routes.

Applied after the prerequisites (its InferenceModels need the CRDs at plan time) and
after the model servers when the app has them.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib import (
    InferenceGateway,
    InferenceGatewayProps,
    InferenceGatewayV1,
    InferenceGatewayV1Props,
    Preflight,
)
from stacks.base import BaseStack, StackOptions


class InferenceGatewayStack(BaseStack):
    def __init__(self, scope: Construct, id: str, *, options: StackOptions) -> None:
        super().__init__(scope, id, options=options)
        config = options.config
        props = config.gateway
        if props is None:
            raise TypeError("InferenceGatewayStack needs a configuration with a gateway")
        preflight = [Preflight.GATEWAY_API, Preflight.INFERENCE_GATEWAY_VERSION]
        if props.model_armor is not None:
            preflight.append(Preflight.MODEL_ARMOR_VERSION)
        if props.uses_router(config.model_servers) and config.gke_extension_crds is None:
            preflight.append(Preflight.ROUTING_EXTENSION)
        if isinstance(props, InferenceGatewayV1Props) and props.gke_monitoring:
            preflight.append(Preflight.MANAGED_PROMETHEUS)  # the chart's PodMonitoring needs it
        cluster = self.connect(include_network=True, preflight=preflight)
        self.gateway: InferenceGateway | InferenceGatewayV1
        if isinstance(props, InferenceGatewayProps):
            self.gateway = InferenceGateway(self, "inference-gateway", props=props, cluster=cluster,
                                            model_servers=config.model_servers)
        else:
            self.gateway = InferenceGatewayV1(self, "inference-gateway", props=props, cluster=cluster,
                                              model_servers=config.model_servers)
