"""What every stack of the app shares: its backend and the Terraform version floor."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import GcsBackend, LocalBackend, TerraformStack
from constructs import Construct

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
        state = options.config.state
        if state.backend == "gcs":
            assert state.bucket is not None
            GcsBackend(self, bucket=state.bucket, prefix=f"{state.prefix}/{id}")
        else:
            LocalBackend(self, path=f"{options.state_dir}/terraform.{id}.tfstate")
        self.add_override("terraform.required_version", self.required_terraform)
