"""Generated careless and hostile configurations: mutate fields of the example files and
check that ``main.py`` either synthesizes with every literal preserved, or exits 2 with one
line per problem naming a field, never a traceback and never a file outside its output.

Hypothesis runs derandomized (the same examples on every run) and bounded, so ``make test``
stays deterministic and quick; most mutations are refused in milliseconds, a few synthesize.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from helpers import strings_in
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cli import synth
from constructs_lib._core.literal import escape, has_token

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = {name: yaml.safe_load((ROOT / name).read_text())
            for name in ("config.example.yaml", "config.v1.example.yaml", "config.two-models.example.yaml",
                         "config.edge.example.yaml", "config.autoscaling.example.yaml")}

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(HealthCheck))

NASTY_TEXT = st.one_of(
    st.sampled_from(['${file("/etc/passwd")}', "%{ if true }x%{ endif }", "$${x}", "a\tb", "x\n", "\x00",
                     "\x1b[31m", "\u2028", "ünï-cödé", "", " ", "-" * 300, "Model_Name", "..", "../x", "a?b#c",
                     "https://x/y:z", "repo:", "gs://bucket", "010", "yes", "TfToken[TOKEN.1]",
                     "${TfToken[TOKEN.1]}", "vllm/vllm-openai:v0.8.5"]),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40),
    st.text("${}%ab-./:", max_size=20),
)
NASTY_NUMBER = st.sampled_from([2**31, 2**63, 10**30, -1, -(2**63) - 1, 0, math.inf, -math.inf, math.nan,
                                1e308, 1e-300, 0.5, -0.0])
WRONG_TYPE = st.sampled_from([[], {}, [1, 2], {"a": 1}, True, None, "true"])


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key or index path in a parsed example, containers included."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _set(data: Any, path: tuple, value: Any, delete: bool = False) -> None:
    *parents, last = path
    for step in parents:
        data = data[step]
    if delete:
        del data[last]
    else:
        data[last] = value


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    """A configuration text and the string it injected (``None`` when none)."""
    name = draw(st.sampled_from(sorted(EXAMPLES)))
    data = json.loads(json.dumps(EXAMPLES[name]))
    injected, kind = None, None
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["text", "text", "number", "type", "delete", "unknown", "duplicate"]))
        if kind == "text":
            injected = draw(NASTY_TEXT)
            _set(data, path, injected)
        elif kind == "number":
            _set(data, path, draw(NASTY_NUMBER))
        elif kind == "type":
            _set(data, path, copy.deepcopy(draw(WRONG_TYPE)))  # the strategy's own objects stay pristine
        elif kind == "delete":
            _set(data, path, None, delete=True)
        elif kind == "unknown" and isinstance(data, dict):
            data[draw(st.sampled_from(["colour", "model_server", "replicas", "${x}"]))] = 1
    if injected is not None and injected not in strings_in(data):
        injected = None  # a later mutation removed it
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    if draw(st.booleans()) and kind == "duplicate":
        lines = text.splitlines()
        keyed = [index for index, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("-")]
        if keyed:
            index = draw(st.sampled_from(keyed))
            lines.insert(index + 1, lines[index])
            text = "\n".join(lines) + "\n"
    return text, injected


def _listing(folder: Path) -> tuple[list[str], int]:
    return sorted(os.listdir(folder)), folder.stat().st_mtime_ns


def _preserved(outdir: Path, literal: str) -> bool:
    """``literal`` is in the output escaped, as a whole string or inside an embedded YAML document."""
    escaped = escape(literal)
    for path in outdir.rglob("cdk.tf.json"):
        for text in strings_in(json.loads(path.read_text())):
            if escaped in text:
                return True
            with contextlib.suppress(yaml.YAMLError):
                if literal in strings_in(yaml.safe_load(text.replace("$${", "${").replace("%%{", "%{"))):
                    return True
    return False


@PROPERTY_SETTINGS
@given(case=mutated())
def test_mutated_examples_synthesize_or_fail_in_one_line_per_field(case):
    text, injected = case
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        config = work / "config.yaml"
        config.write_text(text)
        outdir = work / "out"
        before_cwd = _listing(Path.cwd())
        stderr, stdout = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            code = synth.main(["--config", str(config), "--outdir", str(outdir), "--quiet"])
        lines = stderr.getvalue().splitlines()
        event(f"exit {code}")
        assert code in (0, 2), (code, lines)
        assert config.read_text() == text
        assert sorted(path.name for path in work.iterdir()) == (["config.yaml", "out"] if code == 0
                                                                else ["config.yaml"])
        assert _listing(Path.cwd()) == before_cwd
        if code == 2:
            assert lines and stdout.getvalue() == ""
            for line in lines:
                assert line.startswith("error: ") and "; fix: " in line and line.isprintable(), line
                field = line.removeprefix("error: ").split("=", 1)[0]
                assert field and "Traceback" not in line, line
        else:
            assert lines == [], lines
            assert (outdir / "manifest.json").is_file()
            if injected is not None and ("${" in injected or "%{" in injected):
                assert _preserved(outdir, injected), injected



SERVER_TEXT_FIELDS = ("name", "namespace", "model", "image", "accelerator", "adapters_config_map",
                      "syncer_config_name", "syncer_image")


@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(field=st.sampled_from(SERVER_TEXT_FIELDS + ("extra_args", "source")), text=NASTY_TEXT)
def test_mutated_python_props_of_an_example_are_refused_by_field_or_kept_literally(field, text):
    """The same through Python props: the first server of ``examples/two_model_servers``."""
    import dataclasses

    from cdktf import App, TerraformStack

    from constructs_lib import ConfigError, LoraAdapter, VllmModelServer
    from examples.two_model_servers.main import SERVERS

    server = SERVERS[0]
    try:
        if field == "extra_args":
            props = dataclasses.replace(server, extra_args=(text,))
        elif field == "source":
            props = dataclasses.replace(server, adapters=(LoraAdapter(id="a", source=text),))
        else:
            props = dataclasses.replace(server, **{field: text})
    except ConfigError as error:
        assert error.problems and all(problem.render().isprintable() for problem in error.problems)
        named = {problem.field.split("[")[0].split(".")[0] for problem in error.problems}
        assert named & {field, "extra_args", "adapters", "labels"}, (field, str(error))
        return
    with tempfile.TemporaryDirectory() as scratch:
        app = App(outdir=scratch, skip_validation=True)
        VllmModelServer(TerraformStack(app, "s"), "server", props=props)
        app.synth()
        if ("${" in text or "%{" in text) and not has_token(text):  # Python may pass real tokens
            assert _preserved(Path(scratch), text), text
