"""The library as other teams consume it: public API, packaging, docs, construct ids."""

import ast
import email
import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import CONSTRUCT_TREE, construct_tree
from import_graph import external_imports_of, find_cycle, imports_of, package_modules

import constructs_lib
from cli import reference

ROOT = Path(__file__).resolve().parents[1]


def test_public_api_is_exactly_all():
    for name in constructs_lib.__all__:
        assert getattr(constructs_lib, name) is not None
    public = {name for name in vars(constructs_lib) if not name.startswith("_")}
    assert public - {"__version__"} <= set(constructs_lib.__all__) | {"annotations"}


def test_every_module_but_the_package_is_private():
    modules = [info.name for info in pkgutil.iter_modules(constructs_lib.__path__)]
    assert modules and all(name.startswith("_") for name in modules)


def test_construct_tree_of_the_default_app_is_pinned(tmp_path):
    assert construct_tree(tmp_path) == CONSTRUCT_TREE.read_text(), (
        "construct ids changed: renames replace resources. If deliberate, run 'make docs' "
        "and record the change in CHANGELOG.md")


def test_configuration_reference_is_current():
    assert (ROOT / "docs" / "configuration.md").read_text() == reference.render(), "run 'make docs'"


def test_every_field_is_documented():
    for _, cls in reference.sections():
        documented = reference.field_docs(cls)
        missing = [f.name for f, _ in constructs_lib.iter_fields(cls) if f.name not in documented]
        assert missing == [], cls.__name__


def test_wheel_holds_the_typed_library_with_dependency_ranges(tmp_path):
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the working tree
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "constructs_lib", source / "constructs_lib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-q", "-w", str(tmp_path), str(source)], check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = email.message_from_bytes(archive.read(next(n for n in names if n.endswith("METADATA"))))
    assert "constructs_lib/py.typed" in names and "constructs_lib/__init__.py" in names
    assert "constructs_lib/_core/checks.py" in names and "constructs_lib/_gateway/v1.py" in names
    assert not [n for n in names if n.startswith(("stacks/", "tests/", "bench/"))]
    assert metadata["Version"] == constructs_lib.__version__
    requires = metadata.get_all("Requires-Dist")
    assert "cdktf<0.22,>=0.21.0" in requires
    assert any(r.startswith("cdktf-cdktf-provider-google") and "<17" in r for r in requires)


def test_every_example_folder_is_an_app():
    folders = {p.name for p in (ROOT / "examples").iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    assert folders and folders == {p.parent.name for p in (ROOT / "examples").glob("*/main.py")}


@pytest.mark.parametrize("example", sorted(p.parent.name for p in (ROOT / "examples").glob("*/main.py")))
def test_examples_synthesize(example, tmp_path):
    module = importlib.import_module(f"examples.{example}.main")
    stacks = module.synth(str(tmp_path))
    assert stacks, example
    for name in stacks:
        assert (tmp_path / "stacks" / name / "cdk.tf.json").is_file()


@pytest.mark.parametrize("example", sorted(p.parent.name for p in (ROOT / "examples").glob("*/main.py")))
def test_examples_import_only_the_public_api(example):
    source = (ROOT / "examples" / example / "main.py").read_text()
    assert "constructs_lib._" not in source and "from stacks" not in source and "import stacks" not in source


APP_MODULES = sorted(str(p.relative_to(ROOT)) for folder in ("stacks", "cli", "bench", "audit") for p in
                     (ROOT / folder).glob("*.py"))


@pytest.mark.parametrize("module", APP_MODULES)
def test_the_app_uses_only_the_public_api(module):
    source = (ROOT / module).read_text()
    assert "constructs_lib._" not in source and "constructs_lib import _" not in source


@pytest.mark.parametrize("module", sorted(p.name for p in (ROOT / "stacks").glob("*.py")))
def test_the_stacks_never_import_the_command_line(module):
    """cli -> stacks -> constructs_lib: the stacks are a library the commands use."""
    source = (ROOT / "stacks" / module).read_text()
    assert not re.search(r"^\s*(from|import) cli\b", source, re.MULTILINE)


def test_no_command_names_a_private_path():
    pages = [str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")]
    for name in ("Makefile", "README.md", "cdktf.json", *pages):
        assert not re.search(r"constructs_lib\._[a-z]", (ROOT / name).read_text()), name


def _imports(module: str) -> set[str]:
    return set(imports_of(module))


def test_the_two_gateway_paths_share_a_core_and_never_import_each_other():
    module_path = {"constructs_lib._gateway.module", "constructs_lib._gateway.module_props"}
    v1_path = {"constructs_lib._gateway.v1", "constructs_lib._gateway.v1_props"}
    for name in module_path:
        assert not _imports(name) & v1_path, name
    for name in v1_path:
        assert not _imports(name) & module_path, name
    for core in ("constructs_lib._gateway.pools", "constructs_lib._gateway.common", "constructs_lib._core.releases",
                 "constructs_lib._core.checks"):
        assert not _imports(core) & (module_path | v1_path), core


def test_the_package_has_no_import_cycles_type_only_imports_included():
    assert find_cycle(type_only=True) == []
    assert imports_of("constructs_lib._gateway.common")
    assert imports_of("constructs_lib._core.checks") <= {"constructs_lib._core.errors"}


#: Each wing and the wings it may import, lowest first (``_core`` and ``_runtime`` are the
#: ground; the three middle wings never import each other).
WINGS: dict[str, set[str]] = {
    "_core": set(),
    "_runtime": set(),
    "_terraform": {"_core"},
    "_cluster": {"_core", "_terraform"},
    "_model_server": {"_core", "_terraform"},
    "_edge": {"_core", "_terraform"},
    "_gateway": {"_core", "_terraform", "_cluster", "_model_server", "_edge"},
    "_observability": {"_core", "_terraform", "_cluster", "_model_server", "_edge", "_gateway"},
}


def _wing(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_the_library_is_in_wings_with_at_most_three_flat_modules():
    entries = list(pkgutil.iter_modules(constructs_lib.__path__))
    assert {info.name for info in entries if info.ispkg} == set(WINGS)
    assert len([info for info in entries if not info.ispkg]) <= 3


@pytest.mark.parametrize("module", sorted(name for name in package_modules() if _wing(name)))
def test_a_wing_imports_only_the_wings_below_it(module):
    wing = _wing(module)
    allowed = WINGS[wing] | {wing}
    crossing = {imported for imported in imports_of(module) if _wing(imported) not in allowed}
    assert crossing == set(), f"{module} imports {sorted(crossing)}; {wing} may import only {sorted(allowed)}"


@pytest.mark.parametrize("wing", sorted(WINGS))
def test_each_wing_states_its_concern_and_exports_nothing(wing):
    tree = ast.parse((ROOT / "constructs_lib" / wing / "__init__.py").read_text())
    assert ast.get_docstring(tree), wing
    assert len(tree.body) == 1, f"{wing}/__init__.py holds code; the package face is the one export list"


def test_only_the_terraform_door_imports_provider_bindings_and_only_the_runtime_touches_jsii():
    for module in package_modules():
        external = external_imports_of(module)
        if any(name.startswith("cdktf_cdktf_provider") for name in external):
            assert module == "constructs_lib._terraform.providers", module
        if "jsii" in external and _wing(module) != "_runtime":
            # Elsewhere only jsii's public decorator for implementing an interface in Python.
            assert _jsii_names(module) == {"implements"}, module
    importers = {m for m in package_modules() if _wing(m) != "_runtime"
                 and any(_wing(i) == "_runtime" for i in imports_of(m))}
    assert importers == {"constructs_lib"}


def _jsii_names(module: str) -> set[str]:
    """What ``module`` reads of jsii: the attributes of ``import jsii``, or the names it imports."""
    tree = ast.parse(package_modules()[module].read_text())
    names = {node.attr for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "jsii"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "jsii":
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _defines_props(module: str) -> bool:
    tree = ast.parse(package_modules()[module].read_text())
    return any(isinstance(node, ast.ClassDef) and any(ast.unparse(base).endswith("Props") for base in node.bases)
               for node in tree.body)


def _runtime_closure(module: str) -> set[str]:
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(imports_of(name, type_only=False))
    return seen


PROPS_MODULES = sorted(name for name in package_modules() if _defines_props(name))


@pytest.mark.parametrize("module", PROPS_MODULES)
def test_props_never_load_cdktf(module):
    """Settings and their checks load without cdktf, constructs or jsii, so a wrong value is
    reported before Node starts (the process test is in test_boundary_yaml.py)."""
    heavy = {imported: sorted(external_imports_of(imported) & {"cdktf", "constructs", "jsii"})
             for imported in _runtime_closure(module)}
    assert {name: found for name, found in heavy.items() if found} == {}


def test_every_props_class_is_found():
    assert len(PROPS_MODULES) >= 12 and "constructs_lib._gateway.v1_props" in PROPS_MODULES
