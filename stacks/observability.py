"""The Cloud Monitoring dashboard and alert policy: project-level objects that need no
cluster access, only the project and the cluster's name (to filter the series)."""

from __future__ import annotations

from constructs import Construct

from constructs_lib import (
    ClusterVariables,
    DashboardScope,
    InferenceDashboard,
    ProjectAccess,
    QueueDepthAlert,
)
from stacks.base import BaseStack, StackOptions


class ObservabilityStack(BaseStack):
    def __init__(self, scope: Construct, id: str, *, options: StackOptions) -> None:
        super().__init__(scope, id, options=options)
        config = options.config
        observability = config.observability
        variables = ClusterVariables(self, "environment")
        ProjectAccess(self, "project", project_id=variables.project_id)
        scraped = tuple(server for server in config.model_servers if server.metrics is not None)
        picker = config.endpoint_picker
        if observability.dashboard is not None:
            if picker is None:
                raise TypeError("a dashboard needs a gateway (AppConfig refuses one without)")
            pool_of = config.pool_of_servers
            InferenceDashboard(self, "dashboard", project_id=variables.project_id, props=observability.dashboard,
                               dashboard=DashboardScope(
                                   cluster=variables.cluster_name, servers=scraped,
                                   pools=tuple(sorted(set(pool_of.values()))), picker_namespace=picker.namespace,
                                   picker_release=picker.release, pool_of=pool_of))
        if observability.queue_depth_alert is not None:
            QueueDepthAlert(self, "queue-depth-alert", project_id=variables.project_id, cluster=variables.cluster_name,
                            servers=scraped, props=observability.queue_depth_alert)
