"""Values GKE, Kubernetes, GCS or Terraform would reject later are refused at synthesis,
derived values included; a relative CRD file works from any directory."""

import pytest
from helpers import without_location

from cli import synth
from constructs_lib._core import checks as checks

CRD = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x.example.com\n"


def _refused(tmp_path, capsys, text):
    config = tmp_path / "config.yaml"
    config.write_text(text)
    code = synth.main(["--config", str(config), "--outdir", str(tmp_path / "out"), "--quiet"])
    lines = without_location(capsys.readouterr().err.splitlines())
    assert not (tmp_path / "out").exists()
    return code, lines


CASES = {
    "replicas beyond int32": ("model_servers:\n  - replicas: 2147483648\n", "model_servers[0].replicas"),
    "probe threshold beyond int32": ("model_servers:\n  - liveness_probe: {failure_threshold: 4294967296}\n",
                                     "model_servers[0].liveness_probe.failure_threshold"),
    "integer beyond int64": ("model_servers:\n  - termination_grace_seconds: 99999999999999999999\n",
                             "model_servers[0].termination_grace_seconds"),
    "derived grace period beyond int64": (
        "model_servers:\n  - drain_profile: {max_output_tokens: 2147483647, tpot_ms_at_max_batch: 1000000000000000,"
        " max_model_load_seconds: 60, safety_factor: 1000000}\n", "model_servers[0].termination_grace_seconds"),
    "empty tag": ("model_servers:\n  - image: 'vllm/vllm-openai:'\n", "model_servers[0].image"),
    "image with a scheme": ("model_servers:\n  - image: https://registry/vllm:v1\n", "model_servers[0].image"),
    "upper-case repository": ("model_servers:\n  - image: vllm/VLLM-openai:v1\n", "model_servers[0].image"),
    "tab in image": ("model_servers:\n  - image: \"vllm/vllm\\t:v1\"\n", "model_servers[0].image"),
    "syncer image with a trailing newline": ("model_servers:\n  - syncer_image: \"a/b:v1\\n\"\n",
                                             "model_servers[0].syncer_image"),
    "bucket with gs://": ("state: {backend: gcs, bucket: 'gs://tf-state'}\n", "state.bucket"),
    "upper-case bucket": ("state: {backend: gcs, bucket: TfState}\n", "state.bucket"),
    "short bucket": ("state: {backend: gcs, bucket: ab}\n", "state.bucket"),
    "prefix with ..": ("state: {backend: gcs, bucket: tf-state, prefix: 'a/../b'}\n", "state.prefix"),
    "prefix with a newline": ("state: {backend: gcs, bucket: tf-state, prefix: \"a\\nb\"}\n", "state.prefix"),
    "fleet location with a path": ("cluster: {private_endpoint: true, fleet_membership_location: '/../x'}\n",
                                   "cluster.fleet_membership_location"),
    "fleet name with a query": ("cluster: {private_endpoint: true, fleet_membership_name: 'm?x=1'}\n",
                                "cluster.fleet_membership_name"),
    "module ref with a query": ("gateway: {module_ref: 'main?archive=zip'}\n", "gateway.module_ref"),
    "extension ref with a path": ("prerequisites: {gke_extension_crds: {ref: 'main/../../x'}}\n",
                                  "prerequisites.gke_extension_crds.ref"),
    "name with a trailing newline": ("model_servers:\n  - name: \"vllm\\n\"\n", "model_servers[0].name"),
    "namespace with a trailing newline": ("model_servers:\n  - namespace: \"default\\n\"\n",
                                          "model_servers[0].namespace"),
    "label value with a trailing newline": ("model_servers:\n  - labels: {app: \"x\\n\"}\n",
                                            "model_servers[0].labels.app"),
    "control character in an argument": ("model_servers:\n  - extra_args: [\"--x=\\x1b[31m\"]\n",
                                         "model_servers[0].extra_args[0]"),
    "chart version with a newline": ("gateway: {api_version: v1, chart_version: \"v1.5.0\\n\"}\n",
                                     "gateway.chart_version"),
    "subnetwork name with a template": ("gateway: {api_version: v1, proxy_only_subnetwork_name: '${x}'}\n",
                                        "gateway.proxy_only_subnetwork_name"),
    "priority beyond int32": (
        "gateway:\n  api_version: v1\n  inference_objectives: [{name: o, inference_pool_name: vllm-llama3-8b-instruct,"
        " priority: 2147483648}]\n", "gateway.inference_objectives[0].priority"),
    "route name too long for its chat route": (
        "gateway:\n  http_routes: [{name: " + "r" * 250 + ", gateway_name: inference-gateway,"
        " inference_pool_name: vllm-llama3-8b-instruct}]\n", "gateway.http_routes[0].name"),
    "unicode digits in a version": ("prerequisites: {crds: {version: v\u0661.\u0662.\u0663}}\n",
                                    "prerequisites.crds.version"),
    "too many model servers": ("model_servers:\n" + "".join(
        f"  - {{name: s{i}, adapters_config_map: s{i}-adapters}}\n" for i in range(101)) + "gateway: null\n",
        "model_servers"),
    "a list over the limit": ("model_servers:\n  - extra_args: [" + ", ".join(["x"] * 1001) + "]\n",
                              "model_servers[0].extra_args"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_their_consumer_rejects_are_refused(tmp_path, capsys, case):
    text, field = CASES[case]
    code, lines = _refused(tmp_path, capsys, text)
    assert code == 2, lines
    assert any(line.startswith(f"error: {field}=") for line in lines), lines


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"), (b"\x00\x01binary", "is binary"), (b"\xff\xfe", "is not UTF-8"),
    (b"just: text\n", "no Kubernetes object"),
])
def test_an_unusable_crd_file_is_refused(tmp_path, capsys, content, message):
    (tmp_path / "manifests.yaml").write_bytes(content)
    code, lines = _refused(tmp_path, capsys, f"prerequisites:\n  crds:\n    manifest_file: {tmp_path}/manifests.yaml\n")
    assert code == 2 and len(lines) == 1 and message in lines[0], lines
    assert lines[0].startswith("error: prerequisites.crds.manifest_file=")


ADAPTER_CONFIG = """\
model_servers:
  - autoscaling: {min_replicas: 1, max_replicas: 2, target: {metric: vllm_queue_depth}}
observability:
  metrics_adapter: {manifest_file: %s}
"""


def test_a_relative_adapter_file_works_like_a_relative_crd_file(tmp_path, monkeypatch, capsys):
    """The adapter's local manifest takes the same path as the CRDs' (the fix text asks for
    a path relative to where main.py runs): checked as a manifest, made absolute, copied."""
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "adapter.yaml").write_text(CRD)
    (work / "config.yaml").write_text(ADAPTER_CONFIG % "adapter.yaml")
    monkeypatch.chdir(work)
    assert synth.main(["--config", "config.yaml", "--outdir", "out", "--quiet"]) == 0, capsys.readouterr().err
    stack = work / "out" / "stacks" / "prerequisites"
    assert [path.read_text() for path in stack.rglob("adapter.yaml")] == [CRD]
    assert str(work) not in (stack / "cdk.tf.json").read_text()


def test_an_unusable_adapter_file_is_refused_like_a_crd_file(tmp_path, capsys):
    (tmp_path / "adapter.yaml").write_text("just: text\n")
    code, lines = _refused(tmp_path, capsys, ADAPTER_CONFIG % f"{tmp_path}/adapter.yaml")
    assert code == 2 and len(lines) == 1 and "no Kubernetes object" in lines[0], lines
    assert lines[0].startswith("error: observability.metrics_adapter.manifest_file=")
    assert "adapter_new_resource_model.yaml" in lines[0]


def test_a_relative_crd_file_works_outside_the_repository(tmp_path, monkeypatch, capsys):
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "manifests.yaml").write_text(CRD)
    (work / "config.yaml").write_text("prerequisites:\n  crds:\n    manifest_file: manifests.yaml\n")
    monkeypatch.chdir(work)
    assert synth.main(["--config", "config.yaml", "--outdir", "out", "--quiet"]) == 0, capsys.readouterr().err
    stack = work / "out" / "stacks" / "prerequisites"
    assert [path.read_text() for path in stack.rglob("manifests.yaml")] == [CRD]
    assert str(work) not in (stack / "cdk.tf.json").read_text()


@pytest.mark.parametrize(("image", "ok"), [
    ("vllm/vllm-openai:v0.8.5", True), ("registry.k8s.io/gie/lora-syncer:v1.0.0", True),
    ("localhost:5000/a/b", True), ("a/b@sha256:" + "a" * 64, True), ("[::1]:5000/a:b", True),
    ("nginx", True), ("Registry.Example.com/a", True), ("a/b:", False), ("A", False), ("a//b", False),
    ("a:b:c", False), ("https://a/b", False), ("a b", False), ("a/b:" + "x" * 129, False), ("", False),
])
def test_oci_image_grammar(image, ok):
    assert (list(checks.oci_image("image", image)) == []) is ok


@pytest.mark.parametrize(("digest", "ok"), [
    ("sha256:" + "a" * 64, True), ("sha512:" + "0" * 128, True),
    ("sha256:" + "a" * 32, False), ("sha256:" + "a" * 63, False), ("sha256:" + "a" * 65, False),
    ("sha256:" + "A" * 64, False), ("md5:" + "a" * 32, False), ("sha512:" + "a" * 64, False),
    ("sha384:" + "a" * 96, False), ("sha256:", False),
])
def test_a_digest_has_its_registered_algorithms_length_in_lower_case_hex(digest, ok):
    """distribution's reference parser refuses an unknown algorithm, a wrong length and
    upper case; the kubelet would fail the pod with an invalid image name."""
    assert (list(checks.oci_image("image", f"vllm/vllm-openai@{digest}")) == []) is ok


@pytest.mark.parametrize("digest", ["sha512:" + "0" * 128, "sha256:" + "a" * 32, "md5:" + "a" * 32])
def test_a_pinned_server_image_is_pinned_by_a_full_sha256(digest):
    assert [p.field for p in checks.image_reference("image", f"vllm/vllm-openai@{digest}")] == ["image"]


@pytest.mark.parametrize(("bucket", "ok"), [
    ("tf-state", True), ("my.bucket.name", True), ("a_b-c", True), ("ab", False), ("-ab", False),
    ("gs://a", False), ("AB-c", False), ("192.168.0.1", False), ("goog-x", False), ("my-google-x", False),
    ("a" * 64, False),
])
def test_gcs_bucket_grammar(bucket, ok):
    assert (list(checks.gcs_bucket("bucket", bucket)) == []) is ok


@pytest.mark.parametrize(("ref", "ok"), [
    ("main", True), ("v1.2.3", True), ("feature/x", True), ("3f9592a099eeee3eae1aa274c143c5845708e334", True),
    ("a..b", False), ("/a", False), ("a/", False), ("a?b", False), ("a#b", False), ("x.lock", False),
    (".a", False), ("a@{1}", False), ("a b", False),
])
def test_git_ref_grammar(ref, ok):
    assert (list(checks.git_ref("ref", ref)) == []) is ok



@pytest.mark.parametrize(("text", "version"), [
    ("v1.5.0", (1, 5, 0)), ("0.8.5", (0, 8, 5)), ("v1.0.0-rc.1", (1, 0, 0)), ("v0.10.1.post1", (0, 10, 1)),
    ("latest", None), ("v1.5", None),
])
def test_one_parser_reads_every_release_version(text, version):
    from constructs_lib import parse_version, release_number

    assert parse_version(text) == version
    if version is None:
        with pytest.raises(ValueError, match=text):
            release_number(text)
    else:
        assert release_number(text) == version
