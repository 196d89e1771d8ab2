"""The GKE gateway classes this package accepts, and what each one is, written once: the
gateway's props accept the class, the edge picks an address type and certificate sources
from it, the body-based router needs its routing extension.

``gke-l7-global-external-managed`` is not accepted: no GKE or GIE source confirms it serves
InferencePool backends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

GatewayClass = Literal[
    "gke-l7-regional-external-managed",
    "gke-l7-rilb",
]


@dataclass(frozen=True, kw_only=True)
class GatewayClassFacts:
    """What GKE's load balancer behind one class is.

    Attributes:
        internal: reachable only from the VPC (an ``INTERNAL`` address).
        regional: a regional load balancer: it needs the region's proxy-only subnet and
            takes Certificate Manager certificates directly as listener options.
        routing_extension: it runs a GCPRoutingExtension (the body-based router).
    """

    internal: bool
    regional: bool
    routing_extension: bool


GATEWAY_CLASSES: dict[str, GatewayClassFacts] = {
    "gke-l7-regional-external-managed": GatewayClassFacts(internal=False, regional=True, routing_extension=True),
    "gke-l7-rilb": GatewayClassFacts(internal=True, regional=True, routing_extension=True),
}
GKE_GATEWAY_CLASSES: tuple[str, ...] = get_args(GatewayClass)
REGIONAL_CLASSES = tuple(name for name, facts in GATEWAY_CLASSES.items() if facts.regional)
INTERNAL_CLASSES = tuple(name for name, facts in GATEWAY_CLASSES.items() if facts.internal)
ROUTING_EXTENSION_CLASSES = tuple(name for name, facts in GATEWAY_CLASSES.items() if facts.routing_extension)
