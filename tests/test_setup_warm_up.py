"""The warm-up that ``make install`` runs finds jsii's extracted packages where jsii puts
them, and waits for exactly the indexes that are still being built."""

from pathlib import Path

import pytest

from constructs_lib._runtime import lazy_providers as lazy_providers
from constructs_lib._runtime import warm_up as warm_up


def test_the_package_directory_is_computed_as_jsii_lays_it_out(default_stacks):
    # After a synth in this process, jsii has extracted every assembly the app loaded.
    assemblies = warm_up.loaded_assemblies()
    assert {name for name, _, _ in assemblies} >= {"cdktf", "constructs", *lazy_providers.LAZY_PACKAGES.values()}
    for name, version, tarball in assemblies:
        directory = warm_up.jsii_package_dir(name, version, tarball)
        if not directory.parent.is_dir():
            pytest.skip(f"jsii's package cache is off here ({directory.parent} missing)")
        assert (directory / ".jsii").is_file(), directory


def test_the_lazy_copies_are_what_the_kernel_loaded():
    google = dict((n, t) for n, _, t in warm_up.loaded_assemblies())["@cdktf/provider-google"]
    assert google.name.endswith(".lazy.tgz")


def _package(root: Path, name: str, indexed: bool) -> tuple[str, str, Path]:
    tarball = root / f"{name}.tgz"
    tarball.write_bytes(name.encode())
    directory = warm_up.jsii_package_dir(name, "1.0.0", tarball, root / "cache")
    directory.mkdir(parents=True)
    if indexed:
        (directory / warm_up.INDEX_MANIFEST).write_text("{}")
    return name, "1.0.0", tarball


def test_waiting_ends_when_every_extracted_package_is_indexed(tmp_path, monkeypatch):
    monkeypatch.setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(tmp_path / "cache"))
    done = _package(tmp_path, "done", indexed=True)
    pending = _package(tmp_path, "pending", indexed=False)
    never_extracted = ("absent", "1.0.0", tmp_path / "done.tgz")
    assert warm_up.wait_for_indexes([done, never_extracted], timeout=5) == []
    assert warm_up.wait_for_indexes([done, pending], timeout=0) == ["pending"]
