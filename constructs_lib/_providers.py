"""The one place the project imports provider bindings from.

Being a module of ``constructs_lib``, it runs after the package's ``__init__`` has
installed the lazy loader (see ``_lazy_providers``). Keeping the binding package names in
one file means a move to another binding distribution touches this file only.
"""

from __future__ import annotations

from cdktf_cdktf_provider_google.compute_subnetwork import ComputeSubnetwork
from cdktf_cdktf_provider_google.data_google_client_config import DataGoogleClientConfig
from cdktf_cdktf_provider_google.data_google_container_cluster import DataGoogleContainerCluster
from cdktf_cdktf_provider_google.data_google_project import DataGoogleProject
from cdktf_cdktf_provider_google.provider import GoogleProvider
from cdktf_cdktf_provider_helm.provider import HelmProvider, HelmProviderKubernetes, HelmProviderKubernetesExec
from cdktf_cdktf_provider_helm.release import Release, ReleaseSet
from cdktf_cdktf_provider_http.data_http import DataHttp
from cdktf_cdktf_provider_http.provider import HttpProvider
from cdktf_cdktf_provider_kubernetes.data_kubernetes_resource import (
    DataKubernetesResource,
    DataKubernetesResourceMetadata,
)
from cdktf_cdktf_provider_kubernetes.manifest import Manifest
from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider, KubernetesProviderExec
from cdktf_cdktf_provider_kubernetes.secret_v1 import SecretV1, SecretV1Metadata

__all__ = [
    "ComputeSubnetwork",
    "HelmProvider",
    "HelmProviderKubernetes",
    "HelmProviderKubernetesExec",
    "Release",
    "ReleaseSet",
    "DataGoogleClientConfig",
    "DataGoogleContainerCluster",
    "DataGoogleProject",
    "DataHttp",
    "DataKubernetesResource",
    "DataKubernetesResourceMetadata",
    "GoogleProvider",
    "HttpProvider",
    "KubernetesProvider",
    "KubernetesProviderExec",
    "Manifest",
    "SecretV1",
    "SecretV1Metadata",
]
