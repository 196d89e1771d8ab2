"""Synthesize the GKE Inference Gateway stacks. ``python main.py --help`` for options."""

import sys

from cli.synth import main

if __name__ == "__main__":
    sys.exit(main())
