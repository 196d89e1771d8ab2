"""Facts about Gateway API Inference Extension (GIE) releases, in one place.

Which release serves which InferencePool API, which releases ship the InferenceObjective
CRD, and which chart version goes with the v1 path: every rule that depends on a release
tag reads it from here.
"""

from __future__ import annotations

from typing import Literal

ApiVersion = Literal["v1alpha2", "v1"]

#: The GIE release installed for each InferencePool API version: v0.3.0 is the tutorial's
#: (and the ai-on-gke module's); v1.5.0 is the last that ships the InferenceObjective CRD.
GIE_RELEASE_BY_API: dict[str, str] = {"v1alpha2": "v0.3.0", "v1": "v1.5.0"}

#: The ``inferencepool`` chart is published with the release's tag as its version.
DEFAULT_CHART_VERSION = GIE_RELEASE_BY_API["v1"]

#: v1.6.0 moved InferenceObjective out of GIE: its manifests.yaml no longer has the CRD.
FIRST_RELEASE_WITHOUT_OBJECTIVE_CRD = (1, 6, 0)


def release_number(tag: str) -> tuple[int, ...]:
    """``v1.5.0`` -> ``(1, 5, 0)``; the tag is already checked by ``_checks.semver_tag``."""
    return tuple(int(part) for part in tag.lstrip("v").split("."))


def api_of_release(tag: str) -> ApiVersion:
    """The InferencePool API a release's CRDs serve: v0.x is v1alpha2, v1.x and later v1."""
    return "v1alpha2" if release_number(tag)[0] == 0 else "v1"


def ships_objective_crd(tag: str) -> bool:
    """Whether the release's manifests.yaml holds the InferenceObjective CRD."""
    return api_of_release(tag) == "v1" and release_number(tag) < FIRST_RELEASE_WITHOUT_OBJECTIVE_CRD

#: Chart releases whose value keys and endpoint-picker defaults the v1 path is written
#: for (see ``_model_server_metrics`` and the chart values in ``_gateway_v1``). v1.5.0 is
#: also the chart's last release: ``config/charts`` is gone at v1.6.0.
KNOWN_CHART_VERSIONS: tuple[str, ...] = (DEFAULT_CHART_VERSION,)
