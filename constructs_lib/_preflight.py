"""Plan-time checks on the cluster that turn opaque apply failures into instructions.

Each is a postcondition on the ``google_container_cluster`` data source, so ``terraform
plan`` stops with a message that names the cluster and the ``gcloud`` command to run,
instead of failing later with "no matches for kind" or silently scraping nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from cdktf import Postcondition

#: GKE Inference Gateway needs GKE 1.32.3 or later.
MIN_GKE_VERSION = (1, 32, 3)


class Preflight(Enum):
    GATEWAY_API = "gateway_api"
    MANAGED_PROMETHEUS = "managed_prometheus"
    INFERENCE_GATEWAY_VERSION = "inference_gateway_version"
    WORKLOAD_IDENTITY = "workload_identity"
    #: The same setting as MANAGED_PROMETHEUS, seen from a stack that creates PodMonitorings.
    POD_MONITORING = "pod_monitoring"


def _version_number(expression: str) -> str:
    """``1.32.3-gke.100`` -> 1032003, as a Terraform expression."""
    parts = f'split(".", {expression})'
    patch = f'split("-", {parts}[2])[0]'
    return f"(tonumber({parts}[0]) * 1000000 + tonumber({parts}[1]) * 1000 + tonumber({patch}))"


def postconditions(checks: Iterable[Preflight], *, cluster_name: str, cluster_location: str) -> list[Postcondition]:
    """The postconditions for ``checks``; names may be Terraform references."""
    where = f"--location {cluster_location}"
    major, minor, patch = MIN_GKE_VERSION
    minimum = major * 1000000 + minor * 1000 + patch
    found = []
    for check in checks:
        if check is Preflight.GATEWAY_API:
            found.append(Postcondition(
                condition='${try(self.gateway_api_config[0].channel, "CHANNEL_DISABLED") != "CHANNEL_DISABLED"}',
                error_message=(
                    f"Gateway API is not enabled on cluster {cluster_name}, so the Gateway and HTTPRoutes "
                    f"would fail with 'no matches for kind'. Run: gcloud container clusters update "
                    f"{cluster_name} {where} --gateway-api=standard"),
            ))
        elif check is Preflight.MANAGED_PROMETHEUS:
            found.append(Postcondition(
                condition="${try(self.monitoring_config[0].managed_prometheus[0].enabled, false)}",
                error_message=(
                    f"Managed Prometheus is not enabled on cluster {cluster_name}, so nothing would scrape "
                    f"the endpoint picker's metrics. Run: gcloud container clusters update {cluster_name} "
                    f"{where} --enable-managed-prometheus"),
            ))
        elif check is Preflight.POD_MONITORING:
            found.append(Postcondition(
                condition="${try(self.monitoring_config[0].managed_prometheus[0].enabled, false)}",
                error_message=(
                    f"Managed Prometheus is not enabled on cluster {cluster_name}, so the PodMonitoring kind "
                    f"does not exist and nothing would scrape vLLM's metrics. Run: gcloud container clusters "
                    f"update {cluster_name} {where} --enable-managed-prometheus"),
            ))
        elif check is Preflight.INFERENCE_GATEWAY_VERSION:
            found.append(Postcondition(
                condition=f"${{try({_version_number('self.master_version')} >= {minimum}, false)}}",
                error_message=(
                    f"Cluster {cluster_name} runs a GKE version older than {major}.{minor}.{patch}, the "
                    f"first with GKE Inference Gateway. Run: gcloud container clusters upgrade "
                    f"{cluster_name} {where} --master --cluster-version {major}.{minor}"),
            ))
        elif check is Preflight.WORKLOAD_IDENTITY:
            found.append(Postcondition(
                condition='${try(self.workload_identity_config[0].workload_pool, "") != ""}',
                error_message=(
                    f"Workload Identity is not enabled on cluster {cluster_name}, so the custom metrics "
                    f"adapter could not read Cloud Monitoring. Run: gcloud container clusters update "
                    f"{cluster_name} {where} --workload-pool=PROJECT_ID.svc.id.goog"),
            ))
    return found
