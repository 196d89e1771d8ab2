"""``kubernetes_manifest`` resources kept in Python and written into their stack's JSON in
one piece when the app synthesizes.

Why: a cdktf resource is a jsii object, and every Kubernetes object as one costs a kernel
round trip to create it, another to hand it its body and its share of three token
resolutions at synthesis, about 3.8 ms each; an app of 50 model servers writes 250 of
them. Here a manifest is a Python object; each stack hands all of its manifests to cdktf
in one ``TerraformStack.add_override`` call, from an aspect that runs when the stack
synthesizes (``App.synth`` and ``Testing.synth`` both run aspects).

The contract does not change: a manifest's address is the one cdktf would give a resource
at the same construct path (``logical_id`` reimplements cdktf's default naming, and
``tests/test_manifests.py`` compares the two), its block carries the same ``//`` metadata,
and it goes in ``depends_on`` like any cdktf element. Bodies may hold tokens of their own
stack (they are resolved with the stack's JSON); a reference to another stack is not
prepared, since cdktf prepares cross-stack references before aspects run.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import jsii
from cdktf import (
    Aspects,
    IAspect,
    ITerraformDependable,
    TerraformDataSource,
    TerraformElement,
    TerraformModule,
    TerraformResource,
    TerraformStack,
)
from constructs import Construct, IConstruct

RESOURCE_TYPE = "kubernetes_manifest"
#: The construct each stack with manifests gets; its aspect writes them at synthesis.
WRITER_ID = "kubernetes-manifests"

# cdktf's makeUniqueId (lib/private/unique.js at 0.21.0).
_HIDDEN_ID = "Default"
_HIDDEN_FROM_HUMAN_ID = "Resource"
_MAX_HUMAN_LEN = 240
_MAX_ID_LEN = 255
_DISALLOWED = re.compile(r"[^A-Za-z0-9_-]")
# constructs' sanitizeId: a separator inside an id becomes "--".
_SEPARATORS = re.compile("[/\n]")


def sanitized_id(id: str) -> str:
    """The id as the constructs library stores it."""
    return _SEPARATORS.sub("--", id)


def logical_id(components: Sequence[str]) -> str:
    """The logical id cdktf gives an element at these path components below its stack."""
    components = [c for c in components if c != _HIDDEN_ID]
    if not components:
        raise ValueError("a logical id needs at least one path component")
    if len(components) == 1:
        candidate = _DISALLOWED.sub("", components[0])
        if len(candidate) <= _MAX_ID_LEN:
            return candidate
    digest = hashlib.md5("/".join(components).encode(), usedforsecurity=False).hexdigest()[:8].upper()
    human: list[str] = []
    for component in components:
        if not human or not human[-1].endswith(component):
            human.append(component)
    readable = "_".join(_DISALLOWED.sub("", c) for c in human if c != _HIDDEN_FROM_HUMAN_ID)
    return readable[:_MAX_HUMAN_LEN] + "_" + digest


@jsii.implements(ITerraformDependable)
class KubernetesManifest:
    """One ``kubernetes_manifest`` resource: its body, its address (``fqn``) and its
    construct path. Pass it in ``depends_on`` of a cdktf element or another manifest.

    ``add_override`` is the escape hatch cdktf elements have, with the same dotted paths
    (``manifest.spec.replicas``); it applies until the app synthesizes.
    """

    def __init__(self, path: str, friendly_unique_id: str, block: dict[str, Any]) -> None:
        self.path = path
        self.friendly_unique_id = friendly_unique_id
        self._block = block

    @property
    def fqn(self) -> str:
        return f"{RESOURCE_TYPE}.{self.friendly_unique_id}"

    @property
    def terraform_resource_type(self) -> str:
        return RESOURCE_TYPE

    @property
    def manifest(self) -> Any:
        """The Kubernetes object as it will be written."""
        return self._block["manifest"]

    @property
    def depends_on(self) -> list[str]:
        return list(self._block.get("depends_on", []))

    def add_override(self, path: str, value: Any) -> None:
        *parents, last = path.split(".")
        current = self._block
        for key in parents:
            if not isinstance(current.get(key), dict):
                current[key] = {}
            current = current[key]
        current[last] = value


@jsii.implements(IAspect)
class _Writer:
    """Hands the stack its manifests when it synthesizes."""

    def __init__(self, stack_manifests: _StackManifests) -> None:
        self._stack_manifests = stack_manifests

    def visit(self, node: IConstruct) -> None:
        self._stack_manifests.write()


class _StackManifests:
    """The manifests of one stack, by logical id, in the order they were made."""

    def __init__(self, stack: TerraformStack) -> None:
        self.stack = stack
        path = stack.node.path
        self.depth = len(path.split("/")) if path else 0
        self.blocks: dict[str, dict[str, Any]] = {}
        self.by_path: dict[str, KubernetesManifest] = {}
        writer = Construct(stack, WRITER_ID)
        Aspects.of(writer).add(_Writer(self))

    def write(self) -> None:
        if self.blocks:
            self.stack.add_override(f"resource.{RESOURCE_TYPE}", self.blocks)


class _Scope:
    """What a construct needs to name its manifests: its stack's manifests, its path and
    the path's components below the stack."""

    def __init__(self, stack_manifests: _StackManifests, path: str) -> None:
        self.stack_manifests = stack_manifests
        self.path = path
        self.components = path.split("/")[stack_manifests.depth:] if path else []


_STACKS: weakref.WeakKeyDictionary[TerraformStack, _StackManifests] = weakref.WeakKeyDictionary()
_SCOPES: weakref.WeakKeyDictionary[Construct, _Scope] = weakref.WeakKeyDictionary()
_ADDRESSES: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def _scope(scope: Construct) -> _Scope:
    known = _SCOPES.get(scope)
    if known is None:
        stack = TerraformStack.of(scope)
        stack_manifests = _STACKS.get(stack)
        if stack_manifests is None:
            stack_manifests = _STACKS[stack] = _StackManifests(stack)
        known = _SCOPES[scope] = _Scope(stack_manifests, scope.node.path)
    return known


def adopt(child: Construct, scope: Construct, id: str) -> None:
    """Record where ``child`` (just made as ``Construct(scope, id)``) sits, so that its
    manifests find their path without asking the kernel: three round trips saved per
    construct, which counts for one made per model server."""
    if child not in _SCOPES:
        parent = _scope(scope)
        name = sanitized_id(id)
        _SCOPES[child] = _Scope(parent.stack_manifests, f"{parent.path}/{name}" if parent.path else name)


def dependency_address(dependency: ITerraformDependable) -> str:
    """The address ``depends_on`` names ``dependency`` by, as cdktf writes it."""
    if isinstance(dependency, KubernetesManifest):
        return dependency.fqn
    if not isinstance(dependency, TerraformElement):
        raise TypeError(f"depends_on takes cdktf elements or manifests, not {type(dependency).__name__}")
    address = _ADDRESSES.get(dependency)
    if address is None:
        if isinstance(dependency, TerraformModule):
            address = f"module.{dependency.friendly_unique_id}"
        elif isinstance(dependency, TerraformDataSource):
            address = f"data.{dependency.terraform_resource_type}.{dependency.friendly_unique_id}"
        elif isinstance(dependency, TerraformResource):
            address = f"{dependency.terraform_resource_type}.{dependency.friendly_unique_id}"
        else:
            raise TypeError(f"a kubernetes_manifest cannot depend on {type(dependency).__name__}: "
                            "pass a resource, a data source, a module or another manifest")
        _ADDRESSES[dependency] = address
    return address


def depend_on(element: TerraformElement, depends_on: Sequence[ITerraformDependable] | None) -> None:
    """Make ``element`` (a resource, data source or module) depend on ``depends_on``, written
    by address: one call, where handing cdktf the manifests would make a jsii object of
    each and call back into Python for its address at every resolution."""
    if depends_on:
        element.add_override("depends_on", [dependency_address(d) for d in depends_on])


def kubernetes_manifest(scope: Construct, id: str, *, manifest: Mapping[str, Any],
                        depends_on: Sequence[ITerraformDependable] | None = None) -> KubernetesManifest:
    """A ``kubernetes_manifest`` resource at construct path ``<scope>/<id>`` holding
    ``manifest``. The dict is kept, not copied: change it through ``add_override``."""
    known = _scope(scope)
    child = sanitized_id(id)
    path = f"{known.path}/{child}" if known.path else child
    stack_manifests = known.stack_manifests
    if path in stack_manifests.by_path:
        raise ValueError(f"there is already a manifest with id '{child}' in {known.path}")
    unique_id = logical_id([*known.components, child])
    if unique_id in stack_manifests.blocks:
        other = stack_manifests.blocks[unique_id]["//"]["metadata"]["path"]
        raise ValueError(f"manifests {other} and {path} would both be kubernetes_manifest.{unique_id} "
                         "(a logical id drops 'Default' from a path, and characters other than letters, "
                         "digits, '-' and '_'); rename one")
    block: dict[str, Any] = {"//": {"metadata": {"path": path, "uniqueId": unique_id}},
                             "manifest": manifest if isinstance(manifest, dict) else dict(manifest)}
    if depends_on:
        block["depends_on"] = [dependency_address(d) for d in depends_on]
    handle = KubernetesManifest(path, unique_id, block)
    stack_manifests.by_path[path] = handle
    stack_manifests.blocks[unique_id] = block
    return handle


def manifests_of(stack: TerraformStack) -> list[KubernetesManifest]:
    """The manifests made in ``stack`` so far, in the order they were made."""
    stack_manifests = _STACKS.get(stack)
    return list(stack_manifests.by_path.values()) if stack_manifests is not None else []
