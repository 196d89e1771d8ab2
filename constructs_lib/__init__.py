"""Constructs for the Gateway API Inference Extension, vLLM and GKE Inference Gateway.

Everything public is importable from here and listed in ``__all__``; modules whose names
start with ``_`` are internal and may change without notice.

Importing this package installs the lazy loader for the prebuilt provider bindings (see
``_lazy_providers``), so every provider import is cheap.
"""

# The lazy provider loader is installed by importing its module. Sorted as a
# ``from constructs_lib import`` line, it runs before every ``from constructs_lib._x import``
# below (those import the provider packages; ``_checks`` above it imports none). The
# redundant alias marks a deliberate import. Should a provider ever load first anyway,
# stderr says so and tests/test_lazy_providers.py fails.
from constructs_lib import _checks as checks
from constructs_lib import _lazy_providers as _lazy_providers
from constructs_lib._alerting import QueueDepthAlert, QueueDepthAlertProps
from constructs_lib._autoscaling import AutoscalingProps, AutoscalingTarget, PoolTarget
from constructs_lib._autoscaling import explain as explain_autoscaling
from constructs_lib._body_routing import BodyRoutingProps
from constructs_lib._cluster_access import ClusterAccess, ClusterAccessProps, ProjectAccess
from constructs_lib._cluster_variables import ClusterVariables
from constructs_lib._dashboard import DashboardProps, DashboardScope, InferenceDashboard, dashboard_body, layout_picture
from constructs_lib._drain import Derivation, DrainProfile
from constructs_lib._drain import explain as explain_drain
from constructs_lib._edge_props import CertificateSource, HttpsProps, StaticAddressProps
from constructs_lib._errors import ConfigError, Problem
from constructs_lib._gateway_common import GKE_GATEWAY_CLASSES, GatewayClass
from constructs_lib._gateway_module import InferenceGateway
from constructs_lib._gateway_module_props import (
    MODULE_COMMIT,
    HttpRouteSpec,
    InferenceGatewayProps,
    InferenceModelSpec,
)
from constructs_lib._gateway_v1 import InferenceGatewayV1
from constructs_lib._gateway_v1_props import InferenceGatewayV1Props, InferenceObjectiveSpec
from constructs_lib._gie_crds import GieCrds, GieCrdsProps, GkeExtensionCrds, GkeExtensionCrdsProps
from constructs_lib._hf_token import HuggingFaceTokenSecret
from constructs_lib._literal import has_token, literal
from constructs_lib._metrics import ENDPOINT_PICKER_METRICS_BY_RELEASE, VLLM_METRICS_BY_VERSION, parse_version
from constructs_lib._metrics_adapter import CustomMetricsAdapter, MetricsAdapterProps
from constructs_lib._metrics_rbac import MetricsRbac, MetricsRbacProps
from constructs_lib._model_armor_props import ModelArmorProps, ModelArmorTemplateProps
from constructs_lib._model_server import VllmModelServer
from constructs_lib._model_server_props import (
    GKE_ACCELERATORS,
    HuggingFaceToken,
    LoraAdapter,
    ProbeSettings,
    VllmModelServerProps,
)
from constructs_lib._observability import (
    EndpointPickerSource,
    ObservabilityProps,
    observability_problems,
    pools_of_servers,
)
from constructs_lib._pod_monitoring import PodMonitoringProps
from constructs_lib._pools import Criticality, InferencePoolSpec
from constructs_lib._preflight import INFERENCE_POOL_V1_CRD, Preflight
from constructs_lib._props import Props, describe, from_mapping, iter_fields
from constructs_lib._releases import (
    BBR_RELEASE_BY_API,
    DEFAULT_CHART_VERSION,
    GIE_RELEASE_BY_API,
    ApiVersion,
    api_of_release,
    bbr_maps_base_models,
    ships_objective_crd,
)
from constructs_lib._terraform import require_provider, require_terraform

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
    "literal",
    "require_provider",
    "require_terraform",
    "ships_objective_crd",
]
