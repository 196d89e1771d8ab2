"""Typed settings of Model Armor screening on the gateway: the templates (their filters), the
models screened, and the callout's behaviour.

Model Armor reads its settings from the GCPTrafficExtension's metadata entry
``model_armor_settings``, a JSON list with one element per screened model, capped at 1,023
characters by the CRD. :func:`settings_length_bound` sizes that list before Terraform knows
the project, so a gateway that protects too many models is refused at synthesis.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Literal

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.props import Props

#: Confidence at and above which a filter matches.
Confidence = Literal["LOW_AND_ABOVE", "MEDIUM_AND_ABOVE", "HIGH"]
#: The CRD's limit on one extension metadata value (networking.gke.io/v1 GCPTrafficExtension).
METADATA_VALUE_LIMIT = 1023
#: Longest project id (GCP: 30 characters) and a bound on region names (the longest is 23).
PROJECT_ID_BOUND = 30
REGION_BOUND = 25
#: The four Responsible AI filter categories, by prop name.
RAI_FILTERS = {"hate_speech": "HATE_SPEECH", "harassment": "HARASSMENT",
               "sexually_explicit": "SEXUALLY_EXPLICIT", "dangerous": "DANGEROUS"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ModelArmorTemplateProps(Props):
    """One Model Armor template: the filters a prompt (or a response) passes through. The
    defaults are the ai-on-gke Model Armor tutorial's.

    Attributes:
        existing_template: use this existing template instead of creating one: its id (a
            template in the project and the gateway's region) or its full name
            ``projects/<project>/locations/<region>/templates/<id>``. Default ``None``: create
            one; the filter settings below apply only then.
        template_id: id of the template created here. Default ``None``:
            ``<gateway name>-prompt`` or ``<gateway name>-response``.
        hate_speech / harassment / sexually_explicit / dangerous: the Responsible AI filter of
            that category blocks at this confidence and above (``LOW_AND_ABOVE``,
            ``MEDIUM_AND_ABOVE``, ``HIGH``); ``null`` turns it off. Default ``MEDIUM_AND_ABOVE``.
        prompt_injection_and_jailbreak: the same for the prompt-injection and jailbreak filter.
            Default ``MEDIUM_AND_ABOVE``.
        sensitive_data_protection: the basic Sensitive Data Protection filter (credit card
            numbers, API keys and similar). Default ``False``.
        malicious_uris: the malicious-URL filter. Default ``False``.
        inspect_only: report findings in the logs without blocking. Default ``False``: block.
        blocked_status_code: the HTTP status a blocked request gets. Default ``403``.
        log_sanitize_operations: log every screening (Cloud Logging charges apply).
            Default ``False``.
    """

    existing_template: str | None = None
    template_id: str | None = None
    hate_speech: Confidence | None = "MEDIUM_AND_ABOVE"
    harassment: Confidence | None = "MEDIUM_AND_ABOVE"
    sexually_explicit: Confidence | None = "MEDIUM_AND_ABOVE"
    dangerous: Confidence | None = "MEDIUM_AND_ABOVE"
    prompt_injection_and_jailbreak: Confidence | None = "MEDIUM_AND_ABOVE"
    sensitive_data_protection: bool = False
    malicious_uris: bool = False
    inspect_only: bool = False
    blocked_status_code: int = 403
    log_sanitize_operations: bool = False

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        if self.template_id is not None:
            found += checks.model_armor_template_id("template_id", self.template_id)
        if self.existing_template is not None:
            found += checks.model_armor_template_name("existing_template", self.existing_template)
            changed = [f.name for f in dataclasses.fields(self) if f.name != "existing_template"
                       and getattr(self, f.name) != f.default]
            if changed:
                found.append(Problem(changed[0], getattr(self, changed[0]),
                                     "only applies to a template created here, not to existing_template",
                                     "remove it, or remove existing_template"))
        if not 400 <= self.blocked_status_code <= 599:
            found.append(Problem("blocked_status_code", self.blocked_status_code, "is not an HTTP error status",
                                 "use a code from 400 to 599, such as 403"))
        return found

    def id_for(self, gateway_name: str, role: str) -> str:
        """The template id: the existing one's, the given one, or ``<gateway>-<role>``."""
        if self.existing_template is not None:
            return self.existing_template.rsplit("/templates/", 1)[-1]
        return self.template_id or f"{gateway_name.replace('.', '-')}-{role}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ModelArmorProps(Props):
    """Model Armor screens prompts and responses of the inference paths
    (``/v1/completions`` and ``/v1/chat/completions``) through a ``GCPTrafficExtension`` on the
    Gateway. Streamed responses are not screened (a Service Extensions limitation).

    Attributes:
        prompt: the template for prompts. Default: one created with the defaults of ``ModelArmorTemplateProps``.
        response: the template for responses. Default: one created with the same defaults.
        models: the model names (as clients send them) to screen. Default ``None``: every
            base model and adapter the gateway serves. Requests for other models pass
            unscreened. With the default template ids each model takes up to about 300
            characters of the 1,023-character ``model_armor_settings``, so three fit.
        timeout: how long the load balancer waits for Model Armor, 10ms to 10000ms.
            Default ``10000ms``.
        fail_open: let requests through when Model Armor fails or times out. Default
            ``False``: they get a 500.
        grant_service_agent_roles: grant the Service Extensions service agent
            (``service-<project number>@gcp-sa-dep.iam.gserviceaccount.com``) the roles
            ``modelarmor.calloutUser``, ``modelarmor.user`` and
            ``serviceusage.serviceUsageConsumer`` on the project. Default ``True``.
    """

    prompt: ModelArmorTemplateProps = dataclasses.field(default_factory=ModelArmorTemplateProps)
    response: ModelArmorTemplateProps = dataclasses.field(default_factory=ModelArmorTemplateProps)
    models: tuple[str, ...] | None = None
    timeout: str = "10000ms"
    fail_open: bool = False
    grant_service_agent_roles: bool = True

    def problems(self) -> list[Problem]:
        found = list(checks.extension_timeout("timeout", self.timeout))
        for index, model in enumerate(self.models or ()):
            found += checks.model_name(f"models[{index}]", model)
        if self.models == ():
            found.append(Problem("models", [], "is empty, so nothing would be screened",
                                 "list the models to screen, or leave it unset for every model"))
        found += checks.unique("models", self.models or (), "model")
        return found

    def screened(self, served: Sequence[str]) -> list[str]:
        return list(self.models) if self.models is not None else list(dict.fromkeys(served))

    def problems_with(self, gateway_name: str, served: Sequence[str]) -> list[Problem]:
        """Models that are not served, and a settings list over the CRD's limit."""
        found: list[Problem] = []
        if self.models is None and not served:
            return [Problem("models", None, "cannot be derived without model_servers",
                            "list the model names to screen")]
        if self.models is not None and served:
            for index, model in enumerate(self.models):
                if model not in served:
                    found.append(Problem(f"models[{index}]", model, "is not a model the gateway serves",
                                         f"use one of: {', '.join(sorted(set(served)))}"))
        for role, template in (("prompt", self.prompt), ("response", self.response)):
            if template.template_id is None and template.existing_template is None:
                found += checks.model_armor_template_id(f"{role}.template_id", template.id_for(gateway_name, role))
        screened = self.screened(served)
        found += checks.max_length(
            "models" if self.models is not None else "", screened,
            settings_length_bound(self, gateway_name, screened), METADATA_VALUE_LIMIT,
            "the GCPTrafficExtension's model_armor_settings",
            "screen fewer models (list them in model_armor.models) or give the templates shorter "
            "template_id values")
        return found


def template_name(project: str, region: str, template_id: str) -> str:
    return f"projects/{project}/locations/{region}/templates/{template_id}"


def settings_entries(props: ModelArmorProps, gateway_name: str, models: Sequence[str],
                     project: str, region: str) -> list[dict[str, str]]:
    """The ``model_armor_settings`` list: one element per screened model."""
    prompt = template_name(project, region, props.prompt.id_for(gateway_name, "prompt"))
    response = template_name(project, region, props.response.id_for(gateway_name, "response"))
    if props.prompt.existing_template and "/" in props.prompt.existing_template:
        prompt = props.prompt.existing_template
    if props.response.existing_template and "/" in props.response.existing_template:
        response = props.response.existing_template
    return [{"model": model, "user_prompt_template_id": prompt, "model_response_template_id": response}
            for model in models]


def settings_json(entries: list[dict[str, str]]) -> str:
    return json.dumps(entries, separators=(",", ":"))


def settings_length_bound(props: ModelArmorProps, gateway_name: str, models: Sequence[str]) -> int:
    """The longest the settings can be, whatever the project and region."""
    entries = settings_entries(props, gateway_name, models, "p" * PROJECT_ID_BOUND, "r" * REGION_BOUND)
    return len(settings_json(entries))
