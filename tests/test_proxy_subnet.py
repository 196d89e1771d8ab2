"""One ACTIVE REGIONAL_MANAGED_PROXY subnet per region and network, in the cluster's
region: checked at plan time on both gateway paths."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from helpers import by_path, synth

from constructs_lib import ClusterAccessProps, InferenceGatewayProps, InferenceGatewayV1Props
from stacks.config import AppConfig

TERRAFORM = shutil.which("terraform")
CHECK = "inference-gateway/proxy-only-subnet-check/subnetworks"


def _check(stacks):
    return by_path(stacks["inference-gateway"], "google_compute_subnetworks", "data").get(CHECK)


@pytest.fixture(scope="module")
def v1_stacks(tmp_path_factory):
    return synth(AppConfig(gateway=InferenceGatewayV1Props()), tmp_path_factory.mktemp("subnet"))


@pytest.mark.parametrize("path", ["v1alpha2", "v1"])
def test_both_paths_list_the_regions_active_proxy_only_subnets(default_stacks, v1_stacks, path):
    check = _check(default_stacks if path == "v1alpha2" else v1_stacks)
    assert (check["project"], check["region"]) == ("${var.project_id}", "${var.region}")
    assert check["filter"] == "(purpose eq REGIONAL_MANAGED_PROXY) (role eq ACTIVE)"
    region, existing = check["lifecycle"]["postcondition"]
    assert "set gateway.create_proxy_only_subnetwork: false" in existing["error_message"]
    assert "set the region variable" in region["error_message"]
    assert "\n" not in existing["error_message"] + region["error_message"]


@pytest.mark.parametrize("gateway", [
    InferenceGatewayProps(create_proxy_only_subnetwork=False),
    InferenceGatewayV1Props(create_proxy_only_subnetwork=False)])
def test_no_check_when_the_subnet_is_not_created(gateway, tmp_path):
    stacks = synth(AppConfig(gateway=gateway), tmp_path)
    assert _check(stacks) is None
    assert "google_compute_subnetwork" not in stacks["inference-gateway"].get("resource", {})


def test_no_check_when_preflight_checks_are_off(tmp_path):
    stacks = synth(AppConfig(gateway=InferenceGatewayV1Props(),
                             cluster=ClusterAccessProps(preflight_checks=False)), tmp_path)
    assert _check(stacks) is None


def _evaluate(expression: str, tmp_path) -> str:
    result = subprocess.run([TERRAFORM, "console"], input=expression, capture_output=True, text=True,
                            cwd=tmp_path, check=True, timeout=60)
    return result.stdout.strip()


def _subnet(name, network):
    return {"name": name, "network_name": network, "ip_cidr_range": "10.127.0.0/23"}


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH")
@pytest.mark.parametrize(("subnetworks", "passes"), [
    ([], True),
    ([_subnet("gateway-api-proxy-only", "vpc")], True),  # ours, on the plans after the first apply
    ([_subnet("proxy-only-a", "other-vpc")], True),
    ([_subnet("proxy-only-a", "vpc")], False),
    ([_subnet("gateway-api-proxy-only", "vpc"), _subnet("proxy-only-a", "vpc")], False),
])
def test_existing_subnet_condition_evaluates_in_terraform(v1_stacks, subnetworks, passes, tmp_path):
    _, existing = _check(v1_stacks)["lifecycle"]["postcondition"]
    expression = (existing["condition"][2:-1].replace("self.subnetworks", json.dumps(subnetworks))
                  .replace("var.network_name", '"vpc"'))
    assert _evaluate(expression, tmp_path) == str(passes).lower()


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH")
@pytest.mark.parametrize(("region", "location", "passes"), [
    ("us-central1", "us-central1", True), ("us-central1", "us-central1-a", True),
    ("us-east1", "us-central1-a", False), ("europe-west4", "europe-west1", False),
])
def test_region_condition_evaluates_in_terraform(v1_stacks, region, location, passes, tmp_path):
    same_region, _ = _check(v1_stacks)["lifecycle"]["postcondition"]
    expression = (same_region["condition"][2:-1].replace("var.cluster_location", f'"{location}"')
                  .replace("var.region", f'"{region}"'))
    assert _evaluate(expression, tmp_path) == str(passes).lower()


def test_plain_strings_for_region_and_network_are_quoted_in_the_checks(tmp_path):
    """A library user may pass plain strings instead of variables: the expressions must
    compare them as string literals, not as bare words Terraform cannot parse."""
    from cdktf import App, TerraformStack

    from constructs_lib import ClusterAccess, InferenceGatewayV1, VllmModelServerProps

    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "gateway")
    cluster = ClusterAccess(stack, "cluster", project_id="my-project", cluster_name="c", cluster_location="us-east1-b")
    InferenceGatewayV1(stack, "inference-gateway", props=InferenceGatewayV1Props(), cluster=cluster,
                       region="us-east1", network_name="my-vpc", model_servers=(VllmModelServerProps(),))
    app.synth()
    body = json.loads((tmp_path / "stacks" / "gateway" / "cdk.tf.json").read_text())
    region, existing = _check({"inference-gateway": body})["lifecycle"]["postcondition"]
    assert region["condition"] == '${regex("^[a-z]+-[a-z]+[0-9]+", "us-east1-b") == "us-east1"}'
    assert 'subnet.network_name == "my-vpc"' in existing["condition"]
