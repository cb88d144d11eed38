"""Edge and on-device inference: one user, one stream, on a phone, a laptop or an edge box.

At batch 1 every generated token reads every active weight once, so decode is memory-bound:
time per token = weight bytes / (efficiency x bandwidth) + a fixed per-token floor (kernel
launches, sampling, the host). Efficiency and floor are fitted per serving stack and backend
(llama.cpp on Metal, llama.cpp on CUDA, ExLlamaV2, MLX, Core ML) on the measured rows of
engine/data/edge_benchmarks.yaml. Prefill is compute-bound; no compute peak is sourced for most
client chips, so prompt speed is scaled from the measured rows of the same stack by bandwidth
and model size (labelled as such). `leave_one_device_out` reports how well the fit predicts a
device it has not seen (issue 17: within 25% median).

References
----------
llama.cpp discussions #4167 (Apple Silicon) and #15013 (CUDA); turboderp/exllamav2 README.
"""
from __future__ import annotations

import functools
import statistics
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from engine.catalog.tables import load_table

# A fit needs the floor to stay physical: never negative, never above a slow token.
MAX_FLOOR_MS = 20.0


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    vendor: str
    kind: str  # phone | laptop | desktop | workstation_gpu | edge_box
    backend: str  # metal | cuda | cpu_npu
    memory_gb: float
    memory_bandwidth_gb_s: float | None
    usable_memory_fraction: float
    npu_tops: float | None
    power_w: float | None
    price_usd: float | None
    source: str
    as_of: str
    basis: str
    price_source: str = ""
    price_basis: str = ""

    @property
    def usable_memory_gb(self) -> float:
        return self.memory_gb * self.usable_memory_fraction


@dataclass(frozen=True)
class EdgeModel:
    """A model an app can ship: parameters, KV bytes per token at 16 bits, context, reasoning."""

    id: str
    name: str
    params_b: float
    active_params_b: float
    kv_bytes_per_token_fp16: float
    max_context_tokens: int
    reasons: bool
    source: str


@dataclass(frozen=True)
class Measurement:
    device: str
    stack: str
    format: str
    model: str
    params_b: float
    decode_tok_s: float
    prefill_tok_s: float | None
    source: str
    as_of: str
    basis: str


@dataclass(frozen=True)
class StackFit:
    """Fitted decode efficiency (share of peak bandwidth) and per-token floor of one stack on one backend."""

    stack: str
    backend: str
    bandwidth_efficiency: float
    floor_ms: float
    prefill_k: float | None  # prompt tok/s x active params [B] / bandwidth [GB/s], median of measured rows
    rows: int


@dataclass(frozen=True)
class Prediction:
    decode_tok_s: float
    prefill_tok_s: float | None
    weights_gb: float
    fit: StackFit
    evidence: str  # measured (a row for this device, stack, format and size) | modelled


@dataclass(frozen=True)
class LeaveOneOut:
    """Leave-one-device-out error of decode predictions: |predicted / measured - 1| per row."""

    median_error: float
    p90_error: float
    rows: int
    by_stack: Mapping[str, float]  # median error per stack


# --- the tables ------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def devices() -> Mapping[str, Device]:
    rows = load_table("devices")["devices"]
    return MappingProxyType({r["id"]: Device(
        r["id"], r["name"], r["vendor"], r["kind"], r["backend"], float(r["memory_gb"]),
        float(r["memory_bandwidth_gb_s"]) if r.get("memory_bandwidth_gb_s") else None,
        float(r["usable_memory_fraction"]), r.get("npu_tops"), r.get("power_w"), r.get("price_usd"),
        r["spec_source"], str(r["as_of"]), r["basis"], r.get("price_source", ""), r.get("price_basis") or "")
        for r in rows})


def device(device_id: str) -> Device:
    table = devices()
    if device_id not in table:
        raise ValueError(f"workload.typical_user_device = {device_id!r} is not a device in the catalog; "
                         f"choose one of {', '.join(sorted(table))}")
    return table[device_id]


@functools.lru_cache(maxsize=1)
def format_bits() -> Mapping[str, float]:
    return MappingProxyType({r["id"]: float(r["bits_per_weight"]) for r in load_table("edge_benchmarks")["formats"]})


@functools.lru_cache(maxsize=1)
def measurements() -> tuple[Measurement, ...]:
    return tuple(Measurement(r["device"], r["stack"], r["format"], r["model"], float(r["params_b"]),
                             float(r["decode_tok_s"]), r.get("prefill_tok_s"), r["source"], str(r["as_of"]),
                             r["basis"]) for r in load_table("edge_benchmarks")["rows"])


def weights_gb(params_b: float, fmt: str) -> float:
    """Weight bytes read per generated token [GB] (active parameters for a mixture of experts)."""
    if fmt not in format_bits():
        raise ValueError(f"quantisation format {fmt!r} is not known: choose one of {', '.join(format_bits())}")
    return params_b * format_bits()[fmt] / 8.0


# --- the fit -------------------------------------------------------------------------

def _roofline_ms(m: Measurement) -> float:
    return weights_gb(m.params_b, m.format) / devices()[m.device].memory_bandwidth_gb_s * 1000.0


def _fit(rows: list[Measurement], stack: str, backend: str) -> StackFit:
    """Least squares of time per token on roofline time: t = x / efficiency + floor."""
    x = np.array([_roofline_ms(m) for m in rows])
    y = np.array([1000.0 / m.decode_tok_s for m in rows])
    efficiency, floor = float(np.median(x / y)), 0.0
    if len(set(np.round(x, 6))) >= 2:
        slope, intercept = np.polyfit(x, y, 1)
        if slope >= 1.0 and 0.0 <= intercept <= MAX_FLOOR_MS:
            efficiency, floor = 1.0 / float(slope), float(intercept)
    efficiency = min(efficiency, 1.0)  # never faster than the bandwidth allows
    ks = [m.prefill_tok_s * m.params_b / devices()[m.device].memory_bandwidth_gb_s for m in rows if m.prefill_tok_s]
    return StackFit(stack, backend, efficiency, floor, float(np.median(ks)) if ks else None, len(rows))


def fit_for(stack: str, backend: str, exclude_device: str | None = None) -> StackFit | None:
    """The stack's fit on a backend; without rows there, the stack on any backend; None without rows."""
    usable = [m for m in measurements() if m.stack == stack and m.device != exclude_device
              and devices()[m.device].memory_bandwidth_gb_s]
    same = [m for m in usable if devices()[m.device].backend == backend]
    if same:
        return _fit(same, stack, backend)
    return _fit(usable, stack, "any") if usable else None


def predict(device_id: str, stack: str, fmt: str, active_params_b: float,
            exclude_device: str | None = None) -> Prediction | None:
    """Batch-1 decode and prefill speed of a model on a device [tok/s]; None when the device has
    no bandwidth figure or the stack no measured row."""
    dev = devices()[device_id]
    fit = fit_for(stack, dev.backend, exclude_device)
    if fit is None or not dev.memory_bandwidth_gb_s:
        return None
    w = weights_gb(active_params_b, fmt)
    time_ms = w / (fit.bandwidth_efficiency * dev.memory_bandwidth_gb_s) * 1000.0 + fit.floor_ms
    prefill = fit.prefill_k * dev.memory_bandwidth_gb_s / active_params_b if fit.prefill_k else None
    own = [m for m in measurements() if m.device == device_id and m.stack == stack and m.format == fmt
           and abs(m.params_b - active_params_b) / active_params_b < 0.1 and device_id != exclude_device]
    evidence = "measured" if own else "modelled"
    if own:  # a measured row for this very case wins over the fit
        return Prediction(own[0].decode_tok_s, own[0].prefill_tok_s or prefill, w, fit, evidence)
    return Prediction(1000.0 / time_ms, prefill, w, fit, evidence)


def leave_one_device_out() -> LeaveOneOut:
    """Predict every measured row with its device's rows left out of the fit."""
    errors: list[float] = []
    by_stack: dict[str, list[float]] = {}
    for m in measurements():
        p = predict(m.device, m.stack, m.format, m.params_b, exclude_device=m.device)
        if p is None:
            continue
        err = abs(p.decode_tok_s / m.decode_tok_s - 1.0)
        errors.append(err)
        by_stack.setdefault(m.stack, []).append(err)
    return LeaveOneOut(statistics.median(errors), float(np.percentile(errors, 90)), len(errors),
                       MappingProxyType({k: statistics.median(v) for k, v in by_stack.items()}))
