"""The target cluster's identity as Terraform input variables, so one synthesized output
serves many environments through ``-var-file`` exactly as the tutorial's ``values.tfvars``
does."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformVariable, TerraformVariableValidationConfig
from constructs import Construct

from constructs_lib._core.checks import GCE_NAME_PATTERN

# GCP project ids: 6-30 chars, lower-case letter first, no trailing hyphen.
PROJECT_ID_PATTERN = "^[a-z][a-z0-9-]{4,28}[a-z0-9]$"
# A region (us-central1) or a zone (us-central1-a).
LOCATION_PATTERN = "^[a-z]+-[a-z]+[0-9]+(-[a-z])?$"
REGION_PATTERN = "^[a-z]+-[a-z]+[0-9]+$"


@dataclass(frozen=True)
class _VariableSpec:
    name: str
    description: str
    condition: str
    error_message: str


_CORE = (
    _VariableSpec(
        "project_id", "GCP project ID that holds the GKE cluster.",
        f'can(regex("{PROJECT_ID_PATTERN}", var.project_id))',
        "project_id must be a GCP project ID: 6-30 lower-case letters, digits or hyphens, "
        "starting with a letter.",
    ),
    _VariableSpec(
        "cluster_name", "Name of the existing GKE cluster to install into.",
        'length(trimspace(var.cluster_name)) > 0',
        "cluster_name must not be empty.",
    ),
    _VariableSpec(
        "cluster_location", "Region (regional cluster) or zone (zonal cluster) of the GKE cluster.",
        f'can(regex("{LOCATION_PATTERN}", var.cluster_location))',
        "cluster_location must be a region such as us-central1 or a zone such as us-central1-a.",
    ),
)

_NETWORK = (
    _VariableSpec(
        "region", "Region of the proxy-only subnetwork the regional load balancer needs.",
        f'can(regex("{REGION_PATTERN}", var.region))',
        "region must be a region such as us-central1 (not a zone).",
    ),
    _VariableSpec(
        "network_name", "Name of the cluster's VPC network (for the proxy-only subnetwork).",
        f'can(regex("{GCE_NAME_PATTERN}", var.network_name))',
        "network_name must be a VPC network name: lower-case letters, digits and hyphens.",
    ),
)


class ClusterVariables(Construct):
    """Declares ``project_id``, ``cluster_name``, ``cluster_location`` and, when asked,
    ``region`` and ``network_name``, each validated at plan time.

    The variables keep their bare names (``var.project_id``) whatever the construct's
    position, because users write them in ``values.tfvars``.
    """

    def __init__(self, scope: Construct, id: str, *, include_network: bool = False) -> None:
        super().__init__(scope, id)
        self.has_network = include_network
        specs = _CORE + (_NETWORK if include_network else ())
        self._variables: dict[str, TerraformVariable] = {}
        for spec in specs:
            variable = TerraformVariable(
                self,
                spec.name,
                type="string",
                description=spec.description,
                nullable=False,
                validation=[TerraformVariableValidationConfig(
                    condition=f"${{{spec.condition}}}", error_message=spec.error_message)],
            )
            variable.override_logical_id(spec.name)
            self._variables[spec.name] = variable

    def _value(self, name: str) -> str:
        return self._variables[name].string_value

    @property
    def project_id(self) -> str:
        return self._value("project_id")

    @property
    def cluster_name(self) -> str:
        return self._value("cluster_name")

    @property
    def cluster_location(self) -> str:
        return self._value("cluster_location")

    @property
    def region(self) -> str:
        return self._value("region")

    @property
    def network_name(self) -> str:
        return self._value("network_name")
