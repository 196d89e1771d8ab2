"""Cluster-wide prerequisites: the GIE CRDs, on the ``v1alpha2`` path the tutorial's
metrics-reader RBAC (chart v0.3.0 reads its token Secret; chart v1.5.0 makes its own) and,
for autoscaling, the Custom Metrics Stackdriver Adapter.

A separate Terraform root because custom resources cannot be planned in the run that
creates their CRD (``kubernetes_manifest`` asks the API server for the schema at plan time).
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib import (
    GIE_RELEASE_BY_API,
    CustomMetricsAdapter,
    GieCrds,
    GkeExtensionCrds,
    MetricsRbac,
    Preflight,
)
from stacks.base import BaseStack, StackOptions


class PrerequisitesStack(BaseStack):
    def __init__(self, scope: Construct, id: str, *, options: StackOptions) -> None:
        super().__init__(scope, id, options=options)
        config = options.config
        prerequisites = config.prerequisites
        metrics_rbac = prerequisites.metrics_rbac if config.api_version == "v1alpha2" else None
        preflight = [Preflight.MANAGED_PROMETHEUS] if metrics_rbac is not None else []
        adapter = config.observability.metrics_adapter
        if adapter is not None and adapter.install:
            preflight.append(Preflight.WORKLOAD_IDENTITY)
        self.connect(preflight=preflight)
        if prerequisites.crds is not None:
            self.crds = GieCrds(self, "gie-crds", props=prerequisites.crds, cluster=self.cluster,
                                default_version=GIE_RELEASE_BY_API[config.api_version])
        extension_crds = config.gke_extension_crds
        if extension_crds is not None:
            GkeExtensionCrds(self, "gke-extension-crds", props=extension_crds, cluster=self.cluster)
        if metrics_rbac is not None:
            MetricsRbac(self, "metrics-rbac", cluster=self.cluster, props=metrics_rbac)
        if adapter is not None and adapter.install:
            CustomMetricsAdapter(self, "custom-metrics-adapter", cluster=self.cluster, props=adapter)
