"""vLLM's own metrics into Google Cloud Managed Service for Prometheus: one
``PodMonitoring`` per model server.

The endpoint picker's metrics reach Cloud Monitoring through its chart; vLLM's (queue
depth, KV-cache use, time to first token) do not unless something scrapes the servers.
Each series is labelled with the server, its base model and, when a gateway fronts it,
its InferencePool (the ``name`` label of the picker's ``inference_pool_*`` series), so a
query can join the two sources.
"""

from __future__ import annotations

import dataclasses

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.props import Props

PODMONITORING_API = "monitoring.googleapis.com/v1"
#: The container port name the Deployment gives vLLM; naming it (not its number) makes
#: Managed Prometheus fill in the ``container`` label.
METRICS_PORT_NAME = "http"
#: Labels added to every vLLM series, so that queries can join series to the app's objects.
SERVER_LABEL = "model_server"
BASE_MODEL_LABEL = "base_model"
POOL_LABEL = "inference_pool"


@dataclasses.dataclass(frozen=True, kw_only=True)
class PodMonitoringProps(Props):
    """How Managed Prometheus scrapes one vLLM server.

    Attributes:
        interval: scrape interval, a Prometheus duration. The GMP v0.17.2 CRD requires one.
            Default ``15s``: an autoscaler on these metrics reacts within a scrape or two;
            at GMP's usual ``1m`` it would lag a minute behind the load.
        path: the metrics path. Default ``/metrics``, where vLLM serves them.
    """

    interval: str = "15s"
    path: str = "/metrics"

    def problems(self) -> list[Problem]:
        found = list(checks.prometheus_duration("interval", self.interval))
        if not self.path.startswith("/") or " " in self.path:
            found.append(Problem("path", self.path, "is not an HTTP path", "write it like /metrics"))
        return found
