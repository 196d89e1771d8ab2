"""HTTPRoutes from a gateway to inference pools, built in one place for both API paths.

Every route the package writes goes through :func:`route_manifest`, with its parent
reference from :func:`parent_refs`, so a change to how routes attach to the Gateway (a
listener's ``sectionName``, say) is made once. A route is described first as
:class:`RouteMatch` values, which is also what the synthesis-time check compares: two
routes with the same match on one gateway would leave one of them without traffic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem

GATEWAY_API = "gateway.networking.k8s.io/v1"


@dataclasses.dataclass(frozen=True)
class HeaderMatch:
    """An exact request-header match (header names are case-insensitive in HTTP)."""

    name: str
    value: str


@dataclasses.dataclass(frozen=True)
class RouteMatch:
    """A path prefix, optionally with one header that must match exactly."""

    path: str
    header: HeaderMatch | None = None

    def manifest(self) -> dict[str, Any]:
        match: dict[str, Any] = {"path": {"type": "PathPrefix", "value": self.path}}
        if self.header is not None:
            match["headers"] = [{"type": "Exact", "name": self.header.name, "value": self.header.value}]
        return match

    def describe(self) -> str:
        if self.header is None:
            return f"path {self.path}"
        return f"path {self.path} with {self.header.name}: {self.header.value}"

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two matches the same (header names compared case-insensitively)."""
        header = self.header
        return (self.path, header.name.lower() if header else "", header.value if header else "")


def matches(paths: Sequence[str], header: str | None = None,
            values: Sequence[str] = ()) -> tuple[RouteMatch, ...]:
    """Every path with every header value (just the paths without a header)."""
    if header is None:
        return tuple(RouteMatch(path) for path in paths)
    return tuple(RouteMatch(path, HeaderMatch(header, value)) for value in values for path in paths)


def parent_refs(gateway_name: str, gateway_namespace: str, section: str | None = None) -> list[dict[str, Any]]:
    """How every route attaches to the gateway: to one listener (``sectionName``) when
    ``section`` is given, else to all of them."""
    ref = {"name": gateway_name, "namespace": gateway_namespace}
    if section is not None:
        ref["sectionName"] = section
    return [ref]


def route_manifest(*, name: str, namespace: str, gateway_name: str, gateway_namespace: str,
                   route_matches: Sequence[RouteMatch], pool: str, pool_group: str,
                   section: str | None = None) -> dict[str, Any]:
    """An HTTPRoute sending ``route_matches`` to the InferencePool ``pool``. Matches are
    packed into rules of at most 64 (Gateway API's limit per rule), all to the same pool.
    Never ``timeouts``: GKE's Gateway controller rejects a route that carries them
    (``Accepted=False``, GWCER104), so every request would get a 404. ``section`` names the
    listener the route attaches to (``https`` when the gateway has HTTPS)."""
    backend = [{"group": pool_group, "kind": "InferencePool", "name": pool}]
    rules = []
    for start in range(0, len(route_matches), checks.ROUTE_MATCH_LIMIT):
        rule: dict[str, Any] = {
            "matches": [match.manifest() for match in route_matches[start:start + checks.ROUTE_MATCH_LIMIT]],
            "backendRefs": backend,
        }
        rules.append(rule)
    return {
        "apiVersion": GATEWAY_API,
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"parentRefs": parent_refs(gateway_name, gateway_namespace, section), "rules": rules},
    }


@dataclasses.dataclass(frozen=True)
class PlannedRoute:
    """A route a gateway will carry, named by the field that causes it (for errors)."""

    field: str
    name: str
    route_matches: tuple[RouteMatch, ...]


def route_problems(routes: Iterable[PlannedRoute], fix: str) -> list[Problem]:
    """Two routes with the same match on one gateway: only the older one gets traffic.
    Also routes with more matches than one HTTPRoute can hold."""
    first: dict[tuple[str, str, str], str] = {}
    found = []
    for route in routes:
        found += checks.route_size(route.field, route.name, len(route.route_matches))
        for match in route.route_matches:
            owner = first.setdefault(match.key, route.name)
            if owner != route.name:
                found.append(Problem(route.field, route.name,
                                     f"matches {match.describe()} like route {owner}, so only the older "
                                     "of the two would receive traffic", fix))
                break
    return found
