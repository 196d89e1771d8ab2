"""Terraform's typed values (cty) as the plugin protocol carries them in msgpack.

Types use Terraform's JSON type notation (``"string"``, ``["list", "number"]``,
``["object", {...}]``, ``"dynamic"``). A value whose type is ``dynamic`` travels as a
two-element array ``[type JSON bytes, value]``, an unknown value as msgpack extension 0
(``tf.types.Unknown`` once unpacked). Planning and data-source answers must match the
schema's implied type exactly, or Terraform rejects the provider's response.
"""

from __future__ import annotations

import json
from typing import Any

from tf.types import Unknown

Type = Any


def infer(value: Any) -> Type:
    """The type Terraform gives a plain JSON-like value (objects and tuples, as
    ``jsondecode`` and the kubernetes provider's decoders do)."""
    if value is None:
        return "dynamic"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return ["object", {key: infer(item) for key, item in value.items()}]
    if isinstance(value, list | tuple):
        return ["tuple", [infer(item) for item in value]]
    raise TypeError(f"no Terraform type for {type(value).__name__}")


def zero(ty: Type) -> Any:
    """What an SDKv2 provider stores for an attribute it never set: "", 0, false, empty."""
    if ty == "string":
        return ""
    if ty == "number":
        return 0
    if ty == "bool":
        return False
    if ty == "dynamic":
        return None
    kind = ty[0]
    if kind in ("list", "set"):
        return []
    if kind == "map":
        return {}
    if kind == "object":
        return {name: zero(attribute) for name, attribute in ty[1].items()}
    return None


def encode(value: Any, ty: Type) -> Any:
    """A plain value as msgpack-ready data of type ``ty``; missing object attributes are zero."""
    if value is None or value is Unknown:
        return value
    if ty == "dynamic":
        actual = infer(value)
        return [json.dumps(actual).encode(), encode(value, actual)]
    if ty == "string":
        return value if isinstance(value, str) else json.dumps(value)
    if ty == "number":
        return value
    if ty == "bool":
        return bool(value)
    kind, inner = ty
    if kind in ("list", "set"):
        return [encode(item, inner) for item in value]
    if kind == "map":
        return {key: encode(item, inner) for key, item in value.items()}
    if kind == "tuple":
        return [encode(item, element) for item, element in zip(value, inner, strict=True)]
    return {name: encode(value[name], attribute) if name in value else zero(attribute)
            for name, attribute in inner.items()}


def decode(raw: Any, ty: Type) -> Any:
    """Msgpack data of type ``ty`` as a plain value (``Unknown`` stays ``Unknown``)."""
    if raw is None or raw is Unknown:
        return raw
    if ty == "dynamic":
        actual = json.loads(raw[0])
        return decode(raw[1], actual)
    if isinstance(ty, str):
        return raw
    kind, inner = ty
    if kind in ("list", "set"):
        return [decode(item, inner) for item in raw]
    if kind == "map":
        return {key: decode(item, inner) for key, item in raw.items()}
    if kind == "tuple":
        return [decode(item, element) for item, element in zip(raw, inner, strict=True)]
    return {name: decode(raw.get(name), attribute) for name, attribute in inner.items()}


def wholly_known(value: Any) -> bool:
    if value is Unknown:
        return False
    if isinstance(value, dict):
        return all(wholly_known(item) for item in value.values())
    if isinstance(value, list):
        return all(wholly_known(item) for item in value)
    return True


def object_type(block: dict[str, Any]) -> Type:
    """The type a schema block implies (attributes and nested blocks alike)."""
    attributes = {name: attribute_type(a) for name, a in block["attributes"].items()}
    for name, nested in block["blocks"].items():
        inner = object_type(nested["block"])
        attributes[name] = ["list", inner]
    return ["object", attributes]


def attribute_type(attribute: dict[str, Any]) -> Type:
    nested = attribute.get("nested")
    if nested is None:
        return attribute["type"]
    inner = object_type({"attributes": nested["attributes"], "blocks": {}})
    return inner if nested["nesting"] == "single" else [nested["nesting"], inner]
