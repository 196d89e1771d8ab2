"""Configuration text is data: every string field, enumerated from the props classes, either
is refused by its grammar or reaches the synthesized JSON as a literal that Terraform itself
evaluates back to exactly what the user wrote. cdktf tokens stay live references."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import shutil
import subprocess
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest
import yaml
from helpers import strings_in, synth

from constructs_lib import ConfigError, InferenceGatewayV1Props, Props, VllmModelServerProps, from_mapping, iter_fields
from constructs_lib._core.literal import TOKEN_MARKER, escape
from stacks.config import AppConfig

ROOT = Path(__file__).resolve().parents[1]
TERRAFORM = shutil.which("terraform")
needs_terraform = pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH")

POOL = "vllm-llama3-8b-instruct"
#: A valid mapping for each props class with required fields, to put a field in context.
SAMPLES: dict[str, dict[str, Any]] = {
    "LoraAdapter": {"id": "extra-adapter", "source": "org/extra"},
    "ProbeSettings": {"failure_threshold": 3},
    "DrainProfile": {"max_output_tokens": 100, "tpot_ms_at_max_batch": 10, "max_model_load_seconds": 60},
    "InferencePoolSpec": {"name": POOL, "match_labels": {"app": POOL}},
    "InferenceModelSpec": {"name": "m", "model_name": "food-review", "criticality": "Critical",
                           "inference_pool_name": POOL},
    "HttpRouteSpec": {"name": "r", "gateway_name": "inference-gateway", "inference_pool_name": POOL},
    "InferenceObjectiveSpec": {"name": "o", "inference_pool_name": POOL},
    "HttpsProps": {"certificate": "google_managed", "domains": ["llm.example.com"]},
    "QueueDepthAlertProps": {"notification_channels": ["projects/my-project/notificationChannels/1234567890"]},
}


def hostile(tag: int) -> str:
    return f'q{tag}q${{file("/etc/passwd")}}%{{ if true }}x%{{ endif }}$${{y}}%%{{z}}$'


@dataclasses.dataclass(frozen=True)
class StringField:
    """One place a string can be given: a path of (name, kind) steps from ``AppConfig``."""

    steps: tuple[tuple[str, str, type | None], ...]  # (field, 'props'|'item'|'value'|'key'|'str', class)

    @property
    def path(self) -> str:
        text = ""
        for name, kind, _ in self.steps:
            text += f".{name}" if text else name
            if kind == "item":
                text += "[0]"
        return text


def _unwrap(hint: Any) -> list[Any]:
    if get_origin(hint) in (types.UnionType, typing.Union):
        return [arg for arg in get_args(hint) if arg is not type(None)]
    return [hint]


def string_fields(cls: type[Props] = AppConfig, prefix: tuple = (), seen: frozenset = frozenset()) -> list[StringField]:
    """Every string-valued field reachable from ``cls``, enumerated from the type hints."""
    found = []
    for field, hint in iter_fields(cls):
        for option in _unwrap(hint):
            origin = get_origin(option)
            if option is str or origin is Literal:
                found.append(StringField((*prefix, (field.name, "str", None))))
            elif origin is tuple:
                item = get_args(option)[0]
                if isinstance(item, type) and issubclass(item, Props) and item not in seen:
                    found += string_fields(item, (*prefix, (field.name, "item", item)), seen | {item})
                elif item is str:
                    found.append(StringField((*prefix, (field.name, "item", None))))
            elif origin in (dict, Mapping):
                found.append(StringField((*prefix, (field.name, "value", None))))
                found.append(StringField((*prefix, (field.name, "key", None))))
            elif isinstance(option, type) and issubclass(option, Props) and option not in seen:
                found += string_fields(option, (*prefix, (field.name, "props", option)), seen | {option})
    return found


def _version(field: StringField) -> str:
    return "v1" if any(cls is InferenceGatewayV1Props for _, _, cls in field.steps) else "v1alpha2"


def _base(field: StringField) -> dict[str, Any]:
    name = "config.v1.example.yaml" if _version(field) == "v1" else "config.example.yaml"
    return _context(yaml.safe_load((ROOT / name).read_text()), field)


def _context(data: dict[str, Any], field: StringField) -> dict[str, Any]:
    """Settings a field only applies with."""
    if field.steps[0][0] == "cluster":
        data.setdefault("cluster", {})["private_endpoint"] = True
    if field.steps[0][0] == "state":
        data["state"] = {"backend": "gcs", "bucket": "tf-state", **data.get("state", {})}
    return data


def place(data: dict[str, Any], field: StringField, value: str) -> dict[str, Any]:
    """``data`` with ``value`` at ``field``, creating valid containers on the way."""
    node: Any = data
    *parents, (last, kind, _) = field.steps
    for name, step_kind, cls in parents:
        if node.get(name) is None:
            node[name] = [dict(SAMPLES.get(cls.__name__, {}))] if step_kind == "item" else \
                dict(SAMPLES.get(cls.__name__, {}))
        node = node[name]
        if step_kind == "item":
            if not node:
                node.append(dict(SAMPLES.get(cls.__name__, {})))
            node = node[0]
    if kind == "item":
        node[last] = [value]
    elif kind == "value":
        node[last] = {"key": value}
    elif kind == "key":
        node[last] = {value: "v"}
    else:
        node[last] = value
    return data


def evaluate(strings: list[str], workdir: Path, variables: Mapping[str, str] = {}) -> list[str]:
    """What Terraform makes of each JSON string, read through ``terraform console``."""
    workdir.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {"locals": {f"s{index}": text for index, text in enumerate(strings)}}
    # The project's own references to variables (a dashboard query's cluster name) stay live.
    referenced = {name: name for text in strings for name in re.findall(r"\$\{var\.([A-Za-z_0-9]+)\}", text)}
    variables = {**referenced, **variables}
    if variables:
        config["variable"] = {name: {"default": value} for name, value in variables.items()}
    (workdir / "main.tf.json").write_text(json.dumps(config))
    listed = ", ".join(f"local.s{index}" for index in range(len(strings)))
    result = subprocess.run([TERRAFORM, "console"], input=f"base64encode(jsonencode([{listed}]))",
                            capture_output=True, text=True, cwd=workdir, check=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": "/dev/null"})
    assert result.stdout.strip().startswith('"'), result.stdout + result.stderr
    return json.loads(base64.b64decode(result.stdout.strip().strip('"')))


def _holds(text: str, value: str) -> bool:
    if value in text:
        return True
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return value in strings_in(parsed)


def test_the_enumeration_finds_the_free_text_fields():
    paths = {field.path for field in string_fields()}
    for expected in ("model_servers[0].model", "model_servers[0].adapters[0].source", "model_servers[0].extra_args[0]",
                     "model_servers[0].extra_env", "gateway.name", "gateway.chart_version",
                     "state.prefix", "prerequisites.crds.manifest_file", "cluster.fleet_membership_name"):
        assert expected in paths
    assert len(string_fields()) > 60


@pytest.mark.parametrize(("text", "expected"), [
    ("plain", "plain"),
    ("${x}", "$${x}"),
    ("%{ if a }", "%%{ if a }"),
    ("$${x}", "$$${x}"),
    ("a ${TfToken[TOKEN.7]} b ${c}", "a ${TfToken[TOKEN.7]} b $${c}"),
    ("cost$${TfToken[TOKEN.1]}", 'cost${"$"}${TfToken[TOKEN.1]}'),
    ("#{TfToken[TOKEN.2]}%{", "#{TfToken[TOKEN.2]}%%{"),
])
def test_escape_keeps_tokens_live(text, expected):
    assert escape(text) == expected


def test_the_token_pattern_agrees_with_cdktf():
    from cdktf import App, Fn, TerraformStack, TerraformVariable, Token

    variable = TerraformVariable(TerraformStack(App(), "s"), "v", type="string")
    assert Token.is_unresolved(variable.list_value) and TOKEN_MARKER.search(variable.list_value[0])
    for token in (variable.string_value, Token.as_string(Fn.upper("x")),
                  "a" + variable.string_value + "b", "${TfToken[x]}"):
        assert Token.is_unresolved(token) and TOKEN_MARKER.search(token)
    for text in ("${var.x}", "TfToken", "${TfToken[x y]}", "${TfToken[]}"):
        assert not Token.is_unresolved(text) and not TOKEN_MARKER.search(text)


def test_every_string_field_is_refused_or_arrives_literally(tmp_path):
    accepted: dict[str, dict[str, str]] = {"v1alpha2": {}, "v1": {}}
    combined: dict[str, dict[str, Any]] = {}
    for tag, field in enumerate(string_fields()):
        value = hostile(tag)
        try:
            from_mapping(AppConfig, place(_base(field), field, value))
        except ConfigError as error:
            named = [p for p in error.problems if p.field.startswith(field.path.split("[")[0])]
            assert named, f"{field.path}: refused without naming it: {error}"
            continue
        version = _version(field)
        accepted[version][field.path] = value
        place(_context(combined.setdefault(version, _base(field)), field), field, value)
    assert {"model_servers[0].adapters[0].source", "model_servers[0].extra_args[0]"} <= set(accepted["v1alpha2"])
    if TERRAFORM is None:
        pytest.skip("no terraform binary on PATH to evaluate the synthesized strings")
    for version, values in accepted.items():
        if not values:
            continue
        config = from_mapping(AppConfig, combined[version])
        stacks = synth(config, tmp_path / version)
        tags = [value.split("$")[0] for value in values.values()]
        found = [text for name, stack in stacks.items() if name != "manifest" for text in strings_in(stack)
                 if any(tag in text for tag in tags)]
        evaluated = evaluate(found, tmp_path / f"tf-{version}")
        for path, value in values.items():
            assert any(_holds(text, value) for text in evaluated), f"{path}: {value!r} not in {evaluated}"


@needs_terraform
def test_tokens_stay_references_beside_literal_text(tmp_path):
    from cdktf import App, TerraformStack, TerraformVariable

    from constructs_lib import VllmModelServer

    app = App(outdir=str(tmp_path / "out"), skip_validation=True)
    stack = TerraformStack(app, "s")
    variable = TerraformVariable(stack, "model", type="string")
    props = VllmModelServerProps(model=variable.string_value, adapters=(),
                                 extra_args=("--x=${literal}" + variable.string_value, "cost$" + variable.string_value))
    VllmModelServer(stack, "server", props=props)
    app.synth()
    body = json.loads((tmp_path / "out" / "stacks" / "s" / "cdk.tf.json").read_text())
    args = next(iter(body["resource"]["kubernetes_manifest"].values()))["manifest"]["spec"]["template"]["spec"][
        "containers"][0]["args"]
    assert args[1] == "${var.model}"
    evaluated = evaluate(args, tmp_path / "tf", {"model": "M"})
    assert evaluated[1] == "M" and evaluated[-2:] == ["--x=${literal}M", "cost$M"]


@needs_terraform
@pytest.mark.parametrize("text", ['we"ird${x}%{y}\\.yaml', "a\nb", "plain.yaml", "$${z}"])
def test_a_quoted_string_inside_an_expression_is_the_text(tmp_path, text):
    from constructs_lib._core.literal import quoted

    result = subprocess.run([TERRAFORM, "console"], input=f"base64encode({quoted(text)})", capture_output=True,
                            text=True, cwd=tmp_path, check=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": "/dev/null"})
    assert base64.b64decode(result.stdout.strip().strip('"')).decode() == text


def test_a_crd_file_with_an_odd_name_stays_a_path(tmp_path):
    from constructs_lib import GieCrdsProps
    from constructs_lib._core.literal import quoted
    from stacks.config import PrerequisitesProps

    odd = tmp_path / 'we"ird${x}.yaml'
    odd.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    config = AppConfig(prerequisites=PrerequisitesProps(crds=GieCrdsProps(manifest_file=str(odd))))
    stack = synth(config, tmp_path / "out")["prerequisites"]
    (expression,) = [text for text in strings_in(stack) if "file(join" in text]
    (copied,) = list((tmp_path / "out" / "stacks" / "prerequisites").rglob(odd.name))
    relative = str(copied.relative_to(tmp_path / "out" / "stacks" / "prerequisites"))
    assert quoted(relative) in expression
