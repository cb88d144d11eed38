"""Monthly total cost of ownership of every way to serve the workload, by component.

Four kinds of option, priced the same way against the same SLO:
- api: tokens x provider price (genai-prices), cache and batch discounts applied;
- specialized: the same, for providers running LPU / wafer-scale / RDU silicon;
- cloud: rented accelerator-hours at the scenario's pricing (on-demand or reserved);
- owned: capex amortized + power + space + maintenance + licences + staff.
An option's `components_usd` are its cost model (cost_model.py) at month 0 with every
multiplier at 1, and its `monthly_tco_usd` is their sum: the horizon, the break-even and the
Monte Carlo evaluate the same model.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Mapping

from engine.catalog.catalog import Catalog
from engine.capacity import fleet
from engine.capacity.curves import replica_config
from engine.capacity.demand import Demand
from engine.money.api_quotes import ApiOffer, monthly_fees, slo_verdict
from engine.physics.bands import ThroughputBand, operating_mode, throughput_band
from engine.scenario.schema import Scenario
from engine.capacity.sizing import HardwareOption
from engine.records import frozen_map, to_jsonable
from engine.money.cost_model import (BASE_TERM, DAYS_PER_MONTH, RESERVED_BASE, YOUR_QUOTE, CostModel, api_cost_model,
                                     accelerator_hours_per_month, fleet_accelerators, it_power_kw, month_one_usd, purchase_unit,
                                     rental_usd_per_hour, self_hosted_cost_model, spare_load_fraction, why_unpriced)

KINDS = ("api", "cloud", "owned", "specialized")
SELF_HOSTED_KINDS = ("cloud", "owned")
EVIDENCE = ("measured", "vendor", "modelled", "assumed")


@dataclass(frozen=True)
class ApiQuote:
    """What an API option's price and speed rest on."""

    cache_saving_usd: float  # what the cached-input price saves this month [USD]
    batch_saving_usd: float  # what batch rates save on the offline share [USD]
    input_usd_per_mtok: float | None
    cached_input_usd_per_mtok: float | None
    output_usd_per_mtok: float | None
    speed_source: str
    speed_as_of: str
    speed_basis: str  # basis of the speed row: measured | vendor | estimate ('' when none)
    speed_note: str  # how the speed was chosen (own figure, sibling bound, fallback)
    ttft_note: str
    model: str
    verified: bool  # judged on published figures, not on an assumed fallback
    retired: bool
    price_source: str = ""  # genai-prices snapshot (version, date) or the supplement row the prices come from
    first_token_ms: float | None = None  # first token at the scenario's prompt, before hidden reasoning [ms]
    prefill_ms: float | None = None  # the prompt's prefill inside it [ms]
    reasoning_ms: float | None = None  # hidden reasoning before the first visible token [ms]
    ttft_model_note: str = ""  # how prompt length and reasoning moved the published TTFT
    rate_limit: str = ""  # the provider's default rate-limit tier against the peak (api_rate_limits.yaml), '' if unknown


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
    components_usd: Mapping[str, float]
    cost_per_1k_queries_usd: float
    cost_per_user_month_usd: float
    cost_per_million_output_tokens_usd: float
    utilization_average: float | None
    utilization_peak: float | None
    basis: str  # where the price comes from
    sizing: HardwareOption | None = None  # self-hosted: the sized configuration
    api_quote: ApiQuote | None = None  # api and specialized: prices, savings, speed evidence
    # How the speed and the first-token time are known (DESIGN.md "Evidence"; labels in present/labels.py):
    # measured | vendor | modelled (self-hosted: the performance model) | assumed (no figure).
    speed_evidence: str = "modelled"
    ttft_evidence: str = "modelled"
    # Self-hosted: failure domains (servers in separate racks or zones) that each carry the peak, and the
    # accelerator-hours paid for in month 1 (fleet x 730 h). None for APIs.
    failure_domains: int | None = None
    accelerator_hours_per_month: float | None = None
    # Rented: on_demand (the fleet follows the day), reserved_1y / reserved_3y (peak fleet all month) or
    # reserved_base_burst (a reserved 1-year base, on-demand above it); owned: 'owned'. None for APIs.
    pricing: str | None = None
    # Energy (self-hosted, IT power before PUE, at the replica's throughput at the SLO): joules per generated
    # token and generated tokens/s per kW; the fleet's IT power [kW]. None where the catalog has no power figure.
    joules_per_token: float | None = None
    tokens_per_s_per_kw: float | None = None
    it_power_kw: float | None = None
    # Owned: how much more load the installed fleet carries at no extra cost (0.6 = 60% more), before
    # the fleet rule (headroom, N+1, failure domains) needs another purchase unit.
    spare_load_fraction: float | None = None
    # Self-hosted: the 10th-90th percentile range of the throughput the model predicts, from the held-out
    # residuals of its hardware and model family (engine/physics/bands.py), and the month-1 fleet if the
    # replicas deliver only the band's low end (more accelerators: the TCO's Monte Carlo draws from it).
    throughput_band: ThroughputBand | None = None
    accelerators_at_band_low: int | None = None
    output_tokens_per_s_per_user: float | None = field(init=False)  # 1000 / TPOT, for screens

    def __post_init__(self) -> None:
        for name in ("speed_evidence", "ttft_evidence"):
            if getattr(self, name) not in EVIDENCE:
                raise ValueError(f"Option {self.id}: {name} = {getattr(self, name)!r}; expected one of {EVIDENCE}")
        object.__setattr__(self, "components_usd", frozen_map(self.components_usd))
        object.__setattr__(self, "output_tokens_per_s_per_user", 1000.0 / self.tpot_ms if self.tpot_ms else None)

    @property
    def usable(self) -> bool:
        return self.feasible and self.meets_slo

    @property
    def verified(self) -> bool:
        """Neither the speed nor the first-token time is assumed (measured, vendor claim or modelled)."""
        return "assumed" not in (self.speed_evidence, self.ttft_evidence)

    @property
    def retired(self) -> bool:
        """The provider has shut the model down: listed with the reason, never offered."""
        return self.api_quote is not None and self.api_quote.retired

    def details(self) -> Mapping[str, object]:
        """The `details` object of `plan --json` (a contract kept from before the records were typed)."""
        return to_jsonable(self.api_quote) if self.api_quote is not None else {}


def _unit_costs(total_usd: float, dem: Demand, scenario: Scenario) -> tuple[float, float, float]:
    queries_month = dem.queries_per_day * DAYS_PER_MONTH
    generated_month = dem.generated_tokens_per_day * DAYS_PER_MONTH
    return (total_usd / queries_month * 1000.0,
            total_usd / scenario.workload.daily_active_users,
            total_usd / generated_month * 1e6)


def _option(kind: str, option_id: str, name: str, scenario: Scenario, dem: Demand, cost: CostModel | None,
            **kwargs) -> Option:
    """The option's record: its first month is its cost model's month 1 (no model: no price)."""
    components = month_one_usd(cost) if cost is not None else {}
    total = sum(components.values())
    per_1k, per_user, per_mtok = _unit_costs(total, dem, scenario)
    kwargs.setdefault("model", scenario.model.id)
    return Option(id=option_id, kind=kind, name=name, monthly_tco_usd=total,
                  components_usd=components, cost_per_1k_queries_usd=per_1k, cost_per_user_month_usd=per_user,
                  cost_per_million_output_tokens_usd=per_mtok, **kwargs)


# --- API and specialized services ------------------------------------------------

def api_option(offer: ApiOffer, scenario: Scenario, dem: Demand, excluded: str = "") -> Option:
    """One API offer priced for the scenario; `excluded` says why the constraints rule it out.

    An offer without a price, or whose model the provider has retired, is listed with the
    named, dated reason and never offered.
    """
    verdict = slo_verdict(offer, scenario)
    why = verdict.reason
    # an untested smaller tier (substitutes.NOT_INDEXED) is priced and listed, never recommended
    excluded = excluded or offer.retired or offer.unpriced or offer.quality_unverified
    if offer.retiring:
        why += f"; {offer.retiring}: plan the migration"
    if offer.rate_limit is not None and offer.rate_limit.warning:
        why += f"; {offer.rate_limit.warning}"
    kind = "specialized" if offer.specialized_hardware else "api"
    cost = None
    fees = None
    if offer.prices is not None:
        fees = monthly_fees(offer, dem, scenario, DAYS_PER_MONTH)
        cost = api_cost_model(offer.option_id, kind, {
            "input tokens": fees.input_usd,
            "cached input tokens": fees.cached_input_usd,
            "output tokens": fees.output_usd,
            "reasoning tokens": fees.reasoning_usd,
        }, scenario)
    service = offer.service
    substitute = "" if offer.model.id == scenario.model.id else f" (substitute for {scenario.model.id})"
    finite = math.isfinite(service.ttft_ms)
    # your quote or a negotiated discount comes first, so a cut basis still says what the price is
    price_source = f"{offer.price_terms}; {offer.price_source}" if offer.price_terms else offer.price_source
    return _option(kind, offer.option_id, f"{offer.provider_name} API: {offer.model.name}{substitute}", scenario, dem,
                  cost, model=offer.model.id, hardware=offer.specialized_hardware, provider=offer.provider, accelerators=None,
                  meets_slo=verdict.meets and not excluded, feasible=not excluded, reason=excluded or why,
                  # no speed data at all (an empty providers.yaml) leaves both unknown, never 1/0 or infinity
                  ttft_ms=service.ttft_ms if finite else None,
                  tpot_ms=(1000.0 / service.output_tokens_per_s_per_user
                           if service.output_tokens_per_s_per_user > 0 else None),
                  utilization_average=None, utilization_peak=None,
                  basis=price_source[:200] or f"unpriced: {offer.provider}/{offer.provider_model_id}",
                  speed_evidence=service.speed_evidence, ttft_evidence=service.ttft_evidence,
                  api_quote=ApiQuote(
                      input_usd_per_mtok=offer.prices.input_usd_per_mtok if offer.prices else None,
                      cached_input_usd_per_mtok=offer.prices.cached_input_usd_per_mtok if offer.prices else None,
                      output_usd_per_mtok=offer.prices.output_usd_per_mtok if offer.prices else None,
                      cache_saving_usd=fees.cache_saving_usd if fees else 0.0,
                      batch_saving_usd=fees.batch_saving_usd if fees else 0.0,
                      speed_source=service.source, speed_as_of=service.as_of, speed_basis=service.row_basis,
                      speed_note=service.speed_basis, ttft_note=service.ttft_basis, model=offer.model.id,
                      verified=verdict.verified, retired=bool(offer.retired), price_source=price_source,
                      first_token_ms=service.first_token_ms if finite else None,
                      prefill_ms=service.prefill_ms if finite else None,
                      reasoning_ms=service.reasoning_ms if finite else None,
                      ttft_model_note=service.ttft_note,
                      rate_limit=offer.rate_limit.note if offer.rate_limit is not None else ""))


# --- self-hosted: rented and owned -------------------------------------------------

def _energy(hw, sized: HardwareOption) -> tuple[float | None, float | None]:
    """Joules per generated token and generated tokens/s per kW of IT power, at the replica's SLO
    throughput (the facility's PUE is on top of both)."""
    kw = it_power_kw(hw)
    if not kw or not sized.output_tokens_per_s_per_replica or not sized.accelerators_per_replica:
        return None, None
    replica_kw = kw * sized.accelerators_per_replica
    return replica_kw * 1000.0 / sized.output_tokens_per_s_per_replica, sized.output_tokens_per_s_per_replica / replica_kw


def _price_basis(hw, scenario: Scenario, pricing: str) -> str:
    """Where the rental price comes from: the user's quote first, else the catalog row."""
    price, basis = rental_usd_per_hour(hw, "on_demand" if pricing == RESERVED_BASE else pricing, scenario)
    if basis == YOUR_QUOTE:
        return f"{YOUR_QUOTE}: ${price:,.2f} per accelerator-hour (finance.accelerator_quote_usd_per_hour)"
    if pricing == RESERVED_BASE:
        base, base_basis = rental_usd_per_hour(hw, BASE_TERM, scenario)
        return (f"1-year reserved base ${base:,.2f}/h ({base_basis}) + on-demand burst ${price:,.2f}/h; "
                f"{hw.price_source}")[:200]
    return f"{hw.price_source}"[:200]


def option_band(catalog: Catalog, sized: HardwareOption, scenario: Scenario, dem: Demand) -> ThroughputBand | None:
    """The sized configuration's throughput band (engine/physics/bands.py): the residuals of its mode,
    max-throughput where the batch sits at its memory or stack cap, latency-limited where the targets bind."""
    if not sized.feasible or sized.specialized or not sized.batch_size:
        return None
    cfg = replica_config(sized, scenario, catalog)
    if cfg is None:
        return None
    mode = operating_mode(cfg, sized.batch_size, scenario.workload.input_tokens_per_call,
                          dem.generated_tokens_per_call)
    return throughput_band(sized.hardware, sized.hardware_name, scenario.model.id, mode)


def accelerators_at_low_end(cost: CostModel, band: ThroughputBand | None) -> int | None:
    """The month-1 fleet (the fleet rule, headroom and spares included) if every replica carries only the
    band's low end of its predicted throughput [accelerators]."""
    if band is None:
        return None
    slower = dataclasses.replace(cost, calls_per_s_per_replica=cost.calls_per_s_per_replica * (1.0 + band.low_fraction))
    return fleet_accelerators(slower)


def self_hosted_options(catalog: Catalog, sized: HardwareOption, scenario: Scenario, dem: Demand,
                        reserved_base: bool = True, details: bool = True) -> list[Option]:
    """The cloud and the owned option of one sized accelerator (specialized silicon is priced as API), and
    with `reserved_base` a rented option on a reserved base with on-demand burst where the accelerator has
    a reserved price (the roadmap re-prices the scenario's own pricing only). Without `details` the two
    figures only the screens read (an owned fleet's spare load, the fleet at the band's low end) are left
    None: searches that re-size and rank options thousands of times (what flips, the roadmap) skip them."""
    hw = catalog.get_hardware(sized.hardware)
    if hw.is_specialized:
        return []
    out = []
    c = scenario.constraints
    deployment = c.deployment
    variants = [("cloud", scenario.finance.pricing, deployment == "on_prem"), ("owned", "owned", deployment == "cloud")]
    if reserved_base and rental_usd_per_hour(hw, BASE_TERM, scenario)[0] is not None \
            and rental_usd_per_hour(hw, "on_demand")[0]:
        variants.insert(1, ("cloud", RESERVED_BASE, deployment == "on_prem"))
    joules, per_kw = _energy(hw, sized)
    band = option_band(catalog, sized, scenario, dem)
    for kind, pricing, excluded in variants:
        burst = pricing == RESERVED_BASE
        option_id = f"{kind}:{hw.id}" + (":reserved-base" if burst else "")
        label = "rented" if kind == "cloud" else "owned"
        name = f"{hw.name} (" + ("reserved + burst" if burst else label) + ")"
        count = sized.accelerators
        if kind == "owned" and sized.feasible and count:
            count = fleet.whole_units(count, purchase_unit(hw, sized.accelerators_per_replica or 1))
        busy = (sized.accelerators or 1) / (count or 1)  # extra accelerators of a whole baseboard idle
        common = dict(hardware=hw.id, provider=None, ttft_ms=sized.ttft_ms, tpot_ms=sized.tpot_ms,
                      utilization_average=sized.utilization * busy if sized.utilization is not None else None,
                      utilization_peak=sized.peak_utilization * busy if sized.peak_utilization is not None else None,
                      pricing=pricing, joules_per_token=joules, tokens_per_s_per_kw=per_kw, throughput_band=band)
        if excluded:
            reason = ("the scenario requires on-prem: nothing rented" if deployment == "on_prem"
                      else "the scenario is cloud only: nothing owned")
        elif not sized.feasible:
            reason = sized.reason
        else:
            reason = why_unpriced(kind, hw, scenario)
        if excluded or not sized.feasible or reason:
            out.append(_option(kind, option_id, name, scenario, dem, None, accelerators=count,
                               meets_slo=False, feasible=False, reason=reason, basis="", **common))
            continue
        cost = self_hosted_cost_model(kind, option_id, hw, sized, scenario, dem, pricing)
        count = fleet_accelerators(cost)  # servers N+1, failure domains, whole purchase units
        busy = (sized.accelerators or 1) / (count or 1)
        kw = it_power_kw(hw)
        fleet_kw = count * kw if kw else None
        common.update(utilization_average=sized.utilization * busy, utilization_peak=sized.peak_utilization * busy,
                      it_power_kw=fleet_kw)
        whole = (f" (bought in whole {cost.purchase_unit}-accelerator units; {sized.accelerators} "
                 "carry the load)") if count != sized.accelerators else ""
        capped = kind == "owned" and c.power_cap_kw is not None and fleet_kw is not None and fleet_kw > c.power_cap_kw
        reason = (f"{count} x {hw.name}{whole} ({sized.stack}, {sized.precision.upper()}, "
                  f"TP{sized.tensor_parallel}) meets TTFT {sized.ttft_ms:,.0f} ms and "
                  f"{1000 / sized.tpot_ms:,.0f} tok/s per user")
        if capped:
            reason = (f"needs {fleet_kw:,.1f} kW of IT power ({count} x {hw.name} at {kw:,.2f} kW), above the "
                      f"{c.power_cap_kw:,g} kW cap (constraints.power_cap_kw)")
        elif burst:
            reason += "; the quietest hour's fleet reserved for a year, the rest of the day rented on demand"
        elif kind == "cloud" and cost.hourly_load_share:
            reason += "; rented on demand, resized every hour to the day's load"
        out.append(_option(
            kind, option_id, name, scenario, dem, cost, accelerators=count,
            meets_slo=not capped, feasible=not capped, reason=reason,
            basis=_price_basis(hw, scenario, pricing) if kind == "cloud" else f"{hw.price_source}"[:200],
            sizing=sized, failure_domains=cost.failure_domains,
            accelerator_hours_per_month=accelerator_hours_per_month(cost),
            spare_load_fraction=spare_load_fraction(cost) if kind == "owned" and details else None,
            accelerators_at_band_low=accelerators_at_low_end(cost, band) if details else None, **common))
    return out
