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
        elif check is Preflight.INFERENCE_GATEWAY_VERSION:
            found.append(Postcondition(
                condition=f"${{try({_version_number('self.master_version')} >= {minimum}, false)}}",
                error_message=(
                    f"Cluster {cluster_name} runs a GKE version older than {major}.{minor}.{patch}, the "
                    f"first with GKE Inference Gateway. Run: gcloud container clusters upgrade "
                    f"{cluster_name} {where} --master --cluster-version {major}.{minor}"),
            ))
        elif check is Preflight.ROUTING_EXTENSION:
            r_major, r_minor, r_patch, r_build = MIN_ROUTING_EXTENSION_VERSION
            floor = (r_major * 1000000 + r_minor * 1000 + r_patch) * 10000000 + r_build
            version = f"{r_major}.{r_minor}.{r_patch}-gke.{r_build}"
            found.append(Postcondition(
                condition=f"${{try({_build_number('self.master_version')} >= {floor}, false)}}",
                error_message=(
                    f"Cluster {cluster_name} runs a GKE version older than {version}, which lacks the "
                    f"GCPRoutingExtension CRD the body-based router needs. Run: gcloud container clusters "
                    f"upgrade {cluster_name} {where} --master --cluster-version {major}.{minor}, or install "
                    "the CRDs with prerequisites.gke_extension_crds"),
            ))
    return found
