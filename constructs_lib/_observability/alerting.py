"""An alert when requests keep queueing at the model servers: the sign that the servers
(or their autoscaler's ``max_replicas``) no longer keep up with the load."""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from constructs_lib._core import checks as checks
from constructs_lib._core.literal import escape
from constructs_lib._model_server.pod_monitoring import SERVER_LABEL
from constructs_lib._model_server.server_props import VllmModelServerProps
from constructs_lib._observability.props import QueueDepthAlertProps
from constructs_lib._terraform import plain


def queue_depth_query(servers: Sequence[VllmModelServerProps], cluster: str, threshold: float) -> str:
    """PromQL that returns one series per server whose average queue is above ``threshold``
    (servers of different vLLM versions share the queue gauge's name)."""
    names = sorted({s.vllm_metric_names.queue_depth for s in servers if s.vllm_metric_names is not None})
    members = "|".join(server.name for server in servers)
    selector = f'{{cluster="{cluster}",{SERVER_LABEL}=~"{members}"}}'
    return " or ".join(f"avg by ({SERVER_LABEL}) ({name}{selector}) > {threshold:g}" for name in names)


class QueueDepthAlert(Construct):
    """One alert policy (id ``policy``) over every scraped model server."""

    def __init__(self, scope: Construct, id: str, *, project_id: str, cluster: str,
                 servers: Sequence[VllmModelServerProps], props: QueueDepthAlertProps) -> None:
        super().__init__(scope, id)
        query = queue_depth_query(servers, cluster, props.threshold)
        self.policy = plain.resource(
            self, "policy", plain.GOOGLE, "google_monitoring_alert_policy", project=project_id, combiner="OR",
            severity="WARNING", display_name="vLLM requests keep queueing",
            notification_channels=list(props.notification_channels),
            conditions=[{
                "display_name": f"queue above {props.threshold:g} for {props.duration}",
                "condition_prometheus_query_language": {
                    "query": escape(query), "duration": props.duration, "evaluation_interval": "60s"},
            }],
            documentation={"mime_type": "text/markdown", "content": (
                f"Requests have waited at a model server for {props.duration}: raise its autoscaling "
                "max_replicas (or replicas), or check the dashboard's KV-cache and latency charts.")},
        )
