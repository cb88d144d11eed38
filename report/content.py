"""The brief's content: a Plan turned into sentences, figures, tables and chart series.

Pure data, no rendering: the PDF and the HTML draw the same `Brief`. Every money figure
is read from the Plan (options, horizon, uncertainty, roadmap) and only formatted here,
never recomputed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine.physics.calibration import ReportedAccuracy, reported_accuracy
from engine.catalog.catalog import Catalog, load_catalog
from engine.plan import Plan
from engine.recommend import lead_time_caveat, near_tie_note
from engine.scenario.schema import LATENCY_TIERS, Scenario
from engine.token_flips import token_flips
from engine.money.cost_model import load_assumptions
from engine.money.api_quotes import price_snapshot, provider_name
from engine.money.onprem_silicon import systems_table
from engine.money.options import Option
from engine.money.substitutes import QUALITY_SCALE
from engine.physics.edge import device as edge_device
from present import formatting as fmt
from present.labels import (EVIDENCE_LABELS, EVIDENCE_SHORT, NOT_COSTED_LABELS, PRICE_BASIS_LABELS, configuration_label,
                            deployment_label, identifier_label, in_sentence, kind_label, layer_label, phase_label,
                            price_basis_label, pricing_label, quality_risk_label, tier_label,
                            uncertain_input_label, vendor_label)
from present.sentences import (alternative_role, availability_rule, empty_roadmap, flip_sentence, relaxations,
                               throughput_band_sentence, token_flip_lines)

TOP_OPTIONS = 8  # rows of the HTML's options table (the PDF's page 1 holds the best of each kind)
TOP_BARS = 6  # options in the cost-components chart
SOURCE_CHARS = 240  # longer provenance strings are cut with an ellipsis


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    note: str


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]  # right-align these columns
    highlight: tuple[bool, ...] = ()  # per row: the recommended option

    def is_highlighted(self, i: int) -> bool:
        return i < len(self.highlight) and self.highlight[i]


@dataclass(frozen=True)
class Bar:
    """One option in the cost-components chart."""
    label: str
    kind: str
    components_usd: tuple[tuple[str, float], ...]
    total_usd: float
    recommended: bool


@dataclass(frozen=True)
class Line:
    """One option's monthly cost over the horizon."""
    label: str
    kind: str
    costs_usd: tuple[float, ...]
    recommended: bool
    purchase_months: tuple[int, ...] = ()


@dataclass(frozen=True)
class Horizon:
    lines: tuple[Line, ...]
    break_even_month: int | None
    caption: str


@dataclass(frozen=True)
class WaterfallStep:
    label: str
    value_usd: float
    kind: str

    @property
    def is_total(self) -> bool:
        """Today's and the final cost stand on zero; the others are changes (engine WATERFALL_KINDS)."""
        return self.kind == "total"


@dataclass(frozen=True)
class Roadmap:
    summary: str
    levers: Table
    waterfall: tuple[WaterfallStep, ...]
    not_applied: str


@dataclass(frozen=True)
class Edge:
    """Edge, on-device and on-premises silicon (issue 17): the on-device option when the plan has one,
    and edge boxes and specialized systems owned on premises, listed beside the datacenter options."""
    on_device: str  # one paragraph; "" when the plan has no on-device option
    systems: Table
    note: str


@dataclass(frozen=True)
class Brief:
    title: str
    scenario_name: str
    date: str
    share_link: str | None
    question: str
    answer: tuple[str, str, str]
    alternatives: tuple[str, ...]  # "Role: rationale", as on the Report page
    figures: tuple[KeyFigure, ...]
    options: Table
    options_note: str
    bars: tuple[Bar, ...]
    horizon: Horizon
    roadmap: Roadmap | None
    inputs: tuple[tuple[str, str], ...]
    assumptions: Table
    sources: Table
    accuracy: str
    uncertainty: str
    # The best option of each kind (Plan.best_by_kind) with its evidence: the decision table of the screens.
    decision: Table = Table((), (), ())
    # Edge, on-device and on-premises silicon; None when the plan lists none of them.
    edge: Edge | None = None
    # What would change the answer: one sentence per flip (the plan's, then tokens per call), as on the
    # Scenario page.
    what_flips: tuple[str, ...] = ()


# --- helpers ------------------------------------------------------------------------

def _cut(text: str, limit: int = SOURCE_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def usable_by_cost(plan: Plan) -> list[Option]:
    return sorted((o for o in plan.options if o.usable), key=lambda o: o.monthly_tco_usd)


def _fleet(o: Option) -> str:
    return f" on {o.accelerators:,} accelerators" if o.accelerators else ""


def _configuration(o: Option, catalog: Catalog) -> str:
    """'vLLM, FP8, TP2' for a self-hosted option; the provider for an API."""
    return configuration_label(o.sizing, catalog.stacks) if o.sizing else o.provider or ""


def _model_name(model_id: str) -> str:
    model = load_catalog().models.get(model_id)
    return model.name if model else model_id


def slo_verdict(o: Option) -> str:
    """'Yes' on measured or vendor figures, 'Likely' where the performance model supplies one,
    'Unverified' where a figure is assumed (DESIGN.md "Evidence")."""
    evidence = {o.ttft_evidence, o.speed_evidence}
    if "assumed" in evidence:
        return "Unverified"
    return "Likely" if "modelled" in evidence else "Yes"


def model_accuracy() -> ReportedAccuracy | None:
    """The performance model against the measured benchmarks, out of sample and in sample (computed once
    per process by engine.physics.calibration)."""
    return reported_accuracy()


# --- sections -----------------------------------------------------------------------

def _question(plan: Plan) -> str:
    s = plan.scenario
    w, lat = s.workload, s.latency
    calls = "" if w.agent_calls_per_query == 1 else f", {fmt.number(w.agent_calls_per_query)} model calls each"
    return (f"What is the cheapest way to serve {fmt.count(plan.demand.queries_per_day)} queries a day "
            f"({fmt.count(w.daily_active_users)} users{calls}) with {_model_name(s.model.id)}, answering within "
            f"{fmt.ms(lat.ttft_p95_ms)} (p95) at {fmt.tok_per_s(lat.min_output_tokens_per_s_per_user)} or faster "
            "per user?")


def _answer(plan: Plan, usable: list[Option]) -> tuple[str, str, str]:
    s = plan.scenario
    best = plan.recommended
    if best is None:
        priced = sorted((o for o in plan.options if o.feasible), key=lambda o: o.monthly_tco_usd)
        closest = (f"The cheapest option that runs the model, {priced[0].name}, misses it: {priced[0].reason}."
                   if priced else "No accelerator in the catalog can hold the model under these constraints.")
        return ("No option meets the latency targets under the scenario's constraints.", closest,
                " ".join(relaxations(s)))
    first = (f"Serve it on {best.name}{_fleet(best)} for {fmt.usd_per_month(best.monthly_tco_usd)}, "
             f"{fmt.usd(best.cost_per_1k_queries_usd)} per 1,000 queries: the cheapest of the {len(usable)} "
             "options that meet the latency targets"
             + (f" over the {s.finance.horizon_months}-month horizon" if plan.recommendation.ranked_on == "horizon_total"
                else " in month 1") + (" on figures that are not assumed." if plan.recommendation.verified
                                                        else "."))
    # the runner-up the recommendation's rationale compares against (same evidence, same ranking cost)
    rec = plan.recommendation
    runner = plan.option(rec.runner_up_id) if rec.runner_up_id else None
    ttft = f"a first visible token in {fmt.ms(best.ttft_ms)} ({EVIDENCE_LABELS[best.ttft_evidence]})"
    second = (f"It gives {ttft} and {fmt.tok_per_s(best.output_tokens_per_s_per_user)} per user "
              f"({EVIDENCE_LABELS[best.speed_evidence]}) against targets of "
              f"{fmt.ms(s.latency.ttft_p95_ms)} and {fmt.tok_per_s(s.latency.min_output_tokens_per_s_per_user)}")
    second += (f"; the next best, {runner.name}, costs {fmt.usd_per_month(runner.monthly_tco_usd)}"
               f"{near_tie_note(rec.near_tie)}." if runner else "; no other option meets the targets.")
    if best.throughput_band is not None:
        second += " " + throughput_band_sentence(best)
    if best.kind == "owned":
        second += " " + lead_time_caveat(usable)
    if not best.verified:
        second += (" Nothing is verified: every option that meets the targets rests on an assumed speed or "
                   "first-token time, so benchmark it before committing.")
    for warning in plan.recommendation.warnings:
        second += f" {warning}."
    months = s.finance.horizon_months
    recurring = plan.horizon.lifetime.recurring_inference_usd
    band = plan.uncertainty.options.get(best.id)
    third = (f"Over {months} months at {fmt.percent_short(s.finance.monthly_growth)} "
             f"monthly growth it costs {fmt.usd(recurring)} in all")
    if band:
        driver = in_sentence(uncertain_input_label(plan.uncertainty.driver)) if plan.uncertainty.driver else ""
        third += (f", and the average month lands between {fmt.usd(band.p10_usd)} and {fmt.usd(band.p90_usd)} "
                  "(P10-P90)")
        third += f", driven mostly by {driver}." if driver else "."
    else:
        third += "."
    return first, second, third


def _figures(plan: Plan, catalog: Catalog) -> tuple[KeyFigure, ...]:
    best = plan.recommended
    s = plan.scenario
    if best is None:
        return (KeyFigure("Monthly cost, month 1", fmt.MISSING, "no option meets the SLO"),
                KeyFigure("Per 1,000 queries", fmt.MISSING, ""),
                KeyFigure("Accelerators", fmt.MISSING, ""),
                KeyFigure("Meets the SLO", "No", "no option meets the latency targets"))
    accelerators = (KeyFigure("Accelerators", fmt.count(best.accelerators),
                              _configuration(best, catalog))
                    if best.accelerators else KeyFigure("Accelerators", "none to run",
                                                        f"served by the {provider_name(best.provider or '')} API"))
    # the evidence beside each delivered figure, as on the Scenario page's headline
    slo = (f"first token {fmt.ms(best.ttft_ms)} ({EVIDENCE_LABELS[best.ttft_evidence]}) ≤ "
           f"{fmt.ms(s.latency.ttft_p95_ms)}; {fmt.tok_per_s(best.output_tokens_per_s_per_user)} "
           f"({EVIDENCE_LABELS[best.speed_evidence]}) ≥ {fmt.tok_per_s(s.latency.min_output_tokens_per_s_per_user)}")
    return (KeyFigure("Monthly cost, month 1", fmt.usd_per_month(best.monthly_tco_usd), best.name),
            KeyFigure("Per 1,000 queries", fmt.usd(best.cost_per_1k_queries_usd),
                      f"{fmt.usd(best.cost_per_user_month_usd)} per user per month"),
            accelerators,
            KeyFigure("Meets the SLO", slo_verdict(best) if best.meets_slo else "No", slo))


def _options_table(plan: Plan, usable: list[Option]) -> tuple[Table, str]:
    top = usable[:TOP_OPTIONS]
    rec = plan.recommendation.option_id
    rows = tuple((o.name, kind_label(o.kind), fmt.count(o.accelerators) if o.accelerators else fmt.MISSING,
                  fmt.usd(o.monthly_tco_usd), fmt.usd(o.cost_per_1k_queries_usd), fmt.ms(o.ttft_ms),
                  fmt.tok_per_s(o.output_tokens_per_s_per_user), fmt.percent(o.utilization_average)) for o in top)
    table = Table(("Option", "Type", "Accelerators", "Monthly cost", "Per 1,000 queries", "First token (p95)",
                   "Speed per user", "Utilization (avg.)"), rows,
                  (False, False, True, True, True, True, True, True), tuple(o.id == rec for o in top))
    excluded = len(plan.options) - len(usable)
    note = (f"{len(plan.options)} options priced; {len(usable)} meet the latency targets and constraints"
            + (f", the cheapest {len(top)} shown" if len(usable) > len(top) else "")
            + (f"; {excluded} excluded (too slow, retired by the provider, or ruled out by the deployment constraint)."
               if excluded else "."))
    return table, note


def _decision(plan: Plan) -> Table:
    """One row per kind: its best option (Plan.best_by_kind), what it costs now and over the horizon, the
    cash it takes up front, and how fast it is with the evidence for each figure."""
    rec = plan.recommendation.option_id
    totals = plan.horizon.totals_usd()
    cash = plan.horizon.upfront_cash_usd.by_option_usd
    best = list(plan.best_by_kind().items())
    rows = tuple((kind_label(kind), ("★ " if o.id == rec else "") + o.name, fmt.usd(o.monthly_tco_usd),
                  fmt.usd(totals.get(o.id)), fmt.usd(cash.get(o.id, 0.0)),
                  f"{fmt.ms(o.ttft_ms)} {EVIDENCE_SHORT[o.ttft_evidence]}",
                  f"{fmt.tok_per_s(o.output_tokens_per_s_per_user)} {EVIDENCE_SHORT[o.speed_evidence]}",
                  slo_verdict(o)) for kind, o in best)
    months = plan.scenario.finance.horizon_months
    return Table(("Kind", "Best option", "Monthly", f"{months} months", "Upfront cash", "First token (p95)",
                  "Speed per user", "Meets targets"), rows,
                 (False, False, True, True, True, True, True, False), tuple(o.id == rec for _, o in best))


def _bars(plan: Plan, usable: list[Option]) -> tuple[Bar, ...]:
    rec = plan.recommendation.option_id
    return tuple(Bar(o.name, o.kind, tuple((k, v) for k, v in o.components_usd.items() if v > 0),
                     o.monthly_tco_usd, o.id == rec) for o in usable[:TOP_BARS])


def _horizon(plan: Plan) -> Horizon:
    rec = plan.recommended
    chosen = sorted(plan.compared_options(), key=lambda o: o.monthly_tco_usd)  # the same lines as the app
    lines = tuple(Line(o.name, o.kind, plan.horizon.costs_usd(o.id), rec is not None and o.id == rec.id,
                       tuple(p.month for p in plan.horizon.purchases.get(o.id, ()) if p.month > 0))
                  for o in chosen)
    be = plan.horizon.break_even
    f = plan.scenario.finance
    caption = (f"Monthly cost of the cheapest options over {f.horizon_months} months, with "
               f"{fmt.percent_short(f.monthly_growth)} monthly usage growth and a "
               f"{fmt.percent(f.yearly_price_decline)} yearly price decline per token. Break-even against the best API: "
               f"{be.reason}")
    cash = plan.horizon.upfront_cash_usd
    if rec is not None and cash.recommended_usd > 0:
        caption += (f". Upfront cash for {rec.name}'s hardware: {fmt.usd(cash.recommended_usd)} over "
                    f"{f.horizon_months} months, paid as bought (the lines amortize it)")
    owned = [(o.name, cash.by_option_usd[o.id]) for o in chosen
             if o.id in cash.by_option_usd and (rec is None or o.id != rec.id)]
    if owned:
        caption += "; upfront cash to own instead: " + ", ".join(f"{n} {fmt.usd(v)}" for n, v in owned)
    return Horizon(lines, be.month, caption + ".")


def _roadmap(plan: Plan) -> Roadmap | None:
    rm = plan.roadmap
    if rm is None:
        return None
    # The steps of the cumulative pass in order (the waterfall's bars), then levers that save alone but add
    # nothing on top of them: 'Saving alone' and 'With the steps before' are named apart, as on the screen.
    steps = [rm.lever(st.lever_id) for st in rm.steps]
    alone = [lv for lv in rm.levers if lv.applies and rm.step_of(lv.id) is None]
    skipped = [lv for lv in rm.levers if not lv.applies]

    rows = tuple((phase_label(lv.phase), lv.name, layer_label(lv.layer), fmt.usd(lv.standalone_saving_usd),
                  fmt.usd(lv.cumulative_saving_usd), fmt.number(lv.effort_days), quality_risk_label(lv.quality_risk))
                 for lv in steps)
    table = Table(("Phase", "Lever", "Layer", "Saving alone", "With the steps before", "Effort (days)",
                   "Quality risk"), rows, (False, False, False, True, True, True, False))
    base_name = f" on {plan.option(rm.baseline_option_id).name}"
    if not steps:
        why, opens = empty_roadmap(rm, plan.scenario)
        summary = f"{why} What would open levers: " + " ".join(opens)
    else:
        summary = (f"{len(steps)} {'lever' if len(steps) == 1 else 'levers'}, applied in order, take"
                   f"{'s' if len(steps) == 1 else ''} the monthly cost{base_name} from "
                   f"{fmt.usd_per_month(rm.baseline_monthly_tco_usd)} to {fmt.usd_per_month(rm.final_monthly_tco_usd)}"
                   + ("; saving alone, but nothing more on top of the steps before: "
                      + ", ".join(f"{lv.name} ({fmt.usd(lv.standalone_saving_usd)})" for lv in alone) + "." if alone else "."))
    defaults = [lv for lv in steps + alone if lv.assumptions]
    if defaults:
        summary += (" Savings of levers resting on workload assumptions (cache hit rate, routable share, trimmable "
                    "prompt and the like) use the scenario's values, defaults a reader can change, not measurements.")
    not_applied = ("Considered but not applicable to this scenario: "
                   + ", ".join(lv.name for lv in skipped) + ".") if skipped else ""
    waterfall = tuple(WaterfallStep(w.label, w.value_usd, w.kind) for w in rm.waterfall) if steps else ()
    return Roadmap(summary, table, waterfall, _cut(not_applied, 600))


def _dated(who: list[str], as_of: str) -> str:
    """'(awesomeagents.ai, 2024-09-10)': the publishers and date of a figure, never a path or an id."""
    parts = [*who, str(as_of)] if as_of else who
    return f" ({', '.join(parts)})" if parts else ""


def _on_device_text(plan: Plan) -> str:
    od = plan.on_device
    if od is None or not od.applies or not od.model_name:
        return ""
    lat = plan.scenario.latency
    meets = ((od.decode_tok_s or 0.0) >= lat.min_output_tokens_per_s_per_user
             and (od.ttft_ms or 0.0) <= lat.ttft_p95_ms)
    dev = edge_device(od.device_id)
    evidence = EVIDENCE_LABELS.get(od.speed_evidence or "", od.speed_evidence or "")
    return (f"On the user's device: {od.model_name} on {od.device_name}, {fmt.tok_per_s(od.decode_tok_s)} and "
            f"{fmt.ms(od.ttft_ms)} to the first token ({evidence}; targets {fmt.tok_per_s(lat.min_output_tokens_per_s_per_user)} "
            f"and {fmt.ms(lat.ttft_p95_ms)}, " + ("met" if meets else "missed") + f"), takes {fmt.percent(od.share)} "
            f"of calls and saves {fmt.usd_per_month(od.monthly_saving_usd)} of cloud cost. Its costs: about "
            f"{fmt.number(od.integration_effort_days)} engineer-days, a {fmt.gb(od.app_download_gb)} model in the app "
            f"download, {in_sentence(quality_risk_label(od.quality_risk))} quality risk. Device figures: "
            f"{PRICE_BASIS_LABELS.get(od.device_basis, od.device_basis)}{_dated(publishers(od.device_source, 2), dev.as_of)}.")


def _owned_basis(o: Option) -> str:
    """The price basis of an edge box or a specialized system with its publishers and date, read off the
    catalog row the option was priced from."""
    if o.id.startswith("onprem:"):
        row = next(r for r in systems_table() if r["id"] == o.id.split(":", 1)[1])
        source, basis, as_of = row["price_source"], row["price_basis"], str(row["as_of"])
        if not row.get("unit_price_usd"):
            if "announced" in str(row["status"]):
                return f"{NOT_COSTED_LABELS['announced']}, {as_of}"
            return NOT_COSTED_LABELS["no_price"]
    else:
        dev = edge_device(o.hardware or "")
        source, basis, as_of = dev.price_source, dev.price_basis, dev.as_of
    third_party = basis == "estimate" and "third-party" in source.lower()
    label = PRICE_BASIS_LABELS["third_party"] if third_party else price_basis_label(basis)
    if not o.feasible:
        return NOT_COSTED_LABELS["no_speed"]
    return label + _dated(publishers(source, 2), as_of)


def _edge(plan: Plan) -> Edge | None:
    """The on-device option and the owned options beyond datacenter servers: every specialized system
    (priced, or why not) and the edge boxes that hold the model; none where the scenario owns nothing
    (cloud only) or its model is closed."""
    lat = plan.scenario.latency
    owns = plan.scenario.constraints.deployment != "cloud" and load_catalog().get_model(plan.scenario.model.id).open_weights
    # every specialized system (priced, or why not) and the cheapest edge box that meets the targets: a short
    # section (the brief keeps to 4 pages); the Hardware page lists every box
    box = min((o for o in plan.edge_options if o.feasible and o.meets_slo), key=lambda o: o.monthly_tco_usd,
              default=None)
    listed = [*plan.onprem_silicon_options, *([box] if box else [])] if owns else []
    on_device = _on_device_text(plan)
    if not listed and not on_device:
        return None
    costed = [o for o in listed if o.feasible]
    rows = tuple((o.name, fmt.count(o.accelerators), fmt.usd(o.monthly_tco_usd),
                  f"{fmt.tok_per_s(o.output_tokens_per_s_per_user)} {EVIDENCE_SHORT[o.speed_evidence]}",
                  "Yes" if o.meets_slo else "No", _owned_basis(o)) for o in costed)
    table = Table(("System", "Units", "Monthly cost", "Speed per user", "Meets targets", "Price basis"), rows,
                  (False, True, True, True, False, False))
    # systems listed without a cost say why in one line, not a row of dashes each
    uncosted = "; ".join(f"{o.name.removesuffix(' (on premises, owned)')}: {_owned_basis(o)}"
                         for o in listed if not o.feasible)
    no_box = " No edge box meets the targets." if owns and box is None and plan.edge_options else ""
    note = (("Owned, not ranked with the options above." if rows else "") + no_box
            + (f" Not costed: {uncosted}." if uncosted else "")).strip()
    return Edge(on_device, table, note)


def _inputs(plan: Plan) -> tuple[tuple[str, str], ...]:
    s = plan.scenario
    w, lat, m, c, f = s.workload, s.latency, s.model, s.constraints, s.finance
    tier = tier_label(lat.tier) + ("" if LATENCY_TIERS[lat.tier]["ttft_p95_ms"] == lat.ttft_p95_ms else " (edited)")
    return (
        ("Daily active users", fmt.count(w.daily_active_users)),
        ("Queries per user per day", fmt.number(w.queries_per_user_per_day)),
        ("Model calls per query", fmt.number(w.agent_calls_per_query)),
        ("Input tokens per call", fmt.count(w.input_tokens_per_call)),
        ("Output tokens per call", fmt.count(w.output_tokens_per_call)),
        ("Reasoning tokens per call", fmt.count(w.reasoning_tokens_per_call)),
        ("Shared prompt prefix", fmt.percent(w.shared_prefix_fraction)),
        ("Peak-to-average traffic", f"{fmt.number(w.peak_to_average_ratio)}x"),
        ("Calls that can wait for batch", fmt.percent(w.offline_fraction)),
        ("Latency tier", tier),
        ("First-token target (p95)", fmt.ms(lat.ttft_p95_ms)),
        ("Speed per user, at least", fmt.tok_per_s(lat.min_output_tokens_per_s_per_user)),
        ("Model", _model_name(m.id) + ("" if m.quality_floor is None else f" (or a substitute with {QUALITY_SCALE} ≥ {fmt.number(m.quality_floor)})")),
        ("4-bit weights allowed", "yes" if m.allow_4bit_weights else "no"),
        ("Deployment", deployment_label(c.deployment)),
        ("Allowed vendors", ", ".join(vendor_label(v) for v in c.allowed_vendors) or "all"),
        ("Availability target", f"{fmt.percent_short(c.availability_target, 3)}: {availability_rule(s)}"),
        ("Headroom above peak", fmt.percent(c.headroom_fraction)),
        ("Horizon", f"{f.horizon_months} months"),
        ("Monthly usage growth", fmt.percent_short(f.monthly_growth)),
        ("API price decline per year", fmt.percent(f.yearly_price_decline)),
        ("Electricity", f"${f.electricity_usd_per_kwh:.3g} per kWh, PUE {fmt.number(f.pue)}"),
        ("Amortization", f"{f.amortization_years} years"),
        ("Cloud pricing", pricing_label(f.pricing)),
        ("Engineer cost", f"{fmt.usd(f.engineer_cost_usd_per_year)} per year"),
        ("Software licence", f"{fmt.usd(f.software_licence_usd_per_accelerator_year)} per accelerator per year"),
        ("One-time model cost", fmt.usd(f.one_time_model_cost_usd)),
    )


# The brief lists the assumptions its plan can use: an on-prem plan (nothing rented, no API) leaves out
# those that price only rented or API options, a cloud-only plan those that price only owned ones, and
# on-demand pricing the reserved discounts; one staff floor applies (24x7 from three nines).
_NOT_OWNED = ("reserved_", "storage_", "egress_", "bytes_per_output_token", "gpu_rental_", "api_", "ops_engineers_api")
_OWNED_ONLY = ("server_share", "networking_share", "baseboard_", "colocation_", "maintenance_", "rack_power",
               "semianalysis_allin", "pcie_server", "hardware_purchase", "ops_engineers_per_1000_accelerators_owned")
# Catalog rows the scenario's own input replaces (engine/money/cost_model.py reads the scenario's field):
# the brief prints the scenario's value, not the catalog default it overrides.
_SCENARIO_INPUTS = {
    "software_licence_usd_per_accelerator_year": "finance.software_licence_usd_per_accelerator_year",
    "api_price_decline_per_year_default": "finance.yearly_price_decline",
}
# Catalog rows the cost model does not read (kept in the table for their sources): never listed as used.
_NOT_READ = ("reserved_1y_discount_vs_on_demand",)


def _used(assumption_id: str, s: Scenario) -> bool:
    deployment = s.constraints.deployment
    if assumption_id.startswith("range_") or assumption_id in _NOT_READ or assumption_id in _SCENARIO_INPUTS:
        return False
    if assumption_id.startswith("reserved_") and s.finance.pricing == "on_demand":
        return False
    if assumption_id in ("ops_oncall_24x7_fte", "ops_engineers_minimum_self_hosted"):  # one staff floor applies
        return (assumption_id == "ops_oncall_24x7_fte") == (s.constraints.availability_target >= 0.999)
    if deployment == "on_prem":  # nothing rented, no API; no delivery bridge, so the lead time prices nothing
        return not assumption_id.startswith(_NOT_OWNED + ("hardware_purchase",))
    if deployment == "cloud":
        return not assumption_id.startswith(_OWNED_ONLY)
    return True


def _assumptions(s: Scenario) -> Table:
    """The catalog assumptions the plan used, each with its source (kind and publishers) and date, never a
    file path or a raw id."""
    # The scenario's own values (API price decline, software licence) are in the inputs table; the catalog rows
    # they replace are left out here.
    rows: list[tuple[str, ...]] = []
    rows += [(identifier_label(a.id), f"{fmt.number(a.value)} {a.unit}", source_title(a.source, a.basis), a.as_of, a.basis)
             for a in load_assumptions().values() if _used(a.id, s)]
    return Table(("Assumption", "Value", "Source", "As of", "Basis"), tuple(rows), (False, True, False, False, False))


_URL = re.compile(r"(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+(?:com|org|net|ai|io|co|dev|edu|gov|blog|news|info|uk|de|fr)\b)"
                  r"[^\s'\"),;]*", re.IGNORECASE)
_GITHUB = re.compile(r"github(?:\.com)?[:/ ]+([\w.-]+)/([\w.-]+)", re.IGNORECASE)
_PATHS = re.compile(r"\S*(?:engine/|/data/|\.ya?ml\b|\.py\b|\.csv\b|\.json\b|\.md\b)\S*", re.IGNORECASE)
_COMMIT = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b")


def publishers(text: str, limit: int = 3) -> list[str]:
    """Who published a catalog source: web sites by domain, GitHub projects by owner/name (never a path,
    a file name or a commit)."""
    found: list[str] = []
    for owner, repo in _GITHUB.findall(text):
        repo = repo.split("@")[0]
        if not _COMMIT.search(repo) and not _PATHS.search(repo):
            found.append(f"GitHub {owner}/{repo}")
    for host in _URL.findall(text):
        host = host.lower()
        if "github" in host or _PATHS.search(host):
            continue
        found.append(host)
    return list(dict.fromkeys(found))[:limit]


def source_title(text: str, basis: str = "") -> str:
    """A catalog source as a reader's citation: what kind of source and who published it (domains and
    projects), never the catalog's file paths, commits or page paths."""
    text = " ".join(str(text).split())
    who = ", ".join(publishers(text, 2))
    if text.lower().startswith("judgement"):
        lead = "Judgement"
    elif text.lower().startswith("rule"):
        lead = "Rule"
    elif basis == "estimate" or text.lower().startswith(("no published", "estimate")):
        lead = "Estimate"
    elif basis == "measured":
        lead = "Measured"
    else:
        lead = "Published"
    return _cut(f"{lead}: {who}" if who else f"{lead}, documented on the Methodology page", 56)


def _sources(plan: Plan, catalog: Catalog) -> Table:
    snapshot = price_snapshot()
    rows: list[tuple[str, str, str, str]] = [
        ("API prices", f"{snapshot} price database (Pydantic); the providers' published price pages where it has "
                       "no price", plan.price_data.price_date, "vendor"),
    ]
    best = plan.recommended
    model_id = best.model if best else plan.scenario.model.id
    try:
        model = catalog.get_model(model_id)
        rows.append((f"Model architecture: {model.name}", "The model's published configuration ("
                     + ", ".join(publishers(model.source) or ["its publisher"]) + ")", model.as_of, model.basis))
    except ValueError:
        pass
    if best is not None and best.hardware:
        try:
            hw = catalog.get_hardware(best.hardware)
            rows.append((f"Accelerator specs: {hw.name}", source_title(hw.spec_source, hw.basis), hw.as_of, hw.basis))
            if best.kind in ("cloud", "owned"):
                rows.append((f"Accelerator price: {hw.name}", source_title(hw.price_source, hw.price_basis), hw.as_of,
                             hw.price_basis))
        except ValueError:
            pass
    sizing = best.sizing if best is not None else None
    if sizing and sizing.stack:
        try:
            stack = catalog.get_stack(sizing.stack)
            rows.append((f"Serving stack factors: {stack.name}", "Fitted on MLPerf Inference results and published "
                         "performance tables", stack.as_of, stack.basis))
        except ValueError:
            pass
    if best is not None and best.kind in ("api", "specialized"):
        rows.append((f"API price: {provider_name(best.provider or '')}", f"{snapshot} price database (Pydantic)",
                     plan.price_data.price_date, "vendor"))
        q = best.api_quote
        rows.append(("API speed and TTFT", source_title(q.speed_source or q.speed_note or "not published", q.speed_basis),
                     q.speed_as_of, q.speed_basis or "estimate"))
    rows.append(("Performance model calibration", "Measured benchmarks: MLPerf Inference, TensorRT-LLM "
                 "performance tables, JetStream, AWS Neuron, provider speed reports", "", "measured"))
    return Table(("Figure", "Source", "As of", "Basis"), tuple(rows), (False, False, False, False))


def _accuracy() -> str:
    a = model_accuracy()
    if a is None:
        return "The performance model has no measured benchmark to compare against."
    held = a.held_out

    def pct(value: float) -> str:
        return fmt.percent(value, 1)

    return (f"Performance model against {a.in_sample.rows} measured benchmark runs, judged out of sample (each "
            f"hardware, model family and source left out of the fit and predicted): median error "
            f"{pct(held['hardware'].median_abs_error)} on hardware left out, "
            f"{pct(held['family'].median_abs_error)} on model families left out, "
            f"{pct(held['source'].median_abs_error)} on sources left out; 90th percentile "
            f"{pct(held['hardware'].p90_abs_error)}, {pct(held['family'].p90_abs_error)}, "
            f"{pct(held['source'].p90_abs_error)}. In sample (the rows it was fitted on): median error "
            f"{pct(a.in_sample.median_abs_error)}, 90th percentile {pct(a.in_sample.p90_abs_error)} "
            f"(predicted vs measured tokens per second).")


def _uncertainty(plan: Plan) -> str:
    u = plan.uncertainty
    band = u.options.get(plan.recommendation.option_id or "")
    if not band:
        return ""
    ranges = "; ".join(f"{in_sentence(uncertain_input_label(k))} x{v.low:g}-{v.high:g}" for k, v in u.ranges.items())
    throughput = u.throughput.get(plan.recommendation.option_id or "")
    if throughput is not None:  # its own held-out band, drawn log-normal through its ends (P10-P90)
        ranges += (f"; {in_sentence(uncertain_input_label('throughput'))} x{throughput.low:g}-{throughput.high:g} "
                   "(its held-out band, P10-P90)")
    return (f"Average monthly cost of the recommendation over the horizon: P10 {fmt.usd(band.p10_usd)}, "
            f"P50 {fmt.usd(band.p50_usd)}, P90 {fmt.usd(band.p90_usd)}, from {u.samples:,} Monte Carlo "
            f"samples over {ranges}.")


def _what_flips(plan: Plan) -> tuple[str, ...]:
    """The Scenario page's lines: the plan's flips, then tokens per call, searched here when the plan has not
    been (a brief is built on request, so it can afford the re-plans)."""
    rec = plan.recommendation
    if rec.option_id is None:
        return ()
    searched = rec.token_flips if rec.token_flips is not None else token_flips(plan)
    found = set(searched.flips)
    return tuple([flip_sentence(f) for f in rec.what_flips if f not in found] + token_flip_lines(searched))


def build_brief(plan: Plan, share_link: str | None = None) -> Brief:
    """Everything the brief says, as text and series, in reading order."""
    catalog = load_catalog()
    usable = usable_by_cost(plan)
    options, note = _options_table(plan, usable)
    name = plan.scenario.name
    return Brief(
        title=f"{name}: inference plan" if name else "Inference plan",
        scenario_name=name,
        date=plan.price_data.price_date,
        share_link=share_link or None,
        question=_question(plan),
        answer=_answer(plan, usable),
        alternatives=tuple(f"{alternative_role(a)}: {a.rationale}" for a in plan.recommendation.alternatives),
        figures=_figures(plan, catalog),
        options=options,
        options_note=note,
        bars=_bars(plan, usable),
        decision=_decision(plan),
        horizon=_horizon(plan),
        roadmap=_roadmap(plan),
        edge=_edge(plan),
        inputs=_inputs(plan),
        assumptions=_assumptions(plan.scenario),
        sources=_sources(plan, catalog),
        accuracy=_accuracy(),
        uncertainty=_uncertainty(plan),
        what_flips=_what_flips(plan),
    )
