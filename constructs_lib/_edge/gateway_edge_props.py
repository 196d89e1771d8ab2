"""Typed settings of the gateway's edge: a reserved static address and HTTPS.

They live in the gateway section on both API paths (see ``GatewayCommonProps``); the checks
that need the gateway class (which address type, which certificate source) are in
:func:`edge_problems`, the ones that stand alone in the classes.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Literal

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.gateway_classes import INTERNAL_CLASSES, REGIONAL_CLASSES
from constructs_lib._core.props import Props

#: Where the HTTPS listener's certificate comes from (see ``HttpsProps.certificate``).
CertificateSource = Literal["google_managed", "self_managed", "certificate_manager", "ssl_certificate", "secret"]
#: Sources this package creates (a Certificate Manager certificate in the gateway's region).
CREATED_SOURCES = ("google_managed", "self_managed")
#: Sources that are Certificate Manager certificates, attached by name as a listener option.
#: Only regional load balancers reference such certificates directly; global ones go through
#: a certificate map, which this package does not build.
CERTIFICATE_MANAGER_SOURCES = ("google_managed", "self_managed", "certificate_manager")


@dataclasses.dataclass(frozen=True)
class GatewayRef:
    """The Gateway an edge part serves, and all the edge needs of it: the edge never reads a
    gateway path's props, so either API path can hand it its Gateway."""

    name: str
    namespace: str
    gateway_class: str


def gce_slug(text: str) -> str:
    """A GCE resource name made from a Kubernetes name (dots and other marks become '-')."""
    slug = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return slug[:63].rstrip("-")


@dataclasses.dataclass(frozen=True, kw_only=True)
class StaticAddressProps(Props):
    """A reserved regional IP address for the Gateway, so its address survives a re-create
    and can go into DNS. The Gateway names it in ``spec.addresses`` as a ``NamedAddress`` (GKE
    refuses ``IPAddress``). External on ``gke-l7-regional-external-managed``, ``INTERNAL`` on
    ``gke-l7-rilb``.

    Attributes:
        name: the address resource's name. Default ``None``: ``<gateway name>-ip``.
        create: reserve the address here. Default ``True``; ``False`` uses an existing
            reserved address of that name in the gateway's region (read, never changed).
        subnetwork: ``gke-l7-rilb`` only, and required there when ``create``: a normal subnet
            of the cluster's VPC (for example the nodes' subnet), by name or self link, that
            the internal address is taken from. Never the proxy-only subnet.
    """

    name: str | None = None
    create: bool = True
    subnetwork: str | None = None

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        if self.name is not None:
            found += checks.gce_name("name", self.name, "address")
        if self.subnetwork is not None:
            found += checks.not_blank("subnetwork", self.subnetwork)
        return found

    def address_name(self, gateway_name: str) -> str:
        return self.name or f"{gce_slug(gateway_name)}-ip"


@dataclasses.dataclass(frozen=True, kw_only=True)
class HttpsProps(Props):
    """An HTTPS listener on port 443 that terminates TLS, with its certificate.

    Attributes:
        certificate: where the certificate comes from: ``google_managed`` (a Certificate
            Manager certificate created here, issued and renewed by Google after DNS
            authorization of each of ``domains``); ``self_managed`` (a Certificate Manager
            certificate created here from PEM given through the Terraform variables
            ``tls_certificate_pem`` and ``tls_private_key_pem``; the key is kept in the
            Terraform state, see docs/edge.md); ``certificate_manager`` (an existing Certificate
            Manager certificate in the gateway's region, by name); ``ssl_certificate`` (an
            existing Compute SSL certificate, regional for the regional classes, by name);
            ``secret`` (an existing Kubernetes TLS Secret in the gateway's namespace, by name).
        domains: the host names clients use. The first is the host of the ``gateway_url`` and
            ``chat_completions_curl`` outputs; with ``google_managed`` the certificate covers
            exactly these, each with its own DNS authorization. At least one.
        certificate_name: the certificate's (or Secret's) name. Required for the existing
            sources; default ``None`` for the created ones: ``<gateway name>-cert``.
    """

    certificate: CertificateSource
    domains: tuple[str, ...] = ()
    certificate_name: str | None = None

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        if not self.domains:
            found.append(Problem("domains", [], "is empty, so the URL and the certificate have no host name",
                                 "list the host names clients use, e.g. [api.example.com]"))
        for index, domain in enumerate(self.domains):
            found += checks.dns_name(f"domains[{index}]", domain)
        found += checks.unique("domains", self.domains, "domain")
        name = self.certificate_name
        if name is None:
            if self.certificate not in CREATED_SOURCES:
                found.append(Problem("certificate_name", None, f"is required with certificate {self.certificate}",
                                     "name the existing certificate or Secret"))
        elif self.certificate == "secret":
            found += checks.dns_subdomain("certificate_name", name)
        else:
            found += checks.gce_name("certificate_name", name, "certificate")
        return found

    def resource_name(self, gateway_name: str) -> str:
        return self.certificate_name or f"{gce_slug(gateway_name)}-cert"


def edge_problems(gateway_class: str, gateway_name: str, proxy_only_subnetwork: str,
                  static_address: StaticAddressProps | None, https: HttpsProps | None,
                  redirect_http_to_https: bool) -> list[Problem]:
    """What a gateway class cannot do with these edge settings, with fields as the gateway
    section names them."""
    found: list[Problem] = []
    if redirect_http_to_https and https is None:
        found.append(Problem("redirect_http_to_https", True, "needs an HTTPS listener to redirect to",
                             "add an https section, or remove redirect_http_to_https"))
    if static_address is not None:
        found += [p.under("static_address") for p in _address_problems(gateway_class, gateway_name,
                                                                       proxy_only_subnetwork, static_address)]
    if https is not None:
        if https.certificate in CERTIFICATE_MANAGER_SOURCES and gateway_class not in REGIONAL_CLASSES:
            found.append(Problem("https.certificate", https.certificate,
                                 f"is a regional Certificate Manager certificate, which {gateway_class} cannot use "
                                 "(global load balancers take Certificate Manager certificates through a "
                                 "certificate map)",
                                 "use ssl_certificate or secret, or a regional gateway_class"))
        if https.certificate in CREATED_SOURCES:
            found += checks.gce_name("https.certificate_name", https.resource_name(gateway_name), "certificate")
    return found


def _address_problems(gateway_class: str, gateway_name: str, proxy_only_subnetwork: str,
                      address: StaticAddressProps) -> list[Problem]:
    found = list(checks.gce_name("name", address.address_name(gateway_name), "address"))
    internal = gateway_class in INTERNAL_CLASSES
    if internal and address.create and address.subnetwork is None:
        found.append(Problem("subnetwork", None, f"is required for an internal address ({gateway_class})",
                             "name a normal subnet of the cluster's VPC, e.g. the nodes' subnet"))
    if not internal and address.subnetwork is not None:
        found.append(Problem("subnetwork", address.subnetwork,
                             f"only applies to internal addresses, and {gateway_class} is external",
                             "remove it, or use gateway_class gke-l7-rilb"))
    if address.subnetwork is not None and address.subnetwork.rsplit("/", 1)[-1] == proxy_only_subnetwork:
        found.append(Problem("subnetwork", address.subnetwork,
                             "is the proxy-only subnet, which holds the load balancer's proxies, not addresses",
                             "name a normal subnet of the cluster's VPC, e.g. the nodes' subnet"))
    if not address.create and address.subnetwork is not None:
        found.append(Problem("subnetwork", address.subnetwork, "only applies to an address created here",
                             "remove it; the existing address already has its subnet"))
    return found
