"""The lazy provider cache heals itself: damaged entries are found cheaply and made again,
a cache that cannot be written costs speed and one stderr line, never a synth. Every
fault here is made in a temporary cache directory, and every jsii kernel these tests start
extracts into a temporary package cache: the user's home is left as a synth leaves it."""

import io
import os
import stat
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from constructs_lib._runtime import lazy_providers as lazy_providers
from constructs_lib._runtime import provider_cache as provider_cache

ROOT = Path(__file__).resolve().parents[1]
INDEX = 'exports.provider = require("./provider");\n'
AS_ROOT = os.geteuid() == 0


def _original(directory: Path, version: str = "1.0.0", body: str = "x") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"provider-x@{version}.jsii.tgz"
    with tarfile.open(path, "w:gz") as out:
        for name, text in {"package/lib/index.js": INDEX, "package/lib/provider/index.js": body}.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return path


def _make(original: Path, cache: Path) -> Path:
    return provider_cache.lazy_tarball(original, lazy_providers.lazy_index_js, cache)


@pytest.fixture
def made(tmp_path):
    original = _original(tmp_path / "pkg")
    return original, tmp_path / "cache", _make(original, tmp_path / "cache")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _flip_a_bit(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncate, _empty, _flip_a_bit])
def test_a_damaged_entry_is_detected_and_made_again(made, damage):
    original, cache, entry = made
    good = entry.read_bytes()
    assert provider_cache.intact(entry)
    damage(entry)
    assert not provider_cache.intact(entry)
    assert _make(original, cache) == entry
    assert entry.read_bytes() == good
    assert sorted(p.name for p in cache.iterdir()) == [entry.name]


@pytest.mark.skipif(AS_ROOT, reason="root reads a file of any mode")
def test_an_unreadable_entry_is_made_again(made):
    original, cache, entry = made
    entry.chmod(0)
    assert not provider_cache.intact(entry)
    assert _make(original, cache) == entry and provider_cache.intact(entry)


def test_entries_are_as_readable_as_the_umask_allows(tmp_path):
    for mask, mode in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
        previous = os.umask(mask)
        try:
            entry = _make(_original(tmp_path / f"pkg-{mask:o}"), tmp_path / f"cache-{mask:o}")
        finally:
            os.umask(previous)
        assert stat.S_IMODE(entry.stat().st_mode) == mode


def test_an_unwritable_cache_raises_a_message_naming_the_path_and_the_fix(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(provider_cache.CacheUnavailableError) as caught:
        _make(_original(tmp_path / "pkg"), blocker / "cache")
    message = str(caught.value)
    assert str(blocker / "cache") in message and provider_cache.CACHE_ENV in message and "\n" not in message


@pytest.mark.skipif(AS_ROOT, reason="root writes into a read-only directory")
def test_a_read_only_cache_directory_raises_the_same_message(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    with pytest.raises(provider_cache.CacheUnavailableError):
        _make(_original(tmp_path / "pkg"), cache)


def test_the_cache_directory_can_be_moved_by_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(provider_cache.CACHE_ENV, str(tmp_path / "elsewhere"))
    assert provider_cache.cache_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv(provider_cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert provider_cache.cache_dir() == tmp_path / "xdg" / "gke-inference-gateway-cdktf"


def test_only_the_installed_build_is_kept_and_nothing_else_is_touched(tmp_path):
    cache = tmp_path / "cache"
    old = _make(_original(tmp_path / "old", body="old build"), cache)
    other_package = cache / "provider-y@2.0.0-10-0000abcd-f2.20-0000abcd.lazy.tgz"
    legacy = cache / "provider-x@0.9.0-31712695-1795870600501417130.lazy.tgz"
    users_file = cache / "notes.txt"
    for path in (other_package, legacy, users_file):
        path.write_text("kept?")
    new = _make(_original(tmp_path / "new", body="new build"), cache)
    assert new != old
    assert sorted(p.name for p in cache.iterdir()) == sorted([new.name, other_package.name, users_file.name])


def test_abandoned_partials_are_cleaned_and_live_ones_kept(made, tmp_path):
    original, cache, entry = made
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    killed = cache / f"{entry.name.split('.lazy')[0]}.{dead}.k1ll3d.partial"
    live = cache / f"{entry.name.split('.lazy')[0]}.{os.getpid()}.w0rk1n.partial"
    ancient = cache / "tmpab12cd34.partial"
    for path in (killed, live, ancient):
        path.write_bytes(b"half")
    os.utime(ancient, (time.time() - 2 * provider_cache.STALE_PARTIAL_SECONDS,) * 2)
    assert _make(original, cache) == entry
    assert sorted(p.name for p in cache.iterdir()) == sorted([entry.name, live.name])


def test_the_slow_path_is_announced_once(monkeypatch, capsys):
    monkeypatch.setattr(lazy_providers, "_noticed", False)
    lazy_providers.slow_path_notice("first reason", "first fix")
    lazy_providers.slow_path_notice("second reason", "second fix")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "first reason" in err and "fix: first fix" in err


def test_a_tarball_the_kernel_refuses_falls_back_with_one_line(tmp_path):
    # An entry that passes the checks but that the kernel cannot extract (say, replaced
    # between check and load) leaves the package to load its original tarball. Run in a
    # process of its own whose jsii kernel extracts into a temporary cache, so the test
    # package never lands in the user's jsii cache.
    jsii_dir = tmp_path / "pkg" / "_jsii"
    original = _original(jsii_dir)
    (jsii_dir / "__init__.py").write_text(
        "__jsii_assembly__ = jsii.JSIIAssembly.load(\n"
        f'    "@test/broken-x", "1.0.0", __name__[0:-6], "{original.name}"\n)\n')
    broken = tmp_path / "broken.lazy.tgz"
    broken.write_bytes(b"\x1f\x8b not really gzip")
    script = ("from pathlib import Path\n"
              "from constructs_lib._runtime import lazy_providers\n"
              f"lazy_providers.lazy_tarball = lambda _original: Path({str(broken)!r})\n"
              f"lazy_providers._preload_lazy_assembly(Path({str(jsii_dir / '__init__.py')!r}))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=_private_jsii_cache(tmp_path),
                            capture_output=True, text=True, timeout=120)
    ours = _our_lines(result.stderr)
    assert result.returncode == 0 and len(ours) == 1, result.stderr
    assert str(broken) in ours[0] and "fix: delete" in ours[0]


def _private_jsii_cache(tmp_path: Path) -> dict[str, str]:
    """This environment, with jsii extracting packages under ``tmp_path``."""
    return {**os.environ, "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(tmp_path / "jsii-cache")}


def _our_lines(stderr: str) -> list[str]:
    # Node 22+ adds its DEP0044 notice about cdktf's util.isArray (see docs/setup.md, Node versions).
    return [line for line in stderr.splitlines() if "DEP0044" not in line and "--trace-deprecation" not in line]


def test_a_synth_with_an_unwritable_cache_succeeds_with_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    # The slow path extracts the whole eager provider packages: into a temporary jsii cache.
    # A v1 gateway on an existing proxy-only subnet loads one small binding (helm); the
    # default app loads none, since it writes its blocks plainly.
    config = tmp_path / "helm-only.yaml"
    config.write_text("gateway:\n  api_version: v1\n  create_proxy_only_subnetwork: false\n")
    env = {**_private_jsii_cache(tmp_path), provider_cache.CACHE_ENV: str(blocker / "cache")}
    result = subprocess.run([sys.executable, "main.py", "--quiet", "--config", str(config),
                             "--outdir", str(tmp_path / "out")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    ours = _our_lines(result.stderr)
    assert len(ours) == 1 and ours[0].startswith("warning: ")
    assert str(blocker / "cache") in ours[0] and provider_cache.CACHE_ENV in ours[0]
    assert (tmp_path / "out" / "stacks" / "inference-gateway" / "cdk.tf.json").is_file()


def test_a_package_the_loader_does_not_understand_is_named_once(monkeypatch, capsys, tmp_path):
    jsii_init = tmp_path / "_jsii" / "__init__.py"
    jsii_init.parent.mkdir()
    jsii_init.write_text("__jsii_assembly__ = load_it_some_new_way()\n")
    monkeypatch.setattr(lazy_providers, "_noticed", False)
    lazy_providers._preload_lazy_assembly(jsii_init)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(jsii_init) in err and "Pipfile.lock" in err
