"""The recommendation: the cheapest option that meets the targets, and the alternatives worth naming."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping

from engine.flips import Flip, TokenFlips
from engine.money.cost_model import delivery_bridge
from engine.money.horizon import Horizon
from engine.money.cost_model import load_assumptions
from engine.money.options import Option
from engine.physics.bands import ThroughputBand
from engine.physics.calibration import reported_accuracy
from engine.scenario.schema import Scenario
from present.formatting import ms, percent, seconds, times, tok_per_s, usd, usd_per_month
from present.labels import EVIDENCE_LABELS

NO_OPTION_RATIONALE = ("No option meets the latency targets under the constraints: "
                       "relax the TTFT or per-user speed, allow 4-bit weights, or choose a smaller model.")


@dataclass(frozen=True)
class Alternative:
    role: str  # "fastest full response", "on-prem", "cheapest over N months", ...
    option_id: str
    rationale: str


@dataclass(frozen=True)
class Recommendation:
    option_id: str | None  # None when no option meets the targets under the constraints
    rationale: str
    alternatives: tuple[Alternative, ...] = ()
    # Retirements and list-price changes of the recommended service within the horizon, each with
    # its date and the replacement the provider names (shown on the Scenario page headline).
    warnings: tuple[str, ...] = ()
    verified: bool = True  # the recommendation's speed and first-token time are not assumed
    ranked_on: str = "month_1"  # finance.decide_on as applied: horizon_total or month_1
    # The nearest value of each key input at which another option is recommended (engine/flips.py).
    what_flips: tuple[Flip, ...] = ()
    # Tokens per call searched both ways (engine/token_flips.py): a re-plan per trial, so only on request
    # (None: not searched); the flips it finds are in `what_flips` too.
    token_flips: TokenFlips | None = None
    # The option the rationale compares against ("the next best") and whether the two are a near tie on the
    # ranking's cost (horizon total or month 1): the brief names the same runner-up and says the same.
    runner_up_id: str | None = None
    near_tie: bool = False


def _speed(o: Option) -> str:
    ttft = "TTFT not published" if o.ttft_ms is None else f"TTFT {ms(o.ttft_ms)}"
    speed = "" if not o.output_tokens_per_s_per_user else f", {tok_per_s(o.output_tokens_per_s_per_user)} per user"
    return ttft + speed


def response_time_ms(option: Option, scenario: Scenario) -> float:
    """End-to-end time of one call: TTFT + generated tokens x TPOT (unknown parts count as slow).

    A self-hosted replica's mean TPOT, not the p95 its speed target is judged on: an API's speed is a
    typical (median) figure, and a call's many tokens average over the iterations."""
    w = scenario.workload
    tokens = w.output_tokens_per_call + w.reasoning_tokens_per_call
    ttft = option.ttft_ms if option.ttft_ms is not None else scenario.latency.ttft_p95_ms
    mean = option.sizing.tpot_mean_ms if option.sizing is not None else None
    tpot = mean or (option.tpot_ms if option.tpot_ms is not None else scenario.latency.max_tpot_ms)
    return ttft + tokens * tpot


# Options closer than this are not told apart: the performance model's median error against
# measured throughput is ~11% (python -m engine calibrate), prices move a few percent a quarter.
NEAR_TIE_FRACTION = 0.05


def near_tie_note(near_tie: bool) -> str:
    """Said after the runner-up when the two are too close to tell apart ("" otherwise)."""
    if not near_tie:
        return ""
    return (f": a near tie, inside the {percent(NEAR_TIE_FRACTION)} the estimates can move, so choose between them on "
            "lead time, vendor and operations")


def lead_time_caveat(usable: list[Option]) -> str:
    """Owned hardware takes months to arrive; the horizon bridges on the cheapest rented or API option
    (projection.with_delivery_lead), while month-1 figures are the owned steady state."""
    lead = load_assumptions()["hardware_purchase_lead_months"]
    bridge = delivery_bridge(usable)
    meanwhile = (f"the horizon runs on {bridge.name} ({usd_per_month(bridge.monthly_tco_usd)}) until it arrives, "
                 "and month-1 figures are the owned steady state" if bridge
                 else "nothing else may serve this workload meanwhile, so plan the start date around delivery")
    return f"Buying takes about {lead.value:g} months from order to delivery (estimate as of {lead.as_of}): {meanwhile}."


# A "fastest" alternative must be this much quicker end to end to be worth naming: closer than the
# performance model's error (NEAR_TIE_FRACTION's reasoning) is not a difference a user would feel or
# we could stand behind.
MEANINGFULLY_FASTER_FRACTION = NEAR_TIE_FRACTION


def meaningfully_faster(option: Option, best: Option, scenario: Scenario) -> bool:
    """`option` answers a call at least MEANINGFULLY_FASTER_FRACTION sooner than `best` (a dearer and
    slower, or barely faster, option is no alternative)."""
    return (option.id != best.id and response_time_ms(option, scenario)
            <= response_time_ms(best, scenario) * (1 - MEANINGFULLY_FASTER_FRACTION))


CHEAPER_UNVERIFIED = "cheaper if it proves fast enough"
NOTHING_VERIFIED = (" Nothing is verified: every option that meets the targets rests on an assumed speed or "
                    "first-token time; benchmark it before committing.")


def ranked_on(scenario: Scenario, totals: Mapping[str, float] | None) -> str:
    """What the options are ranked on: `decide_on`, or month 1 where no horizon totals are given."""
    return "horizon_total" if scenario.finance.decide_on == "horizon_total" and totals else "month_1"


def recommend(options: list[Option], scenario: Scenario, warnings: tuple[str, ...] = (),
              totals: Mapping[str, float] | None = None) -> Recommendation:
    """The cheapest option that meets the SLO and the constraints on evidence that is not assumed.

    Cheapest on `finance.decide_on`: each option's total over the horizon (`totals`, option id ->
    USD, the horizon's own path) by default, or its month-1 cost (`monthly_tco_usd`, the steady
    state); without `totals` it ranks on month 1. A cheaper option that meets the targets only on
    assumed figures is named beside it, with the saving, as "cheaper if it proves fast enough";
    when only assumed options meet the targets, the cheapest is recommended and the rationale says
    nothing is verified (DESIGN.md "Evidence"). Also names the fastest and the on-prem option.
    """
    on = ranked_on(scenario, totals)
    months = scenario.finance.horizon_months

    def cost(o: Option) -> float:
        return totals.get(o.id, float("inf")) if on == "horizon_total" else o.monthly_tco_usd

    def amount(o: Option) -> str:
        return f"{usd(cost(o))} over {months} months" if on == "horizon_total" else usd_per_month(o.monthly_tco_usd)

    usable = sorted((o for o in options if o.usable), key=lambda o: (cost(o), o.monthly_tco_usd))
    if not usable:
        return Recommendation(None, NO_OPTION_RATIONALE, (), warnings, False)
    evidenced = [o for o in usable if o.verified]
    best = evidenced[0] if evidenced else usable[0]
    runner = next((o for o in usable if o.id != best.id and o.verified == best.verified
                   and cost(o) >= cost(best)
                   and (o.kind != best.kind or o.hardware != best.hardware)), None)
    gap = (f", {percent(1 - cost(best) / cost(runner))} below the next best, "
           f"{runner.name} ({amount(runner)})") if runner else ""
    near_tie = runner is not None and cost(best) >= cost(runner) * (1 - NEAR_TIE_FRACTION)
    gap += near_tie_note(near_tie)
    fleet = f" on {best.accelerators} accelerators" if best.accelerators else ""
    evidence = f" ({evidence_phrase(best)})"
    if on == "horizon_total":
        basis = (f" over the {months}-month horizon (ranked on the total, with growth, price decline and "
                 "purchases; finance.decide_on)")
        figure = f"{usd(cost(best))} over {months} months, {usd(best.monthly_tco_usd)} per month in steady state"
    else:
        basis = " in month 1 (ranked on the month-1 cost; finance.decide_on)"
        figure = f"{usd(best.monthly_tco_usd)} per month"
    rationale = (f"{best.name}{fleet} is the cheapest way to meet the SLO{' on figures that are not assumed' if evidenced else ''}"
                 f"{basis}: {figure}"
                 f"{gap}. It delivers {_speed(best)}{evidence} against targets of {ms(scenario.latency.ttft_p95_ms)} "
                 f"to the first visible token and {tok_per_s(scenario.latency.min_output_tokens_per_s_per_user)}; "
                 f"{usd(best.cost_per_1k_queries_usd)} per 1,000 queries.")
    alternatives = []
    cheaper = usable[0]
    if not cheaper.verified and cheaper.id != best.id:
        saving = cost(best) - cost(cheaper)
        per = f" over {months} months" if on == "horizon_total" else " per month"
        alternatives.append(Alternative(CHEAPER_UNVERIFIED, cheaper.id,
                                        f"{cheaper.name}: {amount(cheaper)}, "
                                        f"{usd(saving)}{per} less ({percent(saving / cost(best))}), "
                                        f"if its {_speed(cheaper)} ({evidence_phrase(cheaper)}) holds: benchmark it "
                                        "before committing."))
    fastest = min(usable, key=lambda o: response_time_ms(o, scenario))
    if meaningfully_faster(fastest, best, scenario):
        alternatives.append(Alternative("fastest full response", fastest.id,
                                        f"{fastest.name}: {_speed(fastest)} ({evidence_phrase(fastest)}), a "
                                          f"{seconds(response_time_ms(fastest, scenario))} response, at "
                                          f"{usd(fastest.monthly_tco_usd)} per month "
                                          f"({times(fastest.monthly_tco_usd / best.monthly_tco_usd)} the recommendation)."))
    on_prem = next((o for o in usable if o.kind == "owned"), None)
    if on_prem and on_prem.id != best.id:
        alternatives.append(Alternative("on-prem", on_prem.id,
                                        f"{on_prem.name}: keeps data in-house on {on_prem.accelerators} owned "
                                          f"accelerators for {usd(on_prem.monthly_tco_usd)} per month "
                                          f"({times(on_prem.monthly_tco_usd / best.monthly_tco_usd)} the recommendation)."))
    if best.kind == "owned":
        rationale += " " + lead_time_caveat(usable)
    if not evidenced:
        rationale += NOTHING_VERIFIED
    if warnings:
        rationale += " " + " ".join(w if w.endswith(".") else w + "." for w in warnings)
    return Recommendation(best.id, rationale, tuple(alternatives), warnings, bool(evidenced), on,
                          runner_up_id=runner.id if runner else None, near_tie=near_tie)


def evidence_phrase(o: Option) -> str:
    """'speed measured, first token modelled': the evidence labels of an option's two figures."""
    return f"speed {EVIDENCE_LABELS[o.speed_evidence]}, first token {EVIDENCE_LABELS[o.ttft_evidence]}"


def with_horizon_alternative(recommendation: Recommendation, horizon: Horizon, options: dict[str, Option],
                             scenario: Scenario) -> Recommendation:
    """Ranked on month 1 (finance.decide_on), the recommendation is the cheapest this month; when another
    usable option costs less over the whole horizon (growth, price decline, stepwise purchases), name it
    beside it."""
    best = recommendation.option_id
    if best is None or recommendation.ranked_on == "horizon_total":  # ranked on the horizon already
        return recommendation
    totals: dict[str, float] = {}
    for month in horizon.months:
        for oid, cost_usd in month.costs_usd.items():
            if options[oid].usable:
                totals[oid] = totals.get(oid, 0.0) + cost_usd
    cheapest = min(totals, key=totals.get)
    if cheapest == best:
        return recommendation
    months = scenario.finance.horizon_months
    alt = Alternative(f"cheapest over {months} months", cheapest,
                      f"{options[cheapest].name}: {usd(totals[cheapest])} over {months} months against "
                        f"{usd(totals[best])} for the recommendation, as usage grows and prices fall "
                        f"({percent(1 - totals[cheapest] / totals[best])} less over the horizon"
                        + (f", inside the {percent(NEAR_TIE_FRACTION)} the estimates can move"
                           if totals[cheapest] > totals[best] * (1 - NEAR_TIE_FRACTION) else "") + ")"
                        + ("; its speed or first-token time is assumed, not published for this model."
                           if not options[cheapest].verified else "."))
    return dataclasses.replace(recommendation, alternatives=(*recommendation.alternatives, alt))


# --- the answer's evidence, target by target ------------------------------------------

@dataclass(frozen=True)
class TargetCheck:
    """One latency target against what an option delivers."""

    target: str  # "ttft" (first visible token, p95) | "speed" (output tokens/s per user)
    target_value: float  # [ms] for ttft, [tok/s] for speed
    delivered: float | None  # the option's figure in the same unit (None: not published)
    margin: float | None  # share of the target to spare: + met with room, - missed by (None: unknown)
    evidence: str  # measured | vendor | modelled | assumed
    met: bool


def target_checks(option: Option, scenario: Scenario) -> tuple[TargetCheck, TargetCheck]:
    """The first-token and speed targets against the option's delivered figures, with their evidence."""
    lat = scenario.latency
    ttft, speed = option.ttft_ms, option.output_tokens_per_s_per_user
    ttft_margin = None if ttft is None else (lat.ttft_p95_ms - ttft) / lat.ttft_p95_ms
    target_speed = lat.min_output_tokens_per_s_per_user
    speed_margin = None if speed is None else (speed - target_speed) / target_speed
    return (TargetCheck("ttft", lat.ttft_p95_ms, ttft, ttft_margin, option.ttft_evidence,
                        ttft_margin is not None and ttft_margin >= 0),
            TargetCheck("speed", target_speed, speed, speed_margin, option.speed_evidence,
                        speed_margin is not None and speed_margin >= 0))


CONFIDENCE = ("yes", "likely", "unverified", "no")


def confidence(option: Option) -> str:
    """How sure "meets the targets" is (DESIGN.md "Evidence"): yes (measured or vendor figures),
    likely (our performance model, within its out-of-sample error), unverified (an assumed figure),
    or no."""
    if not option.usable:
        return "no"
    evidence = (option.speed_evidence, option.ttft_evidence)
    if "assumed" in evidence:
        return "unverified"
    return "likely" if "modelled" in evidence else "yes"


# --- one row per kind: what a CTO weighs beyond the price ------------------------------

# Lock-in and data residency follow from how each kind is bought and run (DESIGN.md "Money"); the
# words live in present/labels.py.
DATA_RESIDENCY = {"api": "provider", "specialized": "provider", "cloud": "your_cloud", "owned": "your_premises"}


@dataclass(frozen=True)
class DecisionRow:
    """The best option of one kind, with what a decision weighs beside its price."""

    kind: str
    option_id: str
    name: str
    recommended: bool
    monthly_usd: float  # month 1, steady state [USD]
    horizon_usd: float | None  # total over the horizon on its own path [USD]
    upfront_cash_usd: float  # capex paid over the horizon, as bought [USD]
    ttft_ms: float | None
    output_tokens_per_s_per_user: float | None
    ttft_evidence: str
    speed_evidence: str
    confidence: str  # CONFIDENCE
    lead_time_months: float  # order to first token served
    lock_in: str  # none | reserved_1y | reserved_3y | owned | vendor_silicon
    lock_in_months: int  # the commitment the kind brings (0: none)
    data_residency: str  # provider | your_cloud | your_premises
    throughput_band: ThroughputBand | None = None  # self-hosted: its modelled throughput's held-out band


def lock_in(option: Option, scenario: Scenario) -> tuple[str, int]:
    """What a kind commits the company to: (key, months)."""
    if option.kind == "owned":
        return "owned", int(scenario.finance.amortization_years * 12)
    if option.kind == "cloud":
        pricing = scenario.finance.pricing
        return (pricing, 12 if pricing == "reserved_1y" else 36) if pricing != "on_demand" else ("none", 0)
    if option.kind == "specialized":
        return "vendor_silicon", 0
    return "none", 0


def decision_row(option: Option, scenario: Scenario, horizon_usd: float | None, upfront_cash_usd: float,
                 recommended: bool) -> DecisionRow:
    lead = load_assumptions()["hardware_purchase_lead_months"].value if option.kind == "owned" else 0.0
    key, months = lock_in(option, scenario)
    return DecisionRow(option.kind, option.id, option.name, recommended, option.monthly_tco_usd, horizon_usd,
                       upfront_cash_usd, option.ttft_ms, option.output_tokens_per_s_per_user, option.ttft_evidence,
                       option.speed_evidence, confidence(option), float(lead), key, months,
                       DATA_RESIDENCY.get(option.kind, "provider"), option.throughput_band)


def model_error_band() -> float:
    """The +/- band on a modelled speed or first-token time [share of the figure].

    The delivered latency on a modelled option is an SLO-mode prediction, so the band is the larger of the
    worst leave-one-group-out median error (hardware, family or source left out of the fit) and the median
    error replaying MLPerf's latency-limited (server / interactive) runs: the honest one for a latency claim.
    Read from the stored accuracy (engine/data/reported_accuracy.json), so no refit runs here.
    """
    accuracy = reported_accuracy()
    if accuracy is None:
        return 0.0
    bands = [accuracy.out_of_sample.median_abs_error]
    if accuracy.latency_limited is not None:
        bands.append(accuracy.latency_limited.median_abs_error)
    return float(max(bands))


def option_error_band(option: Option | None) -> float:
    """The +/- band quoted beside an option's modelled figures [share of the figure]: the farther end of
    its own throughput band (held-out residuals of its hardware and model family, engine/physics/bands.py)
    where it has one, else the global `model_error_band`."""
    if option is not None and option.throughput_band is not None:
        return option.throughput_band.widest_fraction
    return model_error_band()
