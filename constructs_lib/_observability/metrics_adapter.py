"""The Custom Metrics Stackdriver Adapter: serves Cloud Monitoring metrics (Managed
Prometheus series included) to HorizontalPodAutoscalers through the custom and external
metrics APIs.

Installed from its release manifest at a pinned commit, the way the GIE CRDs are, with
the one IAM binding it needs: ``roles/monitoring.viewer`` for its Kubernetes service
account, granted directly to the Workload Identity principal. Only one backend can serve
``v1beta1.external.metrics.k8s.io`` in a cluster, so the plan stops when another one
(KEDA, prometheus-adapter) already serves it; ``install: false`` uses whatever adapter
the cluster already has.
"""

from __future__ import annotations

from cdktf import Postcondition, TerraformResourceLifecycle
from constructs import Construct

from constructs_lib._cluster.access import ClusterAccess
from constructs_lib._observability.props import MetricsAdapterProps
from constructs_lib._terraform import plain
from constructs_lib._terraform.manifest_bundle import ManifestBundle
from constructs_lib._terraform.manifests import kubernetes_manifest

#: GoogleCloudPlatform/k8s-stackdriver, the commit that set the adapter image to
#: v0.16.9-gke.0 (2026-08-17).
ADAPTER_NAMESPACE = "custom-metrics"
ADAPTER_SERVICE_ACCOUNT = "custom-metrics-stackdriver-adapter"
#: The Service behind the adapter's APIServices (the same name as its service account).
ADAPTER_SERVICE = "custom-metrics-stackdriver-adapter"
EXTERNAL_METRICS_API_SERVICE = "v1beta1.external.metrics.k8s.io"
MONITORING_VIEWER = "roles/monitoring.viewer"


def workload_identity_member(project_id: str, project_number: str) -> str:
    """The IAM principal of the adapter's Kubernetes service account."""
    return (f"principal://iam.googleapis.com/projects/{project_number}/locations/global/workloadIdentityPools/"
            f"{project_id}.svc.id.goog/subject/ns/{ADAPTER_NAMESPACE}/sa/{ADAPTER_SERVICE_ACCOUNT}")


class CustomMetricsAdapter(Construct):
    """The adapter's release manifest, its ``roles/monitoring.viewer`` binding, and a
    plan-time check that no other backend serves the external metrics API.

    Construct ids: ``existing-external-metrics`` (data source), ``namespace``, ``release``,
    ``project``, ``monitoring-viewer``.
    """

    def __init__(self, scope: Construct, id: str, *, cluster: ClusterAccess,
                 props: MetricsAdapterProps | None = None) -> None:
        super().__init__(scope, id)
        props = props or MetricsAdapterProps()
        if not props.install:
            raise TypeError("CustomMetricsAdapter with install=False: create nothing instead")
        ours = f"{ADAPTER_NAMESPACE}/{ADAPTER_SERVICE}"
        served_by = 'format("%s/%s", try(o.spec.service.namespace, ""), try(o.spec.service.name, ""))'
        self.existing = plain.data_source(
            self, "existing-external-metrics", plain.KUBERNETES, "kubernetes_resources",
            api_version="apiregistration.k8s.io/v1", kind="APIService",
            field_selector=f"metadata.name={EXTERNAL_METRICS_API_SERVICE}",
            lifecycle=TerraformResourceLifecycle(postcondition=[Postcondition(
                condition=f'${{alltrue([for o in self.objects : {served_by} == "{ours}"])}}',
                error_message=(
                    f"{EXTERNAL_METRICS_API_SERVICE} is already served by another adapter (KEDA or "
                    "prometheus-adapter?), and only one can serve it. Keep that one and set "
                    "observability.metrics_adapter.install: false (its HPAs then need metrics it can serve), "
                    "or remove it first."),
            )]),
        )
        # The namespace first: the release's namespaced documents are applied in no order.
        self.namespace = kubernetes_manifest(self, "namespace", manifest={
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ADAPTER_NAMESPACE}})
        self.release = ManifestBundle(self, "release", sources=[props.source],
                                      exclude=[f"Namespace/{ADAPTER_NAMESPACE}"], depends_on=[self.namespace])
        project = plain.data_source(self, "project", plain.GOOGLE, "google_project", project_id=cluster.project_id)
        self.binding = plain.resource(
            self, "monitoring-viewer", plain.GOOGLE, "google_project_iam_member", project=cluster.project_id,
            role=MONITORING_VIEWER,
            member=workload_identity_member(cluster.project_id, project.get_string_attribute("number")))
