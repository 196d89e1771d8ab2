"""Facts about Gateway API Inference Extension (GIE) releases, in one place.

Which release serves which InferencePool API, which releases ship the InferenceObjective
CRD, and which chart version goes with the v1 path: every rule that depends on a release
tag reads it from here.
"""

from __future__ import annotations

import re
from typing import Literal

#: A release as (major, minor, patch), the key of every table of facts by release.
Version = tuple[int, int, int]
#: The first row of such a table: what every release has done (until a later row).
EARLIEST_RELEASE: Version = (0, 0, 0)
_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")

ApiVersion = Literal["v1alpha2", "v1"]

#: The GIE release installed for each InferencePool API version: v0.3.0 is the tutorial's
#: (and the ai-on-gke module's); v1.5.0 is the last that ships the InferenceObjective CRD.
GIE_RELEASE_BY_API: dict[str, str] = {"v1alpha2": "v0.3.0", "v1": "v1.5.0"}

#: Where GIE publishes its charts (``inferencepool`` and ``body-based-routing``).
CHART_REPOSITORY = "oci://registry.k8s.io/gateway-api-inference-extension/charts"
#: The ``inferencepool`` chart is published with the release's tag as its version.
DEFAULT_CHART_VERSION = GIE_RELEASE_BY_API["v1"]

#: v1.6.0 moved InferenceObjective out of GIE: its manifests.yaml no longer has the CRD.
FIRST_RELEASE_WITHOUT_OBJECTIVE_CRD = (1, 6, 0)


def parse_version(text: str) -> Version | None:
    """``v0.8.5`` or ``0.8.5`` -> ``(0, 8, 5)``, a suffix such as ``-rc.1`` or ``.post1``
    ignored; ``None`` when the text names no release (``latest``). The one parser of
    release versions: tables keyed by release compare these tuples."""
    match = _VERSION.match(text)
    if match is None:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch)


def release_number(tag: str) -> Version:
    """:func:`parse_version` of a tag already checked (``checks.semver_tag`` or
    ``checks.chart_version``), so it always parses."""
    version = parse_version(tag)
    if version is None:
        raise ValueError(f"{tag!r} is not a release tag; check it with checks.semver_tag first")
    return version


def api_of_release(tag: str) -> ApiVersion:
    """The InferencePool API a release's CRDs serve: v0.x is v1alpha2, v1.x and later v1."""
    return "v1alpha2" if release_number(tag)[0] == 0 else "v1"


def ships_objective_crd(tag: str) -> bool:
    """Whether the release's manifests.yaml holds the InferenceObjective CRD."""
    return api_of_release(tag) == "v1" and release_number(tag) < FIRST_RELEASE_WITHOUT_OBJECTIVE_CRD


#: The body-based router (BBR) chart ``body-based-routing`` is published beside the
#: ``inferencepool`` chart, versioned by the GIE tag, from v1.0.0 (the first release whose
#: guide installs it from registry.k8s.io) to v1.5.0 (v1.6.0 removed BBR from GIE).
FIRST_BBR_RELEASE = (1, 0, 0)
LAST_BBR_RELEASE = (1, 5, 0)

#: From v1.5.0, BBR also sets ``X-Gateway-Base-Model-Name``, mapping adapter names to their
#: base model through ConfigMaps it watches; earlier releases set only the model's own name.
FIRST_BBR_RELEASE_WITH_BASE_MODELS = (1, 5, 0)

#: BBR pinned beside each path's GIE release. BBR writes request headers and never reads an
#: InferencePool, so the v1alpha2 path uses the same router: v0.3.0's chart is documented
#: only in the staging registry (under a chart name that does not exist).
BBR_RELEASE_BY_API: dict[str, str] = {"v1alpha2": "v1.5.0", "v1": GIE_RELEASE_BY_API["v1"]}


def bbr_maps_base_models(tag: str) -> bool:
    """Whether this BBR release sets ``X-Gateway-Base-Model-Name`` from its ConfigMaps."""
    return release_number(tag) >= FIRST_BBR_RELEASE_WITH_BASE_MODELS


#: Chart releases whose value keys and endpoint-picker defaults the v1 path is written
#: for (see ``_gateway/picker_config.py`` and the chart values in ``_gateway/v1.py``). v1.5.0 is
#: also the chart's last release: ``config/charts`` is gone at v1.6.0.
KNOWN_CHART_VERSIONS: tuple[str, ...] = (DEFAULT_CHART_VERSION,)
