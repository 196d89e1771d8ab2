"""Every chart value the app sets is read by a template of the chart it installs, at the
release it pins: a chart without a values schema ignores a key it does not read, so a
misspelled or stale key would otherwise ship silently. The charts are test data, copied
at the pinned tag (tests/fixtures/upstream/gie-v1.5.0-charts/SOURCE.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from crd_schema import crd_errors, load_crds
from gotemplate import Chart, merge, set_value
from helpers import FIXTURES, SHARED, needs_shared, synth
from k8s_schema import schema_errors

from cli.config_file import load_config
from constructs_lib import BBR_RELEASE_BY_API, DEFAULT_CHART_VERSION, InferenceGatewayV1Props, SchedulingProps
from stacks.config import AppConfig

ROOT = Path(__file__).resolve().parents[1]
CHARTS = FIXTURES / "upstream" / "gie-v1.5.0-charts"
#: The charts each installed chart renders with (inferencepool includes epplib's templates).
TEMPLATES = {"inferencepool": ("inferencepool", "epplib"), "body-based-routing": ("body-based-routing",)}
CONFIGS = ("config.v1.example.yaml", "config.two-models.example.yaml", "latency-target")


def _templates(chart: str) -> list[str]:
    return [path.read_text() for part in TEMPLATES[chart] for path in sorted((CHARTS / part / "templates").iterdir())]


def _leaves(value: object, prefix: str = "") -> list[str]:
    """The dotted key paths of a values document's leaves (a map under a key a template
    hands on whole counts through that key)."""
    if isinstance(value, dict) and value:
        return [leaf for key, item in value.items() for leaf in _leaves(item, f"{prefix}.{key}" if prefix else key)]
    return [prefix]


def read_by_a_template(path: str, templates: list[str]) -> bool:
    """Whether a template reads ``path``: ``.Values.<path>`` itself, or an enclosing key that
    the template ranges over, renders whole (``toYaml``), or opens (``with``, ``index``) and
    then reads the rest of the path from."""
    segments = re.sub(r"\[\d+\]", "", path).replace("\\.", "\0").split(".")
    segments = [segment.replace("\0", ".") for segment in segments]
    for cut in range(len(segments), 0, -1):
        prefix, rest = ".".join(segments[:cut]), segments[cut:]
        usage = re.compile(rf"\.Values\.{re.escape(prefix)}(?![\w.])")
        for text in templates:
            lines = text.splitlines()
            for number, line in enumerate(lines):
                if not usage.search(line):
                    continue
                following = " ".join(lines[number:number + 4])
                if not rest or "range" in line or "toYaml" in line:
                    return True
                if re.search(r"\bwith\b", line) and "toYaml ." in following:
                    return True
                if re.search(r"\b(with|index)\b", line) and all(f".{segment}" in text for segment in rest):
                    return True
    return False


def _releases(stacks: dict) -> list[dict]:
    return list(stacks["inference-gateway"].get("resource", {}).get("helm_release", {}).values())


def _config(name: str) -> AppConfig:
    if name.endswith(".yaml"):
        return load_config(str(ROOT / name))
    return AppConfig(gateway=InferenceGatewayV1Props(scheduling=SchedulingProps(profile=name)))


@pytest.fixture(scope="module", params=CONFIGS)
def releases(request, tmp_path_factory):
    return _releases(synth(_config(request.param), tmp_path_factory.mktemp("charts")))


def test_the_charts_are_the_pinned_release():
    pinned = {yaml.safe_load((CHARTS / chart / "Chart.yaml").read_text())["name"] for chart in TEMPLATES}
    assert pinned == {"inferencepool", "body-based-routing"}
    assert DEFAULT_CHART_VERSION == "v1.5.0" == BBR_RELEASE_BY_API["v1"]
    assert "df9f8909fe06fe2dfd4a6fc0bd0c01a0acabf849" in (CHARTS / "SOURCE.md").read_text()


def test_every_value_set_is_read_by_a_template_of_its_chart(releases):
    assert releases
    unread = []
    for release in releases:
        assert release["version"] == "v1.5.0", release["chart"]
        templates = _templates(release["chart"])
        paths = [entry["name"] for entry in release.get("set", [])]
        paths += [leaf for document in release.get("values", []) for leaf in _leaves(yaml.safe_load(document))]
        unread += [f"{release['chart']}: {path}" for path in paths if not read_by_a_template(path, templates)]
    assert unread == []


@pytest.mark.parametrize(("path", "chart"), [
    ("inferenceExtension.monitoring.gke.enabled", "inferencepool"),  # read by no template at v1.5.0
    ("inferencePool.targetPort", "inferencepool"),
    ("bbr.replica", "body-based-routing"),
])
def test_a_key_no_template_reads_is_caught(path, chart):
    assert not read_by_a_template(path, _templates(chart))


def test_the_defaults_we_rely_on_are_the_charts():
    """docs/gateway-v1.md: the picker's one replica requesting 4 CPU and 8 GiB (limit
    16 GiB), and BBR's one replica, are the charts' own defaults at v1.5.0."""
    picker = yaml.safe_load((CHARTS / "inferencepool" / "values.yaml").read_text())["inferenceExtension"]
    assert picker["replicas"] == 1
    assert picker["resources"] == {"requests": {"cpu": "4", "memory": "8Gi"}, "limits": {"memory": "16Gi"}}
    assert yaml.safe_load((CHARTS / "body-based-routing" / "values.yaml").read_text())["bbr"]["replicas"] == 1


# Objects the charts render from our values ---------------------------------------------------

CHART_DIRECTORIES = {
    "inferencepool": Chart(CHARTS / "inferencepool", {"inferenceExtension": CHARTS / "epplib"}),
    "body-based-routing": Chart(CHARTS / "body-based-routing"),
}
CRD_FILES = ("gie-v1.5.0-crds.yaml", "gke-gateway-api-fc40d60-crds.yaml", "gmp-v0.17.2-crds.yaml")
AUTOPILOT_VALUE = "provider.gke.autopilot"
#: The built-in API versions the charts render; everything else is a custom resource.
KUBERNETES_APIS = ("v1", "apps/v1", "rbac.authorization.k8s.io/v1")


def render_release(release: dict, autopilot: bool) -> list[dict]:
    """What Helm would install for one ``helm_release`` of a stack: the chart's defaults,
    the release's values documents, then its ``set`` entries. The one Terraform reference
    the app passes (whether the cluster is Autopilot) is given as ``autopilot``."""
    chart = CHART_DIRECTORIES[release["chart"]]
    values = chart.default_values()
    for document in release.get("values", []):
        values = merge(values, yaml.safe_load(document))
    for entry in release.get("set", []):
        value = entry["value"]
        if "${" in value:
            assert entry["name"] == AUTOPILOT_VALUE, entry
            value = "true" if autopilot else "false"
        values = set_value(values, entry["name"], value)
    return chart.render(values, release["name"], release["namespace"])


@pytest.fixture(scope="module", params=[False, True], ids=["standard", "autopilot"])
def rendered(request, releases) -> list[tuple[dict, list[dict]]]:
    return [(release, render_release(release, request.param)) for release in releases]


@needs_shared(*CRD_FILES)
def test_every_custom_resource_the_charts_render_is_valid_against_its_crd(rendered):
    schemas = load_crds([SHARED / "upstream" / name for name in CRD_FILES])
    custom = [(release["name"], obj) for release, objects in rendered for obj in objects
              if obj["apiVersion"] not in KUBERNETES_APIS]
    assert {obj["kind"] for _, obj in custom} >= {"InferencePool", "HealthCheckPolicy", "GCPBackendPolicy"}
    errors = {f"{name}/{obj['kind']}/{obj['metadata']['name']}": crd_errors(obj, schemas) for name, obj in custom}
    found = {where: problems for where, problems in errors.items() if problems}
    # The inferencepool chart's HealthCheckPolicy gives a port without portSpecification,
    # which GKE's CRD at fc40d60 refuses (its three CEL rules on httpHealthCheck read
    # portSpecification unguarded, and the last forbids a port when it is unset).
    pools = {release["name"] for release, _ in rendered if release["chart"] == "inferencepool"}
    known = {f"{pool}/HealthCheckPolicy/{pool}" for pool in pools}
    assert set(found) == known
    for where in known:
        assert any("port and portName must be unset" in problem for problem in found[where]), found[where]


def test_every_kubernetes_object_the_charts_render_passes_the_strict_schema(rendered):
    core = [(release["name"], obj) for release, objects in rendered for obj in objects
            if obj["apiVersion"] in KUBERNETES_APIS]
    assert {obj["kind"] for _, obj in core} >= {"Deployment", "Service", "ConfigMap", "ServiceAccount"}
    errors = [f"{name}/{obj['kind']}/{obj['metadata']['name']}: {error}"
              for name, obj in core for version in ("1.31", "1.33") for error in schema_errors(obj, version)]
    assert errors == []


def _one(objects: list[dict], kind: str, name_end: str = "") -> dict:
    (found,) = [obj for obj in objects if obj["kind"] == kind and obj["metadata"]["name"].endswith(name_end)]
    return found


def test_each_picker_reads_the_configuration_the_app_wrote(rendered):
    for release, objects in rendered:
        if release["chart"] != "inferencepool" or not release.get("values"):
            continue
        ours = yaml.safe_load(release["values"][0])["inferenceExtension"]
        deployment = _one(objects, "Deployment", "-epp")
        (picker,) = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "epp"]
        args = picker["args"]
        assert args[args.index("--config-file") + 1] == f"/config/{ours['pluginsConfigFile']}"
        (mount,) = [m for m in picker["volumeMounts"] if m["mountPath"] == "/config"]
        (volume,) = [v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"]]
        config_map = _one(objects, "ConfigMap", volume["configMap"]["name"])
        written = ours["pluginsCustomConfig"][ours["pluginsConfigFile"]]
        assert yaml.safe_load(config_map["data"][ours["pluginsConfigFile"]]) == yaml.safe_load(written)
        # The deprecated metric flags, which the v1.5.0 picker refuses to start with, stay out.
        assert not any(arg.endswith("-metric") or "-metric=" in arg for arg in args)


def test_each_pool_selects_its_servers_and_points_at_its_own_picker(rendered):
    for release, objects in rendered:
        if release["chart"] != "inferencepool":
            continue
        pool = _one(objects, "InferencePool")
        labels = {entry["name"].removeprefix("inferencePool.modelServers.matchLabels.").replace("\\.", "."):
                  entry["value"] for entry in release["set"]
                  if entry["name"].startswith("inferencePool.modelServers.matchLabels.")}
        assert pool["spec"]["selector"]["matchLabels"] == labels
        service = _one(objects, "Service", "-epp")
        assert pool["spec"]["endpointPickerRef"]["name"] == service["metadata"]["name"]
        assert pool["spec"]["endpointPickerRef"]["port"]["number"] in [p["port"] for p in service["spec"]["ports"]]
        policy = _one(objects, "GCPBackendPolicy")
        assert policy["spec"]["targetRef"] == {"group": "inference.networking.k8s.io", "kind": "InferencePool",
                                               "name": pool["metadata"]["name"]}


def test_the_collector_may_read_the_pickers_metrics_token_on_standard_and_autopilot(releases):
    for autopilot, namespace in ((False, "gmp-system"), (True, "gke-gmp-system")):
        for release in releases:
            if release["chart"] != "inferencepool" or AUTOPILOT_VALUE not in {e["name"] for e in release["set"]}:
                continue
            objects = render_release(release, autopilot)
            bindings = [obj for obj in objects if obj["kind"] == "RoleBinding" and ":collector:" in
                        obj["metadata"]["name"]]
            assert [b["subjects"] for b in bindings] == [[{"name": "collector", "namespace": namespace,
                                                           "kind": "ServiceAccount"}]]


@needs_shared("gke-gateway-api-fc40d60-crds.yaml")
def test_what_the_router_chart_renders_points_at_the_gateway(rendered):
    routers = [objects for release, objects in rendered if release["chart"] == "body-based-routing"]
    for objects in routers:
        extension = _one(objects, "GCPRoutingExtension")
        assert extension["spec"]["targetRefs"][0]["kind"] == "Gateway"
        assert _one(objects, "Service")["metadata"]["name"] == extension["spec"]["extensionChains"][0][
            "extensions"][0]["backendRef"]["name"]
