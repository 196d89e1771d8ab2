"""Constructs for the Gateway API Inference Extension, vLLM and GKE Inference Gateway.

Everything public is importable from here and listed in ``__all__``; modules whose names
start with ``_`` are internal and may change without notice.

Importing this package installs the lazy loader for the prebuilt provider bindings (see
``_runtime/lazy_providers.py``), so every provider import is cheap.
"""

import importlib as _importlib
import typing as _typing
from functools import cache as _cache

# Importing the loader's module installs it, before anything can import a provider package.
from constructs_lib._runtime import lazy_providers as _lazy_providers  # noqa: F401

# The public names, each read from its module on first use (``__getattr__`` below): an
# error in a YAML file is then reported before cdktf starts its Node kernel, and a script
# that needs one construct loads only the modules behind it. This block is what type
# checkers and readers see, and the one list ``__getattr__`` reads the name's module from.
if _typing.TYPE_CHECKING:
    from constructs_lib._cluster.access import ClusterAccess, ProjectAccess
    from constructs_lib._cluster.gie_crds import GieCrds, GkeExtensionCrds
    from constructs_lib._cluster.metrics_rbac import MetricsRbac
    from constructs_lib._cluster.preflight import INFERENCE_POOL_V1_CRD, Preflight
    from constructs_lib._cluster.props import ClusterAccessProps, GieCrdsProps, GkeExtensionCrdsProps, MetricsRbacProps
    from constructs_lib._cluster.variables import ClusterVariables
    from constructs_lib._core import checks as checks
    from constructs_lib._core.errors import ConfigError, Problem
    from constructs_lib._core.gateway_classes import GKE_GATEWAY_CLASSES, GatewayClass
    from constructs_lib._core.literal import has_token, literal
    from constructs_lib._core.metric_names import (
        ENDPOINT_PICKER_METRICS_BY_RELEASE,
        VLLM_METRICS_BY_VERSION,
    )
    from constructs_lib._core.props import Props, describe, from_mapping, iter_fields
    from constructs_lib._core.releases import (
        BBR_RELEASE_BY_API,
        DEFAULT_CHART_VERSION,
        GIE_RELEASE_BY_API,
        ApiVersion,
        api_of_release,
        bbr_maps_base_models,
        parse_version,
        release_number,
        ships_objective_crd,
    )
    from constructs_lib._edge.gateway_edge_props import CertificateSource, HttpsProps, StaticAddressProps
    from constructs_lib._edge.model_armor_props import ModelArmorProps, ModelArmorTemplateProps
    from constructs_lib._gateway.body_routing import BodyRoutingProps
    from constructs_lib._gateway.module import InferenceGateway
    from constructs_lib._gateway.module_props import (
        MODULE_COMMIT,
        HttpRouteSpec,
        InferenceGatewayProps,
        InferenceModelSpec,
    )
    from constructs_lib._gateway.picker_config import served_metrics
    from constructs_lib._gateway.picker_plugins import PLUGINS_BY_RELEASE as PICKER_PLUGINS_BY_RELEASE
    from constructs_lib._gateway.pools import Criticality, InferencePoolSpec, selected_servers
    from constructs_lib._gateway.scheduling_profiles import PROFILES as SCHEDULING_PROFILES
    from constructs_lib._gateway.scheduling_profiles import explain_pool_scheduling
    from constructs_lib._gateway.scheduling_props import PluginEntry, SchedulingProps
    from constructs_lib._gateway.v1 import InferenceGatewayV1
    from constructs_lib._gateway.v1_props import InferenceGatewayV1Props, InferenceObjectiveSpec
    from constructs_lib._model_server.autoscaler import explain as explain_autoscaling
    from constructs_lib._model_server.autoscaling import AutoscalingProps, AutoscalingTarget, PoolTarget
    from constructs_lib._model_server.drain import Derivation, DrainProfile
    from constructs_lib._model_server.drain import explain as explain_drain
    from constructs_lib._model_server.hf_token import HuggingFaceTokenSecret
    from constructs_lib._model_server.pod_monitoring import PodMonitoringProps
    from constructs_lib._model_server.server import VllmModelServer
    from constructs_lib._model_server.server_props import (
        GKE_ACCELERATORS,
        HuggingFaceToken,
        LoraAdapter,
        ProbeSettings,
        VllmModelServerProps,
    )
    from constructs_lib._observability.alerting import QueueDepthAlert
    from constructs_lib._observability.dashboard import (
        DashboardScope,
        InferenceDashboard,
        dashboard_body,
        layout_picture,
    )
    from constructs_lib._observability.metrics_adapter import CustomMetricsAdapter
    from constructs_lib._observability.props import (
        DashboardProps,
        EndpointPickerSource,
        MetricsAdapterProps,
        ObservabilityProps,
        QueueDepthAlertProps,
        observability_problems,
        pools_of_servers,
    )
    from constructs_lib._runtime.warm_up import main as warm_up
    from constructs_lib._terraform.manifests import KubernetesManifest, kubernetes_manifest
    from constructs_lib._terraform.output_directory import MARKER as OUTPUT_MARKER
    from constructs_lib._terraform.output_directory import output_directory_problems, synthesize_into
    from constructs_lib._terraform.requirements import require_provider, require_terraform

__version__ = "0.1.0"

__all__ = [
    "BBR_RELEASE_BY_API",
    "DEFAULT_CHART_VERSION",
    "ENDPOINT_PICKER_METRICS_BY_RELEASE",
    "VLLM_METRICS_BY_VERSION",
    "AutoscalingProps",
    "AutoscalingTarget",
    "CustomMetricsAdapter",
    "DashboardProps",
    "DashboardScope",
    "EndpointPickerSource",
    "InferenceDashboard",
    "MetricsAdapterProps",
    "ObservabilityProps",
    "PodMonitoringProps",
    "PoolTarget",
    "ProjectAccess",
    "QueueDepthAlert",
    "QueueDepthAlertProps",
    "dashboard_body",
    "explain_autoscaling",
    "layout_picture",
    "observability_problems",
    "parse_version",
    "release_number",
    "pools_of_servers",
    "GIE_RELEASE_BY_API",
    "GKE_ACCELERATORS",
    "GKE_GATEWAY_CLASSES",
    "INFERENCE_POOL_V1_CRD",
    "MODULE_COMMIT",
    "ApiVersion",
    "CertificateSource",
    "BodyRoutingProps",
    "ClusterAccess",
    "ClusterAccessProps",
    "ClusterVariables",
    "ConfigError",
    "Criticality",
    "Derivation",
    "DrainProfile",
    "GatewayClass",
    "GieCrds",
    "GieCrdsProps",
    "GkeExtensionCrds",
    "GkeExtensionCrdsProps",
    "HttpRouteSpec",
    "HttpsProps",
    "HuggingFaceToken",
    "HuggingFaceTokenSecret",
    "KubernetesManifest",
    "InferenceGateway",
    "InferenceGatewayProps",
    "InferenceGatewayV1",
    "InferenceGatewayV1Props",
    "InferenceModelSpec",
    "InferenceObjectiveSpec",
    "InferencePoolSpec",
    "LoraAdapter",
    "MetricsRbac",
    "MetricsRbacProps",
    "ModelArmorProps",
    "ModelArmorTemplateProps",
    "Preflight",
    "Problem",
    "ProbeSettings",
    "StaticAddressProps",
    "Props",
    "VllmModelServer",
    "VllmModelServerProps",
    "api_of_release",
    "bbr_maps_base_models",
    "checks",
    "describe",
    "explain_drain",
    "from_mapping",
    "has_token",
    "iter_fields",
    "kubernetes_manifest",
    "literal",
    "require_provider",
    "require_terraform",
    "ships_objective_crd",
    "synthesize_into",
    "output_directory_problems",
    "OUTPUT_MARKER",
    "warm_up",
    "PICKER_PLUGINS_BY_RELEASE",
    "SCHEDULING_PROFILES",
    "PluginEntry",
    "SchedulingProps",
    "explain_pool_scheduling",
    "selected_servers",
    "served_metrics",
]


@_cache
def _modules_of_names() -> dict[str, tuple[str, str]]:
    """Each public name -> (the module it is imported from, its name there), read
    from the ``TYPE_CHECKING`` imports above, so that the list is written once."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    (block,) = [node for node in tree.body if isinstance(node, ast.If)
                and isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"]
    found: dict[str, tuple[str, str]] = {}
    for node in block.body:
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            for alias in node.names:
                found[alias.asname or alias.name] = (node.module, alias.name)
    return found


def __getattr__(name: str) -> object:
    where = _modules_of_names().get(name)
    if where is None:
        raise AttributeError(f"module 'constructs_lib' has no attribute {name!r}")
    module = _importlib.import_module(where[0])
    try:
        value = getattr(module, where[1])
    except AttributeError:  # a submodule not imported yet (``checks``)
        value = _importlib.import_module(f"{where[0]}.{where[1]}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
