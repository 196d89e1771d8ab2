"""The prebuilt provider packages load lazily, and every public import path still works."""

import importlib
import importlib.util
import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import cdktf_cdktf_provider_google as google
import pytest
from jsii import _reference_map
from jsii._kernel.types import ObjRef

from constructs_lib._runtime import lazy_providers as lazy_providers

INSTALLED = sorted(name for name in lazy_providers.LAZY_PACKAGES if importlib.util.find_spec(name))


def _loaded(package):
    return [name for name in sys.modules if name.startswith(package + ".")]


@pytest.mark.parametrize("package", INSTALLED)
def test_packages_are_loaded_by_the_lazy_hook(package):
    module = importlib.import_module(package)
    assert lazy_providers.is_lazy(module)
    assert len(module.__lazy_submodules__) > 0


def test_eager_submodule_imports_did_not_run(default_stacks):
    # After a whole app was synthesized, only the submodules it uses are loaded.
    assert len(google.__lazy_submodules__) > 1400
    # The modules _providers.py names, each with its _private module: a few dozen of ~1,470.
    assert 0 < len(_loaded("cdktf_cdktf_provider_google")) < 50


def test_attribute_access_imports_a_submodule_on_first_use():
    name = "cdktf_cdktf_provider_google.workbench_instance_iam_member"
    assert name not in sys.modules
    module = google.workbench_instance_iam_member
    assert module.__name__ == name and name in sys.modules
    assert hasattr(module, "WorkbenchInstanceIamMember")
    assert "workbench_instance_iam_member" in dir(google)


def test_from_imports_keep_working():
    from cdktf_cdktf_provider_google import provider
    from cdktf_cdktf_provider_google.container_cluster import ContainerCluster

    assert provider.GoogleProvider.__name__ == "GoogleProvider"
    assert ContainerCluster.__jsii_type__ == "@cdktf/provider-google.containerCluster.ContainerCluster"


def test_unknown_attributes_still_raise():
    with pytest.raises(AttributeError):
        google.no_such_resource  # noqa: B018
    with pytest.raises(ImportError):
        from cdktf_cdktf_provider_google import no_such_resource  # noqa: F401


def test_jsii_resolves_a_type_from_a_submodule_nobody_imported():
    module = "cdktf_cdktf_provider_google.vmwareengine_network_policy"
    assert module not in sys.modules
    fqn = "@cdktf/provider-google.vmwareengineNetworkPolicy.VmwareengineNetworkPolicyTimeoutsOutputReference"
    obj = _reference_map._refs.resolve(None, ObjRef(ref=f"{fqn}@10000"))
    assert type(obj).__jsii_type__ == fqn
    assert module in sys.modules


def _first_jsii_type(path):
    with open(path, encoding="utf-8") as handle:
        return re.search(r'jsii_type="([^"]+)"', handle.read(16384)).group(1)


@pytest.mark.parametrize("package", INSTALLED)
def test_every_submodule_maps_to_its_jsii_namespace(package):
    module = importlib.import_module(package)
    assembly = lazy_providers.LAZY_PACKAGES[package]
    root = Path(module.__file__).parent
    for name in module.__lazy_submodules__:
        jsii_namespace = _first_jsii_type(root / name / "__init__.py").rsplit(".", 1)[0]
        assert jsii_namespace == f"{assembly}.{lazy_providers.jsii_submodule_name(name)}"
        assert _reference_map._submodule_fqn_map[jsii_namespace] == f"{package}.{name}"


def test_installing_twice_keeps_one_finder():
    lazy_providers.install()
    lazy_providers.install()
    assert sum(isinstance(f, lazy_providers.LazyProviderFinder) for f in sys.meta_path) == 1


def test_node_end_of_life_banner_is_silenced():
    assert os.environ["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] == "20"


def _tarball(path, files):
    with tarfile.open(path, "w:gz") as out:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def _read(path):
    with tarfile.open(path, "r:gz") as source:
        return {m.name: source.extractfile(m).read().decode() for m in source if m.isfile()}


INDEX = ('"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n'
         "exports.provider = exports.containerCluster = void 0;\n"
         'exports.containerCluster = require("./container-cluster");\n'
         'exports.provider = require("./provider");\n')


def test_index_js_exports_become_lazy_getters():
    lazy = lazy_providers.lazy_index_js(INDEX)
    assert "= require(" not in lazy
    assert ('Object.defineProperty(exports, "containerCluster", { enumerable: true, configurable: true, '
            'get: function () { return require("./container-cluster"); } });') in lazy
    assert lazy.startswith('"use strict";') and "exports.provider = exports.containerCluster = void 0;" in lazy


def test_lazy_tarball_rewrites_only_the_index_and_is_made_once(tmp_path):
    original = tmp_path / "provider-x@1.0.0.jsii.tgz"
    files = {"package/.jsii": "{}", "package/lib/index.js": INDEX, "package/lib/provider/index.js": "x"}
    _tarball(original, files)
    made = lazy_providers.lazy_tarball(original, cache_dir=tmp_path / "cache")
    content = _read(made)
    assert content["package/lib/index.js"] == lazy_providers.lazy_index_js(INDEX)
    assert {k: v for k, v in content.items() if k != "package/lib/index.js"} == {
        "package/.jsii": "{}", "package/lib/provider/index.js": "x"}
    stamp = made.stat().st_mtime_ns
    assert lazy_providers.lazy_tarball(original, cache_dir=tmp_path / "cache") == made
    assert made.stat().st_mtime_ns == stamp
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [made.name]


def test_each_installed_provider_has_a_lazy_copy_with_no_eager_require():
    for package in INSTALLED:
        module = importlib.import_module(package)
        jsii_dir = Path(module.__file__).parent / "_jsii"
        original = next(jsii_dir.glob("*.jsii.tgz"))
        cached = lazy_providers.lazy_tarball(original)
        index = _read_member(cached, "package/lib/index.js")
        assert "= require(" not in index and "get: function () { return require(" in index


def _read_member(path, name):
    with tarfile.open(path, "r:gz") as source:
        return source.extractfile(name).read().decode()


def _without_finder(monkeypatch):
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path
                                           if not isinstance(f, lazy_providers.LazyProviderFinder)])
    monkeypatch.setattr(lazy_providers, "_noticed", False)


@pytest.mark.parametrize(("module", "attribute", "replacement", "named"), [
    ("jsii._reference_map", "_submodule_fqn_map", None, "jsii._reference_map._submodule_fqn_map"),
    ("jsii._runtime", "kernel", object(), "jsii._runtime.kernel.load"),
])
def test_without_the_jsii_internals_providers_load_normally_with_one_line(
        monkeypatch, capsys, module, attribute, replacement, named):
    target = importlib.import_module(module)
    if replacement is None:
        monkeypatch.delattr(target, attribute)
    else:
        monkeypatch.setattr(target, attribute, replacement)
    _without_finder(monkeypatch)
    lazy_providers.install()
    assert not any(isinstance(f, lazy_providers.LazyProviderFinder) for f in sys.meta_path)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and named in err and "fix: install the jsii version pinned in Pipfile.lock" in err


def test_a_provider_imported_before_constructs_lib_is_named_with_the_fix(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "cdktf_cdktf_provider_helm", type(sys)("cdktf_cdktf_provider_helm"))
    _without_finder(monkeypatch)
    lazy_providers.install()
    assert any(isinstance(f, lazy_providers.LazyProviderFinder) for f in sys.meta_path)
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cdktf_cdktf_provider_helm was imported before constructs_lib" in err
    assert "fix: import constructs_lib before any cdktf_cdktf_provider_* package" in err


def test_import_order_is_loud_in_a_real_process_and_silent_when_right():
    # Wrong order: a provider package first. Sorted order (cdktf, then constructs_lib) is
    # fine: the hook only has to precede the provider packages.
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    probe = ("import sys, {first}; import constructs_lib; import cdktf_cdktf_provider_google as g; "
             "print(hasattr(g, '__lazy_submodules__'))")
    results = [subprocess.run([sys.executable, "-c", probe.format(first=first)], env=env,
                              capture_output=True, text=True, timeout=120)
               for first in ("cdktf_cdktf_provider_http", "cdktf")]
    wrong, right = results
    assert wrong.returncode == 0 and wrong.stdout.strip() == "True"
    assert wrong.stderr.count("\n") == 1 and "cdktf_cdktf_provider_http was imported before" in wrong.stderr
    assert right.returncode == 0 and right.stdout.strip() == "True" and right.stderr == ""
