"""The prerequisites stack: GIE CRDs, extension CRDs and the tutorial's metrics RBAC."""

import yaml
from helpers import FIXTURES, by_path, fields_of, manifests

from constructs_lib import GieCrdsProps, GkeExtensionCrdsProps, InferenceGatewayV1Props, MetricsRbacProps
from stacks.config import AppConfig, PrerequisitesProps

CLUSTER = "data.google_container_cluster.cluster_A4C38409"
AUTO_NAMESPACE = f'${{{CLUSTER}.enable_autopilot ? "gke-gmp-system" : "gmp-system"}}'
CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding"}


def tutorial_rbac(collector_namespace: str) -> list[dict]:
    """The tutorial's objects with our one fix: no namespace on cluster-scoped objects."""
    text = (FIXTURES / "tutorial_metrics_rbac.yaml").read_text()
    objects = [doc for doc in yaml.safe_load_all(text) if doc]
    for obj in objects:
        if obj["kind"] in CLUSTER_SCOPED:
            obj["metadata"].pop("namespace", None)
        obj["metadata"]["name"] = obj["metadata"]["name"].replace("COLLECTOR_NS", collector_namespace)
        for subject in obj.get("subjects", []):
            if subject["namespace"] == "COLLECTOR_NS":
                subject["namespace"] = collector_namespace
    return objects


def _rbac(stack):
    return [body for path, body in manifests(stack).items() if path.startswith("metrics-rbac/")]


def _key(obj):
    return (obj["kind"], obj["metadata"]["name"])


def test_rbac_objects_equal_the_tutorials_with_namespace_chosen_by_terraform(default_stacks):
    emitted = sorted(_rbac(default_stacks["prerequisites"]), key=_key)
    assert emitted == sorted(tutorial_rbac(AUTO_NAMESPACE), key=_key)


def test_cluster_scoped_objects_carry_no_namespace(default_stacks):
    for body in _rbac(default_stacks["prerequisites"]):
        if body["kind"] in CLUSTER_SCOPED:
            assert "namespace" not in body["metadata"], body["metadata"]["name"]


def test_forced_collector_namespace(synth_config):
    for forced in ("gmp-system", "gke-gmp-system"):
        config = AppConfig(prerequisites=PrerequisitesProps(
            metrics_rbac=MetricsRbacProps(collector_namespace=forced)))
        emitted = sorted(_rbac(synth_config(config)["prerequisites"]), key=_key)
        assert emitted == sorted(tutorial_rbac(forced), key=_key)


def test_metrics_rbac_can_be_left_out(synth_config):
    stacks = synth_config(AppConfig(prerequisites=PrerequisitesProps(metrics_rbac=None)))
    assert _rbac(stacks["prerequisites"]) == []


def _crd_parts(stack, name="gie-crds/release"):
    http = by_path(stack, "http", "data")
    local = next(value for key, value in stack["locals"].items() if key.startswith(name.replace("/", "_")))
    manifest = by_path(stack, "kubernetes_manifest")[f"{name}/manifest"]
    return http, local, manifest


def test_crds_come_from_the_release_url_one_resource_per_document(default_stacks):
    stack = default_stacks["prerequisites"]
    http, local, manifest = _crd_parts(stack)
    assert http["gie-crds/release/source-0"]["url"] == (
        "https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/"
        "v0.3.0/manifests.yaml")
    source = next(iter(stack["data"]["http"]))
    assert f"provider::kubernetes::manifest_decode_multi(data.http.{source}.response_body)" in local
    assert 'format("%s/%s", doc.kind, doc.metadata.name)' in local
    assert manifest["for_each"].startswith("${local.gie-crds_release_documents_")
    assert manifest["manifest"] == "${each.value}"


def test_crd_documents_drop_their_status(default_stacks):
    _, local, _ = _crd_parts(default_stacks["prerequisites"])
    assert '{ for key, value in doc : key => value if key != "status" }' in local
    assert local.startswith("${") and local.endswith("}")
    assert local.count("{") == local.count("}")


def test_crd_version_override(synth_config):
    stacks = synth_config(AppConfig(prerequisites=PrerequisitesProps(crds=GieCrdsProps(version="v0.2.0"))))
    http, _, _ = _crd_parts(stacks["prerequisites"])
    assert http["gie-crds/release/source-0"]["url"].endswith("/download/v0.2.0/manifests.yaml")


def test_crds_from_a_local_file_are_copied_beside_the_stack(synth_config, tmp_path):
    local_copy = tmp_path / "manifests.yaml"
    local_copy.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n")
    stacks = synth_config(AppConfig(prerequisites=PrerequisitesProps(
        crds=GieCrdsProps(manifest_file=str(local_copy)))))
    stack = stacks["prerequisites"]
    http, local, _ = _crd_parts(stack)
    assert http == {}
    assert 'file(join("/", [path.module, "assets/' in local
    relative = local.split('path.module, "')[1].split('"')[0]
    copied = tmp_path / "out" / "stacks" / "prerequisites" / relative
    assert copied.read_text() == local_copy.read_text()
    assert str(tmp_path) not in local


def test_crds_are_protected_from_destroy_unless_allowed(default_stacks, synth_config):
    _, _, manifest = _crd_parts(default_stacks["prerequisites"])
    assert manifest["lifecycle"] == {"prevent_destroy": True}
    stacks = synth_config(AppConfig(prerequisites=PrerequisitesProps(crds=GieCrdsProps(allow_destroy=True))))
    _, _, manifest = _crd_parts(stacks["prerequisites"])
    assert manifest["lifecycle"] == {"prevent_destroy": False}


def test_gke_extension_crds_are_optional(default_stacks, synth_config):
    assert not any(path.startswith("gke-extension-crds")
                   for path in by_path(default_stacks["prerequisites"], "http", "data"))
    stacks = synth_config(AppConfig(prerequisites=PrerequisitesProps(
        gke_extension_crds=GkeExtensionCrdsProps())))
    http, local, _ = _crd_parts(stacks["prerequisites"], "gke-extension-crds/release")
    urls = sorted(body["url"] for path, body in http.items() if path.startswith("gke-extension-crds"))
    assert urls == [
        "https://raw.githubusercontent.com/GoogleCloudPlatform/gke-gateway-api/"
        "fc40d606a5332f11a8883f85caff66b63c4e88ef/config/crd/"
        f"networking.gke.io_{plural}.yaml" for plural in ("gcproutingextensions", "gcptrafficextensions")]
    assert local.count("manifest_decode_multi(") == 2


def test_environment_variables_are_validated(default_stacks):
    variables = default_stacks["prerequisites"]["variable"]
    assert set(variables) == {"project_id", "cluster_name", "cluster_location"}
    for name, variable in variables.items():
        assert variable["type"] == "string"
        assert variable["description"]
        assert f"var.{name}" in variable["validation"][0]["condition"]


def test_terraform_version_floor_and_relative_state(default_stacks):
    terraform = default_stacks["prerequisites"]["terraform"]
    assert terraform["required_version"] == ">= 1.8"
    assert terraform["backend"]["local"]["path"] == "../../terraform.prerequisites.tfstate"


def test_crd_documents_can_be_excluded(synth_config):
    key = "CustomResourceDefinition/inferencepools.inference.networking.k8s.io"
    stacks = synth_config(AppConfig(gateway=InferenceGatewayV1Props(), prerequisites=PrerequisitesProps(
        crds=GieCrdsProps(exclude=(key,)))))
    _, local, _ = _crd_parts(stacks["prerequisites"])
    assert local.endswith(f'if !contains(["{key}"], format("%s/%s", doc.kind, doc.metadata.name)) }}}}')
    _, default_local, _ = _crd_parts(synth_config(AppConfig())["prerequisites"])
    assert "contains(" not in default_local


def test_bad_exclude_key_is_refused():
    assert fields_of(GieCrdsProps, exclude=("inferencepools",)) == ["exclude[0]"]
