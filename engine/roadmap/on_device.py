"""The on-device lever, made concrete: which model fits the typical user's device, how fast it
runs there against the latency targets, the share of calls it takes and what it costs.

Only calls made by an app on the user's own phone or laptop can run there
(workload.call_origin == "user_device"); never phone-line calls, realtime voice, batch pipelines
or prompts longer than an on-device model is taken to hold. The offloaded share is the simple
calls (levers.on_device_share): answered without hidden reasoning by a small model shipped
with the app; calls that need reasoning or a larger model stay in the cloud.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from engine.catalog.catalog import Catalog
from engine.catalog.tables import load_table
from engine.physics import edge
from engine.scenario.schema import Scenario

# The longest prompt an on-device model is taken to hold: Apple's Foundation Models framework exposes
# 4,096 tokens to developers for its ~3B on-device model (as reported in public notes on the framework);
# the 3-8B models phones and laptops run are held to a few thousand tokens by the device's memory.
ON_DEVICE_MAX_INPUT_TOKENS = 4_096
# Runtime, tokenizer and activation buffers beside the weights and KV cache [GB]: an estimate.
RUNTIME_OVERHEAD_GB = 0.5
# Largest model an app is taken to ship [B parameters]: beyond ~24B no client device in the catalog
# holds the weights at 4 bits with the OS beside them.
MAX_ON_DEVICE_PARAMS_B = 24.0
# Stacks and quantisation formats by backend, most device-native first (edge_benchmarks.yaml).
STACKS = {
    "metal": (("coreml", "apple_mixed_3.5bpw"), ("mlx", "mlx_4bit"), ("llama.cpp", "q4_k_m")),
    "cuda": (("exllamav2", "exl2_4.0bpw"), ("llama.cpp", "q4_k_m")),
    "cpu_npu": (("llama.cpp", "q4_k_m"),),
}
# Core ML's fitted row is Apple's own phone model: used on phones only.
PHONE_ONLY = {"coreml"}


@dataclass(frozen=True)
class Candidate:
    model_id: str
    model_name: str
    params_b: float
    stack: str
    format: str
    memory_needed_gb: float
    fits: bool
    decode_tok_s: float | None
    ttft_ms: float | None
    meets_targets: bool
    speed_evidence: str  # measured | modelled
    reason: str


@dataclass(frozen=True)
class OnDevice:
    """The on-device option of a scenario: device, model, speed, share, saving and costs."""

    applies: bool
    reason: str
    device_id: str
    device_name: str
    device_source: str
    device_basis: str
    device_chosen_by: str  # "scenario" (workload.typical_user_device) or the default's source
    model_id: str | None
    model_name: str | None
    stack: str | None
    format: str | None
    decode_tok_s: float | None
    ttft_ms: float | None
    speed_evidence: str | None
    memory_needed_gb: float | None
    memory_usable_gb: float
    share: float  # of calls, levers.on_device_share
    monthly_saving_usd: float  # the cloud cost it removes: the roadmap lever's standalone re-plan
    integration_effort_days: float
    app_download_gb: float | None  # the model shipped with the app
    energy_wh_per_call: float | None  # device power x call time; None without a sourced power figure
    quality_risk: str
    quality_risk_reason: str
    cost_basis: str
    candidates: tuple[Candidate, ...]


@functools.lru_cache(maxsize=1)
def _defaults() -> dict[str, dict]:
    return {r["tier"]: dict(r) for r in load_table("devices")["defaults"]}


def _models(catalog: Catalog) -> list[edge.EdgeModel]:
    """Small models an app can ship: devices.yaml's, and the catalog's open dense models up to 24B."""
    out = [edge.EdgeModel(r["id"], r["name"], float(r["params_b"]), float(r["active_params_b"]),
                          float(r["kv_bytes_per_token_fp16"]), int(r["max_context_tokens"]), bool(r["reasons"]),
                          r["source"]) for r in load_table("devices")["models"]]
    for m in catalog.models.values():
        if (m.open_weights and m.params_total_b and m.params_total_b <= MAX_ON_DEVICE_PARAMS_B
                and m.attention_type == "gqa" and m.num_layers and m.num_kv_heads and m.head_dim):
            kv = 2 * m.num_layers * m.num_kv_heads * m.head_dim * 2.0
            out.append(edge.EdgeModel(m.id, m.name, m.params_total_b, m.params_active_b or m.params_total_b, kv,
                                      m.max_context_tokens or 8192, m.always_reasons, m.source))
    return sorted(out, key=lambda e: -e.params_b)  # the most capable first


def choose_device(scenario: Scenario) -> tuple[edge.Device, str]:
    """The scenario's typical device, or the sourced default for its latency tier."""
    chosen = scenario.workload.typical_user_device
    if chosen:
        return edge.device(chosen), "scenario (workload.typical_user_device)"
    row = _defaults().get(scenario.latency.tier) or _defaults()["interactive"]
    return edge.device(row["device"]), f"default for {scenario.latency.tier} calls: {row['source']}"


def why_not(scenario: Scenario) -> str:
    """Why calls of this workload cannot run on the user's device ('' when they can)."""
    w = scenario.workload
    if w.call_origin == "phone":
        return "calls come over the phone network (workload.call_origin = phone), not from an app on the caller's device"
    if w.call_origin != "user_device":
        return ("calls are made by servers (workload.call_origin = server); only calls an app makes on the "
                "user's own phone or laptop can run there")
    if scenario.latency.tier == "batch":
        return "a batch pipeline has no user's laptop or phone to run the calls on"
    if scenario.latency.tier == "realtime":
        return "realtime voice calls come over the phone network, not from an app on the caller's device"
    if w.input_tokens_per_call > ON_DEVICE_MAX_INPUT_TOKENS:
        return (f"{w.input_tokens_per_call:,}-token prompts exceed the {ON_DEVICE_MAX_INPUT_TOKENS:,}-token "
                "context taken for on-device models (Apple's ~3B on-device model, as reported)")
    if scenario.levers.on_device_share == 0:
        return "levers.on_device_share is 0"
    return ""


def _candidate(dev: edge.Device, m: edge.EdgeModel, stack: str, fmt: str, scenario: Scenario) -> Candidate:
    w, lat = scenario.workload, scenario.latency
    context = w.input_tokens_per_call + w.output_tokens_per_call  # simple calls: no hidden reasoning
    memory = edge.weights_gb(m.params_b, fmt) + context * m.kv_bytes_per_token_fp16 / 1e9 + RUNTIME_OVERHEAD_GB
    fits = memory <= dev.usable_memory_gb and context <= m.max_context_tokens
    p = edge.predict(dev.id, stack, fmt, m.active_params_b)
    decode = p.decode_tok_s if p else None
    ttft = w.input_tokens_per_call / p.prefill_tok_s * 1000.0 if p and p.prefill_tok_s else None
    meets = bool(fits and decode and ttft is not None and decode >= lat.min_output_tokens_per_s_per_user
                 and ttft <= lat.ttft_p95_ms)
    if not fits:
        reason = f"needs {memory:.1f} GB, the app may use {dev.usable_memory_gb:.1f} GB of {dev.name}"
    elif decode is None or ttft is None:
        reason = f"no measured row or bandwidth figure to predict {stack} on {dev.name}"
    else:
        reason = (f"{decode:,.0f} tok/s and {ttft:,.0f} ms to the first token against "
                  f"{lat.min_output_tokens_per_s_per_user:,.0f} tok/s and {lat.ttft_p95_ms:,.0f} ms")
    return Candidate(m.id, m.name, m.params_b, stack, fmt, memory, fits, decode, ttft, meets,
                     p.evidence if p else "modelled", reason)


def assess(catalog: Catalog, scenario: Scenario, monthly_saving_usd: float = 0.0) -> OnDevice:
    """The on-device option: the most capable model that fits the device and meets the targets."""
    dev, chosen_by = choose_device(scenario)
    lever = next(r for r in load_table("levers")["levers"] if r["id"] == "on_device")
    why = why_not(scenario)
    candidates: list[Candidate] = []
    if not why:
        for m in _models(catalog):
            for stack, fmt in STACKS.get(dev.backend, ()):
                if stack in PHONE_ONLY and dev.kind != "phone":
                    continue
                candidates.append(_candidate(dev, m, stack, fmt, scenario))
    best = next((c for c in candidates if c.meets_targets), None)
    if not why and best is None:
        fitting = [c for c in candidates if c.fits]
        why = (f"no small model both fits {dev.name} and meets the latency targets"
               + (f" (best that fits: {fitting[0].model_name} on {fitting[0].stack}, {fitting[0].reason})"
                  if fitting else ""))
    energy = None
    if best and dev.power_w and best.decode_tok_s:
        seconds = (best.ttft_ms or 0.0) / 1000.0 + scenario.workload.output_tokens_per_call / best.decode_tok_s
        energy = dev.power_w * seconds / 3600.0
    reason = why or (f"{best.model_name} ({best.stack}, {best.format}) on {dev.name}: {best.reason}; "
                     f"takes {scenario.levers.on_device_share:.0%} of calls (the simple ones, no hidden reasoning)")
    return OnDevice(
        applies=not why, reason=reason, device_id=dev.id, device_name=dev.name, device_source=dev.source,
        device_basis=dev.basis, device_chosen_by=chosen_by,
        model_id=best.model_id if best else None, model_name=best.model_name if best else None,
        stack=best.stack if best else None, format=best.format if best else None,
        decode_tok_s=best.decode_tok_s if best else None, ttft_ms=best.ttft_ms if best else None,
        speed_evidence=best.speed_evidence if best else None,
        memory_needed_gb=best.memory_needed_gb if best else None, memory_usable_gb=dev.usable_memory_gb,
        share=scenario.levers.on_device_share, monthly_saving_usd=monthly_saving_usd if not why else 0.0,
        integration_effort_days=float(lever["effort_days"]),
        app_download_gb=edge.weights_gb(best.params_b, best.format) if best else None,
        energy_wh_per_call=energy, quality_risk=lever["quality_risk"],
        quality_risk_reason=lever["quality_risk_reason"],
        cost_basis=("estimates: integration effort from levers.yaml (engineer-days, team estimate); app download = the "
                    "model's weights at its quantisation; energy = device power x call time where a power figure is "
                    "sourced"),
        candidates=tuple(candidates))
