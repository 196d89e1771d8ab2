"""The model shared by both gateway paths: pools of model server pods, the model names
each pool serves, and the checks that tie pools, servers and routes together.

The two paths differ only in a :class:`PoolPolicy`: the ai-on-gke module fixes the pools'
namespace and target port, the v1 path takes both from the configuration and the servers.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Literal

from constructs_lib import _checks as checks
from constructs_lib._errors import Problem
from constructs_lib._model_server_props import VllmModelServerProps
from constructs_lib._props import Props

#: How important a model's requests are; ``Sheddable`` ones are dropped first under load.
Criticality = Literal["Critical", "Standard", "Sheddable"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class InferencePoolSpec(Props):
    """An InferencePool: the model server pods its endpoint picker balances over.

    Attributes:
        name: pool name (also the Helm release's name).
        match_labels: labels selecting the model server pods.
    """

    name: str
    match_labels: Mapping[str, str]

    def problems(self) -> list[Problem]:
        return [*checks.helm_release_name("name", self.name, "each pool is one"),
                *checks.labels("match_labels", self.match_labels)]


@dataclasses.dataclass(frozen=True)
class ServedModel:
    """A model name a pool serves, with the object name derived for it."""

    object_name: str
    model_name: str
    pool: str
    is_base: bool


@dataclasses.dataclass(frozen=True)
class PoolPolicy:
    """What a gateway path allows its pools: ``namespace`` and ``target_port`` are fixed
    values (``None``: any, as long as one pool's servers agree); ``escape`` says how to
    get out of a fixed value."""

    namespace: str
    target_port: int | None
    escape: str


def object_name(text: str) -> str:
    """A Kubernetes object name made from a model id (``meta-llama/Llama-3.1-8B``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:63].rstrip("-") or "model"


def derive_pools(servers: Sequence[VllmModelServerProps]) -> tuple[InferencePoolSpec, ...]:
    """One pool per server, selecting exactly its pods."""
    return tuple(InferencePoolSpec(name=server.name, match_labels=server.pod_labels) for server in servers)


def selected_servers(pool: InferencePoolSpec,
                     servers: Sequence[VllmModelServerProps]) -> list[VllmModelServerProps]:
    """The model servers whose pods carry every label the pool selects on."""
    return [server for server in servers if pool.match_labels.items() <= server.pod_labels.items()]


def served_models(pools: Sequence[InferencePoolSpec],
                  servers: Sequence[VllmModelServerProps]) -> list[ServedModel]:
    """Every model name each pool serves (base models first, then adapters, once per pool).
    Object names follow the model name; a name served by several pools gets the pool's
    name in front, so that the objects stay distinct."""
    served: list[tuple[str, str, bool]] = []
    for pool in pools:
        seen: set[str] = set()
        selected = selected_servers(pool, servers)
        names = [(s.model, True) for s in selected] + [(a.id, False) for s in selected for a in s.adapters]
        for name, is_base in names:
            if name not in seen:
                seen.add(name)
                served.append((pool.name, name, is_base))
    pools_of: dict[str, int] = {}
    for _, name, _ in served:
        pools_of[name] = pools_of.get(name, 0) + 1
    return [ServedModel(object_name(name if pools_of[name] == 1 else f"{pool}-{name}"), name, pool, is_base)
            for pool, name, is_base in served]


def target_port(pool: InferencePoolSpec, servers: Sequence[VllmModelServerProps], default: int) -> int:
    """The port of the servers a pool selects; ``default`` when it selects none in this app
    (servers deployed elsewhere, on vLLM's default port)."""
    selected = selected_servers(pool, servers)
    return selected[0].port if selected else default


def underivable(props: Props, names: Sequence[str], servers: Sequence[VllmModelServerProps]) -> list[Problem]:
    """Fields left to derivation (``None``) in an app without model servers to derive from."""
    return [Problem(name, None, "cannot be derived without model_servers",
                    f"list the {name.replace('_', ' ')} for your own model servers")
            for name in names if getattr(props, name) is None and not servers]


def pool_names_problem(field: str, name: str, pools: Sequence[str]) -> list[Problem]:
    """``name`` must be one of ``pools``."""
    if name in pools:
        return []
    return [Problem(field, name, "names no pool", f"use one of: {', '.join(sorted(pools)) or '(none)'}")]


def pool_problems(pools: Sequence[InferencePoolSpec], servers: Sequence[VllmModelServerProps],
                  policy: PoolPolicy) -> list[Problem]:
    """Problems of the pools themselves, the same on both paths: unique names, at least
    one, and servers that the path can reach (namespace, port)."""
    found = list(checks.unique("inference_pools", (p.name for p in pools), "pool name"))
    if not pools:
        found.append(Problem("inference_pools", [], "is empty", "give at least one pool"))
    if not servers:
        return found
    for index, pool in enumerate(pools):
        selected = selected_servers(pool, servers)
        ports = sorted({s.port for s in selected})
        if not selected:
            found.append(Problem(f"inference_pools[{index}].match_labels", dict(pool.match_labels),
                                 "selects no model server's pods", "use the labels of one of model_servers"))
        elif any(s.namespace != policy.namespace for s in selected):
            found.append(Problem(f"inference_pools[{index}]", pool.name,
                                 f"selects pods outside namespace {policy.namespace}, where its pool lives",
                                 f"deploy those model servers in namespace {policy.namespace}, "
                                 f"or {policy.escape}"))
        elif policy.target_port is not None and ports != [policy.target_port]:
            found.append(Problem(f"inference_pools[{index}]", pool.name,
                                 f"selects servers on port {ports}, but its pool must target port "
                                 f"{policy.target_port}", f"serve on port {policy.target_port}, or {policy.escape}"))
        elif len(ports) > 1:
            found.append(Problem(f"inference_pools[{index}]", pool.name,
                                 f"selects servers on different ports {ports}",
                                 "give the servers of one pool the same port"))
    return found


def served_model_problems(field: str, model_name: str, pool: InferencePoolSpec,
                          servers: Sequence[VllmModelServerProps]) -> list[Problem]:
    """A model name that none of the pool's servers serves would answer 404."""
    served = {name for server in selected_servers(pool, servers) for name in server.model_names}
    if not served or model_name in served:
        return []
    return [Problem(field, model_name, f"is not served by pool {pool.name}",
                    f"use one of: {', '.join(sorted(served))}")]


def shared_path_problems(field: str, routes: Sequence[tuple[str, str]]) -> list[Problem]:
    """Routes that match the same paths on one gateway: only the oldest gets traffic."""
    first: dict[str, str] = {}
    found = []
    for index, (name, gateway) in enumerate(routes):
        if gateway in first:
            found.append(Problem(f"{field}[{index}]", name,
                                 f"matches the same paths on gateway {gateway} as {first[gateway]}, so "
                                 "only the older of the two would receive traffic",
                                 "serve these model servers through one pool: give their pods a shared "
                                 "label and list that pool in inference_pools"))
        first.setdefault(gateway, name)
    return found
