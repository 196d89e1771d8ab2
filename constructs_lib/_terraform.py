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
