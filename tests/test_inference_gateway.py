"""The gateway stack: the module contract, derived defaults, chat route, outputs, checks."""

import dataclasses
import json

import pytest
from helpers import FIXTURES, by_path, fields_of, manifests

from constructs_lib import (
    MODULE_COMMIT,
    ConfigError,
    HttpRouteSpec,
    InferenceGatewayProps,
    InferenceModelSpec,
    InferencePoolSpec,
    LoraAdapter,
    VllmModelServerProps,
)
from stacks.config import AppConfig

_FACTS = json.loads((FIXTURES / "inference_gateway_module.json").read_text())
CONTRACT = {name: spec for name, spec in _FACTS.items() if not name.startswith("_")}


def module_block(stacks):
    modules = stacks["inference-gateway"]["module"]
    assert list(modules) == ["inference_gateway"]
    return {key: value for key, value in modules["inference_gateway"].items() if key not in ("//", "source")}


def _objects(value):
    return value if isinstance(value, list) else [value]


def test_module_source_is_pinned_to_the_commit_that_has_it(default_stacks):
    source = default_stacks["inference-gateway"]["module"]["inference_gateway"]["source"]
    assert source == ("github.com/ai-on-gke/common-infra//common/modules/inference-gateway"
                      f"?ref={MODULE_COMMIT}")
    assert "ref=main" not in source


def test_module_block_satisfies_the_contract(default_stacks):
    block = module_block(default_stacks)
    assert set(block) <= set(CONTRACT), set(block) - set(CONTRACT)
    missing = {name for name, spec in CONTRACT.items() if spec["required"]} - set(block)
    assert missing == set()
    for name, spec in CONTRACT.items():
        if "attributes" not in spec:
            continue
        for obj in _objects(block[name]):
            assert set(obj) <= set(spec["attributes"]), (name, set(obj) - set(spec["attributes"]))
            required = {attr for attr, needed in spec["attributes"].items() if needed}
            assert required <= set(obj), (name, required - set(obj))
    for model in block["inference_models"]:
        assert model["criticality"] in ("Critical", "Standard", "Sheddable")


def test_environment_inputs_come_from_variables(default_stacks):
    block = module_block(default_stacks)
    for name in ("project_id", "cluster_name", "cluster_location", "network_name", "region"):
        assert block[name] == f"${{var.{name}}}"
    variables = default_stacks["inference-gateway"]["variable"]
    assert set(variables) == {"project_id", "cluster_name", "cluster_location", "network_name", "region"}


def test_defaults_are_derived_from_the_model_server(default_stacks):
    block = module_block(default_stacks)
    assert block["inference_pools"] == [
        {"name": "vllm-llama3-8b-instruct", "match_labels": {"app": "vllm-llama3-8b-instruct"}}]
    models = block["inference_models"]
    assert [(m["model_name"], m["criticality"], m["inference_pool_name"]) for m in models] == [
        ("meta-llama/Llama-3.1-8B-Instruct", "Critical", "vllm-llama3-8b-instruct"),
        ("food-review", "Standard", "vllm-llama3-8b-instruct"),
        ("cad-fabricator", "Standard", "vllm-llama3-8b-instruct"),
    ]
    assert block["gateway"] == {"name": "inference-gateway", "namespace": "default",
                                "gateway_class": "gke-l7-regional-external-managed"}
    assert [(r["gateway_name"], r["inference_pool_name"]) for r in block["http_routes"]] == [
        ("inference-gateway", "vllm-llama3-8b-instruct")]
    assert block["create_proxy_only_subnetwork"] is True


def test_chat_completions_route_goes_to_the_same_pool(default_stacks):
    routes = [body for body in manifests(default_stacks["inference-gateway"]).values()
              if body["kind"] == "HTTPRoute"]
    assert len(routes) == 1
    rule = routes[0]["spec"]["rules"][0]
    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": "/v1/chat/completions"}}]
    assert rule["backendRefs"] == [{"group": "inference.networking.x-k8s.io", "kind": "InferencePool",
                                    "name": "vllm-llama3-8b-instruct"}]
    assert routes[0]["spec"]["parentRefs"] == [{"name": "inference-gateway", "namespace": "default"}]


def test_chat_route_can_be_turned_off(synth_config):
    stacks = synth_config(AppConfig(gateway=InferenceGatewayProps(chat_completions_route=False)))
    assert manifests(stacks["inference-gateway"]) == {}


def test_outputs_have_static_names_and_read_the_gateway_status(default_stacks):
    stack = default_stacks["inference-gateway"]
    outputs = stack["output"]
    assert set(outputs) == {"gateway_name", "gateway_namespace", "gateway_address", "chat_completions_curl",
                            "model_names", "model_curls"}
    assert outputs["gateway_name"]["value"] == "inference-gateway"
    names = ["meta-llama/Llama-3.1-8B-Instruct", "food-review", "cad-fabricator"]
    assert outputs["model_names"]["value"] == names
    assert sorted(outputs["model_curls"]["value"]) == sorted(names)
    for name, curl in outputs["model_curls"]["value"].items():
        assert json.loads(curl.split("-d '", 1)[1].rstrip("'"))["model"] == name
    status = by_path(stack, "kubernetes_resource", "data")["inference-gateway/gateway-status"]
    assert status["kind"] == "Gateway" and status["metadata"]["name"] == "inference-gateway"
    assert status["depends_on"] == ["module.inference_gateway"]
    assert ".object.status.addresses[0].value" in outputs["gateway_address"]["value"]
    curl = outputs["chat_completions_curl"]["value"]
    assert curl.startswith("curl -sS http://${try(data.kubernetes_resource.")
    body = json.loads(curl.split("-d '", 1)[1].rstrip("'"))
    assert body["model"] == "food-review" and body["messages"][0]["role"] == "user"


def test_gateway_stack_runs_after_prerequisites_and_model_servers(default_stacks):
    assert default_stacks["manifest"]["stacks"]["inference-gateway"]["dependencies"] == [
        "prerequisites", "model-servers"]


def test_explicit_inputs_for_bring_your_own_model_servers(synth_config):
    gateway = InferenceGatewayProps(
        inference_pools=(InferencePoolSpec(name="mine", match_labels={"app": "mine"}),),
        inference_models=(InferenceModelSpec(name="m", model_name="my-model", criticality="Sheddable",
                                             inference_pool_name="mine"),),
        name="gw",
        gateway_class="gke-l7-rilb",
        create_proxy_only_subnetwork=False,
    )
    stacks = synth_config(AppConfig(model_servers=(), gateway=gateway))
    block = module_block(stacks)
    assert block["inference_models"] == [{"name": "m", "namespace": "default", "model_name": "my-model",
                                          "criticality": "Sheddable", "inference_pool_name": "mine"}]
    assert block["gateway"]["gateway_class"] == "gke-l7-rilb"
    assert block["http_routes"] == [{"name": "mine-route", "namespace": "default", "gateway_name": "gw",
                                     "inference_pool_name": "mine"}]
    assert block["create_proxy_only_subnetwork"] is False
    assert stacks["manifest"]["stacks"]["inference-gateway"]["dependencies"] == ["prerequisites"]


def _problems(**gateway):
    with pytest.raises(ConfigError) as caught:
        AppConfig(gateway=InferenceGatewayProps(**gateway))
    return [(p.field, p.render()) for p in caught.value.problems]


POOL = InferencePoolSpec(name="vllm-llama3-8b-instruct", match_labels={"app": "vllm-llama3-8b-instruct"})


def test_bad_criticality_reads_the_same_everywhere():
    model = {"name": "m", "model_name": "food-review", "criticality": "critical", "inference_pool_name": "p"}
    with pytest.raises(ConfigError) as caught:
        InferenceModelSpec(**model)
    with pytest.raises(ConfigError) as derived:
        InferenceGatewayProps(base_model_criticality="critical")
    (problem,), (other,) = caught.value.problems, derived.value.problems
    assert problem.field == "criticality" and other.field == "base_model_criticality"
    assert problem.render().split(":", 1)[1] == other.render().split(":", 1)[1]
    assert "'Critical', 'Standard', 'Sheddable'" in problem.render()


def test_model_naming_an_unknown_pool():
    found = _problems(inference_models=(InferenceModelSpec(
        name="m", model_name="food-review", criticality="Critical", inference_pool_name="nope"),))
    assert found[0][0] == "gateway.inference_models[0].inference_pool_name"
    assert "vllm-llama3-8b-instruct" in found[0][1]


def test_duplicate_model():
    model = InferenceModelSpec(name="m", model_name="food-review", criticality="Critical",
                               inference_pool_name=POOL.name)
    found = _problems(inference_models=(model, model))
    assert [field for field, _ in found] == ["gateway.inference_models[1]", "gateway.inference_models[1]"]


def test_route_to_a_missing_gateway():
    route = HttpRouteSpec(name="r", gateway_name="other", inference_pool_name=POOL.name)
    found = _problems(http_routes=(route,))
    assert found == [("gateway.http_routes[0].gateway_name", found[0][1])]
    assert "use inference-gateway" in found[0][1]


def test_pool_that_selects_no_model_server():
    found = _problems(inference_pools=(InferencePoolSpec(name=POOL.name, match_labels={"app": "other"}),))
    assert found[0][0] == "gateway.inference_pools[0].match_labels"


def test_model_name_not_served_by_its_pool():
    found = _problems(inference_models=(InferenceModelSpec(
        name="m", model_name="not-an-adapter", criticality="Critical", inference_pool_name=POOL.name),))
    assert found[0][0] == "gateway.inference_models[0].model_name"
    assert "food-review" in found[0][1]


def test_derived_inputs_need_model_servers():
    with pytest.raises(ConfigError) as caught:
        AppConfig(model_servers=())
    assert {p.field for p in caught.value.problems} == {"gateway.inference_pools", "gateway.inference_models"}


def test_model_servers_outside_default_namespace_are_refused_for_module_pools():
    server = dataclasses.replace(VllmModelServerProps(), namespace="llm")
    with pytest.raises(ConfigError) as caught:
        AppConfig(model_servers=(server,))
    assert caught.value.problems[0].field == "gateway.inference_pools[0]"


def test_unknown_gateway_class():
    with pytest.raises(ConfigError) as caught:
        InferenceGatewayProps(gateway_class="gke-l7-nope")
    assert "gke-l7-rilb" in str(caught.value)


def test_two_servers_in_one_pool_share_their_model_objects(synth_config):
    shared = {"inference-pool": "llama"}
    first = dataclasses.replace(VllmModelServerProps(), labels={"app": "a", **shared}, adapters_config_map="a-cm")
    second = dataclasses.replace(VllmModelServerProps(), name="vllm-b", labels={"app": "b", **shared},
                                 adapters_config_map="b-cm", adapters=(LoraAdapter(id="sql", source="org/sql"),))
    gateway = InferenceGatewayProps(inference_pools=(InferencePoolSpec(name="llama", match_labels=shared),))
    block = module_block(synth_config(AppConfig(model_servers=(first, second), gateway=gateway)))
    assert [(m["name"], m["criticality"], m["inference_pool_name"]) for m in block["inference_models"]] == [
        ("meta-llama-llama-3-1-8b-instruct", "Critical", "llama"),
        ("food-review", "Standard", "llama"),
        ("cad-fabricator", "Standard", "llama"),
        ("sql", "Standard", "llama"),
    ]
    assert [r["inference_pool_name"] for r in block["http_routes"]] == ["llama"]


def test_two_servers_of_one_model_without_a_shared_label_are_refused():
    second = dataclasses.replace(VllmModelServerProps(), name="vllm-b", adapters_config_map="vllm-b-adapters")
    with pytest.raises(ConfigError) as caught:
        AppConfig(model_servers=(VllmModelServerProps(), second))
    (problem,) = caught.value.problems
    assert problem.field == "gateway.inference_pools"
    assert "share no pod label" in problem.render()


def test_module_pools_need_port_8000_and_the_default_namespace():
    server = dataclasses.replace(VllmModelServerProps(), port=9000)
    with pytest.raises(ConfigError) as caught:
        AppConfig(model_servers=(server,))
    assert [p.field for p in caught.value.problems] == ["gateway.inference_pools[0]"]
    assert "target port 8000" in caught.value.problems[0].render()
    assert fields_of(InferenceGatewayProps, namespace="gateways") == ["namespace"]
    route = HttpRouteSpec(name="r", gateway_name="inference-gateway", inference_pool_name=POOL.name,
                          namespace="other")
    assert _problems(http_routes=(route,))[0][0] == "gateway.http_routes[0].namespace"


def test_pool_names_fit_helm_release_names():
    with pytest.raises(ConfigError) as caught:
        InferencePoolSpec(name="p" * 54, match_labels={"app": "x"})
    assert "53 characters" in str(caught.value)
    assert fields_of(VllmModelServerProps, name="vllm.llama") == ["name"]


def test_a_long_server_name_is_one_problem_under_its_own_field():
    assert fields_of(VllmModelServerProps, name="v" * 70) == ["name"]


def test_an_empty_model_list_is_refused_not_a_crash():
    found = _problems(inference_models=())
    assert [field for field, _ in found] == ["gateway.inference_models"]
    assert "leave it unset" in found[0][1]
