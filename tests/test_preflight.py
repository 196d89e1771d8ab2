"""Plan-time preflight postconditions on the cluster data source."""

import shutil
import subprocess

import pytest
from helpers import by_path

from constructs_lib import ClusterAccessProps, VllmModelServerProps
from stacks.config import AppConfig, PrerequisitesProps


def _conditions(stack):
    cluster = by_path(stack, "google_container_cluster", "data")["cluster/cluster"]
    return cluster.get("lifecycle", {}).get("postcondition", [])


def test_gateway_stack_checks_gateway_api_and_version(default_stacks):
    checks = _conditions(default_stacks["inference-gateway"])
    assert len(checks) == 2
    gateway_api, version = checks
    assert "self.gateway_api_config[0].channel" in gateway_api["condition"]
    assert "gcloud container clusters update ${var.cluster_name} --location ${var.cluster_location} " \
           "--gateway-api=standard" in gateway_api["error_message"]
    assert ">= 1032003" in version["condition"] and "self.master_version" in version["condition"]
    assert "--master --cluster-version 1.32" in version["error_message"]


def test_prerequisites_stack_checks_managed_prometheus(default_stacks):
    (check,) = _conditions(default_stacks["prerequisites"])
    assert check["condition"] == "${try(self.monitoring_config[0].managed_prometheus[0].enabled, false)}"
    assert "--enable-managed-prometheus" in check["error_message"]


def test_no_prometheus_check_without_metrics_rbac(synth_config):
    stacks = synth_config(AppConfig(prerequisites=PrerequisitesProps(metrics_rbac=None)))
    assert _conditions(stacks["prerequisites"]) == []


def test_preflight_checks_can_be_turned_off(synth_config):
    stacks = synth_config(AppConfig(cluster=ClusterAccessProps(preflight_checks=False)))
    assert all(_conditions(stacks[name]) == [] for name in ("prerequisites", "model-servers", "inference-gateway"))


def test_model_server_stack_checks_managed_prometheus_for_its_pod_monitorings(default_stacks):
    (check,) = _conditions(default_stacks["model-servers"])
    assert "managed_prometheus" in check["condition"]
    assert "the PodMonitoring kind does not exist" in check["error_message"]
    assert "--enable-managed-prometheus" in check["error_message"]


def test_unscraped_model_servers_need_no_cluster_feature(synth_config):
    stacks = synth_config(AppConfig(model_servers=(VllmModelServerProps(metrics=None),)))
    assert _conditions(stacks["model-servers"]) == []


TERRAFORM = shutil.which("terraform")


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH")
@pytest.mark.parametrize(("version", "supported"), [
    ("1.32.2-gke.1182001", False), ("1.32.3-gke.1170000", True), ("1.33.0-gke.100", True),
    ("1.31.9", False), ("2.0.0-gke.1", True), ("not-a-version", False),
])
def test_version_condition_evaluates_in_terraform(default_stacks, version, supported, tmp_path):
    (_, check) = _conditions(default_stacks["inference-gateway"])
    expression = check["condition"][2:-1].replace("self.master_version", f'"{version}"')
    result = subprocess.run([TERRAFORM, "console"], input=expression, capture_output=True, text=True,
                            cwd=tmp_path, check=True, timeout=60)
    assert result.stdout.strip() == str(supported).lower()


def test_gateway_stack_with_the_router_checks_for_its_routing_extension(synth_config):
    from constructs_lib import InferenceGatewayV1Props
    from constructs_lib._cluster.preflight import EXTENSION_CRDS_BUILT_IN

    stacks = synth_config(AppConfig(gateway=InferenceGatewayV1Props(body_routing={"mode": "on"})))
    (routing,) = [c for c in _conditions(stacks["inference-gateway"]) if "GCPRoutingExtension" in c["error_message"]]
    assert "prerequisites.gke_extension_crds" in routing["error_message"]
    assert EXTENSION_CRDS_BUILT_IN in routing["error_message"]
    installed = synth_config(AppConfig(gateway=InferenceGatewayV1Props(body_routing={"mode": "on"}),
                                       prerequisites=PrerequisitesProps(gke_extension_crds={"ref": "main"})))
    assert not [c for c in _conditions(installed["inference-gateway"])
                if "GCPRoutingExtension" in c["error_message"]]
    assert len(_conditions(installed["inference-gateway"])) == len(_conditions(stacks["inference-gateway"])) - 1


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH")
@pytest.mark.parametrize(("version", "supported"), [
    ("1.32.2-gke.1182000", False), ("1.32.2-gke.1182001", True), ("1.33.0-gke.1", True), ("1.32.2", False),
])
def test_routing_extension_condition_evaluates_in_terraform(version, supported, tmp_path):
    from constructs_lib import Preflight
    from constructs_lib._cluster.preflight import postconditions

    (check,) = postconditions([Preflight.ROUTING_EXTENSION], cluster_name="c", cluster_location="l")
    expression = check.condition[2:-1].replace("self.master_version", f'"{version}"')
    result = subprocess.run([TERRAFORM, "console"], input=expression, capture_output=True, text=True,
                            cwd=tmp_path, check=True, timeout=60)
    assert result.stdout.strip() == str(supported).lower()
