"""Apply multi-document YAML the way ``kubectl apply -f`` does, but as Terraform.

The documents are fetched (``data "http"``) or read (``file()``) at plan time, split with
the kubernetes provider's ``manifest_decode_multi`` function and applied as one
``kubernetes_manifest`` per document, keyed ``<kind>/<name>`` so that a document added or
removed upstream changes only its own resource. A top-level ``status`` (present in some
release manifests) is dropped: the API server owns it and ``kubernetes_manifest`` rejects it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from cdktf import (
    AssetType,
    ITerraformDependable,
    Postcondition,
    TerraformAsset,
    TerraformIterator,
    TerraformLocal,
    TerraformResourceLifecycle,
    TerraformStack,
    Token,
)
from constructs import Construct

from constructs_lib._core.literal import quoted
from constructs_lib._core.manifest_source import ManifestSource
from constructs_lib._terraform import plain
from constructs_lib._terraform.requirements import release_without_destroy, require_terraform

HTTP_PROVIDER_ID = "http-provider"


class ManifestBundle(Construct):
    """Every document of the given sources as a ``kubernetes_manifest``, except the
    ``kind/name`` keys listed in ``exclude``, applied after ``depends_on``. An excluded
    document that an earlier apply created is dropped from the state without being deleted.
    With ``condition`` (a Terraform boolean expression without ``${}``, evaluated at plan
    time) false, none is applied.

    Local files are copied next to the synthesized stack (a ``TerraformAsset``), so the
    output is self-contained and the same on every machine.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        sources: Sequence[ManifestSource],
        prevent_destroy: bool = False,
        exclude: Sequence[str] = (),
        condition: str | None = None,
        depends_on: Sequence[ITerraformDependable] = (),
    ) -> None:
        super().__init__(scope, id)
        if not sources:
            raise TypeError("ManifestBundle needs at least one source")
        # Provider-defined functions (manifest_decode_multi) arrived in Terraform 1.8.
        require_terraform(self, "1.8")
        bodies = [self._body(index, source) for index, source in enumerate(sources)]
        decoded = ", ".join(f"provider::kubernetes::manifest_decode_multi({body})" for body in bodies)
        key = 'format("%s/%s", doc.kind, doc.metadata.name)'
        excluded = "[" + ", ".join(quoted(name) for name in sorted(exclude)) + "]"
        clauses = [f"!contains({excluded}, {key})"] if exclude else []
        clauses += [f"({condition})"] if condition else []
        keep = " if " + " && ".join(clauses) if clauses else ""
        # One HCL object `for` expression wrapped in a ${ ... } interpolation:
        #   ${{ for doc in concat(<decoded>...) : "<kind>/<name>" => <doc without status> [if kept] }}
        # The doubled braces are HCL's own (interpolation + object), not f-string escapes.
        self.documents = TerraformLocal(
            self,
            "documents",
            "${{ for doc in concat(" + decoded + f") : {key}"
            ' => { for key, value in doc : key => value if key != "status" }' + keep + " }}",
        )
        documents = TerraformIterator.from_map(self.documents.as_any_map)
        self.manifests = plain.manifest(
            self,
            "manifest",
            for_each=documents,
            manifest=Token.as_any_map(documents.value),
            lifecycle=TerraformResourceLifecycle(prevent_destroy=prevent_destroy),
            depends_on=list(depends_on) or None,
        )
        # An excluded document Terraform created before (a CRD the cluster now installs
        # itself) is forgotten, never deleted: deleting a CRD deletes all its objects.
        address = f"{self.manifests.terraform_resource_type}.{TerraformStack.of(self).get_logical_id(self.manifests)}"
        for key in sorted(exclude):
            digest = hashlib.sha256(key.encode()).hexdigest()[:8]
            release_without_destroy(self, f"{address}[{json.dumps(key)}]", f"{address}_excluded_{digest}")

    def _body(self, index: int, source: ManifestSource) -> str:
        if source.url is not None:
            _ensure_http_provider(self)
            # A wrong URL (a release or ref that does not exist) answers 404 with a body that
            # is no YAML; stop the plan naming the URL instead of failing in the decoder.
            check = Postcondition(condition="${self.status_code == 200}",
                                  error_message="${self.url} answered HTTP ${self.status_code}, not 200: "
                                                "check the release version or ref it is built from")
            return plain.data_source(self, f"source-{index}", plain.HTTP, "http", url=source.url,
                                     lifecycle=TerraformResourceLifecycle(postcondition=[check]),
                                     ).get_string_attribute("response_body")
        asset = TerraformAsset(self, f"file-{index}", path=str(source.file), type=AssetType.FILE)
        return f'file(join("/", [path.module, {quoted(asset.path)}]))'


def _ensure_http_provider(scope: Construct) -> None:
    """The ``http`` provider has no settings, so one per stack serves every bundle."""
    stack = TerraformStack.of(scope)
    if stack.node.try_find_child(HTTP_PROVIDER_ID) is None:
        plain.provider(stack, HTTP_PROVIDER_ID, plain.HTTP)
