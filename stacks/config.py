"""The app's whole configuration: what ``main.py`` builds, from defaults, YAML or Python.

The default is the tutorial's example. Environment identity (project, cluster, region,
network) is not here: it stays in Terraform variables so one output serves many
environments.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import ClassVar, Literal

from constructs_lib import (
    GIE_RELEASE_BY_API,
    ApiVersion,
    ClusterAccessProps,
    EndpointPickerSource,
    GieCrdsProps,
    GkeExtensionCrdsProps,
    InferenceGatewayProps,
    InferenceGatewayV1Props,
    MetricsRbacProps,
    ObservabilityProps,
    PoolTarget,
    Problem,
    Props,
    VllmModelServerProps,
    api_of_release,
    checks,
    observability_problems,
    pools_of_servers,
    release_number,
    ships_objective_crd,
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class PrerequisitesProps(Props):
    """The ``prerequisites`` stack.

    Attributes:
        crds: the GIE CRDs. Default: the release of the gateway's API version, downloaded at
            plan time. ``None`` when the cluster installs them (GKE 1.34.0-gke.1626000 and later
            installs the InferencePool v1 CRD).
        gke_extension_crds: GKE traffic/routing extension CRDs, for Model Armor on GKE older
            than 1.32.2-gke.1182001; applied only where the cluster's version (read at plan
            time) lacks them. Default ``None``: with ``gateway.model_armor``, the default
            settings; without, not installed.
        metrics_rbac: the tutorial's metrics-reader RBAC, whose token Secret the v0.3.0
            chart's ClusterPodMonitoring reads. Default: installed on the ``v1alpha2`` path,
            collector namespace chosen from the cluster; ``None`` skips it (Managed
            Prometheus will not scrape the picker). Never installed on ``v1``: chart v1.5.0
            creates its own per pool (``gateway.gke_monitoring``).
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
        gateway: the inference gateway (the ``inference-gateway`` stack); its
            ``api_version`` picks the path: ``v1alpha2`` (default; the tutorial's GIE v0.3.0
            through the ai-on-gke module) or ``v1`` (GIE v1.x through this package's own
            constructs). Default: ``v1alpha2``, derived from the model servers. ``None``: no
            gateway stack.
        state: where Terraform state lives. Default: local files.
        observability: the custom metrics adapter, a dashboard and an alert (each opt-in).
            Default: none of them. Scraping and autoscaling are per server.
    """

    moved_settings: ClassVar[Mapping[str, str]] = {
        "api_version": "write it inside the gateway section: gateway: {api_version: v1, ...}",
        "gateway_v1": "rename it to gateway and add api_version: v1 inside it (and flatten its "
                      "gateway: {name, namespace, gateway_class} into it)",
    }

    cluster: ClusterAccessProps = dataclasses.field(default_factory=ClusterAccessProps)
    prerequisites: PrerequisitesProps = dataclasses.field(default_factory=PrerequisitesProps)
    model_servers: tuple[VllmModelServerProps, ...] = dataclasses.field(
        default_factory=lambda: (VllmModelServerProps(),))
    gateway: InferenceGatewayProps | InferenceGatewayV1Props | None = dataclasses.field(
        default_factory=InferenceGatewayProps)
    state: StateProps = dataclasses.field(default_factory=StateProps)
    observability: ObservabilityProps = dataclasses.field(default_factory=ObservabilityProps)

    @property
    def api_version(self) -> ApiVersion:
        """The gateway's InferencePool API; the tutorial's ``v1alpha2`` without a gateway."""
        return self.gateway.api_version if self.gateway is not None else "v1alpha2"

    @property
    def gke_extension_crds(self) -> GkeExtensionCrdsProps | None:
        """The extension CRD settings the prerequisites apply: as given, or the defaults when
        the gateway uses Model Armor (its GCPTrafficExtension needs them)."""
        given = self.prerequisites.gke_extension_crds
        if given is None and self.gateway is not None and self.gateway.model_armor is not None:
            return GkeExtensionCrdsProps()
        return given

    def problems(self) -> list[Problem]:
        servers = self.model_servers
        found = list(checks.unique("model_servers", (server.name for server in servers), "server name"))
        found += checks.at_most_items("model_servers", len(servers), checks.MAX_MODEL_SERVERS)
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
        found += self._crd_problems()
        if isinstance(self.gateway, InferenceGatewayV1Props):
            for index, server in enumerate(servers):
                # The v1 picker is told the names this server's vLLM release emits; unknown, it
                # would read its own defaults, and on vLLM before 0.9.2 its KV-cache signal is 0.
                found += checks.known_vllm_release(f"model_servers[{index}].vllm_version",
                                                   server.vllm_metric_names is not None, server.image,
                                                   "the v1 endpoint picker")
        gateway_problems = self.gateway.problems_with(servers) if self.gateway is not None else []
        found += [problem.under("gateway") for problem in gateway_problems]
        # A gateway with problems may not resolve to pools: its problems say why, and the
        # servers' observability is checked as if no pool selected them.
        pool_of = {} if gateway_problems else self.pool_of_servers
        found += observability_problems(servers, self.observability, self.endpoint_picker, pool_of)
        return found

    @functools.cached_property
    def pool_of_servers(self) -> dict[str, str]:
        """The InferencePool in front of each model server, by server name: the gateway
        resolved once (a valid configuration always resolves) and carried."""
        if self.gateway is None:
            return {}
        return pools_of_servers(self.gateway.resolve(self.model_servers).pools, self.model_servers)

    def pool_target(self, server: VllmModelServerProps, cluster_name: str | None = None) -> PoolTarget | None:
        pool = self.pool_of_servers.get(server.name)
        if pool is None or self.gateway is None:
            return None
        return PoolTarget(name=pool, namespace=self.gateway.namespace, cluster_name=cluster_name)

    @property
    def endpoint_picker(self) -> EndpointPickerSource | None:
        """The gateway's endpoint picker as a metrics source: on ``v1alpha2`` the module's
        v0.3.0 chart, scraped with the metrics RBAC's token; on ``v1`` the chart version,
        scraped when its GKE monitoring is on."""
        gateway = self.gateway
        if gateway is None:
            return None
        if isinstance(gateway, InferenceGatewayV1Props):
            return EndpointPickerSource(release=release_number(gateway.chart_version),
                                        namespace=gateway.namespace, collected=gateway.gke_monitoring,
                                        enable="set gateway.gke_monitoring: true", follows_servers=True)
        return EndpointPickerSource(release=release_number(GIE_RELEASE_BY_API["v1alpha2"]),
                                    namespace=gateway.namespace,
                                    collected=self.prerequisites.metrics_rbac is not None,
                                    enable="keep prerequisites.metrics_rbac (the picker's ClusterPodMonitoring "
                                           "reads its token)")

    def _crd_problems(self) -> list[Problem]:
        """The CRDs the prerequisites install must serve the gateway's API and its objects."""
        crds, gateway = self.prerequisites.crds, self.gateway
        if gateway is None:
            return []
        if crds is None:
            if gateway.api_version == "v1alpha2":
                return [Problem("prerequisites.crds", None, "is required with api_version v1alpha2 "
                                "(GKE does not install the v1alpha2 CRDs)", "remove 'crds: null'")]
            if _has_objectives(gateway):
                return [Problem("prerequisites.crds", None, "leaves out the InferenceObjective CRD, which "
                                "GKE does not install", "keep the CRDs, or set gateway.inference_objectives: []")]
            return []
        if crds.manifest_file is not None:
            return []  # a local copy: its contents are the user's to choose
        version = crds.version or GIE_RELEASE_BY_API[gateway.api_version]
        if api_of_release(version) != gateway.api_version:
            return [Problem("prerequisites.crds.version", version,
                            f"is not a release for api_version {gateway.api_version}",
                            f"use {GIE_RELEASE_BY_API[gateway.api_version]} or leave it unset")]
        if _has_objectives(gateway) and not ships_objective_crd(version):
            return [Problem("prerequisites.crds.version", version, "does not ship the InferenceObjective CRD",
                            f"use {GIE_RELEASE_BY_API['v1']}, or set gateway.inference_objectives: []")]
        return []


def _has_objectives(gateway: InferenceGatewayProps | InferenceGatewayV1Props) -> bool:
    return isinstance(gateway, InferenceGatewayV1Props) and gateway.inference_objectives != ()
