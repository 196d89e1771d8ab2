"""Typed settings of a vLLM model server; every default is the tutorial's value."""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Mapping
from typing import Literal

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.metric_names import VllmMetrics, image_version, vllm_metrics
from constructs_lib._core.props import Props
from constructs_lib._core.releases import Version, parse_version
from constructs_lib._model_server import drain as drain
from constructs_lib._model_server.autoscaling import MAX_POLICY_PERIOD_SECONDS, VLLM_TARGETS, AutoscalingProps
from constructs_lib._model_server.drain import DrainProfile
from constructs_lib._model_server.pod_monitoring import PodMonitoringProps

#: GPU types GKE accepts in ``cloud.google.com/gke-accelerator``.
GKE_ACCELERATORS = (
    "nvidia-tesla-t4",
    "nvidia-tesla-p4",
    "nvidia-tesla-p100",
    "nvidia-tesla-v100",
    "nvidia-l4",
    "nvidia-tesla-a100",
    "nvidia-a100-80gb",
    "nvidia-h100-80gb",
    "nvidia-h100-mega-80gb",
    "nvidia-h200-141gb",
    "nvidia-b200",
    "nvidia-gb200",
    "nvidia-rtx-pro-6000",
)
ACCELERATOR_LABEL = "cloud.google.com/gke-accelerator"
GPU_RESOURCE = "nvidia.com/gpu"
DEFAULT_SYNCER_IMAGE = "registry.k8s.io/gateway-api-inference-extension/lora-syncer:v1.0.0"

TUTORIAL_PRE_STOP_SECONDS = 30
TUTORIAL_TERMINATION_GRACE_SECONDS = 130
_RESERVED_ENV = ("VLLM_USE_V1", "PORT", "HUGGING_FACE_HUB_TOKEN", "VLLM_ALLOW_RUNTIME_LORA_UPDATING")


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoraAdapter(Props):
    """A LoRA adapter the syncer sidecar loads into vLLM at run time.

    Attributes:
        id: the name clients send as ``model``; unique per server.
        source: where vLLM loads it from (a Hugging Face repo id or a path).
        base_model: the model the adapter was trained on, written as ``base-model`` in
            the syncer's config. Default ``None``: the server's base model.
    """

    id: str
    source: str
    base_model: str | None = None

    def problems(self) -> list[Problem]:
        found = [*checks.model_name("id", self.id), *checks.not_blank("source", self.source)]
        found += checks.free_text("source", self.source)
        if self.base_model is not None:
            found.extend(checks.not_blank("base_model", self.base_model))
            found.extend(checks.free_text("base_model", self.base_model))
        return found


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProbeSettings(Props):
    """An HTTP probe on the server's ``/health``.

    Attributes:
        failure_threshold: consecutive failures before Kubernetes acts.
        period_seconds: seconds between probes. Default 1.
        success_threshold: successes that count as healthy. Default ``None``: Kubernetes' 1.
        timeout_seconds: seconds before one probe fails. Default ``None``: Kubernetes' 1.
        initial_delay_seconds: seconds before the first probe. Default ``None``: 0.
    """

    failure_threshold: int
    period_seconds: int = 1
    success_threshold: int | None = None
    timeout_seconds: int | None = None
    initial_delay_seconds: int | None = None

    def problems(self) -> list[Problem]:
        found = list(checks.at_least("failure_threshold", self.failure_threshold, 1))
        found.extend(checks.at_least("period_seconds", self.period_seconds, 1))
        for name in ("failure_threshold", "period_seconds", "success_threshold", "timeout_seconds",
                     "initial_delay_seconds"):
            if getattr(self, name) is not None:
                found.extend(checks.int32(name, getattr(self, name)))
        for name in ("success_threshold", "timeout_seconds"):
            value = getattr(self, name)
            if value is not None:
                found.extend(checks.at_least(name, value, 1))
        if self.initial_delay_seconds is not None:
            found.extend(checks.at_least("initial_delay_seconds", self.initial_delay_seconds, 0))
        return found

    def window_seconds(self) -> int:
        """How long the probe tolerates failure before it gives up."""
        return (self.initial_delay_seconds or 0) + self.failure_threshold * self.period_seconds


def _liveness() -> ProbeSettings:
    return ProbeSettings(period_seconds=1, success_threshold=1, failure_threshold=5, timeout_seconds=1)


def _readiness() -> ProbeSettings:
    return ProbeSettings(period_seconds=1, success_threshold=1, failure_threshold=1, timeout_seconds=1)


def _startup() -> ProbeSettings:
    return ProbeSettings(failure_threshold=3600, initial_delay_seconds=2, period_seconds=1)


def _tutorial_adapters() -> tuple[LoraAdapter, ...]:
    return (
        LoraAdapter(id="food-review", source="Kawon/llama3.1-food-finetune_v14_r8"),
        LoraAdapter(id="cad-fabricator", source="redcathode/fabricator"),
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class HuggingFaceToken(Props):
    """How the server gets its Hugging Face token. The value never enters the synthesized
    JSON, the logs or (with ``terraform_variable``) the Terraform state.

    Attributes:
        mode: ``existing_secret`` (default) reads a Secret created out of band, as the
            tutorial does with ``kubectl create secret``; ``terraform_variable`` creates it
            from the sensitive, ephemeral variable ``hf_token`` through the write-only
            ``data_wo`` (Terraform >= 1.11); ``none`` for public models: no variable at all.
        secret_name: the Secret's name. Default ``hf-token``.
        secret_key: the key holding the token. Default ``token``.
    """

    mode: Literal["existing_secret", "terraform_variable", "none"] = "existing_secret"
    secret_name: str = "hf-token"
    secret_key: str = "token"

    def problems(self) -> list[Problem]:
        return [*checks.dns_subdomain("secret_name", self.secret_name),
                *checks.secret_key("secret_key", self.secret_key)]


@dataclasses.dataclass(frozen=True, kw_only=True)
class VllmModelServerProps(Props):
    """A vLLM OpenAI-compatible server Deployment with LoRA adapters loaded at run time.

    Attributes:
        name: Deployment name (an RFC 1123 label of at most 53 characters, since it also names
            the derived pool's Helm release), and the ``app`` label unless ``labels`` is given.
        namespace: where the Deployment and ConfigMap live. Default ``default``.
        model: base model id passed to ``--model``.
        image: vLLM image. Pin by digest (``...@sha256:...``) for reproducible rollouts.
        image_pull_policy: ``Always`` (tutorial), ``IfNotPresent`` or ``Never``.
        replicas: pod count.
        accelerator: GKE GPU type for the node selector; one of ``GKE_ACCELERATORS``.
            Default ``nvidia-tesla-a100`` (the tutorial's YAML; its text says L4).
        gpu_count: GPUs per pod (request and limit).
        tensor_parallel_size: vLLM ``--tensor-parallel-size``; at most ``gpu_count``.
        port: HTTP port of the server (``--port``, ``PORT``, container port ``http``).
        max_loras: adapters resident on the GPU at once (``--max-loras``).
        max_cpu_loras: adapters cached in CPU memory (``--max-cpu-loras``); at least max_loras.
        adapters: LoRA adapters the syncer keeps loaded. Empty: no LoRA flags, no syncer.
        adapters_config_map: the syncer's ConfigMap name.
        syncer_config_name: ``vLLMLoRAConfig.name`` in the syncer config.
        syncer_image: the lora-syncer image. Default: the pinned, published v1.0.0 (the
            tutorial's staging ``:main`` tag is gone).
        extra_args: appended to vLLM's arguments.
        extra_env: added to vLLM's environment (names the server sets itself are refused).
        labels: pod labels and Deployment selector. Default ``{"app": name}``.
        node_selector: merged over the accelerator selector.
        liveness_probe / readiness_probe: probe timings (the tutorial's by default).
        startup_probe: startup probe timings. Default ``None``: the tutorial's (3600 x 1 s
            after 2 s), or a window covering ``drain_profile.max_model_load_seconds``.
        pre_stop_seconds: ``preStop`` sleep while the load balancer stops sending traffic.
            Default ``None``: 30 (tutorial), or ``drain_profile.lb_deregistration_seconds``.
        termination_grace_seconds: pod ``terminationGracePeriodSeconds``. Default ``None``:
            130 (tutorial), or derived from ``drain_profile``; must cover preStop + drain.
        drain_profile: workload measurements from which the three settings above are
            derived (see ``DrainProfile`` and ``explain_drain``). Default ``None``: the tutorial's numbers.
        hardened: drop all capabilities, forbid privilege escalation, use the
            ``RuntimeDefault`` seccomp profile and mount no service account token. Neither
            container needs any of these. Default ``True``; ``False`` is the tutorial's pod.
        hf_token: where the Hugging Face token comes from.
        vllm_version: the vLLM release the image runs (``v0.8.5``), which decides the
            names of its metrics. Default ``None``: read from the image tag; give it when
            the image is pinned by digest and autoscaling or a dashboard uses the metrics.
        metrics: how Managed Prometheus scrapes the server (a PodMonitoring). Default: every
            15 s on ``/metrics``. ``None``: not scraped.
        autoscaling: a HorizontalPodAutoscaler on inference load; the Deployment then leaves
            ``replicas`` to it. Needs the Custom Metrics Stackdriver Adapter
            (``observability.metrics_adapter``). Default ``None``: ``replicas`` pods.
    """

    name: str = "vllm-llama3-8b-instruct"
    namespace: str = "default"
    model: str = "meta-llama/Llama-3.1-8B-Instruct"
    image: str = "vllm/vllm-openai:v0.8.5"
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] = "Always"
    replicas: int = 1
    accelerator: str = "nvidia-tesla-a100"
    gpu_count: int = 1
    tensor_parallel_size: int = 1
    port: int = 8000
    max_loras: int = 2
    max_cpu_loras: int = 12
    adapters: tuple[LoraAdapter, ...] = dataclasses.field(default_factory=_tutorial_adapters)
    adapters_config_map: str = "vllm-llama3-8b-adapters"
    syncer_config_name: str = "vllm-llama3.1-8b-instruct"
    syncer_image: str = DEFAULT_SYNCER_IMAGE
    extra_args: tuple[str, ...] = ()
    extra_env: Mapping[str, str] = dataclasses.field(default_factory=dict)
    labels: Mapping[str, str] | None = None
    node_selector: Mapping[str, str] = dataclasses.field(default_factory=dict)
    liveness_probe: ProbeSettings = dataclasses.field(default_factory=_liveness)
    readiness_probe: ProbeSettings = dataclasses.field(default_factory=_readiness)
    startup_probe: ProbeSettings | None = None
    pre_stop_seconds: int | None = None
    termination_grace_seconds: int | None = None
    drain_profile: DrainProfile | None = None
    hardened: bool = True
    hf_token: HuggingFaceToken = dataclasses.field(default_factory=HuggingFaceToken)
    vllm_version: str | None = None
    metrics: PodMonitoringProps | None = dataclasses.field(default_factory=PodMonitoringProps)
    autoscaling: AutoscalingProps | None = None

    @property
    def effective_vllm_version(self) -> Version | None:
        """The vLLM release: as given, else from the image tag; ``None`` when unknown."""
        if self.vllm_version is not None:
            return parse_version(self.vllm_version)
        return image_version(self.image)

    @property
    def vllm_metric_names(self) -> VllmMetrics | None:
        """The names this server's metrics have; ``None`` when its release is unknown."""
        version = self.effective_vllm_version
        return vllm_metrics(version) if version is not None else None

    @property
    def effective_pre_stop_seconds(self) -> int:
        if self.pre_stop_seconds is not None:
            return self.pre_stop_seconds
        if self.drain_profile is not None:
            return self.drain_profile.lb_deregistration_seconds
        return TUTORIAL_PRE_STOP_SECONDS

    @property
    def effective_termination_grace_seconds(self) -> int:
        if self.termination_grace_seconds is not None:
            return self.termination_grace_seconds
        if self.drain_profile is not None:
            return drain.termination_grace_seconds(self.drain_profile)
        return TUTORIAL_TERMINATION_GRACE_SECONDS

    @property
    def effective_startup_probe(self) -> ProbeSettings:
        if self.startup_probe is not None:
            return self.startup_probe
        tutorial = _startup()
        if self.drain_profile is None:
            return tutorial
        threshold = drain.startup_failure_threshold(
            self.drain_profile, tutorial.period_seconds, tutorial.initial_delay_seconds or 0)
        return dataclasses.replace(tutorial, failure_threshold=threshold)

    @property
    def pod_labels(self) -> Mapping[str, str]:
        """A read-only view, not a copy: pools match every server against these labels,
        which a 50-server app does tens of thousands of times, and a view keeps a caller
        from changing the props through them. (Not cached: a view cannot be deep-copied.)"""
        return types.MappingProxyType(self.labels if self.labels is not None else {"app": self.name})

    @property
    def model_names(self) -> tuple[str, ...]:
        """Every name clients may send as ``model``: the base model, then each adapter."""
        return (self.model, *(adapter.id for adapter in self.adapters))

    def problems(self) -> list[Problem]:
        # The name also names the derived pool, which becomes a Helm release.
        found = list(checks.helm_release_name("name", self.name, "the derived pool becomes one"))
        found += checks.dns_label("namespace", self.namespace)
        # Clients send the base model's id as ``model``, and the gateway matches it by name.
        found += checks.model_name("model", self.model)
        found += checks.image_reference("image", self.image)
        found += checks.image_reference("syncer_image", self.syncer_image)
        for name in ("replicas", "gpu_count", "tensor_parallel_size", "max_loras", "max_cpu_loras"):
            found += checks.int32(name, getattr(self, name))
        found += checks.free_text("syncer_config_name", self.syncer_config_name)
        # The syncer names its vLLMLoRAConfig with it; an empty name is a config it cannot use.
        found += checks.not_blank("syncer_config_name", self.syncer_config_name,
                                  "give the LoRA config a name, e.g. the server's name")
        found += [problem for index, arg in enumerate(self.extra_args)
                  for problem in checks.free_text(f"extra_args[{index}]", arg)]
        found += [problem for name, value in self.extra_env.items()
                  for problem in checks.free_text(f"extra_env.{name}", value)]
        found += checks.at_least("replicas", self.replicas, 0)
        found += checks.at_least("gpu_count", self.gpu_count, 1)
        found += checks.at_least("tensor_parallel_size", self.tensor_parallel_size, 1)
        found += checks.port("port", self.port)
        found += checks.at_least("max_loras", self.max_loras, 1)
        found += checks.at_least("max_cpu_loras", self.max_cpu_loras, self.max_loras)
        found += checks.dns_subdomain("adapters_config_map", self.adapters_config_map)
        for name in ("pre_stop_seconds", "termination_grace_seconds"):
            if getattr(self, name) is not None:
                found += checks.at_least(name, getattr(self, name), 0)
        found += checks.unique("adapters", (adapter.id for adapter in self.adapters), "adapter id")
        found += checks.env_names("extra_env", self.extra_env)
        found += checks.labels("node_selector", self.node_selector) if self.node_selector else []
        if self.labels is not None:
            found += checks.labels("labels", self.labels)
        if self.accelerator not in GKE_ACCELERATORS:
            found.append(Problem("accelerator", self.accelerator, "is not a GKE accelerator type",
                                 f"use one of: {', '.join(GKE_ACCELERATORS)}"))
        if self.tensor_parallel_size > self.gpu_count:
            found.append(Problem("tensor_parallel_size", self.tensor_parallel_size,
                                 f"exceeds gpu_count ({self.gpu_count})",
                                 "raise gpu_count or lower tensor_parallel_size"))
        for index, adapter in enumerate(self.adapters):
            if adapter.id == self.model:
                found.append(Problem(f"adapters[{index}].id", adapter.id, "is the base model's name",
                                     "give the adapter its own id"))
        for name in _RESERVED_ENV:
            if name in self.extra_env:
                found.append(Problem(f"extra_env.{name}", self.extra_env[name],
                                     "is set by the server itself", "use the matching prop instead"))
        if self.vllm_version is not None and parse_version(self.vllm_version) is None:
            found.append(Problem("vllm_version", self.vllm_version, "is not a vLLM release",
                                 "write it like v0.8.5"))
        if not found:
            found += self._timing_problems()
        if not found and self.autoscaling is not None:
            found += self._autoscaling_problems(self.autoscaling)
        return found

    def _autoscaling_problems(self, autoscaling: AutoscalingProps) -> list[Problem]:
        """The HPA owns the replica count, reads this server's metrics, and its scale-down
        period must cover the grace period."""
        found = []
        if self.replicas != 1:
            found.append(Problem("replicas", self.replicas, "is decided by the HPA when autoscaling is set",
                                 "remove replicas and set autoscaling.min_replicas instead"))
        metric = autoscaling.target.metric
        if metric in VLLM_TARGETS and self.metrics is None:
            found.append(Problem("autoscaling.target.metric", metric,
                                 "reads the server's own metrics, which metrics: null leaves unscraped",
                                 "remove metrics: null, or scale on pool_queue_size"))
        elif metric in VLLM_TARGETS:
            found += checks.known_vllm_release("vllm_version", self.vllm_metric_names is not None, self.image,
                                               f"autoscaling on {metric}")
        grace = self.effective_termination_grace_seconds
        if grace > MAX_POLICY_PERIOD_SECONDS:
            found.append(Problem("termination_grace_seconds", grace,
                                 f"exceeds {MAX_POLICY_PERIOD_SECONDS} s, the longest scale-down period an HPA "
                                 "accepts, so scale-down could remove pods that are still draining",
                                 f"keep the grace period at most {MAX_POLICY_PERIOD_SECONDS} s"))
        return found

    def _timing_problems(self) -> list[Problem]:
        """Shutdown must outlast preStop plus the drain; startup must outlast the load."""
        found: list[Problem] = []
        if self.drain_profile is not None:
            inputs = "drain_profile"
            found += checks.derived_int("termination_grace_seconds", self.effective_termination_grace_seconds,
                                        checks.INT64_MAX, inputs)
            found += checks.derived_int("startup_probe.failure_threshold",
                                        self.effective_startup_probe.failure_threshold, checks.INT32_MAX, inputs)
            if found:
                return found
        grace, pre_stop = self.effective_termination_grace_seconds, self.effective_pre_stop_seconds
        drain_time = drain.drain_seconds(self.drain_profile) if self.drain_profile is not None else 0.0
        if grace < pre_stop + drain_time:
            needed = pre_stop + drain_time
            found.append(Problem("termination_grace_seconds", grace,
                                 f"is shorter than preStop {pre_stop} s + drain {drain_time:g} s = {needed:g} s, "
                                 "so in-flight requests are killed",
                                 f"raise it to at least {math.ceil(needed)} or leave it unset"))
        if self.drain_profile is not None:
            window = self.effective_startup_probe.window_seconds()
            load = self.drain_profile.max_model_load_seconds
            if window < load:
                found.append(Problem("startup_probe", window,
                                     f"gives up after {window} s, before the {load} s model load",
                                     "raise failure_threshold or leave startup_probe unset"))
        return found
