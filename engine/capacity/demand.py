"""Demand: what the workload asks of the serving system, per day, per hour and at peak."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from engine.scenario.schema import Scenario

SECONDS_PER_DAY = 86_400
HOURS_PER_DAY = 24


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
    # The day hour by hour [calls/s], the hour of the online peak first: online calls follow the daily
    # cycle, offline calls fill the quietest hours of their window (`daily_load`). Empty = flat at peak.
    hourly_calls_per_s: tuple[float, ...] = ()

    @property
    def generated_tokens_per_day(self) -> float:
        return self.output_tokens_per_day + self.reasoning_tokens_per_day

    @property
    def hourly_load_share(self) -> tuple[float, ...]:
        """Each hour's load as a share of the peak the fleet is sized for (1.0 at the peak hour)."""
        if not self.hourly_calls_per_s or self.peak_calls_per_s <= 0:
            return ()
        return tuple(x / self.peak_calls_per_s for x in self.hourly_calls_per_s)


@functools.lru_cache(maxsize=256)
def daily_shape(peak_to_average_ratio: float) -> tuple[float, ...]:
    """The online load at each hour of the day as a multiple of the day's average, the peak hour first.

    A smooth daily cycle whose average is 1 and whose peak is `peak_to_average_ratio` (r): a
    sinusoid 1 + (r - 1) cos(2 pi h / 24) up to r = 2 (trough 2 - r); above 2, where a sinusoid would
    go below zero, the narrowest raised cosine r x ((1 + cos(2 pi h / 24)) / 2)^k whose average over
    the 24 hours is 1 (k found by bisection; the trough reaches 0). r = 2 is the same curve both ways.
    The shape is a stated rule (cost_assumptions.yaml `daily_load_profile`), not a measured trace.
    """
    r = float(peak_to_average_ratio)
    angles = [2.0 * math.pi * h / HOURS_PER_DAY for h in range(HOURS_PER_DAY)]
    if r <= 2.0:
        return tuple(1.0 + (r - 1.0) * math.cos(a) for a in angles)
    bumps = [(1.0 + math.cos(a)) / 2.0 for a in angles]

    def mean(k: float) -> float:
        return r * sum(b ** k for b in bumps) / HOURS_PER_DAY

    low, high = 1.0, 1.0
    while mean(high) > 1.0:  # mean falls as k grows (bumps <= 1)
        high *= 2.0
    for _ in range(60):
        mid = (low + high) / 2.0
        low, high = (mid, high) if mean(mid) > 1.0 else (low, mid)
    k = (low + high) / 2.0
    return tuple(r * b ** k for b in bumps)


def water_fill(online: list[float], window_hours: float, offline_calls_per_day: float) -> list[float]:
    """The day's load once offline calls run in the quietest `window_hours` hours [calls/s].

    Offline work is scheduled where the online load is lowest, filling those hours up to one level
    (water-filling), so the window's busiest hour is as low as it can be; a window of h hours spans
    the h quietest whole hours (a fractional last hour counts for its fraction).
    """
    if offline_calls_per_day <= 0:
        return list(online)
    order = sorted(range(len(online)), key=lambda h: online[h])
    full = int(math.floor(window_hours + 1e-9))
    weights = {h: 1.0 for h in order[:full]}
    if window_hours - full > 1e-9 and full < len(order):
        weights[order[full]] = window_hours - full
    work = offline_calls_per_day / 3600.0  # calls/s x hours to place

    def placed(level: float) -> float:
        return sum(w * max(level - online[h], 0.0) for h, w in weights.items())

    low = min(online[h] for h in weights)
    high = max(online[h] for h in weights) + work / max(sum(weights.values()), 1e-9)
    for _ in range(80):
        mid = (low + high) / 2.0
        low, high = (mid, high) if placed(mid) < work else (low, mid)
    level = high
    # a fractional hour runs at the level for its fraction: its busiest moment is still the level
    return [max(x, level) if h in weights else x for h, x in enumerate(online)]


# Scenarios are frozen and hashable: the searches (what flips, the roadmap, API offers' rate-limit checks)
# ask for the same scenario's demand hundreds of times, and the offline water-filling is not free.
@functools.lru_cache(maxsize=512)
def demand(scenario: Scenario) -> Demand:
    """Daily volumes, hourly load, peak rate and concurrency of a scenario.

    Online calls arrive with the day's shape (`daily_shape`): their peak is the average times
    `peak_to_average_ratio`. Offline calls must finish inside `offline_window_hours` each day:
    they fill the quietest hours of that window (`water_fill`), so a short window can set the peak
    (100,000 documents in an 8-hour night need 100,000 / 8 h, not / 24 h). With a 24-hour window
    this is the earlier rule: the peak is the online peak, never below the day's average.
    Concurrency at peak follows Little's law: rate x time a call is in flight, with the
    call taking TTFT plus its generated tokens at the minimum per-user speed.
    """
    w, lat = scenario.workload, scenario.latency
    queries = w.daily_active_users * w.queries_per_user_per_day
    calls = queries * w.agent_calls_per_query
    generated_per_call = w.output_tokens_per_call + w.reasoning_tokens_per_call
    average = calls / SECONDS_PER_DAY
    online_average = average * (1.0 - w.offline_fraction)
    online = [online_average * x for x in daily_shape(w.peak_to_average_ratio)]
    hourly = water_fill(online, w.offline_window_hours, calls * w.offline_fraction)
    # never below the day's average: the water level is found by bisection, to float precision
    peak = max(max(hourly), average, 1e-12)
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
        hourly_calls_per_s=tuple(hourly),
    )
