"""The Gateway API Inference Extension CRDs (the tutorial's first ``kubectl apply``) and,
optionally, GKE's traffic and routing extension CRDs (for Model Armor on older GKE)."""

from __future__ import annotations

import dataclasses
import os

from constructs import Construct

from constructs_lib import _checks as checks
from constructs_lib._errors import Problem
from constructs_lib._manifest_bundle import ManifestBundle, ManifestSource
from constructs_lib._props import Props
from constructs_lib._releases import GIE_RELEASE_BY_API

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
            1.34.0-gke.1626000 and later, which installs that CRD itself. Default: none.
    """

    version: str | None = None
    manifest_file: str | None = None
    allow_destroy: bool = False
    exclude: tuple[str, ...] = ()

    def problems(self) -> list[Problem]:
        found = list(checks.semver_tag("version", self.version)) if self.version is not None else []
        for index, key in enumerate(self.exclude):
            found += checks.manifest_key(f"exclude[{index}]", key)
        if self.manifest_file is not None and not os.path.isfile(self.manifest_file):
            found.append(Problem("manifest_file", self.manifest_file, "is not a readable file",
                                 "give the path of the release's manifests.yaml, relative to where main.py runs"))
        return found

    def source(self, default_version: str = DEFAULT_VERSION) -> ManifestSource:
        if self.manifest_file is not None:
            return ManifestSource(file=self.manifest_file)
        return ManifestSource(url=GIE_RELEASE_URL.format(version=self.version or default_version))


@dataclasses.dataclass(frozen=True, kw_only=True)
class GkeExtensionCrdsProps(Props):
    """GKE's GCPTrafficExtension and GCPRoutingExtension CRDs.

    Only needed for Model Armor on GKE older than 1.32.2-gke.1182001; newer clusters
    ship them.

    Attributes:
        ref: git ref of GoogleCloudPlatform/gke-gateway-api to read them from. Default ``main``,
            as in the tutorial; pin a commit for repeatable plans.
        allow_destroy: let ``terraform destroy`` delete these CRDs (and with them every
            extension object). Default ``False``.
    """

    ref: str = "main"
    allow_destroy: bool = False

    def problems(self) -> list[Problem]:
        return list(checks.not_blank("ref", self.ref))

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
        props = props or GieCrdsProps()
        self.bundle = ManifestBundle(
            self, "release", sources=[props.source(default_version)], prevent_destroy=not props.allow_destroy,
            exclude=props.exclude,
        )


class GkeExtensionCrds(Construct):
    """GKE traffic and routing extension CRDs."""

    def __init__(
        self, scope: Construct, id: str, *, props: GkeExtensionCrdsProps | None = None
    ) -> None:
        super().__init__(scope, id)
        props = props or GkeExtensionCrdsProps()
        self.bundle = ManifestBundle(
            self, "release", sources=props.sources, prevent_destroy=not props.allow_destroy
        )
