"""GKE 1.34.0-gke.1626000 and later installs the InferencePool v1 CRD: the plan stops with
the setting to change, and leaving the CRD out never deletes the copy Terraform made."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from helpers import synth

from constructs_lib import INFERENCE_POOL_V1_CRD, GieCrdsProps, InferenceGatewayV1Props
from stacks.config import AppConfig, PrerequisitesProps

TERRAFORM = shutil.which("terraform")
V1 = AppConfig(gateway=InferenceGatewayV1Props())
EXCLUDED = AppConfig(gateway=InferenceGatewayV1Props(),
                     prerequisites=PrerequisitesProps(crds=GieCrdsProps(exclude=(INFERENCE_POOL_V1_CRD,))))
#: The v1.5.0 release's documents (config/crd/kustomization.yaml at v1.5.0).
RELEASE_KEYS = [
    "CustomResourceDefinition/inferencemodelrewrites.inference.networking.x-k8s.io",
    "CustomResourceDefinition/inferenceobjectives.inference.networking.x-k8s.io",
    "CustomResourceDefinition/inferencepoolimports.inference.networking.x-k8s.io",
    INFERENCE_POOL_V1_CRD,
]


def _checks(stack):
    cluster = next(iter(stack["data"]["google_container_cluster"].values()))
    return [check for check in cluster.get("lifecycle", {}).get("postcondition", [])
            if "1626000" in check["condition"]]


@pytest.fixture(scope="module")
def v1_prerequisites(tmp_path_factory):
    return synth(V1, tmp_path_factory.mktemp("crd"))["prerequisites"]


@pytest.fixture(scope="module")
def excluded_prerequisites(tmp_path_factory):
    return synth(EXCLUDED, tmp_path_factory.mktemp("crd-excluded"))["prerequisites"]


def test_the_check_names_the_setting_in_one_line(v1_prerequisites):
    (check,) = _checks(v1_prerequisites)
    message = check["error_message"]
    assert "\n" not in message
    assert f"prerequisites.crds.exclude: [{INFERENCE_POOL_V1_CRD}]" in message
    assert "1.34.0-gke.1626000" in message


@pytest.mark.parametrize("config", [
    AppConfig(gateway=InferenceGatewayV1Props(inference_objectives=()), prerequisites=PrerequisitesProps(crds=None)),
    AppConfig(),  # v1alpha2: the x-k8s.io CRDs, which GKE does not install
], ids=["no-crds", "v1alpha2"])
def test_no_check_where_the_stack_does_not_manage_that_crd(config, tmp_path):
    assert _checks(synth(config, tmp_path)["prerequisites"]) == []


def test_excluding_it_on_an_older_cluster_is_stopped_too(excluded_prerequisites):
    (check,) = _checks(excluded_prerequisites)
    assert check["condition"].startswith("${try(!(")
    assert f"Remove {INFERENCE_POOL_V1_CRD} from prerequisites.crds.exclude" in check["error_message"]
    assert "\n" not in check["error_message"]


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH")
@pytest.mark.parametrize(("version", "passes"), [
    ("1.32.3-gke.1170000", True), ("1.33.5-gke.1000", True), ("1.34.0-gke.1625999", True),
    ("1.34.0-gke.1626000", False), ("1.34.0-gke.1700000", False), ("1.34.1-gke.100", False),
    ("1.35.0-gke.5", False), ("2.0.0-gke.1", False),
])
def test_version_conditions_evaluate_in_terraform(v1_prerequisites, excluded_prerequisites, version, passes,
                                                  tmp_path):
    for prerequisites, expected in ((v1_prerequisites, passes), (excluded_prerequisites, not passes)):
        (check,) = _checks(prerequisites)
        expression = check["condition"][2:-1].replace("self.master_version", f'"{version}"')
        result = subprocess.run([TERRAFORM, "console"], input=expression, capture_output=True, text=True,
                                cwd=tmp_path, check=True, timeout=60)
        assert result.stdout.strip() == str(expected).lower(), prerequisites is excluded_prerequisites


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH")
def test_an_unparsable_version_stops_neither_way(v1_prerequisites, excluded_prerequisites, tmp_path):
    for prerequisites in (v1_prerequisites, excluded_prerequisites):
        (check,) = _checks(prerequisites)
        expression = check["condition"][2:-1].replace("self.master_version", '"not-a-version"')
        result = subprocess.run([TERRAFORM, "console"], input=expression, capture_output=True, text=True,
                                cwd=tmp_path, check=True, timeout=60)
        assert result.stdout.strip() == "true"


def test_excluding_forgets_the_crd_instead_of_destroying_it(excluded_prerequisites):
    (manifest,) = excluded_prerequisites["resource"]["kubernetes_manifest"]
    (moved,) = excluded_prerequisites["moved"]
    (removed,) = excluded_prerequisites["removed"]
    assert moved["from"] == f'kubernetes_manifest.{manifest}["{INFERENCE_POOL_V1_CRD}"]'
    assert removed == {"from": moved["to"], "lifecycle": {"destroy": False}}
    assert excluded_prerequisites["resource"]["kubernetes_manifest"][manifest]["lifecycle"]["prevent_destroy"]


def _terraform(args, cwd):
    return subprocess.run([TERRAFORM, *args, "-no-color"], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH")
def test_an_upgrade_across_the_version_plans_no_destroy(excluded_prerequisites, tmp_path):
    """The synthesized moved/removed blocks, replayed on a built-in stand-in for the CRD
    resource: applied first with every CRD (the cluster before the upgrade), then planned
    with the exclusion (after it)."""
    (manifest,) = excluded_prerequisites["resource"]["kubernetes_manifest"]

    def config(keys, extra):
        resource = {"for_each": {key: key for key in keys}, "input": "${each.value}",
                    "lifecycle": {"prevent_destroy": True}}
        return json.dumps({"resource": {"terraform_data": {manifest: resource}}, **extra})

    def stand_in(block):
        return json.loads(json.dumps(block).replace("kubernetes_manifest.", "terraform_data."))

    (tmp_path / "main.tf.json").write_text(config(RELEASE_KEYS, {}))
    assert _terraform(["init", "-input=false"], tmp_path).returncode == 0
    assert _terraform(["apply", "-auto-approve", "-input=false"], tmp_path).returncode == 0
    kept = [key for key in RELEASE_KEYS if key != INFERENCE_POOL_V1_CRD]
    (tmp_path / "main.tf.json").write_text(config(kept, {
        "moved": stand_in(excluded_prerequisites["moved"]), "removed": stand_in(excluded_prerequisites["removed"])}))
    plan = _terraform(["plan", "-input=false"], tmp_path)
    assert plan.returncode == 0, plan.stderr
    assert "Plan: 0 to add, 0 to change, 0 to destroy." in plan.stdout
    assert "will no longer be managed by Terraform, but will not be destroyed" in plan.stdout
    # On a cluster that never had it (a fresh GKE 1.34 cluster) the same blocks do nothing.
    (tmp_path / "terraform.tfstate").unlink()
    fresh = _terraform(["plan", "-input=false"], tmp_path)
    assert fresh.returncode == 0 and "Plan: 3 to add, 0 to change, 0 to destroy." in fresh.stdout


def _library_app(tmp_path, **gie_crds):
    """A library app that builds GieCrds itself, as examples/two_base_models does."""
    from cdktf import App, TerraformStack

    from constructs_lib import ClusterAccess, GieCrds

    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "prerequisites")
    cluster = ClusterAccess.from_variables(stack)
    GieCrds(stack, "gie-crds", cluster=cluster, **gie_crds)
    app.synth()
    return json.loads((tmp_path / "stacks" / "prerequisites" / "cdk.tf.json").read_text())


@pytest.mark.parametrize(("gie_crds", "checks"), [
    ({"default_version": "v1.5.0"}, 1),
    ({"props": GieCrdsProps(version="v1.5.0", exclude=(INFERENCE_POOL_V1_CRD,))}, 1),
    ({"default_version": "v0.3.0"}, 0),
], ids=["v1 release", "v1 release, CRD left to GKE", "v0.3.0 release"])
def test_the_guard_belongs_to_the_construct_not_the_stack(tmp_path, gie_crds, checks):
    assert len(_checks(_library_app(tmp_path, **gie_crds))) == checks


def test_the_example_that_builds_gie_crds_itself_is_guarded(tmp_path):
    from examples.two_base_models import main as example

    example.synth(str(tmp_path), "v1")
    prerequisites = json.loads((tmp_path / "stacks" / "prerequisites" / "cdk.tf.json").read_text())
    assert len(_checks(prerequisites)) == 1
