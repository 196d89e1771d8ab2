"""A stub Terraform provider: serves a schema file over the plugin protocol, accepts every
configuration that fits it, and plans against a fake cluster.

Terraform core does the validating and the evaluating; the stub plans new resources with
their computed attributes unknown, answers data sources from the fixture file named by
``TFSTUB_FIXTURE`` (see ``fake_cluster.py``), runs the kubernetes provider's functions and
reproduces the kubernetes provider's plan-time refusals (``fake_kubernetes.py``).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import grpc
import tf.provider
from tf.gen import tfplugin_pb2 as pb
from tf.provider import ProviderServicer
from tf.runner import run_provider
from tf.utils import read_dynamic_value, to_dynamic_value

from tfstub import cty, fake_kubernetes, planning

FIXTURE_VARIABLE = "TFSTUB_FIXTURE"


def _type(cty: Any) -> bytes:
    return json.dumps(cty).encode()


# tfplugin6 Schema.Attribute field 11, write_only (protocol 6.8+), is newer than the
# generated classes of the `tf` package: append it as a raw varint field (tag 0x58).
_WRITE_ONLY = b"\x58\x01"


_NESTING = {"single": pb.Schema.Object.NestingMode.SINGLE, "list": pb.Schema.Object.NestingMode.LIST}


def _attribute(name: str, a: dict[str, Any]) -> pb.Schema.Attribute:
    flags = {"required": a["required"] or None, "optional": a["optional"] or None,
             "computed": a["computed"] or None, "sensitive": a.get("sensitive") or None}
    nested = a.get("nested")
    if nested is not None:
        return pb.Schema.Attribute(name=name, nested_type=pb.Schema.Object(
            attributes=[_attribute(n, inner) for n, inner in sorted(nested["attributes"].items())],
            nesting=_NESTING[nested["nesting"]]), **flags)
    attribute = pb.Schema.Attribute(name=name, type=_type(a["type"]), **flags)
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
        path = os.environ.get(FIXTURE_VARIABLE)
        self.fixture: dict[str, Any] = {}
        if path:
            with open(path, encoding="utf-8") as handle:
                self.fixture = json.load(handle)

    @property
    def name(self) -> str:
        return self._name

    def block(self, kind: str, type_name: str) -> dict[str, Any]:
        return self._schema[kind][type_name]

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


def _errors(found: list[tuple[str, str]]) -> list[pb.Diagnostic]:
    return [pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail) for summary, detail in found]


def _manifest(raw: dict[str, Any] | None) -> Any:
    """The ``manifest`` argument of a ``kubernetes_manifest`` as a plain value (or Unknown)."""
    return cty.decode((raw or {}).get("manifest"), "dynamic")


class PlanningServicer(ProviderServicer):
    """The plugin protocol calls a plan makes, answered for a stub provider."""

    app: StubProvider

    def ValidateResourceConfig(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        found: list[tuple[str, str]] = []
        if request.type_name == "kubernetes_manifest":
            found = fake_kubernetes.validation_errors(_manifest(read_dynamic_value(request.config)))
        return pb.ValidateResourceConfig.Response(diagnostics=_errors(found))

    def PlanResourceChange(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        proposed = read_dynamic_value(request.proposed_new_state)
        if proposed is None:
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
        state = planning.planned(proposed, self.app.block("resources", request.type_name))
        found: list[tuple[str, str]] = []
        if request.type_name == "kubernetes_manifest":
            api_resources = self.app.fixture.get("kubernetes", {}).get("api_resources", {})
            found = fake_kubernetes.plan_errors(_manifest(proposed), api_resources)
        return pb.PlanResourceChange.Response(planned_state=to_dynamic_value(state), diagnostics=_errors(found))

    def ReadDataSource(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        config = read_dynamic_value(request.config)
        if request.type_name == "http":
            answer = _http_answer(self.app.fixture.get("http", {}), config["url"])
        elif request.type_name == "kubernetes_resources":
            objects = self.app.fixture.get("kubernetes", {}).get("objects", [])
            answer = {"objects": fake_kubernetes.matching(objects, config)}
        else:
            answer = self.app.fixture.get("data", {}).get(request.type_name)
        if answer is None:
            return pb.ReadDataSource.Response(diagnostics=_errors([(
                f"No fixture for data source {request.type_name}",
                f"The plan test's fixture has no answer for {request.type_name}: add one under "
                f'"data" -> "{request.type_name}" (see tests/tfstub/README.md).')]))
        state = planning.answered(config, self.app.block("data_sources", request.type_name), answer)
        return pb.ReadDataSource.Response(state=to_dynamic_value(state))

    def CallFunction(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        arguments = [read_dynamic_value(argument) for argument in request.arguments]
        try:
            if request.name == "manifest_encode":
                result = fake_kubernetes.encode(cty.decode(arguments[0], "dynamic"))
                return pb.CallFunction.Response(result=to_dynamic_value(result))
            decoder = {"manifest_decode": fake_kubernetes.decode,
                       "manifest_decode_multi": fake_kubernetes.decode_multi}[request.name]
            value = decoder(arguments[0])
        except fake_kubernetes.FunctionError as error:
            return pb.CallFunction.Response(error=pb.FunctionError(text=str(error)))
        return pb.CallFunction.Response(result=to_dynamic_value(cty.encode(value, "dynamic")))

    def ConfigureProvider(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        found: list[tuple[str, str]] = []
        if self.app.name == "kubernetes":
            config = read_dynamic_value(request.config) or {}
            found = fake_kubernetes.configuration_errors(config.get("cluster_ca_certificate"))
        return pb.ConfigureProvider.Response(diagnostics=_errors(found))


def _http_answer(bodies: dict[str, str], url: str) -> dict[str, Any]:
    """The body served for ``url``, or the 404 a real server gives for anything else."""
    body = bodies.get(url)
    status = 200 if body is not None else 404
    body = body if body is not None else "Not Found"
    return {"id": url, "response_body": body, "body": body, "status_code": status,
            "response_headers": {"Content-Type": "text/plain; charset=utf-8"}}


def main(name: str, schema_file: str) -> None:
    with open(schema_file, encoding="utf-8") as handle:
        schema = json.load(handle)
    tf.provider.ProviderServicer = PlanningServicer  # run_provider builds the servicer it finds here
    run_provider(StubProvider(name, schema), sys.argv)
