"""Drain and startup settings: the arithmetic, the opt-in, and the synth-time checks."""

import dataclasses

import pytest

from cli import synth
from cli.explain import explain_config
from constructs_lib import ConfigError, DrainProfile, ProbeSettings, VllmModelServerProps
from constructs_lib._model_server import drain as drain
from constructs_lib._model_server.server import deployment_manifest
from stacks.config import AppConfig

# The tutorial's example as its own numbers intend: 4096 tokens at 10 ms per token.
TEN_MS = DrainProfile(max_output_tokens=4096, tpot_ms_at_max_batch=10, max_model_load_seconds=600)
# The same with the 100 ms per token the tutorial's text states.
HUNDRED_MS = dataclasses.replace(TEN_MS, tpot_ms_at_max_batch=100)


def test_drain_seconds_by_hand():
    assert drain.drain_seconds(TEN_MS) == pytest.approx(4096 * 0.010 * 1.2)  # 49.152
    assert drain.drain_seconds(HUNDRED_MS) == pytest.approx(4096 * 0.100 * 1.2)  # 491.52


def test_termination_grace_by_hand():
    assert drain.termination_grace_seconds(TEN_MS) == 119  # ceil((30 + 49.152) * 1.5) = ceil(118.728)
    assert drain.termination_grace_seconds(HUNDRED_MS) == 783  # ceil((30 + 491.52) * 1.5) = ceil(782.28)
    no_margin = dataclasses.replace(TEN_MS, safety_factor=1.0, prefill_overhead_ratio=0.0,
                                    lb_deregistration_seconds=0)
    assert drain.termination_grace_seconds(no_margin) == 41  # ceil(40.96)


def test_startup_threshold_covers_the_load():
    assert drain.startup_failure_threshold(TEN_MS, period_seconds=1, initial_delay_seconds=2) == 598
    assert drain.startup_failure_threshold(TEN_MS, period_seconds=10, initial_delay_seconds=0) == 60
    assert drain.startup_failure_threshold(TEN_MS, period_seconds=7, initial_delay_seconds=0) == 86  # ceil(85.7)
    tiny = dataclasses.replace(TEN_MS, max_model_load_seconds=1)
    assert drain.startup_failure_threshold(tiny, period_seconds=1, initial_delay_seconds=2) == 1


def _timings(props):
    body = deployment_manifest(props)
    pod = body["spec"]["template"]["spec"]
    vllm = pod["containers"][0]
    return (vllm["lifecycle"]["preStop"]["sleep"]["seconds"], pod["terminationGracePeriodSeconds"],
            vllm["startupProbe"]["failureThreshold"])


def test_without_a_profile_the_tutorials_numbers_stay():
    assert _timings(VllmModelServerProps()) == (30, 130, 3600)


def test_a_profile_derives_all_three_numbers():
    assert _timings(VllmModelServerProps(drain_profile=TEN_MS)) == (30, 119, 598)
    slow_lb = dataclasses.replace(HUNDRED_MS, lb_deregistration_seconds=60)
    assert _timings(VllmModelServerProps(drain_profile=slow_lb)) == (60, 828, 598)  # ceil(551.52 * 1.5)


def test_grace_shorter_than_prestop_plus_drain_is_refused():
    with pytest.raises(ConfigError) as caught:
        VllmModelServerProps(drain_profile=TEN_MS, termination_grace_seconds=60)
    problem = caught.value.problems[0]
    assert problem.field == "termination_grace_seconds"
    assert "preStop 30 s + drain 49.152 s" in problem.render() and "at least 80" in problem.render()


def test_grace_shorter_than_prestop_without_profile_is_refused():
    with pytest.raises(ConfigError) as caught:
        VllmModelServerProps(pre_stop_seconds=60, termination_grace_seconds=30)
    assert caught.value.problems[0].field == "termination_grace_seconds"


def test_explicit_values_that_fit_the_profile_are_kept():
    props = VllmModelServerProps(drain_profile=TEN_MS, termination_grace_seconds=200)
    assert _timings(props) == (30, 200, 598)


def test_startup_window_shorter_than_the_model_load_is_refused():
    with pytest.raises(ConfigError) as caught:
        VllmModelServerProps(drain_profile=TEN_MS, startup_probe=ProbeSettings(failure_threshold=100))
    assert caught.value.problems[0].field == "startup_probe"
    assert "gives up after 100 s, before the 600 s model load" in caught.value.problems[0].render()


def test_bad_profile_values():
    with pytest.raises(ConfigError) as caught:
        DrainProfile(max_output_tokens=0, tpot_ms_at_max_batch=-1, max_model_load_seconds=10, safety_factor=0.5)
    assert [p.field for p in caught.value.problems] == ["max_output_tokens", "safety_factor", "tpot_ms_at_max_batch"]


def test_explain_prints_each_value_with_formula_and_inputs():
    text = explain_config(AppConfig(model_servers=(VllmModelServerProps(drain_profile=TEN_MS),)))
    assert "termination_grace_seconds = 119  <- ceil((pre_stop 30 s + drain 49.152 s) x safety_factor 1.5)" in text
    assert "decode_seconds = 40.96  <- max_output_tokens 4096 x tpot 10.0 ms / 1000" in text
    assert "startup_probe.failure_threshold = 598" in text
    assert "in effect: termination_grace_seconds = 119 (derived)" in text


def test_explain_without_profile_says_the_numbers_are_the_tutorials(capsys):
    assert synth.main(["--explain"]) == 0
    text = capsys.readouterr().out
    assert "termination_grace_seconds = 130 (the tutorial's value)" in text
    assert "startup window = 3602 s" in text


def test_zero_prestop_leaves_out_the_hook():
    props = VllmModelServerProps(pre_stop_seconds=0)
    vllm = deployment_manifest(props)["spec"]["template"]["spec"]["containers"][0]
    assert "lifecycle" not in vllm
    assert "lifecycle" in deployment_manifest(VllmModelServerProps())["spec"]["template"]["spec"]["containers"][0]
