"""Every stack pins every provider it or its module uses, to the major its code is written for."""

from __future__ import annotations

import re

import pytest
from helpers import synth

from constructs_lib import InferenceGatewayV1Props
from stacks.config import AppConfig

#: The majors the code is written for: the prebuilt bindings' providers (google 6.50.0,
#: kubernetes 2.38.0, helm 3.1.1, http 3.5.0) and, for the ai-on-gke module, helm 3 (its
#: `set = [...]` / `kubernetes = {...}` attributes), google-beta beside google, local 2.
MAJORS = {"google": 6, "google-beta": 6, "kubernetes": 2, "helm": 3, "http": 3, "local": 2}
#: What the module at common-infra@3f9592a0 uses: versions.tf declares the first four
#: without versions; main.tf uses local_file (ai-on-gke-inference-gateway-module.md).
MODULE_PROVIDERS = {"google", "google-beta", "kubernetes", "helm", "local"}


def _used(stack) -> set[str]:
    used = set(stack.get("provider", {}))
    for block in ("resource", "data"):
        for tf_type in stack.get(block, {}):
            used.add(max((name for name in MAJORS if tf_type == name or tf_type.startswith(f"{name}_")), key=len))
    if stack.get("module"):
        used |= MODULE_PROVIDERS
    return used


def _major(constraint: str) -> int:
    match = re.fullmatch(r"(?:~>\s*)?(\d+)(\.\d+){1,2}", constraint)
    assert match, f"{constraint!r} is not an exact version or a ~> constraint"
    return int(match.group(1))


@pytest.fixture(scope="module")
def both_paths(default_stacks, tmp_path_factory):
    return {"v1alpha2": default_stacks, "v1": synth(AppConfig(gateway=InferenceGatewayV1Props()),
                                                    tmp_path_factory.mktemp("pins"))}


@pytest.mark.parametrize("path", ["v1alpha2", "v1"])
@pytest.mark.parametrize("name", ["prerequisites", "model-servers", "inference-gateway"])
def test_every_provider_used_is_pinned_to_its_major(both_paths, path, name):
    stack = both_paths[path][name]
    required = stack["terraform"]["required_providers"]
    used = _used(stack)
    assert used and used <= set(required), f"unpinned: {sorted(used - set(required))}"
    for provider in used:
        assert _major(required[provider]["version"]) == MAJORS[provider], provider


def test_module_stack_pins_what_the_module_declares_without_versions(both_paths):
    required = both_paths["v1alpha2"]["inference-gateway"]["terraform"]["required_providers"]
    assert {"google-beta", "helm", "local"} <= set(required)
    assert required["google-beta"]["source"] == "hashicorp/google-beta"
    # The same provider versions on both paths, and google-beta in lockstep with google.
    v1 = both_paths["v1"]["inference-gateway"]["terraform"]["required_providers"]
    assert required["helm"]["version"] == v1["helm"]["version"] == "3.1.1"
    assert required["google-beta"]["version"] == required["google"]["version"]
