import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from helpers import synth  # noqa: E402

import constructs_lib  # noqa: E402,F401 - installs the lazy provider loader first
from stacks.config import AppConfig  # noqa: E402


@pytest.fixture(scope="session")
def default_stacks(tmp_path_factory):
    """The default app, synthesized once for the whole session."""
    return synth(AppConfig(), tmp_path_factory.mktemp("default"))


@pytest.fixture
def synth_config(tmp_path):
    def run(config: AppConfig):
        return synth(config, tmp_path / "out")
    return run
