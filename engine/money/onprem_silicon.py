"""Owned options beyond datacenter GPU servers: edge boxes and specialized silicon on premises.

- Edge boxes (devices.yaml, kind edge_box): Jetson and small RTX servers for low-volume, data-local
  or offline sites, one stream per box at the batch-1 speed engine/physics/edge.py predicts
  (llama.cpp, GGUF Q4_K_M): a conservative throughput, since llama.cpp and vLLM also batch.
- Specialized systems (onprem_systems.yaml): Cerebras, Groq and SambaNova bought and run on
  premises, at the per-user speed measured on the vendor's own service.

Both are priced like owned hardware through the one cost model (cost_model.py: CostModel and
month_one_usd): capex amortized, power x PUE, colocation per kW, maintenance and staff. A system
without a price or a sourced estimate is listed with the reason and not costed. These options are
listed beside the plan's options; the recommendation does not rank them yet.
"""
from __future__ import annotations

import functools
import math

from engine.capacity.demand import Demand
from engine.capacity import fleet
from engine.catalog.catalog import Catalog
from engine.catalog.tables import load_table
from engine.money.cost_model import (HOURS_PER_MONTH, CostModel, assumption, fleet_accelerators, staff_floor_fte)
from engine.money.options import Option, _option
from engine.physics import edge
from engine.scenario.schema import Scenario

EDGE_STACK, EDGE_FORMAT = "llama.cpp", "q4_k_m"
# KV cache per token of a GQA model at 16 bits, 2 x layers x KV heads x head size x 2 bytes.
KV_BYTES = 2.0


def _owned_model(option_id: str, scenario: Scenario, dem: Demand, calls_per_s_per_replica: float,
                 units_per_replica: int, unit_price_usd: float, unit_kw: float) -> CostModel:
    """A CostModel for owned units, the same terms as an owned GPU fleet (cost_model.py)."""
    f, c = scenario.finance, scenario.constraints
    return CostModel(
        option_id, "owned", peak_calls_per_s=dem.peak_calls_per_s, calls_per_s_per_replica=calls_per_s_per_replica,
        headroom=c.headroom_fraction, spares=c.redundant_replicas, failure_domains=c.failure_domains,
        accelerators_per_replica=units_per_replica, purchase_unit=1,
        staff_min_fte=staff_floor_fte(scenario),
        staff_fte_per_accelerator=assumption("ops_engineers_per_1000_accelerators_owned") / 1000.0,
        engineer_usd_per_month=f.engineer_cost_usd_per_year / 12.0,
        power_usd_per_accelerator_month=unit_kw * f.pue * f.electricity_usd_per_kwh * HOURS_PER_MONTH,
        space_usd_per_accelerator_month=unit_kw * assumption("colocation_usd_per_kw_month"),
        capex_per_accelerator_usd=unit_price_usd, amortization_months=int(f.amortization_years * 12),
        maintenance_per_capex_month=assumption("maintenance_fraction_of_capex_per_year") / 12.0)


def _kv_bytes_per_token(catalog: Catalog, model_id: str) -> float | None:
    m = catalog.get_model(model_id)
    if m.attention_type != "gqa" or not (m.num_layers and m.num_kv_heads and m.head_dim):
        return None
    return 2 * m.num_layers * m.num_kv_heads * m.head_dim * KV_BYTES


def _unusable(kind_id: str, name: str, scenario: Scenario, dem: Demand, reason: str, basis: str, **kw) -> Option:
    return _option("owned", kind_id, name, scenario, dem, None, hardware=kw.pop("hardware", None), provider=None,
                   accelerators=None, meets_slo=False, feasible=False, reason=reason, ttft_ms=None, tpot_ms=None,
                   utilization_average=None, utilization_peak=None, basis=basis[:200], **kw)


def edge_box_options(catalog: Catalog, scenario: Scenario, dem: Demand) -> tuple[Option, ...]:
    """Each edge box of devices.yaml serving the scenario's model (open weights only)."""
    model = catalog.get_model(scenario.model.id)
    w, lat = scenario.workload, scenario.latency
    out = []
    for dev in edge.devices().values():
        if dev.kind != "edge_box":
            continue
        oid, name = f"edge:{dev.id}", f"{dev.name} (edge box, owned)"
        if not model.open_weights:
            out.append(_unusable(oid, name, scenario, dem, f"{model.name} is closed: it cannot run on an edge box",
                                 dev.price_source, hardware=dev.id))
            continue
        if scenario.constraints.deployment == "cloud":
            out.append(_unusable(oid, name, scenario, dem, "the scenario is cloud only: nothing owned",
                                 dev.price_source, hardware=dev.id))
            continue
        kv = _kv_bytes_per_token(catalog, model.id)
        weights = edge.weights_gb(model.params_total_b or 0.0, EDGE_FORMAT)
        context = w.input_tokens_per_call + w.output_tokens_per_call + w.reasoning_tokens_per_call
        memory = weights + (context * kv / 1e9 if kv else 0.0) + 0.5
        p = edge.predict(dev.id, EDGE_STACK, EDGE_FORMAT, model.params_active_b or model.params_total_b or 1.0)
        if memory > dev.usable_memory_gb or p is None or not p.prefill_tok_s:
            why = (f"{model.name} needs {memory:,.0f} GB at Q4_K_M; {dev.name} holds {dev.usable_memory_gb:,.0f} GB"
                   if memory > dev.usable_memory_gb else f"no figure to predict {model.name} on {dev.name}")
            out.append(_unusable(oid, name, scenario, dem, why, dev.price_source, hardware=dev.id))
            continue
        ttft = w.input_tokens_per_call / p.prefill_tok_s * 1000.0 + w.reasoning_tokens_per_call / p.decode_tok_s * 1000.0
        meets = p.decode_tok_s >= lat.min_output_tokens_per_s_per_user and ttft <= lat.ttft_p95_ms
        host = 1.0 + (assumption("server_share_of_accelerator_capex") if dev.kind == "edge_box"
                      and dev.id.endswith("-server") else 0.0)
        cost = _owned_model(oid, scenario, dem, p.decode_tok_s / dem.generated_tokens_per_call, 1,
                            (dev.price_usd or 0.0) * host, (dev.power_w or 0.0) / 1000.0)
        boxes = fleet_accelerators(cost)
        reason = (f"{boxes} x {dev.name}, {model.name} on {EDGE_STACK} {EDGE_FORMAT.upper()}, one stream per box: "
                  f"{p.decode_tok_s:,.0f} tok/s per user and {ttft:,.0f} ms to the first visible token"
                  + ("" if meets else f" (targets {lat.min_output_tokens_per_s_per_user:,.0f} tok/s, "
                                      f"{lat.ttft_p95_ms:,.0f} ms: missed)"))
        out.append(_option("owned", oid, name, scenario, dem, cost, hardware=dev.id, provider=None, accelerators=boxes,
                           meets_slo=meets, feasible=True, reason=reason, ttft_ms=ttft, tpot_ms=1000.0 / p.decode_tok_s,
                           utilization_average=None, utilization_peak=None,
                           basis=f"{dev.price_basis or 'vendor'}: {dev.price_source}"[:200],
                           speed_evidence=p.evidence, ttft_evidence="modelled",
                           failure_domains=cost.failure_domains, accelerator_hours_per_month=boxes * HOURS_PER_MONTH))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _systems():
    t = load_table("onprem_systems")
    return t["systems"], {r["model_id"]: r["speed_model_id"] for r in t["speed_aliases"]}


def onprem_silicon_options(catalog: Catalog, scenario: Scenario, dem: Demand) -> tuple[Option, ...]:
    """Each specialized system of onprem_systems.yaml bought to serve the scenario's model on premises."""
    systems, aliases = _systems()
    model = catalog.get_model(scenario.model.id)
    w, lat = scenario.workload, scenario.latency
    out = []
    for s in systems:
        oid, name = f"onprem:{s['id']}", f"{s['name']} (on premises, owned)"
        basis = f"{s['price_basis'] or 'unpriced'}: {s['price_source']}; {s['status']}"
        speed_id = aliases.get(model.id, model.id)
        speeds = [] if not s.get("hardware_id") else [
            x for x in catalog.get_hardware(s["hardware_id"]).measured_speeds if x.model_id == speed_id]
        if not model.open_weights:
            out.append(_unusable(oid, name, scenario, dem, f"{model.name} is closed: it cannot be run on premises",
                                 basis, hardware=s.get("hardware_id")))
            continue
        if scenario.constraints.deployment == "cloud":
            out.append(_unusable(oid, name, scenario, dem, "the scenario is cloud only: nothing owned", basis,
                                 hardware=s.get("hardware_id")))
            continue
        if not speeds:
            out.append(_unusable(oid, name, scenario, dem, f"{s['status']}: no measured per-user speed for "
                                 f"{model.name} on {s['name']}", basis, hardware=s.get("hardware_id")))
            continue
        # the independent measurement where there is one, else the vendor's figure
        speed = sorted(speeds, key=lambda x: (x.basis != "measured", -x.output_tokens_per_s_per_user))[0]
        weights = (model.params_total_b or 0.0) * s["precision_bytes_per_weight"]
        units = max(1, math.ceil(weights / s["memory_gb_per_unit"]))
        kv = _kv_bytes_per_token(catalog, model.id) or 0.0
        context = w.input_tokens_per_call + w.output_tokens_per_call + w.reasoning_tokens_per_call
        if s["streams_rule"] == "batch_1" or not kv:
            streams = 1
        else:
            free_gb = units * s["memory_gb_per_unit"] - weights
            streams = max(1, int(free_gb * 1e9 // (kv * context)))
        tok_s = speed.output_tokens_per_s_per_user
        ttft = (speed.ttft_ms or 0.0) + w.reasoning_tokens_per_call / tok_s * 1000.0
        ttft_known = speed.ttft_ms is not None
        meets = tok_s >= lat.min_output_tokens_per_s_per_user and (not ttft_known or ttft <= lat.ttft_p95_ms)
        detail = (f"{units} x {s['unit']} per copy of {model.name}, {streams} stream(s) per copy at "
                  f"{tok_s:,.0f} tok/s per user ({speed.basis}: {speed.source[:80]})")
        if not s.get("unit_price_usd"):
            out.append(_unusable(oid, name, scenario, dem, f"{s['price_source']}; {detail}", basis,
                                 hardware=s.get("hardware_id")))
            continue
        cost = _owned_model(oid, scenario, dem, streams * tok_s / dem.generated_tokens_per_call, units,
                            float(s["unit_price_usd"]), float(s["power_kw_per_unit"] or 0.0))
        count = fleet_accelerators(cost)
        out.append(_option(
            "owned", oid, name, scenario, dem, cost, hardware=s.get("hardware_id"), provider=s["vendor"],
            accelerators=count, meets_slo=meets, feasible=True,
            reason=f"{count} units in all: {detail}; {s['footprint']}; power {s['power_kw_per_unit']} kW per unit",
            ttft_ms=ttft if ttft_known else None, tpot_ms=1000.0 / tok_s, utilization_average=None,
            utilization_peak=None, basis=basis[:200],
            speed_evidence="measured" if speed.basis == "measured" else "vendor",
            ttft_evidence=("measured" if speed.basis == "measured" else "vendor") if ttft_known else "assumed",
            failure_domains=cost.failure_domains, accelerator_hours_per_month=count * HOURS_PER_MONTH))
    return tuple(out)


def systems_table() -> tuple:
    """The rows of onprem_systems.yaml (for screens: status, power, footprint, claims)."""
    return _systems()[0]


__all__ = ["edge_box_options", "onprem_silicon_options", "systems_table", "fleet"]
