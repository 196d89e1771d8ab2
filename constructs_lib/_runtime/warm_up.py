"""Leave a fresh install as fast as a warm one: ``.venv/bin/.venv/bin/python -m cli.warm_up``.

Two caches make a synth fast, and both are filled on first use. Ours holds the lazy
provider tarballs (``provider_cache.py``). jsii's package cache holds each extracted
package, and beside it a per-package runtime index that jsii builds in a background
worker thread after a load. A short synth exits before the worker is done (the google
index takes a few seconds), so each of the first synths starts it again and loses it: 20
short synths in a row stayed slow. The warm-up loads every assembly the app uses and then
waits, with the kernel alive, until jsii has written each index.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import sys
import time
from pathlib import Path

from constructs_lib._runtime import lazy_providers as lazy_providers
from constructs_lib._runtime import provider_cache as provider_cache

#: jsii's index manifest, written last (``RUNTIME_INDEX_VERSION`` 1 in jsii 1.142).
INDEX_MANIFEST = ".jsii.runtime.v1.json"
WAIT_SECONDS = 300.0

_LOAD = re.compile(r'JSIIAssembly\.load\(\s*"([^"]+)",\s*"([^"]+)",\s*__name__\[0:-6\],\s*"([^"]+)"')


def jsii_cache_root() -> Path:
    """Where jsii extracts packages (``JSII_RUNTIME_PACKAGE_CACHE_ROOT`` or its Linux default)."""
    override = os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT")
    return Path(override) if override else Path.home() / ".cache" / "aws" / "jsii" / "package-cache"


def jsii_package_dir(name: str, version: str, tarball: Path, root: Path | None = None) -> Path:
    """The directory jsii extracts ``tarball`` into: keyed by name, version and the
    SHA-256 of the tarball followed by ``\\0name\\0version`` (jsii's ``digestFile``)."""
    digest = hashlib.sha256()
    with open(tarball, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    for comment in (name, version):
        digest.update(b"\0" + comment.encode("utf-8"))
    return (root or jsii_cache_root()).joinpath(*name.split("/"), version, digest.hexdigest())


def loaded_assemblies() -> list[tuple[str, str, Path]]:
    """(name, version, tarball the kernel loaded) for cdktf, constructs and the providers."""
    found = []
    for package in ("constructs", "cdktf", *lazy_providers.LAZY_PACKAGES):
        module = importlib.import_module(package)
        jsii_dir = Path(module.__file__).parent / "_jsii"
        match = _LOAD.search((jsii_dir / "__init__.py").read_text(encoding="utf-8"))
        if match is None:
            continue
        name, version, filename = match.groups()
        tarball = jsii_dir / filename
        if package in lazy_providers.LAZY_PACKAGES and lazy_providers.is_lazy(module):
            try:
                tarball = lazy_providers.lazy_tarball(tarball)
            except provider_cache.CacheUnavailableError:
                pass  # the kernel loaded the original, and the import said so on stderr
        found.append((name, version, tarball))
    return found


def wait_for_indexes(assemblies: list[tuple[str, str, Path]], timeout: float = WAIT_SECONDS) -> list[str]:
    """Wait until jsii has indexed every extracted package; return those it has not."""
    pending = {name: jsii_package_dir(name, version, tarball) for name, version, tarball in assemblies}
    deadline = time.monotonic() + timeout
    while True:
        pending = {name: path for name, path in pending.items()
                   if path.is_dir() and not (path / INDEX_MANIFEST).is_file()}
        if not pending or time.monotonic() > deadline:
            return sorted(pending)
        time.sleep(0.1)


def main() -> int:
    """Make the lazy provider tarballs and wait for jsii to index them, so the first synth
    after an install is as fast as the rest; 0 (warnings only, never a failure)."""
    assemblies = loaded_assemblies()
    missing = [name for name, version, tarball in assemblies
               if not jsii_package_dir(name, version, tarball).is_dir()]
    if missing:
        print(f"warning: jsii's package cache under {jsii_cache_root()} has no {missing[0]}; "
              "the first synths may be slower", file=sys.stderr)
    unfinished = wait_for_indexes(assemblies)
    if unfinished:
        print(f"warning: jsii did not finish indexing {', '.join(unfinished)} within {WAIT_SECONDS:.0f} s; "
              "the first synths may be slower", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
