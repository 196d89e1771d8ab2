"""``terraform plan``, offline, on every stack of every example configuration, against fake
GKE clusters.

Validation evaluates nothing; a plan evaluates everything: the for_each over the decoded
CRD documents, the locals, the preflight postconditions, the providers built from the
cluster's data, and the ai-on-gke module's own logic on our inputs. The stub providers
(``tests/tfstub/``) answer data sources from a fake cluster and refuse what the real
kubernetes provider refuses at plan time; assertions read ``terraform show -json``.

The ai-on-gke module cannot be downloaded offline, so its address is served by a stand-in
(``tests/fixtures/inference_gateway_module/``) written for these tests from the module at
3f9592a0: the same variables, aliased providers built from its own data sources, resource
addresses and for_each keys, and YAML templates decoded with ``manifest_decode``. It is
not the module's code: a change upstream needs the stand-in updated by hand.

Every distinct stack is planned once per session, in parallel (``tfstub/plan_runs.py``).
"""

import dataclasses
import importlib
import json
import re

import pytest
from conftest import TERRAFORM_WORKDIR
from helpers import synth
from tfstub.fake_cluster import FakeCluster
from tfstub.harness import TERRAFORM, TESTS
from tfstub.plan_runs import PlanRuns, planned_crds

from cli.config_file import load_config
from constructs_lib import (
    INFERENCE_POOL_V1_CRD,
    ClusterAccessProps,
    GieCrdsProps,
    HuggingFaceToken,
    VllmModelServerProps,
)
from stacks.config import AppConfig, PrerequisitesProps

ROOT = TESTS.parent
pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH (>= 1.11 needed)")

STANDARD = FakeCluster()
AUTOPILOT = FakeCluster(autopilot=True)
PRIVATE = FakeCluster(private_endpoint=True)
GKE_WITH_INFERENCE_POOL = FakeCluster(master_version="1.34.1-gke.1829001")  # installs InferencePool v1 itself
HF_TOKEN = "hf_offline-plan-canary-4b1d"  # noqa: S105 - a marker to grep for, not a credential
CHAT = "/v1/chat/completions"
COMPLETIONS = "/v1/completions"


def _replace_in_strings(value, old, new):
    if isinstance(value, dict):
        return {k: _replace_in_strings(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_in_strings(v, old, new) for v in value]
    return value.replace(old, new) if isinstance(value, str) else value


def break_crd_url(body):
    for source in body["data"]["http"].values():
        source["url"] = source["url"].replace("/manifests.yaml", "/manifest.yaml")


def break_status_filter(body):
    body["locals"] = _replace_in_strings(body["locals"], ' if key != "status"', "")


def namespace_on_cluster_role(body):
    role = next(r for r in body["resource"]["kubernetes_manifest"].values()
                if isinstance(r["manifest"], dict) and r["manifest"]["kind"] == "ClusterRole")
    role["manifest"]["metadata"]["namespace"] = "default"


def break_ca_decoding(body):
    provider = body["provider"]["kubernetes"][0]
    provider["cluster_ca_certificate"] = re.sub(r"^\$\{base64decode\((.*)\)\}$", r"${\1}",
                                                provider["cluster_ca_certificate"])


def break_collector_namespace(body):
    """The Standard branch of the collector-namespace conditional lost (null)."""
    body["resource"] = _replace_in_strings(body["resource"], ': "gmp-system"}', ": null}")


#: mutation -> (stack it applies to, Terraform's error summary it must cause)
MUTATIONS = {
    "crd-url": ("default/prerequisites", break_crd_url, "Resource postcondition failed"),
    "status-filter": ("v1/prerequisites", break_status_filter, 'Forbidden attribute key in "manifest" value'),
    "namespace-on-cluster-scoped": ("default/prerequisites", namespace_on_cluster_role,
                                    "Cluster level resource cannot take namespace"),
    "ca-decoding": ("default/prerequisites", break_ca_decoding, "Invalid attribute in provider configuration"),
    "collector-namespace": ("default/prerequisites", break_collector_namespace,
                            "Invalid template interpolation value"),
}
#: cluster fixture -> (stack, the fix our precondition message must name)
BROKEN_CLUSTERS = {
    "gateway-api-off": (FakeCluster(gateway_api=False), "default/inference-gateway",
                        "gcloud container clusters update fake-cluster --location us-central1 --gateway-api=standard"),
    "managed-prometheus-off": (FakeCluster(managed_prometheus=False), "default/prerequisites",
                               "gcloud container clusters update fake-cluster --location us-central1 "
                               "--enable-managed-prometheus"),
    "proxy-only-subnet-taken": (FakeCluster(proxy_only_subnets=("someone-elses-proxy-only",)),
                                "default/inference-gateway", "set gateway.create_proxy_only_subnetwork: false"),
    "gke-installs-inference-pool": (GKE_WITH_INFERENCE_POOL, "v1/prerequisites",
                                    f"Set prerequisites.crds.exclude: [{INFERENCE_POOL_V1_CRD}]"),
    "old-master": (FakeCluster(master_version="1.31.6-gke.1020000"), "default/inference-gateway",
                   "gcloud container clusters upgrade fake-cluster --location us-central1 --master "
                   "--cluster-version 1.32"),
}


#: Every example configuration: the built-in default, each config*.example.yaml by the word
#: in its name (``config.v1.example.yaml`` -> ``v1``, ``config.example.yaml`` -> ``example``),
#: each app in examples/; plus variants planned for one property each.
CONFIG_FILES = {path.name.removeprefix("config.").removesuffix("example.yaml").strip(".") or "example": path
                for path in sorted(ROOT.glob("config*.example.yaml"))}
EXAMPLE_APPS = sorted(path.parent.name for path in ROOT.glob("examples/*/main.py"))
EXAMPLES = ["default", *CONFIG_FILES, *EXAMPLE_APPS]


def _configs():
    configs = {"default": AppConfig(), **{name: load_config(str(path)) for name, path in CONFIG_FILES.items()}}
    configs["token"] = AppConfig(model_servers=(VllmModelServerProps(
        hf_token=HuggingFaceToken(mode="terraform_variable")),))
    # reached through the Connect Gateway (the project number, no CA, the auth plugin)
    configs["private"] = AppConfig(cluster=ClusterAccessProps(private_endpoint=True))
    configs["v1-private"] = dataclasses.replace(configs["v1"], cluster=ClusterAccessProps(private_endpoint=True))
    # GKE 1.34.0-gke.1626000+ serves InferencePool v1 itself; the release's copy is left out
    configs["v1-autopilot"] = configs["v1"]
    configs["v1-gke-crd"] = dataclasses.replace(configs["v1"], prerequisites=PrerequisitesProps(
        crds=GieCrdsProps(exclude=(INFERENCE_POOL_V1_CRD,))))
    return configs


#: The cluster a variant plans against (else the Standard one).
VARIANT_CLUSTERS = {"private": PRIVATE, "v1-private": PRIVATE, "v1-gke-crd": GKE_WITH_INFERENCE_POOL,
                    "v1-autopilot": AUTOPILOT}


def _synth_all(root):
    """Every configuration's stacks: ``<config>/<stack>`` -> synthesized directory."""
    found = {}
    for name, config in _configs().items():
        stacks = synth(config, root / name)
        found.update({f"{name}/{stack}": root / name / "stacks" / stack for stack in stacks["manifest"]["stacks"]})
    for example in EXAMPLE_APPS:
        outdir = root / example
        for stack in importlib.import_module(f"examples.{example}.main").synth(str(outdir)):
            found[f"{example}/{stack}"] = outdir / "stacks" / stack
    return found


@pytest.fixture(scope="session")
def plans(harness, tmp_path_factory):
    """Every plan of this file, submitted at once; tests wait for the ones they read.

    Prerequisites stacks go first: the other stacks of a configuration plan against the
    cluster those leave (their CRDs installed).
    """
    stacks = _synth_all(tmp_path_factory.mktemp("plan-synth"))
    runs = PlanRuns(harness, TERRAFORM_WORKDIR / "plans")
    ordered = sorted(stacks, key=lambda name: (not name.endswith("/prerequisites"), name))
    for name in ordered:
        config, stack = name.split("/")
        cluster = VARIANT_CLUSTERS.get(config, STANDARD)
        after = None if stack == "prerequisites" else f"{config}/prerequisites"
        env = {"TF_VAR_hf_token": HF_TOKEN} if name == "token/model-servers" else {}
        runs.submit(name, stacks[name], cluster, after, **env)
        if name == "default/prerequisites":
            runs.submit(f"{name}@autopilot", stacks[name], AUTOPILOT)
            for mutation, (stack_name, mutate, _) in MUTATIONS.items():
                runs.submit(f"mutation/{mutation}", stacks[stack_name], STANDARD, mutate=mutate)
            for broken, (broken_cluster, stack_name, _) in BROKEN_CLUSTERS.items():
                runs.submit(f"broken/{broken}", stacks[stack_name], broken_cluster,
                            None if stack_name == name else name)
    runs.stacks = stacks
    yield runs
    runs.close()


def test_every_example_is_planned(plans):
    configs = {name.split("/")[0] for name in plans.stacks}
    assert set(EXAMPLES) | {"token", *VARIANT_CLUSTERS} == configs
    assert {"default/prerequisites", "default/model-servers", "default/inference-gateway"} <= set(plans.stacks)


@pytest.mark.parametrize("config", [*EXAMPLES, *VARIANT_CLUSTERS])
def test_every_stack_plans(plans, config):
    stacks = [name for name in plans.stacks if name.startswith(f"{config}/")]
    assert stacks
    for name in stacks:
        plan = plans.get(name)
        assert plan.ok, f"{name}: {plan.summary()}"
        # kubernetes_manifest needs its whole manifest at plan time: nothing may be left unknown.
        unknown = [r["address"] for r in plan.resources("kubernetes_manifest") if "manifest" not in r["values"]]
        assert not unknown, name


@pytest.mark.parametrize(("name", "expected"), [
    ("default/prerequisites", {"inferencemodels.inference.networking.x-k8s.io",
                               "inferencepools.inference.networking.x-k8s.io"}),
    ("v1/prerequisites", {"inferencemodelrewrites.inference.networking.x-k8s.io",
                          "inferenceobjectives.inference.networking.x-k8s.io",
                          "inferencepoolimports.inference.networking.x-k8s.io",
                          "inferencepools.inference.networking.k8s.io"}),
    ("v1-gke-crd/prerequisites", {"inferencemodelrewrites.inference.networking.x-k8s.io",
                                  "inferenceobjectives.inference.networking.x-k8s.io",
                                  "inferencepoolimports.inference.networking.x-k8s.io"}),
])
def test_crds_are_planned_by_kind_from_the_release(plans, name, expected):
    plan = plans.get(name)
    crds = planned_crds(plan)
    assert {crd["metadata"]["name"] for crd in crds} == expected
    assert all("status" not in crd for crd in crds)
    keys = {r["index"] for r in plan.resources("kubernetes_manifest") if "index" in r}
    assert keys == {f"CustomResourceDefinition/{crd}" for crd in expected}


@pytest.mark.parametrize(("name", "namespace"), [
    ("default/prerequisites", "gmp-system"), ("default/prerequisites@autopilot", "gke-gmp-system"),
])
def test_collector_namespace_is_resolved_from_the_cluster(plans, name, namespace):
    plan = plans.get(name)
    assert plan.ok, plan.summary()
    binding = plan.manifest("ClusterRoleBinding",
                            f"{namespace}:collector:inference-gateway-sa-metrics-reader-secret-read")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "collector", "namespace": namespace}]
    kinds = sorted(m["kind"] for m in plan.manifests() if m["kind"] != "CustomResourceDefinition")
    assert kinds == ["ClusterRole", "ClusterRole", "ClusterRoleBinding", "ClusterRoleBinding", "Secret",
                     "ServiceAccount"]
    assert all("namespace" not in m["metadata"] for m in plan.manifests()
               if m["kind"].startswith("Cluster") or m["kind"] == "CustomResourceDefinition")


@pytest.mark.parametrize(("name", "servers"), [
    ("default/model-servers", {"vllm-llama3-8b-instruct": "vllm-llama3-8b-adapters"}),
    ("two_model_servers/model-servers", {"llama-8b-l4": "llama-8b-l4-adapters",
                                         "llama-8b-a100": "llama-8b-a100-adapters"}),
])
def test_deployments_mount_their_planned_adapter_config_maps(plans, name, servers):
    plan = plans.get(name)
    deployments = {m["metadata"]["name"]: m for m in plan.manifests("Deployment")}
    config_maps = {m["metadata"]["name"]: m for m in plan.manifests("ConfigMap")}
    assert set(deployments) == set(servers) and set(config_maps) == set(servers.values())
    for server, config_map in servers.items():
        volumes = deployments[server]["spec"]["template"]["spec"]["volumes"]
        assert {"configMap": {"name": config_map}, "name": "config-volume"} in volumes
        assert "vLLMLoRAConfig" in config_maps[config_map]["data"]["configmap.yaml"]


def _routes(plan):
    """(route name, path prefixes, InferencePool backend names) of every planned HTTPRoute."""
    found = {}
    for route in plan.manifests("HTTPRoute"):
        rules = route["spec"]["rules"]
        paths = sorted(m["path"]["value"] for rule in rules for m in rule.get("matches", []) if "path" in m)
        pools = {b["name"] for rule in rules for b in rule.get("backendRefs", []) if b.get("kind") == "InferencePool"}
        found[route["metadata"]["name"]] = (paths, pools)
    return found


def _releases(plan):
    return {r["values"]["name"]: {s["name"]: s["value"] for s in r["values"]["set"]}
            for r in plan.resources("helm_release")}


def test_module_path_plans_the_modules_objects_and_our_chat_route(plans):
    plan = plans.get("default/inference-gateway")
    module = [r["address"] for r in plan.resources() if r["address"].startswith("module.inference_gateway.")]
    assert "module.inference_gateway.google_compute_subnetwork.proxy-only[0]" in module
    pool = "vllm-llama3-8b-instruct"
    assert _releases(plan) == {pool: {"provider.name": "gke", "inferencePool.targetPortNumber": "8000",
                                      "inferencePool.modelServers.matchLabels.app": pool}}
    models = {m["metadata"]["name"]: m["spec"] for m in plan.manifests("InferenceModel")}
    assert models["food-review"] == {"modelName": "food-review", "criticality": "Standard", "poolRef": {"name": pool}}
    assert models["meta-llama-llama-3-1-8b-instruct"]["criticality"] == "Critical"
    assert plan.manifest("Gateway", "inference-gateway")["spec"]["gatewayClassName"] == \
        "gke-l7-regional-external-managed"
    assert _routes(plan) == {f"{pool}-route": ([COMPLETIONS], {pool}), f"{pool}-route-chat": ([CHAT], {pool})}


def test_v1_path_plans_our_own_objects(plans):
    plan = plans.get("v1/inference-gateway")
    assert not [r for r in plan.resources() if r["address"].startswith("module.")]
    (subnet,) = plan.resources("google_compute_subnetwork")
    assert subnet["values"]["purpose"] == "REGIONAL_MANAGED_PROXY"
    pool = "vllm-llama3-8b-instruct"
    settings = _releases(plan)[pool]
    assert settings["provider.gke.autopilot"] == "false"  # read from the Standard cluster
    assert _releases(plans.get("v1-autopilot/inference-gateway"))[pool]["provider.gke.autopilot"] == "true"
    assert settings["inferencePool.modelServers.matchLabels.app"] == pool
    objectives = {m["metadata"]["name"]: m["spec"] for m in plan.manifests("InferenceObjective")}
    assert objectives["food-review"]["poolRef"] == {"group": "inference.networking.k8s.io", "name": pool}
    assert _routes(plan) == {f"{pool}-route": (sorted([COMPLETIONS, CHAT]), {pool})}


@pytest.mark.parametrize("config", [*EXAMPLES, *VARIANT_CLUSTERS])
def test_routes_reach_planned_pools_through_a_planned_gateway(plans, config):
    plan = plans.get(f"{config}/inference-gateway")
    gateways = {(m["metadata"]["namespace"], m["metadata"]["name"]) for m in plan.manifests("Gateway")}
    releases = set(_releases(plan))
    for route in plan.manifests("HTTPRoute"):
        namespace = route["metadata"]["namespace"]
        assert {(ref.get("namespace", namespace), ref["name"]) for ref in route["spec"]["parentRefs"]} <= gateways
        assert _routes(plan)[route["metadata"]["name"]][1] <= releases
    assert plan.manifests("HTTPRoute")


@pytest.mark.parametrize("name", sorted(BROKEN_CLUSTERS))
def test_cluster_without_a_prerequisite_fails_the_plan_with_the_fix(plans, name):
    _, _, fix = BROKEN_CLUSTERS[name]
    plan = plans.get(f"broken/{name}")
    assert not plan.ok
    failed = [d for d in plan.diagnostics if d["summary"] == "Resource postcondition failed"]
    assert failed and all(fix in d["detail"] for d in failed), plan.summary()


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_broken_stack_fails_the_plan_with_terraforms_error(plans, harness, name):
    """Each break passes ``terraform validate`` (it evaluates nothing) and fails the plan."""
    stack, _, error = MUTATIONS[name]
    assert plans.get(stack).ok  # the same stack, unbroken, plans
    plan = plans.get(f"mutation/{name}")
    assert not plan.ok
    assert error in plan.errors(), plan.summary()
    if name == "crd-url":  # our postcondition names the URL and the status it answered
        assert "/manifest.yaml answered HTTP 404, not 200" in plan.summary()
    validated = harness.validate(plan.directory)
    assert validated.ok, validated.summary()


def test_token_mode_plan_holds_no_secret(plans):
    plan = plans.get("token/model-servers")
    assert plan.ok, plan.summary()
    (secret,) = plan.resources("kubernetes_secret_v1")
    assert secret["values"]["data_wo"] is None and secret["values"]["data_wo_revision"] == 1
    assert HF_TOKEN not in plan.text
    files = plan.files()
    assert "tfplan:tfplan" in files  # the plan file's members are searched too
    assert [name for name, content in files.items() if HF_TOKEN.encode() in content] == []



def test_kubernetes_functions_decode_and_encode_through_terraform(harness, tmp_path):
    """The stub's functions as Terraform calls them: tuples of objects, YAML nulls, numbers."""
    documents = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n  labels: null\ndata:\n  port: '80'\n"
                 "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: two\nspec:\n  replicas: 3\n")
    functions = "provider::kubernetes::manifest"
    stack = tmp_path / "functions"
    stack.mkdir()
    (stack / "cdk.tf.json").write_text(json.dumps({
        "terraform": {"required_providers": {"kubernetes": {"source": "kubernetes", "version": "2.38.0"}}},
        "locals": {"documents": documents},
        "output": {
            "keys": {"value": f'${{[for doc in {functions}_decode_multi(local.documents) : '
                              f'format("%s/%s", doc.kind, doc.metadata.name)]}}'},
            "first": {"value": f"${{{functions}_decode_multi(local.documents)[0]}}"},
            "round_trip": {"value": f"${{{functions}_decode({functions}_encode("
                                    f"{functions}_decode_multi(local.documents)[1]))}}"},
        },
    }))
    var_file = tmp_path / "empty.tfvars"
    var_file.write_text("")
    plan = harness.plan(stack, FakeCluster().fixture(), var_file)
    assert plan.ok, plan.summary()
    outputs = {name: output["value"] for name, output in plan.document["planned_values"]["outputs"].items()}
    assert outputs["keys"] == ["ConfigMap/one", "Namespace/two"]
    assert outputs["first"] == {"apiVersion": "v1", "kind": "ConfigMap", "data": {"port": "80"},
                                "metadata": {"name": "one", "labels": None}}
    assert outputs["round_trip"] == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "two"},
                                     "spec": {"replicas": 3}}


def test_the_two_models_gateway_plans_the_router_and_header_routes(plans):
    plan = plans.get("two-models/inference-gateway")
    assert plan.ok, plan.summary()
    charts = {r["values"]["chart"] for r in plan.resources("helm_release")}
    assert charts == {"inferencepool", "body-based-routing"}
    config_maps = plan.manifests("ConfigMap")
    assert len(config_maps) == 2
    assert all(m["metadata"]["labels"]["inference.networking.k8s.io/bbr-managed"] == "true" for m in config_maps)
    headers = {match["headers"][0]["value"] for route in plan.manifests("HTTPRoute")
               for rule in route["spec"]["rules"] for match in rule["matches"]}
    assert headers == {"meta-llama/Llama-3.1-8B-Instruct", "mistralai/Mistral-7B-Instruct-v0.3"}


def test_the_edge_plans_its_address_certificate_listeners_and_model_armor(plans):
    plan = plans.get("edge/inference-gateway")
    assert plan.ok, plan.summary()
    assert [r["values"]["address_type"] for r in plan.resources("google_compute_address")] == ["EXTERNAL"]
    assert plan.resources("google_certificate_manager_certificate")
    assert len(plan.resources("google_model_armor_template")) == 2
    (gateway,) = [g for g in plan.manifests("Gateway") if g["spec"].get("addresses")]
    assert {listener["protocol"] for listener in gateway["spec"]["listeners"]} == {"HTTP", "HTTPS"}
    assert gateway["spec"]["addresses"][0]["type"] == "NamedAddress"
    (extension,) = plan.manifests("GCPTrafficExtension")
    assert extension["spec"]["targetRefs"][0]["name"] == gateway["metadata"]["name"]
    sections = {ref.get("sectionName") for route in plan.manifests("HTTPRoute") for ref in route["spec"]["parentRefs"]}
    assert "https" in sections


def test_autoscaling_plans_hpas_pod_monitoring_and_a_deployment_without_replicas(plans):
    plan = plans.get("autoscaling/model-servers")
    assert plan.ok, plan.summary()
    (hpa,) = plan.manifests("HorizontalPodAutoscaler")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (1, 4)
    assert plan.manifests("PodMonitoring")
    (deployment,) = plan.manifests("Deployment")
    assert "replicas" not in deployment["spec"]
    observability = plans.get("autoscaling/observability")
    assert observability.ok, observability.summary()
    assert observability.resources("google_monitoring_dashboard")
    assert observability.resources("google_monitoring_alert_policy")
