"""Monthly total cost of ownership of every way to serve the workload, by component.

Four kinds of option, priced the same way against the same SLO:
- api: tokens x provider price (genai-prices), cache and batch discounts applied;
- specialized: the same, for providers running LPU / wafer-scale / RDU silicon;
- cloud: rented accelerator-hours at the scenario's pricing (on-demand or reserved);
- owned: capex amortized + power + space + maintenance + licences + staff.
Every option's `monthly_tco_usd` is the sum of its `components_usd`.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from types import MappingProxyType

from engine.catalog.catalog import Catalog, Hardware
from engine.catalog.tables import load_table
from engine.capacity.demand import Demand
from engine.money.api_quotes import ApiOffer, monthly_fees, slo_verdict
from engine.scenario.schema import Scenario
from engine.capacity.sizing import HardwareOption

HOURS_PER_MONTH = 730.0  # 8,760 hours / 12 months
DAYS_PER_MONTH = HOURS_PER_MONTH / 24.0
KINDS = ("api", "cloud", "owned", "specialized")


@dataclass(frozen=True)
class Assumption:
    id: str
    value: float
    unit: str
    source: str
    as_of: str
    basis: str
    low: float | None = None
    high: float | None = None


@functools.lru_cache(maxsize=1)
def load_assumptions() -> MappingProxyType[str, Assumption]:
    """cost_assumptions.yaml by id, read once (read-only)."""
    return MappingProxyType({r["id"]: Assumption(
        r["id"], float(r.get("value", 1.0) if r.get("value") is not None else 1.0), str(r.get("unit", "")),
        str(r["source"]), str(r["as_of"]), r["basis"], r.get("low"), r.get("high"))
        for r in load_table("cost_assumptions")})


def assumption(name: str) -> float:
    return load_assumptions()[name].value


@dataclass(frozen=True)
class Option:
    """One way to serve the workload, priced per month."""

    id: str
    kind: str  # api | cloud | owned | specialized
    name: str
    model: str
    hardware: str | None
    provider: str | None
    accelerators: int | None
    meets_slo: bool
    feasible: bool
    reason: str
    ttft_ms: float | None
    tpot_ms: float | None
    monthly_tco_usd: float
    components_usd: dict[str, float]
    cost_per_1k_queries_usd: float
    cost_per_user_month_usd: float
    cost_per_million_output_tokens_usd: float
    utilization_average: float | None
    utilization_peak: float | None
    basis: str  # where the price comes from
    details: dict = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return self.feasible and self.meets_slo

    @property
    def verified(self) -> bool:
        """Judged on the provider's own speed figures or the performance model, not on assumed ones."""
        return self.details.get("verified", True)


def _unit_costs(total_usd: float, dem: Demand, scenario: Scenario) -> tuple[float, float, float]:
    queries_month = dem.queries_per_day * DAYS_PER_MONTH
    generated_month = dem.generated_tokens_per_day * DAYS_PER_MONTH
    return (total_usd / queries_month * 1000.0,
            total_usd / scenario.workload.daily_active_users,
            total_usd / generated_month * 1e6)


def _option(kind: str, option_id: str, name: str, scenario: Scenario, dem: Demand, components: dict[str, float],
            **kwargs) -> Option:
    total = sum(components.values())
    per_1k, per_user, per_mtok = _unit_costs(total, dem, scenario)
    kwargs.setdefault("model", scenario.model.id)
    return Option(id=option_id, kind=kind, name=name, monthly_tco_usd=total,
                  components_usd=components, cost_per_1k_queries_usd=per_1k, cost_per_user_month_usd=per_user,
                  cost_per_million_output_tokens_usd=per_mtok, **kwargs)


def staff_usd_per_month(fte: float, scenario: Scenario) -> float:
    return fte * scenario.finance.engineer_cost_usd_per_year / 12.0


# --- API and specialized services ------------------------------------------------

def api_option(offer: ApiOffer, scenario: Scenario, dem: Demand, excluded: str = "") -> Option:
    """One API offer priced for the scenario; `excluded` says why the constraints rule it out."""
    fees = monthly_fees(offer, dem, scenario, DAYS_PER_MONTH)
    verdict = slo_verdict(offer, scenario)
    why = verdict.reason
    excluded = excluded or offer.retired  # a retired model is shown with the reason, never offered
    if offer.retiring:
        why += f"; {offer.retiring}: plan the migration"
    components = {
        "input tokens": fees.input_usd,
        "cached input tokens": fees.cached_input_usd,
        "output tokens": fees.output_usd,
        "reasoning tokens": fees.reasoning_usd,
        "operations staff": staff_usd_per_month(assumption("ops_engineers_api"), scenario),
    }
    kind = "specialized" if offer.specialized_hardware else "api"
    service = offer.service
    substitute = "" if offer.model.id == scenario.model.id else f" (substitute for {scenario.model.id})"
    return _option(kind, offer.option_id, f"{offer.provider_name} API: {offer.model.name}{substitute}", scenario, dem,
                  components, model=offer.model.id, hardware=offer.specialized_hardware, provider=offer.provider, accelerators=None,
                  meets_slo=verdict.meets and not excluded, feasible=not excluded, reason=excluded or why,
                  # no speed data at all (an empty providers.yaml) leaves both unknown, never 1/0 or infinity
                  ttft_ms=service.ttft_ms if math.isfinite(service.ttft_ms) else None,
                  tpot_ms=(1000.0 / service.output_tokens_per_s_per_user
                           if service.output_tokens_per_s_per_user > 0 else None),
                  utilization_average=None, utilization_peak=None,
                  basis=f"genai-prices {offer.provider}/{offer.provider_model_id}",
                  details={"cache_saving_usd": fees.cache_saving_usd, "batch_saving_usd": fees.batch_saving_usd,
                           "input_usd_per_mtok": offer.prices.input_usd_per_mtok,
                           "cached_input_usd_per_mtok": offer.prices.cached_input_usd_per_mtok,
                           "output_usd_per_mtok": offer.prices.output_usd_per_mtok,
                           "speed_source": service.source, "speed_as_of": service.as_of,
                           "speed_basis": service.row_basis, "speed_note": service.speed_basis,
                           "ttft_note": service.ttft_basis, "model": offer.model.id,
                           "verified": verdict.verified, "retired": bool(offer.retired)})


# --- self-hosted: rented and owned -------------------------------------------------

def rental_usd_per_hour(hw: Hardware, pricing: str) -> tuple[float | None, str]:
    """Price per accelerator-hour at the chosen commitment, and its basis.

    Reserved prices come from the catalog where a source gives them, else from the
    on-demand price less the published commitment discount (cost_assumptions.yaml).
    """
    on_demand = hw.on_demand_usd_per_hour
    if pricing == "on_demand":
        return on_demand, hw.price_basis
    listed = hw.reserved_1y_usd_per_hour if pricing == "reserved_1y" else hw.reserved_3y_usd_per_hour
    if listed:
        return listed, "vendor"
    if on_demand is None:
        return None, ""
    discount = assumption(f"{pricing}_discount_vs_on_demand")
    return on_demand * (1.0 - discount), "estimate"


def allin_power_kw(hw: Hardware) -> float | None:
    """All-in power per accelerator (server, fans, network share) [kW]."""
    if hw.allin_power_kw:
        return hw.allin_power_kw
    if hw.tdp_w:
        return hw.tdp_w / 1000.0 * assumption("rack_power_overhead_factor")
    return None


def licence_usd_per_accelerator_month(hw: Hardware, scenario: Scenario) -> float:
    """NVIDIA's enterprise software is licensed per GPU, rented or owned; open stacks need none."""
    if hw.vendor != "nvidia":
        return 0.0
    return scenario.finance.software_licence_usd_per_accelerator_year / 12.0


def self_hosted_staff_fte(accelerators: int, per_thousand_key: str) -> float:
    return max(assumption("ops_engineers_minimum_self_hosted"),
               accelerators / 1000.0 * assumption(per_thousand_key))


def storage_and_egress_usd(sized: HardwareOption, dem: Demand) -> float:
    storage = (sized.weights_gb or 0.0) * assumption("storage_copies_of_weights") * assumption("storage_usd_per_gb_month")
    egress_gb = dem.output_tokens_per_day * DAYS_PER_MONTH * assumption("bytes_per_output_token_on_wire") / 1e9
    return storage + egress_gb * assumption("egress_usd_per_gb")


def cloud_components(hw: Hardware, sized: HardwareOption, scenario: Scenario,
                     dem: Demand) -> tuple[dict[str, float] | None, str]:
    accelerators = sized.accelerators
    price, basis = rental_usd_per_hour(hw, scenario.finance.pricing)
    if price is None:
        return None, f"no rental price for {hw.name}"
    return {
        "accelerator rental": accelerators * price * HOURS_PER_MONTH,
        "software licences": accelerators * licence_usd_per_accelerator_month(hw, scenario),
        "storage and egress": storage_and_egress_usd(sized, dem),
        "operations staff": staff_usd_per_month(
            self_hosted_staff_fte(accelerators, "ops_engineers_per_1000_accelerators_rented"), scenario),
    }, basis


def owned_capex_per_accelerator_usd(hw: Hardware) -> float:
    """Purchase price plus the accelerator's share of its server and network [USD].

    Shares are fractions of the accelerator's price (cost_assumptions.yaml); where owners buy
    whole units (8-GPU baseboards, NVL72 racks) they are at least the shares of the reference
    H100 price, since a cheaper GPU does not make the rest of the same class of server cheaper.
    """
    price = hw.purchase_usd or 0.0
    floor_price = assumption("baseboard_capex_reference_accelerator_usd") if hw.purchase_unit_accelerators > 1 else 0.0
    server = assumption("server_share_of_accelerator_capex") * max(price, floor_price)
    network = assumption("networking_share_of_accelerator_capex") * max(price, floor_price)
    return price + server + network


def owned_components(hw: Hardware, sized: HardwareOption, scenario: Scenario,
                     dem: Demand) -> tuple[dict[str, float] | None, str]:
    accelerators = hw.owned_count(sized.accelerators)  # whole baseboards: the rest of one is bought too
    if not hw.purchase_usd:
        return None, f"no sourced purchase price for {hw.name}: owning it cannot be priced"
    kw = allin_power_kw(hw)
    if kw is None:
        return None, f"no power figure for {hw.name}"
    f = scenario.finance
    capex = accelerators * owned_capex_per_accelerator_usd(hw)
    return {
        "hardware (amortized)": capex / (f.amortization_years * 12.0),
        "power": accelerators * kw * f.pue * f.electricity_usd_per_kwh * HOURS_PER_MONTH,
        "space": accelerators * kw * assumption("colocation_usd_per_kw_month"),
        "maintenance": capex * assumption("maintenance_fraction_of_capex_per_year") / 12.0,
        "software licences": accelerators * licence_usd_per_accelerator_month(hw, scenario),
        "operations staff": staff_usd_per_month(
            self_hosted_staff_fte(accelerators, "ops_engineers_per_1000_accelerators_owned"), scenario),
    }, hw.price_basis


def self_hosted_options(catalog: Catalog, sized: HardwareOption, scenario: Scenario, dem: Demand) -> list[Option]:
    """The cloud and the owned option of one sized accelerator (specialized silicon is priced as API)."""
    hw = catalog.get_hardware(sized.hardware)
    if hw.is_specialized:
        return []
    out = []
    deployment = scenario.constraints.deployment
    for kind, build, excluded in (("cloud", cloud_components, deployment == "on_prem"),
                                  ("owned", owned_components, deployment == "cloud")):
        option_id = f"{kind}:{hw.id}"
        label = "rented" if kind == "cloud" else "owned"
        name = f"{hw.name} ({label})"
        count = sized.accelerators
        if kind == "owned" and sized.feasible and count:
            count = hw.owned_count(count)
        busy = (sized.accelerators or 1) / (count or 1)  # extra accelerators of a whole baseboard idle
        common = dict(hardware=hw.id, provider=None, ttft_ms=sized.ttft_ms, tpot_ms=sized.tpot_ms,
                      utilization_average=sized.utilization * busy if sized.utilization is not None else None,
                      utilization_peak=sized.peak_utilization * busy if sized.peak_utilization is not None else None)
        reason = ""
        components = None
        if excluded:
            reason = ("the scenario requires on-prem: nothing rented" if deployment == "on_prem"
                      else "the scenario is cloud only: nothing owned")
        elif not sized.feasible:
            reason = sized.reason
        else:
            components, basis_or_reason = build(hw, sized, scenario, dem)
            if components is None:
                reason = basis_or_reason
        if components is None:
            out.append(_option(kind, option_id, name, scenario, dem, {}, accelerators=count,
                               meets_slo=False, feasible=False, reason=reason, basis="", **common))
            continue
        whole = (f" (bought in whole {hw.purchase_unit_accelerators}-accelerator units; {sized.accelerators} "
                 "carry the load)") if count != sized.accelerators else ""
        out.append(_option(
            kind, option_id, name, scenario, dem, components, accelerators=count,
            meets_slo=True, feasible=True,
            reason=(f"{count} x {hw.name}{whole} ({sized.stack}, {sized.precision.upper()}, "
                    f"TP{sized.tensor_parallel}) meets TTFT {sized.ttft_ms:,.0f} ms and "
                    f"{1000 / sized.tpot_ms:,.0f} tok/s per user"),
            basis=f"{hw.price_source}"[:200], details={"sizing": sized.__dict__}, **common))
    return out
