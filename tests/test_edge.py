"""The production edge on both API paths: static address, HTTPS, redirect and Model Armor;
their cross-checks; the objects against the upstream Gateway API and GKE CRDs; no secret in
the JSON."""

import dataclasses
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conformance import literal_manifests
from crd_schema import crd_errors, load_crds
from helpers import SHARED, by_path, fields_of, manifests, needs_shared, synth
from tfstub.harness import TERRAFORM

from constructs_lib import (
    GKE_GATEWAY_CLASSES,
    ConfigError,
    HttpsProps,
    InferenceGatewayProps,
    InferenceGatewayV1Props,
    LoraAdapter,
    ModelArmorProps,
    ModelArmorTemplateProps,
    StaticAddressProps,
    VllmModelServerProps,
    from_mapping,
)
from constructs_lib._cluster.preflight import (
    EXTENSION_CRDS_BUILT_IN,
    MODEL_ARMOR_MIN_GKE,
    gke_version_at_least,
    gke_version_before,
)
from constructs_lib._core.checks import GCE_NAME_PATTERN
from constructs_lib._edge.gateway_edge import authorization_name
from constructs_lib._edge.gateway_edge_props import edge_problems
from constructs_lib._gateway.common import gateway_manifest
from stacks.config import AppConfig, PrerequisitesProps

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = yaml.safe_load((ROOT / "config.edge.example.yaml").read_text())
#: Values the Terraform variables take when objects are checked against the CRDs.
VARIABLES = {"${var.region}": "us-central1", "${var.project_id}": "my-project"}


def _config(api_version: str, **gateway: object) -> AppConfig:
    section = {**EXAMPLE["gateway"], "api_version": api_version, **gateway}
    return from_mapping(AppConfig, {"gateway": section})


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    """The example with all three features, on both paths."""
    return {api: synth(_config(api), tmp_path_factory.mktemp(api)) for api in ("v1alpha2", "v1")}


def _gateway(stack):
    return next(m for m in manifests(stack).values() if m["kind"] == "Gateway")


def _routes(stack):
    return {m["metadata"]["name"]: m for m in manifests(stack).values() if m["kind"] == "HTTPRoute"}


# -- what the example builds -------------------------------------------------------------

@pytest.mark.parametrize("api", ["v1alpha2", "v1"])
def test_gateway_names_the_static_address_and_terminates_tls(edge, api):
    stack = edge[api]["inference-gateway"]
    spec = _gateway(stack)["spec"]
    assert spec["addresses"] == [{"type": "NamedAddress", "value": "inference-gateway-ip"}]
    assert spec["listeners"] == [
        {"name": "http", "port": 80, "protocol": "HTTP"},
        {"name": "https", "port": 443, "protocol": "HTTPS",
         "tls": {"mode": "Terminate", "options": {"networking.gke.io/cert-manager-certs": "inference-gateway-cert"}}},
    ]
    address = by_path(stack, "google_compute_address")["inference-gateway/edge/address"]
    assert address["address_type"] == "EXTERNAL" and address["region"] == "${var.region}"
    assert "subnetwork" not in address and "purpose" not in address


@pytest.mark.parametrize("api", ["v1alpha2", "v1"])
def test_serving_routes_use_the_https_listener_and_http_only_redirects(edge, api):
    routes = _routes(edge[api]["inference-gateway"])
    redirect = routes.pop("inference-gateway-http-redirect")
    assert redirect["spec"]["parentRefs"] == [{"name": "inference-gateway", "namespace": "default",
                                               "sectionName": "http"}]
    assert redirect["spec"]["rules"] == [{"filters": [{"type": "RequestRedirect", "requestRedirect": {
        "scheme": "https", "statusCode": 301}}]}]
    assert routes
    for route in routes.values():
        assert route["spec"]["parentRefs"] == [{"name": "inference-gateway", "namespace": "default",
                                                "sectionName": "https"}]
    paths = {m["path"]["value"] for r in routes.values() for rule in r["spec"]["rules"] for m in rule["matches"]}
    assert paths == {"/v1/completions", "/v1/chat/completions"}


def test_module_path_parks_the_module_gateway_and_routes_through_ours(edge):
    module = edge["v1alpha2"]["inference-gateway"]["module"]["inference_gateway"]
    assert module["gateway"] == {"name": "inference-gateway-module-parked", "namespace": "default",
                                 "gateway_class": "parked"}
    assert module["http_routes"] == []


@pytest.mark.parametrize("api", ["v1alpha2", "v1"])
def test_outputs_use_https_and_the_host_name(edge, api):
    outputs = edge[api]["inference-gateway"]["output"]
    assert outputs["gateway_url"]["value"] == "https://llm.example.com"
    assert outputs["chat_completions_curl"]["value"].startswith(
        "curl -sS https://llm.example.com/v1/chat/completions ")
    assert outputs["static_address"]["value"].startswith("${google_compute_address.")
    records = outputs["dns_authorization_records"]["value"]
    assert [r["domain"] for r in records] == ["${google_certificate_manager_dns_authorization."
                                              + records[0]["domain"].split(".")[1] + ".domain}"]


@pytest.mark.parametrize("api", ["v1alpha2", "v1"])
def test_google_managed_certificate_is_regional_with_dns_authorization(edge, api):
    stack = edge[api]["inference-gateway"]
    certificate = by_path(stack, "google_certificate_manager_certificate")["inference-gateway/edge/certificate"]
    authorization = by_path(stack, "google_certificate_manager_dns_authorization")[
        "inference-gateway/edge/dns-authorization-llm.example.com"]
    assert certificate["location"] == authorization["location"] == "${var.region}"
    assert certificate["managed"]["domains"] == ["llm.example.com"]
    assert certificate["managed"]["dns_authorizations"] == [
        "${google_certificate_manager_dns_authorization." + next(iter(
            stack["resource"]["google_certificate_manager_dns_authorization"])) + ".id}"]
    assert authorization["domain"] == "llm.example.com"


@pytest.mark.parametrize("api", ["v1alpha2", "v1"])
def test_model_armor_screens_both_inference_paths_of_every_served_model(edge, api):
    stack = edge[api]["inference-gateway"]
    extension = next(m for m in manifests(stack).values() if m["kind"] == "GCPTrafficExtension")
    chain = extension["spec"]["extensionChains"][0]
    matcher = chain["matchCondition"]["celExpressions"][0]["celMatcher"]
    assert "'/v1/completions'" in matcher and "'/v1/chat/completions'" in matcher
    callout = chain["extensions"][0]
    assert callout["googleAPIServiceName"] == "modelarmor.${var.region}.rep.googleapis.com"
    assert callout["failOpen"] is False and len(callout["supportedEvents"]) == 6
    assert extension["spec"]["targetRefs"] == [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                                                "name": "inference-gateway"}]
    settings = json.loads(_substitute(next(iter(stack["locals"].values()))))
    assert [entry["model"] for entry in settings] == [
        "meta-llama/Llama-3.1-8B-Instruct", "food-review", "cad-fabricator"]
    assert settings[0]["user_prompt_template_id"] == \
        "projects/my-project/locations/us-central1/templates/inference-gateway-prompt"
    assert settings[0]["model_response_template_id"].endswith("/templates/inference-gateway-response")


@pytest.mark.parametrize("api", ["v1alpha2", "v1"])
def test_model_armor_templates_and_service_agent_roles(edge, api):
    stack = edge[api]["inference-gateway"]
    templates = by_path(stack, "google_model_armor_template")
    prompt = templates["inference-gateway/model-armor/prompt-template"]["filter_config"]
    response = templates["inference-gateway/model-armor/response-template"]["filter_config"]
    assert prompt["malicious_uri_filter_settings"] == {"filter_enforcement": "ENABLED"}
    assert response["sdp_settings"]["basic_config"] == {"filter_enforcement": "ENABLED"}
    assert {f["filter_type"] for f in prompt["rai_settings"]["rai_filters"]} == {
        "HATE_SPEECH", "HARASSMENT", "SEXUALLY_EXPLICIT", "DANGEROUS"}
    members = by_path(stack, "google_project_iam_member").values()
    assert sorted(m["role"] for m in members) == [
        "roles/modelarmor.calloutUser", "roles/modelarmor.user", "roles/serviceusage.serviceUsageConsumer"]
    assert {m["member"] for m in members} == {
        "serviceAccount:service-${data.google_project." + next(iter(stack["data"]["google_project"]))
        + ".number}@gcp-sa-dep.iam.gserviceaccount.com"}


@pytest.mark.parametrize("api", ["v1alpha2", "v1"])
def test_model_armor_adds_its_gke_version_precondition(edge, api):
    cluster = next(iter(edge[api]["inference-gateway"]["data"]["google_container_cluster"].values()))
    messages = [c["error_message"] for c in cluster["lifecycle"]["postcondition"]]
    assert any("Model Armor" in message and "1.32.3" in message for message in messages)


def test_extension_crds_are_applied_only_where_the_cluster_version_lacks_them(edge, default_stacks):
    local = next(v for k, v in edge["v1"]["prerequisites"]["locals"].items() if "gke-extension" in k)
    assert "< 10320021182001, false)" in local and "master_version" in local
    assert "/fc40d606a5332f11a8883f85caff66b63c4e88ef/config/crd/" in json.dumps(
        edge["v1"]["prerequisites"]["data"]["http"])
    assert not [k for k in default_stacks["prerequisites"].get("locals", {}) if "gke-extension" in k]


# -- every object against the upstream schemas -------------------------------------------

CRD_FILES = ["gateway-api-v1.2.1-standard-crds.yaml", "gke-gateway-api-fc40d60-crds.yaml"]


def _substitute(text: str) -> str:
    for variable, value in VARIABLES.items():
        text = text.replace(variable, value)
    return text


def _resolved(stack, obj):
    """``obj`` with the Terraform variables and the settings local filled in."""
    text = _substitute(json.dumps(obj))
    for name, value in stack.get("locals", {}).items():
        text = text.replace("${local." + name + "}", _substitute(value).replace('"', '\\"'))
    return json.loads(text)


@needs_shared(*CRD_FILES)
def test_gateway_routes_and_traffic_extension_match_the_upstream_crds(edge, tmp_path):
    schemas = load_crds([SHARED / "upstream" / name for name in CRD_FILES])
    rilb = synth(_config("v1", gateway_class="gke-l7-rilb", static_address={"subnetwork": "nodes"},
                         https={"certificate": "secret", "certificate_name": "llm-tls",
                                "domains": ["llm.internal.example"]},
                         redirect_http_to_https=False), tmp_path)
    checked, errors = set(), []
    for name, stacks in {**edge, "rilb": rilb}.items():
        stack = stacks["inference-gateway"]
        for obj in literal_manifests(stack):
            if obj["apiVersion"].split("/")[0] in ("gateway.networking.k8s.io", "networking.gke.io"):
                checked.add(obj["kind"])
                errors += [f"{name}/{obj['metadata']['name']}: {e}" for e in crd_errors(_resolved(stack, obj), schemas)]
    assert errors == []
    assert checked == {"Gateway", "HTTPRoute", "GCPTrafficExtension"}


@needs_shared(*CRD_FILES)
def test_crd_check_catches_a_redirect_with_backends_and_an_authority_beside_google_api(edge):
    schemas = load_crds([SHARED / "upstream" / name for name in CRD_FILES])
    stack = edge["v1"]["inference-gateway"]
    redirect = _routes(stack)["inference-gateway-http-redirect"]
    redirect["spec"]["rules"][0]["backendRefs"] = [{"name": "svc", "port": 80}]
    assert any("RequestRedirect filter must not be used together with backendRefs" in e
               for e in crd_errors(redirect, schemas))
    extension = _resolved(stack, next(o for o in literal_manifests(stack) if o["kind"] == "GCPTrafficExtension"))
    extension["spec"]["extensionChains"][0]["extensions"][0]["metadata"]["model_armor_settings"] = "x" * 1024
    assert crd_errors(extension, schemas)


@needs_shared(*CRD_FILES)
def test_the_parked_module_gateway_is_a_valid_gateway(edge):
    """The module renders its Gateway from our three inputs (templates/gateway.yaml.tpl at the
    pinned commit: one HTTP listener on port 80)."""
    schemas = load_crds([SHARED / "upstream" / name for name in CRD_FILES])
    inputs = edge["v1alpha2"]["inference-gateway"]["module"]["inference_gateway"]["gateway"]
    parked = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
              "metadata": {"name": inputs["name"], "namespace": inputs["namespace"]},
              "spec": {"gatewayClassName": inputs["gateway_class"],
                       "listeners": [{"protocol": "HTTP", "port": 80, "name": "http"}]}}
    assert crd_errors(parked, schemas) == []
    assert inputs["gateway_class"] not in ("gke-l7-regional-external-managed", "gke-l7-rilb",
                                           "gke-l7-global-external-managed")


# -- variants ------------------------------------------------------------------------------

def test_internal_gateway_takes_an_internal_address_from_a_normal_subnet(tmp_path):
    stacks = synth(_config("v1", gateway_class="gke-l7-rilb", static_address={"subnetwork": "nodes"},
                           model_armor=None), tmp_path)
    address = by_path(stacks["inference-gateway"], "google_compute_address")["inference-gateway/edge/address"]
    assert (address["address_type"], address["purpose"], address["subnetwork"]) == ("INTERNAL", "GCE_ENDPOINT",
                                                                                      "nodes")


@pytest.mark.parametrize(("certificate", "tls"), [
    ("certificate_manager", {"options": {"networking.gke.io/cert-manager-certs": "mine"}}),
    ("ssl_certificate", {"options": {"networking.gke.io/pre-shared-certs": "mine"}}),
    ("secret", {"certificateRefs": [{"group": "", "kind": "Secret", "name": "mine"}]}),
])
def test_existing_certificates_are_named_on_the_listener(certificate, tls):
    gateway = InferenceGatewayV1Props(https=HttpsProps(certificate=certificate, certificate_name="mine",
                                                       domains=("llm.example.com",)))
    spec = gateway_manifest(gateway)["spec"]
    assert spec["listeners"] == [{"name": "https", "port": 443, "protocol": "HTTPS",
                                  "tls": {"mode": "Terminate", **tls}}]
    assert "addresses" not in spec


FAKE_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"


def test_self_managed_key_comes_from_a_sensitive_variable_and_never_reaches_the_json(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_VAR_tls_private_key_pem", FAKE_KEY)
    stacks = synth(_config("v1alpha2", https={"certificate": "self_managed", "domains": ["llm.example.com"]}),
                   tmp_path)
    stack = stacks["inference-gateway"]
    assert stack["variable"]["tls_private_key_pem"]["sensitive"] is True
    certificate = by_path(stack, "google_certificate_manager_certificate")["inference-gateway/edge/certificate"]
    assert certificate["self_managed"] == {"pem_certificate": "${var.tls_certificate_pem}",
                                           "pem_private_key": "${var.tls_private_key_pem}"}
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert written
    for path in written:
        text = path.read_text(errors="replace")
        assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" not in text and "PRIVATE KEY" not in text, path


def test_the_manual_states_where_the_self_managed_key_is_kept():
    from helpers import manual

    readme = manual()
    assert "tls_private_key_pem" in readme and "stored in the Terraform state" in readme


def test_existing_address_is_read_not_created(tmp_path):
    stacks = synth(_config("v1", static_address={"name": "reserved", "create": False}, https=None,
                           redirect_http_to_https=False, model_armor=None), tmp_path)
    stack = stacks["inference-gateway"]
    assert "google_compute_address" not in stack["resource"]
    assert by_path(stack, "google_compute_address", "data")["inference-gateway/edge/address"]["name"] == "reserved"
    assert stack["output"]["gateway_url"]["value"] == "http://${data.google_compute_address." + next(
        iter(stack["data"]["google_compute_address"])) + ".address}"


def test_existing_templates_are_referenced_not_created(tmp_path):
    stacks = synth(_config("v1", model_armor={
        "prompt": {"existing_template": "projects/p/locations/us-central1/templates/shared-prompt"},
        "response": {"existing_template": "shared-response"}, "models": ["food-review"],
        "grant_service_agent_roles": False}), tmp_path)
    stack = stacks["inference-gateway"]
    assert "google_model_armor_template" not in stack["resource"]
    assert "google_project_iam_member" not in stack["resource"]
    settings = json.loads(_substitute(next(iter(stack["locals"].values()))))
    assert settings == [{"model": "food-review",
                         "user_prompt_template_id": "projects/p/locations/us-central1/templates/shared-prompt",
                         "model_response_template_id":
                             "projects/my-project/locations/us-central1/templates/shared-response"}]


def test_dns_authorization_names_stay_valid_and_distinct():
    long = ["a" * 40 + ".example.com", "a" * 40 + ".example.org"]
    names = [authorization_name("inference-gateway-cert", domain) for domain in long]
    assert len(set(names)) == 2 and all(re.fullmatch(GCE_NAME_PATTERN, name) for name in names)
    assert authorization_name("c", "llm.example.com") == "c-llm-example-com"


def test_everything_off_by_default():
    gateway = InferenceGatewayV1Props()
    assert (gateway.static_address, gateway.https, gateway.redirect_http_to_https, gateway.model_armor) == (
        None, None, False, None)
    assert AppConfig().gke_extension_crds is None


# -- cross-checks --------------------------------------------------------------------------

def _fields(**gateway):
    return fields_of(lambda: _config("v1", **gateway))


def test_refuses_a_certificate_source_the_class_cannot_use():
    """Both classes the gateway accepts are regional and take every source; the rule is
    checked on a global class (which takes Certificate Manager certificates only through a
    certificate map), the one kind of class that cannot use them."""
    for source in ("google_managed", "self_managed", "certificate_manager"):
        https = HttpsProps(certificate=source, certificate_name="c", domains=("a.example.com",))
        problems = edge_problems("gke-l7-global-external-managed", "gw", "proxy", None, https, False)
        assert [p.field for p in problems] == ["https.certificate"]
    for source in ("ssl_certificate", "secret"):
        https = HttpsProps(certificate=source, certificate_name="c", domains=("a.example.com",))
        assert edge_problems("gke-l7-global-external-managed", "gw", "proxy", None, https, False) == []
    for gateway_class in GKE_GATEWAY_CLASSES:
        for source in ("google_managed", "self_managed", "certificate_manager", "ssl_certificate", "secret"):
            https = HttpsProps(certificate=source, certificate_name="c", domains=("a.example.com",))
            assert edge_problems(gateway_class, "gw", "proxy", None, https, False) == [], (gateway_class, source)


@pytest.mark.parametrize("domain", ["llm", "LLM.example.com", "*.example.com", "-a.example.com",
                                    "a..example.com", "example.com.", "a.123", "a_b.example.com",
                                    "x" * 64 + ".example.com"])
def test_refuses_a_domain_that_is_not_a_dns_name(domain):
    assert _fields(https={"certificate": "google_managed", "domains": [domain]}) == ["gateway.https.domains[0]"]


def test_refuses_https_without_a_host_name_and_an_existing_certificate_without_a_name():
    assert _fields(https={"certificate": "google_managed"}) == ["gateway.https.domains"]
    assert _fields(https={"certificate": "secret", "domains": ["a.example.com"]}) == [
        "gateway.https.certificate_name"]


def test_refuses_a_redirect_without_https():
    assert _fields(https=None) == ["gateway.redirect_http_to_https"]


def test_refuses_addresses_that_do_not_match_the_class():
    assert _fields(gateway_class="gke-l7-rilb", static_address={}) == ["gateway.static_address.subnetwork"]
    assert _fields(static_address={"subnetwork": "nodes"}) == ["gateway.static_address.subnetwork"]
    assert _fields(gateway_class="gke-l7-rilb", static_address={"subnetwork": "gateway-api-proxy-only"}) == [
        "gateway.static_address.subnetwork"]
    assert _fields(static_address={"name": "Not_A_Name"}) == ["gateway.static_address.name"]


def test_refuses_more_models_than_model_armor_settings_can_hold():
    adapters = tuple(LoraAdapter(id=f"adapter-{n}", source=f"org/adapter-{n}") for n in range(4))
    config = {"gateway": {"api_version": "v1", "model_armor": {}},
              "model_servers": [{"adapters": [dataclasses.asdict(a) for a in adapters]}]}
    with pytest.raises(ConfigError) as caught:
        from_mapping(AppConfig, config)
    (problem,) = caught.value.problems
    assert problem.field == "gateway.model_armor" and "over its limit of 1023" in problem.message
    config["gateway"]["model_armor"] = {"models": ["adapter-0", "adapter-1", "adapter-2", "adapter-3"]}
    assert fields_of(from_mapping, AppConfig, config) == ["gateway.model_armor.models"]
    config["gateway"]["model_armor"] = {"models": ["adapter-0", "adapter-1", "adapter-2"]}
    from_mapping(AppConfig, config)  # three fit with the default template ids


def test_refuses_model_armor_settings_that_cannot_apply():
    assert _fields(model_armor={"models": ["no-such-model"]}) == ["gateway.model_armor.models[0]"]
    assert _fields(model_armor={"models": []}) == ["gateway.model_armor.models"]
    assert _fields(model_armor={"timeout": "20s"}) == ["gateway.model_armor.timeout"]
    assert _fields(model_armor={"prompt": {"existing_template": "t", "malicious_uris": True}}) == [
        "gateway.model_armor.prompt.malicious_uris"]
    assert _fields(model_armor={"response": {"blocked_status_code": 200}}) == [
        "gateway.model_armor.response.blocked_status_code"]
    no_servers = {"gateway": {"api_version": "v1", "inference_pools": [{"name": "p", "match_labels": {"a": "b"}}],
                              "inference_objectives": [], "model_armor": {}}, "model_servers": []}
    assert fields_of(from_mapping, AppConfig, no_servers) == ["gateway.model_armor.models"]


def test_python_props_run_the_same_checks():
    with pytest.raises(ConfigError):
        InferenceGatewayProps(redirect_http_to_https=True)
    with pytest.raises(ConfigError):
        HttpsProps(certificate="google_managed", domains=("not a name",))
    with pytest.raises(ConfigError):
        ModelArmorTemplateProps(template_id="has space")
    gateway = InferenceGatewayV1Props(static_address=StaticAddressProps(), model_armor=ModelArmorProps(),
                                      https=HttpsProps(certificate="google_managed", domains=("a.example.com",)))
    assert gateway.has_edge
    assert AppConfig(gateway=gateway, model_servers=(VllmModelServerProps(),),
                     prerequisites=PrerequisitesProps()).gke_extension_crds is not None


# -- the version decisions, evaluated by Terraform itself ----------------------------------

@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH")
def test_terraform_decides_from_the_cluster_version(tmp_path):
    """The CRD condition and the Model Armor postcondition, evaluated by ``terraform console``
    for real GKE version strings (the GKE build number counts)."""
    reference = "data.google_container_cluster.c.master_version"
    cases = [("1.31.6-gke.1020000", True, False), ("1.32.2-gke.1182000", True, False),
             ("1.32.2-gke.1182001", False, False), ("1.32.3-gke.1000", False, True),
             ("1.33.5-gke.1308000", False, True), ("not-a-version", False, False)]
    lines = []
    for version, _, _ in cases:
        lines.append(gke_version_before(reference, EXTENSION_CRDS_BUILT_IN).replace(reference, f'"{version}"'))
        lines.append(gke_version_at_least(reference, MODEL_ARMOR_MIN_GKE).replace(reference, f'"{version}"'))
    # The console prints only the last expression of its input: ask for all of them at once.
    result = subprocess.run([TERRAFORM, "console"], input=f"jsonencode([{', '.join(lines)}])\n", cwd=tmp_path,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "CHECKPOINT_DISABLE": "1"})
    assert result.returncode == 0, result.stderr
    expected = [flag for _, lacks, armor in cases for flag in (lacks, armor)]
    assert json.loads(json.loads(result.stdout)) == expected


@pytest.mark.parametrize("api", ["v1alpha2", "v1"])
@needs_shared(*CRD_FILES)
def test_header_matching_routes_of_several_base_models_attach_to_https(api, tmp_path):
    """With the body-based router, every pool's route goes through the same parentRefs helper:
    with HTTPS it attaches to the https listener only."""
    data = yaml.safe_load((ROOT / "config.two-models.example.yaml").read_text())
    data["gateway"] = {**data["gateway"], "api_version": api,
                       **{key: value for key, value in EXAMPLE["gateway"].items() if key != "api_version"},
                       "gateway_class": "gke-l7-regional-external-managed", "name": "models-gateway"}
    bases = ["meta-llama/Llama-3.1-8B-Instruct", "mistralai/Mistral-7B-Instruct-v0.3"]
    data["gateway"]["model_armor"] = {"models": bases}  # all four names would not fit the settings
    if api == "v1alpha2":
        data["gateway"].pop("chart_version", None)
    stack = synth(from_mapping(AppConfig, data), tmp_path)["inference-gateway"]
    routes = _routes(stack)
    redirect = routes.pop("models-gateway-http-redirect")
    assert redirect["spec"]["parentRefs"][0]["sectionName"] == "http"
    assert len(routes) == 2
    assert {r["spec"]["parentRefs"][0].get("sectionName") for r in routes.values()} == {"https"}
    assert all("headers" in match for r in routes.values() for rule in r["spec"]["rules"]
               for match in rule["matches"])
    screened = [entry["model"] for entry in json.loads(_substitute(next(iter(stack["locals"].values()))))]
    assert screened == bases
    schemas = load_crds([SHARED / "upstream" / name for name in CRD_FILES])
    errors = [e for obj in literal_manifests(stack) if obj["apiVersion"].startswith("gateway.networking.k8s.io")
              for e in crd_errors(_resolved(stack, obj), schemas)]
    assert errors == []


def test_names_derived_from_the_gateway_are_checked_like_written_ones():
    from constructs_lib import InferenceGatewayV1Props, ModelArmorProps

    long_name = "g" * 243  # a valid object name, but not with "-model-armor" behind it
    assert fields_of(InferenceGatewayV1Props, name=long_name, model_armor=ModelArmorProps()) == ["name"]
    servers = (VllmModelServerProps(),)
    gateway = InferenceGatewayV1Props(name="g" * 73, model_armor=ModelArmorProps())
    fields = [p.field for p in gateway.problems_with(servers)]
    assert fields[:2] == ["model_armor.prompt.template_id", "model_armor.response.template_id"]


def test_an_existing_template_is_an_id_or_a_full_name():
    from constructs_lib import ModelArmorTemplateProps

    ModelArmorTemplateProps(existing_template="projects/my-project/locations/us-central1/templates/prompt-guard")
    ModelArmorTemplateProps(existing_template="prompt-guard")
    assert fields_of(ModelArmorTemplateProps,
                     existing_template="garbage ${x}/templates/ok") == ["existing_template"]


def test_every_fact_of_the_edge_table_names_a_test_that_exists():
    """docs/edge.md's table of facts per gateway class: each row is checked by tests of
    this file, and a renamed or removed test cannot leave a row unchecked."""
    text = (ROOT / "docs" / "edge.md").read_text()
    table = text.split("## Facts per gateway class, and where they come from")[1]
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| fact")]
    assert len(rows) >= 9
    defined = set(re.findall(r"^def (test_\w+)", Path(__file__).read_text(), re.MULTILINE))
    for row in rows:
        named = re.findall(r"`(test_\w+)`", row.split(" | ")[-1])
        assert named and set(named) <= defined, row
