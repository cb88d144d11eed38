"""Throughput-versus-interactivity curves and the memory split of a sized configuration.

For one sized accelerator the serving trade-off is a curve: a bigger batch raises the
tokens each accelerator produces per second and lowers the speed each user sees. The
curve is what InferenceMAX plots (throughput per GPU against interactivity); the SLO's
per-user speed is a vertical line on it, and the sized batch is the point just right of it.
"""
from __future__ import annotations

import math

from dataclasses import dataclass

from engine.catalog.catalog import Catalog, load_catalog
from engine.capacity.sizing import HardwareOption, caches_prefixes, lever_settings
from engine.physics.perf import ReplicaConfig, max_batch, serving_point
from engine.scenario.schema import Scenario

DEFAULT_POINTS = 28  # batches swept per curve: smooth on a log axis, cheap to compute


@dataclass(frozen=True)
class CurvePoint:
    batch_size: int
    output_tokens_per_s_per_accelerator: float
    output_tokens_per_s_per_user: float
    ttft_ms: float
    meets_slo: bool  # TTFT and per-user speed both within the scenario's targets


@dataclass(frozen=True)
class MemorySplit:
    """How the sized replica's HBM is used at the scenario's sequence length [GB, decimal]."""

    memory_gb: float
    weights_gb: float
    kv_cache_gb: float  # what the serving stack reserves for KV cache
    other_gb: float  # runtime reserve and the share the stack leaves unallocated

    @property
    def weights_fraction(self) -> float:
        return self.weights_gb / self.memory_gb if self.memory_gb else 0.0


def batch_sizes(upper: int, points: int = DEFAULT_POINTS) -> list[int]:
    """Distinct batch sizes from 1 to `upper`, spaced geometrically (always includes both ends)."""
    if upper < 1:
        return []
    if upper == 1:
        return [1]
    ratio = upper ** (1.0 / max(points - 1, 1))
    sizes = {1, upper}
    value = 1.0
    for _ in range(points):
        value *= ratio
        sizes.add(min(upper, max(1, round(value))))
    return sorted(sizes)


def replica_config(option: HardwareOption, scenario: Scenario, catalog: Catalog | None = None) -> ReplicaConfig | None:
    """The replica configuration sizing chose for `option`, levers included, or None when it has none."""
    if not option.feasible or option.specialized or not option.stack or not option.precision:
        return None
    catalog = catalog or load_catalog()
    _, speculative, _ = lever_settings(scenario)
    return ReplicaConfig(catalog.get_model(scenario.model.id), catalog.get_hardware(option.hardware),
                         catalog.get_stack(option.stack), option.precision,
                         option.kv_precision or option.precision, option.tensor_parallel or 1,
                         option.pipeline_parallel or 1, speculative)


def throughput_curve(scenario: Scenario, option: HardwareOption, catalog: Catalog | None = None,
                     points: int = DEFAULT_POINTS) -> list[CurvePoint]:
    """Tokens/s per accelerator against tokens/s per user, sweeping the batch of the sized replica.

    Parameters
    ----------
    scenario : the workload; its input and generated tokens per call shape every point.
    option : a sized accelerator (``plan.hardware_options``); infeasible or specialized
        options (sold as a service, no batch to sweep) give an empty list.
    points : number of batch sizes swept, geometrically from 1 to the memory / stack limit;
        the sized batch is always one of them, so the sized point lies on its curve.

    Returns
    -------
    Points in increasing batch order; throughput per accelerator [tok/s] is the replica's
    output rate over its accelerators, per-user speed [tok/s] is 1000 / p95 TPOT (the figure the
    target is judged on). Batches at which requests would wait without end for a free slot (the cap,
    under Poisson arrivals) have no point. Each point
    is priced as sizing prices it, the scenario's levers included (`lever_settings`). With
    disaggregated prefill, throughput blends the decode replica with a prefill pool sized
    for the TTFT target, so batches at which no pool can meet it have no point.
    """
    cfg = replica_config(option, scenario, catalog)
    if cfg is None:
        return []
    cached_input_fraction, _, disaggregated = lever_settings(scenario)
    if caches_prefixes(cfg.stack.id, scenario):  # as sizing priced it: the stack's own default
        cached_input_fraction = scenario.workload.shared_prefix_fraction
    isl = scenario.workload.input_tokens_per_call
    osl = scenario.workload.output_tokens_per_call + scenario.workload.reasoning_tokens_per_call
    upper, _ = max_batch(cfg, isl, osl)
    lat = scenario.latency
    # A disaggregated prefill pool is sized to meet the TTFT target exactly: allow rounding.
    ttft_limit_ms = lat.ttft_p95_ms * (1.0 + 1e-9)
    sized = {option.batch_size} if option.batch_size and option.batch_size <= upper else set()
    out = []
    for b in sorted(set(batch_sizes(upper, points)) | sized):
        p = serving_point(cfg, b, isl, osl, cached_input_fraction, lat.ttft_p95_ms if disaggregated else None)
        if p is None or not math.isfinite(p.ttft_ms):  # at the cap random arrivals wait without end for a slot
            continue
        per_user = p.output_tokens_per_s_per_user
        out.append(CurvePoint(b, p.output_tokens_per_s / cfg.accelerators, per_user, p.ttft_ms,
                              p.ttft_ms <= ttft_limit_ms and per_user >= lat.min_output_tokens_per_s_per_user))
    return out


def throughput_curves(scenario: Scenario, options: tuple[HardwareOption, ...],
                      catalog: Catalog | None = None, points: int = DEFAULT_POINTS) -> dict[str, list[CurvePoint]]:
    """`throughput_curve` for every feasible, non-specialized option, keyed by hardware id."""
    catalog = catalog or load_catalog()
    curves = {o.hardware: throughput_curve(scenario, o, catalog, points) for o in options}
    return {k: v for k, v in curves.items() if v}


def operating_point_of(option: HardwareOption) -> tuple[float, float] | None:
    """Where the sized configuration sits on its curve: (tok/s per user, tok/s per accelerator)."""
    if not option.feasible or option.specialized or not option.tpot_ms or not option.accelerators_per_replica:
        return None
    return (1000.0 / option.tpot_ms,
            (option.output_tokens_per_s_per_replica or 0.0) / option.accelerators_per_replica)


def memory_split(option: HardwareOption) -> MemorySplit | None:
    """Weights, KV cache and the rest of the sized replica's memory, or None without a sizing."""
    if option.memory_gb is None or option.weights_gb is None:
        return None
    kv = option.kv_cache_gb or 0.0
    return MemorySplit(option.memory_gb, option.weights_gb, kv,
                       max(option.memory_gb - option.weights_gb - kv, 0.0))
