"""Demand: what the workload asks of the serving system, per day and at peak."""
from __future__ import annotations

from dataclasses import dataclass

from engine.scenario.schema import Scenario

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Demand:
    queries_per_day: float
    calls_per_day: float
    input_tokens_per_day: float
    cached_input_tokens_per_day: float  # the shared prompt prefix, cacheable
    output_tokens_per_day: float  # visible output
    reasoning_tokens_per_day: float  # hidden thinking, generated like output
    generated_tokens_per_call: float  # output + reasoning: what decode produces
    average_calls_per_s: float
    peak_calls_per_s: float  # the rate capacity is sized for
    peak_output_tokens_per_s: float  # generated (output + reasoning) tokens/s at peak
    concurrent_sequences_at_peak: float

    @property
    def generated_tokens_per_day(self) -> float:
        return self.output_tokens_per_day + self.reasoning_tokens_per_day


def demand(scenario: Scenario) -> Demand:
    """Daily volumes, peak rates and concurrency of a scenario.

    Online calls arrive with the day's shape: their peak is the average times
    `peak_to_average_ratio`. Offline calls wait for the quiet hours, so they add no
    peak; capacity must still cover the day's average over all calls.
    Concurrency at peak follows Little's law: rate x time a call is in flight, with the
    call taking TTFT plus its generated tokens at the minimum per-user speed.
    """
    w, lat = scenario.workload, scenario.latency
    queries = w.daily_active_users * w.queries_per_user_per_day
    calls = queries * w.agent_calls_per_query
    generated_per_call = w.output_tokens_per_call + w.reasoning_tokens_per_call
    average = calls / SECONDS_PER_DAY
    online_peak = average * (1.0 - w.offline_fraction) * w.peak_to_average_ratio
    peak = max(online_peak, average)
    call_duration_s = lat.ttft_p95_ms / 1000.0 + generated_per_call / lat.min_output_tokens_per_s_per_user
    return Demand(
        queries_per_day=queries,
        calls_per_day=calls,
        input_tokens_per_day=calls * w.input_tokens_per_call,
        cached_input_tokens_per_day=calls * w.input_tokens_per_call * w.shared_prefix_fraction,
        output_tokens_per_day=calls * w.output_tokens_per_call,
        reasoning_tokens_per_day=calls * w.reasoning_tokens_per_call,
        generated_tokens_per_call=generated_per_call,
        average_calls_per_s=average,
        peak_calls_per_s=peak,
        peak_output_tokens_per_s=peak * generated_per_call,
        concurrent_sequences_at_peak=peak * call_duration_s,
    )
