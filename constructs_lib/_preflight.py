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
#: GKE installs the GCPRoutingExtension CRD (which the body-based router's chart creates an
#: object of) from 1.32.2-gke.1182001; older clusters need the CRDs installed by hand.
MIN_ROUTING_EXTENSION_VERSION = (1, 32, 2, 1182001)


class Preflight(Enum):
    GATEWAY_API = "gateway_api"
    MANAGED_PROMETHEUS = "managed_prometheus"
    INFERENCE_GATEWAY_VERSION = "inference_gateway_version"
    ROUTING_EXTENSION = "routing_extension"
    WORKLOAD_IDENTITY = "workload_identity"
    #: The same setting as MANAGED_PROMETHEUS, seen from a stack that creates PodMonitorings.
    POD_MONITORING = "pod_monitoring"


def _version_number(expression: str) -> str:
    """``1.32.3-gke.100`` -> 1032003, as a Terraform expression."""
    parts = f'split(".", {expression})'
    patch = f'split("-", {parts}[2])[0]'
    return f"(tonumber({parts}[0]) * 1000000 + tonumber({parts}[1]) * 1000 + tonumber({patch}))"


def _build_number(expression: str) -> str:
    """``1.32.2-gke.1182001`` -> 10320021182001 (build 0 without ``-gke.``), as a Terraform
    expression: the version and its GKE build, compared as one number."""
    build = f'tonumber(try(split("-gke.", {expression})[1], "0"))'
    return f"({_version_number(expression)} * 10000000 + {build})"


def _check(check: Preflight, cluster: str, where: str) -> tuple[str, str]:
    """The condition on the cluster data source (``self``) and the message when it fails."""
    update = f"Run: gcloud container clusters update {cluster} {where}"
    prometheus_on = "${try(self.monitoring_config[0].managed_prometheus[0].enabled, false)}"
    prometheus_off = f"Managed Prometheus is not enabled on cluster {cluster}, so"
    major, minor, patch = MIN_GKE_VERSION
    if check is Preflight.GATEWAY_API:
        return ('${try(self.gateway_api_config[0].channel, "CHANNEL_DISABLED") != "CHANNEL_DISABLED"}',
                f"Gateway API is not enabled on cluster {cluster}, so the Gateway and HTTPRoutes would fail with "
                f"'no matches for kind'. {update} --gateway-api=standard")
    if check is Preflight.MANAGED_PROMETHEUS:
        return (prometheus_on, f"{prometheus_off} nothing would scrape the endpoint picker's metrics. "
                               f"{update} --enable-managed-prometheus")
    if check is Preflight.POD_MONITORING:
        return (prometheus_on, f"{prometheus_off} the PodMonitoring kind does not exist and nothing would scrape "
                               f"vLLM's metrics. {update} --enable-managed-prometheus")
    if check is Preflight.WORKLOAD_IDENTITY:
        return ('${try(self.workload_identity_config[0].workload_pool, "") != ""}',
                f"Workload Identity is not enabled on cluster {cluster}, so the custom metrics adapter could not "
                f"read Cloud Monitoring. {update} --workload-pool=PROJECT_ID.svc.id.goog")
    if check is Preflight.ROUTING_EXTENSION:
        r_major, r_minor, r_patch, r_build = MIN_ROUTING_EXTENSION_VERSION
        floor = (r_major * 1000000 + r_minor * 1000 + r_patch) * 10000000 + r_build
        version = f"{r_major}.{r_minor}.{r_patch}-gke.{r_build}"
        return (f"${{try({_build_number('self.master_version')} >= {floor}, false)}}",
                f"Cluster {cluster} runs a GKE version older than {version}, which lacks the GCPRoutingExtension "
                f"CRD the body-based router needs. Run: gcloud container clusters upgrade {cluster} {where} "
                f"--master --cluster-version {major}.{minor}, or install the CRDs with "
                "prerequisites.gke_extension_crds")
    minimum = major * 1000000 + minor * 1000 + patch
    return (f"${{try({_version_number('self.master_version')} >= {minimum}, false)}}",
            f"Cluster {cluster} runs a GKE version older than {major}.{minor}.{patch}, the first with GKE "
            f"Inference Gateway. Run: gcloud container clusters upgrade {cluster} {where} --master "
            f"--cluster-version {major}.{minor}")


def postconditions(checks: Iterable[Preflight], *, cluster_name: str, cluster_location: str) -> list[Postcondition]:
    """The postconditions for ``checks``; names may be Terraform references."""
    where = f"--location {cluster_location}"
    return [Postcondition(condition=condition, error_message=message)
            for condition, message in (_check(check, cluster_name, where) for check in checks)]
