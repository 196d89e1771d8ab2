"""``main.py`` as a user without the lazy loader would run it: the provider packages are
imported normally (every submodule, eagerly) before the project's code runs."""

import sys
from pathlib import Path

import cdktf_cdktf_provider_google  # noqa: F401 - the eager import is what is measured
import cdktf_cdktf_provider_helm  # noqa: F401
import cdktf_cdktf_provider_http  # noqa: F401
import cdktf_cdktf_provider_kubernetes  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cli.synth import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
