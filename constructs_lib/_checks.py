"""Field checks shared by the props classes; each returns problems instead of raising."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from constructs_lib._errors import Problem

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_SEMVER_TAG = re.compile(r"^v\d+\.\d+\.\d+$")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")


def dns_label(field: str, value: str) -> Iterator[Problem]:
    """Kubernetes names of namespaces, services, containers: RFC 1123 labels."""
    if len(value) > 63 or not _DNS_LABEL.match(value):
        yield Problem(field, value, "is not a valid Kubernetes name (RFC 1123 label)",
                      "use at most 63 lower-case letters, digits and '-', starting and ending "
                      "with a letter or digit")


def dns_subdomain(field: str, value: str) -> Iterator[Problem]:
    """Kubernetes object names (Deployments, ConfigMaps, Secrets): RFC 1123 subdomains."""
    if len(value) > 253 or not _DNS_SUBDOMAIN.match(value):
        yield Problem(field, value, "is not a valid Kubernetes object name",
                      "use lower-case letters, digits, '-' and '.', starting and ending with "
                      "a letter or digit")


def labels(field: str, value: Mapping[str, str]) -> Iterator[Problem]:
    """Label maps: non-empty, and every key and value in Kubernetes' label syntax."""
    if not value:
        yield Problem(field, dict(value), "must not be empty", "give at least one label")
    for key, item in value.items():
        prefix, _, name = key.rpartition("/")
        if (prefix and not _DNS_SUBDOMAIN.match(prefix)) or len(name) > 63 or not _LABEL_NAME.match(name):
            yield Problem(f"{field}.{key}", key, "is not a valid label key",
                          "use letters, digits, '-', '_' and '.', optionally behind a DNS prefix and '/'")
        if len(item) > 63 or not _LABEL_VALUE.match(item):
            yield Problem(f"{field}.{key}", item, "is not a valid label value",
                          "use at most 63 letters, digits, '-', '_' and '.', starting and ending "
                          "with a letter or digit")


def semver_tag(field: str, value: str) -> Iterator[Problem]:
    if not _SEMVER_TAG.match(value):
        yield Problem(field, value, "is not a release tag like v0.3.0",
                      "write the version as v<major>.<minor>.<patch>, with the leading 'v'")


def port(field: str, value: int) -> Iterator[Problem]:
    if not 1 <= value <= 65535:
        yield Problem(field, value, "is not a TCP port", "use a number from 1 to 65535")


def at_least(field: str, value: int | float, minimum: int | float) -> Iterator[Problem]:
    if value < minimum:
        yield Problem(field, value, f"must be at least {minimum}", f"use {minimum} or more")


def not_blank(field: str, value: str) -> Iterator[Problem]:
    if not value.strip():
        yield Problem(field, value, "must not be empty", "give a value")


def env_names(field: str, value: Iterable[str]) -> Iterator[Problem]:
    for name in value:
        if not _ENV_NAME.match(name):
            yield Problem(f"{field}.{name}", name, "is not a valid environment variable name",
                          "use letters, digits, '_', '-' and '.', not starting with a digit")


def unique(field: str, values: Iterable[str], what: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield Problem(f"{field}[{index}]", value, f"repeats an earlier {what}",
                          f"give each {what} a unique value")
        seen.add(value)


# Numeric ranges of the consumers: Kubernetes int32 fields (replicas, probe thresholds,
# ports), int64 fields (grace periods, sleeps) and JSON numbers Terraform reads exactly.
INT32_MAX = 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: Larger floats lose every digit that matters and overflow derived arithmetic.
FLOAT_MAX = 1e15


def int64(field: str, value: int) -> Iterator[Problem]:
    """Every whole number must fit the widest integer Kubernetes and Terraform store."""
    if not INT64_MIN <= value <= INT64_MAX:
        yield Problem(field, value, "is beyond the 64-bit integer range", f"use a number up to {INT64_MAX}")


def int32(field: str, value: int) -> Iterator[Problem]:
    """Kubernetes int32 fields: replicas, probe thresholds and periods."""
    if value > INT32_MAX:
        yield Problem(field, value, "is beyond the 32-bit integer range Kubernetes stores it in",
                      f"use a number up to {INT32_MAX}")
