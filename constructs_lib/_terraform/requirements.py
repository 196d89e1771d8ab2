"""Terraform version floors, declared by the constructs that need them.

A construct that uses a Terraform feature says so with :func:`require_terraform`; each
stack keeps the highest floor any of its constructs asked for, so a stack never claims
less than it needs, whoever composes it.
"""

from __future__ import annotations

import re

from cdktf import TerraformStack
from constructs import Construct

_FLOOR = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
_ATTRIBUTE = "_required_terraform_floor"


def _version(floor: str) -> tuple[int, int, int]:
    match = _FLOOR.fullmatch(floor)
    if match is None:
        raise ValueError(f"require_terraform needs a version like 1.8 or 1.11.0, not {floor!r}")
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def require_terraform(scope: Construct, floor: str, /) -> None:
    """Raise the ``terraform.required_version`` of ``scope``'s stack to at least ``floor``."""
    wanted = _version(floor)
    stack = TerraformStack.of(scope)
    current: tuple[tuple[int, int, int], str] | None = getattr(stack, _ATTRIBUTE, None)
    if current is not None and current[0] >= wanted:
        return
    setattr(stack, _ATTRIBUTE, (wanted, floor))
    stack.add_override("terraform.required_version", f">= {floor}")


def require_provider(scope: Construct, name: str, /, *, source: str, version: str) -> None:
    """Add ``name`` to the ``required_providers`` of ``scope``'s stack.

    For providers a stack needs without a binding of its own, such as those a Terraform
    module declares without a version: cdktf lists only the providers it has bindings
    for, and an unlisted provider is whatever ``terraform init`` finds newest.
    """
    TerraformStack.of(scope).add_override(f"terraform.required_providers.{name}",
                                          {"source": source, "version": version})


_RELEASED = "_released_without_destroy"


def release_without_destroy(scope: Construct, instance: str, to: str, /) -> None:
    """Stop managing ``instance`` (a resource instance address) without destroying it.

    Terraform's ``removed`` block takes no instance keys, so the instance is first moved
    to a resource address of its own (``to``), which a ``removed`` block with
    ``destroy = false`` then forgets. Both are no-ops when the state never held it.
    """
    require_terraform(scope, "1.7")  # removed blocks
    stack = TerraformStack.of(scope)
    released: list[tuple[str, str]] = getattr(stack, _RELEASED, [])
    released.append((instance, to))
    setattr(stack, _RELEASED, released)
    stack.add_override("moved", [{"from": source, "to": target} for source, target in released])
    stack.add_override("removed", [{"from": target, "lifecycle": {"destroy": False}} for _, target in released])

