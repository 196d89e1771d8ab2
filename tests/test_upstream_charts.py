"""Every chart value the app sets is read by a template of the chart it installs, at the
release it pins: a chart without a values schema ignores a key it does not read, so a
misspelled or stale key would otherwise ship silently. The charts are test data, copied
at the pinned tag (tests/fixtures/upstream/gie-v1.5.0-charts/SOURCE.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from crd_schema import crd_errors, load_crds
from helpers import FIXTURES, SHARED, needs_shared, synth

from cli.config_file import load_config
from constructs_lib import BBR_RELEASE_BY_API, DEFAULT_CHART_VERSION

ROOT = Path(__file__).resolve().parents[1]
CHARTS = FIXTURES / "upstream" / "gie-v1.5.0-charts"
#: The charts each installed chart renders with (inferencepool includes epplib's templates).
TEMPLATES = {"inferencepool": ("inferencepool", "epplib"), "body-based-routing": ("body-based-routing",)}
CONFIGS = ("config.v1.example.yaml", "config.two-models.example.yaml")


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


@pytest.fixture(scope="module", params=CONFIGS)
def releases(request, tmp_path_factory):
    return _releases(synth(load_config(str(ROOT / request.param)), tmp_path_factory.mktemp("charts")))


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


_ACTION = re.compile(r"{{-?\s*(.*?)\s*-?}}")


def render_simple(template: str, values: dict, namespace: str, release: str) -> str:
    """The small subset of Go templates the router chart's ``gke.yaml`` uses at v1.5.0:
    ``.Values.<path>``, ``.Release.Namespace``/``.Release.Name``, and one
    ``if eq .Values.<path> "<text>"`` ... ``end``. Any other action fails the test, so a
    chart that grows more template logic is noticed rather than rendered wrongly."""
    def lookup(path: str) -> object:
        value: object = values
        for key in path.split("."):
            value = value[key]  # type: ignore[index]
        return value

    out, skipping = [], False
    for line in template.splitlines():
        actions = _ACTION.findall(line)
        if len(actions) == 1 and line.strip().startswith("{{"):
            action = actions[0]
            condition = re.fullmatch(r'if eq \.Values\.([\w.]+) "([^"]*)"', action)
            if condition:
                skipping = str(lookup(condition[1])) != condition[2]
                continue
            if action == "end":
                skipping = False
                continue
        if skipping:
            continue

        def substitute(match: re.Match[str]) -> str:
            action = match[1]
            if action.startswith(".Values."):
                return str(lookup(action.removeprefix(".Values.")))
            if action in (".Release.Namespace", ".Release.Name"):
                return namespace if action.endswith("Namespace") else release
            raise AssertionError(f"template action the test renderer does not know: {action!r}")

        out.append(_ACTION.sub(substitute, line))
    return "\n".join(out)


def _with_settings(values: dict, settings: list[dict]) -> dict:
    merged = json.loads(json.dumps(values))
    for entry in settings:
        *parents, leaf = entry["name"].split(".")
        target = merged
        for key in parents:
            target = target.setdefault(key, {})
        target[leaf] = entry["value"]
    return merged


@needs_shared("gke-gateway-api-fc40d60-crds.yaml")
def test_what_the_router_chart_renders_from_our_values_matches_the_gke_crds(tmp_path):
    stacks = synth(load_config(str(ROOT / "config.two-models.example.yaml")), tmp_path / "out")
    (router,) = [release for release in _releases(stacks) if release["chart"] == "body-based-routing"]
    values = _with_settings(yaml.safe_load((CHARTS / "body-based-routing" / "values.yaml").read_text()),
                            router["set"])
    template = (CHARTS / "body-based-routing" / "templates" / "gke.yaml").read_text()
    objects = [doc for doc in yaml.safe_load_all(render_simple(template, values, router["namespace"], router["name"]))
               if doc]
    assert [obj["kind"] for obj in objects] == ["GCPRoutingExtension", "HealthCheckPolicy"]
    schemas = load_crds([SHARED / "upstream" / "gke-gateway-api-fc40d60-crds.yaml"])
    assert {obj["kind"]: crd_errors(obj, schemas) for obj in objects} == {
        "GCPRoutingExtension": [], "HealthCheckPolicy": []}
    gateway = stacks["inference-gateway"]
    assert objects[0]["spec"]["targetRefs"][0]["name"] in json.dumps(gateway)
