"""The GIE v1 path: chart values, objectives, Gateway and routes, CRDs, and API switching."""

import copy
import dataclasses

import pytest
from crd_schema import crd_errors, load_crds
from helpers import SHARED, by_path, fields_of, manifests, needs_shared, synth

from constructs_lib import (
    ConfigError,
    InferenceGatewayProps,
    InferenceGatewayV1Props,
    InferenceObjectiveSpec,
    InferencePoolSpec,
    VllmModelServerProps,
    from_mapping,
)
from constructs_lib._gateway.v1 import chart_settings
from stacks.config import AppConfig, PrerequisitesProps

V1 = AppConfig(gateway=InferenceGatewayV1Props())
POOL = "vllm-llama3-8b-instruct"
AUTOPILOT = "${tostring(data.google_container_cluster.cluster_A4C38409.enable_autopilot)}"


@pytest.fixture(scope="module")
def v1_stacks(tmp_path_factory):
    return synth(V1, tmp_path_factory.mktemp("v1"))


def _release_settings(stack, pool=POOL):
    release = by_path(stack, "helm_release")[f"inference-gateway/pool-{pool}"]
    return release, [(entry["name"], entry["value"]) for entry in release["set"]]


def test_default_pool_chart_values_exactly(v1_stacks):
    release, settings = _release_settings(v1_stacks["inference-gateway"])
    assert settings == [
        ("provider.name", "gke"),
        ("inferencePool.targetPorts[0].number", "8000"),
        ("inferencePool.modelServers.matchLabels.app", POOL),
        ("inferenceExtension.replicas", "1"),
        ("inferenceExtension.resources.requests.cpu", "4"),
        ("inferenceExtension.resources.requests.memory", "8Gi"),
        ("inferenceExtension.resources.limits.memory", "16Gi"),
        ("inferenceExtension.monitoring.prometheus.enabled", "true"),
        ("inferenceExtension.monitoring.prometheus.auth.enabled", "true"),
        ("provider.gke.autopilot", AUTOPILOT),
    ]
    assert (release["repository"], release["chart"], release["version"], release["name"], release["namespace"]) == (
        "oci://registry.k8s.io/gateway-api-inference-extension/charts", "inferencepool", "v1.5.0", POOL, "default")


def test_customised_pool_chart_values_exactly():
    pool = InferencePoolSpec(name="llama", match_labels={"app.kubernetes.io/name": "llama", "tier": "gpu"})
    props = InferenceGatewayV1Props(gke_monitoring=False, endpoint_picker_replicas=2, endpoint_picker_cpu="500m",
                                    endpoint_picker_memory="1Gi", endpoint_picker_memory_limit="2Gi")
    assert chart_settings(pool, 9000, props, "false") == [
        ("provider.name", "gke"),
        ("inferencePool.targetPorts[0].number", "9000"),
        ("inferencePool.modelServers.matchLabels.app\\.kubernetes\\.io/name", "llama"),
        ("inferencePool.modelServers.matchLabels.tier", "gpu"),
        ("inferenceExtension.replicas", "2"),
        ("inferenceExtension.resources.requests.cpu", "500m"),
        ("inferenceExtension.resources.requests.memory", "1Gi"),
        ("inferenceExtension.resources.limits.memory", "2Gi"),
    ]


def test_target_port_follows_the_model_server(tmp_path):
    server = dataclasses.replace(VllmModelServerProps(), port=9000)
    stacks = synth(AppConfig(gateway=InferenceGatewayV1Props(), model_servers=(server,)), tmp_path)
    _, settings = _release_settings(stacks["inference-gateway"])
    assert ("inferencePool.targetPorts[0].number", "9000") in settings


def test_objectives_map_criticality_to_priority(v1_stacks):
    objectives = {body["metadata"]["name"]: body for body in manifests(v1_stacks["inference-gateway"]).values()
                  if body["kind"] == "InferenceObjective"}
    assert {name: body["spec"]["priority"] for name, body in objectives.items()} == {
        "meta-llama-llama-3-1-8b-instruct": 1, "food-review": 0, "cad-fabricator": 0}
    for body in objectives.values():
        assert body["spec"]["poolRef"] == {"group": "inference.networking.k8s.io", "name": POOL}


def test_gateway_and_routes_for_both_completion_paths(v1_stacks):
    found = manifests(v1_stacks["inference-gateway"])
    gateway = found["inference-gateway/gateway"]
    assert gateway["spec"] == {"gatewayClassName": "gke-l7-regional-external-managed",
                               "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}
    rule = found[f"inference-gateway/route-{POOL}"]["spec"]["rules"][0]
    assert [m["path"]["value"] for m in rule["matches"]] == ["/v1/completions", "/v1/chat/completions"]
    assert rule["backendRefs"] == [{"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": POOL}]


def test_proxy_only_subnet_with_its_cidr(v1_stacks, tmp_path):
    subnet = by_path(v1_stacks["inference-gateway"], "google_compute_subnetwork")["inference-gateway/proxy-only-subnet"]
    assert (subnet["ip_cidr_range"], subnet["purpose"], subnet["role"]) == (
        "10.127.0.0/23", "REGIONAL_MANAGED_PROXY", "ACTIVE")
    stacks = synth(AppConfig(gateway=InferenceGatewayV1Props(
        proxy_only_subnetwork_cidr="10.200.0.0/22")), tmp_path)
    subnet = by_path(stacks["inference-gateway"], "google_compute_subnetwork")["inference-gateway/proxy-only-subnet"]
    assert subnet["ip_cidr_range"] == "10.200.0.0/22"


def test_outputs_match_the_module_path(v1_stacks, default_stacks):
    assert set(v1_stacks["inference-gateway"]["output"]) == set(default_stacks["inference-gateway"]["output"])


def test_switching_api_version_changes_only_crds_metrics_rbac_and_gateway(v1_stacks, default_stacks):
    assert v1_stacks["model-servers"] == default_stacks["model-servers"]
    prerequisites = copy.deepcopy([v1_stacks["prerequisites"], default_stacks["prerequisites"]])
    urls = [next(iter(s["data"]["http"].values()))["url"] for s in prerequisites]
    assert urls[0].endswith("/v1.5.0/manifests.yaml") and urls[1].endswith("/v0.3.0/manifests.yaml")
    for stack in prerequisites:
        next(iter(stack["data"]["http"].values()))["url"] = "x"
    # The tutorial's metrics RBAC (and the Managed Prometheus check it brings) stays on v1alpha2.
    v1, module = prerequisites
    rbac = [key for key, body in module["resource"]["kubernetes_manifest"].items()
            if body["//"]["metadata"]["path"].startswith("prerequisites/metrics-rbac/")]
    assert len(rbac) == 6 and not set(rbac) & set(v1["resource"]["kubernetes_manifest"])
    for key in rbac:
        del module["resource"]["kubernetes_manifest"][key]
    # Each checks the cluster for what it installs: Managed Prometheus for the RBAC's
    # scraping, and on v1 the GKE version that installs the InferencePool CRD itself.
    checks = [next(iter(stack["data"]["google_container_cluster"].values())).pop("lifecycle")["postcondition"]
              for stack in (v1, module)]
    assert ["1626000" in check["condition"] for check in checks[0]] == [True]
    assert ["managed_prometheus" in check["condition"] for check in checks[1]] == [True]
    for stack in (v1, module):  # the list of attributes written as overrides follows the objects
        stack["//"]["metadata"].pop("overrides", None)
    assert v1 == module
    assert "module" not in v1_stacks["inference-gateway"]


def test_cluster_installed_crds(tmp_path):
    config = AppConfig(prerequisites=PrerequisitesProps(crds=None),
                       gateway=InferenceGatewayV1Props(inference_objectives=()))
    stacks = synth(config, tmp_path)
    assert "http" not in stacks["prerequisites"].get("data", {})
    assert not [b for b in manifests(stacks["inference-gateway"]).values() if b["kind"] == "InferenceObjective"]


CRDS = SHARED / "upstream" / "gie-v1.5.0-crds.yaml"


@needs_shared("gie-v1.5.0-crds.yaml")
def test_custom_resources_validate_against_the_v1_5_0_crds(v1_stacks):
    schemas = load_crds([CRDS])
    objectives = [b for b in manifests(v1_stacks["inference-gateway"]).values() if b["kind"] == "InferenceObjective"]
    _, settings = _release_settings(v1_stacks["inference-gateway"])
    values = dict(settings)
    pool = {  # what the chart renders from these values
        "apiVersion": "inference.networking.k8s.io/v1", "kind": "InferencePool",
        "metadata": {"name": POOL, "namespace": "default"},
        "spec": {"targetPorts": [{"number": int(values["inferencePool.targetPorts[0].number"])}],
                 "selector": {"matchLabels": {"app": values["inferencePool.modelServers.matchLabels.app"]}},
                 "endpointPickerRef": {"name": f"{POOL}-epp", "port": {"number": 9002}}},
    }
    assert len(objectives) == 3
    assert [error for obj in [*objectives, pool] for error in crd_errors(obj, schemas)] == []
    broken = dict(pool, spec=dict(pool["spec"], endpointPickerRef={"name": "epp"}))
    (error,) = crd_errors(broken, schemas)
    assert error.startswith(".spec.endpointPickerRef: port is required when kind is 'Service' or unspecified")


def _fields(**config):
    return fields_of(AppConfig, **config)


V1_GATEWAY = InferenceGatewayV1Props()


def test_old_gateway_keys_are_refused_with_the_migration():
    with pytest.raises(ConfigError) as caught:
        from_mapping(AppConfig, {"api_version": "v1", "gateway_v1": {"chart_version": "v1.5.0"}})
    problems = {p.field: p.render() for p in caught.value.problems}
    assert set(problems) == {"api_version", "gateway_v1"}
    assert "gateway: {api_version: v1" in problems["api_version"]
    assert "rename it to gateway" in problems["gateway_v1"]


def test_the_gateway_section_is_typed_by_its_api_version():
    v1 = from_mapping(AppConfig, {"gateway": {"api_version": "v1", "chart_version": "v1.5.0"}})
    assert isinstance(v1.gateway, InferenceGatewayV1Props) and v1.api_version == "v1"
    default = from_mapping(AppConfig, {"gateway": {"chat_completions_route": False}})
    assert isinstance(default.gateway, InferenceGatewayProps) and default.api_version == "v1alpha2"
    with pytest.raises(ConfigError) as caught:  # a v1 setting on the module path: no mixtures
        from_mapping(AppConfig, {"gateway": {"chart_version": "v1.5.0"}})
    assert [p.field for p in caught.value.problems] == ["gateway.chart_version"]
    with pytest.raises(ConfigError) as caught:  # errors are reported against the path asked for
        from_mapping(AppConfig, {"gateway": {"api_version": "v1", "chat_completions_route": False}})
    assert [p.field for p in caught.value.problems] == ["gateway.chat_completions_route"]
    with pytest.raises(ConfigError) as caught:
        from_mapping(AppConfig, {"gateway": {"api_version": "v2"}})
    assert [p.field for p in caught.value.problems] == ["gateway.api_version"]
    assert "'v1alpha2', 'v1'" in caught.value.problems[0].render()


def test_chart_version_without_v_is_refused_with_the_fix():
    with pytest.raises(ConfigError) as caught:
        InferenceGatewayV1Props(chart_version="1.5.0")
    assert caught.value.problems[0].field == "chart_version"
    assert "fix: write v1.5.0" in caught.value.problems[0].render()


def test_crd_release_must_match_the_api_version():
    from constructs_lib import GieCrdsProps

    assert _fields(gateway=V1_GATEWAY, prerequisites=PrerequisitesProps(crds=GieCrdsProps(version="v0.3.0"))) == [
        "prerequisites.crds.version"]
    assert _fields(prerequisites=PrerequisitesProps(crds=GieCrdsProps(version="v1.5.0"))) == [
        "prerequisites.crds.version"]


def test_objectives_need_the_release_crds():
    assert _fields(gateway=V1_GATEWAY, prerequisites=PrerequisitesProps(crds=None)) == ["prerequisites.crds"]


def test_objective_naming_an_unknown_pool():
    props = InferenceGatewayV1Props(inference_objectives=(InferenceObjectiveSpec(name="o", inference_pool_name="x"),))
    assert _fields(gateway=props) == ["gateway.inference_objectives[0].inference_pool_name"]


def test_bad_cidr():
    assert fields_of(InferenceGatewayV1Props, proxy_only_subnetwork_cidr="10.0.0.0/28") == [
        "proxy_only_subnetwork_cidr"]


def test_objectives_need_a_release_that_ships_their_crd():
    from constructs_lib import GieCrdsProps

    crds = PrerequisitesProps(crds=GieCrdsProps(version="v1.6.0"))
    assert _fields(gateway=V1_GATEWAY, prerequisites=crds) == ["prerequisites.crds.version"]
    AppConfig(prerequisites=crds, gateway=InferenceGatewayV1Props(inference_objectives=()))


def test_two_servers_of_one_model_without_a_shared_label_are_refused_on_v1():
    second = dataclasses.replace(VllmModelServerProps(), name="vllm-b", adapters_config_map="vllm-b-adapters")
    assert _fields(gateway=V1_GATEWAY, model_servers=(VllmModelServerProps(), second)) == [
        "gateway.inference_pools"]


def test_an_invalid_proxy_only_subnet_name_is_refused():
    assert fields_of(InferenceGatewayV1Props, proxy_only_subnetwork_name="Not A Valid Name!") == [
        "proxy_only_subnetwork_name"]


def test_v1_pools_may_live_in_another_namespace_with_their_servers(tmp_path):
    server = dataclasses.replace(VllmModelServerProps(), namespace="llm")
    assert _fields(gateway=V1_GATEWAY, model_servers=(server,)) == ["gateway.inference_pools[0]"]
    stacks = synth(AppConfig(gateway=InferenceGatewayV1Props(namespace="llm"), model_servers=(server,)), tmp_path)
    release, _ = _release_settings(stacks["inference-gateway"])
    assert release["namespace"] == "llm"
    gateway = manifests(stacks["inference-gateway"])["inference-gateway/gateway"]
    assert gateway["metadata"] == {"name": "inference-gateway", "namespace": "llm"}
