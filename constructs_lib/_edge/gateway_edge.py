"""The Google Cloud side of the gateway's edge: the reserved address the Gateway names, and
the certificate its HTTPS listener names. The Gateway and routes themselves are built by each
API path from ``gateway_manifest`` and ``parent_refs`` (``_gateway/common.py``).

Why this shape:
- regional classes take certificates as listener options (``cert-manager-certs`` for a
  regional Certificate Manager certificate, ``pre-shared-certs`` for a regional SSL
  certificate) or as a Secret; Google-managed Compute certificates are global only, so the
  Google-managed choice here is a Certificate Manager certificate with DNS authorization;
- a self-managed key reaches Certificate Manager through a sensitive variable; the provider
  has no write-only argument for it, so it is stored in the state (docs/edge.md says so and
  offers the Secret source, which keeps the key out of Terraform entirely).
"""

from __future__ import annotations

import hashlib
from typing import Any

from cdktf import TerraformOutput, TerraformVariable
from constructs import Construct

from constructs_lib._core.gateway_classes import INTERNAL_CLASSES
from constructs_lib._edge.gateway_edge_props import GatewayRef, HttpsProps, StaticAddressProps
from constructs_lib._terraform import plain

CERTIFICATE_VARIABLE = "tls_certificate_pem"
PRIVATE_KEY_VARIABLE = "tls_private_key_pem"


def authorization_name(certificate: str, domain: str) -> str:
    """``<certificate>-<domain with dashes>``; when that exceeds 63 characters, the start of
    it and a hash of the domain, so two long domains never share a name."""
    name = f"{certificate}-{domain.replace('.', '-')}"
    if len(name) <= 63:
        return name
    digest = hashlib.sha256(domain.encode()).hexdigest()[:8]
    return f"{name[:54].rstrip('-')}-{digest}"


class GatewayEdge(Construct):
    """The static address (``address``: created, or read when it exists) and the Certificate
    Manager certificate with its DNS authorizations or PEM variables of ``gateway``, as
    ``static_address`` and ``https`` ask. ``address`` is the IP as a Terraform expression, or
    ``None`` without a static address; ``resources`` is what the Gateway must wait for.

    Construct ids: ``address``, ``certificate``, ``dns-authorization-<domain>``, the variables
    ``tls_certificate_pem`` and ``tls_private_key_pem`` (stack level, bare names) and the
    outputs ``static_address`` and ``dns_authorization_records``.

    A part of ``InferenceGateway`` and ``InferenceGatewayV1``, not built on its own: it
    receives its props after they passed the literal-string boundary.
    """

    def __init__(self, scope: Construct, id: str, *, gateway: GatewayRef, static_address: StaticAddressProps | None,
                 https: HttpsProps | None, project_id: str, region: str) -> None:
        super().__init__(scope, id)
        self.address: str | None = None
        self.resources: list[Any] = []
        if static_address is not None:
            self._address(gateway, static_address, project_id, region)
        if https is not None and https.certificate == "google_managed":
            self._google_managed(gateway, https, project_id, region)
        elif https is not None and https.certificate == "self_managed":
            self._self_managed(gateway, https, project_id, region)

    def _address(self, gateway: GatewayRef, props: StaticAddressProps, project_id: str, region: str) -> None:
        name = props.address_name(gateway.name)
        resource: Any
        if not props.create:
            resource = plain.data_source(self, "address", plain.GOOGLE, "google_compute_address", project=project_id,
                                         name=name, region=region)
        elif gateway.gateway_class in INTERNAL_CLASSES:
            resource = plain.resource(self, "address", plain.GOOGLE, "google_compute_address", project=project_id,
                                      name=name, region=region, address_type="INTERNAL", purpose="GCE_ENDPOINT",
                                      subnetwork=props.subnetwork)
            self.resources.append(resource)
        else:
            resource = plain.resource(self, "address", plain.GOOGLE, "google_compute_address", project=project_id,
                                      name=name, region=region, address_type="EXTERNAL", ip_version="IPV4")
            self.resources.append(resource)
        self.address = resource.get_string_attribute("address")
        TerraformOutput(self, "static_address", value=self.address, static_id=True,
                        description=f"The reserved IP address {name} of the Gateway (put it in DNS).")

    def _google_managed(self, gateway: GatewayRef, https: HttpsProps, project_id: str, region: str) -> None:
        name = https.resource_name(gateway.name)
        authorizations = [
            plain.resource(
                self, f"dns-authorization-{domain}", plain.GOOGLE, "google_certificate_manager_dns_authorization",
                project=project_id, location=region, name=authorization_name(name, domain), domain=domain,
                description=f"DNS authorization of {domain} for certificate {name}.")
            for domain in https.domains
        ]
        self.resources.append(plain.resource(
            self, "certificate", plain.GOOGLE, "google_certificate_manager_certificate", project=project_id,
            location=region, name=name,
            description=f"Google-managed certificate of Gateway {gateway.namespace}/{gateway.name}.",
            managed={"domains": list(https.domains),
                     "dns_authorizations": [auth.get_string_attribute("id") for auth in authorizations]}))
        records = [{"domain": auth.get_string_attribute("domain")} | {
                       field: auth.get_string_attribute(f"dns_resource_record[0].{field}")
                       for field in ("name", "type", "data")}
                   for auth in authorizations]
        TerraformOutput(self, "dns_authorization_records", value=records, static_id=True,
                        description="Create these DNS records so Google can issue the certificate.")

    def _self_managed(self, gateway: GatewayRef, https: HttpsProps, project_id: str, region: str) -> None:
        certificate = TerraformVariable(
            self, CERTIFICATE_VARIABLE, type="string", nullable=False,
            description="PEM certificate chain of the Gateway's HTTPS listener, leaf first.")
        certificate.override_logical_id(CERTIFICATE_VARIABLE)
        # Sensitive keeps it out of plans and logs. Not ephemeral: Certificate Manager has no
        # write-only argument for the key, and an ephemeral value may only reach one.
        key = TerraformVariable(
            self, PRIVATE_KEY_VARIABLE, type="string", nullable=False, sensitive=True,
            description="PEM private key of the Gateway's certificate. Stored in the Terraform state "
                        "(Certificate Manager takes it through no write-only argument).")
        key.override_logical_id(PRIVATE_KEY_VARIABLE)
        self.resources.append(plain.resource(
            self, "certificate", plain.GOOGLE, "google_certificate_manager_certificate", project=project_id,
            location=region, name=https.resource_name(gateway.name),
            description=f"Self-managed certificate of Gateway {gateway.namespace}/{gateway.name}.",
            self_managed={"pem_certificate": certificate.string_value, "pem_private_key": key.string_value}))
