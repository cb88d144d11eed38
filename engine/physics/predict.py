"""Predict what N accelerators deliver for one model, precision and request shape.

The building block of `python -m engine predict` and of calibration: with N accelerators
it tries every tensor-parallel size (and pipeline stages when the model needs more
than a node) and keeps the split into replicas that delivers the most tokens/s.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from engine.catalog.catalog import Catalog, Hardware, Model, Stack, normalize_precision
from engine.physics.perf import (LATENCY_QUANTILE, OperatingPoint, ReplicaConfig, best_under_slo, max_batch,
                                 max_throughput)

TP_SIZES = (1, 2, 4, 8, 16, 32, 64, 72)
PP_SIZES = (1, 2, 4, 8)
MODES = ("max-throughput", "slo")
# Whether the search tries attention data-parallel + expert parallel (perf.ReplicaConfig.attention_dp)
# beside tensor parallel for MoE models. Off: with the present factors (fitted on tensor-parallel
# layouts) it predicts the DeepSeek-R1 MLPerf rows 2-9x too fast (DP/EP load imbalance across ranks,
# which decode lengths of up to 20k tokens make large, is not modelled yet), so it would win searches
# it does not win in practice. ReplicaConfig(..., attention_dp=True) evaluates it on request.
ATTENTION_DP_SEARCHED = False


@dataclass(frozen=True)
class Prediction:
    model: str
    hardware: str
    stack: str
    precision: str
    kv_precision: str
    accelerators: int
    tensor_parallel: int | None
    pipeline_parallel: int | None
    replicas: int
    batch_size: int
    output_tokens_per_s: float
    output_tokens_per_s_per_accelerator: float
    output_tokens_per_s_per_user: float
    ttft_ms: float | None
    tpot_ms: float | None
    fits: bool
    reason: str = ""
    attention_data_parallel: bool = False  # MoE: attention DP + expert parallel over the tp ranks
    tpot_tail_ms: float | None = None  # slo mode: per-request TPOT at the latency quantile (tpot_ms is the mean)

    def to_dict(self) -> dict:
        return asdict(self)


def default_stack(catalog: Catalog, hw: Hardware) -> Stack:
    """The best-optimised stack a vendor's hardware runs: TensorRT-LLM on NVIDIA, else vLLM."""
    preferred = "tensorrt-llm" if hw.vendor == "nvidia" else "vllm"
    stacks = catalog.stacks_for(hw)
    by_id = {s.id: s for s in stacks}
    return by_id.get(preferred) or stacks[0]


def default_kv_precision(hw: Hardware, precision: str) -> str:
    """FP8 KV cache where the weights are 8-bit or less and the hardware runs FP8, else BF16."""
    return "fp8" if precision != "bf16" and hw.runs("fp8") else "bf16"


def parallel_splits(hw: Hardware, accelerators: int, tensor_parallel: int | None):
    """(tp, pp) pairs a replica may use within `accelerators`: TP inside a node, PP across nodes."""
    node = hw.accelerators_per_node
    for tp in TP_SIZES:
        if tp > min(node, accelerators) or (tensor_parallel and tp != tensor_parallel):
            continue
        for pp in PP_SIZES:
            if tp * pp > accelerators:
                break
            if pp > 1 and tp != min(node, accelerators):
                continue  # pipeline stages only once a stage fills a node
            yield tp, pp


def layouts(hw: Hardware, model: Model, accelerators: int, tensor_parallel: int | None):
    """(tp, pp, attention_dp) a replica may use: every `parallel_splits` pair and, for MoE models,
    attention data-parallel + expert parallel over the same tp ranks of one stage (pp = 1)."""
    for tp, pp in parallel_splits(hw, accelerators, tensor_parallel):
        yield tp, pp, False
        if ATTENTION_DP_SEARCHED and model.is_moe and tp > 1 and pp == 1:
            yield tp, pp, True


def predict(catalog: Catalog, model_id: str, hardware_id: str, precision: str, accelerators: int,
            input_tokens: int, output_tokens: int, stack_id: str | None = None,
            tensor_parallel: int | None = None, mode: str = "max-throughput",
            ttft_ms: float | None = None, tpot_ms: float | None = None,
            kv_precision: str | None = None, latency_quantile: float = LATENCY_QUANTILE,
            speculative: tuple[int, float] | None = None) -> Prediction:
    """Best use of `accelerators` for the case; raises ValueError on unknown ids or bad values.

    In slo mode `ttft_ms` and `tpot_ms` are limits on the `latency_quantile` of TTFT and of per-request
    TPOT under Poisson arrivals (p95 by default, as the scenario's targets; MLPerf's limits are p99).
    `speculative` = (draft tokens, acceptance rate) runs speculative decoding (e.g. a model's MTP head)."""
    model = catalog.get_model(model_id)
    hw = catalog.get_hardware(hardware_id)
    precision = normalize_precision(precision)
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not known: choose one of {', '.join(MODES)}")
    if not model.open_weights:
        raise ValueError(f"model {model_id!r} is closed: it can only be used through its API")
    if hw.is_specialized:
        raise ValueError(f"hardware {hardware_id!r} is sold as a service: see its measured speeds, not a prediction")
    if accelerators < 1 or input_tokens < 1 or output_tokens < 1:
        raise ValueError("accelerators, input_tokens and output_tokens must be at least 1")
    if mode == "slo" and (not ttft_ms or not tpot_ms or ttft_ms <= 0 or tpot_ms <= 0):
        raise ValueError("slo mode needs positive ttft_ms and tpot_ms")
    stack = catalog.get_stack(stack_id) if stack_id else default_stack(catalog, hw)
    if hw.vendor not in stack.vendors:
        raise ValueError(f"stack {stack.id!r} does not run on {hw.vendor} hardware: use one of "
                         f"{', '.join(s.id for s in catalog.stacks_for(hw))}")
    # A released 4-bit checkpoint (MXFP4) also runs weight-only where the hardware has no FP4 math.
    if not hw.runs(precision) and not (precision == "fp4" and model.released_weight_format):
        raise ValueError(f"precision {precision!r} does not run natively on {hw.id}: use one of "
                         f"{', '.join(p for p in hw.native_precisions if hw.runs(p))}")
    kv = kv_precision or default_kv_precision(hw, precision)

    best: tuple[float, ReplicaConfig, OperatingPoint, int] | None = None
    reason = f"no tensor-parallel size fits in {accelerators} accelerators"
    for tp, pp, attention_dp in layouts(hw, model, accelerators, tensor_parallel):
        cfg = ReplicaConfig(model, hw, stack, precision, kv, tp, pp, speculative, attention_dp)
        if mode == "slo":
            point = best_under_slo(cfg, input_tokens, output_tokens, ttft_ms, tpot_ms,
                                   latency_quantile=latency_quantile)
        else:
            point = max_throughput(cfg, input_tokens, output_tokens)
        if point is None:
            batch, why = max_batch(cfg, input_tokens, output_tokens)
            reason = why or f"no batch meets TTFT <= {ttft_ms:g} ms and TPOT <= {tpot_ms:g} ms at tp={tp}"
            continue
        replicas = accelerators // cfg.accelerators
        total = replicas * point.output_tokens_per_s
        if best is None or total > best[0]:
            best = (total, cfg, point, replicas)
    if best is None:
        return Prediction(model.id, hw.id, stack.id, precision, kv, accelerators, tensor_parallel, None,
                          0, 0, 0.0, 0.0, 0.0, None, None, False, reason)
    total, cfg, point, replicas = best
    return Prediction(model.id, hw.id, stack.id, precision, kv, accelerators, cfg.tp, cfg.pp, replicas,
                      point.batch_size, total, total / accelerators, point.output_tokens_per_s_per_user,
                      point.ttft_ms, point.tpot_ms, True, attention_data_parallel=cfg.attention_dp,
                      tpot_tail_ms=point.tpot_tail_ms if mode == "slo" else None)
