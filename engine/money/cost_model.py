"""The cost model: one formula for an option's monthly cost, by component.

Each option becomes a `CostModel` of a few numbers: token fees, prices per accelerator-month,
staff, and the replica shape its fleet grows from. `cost_components` is the one cost formula:
for arrays of volume and price multipliers, shape (samples, months), it gives each component's
monthly cost; `monthly_costs` is their sum. The horizon (one path), the break-even search (a
grid of volumes) and the Monte Carlo (thousands of sampled paths) evaluate it, and an option's
month-1 `components_usd` is the same formula at month 0 with every multiplier at 1
(`month_one_usd`).
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

import numpy as np

from engine.capacity import fleet
from engine.catalog.catalog import Catalog, Constant, Hardware
from engine.catalog.tables import load_table
from engine.scenario.schema import Scenario

if TYPE_CHECKING:
    from engine.capacity.demand import Demand
    from engine.capacity.sizing import HardwareOption
    from engine.money.options import Option

HOURS_PER_MONTH = 730.0  # 8,760 hours / 12 months
DAYS_PER_MONTH = HOURS_PER_MONTH / 24.0
MULTIPLIERS = ("usage", "tokens_per_call", "monthly_growth", "api_prices", "gpu_prices")
API_KINDS = ("api", "specialized")
STAFF = "operations staff"
API_FEES = ("input tokens", "cached input tokens", "output tokens", "reasoning tokens")


# --- assumptions (cost_assumptions.yaml) -----------------------------------------

@functools.lru_cache(maxsize=1)
def load_assumptions() -> MappingProxyType[str, Constant]:
    """cost_assumptions.yaml by id, read once (read-only)."""
    return MappingProxyType({r["id"]: Constant(
        r["id"], float(r.get("value", 1.0) if r.get("value") is not None else 1.0), str(r.get("unit", "")),
        str(r["source"]), str(r["as_of"]), r["basis"], low=r.get("low"), high=r.get("high"))
        for r in load_table("cost_assumptions")})


def assumption(name: str) -> float:
    return load_assumptions()[name].value


# --- prices per accelerator ------------------------------------------------------

LADDER = ("on_demand", "reserved_1y", "reserved_3y", "owner")


def price_ladder(hw: Hardware) -> dict[str, tuple[float | None, str]]:
    """Price per accelerator-hour at each commitment, with its basis [USD/h].

    On-demand, 3-year and owner cost (SemiAnalysis TCO) come from the catalog. A missing 3-year
    price is the on-demand price less the published 3-year discount; a missing 1-year price sits
    the published share of the way from on-demand down to the 3-year price
    (cost_assumptions.yaml `reserved_1y_share_of_3y_discount`), so the ladder
    on-demand >= 1-year >= 3-year never inverts where the catalog's own rows do not.
    """
    on_demand = hw.on_demand_usd_per_hour
    three, three_basis = hw.reserved_3y_usd_per_hour, "vendor"
    if not three and on_demand is not None:
        three, three_basis = on_demand * (1.0 - assumption("reserved_3y_discount_vs_on_demand")), "estimate"
    one, one_basis = hw.reserved_1y_usd_per_hour, "vendor"
    if not one and on_demand is not None:
        one, one_basis = on_demand - (on_demand - three) * assumption("reserved_1y_share_of_3y_discount"), "estimate"
    return {"on_demand": (on_demand, hw.price_basis if on_demand is not None else ""),
            "reserved_1y": (one or None, one_basis if one else ""),
            "reserved_3y": (three or None, three_basis if three else ""),
            "owner": (hw.owner_tco_usd_per_hour, "vendor" if hw.owner_tco_usd_per_hour else "")}


def ladder_inversions(hw: Hardware) -> list[str]:
    """Where a cheaper commitment is priced above a dearer one ('' steps skipped): empty when the
    ladder on-demand >= 1-year >= 3-year >= owner cost holds."""
    priced = [(step, price) for step, (price, _) in price_ladder(hw).items() if price is not None]
    return [f"{hw.id}: {a} {pa:.3f} < {b} {pb:.3f} USD/h" for (a, pa), (b, pb) in zip(priced, priced[1:])
            if pa + 1e-9 < pb]


YOUR_QUOTE = "your quote"


def rental_usd_per_hour(hw: Hardware, pricing: str, scenario: Scenario | None = None) -> tuple[float | None, str]:
    """Price per accelerator-hour at the chosen commitment, and its basis (`price_ladder`).

    The user's own quote for the accelerator (finance.accelerator_quote_usd_per_hour) replaces the
    catalog at every commitment: a quote is the one price that company pays for that accelerator, so
    the month, the horizon, the Monte Carlo and the roadmap all follow it.
    """
    if scenario is not None:
        quote = scenario.finance.accelerator_quote_by_id.get(hw.id)
        if quote is not None:
            return quote, YOUR_QUOTE
    price, basis = price_ladder(hw)[pricing]
    return price, basis


def allin_power_kw(hw: Hardware) -> float | None:
    """All-in power per accelerator (server, fans, network share and facility overhead) [kW]:
    SemiAnalysis's figure where the catalog has one, else TDP x the all-in / TDP ratio."""
    if hw.allin_power_kw:
        return hw.allin_power_kw
    if hw.tdp_w:
        return hw.tdp_w / 1000.0 * assumption("rack_power_overhead_factor")
    return None


def _is_pcie_card(hw: Hardware) -> bool:
    return bool(hw.tdp_w) and "pcie" in hw.interconnect.lower()


def it_power_kw(hw: Hardware) -> float | None:
    """IT power per accelerator, its share of the server and network included, before the facility's
    PUE [kW]: the one power figure that power (x PUE) and colocation (per IT kW) are charged on.

    A PCIe card is its TDP plus its share of a sourced PCIe server's host (CPUs, memory, fans).
    A baseboard or rack accelerator is the SemiAnalysis all-in figure less the facility overhead it
    already includes (cost_assumptions.yaml `semianalysis_allin_pue`).
    """
    if _is_pcie_card(hw):
        return hw.tdp_w / 1000.0 + assumption("pcie_server_host_kw_per_card")
    allin = allin_power_kw(hw)
    return None if allin is None else allin / assumption("semianalysis_allin_pue")


def staff_floor_fte(scenario: Scenario) -> float:
    """Operations staff any self-hosted fleet needs, rented or owned, however small [FTE]: a 24x7 on-call
    rotation from three nines (an outage must be answered at night), business-hours cover below."""
    if scenario.constraints.availability_target >= 0.999:
        return assumption("ops_oncall_24x7_fte")
    return assumption("ops_engineers_minimum_self_hosted")


def licence_usd_per_accelerator_month(hw: Hardware, scenario: Scenario) -> float:
    """NVIDIA's enterprise software is licensed per GPU, rented or owned; open stacks need none."""
    if hw.vendor != "nvidia":
        return 0.0
    return scenario.finance.software_licence_usd_per_accelerator_year / 12.0


def storage_and_egress_usd(sized: HardwareOption, dem: Demand) -> float:
    """Model weights kept in object storage and on the serving volumes, and the text streamed back
    to users, per month [USD]."""
    storage = ((sized.weights_gb or 0.0) * assumption("storage_copies_of_weights")
               * assumption("storage_usd_per_gb_month"))
    egress_gb = dem.output_tokens_per_day * DAYS_PER_MONTH * assumption("bytes_per_output_token_on_wire") / 1e9
    return storage + egress_gb * assumption("egress_usd_per_gb")


@functools.lru_cache(maxsize=1)
def _server_sizes() -> dict[str, tuple[int, ...]]:
    return {r["id"]: tuple(sorted(int(n) for n in r["server_accelerators"])) for r in load_table("server_units")}


def purchase_unit(hw: Hardware, accelerators_per_replica: int = 1) -> int:
    """Accelerators in the smallest server an owner can buy that holds a whole replica (server_units.yaml:
    4-GPU HGX H100 boards beside 8-GPU ones), else the catalog's unit (an 8-GPU baseboard, a rack)."""
    sizes = _server_sizes().get(hw.id)
    if not sizes:
        return max(hw.purchase_unit_accelerators, 1)
    fitting = [n for n in sizes if n >= accelerators_per_replica and n % max(accelerators_per_replica, 1) == 0]
    return fitting[0] if fitting else sizes[-1]


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


# --- the model of one option -----------------------------------------------------

@dataclass(frozen=True)
class CostModel:
    option_id: str
    kind: str  # api | specialized | cloud | owned
    # API: each token component's month-0 fee [USD]; fees move with volume x API price.
    fees_usd: tuple[tuple[str, float], ...] = ()
    fixed_usd: float = 0.0  # rented: storage and egress [USD per month]
    # staff: max(minimum, accelerators x FTE per accelerator) engineers
    staff_min_fte: float = 0.0
    staff_fte_per_accelerator: float = 0.0
    engineer_usd_per_month: float = 0.0
    # self-hosted fleet (fleet.py): replicas for the peak with headroom and spares, owned in whole units
    peak_calls_per_s: float = 0.0
    calls_per_s_per_replica: float = 1.0
    headroom: float = 0.0
    spares: int = 0
    accelerators_per_replica: int = 1
    purchase_unit: int = 1  # owned fleets grow in whole baseboards or racks
    failure_domains: int = 1  # domains that each carry the peak (four nines: 2)
    # rented
    rental_usd_per_accelerator_month: float = 0.0
    # On-demand fleets follow the day: each hour's load as a share of the peak (Demand.hourly_load_share);
    # the fleet is resized every hour to that hour's busiest moment. Empty: billed at peak size all month.
    hourly_load_share: tuple[float, ...] = ()
    # Reserved base plus on-demand burst: the base (the fleet at the quietest hour) is held all month at this
    # reserved price, the hours above it are rented on demand at `rental_usd_per_accelerator_month`. 0: none.
    reserved_base_usd_per_accelerator_month: float = 0.0
    price_follows_market: bool = True  # a reserved price is fixed for its term
    licence_usd_per_accelerator_month: float = 0.0  # rented or owned; not discounted with the rental
    # owned
    power_usd_per_accelerator_month: float = 0.0
    space_usd_per_accelerator_month: float = 0.0
    capex_per_accelerator_usd: float = 0.0
    amortization_months: int = 1
    maintenance_per_capex_month: float = 0.0
    # Owned hardware arrives `lead_months` after the order; `bridge` (the cheapest rented or API
    # option) serves the workload until then. Month-1 figures stay the owned steady state.
    lead_months: int = 0
    bridge: "CostModel | None" = None


def api_cost_model(option_id: str, kind: str, fees_usd: Mapping[str, float], scenario: Scenario) -> CostModel:
    """An API or specialized service: token fees by component (API_FEES) this month [USD], and the
    engineers who run the integration."""
    return CostModel(option_id, kind, fees_usd=tuple((name, float(fees_usd[name])) for name in API_FEES),
                     staff_min_fte=assumption("ops_engineers_api"),
                     engineer_usd_per_month=scenario.finance.engineer_cost_usd_per_year / 12.0)


def why_unpriced(kind: str, hw: Hardware, scenario: Scenario) -> str:
    """Why `hw` cannot be priced rented ('cloud') or owned; '' when it can."""
    if kind == "cloud":
        price, _ = rental_usd_per_hour(hw, scenario.finance.pricing, scenario)
        return "" if price is not None else f"no rental price for {hw.name}"
    if not hw.purchase_usd:
        return f"no sourced purchase price for {hw.name}: owning it cannot be priced"
    if it_power_kw(hw) is None:
        return f"no power figure for {hw.name}"
    return ""


RESERVED_BASE = "reserved_base_burst"  # a rented option's pricing: reserved 1-year base + on-demand burst
BASE_TERM = "reserved_1y"


def self_hosted_cost_model(kind: str, option_id: str, hw: Hardware, sized: HardwareOption, scenario: Scenario,
                           dem: Demand, pricing: str | None = None) -> CostModel:
    """A sized configuration of `hw`, rented ('cloud') or owned; `why_unpriced` must be ''.

    Longer calls take proportionally longer, so a replica carries output tokens per second /
    tokens per call calls per second. `pricing` (rented; default finance.pricing): on demand, the
    fleet follows the day hour by hour (Demand.hourly_load_share); reserved, it is held at peak
    size all month; `RESERVED_BASE`, the quietest hour's fleet is reserved for a year and the rest
    rented on demand. Owned fleets stay sized for the peak.
    """
    owned = kind == "owned"
    c = scenario.constraints
    common = dict(peak_calls_per_s=dem.peak_calls_per_s,
                  calls_per_s_per_replica=sized.output_tokens_per_s_per_replica / dem.generated_tokens_per_call,
                  headroom=c.headroom_fraction, spares=c.redundant_replicas, failure_domains=c.failure_domains,
                  accelerators_per_replica=sized.accelerators_per_replica,
                  staff_min_fte=staff_floor_fte(scenario),
                  staff_fte_per_accelerator=assumption(
                      "ops_engineers_per_1000_accelerators_" + ("owned" if owned else "rented")) / 1000.0,
                  engineer_usd_per_month=scenario.finance.engineer_cost_usd_per_year / 12.0,
                  licence_usd_per_accelerator_month=licence_usd_per_accelerator_month(hw, scenario))
    f = scenario.finance
    if not owned:
        pricing = pricing or f.pricing
        base = 0.0
        if pricing == RESERVED_BASE:
            base = rental_usd_per_hour(hw, BASE_TERM, scenario)[0] * HOURS_PER_MONTH
        price, _ = rental_usd_per_hour(hw, "on_demand" if pricing == RESERVED_BASE else pricing, scenario)
        follows = pricing in ("on_demand", RESERVED_BASE)
        # A reserved price is fixed for its term; only on-demand rates follow the market down.
        return CostModel(option_id, kind, rental_usd_per_accelerator_month=price * HOURS_PER_MONTH,
                         price_follows_market=follows, fixed_usd=storage_and_egress_usd(sized, dem),
                         hourly_load_share=dem.hourly_load_share if follows else (),
                         reserved_base_usd_per_accelerator_month=base, **common)
    it_kw = it_power_kw(hw)  # power is drawn at IT kW x PUE; colocation is leased per IT kW
    return CostModel(option_id, kind,
                     power_usd_per_accelerator_month=it_kw * f.pue * f.electricity_usd_per_kwh * HOURS_PER_MONTH,
                     space_usd_per_accelerator_month=it_kw * assumption("colocation_usd_per_kw_month"),
                     capex_per_accelerator_usd=owned_capex_per_accelerator_usd(hw),
                     amortization_months=int(f.amortization_years * 12),
                     maintenance_per_capex_month=assumption("maintenance_fraction_of_capex_per_year") / 12.0,
                     purchase_unit=purchase_unit(hw, sized.accelerators_per_replica or 1), **common)


def cost_model(option: Option, catalog: Catalog, scenario: Scenario, dem: Demand) -> CostModel | None:
    """The model an option was priced with (None for an option with no price): the same builder, from
    the option's sizing, or from an API option's month-0 token fees (its model's own inputs)."""
    if not option.feasible:
        return None
    if option.kind in API_KINDS:
        return api_cost_model(option.id, option.kind, option.components_usd, scenario)
    return self_hosted_cost_model(option.kind, option.id, catalog.get_hardware(option.hardware), option.sizing,
                                  scenario, dem, option.pricing)


def growth_and_price_paths(scenario: Scenario, months: int, growth: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per-sample demand factor (1 + g)^m, and API / rental price factors (1 - decline)^(m/12)."""
    m = np.arange(months, dtype=float)
    demand_factor = (1.0 + growth[:, None]) ** m[None, :]
    api_factor = (1.0 - scenario.finance.yearly_price_decline) ** (m / 12.0)
    gpu_factor = (1.0 - assumption("gpu_rental_price_decline_per_year")) ** (m / 12.0)
    return demand_factor, api_factor[None, :], gpu_factor[None, :]


def software_path(scenario: Scenario, months: int) -> np.ndarray:
    """Throughput of the same accelerator relative to month 0, (1 + gain)^(m/12), shape (1, months):
    serving software keeps getting faster on the hardware one already has (the self-hosted side of
    the API's yearly price decline; finance.software_efficiency_gain_per_year)."""
    m = np.arange(months, dtype=float)
    return ((1.0 + scenario.finance.software_efficiency_gain_per_year) ** (m / 12.0))[None, :]


@dataclass(frozen=True)
class Paths:
    """Volume and price multipliers, shape (samples, months), shared by every option."""

    volume: np.ndarray  # demand growth x usage x tokens per call
    api_price: np.ndarray
    gpu_price: np.ndarray
    software: np.ndarray | None = None  # self-hosted throughput per accelerator vs month 0 (None: 1)
    # Months cut from longer paths (`_first_months`): the longer paths' loads' (lowest, highest, count), which
    # place a day's fleet on the same grid of loads, so every month is priced as on the longer paths.
    # None: these paths' own loads.
    grid: tuple[float, float, int] | None = None


def paths(scenario: Scenario, months: int, usage: np.ndarray, tokens: np.ndarray, growth: np.ndarray,
          api_prices: np.ndarray, gpu_prices: np.ndarray, price_paths: bool = True) -> Paths:
    """Multipliers for arrays of samples. `growth` is the monthly growth rate itself; with
    `price_paths` off, prices stay at month-0 levels (break-even compares volumes, not dates)."""
    demand_factor, api_factor, gpu_factor = growth_and_price_paths(scenario, months, growth)
    software = software_path(scenario, months)
    if not price_paths:
        api_factor = np.ones_like(api_factor)
        gpu_factor = np.ones_like(gpu_factor)
        software = np.ones_like(software)
    volume = demand_factor * (usage * tokens)[:, None]
    volume.setflags(write=False)  # shared by every option priced on these paths (`_load`, `_grid_position`)
    return Paths(volume, api_factor * api_prices[:, None], gpu_factor * gpu_prices[:, None], software)


# Month 0 with every multiplier at 1: what `paths` gives for one month, no growth, no price move.
MONTH_ONE = Paths(np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)))


def delivery_bridge(options: Iterable[Option]) -> Option | None:
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


# Each bridged model's steady state, kept by the model's identity (each entry holds its key, so its id cannot be
# reused): the searches of what flips the answer ask for it of the same model hundreds of times a plan, and a
# copy of a record of thirty fields costs more than the formula on one path. Dict reads and writes are atomic.
_STEADY_KEPT = 512
_STEADY: dict[int, tuple[CostModel, CostModel]] = {}


def steady_state(model: CostModel) -> CostModel:
    """The model without its delivery wait: for comparisons of volume, not of dates."""
    if model.bridge is None:
        return model
    kept = _STEADY.get(id(model))
    if kept is not None and kept[0] is model:
        return kept[1]
    steady = dataclasses.replace(model, lead_months=0, bridge=None)
    if len(_STEADY) >= _STEADY_KEPT:  # a long-lived app: start again rather than grow without bound
        _STEADY.clear()
    _STEADY[id(model)] = (model, steady)
    return steady


# --- the cost formula --------------------------------------------------------------

def _delivery_month(model: CostModel, months: int) -> int:
    """First month an owned fleet on order serves (0 without a delivery bridge)."""
    return min(model.lead_months, months) if model.bridge is not None else 0


def _fleet(model: CostModel, volume: np.ndarray, needed: int | None = None, share: float = 1.0) -> np.ndarray:
    """Accelerators paid for each month (fleet.py): for the peak load (x `share`, an hour's share of the
    peak), or for `needed` accelerators (an owned fleet still buys whole purchase units). `volume` is
    the load relative to month 0 in month-0 replicas: growth over the software gain (`_load`)."""
    if needed is not None:
        return np.full(volume.shape, float(fleet.whole_units(needed, model.purchase_unit)))
    if volume.size == 1:  # month 1 of one path: the rule on a plain number is ten times faster than on an array
        return np.full(volume.shape, float(_fleet_count(model, volume.item(0), share)))
    return fleet.accelerators(model.peak_calls_per_s * share * volume, model.calls_per_s_per_replica, model.headroom,
                              model.spares, model.accelerators_per_replica, model.purchase_unit, model.failure_domains)


def _fleet_count(model: CostModel, volume: float, share: float = 1.0) -> int:
    """`_fleet` at one load (a plain number): the accelerators for it."""
    return fleet.accelerators(model.peak_calls_per_s * share * volume, model.calls_per_s_per_replica, model.headroom,
                              model.spares, model.accelerators_per_replica, model.purchase_unit, model.failure_domains)


# The last few Paths' loads and the last load's grid positions, kept by identity (each entry holds its key,
# so the key cannot be freed and its id reused): a Monte Carlo prices every option on the same Paths (its
# samples and its unmoved base, in turn), and these depend on the paths only, not on the option. Each is
# one tuple, swapped whole (safe across threads).
_LOADS_KEPT = 4
_LAST_LOADS: tuple = ()  # ((paths, load), ...), the latest first
_LAST_GRID: tuple = (None, None, None)


def _load(p: Paths) -> np.ndarray:
    """Volume in month-0 replicas: a faster serving stack carries more on the same accelerators."""
    global _LAST_LOADS
    if p.software is None:
        return p.volume
    kept = _LAST_LOADS
    for paths_kept, load in kept:
        if paths_kept is p:
            return load
    load = p.volume / p.software
    load.setflags(write=False)  # shared by every option priced on these paths
    _LAST_LOADS = ((p, load),) + kept[:_LOADS_KEPT - 1]
    return load


def _hour_shares(model: CostModel) -> tuple[tuple[float, float], ...]:
    """Each hour's busiest moment as a share of the peak, with the hours it stands for: the fleet is
    resized once an hour (cost_assumptions.yaml `autoscale_step_hours`), so it carries the larger end of
    the hour; equal shares are priced once (the day is symmetric about its peak)."""
    return _day_shape(model.hourly_load_share)[0]


@functools.lru_cache(maxsize=256)
def _day_shape(shares: tuple[float, ...]) -> tuple[tuple[tuple[float, float], ...], np.ndarray, np.ndarray]:
    """`_hour_shares` for a day's load shares, and its shares and weights as (read-only) arrays: one day
    shape serves every option and every trial of a search, so it is worked out once."""
    n = len(shares)
    counts: dict[float, int] = {}
    for h in range(n):
        top = round(max(shares[h], shares[(h + 1) % n]), 12)
        counts[top] = counts.get(top, 0) + 1
    hours = tuple((share, count / n) for share, count in sorted(counts.items()))
    share_array = np.array([share for share, _ in hours])
    weight_array = np.array([weight for _, weight in hours])
    share_array.setflags(write=False)
    weight_array.setflags(write=False)
    return hours, share_array, weight_array


# Above this many loads (a Monte Carlo's samples x months) the day's average fleet is read off a grid of
# loads spanning them (exact at the grid points, linear between): the same formula, a thousand evaluations
# instead of one per sample and month. One path (horizon, month 1, break-even) is always exact.
_GRID_ABOVE = 4096
_GRID_POINTS = 1024


# The last few loads' (lowest, highest, count) and grids, kept by the loads' identity and by the ends: every
# accelerator of a throughput band, and the delivery bridge of its owned options, reads its day off the grid of
# the band's loads. Swapped whole, as the caches above.
_SPANS_KEPT = 4
_LAST_SPANS: tuple = ()  # ((load, (low, high, count)), ...), the latest first
_LAST_GRIDS: tuple = ()  # (((low, high), read-only grid), ...), the latest first


def _span(load: np.ndarray) -> tuple[float, float, int]:
    """The loads' lowest, highest and count (kept only for loads nobody can change)."""
    global _LAST_SPANS
    kept = _LAST_SPANS
    for kept_load, span in kept:
        if kept_load is load:
            return span
    span = (float(load.min()), float(load.max()), load.size)
    if not load.flags.writeable:
        _LAST_SPANS = ((load, span),) + kept[:_SPANS_KEPT - 1]
    return span


def _geometric_grid(low: float, high: float) -> np.ndarray:
    """np.geomspace(low, high, _GRID_POINTS), read-only (numpy's checks cost more than its arithmetic here)."""
    global _LAST_GRIDS
    kept = _LAST_GRIDS
    for ends, grid in kept:
        if ends == (low, high):
            return grid
    grid = np.geomspace(low, high, _GRID_POINTS)
    grid.setflags(write=False)
    _LAST_GRIDS = (((low, high), grid),) + kept[:_SPANS_KEPT - 1]
    return grid


def _grid_position(load: np.ndarray, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """Each load's interval on the geometric grid from `low` to `high`, and its share of the way along it.
    Linear between the grid's points, found by their index on the geometric grid (np.interp's search is
    ten times slower on a Monte Carlo's loads); the ends are the grid's own points. The same for every
    option priced on the same loads, so the last one is kept."""
    global _LAST_GRID
    last = _LAST_GRID
    if last[0] is load:
        return last[1], last[2]
    position = np.log(load / low) * ((_GRID_POINTS - 1) / np.log(high / low))
    # clipped in place: np.clip of a new integer array costs eight times the in-place one (same values)
    index = position.astype(np.int64)
    np.clip(index, 0, _GRID_POINTS - 2, out=index)
    step = position - index
    np.clip(step, 0.0, 1.0, out=step)
    if not load.flags.writeable:  # only loads nobody can change are kept
        _LAST_GRID = (load, index, step)
    return index, step


def _fleet_rule(model: CostModel) -> tuple:
    """Every input of the fleet rule `_day` applies (`_fleet`'s and the day's shape): options equal in these
    have the same fleet at every hour (an accelerator's on-demand and reserved base + burst options)."""
    return (model.peak_calls_per_s, model.calls_per_s_per_replica, model.headroom, model.spares,
            model.accelerators_per_replica, model.purchase_unit, model.failure_domains, model.hourly_load_share)


class _DayFleet:
    """One fleet rule's day on one array of loads (`_day`): the fleet averaged over the hours, and at the
    busiest and the quietest hour when first asked (the busiest only staffs a fleet above its staff floor,
    `_staff_fte`; the quietest only a reserved base needs). Its arrays are read-only: the options priced on
    the same day share them."""

    def __init__(self, model: CostModel, load: np.ndarray, grid: tuple[float, float, int] | None = None) -> None:
        _, shares, weights = _day_shape(model.hourly_load_share)

        def exact(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # every hour at once: (hours, *x.shape)
            by_hour = _fleet(model, x[None, ...] * shares.reshape((-1,) + (1,) * x.ndim))
            # np.tensordot(weights, by_hour, axes=1) without its bookkeeping (the same product: a (1, hours)
            # row times the (hours, loads) matrix), called thousands of times by the flips searches
            average = np.dot(weights.reshape(1, -1), by_hour.reshape(by_hour.shape[0], -1)).reshape(by_hour.shape[1:])
            return average, by_hour[0], by_hour[-1]
        if grid is None:  # the loads' own ends, needed only for a grid
            low, high, size = _span(load) if load.size > _GRID_ABOVE else (0.0, 0.0, load.size)
        else:
            low, high, size = grid
        if size <= _GRID_ABOVE or not high > low > 0:
            self.average, self._quietest, self._peak = exact(load)
            self._quietest_on_grid = self._peak_on_grid = None
            self._peak.setflags(write=False)
            self.peak_max = _Peak.of(self._peak).most
        else:
            grid = _geometric_grid(low, high)
            self._index, self._step = _grid_position(load, low, high)
            average, self._quietest_on_grid, self._peak_on_grid = exact(grid)
            self.average, self._quietest, self._peak = self._read(average), None, None
            # whole accelerators at the grid's points: a load read between two of them is never above both
            # (their difference is exact, and rounding is monotone), so this bounds every load's fleet
            self.peak_max = float(self._peak_on_grid.max())
        self.average.setflags(write=False)

    def _read(self, values: np.ndarray) -> np.ndarray:
        """Each load's value, linear between the grid's points (take: fancy indexing's result, faster; the
        indices are clipped to the grid's intervals already, so mode='clip' changes none, and skips the bounds
        check that costs as much as the gather)."""
        out = np.diff(values).take(self._index, mode="clip")
        out *= self._step
        out += values.take(self._index, mode="clip")
        return out

    def quietest(self) -> np.ndarray:
        if self._quietest is None:
            self._quietest = self._read(self._quietest_on_grid)
        self._quietest.setflags(write=False)
        return self._quietest

    def peak(self) -> np.ndarray:
        if self._peak is None:
            self._peak = self._read(self._peak_on_grid)
            self._peak.setflags(write=False)
        return self._peak


# The last few days' fleets, kept by their loads' identity (as `_LAST_LOADS`) and the fleet rule: a Monte
# Carlo or a flips search prices an accelerator's on-demand and reserved base + burst options on the same
# loads, and both follow the same day.
_DAYS_KEPT = 4
_LAST_DAYS: tuple = ()  # ((load, fleet rule, _DayFleet), ...), the latest first


def _day(model: CostModel, load: np.ndarray, quietest: bool = True,
         grid: tuple[float, float, int] | None = None) -> tuple[np.ndarray, np.ndarray | None, _Peak]:
    """The fleet averaged over the day's hours (`_hour_shares`), at its quietest hour and at its busiest,
    for each load [accelerators] (hours sorted by load share, quietest first). Without `quietest` the
    quietest hour's fleet is not read off the grid (None): only a reserved base needs it. The busiest
    hour's comes as a `_Peak`, read only when asked. `grid`: `Paths.grid`."""
    global _LAST_DAYS
    rule = _fleet_rule(model)
    kept = _LAST_DAYS
    day = next((d for kept_load, kept_rule, d in kept if kept_load is load and kept_rule == rule), None)
    if day is None:
        day = _DayFleet(model, load, grid)
        if not load.flags.writeable:  # only loads nobody can change are kept
            _LAST_DAYS = ((load, rule, day),) + kept[:_DAYS_KEPT - 1]
    return day.average, (day.quietest() if quietest else None), _Peak(day.peak, day.peak_max)


class _Peak:
    """A fleet array read only when asked (`fleet()`), and the largest of its values (`most`)."""

    __slots__ = ("fleet", "most")

    def __init__(self, fleet: Callable[[], np.ndarray], most: float) -> None:
        self.fleet, self.most = fleet, most

    @classmethod
    def of(cls, fleet: np.ndarray) -> _Peak:
        # one path's handful of loads: the maximum costs more than the staff rule it could skip
        return cls(lambda: fleet, float(fleet.max()) if fleet.size > _STAFF_BOUND_ABOVE else math.inf)


_STAFF_BOUND_ABOVE = 64


def _staff_fte(model: CostModel, peak: _Peak) -> np.ndarray | float:
    """Staff [FTE]: the floor, or the fleet's share where it is above (the fleet at the day's peak).

    Where even the largest fleet's share is at the floor, np.maximum gives the floor in every sample and
    month (a fleet's share never exceeds the largest one's: rounding is monotone): the floor itself, a
    number, whose products and sums are the same as the array's, element by element, without a pass
    over a Monte Carlo's loads."""
    if peak.most * model.staff_fte_per_accelerator <= model.staff_min_fte:
        return model.staff_min_fte
    return np.maximum(model.staff_min_fte, peak.fleet() * model.staff_fte_per_accelerator)


def _rented(model: CostModel, load: np.ndarray,
            grid: tuple[float, float, int] | None = None) -> tuple[np.ndarray, np.ndarray, _Peak]:
    """Average accelerators rented on demand each month, and those held reserved all month (the base).

    Returns (on demand, reserved base, the fleet at the day's peak, for staffing). Without a load
    profile the whole peak fleet is rented all month (reserved pricing, or a flat day).
    Following the day, the fleet at each hour is the fleet rule at that hour's load (spares and
    failure domains at every hour: the minimum), averaged over the day; with a reserved base the
    quietest hour's fleet is reserved and only the hours above it are rented on demand.
    """
    if not model.hourly_load_share:
        peak = _fleet(model, load)
        return peak, np.zeros(load.shape), _Peak.of(peak)
    reserved = model.reserved_base_usd_per_accelerator_month > 0
    average, quietest, peak = _day(model, load, reserved, grid)
    if not reserved:
        return average, np.zeros(load.shape), peak
    # the quietest hour's fleet is never above any hour's: the burst is what the day adds to it
    return np.maximum(average - quietest, 0.0), quietest, peak


# From this many paths on, a running total or maximum over the months is taken a month at a time: numpy's
# accumulate along a short last axis runs at a fraction of its speed on a Monte Carlo's thousands of rows.
_ROWS_BY_MONTH = 64


def _accumulate_months(ufunc: np.ufunc, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """`ufunc.accumulate(x, axis=-1, out=out)`: the same operations in the same order (month j is
    ufunc(month j - 1's result, x's month j))."""
    if x.ndim < 2 or x.shape[0] < _ROWS_BY_MONTH or x.shape[-1] == 0:  # no months: nothing to carry over
        return ufunc.accumulate(x, axis=-1, out=out)
    if out is None:
        out = np.empty_like(x)
    if out is not x:
        out[..., 0] = x[..., 0]
    for j in range(1, x.shape[-1]):
        ufunc(out[..., j - 1], x[..., j], out=out[..., j])
    return out


def _installed(fleet_needed: np.ndarray, start: int) -> np.ndarray:
    """Owned accelerators in place each month: bought as demand grows, never sold, none before `start`."""
    if start == 0:
        return _accumulate_months(np.maximum, fleet_needed)
    installed = np.zeros_like(fleet_needed)
    _accumulate_months(np.maximum, fleet_needed[..., start:], out=installed[..., start:])
    return installed


def _bought(installed: np.ndarray) -> np.ndarray:
    """Accelerators bought each month (np.diff with a leading 0, without its concatenation)."""
    bought = installed.copy()
    bought[..., 1:] -= installed[..., :-1]
    return bought


# A term's driver for costs that do not move: rate x 1 each month.
_EVERY_MONTH = "every month"

Term = tuple[str, "float | np.ndarray", str]  # (component, USD per unit of the driver, driver)


def _formula(model: CostModel, p: Paths, start: int = 0,
             needed: int | None = None) -> tuple[dict[str, np.ndarray | float], tuple[Term, ...]]:
    """The one cost formula: every component is a rate times a driver, the quantity that moves.

    Drivers are arrays (samples, months): the billed token volume, the accelerators in the fleet,
    the capex paid and amortized, the staff in FTE. Returns the drivers and the terms, in
    component order; `start` is the month an owned fleet arrives, `needed` prices a given fleet.
    """
    drivers: dict[str, np.ndarray | float] = {_EVERY_MONTH: 1.0}
    if model.kind in API_KINDS:
        drivers["billed volume"] = p.volume * p.api_price
        terms = tuple((name, fee, "billed volume") for name, fee in model.fees_usd)
        return drivers, terms + ((STAFF, model.staff_min_fte * model.engineer_usd_per_month, _EVERY_MONTH),)
    load = _load(p)
    if model.kind == "cloud" and needed is None:  # the day's busiest fleet comes with the hourly ones
        on_demand, base, peak = _rented(model, load, p.grid)
    else:
        accelerators = _fleet(model, load, needed)
        peak = _Peak.of(accelerators)
    drivers["staff FTE"] = _staff_fte(model, peak)
    staff = (STAFF, model.engineer_usd_per_month, "staff FTE")
    if model.kind == "cloud":
        if needed is not None:  # a given fleet, rented all month
            on_demand, base = accelerators, np.zeros(load.shape)
        # without a reserved base `base` is zeros: nothing to add (a pass over a Monte Carlo's loads)
        billed = on_demand + base if model.reserved_base_usd_per_accelerator_month > 0 else on_demand
        drivers.update({"accelerators": on_demand, "reserved accelerators": base, "billed accelerators": billed})
        market = p.gpu_price if model.price_follows_market else p.gpu_price[:, :1]
        terms = (("accelerator rental", model.rental_usd_per_accelerator_month * market, "accelerators"),)
        if model.reserved_base_usd_per_accelerator_month > 0:  # reserved for its term: not following the market
            terms += (("reserved base", model.reserved_base_usd_per_accelerator_month * p.gpu_price[:, :1],
                       "reserved accelerators"),)
        return drivers, terms + (("software licences", model.licence_usd_per_accelerator_month, "billed accelerators"),
                                 ("storage and egress", model.fixed_usd, _EVERY_MONTH), staff)
    # owned: bought in steps as demand grows, never sold; each purchase amortized from its month
    # (in place where it can be: a Monte Carlo allocates thousands of paths per option)
    installed = _installed(accelerators, start)
    paid = _bought(installed)
    paid *= model.capex_per_accelerator_usd
    paid *= p.gpu_price
    _accumulate_months(np.add, paid, out=paid)
    n = model.amortization_months
    amortized = paid / n  # what was paid, less what was paid n months ago (written off by now), over n months
    if n < paid.shape[1]:
        amortized[:, n:] = (paid[:, n:] - paid[:, :-n]) / n
    drivers.update({"installed": installed, "capex paid": paid, "capex amortized": amortized})
    return drivers, (("hardware (amortized)", 1.0, "capex amortized"),
                     ("power", model.power_usd_per_accelerator_month, "installed"),
                     ("space", model.space_usd_per_accelerator_month, "installed"),
                     ("maintenance", model.maintenance_per_capex_month, "capex paid"),
                     ("software licences", model.licence_usd_per_accelerator_month, "installed"), staff)


def cost_components(model: CostModel, p: Paths) -> dict[str, np.ndarray]:
    """Monthly cost of each of the option's components [USD], shape (samples, months).

    An owned fleet on order has no hardware before its delivery month; what serves meanwhile is
    its bridge, a different option, whose cost `monthly_costs` puts in those months.
    """
    drivers, terms = _formula(steady_state(model), p, _delivery_month(model, p.volume.shape[1]))
    shape = p.volume.shape
    return {name: np.broadcast_to(rate * drivers[driver], shape) for name, rate, driver in terms}


def _sum(drivers: Mapping[str, np.ndarray | float], terms: Iterable[Term], shape: tuple[int, ...]) -> np.ndarray:
    """Sum of the terms, one product per driver (the rates of one driver add first), added in place."""
    rates: dict[str, float | np.ndarray] = {}
    for _, rate, driver in terms:
        rates[driver] = rates[driver] + rate if driver in rates else rate
    total = None
    for driver, rate in rates.items():
        if total is None:
            total = np.multiply(rate, drivers[driver], out=np.empty(shape))
        elif isinstance(rate, float) and rate == 0.0:
            continue  # adds 0 x a finite driver: nothing (no software licence on open stacks, no egress)
        else:
            total += rate * drivers[driver]
    return total


def monthly_costs(model: CostModel, p: Paths) -> np.ndarray:
    """Monthly cost [USD], shape (samples, months): the sum of `cost_components`, with the
    delivery bridge's cost in the months before owned hardware arrives."""
    start = _delivery_month(model, p.volume.shape[1])
    drivers, terms = _formula(steady_state(model), p, start)
    costs = _sum(drivers, terms, p.volume.shape)
    if start:
        costs[:, :start] = _bridge_costs(model.bridge, p, start)[:, :start]  # uncut paths give every month
    return costs


# The last few delivery bridges' monthly costs, kept by the identity of the bridge and of the paths (as
# `_LAST_LOADS`): every owned option of a plan waits on the same bridge (`with_delivery_lead`), priced on
# the same paths by the Monte Carlo and the flips searches.
_BRIDGES_KEPT = 4
_LAST_BRIDGES: tuple = ()  # ((bridge, paths, read-only costs), ...), the latest first


def _bridge_costs(bridge: CostModel, p: Paths, months: int) -> np.ndarray:
    """`monthly_costs` of a delivery bridge on `p`'s first `months` months, the months it serves (read-only:
    shared by the options it bridges)."""
    global _LAST_BRIDGES
    kept = _LAST_BRIDGES
    costs = next((c for kept_bridge, kept_paths, kept_months, c in kept
                  if kept_bridge is bridge and kept_paths is p and kept_months == months), None)
    if costs is None:
        costs = monthly_costs(bridge, _first_months(p, months))
        costs.setflags(write=False)
        _LAST_BRIDGES = ((bridge, p, months, costs),) + kept[:_BRIDGES_KEPT - 1]
    return costs


def _first_months(p: Paths, months: int) -> Paths:
    """`p`'s first `months` months, priced as on `p`: each month's cost is the formula on that month's
    multipliers alone (an owned fleet's purchases, which carry over the months, never bridge), and a day's
    fleet is read off the grid of `p`'s own loads (`Paths.grid`). A Monte Carlo's bridge serves 5 of 24 months.
    Paths priced exactly (few loads) are not cut: the day's average fleet is then a matrix product over the
    loads, whose last bits may depend on how many there are."""
    grid = p.grid
    if grid is None:
        load = _load(p)
        if load.size <= _GRID_ABOVE:
            return p
        grid = _span(load)  # as _DayFleet places `p`'s loads
    if months >= p.volume.shape[1] or not grid[1] > grid[0] > 0:
        return p
    cut = [None if a is None else a[:, :months] for a in (p.volume, p.api_price, p.gpu_price, p.software)]
    return Paths(*cut, grid=grid)


def month_one_usd(model: CostModel, accelerators: int | None = None) -> dict[str, float]:
    """The first month by component [USD]: the cost formula at month 0 with every multiplier at 1.

    An owned option's month 1 is its steady state (hardware in place), not the delivery bridge.
    `accelerators` prices a fleet of that many needed accelerators instead of the model's own
    (owned: still in whole purchase units).
    """
    drivers, terms = _formula(steady_state(model), MONTH_ONE, needed=accelerators)
    month_one = {name: _first(driver) for name, driver in drivers.items()}
    return {name: float(_first(rate) * month_one[driver]) for name, rate, driver in terms}


def fleet_accelerators(model: CostModel) -> int:
    """Accelerators in the month-1 fleet (the fleet rule at month 0)."""
    return _fleet_count(model, 1.0)


def accelerator_hours_per_month(model: CostModel) -> float:
    """Accelerator-hours paid for in month 1 [h]: the fleet x 730 h, or for a fleet that follows the
    day the hourly fleet summed over the month (reserved base included)."""
    if model.kind == "cloud":
        on_demand, base, _ = _rented(model, np.ones((1, 1)))
        return float((on_demand + base).item(0)) * HOURS_PER_MONTH
    return fleet_accelerators(model) * HOURS_PER_MONTH


def _first(x: float | np.ndarray) -> float:
    return x.item(0) if isinstance(x, np.ndarray) else x


def purchases(model: CostModel, scenario: Scenario, months: int) -> list[dict]:
    """Months in which an owned fleet grows, with accelerators bought and their capex."""
    growth = np.array([scenario.finance.monthly_growth])
    demand_factor, _, gpu_factor = growth_and_price_paths(scenario, months, growth)
    start = _delivery_month(model, months)
    installed = _installed(_fleet(model, demand_factor[0] / software_path(scenario, months)[0]), start)
    bought = np.diff(installed, prepend=0.0)
    return [{"month": int(m), "accelerators": int(b),
             "capex_usd": float(b * model.capex_per_accelerator_usd * gpu_factor[0, m])}
            for m, b in enumerate(bought) if b > 0]


def spare_load_fraction(model: CostModel) -> float:
    """How much more load the month-1 fleet carries before the fleet rule needs more accelerators, as a
    fraction of today's load (0.6 = 60% more) [fraction]: the idle capacity an owner has paid for.

    The largest load multiple whose fleet (headroom, N+1, failure domains, whole purchase units
    included) is still the fleet installed today, found by bisection on the fleet rule.
    """
    installed = fleet_accelerators(model)
    low, high = 1.0, 2.0
    while _fleet_count(model, high) <= installed and high < 1e6:
        low, high = high, high * 2.0
    for _ in range(50):
        mid = (low + high) / 2.0
        low, high = (mid, high) if _fleet_count(model, mid) <= installed else (low, mid)
    return low - 1.0
