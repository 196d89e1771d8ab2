"""A schema-only Terraform provider: serves a schema file over the plugin protocol and
accepts every configuration that fits it. Terraform core does the validating."""

from __future__ import annotations

import json
import sys
from typing import Any

from tf.gen import tfplugin_pb2 as pb
from tf.runner import run_provider


def _type(cty: Any) -> bytes:
    return json.dumps(cty).encode()


# tfplugin6 Schema.Attribute field 11, write_only (protocol 6.8+), is newer than the
# generated classes of the `tf` package: append it as a raw varint field (tag 0x58).
_WRITE_ONLY = b"\x58\x01"


def _attribute(name: str, a: dict[str, Any]) -> pb.Schema.Attribute:
    attribute = pb.Schema.Attribute(name=name, type=_type(a["type"]), required=a["required"] or None,
                                    optional=a["optional"] or None, computed=a["computed"] or None)
    if a.get("write_only"):
        attribute = pb.Schema.Attribute.FromString(attribute.SerializeToString() + _WRITE_ONLY)
    return attribute


def _block(schema: dict[str, Any]) -> pb.Schema.Block:
    return pb.Schema.Block(
        attributes=[_attribute(name, a) for name, a in sorted(schema["attributes"].items())],
        block_types=[pb.Schema.NestedBlock(type_name=name, block=_block(b["block"]),
                                           nesting=pb.Schema.NestedBlock.NestingMode.LIST,
                                           min_items=b["min_items"], max_items=b["max_items"])
                     for name, b in sorted(schema["blocks"].items())],
    )


class _Schema:
    def __init__(self, schema: dict[str, Any]) -> None:
        self._schema = schema

    def to_pb(self) -> pb.Schema:
        return pb.Schema(version=0, block=_block(self._schema))


class _Named:
    """What every resource, data source and function of a stub has: a name and its provider."""

    name = ""

    def __init__(self, provider: Any) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return cls.name


def _kind(name: str, schema: dict[str, Any]) -> type:
    class Stub(_Named):
        @classmethod
        def get_schema(cls) -> _Schema:
            return _Schema(schema)

        def validate(self, diags: Any, type_name: str, config: Any) -> None:
            return None

    Stub.name = name
    return Stub


def _function(name: str, spec: dict[str, Any]) -> type:
    class Signature:
        def to_pb(self) -> pb.Function:
            function = pb.Function(parameters=[pb.Function.Parameter(name=f"arg{i}", type=_type(t))
                                               for i, t in enumerate(spec["params"])])
            getattr(function, "return").CopyFrom(pb.Function.Return(type=_type(spec["return"])))
            return function

    class Stub(_Named):
        @classmethod
        def get_signature(cls) -> Signature:
            return Signature()

    Stub.name = name
    return Stub


class StubProvider:
    def __init__(self, name: str, schema: dict[str, Any]) -> None:
        self._name, self._schema = name, schema

    def get_model_prefix(self) -> str:
        return ""

    def full_name(self) -> str:
        return f"registry.terraform.io/hashicorp/{self._name}"

    def get_provider_schema(self, diags: Any) -> _Schema:
        return _Schema(self._schema["provider"])

    def validate_config(self, diags: Any, config: Any) -> None:
        return None

    def configure_provider(self, diags: Any, config: Any) -> None:
        return None

    def get_resources(self) -> list[type]:
        return [_kind(name, s) for name, s in self._schema["resources"].items()]

    def get_data_sources(self) -> list[type]:
        return [_kind(name, s) for name, s in self._schema["data_sources"].items()]

    def get_functions(self) -> list[type]:
        return [_function(name, spec) for name, spec in self._schema["functions"].items()]

    def new_resource(self, klass: type) -> Any:
        return klass(self)

    def new_data_source(self, klass: type) -> Any:
        return klass(self)

    def new_function(self, klass: type) -> Any:
        return klass(self)


def main(name: str, schema_file: str) -> None:
    with open(schema_file, encoding="utf-8") as handle:
        schema = json.load(handle)
    run_provider(StubProvider(name, schema), sys.argv)
