"""What both gateway paths share: the settings every inference gateway has, the Gateway
API names and paths, and the outputs that tell a user how to reach the gateway.

The ai-on-gke module path (``InferenceGatewayProps``) and the v1 path
(``InferenceGatewayV1Props``) each extend :class:`GatewayCommonProps`, so a shared setting
is declared, documented and checked once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import ClassVar, Literal, get_args

from cdktf import ITerraformDependable, TerraformOutput
from constructs import Construct

from constructs_lib import _checks as checks
from constructs_lib._cluster_access import ClusterAccess
from constructs_lib._errors import ConfigError, Problem
from constructs_lib._model_server_props import VllmModelServerProps
from constructs_lib._pools import Criticality, InferencePoolSpec
from constructs_lib._props import Props
from constructs_lib._providers import DataKubernetesResource, DataKubernetesResourceMetadata
from constructs_lib._proxy_subnet import ProxyOnlySubnetCheck
from constructs_lib._releases import ApiVersion

GATEWAY_API = "gateway.networking.k8s.io/v1"
COMPLETIONS_PATH = "/v1/completions"
CHAT_COMPLETIONS_PATH = "/v1/chat/completions"

#: GKE gateway classes that route to inference pools, both regional (each needs the
#: region's proxy-only subnet). ``gke-l7-global-external-managed`` is not accepted: no GKE
#: or GIE source confirms it serves InferencePool backends.
GatewayClass = Literal[
    "gke-l7-regional-external-managed",
    "gke-l7-rilb",
]
GKE_GATEWAY_CLASSES: tuple[str, ...] = get_args(GatewayClass)


@dataclasses.dataclass(frozen=True, kw_only=True)
class GatewayCommonProps(Props):
    """Settings every inference gateway has, whichever API path builds it.

    Attributes:
        api_version: the InferencePool API, which picks the path: ``v1alpha2`` (the
            tutorial's GIE v0.3.0 through the ai-on-gke module) or ``v1`` (GIE v1.x
            through this package's own constructs).
        name: the Gateway's name. Default ``inference-gateway``.
        namespace: the Gateway's namespace (on ``v1`` also the pools', objectives' and
            routes'). Default ``default``; the module path allows nothing else.
        gateway_class: the GKE gateway class. Default ``gke-l7-regional-external-managed``
            (regional external Application Load Balancer); ``gke-l7-rilb`` for internal.
        create_proxy_only_subnetwork: create the regional proxy-only subnet the regional
            classes need. Default ``True``; ``False`` when the VPC already has one. When
            creating it, ``terraform plan`` stops if the network already has an ACTIVE one
            in the region, or if ``region`` is not the cluster's region (unless
            ``cluster.preflight_checks`` is off).
        proxy_only_subnetwork_name: its name. Default ``gateway-api-proxy-only``.
        inference_pools: explicit pools; ``None`` derives one per model server.
        base_model_criticality: criticality of the derived base-model entries.
            Default ``Critical``.
        adapter_criticality: criticality of the derived adapter entries. Default ``Standard``.
    """

    moved_settings: ClassVar[Mapping[str, str]] = {
        "gateway": "write its name, namespace and gateway_class directly in the gateway section",
    }

    api_version: ApiVersion = "v1alpha2"
    name: str = "inference-gateway"
    namespace: str = "default"
    gateway_class: GatewayClass = "gke-l7-regional-external-managed"
    create_proxy_only_subnetwork: bool = True
    proxy_only_subnetwork_name: str = "gateway-api-proxy-only"
    inference_pools: tuple[InferencePoolSpec, ...] | None = None
    base_model_criticality: Criticality = "Critical"
    adapter_criticality: Criticality = "Standard"

    def problems(self) -> list[Problem]:
        return [*checks.dns_subdomain("name", self.name), *checks.dns_label("namespace", self.namespace),
                *checks.gce_name("proxy_only_subnetwork_name", self.proxy_only_subnetwork_name, "subnetwork")]

    def problems_with(self, model_servers: Sequence[VllmModelServerProps]) -> list[Problem]:
        """Problems of this gateway in front of ``model_servers``, with fields named as the
        user wrote them; the gateway constructs raise them, apps can report them early."""
        raise NotImplementedError

    def raise_problems_with(self, model_servers: Sequence[VllmModelServerProps]) -> None:
        """Raise every problem of :meth:`problems_with` as one ``ConfigError``."""
        problems = self.problems_with(model_servers)
        if problems:
            raise ConfigError(problems)


def gateway_network(cluster: ClusterAccess, region: str | None, network_name: str | None) -> tuple[str, str]:
    """The region and VPC network of the proxy-only subnet: as given, or the ``region`` and
    ``network_name`` variables of a cluster made by ``ClusterAccess.from_variables``."""
    variables = cluster.variables
    if region is None or network_name is None:
        if variables is None or not variables.has_network:
            raise TypeError("give region= and network_name=, or a cluster from "
                            "ClusterAccess.from_variables(..., include_network=True)")
        region = region if region is not None else variables.region
        network_name = network_name if network_name is not None else variables.network_name
    return region, network_name


def proxy_only_subnet_check(scope: Construct, props: GatewayCommonProps, cluster: ClusterAccess,
                            region: str, network_name: str) -> None:
    """The plan-time check of the proxy-only subnet a gateway is about to create (id
    ``proxy-only-subnet-check``), unless the subnet is not created or checks are off."""
    if props.create_proxy_only_subnetwork and cluster.preflight_checks:
        ProxyOnlySubnetCheck(scope, "proxy-only-subnet-check", cluster=cluster, region=region,
                             network_name=network_name, subnet_name=props.proxy_only_subnetwork_name)


def criticality_of(props: GatewayCommonProps, is_base: bool) -> Criticality:
    return props.base_model_criticality if is_base else props.adapter_criticality


def sample_model(servers: Sequence[VllmModelServerProps], model_names: Sequence[str]) -> str:
    """The model the ready-made curl asks for: the first adapter, as in GKE's examples,
    else the first model name the gateway serves."""
    fallback = model_names[0] if model_names else "your-model"
    return next((server.adapters[0].id for server in servers if server.adapters), fallback)


def gateway_outputs(scope: Construct, gateway: GatewayCommonProps, model: str,
                    after: Sequence[ITerraformDependable]) -> None:
    """The Gateway's status read back after ``after`` applied, and the four outputs:
    ``gateway_name``, ``gateway_namespace``, ``gateway_address``, ``chat_completions_curl``."""
    status = DataKubernetesResource(
        scope, "gateway-status", api_version=GATEWAY_API, kind="Gateway",
        metadata=DataKubernetesResourceMetadata(name=gateway.name, namespace=gateway.namespace),
        depends_on=list(after),
    )
    address = f'${{try({status.fqn}.object.status.addresses[0].value, "")}}'
    TerraformOutput(scope, "gateway_name", value=gateway.name, static_id=True,
                    description="Name of the Gateway.")
    TerraformOutput(scope, "gateway_namespace", value=gateway.namespace, static_id=True,
                    description="Namespace of the Gateway.")
    TerraformOutput(scope, "gateway_address", value=address, static_id=True,
                    description="The Gateway's IP address (empty until the load balancer is ready).")
    body = ('{"model": "' + model + '", "messages": [{"role": "user", '
            '"content": "Say hello in one sentence."}], "max_tokens": 64}')
    TerraformOutput(
        scope, "chat_completions_curl", static_id=True,
        description="A chat completion through the gateway, ready to paste.",
        value=f"curl -sS http://{address}{CHAT_COMPLETIONS_PATH} "
              f"-H 'Content-Type: application/json' -d '{body}'",
    )

