"""``kubernetes_manifest`` resources kept in Python and written into their stack's JSON in
one piece when the app synthesizes.

Why: a cdktf resource is a jsii object, and every Kubernetes object as one costs a kernel
round trip to create it, another to hand it its body and its share of three token
resolutions at synthesis, about 3.8 ms each; an app of 50 model servers writes 250 of
them. Here a manifest is a Python object, and each stack gets one element
(``kubernetes-manifests``) whose ``to_terraform`` hands cdktf all of the stack's
manifests at once. cdktf asks for it where it asks every element: after every aspect has
run, when it prepares cross-stack references and when it writes the stack, so tokens of
another stack in a body get their remote state as an element's would.

The contract does not change: a manifest's address is the one cdktf would give a resource
at the same construct path (``logical_id`` reimplements cdktf's default naming, and
``tests/test_manifests.py`` compares the two), its block carries the same ``//`` metadata,
and it goes in ``depends_on`` like any cdktf element. HCL output (``hcl_output``) is
refused with an error rather than written without the manifests.
"""

from __future__ import annotations

import hashlib
import json
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

from constructs_lib._core.literal import TOKEN_MARKER, has_token

RESOURCE_TYPE = "kubernetes_manifest"
#: The element each stack with manifests gets; it writes them at synthesis.
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
    (``manifest.spec.replicas``) and the same merge (a list given for ``depends_on`` is
    added to the manifest's own); it applies until the app synthesizes and changes only
    this manifest, never a dict its body shares with another place.
    """

    def __init__(self, path: str, friendly_unique_id: str, manifest: dict[str, Any],
                 depends_on: Sequence[ITerraformDependable]) -> None:
        self.path = path
        self.friendly_unique_id = friendly_unique_id
        self._block: dict[str, Any] = {"manifest": manifest}
        self._depends_on = list(depends_on)

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
        """The addresses it depends on, as they will be written."""
        return [*(dependency_address(d) for d in self._depends_on), *self._block.get("depends_on", [])]

    def add_override(self, path: str, value: Any) -> None:
        *parents, last = path.split(".")
        current = self._block
        for key in parents:
            child = current.get(key)
            # a copy of each dict on the way: the body may share one with another place
            current[key] = dict(child) if isinstance(child, dict) else {}
            current = current[key]
        if path == "depends_on" and isinstance(value, list):
            value = [*current.get(last, []), *value]
        current[last] = value

    def block(self) -> dict[str, Any]:
        """The resource block as cdktf would write it for an element at this path."""
        block = {"//": {"metadata": {"path": self.path, "uniqueId": self.friendly_unique_id}}, **self._block}
        if self._depends_on or "depends_on" in self._block:
            block["depends_on"] = self.depends_on
        return block


class _Writer(TerraformElement):
    """The stack's manifests, handed to cdktf where it asks every element for its part:
    after every aspect has run, when the stack is written.

    cdktf also asks each element once before the aspects run, to prepare cross-stack
    references (``prepareStack``); that answer is thrown away but for the references it
    finds, so it holds only the manifests whose body carries a token, which keeps a
    50-server app from sending its 250 KB of manifests through jsii twice. (The stack's
    ``to_terraform`` called by hand, with no synthesis and so no aspects, sees only those.)
    """

    def __init__(self, stack: TerraformStack, manifests: dict[str, KubernetesManifest]) -> None:
        super().__init__(stack, WRITER_ID)
        self._manifests = manifests
        self.aspects_ran = False
        Aspects.of(self).add(_AspectsRan(self))

    def to_terraform(self) -> Any:
        blocks = {unique_id: manifest.block() for unique_id, manifest in self._manifests.items()}
        if not self.aspects_ran:
            blocks = {unique_id: block for unique_id, block in blocks.items() if has_token(json.dumps(block))}
        return {"resource": {RESOURCE_TYPE: blocks}} if blocks else {}

    def to_hcl_terraform(self) -> Any:
        raise RuntimeError(f"{len(self._manifests)} kubernetes_manifest resources of stack "
                           f"{self.cdktf_stack.node.id} can be written as JSON only; synthesize without "
                           "hcl_output (SYNTH_HCL_OUTPUT)")


@jsii.implements(IAspect)
class _AspectsRan:
    """Tells the writer that the aspects have run: what it answers now is what is written."""

    def __init__(self, writer: _Writer) -> None:
        self._writer = writer

    def visit(self, node: IConstruct) -> None:
        self._writer.aspects_ran = True


class _StackManifests:
    """The manifests of one stack, by logical id, in the order they were made."""

    def __init__(self, stack: TerraformStack) -> None:
        path = stack.node.path
        self.depth = len(path.split("/")) if path else 0
        self.by_id: dict[str, KubernetesManifest] = {}
        self.paths: set[str] = set()
        _Writer(stack, self.by_id)


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


def _check_dependable(dependency: Any) -> None:
    if isinstance(dependency, KubernetesManifest | TerraformModule | TerraformDataSource | TerraformResource):
        return
    if isinstance(dependency, TerraformElement):
        raise TypeError(f"a kubernetes_manifest cannot depend on {type(dependency).__name__}: "
                        "pass a resource, a data source, a module or another manifest")
    raise TypeError(f"depends_on takes cdktf elements or manifests, not {type(dependency).__name__}")


def dependency_address(dependency: ITerraformDependable) -> str:
    """The address ``depends_on`` names ``dependency`` by, as cdktf writes it."""
    if isinstance(dependency, KubernetesManifest):
        return dependency.fqn
    _check_dependable(dependency)
    address = _ADDRESSES.get(dependency)
    if address is None:
        if isinstance(dependency, TerraformModule):
            address = f"module.{dependency.friendly_unique_id}"
        elif isinstance(dependency, TerraformDataSource):
            address = f"data.{dependency.terraform_resource_type}.{dependency.friendly_unique_id}"
        else:
            address = f"{dependency.terraform_resource_type}.{dependency.friendly_unique_id}"  # type: ignore[attr-defined]
        _ADDRESSES[dependency] = address
    return address


_DEPENDENCIES: weakref.WeakKeyDictionary[Any, list[str]] = weakref.WeakKeyDictionary()


def depend_on(element: TerraformElement, depends_on: Sequence[ITerraformDependable] | None) -> None:
    """Make ``element`` (a resource, data source or module) depend on ``depends_on`` too,
    written by address: one call, where handing cdktf the manifests would make a jsii
    object of each and call back into Python for its address at every resolution.
    Addresses are read now: override an element's logical id before it is depended on."""
    if depends_on:
        addresses = _DEPENDENCIES.setdefault(element, [])
        addresses += [dependency_address(d) for d in depends_on]
        element.add_override("depends_on", list(addresses))


def kubernetes_manifest(scope: Construct, id: str, *, manifest: Mapping[str, Any],
                        depends_on: Sequence[ITerraformDependable] | None = None) -> KubernetesManifest:
    """A ``kubernetes_manifest`` resource at construct path ``<scope>/<id>`` holding
    ``manifest``. The dict is kept, not copied: change it through ``add_override``.
    Another manifest at that path or of that logical id is refused; a cdktf element
    there is not looked for (a kernel call per manifest), so do not name one alike."""
    if not id or TOKEN_MARKER.search(id):
        raise ValueError(f"a manifest's id must be a non-empty literal string, not {id!r}")
    known = _scope(scope)
    child = sanitized_id(id)
    path = f"{known.path}/{child}" if known.path else child
    stack_manifests = known.stack_manifests
    if path in stack_manifests.paths:
        raise ValueError(f"there is already a manifest with id '{child}' in {known.path}")
    unique_id = logical_id([*known.components, child])
    if unique_id in stack_manifests.by_id:
        other = stack_manifests.by_id[unique_id].path
        raise ValueError(f"manifests {other} and {path} would both be kubernetes_manifest.{unique_id} "
                         "(a logical id drops 'Default' from a path, and characters other than letters, "
                         "digits, '-' and '_'); rename one")
    for dependency in depends_on or ():
        _check_dependable(dependency)  # here rather than at synthesis; addresses are read then
    handle = KubernetesManifest(path, unique_id, manifest if isinstance(manifest, dict) else dict(manifest),
                                depends_on or ())
    stack_manifests.paths.add(path)
    stack_manifests.by_id[unique_id] = handle
    return handle


def manifests_of(stack: TerraformStack) -> list[KubernetesManifest]:
    """The manifests made in ``stack`` so far, in the order they were made."""
    stack_manifests = _STACKS.get(stack)
    return list(stack_manifests.by_id.values()) if stack_manifests is not None else []
