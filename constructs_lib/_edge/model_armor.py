"""Model Armor in front of the models: the templates, the IAM roles of the identity that calls
Model Armor, and the ``GCPTrafficExtension`` that sends the inference paths through it.

Why this shape:
- the load balancer, not a pod, calls Model Armor: the caller is the Service Extensions
  service agent ``service-<project number>@gcp-sa-dep.iam.gserviceaccount.com``, so the roles
  go to it (the ai-on-gke tutorial grants none, and screening then fails closed);
- a traffic extension runs after route selection and only its first matching chain runs, so
  one chain matches both inference paths (the tutorial matched ``/v1/completions`` only);
- template names are built from the project and region variables rather than read from the
  created templates, so the extension's manifest is known at plan time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cdktf import Fn, ITerraformDependable, Op, Precondition, TerraformLocal, TerraformResourceLifecycle
from constructs import Construct

from constructs_lib._edge.gateway_edge_props import GatewayRef
from constructs_lib._edge.model_armor_props import (
    METADATA_VALUE_LIMIT,
    RAI_FILTERS,
    ModelArmorProps,
    ModelArmorTemplateProps,
    settings_entries,
    settings_json,
)
from constructs_lib._terraform import plain

EXTENSION_API = "networking.gke.io/v1"
SETTINGS_KEY = "model_armor_settings"
#: The Service Extensions service agent makes the Model Armor callouts.
SERVICE_AGENT = "service-{number}@gcp-sa-dep.iam.gserviceaccount.com"
SERVICE_AGENT_ROLES = ("roles/modelarmor.calloutUser", "roles/modelarmor.user",
                       "roles/serviceusage.serviceUsageConsumer")
#: Every event, as both GKE samples list them; Model Armor needs the bodies.
EVENTS = ("RequestHeaders", "RequestBody", "RequestTrailers", "ResponseHeaders", "ResponseBody",
          "ResponseTrailers")


def service_endpoint(region: str) -> str:
    return f"modelarmor.{region}.rep.googleapis.com"


def path_matcher(paths: Sequence[str]) -> str:
    """A CEL condition true for requests under any of ``paths`` (the routes' prefixes)."""
    return " || ".join(f"request.path.startsWith('{path}')" for path in paths)


def traffic_extension_manifest(gateway: GatewayRef, props: ModelArmorProps, paths: Sequence[str], region: str,
                               settings: str) -> dict[str, Any]:
    return {
        "apiVersion": EXTENSION_API, "kind": "GCPTrafficExtension",
        "metadata": {"name": f"{gateway.name}-model-armor", "namespace": gateway.namespace},
        "spec": {
            "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": gateway.name}],
            "extensionChains": [{
                "name": "model-armor",
                "matchCondition": {"celExpressions": [{"celMatcher": path_matcher(paths)}]},
                "extensions": [{
                    "name": "model-armor",
                    "googleAPIServiceName": service_endpoint(region),
                    "supportedEvents": list(EVENTS),
                    "timeout": props.timeout,
                    "failOpen": props.fail_open,
                    "metadata": {SETTINGS_KEY: settings},
                }],
            }],
        },
    }


def _present(**fields: Any) -> dict[str, Any]:
    """A nested block's fields, those left unset left out (as a binding leaves them out)."""
    return {name: value for name, value in fields.items() if value is not None}


def filter_config(template: ModelArmorTemplateProps) -> dict[str, Any]:
    """The template's ``filter_config`` block, as Terraform JSON."""
    rai = [{"filter_type": kind, "confidence_level": level}
           for name, kind in RAI_FILTERS.items() if (level := getattr(template, name)) is not None]
    jailbreak = template.prompt_injection_and_jailbreak
    return _present(
        rai_settings={"rai_filters": rai} if rai else None,
        pi_and_jailbreak_filter_settings=_present(
            filter_enforcement="ENABLED" if jailbreak else "DISABLED", confidence_level=jailbreak),
        malicious_uri_filter_settings={"filter_enforcement": "ENABLED" if template.malicious_uris else "DISABLED"},
        sdp_settings={"basic_config": {
            "filter_enforcement": "ENABLED" if template.sensitive_data_protection else "DISABLED"}},
    )


def template_metadata(template: ModelArmorTemplateProps) -> dict[str, Any]:
    """The template's ``template_metadata`` block, as Terraform JSON."""
    return {"enforcement_type": "INSPECT_ONLY" if template.inspect_only else "INSPECT_AND_BLOCK",
            "custom_prompt_safety_error_code": template.blocked_status_code,
            "custom_llm_response_safety_error_code": template.blocked_status_code,
            "log_sanitize_operations": template.log_sanitize_operations}


class ModelArmor(Construct):
    """Templates, service agent roles and the GCPTrafficExtension that screen ``gateway``'s
    traffic as ``props`` ask.

    ``models`` are the model names the gateway serves, ``paths`` the routes' prefixes to
    screen; the extension waits for ``after`` (the Gateway).

    Construct ids: ``prompt-template``, ``response-template`` (when created), ``project``,
    ``service-agent-<role>``, ``settings`` (a local) and ``traffic-extension``.

    A part of ``InferenceGateway`` and ``InferenceGatewayV1``, not built on its own: it
    receives its props after they passed the literal-string boundary.
    """

    def __init__(self, scope: Construct, id: str, *, gateway: GatewayRef, props: ModelArmorProps, project_id: str,
                 region: str, models: Sequence[str], paths: Sequence[str],
                 after: Sequence[ITerraformDependable]) -> None:
        super().__init__(scope, id)
        waits: list[Any] = list(after)
        for role, template in (("prompt", props.prompt), ("response", props.response)):
            if template.existing_template is None:
                waits.append(plain.resource(
                    self, f"{role}-template", plain.GOOGLE, "google_model_armor_template", project=project_id,
                    location=region, template_id=template.id_for(gateway.name, role),
                    filter_config=filter_config(template),
                    template_metadata=template_metadata(template)))
        if props.grant_service_agent_roles:
            project = plain.data_source(self, "project", plain.GOOGLE, "google_project", project_id=project_id)
            member = "serviceAccount:" + SERVICE_AGENT.format(number=project.get_string_attribute("number"))
            waits += [plain.resource(self, f"service-agent-{role.split('/')[1].replace('.', '-')}", plain.GOOGLE,
                                     "google_project_iam_member", project=project_id, role=role, member=member)
                      for role in SERVICE_AGENT_ROLES]
        entries = settings_entries(props, gateway.name, props.screened(models), project_id, region)
        self.settings = TerraformLocal(self, "settings", settings_json(entries))
        self.extension = plain.manifest(
            self, "traffic-extension",
            manifest=traffic_extension_manifest(gateway, props, paths, region, self.settings.as_string),
            depends_on=waits,
            lifecycle=TerraformResourceLifecycle(precondition=[_settings_fit(self.settings)]),
        )


def _settings_fit(settings: TerraformLocal) -> Precondition:
    """Exact at plan time, where the synthesis check could only bound the project and region."""
    return Precondition(
        condition=Op.lte(Fn.length_of(settings.as_string), METADATA_VALUE_LIMIT),
        error_message=f"model_armor_settings is longer than the {METADATA_VALUE_LIMIT} characters a "
                      "GCPTrafficExtension metadata value may hold: screen fewer models (model_armor.models).")
