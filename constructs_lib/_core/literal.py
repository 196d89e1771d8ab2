"""User text as Terraform literals: the one place ``${`` and ``%{`` are escaped.

Terraform reads every string in ``cdk.tf.json`` (object keys included) as a template, so a
configuration value such as ``${file("/etc/passwd")}`` would run on the machine that
applies it. Every construct passes its props through :func:`literal` on the way in, after
validation and before any Terraform value is built from them, so each string reaches the
cluster exactly as written, whatever field it came from.

cdktf tokens (``${TfToken[TOKEN.n]}`` markers, which ``Token.is_unresolved`` reports) are
left alone: they are how library users pass Terraform references on purpose, and how the
project's own expressions (variables, data sources) reach a value.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")

#: cdktf's string and list token markers (its own pattern, so the two always agree).
TOKEN_MARKER = re.compile(r"[$#]\{TfToken\[[a-zA-Z0-9:._-]+\]\}")
#: Set ``metadata={LOCAL_ONLY: True}`` on a field that never reaches Terraform as text
#: (a local file path read at synthesis), so its value is used as written.
LOCAL_ONLY = "local_only"


def has_token(text: str) -> bool:
    return TOKEN_MARKER.search(text) is not None


def escape(text: str) -> str:
    """``text`` as a Terraform template that evaluates to ``text``, tokens kept live."""
    if "{" not in text:
        return text
    pieces = TOKEN_MARKER.split(text)
    tokens = TOKEN_MARKER.findall(text)
    out = []
    for index, piece in enumerate(pieces):
        piece = piece.replace("${", "$${").replace("%{", "%%{")
        if index < len(tokens) and piece.endswith(("$", "%")):
            # "$" right before a token's "${" would read as the escape "$${".
            piece = piece[:-1] + '${"' + piece[-1] + '"}'
        out.append(piece)
        if index < len(tokens):
            out.append(tokens[index])
    return "".join(out)


def literal(value: T) -> T:
    """A copy of ``value`` (props, lists, mappings, strings) with every string escaped.

    Props are copied without running their checks again: they were valid as written.
    """
    return _literal(value)  # type: ignore[no-any-return]  # the copy has the type of the original


def _literal(value: Any) -> Any:
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, tuple):
        return tuple(_literal(item) for item in value)
    if isinstance(value, list):
        return [_literal(item) for item in value]
    if isinstance(value, Mapping):
        return {_literal(key): _literal(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {
            field.name: _literal(getattr(value, field.name))
            for field in dataclasses.fields(value) if not field.metadata.get(LOCAL_ONLY)
        }
        duplicate = copy.copy(value)
        for name, item in changed.items():
            object.__setattr__(duplicate, name, item)
        return duplicate
    return value


def quoted(text: str) -> str:
    """``text`` as a quoted string inside a Terraform expression (``${ ... "text" ... }``),
    where quotes, backslashes, line breaks and template sequences would otherwise end the
    string or run as code."""
    inner = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + inner.replace("${", "$${").replace("%{", "%%{") + '"'


def operand(text: str) -> str:
    """``text`` as an operand of a Terraform expression: a cdktf reference (a token) stays a
    reference, any other string becomes a quoted literal. Values such as a region may be
    either, depending on whether the caller passed a variable or a plain string."""
    return text if has_token(text) else quoted(text)
