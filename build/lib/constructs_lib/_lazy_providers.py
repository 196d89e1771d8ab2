"""Load the prebuilt cdktf provider packages without their eager submodule imports.

Each prebuilt provider package (``cdktf_cdktf_provider_google`` and friends) ends its
``__init__.py`` with one ``from . import <submodule>`` line per resource: about 1,470
for google. Running them costs seconds and hundreds of MiB before any construct exists,
yet a stack uses a handful. This module installs an import hook that runs the package's
``__init__.py`` without those lines and gives the package a PEP 562 ``__getattr__`` that
imports a submodule the first time it is used. It also tells the jsii runtime which
Python module holds each jsii submodule, so an object handed back from Node whose class
lives in a submodule nobody imported yet still resolves to the right Python type.

The Node side of jsii has the same problem: the package's ``lib/index.js`` requires every
resource module when the assembly loads (about 2 s for google). The loader therefore
preloads a copy of the package tarball whose ``index.js`` defines each export as a getter
that requires its module on first use. The copy is made once per machine and kept in the
user's cache directory; when it cannot be made, the original tarball is used.

Install the hook before any provider package is imported: ``constructs_lib`` does it
on import, so every project module that imports providers through it is covered.
"""

from __future__ import annotations

import gzip
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import os
import re
import sys
import tarfile
import tempfile
import types
from collections.abc import Sequence
from pathlib import Path

#: Python package name -> jsii assembly name, for the provider packages we load lazily.
LAZY_PACKAGES: dict[str, str] = {
    "cdktf_cdktf_provider_google": "@cdktf/provider-google",
    "cdktf_cdktf_provider_kubernetes": "@cdktf/provider-kubernetes",
    "cdktf_cdktf_provider_http": "@cdktf/provider-http",
    "cdktf_cdktf_provider_helm": "@cdktf/provider-helm",
}

_EAGER_IMPORT = re.compile(r"^from \. import (\w+)[ \t]*\r?$", re.MULTILINE)
_EAGER_REQUIRE = re.compile(r'^exports\.(\w+) = require\("(\./[\w./-]+)"\);$', re.MULTILINE)
_LAZY_REQUIRE = (
    r'Object.defineProperty(exports, "\1", { enumerable: true, configurable: true, '
    r'get: function () { return require("\2"); } });'
)
_JS_INDEX = "package/lib/index.js"
_TARBALL = re.compile(r'^__jsii_assembly__ = jsii\.JSIIAssembly\.load\(\s*"([^"]+)",\s*"([^"]+)",\s*'
                      r'__name__\[0:-6\],\s*"([^"]+)",?\s*\)', re.MULTILINE)

# jsii prints a Node end-of-life banner on every start unless this names the major.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def jsii_submodule_name(python_name: str) -> str:
    """Return the jsii submodule name (``containerCluster``) for a Python one."""
    head, *rest = python_name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class _LazyPackageLoader(importlib.abc.Loader):
    """Executes a provider package's ``__init__`` with the eager imports removed."""

    def __init__(self, origin: str, assembly: str) -> None:
        self._origin = origin
        self._assembly = assembly

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        _preload_lazy_assembly(Path(self._origin).parent / "_jsii" / "__init__.py")
        with open(self._origin, encoding="utf-8") as handle:
            source = handle.read()
        submodules = tuple(_EAGER_IMPORT.findall(source))
        code = compile(_EAGER_IMPORT.sub("", source), self._origin, "exec")
        exec(code, module.__dict__)  # noqa: S102 - the package's own code, minus imports
        # ``publication.publish()`` inside the package swaps in a public module.
        public = sys.modules.get(module.__name__, module)
        _make_lazy(public, module.__name__, submodules)
        _register_submodules(module.__name__, self._assembly, submodules)


def _make_lazy(public: types.ModuleType, package: str, submodules: Sequence[str]) -> None:
    known = frozenset(submodules)

    def __getattr__(name: str) -> types.ModuleType:  # noqa: N807 - PEP 562 hook
        if name in known:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:  # noqa: N807 - PEP 562 hook
        return sorted(set(public.__dict__) | known)

    public.__getattr__ = __getattr__  # type: ignore[method-assign]
    public.__dir__ = __dir__  # type: ignore[method-assign]
    public.__lazy_submodules__ = tuple(submodules)  # type: ignore[attr-defined]


def _register_submodules(package: str, assembly: str, submodules: Sequence[str]) -> None:
    from jsii import _reference_map

    _reference_map._submodule_fqn_map.update(
        {f"{assembly}.{jsii_submodule_name(name)}": f"{package}.{name}" for name in submodules}
    )


def lazy_index_js(source: str) -> str:
    """``index.js`` with each ``exports.x = require("./x")`` turned into a lazy getter."""
    return _EAGER_REQUIRE.sub(_LAZY_REQUIRE, source)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gke-inference-gateway-cdktf"


def lazy_tarball(original: Path, cache_dir: Path | None = None) -> Path:
    """A copy of a jsii package tarball with a lazy ``index.js``, made once and cached.

    The cache key is the original's name, size and modification time, so reinstalling
    the package makes a fresh copy.
    """
    stat = original.stat()
    directory = cache_dir or _cache_dir()
    target = directory / f"{original.name.removesuffix('.jsii.tgz')}-{stat.st_size}-{stat.st_mtime_ns}.lazy.tgz"
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=directory, suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz, \
                tarfile.open(fileobj=gz, mode="w|") as out, tarfile.open(original, mode="r|gz") as source:
            for member in source:
                data = source.extractfile(member) if member.isfile() else None
                if data is not None and member.name == _JS_INDEX:
                    patched = lazy_index_js(data.read().decode("utf-8")).encode("utf-8")
                    member.size = len(patched)
                    data = io.BytesIO(patched)
                out.addfile(member, data)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target


def _preload_lazy_assembly(jsii_init: Path) -> None:
    """Load the lazy copy into the jsii kernel first; the package's own load of the same
    name and version then finds it loaded and does nothing."""
    match = _TARBALL.search(jsii_init.read_text(encoding="utf-8"))
    if match is None:
        return
    name, version, filename = match.groups()
    import cdktf  # noqa: F401 - the provider assembly depends on cdktf's and constructs'
    from jsii._runtime import kernel

    try:
        tarball = lazy_tarball(jsii_init.parent / filename)
    except OSError:
        return
    kernel.load(name, version, os.fspath(tarball))


class LazyProviderFinder(importlib.abc.MetaPathFinder):
    """Routes the top-level provider packages (not their submodules) to the lazy loader."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        assembly = LAZY_PACKAGES.get(fullname)
        if assembly is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None or not spec.origin.endswith("__init__.py"):
            return None
        spec.loader = _LazyPackageLoader(spec.origin, assembly)
        return spec


def install() -> None:
    """Put the finder first on ``sys.meta_path``; harmless to call twice."""
    if not any(isinstance(finder, LazyProviderFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, LazyProviderFinder())


def is_lazy(module: types.ModuleType) -> bool:
    """True when ``module`` was loaded by this hook (its eager imports never ran)."""
    return hasattr(module, "__lazy_submodules__")
