"""The blocks written without provider bindings (``_terraform/plain.py``) are the blocks
the bindings write: each is synthesized both ways in one stack and compared."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cdktf import App, TerraformIterator, TerraformOutput, TerraformResourceLifecycle, TerraformStack, Token
from cdktf import Postcondition as _Postcondition

from constructs_lib._edge.model_armor import filter_config, template_metadata
from constructs_lib._edge.model_armor_props import RAI_FILTERS, ModelArmorTemplateProps
from constructs_lib._terraform import plain, providers

ROOT = Path(__file__).resolve().parents[1]

POSTCONDITION = TerraformResourceLifecycle(postcondition=[_Postcondition(condition="${true}", error_message="x")])
#: Every filter set, one of each confidence, the other choices away from their defaults;
#: then every filter off.
TEMPLATES = (
    ModelArmorTemplateProps(hate_speech="HIGH", harassment="LOW_AND_ABOVE", dangerous=None,
                            prompt_injection_and_jailbreak="LOW_AND_ABOVE", sensitive_data_protection=True,
                            malicious_uris=True, inspect_only=True, blocked_status_code=451,
                            log_sanitize_operations=True),
    ModelArmorTemplateProps(hate_speech=None, harassment=None, sexually_explicit=None, dangerous=None,
                            prompt_injection_and_jailbreak=None),
)
BODY = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m", "namespace": "default"},
        "data": {"k": "${literal}"}}


def _binding_blocks(stack: TerraformStack) -> dict[str, Any]:
    google = providers.GoogleProvider(stack, "google", project="p")
    cluster = providers.DataGoogleContainerCluster(stack, "cluster", location="l", name="n", project="p")
    cluster.lifecycle = POSTCONDITION
    config = providers.DataGoogleClientConfig(stack, "client-config")
    project = providers.DataGoogleProject(stack, "project", project_id="p")
    providers.KubernetesProvider(stack, "kubernetes", host=f"https://{cluster.endpoint}", token=config.access_token,
                                 cluster_ca_certificate=cluster.master_auth.get(0).cluster_ca_certificate, alias="a")
    providers.KubernetesProvider(stack, "kubernetes-exec", alias="b", host="h", exec=[
        providers.KubernetesProviderExec(api_version="v", command="c")])
    providers.HttpProvider(stack, "http")
    providers.DataGoogleComputeSubnetworks(stack, "subnetworks", filter="f", project="p", region="r",
                                           lifecycle=POSTCONDITION)
    status = providers.DataKubernetesResource(stack, "status", api_version="v1", kind="Gateway",
                                              metadata=providers.DataKubernetesResourceMetadata(name="g",
                                                                                                namespace="d"))
    source = providers.DataHttp(stack, "source", url="https://x", lifecycle=POSTCONDITION)
    first = providers.Manifest(stack, "config-map", manifest=BODY)
    iterator = TerraformIterator.from_map({"a": BODY})
    providers.Manifest(stack, "each", for_each=iterator, manifest=Token.as_any_map(iterator.value), depends_on=[first],
                       lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
    providers.DataKubernetesResources(stack, "resources", api_version="v1", kind="APIService", field_selector="f",
                                      lifecycle=POSTCONDITION)
    providers.ProjectIamMember(stack, "member", project="p", role="r", member=f"m/{project.number}")
    providers.ComputeSubnetwork(stack, "subnet", project="p", name="n", region="r", network="w",
                                ip_cidr_range="10.0.0.0/23", purpose="REGIONAL_MANAGED_PROXY", role="ACTIVE")
    dashboard = providers.MonitoringDashboard(stack, "dashboard", project="p", dashboard_json='{"a": 1}')
    providers.MonitoringAlertPolicy(
        stack, "policy", project="p", combiner="OR", severity="WARNING", display_name="d",
        notification_channels=["a", "b"],
        conditions=[providers.MonitoringAlertPolicyConditions(
            display_name="c", condition_prometheus_query_language=(
                providers.MonitoringAlertPolicyConditionsConditionPrometheusQueryLanguage(
                    query="q", duration="60s", evaluation_interval="60s")))],
        documentation=providers.MonitoringAlertPolicyDocumentation(mime_type="text/markdown", content="x"))
    internal = providers.ComputeAddress(stack, "internal", project="p", name="n", region="r", address_type="INTERNAL",
                                        purpose="GCE_ENDPOINT", subnetwork="s")
    existing = providers.DataGoogleComputeAddress(stack, "existing", project="p", name="n", region="r")
    authorization = providers.CertificateManagerDnsAuthorization(stack, "authorization", project="p", location="r",
                                                                 name="n", domain="a.example.com", description="d")
    providers.CertificateManagerCertificate(
        stack, "managed", project="p", location="r", name="m", description="d",
        managed=providers.CertificateManagerCertificateManaged(domains=["a.example.com"],
                                                               dns_authorizations=[authorization.id]))
    providers.CertificateManagerCertificate(
        stack, "self-managed", project="p", location="r", name="s",
        self_managed=providers.CertificateManagerCertificateSelfManaged(pem_certificate="c", pem_private_key="k"))
    for index, template in enumerate(TEMPLATES):
        rai = [providers.ModelArmorTemplateFilterConfigRaiSettingsRaiFilters(filter_type=kind, confidence_level=level)
               for name, kind in RAI_FILTERS.items() if (level := getattr(template, name)) is not None]
        jailbreak = template.prompt_injection_and_jailbreak
        providers.ModelArmorTemplate(
            stack, f"template-{index}", project="p", location="r", template_id=f"t{index}",
            filter_config=providers.ModelArmorTemplateFilterConfig(
                rai_settings=providers.ModelArmorTemplateFilterConfigRaiSettings(rai_filters=rai) if rai else None,
                pi_and_jailbreak_filter_settings=providers.ModelArmorTemplateFilterConfigPiAndJailbreakFilterSettings(
                    filter_enforcement="ENABLED" if jailbreak else "DISABLED", confidence_level=jailbreak),
                malicious_uri_filter_settings=providers.ModelArmorTemplateFilterConfigMaliciousUriFilterSettings(
                    filter_enforcement="ENABLED" if template.malicious_uris else "DISABLED"),
                sdp_settings=providers.ModelArmorTemplateFilterConfigSdpSettings(
                    basic_config=providers.ModelArmorTemplateFilterConfigSdpSettingsBasicConfig(
                        filter_enforcement="ENABLED" if template.sensitive_data_protection else "DISABLED"))),
            template_metadata=providers.ModelArmorTemplateTemplateMetadata(
                enforcement_type="INSPECT_ONLY" if template.inspect_only else "INSPECT_AND_BLOCK",
                custom_prompt_safety_error_code=template.blocked_status_code,
                custom_llm_response_safety_error_code=template.blocked_status_code,
                log_sanitize_operations=template.log_sanitize_operations))
    record = authorization.dns_resource_record.get(0)
    return {"autopilot": cluster.enable_autopilot, "number": project.number, "body": source.response_body,
            "fqn": status.fqn, "google": google.fqn, "dashboard": dashboard.id, "internal": internal.address,
            "existing": existing.address, "record": [authorization.domain, record.name, record.type, record.data]}


def _plain_blocks(stack: TerraformStack) -> dict[str, Any]:
    google = plain.provider(stack, "google", plain.GOOGLE, project="p")
    cluster = plain.data_source(stack, "cluster", plain.GOOGLE, "google_container_cluster",
                                location="l", name="n", project="p")
    cluster.lifecycle = POSTCONDITION
    config = plain.data_source(stack, "client-config", plain.GOOGLE, "google_client_config")
    project = plain.data_source(stack, "project", plain.GOOGLE, "google_project", project_id="p")
    plain.provider(stack, "kubernetes", plain.KUBERNETES, alias="a",
                   cluster_ca_certificate=cluster.get_string_attribute("master_auth[0].cluster_ca_certificate"),
                   host=f"https://{cluster.get_string_attribute('endpoint')}",
                   token=config.get_string_attribute("access_token"))
    plain.provider(stack, "kubernetes-exec", plain.KUBERNETES, alias="b",
                   exec=[{"api_version": "v", "command": "c"}], host="h")
    plain.provider(stack, "http", plain.HTTP)
    plain.data_source(stack, "subnetworks", plain.GOOGLE, "google_compute_subnetworks", filter="f", project="p",
                      region="r", lifecycle=POSTCONDITION)
    status = plain.data_source(stack, "status", plain.KUBERNETES, "kubernetes_resource", api_version="v1",
                               kind="Gateway", metadata={"name": "g", "namespace": "d"})
    source = plain.data_source(stack, "source", plain.HTTP, "http", url="https://x", lifecycle=POSTCONDITION)
    first = plain.manifest(stack, "config-map", manifest=BODY)
    iterator = TerraformIterator.from_map({"a": BODY})
    plain.manifest(stack, "each", for_each=iterator, manifest=Token.as_any_map(iterator.value), depends_on=[first],
                   lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
    plain.data_source(stack, "resources", plain.KUBERNETES, "kubernetes_resources", api_version="v1",
                      kind="APIService", field_selector="f", lifecycle=POSTCONDITION)
    plain.resource(stack, "member", plain.GOOGLE, "google_project_iam_member", project="p", role="r",
                   member=f"m/{project.get_string_attribute('number')}")
    plain.resource(stack, "subnet", plain.GOOGLE, "google_compute_subnetwork", project="p", name="n", region="r",
                   network="w", ip_cidr_range="10.0.0.0/23", purpose="REGIONAL_MANAGED_PROXY", role="ACTIVE")
    dashboard = plain.resource(stack, "dashboard", plain.GOOGLE, "google_monitoring_dashboard", project="p",
                               dashboard_json='{"a": 1}')
    plain.resource(stack, "policy", plain.GOOGLE, "google_monitoring_alert_policy", project="p", combiner="OR",
                   severity="WARNING", display_name="d", notification_channels=["a", "b"],
                   conditions=[{"display_name": "c", "condition_prometheus_query_language": {
                       "query": "q", "duration": "60s", "evaluation_interval": "60s"}}],
                   documentation={"mime_type": "text/markdown", "content": "x"})
    internal = plain.resource(stack, "internal", plain.GOOGLE, "google_compute_address", project="p", name="n",
                              region="r", address_type="INTERNAL", purpose="GCE_ENDPOINT", subnetwork="s")
    existing = plain.data_source(stack, "existing", plain.GOOGLE, "google_compute_address", project="p", name="n",
                                 region="r")
    authorization = plain.resource(stack, "authorization", plain.GOOGLE, "google_certificate_manager_dns_authorization",
                                   project="p", location="r", name="n", domain="a.example.com", description="d")
    plain.resource(stack, "managed", plain.GOOGLE, "google_certificate_manager_certificate", project="p",
                   location="r", name="m", description="d",
                   managed={"domains": ["a.example.com"],
                            "dns_authorizations": [authorization.get_string_attribute("id")]})
    plain.resource(stack, "self-managed", plain.GOOGLE, "google_certificate_manager_certificate", project="p",
                   location="r", name="s", self_managed={"pem_certificate": "c", "pem_private_key": "k"})
    for index, template in enumerate(TEMPLATES):
        plain.resource(stack, f"template-{index}", plain.GOOGLE, "google_model_armor_template", project="p",
                       location="r", template_id=f"t{index}", filter_config=filter_config(template),
                       template_metadata=template_metadata(template))
    return {"autopilot": cluster.get_boolean_attribute("enable_autopilot"),
            "number": project.get_string_attribute("number"), "body": source.get_string_attribute("response_body"),
            "fqn": status.fqn, "google": google.fqn, "dashboard": dashboard.get_string_attribute("id"),
            "internal": internal.get_string_attribute("address"), "existing": existing.get_string_attribute("address"),
            "record": [authorization.get_string_attribute("domain")] + [
                authorization.get_string_attribute(f"dns_resource_record[0].{field}")
                for field in ("name", "type", "data")]}


def _synth(tmp_path, build: Callable[[TerraformStack], dict[str, Any]]) -> dict[str, Any]:
    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "s")
    for name, value in build(stack).items():
        TerraformOutput(stack, f"out-{name}", value=value)
    app.synth()
    body = json.loads((tmp_path / "stacks" / "s" / "cdk.tf.json").read_text())
    body["//"]["metadata"].pop("overrides", None)  # which attributes the plain blocks set
    return body


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[dict[str, Any], dict[str, Any]]:
    return (_synth(tmp_path_factory.mktemp("bindings"), _binding_blocks),
            _synth(tmp_path_factory.mktemp("plain"), _plain_blocks))


def test_the_plain_blocks_write_what_the_bindings_write(both):
    bindings, written = both
    assert set(bindings) == set(written)
    for section in bindings:
        assert written[section] == bindings[section], section


def test_the_pins_are_the_bindings(both):
    bindings, _ = both
    pins = {pin.name: {"source": pin.source, "version": pin.version}
            for pin in (plain.GOOGLE, plain.KUBERNETES, plain.HTTP)}
    assert bindings["terraform"]["required_providers"] == pins


def test_a_manifest_string_arrives_literally(both):
    _, written = both
    (body,) = [block["manifest"] for block in written["resource"]["kubernetes_manifest"].values()
               if "for_each" not in block]
    assert body["data"] == {"k": "${literal}"} and body == BODY


#: The provider bindings each shipped configuration creates objects of, and so loads (a
#: binding's assembly and module cost the jsii kernel 0.1 s to 0.3 s on every synth).
BINDINGS = {
    None: set(),
    "config.example.yaml": set(),
    "config.autoscaling.example.yaml": set(),
    "config.v1.example.yaml": {"@cdktf/provider-helm.provider.HelmProvider", "@cdktf/provider-helm.release.Release"},
    "config.two-models.example.yaml": {"@cdktf/provider-helm.provider.HelmProvider",
                                       "@cdktf/provider-helm.release.Release"},
    "config.edge.example.yaml": set(),
}


@pytest.mark.parametrize("config", BINDINGS, ids=lambda name: name or "default")
def test_each_shipped_configuration_uses_only_the_bindings_it_needs(config, tmp_path):
    from cli.config_file import load_config
    from stacks.app import build_app
    from stacks.config import AppConfig

    app = build_app(load_config(str(ROOT / config)) if config else AppConfig(), outdir=str(tmp_path))
    used = {type(node).__jsii_type__ for node in app.node.find_all()
            if getattr(type(node), "__jsii_type__", "").startswith("@cdktf/provider-")}
    assert used == BINDINGS[config]


def test_every_shipped_configuration_is_listed():
    assert {path.name for path in ROOT.glob("config*.example.yaml")} | {None} == set(BINDINGS)
