"""Constructs for the Gateway API Inference Extension and vLLM on GKE.

Importing this package first installs the lazy loader for the prebuilt provider
bindings (see ``lazy_providers``), so every later provider import is cheap.
"""

from constructs_lib import lazy_providers

lazy_providers.install()
