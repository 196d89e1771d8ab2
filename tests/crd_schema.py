"""Validate custom resources against the upstream CRDs' ``openAPIV3Schema``, strictly.

Strict as the API server is for structural schemas: defaults are applied first, unknown
fields are errors unless the schema preserves them, and every CEL rule in ``x-kubernetes-validations`` is evaluated
(transition rules, which compare with ``oldSelf``, only apply to updates and are skipped).
All errors are reported, not the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import celpy
import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _program(rule: str) -> Any:
    """A CEL rule compiled once: the same rules are evaluated for every object of a kind."""
    environment = celpy.Environment()
    return environment.program(environment.compile(rule))

#: Property names Kubernetes escapes in CEL (``namespace`` is ``__namespace__`` in a rule).
_CEL_RESERVED = {"as", "break", "const", "continue", "else", "false", "for", "function", "if", "import", "in",
                 "let", "loop", "package", "namespace", "null", "return", "true", "var", "void", "while"}

_TYPES = {
    "object": dict, "array": list, "string": str, "boolean": bool,
    "integer": int, "number": (int, float),
}


def load_crds(paths: Iterable[Path]) -> dict[tuple[str, str], dict[str, Any]]:
    """``(apiVersion, kind) -> openAPIV3Schema`` for every served version."""
    schemas = {}
    for path in paths:
        schemas.update(_crds_in(Path(path)))
    return schemas


@cache
def _crds_in(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """One file's CRDs, parsed once per process: the upstream files are large (the Gateway
    API's is half a megabyte) and many tests read the same ones."""
    schemas = {}
    for doc in yaml.load_all(path.read_text(), Loader=_LOADER):
        if not doc or doc.get("kind") != "CustomResourceDefinition":
            continue
        group, kind = doc["spec"]["group"], doc["spec"]["names"]["kind"]
        for version in doc["spec"]["versions"]:
            if version.get("served"):
                schemas[(f"{group}/{version['name']}", kind)] = version["schema"]["openAPIV3Schema"]
    return schemas


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def check(self, schema: dict[str, Any], value: Any, path: str) -> Any:
        """Record the errors of ``value``; return it with the schema's defaults applied."""
        if value is None:
            if not schema.get("nullable"):
                self.errors.append(f"{path}: null is not allowed")
            return value
        if schema.get("x-kubernetes-int-or-string"):
            if not isinstance(value, (int, str)) or isinstance(value, bool):
                self.errors.append(f"{path}: must be an integer or a string")
            return value
        expected = schema.get("type")
        python_type = _TYPES.get(expected) if expected else None
        if python_type and (not isinstance(value, python_type) or (isinstance(value, bool) and expected != "boolean")):
            self.errors.append(f"{path}: must be {expected}, got {type(value).__name__}")
            return value
        if isinstance(value, dict) and "properties" in schema:
            # The API server applies defaults before it validates (and before CEL sees the object).
            defaults = {key: prop["default"] for key, prop in schema["properties"].items()
                        if "default" in prop and key not in value}
            value = {**defaults, **value}
        self._scalars(schema, value, path)
        if isinstance(value, dict):
            value = self._object(schema, value, path)
        elif isinstance(value, list) and "items" in schema:
            # Defaults inside the items are applied before a rule on the list sees them.
            value = [self.check(schema["items"], item, f"{path}[{index}]") for index, item in enumerate(value)]
        for rule in schema.get("x-kubernetes-validations", []):
            self._cel_rule(rule, value, path, schema)
        return value

    def _scalars(self, schema: dict[str, Any], value: Any, path: str) -> None:
        if "enum" in schema and value not in schema["enum"]:
            self.errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
        if isinstance(value, str):
            if "pattern" in schema and not re.search(schema["pattern"], value):
                self.errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
            if len(value) > schema.get("maxLength", len(value)) or len(value) < schema.get("minLength", 0):
                self.errors.append(f"{path}: length {len(value)} is out of range")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if value > schema.get("maximum", value) or value < schema.get("minimum", value):
                self.errors.append(f"{path}: {value} is out of range")
        if isinstance(value, list):
            if len(value) > schema.get("maxItems", len(value)) or len(value) < schema.get("minItems", 0):
                self.errors.append(f"{path}: {len(value)} items is out of range")
        if isinstance(value, dict) and len(value) > schema.get("maxProperties", len(value)):
            self.errors.append(f"{path}: too many properties")

    def _object(self, schema: dict[str, Any], value: dict[str, Any], path: str) -> dict[str, Any]:
        for name in schema.get("required", []):
            if name not in value:
                self.errors.append(f"{path}.{name}: required")
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        checked = dict(value)
        for key, item in value.items():
            if properties is not None and key in properties:
                if path == "" and key == "metadata":
                    continue
                checked[key] = self.check(properties[key], item, f"{path}.{key}")
            elif isinstance(extra, dict):
                checked[key] = self.check(extra, item, f"{path}.{key}")
            elif not schema.get("x-kubernetes-preserve-unknown-fields") and (properties is not None or extra is False):
                self.errors.append(f"{path}.{key}: unknown field")
        return checked

    def _cel_rule(self, rule: dict[str, Any], value: Any, path: str, schema: dict[str, Any]) -> None:
        if "oldSelf" in rule["rule"]:
            return
        program = _program(rule["rule"])
        try:
            passed = program.evaluate({"self": celpy.json_to_cel(_cel_view(schema, value))})
        except celpy.CELEvalError as error:
            self.errors.append(f"{path}: rule {rule['rule']!r} could not be evaluated: {error}")
            return
        if not passed:
            self.errors.append(f"{path}: {rule.get('message') or rule['rule']}")


def _cel_name(name: str) -> str:
    """A property name as CEL sees it (Kubernetes' escaping rules)."""
    if name in _CEL_RESERVED:
        return f"__{name}__"
    return (name.replace("__", "__underscores__").replace(".", "__dot__").replace("-", "__dash__")
            .replace("/", "__slash__"))


def _cel_view(schema: dict[str, Any], value: Any) -> Any:
    """``value`` (defaults already applied) as a CEL rule sees it: property names escaped at
    every depth; map keys stay as they are."""
    if isinstance(value, dict):
        properties = schema.get("properties")
        if properties is not None:
            return {_cel_name(k): _cel_view(properties.get(k, {}), v) for k, v in value.items()}
        extra = schema.get("additionalProperties")
        return {k: _cel_view(extra if isinstance(extra, dict) else {}, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cel_view(schema.get("items", {}), item) for item in value]
    return value


def crd_errors(obj: dict[str, Any], schemas: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    schema = schemas.get((obj.get("apiVersion"), obj.get("kind")))
    if schema is None:
        return [f"no CRD serves {obj.get('apiVersion')} {obj.get('kind')}"]
    checker = _Checker()
    checker.check(schema, obj, "")
    return checker.errors
