"""The output directory: replaced only when it is ours, Terraform's files kept, modes from
the umask, and concurrent synths never mixed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli import synth
from constructs_lib import OUTPUT_MARKER as MARKER

ROOT = Path(__file__).resolve().parents[1]


def _run(capsys, *argv):
    code = synth.main([*argv, "--quiet"])
    return code, capsys.readouterr().err.splitlines()


def _user_files(folder: Path) -> dict[str, bytes]:
    (folder / "terraform.prerequisites.tfstate").write_text('{"version": 4}')
    (folder / "values.tfvars").write_text('project_id = "p"\n')
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _assert_one_line_naming(lines, option):
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {option}=") and "; fix: " in lines[0]


def test_outdir_dot_is_refused_and_nothing_is_lost(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    before = _user_files(tmp_path)
    code, lines = _run(capsys, "--outdir", ".")
    assert code == 2
    _assert_one_line_naming(lines, "--outdir")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("where", ["parent", "home", "root"])
def test_ancestors_home_and_root_are_refused(tmp_path, monkeypatch, capsys, where):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    target = {"parent": str(tmp_path / "a"), "home": str(tmp_path / "home"), "root": "/"}[where]
    code, lines = _run(capsys, "--outdir", target)
    assert code == 2
    _assert_one_line_naming(lines, "--outdir")


def test_cdktf_outdir_naming_a_users_folder_is_refused(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    before = _user_files(folder)
    monkeypatch.setenv("CDKTF_OUTDIR", str(folder))
    code, lines = _run(capsys)
    assert code == 2
    _assert_one_line_naming(lines, "CDKTF_OUTDIR")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_outdir_naming_a_file_leaves_it_alone(tmp_path, capsys):
    config = tmp_path / "my-config.yaml"
    config.write_text("model_servers: []\ngateway: null\n")
    code, lines = _run(capsys, "--outdir", str(config))
    assert code == 2
    _assert_one_line_naming(lines, "--outdir")
    assert "--config" in lines[0]
    assert config.read_text() == "model_servers: []\ngateway: null\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-config.yaml"]


def test_outdir_below_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    code, lines = _run(capsys, "--outdir", str(tmp_path / "file" / "out"))
    assert code == 2
    _assert_one_line_naming(lines, "--outdir")


def test_terraform_files_survive_and_json_is_replaced(tmp_path, capsys):
    outdir = tmp_path / "cdktf.out"
    assert _run(capsys, "--outdir", str(outdir))[0] == 0
    assert (outdir / MARKER).is_file()
    stack = outdir / "stacks" / "prerequisites"
    (stack / ".terraform" / "providers").mkdir(parents=True)
    (stack / ".terraform" / "providers" / "p").write_text("binary")
    (stack / ".terraform.lock.hcl").write_text("# lock\n")
    (stack / "terraform.tfstate").write_text("{}")
    (stack / "terraform.tfstate.backup").write_text("{}")
    (stack / "cdk.tf.json").write_text("{}")
    gone = outdir / "stacks" / "model-servers"
    (gone / ".terraform.lock.hcl").write_text("# lock of a stack the next config drops\n")
    config = tmp_path / "no-servers.yaml"
    config.write_text("model_servers: []\ngateway: null\n")
    assert _run(capsys, "--config", str(config), "--outdir", str(outdir))[0] == 0
    assert (stack / ".terraform" / "providers" / "p").read_text() == "binary"
    assert (stack / ".terraform.lock.hcl").read_text() == "# lock\n"
    assert (stack / "terraform.tfstate").is_file() and (stack / "terraform.tfstate.backup").is_file()
    assert json.loads((stack / "cdk.tf.json").read_text())["terraform"]
    assert (gone / ".terraform.lock.hcl").is_file() and not (gone / "cdk.tf.json").exists()
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert sorted(manifest["stacks"]) == ["prerequisites"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out", "no-servers.yaml"]


def test_an_earlier_unmarked_cdktf_output_is_taken_over(tmp_path, capsys):
    outdir = tmp_path / "cdktf.out"
    (outdir / "stacks" / "prerequisites").mkdir(parents=True)
    (outdir / "manifest.json").write_text("{}")
    (outdir / "stacks" / "prerequisites" / "cdk.tf.json").write_text("{}")
    (outdir / "stacks" / "prerequisites" / ".terraform.lock.hcl").write_text("# lock\n")
    assert _run(capsys, "--outdir", str(outdir))[0] == 0
    assert (outdir / "stacks" / "prerequisites" / ".terraform.lock.hcl").read_text() == "# lock\n"


def test_an_unmarked_directory_with_other_files_is_refused(tmp_path, capsys):
    outdir = tmp_path / "cdktf.out"
    (outdir / "stacks").mkdir(parents=True)
    (outdir / "manifest.json").write_text("{}")
    (outdir / "notes.txt").write_text("mine")
    code, lines = _run(capsys, "--outdir", str(outdir))
    assert code == 2
    _assert_one_line_naming(lines, "--outdir")
    assert (outdir / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o077, 0o700), (0o002, 0o775)])
def test_modes_follow_the_umask(tmp_path, capsys, umask, mode):
    old = os.umask(umask)
    try:
        assert _run(capsys, "--outdir", str(tmp_path / "out"))[0] == 0
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == mode
    assert (tmp_path / "out" / "stacks" / "prerequisites").stat().st_mode & 0o777 == mode
    assert (tmp_path / "out" / "manifest.json").stat().st_mode & 0o777 == mode & 0o666


def test_two_concurrent_synths_end_complete_or_with_a_clear_error(tmp_path):
    outdir = tmp_path / "cdktf.out"
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    command = [sys.executable, str(ROOT / "main.py"), "--outdir", str(outdir), "--quiet"]
    runs = [subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(run.wait(timeout=120), run.stderr.read()) for run in runs]
    for run in runs:
        run.stderr.close()
    assert any(code == 0 for code, _ in results), results
    for code, err in results:
        assert code == 0 or (code == 2 and err.count("\n") == 1 and "--outdir" in err), results
    manifest = json.loads((outdir / "manifest.json").read_text())
    for stack in manifest["stacks"].values():
        assert json.loads((outdir / stack["synthesizedStackPath"]).read_text())["terraform"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]
