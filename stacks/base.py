"""What every stack of the app shares: its backend, a Terraform floor and the cluster."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import GcsBackend, LocalBackend, TerraformStack
from constructs import Construct

from constructs_lib import ClusterAccess, Preflight, literal, require_terraform
from stacks.config import AppConfig

#: The oldest Terraform the app is tested with; constructs raise it where they need more.
TESTED_TERRAFORM = "1.8"


@dataclass(frozen=True)
class StackOptions:
    """Per-stack inputs from the app.

    ``state_dir`` is where local state files live, relative to the stack's own output
    directory (Terraform runs there), so the synthesized JSON holds no absolute path.
    """

    config: AppConfig
    state_dir: str


class BaseStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, *, options: StackOptions) -> None:
        super().__init__(scope, id)
        state = literal(options.config.state)
        if state.backend == "gcs":
            if state.bucket is None:  # StateProps refuses this; a hand-built config could not
                raise TypeError("a gcs state backend needs a bucket")
            GcsBackend(self, bucket=state.bucket, prefix=f"{state.prefix}/{id}")
        else:
            LocalBackend(self, path=f"{options.state_dir}/terraform.{id}.tfstate")
        require_terraform(self, TESTED_TERRAFORM)
        self._options = options

    def connect(self, *, include_network: bool = False, preflight: Sequence[Preflight] = ()) -> ClusterAccess:
        """Declare the cluster's variables (id ``environment``) and providers (``cluster``)."""
        self.cluster = ClusterAccess.from_variables(self, props=self._options.config.cluster,
                                                    include_network=include_network, preflight=preflight)
        return self.cluster
