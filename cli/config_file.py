"""Read an :class:`AppConfig` from YAML, turning every failure into :class:`ConfigError`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from cli.strict_yaml import MAX_FILE_BYTES, parse_located, yaml_error_problem
from constructs_lib import ConfigError, Problem, from_mapping, has_token

if TYPE_CHECKING:
    from stacks.config import AppConfig


def load_config(path: str) -> AppConfig:
    file = Path(path)
    try:
        if file.exists() and not file.is_file() and not file.is_dir():
            raise ConfigError([Problem("--config", path, "is not a regular file (a device or a pipe)",
                                       "give the path of a YAML file")])
        with file.open("rb") as handle:  # at most one byte past the limit, even from /dev/zero
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ConfigError([Problem("--config", path, f"is larger than {MAX_FILE_BYTES} bytes",
                                       "a configuration is a few KB: check that this is the right file")])
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem("--config", path, "no such file",
                                   "check the path, or omit --config for the built-in default")]) from None
    except IsADirectoryError:
        raise ConfigError([Problem("--config", path, "is a directory",
                                   "give the path of a YAML file")]) from None
    except UnicodeDecodeError as error:
        raise ConfigError([Problem("--config", path, f"is not UTF-8 text (byte {error.start})",
                                   "save the file as UTF-8")]) from None
    except OSError as error:
        raise ConfigError([Problem("--config", path, f"cannot be read ({error.strerror})",
                                   "check the file's permissions")]) from None
    try:
        data, lines = parse_located(text)
    except yaml.YAMLError as error:
        raise ConfigError([yaml_error_problem(path, error)]) from None
    if data is None:
        data = {}
    try:
        forged = list(_token_markers(data, ""))
        if forged:
            raise ConfigError(forged)
        # Only now the settings: a file refused above never loads them.
        from stacks.config import AppConfig

        return from_mapping(AppConfig, data)
    except ConfigError as error:
        raise ConfigError([_located(problem, path, lines) for problem in error.problems]) from None


def _located(problem: Problem, path: str, lines: dict[str, int]) -> Problem:
    """``problem`` with ``file:line`` of its field, or of the nearest enclosing field the
    file writes (a value left to its default is reported where its section stands)."""
    field = problem.field
    while field:
        if field in lines:
            return problem.at(f"{path}:{lines[field]}")
        field = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", field) if re.search(r"[.\[]", field) else ""
    return problem


def _token_markers(value: object, path: str) -> Iterator[Problem]:
    """cdktf token markers in a file are forged: only Python code creates real ones, and
    cdktf would replace the text with whatever its internal token of that number is."""
    if isinstance(value, str) and has_token(value):
        yield Problem(path or "<config>", value, "contains a cdktf token marker (TfToken[...])",
                      "remove it; Terraform references can only be passed from Python")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _token_markers(key, path)
            yield from _token_markers(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _token_markers(item, f"{path}[{index}]")
