"""Cluster-wide prerequisites: the GIE CRDs, the metrics-reader RBAC and, for autoscaling,
the Custom Metrics Stackdriver Adapter.

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
        adapter = config.observability.metrics_adapter
        install_adapter = adapter is not None and adapter.install
        preflight = [Preflight.MANAGED_PROMETHEUS] if prerequisites.metrics_rbac is not None or install_adapter else []
        if install_adapter:
            preflight.append(Preflight.WORKLOAD_IDENTITY)
        self.connect(preflight=preflight)
        if prerequisites.crds is not None:
            self.crds = GieCrds(self, "gie-crds", props=prerequisites.crds,
                                default_version=GIE_RELEASE_BY_API[config.api_version])
        if prerequisites.gke_extension_crds is not None:
            GkeExtensionCrds(self, "gke-extension-crds", props=prerequisites.gke_extension_crds)
        if prerequisites.metrics_rbac is not None:
            MetricsRbac(self, "metrics-rbac", cluster=self.cluster, props=prerequisites.metrics_rbac)
        if adapter is not None and adapter.install:
            CustomMetricsAdapter(self, "custom-metrics-adapter", cluster=self.cluster, props=adapter)
