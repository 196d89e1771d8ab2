"""Stop at once, with one line, when the Python running an entry point lacks the project's
packages: the natural mistake is ``python3 main.py`` outside ``.venv``, and the traceback of
a missing ``jsii`` explains nothing. Standard library only, so it runs before anything that
needs the packages."""

from __future__ import annotations

import importlib.util
import sys

#: What every entry point needs, by import name.
REQUIRED = ("jsii", "cdktf", "constructs", "yaml")


def missing_packages() -> list[str]:
    """The required packages this interpreter cannot import (found without importing them)."""
    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def require_installed(entry: str) -> None:
    """Exit with status 2 and one line naming the fix when a package is missing."""
    missing = missing_packages()
    if missing:
        print(f"error: {sys.executable} has no {', '.join(missing)}; fix: run 'make install', then "
              f"'.venv/bin/python {entry}'", file=sys.stderr)
        raise SystemExit(2)
