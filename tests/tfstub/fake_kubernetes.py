"""The kubernetes provider's behaviour that decides whether a plan passes, reproduced from
hashicorp/terraform-provider-kubernetes v2.38.0 (the version the bindings pin):

- ``manifest_decode``, ``manifest_decode_multi``, ``manifest_encode``: YAML documents split
  on ``---``, decoded to objects and tuples (YAML null to a null), each document needing
  ``apiVersion``, ``kind`` and ``metadata``; their error texts;
- ``kubernetes_manifest`` validation: those three keys present, ``status`` forbidden;
- ``kubernetes_manifest`` planning: the kind must be served by the cluster (its discovery,
  here the fake cluster's), a namespaced kind needs a namespace, a cluster-scoped one
  refuses it;
- provider configuration: ``cluster_ca_certificate`` must be a PEM certificate.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import yaml

#: The provider's own document separator (``(:?^|\\s*\\n)---\\s*``), without its capture.
DOCUMENT_SEPARATOR = re.compile(r"(?::?^|\s*\n)---\s*")
REQUIRED_KEYS = ("apiVersion", "kind", "metadata")
PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----\s*\n([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----")


_JSON_KINDS = {"str": "string", "int": "number", "float": "number", "list": "array", "bool": "bool"}


class FunctionError(Exception):
    """A provider function failure; Terraform reports it as "Error in function call"."""


class _JsonLikeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML the way sigs.k8s.io/yaml reads it into JSON: timestamps stay strings."""


_JsonLikeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _JsonLikeLoader.yaml_implicit_resolvers.items()
}


def _missing_key(document: dict[str, Any]) -> str | None:
    return next((key for key in REQUIRED_KEYS if key not in document), None)


def decode_multi(manifest: str) -> list[dict[str, Any]]:
    documents = []
    for text in DOCUMENT_SEPARATOR.split(manifest):
        try:
            document = yaml.load(text, Loader=_JsonLikeLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as error:
            raise FunctionError(f"Invalid YAML document: {error}") from error
        if document is None or document == {}:
            continue  # the provider warns "Empty document" and skips it
        if not isinstance(document, dict):
            raise FunctionError(
                "Invalid YAML document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                f"{_JSON_KINDS.get(type(document).__name__, 'value')} into Go value of type map[string]interface {{}}")
        missing = _missing_key(document)
        if missing:
            raise FunctionError(f'Invalid Kubernetes manifest: missing field "{missing}"')
        documents.append(document)
    return documents


def decode(manifest: str) -> dict[str, Any]:
    documents = decode_multi(manifest)
    if not documents:
        raise FunctionError("Invalid manifest: YAML document is empty")
    if len(documents) > 1:
        raise FunctionError("YAML manifest contains multiple resources: use decode_manifest_multi to decode "
                            "manifests containing more than one resource")
    return documents[0]


def _marshal(document: Any) -> str:
    if not isinstance(document, dict):
        raise FunctionError(f"Invalid manifest: value doesn't seem to be a manifest: {document!r}")
    missing = _missing_key(document)
    if missing:
        raise FunctionError(f'Invalid Kubernetes manifest: missing field "{missing}"')
    return yaml.safe_dump(document, default_flow_style=False, sort_keys=True)


def encode(value: Any) -> str:
    if isinstance(value, list):
        return "".join("---\n" + _marshal(document) for document in value)
    return _marshal(value)


def validation_errors(manifest: Any) -> list[tuple[str, str]]:
    """``ValidateResourceTypeConfig`` of ``kubernetes_manifest`` on a known manifest."""
    if not isinstance(manifest, dict):
        return []
    errors = [('Attribute key missing from "manifest" value',
               f"'{key}' attribute key is missing from manifest configuration")
              for key in REQUIRED_KEYS if key not in manifest]
    if "status" in manifest:
        errors.append(('Forbidden attribute key in "manifest" value',
                       "'status' attribute key is not allowed in manifest configuration"))
    return errors


def plan_errors(manifest: Any, api_resources: dict[str, str]) -> list[tuple[str, str]]:
    """``PlanResourceChange`` of ``kubernetes_manifest``: discovery and namespace scope.

    ``api_resources`` maps ``<apiVersion>/<kind>`` to ``Namespaced`` or ``Cluster``.
    """
    if not isinstance(manifest, dict):
        return []
    api_version, kind = manifest.get("apiVersion"), manifest.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return []
    scope = api_resources.get(f"{api_version}/{kind}")
    gvk = f"{api_version}, Kind={kind}"
    if scope is None:
        return [("API did not recognize GroupVersionKind from manifest (CRD may not be installed)",
                 f'no matches for kind "{kind}" in version "{api_version}"')]
    metadata = manifest.get("metadata")
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    if scope == "Namespaced" and not namespace:
        return [("Namespace required", f"Resources of type '{gvk}' require a namespace")]
    if scope == "Cluster" and namespace is not None:
        return [("Cluster level resource cannot take namespace", f"Resources of type '{gvk}' cannot have a namespace")]
    return []


def configuration_errors(cluster_ca_certificate: Any) -> list[tuple[str, str]]:
    """``ConfigureProvider``: a CA that is not a PEM certificate (say, still base64) fails."""
    if not isinstance(cluster_ca_certificate, str) or not cluster_ca_certificate:
        return []
    match = PEM_CERTIFICATE.search(cluster_ca_certificate)
    valid = match is not None
    if match is not None:
        try:
            base64.b64decode("".join(match.group(1).split()), validate=True)
        except binascii.Error:
            valid = False
    if valid:
        return []
    return [("Invalid attribute in provider configuration",
             "'cluster_ca_certificate' is not a valid PEM encoded certificate")]


def matching(objects: list[dict[str, Any]], query: dict[str, Any]) -> list[dict[str, Any]]:
    """The cluster's objects a ``kubernetes_resources`` data source lists: by ``api_version``,
    ``kind``, ``namespace`` and ``metadata.name=`` / ``metadata.namespace=`` field selectors."""
    wanted = dict(part.split("=", 1) for part in (query.get("field_selector") or "").split(",") if "=" in part)
    found = []
    for item in objects:
        metadata = item.get("metadata", {})
        if (item.get("apiVersion"), item.get("kind")) != (query.get("api_version"), query.get("kind")):
            continue
        if query.get("namespace") and metadata.get("namespace") != query["namespace"]:
            continue
        if any(metadata.get(key.removeprefix("metadata.")) != value for key, value in wanted.items()):
            continue
        found.append(item)
    return found
