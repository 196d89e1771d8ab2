"""The optional model servers: vLLM Deployments, their adapter ConfigMaps, PodMonitorings
and HPAs and, when asked, the Hugging Face token Secrets."""

from __future__ import annotations

from constructs import Construct

from constructs_lib import HuggingFaceTokenSecret, Preflight, VllmModelServer
from stacks.base import BaseStack, StackOptions


class ModelServersStack(BaseStack):
    def __init__(self, scope: Construct, id: str, *, options: StackOptions) -> None:
        super().__init__(scope, id, options=options)
        config = options.config
        created_secrets = {
            (server.namespace, server.hf_token.secret_name): server.hf_token.secret_key
            for server in config.model_servers if server.hf_token.mode == "terraform_variable"
        }
        # PodMonitoring is a Managed Prometheus kind: without it the plan fails on "no matches for kind".
        scraped = any(server.metrics is not None for server in config.model_servers)
        cluster = self.connect(preflight=[Preflight.POD_MONITORING] if scraped else [])
        self.secrets = {
            (namespace, name): HuggingFaceTokenSecret(
                self, f"hf-token-{namespace}-{name}", name=name, namespace=namespace, key=key)
            for (namespace, name), key in sorted(created_secrets.items())
        }
        self.servers = []
        for props in config.model_servers:
            secret = self.secrets.get((props.namespace, props.hf_token.secret_name))
            after = [secret.secret] if secret is not None and props.hf_token.mode != "none" else []
            self.servers.append(VllmModelServer(self, props.name, props=props, depends_on=after,
                                                pool=config.pool_target(props, cluster.cluster_name)))
