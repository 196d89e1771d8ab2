"""``terraform init`` + ``terraform validate``, offline, on every synthesized stack."""

import copy
import json
import shutil

import pytest
from helpers import synth
from tfstub.harness import TERRAFORM

from constructs_lib import ClusterAccessProps, HuggingFaceToken, VllmModelServerProps
from stacks.config import AppConfig, PrerequisitesProps, StateProps

pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH (>= 1.8 needed)")

CONFIGS = {
    "default": AppConfig(),
    "private-cluster-gcs-state": AppConfig(cluster=ClusterAccessProps(private_endpoint=True),
                                           state=StateProps(backend="gcs", bucket="tf-state")),
    "token-variable": AppConfig(model_servers=(VllmModelServerProps(
        hf_token=HuggingFaceToken(mode="terraform_variable")),)),
    "v1": AppConfig(api_version="v1"),
    "v1-crd-excluded": AppConfig(api_version="v1", prerequisites=PrerequisitesProps(crds={
        "exclude": ("CustomResourceDefinition/inferencepools.inference.networking.k8s.io",)})),
    "v1-private-cluster": AppConfig(api_version="v1", cluster=ClusterAccessProps(private_endpoint=True)),
    "extension-crds-no-rbac": AppConfig(prerequisites=PrerequisitesProps(
        gke_extension_crds={"ref": "main"}, metrics_rbac=None)),
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


@pytest.mark.parametrize("example", ["two_model_servers", "bring_your_own_servers"])
def test_examples_validate(harness, example, tmp_path):
    import importlib

    for name in importlib.import_module(f"examples.{example}.main").synth(str(tmp_path)):
        _assert_valid(harness, tmp_path / "stacks" / name)


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
