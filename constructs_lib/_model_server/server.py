"""The tutorial's vLLM Deployment and LoRA adapter ConfigMap, as a construct."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from cdktf import ITerraformDependable
from constructs import Construct

from constructs_lib._core.literal import literal
from constructs_lib._model_server.autoscaler import autoscaler_manifest
from constructs_lib._model_server.autoscaling import PoolTarget
from constructs_lib._model_server.pod_monitoring import (
    BASE_MODEL_LABEL,
    METRICS_PORT_NAME,
    PODMONITORING_API,
    POOL_LABEL,
    SERVER_LABEL,
    PodMonitoringProps,
)
from constructs_lib._model_server.server_props import (
    ACCELERATOR_LABEL,
    GPU_RESOURCE,
    ProbeSettings,
    VllmModelServerProps,
)
from constructs_lib._terraform.manifests import KubernetesManifest, adopt, kubernetes_manifest

SYNCER_CONFIG_KEY = "configmap.yaml"
#: GPUs reach the container through the device plugin, not through privileges, so vLLM and
#: the syncer run with no capabilities, no privilege escalation and the default seccomp
#: filter. Not ``runAsNonRoot``: the vLLM image runs as root and writes to /root/.cache.
HARDENED_CONTAINER: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
SYNCER_CONFIG_DIR = "/config"


def syncer_config(props: VllmModelServerProps) -> str:
    """The lora-syncer's ``vLLMLoRAConfig`` document (note the hyphen in ``base-model``)."""
    models = []
    for adapter in props.adapters:
        entry = {"id": adapter.id, "source": adapter.source}
        if adapter.base_model is not None:
            entry["base-model"] = adapter.base_model
        models.append(entry)
    document = {"vLLMLoRAConfig": {
        "name": props.syncer_config_name,
        "port": props.port,
        "defaultBaseModel": props.model,
        "ensureExist": {"models": models},
    }}
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False)


def _probe(settings: ProbeSettings) -> dict[str, Any]:
    probe: dict[str, Any] = {"httpGet": {"path": "/health", "port": "http", "scheme": "HTTP"}}
    for key, value in (
        ("initialDelaySeconds", settings.initial_delay_seconds),
        ("periodSeconds", settings.period_seconds),
        ("successThreshold", settings.success_threshold),
        ("failureThreshold", settings.failure_threshold),
        ("timeoutSeconds", settings.timeout_seconds),
    ):
        if value is not None:
            probe[key] = value
    return probe


def _vllm_args(props: VllmModelServerProps) -> list[str]:
    args = ["--model", props.model, "--tensor-parallel-size", str(props.tensor_parallel_size),
            "--port", str(props.port)]
    if props.adapters:
        args += ["--enable-lora", "--max-loras", str(props.max_loras),
                 "--max-cpu-loras", str(props.max_cpu_loras)]
    return args + list(props.extra_args)


def _vllm_env(props: VllmModelServerProps) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [
        {"name": "VLLM_USE_V1", "value": "1"},
        {"name": "PORT", "value": str(props.port)},
    ]
    if props.hf_token.mode != "none":
        env.append({"name": "HUGGING_FACE_HUB_TOKEN", "valueFrom": {"secretKeyRef": {
            "name": props.hf_token.secret_name, "key": props.hf_token.secret_key}}})
    if props.adapters:
        env.append({"name": "VLLM_ALLOW_RUNTIME_LORA_UPDATING", "value": "true"})
    env += [{"name": name, "value": value} for name, value in sorted(props.extra_env.items())]
    return env


def _syncer_container(props: VllmModelServerProps) -> dict[str, Any]:
    return {
        "name": "lora-adapter-syncer",
        "tty": True,
        "stdin": True,
        "image": props.syncer_image,
        # A native sidecar: an init container that keeps running beside vLLM.
        "restartPolicy": "Always",
        "imagePullPolicy": "Always",
        "env": [{"name": "DYNAMIC_LORA_ROLLOUT_CONFIG",
                 "value": f"{SYNCER_CONFIG_DIR}/{SYNCER_CONFIG_KEY}"}],
        # No subPath: ConfigMap updates do not reach subPath mounts.
        "volumeMounts": [{"name": "config-volume", "mountPath": SYNCER_CONFIG_DIR}],
    }


def deployment_manifest(props: VllmModelServerProps) -> dict[str, Any]:
    """The Deployment as the API server will receive it."""
    gpus = {GPU_RESOURCE: props.gpu_count}
    mounts = [{"mountPath": "/data", "name": "data"}, {"mountPath": "/dev/shm", "name": "shm"}]
    volumes: list[dict[str, Any]] = [
        {"name": "data", "emptyDir": {}},
        {"name": "shm", "emptyDir": {"medium": "Memory"}},
    ]
    if props.adapters:
        mounts.append({"name": "adapters", "mountPath": "/adapters"})
        volumes += [
            {"name": "adapters", "emptyDir": {}},
            {"name": "config-volume", "configMap": {"name": props.adapters_config_map}},
        ]
    vllm = {
        "name": "vllm",
        "image": props.image,
        "imagePullPolicy": props.image_pull_policy,
        "command": ["python3", "-m", "vllm.entrypoints.openai.api_server"],
        "args": _vllm_args(props),
        "env": _vllm_env(props),
        "ports": [{"containerPort": props.port, "name": "http", "protocol": "TCP"}],
        "livenessProbe": _probe(props.liveness_probe),
        "readinessProbe": _probe(props.readiness_probe),
        "startupProbe": _probe(props.effective_startup_probe),
        "resources": {"limits": dict(gpus), "requests": dict(gpus)},
        "volumeMounts": mounts,
    }
    if props.effective_pre_stop_seconds > 0:
        # A zero-second sleep is only valid from Kubernetes 1.33: no hook at all instead.
        vllm["lifecycle"] = {"preStop": {"sleep": {"seconds": props.effective_pre_stop_seconds}}}
    pod_spec: dict[str, Any] = {"containers": [vllm]}
    if props.adapters:
        pod_spec["initContainers"] = [_syncer_container(props)]
    if props.hardened:
        for container in [*pod_spec["containers"], *pod_spec.get("initContainers", [])]:
            container["securityContext"] = dict(HARDENED_CONTAINER)
        # Neither vLLM nor the syncer calls the Kubernetes API.
        pod_spec["automountServiceAccountToken"] = False
        pod_spec["securityContext"] = {"seccompProfile": {"type": "RuntimeDefault"}}
    pod_spec |= {
        "restartPolicy": "Always",
        # A Service named 'vllm' would inject VLLM_PORT=tcp://... and crash vLLM.
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": props.effective_termination_grace_seconds,
        "nodeSelector": {ACCELERATOR_LABEL: props.accelerator, **props.node_selector},
        "volumes": volumes,
    }
    labels = props.pod_labels
    spec: dict[str, Any] = {
        "selector": {"matchLabels": dict(labels)},
        "template": {"metadata": {"labels": dict(labels)}, "spec": pod_spec},
    }
    if props.autoscaling is None:
        # With an HPA the field stays out: the HPA owns it, and the next apply must not
        # reset what it decided.
        spec = {"replicas": props.replicas, **spec}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": props.name, "namespace": props.namespace},
        "spec": spec,
    }


def adapters_config_map_manifest(props: VllmModelServerProps) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": props.adapters_config_map, "namespace": props.namespace},
        "data": {SYNCER_CONFIG_KEY: syncer_config(props)},
    }


def _constant_label(name: str, value: str) -> dict[str, str]:
    """A relabeling rule that sets ``name`` to ``value`` on every scraped series."""
    return {"action": "replace", "targetLabel": name, "replacement": value}


def join_labels(server: VllmModelServerProps, pool: str | None) -> dict[str, str]:
    """The labels every series of ``server`` carries, by label name."""
    labels = {SERVER_LABEL: server.name, BASE_MODEL_LABEL: server.model}
    if pool is not None:
        labels[POOL_LABEL] = pool
    return labels


def pod_monitoring_manifest(server: VllmModelServerProps, settings: PodMonitoringProps,
                            pool: str | None) -> dict[str, Any]:
    """The PodMonitoring for ``server``: in its namespace (a PodMonitoring selects pods of
    its own namespace only), selecting exactly its pods."""
    return {
        "apiVersion": PODMONITORING_API,
        "kind": "PodMonitoring",
        "metadata": {
            "name": server.name,
            "namespace": server.namespace,
            "labels": {"app.kubernetes.io/name": "vllm",
                       "app.kubernetes.io/part-of": "google-cloud-managed-prometheus"},
        },
        "spec": {
            "selector": {"matchLabels": dict(server.pod_labels)},
            "endpoints": [{
                "port": METRICS_PORT_NAME,
                "scheme": "http",
                "path": settings.path,
                "interval": settings.interval,
                "metricRelabeling": [_constant_label(name, value)
                                     for name, value in join_labels(server, pool).items()],
            }],
        },
    }


class VllmModelServer(Construct):
    """A vLLM server (Deployment) and, with adapters, the syncer's ConfigMap; its
    PodMonitoring unless ``props.metrics`` is ``None``; its HPA when ``props.autoscaling``.

    Construct ids: ``deployment``, ``adapters``, ``pod-monitoring`` and ``autoscaler``. The
    Hugging Face token Secret is not created here (several servers may share one); see
    ``HuggingFaceTokenSecret``, and pass it in ``depends_on`` so the pod never starts
    before its Secret exists. ``pool`` is the InferencePool in front of the server: it
    labels the metrics and is what ``pool_*`` autoscaling targets read.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: VllmModelServerProps | None = None,
        depends_on: Sequence[ITerraformDependable] = (),
        pool: PoolTarget | None = None,
    ) -> None:
        super().__init__(scope, id)
        adopt(self, scope, id)
        self.props = props or VllmModelServerProps()
        after = list(depends_on)
        text = literal(self.props)
        self.config_map: KubernetesManifest | None = None
        if text.adapters:
            self.config_map = kubernetes_manifest(self, "adapters", manifest=adapters_config_map_manifest(text))
            after.append(self.config_map)
        self.deployment = kubernetes_manifest(
            self, "deployment", manifest=deployment_manifest(text), depends_on=after or None
        )
        self.pod_monitoring: KubernetesManifest | None = None
        if self.props.metrics is not None:
            self.pod_monitoring = kubernetes_manifest(self, "pod-monitoring", manifest=pod_monitoring_manifest(
                text, text.metrics, pool.name if pool is not None else None))
        self.autoscaler: KubernetesManifest | None = None
        if self.props.autoscaling is not None:
            self.autoscaler = kubernetes_manifest(
                self, "autoscaler", depends_on=[self.deployment],
                manifest=autoscaler_manifest(text, text.autoscaling, text.vllm_metric_names, pool))
