"""A Hugging Face token Secret whose value never touches the synthesized JSON or state.

The value arrives through an ephemeral, sensitive Terraform variable and reaches the
cluster through ``kubernetes_secret_v1``'s write-only ``data_wo``, which Terraform neither
stores in state nor shows in plans. Rotating it means bumping ``hf_token_revision``.
"""

from __future__ import annotations

from cdktf import TerraformStack, TerraformVariable
from constructs import Construct

from constructs_lib._terraform import providers
from constructs_lib._terraform.requirements import require_terraform

TOKEN_VARIABLE = "hf_token"
REVISION_VARIABLE = "hf_token_revision"


def token_variables(scope: Construct) -> tuple[TerraformVariable, TerraformVariable]:
    """The stack's ``hf_token`` and ``hf_token_revision`` variables, created once."""
    stack = TerraformStack.of(scope)
    existing = stack.node.try_find_child(TOKEN_VARIABLE)
    if isinstance(existing, TerraformVariable):
        revision = stack.node.find_child(REVISION_VARIABLE)
        if not isinstance(revision, TerraformVariable):
            raise TypeError(f"the stack's {REVISION_VARIABLE!r} is not a TerraformVariable")
        return existing, revision
    token = TerraformVariable(
        stack, TOKEN_VARIABLE, type="string", sensitive=True, nullable=False,
        description="Hugging Face access token for gated models. Never stored in state.",
    )
    token.add_override("ephemeral", True)
    revision = TerraformVariable(
        stack, REVISION_VARIABLE, type="number", default=1, nullable=False,
        description="Increase to push a new hf_token value into the Secret.",
    )
    return token, revision


class HuggingFaceTokenSecret(Construct):
    """The Secret ``name`` in ``namespace`` holding the token under ``key``."""

    def __init__(self, scope: Construct, id: str, *, name: str, namespace: str, key: str) -> None:
        super().__init__(scope, id)
        # Write-only arguments (data_wo) and ephemeral variables arrived in Terraform 1.11.
        require_terraform(self, "1.11")
        token, revision = token_variables(self)
        self.secret = providers.SecretV1(
            self, "secret",
            metadata=providers.SecretV1Metadata(name=name, namespace=namespace),
            type="Opaque",
            data_wo={key: token.string_value},
            data_wo_revision=revision.number_value,
        )
