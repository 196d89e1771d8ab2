"""Fake GKE clusters for offline plans: what the google, http and kubernetes stubs answer.

A fixture is one JSON file (its path in ``TFSTUB_FIXTURE``) read by every stub provider
of a plan::

    {"data": {"<data source type>": {<attribute>: <value>, ...}},  # any data source, by type
     "http": {"<url>": "<body>"},                                   # data "http", by URL
     "kubernetes": {"api_resources": {"<apiVersion>/<Kind>": "Namespaced" | "Cluster"}}}

``FakeCluster`` builds one for a GKE cluster; ``extra_data`` adds answers for data sources
it does not know (see README.md). Values are facts about GKE, not about this project: the
upstream release manifests are served at their real URLs, from ``../shared/upstream/``.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from tfstub.fake_kubernetes import DOCUMENT_SEPARATOR

TESTS = Path(__file__).resolve().parents[1]
UPSTREAM = TESTS.parents[1] / "shared" / "upstream"
CA_CERTIFICATE = (TESTS / "fixtures" / "fake_cluster" / "ca.pem").read_text()

#: The environment the plan tests' tfvars name (tfstub/plan_runs.py).
PROJECT_ID, NETWORK, REGION = "fake-project-123", "default", "us-central1"
PROJECT_NUMBER = "123456789012"
ACCESS_TOKEN = "ya29.fake-access-token-for-offline-plans"
ENDPOINT = "203.0.113.10"
#: GKE installs the InferencePool CRD (inference.networking.k8s.io/v1) from this version on.
INFERENCE_POOL_BUILT_IN = (1, 34, 0, 1626000)

GIE_RELEASE = "https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/{}/manifests.yaml"
GKE_GATEWAY_CRD = ("https://raw.githubusercontent.com/GoogleCloudPlatform/gke-gateway-api/{ref}/config/crd/"
                   "networking.gke.io_{plural}.yaml")
RELEASES = {"v0.3.0": "gie-v0.3.0-crds.yaml", "v1.5.0": "gie-v1.5.0-crds.yaml", "v1.6.0": "gie-v1.6.0-crds.yaml"}
GKE_GATEWAY_CRDS = "gke-gateway-api-fc40d60-crds.yaml"
GKE_GATEWAY_COMMIT = "fc40d606a5332f11a8883f85caff66b63c4e88ef"
METRICS_ADAPTER = ("https://raw.githubusercontent.com/GoogleCloudPlatform/k8s-stackdriver/"
                   "af49d863755c0535f598cfde9288ae9a75251d38/custom-metrics-stackdriver-adapter/deploy/production/"
                   "adapter_new_resource_model.yaml")
METRICS_ADAPTER_FILE = TESTS / "fixtures" / "upstream" / "custom-metrics-stackdriver-adapter-af49d86.yaml"
GATEWAY_API_CRDS = "gateway-api-v1.2.1-standard-crds.yaml"
MANAGED_PROMETHEUS_CRDS = "gmp-v0.17.2-crds.yaml"

#: Built-in kinds every cluster serves, with their scope (Kubernetes API reference).
BUILT_IN: dict[str, str] = {
    **{f"v1/{kind}": "Namespaced" for kind in (
        "ConfigMap", "Secret", "ServiceAccount", "Service", "Pod", "PersistentVolumeClaim", "Endpoints",
        "ResourceQuota", "LimitRange")},
    **{f"v1/{kind}": "Cluster" for kind in ("Namespace", "Node", "PersistentVolume")},
    **{f"apps/v1/{kind}": "Namespaced" for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")},
    **{f"rbac.authorization.k8s.io/v1/{kind}": "Namespaced" for kind in ("Role", "RoleBinding")},
    **{f"rbac.authorization.k8s.io/v1/{kind}": "Cluster" for kind in ("ClusterRole", "ClusterRoleBinding")},
    "apiextensions.k8s.io/v1/CustomResourceDefinition": "Cluster",
    "apiregistration.k8s.io/v1/APIService": "Cluster",
    "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration": "Cluster",
    "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration": "Cluster",
    "autoscaling/v2/HorizontalPodAutoscaler": "Namespaced",
    "policy/v1/PodDisruptionBudget": "Namespaced",
    "networking.k8s.io/v1/NetworkPolicy": "Namespaced",
    "networking.k8s.io/v1/Ingress": "Namespaced",
    "batch/v1/Job": "Namespaced",
    "scheduling.k8s.io/v1/PriorityClass": "Cluster",
    "storage.k8s.io/v1/StorageClass": "Cluster",
}


@functools.cache
def _parsed(name: str) -> tuple[dict[str, Any], ...]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return tuple(doc for doc in yaml.load_all((UPSTREAM / name).read_text(), Loader=loader) if doc)  # noqa: S506


def upstream_documents(name: str) -> list[dict[str, Any]]:
    """The documents of one ``../shared/upstream/`` file (parsed once, copied per caller)."""
    return copy.deepcopy(list(_parsed(name)))


def _document_text(name: str, object_name: str) -> str:
    """One document of an upstream file, verbatim (the CRD file GitHub serves alone)."""
    for text in DOCUMENT_SEPARATOR.split((UPSTREAM / name).read_text()):
        if re.search(rf"^  name: {re.escape(object_name)}$", text, re.MULTILINE):
            return text.strip() + "\n"
    raise KeyError(object_name)


@functools.cache
def http_bodies() -> dict[str, str]:
    """Every upstream release manifest at the URL it is published under."""
    bodies = {GIE_RELEASE.format(version): (UPSTREAM / name).read_text() for version, name in RELEASES.items()}
    bodies[METRICS_ADAPTER] = METRICS_ADAPTER_FILE.read_text()
    for ref in ("main", GKE_GATEWAY_COMMIT):
        for plural in ("gcptrafficextensions", "gcproutingextensions"):
            bodies[GKE_GATEWAY_CRD.format(ref=ref, plural=plural)] = _document_text(
                GKE_GATEWAY_CRDS, f"{plural}.networking.gke.io")
    return bodies


def served_kinds(crds: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """``<group>/<version>/<Kind>`` -> scope for every served version of each CRD."""
    found = {}
    for crd in crds:
        spec = crd.get("spec", {})
        for version in spec.get("versions", []):
            if version.get("served", True):
                found[f"{spec['group']}/{version['name']}/{spec['names']['kind']}"] = spec.get("scope", "Namespaced")
    return found


def _version_key(version: str) -> tuple[int, ...]:
    numbers = [int(part) for part in re.findall(r"\d+", version)]
    return tuple(numbers + [0] * (4 - len(numbers)))[:4]


@dataclasses.dataclass(frozen=True)
class FakeCluster:
    """One GKE cluster as its data sources and API discovery show it.

    ``installed_crds`` are CRD documents already in the cluster (``after`` adds those an
    earlier stack's plan creates); ``extra_data`` answers further data source types.
    """

    autopilot: bool = False
    master_version: str = "1.33.2-gke.1240000"
    gateway_api: bool = True
    managed_prometheus: bool = True
    private_endpoint: bool = False
    workload_identity: bool = True
    #: ACTIVE proxy-only subnets already in the cluster's network and region
    proxy_only_subnets: tuple[str, ...] = ()
    ca_certificate: str = base64.b64encode(CA_CERTIFICATE.encode()).decode()
    installed_crds: tuple[Mapping[str, Any], ...] = ()
    #: objects already in the cluster, as ``kubernetes_resources`` lists them
    objects: tuple[Mapping[str, Any], ...] = ()
    extra_data: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)

    def after(self, planned_crds: Iterable[Mapping[str, Any]]) -> FakeCluster:
        """This cluster once an earlier stack's CRDs are applied."""
        return dataclasses.replace(self, installed_crds=(*self.installed_crds, *planned_crds))

    def crds(self) -> list[Mapping[str, Any]]:
        crds: list[Mapping[str, Any]] = []
        if self.gateway_api:
            crds += upstream_documents(GATEWAY_API_CRDS) + upstream_documents(GKE_GATEWAY_CRDS)
        if self.managed_prometheus or self.autopilot:
            crds += upstream_documents(MANAGED_PROMETHEUS_CRDS)
        if _version_key(self.master_version) >= INFERENCE_POOL_BUILT_IN:
            crds += [doc for doc in upstream_documents(RELEASES["v1.6.0"])
                     if doc["metadata"]["name"] == "inferencepools.inference.networking.k8s.io"]
        return crds + list(self.installed_crds)

    def cluster(self) -> dict[str, Any]:
        """The ``google_container_cluster`` data source's attributes that differ from zero."""
        return {
            "endpoint": ENDPOINT,
            "master_version": self.master_version,
            "current_master_version": self.master_version,
            "node_version": self.master_version,
            "enable_autopilot": self.autopilot,
            "master_auth": [{"cluster_ca_certificate": self.ca_certificate}],
            "gateway_api_config": [{"channel": "CHANNEL_STANDARD" if self.gateway_api else "CHANNEL_DISABLED"}],
            "monitoring_config": [{"enable_components": ["SYSTEM_COMPONENTS"],
                                   "managed_prometheus": [{"enabled": self.managed_prometheus}]}],
            "private_cluster_config": [{"enable_private_endpoint": self.private_endpoint}],
            "fleet": [{"membership_id": "fake-cluster-membership", "project": PROJECT_NUMBER}],
            "release_channel": [{"channel": "REGULAR"}],
            "workload_identity_config": [{"workload_pool": f"{PROJECT_ID}.svc.id.goog"}]
            if self.workload_identity else [],
        }

    def fixture(self) -> dict[str, Any]:
        return {
            "data": {
                "google_container_cluster": self.cluster(),
                "google_client_config": {"access_token": ACCESS_TOKEN, "region": "us-central1"},
                "google_project": {"number": PROJECT_NUMBER, "name": "fake project"},
                "google_compute_subnetworks": {"subnetworks": [
                    {"name": name, "network_name": NETWORK,
                     "network": f"projects/{PROJECT_ID}/global/networks/{NETWORK}",
                     "ip_cidr_range": "10.129.0.0/23", "self_link": f"projects/{PROJECT_ID}/regions/{REGION}/"
                     f"subnetworks/{name}"} for name in self.proxy_only_subnets]},
                **{kind: dict(answer) for kind, answer in self.extra_data.items()},
            },
            "http": dict(http_bodies()),
            "kubernetes": {"api_resources": {**BUILT_IN, **served_kinds(self.crds())},
                           "objects": [dict(item) for item in self.objects]},
        }
