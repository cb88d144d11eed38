"""Sizing: for each accelerator, the cheapest configuration that meets the SLO at peak.

Search space per hardware: serving stack x weight precision x (tensor, pipeline)
parallelism x batch. The batch is the largest one meeting TTFT and TPOT (perf.best_under_slo);
the configuration kept is the one with the lowest accelerator-hours at peak load,
priced at the hardware's on-demand rate (ties: lower TTFT).
"""
from __future__ import annotations

import functools
import math

from dataclasses import dataclass, field

from engine.catalog.catalog import FOUR_BIT, Catalog, Hardware, Model, Stack
from engine.catalog.tables import load_table
from engine.memo import by_identity
from engine.capacity import fleet
from engine.capacity.demand import Demand, demand
from engine.physics.perf import (ReplicaConfig, best_under_slo, disaggregated_point, max_batch, memory_fit,
                                 slo_throughput_ceiling)
from engine.physics.predict import layouts
from engine.scenario.schema import Scenario

QUALITY_NEUTRAL_PRECISIONS = ("bf16", "fp8")


@dataclass(frozen=True)
class HardwareOption:
    hardware: str
    hardware_name: str
    feasible: bool
    reason: str = ""
    stack: str | None = None
    precision: str | None = None
    kv_precision: str | None = None
    tensor_parallel: int | None = None
    pipeline_parallel: int | None = None
    accelerators_per_replica: int | None = None
    batch_size: int | None = None
    ttft_ms: float | None = None  # p95 of requests
    tpot_ms: float | None = None  # p95 of requests' TPOT (perf.tpot_tail_s): what the speed target is judged on
    tpot_mean_ms: float | None = None  # the mean over requests (throughput = batch / mean TPOT)
    output_tokens_per_s_per_replica: float | None = None
    replicas_for_peak: int | None = None
    accelerators_for_peak: int | None = None  # minimum meeting peak at the SLO, no headroom
    replicas: int | None = None
    accelerators: int | None = None  # with headroom and redundancy
    utilization: float | None = None  # average load / installed capacity
    peak_utilization: float | None = None
    weights_gb: float | None = None
    kv_cache_gb: float | None = None
    memory_gb: float | None = None
    specialized: bool = False
    output_tokens_per_s_per_user: float | None = field(init=False)  # 1000 / TPOT, for screens

    def __post_init__(self) -> None:
        object.__setattr__(self, "output_tokens_per_s_per_user", 1000.0 / self.tpot_ms if self.tpot_ms else None)


@dataclass(frozen=True)
class SizingResult:
    demand: Demand
    options: tuple[HardwareOption, ...]


def searched_precisions(hw: Hardware, allow_4bit: bool) -> list[str]:
    """Weight precisions worth trying. Where FP8 runs natively it halves the bytes and doubles
    the FLOPs of BF16 at no modelled quality cost, so BF16 can never win and is skipped."""
    allowed = QUALITY_NEUTRAL_PRECISIONS + (FOUR_BIT if allow_4bit else ())
    runnable = [p for p in allowed if hw.runs(p)]
    return [p for p in runnable if not (p == "bf16" and "fp8" in runnable)]


EFFICIENCIES = ("mbu", "kv_mbu", "mfu_decode", "mfu_prefill", "fp4_compute_efficiency", "expert_gemm_efficiency")
OVERHEADS = ("step_overhead_ms", "activation_bytes_per_layer", "layer_floor_us")


def _dominates(a: Stack, b: Stack, vendor: str) -> bool:
    """a is at least as fast as b in every factor on this vendor and allows as large a batch."""
    ea, eb = a.efficiency_on(vendor), b.efficiency_on(vendor)
    return (a.continuous_batching >= b.continuous_batching and a.max_batch >= b.max_batch
            and all(getattr(a, f) * ea >= getattr(b, f) * eb for f in EFFICIENCIES)
            and all(getattr(a, f) <= getattr(b, f) for f in OVERHEADS))


def searched_stacks(catalog: Catalog, hw: Hardware) -> list[Stack]:
    """Continuous-batching stacks on the hardware that no other stack beats in every factor.

    A dominated stack can never give a cheaper configuration, so searching it is wasted work;
    static-batching baselines never win a search (the roadmap prices them explicitly).
    """
    stacks = [s for s in catalog.stacks_for(hw) if s.continuous_batching]
    return [s for s in stacks if not any(o is not s and _dominates(o, s, hw.vendor)
                                         and not _dominates(s, o, hw.vendor) for o in stacks)]


def deployment_excludes(hw: Hardware, deployment: str) -> str:
    """Why a deployment constraint rules the hardware out ('' when it does not)."""
    if deployment == "on_prem" and hw.cloud_only:  # hardware.yaml cloud_only, with its source
        return f"{hw.name} is only sold as a cloud service; the scenario requires on-prem"
    if deployment == "on_prem" and hw.is_specialized:
        # Cerebras and SambaNova also sell racks, but no purchase price has a source: the
        # engine models them as per-token services only.
        return f"{hw.name} is modelled as a cloud service (no sourced rack price); the scenario requires on-prem"
    return ""


def _specialized_option(hw: Hardware, model: Model, scenario: Scenario) -> HardwareOption:
    speeds = [s for s in hw.measured_speeds if s.model_id == model.id]
    if not speeds:
        return HardwareOption(hw.id, hw.name, False, f"no measured speed for {model.id} on {hw.name}",
                              specialized=True)
    best = max(speeds, key=lambda s: s.output_tokens_per_s_per_user)
    lat = scenario.latency
    tpot = 1000.0 / best.output_tokens_per_s_per_user
    meets_speed = best.output_tokens_per_s_per_user >= lat.min_output_tokens_per_s_per_user
    meets_ttft = best.ttft_ms is None or best.ttft_ms <= lat.ttft_p95_ms
    reason = (f"sold as a service; {best.output_tokens_per_s_per_user:,.0f} tok/s per user "
              f"({best.basis}, {best.source.split(' ')[0]})")
    if not meets_speed:
        reason = (f"measured {best.output_tokens_per_s_per_user:,.0f} tok/s per user is below the "
                  f"{lat.min_output_tokens_per_s_per_user:g} tok/s target")
    elif not meets_ttft:
        reason = f"measured TTFT {best.ttft_ms:,.0f} ms exceeds the {lat.ttft_p95_ms:g} ms target"
    return HardwareOption(hw.id, hw.name, meets_speed and meets_ttft, reason, ttft_ms=best.ttft_ms,
                          tpot_ms=tpot, specialized=True)


@functools.lru_cache(maxsize=1)
def _caching_by_default() -> frozenset[str]:
    return frozenset(r["id"] for r in load_table("serving_defaults") if r.get("prefix_caching_by_default"))


def caches_prefixes(stack_id: str, scenario: Scenario) -> bool:
    """Whether a replica on this stack reuses the shared prompt prefix: vLLM, SGLang and TensorRT-LLM do
    by default (serving_defaults.yaml); levers.prefix_caching turns it on for any other stack."""
    return scenario.levers.prefix_caching or stack_id in _caching_by_default()


def lever_settings(scenario: Scenario) -> tuple[float, tuple[int, float] | None, bool]:
    """How the scenario's lever switches shape a replica, for sizing and for its curves.

    Returns
    -------
    cached_input_fraction : share of each prompt served from the prefix cache with the lever on (0 when off);
        stacks that cache by default use the share whatever the lever (`caches_prefixes`).
    speculative : (draft tokens, acceptance rate) for ``ReplicaConfig``, None when off.
    disaggregated : whether prompts are prefilled on a separate pool.
    """
    levers = scenario.levers
    cached_input_fraction = scenario.workload.shared_prefix_fraction if levers.prefix_caching else 0.0
    speculative = ((levers.speculative_draft_tokens, levers.speculative_acceptance_rate)
                   if levers.speculative_decoding else None)
    return cached_input_fraction, speculative, levers.disaggregated_prefill


def size_hardware(catalog: Catalog, hw: Hardware, model: Model, scenario: Scenario, dem: Demand) -> HardwareOption:
    """Cheapest configuration of `hw` meeting the scenario's SLO at peak, or why none does.

    The scenario's lever switches shape the replica: prefix caching (on by default in vLLM,
    SGLang and TensorRT-LLM) skips the shared prompt prefix in prefill; speculative decoding drafts and verifies tokens; disaggregation
    prefills prompts on a separate pool of the same replica shape.
    """
    cached_input_fraction, speculative, disaggregated = lever_settings(scenario)
    excluded = deployment_excludes(hw, scenario.constraints.deployment)
    if excluded:
        return HardwareOption(hw.id, hw.name, False, excluded, specialized=hw.is_specialized)
    if hw.is_specialized:
        return _specialized_option(hw, model, scenario)
    w, lat = scenario.workload, scenario.latency
    isl, osl = w.input_tokens_per_call, dem.generated_tokens_per_call
    allow_4bit = scenario.model.allow_4bit_weights or model.ships_4bit
    kv = scenario.model.kv_cache_precision if hw.runs("fp8") else "bf16"
    cached_by_stack = tuple((stack, w.shared_prefix_fraction if caches_prefixes(stack.id, scenario) else cached_input_fraction)
                            for stack in searched_stacks(catalog, hw))
    configs = _configs(hw, model, cached_by_stack, allow_4bit, kv, speculative)
    price = hw.on_demand_usd_per_hour or 1.0

    def cost_key(cfg: ReplicaConfig, tokens_per_s: float) -> tuple[float, int]:
        # What is paid for is the installed fleet, headroom and spares included; then the accelerators at the peak.
        replicas_peak, replicas = replica_counts(tokens_per_s / osl, dem, scenario)
        return replicas * cfg.accelerators * price, replicas_peak * cfg.accelerators

    # Each configuration's throughput at its largest batch bounds what it carries under the targets
    # (perf.slo_throughput_ceiling), so its fleet can cost no less than that throughput's: configurations are
    # searched cheapest bound first, and the search stops where the next bound already costs more than the
    # best found (about a quarter of them are searched on the presets). Without a bound (a static-batching stack,
    # none searched today) a configuration is always searched. Ties keep the catalog's order, so the answer is
    # the full scan's.
    def bound(cfg: ReplicaConfig, ceiling: float | None) -> tuple:
        if ceiling is None:
            return (-math.inf,)
        return cost_key(cfg, ceiling) if ceiling > 0 else (math.inf,)  # nothing fits: never the cheapest

    ceilings = _ceilings(configs, isl, osl, disaggregated)
    best: tuple[tuple, ReplicaConfig, object] | None = None
    for lower, index in sorted((bound(configs[i][0], c), i) for i, c in enumerate(ceilings)):
        if best is not None and lower > best[0][:2]:
            break
        cfg, cached = configs[index]
        point = _slo_point(cfg, isl, osl, lat.ttft_p95_ms, lat.max_tpot_ms, cached, disaggregated)
        if point is None:
            continue
        key = (*cost_key(cfg, point.output_tokens_per_s), point.ttft_ms, index)
        if best is None or key < best[0]:
            best = (key, cfg, point)
    if best is None:
        return HardwareOption(hw.id, hw.name, False, _no_configuration_reason(configs, isl, osl, lat, disaggregated))
    _, cfg, point = best
    return _option(hw, cfg, point, scenario, dem, isl, osl)


@by_identity(maxsize=4096)
def _configs(hw: Hardware, model: Model, cached_by_stack: tuple[tuple[Stack, float], ...], allow_4bit: bool,
             kv: str, speculative: tuple[int, float] | None) -> tuple[tuple[ReplicaConfig, float], ...]:
    """Every configuration of `hw` searched, with its stack's cached share of the prompt, in the catalog's order
    (stack, precision, layout)."""
    return tuple((_replica_config(model, hw, stack, precision, kv, tp, pp, speculative, attention_dp), cached)
                 for stack, cached in cached_by_stack
                 for precision in searched_precisions(hw, allow_4bit)
                 for tp, pp, attention_dp in layouts(hw, model, 64, None))


@by_identity(maxsize=4096, whole=0)
def _ceilings(configs: tuple[tuple[ReplicaConfig, float], ...], isl: float, osl: float,
              disaggregated: bool) -> tuple[float | None, ...]:
    """Each configuration's perf.slo_throughput_ceiling: the same for every volume and target sized."""
    return tuple(slo_throughput_ceiling(cfg, isl, osl, cached, disaggregated) for cfg, cached in configs)


def _no_configuration_reason(configs: tuple[tuple[ReplicaConfig, float], ...], isl: float, osl: float, lat,
                             disaggregated: bool) -> str:
    """Why no configuration meets the targets: the first one's memory reason where none fits, else the targets."""
    reason = ""
    for cfg, cached in configs:
        # the search found no batch: none fits in memory (its reason), or none meets the targets
        upper, why = _max_batch(cfg, isl, osl)
        if upper < 1:
            reason = reason or why
            continue
        if _slo_point(cfg, isl, osl, lat.ttft_p95_ms, lat.max_tpot_ms, cached, disaggregated) is not None:
            continue  # a candidate (asked only when none was found: not reached)
        if not reason or reason.startswith("weights") or reason.startswith("one sequence"):
            reason = (f"no configuration meets TTFT <= {lat.ttft_p95_ms:,.0f} ms and "
                      f"{lat.min_output_tokens_per_s_per_user:g} tok/s per user")
    return reason or "no configuration runs this model"


# A replica's best point depends on its configuration, the call's shape and the targets, never on
# the volume: the roadmap re-sizes the same replicas for volume-only levers (caching, fewer calls,
# on-device), so the search is memoised per process (engine.memo.forget_memos empties it).
@by_identity(maxsize=8192)
def _max_batch(cfg: ReplicaConfig, isl: float, osl: float) -> tuple[int, str]:
    return max_batch(cfg, isl, osl)


@by_identity(maxsize=8192)
def _slo_point(cfg: ReplicaConfig, isl: float, osl: float, ttft_ms: float, tpot_ms: float,
               cached_input_fraction: float, disaggregated: bool):
    """The largest batch meeting both targets (perf.best_under_slo), with its prefill pool when disaggregated."""
    point = best_under_slo(cfg, isl, osl, ttft_ms, tpot_ms, cached_input_fraction, disaggregated=disaggregated)
    return point and disaggregated_point(point, ttft_ms, osl) if disaggregated else point


# The configurations searched, one object per record and setting: what flips the answer re-sizes an accelerator at
# other latency targets, and the same configuration object keeps its pass timer and its call shapes
# (perf.ReplicaConfig.searched_shapes). As many kept as the searches' memo above.
@by_identity(maxsize=8192)
def _replica_config(model: Model, hw: Hardware, stack: Stack, precision: str, kv: str, tp: int, pp: int,
                    speculative: tuple[int, float] | None, attention_dp: bool) -> ReplicaConfig:
    return ReplicaConfig(model, hw, stack, precision, kv, tp, pp, speculative, attention_dp)


def replica_counts(calls_per_s_per_replica: float, dem: Demand, scenario: Scenario) -> tuple[int, int]:
    """Replicas that carry today's peak exactly, and replicas installed (the fleet rule, fleet.py)."""
    c = scenario.constraints
    return fleet.replicas(dem.peak_calls_per_s, calls_per_s_per_replica, c.headroom_fraction, c.redundant_replicas,
                          c.failure_domains)


def _option(hw, cfg: ReplicaConfig, point, scenario: Scenario, dem: Demand, isl: float, osl: float) -> HardwareOption:
    calls_per_s_per_replica = point.output_tokens_per_s / osl
    replicas_peak, replicas = replica_counts(calls_per_s_per_replica, dem, scenario)
    capacity = replicas * calls_per_s_per_replica
    fit = memory_fit(cfg, isl + osl)
    return HardwareOption(
        hardware=hw.id, hardware_name=hw.name, feasible=True, reason="meets the SLO",
        stack=cfg.stack.id, precision=cfg.precision, kv_precision=cfg.kv_precision,
        tensor_parallel=cfg.tp, pipeline_parallel=cfg.pp, accelerators_per_replica=cfg.accelerators,
        batch_size=point.batch_size, ttft_ms=point.ttft_ms, tpot_ms=point.tpot_judged_ms, tpot_mean_ms=point.tpot_ms,
        output_tokens_per_s_per_replica=point.output_tokens_per_s,
        replicas_for_peak=replicas_peak, accelerators_for_peak=replicas_peak * cfg.accelerators,
        replicas=replicas, accelerators=replicas * cfg.accelerators,
        utilization=dem.average_calls_per_s / capacity, peak_utilization=dem.peak_calls_per_s / capacity,
        weights_gb=fit.weights_gb, kv_cache_gb=fit.kv_cache_gb, memory_gb=fit.memory_gb,
    )


def size(scenario: Scenario, catalog: Catalog) -> SizingResult:
    """Every catalog accelerator sized for the scenario (feasible or with its reason)."""
    model = catalog.get_model(scenario.model.id)
    dem = demand(scenario)
    if not model.open_weights:
        options = tuple(HardwareOption(hw.id, hw.name, False, f"{model.name} is closed: API only")
                        for hw in catalog.hardware.values())
        return SizingResult(dem, options)
    vendors = scenario.constraints.allowed_vendors
    options = []
    for hw in catalog.hardware.values():
        if vendors and hw.vendor not in vendors:
            options.append(HardwareOption(hw.id, hw.name, False, f"vendor {hw.vendor} is not in the allowed vendors"))
            continue
        options.append(size_hardware(catalog, hw, model, scenario, dem))
    return SizingResult(dem, tuple(options))
