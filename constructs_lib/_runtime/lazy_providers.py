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

The hook is installed when this module is imported, which ``constructs_lib`` does before
anything else, so every provider import through ``constructs_lib._terraform.providers`` is lazy
whatever the order of a user's imports. A provider package imported before
``constructs_lib`` has already run its eager imports; that, a cache that cannot be used,
or a jsii without the internals the hook relies on, is said on one stderr line naming the
fix, once per process.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
import types
from collections.abc import MutableMapping, Sequence
from pathlib import Path

from constructs_lib._runtime import provider_cache as provider_cache

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


def lazy_tarball(original: Path, cache_dir: Path | None = None) -> Path:
    """The cached copy of a jsii package tarball with a lazy ``index.js`` (made when missing
    or damaged); raises ``provider_cache.CacheUnavailableError`` when no copy can be had."""
    return provider_cache.lazy_tarball(original, lazy_index_js, cache_dir)


def _preload_lazy_assembly(jsii_init: Path) -> None:
    """Load the lazy copy into the jsii kernel first; the package's own load of the same
    name and version then finds it loaded and does nothing. Without a copy the package
    loads its original tarball: slower, never broken."""
    match = _TARBALL.search(jsii_init.read_text(encoding="utf-8"))
    if match is None:
        slow_path_notice(f"{jsii_init} loads its assembly in a way this loader does not know",
                         "install the provider versions pinned in Pipfile.lock ('make install')")
        return
    name, version, filename = match.groups()
    import cdktf  # noqa: F401 - the provider assembly depends on cdktf's and constructs'
    from jsii._runtime import kernel

    try:
        tarball = lazy_tarball(jsii_init.parent / filename)
    except provider_cache.CacheUnavailableError as error:
        slow_path_notice(f"provider cache {error.directory}: {error.reason}", error.fix)
        return
    try:
        kernel.load(name, version, os.fspath(tarball))
    except Exception as error:  # the kernel raises JSIIError or RuntimeError; the original still loads
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        slow_path_notice(f"the jsii kernel refused {tarball} ({first_line})",
                         f"delete {tarball} (it is made again on the next run); if this repeats, "
                         "also jsii's package cache (~/.cache/aws/jsii)")


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


def _missing_jsii_internals() -> str | None:
    """The private jsii attribute the hook needs but this jsii lacks, if any.

    The hook writes to ``jsii._reference_map._submodule_fqn_map`` and loads through
    ``jsii._runtime.kernel``; both are internals that a jsii release may rename. Without
    them the packages load as published: slower, still correct.
    """
    try:
        from jsii import _reference_map, _runtime
    except ImportError:
        return "jsii._reference_map / jsii._runtime"
    if not isinstance(getattr(_reference_map, "_submodule_fqn_map", None), MutableMapping):
        return "jsii._reference_map._submodule_fqn_map"
    if not callable(getattr(getattr(_runtime, "kernel", None), "load", None)):
        return "jsii._runtime.kernel.load"
    return None


_noticed = False


def slow_path_notice(reason: str, fix: str) -> None:
    """Say once per process, on one stderr line, why synthesis takes the slow path."""
    global _noticed
    if _noticed:
        return
    _noticed = True
    print(f"warning: {reason}, so provider bindings load the slow way; fix: {fix}", file=sys.stderr)


def _eagerly_loaded() -> list[str]:
    return sorted(name for name in LAZY_PACKAGES if name in sys.modules and not is_lazy(sys.modules[name]))


def install() -> None:
    """Put the finder first on ``sys.meta_path``, or say on stderr why it cannot help."""
    missing = _missing_jsii_internals()
    if missing is not None:
        import jsii

        slow_path_notice(f"jsii {getattr(jsii, '__version__', '?')} has no {missing}",
                         "install the jsii version pinned in Pipfile.lock ('make install')")
        return
    eager = _eagerly_loaded()
    if eager:
        slow_path_notice(f"{eager[0]} was imported before constructs_lib",
                         "import constructs_lib before any cdktf_cdktf_provider_* package")
    if not any(isinstance(finder, LazyProviderFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, LazyProviderFinder())


def is_lazy(module: types.ModuleType) -> bool:
    """True when ``module`` was loaded by this hook (its eager imports never ran)."""
    return hasattr(module, "__lazy_submodules__")


# The one place the hook is installed: importing this module, which ``constructs_lib``
# does first, before anything of its own can import a provider package.
install()
