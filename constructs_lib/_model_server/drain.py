"""Shutdown and startup timings of a model server, computed from the workload.

The method is the tutorial's: the slowest request a server may still be finishing when it
stops accepting work is ``max_output_tokens`` generated at the time per output token seen
at maximum batch, plus prefill work; the pod first waits ``lb_deregistration_seconds`` in
``preStop`` for the load balancer to stop sending traffic; a safety factor covers the rest.

The tutorial's own arithmetic does not follow its inputs: it states about 100 ms per token
but computes 4096 / 10 ~ 40 s (10 ms per token), says +20 % for prefill but adds 16 s to 40 s
(+40 %), and allows 3600 one-second startup failures (an hour) under a comment that says ten
minutes. Here every number follows from the named inputs.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.props import Props


@dataclasses.dataclass(frozen=True, kw_only=True)
class DrainProfile(Props):
    """Measured properties of a workload, from which drain and startup settings follow.

    Attributes:
        max_output_tokens: the longest output a request may ask for (vLLM's limit).
        tpot_ms_at_max_batch: time per output token, in milliseconds, at maximum batch.
        prefill_overhead_ratio: extra time for prompt processing, as a fraction of the
            decode time. Default 0.2 (prefill is roughly 6x faster than decode).
        lb_deregistration_seconds: how long the load balancer takes to stop sending new
            requests after the pod turns unready (the ``preStop`` sleep). Default 30.
        safety_factor: multiplier on preStop + drain. Default 1.5.
        max_model_load_seconds: the longest a model download and load may take before the
            startup probe gives up.
    """

    max_output_tokens: int
    tpot_ms_at_max_batch: float
    max_model_load_seconds: int
    prefill_overhead_ratio: float = 0.2
    lb_deregistration_seconds: int = 30
    safety_factor: float = 1.5

    def problems(self) -> list[Problem]:
        found = list(checks.at_least("max_output_tokens", self.max_output_tokens, 1))
        for name in ("max_output_tokens", "max_model_load_seconds", "lb_deregistration_seconds"):
            found += checks.int32(name, getattr(self, name))
        found += checks.at_least("max_model_load_seconds", self.max_model_load_seconds, 1)
        found += checks.at_least("prefill_overhead_ratio", self.prefill_overhead_ratio, 0)
        found += checks.at_least("lb_deregistration_seconds", self.lb_deregistration_seconds, 0)
        found += checks.at_least("safety_factor", self.safety_factor, 1)
        if self.tpot_ms_at_max_batch <= 0:
            found.append(Problem("tpot_ms_at_max_batch", self.tpot_ms_at_max_batch, "must be positive",
                                 "give the measured milliseconds per output token"))
        return found


@dataclass(frozen=True)
class Derivation:
    """One derived value with the formula and inputs that produced it (for ``--explain``)."""

    name: str
    value: float
    formula: str


def drain_seconds(profile: DrainProfile) -> float:
    """Worst-case time to finish the requests in flight when the server stops accepting."""
    decode = profile.max_output_tokens * profile.tpot_ms_at_max_batch / 1000
    return decode * (1 + profile.prefill_overhead_ratio)


def termination_grace_seconds(profile: DrainProfile) -> int:
    return math.ceil((profile.lb_deregistration_seconds + drain_seconds(profile)) * profile.safety_factor)


def startup_failure_threshold(profile: DrainProfile, period_seconds: int, initial_delay_seconds: int) -> int:
    """Failures the startup probe allows so that its window covers the model load."""
    return max(1, math.ceil((profile.max_model_load_seconds - initial_delay_seconds) / period_seconds))


def explain(profile: DrainProfile, period_seconds: int, initial_delay_seconds: int) -> list[Derivation]:
    decode = profile.max_output_tokens * profile.tpot_ms_at_max_batch / 1000
    drain = drain_seconds(profile)
    return [
        Derivation("decode_seconds", decode,
                   f"max_output_tokens {profile.max_output_tokens} x tpot {profile.tpot_ms_at_max_batch} ms / 1000"),
        Derivation("drain_seconds", drain,
                   f"decode {decode:g} s x (1 + prefill_overhead_ratio {profile.prefill_overhead_ratio:g})"),
        Derivation("pre_stop_seconds", profile.lb_deregistration_seconds,
                   f"lb_deregistration_seconds {profile.lb_deregistration_seconds}"),
        Derivation("termination_grace_seconds", termination_grace_seconds(profile),
                   f"ceil((pre_stop {profile.lb_deregistration_seconds} s + drain {drain:g} s) x safety_factor "
                   f"{profile.safety_factor:g})"),
        Derivation("startup_probe.failure_threshold",
                   startup_failure_threshold(profile, period_seconds, initial_delay_seconds),
                   f"ceil((max_model_load_seconds {profile.max_model_load_seconds} - initial_delay "
                   f"{initial_delay_seconds} s) / period {period_seconds} s)"),
    ]
