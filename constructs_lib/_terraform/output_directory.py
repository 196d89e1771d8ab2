"""The output directory of a synth: what may be replaced, and how it is replaced without
losing anything. ``synthesize_into`` is the whole guard for any app (``main.py`` and the
examples use it); the rest are its steps.

A synth owns its output directory only when it is absent, empty, marked by an earlier synth
(``MARKER``) or holds nothing but Terraform's own files. Anything else may be a user's
folder reached by a typo, so it is refused before any work is done. Inside an output,
Terraform's files (``.terraform/``, ``.terraform.lock.hcl``, ``*.tfstate*``) and anything
else the synth did not write are carried over into the new output, as ``cdktf synth`` keeps
them, so providers are not downloaded again and lock-file checksums survive.

The new output is written to a sibling staging directory and renamed into place under an
exclusive lock on the parent directory, so the stacks' ``cdk.tf.json`` files change all at
once, and two synths into one directory end with one complete output or a clear error.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from constructs_lib._core.errors import ConfigError, Problem

#: Written into every output; its presence is what makes a directory ours to replace.
MARKER = ".gke-inference-gateway-cdktf"
MARKER_TEXT = (
    "Written by a gke-inference-gateway-cdktf synth, which replaces this directory on each\n"
    "synth. Terraform's .terraform/, .terraform.lock.hcl and *.tfstate* files are kept.\n"
)
#: What a synth writes, at the top and in each stack directory; everything else is kept.
OURS_AT_TOP = frozenset({MARKER, "manifest.json", "stacks"})
OURS_IN_STACK = frozenset({"cdk.tf.json", "assets"})
#: How long a synth waits for another one writing the same directory.
LOCK_WAIT_SECONDS = 120.0


class OutdirError(ConfigError):
    """The output directory cannot be used or replaced."""


def _fix(source: str) -> str:
    where = f"give another {source}" if source.startswith("--") else f"set {source} to another directory"
    return f"{where} (absent, empty, or an earlier output of a synth)"


def _terraform_owned(name: str) -> bool:
    return name in (".terraform", ".terraform.lock.hcl") or fnmatch.fnmatch(name, "*.tfstate*")


def _ours(relative: Path) -> bool:
    """What a synth writes: the marker, ``manifest.json``, ``stacks/<stack>/{cdk.tf.json,assets}``."""
    parts = relative.parts
    if len(parts) == 1:
        return parts[0] in OURS_AT_TOP
    return parts[0] == "stacks" and (len(parts) == 2 or parts[2] in OURS_IN_STACK)


def _first_foreign(directory: Path) -> str | None:
    """The first entry (in sorted order) that neither a synth nor Terraform wrote."""
    for root, dirs, files in os.walk(directory, onerror=_raise):
        dirs.sort()
        here = Path(root).relative_to(directory)
        for name in list(dirs):
            relative = here / name
            if Path(root, name).is_symlink() and not _terraform_owned(name):
                return str(relative)
            if _terraform_owned(name) or (_ours(relative) and len(relative.parts) == 3):
                dirs.remove(name)  # Terraform's trees and our assets are not looked into
            elif not _ours(relative):
                return str(relative)
        for name in sorted(files):
            relative = here / name
            if not (_terraform_owned(name) or _ours(relative)):
                return str(relative)
    return None


def _raise(error: OSError) -> None:
    raise error


def output_directory_problems(target: Path, source: str) -> list[Problem]:
    """Why ``target`` may not be replaced by a synth (empty when it may). Writes nothing."""
    shown = str(target)
    fix = _fix(source)
    if not str(target).strip():
        return [Problem(source, shown, "is empty", fix)]
    target = Path(os.path.abspath(target))
    if target.is_symlink():
        return [Problem(source, shown, "is a symbolic link", "give the directory it points to, or another one")]
    real = Path(os.path.realpath(target))
    cwd = Path(os.path.realpath(os.getcwd()))
    if real == Path(real.anchor):
        return [Problem(source, shown, "is the root directory", fix)]
    if real == Path(os.path.realpath(Path.home())):
        return [Problem(source, shown, "is the home directory", fix)]
    if real == cwd:
        return [Problem(source, shown, "is the working directory, whose files a synth would replace", fix)]
    if real in cwd.parents:
        return [Problem(source, shown, "contains the working directory", fix)]
    existing = next(path for path in (target, *target.parents) if os.path.lexists(path))
    if existing != target and not existing.is_dir():
        return [Problem(source, shown, f"is below {existing}, which is a file", fix)]
    if existing != target:
        return []
    if not target.is_dir():
        return [Problem(source, shown, "is a file, not a directory",
                        "give a directory for the output (the configuration goes to --config)")]
    if (target / MARKER).is_file():
        return []
    try:
        foreign = _first_foreign(target)
    except OSError as error:
        return [Problem(source, shown, f"cannot be read ({error.strerror})", fix)]
    if foreign is not None:
        return [Problem(source, shown, f"holds {foreign}, which no synth wrote", fix)]
    return []


def check(target: Path, source: str) -> None:
    """Raise ``OutdirError`` when ``target`` may not be replaced by a synth."""
    found = output_directory_problems(target, source)
    if found:
        raise OutdirError(found)


def make_staging(target: Path) -> Path:
    """An empty directory next to ``target`` (parents created); modes follow the umask,
    which ``tempfile.mkdtemp`` (always 0700) would not. Raises ``OSError``."""
    target = Path(os.path.abspath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        path = target.with_name(f".{target.name}.staging-{secrets.token_hex(4)}")
        try:
            path.mkdir(mode=0o777)
            return path
        except FileExistsError:
            continue


def mark(path: Path) -> None:
    (path / MARKER).write_text(MARKER_TEXT)


def _follow_umask(root: Path) -> None:
    """Give everything below ``root`` the modes this process's umask asks for: the jsii
    kernel writes with the umask it started with, which may differ."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(root, 0o777 & ~umask)
    for directory, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(directory, name), 0o777 & ~umask)
        for name in files:
            os.chmod(os.path.join(directory, name), 0o666 & ~umask)


@contextlib.contextmanager
def locked(target: Path, source: str, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on ``target``'s parent directory (no lock file is left behind)."""
    parent = Path(os.path.abspath(target)).parent
    descriptor = os.open(parent, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutdirError([Problem(
                        source, str(target), f"is being written by another synth (waited {wait_seconds:g} s)",
                        "wait for the other synth to finish, then run again")]) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)


def _kept_entries(target: Path) -> list[Path]:
    """Paths inside an earlier output, relative to it, that the new output carries over."""
    kept = []
    for entry in sorted(target.iterdir()):
        if entry.name == "stacks" and entry.is_dir() and not entry.is_symlink():
            for stack in sorted(entry.iterdir()):
                if stack.is_dir() and not stack.is_symlink():
                    kept += [item.relative_to(target) for item in sorted(stack.iterdir())
                             if item.name not in OURS_IN_STACK]
                else:
                    kept.append(stack.relative_to(target))
        elif entry.name not in OURS_AT_TOP:
            kept.append(entry.relative_to(target))
    return kept


def replace(staging: Path, target: Path) -> None:
    """Move ``staging`` into place as ``target`` (marked), carrying over what a synth did
    not write. Call it holding ``locked(target, ...)`` after ``check``.

    Either the whole new output is in place, or the earlier one is left as it was, with
    everything moved out of it moved back, and ``OSError`` is raised.
    """
    target = Path(os.path.abspath(target))
    mark(staging)
    _follow_umask(staging)
    moved: list[tuple[Path, Path]] = []
    retired: Path | None = None
    try:
        if target.exists():
            for relative in _kept_entries(target):
                destination = staging / relative
                if os.path.lexists(destination):
                    raise FileExistsError(17, f"{relative} is in the way of the new output")
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.rename(target / relative, destination)
                moved.append((target / relative, destination))
            retired = target.with_name(f".{target.name}.retired-{secrets.token_hex(4)}")
            os.rename(target, retired)
        os.rename(staging, target)
    except OSError:
        if retired is not None:
            os.rename(retired, target)
            retired = None
        for origin, destination in reversed(moved):
            os.rename(destination, origin)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


class Synthesizable(Protocol):
    """What ``synthesize_into`` builds: a cdktf ``App`` (anything with ``synth()``)."""

    def synth(self) -> None: ...


def synthesize_into(outdir: str | os.PathLike[str], build: Callable[[str], Synthesizable], *,
                    source: str = "outdir") -> Path:
    """Synthesize the app that ``build(staging_directory)`` returns, then move its output
    into ``outdir``; return ``outdir`` as an absolute path.

    ``outdir`` must be absent, empty, or an earlier output (marked): anything else may be a
    user's folder reached by a typo, and is refused before any work with a ``ConfigError``
    naming ``source`` (the option or setting that gave the directory). The app writes into
    a sibling staging directory, so a failed synth leaves the earlier output as it was, and
    each stack's Terraform files (``.terraform/``, the lock file, state) are carried over.
    """
    target = Path(os.path.abspath(outdir))
    check(target, source)
    try:
        staging = make_staging(target)
    except OSError as error:
        raise ConfigError([Problem(source, str(target), f"cannot be created ({error.strerror})",
                                   "check the parent directory's permissions, or give another directory")]) from None
    try:
        build(str(staging)).synth()
        with locked(target, source):
            check(target, source)
            replace(staging, target)
    except OSError as error:
        raise ConfigError([Problem(source, str(target), f"could not be written ({error.strerror or error})",
                                   "check free space and permissions, then run again")]) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
