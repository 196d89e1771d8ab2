"""Synthesize the GKE Inference Gateway stacks. ``python main.py --help`` for options."""

import sys

from stacks.cli import main

if __name__ == "__main__":
    sys.exit(main())
