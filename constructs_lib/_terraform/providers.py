"""The one place the project imports provider bindings from.

Being a module of ``constructs_lib``, it runs after the package's ``__init__`` has
installed the lazy loader (see ``_runtime/lazy_providers.py``). Keeping the binding package names in
one file means a move to another binding distribution touches this file only.
"""

from __future__ import annotations

from cdktf_cdktf_provider_google.certificate_manager_certificate import (
    CertificateManagerCertificate,
    CertificateManagerCertificateManaged,
    CertificateManagerCertificateSelfManaged,
)
from cdktf_cdktf_provider_google.certificate_manager_dns_authorization import CertificateManagerDnsAuthorization
from cdktf_cdktf_provider_google.compute_address import ComputeAddress
from cdktf_cdktf_provider_google.compute_subnetwork import ComputeSubnetwork
from cdktf_cdktf_provider_google.data_google_client_config import DataGoogleClientConfig
from cdktf_cdktf_provider_google.data_google_compute_address import DataGoogleComputeAddress
from cdktf_cdktf_provider_google.data_google_compute_subnetworks import DataGoogleComputeSubnetworks
from cdktf_cdktf_provider_google.data_google_container_cluster import DataGoogleContainerCluster
from cdktf_cdktf_provider_google.data_google_project import DataGoogleProject
from cdktf_cdktf_provider_google.model_armor_template import (
    ModelArmorTemplate,
    ModelArmorTemplateFilterConfig,
    ModelArmorTemplateFilterConfigMaliciousUriFilterSettings,
    ModelArmorTemplateFilterConfigPiAndJailbreakFilterSettings,
    ModelArmorTemplateFilterConfigRaiSettings,
    ModelArmorTemplateFilterConfigRaiSettingsRaiFilters,
    ModelArmorTemplateFilterConfigSdpSettings,
    ModelArmorTemplateFilterConfigSdpSettingsBasicConfig,
    ModelArmorTemplateTemplateMetadata,
)
from cdktf_cdktf_provider_google.monitoring_alert_policy import (
    MonitoringAlertPolicy,
    MonitoringAlertPolicyConditions,
    MonitoringAlertPolicyConditionsConditionPrometheusQueryLanguage,
    MonitoringAlertPolicyDocumentation,
)
from cdktf_cdktf_provider_google.monitoring_dashboard import MonitoringDashboard
from cdktf_cdktf_provider_google.project_iam_member import ProjectIamMember
from cdktf_cdktf_provider_google.provider import GoogleProvider
from cdktf_cdktf_provider_helm.provider import HelmProvider, HelmProviderKubernetes, HelmProviderKubernetesExec
from cdktf_cdktf_provider_helm.release import Release, ReleaseSet
from cdktf_cdktf_provider_http.data_http import DataHttp
from cdktf_cdktf_provider_http.provider import HttpProvider
from cdktf_cdktf_provider_kubernetes.data_kubernetes_resource import (
    DataKubernetesResource,
    DataKubernetesResourceMetadata,
)
from cdktf_cdktf_provider_kubernetes.data_kubernetes_resources import DataKubernetesResources
from cdktf_cdktf_provider_kubernetes.manifest import Manifest
from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider, KubernetesProviderExec
from cdktf_cdktf_provider_kubernetes.secret_v1 import SecretV1, SecretV1Metadata

__all__ = [
    "CertificateManagerCertificate",
    "CertificateManagerCertificateManaged",
    "CertificateManagerCertificateSelfManaged",
    "CertificateManagerDnsAuthorization",
    "ComputeAddress",
    "DataGoogleComputeAddress",
    "ModelArmorTemplate",
    "ModelArmorTemplateFilterConfig",
    "ModelArmorTemplateFilterConfigMaliciousUriFilterSettings",
    "ModelArmorTemplateFilterConfigPiAndJailbreakFilterSettings",
    "ModelArmorTemplateFilterConfigRaiSettings",
    "ModelArmorTemplateFilterConfigRaiSettingsRaiFilters",
    "ModelArmorTemplateFilterConfigSdpSettings",
    "ModelArmorTemplateFilterConfigSdpSettingsBasicConfig",
    "ModelArmorTemplateTemplateMetadata",
    "ProjectIamMember",
    "ComputeSubnetwork",
    "HelmProvider",
    "HelmProviderKubernetes",
    "HelmProviderKubernetesExec",
    "Release",
    "ReleaseSet",
    "DataGoogleClientConfig",
    "DataGoogleComputeSubnetworks",
    "DataGoogleContainerCluster",
    "DataGoogleProject",
    "DataHttp",
    "DataKubernetesResource",
    "DataKubernetesResourceMetadata",
    "DataKubernetesResources",
    "GoogleProvider",
    "HttpProvider",
    "KubernetesProvider",
    "KubernetesProviderExec",
    "Manifest",
    "MonitoringAlertPolicy",
    "MonitoringAlertPolicyConditions",
    "MonitoringAlertPolicyConditionsConditionPrometheusQueryLanguage",
    "MonitoringAlertPolicyDocumentation",
    "MonitoringDashboard",
    "ProjectIamMember",
    "SecretV1",
    "SecretV1Metadata",
]
