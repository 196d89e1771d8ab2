"""The body-based router as Terraform: its Helm release and, from v1.5.0, one ConfigMap per
pool that maps the pool's adapters to its base model (see ``body_routing.py`` for why)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from constructs import Construct

from constructs_lib._core.releases import CHART_REPOSITORY
from constructs_lib._gateway.body_routing import (
    BBR_MANAGED_LABEL,
    CHART_NAME,
    BodyRoutingProps,
    RoutingPlan,
)
from constructs_lib._gateway.pools import PoolModels
from constructs_lib._terraform import providers
from constructs_lib._terraform.manifests import depend_on, kubernetes_manifest


def base_model_config_map(models: PoolModels, namespace: str) -> dict[str, Any]:
    """The ConfigMap that tells BBR which adapters belong to this pool's base model. Every
    base model needs one, adapters or not: BBR sets an empty header for a model it was
    never told about. Adapters are written as a JSON list (valid YAML), so names that look
    like numbers stay strings."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{models.pool}-base-model", "namespace": namespace,
                     "labels": {BBR_MANAGED_LABEL: "true"}},
        "data": {"baseModel": models.base_model or "", "adapters": json.dumps(list(models.adapters))},
    }


def router_settings(props: BodyRoutingProps, gateway_name: str) -> list[tuple[str, str]]:
    """The chart values, as ``(path, value)`` pairs for helm ``set``. ``provider.name`` must
    be exactly ``gke`` for the chart to render the GCPRoutingExtension and its health check."""
    return [("provider.name", "gke"), ("inferenceGateway.name", gateway_name),
            ("bbr.name", props.name), ("bbr.replicas", str(props.replicas))]


class BodyRouter(Construct):
    """The router's Helm release in the gateway's namespace (the chart's GCPRoutingExtension
    targets the Gateway by a local reference) and, where the release maps adapters to base
    models, one ConfigMap per pool.

    Construct ids: ``release`` and ``base-model-<pool>``.
    """

    def __init__(self, scope: Construct, id: str, *, props: BodyRoutingProps, plan: RoutingPlan,
                 gateway_name: str, namespace: str, helm: providers.HelmProvider, after: Sequence[Any]) -> None:
        super().__init__(scope, id)
        self.config_maps = [kubernetes_manifest(self, f"base-model-{models.pool}",
                                                manifest=base_model_config_map(models, namespace))
                            for models in plan.base_models]
        self.release = providers.Release(
            self, "release", name=props.name, namespace=namespace, repository=CHART_REPOSITORY,
            chart=CHART_NAME, version=plan.version, provider=helm,
            set=[providers.ReleaseSet(name=path, value=value) for path, value in router_settings(props, gateway_name)])
        depend_on(self.release, [*after, *self.config_maps])
