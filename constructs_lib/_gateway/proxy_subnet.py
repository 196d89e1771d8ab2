"""Plan-time checks before a gateway creates its region's proxy-only subnet.

A VPC network may hold one ACTIVE ``REGIONAL_MANAGED_PROXY`` subnet per region, and the
regional load balancer runs in the cluster's region. Both mistakes otherwise surface only
at apply (the subnet's creation fails) or later (a gateway in another region than its
backends), so ``terraform plan`` stops first, with the setting to change.
"""

from __future__ import annotations

import json

from cdktf import Postcondition, TerraformResourceLifecycle
from constructs import Construct

from constructs_lib._cluster.access import ClusterAccess
from constructs_lib._core.literal import escape, operand
from constructs_lib._terraform import plain

#: Compute API list filter: ``field eq <RE2 matching the whole field>``, and "to filter on
#: multiple expressions, provide each separate expression within parentheses ... treated as
#: AND" (the API's ``filter`` description, as Kubernetes' GCE cloud provider quotes and
#: builds it in pkg/cloudprovider/providers/gce/cloud/filter). Subnets of the legacy purpose
#: INTERNAL_HTTPS_LOAD_BALANCER are not matched.
ACTIVE_PROXY_ONLY_FILTER = "(purpose eq REGIONAL_MANAGED_PROXY) (role eq ACTIVE)"
#: The region part of a cluster location: ``us-central1`` of ``us-central1`` or ``us-central1-a``.
REGION_OF_LOCATION = "^[a-z]+-[a-z]+[0-9]+"


class ProxyOnlySubnetCheck(Construct):
    """Lists the ACTIVE proxy-only subnets of ``region`` (data source ``subnetworks``) and
    stops the plan when ``network_name`` already has one other than ``subnet_name`` (ours,
    on later plans), or when ``region`` is not the cluster's region."""

    def __init__(self, scope: Construct, id: str, *, cluster: ClusterAccess, region: str, network_name: str,
                 subnet_name: str) -> None:
        super().__init__(scope, id)
        others = (f"[for subnet in self.subnetworks : subnet.name if subnet.network_name == {operand(network_name)} "
                  f"&& subnet.name != {operand(subnet_name)}]")
        location, where = operand(cluster.cluster_location), operand(region)
        self.subnetworks = plain.data_source(
            self, "subnetworks", plain.GOOGLE, "google_compute_subnetworks", filter=ACTIVE_PROXY_ONLY_FILTER,
            project=cluster.project_id, region=region, lifecycle=TerraformResourceLifecycle(postcondition=[
                Postcondition(
                    condition=f"${{regex({json.dumps(REGION_OF_LOCATION)}, {location}) == {where}}}",
                    error_message=(
                        f"region {escape(region)} is not the region of cluster {escape(cluster.cluster_name)} "
                        f"({escape(cluster.cluster_location)}); the gateway's proxy-only subnet and load "
                        f"balancer live in the cluster's region: set the region variable to it"),
                ),
                Postcondition(
                    condition=f"${{length({others}) == 0}}",
                    error_message=(
                        f"network {escape(network_name)} already has an ACTIVE proxy-only subnet in region "
                        f"{escape(region)} "
                        f"(${{join(\", \", {others})}}), and only one may exist there: set "
                        f"gateway.create_proxy_only_subnetwork: false to use it"),
                ),
            ]),
        )
