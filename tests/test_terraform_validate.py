"""``terraform init`` + ``terraform validate``, offline, on every synthesized stack."""

import copy
import json
import shutil
import subprocess

import pytest
import yaml
from helpers import synth
from tfstub.harness import TERRAFORM, TESTS

from cli.config_file import load_config
from constructs_lib import (
    ClusterAccessProps,
    HuggingFaceToken,
    InferenceGatewayV1Props,
    VllmModelServerProps,
    from_mapping,
)
from stacks.config import AppConfig, PrerequisitesProps, StateProps

ROOT = TESTS.parent
pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH (>= 1.8 needed)")


def _edge(api_version: str, **gateway: object) -> AppConfig:
    """The edge example (static IP, HTTPS, redirect, Model Armor) on one path, with changes."""
    section = {**yaml.safe_load((ROOT / "config.edge.example.yaml").read_text())["gateway"],
               "api_version": api_version, **gateway}
    return from_mapping(AppConfig, {"gateway": section})


CONFIGS = {
    "default": AppConfig(),
    "private-cluster-gcs-state": AppConfig(cluster=ClusterAccessProps(private_endpoint=True),
                                           state=StateProps(backend="gcs", bucket="tf-state")),
    "token-variable": AppConfig(model_servers=(VllmModelServerProps(
        hf_token=HuggingFaceToken(mode="terraform_variable")),)),
    "v1": AppConfig(gateway=InferenceGatewayV1Props()),
    "v1-crd-excluded": AppConfig(gateway=InferenceGatewayV1Props(), prerequisites=PrerequisitesProps(crds={
        "exclude": ("CustomResourceDefinition/inferencepools.inference.networking.k8s.io",)})),
    "v1-private-cluster": AppConfig(gateway=InferenceGatewayV1Props(),
                                    cluster=ClusterAccessProps(private_endpoint=True)),
    "extension-crds-no-rbac": AppConfig(prerequisites=PrerequisitesProps(
        gke_extension_crds={"ref": "main"}, metrics_rbac=None)),
    "edge": _edge("v1alpha2"),
    "autoscaling-example": load_config(str(ROOT / "config.autoscaling.example.yaml")),
}
#: Variants of the edge whose other stacks equal ones above: only their gateway stack is validated.
EDGE_VARIANTS = {
    "edge-v1": _edge("v1"),
    "edge-v1-internal-self-managed": _edge("v1", gateway_class="gke-l7-rilb", static_address={"subnetwork": "nodes"},
                                           https={"certificate": "self_managed", "domains": ["llm.example.com"]}),
    "edge-existing-address-and-templates": _edge("v1alpha2", static_address={"name": "ip", "create": False},
                                                 model_armor={"prompt": {"existing_template": "p"},
                                                              "response": {"existing_template": "r"}}),
}


def _assert_valid(harness, stack_dir):
    result = harness.validate(stack_dir)
    assert result.ok, result.summary()
    return result


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_every_stack_validates(harness, name, tmp_path):
    stacks = synth(CONFIGS[name], tmp_path)
    for stack in stacks["manifest"]["stacks"].values():
        _assert_valid(harness, tmp_path / stack["workingDirectory"])


@pytest.mark.parametrize("name", sorted(EDGE_VARIANTS))
def test_every_edge_variant_gateway_validates(harness, name, tmp_path):
    synth(EDGE_VARIANTS[name], tmp_path)
    _assert_valid(harness, tmp_path / "stacks" / "inference-gateway")


@pytest.mark.parametrize("example", ["two_model_servers", "bring_your_own_servers"])
def test_examples_validate(harness, example, tmp_path):
    import importlib

    for name in importlib.import_module(f"examples.{example}.main").synth(str(tmp_path)):
        _assert_valid(harness, tmp_path / "stacks" / name)


@pytest.mark.parametrize("api_version", ["v1", "v1alpha2"])
def test_several_base_models_validate_on_both_paths(harness, api_version, tmp_path):
    """The gateway stack, which holds the router and its routes; the example's other stacks
    are of kinds the configurations above validate already."""
    import importlib

    example = importlib.import_module("examples.two_base_models.main")
    assert "inference-gateway" in example.synth(str(tmp_path), api_version)
    _assert_valid(harness, tmp_path / "stacks" / "inference-gateway")


def test_cdktf_testing_agrees_on_stacks_without_modules(harness, tmp_path):
    from cdktf import Testing

    config = AppConfig(gateway=None)
    synth(config, tmp_path)
    for name in ("prerequisites", "model-servers"):
        _assert_valid(harness, tmp_path / "stacks" / name)
        shutil.rmtree(tmp_path / "stacks" / name / ".terraform")
    assert Testing.to_be_valid_terraform(str(tmp_path)) is True


@pytest.fixture(scope="module")
def gateway_stack(tmp_path_factory):
    out = tmp_path_factory.mktemp("broken")
    synth(AppConfig(), out)
    return json.loads((out / "stacks" / "inference-gateway" / "cdk.tf.json").read_text())


def _broken(harness, body, tmp_path):
    stack_dir = tmp_path / "stack"
    stack_dir.mkdir()
    (stack_dir / "cdk.tf.json").write_text(json.dumps(body))
    return harness.validate(stack_dir)


def _summaries(result):
    return [d["summary"] for d in result.diagnostics if d["severity"] == "error"]


def test_harness_catches_an_unknown_attribute(harness, gateway_stack, tmp_path):
    body = copy.deepcopy(gateway_stack)
    next(iter(body["data"]["google_container_cluster"].values()))["nmae"] = "x"
    result = _broken(harness, body, tmp_path)
    assert not result.ok and "Extraneous JSON object property" in _summaries(result)


def test_harness_catches_an_unsupported_terraform_version(harness, gateway_stack, tmp_path):
    body = copy.deepcopy(gateway_stack)
    body["terraform"]["required_version"] = ">= 99.0"
    result = _broken(harness, body, tmp_path)
    assert not result.ok and _summaries(result) == ["Unsupported Terraform Core version"]


def test_harness_catches_a_missing_module_input(harness, gateway_stack, tmp_path):
    body = copy.deepcopy(gateway_stack)
    del body["module"]["inference_gateway"]["region"]
    result = _broken(harness, body, tmp_path)
    assert not result.ok and "Missing required argument" in _summaries(result)


def test_harness_catches_an_unknown_module_object_attribute(harness, gateway_stack, tmp_path):
    body = copy.deepcopy(gateway_stack)
    body["module"]["inference_gateway"]["gateway"]["class"] = "gke-l7-rilb"
    del body["module"]["inference_gateway"]["gateway"]["gateway_class"]
    result = _broken(harness, body, tmp_path)
    assert not result.ok and "Invalid value for input variable" in _summaries(result)


def test_harness_catches_a_reference_to_an_undeclared_resource(harness, gateway_stack, tmp_path):
    body = copy.deepcopy(gateway_stack)
    body["provider"]["kubernetes"][0]["host"] = "https://${data.google_container_cluster.missing.endpoint}"
    result = _broken(harness, body, tmp_path)
    assert not result.ok and "Reference to undeclared resource" in _summaries(result)


def test_harness_catches_an_unknown_computed_attribute(harness, gateway_stack, tmp_path):
    body = copy.deepcopy(gateway_stack)
    cluster = next(iter(body["data"]["google_container_cluster"]))
    body["output"]["gateway_name"]["value"] = f"${{data.google_container_cluster.{cluster}.no_such_field}}"
    result = _broken(harness, body, tmp_path)
    assert not result.ok and "Unsupported attribute" in _summaries(result)


def test_stub_schema_is_derived_from_the_bindings_not_the_config():
    from tfstub.bindings_schema import provider_schema

    schema = provider_schema("google", set(), {"google_container_cluster"})
    attributes = schema["data_sources"]["google_container_cluster"]["attributes"]
    assert attributes["name"]["required"] is True
    assert attributes["master_auth"]["computed"] is True
    assert len(attributes) > 50  # every attribute of the real data source, used or not
    secret = provider_schema("kubernetes", {"kubernetes_secret_v1"}, set())["resources"]["kubernetes_secret_v1"]
    assert [name for name, a in secret["attributes"].items() if a["write_only"]] == ["binary_data_wo", "data_wo"]


def test_harness_catches_a_token_written_to_state(harness, tmp_path):
    synth(CONFIGS["token-variable"], tmp_path / "out")
    body = json.loads((tmp_path / "out" / "stacks" / "model-servers" / "cdk.tf.json").read_text())
    secret = next(iter(body["resource"]["kubernetes_secret_v1"].values()))
    secret["data"] = secret.pop("data_wo")
    result = _broken(harness, body, tmp_path)
    assert not result.ok and "Invalid use of ephemeral value" in _summaries(result)


def test_terraform_reads_the_dashboard_json_literally(tmp_path):
    """``${__interval}`` reaches the API as written, while ``var.cluster_name`` is resolved."""
    stacks = synth(CONFIGS["autoscaling-example"], tmp_path / "out")
    (dashboard,) = stacks["observability"]["resource"]["google_monitoring_dashboard"].values()
    work = tmp_path / "literal"
    work.mkdir()
    (work / "main.tf.json").write_text(json.dumps({
        "variable": {"cluster_name": {"type": "string", "default": "c-1"},
                     "project_id": {"type": "string", "default": "p-1"}},
        "output": {"dashboard": {"value": dashboard["dashboard_json"]}},
    }))
    for command in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        subprocess.run([TERRAFORM, *command], cwd=work, check=True, capture_output=True, timeout=120)
    shown = subprocess.run([TERRAFORM, "output", "-raw", "dashboard"], cwd=work, check=True, capture_output=True,
                           text=True, timeout=60).stdout
    body = json.loads(shown)
    queries = [d["timeSeriesQuery"]["prometheusQuery"] for t in body["mosaicLayout"]["tiles"]
               for d in t["widget"]["xyChart"]["dataSets"]]
    assert any("[${__interval}]" in q for q in queries)
    assert all('cluster="c-1"' in q for q in queries)
    assert "$${" not in shown


def test_certificate_manager_takes_the_key_through_no_write_only_argument(harness, tmp_path):
    """Why the self-managed key variable is sensitive but not ephemeral (and so in state):
    Terraform refuses an ephemeral value in ``pem_private_key``."""
    synth(EDGE_VARIANTS["edge-v1-internal-self-managed"], tmp_path / "out")
    body = json.loads((tmp_path / "out" / "stacks" / "inference-gateway" / "cdk.tf.json").read_text())
    assert body["variable"]["tls_private_key_pem"]["sensitive"] is True
    body["variable"]["tls_private_key_pem"]["ephemeral"] = True
    result = _broken(harness, body, tmp_path)
    assert not result.ok and "Invalid use of ephemeral value" in _summaries(result)
