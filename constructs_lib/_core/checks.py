"""Every field grammar and limit of the package, each a function that returns problems.

Props classes only compose these rules, so a rule is written once, its limit is a named
constant, and every message names the user's field path (the ``field`` argument).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from constructs_lib._core.errors import Problem

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_SEMVER_TAG = re.compile(r"^v\d+\.\d+\.\d+$", re.ASCII)
_CHART_VERSION = re.compile(r"v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?", re.ASCII)
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
#: GCE resource names (networks, subnetworks, addresses): RFC 1035, at most 63 characters.
GCE_NAME_PATTERN = "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
_GCE_NAME = re.compile(GCE_NAME_PATTERN)
#: Helm limits release names to 53 characters (it appends suffixes to reach 63).
HELM_RELEASE_NAME_LIMIT = 53
# What an OpenAI-compatible server accepts as a model name without quoting surprises.
_MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,254}")
_SHA256_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}\Z")
_SECRET_KEY = re.compile(r"[-._a-zA-Z0-9]{1,253}")
_MANIFEST_KEY = re.compile(r"[A-Z][A-Za-z0-9]*/[a-z0-9][-a-z0-9.]*")


def dns_label(field: str, value: str) -> Iterator[Problem]:
    """Kubernetes names of namespaces, services, containers: RFC 1123 labels."""
    if len(value) > 63 or not _DNS_LABEL.fullmatch(value):
        yield Problem(field, value, "is not a valid Kubernetes name (RFC 1123 label)",
                      "use at most 63 lower-case letters, digits and '-', starting and ending "
                      "with a letter or digit")


def dns_subdomain(field: str, value: str) -> Iterator[Problem]:
    """Kubernetes object names (Deployments, ConfigMaps, Secrets): RFC 1123 subdomains."""
    if len(value) > 253 or not _DNS_SUBDOMAIN.fullmatch(value):
        yield Problem(field, value, "is not a valid Kubernetes object name",
                      "use lower-case letters, digits, '-' and '.', starting and ending with "
                      "a letter or digit")


def labels(field: str, value: Mapping[str, str]) -> Iterator[Problem]:
    """Label maps: non-empty, and every key and value in Kubernetes' label syntax."""
    if not value:
        yield Problem(field, dict(value), "must not be empty", "give at least one label")
    for key, item in value.items():
        prefix, _, name = key.rpartition("/")
        bad_prefix = bool(prefix) and (len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix))
        if bad_prefix or len(name) > 63 or not _LABEL_NAME.fullmatch(name):
            yield Problem(f"{field}.{key}", key, "is not a valid label key",
                          "use letters, digits, '-', '_' and '.', optionally behind a DNS prefix and '/'")
        if len(item) > 63 or not _LABEL_VALUE.fullmatch(item):
            yield Problem(f"{field}.{key}", item, "is not a valid label value",
                          "use at most 63 letters, digits, '-', '_' and '.', starting and ending "
                          "with a letter or digit")


def semver_tag(field: str, value: str) -> Iterator[Problem]:
    if not _SEMVER_TAG.fullmatch(value):
        yield Problem(field, value, "is not a release tag like v0.3.0",
                      "write the version as v<major>.<minor>.<patch>, with the leading 'v'")


def port(field: str, value: int) -> Iterator[Problem]:
    if not 1 <= value <= 65535:
        yield Problem(field, value, "is not a TCP port", "use a number from 1 to 65535")


def at_least(field: str, value: int | float, minimum: int | float) -> Iterator[Problem]:
    if value < minimum:
        yield Problem(field, value, f"must be at least {minimum}", f"use {minimum} or more")


def not_blank(field: str, value: str, fix: str = "give a value") -> Iterator[Problem]:
    if not value.strip():
        yield Problem(field, value, "must not be empty", fix)


def env_names(field: str, value: Iterable[str]) -> Iterator[Problem]:
    for name in value:
        if not _ENV_NAME.fullmatch(name):
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
    """The OCI reference grammar; a digest, when given, is a full sha256 (``repo@sha256:<64 hex>``)."""
    found = list(oci_image(field, value))
    if found:
        yield from found
    elif "@" in value and not _SHA256_DIGEST.search(value):
        yield Problem(field, value, "has a malformed digest", "pin as repository@sha256:<64 hex digits>")


def chart_version(field: str, value: str) -> Iterator[Problem]:
    """GIE chart versions are the release tags, with their ``v`` (``--version 1.5.0`` is not found)."""
    if not _CHART_VERSION.fullmatch(value):
        fix = f"write v{value}" if value[:1].isdigit() else "write it as v<major>.<minor>.<patch>"
        yield Problem(field, value, "is not an inferencepool chart version (they carry a 'v' prefix)", fix)


def secret_key(field: str, value: str) -> Iterator[Problem]:
    """Keys of a Secret's or ConfigMap's data."""
    if not _SECRET_KEY.fullmatch(value):
        yield Problem(field, value, "is not a valid Secret key", "use letters, digits, '-', '_' and '.'")


def manifest_key(field: str, value: str) -> Iterator[Problem]:
    """``Kind/name``, the key of one document of a manifest bundle."""
    if not _MANIFEST_KEY.fullmatch(value):
        yield Problem(field, value, "is not a Kind/name key",
                      "write it like CustomResourceDefinition/inferencepools.inference.networking.k8s.io")


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


def int32_range(field: str, value: int) -> Iterator[Problem]:
    """Signed int32 fields that may be negative (priorities)."""
    if not -(2**31) <= value <= INT32_MAX:
        yield Problem(field, value, "is beyond the 32-bit integer range Kubernetes stores it in",
                      f"use a number from {-(2**31)} to {INT32_MAX}")


def derived_int(field: str, value: int, maximum: int, inputs: str) -> Iterator[Problem]:
    """A value computed from other settings must fit where it goes, like a written one."""
    if value > maximum:
        yield Problem(field, value, f"is derived from {inputs} and exceeds {maximum}, the largest "
                      "value Kubernetes accepts there", f"lower {inputs}, or set {field.split('.')[-1]} yourself")


# The OCI / Docker reference grammar (distribution/reference), as the kubelet parses it.
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?", re.ASCII)
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*", re.ASCII)
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", re.ASCII)
#: The digest algorithms OCI registers, with their lengths in lower-case hex digits
#: (opencontainers/image-spec, descriptor.md): distribution's parser refuses any other
#: algorithm, length or case.
OCI_DIGEST_HEX_DIGITS = {"sha256": 64, "sha512": 128}
_OCI_DIGEST = re.compile(r"([a-z0-9]+):([0-9a-f]+)", re.ASCII)
MAX_IMAGE_NAME = 255


def _is_oci_digest(digest: str) -> bool:
    match = _OCI_DIGEST.fullmatch(digest)
    return match is not None and OCI_DIGEST_HEX_DIGITS.get(match[1]) == len(match[2])


def oci_image(field: str, value: str) -> Iterator[Problem]:
    """``[registry[:port]/]repository[:tag][@digest]``: lower-case repository, a tag of at most
    128 word characters, no scheme, no whitespace."""
    rest, _, digest = value.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    name, tag = (rest[:colon], rest[colon + 1:]) if colon > slash else (rest, None)
    first, _, remainder = name.partition("/")
    is_domain = bool(remainder) and (any(c in first for c in ".:") or first == "localhost" or first != first.lower())
    repository = remainder if is_domain else name
    ok = (
        bool(name) and len(name) <= MAX_IMAGE_NAME
        and (not is_domain or _DOMAIN.fullmatch(first) is not None)
        and _REPOSITORY.fullmatch(repository) is not None
        and (tag is None or _TAG.fullmatch(tag) is not None)
        and ("@" not in value or _is_oci_digest(digest))
    )
    if not ok:
        yield Problem(field, value, "is not an OCI image reference",
                      "write [registry/]repository[:tag][@sha256:<64 hex>], repository in lower case, "
                      "without https:// or spaces")


_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]*[a-z0-9]", re.ASCII)
_IPV4 = re.compile(r"\d+\.\d+\.\d+\.\d+")


def gcs_bucket(field: str, value: str) -> Iterator[Problem]:
    """GCS bucket naming rules: 3-63 characters (222 with dots, 63 per dot-separated part),
    lower-case letters, digits, '-', '_' and '.', no ``gs://``, not an IP address, no 'goog' prefix."""
    parts = value.split(".")
    ok = (
        _BUCKET.fullmatch(value) is not None and 3 <= len(value) <= (222 if "." in value else 63)
        and all(0 < len(part) <= 63 for part in parts) and not _IPV4.fullmatch(value)
        and not value.startswith("goog") and "google" not in value
    )
    if not ok:
        yield Problem(field, value, "is not a GCS bucket name",
                      "give the bare bucket name (no gs://): 3-63 lower-case letters, digits, '-', '_' and '.', "
                      "starting and ending with a letter or digit")


_SAFE_PATH = re.compile(r"[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*", re.ASCII)


def object_prefix(field: str, value: str) -> Iterator[Problem]:
    """A relative path of plain segments: no '..', no empty segment, no control characters."""
    segments = value.split("/")
    if _SAFE_PATH.fullmatch(value) is None or any(part in (".", "..") for part in segments) or len(value) > 512:
        yield Problem(field, value, "is not a plain relative path",
                      "use letters, digits, '.', '_', '-' and '/' between segments, without '..' or a leading '/'")


def git_ref(field: str, value: str) -> Iterator[Problem]:
    """A branch, tag or commit that is also safe inside a URL (git check-ref-format rules,
    restricted to characters that need no escaping)."""
    segments = value.split("/")
    bad = (
        _SAFE_PATH.fullmatch(value) is None or ".." in value or value.endswith((".", ".lock"))
        or any(part.startswith(".") for part in segments) or len(value) > 255
    )
    if bad:
        yield Problem(field, value, "is not a git ref usable in a URL",
                      "give a commit hash, tag or branch of letters, digits, '.', '_', '-' and '/', "
                      "without '..', '?' or '#'")


_SEGMENT = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?", re.ASCII)


def url_path_segment(field: str, value: str) -> Iterator[Problem]:
    """One segment of a URL path: no '/', '?', '#', '%' or '..' that would change the URL."""
    if _SEGMENT.fullmatch(value) is None or ".." in value or len(value) > 253:
        yield Problem(field, value, "is not a single URL path segment",
                      "use letters, digits, '-', '_' and '.', starting and ending with a letter or digit")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def free_text(field: str, value: str) -> Iterator[Problem]:
    """Text passed through as is (arguments, environment values, adapter sources): anything
    but control characters, which containers and YAML readers mangle."""
    found = _CONTROL.search(value)
    if found:
        yield Problem(field, value, f"contains the control character {found.group()!r}",
                      "remove it; write the value on one line of printable text")


#: A GIE release manifests.yaml is a few hundred KB.
MAX_MANIFEST_BYTES = 16 * 2**20


def manifest_file(field: str, path: str, what: str = "the release's manifests.yaml") -> Iterator[Problem]:
    """A readable, non-empty UTF-8 YAML file of Kubernetes objects (each with a kind);
    ``what`` names the file the fix asks for."""
    import os

    fix = f"give the path of {what}, relative to where main.py runs"
    if not os.path.isfile(path):
        yield Problem(field, path, "is not a readable file", fix)
        return
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            data = handle.read(MAX_MANIFEST_BYTES + 1)
    except OSError as error:
        yield Problem(field, path, f"cannot be read ({error.strerror})", "check the file's permissions")
        return
    if size > MAX_MANIFEST_BYTES:
        yield Problem(field, path, f"is larger than {MAX_MANIFEST_BYTES} bytes", fix)
    elif not data.strip():
        yield Problem(field, path, "is empty", fix)
    elif b"\x00" in data:
        yield Problem(field, path, "is binary, not YAML text", fix)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            yield Problem(field, path, f"is not UTF-8 text (byte {error.start})", fix)
            return
        if not re.search(r"^kind:\s*\S", text, re.MULTILINE):
            yield Problem(field, path, "holds no Kubernetes object (no 'kind:' line)", fix)


#: No list in the configuration needs more entries; a longer one is a mistake or an attack
#: that would make synthesis run for minutes.
MAX_LIST_ITEMS = 1000
#: Model servers in one app (each becomes a Deployment, a pool and a Helm release).
MAX_MODEL_SERVERS = 100


def at_most_items(field: str, count: int, maximum: int = MAX_LIST_ITEMS) -> Iterator[Problem]:
    if count > maximum:
        yield Problem(field, f"{count} entries", f"has more than {maximum} entries",
                      f"split the configuration into apps of at most {maximum}")


def derived_object_name(field: str, value: str, suffix: str, what: str) -> Iterator[Problem]:
    """A name the package extends (``<route>-chat``) must still be a Kubernetes object name."""
    if len(value) + len(suffix) > 253:
        yield Problem(field, value, f"is too long to name the {what} ({value[:20]}...{suffix}) within 253 "
                      "characters", f"shorten it to {253 - len(suffix)} characters")


# A host name clients type: at least two RFC 1123 labels, lower case, the last not numeric.
_HOST_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
DNS_NAME_LIMIT = 253
#: Model Armor template ids: letters, digits, '-' and '_', at most 63 characters.
_TEMPLATE_ID = re.compile(r"[A-Za-z0-9][-A-Za-z0-9_]{0,62}")
_MILLISECONDS = re.compile(r"([0-9]{1,5})ms")
#: A GCPTrafficExtension callout waits 10 ms to 10 s (networking.gke.io/v1 CRD).
EXTENSION_TIMEOUT_MS = (10, 10000)


def dns_name(field: str, value: str) -> Iterator[Problem]:
    """A fully qualified host name (``api.example.com``), as certificates and URLs take it.
    Wildcards are refused: a DNS authorization covers one name, and a URL needs one host."""
    labels = value.split(".")
    if (len(value) > DNS_NAME_LIMIT or len(labels) < 2 or labels[-1].isdigit()
            or not all(_HOST_LABEL.fullmatch(label) for label in labels)):
        yield Problem(field, value, "is not a DNS host name",
                      "write a fully qualified lower-case name such as api.example.com (no wildcard, "
                      "no trailing dot, labels of letters, digits and '-')")


def model_armor_template_id(field: str, value: str) -> Iterator[Problem]:
    if not _TEMPLATE_ID.fullmatch(value):
        yield Problem(field, value, "is not a Model Armor template id",
                      "use at most 63 letters, digits, '-' and '_', starting with a letter or digit")


_TEMPLATE_NAME = re.compile(r"projects/[a-z0-9][-a-z0-9.:]*/locations/[a-z0-9-]+/templates/(.+)")


def model_armor_template_name(field: str, value: str) -> Iterator[Problem]:
    """An existing template: its id, or its full name in the gateway's project and region."""
    match = _TEMPLATE_NAME.fullmatch(value)
    if "/" in value and match is None:
        yield Problem(field, value, "is not a Model Armor template name",
                      "write projects/<project>/locations/<region>/templates/<id>, or just the id")
    else:
        yield from model_armor_template_id(field, match.group(1) if match else value)


def extension_timeout(field: str, value: str) -> Iterator[Problem]:
    """A service extension's callout timeout, in milliseconds."""
    low, high = EXTENSION_TIMEOUT_MS
    match = _MILLISECONDS.fullmatch(value)
    if match is None or not low <= int(match.group(1)) <= high:
        yield Problem(field, value, f"is not a callout timeout from {low}ms to {high}ms",
                      "write whole milliseconds such as 500ms or 10000ms")


def max_length(field: str, value: object, length: int, limit: int, what: str, fix: str) -> Iterator[Problem]:
    """A derived text of ``length`` characters that must fit ``limit`` (``what`` names it)."""
    if length > limit:
        yield Problem(field, value, f"makes {what} up to {length} characters, over its limit of {limit}", fix)
def release_between(field: str, value: str, number: tuple[int, ...], first: tuple[int, ...],
                    last: tuple[int, ...], what: str) -> Iterator[Problem]:
    """A release tag (``number`` is its parse, ``_releases.release_number``) from ``first``
    to ``last``."""
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


# Kubernetes resource quantities (apimachinery resource.Quantity), positive, without a sign.
_QUANTITY = re.compile(r"(\d+(\.\d*)?|\.\d+)([eE]\d+|[numkMGTPE]|[KMGTPE]i)?", re.ASCII)


def quantity(field: str, value: str) -> Iterator[Problem]:
    """CPU and memory amounts: ``4``, ``500m``, ``8Gi``."""
    match = _QUANTITY.fullmatch(value)
    if match is None or float(match.group(1)) == 0:
        yield Problem(field, value, "is not a positive Kubernetes quantity",
                      "write a number with an optional unit, such as 500m, 2, 8Gi")


def known_release(field: str, value: str, known: Iterable[str]) -> Iterator[Problem]:
    """A release tag whose facts the package holds (values, metric names)."""
    choices = sorted(known)
    if value not in choices:
        yield Problem(field, value, "is not a release whose values this package knows",
                      f"use {' or '.join(choices)}")


# Prometheus durations (GMP scrape intervals): units from years down to milliseconds.
_PROMETHEUS_DURATION = re.compile(r"(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?")
_WHOLE_SECONDS = re.compile(r"[1-9][0-9]*s")
_NOTIFICATION_CHANNEL = re.compile(r"projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/notificationChannels/[0-9]+")


def prometheus_duration(field: str, value: str) -> Iterator[Problem]:
    """A non-zero Prometheus duration such as ``15s`` or ``1m30s``."""
    if not value or not _PROMETHEUS_DURATION.fullmatch(value) or not any(c in "123456789" for c in value):
        yield Problem(field, value, "is not a Prometheus duration", "write it like 15s, 30s or 1m")


def whole_seconds(field: str, value: str) -> Iterator[Problem]:
    """A positive number of seconds written with ``s`` (``300s``), as Cloud Monitoring's
    durations take them (a Prometheus duration such as ``5m`` is not one)."""
    if not _WHOLE_SECONDS.fullmatch(value):
        yield Problem(field, value, "is not a number of seconds", "write it like 300s")


def notification_channel(field: str, value: str) -> Iterator[Problem]:
    """The full resource name of a Cloud Monitoring notification channel."""
    if not _NOTIFICATION_CHANNEL.fullmatch(value):
        yield Problem(field, value, "is not a notification channel id",
                      "write projects/<project>/notificationChannels/<number> "
                      "(gcloud beta monitoring channels list)")


def known_vllm_release(field: str, known: bool, image: str, needed_by: str) -> Iterator[Problem]:
    """Metric names depend on the vLLM release; a digest or a ``latest`` tag does not say it."""
    if not known:
        yield Problem(field, None, f"cannot be read from image {image}, and {needed_by} needs the release's "
                      "metric names", "set vllm_version, e.g. v0.8.5")
