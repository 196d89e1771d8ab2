"""The Terraform blocks every stack writes (provider blocks, the cluster's data sources,
the few ``kubernetes_manifest`` resources that need ``for_each`` or ``lifecycle``) and the
google resources (subnet, address, certificates, Model Armor templates, IAM members,
dashboard, alert policy), emitted through cdktf's generic classes instead of the prebuilt
provider bindings.

Why: the first object of a binding makes the jsii kernel load that provider's assembly and
JavaScript module, about 0.2 s for google and 0.1 s for kubernetes on every synth, while
most stacks use nothing of a provider but these few blocks. Each function here writes the
same Terraform JSON as the binding class it stands for (``tests/test_plain_blocks.py``
synthesizes both and compares them), so an address or an attribute never depends on
which one wrote it. The Helm provider block, Helm releases and the Hugging Face token's
Secret keep their bindings through ``providers``; the other manifests are
``manifests.kubernetes_manifest``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from cdktf import (
    ITerraformDependable,
    ITerraformIterator,
    TerraformDataSource,
    TerraformProvider,
    TerraformProviderGeneratorMetadata,
    TerraformResource,
    TerraformResourceLifecycle,
)
from constructs import Construct

from constructs_lib._terraform.manifests import depend_on


@dataclasses.dataclass(frozen=True)
class ProviderPin:
    """A provider as the bindings pin it: its local name, registry source and version."""

    name: str
    source: str
    version: str

    def metadata(self) -> TerraformProviderGeneratorMetadata:
        return TerraformProviderGeneratorMetadata(provider_name=self.name, provider_version=self.version,
                                                  provider_version_constraint=self.version)


#: The versions the installed bindings pin (cdktf-cdktf-provider-google 16.12.1,
#: -kubernetes 12.1.1, -http); a test compares each with what its binding writes.
GOOGLE = ProviderPin("google", "google", "6.50.0")
KUBERNETES = ProviderPin("kubernetes", "kubernetes", "2.38.0")
HTTP = ProviderPin("http", "http", "3.5.0")


def _set(block: TerraformProvider | TerraformResource | TerraformDataSource, attributes: Mapping[str, Any]) -> None:
    for key, value in attributes.items():
        if value is not None:
            block.add_override(key, value)


def provider(scope: Construct, id: str, pin: ProviderPin, **attributes: Any) -> TerraformProvider:
    """A provider block (``provider "<name>" {...}``) and its ``required_providers`` entry."""
    block = TerraformProvider(scope, id, terraform_resource_type=pin.name, terraform_generator_metadata=pin.metadata(),
                              terraform_provider_source=pin.source)
    _set(block, attributes)
    return block


def data_source(scope: Construct, id: str, pin: ProviderPin, type_name: str, *,
                lifecycle: TerraformResourceLifecycle | None = None,
                depends_on: Sequence[ITerraformDependable] | None = None, **attributes: Any) -> TerraformDataSource:
    """A data source of ``pin``'s provider; read attributes with ``get_*_attribute``."""
    block = TerraformDataSource(scope, id, terraform_resource_type=type_name,
                                terraform_generator_metadata=pin.metadata(), lifecycle=lifecycle)
    depend_on(block, depends_on)
    _set(block, attributes)
    return block


def resource(scope: Construct, id: str, pin: ProviderPin, type_name: str, *,
             depends_on: Sequence[ITerraformDependable] | None = None, **attributes: Any) -> TerraformResource:
    """A resource of ``pin``'s provider with the attributes given (nested blocks as the
    dicts and lists Terraform JSON takes); reference it with ``fqn`` or ``get_*_attribute``."""
    block = TerraformResource(scope, id, terraform_resource_type=type_name,
                              terraform_generator_metadata=pin.metadata())
    depend_on(block, depends_on)
    _set(block, attributes)
    return block


def manifest(scope: Construct, id: str, *, manifest: Any, depends_on: Sequence[ITerraformDependable] | None = None,
             for_each: ITerraformIterator | None = None,
             lifecycle: TerraformResourceLifecycle | None = None) -> TerraformResource:
    """A ``kubernetes_manifest`` resource holding ``manifest`` as given, as a cdktf element:
    for the few that need ``for_each`` or ``lifecycle``; the rest are ``manifests.kubernetes_manifest``."""
    block = TerraformResource(scope, id, terraform_resource_type="kubernetes_manifest",
                              terraform_generator_metadata=KUBERNETES.metadata(),
                              for_each=for_each, lifecycle=lifecycle)
    depend_on(block, depends_on)
    block.add_override("manifest", manifest)
    return block
