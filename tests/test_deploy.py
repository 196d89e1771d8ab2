""".venv/bin/python -m cli.deploy: stacks applied in dependency order and destroyed in reverse."""

import pytest

from cli import deploy, synth
from cli.order import CycleError, apply_order, destroy_order


@pytest.fixture(scope="module")
def default_output(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("deploy") / "cdktf.out"
    assert synth.main(["--outdir", str(outdir), "--quiet"]) == 0
    return outdir


def _manifest(**deps):
    return {"stacks": {name: {"dependencies": needs} for name, needs in deps.items()}}


def test_apply_order_puts_dependencies_first():
    manifest = _manifest(gateway=["prereq", "servers"], servers=[], prereq=[])
    assert apply_order(manifest) == ["prereq", "servers", "gateway"]
    assert destroy_order(manifest) == ["gateway", "servers", "prereq"]


def test_apply_order_of_a_chain_and_a_cycle():
    assert apply_order(_manifest(c=["b"], b=["a"], a=[])) == ["a", "b", "c"]
    with pytest.raises(CycleError):
        apply_order(_manifest(a=["b"], b=["a"]))


def test_deploy_dry_run_runs_terraform_per_stack_in_order(default_output, tmp_path, capsys):
    var_file = tmp_path / "values.tfvars"
    var_file.write_text('project_id = "p"\n')
    assert deploy.main(["destroy", "--outdir", str(default_output), "--var-file", str(var_file),
                        "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    destroys = [line for line in lines if " destroy " in line]
    assert [line.split("/stacks/")[1].split()[0] for line in destroys] == [
        "inference-gateway", "model-servers", "prerequisites"]
    assert all(f"-var-file={var_file}" in line for line in destroys)


def test_deploy_without_synth_says_what_to_run(tmp_path, capsys):
    assert deploy.main(["apply", "--outdir", str(tmp_path)]) == 2
    assert "make synth" in capsys.readouterr().err


@pytest.mark.parametrize("manifest", ['{"stacks": {"a": {"dependencies": ["b"]}, "b": {"dependencies": ["a"]}}}',
                                      '{"stacks": {"a": {"dependencies": ["gone"]}}}', "{not json"],
                         ids=["cycle", "unknown stack", "not JSON"])
def test_a_manifest_without_an_order_is_one_line_and_exit_2(tmp_path, capsys, manifest):
    (tmp_path / "manifest.json").write_text(manifest)
    assert deploy.main(["apply", "--outdir", str(tmp_path), "--dry-run"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --outdir=") and "; fix: run 'make synth' again" in lines[0]
