"""Every entry point as a newcomer meets it: outside the venv one line saying what to run,
and inside it no jsii banner, whatever order an app imports cdktf and the library in."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = ["main.py", *sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("examples/*/main.py"))]
#: What a newcomer's shell has: nothing of ours silences jsii.
PLAIN_ENV = {name: value for name, value in os.environ.items() if not name.startswith("JSII_")}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_outside_the_venv_an_entry_point_says_what_to_run_in_one_line(entry, tmp_path):
    # -S: the same interpreter without site-packages, as a Python without the project's packages.
    result = subprocess.run([sys.executable, "-S", str(ROOT / entry), "--help"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "fix: run 'make install'" in line and f".venv/bin/python {entry}" in line


@pytest.mark.parametrize("entry", ENTRY_POINTS[1:])
def test_an_example_prints_no_banner(entry, tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / entry), str(tmp_path / "out")], cwd=tmp_path,
                            env=PLAIN_ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "end-of-life" not in result.stderr and "b'" not in result.stderr
    assert result.stdout.startswith("synthesized: ")


@pytest.mark.parametrize("imports", ["import cdktf\nimport constructs_lib\n", "import constructs_lib\nimport cdktf\n"],
                         ids=["cdktf first (isort's order)", "library first"])
def test_a_library_app_prints_at_most_one_line_in_either_import_order(imports, tmp_path):
    script = imports + "app = cdktf.App(outdir='out')\ncdktf.TerraformStack(app, 's')\napp.synth()\n"
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=PLAIN_ENV,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(result.stderr.splitlines()) <= 1 and "b'" not in result.stderr
