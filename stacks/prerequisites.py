"""Cluster-wide prerequisites: the GIE CRDs and the metrics-reader RBAC.

A separate Terraform root because custom resources cannot be planned in the run that
creates their CRD (``kubernetes_manifest`` asks the API server for the schema at plan time).
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib import GIE_RELEASE_BY_API, GieCrds, GkeExtensionCrds, MetricsRbac, Preflight
from stacks.base import BaseStack, StackOptions


class PrerequisitesStack(BaseStack):
    def __init__(self, scope: Construct, id: str, *, options: StackOptions) -> None:
        super().__init__(scope, id, options=options)
        config = options.config
        self.connect(preflight=[Preflight.MANAGED_PROMETHEUS] if config.prerequisites.metrics_rbac is not None else [])
        prerequisites = config.prerequisites
        if prerequisites.crds is not None:
            self.crds = GieCrds(self, "gie-crds", props=prerequisites.crds,
                                default_version=GIE_RELEASE_BY_API[config.api_version])
        if prerequisites.gke_extension_crds is not None:
            GkeExtensionCrds(self, "gke-extension-crds", props=prerequisites.gke_extension_crds)
        if prerequisites.metrics_rbac is not None:
            MetricsRbac(self, "metrics-rbac", cluster=self.cluster, props=prerequisites.metrics_rbac)
