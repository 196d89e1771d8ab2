"""Several base models behind one gateway: the router, its routes, the routing table they
produce, the objects' schemas and every configuration that is refused."""

import dataclasses
import importlib

import pytest
from conformance import (
    group_of,
    literal_manifests,
    module_custom_resources,
    release_values,
    releases,
    routed_pools,
    router_custom_resources,
)
from crd_schema import crd_errors, load_crds
from helpers import SHARED, fields_of, needs_shared, synth
from k8s_schema import schema_errors

from constructs_lib import (
    GKE_GATEWAY_CLASSES,
    BodyRoutingProps,
    ConfigError,
    HttpRouteSpec,
    InferenceGatewayProps,
    InferenceGatewayV1Props,
    InferencePoolSpec,
    LoraAdapter,
)
from constructs_lib._core.gateway_classes import GATEWAY_CLASSES, ROUTING_EXTENSION_CLASSES
from stacks.config import AppConfig

EXAMPLE = importlib.import_module("examples.two_base_models.main")
LLAMA, MISTRAL = EXAMPLE.LLAMA, EXAMPLE.MISTRAL
#: Every model name of the example and the pool that must receive it.
TABLE = {
    "meta-llama/Llama-3.1-8B-Instruct": "llama-3-1-8b",
    "food-review": "llama-3-1-8b",
    "cad-fabricator": "llama-3-1-8b",
    "mistralai/Mistral-7B-Instruct-v0.3": "mistral-7b",
}
PATHS = ("/v1/completions", "/v1/chat/completions")


@pytest.fixture(scope="module", params=["v1", "v1alpha2"])
def example(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    EXAMPLE.synth(str(out), request.param)
    import json

    stack = json.loads((out / "stacks" / "inference-gateway" / "cdk.tf.json").read_text())
    return request.param, stack


@pytest.fixture(scope="module")
def schemas():
    upstream = SHARED / "upstream"
    shared = load_crds([upstream / "gateway-api-v1.2.1-standard-crds.yaml",
                        upstream / "gke-gateway-api-fc40d60-crds.yaml"])
    return {api: {**shared, **load_crds([upstream / gie])}
            for api, gie in (("v1", "gie-v1.5.0-crds.yaml"), ("v1alpha2", "gie-v0.3.0-crds.yaml"))}


def _app(gateway, servers=(LLAMA, MISTRAL)):
    return AppConfig(model_servers=servers, gateway=gateway)


def _fields(gateway, servers=(LLAMA, MISTRAL)):
    return fields_of(AppConfig, model_servers=servers, gateway=gateway)


def _problem(gateway, servers=(LLAMA, MISTRAL)):
    with pytest.raises(ConfigError) as caught:
        _app(gateway, servers)
    (problem,) = caught.value.problems
    return problem.field, problem.render()


# --- the routing table ----------------------------------------------------------------------

def test_each_model_name_reaches_exactly_its_pool(example):
    _, stack = example
    assert stack["output"]["model_names"]["value"] == list(TABLE)
    for model, pool in TABLE.items():
        for path in PATHS:
            assert routed_pools(stack, model, path) == {pool}, (model, path)


def test_an_unknown_model_gets_404(example):
    _, stack = example
    assert routed_pools(stack, "gpt-4o") == set()
    assert routed_pools(stack, "") == set()


def test_a_named_default_pool_receives_unknown_models(tmp_path):
    router = BodyRoutingProps(default_pool="mistral-7b")
    for gateway in (InferenceGatewayV1Props(body_routing=router), InferenceGatewayProps(body_routing=router)):
        stack = synth(_app(gateway), tmp_path / gateway.api_version)["inference-gateway"]
        assert routed_pools(stack, "gpt-4o") == {"mistral-7b"}
        for model, pool in TABLE.items():
            assert routed_pools(stack, model) == {pool}, model


def test_a_router_without_base_model_mapping_lists_every_name(tmp_path):
    gateway = InferenceGatewayV1Props(body_routing=BodyRoutingProps(chart_version="v1.4.0"))
    stack = synth(_app(gateway), tmp_path)["inference-gateway"]
    assert not [o for o in literal_manifests(stack) if o["kind"] == "ConfigMap"]
    route = next(o for o in literal_manifests(stack) if o["metadata"]["name"] == "llama-3-1-8b-route")
    headers = {h["name"] for rule in route["spec"]["rules"] for m in rule["matches"] for h in m["headers"]}
    assert headers == {"X-Gateway-Model-Name"}
    for model, pool in TABLE.items():
        assert routed_pools(stack, model) == {pool}, model


def test_without_the_router_the_routing_table_would_be_ambiguous(example):
    """The check above can fail: drop the header matches and both pools answer."""
    _, stack = example
    for route in (o for o in literal_manifests(stack) if o["kind"] == "HTTPRoute"):
        for rule in route["spec"]["rules"]:
            for match in rule["matches"]:
                match.pop("headers", None)
    assert routed_pools(stack, "food-review") == {"llama-3-1-8b", "mistral-7b"}


# --- what is deployed -------------------------------------------------------------------------

def test_router_release_is_pinned_beside_gie_with_provider_gke(example):
    _, stack = example
    (router,) = releases(stack, "body-based-routing")
    assert (router["repository"], router["version"], router["namespace"]) == (
        "oci://registry.k8s.io/gateway-api-inference-extension/charts", "v1.5.0", "default")
    assert release_values(router) == {"provider.name": "gke", "inferenceGateway.name": "models-gateway",
                                      "bbr.name": "body-based-router", "bbr.replicas": "2"}


def test_routes_carry_no_timeouts_and_the_module_gets_no_routes(example):
    api, stack = example
    routes = [o for o in literal_manifests(stack) if o["kind"] == "HTTPRoute"]
    assert sorted(r["metadata"]["name"] for r in routes) == ["llama-3-1-8b-route", "mistral-7b-route"]
    assert not [rule for r in routes for rule in r["spec"]["rules"] if "timeouts" in rule]
    group = "inference.networking.k8s.io" if api == "v1" else "inference.networking.x-k8s.io"
    assert {ref["group"] for r in routes for rule in r["spec"]["rules"] for ref in rule["backendRefs"]} == {group}
    if api == "v1alpha2":
        module = stack["module"]["inference_gateway"]
        assert module["http_routes"] == []
        assert [p["name"] for p in module["inference_pools"]] == ["llama-3-1-8b", "mistral-7b"]
        assert {m["model_name"]: m["inference_pool_name"] for m in module["inference_models"]} == TABLE


def test_one_base_model_config_map_per_pool(example):
    _, stack = example
    maps = {o["metadata"]["name"]: o for o in literal_manifests(stack) if o["kind"] == "ConfigMap"}
    assert sorted(maps) == ["llama-3-1-8b-base-model", "mistral-7b-base-model"]
    llama = maps["llama-3-1-8b-base-model"]
    assert llama["metadata"]["labels"] == {"inference.networking.k8s.io/bbr-managed": "true"}
    assert llama["data"] == {"baseModel": "meta-llama/Llama-3.1-8B-Instruct",
                             "adapters": '["food-review", "cad-fabricator"]'}


def test_one_curl_per_model(example):
    import json

    _, stack = example
    curls = stack["output"]["model_curls"]["value"]
    assert sorted(curls) == sorted(TABLE)
    for model, curl in curls.items():
        assert json.loads(curl.split("-d '", 1)[1].rstrip("'"))["model"] == model


def test_single_model_gateways_stay_without_router(default_stacks):
    stack = default_stacks["inference-gateway"]
    assert not releases(stack, "body-based-routing")
    assert not [o for o in literal_manifests(stack) if o["kind"] == "ConfigMap"]


def test_mode_on_routes_one_pool_by_header(tmp_path):
    gateway = InferenceGatewayV1Props(body_routing=BodyRoutingProps(mode="on"))
    stack = synth(AppConfig(gateway=gateway), tmp_path)["inference-gateway"]
    assert releases(stack, "body-based-routing")
    assert routed_pools(stack, "food-review") == {"vllm-llama3-8b-instruct"}
    assert routed_pools(stack, "mistral") == set()


def test_servers_of_one_base_model_share_a_derived_pool(tmp_path):
    shared = {"serves": "llama"}
    first = dataclasses.replace(LLAMA, labels={"app": "llama-a", **shared})
    second = dataclasses.replace(LLAMA, name="llama-b", labels={"app": "llama-b", **shared},
                                 adapters_config_map="llama-b-adapters",
                                 adapters=(LoraAdapter(id="sql", source="org/sql"),))
    stack = synth(_app(InferenceGatewayV1Props(), (first, second, MISTRAL)), tmp_path)["inference-gateway"]
    pools = {r["name"]: release_values(r) for r in releases(stack, "inferencepool")}
    assert sorted(pools) == ["meta-llama-llama-3-1-8b-instruct", "mistral-7b"]
    assert pools["meta-llama-llama-3-1-8b-instruct"]["inferencePool.modelServers.matchLabels.serves"] == "llama"
    assert routed_pools(stack, "sql") == {"meta-llama-llama-3-1-8b-instruct"}


def test_explicit_pools_for_servers_the_app_does_not_deploy(tmp_path):
    pools = (InferencePoolSpec(name="llama", match_labels={"app": "llama"},
                               base_model="meta-llama/Llama-3.1-8B-Instruct", adapters=("food-review",)),
             InferencePoolSpec(name="mistral", match_labels={"app": "mistral"},
                               base_model="mistralai/Mistral-7B-Instruct-v0.3"))
    config = AppConfig(model_servers=(), gateway=InferenceGatewayV1Props(inference_pools=pools,
                                                                         inference_objectives=()))
    stack = synth(config, tmp_path)["inference-gateway"]
    assert routed_pools(stack, "food-review") == {"llama"}
    assert routed_pools(stack, "mistralai/Mistral-7B-Instruct-v0.3") == {"mistral"}
    assert stack["output"]["model_names"]["value"] == [
        "meta-llama/Llama-3.1-8B-Instruct", "food-review", "mistralai/Mistral-7B-Instruct-v0.3"]


# --- every object validates -------------------------------------------------------------------

@needs_shared("gateway-api-v1.2.1-standard-crds.yaml", "gke-gateway-api-fc40d60-crds.yaml",
              "gie-v0.3.0-crds.yaml", "gie-v1.5.0-crds.yaml")
def test_every_object_validates(example, schemas):
    api, stack = example
    objects = [*literal_manifests(stack), *module_custom_resources(stack), *router_custom_resources(stack)]
    kinds = sorted({o["kind"] for o in objects})
    assert {"HTTPRoute", "ConfigMap", "GCPRoutingExtension", "HealthCheckPolicy"} <= set(kinds)
    errors = []
    for obj in objects:
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        if group_of(obj) in ("", "apps", "rbac.authorization.k8s.io"):
            errors += [f"{where}: {e}" for version in ("1.31", "1.33") for e in schema_errors(obj, version)]
        else:
            errors += [f"{where}: {e}" for e in crd_errors(obj, schemas[api])]
    assert errors == []


@needs_shared("gke-gateway-api-fc40d60-crds.yaml")
def test_the_routing_extension_targets_our_gateway_in_its_namespace(example, schemas):
    api, stack = example
    extension, health = router_custom_resources(stack)
    assert extension["spec"]["targetRefs"][0]["name"] == "models-gateway"
    assert extension["metadata"]["namespace"] == health["metadata"]["namespace"] == "default"
    assert crd_errors(extension, schemas[api]) == []
    extension["spec"]["extensionChains"][0]["extensions"][0]["timeout"] = "20s"
    assert crd_errors(extension, schemas[api])  # the CRD's rules do bite: at most 10000 ms


# --- refused configurations -------------------------------------------------------------------

def test_a_name_served_by_two_pools_is_refused():
    clash = dataclasses.replace(MISTRAL, adapters=(LoraAdapter(id="food-review", source="org/x"),))
    field, text = _problem(InferenceGatewayV1Props(), (LLAMA, clash))
    assert field == "gateway.inference_pools[1]"
    assert "food-review" in text and "pool llama-3-1-8b" in text


def test_two_routes_with_the_same_match_are_refused():
    off = BodyRoutingProps(mode="off")
    field, text = _problem(InferenceGatewayV1Props(body_routing=off))
    assert field == "gateway.inference_pools[1]"
    assert "like route llama-3-1-8b-route" in text and "body_routing.mode" in text
    field, _ = _problem(InferenceGatewayProps(body_routing=off))
    assert field == "gateway.http_routes[1]"


def test_module_routes_cannot_carry_the_header():
    routes = tuple(HttpRouteSpec(name=f"{p}-r", gateway_name="inference-gateway", inference_pool_name=p)
                   for p in ("llama-3-1-8b", "mistral-7b"))
    field, text = _problem(InferenceGatewayProps(http_routes=routes))
    assert field == "gateway.http_routes" and "remove http_routes" in text


def test_a_pool_without_servers_is_refused():
    pools = (InferencePoolSpec(name="llama", match_labels={"app": "llama-3-1-8b"}),
             InferencePoolSpec(name="nobody", match_labels={"app": "nobody"}))
    assert _fields(InferenceGatewayV1Props(inference_pools=pools)) == ["gateway.inference_pools[1].match_labels"]
    config = dict(model_servers=(), gateway=InferenceGatewayV1Props(inference_pools=pools, inference_objectives=()))
    assert fields_of(AppConfig, **config) == ["gateway.inference_pools[0].base_model",
                                              "gateway.inference_pools[1].base_model"]


def test_servers_of_different_base_models_in_one_pool_are_refused():
    shared = {"pool": "all"}
    servers = (dataclasses.replace(LLAMA, labels={"app": "l", **shared}),
               dataclasses.replace(MISTRAL, labels={"app": "m", **shared}))
    pools = (InferencePoolSpec(name="all", match_labels=shared),)
    for gateway in (InferenceGatewayV1Props(inference_pools=pools), InferenceGatewayProps(inference_pools=pools)):
        field, text = _problem(gateway, servers)
        assert field == "gateway.inference_pools[0]" and "different base models" in text


def test_a_base_model_that_its_servers_do_not_serve_is_refused():
    pools = (InferencePoolSpec(name="llama", match_labels={"app": "llama-3-1-8b"}, base_model="other/model"),)
    assert _fields(InferenceGatewayV1Props(inference_pools=pools), (LLAMA,)) == [
        "gateway.inference_pools[0].base_model"]


def test_servers_of_one_base_model_without_a_shared_label_are_refused():
    second = dataclasses.replace(LLAMA, name="llama-b", adapters_config_map="llama-b-adapters")
    for gateway in (InferenceGatewayV1Props(), InferenceGatewayProps()):
        field, text = _problem(gateway, (LLAMA, second))
        assert field == "gateway.inference_pools" and "share no pod label" in text


def test_every_accepted_gateway_class_runs_the_router():
    # GKE runs routing extensions on the regional classes only; only those are accepted.
    assert set(GATEWAY_CLASSES) == set(GKE_GATEWAY_CLASSES)
    assert set(GKE_GATEWAY_CLASSES) <= set(ROUTING_EXTENSION_CLASSES)


def test_router_versions_outside_the_published_range_are_refused():
    assert fields_of(BodyRoutingProps, chart_version="v1.6.0") == ["chart_version"]
    assert fields_of(BodyRoutingProps, chart_version="v0.3.0") == ["chart_version"]
    assert fields_of(BodyRoutingProps, chart_version="1.5.0") == ["chart_version"]
    with pytest.raises(ConfigError) as caught:
        BodyRoutingProps(chart_version="v1.6.0")
    assert "from v1.0.0 to v1.5.0" in str(caught.value)
    BodyRoutingProps(chart_version="v1.0.0")


def test_default_pool_must_name_a_pool():
    field, _ = _problem(InferenceGatewayV1Props(body_routing=BodyRoutingProps(default_pool="nope")))
    assert field == "gateway.body_routing.default_pool"
    assert fields_of(BodyRoutingProps, mode="off", default_pool="x") == ["default_pool"]


def test_router_name_must_not_be_a_pool_name():
    field, _ = _problem(InferenceGatewayV1Props(body_routing=BodyRoutingProps(name="mistral-7b")))
    assert field == "gateway.body_routing.name"


def test_yaml_errors_name_the_users_path():
    from constructs_lib import from_mapping

    with pytest.raises(ConfigError) as caught:
        from_mapping(AppConfig, {"gateway": {"api_version": "v1", "body_routing": {"mode": "sometimes"}}})
    assert [p.field for p in caught.value.problems] == ["gateway.body_routing.mode"]


def test_the_yaml_example_synthesizes_the_same_routing(tmp_path):
    import json
    from pathlib import Path

    from cli import synth

    root = Path(__file__).resolve().parents[1]
    outdir = tmp_path / "out"
    assert synth.main(["--config", str(root / "config.two-models.example.yaml"), "--outdir", str(outdir),
                     "--quiet"]) == 0
    stack = json.loads((outdir / "stacks" / "inference-gateway" / "cdk.tf.json").read_text())
    for model, pool in TABLE.items():
        assert routed_pools(stack, model) == {pool}, model


def test_many_names_are_packed_into_rules_gateway_api_accepts(tmp_path, schemas):
    many = dataclasses.replace(LLAMA, adapters=tuple(LoraAdapter(id=f"adapter-{i}", source="org/a") for i in range(40)),
                               max_cpu_loras=40)
    gateway = InferenceGatewayV1Props(body_routing=BodyRoutingProps(chart_version="v1.4.0"))
    stack = synth(_app(gateway, (many, MISTRAL)), tmp_path)["inference-gateway"]
    route = next(o for o in literal_manifests(stack) if o["metadata"]["name"] == "llama-3-1-8b-route")
    assert [len(rule["matches"]) for rule in route["spec"]["rules"]] == [64, 18]
    assert crd_errors(route, schemas["v1"]) == []
    assert routed_pools(stack, "adapter-39") == {"llama-3-1-8b"}


def test_a_route_larger_than_gateway_api_allows_is_refused():
    from constructs_lib._gateway.routes import PlannedRoute, matches, route_problems

    names = [str(i) for i in range(1025)]
    huge = PlannedRoute("inference_pools[0]", "r", matches(["/"], "X-Gateway-Model-Name", names))
    (problem,) = route_problems([huge], "fix")
    assert problem.field == "inference_pools[0]" and "16 rules of 64" in problem.render()
