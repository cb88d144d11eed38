"""plan(scenario) -> Plan: the one entry point the UI, the CLI and the report use."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from engine.catalog.catalog import Catalog, load_catalog
from engine.capacity.demand import Demand
from engine.money.horizon import Horizon, build_horizon
from engine.money.cost_model import CostModel, cost_model, delivery_bridge, with_delivery_lead
from engine.money.api_quotes import api_offers, genai_prices_version
from engine.roadmap.build import build_roadmap
from engine.scenario.schema import Scenario
from engine.capacity.sizing import HardwareOption, size
from engine.money.options import Option, api_option, load_assumptions, self_hosted_options
from engine.money.uncertainty import uncertainty


@dataclass(frozen=True)
class Plan:
    scenario: Scenario
    demand: Demand
    hardware_options: tuple[HardwareOption, ...]
    options: tuple[Option, ...]
    recommendation: dict
    horizon: Horizon
    uncertainty: dict
    price_data: dict
    roadmap: dict | None = None

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)

    @property
    def recommended(self) -> Option | None:
        oid = self.recommendation.get("option_id")
        return self.option(oid) if oid else None

    def to_dict(self) -> dict:
        """The JSON contract: fields may be added, never renamed."""
        options = []
        for o in self.options:
            d = dataclasses.asdict(o)
            d.pop("details")
            d["provider"] = o.provider
            d["hardware"] = o.hardware
            d["details"] = {k: v for k, v in o.details.items() if k != "sizing"}
            options.append(d)
        return {
            "scenario": self.scenario.to_dict(),
            "demand": dataclasses.asdict(self.demand),
            "hardware_options": [dataclasses.asdict(h) for h in self.hardware_options],
            "options": options,
            "recommendation": self.recommendation,
            "horizon": self.horizon.months,
            "purchases": self.horizon.purchases,
            "break_even": self.horizon.break_even,
            "lifetime": self.horizon.lifetime,
            "uncertainty": self.uncertainty,
            "price_data": self.price_data,
            "roadmap": self.roadmap,
        }


def _excluded_api(scenario: Scenario) -> str:
    if scenario.constraints.deployment == "on_prem":
        return "the scenario requires on-prem: data may not leave the company"
    return ""


def build_options(catalog: Catalog, scenario: Scenario, dem: Demand, sized: tuple[HardwareOption, ...],
                  price_date: dt.date) -> list[Option]:
    excluded = _excluded_api(scenario)
    options = [api_option(offer, scenario, dem, excluded) for offer in api_offers(catalog, scenario, price_date)]
    for h in sized:
        options += self_hosted_options(catalog, h, scenario, dem)
    return options


def _money(usd: float) -> str:
    if usd >= 1e6:
        return f"${usd / 1e6:,.2f}M"
    if usd >= 1e5:
        return f"${usd / 1e3:,.0f}k"
    if usd >= 1e4:  # three significant figures, so near ties still read apart
        return f"${usd / 1e3:.3g}k"
    return f"${usd:,.0f}"


def _unit_money(usd: float) -> str:
    """A unit cost: cents stay visible below a dollar ($0.047, not $0.05)."""
    return f"${usd:,.2f}" if usd >= 1 else f"${usd:.3f}"


def _speed(o: Option) -> str:
    ttft = "TTFT not published" if o.ttft_ms is None else f"TTFT {o.ttft_ms:,.0f} ms"
    speed = "" if not o.tpot_ms else f", {1000 / o.tpot_ms:,.0f} tok/s per user"
    return ttft + speed


def response_time_ms(option: Option, scenario: Scenario) -> float:
    """End-to-end time of one call: TTFT + generated tokens x TPOT (unknown parts count as slow)."""
    w = scenario.workload
    tokens = w.output_tokens_per_call + w.reasoning_tokens_per_call
    ttft = option.ttft_ms if option.ttft_ms is not None else scenario.latency.ttft_p95_ms
    tpot = option.tpot_ms if option.tpot_ms is not None else scenario.latency.max_tpot_ms
    return ttft + tokens * tpot


# Options closer than this are not told apart: the performance model's median error against
# measured throughput is ~11% (python -m engine calibrate), prices move a few percent a quarter.
NEAR_TIE_FRACTION = 0.05


def near_tie_note(best: Option, runner: Option | None) -> str:
    """Said after the runner-up when the two are too close to tell apart ("" otherwise)."""
    if runner is None or best.monthly_tco_usd < runner.monthly_tco_usd * (1 - NEAR_TIE_FRACTION):
        return ""
    return (f": a near tie, inside the {NEAR_TIE_FRACTION:.0%} the estimates can move, so choose between them on "
            "lead time, vendor and operations")


def lead_time_caveat(usable: list[Option]) -> str:
    """Owned hardware takes months to arrive; the horizon bridges on the cheapest rented or API option
    (projection.with_delivery_lead), while month-1 figures are the owned steady state."""
    lead = load_assumptions()["hardware_purchase_lead_months"]
    bridge = delivery_bridge(usable)
    meanwhile = (f"the horizon runs on {bridge.name} ({_money(bridge.monthly_tco_usd)}/month) until it arrives, "
                 "and month-1 figures are the owned steady state" if bridge
                 else "nothing else may serve this workload meanwhile, so plan the start date around delivery")
    return f"Buying takes about {lead.value:g} months from order to delivery (estimate as of {lead.as_of}): {meanwhile}."


def recommend(options: list[Option], scenario: Scenario) -> dict:
    """Cheapest option that meets the SLO and the constraints, plus the fastest and on-prem ones."""
    usable = sorted((o for o in options if o.usable), key=lambda o: o.monthly_tco_usd)
    if not usable:
        return {"option_id": None, "rationale": "No option meets the latency targets under the constraints: "
                "relax the TTFT or per-user speed, allow 4-bit weights, or choose a smaller model.",
                "alternatives": []}
    best = usable[0]
    runner = next((o for o in usable[1:] if o.kind != best.kind or o.hardware != best.hardware), None)
    gap = (f", {1 - best.monthly_tco_usd / runner.monthly_tco_usd:.0%} below the next best, "
           f"{runner.name} ({_money(runner.monthly_tco_usd)}/month)") if runner else ""
    gap += near_tie_note(best, runner)
    fleet = f" on {best.accelerators} accelerators" if best.accelerators else ""
    rationale = (f"{best.name}{fleet} is the cheapest way to meet the SLO: {_money(best.monthly_tco_usd)} per month"
                 f"{gap}. It delivers {_speed(best)} against targets of {scenario.latency.ttft_p95_ms:,.0f} ms and "
                 f"{scenario.latency.min_output_tokens_per_s_per_user:g} tok/s; "
                 f"{_unit_money(best.cost_per_1k_queries_usd)} per 1,000 queries.")
    alternatives = []
    fastest = min(usable, key=lambda o: response_time_ms(o, scenario))
    if fastest.id != best.id:
        alternatives.append({"role": "fastest full response", "option_id": fastest.id,
                             "rationale": f"{fastest.name}: {_speed(fastest)}, a {response_time_ms(fastest, scenario) / 1000:,.1f} s "
                                          f"response, at "
                                          f"{_money(fastest.monthly_tco_usd)} per month "
                                          f"({fastest.monthly_tco_usd / best.monthly_tco_usd:.1f}x the recommendation)."})
    on_prem = next((o for o in usable if o.kind == "owned"), None)
    if on_prem and on_prem.id != best.id:
        alternatives.append({"role": "on-prem", "option_id": on_prem.id,
                             "rationale": f"{on_prem.name}: keeps data in-house on {on_prem.accelerators} owned "
                                          f"accelerators for {_money(on_prem.monthly_tco_usd)} per month "
                                          f"({on_prem.monthly_tco_usd / best.monthly_tco_usd:.1f}x the recommendation)."})
    if best.kind == "owned":
        rationale += " " + lead_time_caveat(usable)
    if not best.verified:
        rationale += (" Its speed or first-token time is assumed, not published by the provider for this model: "
                      "measure it before committing.")
        verified = next((o for o in usable if o.verified), None)
        if verified:
            alternatives.append({"role": "cheapest with published figures", "option_id": verified.id,
                                 "rationale": f"{verified.name}: {_speed(verified)} at "
                                              f"{_money(verified.monthly_tco_usd)} per month "
                                              f"({verified.monthly_tco_usd / best.monthly_tco_usd:.1f}x the "
                                              "recommendation), judged on the provider's own figures (or its "
                                              "figures for a larger model, as a bound) or on the performance model."})
    return {"option_id": best.id, "rationale": rationale, "alternatives": alternatives}


def with_horizon_alternative(recommendation: dict, horizon: Horizon, options: dict[str, Option],
                             scenario: Scenario) -> dict:
    """The recommendation is the cheapest this month; when another usable option costs less over
    the whole horizon (growth, price decline, stepwise purchases), name it beside it."""
    best = recommendation.get("option_id")
    if best is None:
        return recommendation
    totals: dict[str, float] = {}
    for month in horizon.months:
        for oid, usd in month["costs_usd"].items():
            if options[oid].usable:
                totals[oid] = totals.get(oid, 0.0) + usd
    cheapest = min(totals, key=totals.get)
    if cheapest == best:
        return recommendation
    months = scenario.finance.horizon_months
    alt = {"role": f"cheapest over {months} months", "option_id": cheapest,
           "rationale": f"{options[cheapest].name}: {_money(totals[cheapest])} over {months} months against "
                        f"{_money(totals[best])} for the recommendation, as usage grows and prices fall "
                        f"({1 - totals[cheapest] / totals[best]:.0%} less over the horizon"
                        + (f", inside the {NEAR_TIE_FRACTION:.0%} the estimates can move"
                           if totals[cheapest] > totals[best] * (1 - NEAR_TIE_FRACTION) else "") + ")"
                        + ("; its speed or first-token time is assumed, not published for this model."
                           if not options[cheapest].verified else ".")}
    return {**recommendation, "alternatives": [*recommendation["alternatives"], alt]}


def plan(scenario: Scenario, catalog: Catalog | None = None, price_date: dt.date | None = None,
         with_roadmap: bool = True) -> Plan:
    """Size, price, project and recommend: everything the screens and the brief show.

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
    vendors = {h.vendor for h in catalog.hardware.values()}
    unknown = [v for v in scenario.constraints.allowed_vendors if v not in vendors]
    if unknown:
        raise ValueError(f"constraints.allowed_vendors: {', '.join(map(repr, unknown))} is not a hardware vendor; "
                         f"choose from {', '.join(sorted(vendors))}")
    if not model.open_weights and scenario.constraints.deployment == "on_prem":
        raise ValueError(f"model.id = {model.id!r} is a closed model, served only through its API; "
                         "constraints.deployment = on_prem needs an open-weight model")
    sizing = size(scenario, catalog)
    options = build_options(catalog, scenario, sizing.demand, sizing.options, price_date)
    recommendation = recommend(options, scenario)
    by_id = {o.id: o for o in options}
    models: dict[str, CostModel] = {}
    for o in options:
        m = cost_model(o, catalog, scenario, sizing.demand)
        if m is not None:
            models[o.id] = m
    models = with_delivery_lead(models, by_id)
    horizon = build_horizon(models, by_id, scenario, sizing.demand.queries_per_day, recommendation["option_id"])
    recommendation = with_horizon_alternative(recommendation, horizon, by_id, scenario)
    usable_models = {oid: m for oid, m in models.items() if by_id[oid].usable}
    bands = uncertainty(usable_models, scenario, recommendation["option_id"])
    price_data = {"api_prices": f"genai-prices {genai_prices_version()} (bundled snapshot)",
                  "price_date": price_date.isoformat()}
    rec = by_id.get(recommendation["option_id"])
    roadmap = build_roadmap(catalog, scenario, rec, tuple(options), price_date) if with_roadmap else None
    return Plan(scenario, sizing.demand, sizing.options, tuple(options), recommendation, horizon, bands,
                price_data, roadmap)
