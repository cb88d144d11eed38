"""Sentences the screens and the brief both say, built from engine records and present's formatters."""
from __future__ import annotations

from typing import TYPE_CHECKING

from present.formatting import count, ms, number, percent_short, times, tok_per_s, usd_per_month
from present.labels import (EVIDENCE_LABELS, first_upper, flip_field_label, identifier_label, in_sentence,
                            throughput_band_label)

if TYPE_CHECKING:  # type hints only: present never runs engine code
    from engine.flips import Flip, TokenFlips, TokenSearch
    from engine.money.options import Option
    from engine.recommend import Alternative, TargetCheck
    from engine.roadmap.build import Lever, Roadmap
    from engine.scenario.schema import Scenario


def relaxations(s: Scenario) -> list[str]:
    """What to relax for an option to meet the targets, each with the scenario's value today."""
    lat, c = s.latency, s.constraints
    out = [f"Raise the first-token target: TTFT p95 is now {ms(lat.ttft_p95_ms)}.",
           f"Lower the per-user speed target: now {tok_per_s(lat.min_output_tokens_per_s_per_user)} per user."]
    if not s.model.allow_4bit_weights:
        out.append("Allow 4-bit weights: each decode step reads half the weight bytes of FP8.")
    out.append(f"Choose a smaller model than {s.model.id}.")
    if c.allowed_vendors:
        out.append(f"Allow more accelerator vendors: now only {', '.join(c.allowed_vendors)}.")
    if c.deployment == "on_prem":
        out.append("Allow cloud deployment: on-prem rules out API providers and rented or cloud-only accelerators.")
    return out


def alternative_role(alternative: Alternative) -> str:
    """The heading of an alternative beside the recommendation: 'Fastest full response'."""
    return first_upper(alternative.role)


def availability_rule(s: Scenario) -> str:
    """The fleet rule the availability target sets, in a few words (the brief's inputs table)."""
    c = s.constraints
    if c.failure_domains > 1:
        return f"{c.failure_domains} failure domains, each carrying the peak"
    return "N+1 servers" if c.redundant_replicas else "no spare server"


def availability_implies(s: Scenario) -> str:
    """What the availability target means for a self-hosted fleet (capacity/fleet.py's rule)."""
    c = s.constraints
    target = f"{c.availability_target * 100:.5g}% availability"
    if c.failure_domains > 1:
        return (f"{target}: every self-hosted fleet spans {c.failure_domains} failure domains (racks, zones or "
                "sites), each able to carry the peak alone, so a whole server or rack can fail or be repaired "
                "without an outage.")
    if c.redundant_replicas:
        return (f"{target}: one spare server (N+1) beyond the load with headroom, in one failure domain; "
                "a rack or site outage stops the service.")
    return f"{target}: no spare server; a server failure costs capacity until it is repaired."


def lever_status(roadmap: Roadmap, lever: Lever) -> str:
    """Where a lever stands in the roadmap: a step of it, saving alone only, or not applying."""
    step = roadmap.step_of(lever.id)
    if step is not None:
        return f"Step {roadmap.steps.index(step) + 1}"
    return "Saves alone; not on top of the steps before" if lever.applies else "No"


def default_assumptions(roadmap: Roadmap, defaults: Scenario) -> dict[str, str]:
    """Per lever, the scenario fields its saving rests on with their values, each marked as the app's
    default (which the user can change) or the user's own value."""
    out = {}
    for lv in roadmap.levers:
        parts = []
        for key, value in lv.assumptions.items():
            section, name = key.split(".")
            own = getattr(getattr(defaults, section), name) != value
            parts.append(f"{identifier_label(name)} {number(value)} ({'your value' if own else 'default'})")
        out[lv.id] = "; ".join(parts)
    return out


def empty_roadmap(roadmap: Roadmap, s: Scenario) -> tuple[str, list[str]]:
    """Why no lever lowers the cost, and what would open some: the levers that only wait for an
    assumption above zero, and the hint that the baseline's kind decides the rest."""
    why = ("No lever lowers the cost of this plan: each was re-planned on the recommended option and either "
           "does not apply to it, saves under half a percent of the bill, or costs more.")
    opens = []
    for lv in roadmap.levers:
        zero = [k for k, v in lv.assumptions.items() if v == 0]
        if zero and not lv.applies:
            fields = " and ".join(identifier_label(k.split(".")[1]) for k in zero)
            opens.append(f"{lv.name}: set {in_sentence(fields)} above 0 (Scenario page, Roadmap assumptions).")
    if s.constraints.deployment == "on_prem":
        opens.append("Allow cloud deployment: rented, reserved, API and specialized-silicon levers need it.")
    if s.constraints.allowed_vendors:
        opens.append(f"Allow more accelerator vendors than {', '.join(s.constraints.allowed_vendors)}: the "
                     "hardware levers move to another accelerator only among those allowed.")
    return why, opens


def flip_value(field: str, value: float) -> str:
    """The value at which an input flips the answer, in the input's own unit."""
    if field == "latency.ttft_p95_ms":
        return f"{ms(value)} to the first token"
    if field == "latency.min_output_tokens_per_s_per_user":
        return f"{tok_per_s(value)} per user"
    if field in ("api_prices", "gpu_prices"):
        return f"{times(value, 2)} today's {flip_field_label(field)}"
    if field == "finance.monthly_growth":
        return f"{percent_short(value)} growth a month"
    return f"{count(value)} {flip_field_label(field)}"


def flip_sentence(flip: Flip) -> str:
    """'Below 850 ms to the first token, the answer becomes MI355X (rented) at $17.1k / month.'"""
    side = "Below" if flip.direction == "below" else "Above"
    return (f"{side} {flip_value(flip.field, flip.value)} (now {flip_value(flip.field, flip.current).split(' ', 1)[0]}), "
            f"the answer becomes {flip.option_name} at {usd_per_month(flip.option_monthly_usd)}.")


def _multiple(ratio: float) -> str:
    """0.25 -> '0.25x', 4.0 -> '4x', 3.2368 -> '3.24x'."""
    return f"{ratio:.3g}x"


def token_search_sentence(search: TokenSearch) -> str:
    """One way searched without a flip: 'Input tokens per call (now 1,500): no flip above, up to 6,000 (4x).'"""
    label = first_upper(flip_field_label(search.field))
    way = "below, down to" if search.direction == "below" else "above, up to"
    return (f"{label} (now {count(search.current)}): no flip {way} {count(search.end)} "
            f"({_multiple(search.end / search.current)}).")


def token_flip_lines(searched: TokenFlips) -> list[str]:
    """Each token input's flips, then where none was found: 'Output tokens per call (now 300): no flip within
    0.25x-4x (75 to 1,200).' when neither way flips, else the way that does not."""
    lines = []
    for field in dict.fromkeys(s.field for s in searched.searches):
        mine = [s for s in searched.searches if s.field == field]
        lines += [flip_sentence(s.flip) for s in mine if s.flip is not None]
        quiet = [s for s in mine if s.flip is None and s.end != s.current]
        if len(quiet) == 2:
            low, high = sorted(s.end for s in quiet)
            current = quiet[0].current
            lines.append(f"{first_upper(flip_field_label(field))} (now {count(current)}): no flip within "
                         f"{_multiple(low / current)}-{_multiple(high / current)} ({count(low)} to {count(high)}).")
        else:
            lines += [token_search_sentence(s) for s in quiet]
    return lines


def slo_met(confidence: str, band: float | None = None) -> str:
    """'Yes', 'Likely (modelled, +/- 13%)', 'Unverified (assumed)' or 'No' (engine.recommend.confidence)."""
    if confidence == "likely":
        return f"Likely (modelled, ±{percent_short(band, 0)})" if band else "Likely (modelled)"
    return {"yes": "Yes", "unverified": "Unverified (assumed)"}.get(confidence, "No")


def target_margin(check: TargetCheck, band: float | None = None) -> str:
    """'73% under the 1,000 ms target, modelled' or '0.1% above the 20 tok/s target, modelled: inside the
    model's ±13% error'."""
    target = ms(check.target_value) if check.target == "ttft" else tok_per_s(check.target_value)
    evidence = EVIDENCE_LABELS.get(check.evidence, check.evidence)
    if check.delivered is None or check.margin is None:
        return f"not published against the {target} target ({evidence})"
    room = ("under" if check.target == "ttft" else "above") if check.met else ("over" if check.target == "ttft"
                                                                             else "below")
    text = f"{percent_short(abs(check.margin))} {room} the {target} target, {evidence}"
    if check.met and check.evidence == "modelled" and band and check.margin < band:
        text += f": inside the model's ±{percent_short(band, 0)} error"
    return text


def throughput_band_sentence(option: Option) -> str:
    """'Its modelled throughput is held-out band −39% to +12% (held-out, H100 SXM + llama-3.1): at the low end
    it needs 16 accelerators, not 12.' ('' for an option without a band)."""
    band = option.throughput_band
    if band is None:
        return ""
    text = f"Its modelled throughput has a band of {throughput_band_label(band)}"
    low, now = option.accelerators_at_band_low, option.accelerators
    if low is not None and now is not None and low != now:
        text += f": at the low end it needs {count(low)} accelerators, not {count(now)}"
    return text + "."


def cheaper_unverified(best: Option, cheaper: Option) -> str:
    """'DeepInfra API at $7.4k / month would be 5.9x cheaper, but its speed and first token are assumed:
    benchmark it before committing.'"""
    assumed = [name for name, ev in (("speed", cheaper.speed_evidence), ("first token", cheaper.ttft_evidence))
               if ev == "assumed"]
    what = " and ".join(assumed) or "figures"
    ratio = best.monthly_tco_usd / cheaper.monthly_tco_usd if cheaper.monthly_tco_usd else None
    cheaper_by = f"{times(ratio)} cheaper" if ratio and ratio >= 1.1 else "cheaper"
    return (f"{cheaper.name} at {usd_per_month(cheaper.monthly_tco_usd)} would be {cheaper_by}, but its {what} "
            f"{'is' if len(assumed) == 1 else 'are'} assumed: benchmark it before committing.")


def lead_time(months: float) -> str:
    return (f"Lead time: owned hardware takes about {months:g} months from order to delivery; the horizon runs "
            "on the cheapest rented or API option until it arrives.")
