"""Where a YAML file of Kubernetes objects comes from: downloaded at plan time, or a local
copy. Pure data, so props can name their source without loading cdktf."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ManifestSource:
    """Where one YAML file comes from: exactly one of ``url`` and ``file``."""

    url: str | None = None
    file: str | None = None

    def __post_init__(self) -> None:
        if (self.url is None) == (self.file is None):
            raise TypeError("ManifestSource needs exactly one of url= and file=")

    @classmethod
    def local(cls, path: str) -> ManifestSource:
        """A local copy, made absolute here: the jsii kernel resolves nothing against the
        directory ``main.py`` runs in, and cdktf's assets refuse relative paths."""
        return cls(file=os.path.abspath(path))
