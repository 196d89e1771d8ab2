"""The one place the project imports provider bindings from, and only the ones an app uses.

Each name below is imported from its binding module on first use (PEP 562 ``__getattr__``):
a provider resource module costs Python import time and a jsii type load, so an app loads
only the modules of the objects it builds (no shipped configuration builds a google or
kubernetes one; the v1 path and the body-based router build Helm's). Callers write
``providers.HelmProvider(...)`` (``from constructs_lib._terraform import providers``) so that
importing their module loads nothing either. The blocks every stack writes (provider
blocks, the cluster's data sources, ``kubernetes_manifest``) skip the bindings altogether
(``plain.py``); their binding classes stay listed here for the test that holds the two to
the same Terraform JSON. It runs after the package's ``__init__`` has
installed the lazy loader (see ``_runtime/lazy_providers.py``); keeping the binding package
names in one file means a move to another binding distribution touches this file only.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

#: Each binding module and the names taken from it.
_BINDINGS: dict[str, tuple[str, ...]] = {
    "cdktf_cdktf_provider_google.certificate_manager_certificate": (
        "CertificateManagerCertificate",
        "CertificateManagerCertificateManaged",
        "CertificateManagerCertificateSelfManaged",
    ),
    "cdktf_cdktf_provider_google.certificate_manager_dns_authorization": (
        "CertificateManagerDnsAuthorization",
    ),
    "cdktf_cdktf_provider_google.compute_address": (
        "ComputeAddress",
    ),
    "cdktf_cdktf_provider_google.compute_subnetwork": (
        "ComputeSubnetwork",
    ),
    "cdktf_cdktf_provider_google.data_google_client_config": (
        "DataGoogleClientConfig",
    ),
    "cdktf_cdktf_provider_google.data_google_compute_address": (
        "DataGoogleComputeAddress",
    ),
    "cdktf_cdktf_provider_google.data_google_compute_subnetworks": (
        "DataGoogleComputeSubnetworks",
    ),
    "cdktf_cdktf_provider_google.data_google_container_cluster": (
        "DataGoogleContainerCluster",
    ),
    "cdktf_cdktf_provider_google.data_google_project": (
        "DataGoogleProject",
    ),
    "cdktf_cdktf_provider_google.model_armor_template": (
        "ModelArmorTemplate",
        "ModelArmorTemplateFilterConfig",
        "ModelArmorTemplateFilterConfigMaliciousUriFilterSettings",
        "ModelArmorTemplateFilterConfigPiAndJailbreakFilterSettings",
        "ModelArmorTemplateFilterConfigRaiSettings",
        "ModelArmorTemplateFilterConfigRaiSettingsRaiFilters",
        "ModelArmorTemplateFilterConfigSdpSettings",
        "ModelArmorTemplateFilterConfigSdpSettingsBasicConfig",
        "ModelArmorTemplateTemplateMetadata",
    ),
    "cdktf_cdktf_provider_google.monitoring_alert_policy": (
        "MonitoringAlertPolicy",
        "MonitoringAlertPolicyConditions",
        "MonitoringAlertPolicyConditionsConditionPrometheusQueryLanguage",
        "MonitoringAlertPolicyDocumentation",
    ),
    "cdktf_cdktf_provider_google.monitoring_dashboard": (
        "MonitoringDashboard",
    ),
    "cdktf_cdktf_provider_google.project_iam_member": (
        "ProjectIamMember",
    ),
    "cdktf_cdktf_provider_google.provider": (
        "GoogleProvider",
    ),
    "cdktf_cdktf_provider_helm.provider": (
        "HelmProvider",
        "HelmProviderKubernetes",
        "HelmProviderKubernetesExec",
    ),
    "cdktf_cdktf_provider_helm.release": (
        "Release",
        "ReleaseSet",
    ),
    "cdktf_cdktf_provider_http.data_http": (
        "DataHttp",
    ),
    "cdktf_cdktf_provider_http.provider": (
        "HttpProvider",
    ),
    "cdktf_cdktf_provider_kubernetes.data_kubernetes_resource": (
        "DataKubernetesResource",
        "DataKubernetesResourceMetadata",
    ),
    "cdktf_cdktf_provider_kubernetes.data_kubernetes_resources": (
        "DataKubernetesResources",
    ),
    "cdktf_cdktf_provider_kubernetes.manifest": (
        "Manifest",
    ),
    "cdktf_cdktf_provider_kubernetes.provider": (
        "KubernetesProvider",
        "KubernetesProviderExec",
    ),
    "cdktf_cdktf_provider_kubernetes.secret_v1": (
        "SecretV1",
        "SecretV1Metadata",
    ),
}
_MODULE_OF = {name: module for module, names in _BINDINGS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
