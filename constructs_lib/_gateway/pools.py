"""The model shared by both gateway paths: pools of model server pods (one per base model),
the model names each pool serves, and the checks that tie pools and servers together.

The two paths differ only in a :class:`PoolPolicy`: the ai-on-gke module fixes the pools'
namespace and target port, the v1 path takes both from the configuration and the servers.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Literal

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.props import Props
from constructs_lib._model_server.server_props import VllmModelServerProps

#: How important a model's requests are; ``Sheddable`` ones are dropped first under load.
Criticality = Literal["Critical", "Standard", "Sheddable"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class InferencePoolSpec(Props):
    """An InferencePool: the model server pods its endpoint picker balances over. Every pod
    of a pool serves one base model; a gateway with several pools routes each request to
    the pool of the model it names (see ``body_routing``).

    Attributes:
        name: pool name (also the Helm release's name).
        match_labels: labels selecting the model server pods.
        base_model: the base model the pool's servers serve. Default ``None``: the ``model``
            of the servers it selects; give it for servers this app does not deploy.
        adapters: the LoRA adapter names the pool's servers serve. Default ``None``: the
            adapters of the servers it selects (none without servers).
    """

    name: str
    match_labels: Mapping[str, str]
    base_model: str | None = None
    adapters: tuple[str, ...] | None = None

    def problems(self) -> list[Problem]:
        found = [*checks.helm_release_name("name", self.name, "each pool is one"),
                 *checks.labels("match_labels", self.match_labels)]
        if self.base_model is not None:
            found += checks.model_name("base_model", self.base_model)
        for index, adapter in enumerate(self.adapters or ()):
            found += checks.model_name(f"adapters[{index}]", adapter)
        found += checks.unique("adapters", self.adapters or (), "adapter name")
        if self.base_model is not None and self.base_model in (self.adapters or ()):
            found.append(Problem("adapters", list(self.adapters or ()), f"lists the base model {self.base_model}",
                                 "list only adapter names"))
        return found


@dataclasses.dataclass(frozen=True)
class PoolModels:
    """The model names one pool serves: its base model (``None`` when unknown) and adapters."""

    pool: str
    base_model: str | None
    adapters: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return ((self.base_model,) if self.base_model else ()) + self.adapters


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


def _server_groups(servers: Sequence[VllmModelServerProps]) -> list[list[VllmModelServerProps]]:
    """Servers grouped by namespace and base model, in the order they are listed."""
    groups: dict[tuple[str, str], list[VllmModelServerProps]] = {}
    for server in servers:
        groups.setdefault((server.namespace, server.model), []).append(server)
    return list(groups.values())


def _shared_labels(group: Sequence[VllmModelServerProps]) -> dict[str, str]:
    """The pod labels every server of ``group`` carries, in the first server's order."""
    return {key: value for key, value in group[0].pod_labels.items()
            if all(server.pod_labels.get(key) == value for server in group)}


def derive_pools(servers: Sequence[VllmModelServerProps]) -> tuple[InferencePoolSpec, ...]:
    """One pool per base model (in one namespace). A model served by one server gets a pool
    named after the server selecting exactly its pods; servers sharing a base model share a
    pool named after the model, selecting the pod labels they have in common (see
    :func:`derivation_problems`)."""
    pools = []
    for group in _server_groups(servers):
        if len(group) == 1:
            pools.append(InferencePoolSpec(name=group[0].name, match_labels=group[0].pod_labels))
        else:
            name = object_name(group[0].model)[:checks.HELM_RELEASE_NAME_LIMIT].rstrip("-")
            pools.append(InferencePoolSpec(name=name, match_labels=_shared_labels(group)))
    return tuple(pools)


def derivation_problems(servers: Sequence[VllmModelServerProps]) -> list[Problem]:
    """Servers of one base model that no label set selects apart from the others."""
    found = []
    for group in _server_groups(servers):
        if len(group) < 2:
            continue
        shared = _shared_labels(group)
        names = ", ".join(server.name for server in group)
        others = [s.name for s in servers if s not in group and shared and shared.items() <= s.pod_labels.items()]
        if not shared or others:
            why = "share no pod label" if not shared else f"share only labels that {', '.join(others)} also carry"
            found.append(Problem("inference_pools", None,
                                 f"cannot be derived: model servers {names} serve {group[0].model} but {why}",
                                 "give their pods a label of their own in common, or list inference_pools"))
    return found


def pool_models(pool: InferencePoolSpec, servers: Sequence[VllmModelServerProps]) -> PoolModels:
    """What ``pool`` serves: its own ``base_model`` and ``adapters`` where given, else what
    the servers it selects serve."""
    selected = selected_servers(pool, servers)
    base = pool.base_model if pool.base_model is not None else (selected[0].model if selected else None)
    if pool.adapters is not None:
        return PoolModels(pool.name, base, pool.adapters)
    adapters = [adapter.id for server in selected for adapter in server.adapters]
    return PoolModels(pool.name, base, tuple(dict.fromkeys(adapters)))


def selected_servers(pool: InferencePoolSpec,
                     servers: Sequence[VllmModelServerProps]) -> list[VllmModelServerProps]:
    """The model servers whose pods carry every label the pool selects on."""
    wanted = pool.match_labels.items()
    return [server for server in servers if wanted <= server.pod_labels.items()]


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
        found += _base_model_problems(index, pool, selected)
    return found


def _base_model_problems(index: int, pool: InferencePoolSpec,
                         selected: Sequence[VllmModelServerProps]) -> list[Problem]:
    """Every pod of a pool must serve the same base model: the endpoint picker sends a
    request to any pod of the pool, and a pod without the model answers 404."""
    models = sorted({server.model for server in selected})
    if len(models) > 1:
        return [Problem(f"inference_pools[{index}]", pool.name,
                        f"selects servers of different base models ({', '.join(models)}), so requests "
                        "would reach pods without their model", "give each base model its own pool")]
    if models and pool.base_model is not None and pool.base_model != models[0]:
        return [Problem(f"inference_pools[{index}].base_model", pool.base_model,
                        f"differs from the model its servers serve ({models[0]})",
                        f"write {models[0]}, or leave it unset")]
    return []


def served_twice_problems(models: Sequence[PoolModels]) -> list[Problem]:
    """A model or adapter name served by two pools: a request for it could reach either
    pool, and the router cannot tell which one is meant."""
    owner: dict[str, str] = {}
    found = []
    for index, pool in enumerate(models):
        for name in pool.names:
            first = owner.setdefault(name, pool.pool)
            if first != pool.pool:
                found.append(Problem(f"inference_pools[{index}]", name, f"is served by pool {pool.pool} and by "
                                     f"pool {first}", "serve each model and adapter name from one pool only"))
    return found


def served_model_problems(field: str, model_name: str, pool: InferencePoolSpec,
                          servers: Sequence[VllmModelServerProps]) -> list[Problem]:
    """A model name that none of the pool's servers serves would answer 404."""
    served = {name for server in selected_servers(pool, servers) for name in server.model_names}
    if not served or model_name in served:
        return []
    return [Problem(field, model_name, f"is not served by pool {pool.name}",
                    f"use one of: {', '.join(sorted(served))}")]
