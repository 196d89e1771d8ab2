"""What both gateway paths build alike: the Gateway and its listeners, the redirect route,
the routes to the pools, the outputs that tell a user how to reach the gateway, and what
attaches after the Gateway (the redirect and Model Armor). The settings are in
``common_props.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from cdktf import ITerraformDependable, TerraformOutput
from constructs import Construct

from constructs_lib._cluster.access import ClusterAccess
from constructs_lib._core.literal import literal
from constructs_lib._edge.model_armor import ModelArmor
from constructs_lib._gateway.common_props import (
    CERT_MANAGER_OPTION,
    CHAT_COMPLETIONS_PATH,
    HTTP_LISTENER,
    HTTPS_LISTENER,
    PRE_SHARED_OPTION,
    GatewayCommonProps,
)
from constructs_lib._gateway.pools import InferencePoolSpec
from constructs_lib._gateway.proxy_subnet import ProxyOnlySubnetCheck
from constructs_lib._gateway.routes import GATEWAY_API as GATEWAY_API
from constructs_lib._gateway.routes import PlannedRoute, route_manifest
from constructs_lib._model_server.server_props import VllmModelServerProps
from constructs_lib._terraform import plain
from constructs_lib._terraform.manifests import KubernetesManifest, kubernetes_manifest


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


def serving_section(gateway: GatewayCommonProps) -> str | None:
    """The listener serving routes attach to: ``https`` with HTTPS, so that a redirecting
    ``http`` listener never serves the API in clear text; else none (every listener)."""
    return HTTPS_LISTENER if gateway.https is not None else None


def listeners(gateway: GatewayCommonProps, certificate_name: str | None) -> list[dict[str, Any]]:
    """Plain HTTP on 80; or HTTPS on 443 terminating TLS with the certificate, plus an
    ``http`` listener on 80 when it redirects."""
    http = {"name": HTTP_LISTENER, "protocol": "HTTP", "port": 80}
    https = gateway.https
    if https is None:
        return [http]
    tls: dict[str, Any] = {"mode": "Terminate"}
    if https.certificate == "secret":
        tls["certificateRefs"] = [{"group": "", "kind": "Secret", "name": certificate_name}]
    else:
        option = PRE_SHARED_OPTION if https.certificate == "ssl_certificate" else CERT_MANAGER_OPTION
        tls["options"] = {option: certificate_name}
    secure = {"name": HTTPS_LISTENER, "protocol": "HTTPS", "port": 443, "tls": tls}
    return [http, secure] if gateway.redirect_http_to_https else [secure]


def gateway_manifest(gateway: GatewayCommonProps) -> dict[str, Any]:
    """The Gateway: its class, listeners and, with a static address, ``spec.addresses``."""
    spec: dict[str, Any] = {"gatewayClassName": gateway.gateway_class}
    if gateway.static_address is not None:
        spec["addresses"] = [{"type": "NamedAddress", "value": gateway.static_address.address_name(gateway.name)}]
    certificate = gateway.https.resource_name(gateway.name) if gateway.https is not None else None
    spec["listeners"] = listeners(gateway, certificate)
    return {"apiVersion": GATEWAY_API, "kind": "Gateway",
            "metadata": {"name": gateway.name, "namespace": gateway.namespace}, "spec": spec}


def redirect_route_manifest(gateway: GatewayCommonProps) -> dict[str, Any]:
    """The ``http`` listener's only route: a 301 to ``https`` for every request, no backend
    (Gateway API forbids backends beside a RequestRedirect)."""
    return {
        "apiVersion": GATEWAY_API, "kind": "HTTPRoute",
        "metadata": {"name": f"{gateway.name}-http-redirect", "namespace": gateway.namespace},
        "spec": {
            "parentRefs": [{"name": gateway.name, "namespace": gateway.namespace, "sectionName": HTTP_LISTENER}],
            "rules": [{"filters": [{"type": "RequestRedirect",
                                    "requestRedirect": {"scheme": "https", "statusCode": 301}}]}],
        },
    }


#: The props class of the path building the gateway, carried through ``GatewayInputs``.
PathProps = TypeVar("PathProps", bound=GatewayCommonProps)


@dataclasses.dataclass(frozen=True)
class GatewayInputs(Generic[PathProps]):
    """A gateway construct's inputs once checked: user text escaped, network resolved."""

    props: PathProps
    model_servers: tuple[VllmModelServerProps, ...]
    region: str
    network_name: str


def gateway_inputs(scope: Construct, props: PathProps, cluster: ClusterAccess, region: str | None,
                   network_name: str | None,
                   model_servers: Sequence[VllmModelServerProps]) -> GatewayInputs[PathProps]:
    """What both gateway constructs do first: resolve the subnet's region and network, raise
    every problem at once, escape the user's text (once, here), and add the plan-time check
    of the proxy-only subnet the gateway is about to create."""
    region, network_name = gateway_network(cluster, region, network_name)
    props.raise_problems_with(model_servers)
    props, servers = literal(props), literal(tuple(model_servers))
    proxy_only_subnet_check(scope, props, cluster, region, network_name)
    return GatewayInputs(props, servers, region, network_name)


def proxy_only_subnet_check(scope: Construct, props: GatewayCommonProps, cluster: ClusterAccess,
                            region: str, network_name: str) -> None:
    """The plan-time check of the proxy-only subnet a gateway is about to create (id
    ``proxy-only-subnet-check``), unless the subnet is not created or checks are off."""
    if props.create_proxy_only_subnetwork and cluster.preflight_checks:
        ProxyOnlySubnetCheck(scope, "proxy-only-subnet-check", cluster=cluster, region=region,
                             network_name=network_name, subnet_name=props.proxy_only_subnetwork_name)


def route_objects(scope: Construct, props: GatewayCommonProps, planned: Sequence[PlannedRoute],
                  pools: Sequence[InferencePoolSpec], *, pool_group: str, after: Sequence[ITerraformDependable],
                  default_pool: str | None = None) -> list[KubernetesManifest]:
    """The HTTPRoutes of ``planned`` (one per pool, then the default pool's), ids
    ``route-<pool>`` and ``default-route``, in the Gateway's namespace."""
    targets = [(f"route-{pool.name}", pool.name) for pool in pools]
    if default_pool is not None:
        targets.append(("default-route", default_pool))
    return [kubernetes_manifest(scope, construct_id, depends_on=list(after), manifest=route_manifest(
                name=route.name, namespace=props.namespace, gateway_name=props.name,
                gateway_namespace=props.namespace, route_matches=route.route_matches, pool=pool,
                pool_group=pool_group, section=serving_section(props)))
            for (construct_id, pool), route in zip(targets, planned, strict=True)]


def chat_curl(url: str, model: str) -> str:
    """A chat completion for ``model`` through the gateway at ``url`` (scheme and host)."""
    body = ('{"model": "' + model + '", "messages": [{"role": "user", '
            '"content": "Say hello in one sentence."}], "max_tokens": 64}')
    return (f"curl -sS {url}{CHAT_COMPLETIONS_PATH} "
            f"-H 'Content-Type: application/json' -d '{body}'")


def gateway_outputs(scope: Construct, gateway: GatewayCommonProps, model: str,
                    after: Sequence[ITerraformDependable], models: Sequence[str] = (),
                    static_address: str | None = None) -> None:
    """The Gateway's status read back after ``after`` applied, and the outputs:
    ``gateway_name``, ``gateway_namespace``, ``gateway_address``, ``chat_completions_curl``
    (for ``model``), ``model_names`` (every name the gateway serves, ``models``) and
    ``model_curls`` (a chat completion per name); with a static address or HTTPS also
    ``gateway_url``. The URL is ``https://`` and the first domain with HTTPS, else ``http://``
    and the address (the reserved one when there is one)."""
    status = plain.data_source(
        scope, "gateway-status", plain.KUBERNETES, "kubernetes_resource", depends_on=list(after),
        api_version=GATEWAY_API, kind="Gateway", metadata={"name": gateway.name, "namespace": gateway.namespace})
    address = f'${{try({status.fqn}.object.status.addresses[0].value, "")}}'
    TerraformOutput(scope, "gateway_name", value=gateway.name, static_id=True,
                    description="Name of the Gateway.")
    TerraformOutput(scope, "gateway_namespace", value=gateway.namespace, static_id=True,
                    description="Namespace of the Gateway.")
    exposure = " Public, unauthenticated: anyone who reaches it can call the models." \
        if gateway.public_unauthenticated else " Reachable from the VPC only."
    TerraformOutput(scope, "gateway_address", value=address, static_id=True,
                    description="The Gateway's IP address (empty until the load balancer is ready)." + exposure)
    if gateway.https is not None:
        url = f"https://{gateway.https.domains[0]}"
    else:
        url = f"http://{static_address or address}"
    if gateway.has_edge:
        TerraformOutput(scope, "gateway_url", value=url, static_id=True,
                        description="Where clients reach the gateway." + exposure)
    TerraformOutput(scope, "chat_completions_curl", static_id=True,
                    description="A chat completion through the gateway, ready to paste.",
                    value=chat_curl(url, model))
    names = list(dict.fromkeys(models))
    TerraformOutput(scope, "model_names", static_id=True, value=names,
                    description="Every model name (base models and adapters) the gateway routes.")
    TerraformOutput(scope, "model_curls", static_id=True, value={name: chat_curl(url, name) for name in names},
                    description="A chat completion per model name, ready to paste.")


def after_gateway(scope: Construct, gateway: GatewayCommonProps, manifest: ITerraformDependable, *,
                  project_id: str, region: str, models: Sequence[str], paths: Sequence[str]) -> None:
    """What attaches to the Gateway, the same on both paths: the HTTP redirect route (id
    ``http-redirect``) and Model Armor (id ``model-armor``) screening ``paths``."""
    if gateway.redirect_http_to_https:
        kubernetes_manifest(scope, "http-redirect", manifest=redirect_route_manifest(gateway), depends_on=[manifest])
    if gateway.model_armor is not None:
        ModelArmor(scope, "model-armor", gateway=gateway.ref, props=gateway.model_armor, project_id=project_id,
                   region=region, models=models, paths=paths, after=[manifest])
