"""The Gateway API Inference Extension CRDs (the tutorial's first ``kubectl apply``) and
GKE's traffic and routing extension CRDs (for Model Armor), which only clusters older than
1.32.2-gke.1182001 lack: given the cluster, they are applied only there, decided at plan time
from the cluster's version."""

from __future__ import annotations

import dataclasses
import os

from constructs import Construct

from constructs_lib._cluster.access import ClusterAccess
from constructs_lib._cluster.preflight import EXTENSION_CRDS_BUILT_IN, gke_version_before
from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.literal import LOCAL_ONLY, literal
from constructs_lib._core.props import Props
from constructs_lib._core.releases import GIE_RELEASE_BY_API
from constructs_lib._terraform.manifest_bundle import ManifestBundle, ManifestSource

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
            # Absolute: the jsii kernel does not resolve a relative path against our directory.
            return ManifestSource(file=os.path.abspath(self.manifest_file))
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


class GieCrds(Construct):
    """The CRDs of a GIE release (InferencePool and InferenceModel, or InferenceObjective).

    ``default_version`` is used when ``props.version`` is ``None``.
    """

    def __init__(self, scope: Construct, id: str, *, props: GieCrdsProps | None = None,
                 default_version: str = DEFAULT_VERSION) -> None:
        super().__init__(scope, id)
        props = literal(props or GieCrdsProps())
        self.bundle = ManifestBundle(
            self, "release", sources=[props.source(default_version)], prevent_destroy=not props.allow_destroy,
            exclude=props.exclude,
        )


class GkeExtensionCrds(Construct):
    """GKE traffic and routing extension CRDs. With ``cluster``, applied only when its GKE
    version (read at plan time) is older than the one that ships them; without, always."""

    def __init__(
        self, scope: Construct, id: str, *, props: GkeExtensionCrdsProps | None = None,
        cluster: ClusterAccess | None = None,
    ) -> None:
        super().__init__(scope, id)
        props = literal(props or GkeExtensionCrdsProps())
        condition = None
        if cluster is not None:
            # A bare reference: the condition sits inside the bundle's own ${...} expression.
            data = cluster.cluster
            version = f"data.{data.terraform_resource_type}.{data.friendly_unique_id}.master_version"
            condition = gke_version_before(version, EXTENSION_CRDS_BUILT_IN)
        self.bundle = ManifestBundle(
            self, "release", sources=props.sources, prevent_destroy=not props.allow_destroy,
            condition=condition,
        )
