import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The jsii kernel (started below) runs cdktf's Testing.to_be_valid_terraform with the
# environment it starts with, so the CLI configuration that points Terraform at the stub
# provider mirror must be named before it starts; tests/test_terraform_validate.py writes it.
# Made by the harness fixture only, so that a process that runs no Terraform leaves nothing.
TERRAFORM_WORKDIR = Path(tempfile.gettempdir()) / f"gke-igw-terraform-{os.getpid()}-{os.urandom(4).hex()}"
os.environ["TF_CLI_CONFIG_FILE"] = str(TERRAFORM_WORKDIR / "terraform.rc")
os.environ["CHECKPOINT_DISABLE"] = "1"

from helpers import synth  # noqa: E402

from stacks.config import AppConfig  # noqa: E402

_JSII_BEFORE = pytest.StashKey[set[Path]]()


@pytest.fixture(scope="session")
def default_stacks(tmp_path_factory):
    """The default app, synthesized once for the whole session."""
    return synth(AppConfig(), tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="session")
def harness():
    """One stub-provider mirror for every terraform validate and plan of the session."""
    from tfstub.harness import Harness

    TERRAFORM_WORKDIR.mkdir(mode=0o700)
    harness = Harness(TERRAFORM_WORKDIR)
    yield harness
    harness.close()
    shutil.rmtree(TERRAFORM_WORKDIR, ignore_errors=True)


@pytest.fixture
def synth_config(tmp_path):
    def run(config: AppConfig):
        return synth(config, tmp_path / "out")
    return run


def _jsii_extractions() -> set[Path]:
    """Every package directory in the user's jsii cache (name, version, tarball digest)."""
    from constructs_lib._runtime.warm_up import jsii_cache_root

    # <name>/<version>/<digest>, or @<scope>/<name>/<version>/<digest>: the package
    # directories only, never the extracted files below them (hundreds of MB).
    root = jsii_cache_root()
    return {path for pattern in ("*/*/*", "@*/*/*/*") for path in root.glob(pattern)
            if len(path.name) == 64 and path.is_dir()} if root.is_dir() else set()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_JSII_BEFORE] = _jsii_extractions()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The suite writes nothing under the user's home that a synth would not: a package a
    test made up, or the whole eager provider packages of the slow path, must be extracted
    into a temporary jsii cache. What a synth itself extracts is allowed."""
    if _JSII_BEFORE not in session.config.stash or os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT"):
        return
    added = _jsii_extractions() - session.config.stash[_JSII_BEFORE]
    if not added:
        return
    from constructs_lib._runtime.warm_up import jsii_package_dir, loaded_assemblies

    synth_uses = {jsii_package_dir(name, version, tarball) for name, version, tarball in loaded_assemblies()}
    added = {str(path) for path in added - synth_uses}
    if added:
        session.config.get_terminal_writer().line(
            f"error: the suite extracted into the user's jsii cache: {', '.join(sorted(added))}; fix: give the test "
            "that did it JSII_RUNTIME_PACKAGE_CACHE_ROOT in a temporary directory", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
