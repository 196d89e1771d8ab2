import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The jsii kernel (started below) runs cdktf's Testing.to_be_valid_terraform with the
# environment it starts with, so the CLI configuration that points Terraform at the stub
# provider mirror must be named before it starts; tests/test_terraform_validate.py writes it.
TERRAFORM_WORKDIR = Path(tempfile.mkdtemp(prefix="gke-igw-terraform-"))
os.environ["TF_CLI_CONFIG_FILE"] = str(TERRAFORM_WORKDIR / "terraform.rc")
os.environ["CHECKPOINT_DISABLE"] = "1"

from helpers import synth  # noqa: E402

from stacks.config import AppConfig  # noqa: E402


@pytest.fixture(scope="session")
def default_stacks(tmp_path_factory):
    """The default app, synthesized once for the whole session."""
    return synth(AppConfig(), tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="session")
def harness():
    """One stub-provider mirror for every terraform validate and plan of the session."""
    from tfstub.harness import Harness

    harness = Harness(TERRAFORM_WORKDIR)
    yield harness
    harness.close()
    shutil.rmtree(TERRAFORM_WORKDIR, ignore_errors=True)


@pytest.fixture
def synth_config(tmp_path):
    def run(config: AppConfig):
        return synth(config, tmp_path / "out")
    return run
