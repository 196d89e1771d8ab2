"""The typed settings of the cluster wing: how Terraform reaches the cluster, which CRDs it
installs, and who may read the metrics token. Pure data and checks (no cdktf), so a wrong
value is reported before Node starts."""

from __future__ import annotations

import dataclasses
from typing import Literal

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.literal import LOCAL_ONLY
from constructs_lib._core.manifest_source import ManifestSource
from constructs_lib._core.props import Props
from constructs_lib._core.releases import GIE_RELEASE_BY_API


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClusterAccessProps(Props):
    """How Terraform talks to the cluster's API server.

    Attributes:
        private_endpoint: the control plane has no public endpoint; go through the fleet's
            Connect Gateway with ``gke-gcloud-auth-plugin`` (install it beside Terraform).
            Default ``False``: the public endpoint with a Google access token.
        fleet_membership_location: location of the cluster's fleet membership, used only
            with ``private_endpoint``. Default ``None``: the cluster's location.
        fleet_membership_name: the fleet membership's name. Default ``None``: the cluster name.
        preflight_checks: stop ``terraform plan`` with the command to run when the cluster
            lacks what a stack needs (Gateway API, Managed Prometheus, GKE >= 1.32.3, and with
            the body-based router its routing extension CRD).
            Default ``True``.
    """

    private_endpoint: bool = False
    preflight_checks: bool = True
    fleet_membership_location: str | None = None
    fleet_membership_name: str | None = None

    def problems(self) -> list[Problem]:
        found = []
        for name in ("fleet_membership_location", "fleet_membership_name"):
            value = getattr(self, name)
            if value is not None and not self.private_endpoint:
                found.append(Problem(name, value, "only applies to private_endpoint clusters",
                                     "remove it, or set private_endpoint: true"))
            elif value is not None:
                found.extend(checks.url_path_segment(name, value))
        return found


GIE_RELEASE_URL = (
    "https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/"
    "{version}/manifests.yaml"
)
GKE_EXTENSION_CRD_URL = (
    "https://raw.githubusercontent.com/GoogleCloudPlatform/gke-gateway-api/{ref}/config/crd/"
    "networking.gke.io_{plural}.yaml"
)
GKE_EXTENSION_PLURALS = ("gcptrafficextensions", "gcproutingextensions")
DEFAULT_VERSION = GIE_RELEASE_BY_API["v1alpha2"]
#: The gke-gateway-api commit whose GCPTrafficExtension CRD this package's extension is
#: validated against (tests: ../shared/upstream/gke-gateway-api-fc40d60-crds.yaml).
GKE_EXTENSION_CRD_COMMIT = "fc40d606a5332f11a8883f85caff66b63c4e88ef"


@dataclasses.dataclass(frozen=True, kw_only=True)
class GieCrdsProps(Props):
    """Which GIE release to install, and from where.

    Attributes:
        version: GIE release tag. Default ``None``: the release of the app's API version,
            ``v0.3.0`` for ``v1alpha2`` (the tutorial's, which the ai-on-gke module targets)
            and ``v1.5.0`` for ``v1``.
        manifest_file: a local copy of the release's ``manifests.yaml`` to use instead of
            downloading it at plan time (air-gapped runners). Default ``None``: download.
        allow_destroy: let ``terraform destroy`` delete the CRDs. Deleting a CRD deletes
            every InferencePool and InferenceModel in the cluster, so the default ``False``
            sets ``prevent_destroy``.
        exclude: ``Kind/name`` of release documents to leave out, e.g.
            ``CustomResourceDefinition/inferencepools.inference.networking.k8s.io`` on GKE
            1.34.0-gke.1626000 and later, which installs that CRD itself (the app's plan
            stops there until it is excluded). A document an earlier apply created is then
            dropped from the state, never deleted. Default: none.
    """

    version: str | None = None
    manifest_file: str | None = dataclasses.field(default=None, metadata={LOCAL_ONLY: True})
    allow_destroy: bool = False
    exclude: tuple[str, ...] = ()

    def problems(self) -> list[Problem]:
        found = list(checks.semver_tag("version", self.version)) if self.version is not None else []
        for index, key in enumerate(self.exclude):
            found += checks.manifest_key(f"exclude[{index}]", key)
        if self.manifest_file is not None:
            found.extend(checks.manifest_file("manifest_file", self.manifest_file))
        return found

    def source(self, default_version: str = DEFAULT_VERSION) -> ManifestSource:
        if self.manifest_file is not None:
            return ManifestSource.local(self.manifest_file)
        return ManifestSource(url=GIE_RELEASE_URL.format(version=self.version or default_version))


@dataclasses.dataclass(frozen=True, kw_only=True)
class GkeExtensionCrdsProps(Props):
    """GKE's GCPTrafficExtension and GCPRoutingExtension CRDs.

    Only needed for Model Armor on GKE older than 1.32.2-gke.1182001; newer clusters
    ship them, and the app applies them only where the cluster's version lacks them.

    Attributes:
        ref: git ref of GoogleCloudPlatform/gke-gateway-api to read them from. Default: commit
            ``fc40d606a533``, the CRDs this package's GCPTrafficExtension is tested against
            (the tutorial reads ``main``, which changes under you).
        allow_destroy: let ``terraform destroy`` delete these CRDs (and with them every
            extension object). Default ``False``.
    """

    ref: str = GKE_EXTENSION_CRD_COMMIT
    allow_destroy: bool = False

    def problems(self) -> list[Problem]:
        return list(checks.git_ref("ref", self.ref))

    @property
    def sources(self) -> list[ManifestSource]:
        return [ManifestSource(url=GKE_EXTENSION_CRD_URL.format(ref=self.ref, plural=plural))
                for plural in GKE_EXTENSION_PLURALS]


CollectorNamespace = Literal["auto", "gke-gmp-system", "gmp-system"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class MetricsRbacProps(Props):
    """Who may read the metrics token.

    Attributes:
        collector_namespace: namespace of Managed Prometheus' ``collector`` service account.
            Default ``auto``: Terraform reads the cluster and picks ``gke-gmp-system`` on
            Autopilot, ``gmp-system`` on Standard. Force one when the data source cannot tell.
    """

    collector_namespace: CollectorNamespace = "auto"
