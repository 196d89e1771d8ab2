"""The model server: tutorial defaults field by field, props, token modes."""

import copy
import dataclasses
import json

import pytest
import yaml
from helpers import FIXTURES, by_path, manifests
from k8s_schema import schema_errors

from constructs_lib import ConfigError, HuggingFaceToken, LoraAdapter, ProbeSettings, VllmModelServerProps
from constructs_lib._model_server.server import deployment_manifest, syncer_config
from constructs_lib._model_server.server_props import DEFAULT_SYNCER_IMAGE
from stacks.config import AppConfig

SERVER = "vllm-llama3-8b-instruct"


def tutorial_objects(hardened=True):
    """The tutorial's objects with our documented deviations applied."""
    deployment, config_map = yaml.safe_load_all((FIXTURES / "tutorial_vllm.yaml").read_text())
    pod = deployment["spec"]["template"]["spec"]
    pod["initContainers"][0]["image"] = DEFAULT_SYNCER_IMAGE
    # kubectl used the context's namespace; Terraform states it.
    deployment["metadata"]["namespace"] = config_map["metadata"]["namespace"] = "default"
    if hardened:
        for container in pod["containers"] + pod["initContainers"]:
            container["securityContext"] = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                            "seccompProfile": {"type": "RuntimeDefault"}}
        pod["automountServiceAccountToken"] = False
        pod["securityContext"] = {"seccompProfile": {"type": "RuntimeDefault"}}
    return deployment, config_map


def emitted(stacks):
    found = manifests(stacks["model-servers"])
    return found[f"{SERVER}/deployment"], found[f"{SERVER}/adapters"]


def _semantic(config_map):
    body = copy.deepcopy(config_map)
    body["data"]["configmap.yaml"] = yaml.safe_load(body["data"]["configmap.yaml"])
    return body


def test_default_deployment_equals_the_tutorials(default_stacks):
    deployment, _ = emitted(default_stacks)
    assert deployment == tutorial_objects()[0]


def test_unhardened_deployment_is_the_tutorials_exact_pod():
    assert deployment_manifest(dataclasses.replace(BASE, hardened=False)) == tutorial_objects(hardened=False)[0]


def test_hardening_touches_only_security_settings():
    diff = _flat_diff(deployment_manifest(dataclasses.replace(BASE, hardened=False)), deployment_manifest(BASE))
    assert diff == [
        ".spec.template.spec.automountServiceAccountToken",
        f"{CONTAINER}.securityContext",
        ".spec.template.spec.initContainers[0].securityContext",
        ".spec.template.spec.securityContext",
    ]


def test_image_digests_are_accepted_and_malformed_ones_refused():
    digest = "vllm/vllm-openai@sha256:" + "0" * 64
    assert deployment_manifest(dataclasses.replace(BASE, image=digest))["spec"]["template"]["spec"][
        "containers"][0]["image"] == digest
    with pytest.raises(ConfigError) as caught:
        dataclasses.replace(BASE, syncer_image="registry.k8s.io/x@sha256:abc")
    assert caught.value.problems[0].field == "syncer_image"


def test_default_config_map_equals_the_tutorials(default_stacks):
    _, config_map = emitted(default_stacks)
    assert _semantic(config_map) == _semantic(tutorial_objects()[1])


def test_only_the_syncer_image_differs_from_the_tutorial():
    deployment, _ = yaml.safe_load_all((FIXTURES / "tutorial_vllm.yaml").read_text())
    ours = deployment_manifest(VllmModelServerProps())
    syncer = ours["spec"]["template"]["spec"]["initContainers"][0]
    assert syncer["image"] == DEFAULT_SYNCER_IMAGE
    assert deployment["spec"]["template"]["spec"]["initContainers"][0]["image"].endswith(":main")


def _pod(props):
    return deployment_manifest(props)["spec"]["template"]["spec"]


def _flat_diff(a, b, prefix=""):
    """Paths whose values differ between two JSON-like values."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = sorted(set(a) | set(b))
        return [p for key in keys for p in _flat_diff(a.get(key), b.get(key), f"{prefix}.{key}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return [p for i, (x, y) in pairs for p in _flat_diff(x, y, f"{prefix}[{i}]")]
    return [] if a == b else [prefix]


BASE = VllmModelServerProps()
CONTAINER = ".spec.template.spec.containers[0]"


@pytest.mark.parametrize(("change", "paths"), [
    ({"image": "vllm/vllm-openai@sha256:" + "a" * 64}, [f"{CONTAINER}.image"]),
    ({"image_pull_policy": "IfNotPresent"}, [f"{CONTAINER}.imagePullPolicy"]),
    ({"replicas": 3}, [".spec.replicas"]),
    ({"accelerator": "nvidia-l4"}, [".spec.template.spec.nodeSelector.cloud.google.com/gke-accelerator"]),
    ({"model": "meta-llama/Llama-3.2-1B"}, [f"{CONTAINER}.args[1]"]),
    ({"max_loras": 4}, [f"{CONTAINER}.args[8]"]),
    ({"max_cpu_loras": 20}, [f"{CONTAINER}.args[10]"]),
    ({"pre_stop_seconds": 10}, [f"{CONTAINER}.lifecycle.preStop.sleep.seconds"]),
    ({"termination_grace_seconds": 200}, [".spec.template.spec.terminationGracePeriodSeconds"]),
    ({"syncer_image": "example.com/syncer:v1"}, [".spec.template.spec.initContainers[0].image"]),
    ({"node_selector": {"pool": "gpu"}}, [".spec.template.spec.nodeSelector.pool"]),
    ({"startup_probe": ProbeSettings(failure_threshold=600, initial_delay_seconds=2)},
     [f"{CONTAINER}.startupProbe.failureThreshold"]),
])
def test_each_prop_changes_exactly_its_field(change, paths):
    changed = deployment_manifest(dataclasses.replace(BASE, **change))
    assert _flat_diff(deployment_manifest(BASE), changed) == paths


def test_gpu_count_and_tensor_parallelism_move_together():
    pod = _pod(dataclasses.replace(BASE, gpu_count=4, tensor_parallel_size=4))
    container = pod["containers"][0]
    assert container["resources"] == {"limits": {"nvidia.com/gpu": 4}, "requests": {"nvidia.com/gpu": 4}}
    assert container["args"][2:4] == ["--tensor-parallel-size", "4"]


def test_port_changes_args_env_container_port_and_syncer_config():
    props = dataclasses.replace(BASE, port=9000)
    container = _pod(props)["containers"][0]
    assert container["args"][4:6] == ["--port", "9000"]
    assert {"name": "PORT", "value": "9000"} in container["env"]
    assert container["ports"] == [{"containerPort": 9000, "name": "http", "protocol": "TCP"}]
    assert yaml.safe_load(syncer_config(props))["vLLMLoRAConfig"]["port"] == 9000


def test_labels_drive_selector_and_pod_template():
    body = deployment_manifest(dataclasses.replace(BASE, labels={"app": "x", "tier": "llm"}))
    assert body["spec"]["selector"]["matchLabels"] == {"app": "x", "tier": "llm"}
    assert body["spec"]["template"]["metadata"]["labels"] == {"app": "x", "tier": "llm"}


def test_pod_labels_cannot_change_the_props_or_tie_the_manifests_together():
    props = dataclasses.replace(BASE, labels={"app": "x"})
    with pytest.raises(TypeError):
        props.pod_labels["app"] = "y"  # type: ignore[index]
    body = deployment_manifest(props)
    body["spec"]["selector"]["matchLabels"]["tier"] = "llm"
    assert body["spec"]["template"]["metadata"]["labels"] == {"app": "x"}
    assert props.pod_labels == {"app": "x"}
    assert copy.deepcopy(props) == props


def test_extra_args_and_env_are_appended():
    container = _pod(dataclasses.replace(BASE, extra_args=("--max-model-len", "8192"),
                                         extra_env={"B": "2", "A": "1"}))["containers"][0]
    assert container["args"][-2:] == ["--max-model-len", "8192"]
    assert container["env"][-2:] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]


def test_adapters_render_the_syncer_schema_with_base_model():
    props = dataclasses.replace(BASE, adapters=(
        LoraAdapter(id="sql", source="org/sql-lora", base_model="meta-llama/Llama-3.1-8B"),
        LoraAdapter(id="chat", source="org/chat-lora"),
    ))
    config = yaml.safe_load(syncer_config(props))["vLLMLoRAConfig"]
    assert config["ensureExist"]["models"] == [
        {"id": "sql", "source": "org/sql-lora", "base-model": "meta-llama/Llama-3.1-8B"},
        {"id": "chat", "source": "org/chat-lora"},
    ]
    assert config["defaultBaseModel"] == BASE.model


def test_no_adapters_means_no_lora_machinery(synth_config):
    props = dataclasses.replace(BASE, adapters=())
    pod = _pod(props)
    assert "initContainers" not in pod
    assert "--enable-lora" not in pod["containers"][0]["args"]
    assert {v["name"] for v in pod["volumes"]} == {"data", "shm"}
    stacks = synth_config(AppConfig(model_servers=(props,)))
    assert set(manifests(stacks["model-servers"])) == {f"{SERVER}/deployment", f"{SERVER}/pod-monitoring"}


def test_model_servers_can_be_turned_off(synth_config):
    stacks = synth_config(AppConfig(model_servers=(), gateway=None))
    assert "model-servers" not in stacks


@pytest.mark.parametrize("version", ["1.31", "1.32", "1.33"])
def test_manifests_pass_strict_kubernetes_validation(default_stacks, version):
    for body in emitted(default_stacks):
        assert schema_errors(body, version) == [], body["kind"]


@pytest.mark.parametrize(("change", "field"), [
    ({"adapters": (LoraAdapter(id="a", source="x"), LoraAdapter(id="a", source="y"))}, "adapters[1]"),
    ({"tensor_parallel_size": 2}, "tensor_parallel_size"),
    ({"accelerator": "nvidia-l5"}, "accelerator"),
    ({"port": 70000}, "port"),
    ({"name": "Bad_Name"}, "name"),
    ({"namespace": "no/slash"}, "namespace"),
    ({"replicas": "two"}, "replicas"),
    ({"extra_env": {"PORT": "1"}}, "extra_env.PORT"),
    ({"termination_grace_seconds": 10}, "termination_grace_seconds"),
    ({"image": "vllm/vllm-openai@sha256:short"}, "image"),
])
def test_bad_props_are_refused_naming_the_field(change, field):
    with pytest.raises(ConfigError) as caught:
        dataclasses.replace(BASE, **change)
    assert [problem.field for problem in caught.value.problems] == [field]
    assert "\n" not in caught.value.problems[0].render()


def test_unknown_accelerator_error_lists_the_valid_ones():
    with pytest.raises(ConfigError) as caught:
        dataclasses.replace(BASE, accelerator="nvidia-l5")
    assert "nvidia-l4" in str(caught.value) and "nvidia-tesla-a100" in str(caught.value)


def test_adapter_ids_must_be_usable_model_names():
    with pytest.raises(ConfigError) as caught:
        LoraAdapter(id="has space", source="x")
    assert caught.value.problems[0].field == "id"


TOKEN = "hf_SECRET_token_value_never_written"


@pytest.mark.parametrize("mode", ["existing_secret", "terraform_variable", "none"])
def test_no_token_value_in_any_synthesized_file(synth_config, tmp_path, mode, monkeypatch):
    monkeypatch.setenv("TF_VAR_hf_token", TOKEN)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    config = AppConfig(model_servers=(dataclasses.replace(BASE, hf_token=HuggingFaceToken(mode=mode)),))
    synth_config(config)
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="ignore"), path


def test_token_from_a_terraform_variable_is_write_only(synth_config):
    config = AppConfig(model_servers=(dataclasses.replace(
        BASE, hf_token=HuggingFaceToken(mode="terraform_variable")),))
    stack = synth_config(config)["model-servers"]
    variable = stack["variable"]["hf_token"]
    assert variable["sensitive"] is True and variable["ephemeral"] is True
    secret = by_path(stack, "kubernetes_secret_v1")["hf-token-default-hf-token/secret"]
    assert secret["data_wo"] == {"token": "${var.hf_token}"}
    assert secret["data_wo_revision"] == "${var.hf_token_revision}"
    assert "data" not in secret
    assert stack["terraform"]["required_version"] == ">= 1.11"
    deployment = by_path(stack, "kubernetes_manifest")[f"{SERVER}/deployment"]
    assert any(dep.startswith("kubernetes_secret_v1.") for dep in deployment["depends_on"])


def test_token_mode_none_has_no_token_env_or_variable(synth_config):
    config = AppConfig(model_servers=(dataclasses.replace(BASE, hf_token=HuggingFaceToken(mode="none")),))
    stack = synth_config(config)["model-servers"]
    container = by_path(stack, "kubernetes_manifest")[f"{SERVER}/deployment"]["manifest"]["spec"][
        "template"]["spec"]["containers"][0]
    assert "HUGGING_FACE_HUB_TOKEN" not in json.dumps(container)
    assert "hf_token" not in stack.get("variable", {})


def test_existing_secret_mode_creates_no_secret(default_stacks):
    assert "kubernetes_secret_v1" not in default_stacks["model-servers"].get("resource", {})
    assert "hf_token" not in default_stacks["model-servers"]["variable"]


def test_two_servers_sharing_a_config_map_name_are_refused():
    other = dataclasses.replace(BASE, name="other-server")
    with pytest.raises(ConfigError) as caught:
        AppConfig(model_servers=(BASE, other))
    assert caught.value.problems[0].field == "model_servers[1]"


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_syncer_config_name_is_refused(name):
    with pytest.raises(ConfigError) as error:
        VllmModelServerProps(syncer_config_name=name)
    assert [p.field for p in error.value.problems] == ["syncer_config_name"]


def test_a_type_error_and_a_range_error_are_reported_together(tmp_path, capsys):
    """Every problem at once: a wrong type in one field does not hide another field's value
    out of range, from Python or from YAML."""
    from cli import synth

    with pytest.raises(ConfigError) as error:
        VllmModelServerProps(replicas="three", port=70000)  # type: ignore[arg-type]
    assert [p.field for p in error.value.problems] == ["replicas", "port"]
    config = tmp_path / "config.yaml"
    config.write_text("model_servers:\n  - replicas: three\n    port: 70000\n")
    assert synth.main(["--config", str(config), "--outdir", str(tmp_path / "out")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split("=")[0] for line in lines] == [f"error: {config}:2: model_servers[0].replicas",
                                                      f"error: {config}:3: model_servers[0].port"]


def test_a_range_error_that_names_a_field_of_the_wrong_type_is_left_out():
    # gpu_count has the wrong type, so tensor_parallel_size cannot be judged against it.
    with pytest.raises(ConfigError) as error:
        VllmModelServerProps(gpu_count="two", tensor_parallel_size=2)  # type: ignore[arg-type]
    assert [p.field for p in error.value.problems] == ["gpu_count"]
