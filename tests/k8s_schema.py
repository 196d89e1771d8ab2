"""All strict-schema errors of a Kubernetes object, not just the first."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
from kubernetes_validate import utils
from referencing import Registry, Resource


def schema_errors(body: dict[str, Any], version: str) -> list[str]:
    """Every violation of Kubernetes ``version``'s strict schema, as ``path: message``."""
    known = [v for v in utils.all_versions() if utils.major_minor(v) <= utils.major_minor(version)][-1]
    schema_dir = f"v{known}-local-strict"
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", body["apiVersion"])
    schema = utils.schema_contents(
        f"kubernetes-json-schema/{schema_dir}/{body['kind'].lower()}-{api}.json", version)
    definitions = utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    validator = jsonschema.validators.Draft202012Validator(schema, registry=registry)
    return [f"{'.'.join(map(str, error.path))}: {error.message}" for error in validator.iter_errors(body)]
