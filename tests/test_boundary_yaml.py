"""The configuration loader: YAML 1.2 core readings, duplicate keys, bounded aliases,
depth and size, and one-line errors for everything it refuses."""

import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from helpers import without_location

from cli import synth
from cli.config_file import load_config
from cli.strict_yaml import MAX_FILE_BYTES, YamlRefusedError, parse
from constructs_lib import ConfigError, Problem

ROOT = Path(__file__).resolve().parents[1]

BOMB = "\n".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
) + "\nmodel_servers: *a8\n"


def _errors(tmp_path, capsys, text, *extra):
    config = tmp_path / "config.yaml"
    config.write_text(text)
    code = synth.main(["--config", str(config), "--outdir", str(tmp_path / "out"), *extra])
    lines = without_location(capsys.readouterr().err.splitlines())
    return code, lines


def test_duplicate_keys_are_refused_naming_both_lines():
    with pytest.raises(YamlRefusedError) as raised:
        parse("model_servers:\n  - replicas: 4\n    name: a\n    replicas: 1\n")
    (problem,) = raised.value.problems
    assert problem.field == "model_servers[0].replicas"
    assert "line 4" in problem.message and "line 2" in problem.message


def test_a_repeated_top_level_list_is_refused_not_dropped(tmp_path, capsys):
    code, lines = _errors(tmp_path, capsys, "model_servers: []\nstate: {}\nmodel_servers: []\n")
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("error: model_servers=") and "line 3" in lines[0] and "line 1" in lines[0]


@pytest.mark.parametrize(("text", "expected"), [
    ("v: 010", 10), ("v: 0x10", "0x10"), ("v: 0o7", "0o7"), ("v: 1_000", "1_000"), ("v: +5", 5),
    ("v: yes", "yes"), ("v: on", "on"), ("v: off", "off"), ("v: y", "y"), ("v: True", True),
    ("v: false", False), ("v: 2001-12-14", "2001-12-14"), ("v: 1.5", 1.5), ("v: ~", None),
    ("v: null", None), ("v: 1e3", 1000.0), ("v: 12:30", "12:30"),
])
def test_scalars_follow_yaml_1_2_core(text, expected):
    value = parse(text)["v"]
    assert value == expected and type(value) is type(expected)


def test_octal_looking_integer_reaches_the_field_as_decimal():
    config = load_config_text("model_servers:\n  - pre_stop_seconds: 010\n    termination_grace_seconds: 130\n")
    assert config.model_servers[0].pre_stop_seconds == 10


def load_config_text(text):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "c.yaml"
        path.write_text(text)
        return load_config(str(path))


def test_aliases_and_merge_keys_keep_working():
    data = parse("base: &probe {failure_threshold: 3, period_seconds: 2}\n"
                 "live: {<<: *probe, period_seconds: 5}\nready: *probe\n")
    assert data["live"] == {"failure_threshold": 3, "period_seconds": 5}
    assert data["ready"] == {"failure_threshold": 3, "period_seconds": 2}


def test_billion_laughs_is_refused_before_it_is_built(tmp_path, capsys):
    assert len(BOMB) < 1024
    tracemalloc.start()
    code, lines = _errors(tmp_path, capsys, BOMB)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 2 and len(lines) == 1 and "alias" in lines[0]
    assert peak < 100 * 2**20  # 10^9 values would take tens of GB


@pytest.mark.parametrize("text", [BOMB, "model_servers:\n  - replicas: -3\n", "gateway:\n  name: Bad_Name\n"],
                         ids=["refused by the loader", "field error", "gateway field error"])
def test_a_refused_file_never_starts_cdktf(tmp_path, text):
    """A YAML file refused by the loader, or a value refused by its props, is reported
    before cdktf, constructs or a provider binding loads (so before jsii starts Node): the
    whole main.py process stays small. Times are for make bench."""
    config = tmp_path / "config.yaml"
    config.write_text(text)
    # VmHWM is this process's own peak (ru_maxrss would also count the forking parent's).
    script = ("import runpy, sys\n"
              f"sys.argv = ['main.py', '--config', {str(config)!r}, '--outdir', {str(tmp_path / 'out')!r}]\n"
              "try:\n"
              f"    runpy.run_path({str(ROOT / 'main.py')!r}, run_name='__main__')\n"
              "except SystemExit as done:\n"
              "    peak = [line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:')][0]\n"
              "    heavy = sorted({m.split('.')[0] for m in sys.modules\n"
              "                    if m.split('.')[0] in ('cdktf', 'constructs') or m.startswith('cdktf_')})\n"
              "    print(done.code, ','.join(heavy) or '-', peak)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            cwd=ROOT, timeout=120)
    code, heavy, peak_kib = result.stdout.split()
    assert (code, heavy) == ("2", "-"), result.stderr
    assert int(peak_kib) < 100 * 1000 * 1000 / 1024 and result.stderr.count("\n") == 1, result.stderr


def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path, capsys):
    code, lines = _errors(tmp_path, capsys, "model_servers: " + "[" * 5000 + "]" * 5000 + "\n")
    assert code == 2 and len(lines) == 1 and "nest" in lines[0]


def test_an_alias_to_itself_is_refused():
    with pytest.raises(YamlRefusedError):
        parse("a: &a [*a]\n")


def test_oversized_file_is_refused_before_parsing(tmp_path, capsys):
    code, lines = _errors(tmp_path, capsys, "# " + "x" * MAX_FILE_BYTES + "\n")
    assert code == 2 and len(lines) == 1 and "--config" in lines[0] and "bytes" in lines[0]


@pytest.mark.parametrize("mode", [(), ("--explain",)], ids=["synth", "explain"])
@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN", "1e400"])
def test_infinity_and_nan_are_one_line_errors(tmp_path, capsys, value, mode):
    text = ("model_servers:\n  - drain_profile: {max_output_tokens: 10, max_model_load_seconds: 60, "
            f"tpot_ms_at_max_batch: {value}}}\n")
    code, lines = _errors(tmp_path, capsys, text, *mode)
    assert not (tmp_path / "out").exists()
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("error: model_servers[0].drain_profile.tpot_ms_at_max_batch=")


@pytest.mark.parametrize(("text", "field"), [
    ("model_servers:\n  - adapters: [{id: a}]\n", "model_servers[0].adapters[0].source"),
    ("model_servers:\n  - drain_profile: {}\n", "model_servers[0].drain_profile.max_output_tokens"),
    ("model_servers:\n  - liveness_probe: {period_seconds: 1}\n", "model_servers[0].liveness_probe.failure_threshold"),
    ("gateway:\n  inference_pools: [{name: p}]\n", "gateway.inference_pools[0].match_labels"),
    ("gateway:\n  inference_models: [{name: m}]\n", "gateway.inference_models[0].model_name"),
    ("gateway:\n  api_version: v1\n  inference_objectives: [{name: o}]\n",
     "gateway.inference_objectives[0].inference_pool_name"),
])
def test_a_missing_required_field_is_named(tmp_path, capsys, text, field):
    code, lines = _errors(tmp_path, capsys, text)
    assert code == 2 and lines, lines
    assert any(line.startswith(f"error: {field}=") and "is required" in line for line in lines), lines


def test_unknown_keys_and_value_errors_are_reported_together(tmp_path, capsys):
    code, lines = _errors(tmp_path, capsys, "colour: blue\nmodel_servers:\n  - tensor_parallel_size: 2\n")
    assert code == 2
    assert [line.split("=")[0] for line in lines] == ["error: colour", "error: model_servers[0].tensor_parallel_size"]


def test_render_never_reprs_a_huge_value_whole():
    class Huge:
        def __repr__(self):
            raise AssertionError("repr of the whole value")

    nested = [[list(range(10**5))] * 1000] * 1000
    line = Problem("f", nested, "bad", "fix").render()
    assert len(line) < 200
    assert Problem("f", {"k": Huge()}, "bad", "fix").render().startswith("f=")


def test_render_escapes_control_characters_in_field_and_value():
    line = Problem("model_servers[0].x\x1b[31m\u2028", "a\x00b\nc", "bad", "fix").render()
    assert line.isprintable() and "\n" not in line


def test_a_non_mapping_document_and_an_empty_one():
    with pytest.raises(ConfigError):
        load_config_text("- a\n- b\n")
    assert load_config_text("# nothing\n").model_servers


@pytest.mark.parametrize("text", ["!!float abc\n", "replicas: !!int abc\n", "a: !!bool maybe\n", "a: !!int 0x1F\n",
                                  "a: !!python/object:os.system x\n", "---\na: 1\n---\nb: 2\n"])
def test_explicit_tags_and_streams_that_cannot_be_read_are_one_line(tmp_path, capsys, text):
    code, lines = _errors(tmp_path, capsys, text)
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: --config="), lines


def test_a_device_or_pipe_is_refused_without_reading_it(tmp_path, capsys):
    import os

    os.mkfifo(tmp_path / "pipe")
    for path in ("/dev/zero", str(tmp_path / "pipe")):
        assert synth.main(["--config", path, "--outdir", str(tmp_path / "out"), "--explain"]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert "is not a regular file" in line


def test_nesting_built_from_aliases_is_bounded_too(tmp_path, capsys):
    levels = ["a0: &a0 [[[[[[[[[[x]]]]]]]]]]"] + [f"a{i}: &a{i} [[[[[[[[[[*a{i - 1}]]]]]]]]]]" for i in range(1, 40)]
    code, lines = _errors(tmp_path, capsys, "\n".join(levels) + "\n")
    assert code == 2 and len(lines) == 1 and "nests deeper" in lines[0], lines
