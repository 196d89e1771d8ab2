"""Every command in the shell code blocks of the README and of the pages in ``docs/`` works
as written, or is listed here with the reason it cannot run offline. A new command that is
in neither list fails; so does a link between those pages that leads nowhere.

The runnable ones run in one shell, in a copy of the project that shares this venv, so
nothing in the working tree (``cdktf.out/``, ``values.tfvars``) is touched."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]

RUN = [
    "make synth",
    ".venv/bin/python main.py --help",
    ".venv/bin/python main.py --explain",
    ".venv/bin/python -m cli.deploy apply --var-file values.tfvars.example --dry-run",
]

SKIPPED = {
    "make test": "the suite this test is part of",
    "make lint": "CI runs it before the suite",
    "make bench": "minutes of CPU; prints figures",
    "make apply VARS=values.tfvars": "terraform apply against a GKE cluster",
    "make destroy VARS=values.tfvars": "terraform destroy against a GKE cluster",
    "cp values.tfvars.example values.tfvars": "writes the user's own file",
    "kubectl create secret generic hf-token --from-literal=token=<YOUR_HF_TOKEN>": "needs a cluster",
    "CHECKPOINT_DISABLE=1 npx cdktf-cli@0.21 synth": "downloads cdktf-cli from npm (its app command, "
                                                     "from cdktf.json, runs below)",
    "CHECKPOINT_DISABLE=1 npx cdktf-cli@0.21 deploy '*' --var-file=$PWD/values.tfvars":
        "downloads cdktf-cli; applies to a cluster",
    "make check-pythons": "installs three venvs from PyPI",
    "make check-pep668": "installs a venv from PyPI",
    "make check-node": "downloads Node from the npm registry",
    "make docs": "rewrites tracked files (a test compares them instead)",
    "make audit": "installs checkov from PyPI",
}

_FENCE = re.compile(r"^```(?:sh|bash|shell|console)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def readme_commands(text: str) -> list[str]:
    """The commands of the shell code blocks: comments dropped, continuations joined."""
    commands = []
    for block in _FENCE.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if command and not command.startswith("#"):
                commands.append(" ".join(command.split()))
    return commands


def test_every_command_of_the_manual_is_run_or_skipped_with_a_reason():
    commands = [c for page in PAGES for c in readme_commands(page.read_text(encoding="utf-8"))]
    unlisted = [c for c in commands if c not in RUN and c not in SKIPPED]
    assert not unlisted, f"commands neither run nor skipped here: {unlisted}"
    stale = [c for c in [*RUN, *SKIPPED] if c not in commands]
    assert not stale, f"listed here but no longer in the README or docs/: {stale}"


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_link_of_the_manual_resolves(page):
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # an address outside the repository
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in _anchors(linked)):
            broken.append(target)
    assert broken == []


def test_the_readme_is_a_front_page():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 220
    assert len(PAGES) - 1 >= 5


def _project_copy(target: Path) -> Path:
    shutil.copytree(ROOT, target, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "cdktf.out", ".cdktf.out.*", "__pycache__", ".node-lts", ".audit", "results",
        "values.tfvars", "*.tfstate*", ".terraform*"))
    venv = Path(sys.prefix)
    (target / ".venv").symlink_to(venv)
    if (ROOT / ".venv-tools").is_dir():
        (target / ".venv-tools").symlink_to(ROOT / ".venv-tools")
    return target


def test_the_runnable_readme_commands_work_in_a_copy_of_the_project(tmp_path):
    project = _project_copy(tmp_path / "project")
    app = json.loads((ROOT / "cdktf.json").read_text())["app"]
    # cdktf-cli runs its app with CDKTF_OUTDIR set, and with no pipenv needed on PATH.
    script = "\n".join([*RUN, f"CDKTF_OUTDIR={tmp_path / 'cli.out'} {app}"])
    no_pipenv = os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep)
                                if not (Path(d) / "pipenv").exists())
    # PYTHON names this venv's interpreter, so make finds the venv installed and leaves it;
    # the variables of a make that runs this suite (VENV=..., say) must not reach that make.
    env = {name: value for name, value in os.environ.items() if name not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env |= {"PATH": no_pipenv, "PYTHON": sys.executable, "CHECKPOINT_DISABLE": "1"}
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=project, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # The one warning a default synth gives: its gateway is public and unauthenticated.
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "Traceback" not in result.stderr and all("no authentication" in line for line in warnings)
    assert "Synthesized 3 stacks" in result.stdout and "usage: main.py" in result.stdout
    assert "synthesizing (about 2 s)" in result.stdout and "Next:" in result.stdout
    assert "terraform -chdir=" in result.stdout
    assert (project / "cdktf.out" / "manifest.json").is_file()
    assert (tmp_path / "cli.out" / "manifest.json").is_file()
