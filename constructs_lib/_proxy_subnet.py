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

from constructs_lib._cluster_access import ClusterAccess
from constructs_lib._providers import DataGoogleComputeSubnetworks

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
        others = (f"[for subnet in self.subnetworks : subnet.name if subnet.network_name == {network_name} "
                  f"&& subnet.name != {json.dumps(subnet_name)}]")
        self.subnetworks = DataGoogleComputeSubnetworks(
            self, "subnetworks", project=cluster.project_id, region=region, filter=ACTIVE_PROXY_ONLY_FILTER,
            lifecycle=TerraformResourceLifecycle(postcondition=[
                Postcondition(
                    condition=f"${{regex({json.dumps(REGION_OF_LOCATION)}, {cluster.cluster_location}) == {region}}}",
                    error_message=(
                        f"region {region} is not the region of cluster {cluster.cluster_name} "
                        f"({cluster.cluster_location}); the gateway's proxy-only subnet and load balancer "
                        f"live in the cluster's region: set the region variable to it"),
                ),
                Postcondition(
                    condition=f"${{length({others}) == 0}}",
                    error_message=(
                        f"network {network_name} already has an ACTIVE proxy-only subnet in region {region} "
                        f"(${{join(\", \", {others})}}), and only one may exist there: set "
                        f"gateway.create_proxy_only_subnetwork: false to use it"),
                ),
            ]),
        )
