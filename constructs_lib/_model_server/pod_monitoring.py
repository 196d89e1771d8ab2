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
from typing import TYPE_CHECKING, Any

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.props import Props

if TYPE_CHECKING:
    from constructs_lib._model_server.server_props import VllmModelServerProps

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


def _constant_label(name: str, value: str) -> dict[str, str]:
    """A relabeling rule that sets ``name`` to ``value`` on every scraped series."""
    return {"action": "replace", "targetLabel": name, "replacement": value}


def join_labels(server: VllmModelServerProps, pool: str | None) -> dict[str, str]:
    """The labels every series of ``server`` carries, by label name."""
    labels = {SERVER_LABEL: server.name, BASE_MODEL_LABEL: server.model}
    if pool is not None:
        labels[POOL_LABEL] = pool
    return labels


def pod_monitoring_manifest(server: VllmModelServerProps, settings: PodMonitoringProps,
                            pool: str | None) -> dict[str, Any]:
    """The PodMonitoring for ``server``: in its namespace (a PodMonitoring selects pods of
    its own namespace only), selecting exactly its pods."""
    return {
        "apiVersion": PODMONITORING_API,
        "kind": "PodMonitoring",
        "metadata": {
            "name": server.name,
            "namespace": server.namespace,
            "labels": {"app.kubernetes.io/name": "vllm",
                       "app.kubernetes.io/part-of": "google-cloud-managed-prometheus"},
        },
        "spec": {
            "selector": {"matchLabels": server.pod_labels},
            "endpoints": [{
                "port": METRICS_PORT_NAME,
                "scheme": "http",
                "path": settings.path,
                "interval": settings.interval,
                "metricRelabeling": [_constant_label(name, value)
                                     for name, value in join_labels(server, pool).items()],
            }],
        },
    }
