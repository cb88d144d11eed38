"""Monthly cost of an option as volumes and prices move: one vectorized model serves the
horizon (one path), the break-even search (a grid of volumes) and the Monte Carlo
(thousands of sampled paths).

Each option becomes a `CostModel` of a few numbers; `monthly_costs` evaluates it for
arrays of multipliers over months with numpy. With every multiplier at 1 its month 0
equals the option's `monthly_tco_usd` (a test holds it to that).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from engine.catalog.catalog import Catalog
from engine.capacity.demand import Demand
from engine.scenario.schema import Scenario
from engine.money.options import (HOURS_PER_MONTH, Option, allin_power_kw, assumption, licence_usd_per_accelerator_month,
                        owned_capex_per_accelerator_usd, rental_usd_per_hour)

MULTIPLIERS = ("usage", "tokens_per_call", "monthly_growth", "api_prices", "gpu_prices")


@dataclass(frozen=True)
class CostModel:
    option_id: str
    kind: str
    # API: fees at month 0 scale with usage x tokens x price; staff is fixed.
    variable_usd: float = 0.0
    fixed_usd: float = 0.0
    # self-hosted: fleet = (ceil(peak x (1 + headroom) / capacity) + spares) x accelerators per replica
    peak_calls_per_s: float = 0.0
    calls_per_s_per_replica: float = 1.0
    headroom: float = 0.0
    spares: int = 0
    accelerators_per_replica: int = 1
    usd_per_accelerator_month: float = 0.0  # rental, or power + space + licence
    licence_usd_per_accelerator: float = 0.0  # rented: licence per month, not discounted with the rental
    price_follows_market: bool = True
    capex_per_accelerator_usd: float = 0.0
    amortization_months: int = 1
    maintenance_per_capex_month: float = 0.0
    staff_min_fte: float = 0.0
    staff_fte_per_accelerator: float = 0.0
    engineer_usd_per_month: float = 0.0
    purchase_unit: int = 1  # owned fleets grow in whole baseboards or racks
    # Owned hardware arrives `lead_months` after the order; `bridge` (the cheapest rented or API
    # option) serves the workload until then. Month-1 figures stay the owned steady state.
    lead_months: int = 0
    bridge: "CostModel | None" = None


def cost_model(option: Option, catalog: Catalog, scenario: Scenario, dem: Demand) -> CostModel | None:
    """The numbers that move an option's monthly cost; None for an option with no price."""
    if not option.feasible:
        return None
    engineer = scenario.finance.engineer_cost_usd_per_year / 12.0
    if option.kind in ("api", "specialized"):
        staff = option.components_usd["operations staff"]
        return CostModel(option.id, option.kind, variable_usd=option.monthly_tco_usd - staff, fixed_usd=staff)
    sized = option.details["sizing"]
    hw = catalog.get_hardware(option.hardware)
    owned = option.kind == "owned"
    per_replica = sized["output_tokens_per_s_per_replica"] / dem.generated_tokens_per_call
    common = dict(peak_calls_per_s=dem.peak_calls_per_s, calls_per_s_per_replica=per_replica,
                  headroom=scenario.constraints.headroom_fraction,
                  spares=scenario.constraints.redundant_replicas,
                  accelerators_per_replica=sized["accelerators_per_replica"],
                  staff_min_fte=assumption("ops_engineers_minimum_self_hosted"),
                  staff_fte_per_accelerator=assumption(
                      "ops_engineers_per_1000_accelerators_" + ("owned" if owned else "rented")) / 1000.0,
                  engineer_usd_per_month=engineer)
    licence = licence_usd_per_accelerator_month(hw, scenario)
    if not owned:
        price, _ = rental_usd_per_hour(hw, scenario.finance.pricing)
        # A reserved price is fixed for its term; only on-demand rates follow the market down.
        return CostModel(option.id, option.kind, usd_per_accelerator_month=price * HOURS_PER_MONTH,
                         fixed_usd=option.components_usd["storage and egress"], licence_usd_per_accelerator=licence,
                         price_follows_market=scenario.finance.pricing == "on_demand", **common)
    f = scenario.finance
    kw = allin_power_kw(hw)
    per_accelerator = (kw * f.pue * f.electricity_usd_per_kwh * HOURS_PER_MONTH
                       + kw * assumption("colocation_usd_per_kw_month") + licence)
    capex = owned_capex_per_accelerator_usd(hw)
    return CostModel(option.id, option.kind, usd_per_accelerator_month=per_accelerator,
                     capex_per_accelerator_usd=capex, amortization_months=int(f.amortization_years * 12),
                     maintenance_per_capex_month=assumption("maintenance_fraction_of_capex_per_year") / 12.0,
                     purchase_unit=max(hw.purchase_unit_accelerators, 1), **common)


def growth_and_price_paths(scenario: Scenario, months: int, growth: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per-sample demand factor (1 + g)^m, and API / rental price factors (1 - decline)^(m/12)."""
    m = np.arange(months, dtype=float)
    demand_factor = (1.0 + growth[:, None]) ** m[None, :]
    api_factor = (1.0 - scenario.finance.yearly_price_decline) ** (m / 12.0)
    gpu_factor = (1.0 - assumption("gpu_rental_price_decline_per_year")) ** (m / 12.0)
    return demand_factor, api_factor[None, :], gpu_factor[None, :]


@dataclass(frozen=True)
class Paths:
    """Volume and price multipliers, shape (samples, months), shared by every option."""

    volume: np.ndarray  # demand growth x usage x tokens per call
    api_price: np.ndarray
    gpu_price: np.ndarray


def paths(scenario: Scenario, months: int, usage: np.ndarray, tokens: np.ndarray, growth: np.ndarray,
          api_prices: np.ndarray, gpu_prices: np.ndarray, price_paths: bool = True) -> Paths:
    """Multipliers for arrays of samples. `growth` is the monthly growth rate itself; with
    `price_paths` off, prices stay at month-0 levels (break-even compares volumes, not dates)."""
    demand_factor, api_factor, gpu_factor = growth_and_price_paths(scenario, months, growth)
    if not price_paths:
        api_factor = np.ones_like(api_factor)
        gpu_factor = np.ones_like(gpu_factor)
    return Paths(demand_factor * (usage * tokens)[:, None], api_factor * api_prices[:, None],
                 gpu_factor * gpu_prices[:, None])


def _fleet(model: CostModel, load_calls_per_s: np.ndarray) -> np.ndarray:
    """Accelerators for a peak load: replicas with headroom and spares; an owned fleet in whole
    purchase units. Longer calls take proportionally longer, so a replica carries ~1/tokens as many."""
    replicas = np.ceil(load_calls_per_s * (1.0 + model.headroom) / model.calls_per_s_per_replica - 1e-9) + model.spares
    replicas = np.maximum(replicas, np.ceil(load_calls_per_s / model.calls_per_s_per_replica - 1e-9))
    fleet = np.maximum(replicas, 1.0) * model.accelerators_per_replica
    if model.kind == "owned":
        fleet = np.ceil(fleet / model.purchase_unit - 1e-9) * model.purchase_unit
    return fleet


def delivery_bridge(options) -> Option | None:
    """The option that serves while owned hardware is on order: the cheapest usable rented or API one."""
    return min((o for o in options if o.usable and o.kind != "owned"), key=lambda o: o.monthly_tco_usd, default=None)


def with_delivery_lead(models: dict[str, CostModel], options: dict[str, Option]) -> dict[str, CostModel]:
    """Owned models wait for delivery on the delivery bridge; without one (on-prem only) nothing
    serves before delivery, so the start date moves and costs are unchanged."""
    chosen = delivery_bridge(options.values())
    if chosen is None or chosen.id not in models:
        return models
    lead = int(assumption("hardware_purchase_lead_months"))
    bridge = models[chosen.id]
    return {oid: dataclasses.replace(m, lead_months=lead, bridge=bridge) if m.kind == "owned" else m
            for oid, m in models.items()}


def steady_state(model: CostModel) -> CostModel:
    """The model without its delivery wait: for comparisons of volume, not of dates."""
    return dataclasses.replace(model, lead_months=0, bridge=None) if model.bridge is not None else model


def _installed(fleet: np.ndarray, start: int) -> np.ndarray:
    """Owned accelerators in place each month: bought as demand grows, never sold, none before `start`."""
    installed = np.zeros_like(fleet)
    installed[..., start:] = np.maximum.accumulate(fleet[..., start:], axis=-1)
    return installed


def monthly_costs(model: CostModel, p: Paths) -> np.ndarray:
    """Monthly cost [USD], shape (samples, months)."""
    if model.bridge is not None and model.lead_months > 0:
        lead = min(model.lead_months, p.volume.shape[1])
        costs = _costs(steady_state(model), p, start=lead)
        costs[:, :lead] = monthly_costs(model.bridge, p)[:, :lead]
        return costs
    return _costs(model, p)


def _costs(model: CostModel, p: Paths, start: int = 0) -> np.ndarray:
    volume = p.volume
    if model.kind in ("api", "specialized"):
        return model.variable_usd * volume * p.api_price + model.fixed_usd
    fleet = _fleet(model, model.peak_calls_per_s * volume)
    staff = np.maximum(model.staff_min_fte, fleet * model.staff_fte_per_accelerator) * model.engineer_usd_per_month
    if model.kind == "cloud":
        rental = model.usd_per_accelerator_month * (p.gpu_price if model.price_follows_market else p.gpu_price[:, :1])
        return fleet * (rental + model.licence_usd_per_accelerator) + staff + model.fixed_usd
    # owned: bought in steps as demand grows, never sold; each purchase amortized from its month
    installed = _installed(fleet, start)
    bought = np.diff(installed, axis=1, prepend=0.0)
    paid = np.cumsum(bought * model.capex_per_accelerator_usd * p.gpu_price, axis=1)
    n = model.amortization_months
    retired = np.zeros_like(paid)
    if n < paid.shape[1]:
        retired[:, n:] = paid[:, :-n]
    amortized = (paid - retired) / n
    return (amortized + installed * model.usd_per_accelerator_month
            + paid * model.maintenance_per_capex_month + staff)


def purchases(model: CostModel, scenario: Scenario, months: int) -> list[dict]:
    """Months in which an owned fleet grows, with accelerators bought and their capex."""
    growth = np.array([scenario.finance.monthly_growth])
    demand_factor, _, gpu_factor = growth_and_price_paths(scenario, months, growth)
    start = min(model.lead_months, months) if model.bridge is not None else 0
    installed = _installed(_fleet(model, model.peak_calls_per_s * demand_factor[0]), start)
    bought = np.diff(installed, prepend=0.0)
    return [{"month": int(m), "accelerators": int(b),
             "capex_usd": float(b * model.capex_per_accelerator_usd * gpu_factor[0, m] )}
            for m, b in enumerate(bought) if b > 0]


