"""What the synthesized stacks put in front of the API server, gathered for checking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: GIE and GKE API groups whose CRDs the prerequisites stack installs.
CRD_GROUPS = ("inference.networking.x-k8s.io", "inference.networking.k8s.io", "networking.gke.io")
CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Namespace",
                  "PersistentVolume", "StorageClass", "PriorityClass", "GatewayClass"}


def literal_manifests(stack: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``kubernetes_manifest`` bodies written out in the JSON (not ``for_each`` documents)."""
    for body in stack.get("resource", {}).get("kubernetes_manifest", {}).values():
        if isinstance(body["manifest"], dict):
            yield body["manifest"]


def module_custom_resources(stack: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The InferenceModels the ai-on-gke module creates from our inputs (its templates, as
    the module's facts describe them: modelName, criticality, poolRef.name)."""
    module = stack.get("module", {}).get("inference_gateway")
    for model in (module or {}).get("inference_models", []):
        yield {
            "apiVersion": "inference.networking.x-k8s.io/v1alpha2",
            "kind": "InferenceModel",
            "metadata": {"name": model["name"], "namespace": model.get("namespace", "default")},
            "spec": {"modelName": model["model_name"], "criticality": model["criticality"],
                     "poolRef": {"name": model["inference_pool_name"]}},
        }


def group_of(obj: dict[str, Any]) -> str:
    api_version = obj.get("apiVersion", "")
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def creates_crds(stack: dict[str, Any]) -> bool:
    manifests = stack.get("resource", {}).get("kubernetes_manifest", {}).values()
    return any(not isinstance(body["manifest"], dict) and "for_each" in body for body in manifests)


def pod_references(deployment: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """``(kind, namespace, name)`` of every ConfigMap and Secret a Deployment's pods use."""
    namespace = deployment["metadata"].get("namespace", "default")
    pod = deployment["spec"]["template"]["spec"]
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            yield ("ConfigMap", namespace, volume["configMap"]["name"])
        if "secret" in volume:
            yield ("Secret", namespace, volume["secret"]["secretName"])
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        for env in container.get("env", []):
            source = env.get("valueFrom", {})
            if "secretKeyRef" in source:
                yield ("Secret", namespace, source["secretKeyRef"]["name"])
            if "configMapKeyRef" in source:
                yield ("ConfigMap", namespace, source["configMapKeyRef"]["name"])
        for env_from in container.get("envFrom", []):
            if "secretRef" in env_from:
                yield ("Secret", namespace, env_from["secretRef"]["name"])
            if "configMapRef" in env_from:
                yield ("ConfigMap", namespace, env_from["configMapRef"]["name"])


def created_objects(stacks: dict[str, dict[str, Any]]) -> set[tuple[str, str, str]]:
    found = set()
    for stack in stacks.values():
        for obj in literal_manifests(stack):
            found.add((obj["kind"], obj["metadata"].get("namespace", "default"), obj["metadata"]["name"]))
        for secret in stack.get("resource", {}).get("kubernetes_secret_v1", {}).values():
            metadata = secret["metadata"]
            found.add(("Secret", metadata.get("namespace", "default"), metadata["name"]))
    return found
