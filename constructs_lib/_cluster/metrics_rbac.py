"""Let Google Managed Prometheus scrape the endpoint picker's ``/metrics``.

These are the tutorial's six objects, for the ``v1alpha2`` path. The inferencepool chart
v0.3.0 (the ai-on-gke module's) renders a ClusterPodMonitoring that reads the bearer token
from Secret ``default/inference-gateway-sa-metrics-reader-secret`` (key ``token``) and
creates no such Secret, so the names are a contract with that chart and are not
configurable (GIE@v0.3.0:config/charts/inferencepool/templates/gke.yaml, values.yaml).
Chart v1.5.0 (the ``v1`` path) reads nothing of this: with
``inferenceExtension.monitoring.prometheus.enabled`` it creates its own per-release
ServiceAccount, token Secret, PodMonitoring and collector RoleBinding
(GIE@v1.5.0:config/charts/epplib/templates/_gke.yaml), so the app deploys these objects on
the ``v1alpha2`` path only.

Unlike the tutorial, the cluster-scoped objects carry no ``metadata.namespace``:
``kubectl`` ignores it, but ``kubernetes_manifest`` fails the plan with "Cluster level
resource cannot take namespace".
"""

from __future__ import annotations

from typing import Any

from cdktf import Fn, Token
from constructs import Construct

from constructs_lib._cluster.access import ClusterAccess
from constructs_lib._cluster.props import MetricsRbacProps
from constructs_lib._core.literal import literal
from constructs_lib._terraform.manifests import kubernetes_manifest

METRICS_READER_ROLE = "inference-gateway-metrics-reader"
METRICS_READER_SA = "inference-gateway-sa-metrics-reader"
METRICS_READER_SECRET = "inference-gateway-sa-metrics-reader-secret"
SECRET_READER_ROLE = "inference-gateway-sa-metrics-reader-secret-read"
METRICS_NAMESPACE = "default"
AUTOPILOT_COLLECTOR_NAMESPACE = "gke-gmp-system"
STANDARD_COLLECTOR_NAMESPACE = "gmp-system"
RBAC_API = "rbac.authorization.k8s.io"

def _cluster_role(name: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": f"{RBAC_API}/v1", "kind": "ClusterRole",
            "metadata": {"name": name}, "rules": rules}


def _cluster_role_binding(name: str, role: str, subject: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": f"{RBAC_API}/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": RBAC_API, "kind": "ClusterRole", "name": role},
        "subjects": [{"kind": "ServiceAccount", **subject}],
    }


def metrics_rbac_objects(collector_namespace: str) -> dict[str, dict[str, Any]]:
    """The six objects by construct id; ``collector_namespace`` may be a Terraform token."""
    return {
        "metrics-reader-role": _cluster_role(
            METRICS_READER_ROLE, [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]
        ),
        "metrics-reader-sa": {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": METRICS_READER_SA, "namespace": METRICS_NAMESPACE},
        },
        "metrics-reader-binding": _cluster_role_binding(
            f"{METRICS_READER_SA}-role-binding",
            METRICS_READER_ROLE,
            {"name": METRICS_READER_SA, "namespace": METRICS_NAMESPACE},
        ),
        "metrics-reader-token": {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": METRICS_READER_SECRET,
                "namespace": METRICS_NAMESPACE,
                "annotations": {"kubernetes.io/service-account.name": METRICS_READER_SA},
            },
            "type": "kubernetes.io/service-account-token",
        },
        "secret-reader-role": _cluster_role(
            SECRET_READER_ROLE,
            [{
                "resources": ["secrets"],
                "apiGroups": [""],
                "verbs": ["get", "list", "watch"],
                "resourceNames": [METRICS_READER_SECRET],
            }],
        ),
        "collector-binding": _cluster_role_binding(
            f"{collector_namespace}:collector:{SECRET_READER_ROLE}",
            SECRET_READER_ROLE,
            {"name": "collector", "namespace": collector_namespace},
        ),
    }


class MetricsRbac(Construct):
    """The metrics-reader ClusterRoles, ServiceAccount, token Secret and bindings."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cluster: ClusterAccess,
        props: MetricsRbacProps | None = None,
    ) -> None:
        super().__init__(scope, id)
        props = literal(props or MetricsRbacProps())
        if props.collector_namespace == "auto":
            self.collector_namespace: str = Token.as_string(Fn.conditional(
                cluster.is_autopilot, AUTOPILOT_COLLECTOR_NAMESPACE, STANDARD_COLLECTOR_NAMESPACE
            ))
        else:
            self.collector_namespace = props.collector_namespace
        self.manifests = {
            object_id: kubernetes_manifest(self, object_id, manifest=body)
            for object_id, body in metrics_rbac_objects(self.collector_namespace).items()
        }
