"""Constructs for the Gateway API Inference Extension, vLLM and GKE Inference Gateway.

Everything public is importable from here and listed in ``__all__``; modules whose names
start with ``_`` are internal and may change without notice.

Importing this package installs the lazy loader for the prebuilt provider bindings (see
``_lazy_providers``), so every provider import is cheap.
"""

# The loader is installed by importing its module. Being a ``from constructs_lib import``,
# this line sorts before every ``from constructs_lib._x import`` below, which would import
# the provider packages; the redundant alias keeps it a deliberate, used import.
from constructs_lib import _lazy_providers as _lazy_providers
from constructs_lib._cluster_access import ClusterAccess, ClusterAccessProps
from constructs_lib._drain import DrainProfile
from constructs_lib._environment import EnvironmentVariables
from constructs_lib._errors import ConfigError, Problem
from constructs_lib._gateway_props import (
    GKE_GATEWAY_CLASSES,
    MODULE_COMMIT,
    GatewaySpec,
    HttpRouteSpec,
    InferenceGatewayProps,
    InferenceModelSpec,
    InferencePoolSpec,
)
from constructs_lib._gateway_v1_props import InferenceGatewayV1Props, InferenceObjectiveSpec
from constructs_lib._gie_crds import GieCrds, GieCrdsProps, GkeExtensionCrds, GkeExtensionCrdsProps
from constructs_lib._hf_token import HuggingFaceTokenSecret
from constructs_lib._inference_gateway import InferenceGateway
from constructs_lib._inference_gateway_v1 import InferenceGatewayV1
from constructs_lib._metrics_rbac import MetricsRbac, MetricsRbacProps
from constructs_lib._model_server import VllmModelServer
from constructs_lib._model_server_props import (
    GKE_ACCELERATORS,
    HuggingFaceToken,
    LoraAdapter,
    ProbeSettings,
    VllmModelServerProps,
)
from constructs_lib._preflight import Preflight
from constructs_lib._props import Props, from_mapping

__version__ = "0.1.0"

__all__ = [
    "GKE_ACCELERATORS",
    "GKE_GATEWAY_CLASSES",
    "MODULE_COMMIT",
    "ClusterAccess",
    "ClusterAccessProps",
    "ConfigError",
    "DrainProfile",
    "EnvironmentVariables",
    "GatewaySpec",
    "GieCrds",
    "GieCrdsProps",
    "GkeExtensionCrds",
    "GkeExtensionCrdsProps",
    "HttpRouteSpec",
    "HuggingFaceToken",
    "HuggingFaceTokenSecret",
    "InferenceGateway",
    "InferenceGatewayProps",
    "InferenceGatewayV1",
    "InferenceGatewayV1Props",
    "InferenceObjectiveSpec",
    "InferenceModelSpec",
    "InferencePoolSpec",
    "LoraAdapter",
    "MetricsRbac",
    "MetricsRbacProps",
    "Preflight",
    "Problem",
    "ProbeSettings",
    "Props",
    "VllmModelServer",
    "VllmModelServerProps",
    "from_mapping",
]
