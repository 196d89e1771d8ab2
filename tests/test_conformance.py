"""Every synthesized stack checked against Kubernetes schemas, the upstream CRDs and static
rules, for a spread of configurations."""

import dataclasses
import importlib

import pytest
from conformance import (
    CLUSTER_SCOPED,
    CRD_GROUPS,
    created_objects,
    creates_crds,
    group_of,
    literal_manifests,
    module_custom_resources,
    pod_references,
)
from crd_schema import crd_errors, load_crds
from helpers import FIXTURES, SHARED, needs_shared, synth
from k8s_schema import schema_errors
from kubernetes_validate.utils import SchemaNotFoundError, all_versions, major_minor, schema_contents

from cli.config_file import load_config
from constructs_lib import (
    AutoscalingProps,
    AutoscalingTarget,
    HuggingFaceToken,
    InferenceGatewayV1Props,
    MetricsAdapterProps,
    ObservabilityProps,
    VllmModelServerProps,
)
from stacks.config import AppConfig

#: Objects the app reads but does not create, each documented in the manual (README, docs/).
DOCUMENTED_EXTERNAL = {("Secret", "default", "hf-token")}
KUBERNETES_VERSIONS = ("1.31", "1.32", "1.33")

CONFIGS = {
    "default": AppConfig(),
    "token-variable": AppConfig(model_servers=(VllmModelServerProps(
        hf_token=HuggingFaceToken(mode="terraform_variable")),)),
    "no-adapters-unhardened": AppConfig(model_servers=(dataclasses.replace(
        VllmModelServerProps(), adapters=(), hardened=False, hf_token=HuggingFaceToken(mode="none")),)),
    "two-base-models": AppConfig(model_servers=importlib.import_module("examples.two_base_models.main").SERVERS),
    "autoscaling-example": load_config(str(FIXTURES.parents[1] / "config.autoscaling.example.yaml")),
    "v1-pool-autoscaling": AppConfig(gateway=InferenceGatewayV1Props(), model_servers=(VllmModelServerProps(
        autoscaling=AutoscalingProps(max_replicas=3, target=AutoscalingTarget(metric="pool_queue_size"))),),
        observability=ObservabilityProps(metrics_adapter=MetricsAdapterProps())),
}


@pytest.fixture(scope="module")
def all_stacks(tmp_path_factory):
    found = {}
    for name, config in CONFIGS.items():
        stacks = synth(config, tmp_path_factory.mktemp(name))
        stacks.pop("manifest")
        found[name] = stacks
    return found


def _every(all_stacks, pick):
    for config, stacks in all_stacks.items():
        for stack_name, stack in stacks.items():
            for obj in pick(stack):
                yield f"{config}/{stack_name}/{obj['kind']}/{obj['metadata']['name']}", obj


def _has_builtin_schema(obj, version):
    known = [v for v in all_versions() if major_minor(v) <= major_minor(version)][-1]
    api = obj["apiVersion"].split("/")[0].split(".")[0] + "-" + obj["apiVersion"].split("/")[-1] \
        if "/" in obj["apiVersion"] else obj["apiVersion"]
    try:
        schema_contents(f"kubernetes-json-schema/v{known}-local-strict/{obj['kind'].lower()}-{api}.json", version)
    except (FileNotFoundError, SchemaNotFoundError):
        return False
    return True


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_builtin_kind_passes_strict_kubernetes_schemas(all_stacks, version):
    checked, errors = 0, []
    for where, obj in _every(all_stacks, literal_manifests):
        if group_of(obj) in CRD_GROUPS or not _has_builtin_schema(obj, version):
            continue
        checked += 1
        errors += [f"{where}: {error}" for error in schema_errors(obj, version)]
    assert errors == []
    assert checked >= 20
    kinds = {obj["kind"] for _, obj in _every(all_stacks, literal_manifests)}
    assert {"HorizontalPodAutoscaler", "Namespace"} <= kinds  # the autoscaler and the adapter's namespace


CRD_FILES = [SHARED / "upstream" / "gie-v0.3.0-crds.yaml"]
#: The v1 configurations' InferenceObjectives.
V1_CRD_FILE = SHARED / "upstream" / "gie-v1.5.0-crds.yaml"
GMP_CRDS = SHARED / "upstream" / "gmp-v0.17.2-crds.yaml"
GMP_GROUP = "monitoring.googleapis.com"


@needs_shared("gmp-v0.17.2-crds.yaml")
def test_every_pod_monitoring_matches_the_gmp_v0_17_2_crd(all_stacks):
    schemas = load_crds([GMP_CRDS])
    found = [(where, obj) for where, obj in _every(all_stacks, literal_manifests) if group_of(obj) == GMP_GROUP]
    assert len(found) >= len(all_stacks)  # one per scraped server, in every configuration
    errors = [f"{where}: {error}" for where, obj in found for error in crd_errors(obj, schemas)]
    assert errors == []


@needs_shared("gmp-v0.17.2-crds.yaml")
def test_gmp_crd_check_catches_a_missing_interval_and_a_protected_label(all_stacks):
    schemas = load_crds([GMP_CRDS])
    (obj,) = [o for _, o in _every({"default": all_stacks["default"]}, literal_manifests) if group_of(o) == GMP_GROUP]
    endpoint = obj["spec"]["endpoints"][0]
    bad = {**obj, "spec": {**obj["spec"], "endpoints": [{
        **{k: v for k, v in endpoint.items() if k != "interval"},
        "metricRelabeling": [{"action": "replace", "targetLabel": "cluster", "replacement": "x"}]}]}}
    errors = crd_errors(bad, schemas)
    assert any(".interval: required" in e for e in errors)
    assert any("metricRelabeling[0].targetLabel: self != 'project_id'" in e for e in errors)


@needs_shared("gie-v0.3.0-crds.yaml", "gie-v1.5.0-crds.yaml")
def test_every_custom_resource_matches_the_v0_3_0_crds(all_stacks):
    schemas = load_crds([*CRD_FILES, V1_CRD_FILE])
    found = list(_every(all_stacks, module_custom_resources))
    found += [(where, obj) for where, obj in _every(all_stacks, literal_manifests) if group_of(obj) in CRD_GROUPS]
    assert len(found) >= 7
    errors = [f"{where}: {error}" for where, obj in found for error in crd_errors(obj, schemas)]
    assert errors == []


@needs_shared("gie-v0.3.0-crds.yaml")
def test_crd_check_catches_unknown_fields_enums_and_missing_fields():
    schemas = load_crds(CRD_FILES)
    bad = {"apiVersion": "inference.networking.x-k8s.io/v1alpha2", "kind": "InferenceModel",
           "metadata": {"name": "m"},
           "spec": {"modelName": "x", "criticality": "critical", "poolRef": {}, "extra": 1}}
    errors = crd_errors(bad, schemas)
    assert any(".spec.criticality" in e for e in errors)
    assert any(".spec.poolRef.name: required" in e for e in errors)
    assert any(".spec.extra: unknown field" in e for e in errors)
    assert len(errors) == 3


@needs_shared("gie-v0.3.0-crds.yaml")
def test_crd_check_evaluates_cel_rules():
    schemas = load_crds(CRD_FILES)
    weights = {"apiVersion": "inference.networking.x-k8s.io/v1alpha2", "kind": "InferenceModel",
               "metadata": {"name": "m"},
               "spec": {"modelName": "x", "poolRef": {"name": "p"},
                        "targetModels": [{"name": "a", "weight": 1}, {"name": "b"}]}}
    errors = crd_errors(weights, schemas)
    assert len(errors) == 1 and "Weights should be set" in errors[0]


def test_no_stack_creates_a_crd_and_its_custom_resources(all_stacks):
    for config, stacks in all_stacks.items():
        for name, stack in stacks.items():
            if not creates_crds(stack):
                continue
            assert "module" not in stack, f"{config}/{name}"
            assert not [obj for obj in literal_manifests(stack) if group_of(obj) in CRD_GROUPS], f"{config}/{name}"


def test_cluster_scoped_objects_carry_no_namespace(all_stacks):
    wrong = [where for where, obj in _every(all_stacks, literal_manifests)
             if obj["kind"] in CLUSTER_SCOPED and "namespace" in obj["metadata"]]
    assert wrong == []


def test_every_deployment_selects_its_own_pods(all_stacks):
    deployments = [(w, o) for w, o in _every(all_stacks, literal_manifests) if o["kind"] == "Deployment"]
    assert deployments
    for where, obj in deployments:
        selector = obj["spec"]["selector"]["matchLabels"]
        labels = obj["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), where


def test_every_configmap_and_secret_a_pod_uses_exists(all_stacks):
    for config, stacks in all_stacks.items():
        created = created_objects(stacks)
        for stack in stacks.values():
            for obj in literal_manifests(stack):
                if obj["kind"] != "Deployment":
                    continue
                missing = set(pod_references(obj)) - created - DOCUMENTED_EXTERNAL
                assert missing == set(), config


def test_documented_external_objects_are_in_the_manual():
    from helpers import manual

    readme = manual()
    for kind, _, name in DOCUMENTED_EXTERNAL:
        assert f"kubectl create secret generic {name}" in readme, (kind, name)
