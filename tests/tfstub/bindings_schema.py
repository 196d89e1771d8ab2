"""Derive Terraform schemas from the prebuilt cdktf provider bindings.

Each resource's and data source's ``*Config`` class lists its arguments (with the real
Terraform names in the docstrings' registry links) and its nested blocks (struct classes);
the resource class's own properties add the computed attributes. The result describes the
real provider, not the configuration under test, so a misspelled argument fails
validation instead of passing.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
import types
import typing
from typing import Any

import cdktf

#: Arguments every resource takes that are Terraform meta-arguments, not schema.
META_ARGUMENTS = {"connection", "count", "depends_on", "for_each", "lifecycle", "provider", "provisioners", "alias"}
_ANCHOR = re.compile(r":param (\w+):.*?#(\w+) ")
# "A write-only map ..." / "A map write-only of ...": the argument itself is write-only (not
# "The current revision of the write-only ... attribute").
_WRITE_ONLY = re.compile(r":param (\w+): (?:A |An )?(?:\w+ )?write-only", re.IGNORECASE)

#: The packages behind each provider name, and the functions we call (written from the
#: providers' documentation: the bindings do not describe functions).
PACKAGES = {
    "google": "cdktf_cdktf_provider_google",
    "kubernetes": "cdktf_cdktf_provider_kubernetes",
    "http": "cdktf_cdktf_provider_http",
    "helm": "cdktf_cdktf_provider_helm",
}
#: Providers built on the plugin framework whose structs are nested attributes, not blocks:
#: helm 3 writes ``set = [...]`` and ``kubernetes = {...}`` (the ai-on-gke module does).
NESTED_ATTRIBUTES = {"helm"}
FUNCTIONS: dict[str, dict[str, dict[str, Any]]] = {
    "kubernetes": {
        "manifest_decode": {"params": ["string"], "return": "dynamic"},
        "manifest_decode_multi": {"params": ["string"], "return": "dynamic"},
        "manifest_encode": {"params": ["dynamic"], "return": "string"},
    },
}


def _is_struct(hint: Any) -> bool:
    from jsii._reference_map import _data_types

    return inspect.isclass(hint) and getattr(hint, "__jsii_type__", None) in _data_types


def _strip(hint: Any) -> tuple[Any, bool]:
    """Drop None, IResolvable and plain dicts from a union; return (core, optional)."""
    origin = typing.get_origin(hint)
    if origin not in (typing.Union, types.UnionType):
        return hint, False
    args = typing.get_args(hint)
    optional = type(None) in args
    kept = [a for a in args if a is not type(None) and a is not cdktf.IResolvable
            and typing.get_origin(a) is not dict and a is not dict]
    if set(kept) == {int, float}:
        return float, optional
    if len(kept) == 1:
        return kept[0], optional
    return typing.Union[tuple(kept)], optional  # noqa: UP007


def cty(hint: Any) -> Any:
    """The cty type (as Terraform's JSON type notation) of an argument or attribute hint."""
    hint, _ = _strip(hint)
    origin = typing.get_origin(hint)
    if hint is bool or hint is cdktf.IResolvable:
        return "bool"
    if hint is str:
        return "string"
    if hint in (int, float):
        return "number"
    if hint is typing.Any:
        return "dynamic"
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        return "bool" if bool in args else "dynamic"
    if origin in (dict, typing.Mapping, __import__("collections.abc").abc.Mapping):
        value = typing.get_args(hint)[1]
        return "dynamic" if value is typing.Any else ["map", cty(value)]
    if origin in (list, typing.Sequence, __import__("collections.abc").abc.Sequence):
        return ["list", cty(typing.get_args(hint)[0])]
    maps = {cdktf.StringMap: ["map", "string"], cdktf.NumberMap: ["map", "number"],
            cdktf.BooleanMap: ["map", "bool"], cdktf.AnyMap: "dynamic"}
    if hint in maps:
        return maps[hint]
    if inspect.isclass(hint) and issubclass(hint, cdktf.ComplexList):
        return ["list", cty(typing.get_type_hints(hint.get)["return"])]
    if inspect.isclass(hint) and issubclass(hint, cdktf.ComplexObject):
        return ["object", _computed_attributes(hint, {})]
    if inspect.isclass(hint) and hint.__name__.endswith("List") and hasattr(hint, "get"):
        return ["list", cty(typing.get_type_hints(hint.get)["return"])]
    return "dynamic"


def _computed_attributes(cls: type, skip: set[str] | dict[str, Any]) -> dict[str, Any]:
    found = {}
    for name, member in vars(cls).items():
        if not isinstance(member, property) or name in skip or name.endswith("_input") or name in (
                "internal_value", "fqn", "terraform_resource_type"):
            continue
        try:
            returned = typing.get_type_hints(member.fget).get("return")
        except NameError:
            continue
        found[name] = cty(returned)
    return found


def _names(init: Any) -> dict[str, str]:
    """Python argument name -> Terraform name, from the registry links in the docstring."""
    return dict(_ANCHOR.findall(init.__doc__ or ""))


def block_schema(config_cls: type, resource_cls: type | None = None, *, nested: bool = False) -> dict[str, Any]:
    """``nested``: structs become nested attributes (``single`` or ``list``) instead of blocks."""
    hints = typing.get_type_hints(config_cls.__init__)
    names = _names(config_cls.__init__)
    write_only = set(_WRITE_ONLY.findall(config_cls.__init__.__doc__ or ""))
    attributes: dict[str, Any] = {}
    blocks: dict[str, Any] = {}
    for py_name, hint in hints.items():
        if py_name in META_ARGUMENTS or py_name == "return":
            continue
        tf_name = names.get(py_name, py_name)
        core, optional = _strip(hint)
        element = typing.get_args(core)[0] if typing.get_origin(core) in (
            list, typing.Sequence, __import__("collections.abc").abc.Sequence) and typing.get_args(core) else None
        if _is_struct(core) or (element is not None and _is_struct(_strip(element)[0])):
            struct = core if _is_struct(core) else _strip(element)[0]
            if nested:
                inner = block_schema(struct, nested=True)
                attributes[tf_name] = {"nested": {"attributes": inner["attributes"],
                                                  "nesting": "single" if _is_struct(core) else "list"},
                                       "required": not optional, "optional": optional, "computed": False}
                continue
            blocks[tf_name] = {"block": block_schema(struct), "max_items": 1 if _is_struct(core) else 0,
                               "min_items": 0 if optional else 1}
        else:
            attributes[tf_name] = {"type": cty(hint), "required": not optional, "optional": optional,
                                   "computed": optional and py_name not in write_only,
                                   "write_only": py_name in write_only}
    if resource_cls is not None:
        for name, kind in _computed_attributes(resource_cls, set(hints) | set(attributes) | set(blocks)).items():
            attributes.setdefault(name, {"type": kind, "required": False, "optional": False, "computed": True})
        attributes.setdefault("id", {"type": "string", "required": False, "optional": True, "computed": True})
    return {"attributes": attributes, "blocks": blocks}


def _classes(package: str, module_name: str) -> tuple[type, type]:
    module = importlib.import_module(f"{package}.{module_name}")
    # vars(), not getattr(): reading the class property would call the jsii kernel.
    resource = next(cls for cls in vars(module).values() if inspect.isclass(cls)
                    and "TF_RESOURCE_TYPE" in vars(cls) and cls.__module__ == module.__name__)
    return resource, getattr(module, f"{resource.__name__}Config")


_VERSION = re.compile(r"registry\.terraform\.io/providers/hashicorp/[\w-]+/([\d.]+)/docs")


@functools.cache
def binding_version(provider: str) -> str:
    """The provider version the installed bindings were generated from."""
    if provider in HANDWRITTEN:
        return HANDWRITTEN[provider]["version"]
    provider_cls, _ = _classes(PACKAGES[PROVIDER_ALIASES.get(provider, provider)], "provider")
    match = _VERSION.search(provider_cls.__doc__ or "")
    assert match, f"no version in the {provider} bindings"
    return match.group(1)


def provider_schema(provider: str, resources: set[str], data_sources: set[str]) -> dict[str, Any]:
    """The schema of ``provider`` for the types a configuration uses, plus its functions."""
    if provider in HANDWRITTEN:
        written = HANDWRITTEN[provider]
        return {"provider": {"attributes": {}, "blocks": {}}, "functions": {},
                "resources": {t: written["resources"][t] for t in sorted(resources)},
                "data_sources": {t: written["data_sources"][t] for t in sorted(data_sources)}}
    if PROVIDER_ALIASES.get(provider, provider) not in PACKAGES:
        # a provider only a module uses, with no bindings and none of its types used
        if resources or data_sources:
            raise KeyError(f"no bindings to describe {provider}'s {sorted(resources | data_sources)}")
        return {"provider": {"attributes": {}, "blocks": {}}, "resources": {}, "data_sources": {}, "functions": {}}
    package = PACKAGES[PROVIDER_ALIASES.get(provider, provider)]
    nested = provider in NESTED_ATTRIBUTES
    provider_cls, provider_config = _classes(package, "provider")
    schema: dict[str, Any] = {"provider": block_schema(provider_config, nested=nested), "resources": {},
                              "data_sources": {}, "functions": FUNCTIONS.get(provider, {})}
    for tf_type in sorted(resources):
        module = tf_type.removeprefix(f"{provider}_") if tf_type != provider else tf_type
        schema["resources"][tf_type] = block_schema(*reversed(_classes(package, module)), nested=nested)
    for tf_type in sorted(data_sources):
        schema["data_sources"][tf_type] = block_schema(*reversed(_classes(package, f"data_{tf_type}")),
                                                       nested=nested)
    return schema


def _attribute(kind: Any, *, required: bool = False, computed: bool = False,
               sensitive: bool = False) -> dict[str, Any]:
    return {"type": kind, "required": required, "optional": not required and not computed,
            "computed": computed, "sensitive": sensitive}


def _optional_computed(kind: Any) -> dict[str, Any]:
    return {**_attribute(kind), "computed": True}


#: Providers the ai-on-gke module needs that have no bindings installed, written from
#: their documentation: ``local_file`` (hashicorp/local 2.5) and google-beta, of which the
#: module uses nothing but the (all-optional) provider configuration of google.
PROVIDER_ALIASES = {"google-beta": "google"}
HANDWRITTEN: dict[str, dict[str, Any]] = {
    "local": {
        "version": "2.5.3",
        "data_sources": {},
        "resources": {"local_file": {"blocks": {}, "attributes": {
            "filename": _attribute("string", required=True),
            "content": _attribute("string"),
            "content_base64": _attribute("string"),
            "sensitive_content": {**_attribute("string"), "sensitive": True},
            "source": _attribute("string"),
            "file_permission": _optional_computed("string"),
            "directory_permission": _optional_computed("string"),
            "id": _attribute("string", computed=True),
            **{f"content_{digest}": _attribute("string", computed=True) for digest in (
                "md5", "sha1", "sha256", "sha512", "base64sha256", "base64sha512")},
        }}},
    },
}
