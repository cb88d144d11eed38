"""Performance model of one replica: memory fit, decode step, prefill, TTFT and TPOT.

A replica is one copy of the model on ``tp x pp`` accelerators (tensor parallel inside
a node, pipeline stages across nodes when the model needs more memory than a node has).

Physics (DESIGN.md):
- weights = params_total x bytes(precision); KV per sequence from the attention type;
  ~90% of HBM is usable; what weights leave holds KV cache.
- one iteration of one rank is a sum over operators, each combining its memory and compute time
  as (m^p + c^p)^(1/p) (operator_s; max() is the roofline it never beats):
  dense GEMMs, expert GEMMs (the experts the batch touches; each expert's tokens in whole tiles), decode
  attention (KV read, attention FLOPs at the BF16/FP8 rate: FP4 only for GEMMs), prefill attention, activation
  traffic (tokens x hidden x layers x bytes per element), a per-layer kernel floor and the host's
  step overhead; plus 2 tensor-parallel all-reduces per layer from measured collective tables
  (collectives.yaml: latency + size / bus bandwidth per fabric and GPU count).
- prefill: (2 x params_active x L + attention) / (tp x FLOPs x MFU_prefill).
- with continuous batching, each finished sequence is replaced by a new one whose
  prefill steals time from decode; prompts come whole, so with fewer than one arrival per
  iteration some iterations carry a prompt (compute-bound) and the rest decode alone.
- latency targets are judged at a percentile of requests (p95 for the product, p99 for MLPerf):
  TTFT's queueing tail (behind other prompts, and for a free sequence slot when the batch runs near
  the most the replica holds), and TPOT's: a request's TPOT is the mean iteration plus the prompts
  that joined its batch while it decoded (a Poisson count), plus a measured unexplained spread.

References
----------
Pope et al., "Efficiently Scaling Transformer Inference", MLSys 2023 (memory/compute
bounds of decode, tensor-parallel communication).
Kwon et al., "Efficient Memory Management for LLM Serving with PagedAttention", SOSP 2023.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from statistics import NormalDist

from engine.catalog.catalog import (BLOCK_SCALE_BYTES_PER_VALUE, BYTES_PER_VALUE, Hardware, Model, Stack,
                                    fabric_for, interconnect, physics_value)

# Vendors' "GB" of HBM are binary: an 80 GB H100 shows 81,559 MiB in nvidia-smi.
BYTES_PER_MEMORY_GB = 2**30
# What the KV cache gets (memory_fit) is a property of the serving stack (stacks.yaml: its KV fraction, runtime
# reserve, token budget and block size); NCCL buffers and the activation workspace's coefficients: physics.yaml.
NCCL_BUFFER_GIB = physics_value("nccl_buffer_gib")
ACTIVATION_WORKSPACE = (physics_value("activation_workspace_base"), physics_value("activation_workspace_per_tp"))
ACTIVATION_BYTES = 2.0  # activations travel between GPUs in bf16
# Read once from the data tables, each with its source: interconnects.yaml, physics.yaml.
# Scale-out NIC when pipeline stages span nodes (scale-up all-reduces: collectives.yaml).
SCALE_OUT = interconnect("scale-out-400g-nic")
# p95 of the M/D/1 queueing wait as a multiple of its mean: ln(20), an exponential tail.
P95_QUEUE_FACTOR = physics_value("p95_queue_wait_factor")
# The percentile the product's latency targets name (scenario latency.ttft_p95_ms; the per-user speed is
# met by 95% of requests): TTFT and TPOT are both judged there. MLPerf's limits are p99 (calibration.py).
LATENCY_QUANTILE = 0.95
# Spread of per-request TPOT around its mean that prefill interference does not explain (scheduling,
# load swings, output-length mix), as a share of the mean at p99; other quantiles scale with the normal z.
TPOT_SPREAD_P99 = physics_value("tpot_p99_spread")
_NORMAL = NormalDist()
_Z_P99 = _NORMAL.inv_cdf(0.99)


def tpot_spread(quantile: float) -> tuple[float, float]:
    """(unexplained spread as a share of the mean TPOT, z) at `quantile` of per-request TPOT."""
    z = _NORMAL.inv_cdf(quantile)
    return TPOT_SPREAD_P99 * z / _Z_P99, z


def queue_tail_factor(quantile: float) -> float:
    """The `quantile` of an exponential-tailed queueing wait as a multiple of its mean: -ln(1 - q),
    scaled so that p95 gives physics.yaml's p95_queue_wait_factor (3.0 = ln 20)."""
    return P95_QUEUE_FACTOR * math.log(1.0 / (1.0 - quantile)) / math.log(20.0)
# Drafting with a light head (EAGLE / Medusa style), per verification step, as a share of a target step.
DRAFT_OVERHEAD = physics_value("speculative_draft_overhead")
# How memory and compute time of one operator combine (operator_s).
OVERLAP_P = physics_value("roofline_overlap_exponent")
MOE_TILE_TOKENS = physics_value("moe_tile_tokens")


@dataclass(frozen=True)
class ReplicaConfig:
    model: Model
    hardware: Hardware
    stack: Stack
    precision: str  # weight precision
    kv_precision: str
    tp: int = 1
    pp: int = 1
    speculative: tuple[int, float] | None = None  # (draft tokens, acceptance rate)
    # MoE only: attention and dense layers data-parallel over the tp ranks (each rank holds all of
    # them and its own sequences' KV cache) and the routed experts split over the same ranks
    # (expert parallel, EP = tp), tokens sent to their experts and back by all-to-all.
    attention_dp: bool = False

    @property
    def accelerators(self) -> int:
        return self.tp * self.pp

    @property
    def layout(self) -> str:
        """How the replica splits the model, in words the screens and the CLI show."""
        if self.attention_dp:
            return f"attention DP{self.tp} + expert parallel EP{self.tp}"
        return f"TP{self.tp}" + (f" x PP{self.pp}" if self.pp > 1 else "")

    @functools.cached_property
    def rates(self) -> tuple[float, float, float, float, float]:
        """Computed once per configuration: the search evaluates thousands of batches."""
        return _rates(self)

    @functools.cached_property
    def dense_bytes_read(self) -> float:
        """Non-expert weight bytes one forward pass streams (`dense_weight_bytes_read`), computed once."""
        return dense_weight_bytes_read(self.model, self.precision)

    @functools.cached_property
    def gemm_rates(self) -> tuple[float, float]:
        """(non-expert, expert) GEMM FLOP/s of one rank (`gemm_rates`), computed once."""
        return gemm_rates(self)

    @functools.cached_property
    def pass_timer(self):
        """`iteration_s` of this configuration with its batch-independent factors computed once (`_pass_timer`)."""
        return _pass_timer(self)

    @functools.cached_property
    def searched_shapes(self) -> dict:
        """(largest batch, `_Shape`) by call shape, as `best_under_slo` last found them: a search at other
        latency targets (what flips the answer) starts from them."""
        return {}

    def __getstate__(self) -> dict:
        # The pass timer is a closure, which pickle and deepcopy cannot copy: it and the shapes that use it
        # are rebuilt when next asked.
        return {k: v for k, v in self.__dict__.items() if k not in ("pass_timer", "searched_shapes")}


@dataclass(frozen=True)
class MemoryFit:
    weights_gb: float
    memory_gb: float  # HBM of the replica, decimal GB
    kv_cache_gb: float
    kv_bytes_per_sequence: float
    max_sequences: int
    fits: bool
    reason: str = ""


@dataclass(frozen=True)
class OperatingPoint:
    """One replica running `batch_size` sequences of (input, output) tokens."""

    batch_size: int
    ttft_ms: float
    tpot_ms: float
    output_tokens_per_s: float  # whole replica
    prefill_ms: float
    decode_step_ms: float
    # TPOT at the point's latency percentile of requests (`tpot_tail_s`); None for a closed loop (max_throughput,
    # no target to judge), whose per-user speed is the mean's
    tpot_tail_ms: float | None = None

    @property
    def tpot_judged_ms(self) -> float:
        """TPOT at the latency percentile the point was judged at (the mean where it was not judged)."""
        return self.tpot_tail_ms if self.tpot_tail_ms is not None else self.tpot_ms

    @property
    def output_tokens_per_s_per_user(self) -> float:
        """The speed a request at that percentile sees: what a per-user speed target is judged on."""
        return 1000.0 / self.tpot_judged_ms


# --- model geometry -------------------------------------------------------------

def kv_bytes_per_sequence(model: Model, kv_precision: str, context_tokens: float,
                          window_aware: bool = True) -> float:
    """KV-cache bytes one sequence holds at `context_tokens` [bytes].

    GQA: 2 (K and V) x kv_heads x head_dim per layer and token. MLA keeps one compressed
    latent of kv_lora_rank + rope dims per layer and token. Sliding-window / chunked layers
    hold at most `sliding_window` tokens; with `window_aware` False they are counted like
    full-attention layers (what a stack whose KV pool reserves them the whole sequence sets aside,
    Stack.kv_cache_window_aware), though attention still reads only the window.
    """
    value_bytes = BYTES_PER_VALUE[kv_precision]
    if model.attention_type == "mla":
        per_layer_token = (model.kv_lora_rank or 0) + (model.qk_rope_head_dim or 0)
    else:
        per_layer_token = 2 * model.num_kv_heads * model.head_dim
    full_layers = model.full_attention_layers or model.num_layers
    local_layers = model.num_layers - full_layers
    window = (model.sliding_window if window_aware else None) or context_tokens
    tokens = full_layers * context_tokens + local_layers * min(context_tokens, window)
    return tokens * per_layer_token * value_bytes


def kv_replication(model: Model, tp: int, attention_dp: bool = False) -> float:
    """How many copies of each KV head a tensor-parallel group keeps.

    Heads are split across the tp ranks; with fewer KV heads than ranks each head is
    copied on tp / kv_heads ranks. MLA's single latent is copied on every rank.
    With attention data-parallel each rank keeps its own sequences' whole cache: one copy.
    """
    if attention_dp:
        return 1.0
    if model.attention_type == "mla":
        return float(tp)
    return max(1.0, tp / model.num_kv_heads)


def weight_precisions(model: Model, precision: str) -> tuple[str, str]:
    """(non-expert, expert) weight precision of `model` served at `precision`.

    Served at its released precision, a 4-bit MoE checkpoint keeps attention, router and embeddings at
    its non_expert_weight_precision (gpt-oss: BF16, models.yaml); otherwise every weight is at `precision`.
    """
    if precision == model.released_weight_precision and model.non_expert_weight_precision:
        return model.non_expert_weight_precision, precision
    return precision, precision


def bytes_per_weight(model: Model, precision: str) -> tuple[float, float]:
    """(non-expert, expert) bytes per weight, with the 4-bit checkpoint's block scales
    (MXFP4: one byte per 32 values, catalog.BLOCK_SCALE_BYTES_PER_VALUE) on its 4-bit weights.

    A 16-bit checkpoint quantised to FP4 for serving (NVFP4: one FP8 scale per 16 values) is counted without
    its scales: with them (+12.5% of the FP4 bytes) the calibration got worse (max-throughput p90 24.8% ->
    25.2%, leave-one-hardware-out p90 37.2% -> 38.2%; 27.2% / 38.3% after a refit), so the FP4 rows' other
    terms do not yet carry them consistently. FP8's per-tensor or 128 x 128 block scales are under 0.03%."""
    scale = BLOCK_SCALE_BYTES_PER_VALUE.get(model.released_weight_format or "", 0.0)

    def one(p: str) -> float:
        return BYTES_PER_VALUE[p] + (scale if p == model.released_weight_precision else 0.0)

    dense, expert = weight_precisions(model, precision)
    return one(dense), one(expert)


def embedding_params(model: Model) -> tuple[float, float]:
    """(input embedding, LM head) parameters [params]: vocab x hidden each; a tied LM head is the input
    table (counted once, as the LM head). 0 where the catalog has no vocabulary size."""
    table = float(model.vocab_size or 0) * (model.hidden_size or 0)
    return (0.0, table) if model.tie_word_embeddings else (table, table)


# Quantised checkpoints keep the embedding table and the LM head in BF16 (ModelOpt's FP8 / NVFP4 and
# gpt-oss's MXFP4 checkpoints quantise the decoder layers only).
EMBEDDING_BYTES = BYTES_PER_VALUE["bf16"]


def dense_weight_bytes(model: Model, precision: str) -> float:
    """Bytes of the non-expert weights: the decoder's at their precision, embeddings and LM head at BF16."""
    routed = model.routed_expert_params_b * 1e9 if model.is_moe else 0.0
    embedding, head = embedding_params(model)
    decoder = model.params_total_b * 1e9 - routed - embedding - head
    return decoder * bytes_per_weight(model, precision)[0] + (embedding + head) * EMBEDDING_BYTES


def prompts_in_pass(prefill_tokens: float, prompt_tokens: float) -> float:
    """How many prompts end in a pass carrying `prefill_tokens` of prompts of `prompt_tokens` each."""
    return prefill_tokens / prompt_tokens if prefill_tokens > 0 and prompt_tokens > 0 else 0.0


def dense_gemm_flops(model: Model, tokens: float, logit_tokens: float) -> float:
    """Matmul FLOPs of the non-expert weights for `tokens` tokens, of which `logit_tokens` need logits [FLOP].

    2 per active weight and token, but the input embedding is a table lookup (no FLOPs) and the LM head runs
    only for tokens whose next token is sampled: every decode token, and the last token of each prompt
    (TensorRT-LLM and vLLM compute no logits for the rest of a prompt unless asked: TensorRT-LLM
    gather_context_logits is off by default). Dense models only: MoE rows' params_active_b do not all count
    the embedding the same way (gpt-oss's published figure leaves it out, DeepSeek's includes it, models.yaml).
    """
    per_token, per_logit_token = dense_gemm_flops_per_token(model)
    return per_token * tokens + per_logit_token * logit_tokens


def dense_gemm_flops_per_token(model: Model) -> tuple[float, float]:
    """(FLOPs per token, extra FLOPs per token that needs logits) of the non-expert weights (`dense_gemm_flops`)."""
    active = model.params_active_b * 1e9 - routed_active_params(model)
    if model.is_moe:
        return 2 * active, 0.0
    embedding, head = embedding_params(model)
    return 2 * (active - embedding - head), 2 * head


def dense_weight_bytes_read(model: Model, precision: str) -> float:
    """Non-expert weight bytes a forward pass streams: all of them but the input embedding table, of which a
    pass reads only the rows its tokens look up."""
    return dense_weight_bytes(model, precision) - embedding_params(model)[0] * EMBEDDING_BYTES


def weight_bytes(model: Model, precision: str) -> float:
    """Bytes of all the weights at `precision` (`dense_weight_bytes` and the routed experts at theirs)."""
    routed = model.routed_expert_params_b * 1e9 if model.is_moe else 0.0
    return dense_weight_bytes(model, precision) + routed * bytes_per_weight(model, precision)[1]


def experts_touched_fraction(model: Model, tokens: float) -> float:
    """Expected share of routed experts that at least one of `tokens` tokens selects.

    With top-k routing over E experts treated as uniform: 1 - (1 - k/E)^tokens.
    """
    if not model.is_moe:
        return 1.0
    miss = 1.0 - model.experts_per_token / model.num_experts
    return 1.0 - miss ** max(tokens, 1.0)


def weight_bytes_read(model: Model, precision: str, tokens: float) -> float:
    """Weight bytes one forward pass over `tokens` tokens must read from memory [bytes]: the non-expert
    weights but the input embedding table, and the routed experts the tokens touch."""
    dense = dense_weight_bytes_read(model, precision)
    if not model.is_moe:
        return dense
    routed = model.routed_expert_params_b * 1e9 * bytes_per_weight(model, precision)[1]
    return dense + routed * experts_touched_fraction(model, tokens)


def attention_width(model: Model) -> float:
    """Per-layer width of the attention products QK^T and AV [elements per token pair]."""
    if model.attention_type == "mla":
        return model.num_attention_heads * ((model.kv_lora_rank or 0) + (model.qk_rope_head_dim or 0))
    return model.num_attention_heads * model.head_dim


def attended_tokens(model: Model, context_tokens: float) -> float:
    """Context tokens one new token attends to, summed over layers [token-layers]."""
    full_layers = model.full_attention_layers or model.num_layers
    window = model.sliding_window or context_tokens
    return full_layers * context_tokens + (model.num_layers - full_layers) * min(context_tokens, window)


# --- memory ----------------------------------------------------------------------

def replica_weight_bytes(cfg: ReplicaConfig) -> float:
    """Weight bytes the replica's accelerators hold together [bytes].

    Tensor / pipeline parallel split every weight once over the ranks. Attention data-parallel + expert
    parallel keeps the non-expert weights (attention, dense layers, embeddings) on every one of the tp
    ranks and splits the routed experts over them.
    """
    total = weight_bytes(cfg.model, cfg.precision)
    if not cfg.attention_dp:
        return total
    routed = cfg.model.routed_expert_params_b * 1e9 * bytes_per_weight(cfg.model, cfg.precision)[1]
    return routed + cfg.tp * (total - routed)


def activation_workspace_bytes(cfg: ReplicaConfig, tokens: float | None = None) -> float:
    """Activation memory one accelerator sets aside for an iteration of the stack's max_num_tokens [bytes].

    2 bytes x max_num_tokens x hidden x (base + per_tp / tp), twice that for MoE models (physics.yaml
    activation_workspace_*: NVIDIA aiconfigurator's TensorRT-LLM memory model); tp is the dense layers' tensor
    parallel degree (1 under attention data-parallel); 0 without a token budget (static batching).
    `tokens` overrides the budget (a benchmark that sizes it to the workload).
    """
    if tokens is None:
        _, tokens = cfg.stack.limits_on(cfg.hardware)
    if not tokens:
        return 0.0
    tp = 1 if cfg.attention_dp else cfg.tp
    base, per_tp = ACTIVATION_WORKSPACE
    moe = 2.0 if cfg.model.is_moe else 1.0
    return ACTIVATION_BYTES * tokens * cfg.model.hidden_size * (base + per_tp / tp) * moe


def non_kv_bytes_per_accelerator(cfg: ReplicaConfig, workspace_tokens: float | None = None) -> float:
    """Memory one accelerator gives to neither weights nor KV cache [bytes]: the stack's runtime reserve
    (CUDA context, libraries, CUDA graphs), NCCL buffers when the replica spans accelerators, and the
    activation workspace."""
    nccl = NCCL_BUFFER_GIB * BYTES_PER_MEMORY_GB if cfg.accelerators > 1 else 0.0
    return cfg.stack.runtime_reserve_gib * BYTES_PER_MEMORY_GB + nccl + activation_workspace_bytes(cfg, workspace_tokens)


def kv_tokens_held(stack: Stack, tokens: float) -> float:
    """Tokens of KV cache a sequence of `tokens` holds: whole blocks of the stack's tokens_per_block."""
    block = stack.tokens_per_block
    return math.ceil(tokens / block) * block if block > 1 else tokens


def memory_fit(cfg: ReplicaConfig, tokens_per_sequence: float, workspace_tokens: float | None = None) -> MemoryFit:
    """Whether the weights fit and how many sequences of `tokens_per_sequence` the KV cache holds.

    Per accelerator, with M its memory, W its share of the weights and R `non_kv_bytes_per_accelerator`:
    KV = f x (M - W - R) where the stack's fraction f is of the free memory (TensorRT-LLM), or
    KV = f x M - W - R where it is of the whole memory (vLLM, SGLang). A sequence holds whole paged blocks.
    [GB, decimal]
    """
    n = cfg.accelerators
    stack = cfg.stack
    per_gpu_gb = cfg.hardware.memory_gb * BYTES_PER_MEMORY_GB / 1e9
    total_gb = n * per_gpu_gb
    weights_gb = replica_weight_bytes(cfg) / 1e9
    non_kv_gb = n * non_kv_bytes_per_accelerator(cfg, workspace_tokens) / 1e9
    held = kv_tokens_held(stack, tokens_per_sequence)
    kv_seq = (kv_bytes_per_sequence(cfg.model, cfg.kv_precision, held, stack.kv_cache_window_aware)
              * kv_replication(cfg.model, cfg.tp, cfg.attention_dp))
    free_gb = total_gb - weights_gb - non_kv_gb
    if free_gb <= 0:
        return MemoryFit(weights_gb, total_gb, 0.0, kv_seq, 0, False,
                         f"weights need {weights_gb:,.0f} GB at {cfg.precision}; "
                         f"{n} x {cfg.hardware.memory_gb:g} GB leaves no room for them and the runtime "
                         f"({non_kv_gb / n:,.1f} GB per accelerator for {stack.name})")
    if stack.kv_cache_fraction_of == "total":
        kv_gb = stack.kv_cache_free_fraction * total_gb - weights_gb - non_kv_gb
    else:
        kv_gb = stack.kv_cache_free_fraction * free_gb
    max_seq = int(max(kv_gb, 0.0) * 1e9 // kv_seq) if kv_seq > 0 else 10**9
    if max_seq < 1:
        return MemoryFit(weights_gb, total_gb, max(kv_gb, 0.0), kv_seq, 0, False,
                         f"one sequence of {tokens_per_sequence:,.0f} tokens needs {kv_seq / 1e9:,.1f} GB of KV cache; "
                         f"only {max(kv_gb, 0.0):,.1f} GB is left after the weights and {stack.name}'s own memory")
    return MemoryFit(weights_gb, total_gb, kv_gb, kv_seq, max_seq, True)


# --- timing ----------------------------------------------------------------------

def _rates(cfg: ReplicaConfig) -> tuple[float, float, float, float, float]:
    """Effective rates of ONE rank: weight-read and KV-read bandwidth [B/s], GEMM FLOP/s
    (FP4 peak only here, times the stack's FP4 efficiency) and attention FLOP/s (the KV cache's
    precision: FP8 where the KV cache is FP8 and the hardware runs it, else BF16), and the
    activation-traffic bandwidth [B/s]."""
    hw, stack = cfg.hardware, cfg.stack
    eff = stack.efficiency_on(hw.vendor)
    bw = hw.memory_bandwidth_tb_s * 1e12 * eff
    gemm = _peak_gemm(cfg, cfg.precision)
    attention_precision = "fp8" if cfg.kv_precision == "fp8" and hw.runs("fp8") else "bf16"
    attention = (hw.sustained_tflops(attention_precision) or hw.sustained_tflops(cfg.precision)) * 1e12
    return (bw * stack.mbu, bw * stack.kv_mbu, gemm * stack.mfu_decode * eff,
            attention * stack.mfu_prefill * eff, bw * stack.mbu)


def _peak_gemm(cfg: ReplicaConfig, precision: str) -> float:
    """Peak FLOP/s of GEMMs whose weights and activations run at `precision` (FP4 times the stack's
    fp4_compute_efficiency)."""
    if not cfg.hardware.runs(precision):
        precision = "bf16"  # weight-only: dequantised to BF16 for the matmul (W4A16 on Hopper)
    gemm = cfg.hardware.sustained_tflops(precision) * 1e12
    return gemm * cfg.stack.fp4_compute_efficiency if precision == "fp4" else gemm


def gemm_rates(cfg: ReplicaConfig) -> tuple[float, float]:
    """Effective (non-expert, expert) GEMM FLOP/s of one rank.

    Each GEMM runs at the lower of its weights' and its activations' precision: non-expert weights a
    4-bit checkpoint keeps in BF16 run at the BF16 rate; 4-bit experts whose activations are FP8
    (W4A8, the model's expert_activation_precision) at the FP8 rate, or BF16 where the hardware has
    no FP8. Everything else at the replica's precision, as `rates`. Expert GEMMs reach the stack's
    expert_gemm_efficiency share of a dense GEMM's: grouped GEMMs pay for expert scheduling, input
    permutation and routed-output accumulation (TensorRT-LLM tech blog 24, "MoE as Dense GEMM").
    """
    hw, stack = cfg.hardware, cfg.stack
    scale = stack.mfu_decode * stack.efficiency_on(hw.vendor)
    dense_p, expert_p = weight_precisions(cfg.model, cfg.precision)
    activation = (cfg.model.expert_activation_precision
                  if expert_p == cfg.model.released_weight_precision else None)
    if activation:
        # W4A8 needs 4-bit tensor cores (Blackwell); without them the weights are dequantised (W4A16).
        expert_p = activation if hw.runs(expert_p) and hw.runs(activation) else "bf16"
    return _peak_gemm(cfg, dense_p) * scale, _peak_gemm(cfg, expert_p) * scale * stack.expert_gemm_efficiency


def allreduce_s(cfg: ReplicaConfig, tokens: float) -> float:
    """Time of the 2 all-reduces per layer (attention out, MLP out) for `tokens` activations [s].

    Each is latency + message x 2 (tp-1)/tp / bus bandwidth, from the measured collective table
    of the hardware's fabric (collectives.yaml). With pipeline stages, each stage runs its share
    of the layers in turn, so every layer counts.
    """
    if cfg.tp == 1:
        return 0.0
    message = tokens * cfg.model.hidden_size * ACTIVATION_BYTES
    return 2 * cfg.model.num_layers * fabric_for(cfg.hardware.id).allreduce_s(message, cfg.tp)


# Expert-parallel all-to-all payloads per token and expert [bytes per hidden element]: FP8 dispatch
# (one byte, plus one 4-byte scale per 128 values) and BF16 combine (DeepEP README: "FP8 dispatching and
# BF16 combining", the format TensorRT-LLM's and SGLang's DeepEP paths use).
DISPATCH_BYTES = 1.0 + 4.0 / 128.0
COMBINE_BYTES = ACTIVATION_BYTES


def alltoall_s(cfg: ReplicaConfig, tokens: float) -> float:
    """Dispatch and combine all-to-alls of attention-DP + expert-parallel MoE layers [s].

    Each rank holds tokens / tp tokens; each goes to its experts_per_token experts, (tp - 1) / tp of them
    on other ranks, as FP8 on the way out and BF16 on the way back: per MoE layer each rank's share is
    tokens / tp x k x hidden x bytes, at the fabric's all-to-all bandwidth (collectives.yaml alltoall_gb_s).
    """
    model = cfg.model
    if not cfg.attention_dp or cfg.tp == 1 or not model.is_moe:
        return 0.0
    fabric = fabric_for(cfg.hardware.id)
    per_rank = tokens / cfg.tp * model.experts_per_token * model.hidden_size
    layers = model.moe_layers or model.num_layers
    return layers * (fabric.alltoall_s(per_rank * DISPATCH_BYTES, cfg.tp)
                     + fabric.alltoall_s(per_rank * COMBINE_BYTES, cfg.tp))


def communication_s(cfg: ReplicaConfig, tokens: float) -> float:
    """Scale-up communication of one iteration [s]: tensor-parallel all-reduces, or the expert-parallel
    all-to-alls of the attention-DP layout."""
    return alltoall_s(cfg, tokens) if cfg.attention_dp else allreduce_s(cfg, tokens)


def pipeline_hops_s(cfg: ReplicaConfig, tokens: float) -> float:
    """Activations crossing the pp - 1 stage boundaries over the scale-out network [s]."""
    if cfg.pp == 1:
        return 0.0
    message = tokens * cfg.model.hidden_size * ACTIVATION_BYTES
    return (cfg.pp - 1) * (SCALE_OUT.hop_latency_us * 1e-6 + message / (SCALE_OUT.gb_s_per_direction * 1e9))


def prompt_attention_flops(model: Model, input_tokens: float) -> float:
    """Causal self-attention FLOPs of one prompt: QK^T and AV cost 2 x pairs x width per layer."""
    window = model.sliding_window or input_tokens
    full_layers = model.full_attention_layers or model.num_layers
    pairs = (full_layers * input_tokens ** 2 / 2
             + (model.num_layers - full_layers) * input_tokens * min(input_tokens / 2, window))
    return 4 * prefill_attention_width(model) * pairs


def prefill_attention_width(model: Model) -> float:
    """Mean width of QK^T and AV in prefill [elements per token pair].

    Decode runs MLA "absorbed" over the compressed latent (kv_lora_rank + rope); prefill
    decompresses it and runs ordinary attention: QK at head_dim (DeepSeek 192), AV at the model's
    v_head_dim (DeepSeek 128, models.yaml).
    """
    if model.attention_type == "mla":
        return model.num_attention_heads * (model.head_dim + model.v_head_dim) / 2
    return attention_width(model)


def accepted_tokens_per_step(speculative: tuple[int, float] | None) -> float:
    """Expected tokens a sequence gains per verification step: (1 - a^(k+1)) / (1 - a).

    References
    ----------
    Leviathan, Kalman, Matias, "Fast Inference from Transformers via Speculative
    Decoding", ICML 2023, eq. (1).
    """
    if not speculative:
        return 1.0
    k, a = speculative
    return (1.0 - a ** (k + 1)) / (1.0 - a)


def routed_active_params(model: Model) -> float:
    """Routed-expert parameters one token runs through [params]: k of E experts."""
    if not model.is_moe:
        return 0.0
    return model.routed_expert_params_b * 1e9 * model.experts_per_token / model.num_experts


def expert_rows(model: Model, tokens: float) -> float:
    """Token rows the grouped expert GEMMs of one layer compute for `tokens` tokens, padding included.

    A grouped GEMM gives each expert whole tiles of MOE_TILE_TOKENS rows: an expert receiving X tokens computes
    T x ceil(X / T) rows, the empty rows included (vLLM's moe_align_block_size pads each expert's tokens to a
    multiple of the block; Hopper's and Blackwell's tensor-core instructions work on 64-row tiles). vLLM's
    Triton kernel takes 16-row blocks while the batch has no more tokens than experts; the model keeps one
    tile throughout, which keeps the rows continuous and their share per token falling as the batch grows
    (throughput grows with the batch; tests/properties): a tile following the tokens between 16 and 64 rows
    fitted the held-out rows worse (physics.yaml moe_tile_tokens).
    X is Poisson with mean m = tokens x k / E under uniform routing: E[ceil(X / T)] is about P(X >= 1) =
    1 - exp(-m) while m is well below a tile and about m / T + 1/2 far above it; the larger of the two (the
    second reaching its 1/2 as m / T grows) is continuous and grows with the tokens, exact below m ~ 40 and
    above ~ 500 and within -20% / +5% of the exact Poisson sum between (0.80 of it at m ~ 73). Never below the
    tokens x k rows themselves, so never above the roofline.
    The padded rows are computed: where the weight reads bound the step they add by the operator's p-norm
    (`operator_s`): about 7-25% of a pure-decode step at a batch of 60-250 tokens on many-expert models
    (gpt-oss 128 experts, DeepSeek-R1 256, Qwen3 128), 5% on Mixtral's 8 at 128; a few hundred tokens per
    expert (prompts) fill their tiles.
    """
    per_expert = tokens * model.experts_per_token / model.num_experts
    tiles = max(-math.expm1(-per_expert),
                per_expert / MOE_TILE_TOKENS - 0.5 * math.expm1(-per_expert / MOE_TILE_TOKENS))
    return model.num_experts * MOE_TILE_TOKENS * tiles


def operator_s(memory_s: float, compute_s: float) -> float:
    """Time of one operator from its memory and compute times [s].

    The roofline's max(memory, compute) assumes loads and math overlap perfectly; kernels near the
    ridge point (decode GEMMs at a few hundred tokens, attention over short contexts) fall below it,
    so the two combine as a p-norm, (memory^p + compute^p)^(1/p): max() as p grows, their sum at p = 1.
    p is physics.yaml's roofline_overlap_exponent. Never faster than the roofline.
    """
    if OVERLAP_P == 1.5:
        # the same p-norm without pow (twice as fast): (m^1.5 + c^1.5)^(2/3) = cbrt(s^2)
        s = memory_s * math.sqrt(memory_s) + compute_s * math.sqrt(compute_s)
        return math.cbrt(s * s)
    if OVERLAP_P == 2.0:
        return math.hypot(memory_s, compute_s)  # the same p-norm, several times faster than pow
    return (memory_s ** OVERLAP_P + compute_s ** OVERLAP_P) ** (1.0 / OVERLAP_P)


def iteration_s(cfg: ReplicaConfig, decode_sequences: float, context_tokens: float,
                prefill_tokens: float = 0.0, prefill_attention_flops: float = 0.0,
                tokens_per_sequence: float = 1.0, prompt_tokens: float = 0.0) -> float:
    """One forward pass of the replica over a mixed batch [s], as one rank runs it.

    `decode_sequences` each add `tokens_per_sequence` tokens attending to `context_tokens`;
    `prefill_tokens` prompt tokens ride in the same pass (chunked prefill), so weights are read
    once for both. Operators add, each max(bytes / bandwidth, FLOPs / FLOP/s):
    dense GEMMs, expert GEMMs, decode attention, prefill attention, activation traffic (`operator_s`); then the
    per-layer kernel floor, host overhead, tensor-parallel all-reduces and pipeline hops (`_pass_timer`).
    """
    return cfg.pass_timer(decode_sequences, context_tokens, prefill_tokens, prefill_attention_flops,
                          tokens_per_sequence, prompt_tokens)


def _pass_timer(cfg: ReplicaConfig):
    """`iteration_s` of one configuration, as a function of the batch: what does not depend on the batch is
    computed once (the replica search times thousands of passes per configuration), and what does is the same
    arithmetic in the same order, so the times are the same to the last bit."""
    model, tp, attention_dp = cfg.model, cfg.tp, cfg.attention_dp
    # the functions, not the configuration's cached properties: this runs once per configuration anyway
    bw_weights, bw_kv, _, attention_rate, bw_activations = _rates(cfg)
    dense_rate, expert_rate = gemm_rates(cfg)
    expert_bytes = bytes_per_weight(model, cfg.precision)[1]
    routed = model.routed_expert_params_b * 1e9 if model.is_moe else 0.0
    # Attention data-parallel: every rank holds all non-expert weights and runs 1/tp of the tokens
    # through them; tensor parallel: each rank holds 1/tp of them and runs every token. Same FLOPs.
    dense_split = 1 if attention_dp else tp
    dense_memory_s = dense_weight_bytes_read(model, cfg.precision) / dense_split / bw_weights
    flops_per_token, flops_per_logit_token = dense_gemm_flops_per_token(model)
    expert_miss = 1.0 - model.experts_per_token / model.num_experts if routed else 1.0
    expert_flops_per_row = 2 * routed / model.num_experts if routed else 0.0  # one token through one expert
    kv_precision, replication = cfg.kv_precision, kv_replication(model, tp, attention_dp)
    width = attention_width(model)
    hidden_layers = model.hidden_size, model.num_layers
    activation_bytes_per_layer = cfg.stack.activation_bytes_per_layer
    floor = model.num_layers * cfg.stack.layer_floor_us * 1e-6
    overhead = cfg.stack.step_overhead_ms * 1e-3
    communicates = (alltoall_s if attention_dp else allreduce_s)(cfg, 1.0) != 0.0
    hops = cfg.pp > 1
    by_context: dict[float, tuple[float, float]] = {}

    def seconds(decode_sequences: float, context_tokens: float, prefill_tokens: float = 0.0,
                prefill_attention_flops: float = 0.0, tokens_per_sequence: float = 1.0,
                prompt_tokens: float = 0.0) -> float:
        tokens = decode_sequences * tokens_per_sequence + prefill_tokens
        decode_tokens = decode_sequences * tokens_per_sequence
        rank_prefill = prefill_tokens / tp
        if attention_dp and prompt_tokens > 0:
            rank_prefill = max(rank_prefill, min(prefill_tokens, prompt_tokens))
        rank_decode = decode_tokens / tp
        rank_tokens = rank_decode + rank_prefill  # tokens of the busiest rank through non-expert layers
        logit_tokens = rank_decode + prompts_in_pass(rank_prefill, prompt_tokens)
        dense = operator_s(dense_memory_s,
                           (flops_per_token * rank_tokens + flops_per_logit_token * logit_tokens) / dense_rate)
        experts = 0.0
        if routed:
            touched = routed * (1.0 - expert_miss ** max(tokens, 1.0))  # experts_touched_fraction
            experts = operator_s(touched * expert_bytes / tp / bw_weights,
                                 expert_flops_per_row * expert_rows(model, tokens) / tp / expert_rate)
        context = by_context.get(context_tokens)
        if context is None:
            context = by_context[context_tokens] = (kv_bytes_per_sequence(model, kv_precision, context_tokens),
                                                    attended_tokens(model, context_tokens))
        kv_bytes = decode_sequences * context[0] * replication / tp
        attention_flops = decode_tokens * 4 * width * context[1] / tp
        attention = operator_s(kv_bytes / bw_kv, attention_flops / attention_rate)
        prompt_attention = (prefill_attention_flops * rank_prefill / prefill_tokens / attention_rate
                            if prefill_tokens > 0 else 0.0)
        # Norms, residual adds, activation quantisation and the MLP's elementwise ops are not split
        # across tensor-parallel ranks: every rank streams the whole hidden state of every token.
        # Attention data-parallel ranks each stream only their own tokens.
        activations = ((rank_tokens if attention_dp else tokens) * hidden_layers[0] * hidden_layers[1]
                       * activation_bytes_per_layer / bw_activations)
        return (dense + experts + attention + prompt_attention + activations + floor
                + (communication_s(cfg, tokens) if communicates else 0.0)
                + (pipeline_hops_s(cfg, tokens) if hops else 0.0) + overhead)

    return seconds


def decode_step_s(cfg: ReplicaConfig, micro_batch: float, context_tokens: float) -> float:
    """Time for one micro-batch of `micro_batch` sequences to advance one token, no prefill [s]."""
    return iteration_s(cfg, micro_batch, context_tokens)


def prefill_s(cfg: ReplicaConfig, input_tokens: float) -> float:
    """Time to process one prompt of `input_tokens` alone on the replica [s]."""
    return iteration_s(cfg, 0.0, 0.0, input_tokens, prompt_attention_flops(cfg.model, input_tokens),
                       prompt_tokens=input_tokens)


def operating_point(cfg: ReplicaConfig, batch_size: int, input_tokens: float, output_tokens: float,
                    cached_input_fraction: float = 0.0) -> OperatingPoint:
    """Steady state of a replica holding `batch_size` sequences under continuous batching.

    Each of the pp micro-batches holds b = batch/pp sequences. Every iteration each
    sequence gains a token, and a = b / output_tokens sequences finish on average; the prompts
    that replace them (a x input tokens) are prefilled in the same passes. A prompt is not split
    over iterations it does not need: with a < 1 a share a of the iterations carries one prompt and
    the rest decode alone, so TPOT = a x iteration(b, prompt) + (1 - a) x iteration(b); with a >= 1
    every iteration carries a prompts. Throughput = batch / TPOT.
    TTFT at the `latency_quantile` (p95 by default) under Poisson arrivals = the rest of the iteration
    in flight when the request arrives (uniform over one iteration: its q-quantile is q x step) +
    queueing behind other prompts (M/D/1 wait at the prefill share rho of the replica's time, its
    exponential tail's q-quantile) + own prompt's prefill + the iteration that carries it. Without the
    wait for a free sequence slot, which needs the replica's largest batch (`serving_point`, `best_under_slo`).
    """
    return _Shape(cfg, input_tokens, output_tokens, cached_input_fraction).point(batch_size)


class _Shape:
    """One replica and request shape: the batch-independent parts computed once."""

    def __init__(self, cfg: ReplicaConfig, input_tokens: float, output_tokens: float,
                 cached_input_fraction: float, disaggregated: bool = False,
                 latency_quantile: float = LATENCY_QUANTILE, slots: int | None = None) -> None:
        self.cfg, self.input_tokens, self.output_tokens = cfg, input_tokens, output_tokens
        # Requests arriving at random (Poisson) compete for at most `slots` sequences in flight, in a decode
        # pool too (None: a closed loop keeps the batch full, as an offline benchmark does). A replica holding
        # one sequence cannot serve random arrivals at a finite wait: the search's batches are whole sequences.
        self.slots = slots
        self.latency_quantile = latency_quantile
        self.queue_factor = queue_tail_factor(latency_quantile)
        self.tpot_spread, self.tpot_z = tpot_spread(latency_quantile)
        self.disaggregated = disaggregated
        self.cached_input_fraction = cached_input_fraction
        self.context = input_tokens + output_tokens / 2.0
        self.fresh_tokens = max(input_tokens * (1.0 - cached_input_fraction), 1.0)
        self.fresh_attention = (prompt_attention_flops(cfg.model, input_tokens)
                                - prompt_attention_flops(cfg.model, input_tokens - self.fresh_tokens))
        self.prefill = iteration_s(cfg, 0.0, 0.0, self.fresh_tokens, self.fresh_attention,
                                   prompt_tokens=self.fresh_tokens)
        # (tokens kept per verification step, tokens verified per sequence per step, a step's cost with drafting)
        self.speculation = (accepted_tokens_per_step(cfg.speculative),
                            cfg.speculative[0] + 1 if cfg.speculative else 1,
                            1.0 + DRAFT_OVERHEAD if cfg.speculative else 1.0)
        self._searched: dict[int, OperatingPoint] = {}  # `searched_point`

    def searched_point(self, batch_size: int) -> OperatingPoint:
        """`point`, kept by batch: the searches of one configuration at other latency targets (what flips the
        answer tightens them) try the same batches again, at least the first and the largest."""
        point = self._searched.get(batch_size)
        if point is None:
            point = self._searched[batch_size] = self.point(batch_size)
        return point

    def point(self, batch_size: int) -> OperatingPoint:
        cfg = self.cfg
        if not cfg.stack.continuous_batching:
            point = _static_batch_point(cfg, batch_size, self.input_tokens, self.output_tokens,
                                        self.cached_input_fraction, self.latency_quantile)
            # no prompt joins a running batch (`tpot_tail_s` without interference): only the unexplained spread
            return replace(point, tpot_tail_ms=point.tpot_ms * (1.0 + self.tpot_spread))
        micro = batch_size / cfg.pp
        # Speculative decoding verifies k + 1 tokens per sequence per step and keeps E of them.
        gained, verified, draft = self.speculation
        arrivals_per_iteration = 0.0 if self.disaggregated else micro * gained / self.output_tokens
        seconds = cfg.pass_timer  # iteration_s
        decode_only = draft * seconds(micro, self.context, 0.0, 0.0, verified)
        # Prompts come whole, not as a fluid: with fewer than one arrival per iteration, a share
        # `carrying` of the iterations holds a prompt (each read of the weights then does compute-bound
        # work) and the rest decode alone (memory-bound); their mean is never below the fluid average.
        carrying = min(arrivals_per_iteration, 1.0)
        step = decode_only
        prompt_s = 0.0  # what one prompt adds to the iteration carrying it
        if carrying > 0.0:
            per_carrier = arrivals_per_iteration / carrying
            mixed = draft * seconds(micro, self.context, per_carrier * self.fresh_tokens,
                                    per_carrier * self.fresh_attention, verified, self.fresh_tokens)
            step = carrying * mixed + (1.0 - carrying) * decode_only
            prompt_s = (mixed - decode_only) / per_carrier
        pre = self.prefill
        rho = min(max(1.0 - decode_only / step, 0.0), 0.95)
        queue = self.queue_factor * pre * rho / (2.0 * (1.0 - rho))
        in_flight = 0.0 if self.disaggregated else self.latency_quantile * step
        tpot = step / gained
        if self.slots:
            queue += slot_wait_s(batch_size, self.slots, self.output_tokens * tpot, self.latency_quantile)
        tail = tpot_tail_s(tpot, prompt_s, arrivals_per_iteration, self.output_tokens, gained,
                           self.tpot_spread, self.tpot_z)
        return OperatingPoint(batch_size=batch_size, ttft_ms=(in_flight + pre + step + queue) * 1e3,
                              tpot_ms=tpot * 1e3,
                              output_tokens_per_s=batch_size / tpot, prefill_ms=pre * 1e3,
                              decode_step_ms=decode_only * 1e3, tpot_tail_ms=tail * 1e3)


def slot_wait_s(mean_sequences: float, slots: int, hold_s: float, quantile: float) -> float:
    """A request's wait for a free sequence slot at `quantile` [s]: M/M/c with c = `slots` servers.

    A replica holds at most `slots` sequences (memory, the stack's caps); each holds one for about
    `hold_s` (its decode). With Poisson arrivals keeping `mean_sequences` in flight on average, the
    occupancy is rho = mean / slots; a request finds every slot busy with probability P (Erlang C)
    and then waits an exponential time of rate c (1 - rho) / hold_s (`wait_probability`: exact for few slots).
    So under a TTFT target short against the hold, the batch stays some sequences below its cap: about
    1.7 sqrt(c) of them at p95.

    References
    ----------
    Halfin and Whitt, "Heavy-traffic limits for queues with many exponential servers", Operations
    Research 29(3), 1981.
    """
    rho = mean_sequences / slots
    if rho >= 1.0:
        return math.inf
    p_wait = wait_probability(slots, rho)
    tail = 1.0 - quantile
    if p_wait <= tail:
        return 0.0
    return math.log(p_wait / tail) * hold_s / (slots * (1.0 - rho))


# Up to this many slots P(wait) is summed exactly (Erlang B recurrence, O(slots)); above, the Halfin-Whitt
# approximation (O(1)) is within 0.012 of it.
EXACT_ERLANG_SLOTS = 64


def wait_probability(slots: int, rho: float) -> float:
    """P(all `slots` busy) for Poisson arrivals at occupancy rho < 1 (Erlang C).

    Exact up to EXACT_ERLANG_SLOTS slots; above, the Halfin-Whitt approximation
    1 / (1 + beta Phi(beta) / phi(beta)), beta = (1 - rho) sqrt(slots): the search evaluates it at every batch.
    """
    if slots <= EXACT_ERLANG_SLOTS:
        load = rho * slots
        blocking = 1.0  # Erlang B with 0 servers
        for k in range(1, slots + 1):
            blocking = load * blocking / (k + load * blocking)
        return blocking / (1.0 - rho * (1.0 - blocking))
    beta = (1.0 - rho) * math.sqrt(slots)
    if beta > 6.0:  # below 1e-8
        return 0.0
    return 1.0 / (1.0 + beta * _NORMAL.cdf(beta) / _NORMAL.pdf(beta))


def tpot_tail_s(mean_tpot_s: float, prompt_s: float, arrivals_per_iteration: float, output_tokens: float,
                tokens_per_iteration: float, spread: float, z: float) -> float:
    """A request's TPOT at a percentile [s]: the mean plus z standard deviations across requests.

    A request decodes for output_tokens / tokens_per_iteration iterations; the prompts that join its batch
    meanwhile are a Poisson count (arrivals_per_iteration per iteration), each adding `prompt_s` to the
    iteration that carries it, so its TPOT varies across requests with standard deviation
    prompt_s x sqrt(arrivals x iterations) / output_tokens. What prefill interference does not explain
    (scheduling, load swings, the output-length mix) is `spread` x the mean: physics.yaml tpot_p99_spread,
    measured on MLPerf server / interactive runs.
    """
    iterations = max(output_tokens / tokens_per_iteration, 1.0)
    interference = prompt_s * math.sqrt(arrivals_per_iteration * iterations) / (iterations * tokens_per_iteration)
    return mean_tpot_s * (1.0 + spread) + z * interference


def _static_batch_point(cfg: ReplicaConfig, batch_size: int, input_tokens: float, output_tokens: float,
                        cached_input_fraction: float, quantile: float = LATENCY_QUANTILE) -> OperatingPoint:
    """Static batching: a batch is prefilled together, decoded to its end, then the next starts.

    A new request waits for the running batch to finish, uniformly over a cycle (its `quantile`:
    that share of a cycle), then for its batch's prefill.
    """
    context = input_tokens + output_tokens / 2.0
    step = decode_step_s(cfg, batch_size, context)
    fresh_tokens = max(input_tokens * (1.0 - cached_input_fraction), 1.0)
    pre = prefill_s(cfg, fresh_tokens * batch_size)
    cycle = pre + output_tokens * step
    throughput = batch_size * output_tokens / cycle
    ttft = quantile * cycle + pre + step
    return OperatingPoint(batch_size=batch_size, ttft_ms=ttft * 1e3, tpot_ms=step * 1e3,
                          output_tokens_per_s=throughput, prefill_ms=pre * 1e3, decode_step_ms=step * 1e3)


def max_batch(cfg: ReplicaConfig, input_tokens: float, output_tokens: float) -> tuple[int, str]:
    """Largest batch memory and the stack allow, and the reason when it is zero.

    The stack's limits hold per scheduler (one per pipeline stage, one per attention-DP rank): at most
    max_batch sequences, and at most max_num_tokens tokens per iteration. In steady state each sequence adds
    its verified tokens and, every output_tokens / gained steps, a prompt of input_tokens, so a scheduler
    carries b x (verified + gained x input / output) tokens per iteration: the budget caps b there.
    """
    stack = cfg.stack
    verified = cfg.speculative[0] + 1 if cfg.speculative else 1
    per_sequence = verified + accepted_tokens_per_step(cfg.speculative) * input_tokens / output_tokens
    schedulers = cfg.pp * (cfg.tp if cfg.attention_dp else 1)
    seqs, tokens = stack.limits_on(cfg.hardware)
    cap = seqs if stack.max_batch_per_replica else seqs * schedulers
    workspace = None
    if stack.num_tokens_sized_to_workload and tokens:
        # trtllm-bench: the batch the KV cache holds, then a token budget for it (its workspace takes memory)
        first = memory_fit(cfg, input_tokens + output_tokens, stack.benchmark_min_num_tokens)
        batch = min(first.max_sequences, cap) / schedulers
        tokens = workspace = min(max(batch * per_sequence, stack.benchmark_min_num_tokens or 0), tokens)
    fit = memory_fit(cfg, input_tokens + output_tokens, workspace)
    if not fit.fits:
        return 0, fit.reason
    if tokens and stack.continuous_batching:
        cap = min(cap, max(int(tokens / per_sequence), 1) * schedulers)
    return min(fit.max_sequences, cap), ""


def max_throughput(cfg: ReplicaConfig, input_tokens: float, output_tokens: float) -> OperatingPoint | None:
    """The operating point at the largest batch that fits (no latency limit)."""
    batch, _ = max_batch(cfg, input_tokens, output_tokens)
    if batch < 1:
        return None
    # a closed loop, judged against no target: its per-user speed is the mean's
    return replace(operating_point(cfg, batch, input_tokens, output_tokens), tpot_tail_ms=None)


def best_under_slo(cfg: ReplicaConfig, input_tokens: float, output_tokens: float,
                   ttft_ms: float, tpot_ms: float, cached_input_fraction: float = 0.0,
                   disaggregated: bool = False, latency_quantile: float = LATENCY_QUANTILE) -> OperatingPoint | None:
    """Highest-throughput batch whose TTFT and TPOT at `latency_quantile` meet the limits, or None.

    TPOT and TTFT grow with the batch while throughput grows too, so the answer is the
    largest feasible batch: the batch b that meets both limits where b + 1 does not (`_last_feasible_batch`).
    Disaggregated, the replica only decodes (prompts are prefilled on a separate pool, see `disaggregated_point`).
    """
    upper, shape = _searched_shape(cfg, input_tokens, output_tokens, cached_input_fraction, disaggregated,
                                   latency_quantile)
    if upper < 1:
        return None
    return _last_feasible_batch(shape.searched_point, upper, ttft_ms, tpot_ms)


def slo_throughput_ceiling(cfg: ReplicaConfig, input_tokens: float, output_tokens: float,
                           cached_input_fraction: float = 0.0, disaggregated: bool = False,
                           latency_quantile: float = LATENCY_QUANTILE) -> float | None:
    """Output tokens/s that no point `best_under_slo` returns can exceed, whatever the targets: the throughput at
    the largest batch (the first point its search tries after batch 1, so asking costs nothing more). Under
    continuous batching throughput grows with the batch (batch / TPOT; tests/properties), so the largest batch
    carries the most, and a disaggregated pool's blend never carries more than its decode replicas.
    0 where no sequence fits; None under static batching, whose batch waits for every prompt's prefill and
    whose throughput need not grow with it."""
    if not cfg.stack.continuous_batching:
        return None
    upper, shape = _searched_shape(cfg, input_tokens, output_tokens, cached_input_fraction, disaggregated,
                                   latency_quantile)
    return shape.searched_point(upper).output_tokens_per_s if upper >= 1 else 0.0


def _searched_shape(cfg: ReplicaConfig, input_tokens: float, output_tokens: float, cached_input_fraction: float,
                    disaggregated: bool, latency_quantile: float) -> tuple[int, _Shape | None]:
    """The replica's largest batch and the call shape its searches evaluate, kept on the configuration."""
    key = (input_tokens, output_tokens, cached_input_fraction, disaggregated, latency_quantile)
    searched = cfg.searched_shapes.get(key)
    if searched is None:
        upper, _ = max_batch(cfg, input_tokens, output_tokens)
        shape = _Shape(cfg, input_tokens, output_tokens, cached_input_fraction, disaggregated,
                       latency_quantile, slots=upper) if upper >= 1 else None
        if len(cfg.searched_shapes) >= 64:  # call shapes of one configuration in a long-lived app: start again
            cfg.searched_shapes.clear()
        searched = cfg.searched_shapes[key] = (upper, shape)
    return searched


# Guesses in a row that may each fail to halve the search's bracket before its middle is tried (_last_feasible_batch).
SLOW_GUESSES = 4


def _last_feasible_batch(point, upper: int, ttft_ms: float, tpot_ms: float) -> OperatingPoint | None:
    """The point at the largest batch in [1, upper] meeting both limits, where TPOT and TTFT grow with the batch.

    Each point costs two passes and the search runs for every configuration sized, so it guesses where a
    limit is crossed from the last two points (TPOT and TTFT are close to straight lines in the batch, so
    the guess lands within a few sequences) and keeps a bracket: the batch `lo` meets both limits, `hi`
    misses one. It ends where hi = lo + 1, as bisection does, with about half of bisection's points (presets:
    7,238 points for 2,456 searches, bisection 13,637). After SLOW_GUESSES guesses in a row that did not halve the
    bracket, its middle is tried (bisection's bound, within a factor). TPOT is the judged one (`tpot_judged_ms`).
    """
    def meets(p: OperatingPoint) -> bool:
        return p.tpot_judged_ms <= tpot_ms and p.ttft_ms <= ttft_ms

    lo_point = point(1)
    if not meets(lo_point):
        return None
    hi_point = point(upper)
    if meets(hi_point):
        return hi_point
    lo, hi = 1, upper
    last = (lo, lo_point), (hi, hi_point)  # the two latest points, for the secant
    slow = 0  # guesses in a row that did not halve the bracket
    while hi - lo > 1:
        guess = _crossing(last, lo, lo_point, hi, hi_point, ttft_ms, tpot_ms) if slow < SLOW_GUESSES else None
        batch = (lo + hi) // 2 if guess is None else min(max(int(guess), lo + 1), hi - 1)
        p = point(batch)
        width = hi - lo
        if meets(p):
            lo, lo_point = batch, p
        else:
            hi, hi_point = batch, p
        slow = slow + 1 if 2 * (hi - lo) > width else 0
        last = last[1], (batch, p)
    return lo_point


def _crossing(last, lo: int, lo_point: OperatingPoint, hi: int, hi_point: OperatingPoint,
              ttft_ms: float, tpot_ms: float) -> float | None:
    """Where the first limit `hi` misses is crossed, on the line through the last two points (or through the
    bracket's ends where that line leaves the bracket); None where the figures give no finite guess.

    TTFT is drawn as 1 / TTFT: near the batch a replica holds, the wait for a free slot grows like
    1 / (slots - batch) (`slot_wait_s`), so its reciprocal is close to a straight line there (and 0, not
    infinite, at the cap)."""
    (x0, p0), (x1, p1) = last
    guess = math.inf
    for misses, f0, f1, f_lo, f_hi, limit in (
            (hi_point.tpot_judged_ms > tpot_ms, p0.tpot_judged_ms, p1.tpot_judged_ms, lo_point.tpot_judged_ms,
             hi_point.tpot_judged_ms, tpot_ms),
            (hi_point.ttft_ms > ttft_ms, 1.0 / p0.ttft_ms, 1.0 / p1.ttft_ms, 1.0 / lo_point.ttft_ms,
             1.0 / hi_point.ttft_ms, 1.0 / ttft_ms)):
        if not misses:
            continue  # this limit is met across the bracket
        x = x1 - (f1 - limit) * (x1 - x0) / (f1 - f0) if f1 != f0 else math.nan
        if not lo < x < hi + 1:  # also NaN
            x = lo + (limit - f_lo) * (hi - lo) / (f_hi - f_lo) if f_hi != f_lo else math.nan
        guess = min(guess, x)
    return guess if math.isfinite(guess) else None


def serving_point(cfg: ReplicaConfig, batch_size: int, input_tokens: float, output_tokens: float,
                  cached_input_fraction: float = 0.0,
                  disaggregated_ttft_ms: float | None = None) -> OperatingPoint | None:
    """The point sizing prices at `batch_size`, for any batch rather than only the best one.

    Without `disaggregated_ttft_ms` it is the point under Poisson arrivals, as `best_under_slo` judges it
    (TTFT waits for a free slot near the largest batch). With it, the replica only
    decodes (as `best_under_slo(..., disaggregated=True)` evaluates it) and a prefill pool
    is sized to meet that TTFT (`disaggregated_point`); None when no pool can.
    """
    if disaggregated_ttft_ms is None:
        upper, _ = max_batch(cfg, input_tokens, output_tokens)
        return _Shape(cfg, input_tokens, output_tokens, cached_input_fraction, slots=upper).point(batch_size)
    decode = _Shape(cfg, input_tokens, output_tokens, cached_input_fraction, disaggregated=True).point(batch_size)
    return disaggregated_point(decode, disaggregated_ttft_ms, output_tokens)


def disaggregated_point(decode: OperatingPoint, ttft_ms: float, output_tokens: float) -> OperatingPoint | None:
    """Prefill and decode on separate pools of the same replica shape.

    Decode replicas never stall for prompts (TPOT = pure decode step). A prefill replica
    takes one prompt at a time, so at utilization rho its p95 TTFT is
    prefill + step + P95_QUEUE_FACTOR / 2 x prefill x rho / (1 - rho); rho is the highest
    that meets the TTFT target (at most 0.9). Per group of tp accelerators the pools carry
    1 / (1 / decode calls/s + 1 / prefill calls/s): the returned point is that blend.

    References
    ----------
    Zhong et al., "DistServe: Disaggregating Prefill and Decoding for Goodput-optimized
    Large Language Model Serving", OSDI 2024.
    """
    pre, step = decode.prefill_ms / 1e3, decode.tpot_ms / 1e3
    slack = ttft_ms / 1e3 - pre - step
    if slack <= 0:
        return None
    x = slack / (P95_QUEUE_FACTOR / 2.0 * pre)
    rho = min(x / (1.0 + x), 0.9)
    prefill_calls_per_s = rho / pre
    decode_calls_per_s = decode.output_tokens_per_s / output_tokens
    blended = 1.0 / (1.0 / decode_calls_per_s + 1.0 / prefill_calls_per_s)
    ttft = pre + step + P95_QUEUE_FACTOR / 2.0 * pre * rho / (1.0 - rho)
    return OperatingPoint(batch_size=decode.batch_size, ttft_ms=ttft * 1e3, tpot_ms=decode.tpot_ms,
                          output_tokens_per_s=blended * output_tokens, prefill_ms=decode.prefill_ms,
                          decode_step_ms=decode.decode_step_ms, tpot_tail_ms=decode.tpot_tail_ms)


def roofline_output_tokens_per_s(cfg: ReplicaConfig, batch_size: int, input_tokens: float,
                                 output_tokens: float) -> float:
    """Upper bound on decode throughput at `batch_size`: perfect bandwidth and FLOPs, no overheads."""
    model, hw = cfg.model, cfg.hardware
    micro = batch_size / cfg.pp
    context = input_tokens + output_tokens / 2.0
    bytes_moved = (weight_bytes_read(model, cfg.precision, micro)
                   + micro * kv_bytes_per_sequence(model, cfg.kv_precision, context))
    bw = cfg.tp * hw.memory_bandwidth_tb_s * 1e12
    peak = cfg.tp * max(hw.tflops(cfg.precision) or 0.0, hw.tflops("bf16") or 0.0) * 1e12
    step = max(bytes_moved / bw, micro * 2 * model.params_active_b * 1e9 / peak)
    return batch_size * accepted_tokens_per_step(cfg.speculative) / step
