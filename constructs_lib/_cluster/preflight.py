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
MIN_GKE_VERSION = "1.32.3"
#: GKE 1.34.0-gke.1626000 and later installs the InferencePool v1 CRD itself, so creating it
#: fails with "Cannot create resource that already exists" (GKE's Inference Gateway
#: documentation: the GA CRDs are installed automatically from that version on).
GKE_INSTALLS_INFERENCE_POOL_CRD = "1.34.0-gke.1626000"
#: The release document to leave out there, as ``prerequisites.crds.exclude`` writes it.
INFERENCE_POOL_V1_CRD = "CustomResourceDefinition/inferencepools.inference.networking.k8s.io"
#: GKE ships the GCPTrafficExtension and GCPRoutingExtension CRDs (the body-based router's
#: chart creates a GCPRoutingExtension) from this version on; older clusters need them
#: installed (ai-on-gke Model Armor tutorial).
EXTENSION_CRDS_BUILT_IN = "1.32.2-gke.1182001"
#: The GKE version checked before a GCPTrafficExtension calls Model Armor. No GKE document
#: states a floor of its own for googleAPIServiceName callouts, so it is the floor of the
#: InferencePool backends it screens (GKE Inference Gateway); raise it here when one does.
MODEL_ARMOR_MIN_GKE = "1.32.3"


#: Managed Prometheus is on: the endpoint picker is scraped and the PodMonitoring kind exists.
PROMETHEUS_ENABLED = "${try(self.monitoring_config[0].managed_prometheus[0].enabled, false)}"


class Preflight(Enum):
    GATEWAY_API = "gateway_api"
    MANAGED_PROMETHEUS = "managed_prometheus"
    INFERENCE_GATEWAY_VERSION = "inference_gateway_version"
    MODEL_ARMOR_VERSION = "model_armor_version"
    ROUTING_EXTENSION = "routing_extension"
    #: The stack installs the InferencePool v1 CRD, which newer GKE installs itself.
    INFERENCE_POOL_CRD_NOT_FROM_GKE = "inference_pool_crd_not_from_gke"
    #: The stack leaves the InferencePool v1 CRD to GKE, which older GKE does not install.
    INFERENCE_POOL_CRD_FROM_GKE = "inference_pool_crd_from_gke"
    #: The adapter's service account reads Cloud Monitoring through Workload Identity.
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


def gke_version_value(version: str) -> int:
    """The number :func:`_build_number` computes, for a literal version."""
    release, _, build = version.partition("-gke.")
    major, minor, patch = (int(part) for part in release.split("."))
    return (major * 1000000 + minor * 1000 + patch) * 10000000 + int(build or 0)


def gke_version_before(expression: str, version: str) -> str:
    """A Terraform condition (no ``${}``): the GKE version in ``expression`` is older than
    ``version``; false when it cannot be read."""
    return f"try({_build_number(expression)} < {gke_version_value(version)}, false)"


def gke_version_at_least(expression: str, version: str) -> str:
    """A Terraform condition (no ``${}``): the GKE version is ``version`` or newer; false when
    it cannot be read."""
    return f"try({_build_number(expression)} >= {gke_version_value(version)}, false)"


def postconditions(checks: Iterable[Preflight], *, cluster_name: str, cluster_location: str) -> list[Postcondition]:
    """The postconditions for ``checks``; names may be Terraform references."""
    where = f"--location {cluster_location}"
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
            found.append(_managed_prometheus("nothing would scrape the endpoint picker's metrics",
                                             cluster_name, where))
        elif check is Preflight.POD_MONITORING:
            found.append(_managed_prometheus("the PodMonitoring kind does not exist and nothing would scrape "
                                             "vLLM's metrics", cluster_name, where))
        elif check is Preflight.WORKLOAD_IDENTITY:
            found.append(Postcondition(
                condition='${try(self.workload_identity_config[0].workload_pool, "") != ""}',
                error_message=(
                    f"Workload Identity is not enabled on cluster {cluster_name}, so the custom metrics "
                    f"adapter could not read Cloud Monitoring. Run: gcloud container clusters update "
                    f"{cluster_name} {where} --workload-pool=PROJECT_ID.svc.id.goog"),
            ))
        elif check is Preflight.INFERENCE_GATEWAY_VERSION:
            found.append(_upgrade(gke_version_at_least("self.master_version", MIN_GKE_VERSION), MIN_GKE_VERSION,
                                  "the first with GKE Inference Gateway", cluster_name, where))
        elif check is Preflight.MODEL_ARMOR_VERSION:
            found.append(_upgrade(gke_version_at_least("self.master_version", MODEL_ARMOR_MIN_GKE), MODEL_ARMOR_MIN_GKE,
                                  "which Model Armor screening through a GCPTrafficExtension needs here",
                                  cluster_name, where))
        elif check is Preflight.ROUTING_EXTENSION:
            found.append(Postcondition(
                condition=f"${{{gke_version_at_least('self.master_version', EXTENSION_CRDS_BUILT_IN)}}}",
                error_message=(
                    f"Cluster {cluster_name} runs a GKE version older than {EXTENSION_CRDS_BUILT_IN}, which lacks "
                    f"the GCPRoutingExtension CRD the body-based router needs. Run: gcloud container clusters "
                    f"upgrade {cluster_name} {where} --master --cluster-version {_minor(MIN_GKE_VERSION)}, or install "
                    "the CRDs with prerequisites.gke_extension_crds"),
            ))
        elif check in (Preflight.INFERENCE_POOL_CRD_NOT_FROM_GKE, Preflight.INFERENCE_POOL_CRD_FROM_GKE):
            gke = GKE_INSTALLS_INFERENCE_POOL_CRD
            older = f"{_build_number('self.master_version')} < {gke_version_value(gke)}"
            # A version that does not parse passes: apply then reports the real state.
            if check is Preflight.INFERENCE_POOL_CRD_NOT_FROM_GKE:
                found.append(Postcondition(condition=f"${{try({older}, true)}}", error_message=(
                    f"Cluster {cluster_name} runs GKE {gke} or later, which installs the InferencePool CRD "
                    f"itself, so creating it would fail with 'already exists'. Set prerequisites.crds.exclude: "
                    f"[{INFERENCE_POOL_V1_CRD}] (a copy Terraform created before is then forgotten, not "
                    f"deleted)")))
            else:
                found.append(Postcondition(condition=f"${{try(!({older}), true)}}", error_message=(
                    f"Cluster {cluster_name} runs GKE older than {gke}, which does not install the "
                    f"InferencePool CRD, so no InferencePool could be created. Remove {INFERENCE_POOL_V1_CRD} "
                    f"from prerequisites.crds.exclude")))
    return found


def _managed_prometheus(consequence: str, cluster_name: str, where: str) -> Postcondition:
    """Managed Prometheus must be on, else ``consequence``; with the command that turns it on."""
    return Postcondition(
        condition=PROMETHEUS_ENABLED,
        error_message=(
            f"Managed Prometheus is not enabled on cluster {cluster_name}, so {consequence}. Run: gcloud "
            f"container clusters update {cluster_name} {where} --enable-managed-prometheus"),
    )


def _upgrade(condition: str, version: str, why: str, cluster_name: str, where: str) -> Postcondition:
    """A minimum GKE version: ``condition`` (no ``${}``) and the upgrade command to run."""
    return Postcondition(
        condition=f"${{{condition}}}",
        error_message=(
            f"Cluster {cluster_name} runs a GKE version older than {version}, {why}. Run: gcloud container "
            f"clusters upgrade {cluster_name} {where} --master --cluster-version {_minor(version)}"),
    )


def _minor(version: str) -> str:
    """``1.32.3`` -> ``1.32``, the form ``--cluster-version`` takes for "the newest patch"."""
    return ".".join(version.split(".")[:2])
