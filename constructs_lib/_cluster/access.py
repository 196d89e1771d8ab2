"""Reach an existing GKE cluster: the google provider, the cluster's data, and a
kubernetes provider authenticated from them."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf import Fn, IResolvable, TerraformResourceLifecycle
from constructs import Construct

from constructs_lib._cluster.preflight import Preflight, postconditions
from constructs_lib._cluster.props import ClusterAccessProps
from constructs_lib._cluster.variables import ClusterVariables
from constructs_lib._core import checks as checks
from constructs_lib._core.literal import literal
from constructs_lib._terraform import plain, providers
from constructs_lib._terraform.requirements import require_terraform

CONNECT_GATEWAY_HOST = "https://connectgateway.googleapis.com/v1"
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"
AUTH_PLUGIN = "gke-gcloud-auth-plugin"


class ClusterAccess(Construct):
    """Providers for one GKE cluster, identified by (usually variable) strings.

    ``preflight`` names the plan-time checks the calling stack needs (see ``preflight``).

    Exposes ``cluster`` (the ``google_container_cluster`` data source, a generic
    ``TerraformDataSource``: read its attributes with ``get_string_attribute("endpoint")``
    and the like) and ``is_autopilot`` (a Terraform expression) for constructs that adapt
    to the cluster.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        project_id: str,
        cluster_name: str,
        cluster_location: str,
        props: ClusterAccessProps | None = None,
        preflight: Sequence[Preflight] = (),
    ) -> None:
        super().__init__(scope, id)
        props = literal(props or ClusterAccessProps())
        self.project_id, self.cluster_name, self.cluster_location = project_id, cluster_name, cluster_location
        self.variables: ClusterVariables | None = None
        self.google_provider = plain.provider(self, "google", plain.GOOGLE, project=project_id)
        #: Whether constructs on this cluster add their own plan-time checks.
        self.preflight_checks = props.preflight_checks
        self._preflight: list[Preflight] = []
        self.cluster = plain.data_source(self, "cluster", plain.GOOGLE, "google_container_cluster",
                                         location=cluster_location, name=cluster_name, project=project_id)
        self.add_preflight(preflight)
        client_config = plain.data_source(self, "client-config", plain.GOOGLE, "google_client_config")
        self._private = props.private_endpoint
        if props.private_endpoint:
            project = plain.data_source(self, "project", plain.GOOGLE, "google_project", project_id=project_id)
            location = props.fleet_membership_location or cluster_location
            membership = props.fleet_membership_name or cluster_name
            self._host = (f"{CONNECT_GATEWAY_HOST}/projects/{project.get_string_attribute('number')}"
                          f"/locations/{location}/gkeMemberships/{membership}")
            self._token = self._ca_certificate = None
            self.kubernetes_provider = plain.provider(
                self, "kubernetes", plain.KUBERNETES,
                exec=[{"api_version": EXEC_API_VERSION, "command": AUTH_PLUGIN}], host=self._host)
        else:
            self._host = f"https://{self.cluster.get_string_attribute('endpoint')}"
            self._token = client_config.get_string_attribute("access_token")
            self._ca_certificate = Fn.base64decode(
                self.cluster.get_string_attribute("master_auth[0].cluster_ca_certificate"))
            self.kubernetes_provider = plain.provider(
                self, "kubernetes", plain.KUBERNETES, cluster_ca_certificate=self._ca_certificate,
                host=self._host, token=self._token)
        self._helm_provider: providers.HelmProvider | None = None

    def add_preflight(self, preflight: Sequence[Preflight]) -> None:
        """Add plan-time checks on the cluster (each once), so that a construct that needs one
        asks for it itself instead of relying on its stack; nothing when checks are off."""
        self._preflight += [check for check in preflight if check not in self._preflight]
        if not self._preflight or not self.preflight_checks:
            return
        require_terraform(self, "1.2")  # postconditions on data sources
        self.cluster.lifecycle = TerraformResourceLifecycle(postcondition=postconditions(
            self._preflight, cluster_name=self.cluster_name, cluster_location=self.cluster_location))

    @classmethod
    def from_variables(
        cls,
        scope: Construct,
        *,
        props: ClusterAccessProps | None = None,
        include_network: bool = False,
        preflight: Sequence[Preflight] = (),
    ) -> ClusterAccess:
        """The usual way a stack reaches its cluster: declare the cluster's Terraform
        variables (``ClusterVariables``, id ``environment``, with ``region`` and
        ``network_name`` when ``include_network``) and connect through them (id ``cluster``).
        The variables are then ``.variables``."""
        # Id "environment" (not "variables"): construct ids are a public contract, and a
        # rename would replace every variable's address in existing configurations.
        variables = ClusterVariables(scope, "environment", include_network=include_network)
        access = cls(scope, "cluster", project_id=variables.project_id, cluster_name=variables.cluster_name,
                     cluster_location=variables.cluster_location, props=props, preflight=preflight)
        access.variables = variables
        return access

    def helm_provider(self) -> providers.HelmProvider:
        """A helm provider with the same credentials, created on first use (id ``helm``)."""
        if self._helm_provider is None:
            if self._private:
                kubernetes = providers.HelmProviderKubernetes(
                    host=self._host,
                    exec=providers.HelmProviderKubernetesExec(api_version=EXEC_API_VERSION, command=AUTH_PLUGIN))
            else:
                kubernetes = providers.HelmProviderKubernetes(
                    host=self._host, token=self._token, cluster_ca_certificate=self._ca_certificate)
            self._helm_provider = providers.HelmProvider(self, "helm", kubernetes=kubernetes)
        return self._helm_provider

    @property
    def is_autopilot(self) -> IResolvable:
        """``true`` on Autopilot clusters, known at plan time (a data source attribute)."""
        return self.cluster.get_boolean_attribute("enable_autopilot")


class ProjectAccess(Construct):
    """The google provider alone (id ``google``), for stacks that hold only project-level
    objects such as dashboards and alert policies and never talk to the cluster."""

    def __init__(self, scope: Construct, id: str, *, project_id: str) -> None:
        super().__init__(scope, id)
        self.project_id = project_id
        self.google_provider = plain.provider(self, "google", plain.GOOGLE, project=project_id)
