"""The Gateway API Inference Extension CRDs (the tutorial's first ``kubectl apply``) and
GKE's traffic and routing extension CRDs (for Model Armor), which only clusters older than
1.32.2-gke.1182001 lack: given the cluster, they are applied only there, decided at plan time
from the cluster's version."""

from __future__ import annotations

from constructs import Construct

from constructs_lib._cluster.access import ClusterAccess
from constructs_lib._cluster.preflight import (
    EXTENSION_CRDS_BUILT_IN,
    INFERENCE_POOL_V1_CRD,
    Preflight,
    gke_version_before,
)
from constructs_lib._cluster.props import DEFAULT_VERSION, GieCrdsProps, GkeExtensionCrdsProps
from constructs_lib._core.literal import literal
from constructs_lib._core.releases import api_of_release
from constructs_lib._terraform.manifest_bundle import ManifestBundle


class GieCrds(Construct):
    """The CRDs of a GIE release (InferencePool and InferenceModel, or InferenceObjective).

    ``default_version`` is used when ``props.version`` is ``None``. With ``cluster``, a v1
    release carries its own plan-time check: GKE 1.34.0-gke.1626000 and later installs the
    InferencePool v1 CRD itself, so the plan stops there unless ``props.exclude`` leaves it
    out (and, when it is left out, stops on an older GKE that does not install it).
    """

    def __init__(self, scope: Construct, id: str, *, props: GieCrdsProps | None = None,
                 default_version: str = DEFAULT_VERSION, cluster: ClusterAccess | None = None) -> None:
        super().__init__(scope, id)
        props = literal(props or GieCrdsProps())
        if cluster is not None and api_of_release(props.version or default_version) == "v1":
            cluster.add_preflight([Preflight.INFERENCE_POOL_CRD_FROM_GKE if INFERENCE_POOL_V1_CRD in props.exclude
                                   else Preflight.INFERENCE_POOL_CRD_NOT_FROM_GKE])
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
