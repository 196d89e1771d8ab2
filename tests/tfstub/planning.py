"""What a provider answers Terraform core during ``terraform plan``, generically.

A new resource's planned state is its configuration with every computed attribute the
configuration leaves null marked unknown (what a real provider does before it talks to
its API), and write-only arguments null (Terraform refuses anything else). A data source
answers with its configuration, then the fixture's values, then the zero value an SDKv2
provider stores for an attribute it never set.
"""

from __future__ import annotations

from typing import Any

from tf.types import Unknown

from tfstub import cty

Block = dict[str, Any]


def planned(raw: Any, block: Block) -> Any:
    """The planned new state of a resource to create, from the proposed new state."""
    if raw is None or raw is Unknown:
        return raw
    out = dict(raw)
    for name, attribute in block["attributes"].items():
        value = raw.get(name)
        if attribute.get("write_only"):
            out[name] = None
        elif value is None:
            out[name] = Unknown if attribute["computed"] else None
        elif "nested" in attribute and value is not Unknown:
            inner = {"attributes": attribute["nested"]["attributes"], "blocks": {}}
            out[name] = planned(value, inner) if attribute["nested"]["nesting"] == "single" else [
                planned(item, inner) for item in value]
    for name, nested in block["blocks"].items():
        value = raw.get(name)
        if isinstance(value, list):
            out[name] = [planned(item, nested["block"]) for item in value]
    return out


def answered(raw_config: dict[str, Any], block: Block, answer: dict[str, Any]) -> dict[str, Any]:
    """A data source's state: its configuration, the fixture's ``answer``, zero values."""
    out: dict[str, Any] = {}
    for name, attribute in block["attributes"].items():
        value = raw_config.get(name)
        kind = cty.attribute_type(attribute)
        if value is not None:
            out[name] = value
        elif name in answer:
            out[name] = cty.encode(answer[name], kind)
        else:
            out[name] = cty.encode(cty.zero(kind), kind) if attribute["computed"] else None
    for name, nested in block["blocks"].items():
        value = raw_config.get(name)
        if value:
            out[name] = value
        else:
            out[name] = cty.encode(answer.get(name, []), ["list", cty.object_type(nested["block"])])
    return out
