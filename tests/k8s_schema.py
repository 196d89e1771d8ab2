"""All strict-schema errors of a Kubernetes object, not just the first."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jsonschema
from kubernetes_validate import utils
from referencing import Registry, Resource


@cache
def _validator(schema_dir: str, name: str, version: str) -> jsonschema.protocols.Validator:
    """One validator per schema: reading and indexing the definitions costs far more than
    validating an object, and the suite validates hundreds of objects of a few kinds."""
    schema = utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/{name}.json", version)
    definitions = utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def schema_errors(body: dict[str, Any], version: str) -> list[str]:
    """Every violation of Kubernetes ``version``'s strict schema, as ``path: message``."""
    known = [v for v in utils.all_versions() if utils.major_minor(v) <= utils.major_minor(version)][-1]
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", body["apiVersion"])
    validator = _validator(f"v{known}-local-strict", f"{body['kind'].lower()}-{api}", version)
    return [f"{'.'.join(map(str, error.path))}: {error.message}" for error in validator.iter_errors(body)]
