"""The catalog: engine/data/*.yaml loaded once into frozen records.

Every row carries `source`, `as_of` and `basis` (measured | vendor | estimate) so any
number on screen can say where it came from.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

import yaml

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# libyaml's safe loader when PyYAML was built with it: the data files parse ~10x faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text_or_stream):
    """Parse YAML with a safe loader (never constructs arbitrary objects)."""
    return yaml.load(text_or_stream, Loader=_SAFE_LOADER)
BASES = ("measured", "vendor", "estimate")

# Weight/KV precisions and their storage cost. int4 is weight-only (AWQ/GPTQ style):
# the matmuls run in bf16 after dequantisation; fp4 runs on FP4 tensor cores.
BYTES_PER_VALUE: dict[str, float] = {"bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5, "fp4": 0.5}
PRECISION_ALIASES = {"fp16": "bf16", "float16": "bf16", "bfloat16": "bf16", "16-bit": "bf16",
                     "mxfp4": "fp4", "nvfp4": "fp4", "8-bit": "fp8", "w4a16": "int4"}
COMPUTE_PRECISION = {"bf16": "bf16", "fp8": "fp8", "int8": "int8", "int4": "bf16", "fp4": "fp4"}
FOUR_BIT = ("int4", "fp4")


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

    def owned_count(self, needed: int) -> int:
        """Accelerators an owner must buy to have `needed`: whole purchase units."""
        unit = max(self.purchase_unit_accelerators, 1)
        return -(-int(needed) // unit) * unit

    @property
    def is_specialized(self) -> bool:
        return self.kind == "specialized"

    def tflops(self, precision: str) -> float | None:
        """Dense peak TFLOPS for the matmuls of weights stored at `precision`."""
        wanted = COMPUTE_PRECISION[precision]
        table = dict(self.dense_tflops)
        return table.get(wanted) or (table.get("bf16") if precision == "int4" else None)

    def runs(self, precision: str) -> bool:
        return precision in self.native_precisions and bool(self.tflops(precision))


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
    num_attention_heads: int | None = None
    num_kv_heads: int | None = None
    head_dim: int | None = None
    attention_type: str | None = None
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
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
    always_reasons: bool = False  # writes reasoning tokens on every call (no way to turn it off)
    quality_index: float | None = None
    quality_source: str = ""
    api_providers: tuple[tuple[str, str], ...] = ()
    license: str = ""
    source: str = ""
    as_of: str = ""
    basis: str = "vendor"
    notes: str = ""

    @property
    def ships_4bit(self) -> bool:
        """The published checkpoint is 4-bit, so 4-bit serving carries no quality risk."""
        return self.released_weight_precision in FOUR_BIT

    @property
    def is_moe(self) -> bool:
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
    per_sequence_overhead_us: float  # sampling and bookkeeping per running sequence per iteration
    allreduce_latency_us: float  # fixed cost of one tensor-parallel all-reduce
    max_batch: int  # most sequences the scheduler runs at once
    fp4_compute_efficiency: float  # share of FP4 tensor-core peak reachable end to end
    continuous_batching: bool
    vendor_efficiency: tuple[tuple[str, float], ...]
    source: str
    as_of: str
    basis: str
    notes: str = ""

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


def _record(klass: type, row: Mapping[str, Any], file: str) -> Any:
    names = {f.name for f in fields(klass)}
    missing_provenance = [k for k in ("as_of", "basis") if k in names and not row.get(k)]
    if missing_provenance:
        raise ValueError(f"{file}: row {row.get('id')!r} lacks {', '.join(missing_provenance)}")
    if "basis" in names and row.get("basis") not in BASES:
        raise ValueError(f"{file}: row {row.get('id')!r} basis must be one of {BASES}")
    kwargs = {k: v for k, v in row.items() if k in names}
    for k in ("dense_tflops", "api_providers", "vendor_efficiency"):
        if k in kwargs:
            kwargs[k] = _as_tuple_pairs(kwargs[k])
    for k in ("native_precisions", "vendors"):
        if k in kwargs:
            kwargs[k] = tuple(kwargs[k] or ())
    if "measured_speeds" in kwargs:
        kwargs["measured_speeds"] = tuple(MeasuredSpeed(**{k: s.get(k) for k in
                                          ("model_id", "output_tokens_per_s_per_user", "ttft_ms",
                                           "source", "as_of", "basis")})
                                          for s in kwargs["measured_speeds"] or ())
    for k in ("as_of", "notes", "source", "price_source", "spec_source", "license", "quality_source"):
        if k in kwargs and kwargs[k] is not None:
            kwargs[k] = str(kwargs[k])
    for k in ("num_experts", "experts_per_token", "num_shared_experts", "moe_layers"):
        if k in kwargs and kwargs[k] is None:
            kwargs[k] = 0
    if "routed_expert_params_b" in kwargs and kwargs["routed_expert_params_b"] is None:
        kwargs["routed_expert_params_b"] = 0.0
    return klass(**kwargs)


def _load_rows(name: str) -> list[dict[str, Any]]:
    path = DATA_DIR / f"{name}.yaml"
    with path.open(encoding="utf-8") as fh:
        rows = load_yaml(fh)
    if isinstance(rows, dict) and "rows" in rows:
        rows = rows["rows"]
    if not isinstance(rows, list):
        raise ValueError(f"{path.name} must hold a list of rows")
    return rows


@functools.lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The catalog, read once per process (the files never change while running)."""
    hardware = {r["id"]: _record(Hardware, r, "hardware.yaml") for r in _load_rows("hardware")}
    models = {r["id"]: _record(Model, r, "models.yaml") for r in _load_rows("models")}
    stacks = {r["id"]: _record(Stack, r, "stacks.yaml") for r in _load_rows("stacks")}
    return Catalog(hardware=hardware, models=models, stacks=stacks)
