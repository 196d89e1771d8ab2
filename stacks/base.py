"""What every stack of the app shares: its backend and the Terraform version floor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import GcsBackend, LocalBackend, TerraformStack
from constructs import Construct

from constructs_lib import ClusterAccess, EnvironmentVariables, Preflight
from constructs_lib._literal import literal
from stacks.config import AppConfig

# provider::kubernetes::manifest_decode_multi needs provider-defined functions (1.8).
TERRAFORM_REQUIRED_VERSION = ">= 1.8"


@dataclass(frozen=True)
class StackOptions:
    """Per-stack inputs from the app.

    ``state_dir`` is where local state files live, relative to the stack's own output
    directory (Terraform runs there), so the synthesized JSON holds no absolute path.
    """

    config: AppConfig
    state_dir: str


class BaseStack(TerraformStack):
    required_terraform = TERRAFORM_REQUIRED_VERSION

    def __init__(self, scope: Construct, id: str, *, options: StackOptions) -> None:
        super().__init__(scope, id)
        state = literal(options.config.state)
        if state.backend == "gcs":
            assert state.bucket is not None
            GcsBackend(self, bucket=state.bucket, prefix=f"{state.prefix}/{id}")
        else:
            LocalBackend(self, path=f"{options.state_dir}/terraform.{id}.tfstate")
        self.add_override("terraform.required_version", self.required_terraform)
        self._options = options

    def connect(self, *, include_network: bool = False, preflight: Sequence[Preflight] = ()) -> ClusterAccess:
        """Declare the environment variables (ids ``environment``) and the cluster's providers
        (``cluster``); every stack of the app reaches the cluster this way."""
        self.env = EnvironmentVariables(self, "environment", include_network=include_network)
        self.cluster = ClusterAccess(
            self, "cluster",
            project_id=self.env.project_id,
            cluster_name=self.env.cluster_name,
            cluster_location=self.env.cluster_location,
            props=self._options.config.cluster,
            preflight=preflight,
        )
        return self.cluster
