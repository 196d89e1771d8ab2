"""Manifests kept in Python (``_terraform/manifests.py``) are the resources cdktf would
write for elements at the same construct paths: same address, same block, same
dependencies both ways; they reach ``cdk.tf.json`` through ``App.synth`` and
``Testing.synth`` alike."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsii
import pytest
from cdktf import App, Aspects, IAspect, TerraformHclModule, TerraformResource, TerraformStack, TerraformVariable
from cdktf import Testing as CdktfTesting
from constructs import Construct, IConstruct

from constructs_lib import KubernetesManifest, kubernetes_manifest
from constructs_lib._terraform import plain
from constructs_lib._terraform.manifests import WRITER_ID, depend_on, logical_id, manifests_of

BODY = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m", "namespace": "default"},
        "data": {"k": "$${kept literally}"}}

# Construct paths below a stack, chosen to reach every branch of cdktf's naming: one
# component (no hash), "Default" (dropped), "Resource" (hashed but not shown), a component
# the previous one ends with (shown once), characters an id may not keep, an id past 255
# characters, and a separator inside an id.
PATHS: list[tuple[str, ...]] = [
    ("alone",),
    ("server", "deployment"),
    ("other", "Default", "deployment"),
    ("Default", "lonely"),
    ("server", "Resource"),
    ("model-server", "server"),
    ("a.b c", "d+e"),
    ("x" * 300,),
    ("y" * 120, "z" * 130),
    ("nested", "deeper", "deepest", "leaf"),
    ("with/slash", "leaf"),
]


def _scope_at(stack: TerraformStack, parents: tuple[str, ...]) -> Construct:
    scope: Construct = stack
    for name in parents:
        scope = scope.node.try_find_child(name) or Construct(scope, name)  # type: ignore[assignment]
    return scope


def _resources(app: App, stack: str) -> dict[str, Any]:
    app.synth()
    body = json.loads((Path(app.outdir) / "stacks" / stack / "cdk.tf.json").read_text())
    return body["resource"]


def test_addresses_are_cdktfs_for_the_same_construct_path(tmp_path):
    elements_app, handles_app = App(outdir=str(tmp_path / "e")), App(outdir=str(tmp_path / "h"))
    elements, handles = TerraformStack(elements_app, "s"), TerraformStack(handles_app, "s")
    plain.provider(elements, "kubernetes", plain.KUBERNETES)
    plain.provider(handles, "kubernetes", plain.KUBERNETES)
    expected, made = {}, {}
    for path in PATHS:
        element = plain.manifest(_scope_at(elements, path[:-1]), path[-1], manifest=BODY)
        expected[path] = elements.get_logical_id(element)
        made[path] = kubernetes_manifest(_scope_at(handles, path[:-1]), path[-1], manifest=BODY).friendly_unique_id
    assert made == expected
    assert _resources(handles_app, "s") == _resources(elements_app, "s")


def test_logical_id_needs_a_component():
    with pytest.raises(ValueError, match="at least one"):
        logical_id(["Default"])


def _wire(stack: TerraformStack, make: Any) -> None:
    """The same dependencies both ways: manifests on a resource, a data source, a module
    (its logical id overridden) and each other; a resource and a data source on a manifest."""
    resource = plain.manifest(stack, "namespace", manifest={**BODY, "kind": "Namespace"})
    data = plain.data_source(stack, "cluster", plain.GOOGLE, "google_container_cluster", name="n")
    module = TerraformHclModule(stack, "module", source="example/gateway/google")
    module.override_logical_id("gateway_module")
    first = make(Construct(stack, "app"), "config", manifest=BODY, depends_on=[resource, data, module])
    make(stack, "second", manifest={**BODY, "metadata": {"name": "n"}}, depends_on=[first, module])
    later = plain.manifest(stack, "later", manifest=BODY)
    depend_on(later, [first, resource])
    status = plain.data_source(stack, "status", plain.KUBERNETES, "kubernetes_resource", depends_on=[first],
                               kind="ConfigMap")
    assert status.terraform_resource_type == "kubernetes_resource"


def test_dependencies_are_written_as_cdktf_writes_them(tmp_path):
    apps = {}
    for name, make in (("elements", plain.manifest), ("handles", kubernetes_manifest)):
        app = App(outdir=str(tmp_path / name))
        stack = TerraformStack(app, "s")
        plain.provider(stack, "kubernetes", plain.KUBERNETES)
        plain.provider(stack, "google", plain.GOOGLE)
        _wire(stack, make)
        apps[name] = app
    handles = _resources(apps["handles"], "s")
    assert handles == _resources(apps["elements"], "s")
    manifests = handles["kubernetes_manifest"]
    (config,) = [k for k in manifests if k.startswith("app_config_")]
    assert manifests[config]["depends_on"] == ["kubernetes_manifest.namespace",
                                               "data.google_container_cluster.cluster", "module.gateway_module"]
    assert manifests["later"]["depends_on"] == [f"kubernetes_manifest.{config}", "kubernetes_manifest.namespace"]


def test_a_cdktf_element_takes_a_manifest_in_depends_on(tmp_path):
    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "s")
    plain.provider(stack, "kubernetes", plain.KUBERNETES)
    handle = kubernetes_manifest(stack, "config", manifest=BODY)
    TerraformResource(stack, "native", terraform_resource_type="kubernetes_manifest", depends_on=[handle])
    assert json.loads(CdktfTesting.synth(stack))["resource"]["kubernetes_manifest"]["native"]["depends_on"] == [
        "kubernetes_manifest.config"]
    assert _resources(app, "s")["kubernetes_manifest"]["config"]["manifest"] == BODY


def test_tokens_of_the_stack_resolve_and_literals_stay(tmp_path):
    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "s")
    plain.provider(stack, "kubernetes", plain.KUBERNETES)
    namespace = TerraformVariable(stack, "namespace", type="string")
    kubernetes_manifest(stack, "config", manifest={**BODY, "metadata": {"name": "m",
                                                                       "namespace": namespace.string_value}})
    written = _resources(app, "s")["kubernetes_manifest"]["config"]["manifest"]
    assert written["metadata"]["namespace"] == "${var.namespace}"
    assert written["data"] == {"k": "$${kept literally}"}


def test_add_override_and_a_second_synth(tmp_path):
    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "s")
    plain.provider(stack, "kubernetes", plain.KUBERNETES)
    handle = kubernetes_manifest(stack, "config", manifest=copy.deepcopy(BODY))
    handle.add_override("manifest.metadata.labels.team", "serving")
    handle.add_override("lifecycle.prevent_destroy", True)
    first = _resources(app, "s")["kubernetes_manifest"]["config"]
    assert first["manifest"]["metadata"]["labels"] == {"team": "serving"}
    assert first["lifecycle"] == {"prevent_destroy": True}
    kubernetes_manifest(stack, "second", manifest=BODY)
    assert set(_resources(app, "s")["kubernetes_manifest"]) == {"config", "second"}


def test_add_override_changes_no_dict_the_body_shares():
    labels = {"app": "vllm"}
    body = {**BODY, "kind": "Deployment", "spec": {"selector": {"matchLabels": labels},
                                                   "template": {"metadata": {"labels": labels}}}}
    handle = kubernetes_manifest(TerraformStack(App(), "s"), "deployment", manifest=body)
    handle.add_override("manifest.spec.template.metadata.labels.team", "serving")
    assert handle.manifest["spec"]["template"]["metadata"]["labels"] == {"app": "vllm", "team": "serving"}
    assert handle.manifest["spec"]["selector"]["matchLabels"] == {"app": "vllm"}
    assert labels == {"app": "vllm"} and body["spec"]["template"]["metadata"]["labels"] is labels


def test_depends_on_given_later_is_added_as_for_an_element():
    stack = TerraformStack(App(), "s")
    secret = kubernetes_manifest(stack, "secret", manifest=BODY)
    handle = kubernetes_manifest(stack, "config", manifest=BODY, depends_on=[secret])
    handle.add_override("depends_on", ["kubernetes_manifest.user_thing"])
    assert handle.depends_on == ["kubernetes_manifest.secret", "kubernetes_manifest.user_thing"]
    later = plain.manifest(stack, "later", manifest=BODY)
    depend_on(later, [secret])
    depend_on(later, [handle])
    assert json.loads(CdktfTesting.synth(stack))["resource"]["kubernetes_manifest"]["later"]["depends_on"] == [
        "kubernetes_manifest.secret", "kubernetes_manifest.config"]


@jsii.implements(IAspect)
class _Label:
    """An aspect that labels the manifests of every construct it visits, as a user's might."""

    def __init__(self, by_scope: dict[str, KubernetesManifest]) -> None:
        self.by_scope = by_scope

    def visit(self, node: IConstruct) -> None:
        handle = self.by_scope.get(node.node.path)
        if handle is not None:
            handle.add_override("manifest.metadata.labels.visited", "yes")


def test_aspects_and_stack_overrides_reach_the_manifests_wherever_they_sit(tmp_path):
    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "s")
    plain.provider(stack, "kubernetes", plain.KUBERNETES)
    made = {"s/before": kubernetes_manifest(Construct(stack, "before"), "config", manifest=copy.deepcopy(BODY))}
    after = Construct(stack, "after")  # a sibling made after the stack's writer
    made["s/after"] = kubernetes_manifest(after, "config", manifest=copy.deepcopy(BODY))
    Aspects.of(stack).add(_Label(made))
    stack.add_override(f"resource.kubernetes_manifest.{made['s/after'].friendly_unique_id}.manifest.data.k", "v")
    written = _resources(app, "s")["kubernetes_manifest"]
    assert [m["manifest"]["metadata"]["labels"] for m in written.values()] == [{"visited": "yes"}] * 2
    assert written[made["s/after"].friendly_unique_id]["manifest"]["data"] == {"k": "v"}


def test_a_token_of_another_stack_is_read_through_its_remote_state(tmp_path):
    app = App(outdir=str(tmp_path))
    one, two = TerraformStack(app, "one"), TerraformStack(app, "two")
    plain.provider(two, "kubernetes", plain.KUBERNETES)
    namespace = TerraformVariable(one, "namespace", type="string")
    kubernetes_manifest(two, "config", manifest={**BODY, "metadata": {"name": "m",
                                                                     "namespace": namespace.string_value}})
    app.synth()
    two_json = json.loads((tmp_path / "stacks" / "two" / "cdk.tf.json").read_text())
    written = two_json["resource"]["kubernetes_manifest"]["config"]["manifest"]["metadata"]["namespace"]
    assert written.startswith("${data.terraform_remote_state.") and "terraform_remote_state" in two_json["data"]


def test_hcl_output_is_refused_rather_than_written_without_the_manifests():
    stack = TerraformStack(App(), "s")
    kubernetes_manifest(stack, "config", manifest=BODY)
    with pytest.raises(Exception, match="kubernetes_manifest resources of stack s can be written as JSON only"):
        CdktfTesting.synth_hcl(stack)


@pytest.mark.parametrize("bad", ["", "${TfToken[TOKEN.1]}"])
def test_an_id_is_a_literal_string(bad):
    with pytest.raises(ValueError, match="a manifest's id must be a non-empty literal string"):
        kubernetes_manifest(TerraformStack(App(), "s"), bad, manifest=BODY)


def test_the_stack_lists_its_manifests_and_one_writer():
    app = App()
    stack = TerraformStack(app, "s")
    scope = Construct(stack, "server")
    made = [kubernetes_manifest(scope, name, manifest=BODY) for name in ("b", "a")]
    assert manifests_of(stack) == made
    assert [m.path for m in made] == ["s/server/b", "s/server/a"]
    assert made[0].fqn == f"kubernetes_manifest.{made[0].friendly_unique_id}"
    assert isinstance(made[0], KubernetesManifest) and made[0].manifest is BODY
    assert [child.node.id for child in stack.node.children] == ["server", WRITER_ID]
    assert manifests_of(TerraformStack(app, "empty")) == []


def test_a_second_manifest_of_one_id_in_one_scope_is_refused():
    stack = TerraformStack(App(), "s")
    kubernetes_manifest(stack, "config", manifest=BODY)
    with pytest.raises(ValueError, match="already a manifest with id 'config' in s"):
        kubernetes_manifest(stack, "config", manifest=BODY)


def test_two_paths_of_one_logical_id_are_refused():
    stack = TerraformStack(App(), "s")
    kubernetes_manifest(stack, "config.map", manifest=BODY)
    with pytest.raises(ValueError, match="manifests s/config.map and s/configmap would both be "
                                         "kubernetes_manifest.configmap"):
        kubernetes_manifest(stack, "configmap", manifest=BODY)


def test_depends_on_takes_elements_and_manifests_only():
    stack = TerraformStack(App(), "s")
    with pytest.raises(TypeError, match="depends_on takes cdktf elements or manifests, not str"):
        kubernetes_manifest(stack, "config", manifest=BODY, depends_on=["kubernetes_manifest.x"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="cannot depend on TerraformVariable"):
        kubernetes_manifest(stack, "other", manifest=BODY,
                            depends_on=[TerraformVariable(stack, "v", type="string")])  # type: ignore[list-item]
