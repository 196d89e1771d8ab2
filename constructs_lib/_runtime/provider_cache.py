"""The machine-wide cache of provider tarballs rewritten for lazy loading on the Node side.

A cache entry outlives the process that made it, so it can be damaged by anything: a
killed write, a full disk, a bit flip, a ``chmod``. The jsii kernel reports such an entry
as a tar or zlib error that says nothing about this cache, and it would do so on every
run. Entries are therefore named after what they were made from and what they hold
(source key, size, CRC-32), so that one ``stat`` and one checksum pass (about 15 ms for
the google provider's 45 MB) tell a usable entry from a damaged one before the kernel
sees it, and a damaged one is simply made again.

Only the entries of the provider builds in use are kept: making an entry removes the
other builds of the same provider, and abandoned ``*.partial`` files of killed writers.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

#: Names the cache directory; the default is ``$XDG_CACHE_HOME`` (or ``~/.cache``)
#: ``/gke-inference-gateway-cdktf``.
CACHE_ENV = "GKE_INFERENCE_GATEWAY_CDKTF_CACHE"

#: Part of every entry's source key: raise it when the rewrite itself changes.
FORMAT = 2

#: A ``*.partial`` whose writer is gone, or that is older than this, is abandoned.
STALE_PARTIAL_SECONDS = 600

_ENTRY = re.compile(r"^(?P<key>.+-f\d+)\.(?P<size>\d+)-(?P<crc>[0-9a-f]{8})\.lazy\.tgz$")
_PARTIAL = re.compile(r"^.+\.(?P<pid>\d+)\.[^.]+\.partial$")
#: Entries written before entries carried their checksum: ``provider-x@1.0.0-<size>-<mtime>.lazy.tgz``.
_LEGACY_ENTRY = re.compile(r"^(?P<stem>.+@[^-]+)-\d+-\d+\.lazy\.tgz$")
_CHUNK = 1 << 20


class CacheUnavailableError(Exception):
    """No usable entry can be had; ``reason`` says why, ``fix`` what the user can do."""

    def __init__(self, directory: Path, reason: str) -> None:
        self.directory = directory
        self.reason = reason
        self.fix = f"make {directory} writable, or point {CACHE_ENV} at a writable directory"
        super().__init__(f"provider cache {directory}: {reason}; fix: {self.fix}")


def cache_dir() -> Path:
    """The cache directory: ``$GKE_INFERENCE_GATEWAY_CDKTF_CACHE`` or the user's cache."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gke-inference-gateway-cdktf"


def source_key(original: Path) -> str:
    """``provider-google@16.12.1-<size>-<crc>-f<FORMAT>`` for a jsii package tarball.

    The CRC-32 comes from the gzip trailer, which covers the whole uncompressed content,
    so two venvs holding the same package build share one entry and a changed build gets
    a new one, without reading the 30 MB original.
    """
    size = original.stat().st_size
    with open(original, "rb") as handle:
        handle.seek(max(size - 8, 0))
        crc = int.from_bytes(handle.read(8)[:4], "little")
    return f"{_stem(original.name)}-{size}-{crc:08x}-f{FORMAT}"


def _stem(tarball_name: str) -> str:
    return tarball_name.removesuffix(".jsii.tgz").removesuffix(".tgz")


def _package(stem: str) -> str:
    """``provider-google`` for ``provider-google@16.12.1``: the part shared by all builds."""
    return stem.rsplit("@", 1)[0]


def lazy_tarball(original: Path, rewrite: Callable[[str], str], directory: Path | None = None) -> Path:
    """An intact cached copy of ``original`` whose ``package/lib/index.js`` went through
    ``rewrite``; made (again) when missing or damaged. Raises ``CacheUnavailableError``."""
    directory = directory if directory is not None else cache_dir()
    try:
        key = source_key(original)
    except OSError as error:
        raise CacheUnavailableError(directory, f"cannot read {original} ({error.strerror or error})") from error
    for candidate in _entries(directory, key):
        if intact(candidate):
            clean_partials(directory)
            return candidate
    try:
        directory.mkdir(parents=True, exist_ok=True)
        made = _write_entry(original, rewrite, directory, key)
    except OSError as error:
        raise CacheUnavailableError(directory, f"cannot write an entry ({error.strerror or error})") from error
    prune(directory, keep=made)
    return made


def _entries(directory: Path, key: str) -> list[Path]:
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [directory / name for name in sorted(names)
            if (match := _ENTRY.match(name)) is not None and match["key"] == key]


def intact(entry: Path) -> bool:
    """True when the entry has the size and CRC-32 its name records and can be read."""
    match = _ENTRY.match(entry.name)
    if match is None:
        return False
    try:
        if not entry.is_file() or entry.stat().st_size != int(match["size"]):
            return False
        return f"{_file_crc(entry):08x}" == match["crc"]
    except OSError:
        return False


def _file_crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


_JS_INDEX = "package/lib/index.js"


def _write_entry(original: Path, rewrite: Callable[[str], str], directory: Path, key: str) -> Path:
    handle, partial = tempfile.mkstemp(dir=directory, prefix=f"{key}.{os.getpid()}.", suffix=".partial")
    try:
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as raw:
            _rewrite_tarball(original, rewrite, raw)
        name = f"{key}.{os.path.getsize(partial)}-{_file_crc(Path(partial)):08x}.lazy.tgz"
        os.replace(partial, directory / name)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return directory / name


def _rewrite_tarball(original: Path, rewrite: Callable[[str], str], raw: io.BufferedWriter) -> None:
    # mtime=0 and a fixed level keep the bytes, and so the jsii kernel's own cache key, stable.
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as packed, \
            tarfile.open(fileobj=packed, mode="w|") as out, tarfile.open(original, mode="r|gz") as source:
        for member in source:
            data = source.extractfile(member) if member.isfile() else None
            if data is not None and member.name == _JS_INDEX:
                patched = rewrite(data.read().decode("utf-8")).encode("utf-8")
                member.size = len(patched)
                data = io.BytesIO(patched)
            out.addfile(member, data)


def _umask() -> int:
    """The process umask, so that entries are as readable as any other file the user makes.

    Read from ``/proc`` where it can be: setting it to read it back races other threads."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def prune(directory: Path, keep: Path) -> list[Path]:
    """Remove the other builds' entries of ``keep``'s provider, damaged or legacy entries of
    it, and abandoned partial files; best effort. Returns what was removed."""
    keep_key = _ENTRY.match(keep.name)["key"]  # type: ignore[index]
    package = _package(keep_key.rsplit("-", 3)[0])
    removed = []
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return removed
    for name in names:
        path = directory / name
        if name == keep.name:
            continue
        if (match := _ENTRY.match(name)) is not None:
            doomed = _package(match["key"].rsplit("-", 3)[0]) == package and (
                match["key"] != keep_key or not intact(path))
        elif (legacy := _LEGACY_ENTRY.match(name)) is not None:
            doomed = _package(legacy["stem"]) == package
        else:
            doomed = name.endswith(".partial") and _abandoned(path)
        if doomed and _unlink(path):
            removed.append(path)
    return removed


def clean_partials(directory: Path) -> list[Path]:
    """Remove the ``*.partial`` files whose writer was killed; best effort."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [directory / name for name in names
            if name.endswith(".partial") and _abandoned(directory / name) and _unlink(directory / name)]


def _abandoned(partial: Path) -> bool:
    try:
        age = time.time() - partial.stat().st_mtime
    except OSError:
        return False
    if age > STALE_PARTIAL_SECONDS:
        return True
    match = _PARTIAL.match(partial.name)
    return match is not None and not _alive(int(match["pid"]))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except OSError:
        return False
    return True
