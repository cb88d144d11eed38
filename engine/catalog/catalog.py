"""The catalog: engine/data/*.yaml loaded once into frozen records.

Every row carries `source`, `as_of` and `basis` (measured | vendor | estimate) so any
number on screen can say where it came from; engine/catalog/tables.py enforces it.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any, Mapping

from engine.catalog.tables import load_table, rows_of

# Weight/KV precisions and their storage cost. int4 is weight-only (AWQ/GPTQ style):
# the matmuls run in bf16 after dequantisation; fp4 runs on FP4 tensor cores.
BYTES_PER_VALUE: dict[str, float] = {"bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5, "fp4": 0.5}
PRECISION_ALIASES = {"fp16": "bf16", "float16": "bf16", "bfloat16": "bf16", "16-bit": "bf16",
                     "mxfp4": "fp4", "nvfp4": "fp4", "8-bit": "fp8", "w4a16": "int4"}
COMPUTE_PRECISION = {"bf16": "bf16", "fp8": "fp8", "int8": "int8", "int4": "bf16", "fp4": "fp4"}
FOUR_BIT = ("int4", "fp4")
# Block scales a 4-bit checkpoint stores beside its values [bytes per weight]: MXFP4 keeps one 8-bit
# E8M0 scale per block of 32 values (OCP Microscaling Formats (MX) Specification v1.0, section 5.2,
# MXFP4: k = 32, scale E8M0); NVFP4 one FP8 E4M3 scale per 16 values (NVIDIA, "Introducing NVFP4 for
# Efficient and Accurate Low-Precision Inference", 2025: "micro-block scaling ... every 16 values").
BLOCK_SCALE_BYTES_PER_VALUE = {"mxfp4": 1.0 / 32.0, "nvfp4": 1.0 / 16.0}


def normalize_precision(name: str) -> str:
    """Map a precision label (fp16, FP8, mxfp4, ...) to a catalog precision, or raise."""
    key = str(name).strip().lower()
    key = PRECISION_ALIASES.get(key, key)
    if key not in BYTES_PER_VALUE:
        raise ValueError(f"precision {name!r} is not known: choose one of {', '.join(BYTES_PER_VALUE)}")
    return key


@dataclass(frozen=True)
class MeasuredSpeed:
    model_id: str
    output_tokens_per_s_per_user: float
    ttft_ms: float | None
    source: str
    as_of: str
    basis: str


@dataclass(frozen=True)
class Hardware:
    id: str
    name: str
    vendor: str
    kind: str  # gpu | tpu | asic | specialized
    memory_gb: float
    memory_bandwidth_tb_s: float | None
    dense_tflops: tuple[tuple[str, float], ...]
    native_precisions: tuple[str, ...]
    interconnect: str
    interconnect_gb_s_bidir: float | None
    accelerators_per_node: int
    tdp_w: float | None
    allin_power_kw: float | None
    on_demand_usd_per_hour: float | None
    reserved_1y_usd_per_hour: float | None
    reserved_3y_usd_per_hour: float | None
    purchase_usd: float | None
    spec_source: str
    price_source: str
    as_of: str
    basis: str
    price_basis: str
    power_basis: str
    notes: str = ""
    measured_speeds: tuple[MeasuredSpeed, ...] = ()
    purchase_unit_accelerators: int = 1  # owners buy whole baseboards or racks of this many
    cloud_only: bool = False  # sold only as a cloud service (TPU, Inferentia, Trainium): never owned
    cloud_only_source: str = ""  # where the vendor says so
    owner_tco_usd_per_hour: float | None = None  # SemiAnalysis owner cost per GPU-hour: the price ladder's floor
    topology: str = ""  # how a server's or rack's accelerators are joined (NVLink domain, PCIe, bridges, ICI)
    scale_up_domain_accelerators: int | None = None  # how many share the fast link (1 = PCIe only)
    # The same die's full-power part (hardware.yaml power_reference) and, computed from it when the
    # catalog loads, the share of each precision's peak this part's power limit sustains (`power_limited`).
    power_reference: str | None = None
    power_limited_fractions: tuple[tuple[str, float], ...] = ()

    @property
    def is_specialized(self) -> bool:
        return self.kind == "specialized"

    @functools.cached_property
    def _tflops_by_precision(self) -> dict[str, float]:
        return dict(self.dense_tflops)  # read for every decode step the replica search prices

    def tflops(self, precision: str) -> float | None:
        """Dense peak TFLOPS for the matmuls of weights stored at `precision`."""
        wanted = COMPUTE_PRECISION[precision]
        table = self._tflops_by_precision
        return table.get(wanted) or (table.get("bf16") if precision == "int4" else None)

    def runs(self, precision: str) -> bool:
        return precision in self.native_precisions and bool(self.tflops(precision))

    def sustained_tflops(self, precision: str) -> float | None:
        """Dense TFLOPS the part sustains at its power limit: the peak (`tflops`) times the share its
        power limit allows (`power_limited`, 1 without a power_reference)."""
        peak = self.tflops(precision)
        if peak is None:
            return None
        return peak * dict(self.power_limited_fractions).get(COMPUTE_PRECISION[precision], 1.0)

    @property
    def power_capped(self) -> bool:
        """Whether its power limit holds some precision's tensor rate below the peak (`power_limited`)."""
        return any(share < 1.0 for _, share in self.power_limited_fractions)


@dataclass(frozen=True)
class Model:
    id: str
    name: str
    family: str
    open_weights: bool
    params_total_b: float | None = None
    params_active_b: float | None = None
    num_layers: int | None = None
    hidden_size: int | None = None
    vocab_size: int | None = None
    tie_word_embeddings: bool = False  # the LM head is the input embedding table
    num_attention_heads: int | None = None
    num_kv_heads: int | None = None
    head_dim: int | None = None
    attention_type: str | None = None
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    v_head_dim: int | None = None  # MLA: value head width after up-projection (DeepSeek-V3/R1 128)
    sliding_window: int | None = None
    full_attention_layers: int | None = None
    num_experts: int = 0
    experts_per_token: int = 0
    num_shared_experts: int = 0
    moe_layers: int = 0
    moe_intermediate_size: int | None = None
    routed_expert_params_b: float = 0.0
    max_context_tokens: int | None = None
    released_weight_precision: str | None = None  # precision of the published checkpoint, if not 16-bit
    # How the published 4-bit checkpoint stores its weights (models.yaml, from the model card):
    released_weight_format: str | None = None  # block-scale format of its 4-bit weights: mxfp4 | nvfp4
    non_expert_weight_precision: str | None = None  # attention, router, embeddings kept at this precision
    expert_activation_precision: str | None = None  # the 4-bit expert GEMMs' activations (W4A8 -> fp8)
    always_reasons: bool = False  # writes reasoning tokens on every call (no way to turn it off)
    quality_index: float | None = None  # LMArena text score, one snapshot (models.yaml header); None: not on it
    quality_source: str = ""
    tier: int | None = None  # closed rows: size rank in the vendor's line-up, 1 = top tier (models.yaml header)
    api_providers: tuple[tuple[str, str], ...] = ()
    license: str = ""
    source: str = ""
    as_of: str = ""
    basis: str = "vendor"
    notes: str = ""

    def __post_init__(self) -> None:
        if self.tier is not None and (self.open_weights or not isinstance(self.tier, int) or self.tier < 1):
            raise ValueError(f"models.yaml: {self.id!r} tier = {self.tier!r}; a tier is a whole number >= 1, "
                             "and only closed (API-only) rows carry one")
        if self.attention_type == "mla" and not self.v_head_dim:
            raise ValueError(f"models.yaml: MLA model {self.id!r} needs v_head_dim (its config's v_head_dim)")
        if self.released_weight_format and self.released_weight_format not in BLOCK_SCALE_BYTES_PER_VALUE:
            raise ValueError(f"models.yaml: model {self.id!r} released_weight_format "
                             f"{self.released_weight_format!r} is not known: use one of "
                             f"{', '.join(BLOCK_SCALE_BYTES_PER_VALUE)}")
        for name in ("non_expert_weight_precision", "expert_activation_precision"):
            value = getattr(self, name)
            if value and value not in BYTES_PER_VALUE:
                raise ValueError(f"models.yaml: model {self.id!r} {name} {value!r} is not known: use one of "
                                 f"{', '.join(BYTES_PER_VALUE)}")

    @property
    def ships_4bit(self) -> bool:
        """The published checkpoint is 4-bit, so 4-bit serving carries no quality risk."""
        return self.released_weight_precision in FOUR_BIT

    @functools.cached_property
    def is_moe(self) -> bool:  # asked several times for every decode step the replica search prices
        return self.num_experts > 0 and self.routed_expert_params_b > 0


@dataclass(frozen=True)
class Stack:
    """A serving stack with efficiency factors fitted on measured benchmarks."""

    id: str
    name: str
    vendors: tuple[str, ...]
    mbu: float  # achieved share of peak memory bandwidth reading weights
    kv_mbu: float  # achieved share of peak memory bandwidth reading the KV cache (attention kernels)
    mfu_decode: float  # achieved share of peak FLOPs in decode matmuls
    mfu_prefill: float  # achieved share of peak FLOPs in prefill
    step_overhead_ms: float  # scheduler + kernel-launch time per iteration
    activation_bytes_per_layer: float  # bytes each rank streams per hidden element, token and layer (norms, residuals)
    layer_floor_us: float  # fixed kernel time per layer and iteration (launch and small-kernel floor)
    max_batch: int  # most sequences one scheduler runs at once (TensorRT-LLM max_batch_size, vLLM max_num_seqs)
    fp4_compute_efficiency: float  # share of FP4 tensor-core peak reachable end to end
    continuous_batching: bool
    vendor_efficiency: tuple[tuple[str, float], ...]
    kv_cache_free_fraction: float  # the stack's KV memory fraction, of `kv_cache_fraction_of`
    runtime_reserve_gib: float  # CUDA context, libraries, CUDA graphs and runtime buffers, per accelerator [GiB]
    memory_source: str  # where the memory figures come from
    memory_basis: str
    source: str
    as_of: str
    basis: str
    notes: str = ""
    # Share of the dense GEMM efficiency (mfu_decode) that MoE expert GEMMs reach: grouped GEMMs pay
    # for expert scheduling, input permutation and routed-output accumulation (fitted, fit_priors.yaml).
    expert_gemm_efficiency: float = 1.0
    # Whether the stack's KV-cache pool sizes sliding-window layers by their window (True) or reserves
    # them the whole sequence like full-attention layers (False); stacks.yaml memory_source says why.
    kv_cache_window_aware: bool = True
    # What kv_cache_free_fraction is a share of: "free" = the memory left after weights, runtime, communication
    # buffers and activations (TensorRT-LLM free_gpu_memory_fraction); "total" = the accelerator's memory, of
    # which those are then taken (vLLM gpu_memory_utilization, SGLang mem_fraction_static).
    kv_cache_fraction_of: str = "free"
    tokens_per_block: int = 1  # paged KV cache: a sequence holds whole blocks of this many tokens
    # Tokens one scheduler iteration may carry, decode and prompt tokens together (TensorRT-LLM max_num_tokens,
    # vLLM max_num_batched_tokens); it also sizes the activation workspace. None: no budget.
    max_num_tokens: int | None = None
    # Smaller limits a stack applies on accelerators with less than small_memory_below_gib of memory (vLLM's
    # defaults by device); None where the stack has one default.
    small_memory_below_gib: float | None = None
    small_memory_hardware: tuple[str, ...] = ()  # accelerators given the smaller limits whatever their memory
    small_memory_max_batch: int | None = None
    small_memory_max_num_tokens: int | None = None
    # What the stack's own throughput benchmark sets where it differs from the defaults (trtllm-bench):
    # the calibration runs its rows with these; a deployment gets the defaults above.
    benchmark_kv_cache_free_fraction: float | None = None
    benchmark_max_batch: int | None = None  # per replica, across its pipeline stages
    benchmark_max_num_tokens: int | None = None
    max_batch_per_replica: bool = False  # max_batch caps the replica (trtllm-bench), not each scheduler
    # trtllm-bench sizes max_num_tokens to the workload (batch x (1 + ISL/OSL), at least this many, at most
    # max_num_tokens); None: the stack's max_num_tokens as set.
    benchmark_min_num_tokens: int | None = None
    num_tokens_sized_to_workload: bool = False

    def __post_init__(self) -> None:
        if self.kv_cache_fraction_of not in ("free", "total"):
            raise ValueError(f"stacks.yaml: stack {self.id!r} kv_cache_fraction_of {self.kv_cache_fraction_of!r}: "
                             "use free or total")
        if not 0 < self.kv_cache_free_fraction <= 1:
            raise ValueError(f"stacks.yaml: stack {self.id!r} kv_cache_free_fraction {self.kv_cache_free_fraction!r} "
                             "must be in (0, 1]")
        if self.tokens_per_block < 1 or self.max_batch < 1:
            raise ValueError(f"stacks.yaml: stack {self.id!r} tokens_per_block and max_batch must be at least 1")

    def limits_on(self, hw: "Hardware") -> tuple[int, int | None]:
        """(max_batch, max_num_tokens) of one scheduler on `hw` (its vendor GB are GiB)."""
        if hw.id in self.small_memory_hardware or (self.small_memory_below_gib is not None
                                                     and hw.memory_gb < self.small_memory_below_gib):
            return (self.small_memory_max_batch or self.max_batch,
                    self.small_memory_max_num_tokens or self.max_num_tokens)
        return self.max_batch, self.max_num_tokens

    def as_benchmarked(self) -> "Stack":
        """The stack with its own throughput benchmark's settings (trtllm-bench), where it has them."""
        changes = {k: v for k, v in (("kv_cache_free_fraction", self.benchmark_kv_cache_free_fraction),
                                     ("max_batch", self.benchmark_max_batch),
                                     ("max_num_tokens", self.benchmark_max_num_tokens)) if v is not None}
        if self.benchmark_max_batch is not None:
            changes["max_batch_per_replica"] = True
        if self.benchmark_min_num_tokens is not None:
            changes["num_tokens_sized_to_workload"] = True
        return replace(self, **changes) if changes else self

    def efficiency_on(self, vendor: str) -> float:
        """Software maturity of this stack on a hardware vendor (1.0 = as fitted on NVIDIA)."""
        return dict(self.vendor_efficiency).get(vendor, 1.0)


@dataclass(frozen=True)
class Catalog:
    hardware: Mapping[str, Hardware]
    models: Mapping[str, Model]
    stacks: Mapping[str, Stack]

    def get_hardware(self, hardware_id: str) -> Hardware:
        return _lookup("hardware", self.hardware, hardware_id)

    def get_model(self, model_id: str) -> Model:
        return _lookup("model", self.models, model_id)

    def get_stack(self, stack_id: str) -> Stack:
        return _lookup("stack", self.stacks, stack_id)

    def stacks_for(self, hw: Hardware) -> list[Stack]:
        return [s for s in self.stacks.values() if hw.vendor in s.vendors]


def _lookup(kind: str, table: Mapping[str, Any], key: str) -> Any:
    if key not in table:
        raise ValueError(f"unknown {kind} {key!r}: valid ids are {', '.join(sorted(table))}")
    return table[key]


def _as_tuple_pairs(value: Any) -> tuple[tuple[str, Any], ...]:
    if not value:
        return ()
    return tuple((str(k), v) for k, v in dict(value).items() if v is not None)


def _record(klass: type, row: Mapping[str, Any]) -> Any:
    """A frozen record from a validated table row (tables.load_table checked its provenance)."""
    names = {f.name for f in fields(klass)}
    kwargs = {k: v for k, v in row.items() if k in names}
    for k in ("dense_tflops", "api_providers", "vendor_efficiency"):
        if k in kwargs:
            kwargs[k] = _as_tuple_pairs(kwargs[k])
    for k in ("native_precisions", "vendors", "small_memory_hardware"):
        if k in kwargs:
            kwargs[k] = tuple(kwargs[k] or ())
    if "measured_speeds" in kwargs:
        kwargs["measured_speeds"] = tuple(MeasuredSpeed(**{k: s.get(k) for k in
                                          ("model_id", "output_tokens_per_s_per_user", "ttft_ms",
                                           "source", "as_of", "basis")})
                                          for s in kwargs["measured_speeds"] or ())
    for k in ("as_of", "notes", "source", "price_source", "spec_source", "license", "quality_source",
              "memory_source", "cloud_only_source", "topology"):
        if k in kwargs and kwargs[k] is not None:
            kwargs[k] = str(kwargs[k])
    for k in ("num_experts", "experts_per_token", "num_shared_experts", "moe_layers"):
        if k in kwargs and kwargs[k] is None:
            kwargs[k] = 0
    if "routed_expert_params_b" in kwargs and kwargs["routed_expert_params_b"] is None:
        kwargs["routed_expert_params_b"] = 0.0
    return klass(**kwargs)


def _records(klass: type, name: str) -> Mapping[str, Any]:
    return MappingProxyType({r["id"]: _record(klass, r) for r in rows_of(load_table(name))})


def power_limited(hw: Hardware, reference: Hardware) -> tuple[tuple[str, float], ...]:
    """Share of each precision's peak `hw` sustains at its power limit, from the same die's full-power part.

    Tensor math at a fixed clock-voltage point costs a fixed energy per FLOP, so a die capped at P watts
    computes at most P / (energy per FLOP). The energy per FLOP is the reference part's: its peak at its
    TDP (the fitted efficiencies already hold what the full-power part reaches of its own peak). A
    lower-TDP card of the same die thus sustains min(peak, reference peak x tdp / reference tdp): the
    roofline's power ceiling.

    References
    ----------
    Choi, Bedard, Fowler, Vuduc, "A Roofline Model of Energy", IPDPS 2013 (time under a power cap is at
    least energy / power).
    """
    if not (hw.tdp_w and reference.tdp_w):
        return ()
    out = []
    for precision, peak in hw.dense_tflops:
        ref_peak = dict(reference.dense_tflops).get(precision)
        if peak and ref_peak:
            out.append((precision, min(1.0, ref_peak * hw.tdp_w / reference.tdp_w / peak)))
    return tuple(out)


def _with_power_limits(hardware: Mapping[str, Hardware]) -> Mapping[str, Hardware]:
    out = dict(hardware)
    for hw_id, hw in hardware.items():
        if hw.power_reference:
            ref = _lookup("hardware", hardware, hw.power_reference)
            out[hw_id] = replace(hw, power_limited_fractions=power_limited(hw, ref))
    return MappingProxyType(out)


@functools.lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The catalog, read once per process (the files never change while running)."""
    return Catalog(hardware=_with_power_limits(_records(Hardware, "hardware")), models=_records(Model, "models"),
                   stacks=_records(Stack, "stacks"))


# --- physics constants and interconnects -------------------------------------------

@dataclass(frozen=True)
class Constant:
    """A sourced number (a physics.yaml or cost_assumptions.yaml row), with its range where one is given."""

    id: str
    value: float
    unit: str
    source: str
    as_of: str
    basis: str
    notes: str = ""
    low: float | None = None  # the range the uncertainty analysis draws from
    high: float | None = None


@dataclass(frozen=True)
class Interconnect:
    """One interconnects.yaml row: a link the model charges communication on."""

    id: str
    name: str
    gb_s_bidir: float  # both directions together [GB/s, decimal]
    source: str
    as_of: str
    basis: str
    hop_latency_us: float | None = None  # fixed cost of one message crossing it [us]
    latency_basis: str | None = None
    notes: str = ""

    @property
    def gb_s_per_direction(self) -> float:
        return self.gb_s_bidir / 2


@functools.lru_cache(maxsize=1)
def load_physics() -> Mapping[str, Constant]:
    """physics.yaml by id (read once)."""
    return MappingProxyType({r["id"]: Constant(str(r["id"]), float(r["value"]), str(r["unit"]), str(r["source"]),
                                               str(r["as_of"]), r["basis"], str(r.get("notes") or ""))
                             for r in rows_of(load_table("physics"))})


def physics_value(constant_id: str) -> float:
    return _lookup("physics constant", load_physics(), constant_id).value


@functools.lru_cache(maxsize=1)
def load_interconnects() -> Mapping[str, Interconnect]:
    """interconnects.yaml by id (read once)."""
    def record(r: Mapping[str, Any]) -> Interconnect:
        latency = r.get("hop_latency_us")
        return Interconnect(str(r["id"]), str(r["name"]), float(r["gb_s_bidir"]), str(r["source"]), str(r["as_of"]),
                            r["basis"], None if latency is None else float(latency), r.get("latency_basis"),
                            str(r.get("notes") or ""))
    return MappingProxyType({r["id"]: record(r) for r in rows_of(load_table("interconnects"))})


def interconnect(interconnect_id: str) -> Interconnect:
    return _lookup("interconnect", load_interconnects(), interconnect_id)


@dataclass(frozen=True)
class Fabric:
    """One collectives.yaml row: measured all-reduce cost on a scale-up fabric."""

    id: str
    name: str
    hardware: tuple[str, ...]
    allreduce_latency_us: float
    busbw_gb_s: tuple[tuple[int, float], ...]  # (GPU count, bus bandwidth GB/s), ascending
    source: str
    as_of: str
    basis: str
    # What one GPU sends in an expert-parallel all-to-all (dispatch or combine) [GB/s, one direction];
    # None: the all-reduce bus bandwidth at that GPU count (alltoall_s).
    alltoall_gb_s: float | None = None
    alltoall_source: str = ""

    @functools.cached_property
    def _busbw_by_count(self) -> dict[int, float]:
        return {}  # busbw_bytes_s by GPU count, filled as asked: every decode step the replica search prices

    def busbw_bytes_s(self, accelerators: int) -> float:
        """Bus bandwidth at `accelerators` GPUs [B/s]: the listed count at or below it."""
        known = self._busbw_by_count.get(accelerators)
        if known is None:
            eligible = [bw for n, bw in self.busbw_gb_s if n <= accelerators] or [self.busbw_gb_s[0][1]]
            known = self._busbw_by_count[accelerators] = eligible[-1] * 1e9
        return known

    def allreduce_s(self, message_bytes: float, accelerators: int) -> float:
        """One all-reduce of `message_bytes` over `accelerators` GPUs [s] (nccl-tests busbw convention)."""
        if accelerators <= 1:
            return 0.0
        return (self.allreduce_latency_us * 1e-6
                + message_bytes * 2.0 * (accelerators - 1) / accelerators / self.busbw_bytes_s(accelerators))

    def alltoall_s(self, bytes_per_rank: float, accelerators: int) -> float:
        """One all-to-all in which each of `accelerators` GPUs holds `bytes_per_rank` for all of them [s]:
        the (n - 1) / n of it bound for other GPUs leaves at `alltoall_gb_s` (nccl-tests' alltoall busbw
        convention), after the fabric's small-message latency."""
        if accelerators <= 1:
            return 0.0
        rate = self.alltoall_gb_s * 1e9 if self.alltoall_gb_s else self.busbw_bytes_s(accelerators)
        return self.allreduce_latency_us * 1e-6 + bytes_per_rank * (accelerators - 1) / accelerators / rate


FALLBACK_FABRIC = "pcie-gen4"


@functools.lru_cache(maxsize=1)
def load_fabrics() -> Mapping[str, Fabric]:
    """collectives.yaml by hardware id (read once); hardware on no row gets pcie-gen4."""
    by_hw: dict[str, Fabric] = {}
    for r in rows_of(load_table("collectives")):
        fabric = Fabric(str(r["id"]), str(r["name"]), tuple(r["hardware"]), float(r["allreduce_latency_us"]),
                        tuple(sorted((int(n), float(bw)) for n, bw in r["busbw_gb_s"])),
                        str(r["source"]), str(r["as_of"]), r["basis"],
                        float(r["alltoall_gb_s"]) if r.get("alltoall_gb_s") else None,
                        str(r.get("alltoall_source") or ""))
        by_hw[fabric.id] = fabric
        for hw in fabric.hardware:
            by_hw[hw] = fabric
    return MappingProxyType(by_hw)


@functools.lru_cache(maxsize=256)
def fabric_for(hardware_id: str) -> Fabric:
    fabrics = load_fabrics()
    return fabrics.get(hardware_id) or fabrics[FALLBACK_FABRIC]
