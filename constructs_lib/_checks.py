"""Every field grammar and limit of the package, each a function that returns problems.

Props classes only compose these rules, so a rule is written once, its limit is a named
constant, and every message names the user's field path (the ``field`` argument).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from constructs_lib._errors import Problem

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_SEMVER_TAG = re.compile(r"^v\d+\.\d+\.\d+$")
_CHART_VERSION = re.compile(r"v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
#: GCE resource names (networks, subnetworks, addresses): RFC 1035, at most 63 characters.
GCE_NAME_PATTERN = "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
_GCE_NAME = re.compile(GCE_NAME_PATTERN)
#: Helm limits release names to 53 characters (it appends suffixes to reach 63).
HELM_RELEASE_NAME_LIMIT = 53
# What an OpenAI-compatible server accepts as a model name without quoting surprises.
_MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,254}")
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}\Z")
_SECRET_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_MANIFEST_KEY = re.compile(r"[A-Z][A-Za-z0-9]*/[a-z0-9][-a-z0-9.]*")
# Gateway API durations: up to four number+unit pairs (GEP-2257).
_DURATION = re.compile(r"([0-9]{1,5}(h|m|s|ms)){1,4}")


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


def gce_name(field: str, value: str, what: str) -> Iterator[Problem]:
    """Names of GCE resources such as subnetworks and addresses."""
    if not _GCE_NAME.fullmatch(value):
        yield Problem(field, value, f"is not a {what} name",
                      "use at most 63 lower-case letters, digits and '-', starting with a letter "
                      "and not ending with '-'")


def helm_release_name(field: str, value: str, why: str) -> Iterator[Problem]:
    """An RFC 1123 label short enough to name a Helm release; ``why`` says what becomes one."""
    if len(value) > HELM_RELEASE_NAME_LIMIT or not _DNS_LABEL.fullmatch(value):
        yield Problem(field, value, f"is not a Kubernetes name of at most {HELM_RELEASE_NAME_LIMIT} "
                      f"characters, the limit of Helm release names ({why})",
                      f"use at most {HELM_RELEASE_NAME_LIMIT} lower-case letters, digits and '-', "
                      "starting and ending with a letter or digit")


def model_name(field: str, value: str) -> Iterator[Problem]:
    """A name clients send as the OpenAI ``model`` field."""
    if not _MODEL_NAME.fullmatch(value):
        yield Problem(field, value, "is not usable as an OpenAI model name",
                      "use letters, digits, '.', '_', ':', '/' and '-', starting with a letter or digit")


def image_reference(field: str, value: str) -> Iterator[Problem]:
    """Non-empty; a digest, when given, is a full sha256 (``repo@sha256:<64 hex>``)."""
    if not value.strip() or " " in value:
        yield Problem(field, value, "is not an image reference", "write registry/repository:tag")
    elif "@" in value and not _DIGEST.search(value):
        yield Problem(field, value, "has a malformed digest", "pin as repository@sha256:<64 hex digits>")


def chart_version(field: str, value: str) -> Iterator[Problem]:
    """GIE chart versions are the release tags, with their ``v`` (``--version 1.5.0`` is not found)."""
    if not _CHART_VERSION.fullmatch(value):
        fix = f"write v{value}" if value[:1].isdigit() else "write it as v<major>.<minor>.<patch>"
        yield Problem(field, value, "is not an inferencepool chart version (they carry a 'v' prefix)", fix)


def duration(field: str, value: str) -> Iterator[Problem]:
    if not _DURATION.fullmatch(value):
        yield Problem(field, value, "is not a Gateway API duration", "write it like 300s, 10m or 1h")


def secret_key(field: str, value: str) -> Iterator[Problem]:
    """Keys of a Secret's or ConfigMap's data."""
    if not _SECRET_KEY.fullmatch(value):
        yield Problem(field, value, "is not a valid Secret key", "use letters, digits, '-', '_' and '.'")


def manifest_key(field: str, value: str) -> Iterator[Problem]:
    """``Kind/name``, the key of one document of a manifest bundle."""
    if not _MANIFEST_KEY.fullmatch(value):
        yield Problem(field, value, "is not a Kind/name key",
                      "write it like CustomResourceDefinition/inferencepools.inference.networking.k8s.io")


def release_between(field: str, value: str, first: tuple[int, ...], last: tuple[int, ...],
                    what: str) -> Iterator[Problem]:
    """A release tag (already in chart-version grammar) from ``first`` to ``last``."""
    number = tuple(int(part) for part in value.lstrip("v").split("-", 1)[0].split("."))
    if not first <= number[:len(first)] <= last:
        low, high = (f"v{'.'.join(map(str, bound))}" for bound in (first, last))
        yield Problem(field, value, f"is not a release that publishes {what}",
                      f"use a version from {low} to {high}")


#: Gateway API allows 16 rules per HTTPRoute and 64 matches per rule.
ROUTE_RULE_LIMIT = 16
ROUTE_MATCH_LIMIT = 64


def route_size(field: str, value: str, matches: int) -> Iterator[Problem]:
    """An HTTPRoute whose matches would not fit its rules."""
    if matches > ROUTE_RULE_LIMIT * ROUTE_MATCH_LIMIT:
        yield Problem(field, value, f"needs {matches} route matches, more than one HTTPRoute holds "
                      f"({ROUTE_RULE_LIMIT} rules of {ROUTE_MATCH_LIMIT})",
                      "use a BBR release that maps adapters to base models, or split the pool")
