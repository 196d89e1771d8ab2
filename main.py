"""Synthesize the GKE Inference Gateway stacks: ``.venv/bin/python main.py --help``."""

import sys

from cli.installed import require_installed

if __name__ == "__main__":
    require_installed("main.py")
    from cli.synth import main

    sys.exit(main())
