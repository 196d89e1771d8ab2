"""main.py: output, YAML configuration, one-line errors, atomic output, determinism."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli import synth
from constructs_lib import OUTPUT_MARKER as MARKER

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def default_output(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("cli") / "cdktf.out"
    assert synth.main(["--outdir", str(outdir), "--quiet"]) == 0
    return outdir


def _stack_files(outdir):
    return {path.relative_to(outdir): path.read_bytes() for path in sorted(outdir.rglob("cdk.tf.json"))}


def test_synth_prints_stacks_counts_and_directory(tmp_path, capsys):
    outdir = tmp_path / "out"
    assert synth.main(["--outdir", str(outdir)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"Synthesized 3 stacks into {outdir} (in apply order):"
    assert [line.split()[0] for line in printed[1:4]] == ["prerequisites", "model-servers", "inference-gateway"]
    assert printed[4] == "Next:"
    assert "7 resources" in printed[1] and "1 resource, 1 module, 4 data sources" in printed[3]


def test_synth_ends_with_the_next_steps_for_this_output(tmp_path, capsys):
    outdir = tmp_path / "out"
    assert synth.main(["--outdir", str(outdir)]) == 0
    printed = capsys.readouterr().out.splitlines()
    block = printed[printed.index("Next:"):]
    declared = sorted({name for path in outdir.rglob("cdk.tf.json")
                       for name, variable in json.loads(path.read_text()).get("variable", {}).items()
                       if "default" not in variable})
    assert block[1].startswith("  cp -n values.tfvars.example values.tfvars   # fill in project_id, cluster_name,")
    assert sorted(block[1].split("# fill in ")[1].split(", ")) == declared
    assert block[2] == "  kubectl create secret generic hf-token -n default --from-literal=token=<YOUR_HF_TOKEN>"
    assert block[3] == f"  .venv/bin/python -m cli.deploy apply --outdir {outdir} --var-file values.tfvars"
    assert len(block) == 4


def test_next_steps_follow_the_configuration(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("model_servers:\n  - hf_token: {mode: terraform_variable}\n")
    assert synth.main(["--config", str(config), "--outdir", str(tmp_path / "out")]) == 0
    block = capsys.readouterr().out.split("Next:\n")[1]
    assert "export TF_VAR_hf_token=..." in block and "kubectl" not in block
    assert "hf_token" not in block.splitlines()[0]  # sensitive: never written into the file


def test_quiet_prints_neither_summary_nor_next_steps(tmp_path, capsys):
    assert synth.main(["--outdir", str(tmp_path / "out"), "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_two_synths_are_byte_identical(default_output, tmp_path):
    again = tmp_path / "cdktf.out"
    assert synth.main(["--outdir", str(again), "--quiet"]) == 0
    first, second = _stack_files(default_output), _stack_files(again)
    assert len(first) == 3 and first == second


def test_example_yaml_is_the_default(default_output, tmp_path):
    outdir = tmp_path / "cdktf.out"
    assert synth.main(["--config", str(ROOT / "config.example.yaml"), "--outdir", str(outdir), "--quiet"]) == 0
    assert _stack_files(outdir) == _stack_files(default_output)


def test_outdir_from_cdktf_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CDKTF_OUTDIR", str(tmp_path / "from-env"))
    assert synth.main(["--quiet"]) == 0
    assert (tmp_path / "from-env" / "manifest.json").is_file()


BAD_INPUTS = {
    "missing file": (None, "--config="),
    "malformed yaml": ("model_servers: [\n", "is not valid YAML at line"),
    "unknown key": ("prerequisites:\n  crd: {}\n",
                    "prerequisites.crd={...}: is not a known setting; fix: did you mean crds?"),
    "wrong type": ("model_servers:\n  - replicas: two\n", "model_servers[0].replicas='two': must be a whole number"),
    "bad version": ("prerequisites:\n  crds:\n    version: 0.3.0\n", "prerequisites.crds.version='0.3.0'"),
    "bad name": ("model_servers:\n  - name: Bad_Name\n", "model_servers[0].name='Bad_Name'"),
    "bad criticality": (
        "gateway:\n  inference_models:\n    - {name: m, model_name: food-review, criticality: critical,"
        " inference_pool_name: vllm-llama3-8b-instruct}\n", "gateway.inference_models[0].criticality"),
    "not a mapping": ("- just\n- a list\n", "must be a mapping with AppConfig fields"),
    "duplicate adapter": ("model_servers:\n  - adapters: [{id: a, source: x}, {id: a, source: y}]\n",
                          "model_servers[0].adapters[1]='a': repeats an earlier adapter id"),
    "tensor parallel over gpus": ("model_servers:\n  - tensor_parallel_size: 2\n",
                                  "model_servers[0].tensor_parallel_size=2: exceeds gpu_count (1)"),
    "unknown accelerator": ("model_servers:\n  - accelerator: nvidia-l5\n", "use one of: nvidia-tesla-t4"),
    "bad port": ("model_servers:\n  - port: 0\n", "model_servers[0].port=0: is not a TCP port"),
    "route to missing gateway": (
        "gateway:\n  http_routes: [{name: r, gateway_name: nope, inference_pool_name: vllm-llama3-8b-instruct}]\n",
        "gateway.http_routes[0].gateway_name='nope': names no gateway"),
    "missing crd file": ("prerequisites:\n  crds:\n    manifest_file: /no/such/manifests.yaml\n",
                         "prerequisites.crds.manifest_file='/no/such/manifests.yaml': is not a readable file"),
    "redirect without https": ("gateway:\n  redirect_http_to_https: true\n",
                               "gateway.redirect_http_to_https=True: needs an HTTPS listener"),
    "domain not a dns name": ("gateway:\n  https: {certificate: google_managed, domains: ['*.example.com']}\n",
                              "gateway.https.domains[0]='*.example.com': is not a DNS host name"),
    "internal address without a subnet": (
        "gateway:\n  gateway_class: gke-l7-rilb\n  static_address: {}\n",
        "gateway.static_address.subnetwork=None: is required for an internal address"),
    "chart version without v": ("gateway:\n  api_version: v1\n  chart_version: 1.5.0\n",
                                "gateway.chart_version='1.5.0'"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_and_leaves_output_alone(case, tmp_path, capsys):
    text, expected = BAD_INPUTS[case]
    config = tmp_path / "config.yaml"
    if text is not None:
        config.write_text(text)
    outdir = tmp_path / "cdktf.out"
    outdir.mkdir()
    (outdir / MARKER).write_text("previous output")
    assert synth.main(["--config", str(config), "--outdir", str(outdir)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and expected in lines[0] and "; fix: " in lines[0]
    assert captured.out == ""
    assert [p.name for p in outdir.iterdir()] == [MARKER]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cdktf.out")]


def test_a_config_file_that_is_not_utf8_is_one_line(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_bytes(b"model_servers:\n  - name: \xff\xfe\n")
    assert synth.main(["--config", str(config), "--outdir", str(tmp_path / "o")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "is not UTF-8 text" in line and "fix: save the file as UTF-8" in line


def test_every_problem_is_reported_at_once(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("model_servers:\n  - port: 0\n    replicas: -1\n    accelerator: tpu\n")
    assert synth.main(["--config", str(config), "--outdir", str(tmp_path / "o")]) == 2
    fields = [line.split("=")[0] for line in capsys.readouterr().err.splitlines()]
    # Each names the file and line where the value stands.
    assert fields == [f"error: {config}:3: model_servers[0].replicas", f"error: {config}:2: model_servers[0].port",
                      f"error: {config}:4: model_servers[0].accelerator"]


def test_an_unknown_key_gets_a_suggestion_and_its_line(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("model_servers:\n  - name: a\n    replica: 2\ngatway:\n  name: g\n"
                      "gateway:\n  nme: g\n  colour: blue\n")
    assert synth.main(["--config", str(config), "--outdir", str(tmp_path / "o")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert f"error: {config}:4: gatway={{...}}: is not a known setting; fix: did you mean gateway?" in lines
    assert (f"error: {config}:3: model_servers[0].replica=2: is not a known setting; fix: did you mean replicas?"
            in lines)
    assert f"error: {config}:7: gateway.nme='g': is not a known setting; fix: did you mean name?" in lines
    colour = next(line for line in lines if ".colour=" in line)
    assert colour.startswith(f"error: {config}:8: ") and "fix: remove it or use one of: " in colour


def test_a_value_left_to_its_default_is_located_at_its_section(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("model_servers:\n  - name: a\n    gpu_count: 1\n  - name: b\n    tensor_parallel_size: 2\n")
    assert synth.main(["--config", str(config), "--outdir", str(tmp_path / "o")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {config}:5: model_servers[1].tensor_parallel_size=2: exceeds gpu_count (1)")


def test_main_py_exits_2_without_traceback(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("gateway:\n  gateway_class: nope\n")
    env = {**os.environ, "CDKTF_OUTDIR": str(tmp_path / "out")}
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", str(config)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {config}:2: gateway.gateway_class='nope'")
    assert not (tmp_path / "out").exists()


def test_help_explains_the_options(capsys):
    with pytest.raises(SystemExit) as done:
        synth.main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for option in ("--config", "--outdir", "--quiet"):
        assert option in text


def test_v1_example_yaml_synthesizes_the_v1_path(tmp_path):
    outdir = tmp_path / "cdktf.out"
    assert synth.main(["--config", str(ROOT / "config.v1.example.yaml"), "--outdir", str(outdir), "--quiet"]) == 0
    gateway = (outdir / "stacks" / "inference-gateway" / "cdk.tf.json").read_text()
    assert '"helm_release"' in gateway and '"module"' not in gateway
    assert "/v1.5.0/manifests.yaml" in (outdir / "stacks" / "prerequisites" / "cdk.tf.json").read_text()


@pytest.mark.parametrize("api_version", ["v1alpha2", "v1"])
def test_edge_example_yaml_synthesizes_on_both_paths(api_version, tmp_path):
    text = (ROOT / "config.edge.example.yaml").read_text().replace("api_version: v1alpha2",
                                                                   f"api_version: {api_version}")
    config = tmp_path / "edge.yaml"
    config.write_text(text)
    outdir = tmp_path / "cdktf.out"
    assert synth.main(["--config", str(config), "--outdir", str(outdir), "--quiet"]) == 0
    gateway = json.loads((outdir / "stacks" / "inference-gateway" / "cdk.tf.json").read_text())
    assert set(gateway["resource"]) >= {"google_compute_address", "google_certificate_manager_certificate",
                                        "google_model_armor_template", "google_project_iam_member"}
    assert gateway["output"]["gateway_url"]["value"] == "https://llm.example.com"


def test_a_public_gateway_without_access_control_is_said_in_one_warning(tmp_path, capsys):
    assert synth.main(["--outdir", str(tmp_path / "public")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1
    assert "gke-l7-regional-external-managed" in warnings[0] and "gateway_class: gke-l7-rilb" in warnings[0]
    outputs = json.loads((tmp_path / "public" / "stacks" / "inference-gateway" / "cdk.tf.json").read_text())["output"]
    assert "Public, unauthenticated" in outputs["gateway_address"]["description"]


def test_an_internal_gateway_is_not_warned_about(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("gateway:\n  gateway_class: gke-l7-rilb\n")
    assert synth.main(["--config", str(config), "--outdir", str(tmp_path / "internal")]) == 0
    assert "warning:" not in capsys.readouterr().err
    outputs = json.loads((tmp_path / "internal" / "stacks" / "inference-gateway" / "cdk.tf.json").read_text())
    assert "Reachable from the VPC only" in outputs["output"]["gateway_address"]["description"]
