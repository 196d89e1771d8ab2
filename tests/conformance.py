"""What the synthesized stacks put in front of the API server, gathered for checking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

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


ROUTER_CHART = "body-based-routing"
BBR_MANAGED = "inference.networking.k8s.io/bbr-managed"


def releases(stack: dict[str, Any], chart: str) -> list[dict[str, Any]]:
    return [body for body in stack.get("resource", {}).get("helm_release", {}).values() if body["chart"] == chart]


def release_values(release: dict[str, Any]) -> dict[str, str]:
    return {entry["name"]: entry["value"] for entry in release.get("set", [])}


def router_custom_resources(stack: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The GKE objects the body-based-routing chart (v1.0.0 to v1.5.0, templates/gke.yaml)
    renders from our values when ``provider.name`` is ``gke``."""
    for release in releases(stack, ROUTER_CHART):
        values = release_values(release)
        if values.get("provider.name") != "gke":
            continue
        name, namespace = values.get("bbr.name", "body-based-router"), release["namespace"]
        yield {
            "kind": "GCPRoutingExtension", "apiVersion": "networking.gke.io/v1",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                                "name": values.get("inferenceGateway.name", "inference-gateway")}],
                "extensionChains": [{"name": "chain1", "extensions": [{
                    "name": "ext1", "authority": "myext.com", "timeout": "1s",
                    "supportedEvents": ["RequestHeaders", "RequestBody", "RequestTrailers"],
                    "requestBodySendMode": "FullDuplexStreamed",
                    "backendRef": {"group": "", "kind": "Service", "name": name, "port": 9004}}]}],
            },
        }
        yield {
            "apiVersion": "networking.gke.io/v1", "kind": "HealthCheckPolicy",
            "metadata": {"name": "bbr-healthcheck", "namespace": namespace},
            "spec": {"default": {"logConfig": {"enabled": True},
                                 "config": {"type": "GRPC", "grpcHealthCheck": {
                                     "portSpecification": "USE_FIXED_PORT", "port": 9005}}},
                     "targetRef": {"group": "", "kind": "Service", "name": name, "namespace": namespace}},
        }


def http_routes(stack: dict[str, Any]) -> list[dict[str, Any]]:
    """Every HTTPRoute on the gateway: ours, and the module's (its template: PathPrefix
    ``/v1/completions`` to the pool, no header match)."""
    found = [obj for obj in literal_manifests(stack) if obj["kind"] == "HTTPRoute"]
    module = stack.get("module", {}).get("inference_gateway")
    for route in (module or {}).get("http_routes", []):
        found.append({"metadata": {"name": route["name"]}, "spec": {"rules": [{
            "matches": [{"path": {"type": "PathPrefix", "value": "/v1/completions"}}],
            "backendRefs": [{"name": route["inference_pool_name"]}]}]}})
    return found


def router_headers(stack: dict[str, Any], model: str) -> dict[str, str]:
    """The headers BBR sets for a request naming ``model``, as its release does: the model
    itself, and from v1.5.0 its base model from bbr-managed ConfigMaps in its namespace
    (an adapter's base, the model if it is a base, else the empty string)."""
    routers = releases(stack, ROUTER_CHART)
    if not routers:
        return {}
    (router,) = routers
    headers = {"x-gateway-model-name": model}
    major, minor = (int(part) for part in router["version"].lstrip("v").split(".")[:2])
    if (major, minor) >= (1, 5):
        bases, adapters = set(), {}
        for obj in literal_manifests(stack):
            labels = obj["metadata"].get("labels", {})
            if obj["kind"] != "ConfigMap" or labels.get(BBR_MANAGED) != "true":
                continue
            if obj["metadata"].get("namespace", "default") != router["namespace"]:
                continue
            base = obj["data"]["baseModel"].strip()
            bases.add(base)
            for adapter in yaml.safe_load(obj["data"].get("adapters") or "[]") or []:
                adapters[str(adapter).strip()] = base
        headers["x-gateway-base-model-name"] = adapters.get(model, model if model in bases else "")
    return headers


def routed_pools(stack: dict[str, Any], model: str, path: str = "/v1/chat/completions") -> set[str]:
    """The pools a request for ``model`` on ``path`` may reach, by Gateway API precedence:
    the longest matching path prefix, then the most header matches. More than one pool
    means the routes are ambiguous; none means 404."""
    headers = router_headers(stack, model)
    best: tuple[int, int] | None = None
    pools: set[str] = set()
    for route in http_routes(stack):
        for rule in route["spec"]["rules"]:
            for match in rule.get("matches", []):
                prefix = match["path"]["value"]
                if not (path == prefix or path.startswith(prefix.rstrip("/") + "/")):
                    continue
                wanted = match.get("headers", [])
                if any(headers.get(h["name"].lower()) != h["value"] for h in wanted):
                    continue
                rank = (len(prefix), len(wanted))
                targets = {ref["name"] for ref in rule["backendRefs"]}
                if best is None or rank > best:
                    best, pools = rank, set(targets)
                elif rank == best:
                    pools |= targets
    return pools
