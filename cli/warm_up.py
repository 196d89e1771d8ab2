"""``.venv/bin/python -m cli.warm_up``: prepare the provider bindings once after an install (``make
install`` runs it), so the first synth is as fast as the next."""

import sys

import constructs_lib

if __name__ == "__main__":
    sys.exit(constructs_lib.warm_up())
