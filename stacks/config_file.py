"""Read an :class:`AppConfig` from YAML, turning every failure into :class:`ConfigError`."""

from __future__ import annotations

from pathlib import Path

import yaml

from constructs_lib import ConfigError, Problem, from_mapping
from stacks.config import AppConfig


def load_config(path: str) -> AppConfig:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem("--config", path, "no such file",
                                   "check the path, or omit --config for the built-in default")]) from None
    except UnicodeDecodeError as error:
        raise ConfigError([Problem("--config", path, f"is not UTF-8 text (byte {error.start})",
                                   "save the file as UTF-8")]) from None
    except OSError as error:
        raise ConfigError([Problem("--config", path, f"cannot be read ({error.strerror})",
                                   "check the file's permissions")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(error, "problem", None) or "is not valid YAML"
        raise ConfigError([Problem("--config", path, f"is not valid YAML{where} ({reason})",
                                   "fix the YAML syntax there")]) from None
    if data is None:
        data = {}
    return from_mapping(AppConfig, data)
