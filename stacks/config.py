"""The app's whole configuration: what ``main.py`` builds, from defaults, YAML or Python.

The default is the tutorial's example. Environment identity (project, cluster, region,
network) is not here: it stays in Terraform variables so one output serves many
environments.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from constructs_lib import (
    ClusterAccessProps,
    GieCrdsProps,
    GkeExtensionCrdsProps,
    InferenceGatewayProps,
    MetricsRbacProps,
    Problem,
    Props,
    VllmModelServerProps,
)
from constructs_lib import _checks as checks
from constructs_lib._gateway_props import cross_reference_problems
from constructs_lib._gateway_v1_props import InferenceGatewayV1Props, v1_problems
from constructs_lib._gie_crds import RELEASE_BY_API

#: GIE releases from v1.6.0 on no longer ship the InferenceObjective CRD in manifests.yaml.
LAST_RELEASE_WITH_OBJECTIVES_EXCLUSIVE = (1, 6, 0)


def _release(tag: str) -> tuple[int, ...]:
    return tuple(int(part) for part in tag.lstrip("v").split("."))


@dataclasses.dataclass(frozen=True, kw_only=True)
class PrerequisitesProps(Props):
    """The ``prerequisites`` stack.

    Attributes:
        crds: the GIE CRDs. Default: the release of the app's API version, downloaded at plan
            time. ``None`` when the cluster installs them (GKE 1.34.0-gke.1626000 and later
            installs the InferencePool v1 CRD).
        gke_extension_crds: GKE traffic/routing extension CRDs, for Model Armor on GKE older
            than 1.32.2-gke.1182001. Default ``None``: not installed.
        metrics_rbac: the metrics-reader RBAC. Default: installed, collector namespace chosen
            from the cluster. ``None`` skips it (Managed Prometheus will not scrape the picker).
    """

    crds: GieCrdsProps | None = dataclasses.field(default_factory=GieCrdsProps)
    gke_extension_crds: GkeExtensionCrdsProps | None = None
    metrics_rbac: MetricsRbacProps | None = dataclasses.field(default_factory=MetricsRbacProps)


@dataclasses.dataclass(frozen=True, kw_only=True)
class StateProps(Props):
    """Where each stack keeps its Terraform state.

    Attributes:
        backend: ``local`` (default) keeps ``terraform.<stack>.tfstate`` in the directory
            ``main.py`` runs from, outside ``cdktf.out/`` so a new synth never wipes it;
            ``gcs`` keeps it in a bucket, one prefix per stack.
        bucket: the GCS bucket, required with ``gcs``.
        prefix: path prefix inside the bucket. Default ``gke-inference-gateway``.
    """

    backend: Literal["local", "gcs"] = "local"
    bucket: str | None = None
    prefix: str = "gke-inference-gateway"

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        if self.backend == "gcs" and not self.bucket:
            found.append(Problem("bucket", self.bucket, "is required with backend 'gcs'",
                                 "name the GCS bucket that holds the state"))
        if self.backend == "local" and self.bucket is not None:
            found.append(Problem("bucket", self.bucket, "only applies to backend 'gcs'",
                                 "remove it, or set backend: gcs"))
        if self.bucket is not None:
            found.extend(checks.gcs_bucket("bucket", self.bucket))
        found.extend(checks.object_prefix("prefix", self.prefix))
        return found


@dataclasses.dataclass(frozen=True, kw_only=True)
class AppConfig(Props):
    """Everything ``main.py`` synthesizes.

    Attributes:
        cluster: how Terraform reaches the cluster. Default: its public endpoint.
        prerequisites: CRDs and metrics RBAC (the ``prerequisites`` stack).
        model_servers: vLLM servers to deploy (the ``model-servers`` stack). Default: the
            tutorial's Llama 3.1 8B server with two adapters. Empty: bring your own servers.
        api_version: the InferencePool API: ``v1alpha2`` (default; the tutorial's GIE v0.3.0
            through the ai-on-gke module, configured by ``gateway``) or ``v1`` (GIE v1.x through
            our own constructs, configured by ``gateway_v1``).
        gateway: the inference gateway on ``v1alpha2`` (the ``inference-gateway`` stack).
            Default: derived from the model servers. ``None``: no gateway stack on either path.
        gateway_v1: the inference gateway on ``v1``. Default: derived from the model servers.
        state: where Terraform state lives. Default: local files.
    """

    cluster: ClusterAccessProps = dataclasses.field(default_factory=ClusterAccessProps)
    prerequisites: PrerequisitesProps = dataclasses.field(default_factory=PrerequisitesProps)
    model_servers: tuple[VllmModelServerProps, ...] = dataclasses.field(
        default_factory=lambda: (VllmModelServerProps(),))
    api_version: Literal["v1alpha2", "v1"] = "v1alpha2"
    gateway: InferenceGatewayProps | None = dataclasses.field(default_factory=InferenceGatewayProps)
    gateway_v1: InferenceGatewayV1Props = dataclasses.field(default_factory=InferenceGatewayV1Props)
    state: StateProps = dataclasses.field(default_factory=StateProps)

    def problems(self) -> list[Problem]:
        servers = self.model_servers
        found = list(checks.unique("model_servers", (server.name for server in servers), "server name"))
        config_maps = [f"{s.namespace}/{s.adapters_config_map}" for s in servers if s.adapters]
        found += [problem.under("model_servers") for problem in checks.unique(
            "", config_maps, "adapters_config_map in one namespace")]
        keys: dict[tuple[str, str], str] = {}
        for index, server in enumerate(servers):
            token = server.hf_token
            if token.mode != "terraform_variable":
                continue
            key = keys.setdefault((server.namespace, token.secret_name), token.secret_key)
            if key != token.secret_key:
                found.append(Problem(f"model_servers[{index}].hf_token.secret_key", token.secret_key,
                                     f"differs from another server's key ({key}) for the same Secret",
                                     "use the same secret_key for servers sharing a Secret"))
        found += self._api_problems()
        if self.gateway is not None and self.api_version == "v1alpha2":
            found += [problem.under("gateway")
                      for problem in cross_reference_problems(self.gateway, self.model_servers)]
        if self.gateway is not None and self.api_version == "v1":
            found += [problem.under("gateway_v1") for problem in v1_problems(self.gateway_v1, self.model_servers)]
        return found

    def _api_problems(self) -> list[Problem]:
        """Settings that belong to the other API version, and CRDs of the wrong release."""
        found = []
        other = {"v1alpha2": ("gateway_v1", self.gateway_v1, InferenceGatewayV1Props()),
                 "v1": ("gateway", self.gateway, InferenceGatewayProps())}[self.api_version]
        name, value, default = other
        if value is not None and value != default:
            found.append(Problem(name, "(customized)", f"does not apply to api_version {self.api_version}",
                                 f"move the settings to {'gateway' if name == 'gateway_v1' else 'gateway_v1'}, "
                                 f"or set api_version: {'v1' if name == 'gateway_v1' else 'v1alpha2'}"))
        crds = self.prerequisites.crds
        if crds is not None and crds.version is not None and crds.manifest_file is None:
            major = crds.version.split(".")[0]
            if (self.api_version == "v1") != (major != "v0"):
                wanted = RELEASE_BY_API[self.api_version]
                found.append(Problem("prerequisites.crds.version", crds.version,
                                     f"is not a release for api_version {self.api_version}",
                                     f"use {wanted} or leave it unset"))
        if crds is None and self.api_version == "v1alpha2":
            found.append(Problem("prerequisites.crds", None, "is required with api_version v1alpha2 "
                                 "(GKE does not install the v1alpha2 CRDs)", "remove 'crds: null'"))
        objectives = self.api_version == "v1" and self.gateway is not None and \
            self.gateway_v1.inference_objectives != ()
        version = (crds.version or RELEASE_BY_API[self.api_version]) if crds is not None else None
        if objectives and crds is not None and crds.manifest_file is None and version is not None \
                and _release(version) >= LAST_RELEASE_WITH_OBJECTIVES_EXCLUSIVE:
            found.append(Problem("prerequisites.crds.version", version, "does not ship the InferenceObjective "
                                 "CRD", "use v1.5.0, or set gateway_v1.inference_objectives: []"))
        if crds is None and objectives:
            found.append(Problem("prerequisites.crds", None, "leaves out the InferenceObjective CRD, which "
                                 "GKE does not install", "keep the CRDs, or set gateway_v1.inference_objectives: []"))
        return found
