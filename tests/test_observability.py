"""vLLM metrics (PodMonitoring), autoscaling (HPA and the metrics adapter), the dashboard and
the alert: what they synthesize and the cross-checks between consumers and producers."""

import dataclasses
import json
import re
from pathlib import Path

import pytest
from helpers import FIXTURES, by_path, fields_of, manifests

from cli.config_file import load_config
from cli.explain import explain_config
from constructs_lib import (
    AutoscalingProps,
    AutoscalingTarget,
    ConfigError,
    DrainProfile,
    InferenceGatewayV1Props,
    MetricsAdapterProps,
    ObservabilityProps,
    PodMonitoringProps,
    QueueDepthAlertProps,
    VllmModelServerProps,
    layout_picture,
)
from constructs_lib._core.literal import escape
from constructs_lib._core.metric_names import endpoint_picker_metrics, image_version, vllm_metrics
from stacks.config import AppConfig, PrerequisitesProps

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.autoscaling.example.yaml"
SERVER = "vllm-llama3-8b-instruct"
ADAPTER = ObservabilityProps(metrics_adapter=MetricsAdapterProps())
CHANNEL = "projects/my-project/notificationChannels/123"


def _scaled(**target) -> VllmModelServerProps:
    return VllmModelServerProps(autoscaling=AutoscalingProps(max_replicas=3, target=AutoscalingTarget(**target)))


@pytest.fixture(scope="module")
def example_stacks(tmp_path_factory):
    from helpers import synth

    return synth(load_config(str(EXAMPLE)), tmp_path_factory.mktemp("autoscaling"))


# --- PodMonitoring -------------------------------------------------------------------


def test_every_model_server_gets_a_pod_monitoring_on_its_metrics_port(default_stacks):
    objects = manifests(default_stacks["model-servers"])
    monitoring, deployment = objects[f"{SERVER}/pod-monitoring"], objects[f"{SERVER}/deployment"]
    assert monitoring["metadata"]["namespace"] == deployment["metadata"]["namespace"]
    assert monitoring["spec"]["selector"]["matchLabels"] == deployment["spec"]["template"]["metadata"]["labels"]
    (endpoint,) = monitoring["spec"]["endpoints"]
    port_names = [p["name"] for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]]
    assert endpoint["port"] in port_names
    assert (endpoint["interval"], endpoint["path"]) == ("15s", "/metrics")


def test_vllm_series_are_labelled_to_join_the_pool_and_base_model(default_stacks):
    monitoring = manifests(default_stacks["model-servers"])[f"{SERVER}/pod-monitoring"]
    rules = monitoring["spec"]["endpoints"][0]["metricRelabeling"]
    labels = {rule["targetLabel"]: rule["replacement"] for rule in rules if rule["action"] == "replace"}
    module = default_stacks["inference-gateway"]["module"]["inference_gateway"]
    pools = [pool["name"] for pool in module["inference_pools"]]
    assert labels == {"model_server": SERVER, "base_model": "meta-llama/Llama-3.1-8B-Instruct",
                      "inference_pool": pools[0]}


def test_no_pool_label_without_a_gateway_and_no_pod_monitoring_when_off(synth_config):
    stacks = synth_config(AppConfig(gateway=None, model_servers=(
        VllmModelServerProps(), VllmModelServerProps(name="quiet", adapters=(), metrics=None))))
    objects = manifests(stacks["model-servers"])
    rules = objects[f"{SERVER}/pod-monitoring"]["spec"]["endpoints"][0]["metricRelabeling"]
    assert "inference_pool" not in {rule["targetLabel"] for rule in rules}
    assert "quiet/pod-monitoring" not in objects


@pytest.mark.parametrize(("value", "ok"), [("15s", True), ("1m30s", True), ("0s", False), ("15", False), ("", False)])
def test_scrape_interval_is_a_prometheus_duration(value, ok):
    if ok:
        PodMonitoringProps(interval=value)
    else:
        assert fields_of(PodMonitoringProps, interval=value) == ["interval"]


# --- autoscaling ---------------------------------------------------------------------


def test_example_hpa_scales_the_deployment_on_vllm_queue_depth(example_stacks):
    objects = manifests(example_stacks["model-servers"])
    hpa, deployment = objects[f"{SERVER}/autoscaler"], objects[f"{SERVER}/deployment"]
    assert "replicas" not in deployment["spec"]
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": SERVER}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (1, 4)
    assert hpa["spec"]["metrics"] == [{"type": "Pods", "pods": {
        "metric": {"name": "prometheus.googleapis.com|vllm:num_requests_waiting|gauge"},
        "target": {"type": "AverageValue", "averageValue": "5"}}}]


def test_scale_down_waits_a_grace_period_per_pod(example_stacks):
    objects = manifests(example_stacks["model-servers"])
    grace = objects[f"{SERVER}/deployment"]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    scale_down = objects[f"{SERVER}/autoscaler"]["spec"]["behavior"]["scaleDown"]
    assert scale_down["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": grace}]
    assert scale_down["stabilizationWindowSeconds"] == max(300, grace)


def test_a_long_grace_period_lengthens_the_stabilization_window(synth_config):
    server = dataclasses.replace(_scaled(), termination_grace_seconds=900)
    hpa = manifests(synth_config(AppConfig(model_servers=(server,), observability=ADAPTER))["model-servers"])
    assert hpa[f"{SERVER}/autoscaler"]["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 900


def test_pool_target_is_an_external_metric_of_the_servers_pool_in_this_cluster(synth_config):
    stacks = synth_config(AppConfig(model_servers=(_scaled(metric="pool_queue_size", value=3),), observability=ADAPTER))
    (metric,) = manifests(stacks["model-servers"])[f"{SERVER}/autoscaler"]["spec"]["metrics"]
    assert metric == {"type": "External", "external": {
        "metric": {"name": "prometheus.googleapis.com|inference_pool_average_queue_size|gauge",
                   "selector": {"matchLabels": {"metric.labels.name": SERVER, "resource.labels.namespace": "default",
                                                "resource.labels.cluster": "${var.cluster_name}"}}},
        "target": {"type": "Value", "value": "3"}}}


def test_kv_cache_target_uses_the_name_this_vllm_release_emits(synth_config):
    for image, name in (("vllm/vllm-openai:v0.8.5", "vllm:gpu_cache_usage_perc"),
                        ("vllm/vllm-openai:v0.10.1", "vllm:kv_cache_usage_perc")):
        server = dataclasses.replace(_scaled(metric="vllm_kv_cache"), image=image)
        stacks = synth_config(AppConfig(model_servers=(server,), observability=ADAPTER))
        (metric,) = manifests(stacks["model-servers"])[f"{SERVER}/autoscaler"]["spec"]["metrics"]
        assert metric["pods"]["metric"]["name"] == f"prometheus.googleapis.com|{name}|gauge"
        assert metric["pods"]["target"]["averageValue"] == "800m"


def test_explain_gives_the_autoscaling_reasoning():
    text = explain_config(load_config(str(EXAMPLE)))
    assert "autoscaling: 1..4 replicas on vllm_queue_depth" in text
    assert ("target vllm_queue_depth (prometheus.googleapis.com|vllm:num_requests_waiting|gauge, averaged over "
            "the pods) = 5  <- default: the averageValue of GKE's vLLM HPA sample") in text
    assert "scale_down.periodSeconds = 119  <- termination_grace_seconds 119" in text
    assert "replicas: left out of the Deployment" in text
    assert "autoscaling: none (1 replicas" in explain_config(AppConfig())


# --- cross-checks ----------------------------------------------------------------------


def _problems(config_kwargs):
    return fields_of(AppConfig, **config_kwargs)


def test_min_replicas_above_max_is_refused():
    assert fields_of(AutoscalingProps, min_replicas=4, max_replicas=2) == ["min_replicas"]


def test_an_hpa_needs_the_adapter():
    assert _problems({"model_servers": (_scaled(),)}) == ["model_servers[0].autoscaling"]
    AppConfig(model_servers=(_scaled(),), observability=ObservabilityProps(
        metrics_adapter=MetricsAdapterProps(install=False)))


def test_a_vllm_target_needs_the_servers_metrics():
    server = VllmModelServerProps
    assert fields_of(server, metrics=None, autoscaling=AutoscalingProps(max_replicas=2)) == \
        ["autoscaling.target.metric"]


def test_a_kv_cache_target_needs_a_known_vllm_release():
    digest = "vllm/vllm-openai@sha256:" + "0" * 64
    assert fields_of(VllmModelServerProps, image=digest, autoscaling=AutoscalingProps(
        max_replicas=2, target=AutoscalingTarget(metric="vllm_kv_cache"))) == ["vllm_version"]
    VllmModelServerProps(image=digest, vllm_version="v0.8.5", autoscaling=AutoscalingProps(
        max_replicas=2, target=AutoscalingTarget(metric="vllm_kv_cache")))


def test_replicas_belong_to_the_hpa():
    assert fields_of(VllmModelServerProps, replicas=3, autoscaling=AutoscalingProps(max_replicas=4)) == ["replicas"]


def test_a_grace_period_no_hpa_policy_can_cover_is_refused():
    assert fields_of(VllmModelServerProps, termination_grace_seconds=2000,
                     autoscaling=AutoscalingProps(max_replicas=4)) == ["termination_grace_seconds"]


def test_pool_kv_cache_where_the_picker_averages_a_name_vllm_does_not_emit():
    v1 = {"gateway": InferenceGatewayV1Props(), "observability": ADAPTER}
    # The v1 path configures the v1.5.0 picker with the names a tagged v0.8.5 image emits.
    AppConfig(**v1, model_servers=(_scaled(metric="pool_kv_cache"),))
    # Behind a digest the picker keeps its default vllm:kv_cache_usage_perc, which v0.8.5 lacks.
    digest = dataclasses.replace(_scaled(metric="pool_kv_cache"), vllm_version="v0.8.5",
                                 image="vllm/vllm-openai@sha256:" + "2" * 64)
    with pytest.raises(ConfigError) as caught:
        AppConfig(**v1, model_servers=(digest,))
    (problem,) = caught.value.problems
    assert problem.field == "model_servers[0].autoscaling.target.metric"
    assert "averages vllm:kv_cache_usage_perc" in problem.message and "vllm:gpu_cache_usage_perc" in problem.message
    # The v0.3.0 picker of the module path reads the old name, which v0.8.5 emits.
    AppConfig(model_servers=(_scaled(metric="pool_kv_cache"),), observability=ADAPTER)


@pytest.mark.parametrize("config", [
    {"gateway": None},
    {"prerequisites": PrerequisitesProps(metrics_rbac=None)},
    {"gateway": InferenceGatewayV1Props(gke_monitoring=False)},
])
def test_a_pool_target_whose_picker_metrics_nobody_collects_is_refused(config):
    assert _problems({**config, "model_servers": (_scaled(metric="pool_queue_size"),), "observability": ADAPTER}) == \
        ["model_servers[0].autoscaling.target.metric"]


def test_a_dashboard_without_the_metrics_it_charts_is_refused():
    dashboard = ObservabilityProps(dashboard={})
    assert _problems({"observability": dashboard, "model_servers": (VllmModelServerProps(metrics=None),)}) == \
        ["observability.dashboard"]
    assert _problems({"observability": dashboard, "gateway": None}) == ["observability.dashboard"]
    assert _problems({"observability": dashboard, "prerequisites": PrerequisitesProps(metrics_rbac=None)}) == \
        ["observability.dashboard"]
    digest = VllmModelServerProps(image="vllm/vllm-openai@sha256:" + "1" * 64)
    assert _problems({"observability": dashboard, "model_servers": (digest,)}) == ["model_servers[0].vllm_version"]


def test_an_alert_needs_scraped_servers_and_valid_channels():
    alert = QueueDepthAlertProps(notification_channels=(CHANNEL,))
    assert _problems({"observability": ObservabilityProps(queue_depth_alert=alert),
                      "model_servers": (VllmModelServerProps(metrics=None),)}) == ["observability.queue_depth_alert"]
    assert fields_of(QueueDepthAlertProps, notification_channels=("123",), duration="5m") == \
        ["notification_channels[0]", "duration"]


def test_bad_observability_yaml_is_one_line_per_problem(tmp_path):
    from cli import synth

    config = tmp_path / "bad.yaml"
    config.write_text("model_servers:\n  - autoscaling: {min_replicas: 5, max_replicas: 2}\n")
    assert synth.main(["--config", str(config), "--outdir", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


# --- the adapter ----------------------------------------------------------------------


def test_adapter_comes_from_the_pinned_release_with_its_workload_identity_binding(example_stacks):
    stack = example_stacks["prerequisites"]
    (source,) = [body["url"] for path, body in by_path(stack, "http", "data").items() if "custom-metrics" in path]
    assert re.fullmatch(r"https://raw\.githubusercontent\.com/GoogleCloudPlatform/k8s-stackdriver/[0-9a-f]{40}/"
                        r"custom-metrics-stackdriver-adapter/deploy/production/adapter_new_resource_model\.yaml",
                        source)
    (binding,) = by_path(stack, "google_project_iam_member").values()
    assert binding["role"] == "roles/monitoring.viewer"
    assert binding["member"].endswith(".svc.id.goog/subject/ns/custom-metrics/sa/custom-metrics-stackdriver-adapter")
    assert binding["member"].startswith("principal://iam.googleapis.com/projects/${data.google_project.")
    check = by_path(stack, "kubernetes_resources", "data")["custom-metrics-adapter/existing-external-metrics"]
    assert check["field_selector"] == "metadata.name=v1beta1.external.metrics.k8s.io"
    assert "install: false" in check["lifecycle"]["postcondition"][0]["error_message"]
    conditions = by_path(stack, "google_container_cluster", "data")["cluster/cluster"]["lifecycle"]["postcondition"]
    assert any("workload_identity_config" in c["condition"] for c in conditions)


#: The adapter's release manifest at the pinned commit, kept beside the tests as data.
ADAPTER_COPY = "custom-metrics-stackdriver-adapter-af49d86.yaml"


def test_the_pinned_adapter_release_is_what_the_binding_and_check_assume():
    import yaml

    from constructs_lib._observability import metrics_adapter as adapter
    from constructs_lib._observability.props import ADAPTER_COMMIT

    assert ADAPTER_COMMIT.startswith(ADAPTER_COPY.rsplit("-", 1)[1].removesuffix(".yaml"))
    documents = [d for d in yaml.safe_load_all((FIXTURES / "upstream" / ADAPTER_COPY).read_text()) if d]
    keys = [f"{d['kind']}/{d['metadata']['name']}" for d in documents]
    assert len(keys) == len(set(keys)) == 13
    assert f"Namespace/{adapter.ADAPTER_NAMESPACE}" in keys  # excluded from the bundle, created first
    (deployment,) = [d for d in documents if d["kind"] == "Deployment"]
    assert deployment["metadata"]["namespace"] == adapter.ADAPTER_NAMESPACE
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == adapter.ADAPTER_SERVICE_ACCOUNT
    (external,) = [d for d in documents if d["metadata"]["name"] == adapter.EXTERNAL_METRICS_API_SERVICE]
    assert external["spec"]["service"] == {"name": adapter.ADAPTER_SERVICE, "namespace": adapter.ADAPTER_NAMESPACE}
    from k8s_schema import schema_errors

    assert [error for d in documents for error in schema_errors(d, "1.33")] == []


def test_an_adapter_the_cluster_already_has_installs_nothing(synth_config):
    stacks = synth_config(AppConfig(model_servers=(_scaled(),), observability=ObservabilityProps(
        metrics_adapter=MetricsAdapterProps(install=False))))
    assert "google_project_iam_member" not in stacks["prerequisites"].get("resource", {})
    assert f"{SERVER}/autoscaler" in manifests(stacks["model-servers"])


# --- the dashboard and the alert -------------------------------------------------------


def _dashboard(stacks):
    (dashboard,) = stacks["observability"]["resource"]["google_monitoring_dashboard"].values()
    return dashboard


def _queries(body):
    for tile in body["mosaicLayout"]["tiles"]:
        for dataset in tile["widget"]["xyChart"]["dataSets"]:
            yield tile["widget"]["title"], dataset["timeSeriesQuery"]["prometheusQuery"]


_METRIC = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")


def test_every_chart_charts_a_metric_its_sources_produce(example_stacks):
    # What Terraform hands the API: $${ becomes ${ again (checked against terraform itself below).
    body = json.loads(_dashboard(example_stacks)["dashboard_json"].replace("$${", "${"))
    vllm = vllm_metrics(image_version("vllm/vllm-openai:v0.8.5"))
    produced = vllm.names() | endpoint_picker_metrics((0, 3, 0)).names()
    titles = [tile["widget"]["title"] for tile in body["mosaicLayout"]["tiles"]]
    charted = set()
    for title, query in _queries(body):
        names = {name.removesuffix("_bucket") for name in _METRIC.findall(query)}
        assert names, title
        assert names <= produced, (title, names - produced)
        assert 'cluster="${var.cluster_name}"' in query, title
        charted |= names
    assert {"vllm:num_requests_waiting", "vllm:gpu_cache_usage_perc", "vllm:time_to_first_token_seconds",
            "vllm:time_per_output_token_seconds", "inference_model_request_total",
            "inference_model_request_error_total", "inference_pool_average_queue_size"} <= charted
    assert any("against the HPA target" in title for title in titles)


def test_hpa_chart_draws_the_target_and_the_replicas(example_stacks):
    body = json.loads(_dashboard(example_stacks)["dashboard_json"].replace("$${", "${"))
    (chart,) = [t["widget"]["xyChart"] for t in body["mosaicLayout"]["tiles"] if "HPA target" in t["widget"]["title"]]
    assert [(t["label"], t["value"], t["targetAxis"]) for t in chart["thresholds"]] == \
        [("HPA target", 5, "Y1"), ("max_replicas", 4, "Y2")]
    assert chart["dataSets"][1]["timeSeriesQuery"]["prometheusQuery"].startswith("count(vllm:num_requests_waiting{")


def test_v1_dashboard_charts_the_v1_5_picker_names(synth_config):
    stacks = synth_config(AppConfig(gateway=InferenceGatewayV1Props(), observability=ObservabilityProps(dashboard={})))
    text = _dashboard(stacks)["dashboard_json"]
    assert "inference_objective_request_total" in text and "inference_model_" not in text
    assert "inference_extension_scheduler_e2e_duration_seconds_bucket" in text


def test_dashboard_url_is_an_output(example_stacks):
    output = example_stacks["observability"]["output"]["dashboard_url"]["value"]
    assert output.startswith("https://console.cloud.google.com/monitoring/dashboards/custom/${basename(")
    assert output.endswith("?project=${var.project_id}")


def test_alert_fires_on_sustained_queue_depth(example_stacks):
    (policy,) = example_stacks["observability"]["resource"]["google_monitoring_alert_policy"].values()
    (condition,) = policy["conditions"]
    promql = condition["condition_prometheus_query_language"]
    assert promql["query"] == ('avg by (model_server) (vllm:num_requests_waiting{cluster="${var.cluster_name}",'
                               f'model_server=~"{SERVER}"}}) > 50')
    assert promql["duration"] == "300s"
    assert policy["notification_channels"] == ["projects/my-project/notificationChannels/1234567890"]


def test_observability_stack_comes_after_the_model_servers(example_stacks):
    stacks = example_stacks["manifest"]["stacks"]
    assert stacks["observability"]["dependencies"] == ["model-servers"]


def test_the_manual_draws_the_example_dashboard(example_stacks):
    from helpers import manual

    body = json.loads(_dashboard(example_stacks)["dashboard_json"].replace("$${", "${"))
    picture = layout_picture(body)
    assert picture.count('["') == len(body["mosaicLayout"]["tiles"])
    assert picture in manual()


@pytest.mark.parametrize(("text", "escaped"), [
    ("rate(x[${__interval}])", "rate(x[$${__interval}])"),
    ("%{ if a }", "%%{ if a }"),
    ("$${already}", "$$${already}"),
    ("plain {braces} and $ alone", "plain {braces} and $ alone"),
])
def test_template_sequences_are_escaped(text, escaped):
    assert escape(text) == escaped


def test_cdktf_tokens_stay_references():
    from cdktf import App, TerraformStack, TerraformVariable

    stack = TerraformStack(App(), "s")
    token = TerraformVariable(stack, "v", type="string").string_value
    escaped = escape(f"a ${{x}} {token} b")
    assert escaped.startswith("a $${x} ${TfToken[") and escaped.endswith("]} b")


def test_a_drain_profile_paces_scale_down(synth_config):
    server = dataclasses.replace(_scaled(), drain_profile=DrainProfile(
        max_output_tokens=4096, tpot_ms_at_max_batch=100, max_model_load_seconds=600))
    hpa = manifests(synth_config(AppConfig(model_servers=(server,), observability=ADAPTER))["model-servers"])
    assert hpa[f"{SERVER}/autoscaler"]["spec"]["behavior"]["scaleDown"]["policies"][0]["periodSeconds"] == 783


@pytest.mark.parametrize(("image", "version"), [
    ("vllm/vllm-openai:v0.8.5", (0, 8, 5)), ("registry.local:5000/vllm:0.9.1", (0, 9, 1)),
    ("vllm/vllm-openai:latest", None), ("vllm/vllm-openai@sha256:" + "a" * 64, None), ("vllm/vllm-openai", None),
])
def test_the_vllm_release_is_read_from_the_image_tag(image, version):
    assert image_version(image) == version


def test_metric_names_follow_the_releases_that_renamed_them():
    assert vllm_metrics((0, 8, 5)).kv_cache_usage == "vllm:gpu_cache_usage_perc"
    assert vllm_metrics((0, 9, 1)).kv_cache_usage == "vllm:gpu_cache_usage_perc"
    assert vllm_metrics((0, 9, 2)).kv_cache_usage == "vllm:kv_cache_usage_perc"
    assert endpoint_picker_metrics((0, 3, 0)).latency == "inference_model_request_duration_seconds"
    assert endpoint_picker_metrics((1, 0, 0)).requests == "inference_model_request_total"
    assert endpoint_picker_metrics((1, 1, 0)).requests == "inference_objective_request_total"
    assert endpoint_picker_metrics((1, 5, 0)).latency == "inference_extension_scheduler_e2e_duration_seconds"


def test_the_pickers_vllm_names_come_from_the_one_vllm_table():
    from constructs_lib._gateway.picker_config import served_metrics

    assert served_metrics(["vllm/vllm-openai:v0.8.5"])["kv_cache"] == vllm_metrics((0, 8, 5)).kv_cache_usage
    assert served_metrics(["vllm/vllm-openai:v0.10.1"])["kv_cache"] == vllm_metrics((0, 10, 1)).kv_cache_usage
