"""plan(scenario) -> Plan: the one entry point the UI, the CLI and the report use."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np

from engine.capacity.demand import Demand
from engine.capacity.sizing import HardwareOption, size
from engine.flips import Context, what_flips
from engine.catalog.catalog import Catalog, load_catalog
from engine.money.api_quotes import api_offers, api_provider_ids, lifecycle_warnings, price_snapshot
from engine.money.cost_model import CostModel, cost_model, with_delivery_lead
from engine.money.horizon import Horizon, build_horizon, project
from engine.physics.edge import device as edge_device
from engine.money.onprem_silicon import edge_box_options, onprem_silicon_options
from engine.money.substitutes import SubstituteCheck, quality_substitutes
from engine.money.options import KINDS, SELF_HOSTED_KINDS, Option, api_option, self_hosted_options
from engine.money.uncertainty import Uncertainty, throughput_ranges, uncertainty
from engine.recommend import (DecisionRow, Recommendation, TargetCheck, decision_row, recommend, target_checks,
                              with_horizon_alternative)
from engine.records import to_jsonable
from engine.roadmap.build import Roadmap, build_roadmap
from engine.roadmap.on_device import OnDevice, assess as assess_on_device
from engine.scenario.schema import WARN_GROWTH_FACTOR, Scenario, check_vendors, growth_factor, quote
from present.formatting import usd

# A month's bill above this is beyond any single deployment we price with confidence: the plan is
# still computed, and the figure is flagged so nobody mistakes a typo for a budget.
WARN_MONTHLY_USD = 1e9


@dataclass(frozen=True)
class PriceData:
    api_prices: str  # the price snapshot's name and version
    price_date: str  # ISO date the prices are read for


@dataclass(frozen=True)
class Plan:
    """Everything the screens, the CLI and the brief show: frozen records all the way down."""

    scenario: Scenario
    demand: Demand
    hardware_options: tuple[HardwareOption, ...]
    options: tuple[Option, ...]
    recommendation: Recommendation
    horizon: Horizon
    uncertainty: Uncertainty | None  # None only in a plan made with with_sensitivity=False (see add_sensitivity)
    price_data: PriceData
    roadmap: Roadmap | None = None
    # Issue 17: the on-device option (device, model, speed, share, saving), and owned options beyond
    # datacenter servers (edge boxes, specialized silicon on premises), listed beside `options`, not ranked.
    on_device: OnDevice | None = None
    edge_options: tuple[Option, ...] = ()
    onprem_silicon_options: tuple[Option, ...] = ()
    # Issue 13 item 8: every catalog model judged against model.quality_floor (empty without a floor):
    # which were offered as substitutes and why each other one was not (engine/money/substitutes.py).
    substitutes: tuple[SubstituteCheck, ...] = ()

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)

    @property
    def recommended(self) -> Option | None:
        oid = self.recommendation.option_id
        return self.option(oid) if oid else None

    def best_by_kind(self) -> dict[str, Option]:
        """The cheapest option of each kind that meets the targets under the constraints (kind order)."""
        best: dict[str, Option] = {}
        for o in sorted((o for o in self.options if o.usable), key=lambda o: o.monthly_tco_usd):
            best.setdefault(o.kind, o)
        return {k: best[k] for k in KINDS if k in best}

    def decision_table(self) -> tuple[DecisionRow, ...]:
        """One row per kind (KINDS order): the recommendation for its own kind, else the kind's best
        (best_by_kind), with horizon total, upfront cash, evidence, lead time, lock-in and residency."""
        best = self.best_by_kind()
        rec = self.recommended
        if rec is not None:
            best[rec.kind] = rec
        totals = self.horizon.totals_usd()
        cash = self.horizon.upfront_cash_usd.by_option_usd
        return tuple(decision_row(o, self.scenario, totals.get(o.id), cash.get(o.id, 0.0), o is rec)
                     for k, o in best.items())

    def target_checks(self, option_id: str | None = None) -> tuple[TargetCheck, ...]:
        """The latency targets against the delivered figures of an option (the recommendation by default)."""
        option = self.option(option_id) if option_id else self.recommended
        return target_checks(option, self.scenario) if option is not None else ()

    def best_self_hosted(self) -> Option | None:
        """The cheapest rented or owned option that meets the targets."""
        mine = [o for k, o in self.best_by_kind().items() if k in SELF_HOSTED_KINDS]
        return min(mine, key=lambda o: o.monthly_tco_usd) if mine else None

    def compared_options(self) -> tuple[Option, ...]:
        """What the horizon chart and the brief compare: the recommendation, then the best of each kind."""
        chosen = [self.recommended] if self.recommended else []
        chosen += [o for o in self.best_by_kind().values() if o not in chosen]
        return tuple(chosen)

    def to_dict(self) -> dict:
        """The JSON contract (`plan --json`): fields may be added, never renamed."""
        def option_dict(o: Option) -> dict:
            d = to_jsonable(o)
            d.pop("sizing")
            d.pop("api_quote")
            d["details"] = o.details()
            return d

        options = [option_dict(o) for o in self.options]
        roadmap = None
        if self.roadmap is not None:
            roadmap = to_jsonable(self.roadmap)
            roadmap["final_scenario"] = self.roadmap.final_scenario.to_dict()
        return {
            "scenario": self.scenario.to_dict(),
            "demand": to_jsonable(self.demand),
            "hardware_options": to_jsonable(self.hardware_options),
            "options": options,
            "recommendation": to_jsonable(self.recommendation),
            "horizon": to_jsonable(self.horizon.months),
            "purchases": to_jsonable(self.horizon.purchases),
            "break_even": to_jsonable(self.horizon.break_even),
            "lifetime": to_jsonable(self.horizon.lifetime),
            # What is paid in month 1 (an owned fleet on order runs on its delivery bridge) beside the
            # steady state (each option's monthly_tco_usd), and the cash owned hardware takes as bought.
            "month_1_paid_usd": dict(self.horizon.month_1_paid_usd),
            "upfront_cash_usd": to_jsonable(self.horizon.upfront_cash_usd),
            "uncertainty": to_jsonable(self.uncertainty),
            "price_data": to_jsonable(self.price_data),
            "roadmap": roadmap,
            "best_by_kind": {kind: o.id for kind, o in self.best_by_kind().items()},
            "on_device": to_jsonable(self.on_device) if self.on_device is not None else None,
            "edge_options": [option_dict(o) for o in self.edge_options],
            "onprem_silicon": [option_dict(o) for o in self.onprem_silicon_options],
            "decision_table": to_jsonable(self.decision_table()),
            "target_checks": to_jsonable(self.target_checks()),
            "substitutes": [{**to_jsonable(c), "offered": c.offered} for c in self.substitutes],
        }


def _excluded_api(scenario: Scenario) -> str:
    if scenario.constraints.deployment == "on_prem":
        return "the scenario requires on-prem: data may not leave the company"
    return ""


def _build(catalog: Catalog, scenario: Scenario, dem: Demand, sized: tuple[HardwareOption, ...],
           price_date: dt.date) -> tuple[list[Option], dict]:
    """The options, and the API offers behind them by option id (for their lifecycle warnings)."""
    excluded = _excluded_api(scenario)
    offers = api_offers(catalog, scenario, price_date)
    options = [api_option(offer, scenario, dem, excluded) for offer in offers]
    for h in sized:
        options += self_hosted_options(catalog, h, scenario, dem)
    return options, {offer.option_id: offer for offer in offers}


def _warnings(options: list[Option], offers: dict, scenario: Scenario, price_date: dt.date,
              totals: dict[str, float] | None = None) -> tuple[str, ...]:
    """Lifecycle warnings of the option the rule would recommend (retirements, price changes)."""
    first = recommend(options, scenario, totals=totals)
    offer = offers.get(first.option_id) if first.option_id else None
    return lifecycle_warnings(offer, scenario, price_date) if offer is not None else ()


def _scale_warnings(scenario: Scenario, projected: dict[str, np.ndarray], totals: dict[str, float]) -> tuple[str, ...]:
    """Warnings for plans that are valid but extreme: compounding growth, and bills beyond $1B a month."""
    out = []
    f = scenario.finance
    factor = growth_factor(f.monthly_growth, f.horizon_months)
    if factor > WARN_GROWTH_FACTOR:
        out.append(f"finance.monthly_growth = {f.monthly_growth:g} over {f.horizon_months} months compounds to "
                   f"{factor:,.0f}x today's usage by the last month (ChatGPT grew about 800x in its first 34 "
                   "months): check the growth and the horizon")
    if totals:
        cheapest = min(totals, key=totals.__getitem__)
        peak = float(projected[cheapest].max())
        if peak > WARN_MONTHLY_USD:
            out.append(f"even the cheapest option costs {usd(peak)} in its dearest month, above "
                       f"{usd(WARN_MONTHLY_USD)} a month: check the workload's users, calls and tokens")
    return tuple(out)


def _check_price_terms(catalog: Catalog, scenario: Scenario) -> None:
    """A discount or quote must name a provider (and model) or an accelerator the catalog prices, never
    vanish unused."""
    served = {(p, m.id) for m in catalog.models.values() for p in api_provider_ids(m)}
    providers = {p for p, _ in served}
    unknown = [p for p in scenario.finance.api_discount_by_provider if p not in providers]
    if unknown:
        raise ValueError(f"finance.api_discounts: {', '.join(quote(p) for p in unknown[:3])} is not an API provider in the "
                         f"catalog; choose from {', '.join(sorted(providers))}")
    hardware = catalog.hardware
    quoted = [h for h in scenario.finance.accelerator_quote_by_id if h not in hardware]
    if quoted:
        raise ValueError(f"finance.accelerator_quote_usd_per_hour: {', '.join(map(repr, quoted))} is not an accelerator "
                         f"in the catalog; choose from {', '.join(sorted(hardware))}")
    for provider, model_id in scenario.finance.api_quote_by_pair:
        if (provider, model_id) not in served:
            raise ValueError(f"finance.api_quote_usd_per_mtok: {quote(f'{provider}:{model_id}', bare=True)} is not a provider and model "
                             "pair in the catalog; use a provider id and a catalog model id it serves")


def plan(scenario: Scenario, catalog: Catalog | None = None, price_date: dt.date | None = None,
         with_roadmap: bool = True, with_sensitivity: bool = True) -> Plan:
    """Size, price, project and recommend: everything the screens and the brief show.

    Parameters
    ----------
    with_roadmap : bool
        Re-plan every lever of the roadmap (about half of the time): only the screens that show it ask.
    with_sensitivity : bool
        Compute what flips the answer and the Monte Carlo bands (about four fifths of the rest). Without
        them, `uncertainty` is None and `recommendation.what_flips` empty; every other figure is the same,
        and `add_sensitivity` completes the plan later (the Scenario page draws its headline first).

    Raises ValueError with a message naming the field for scenarios the catalog cannot serve.
    """
    catalog = catalog or load_catalog()
    price_date = price_date or dt.date.today()
    model = catalog.get_model(scenario.model.id)
    w = scenario.workload
    needed = w.input_tokens_per_call + w.output_tokens_per_call + w.reasoning_tokens_per_call
    if model.max_context_tokens and needed > model.max_context_tokens:
        raise ValueError(f"workload.input_tokens_per_call + output + reasoning = {needed:,} tokens exceeds "
                         f"{model.name}'s context window of {model.max_context_tokens:,} tokens: "
                         f"shorten the prompt or choose a model with a longer context")
    check_vendors(scenario.constraints.allowed_vendors, {h.vendor for h in catalog.hardware.values()})
    _check_price_terms(catalog, scenario)
    if scenario.workload.typical_user_device:
        edge_device(scenario.workload.typical_user_device)  # an unknown device id is refused, the field named
    if not model.open_weights and scenario.constraints.deployment == "on_prem":
        raise ValueError(f"model.id = {model.id!r} is a closed model, served only through its API; "
                         "constraints.deployment = on_prem needs an open-weight model")
    sizing = size(scenario, catalog)
    options, offers = _build(catalog, scenario, sizing.demand, sizing.options, price_date)
    by_id = {o.id: o for o in options}
    models = _cost_models(catalog, scenario, sizing.demand, options)
    # One price path (DESIGN.md "Money"): the ranking, the chart and the break-even read the same projection.
    projected = project(models, scenario)
    # An owned fleet delivered after the horizon ends serves none of it: not ranked on its bridge's cost.
    totals = {oid: float(path.sum()) for oid, path in projected.items() if by_id[oid].usable
              and not (models[oid].bridge is not None and models[oid].lead_months >= scenario.finance.horizon_months)}
    warnings = _warnings(options, offers, scenario, price_date, totals) + _scale_warnings(scenario, projected, totals)
    recommendation = recommend(options, scenario, warnings, totals)
    horizon = build_horizon(models, by_id, scenario, sizing.demand.queries_per_day, recommendation.option_id,
                            projected)
    recommendation = with_horizon_alternative(recommendation, horizon, by_id, scenario)
    price_data = PriceData(f"{price_snapshot()}, bundled snapshot; api_prices_supplement.yaml where it has no price",
                           price_date.isoformat())
    rec = by_id.get(recommendation.option_id)
    roadmap = build_roadmap(catalog, scenario, rec, tuple(options), price_date) if with_roadmap else None
    on_device_lever = next((lv for lv in roadmap.levers if lv.id == "on_device"), None) if roadmap else None
    on_device = assess_on_device(catalog, scenario, on_device_lever.monthly_saving_usd if on_device_lever else 0.0)
    core = Plan(scenario, sizing.demand, sizing.options, tuple(options), recommendation, horizon, None,
                price_data, roadmap, on_device, edge_box_options(catalog, scenario, sizing.demand),
                onprem_silicon_options(catalog, scenario, sizing.demand), quality_substitutes(catalog, scenario))
    return _with_sensitivity(core, catalog, models) if with_sensitivity else core


def _cost_models(catalog: Catalog, scenario: Scenario, dem: Demand, options) -> dict[str, CostModel]:
    """Each option's cost model (options without one, e.g. not deployable, are left out), delivery lead included."""
    models: dict[str, CostModel] = {}
    for o in options:
        m = cost_model(o, catalog, scenario, dem)
        if m is not None:
            models[o.id] = m
    return with_delivery_lead(models, {o.id: o for o in options})


def _with_sensitivity(core: Plan, catalog: Catalog, models: dict[str, CostModel], every_band: bool = True) -> Plan:
    """What flips the answer and the Monte Carlo bands (`every_band`: of every option, else of the
    recommended one only), from the plan's own cost models."""
    by_id = {o.id: o for o in core.options}
    rec = core.recommendation
    flips = what_flips(Context(core.scenario, catalog, core.demand, by_id, models, rec.option_id))
    usable_models = {oid: m for oid, m in models.items() if by_id[oid].usable}
    bands = uncertainty(usable_models, core.scenario, rec.option_id,
                        throughput_ranges({oid: by_id[oid].throughput_band for oid in usable_models}),
                        every_option=every_band)
    return dataclasses.replace(core, recommendation=dataclasses.replace(rec, what_flips=flips), uncertainty=bands)


def add_sensitivity(core: Plan, catalog: Catalog | None = None, every_band: bool = True) -> Plan:
    """Complete a plan made with `with_sensitivity=False`: the same Plan `plan()` returns by default.

    The cost models are rebuilt from the plan's options (a small share of the work), so a screen can
    draw the answer from the core plan and add what flips it and the bands when they are ready. Without
    `every_band` only the recommended option's band and tornado are computed (`Uncertainty.every_option`
    says so): what a screen needs that shows what flips the answer and the inputs that move it most.
    """
    if core.uncertainty is not None and (core.uncertainty.every_option or not every_band):
        return core
    catalog = catalog or load_catalog()
    return _with_sensitivity(core, catalog, _cost_models(catalog, core.scenario, core.demand, core.options),
                             every_band)
