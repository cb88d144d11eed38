"""The Scenario page's headline: the answer with its evidence, its warnings, what flips it, and the
what-if inputs beside it. Every figure comes from the Plan; words from present/."""
from __future__ import annotations

import streamlit as st

from engine.flips import TOKEN_SPAN
from engine.plan import Plan
from engine.recommend import CHEAPER_UNVERIFIED, confidence, option_error_band
from present.formatting import MISSING, count, ms, percent, tok_per_s, usd, usd_per_month
from present.labels import kind_label, throughput_band_label
from present.sentences import cheaper_unverified, flip_sentence, lead_time, slo_met, target_margin, token_flip_lines
from ui import form, state
from ui.safe import md

# The tornado's inputs (engine.money.uncertainty.INPUTS) as the form fields a user edits; API and
# accelerator prices have no single number in the form (discounts and quotes are per provider).
TORNADO_FIELDS = {"usage": ("workload.daily_active_users",),
                  "tokens_per_call": ("workload.output_tokens_per_call", "workload.input_tokens_per_call"),
                  "monthly_growth": ("finance.monthly_growth",)}
# After the tornado's, the targets that decide which options qualify at all.
TARGET_FIELDS = ("latency.ttft_p95_ms", "latency.min_output_tokens_per_s_per_user")
WHAT_IF_COUNT = 5
WHAT_IF_PREFIX = "whatif."
OFF = dict(delta_color="off", delta_arrow="off")


def answer(plan: Plan) -> None:
    """The recommended option, what it costs, whether it meets the targets and on what evidence."""
    best = plan.recommended
    if best is None:
        _no_answer(plan)
        return
    band = option_error_band(best)  # its own held-out band where self-hosted, else the model's overall
    months = plan.scenario.finance.horizon_months
    total = plan.horizon.totals_usd().get(best.id)
    cash = plan.horizon.upfront_cash_usd.recommended_usd
    paid = plan.horizon.month_1_paid_usd.get(best.id)
    top = st.columns([2.2, 1.3, 1.3, 1.2])
    top[0].metric("Recommended option", best.name, kind_label(best.kind), **OFF,
                  help="The cheapest option that meets the latency targets under the constraints, on figures "
                       "that are not assumed where any option has them.")
    top[1].metric("Month 1 TCO", usd_per_month(best.monthly_tco_usd),
                  (f"{usd(paid)} paid in month 1 while the hardware is on order" if paid is not None
                   and abs(paid - best.monthly_tco_usd) > 0.005 * best.monthly_tco_usd
                   else f"{usd(best.cost_per_user_month_usd)} per user-month"), **OFF,
                  help="Month 1 at today's volume and prices, in steady state.")
    top[2].metric(f"Total, {months} months", usd(total), "with growth and price decline", **OFF,
                  help="The option's own path over the horizon (TCO page): usage growth, price decline, "
                       "purchases as they are made.")
    top[3].metric("Upfront cash", usd(cash) if cash else "$0", "hardware bought over the horizon" if cash
                  else "nothing to buy", **OFF, help="Capex paid as hardware is bought, not amortized.")
    ttft, speed = plan.target_checks()
    low = st.columns([1.3, 1.3, 1.6, 1.2, 1.1])
    low[0].metric("First token, p95", ms(ttft.delivered), target_margin(ttft, band), **OFF,
                  help="The first token the user sees: the prompt's prefill and any hidden reasoning count.")
    low[1].metric("Speed per user", tok_per_s(speed.delivered), target_margin(speed, band), **OFF,
                  help="Self-hosted GPUs: the speed 95% of requests get (their p95 time per output token: prompts "
                       "prefilled alongside slow some requests more than others). APIs and specialized silicon: "
                       "the published or measured figure.")
    low[2].metric("SLO met", slo_met(confidence(best), band), _evidence_note(best), **OFF,
                  help="Yes: measured or vendor figures. Likely: our performance model, "
                       + (f"whose held-out throughput band for this option is {throughput_band_label(best.throughput_band)}"
                          if best.throughput_band else f"whose out-of-sample median error is ±{percent(band)}")
                       + " (Methodology). Unverified: an assumed figure.")
    low[3].metric("Per 1,000 queries", usd(best.cost_per_1k_queries_usd),
                  f"{usd(best.cost_per_million_output_tokens_usd)} per M output tokens", **OFF)
    low[4].metric("Accelerators", count(best.accelerators) if best.accelerators else "none: API",
                  None if best.utilization_average is None else f"{percent(best.utilization_average)} average use",
                  **OFF)
    _warnings(plan)


def _evidence_note(best) -> str:
    return "speed and first token measured or claimed by the vendor" if confidence(best) == "yes" else (
        "speed and first token from the performance model" if confidence(best) == "likely"
        else "a speed or first-token figure is assumed")


def _warnings(plan: Plan) -> None:
    """Retirements, lead time, nothing verified, and a cheaper option resting on assumed figures."""
    rec = plan.recommendation
    best = plan.recommended
    for warning in rec.warnings:  # retirements and price changes within the horizon
        st.warning(md(warning, 400), icon="⏳")
    row = next((r for r in plan.decision_table() if r.recommended), None)
    if row is not None and row.lead_time_months:
        st.warning(lead_time(row.lead_time_months), icon="🚚")
    if not rec.verified:
        st.warning("No verified option: every option that meets the targets rests on an assumed speed or "
                   "first-token time. Benchmark the recommendation before committing.", icon="🔬")
    cheaper = next((a for a in rec.alternatives if a.role == CHEAPER_UNVERIFIED), None)
    if cheaper is not None:
        st.info(cheaper_unverified(best, plan.option(cheaper.option_id)), icon="🔬")


def _no_answer(plan: Plan) -> None:
    cols = st.columns([2.2, 1.3, 1.3, 1.2])
    cols[0].metric("Recommended option", "None meets the SLO")
    cols[1].metric("Month 1 TCO", MISSING)
    cols[2].metric("SLO met", "No")
    cols[3].metric("Options that qualify", f"0 of {len(plan.options)}")
    st.warning(md(plan.recommendation.rationale, 600), icon="⛔")


def what_flips(plan: Plan) -> None:
    """One line per input: the nearest value at which another option wins. Tokens per call take a re-plan
    per trial, so they are searched when asked for (a button), then listed with the others."""
    flips = plan.recommendation.what_flips
    if plan.recommended is None:
        return
    st.markdown("**What would change the answer**")
    if flips:
        st.markdown("\n".join(f"- {md(flip_sentence(f), 300)}" for f in flips))
    if not state.token_flips_requested():
        st.button("Find the token flips", key="_find_token_flips", on_click=state.request_token_flips,
                  help=f"The input and output tokens per call at which another option wins, searched from "
                       f"{TOKEN_SPAN[0]:g}x to {TOKEN_SPAN[1]:g}x today's by re-planning (about a second)")
        return
    with st.spinner("Re-planning at other token counts per call..."):
        searched = state.current_token_flips()
    if searched is not None:
        st.markdown("\n".join(f"- {md(line, 300)}" for line in token_flip_lines(searched)))


def what_if_fields(plan: Plan | None) -> list[str]:
    """The inputs that move the answer most: the tornado's, widest first, then the latency targets."""
    keys: list[str] = []
    bars = plan.uncertainty.tornado if plan is not None else ()
    for bar in bars:
        keys += [k for k in TORNADO_FIELDS.get(bar.input, ()) if k not in keys]
    keys += [k for k in TARGET_FIELDS if k not in keys]
    for fields in TORNADO_FIELDS.values():  # no tornado (no answer): the usual movers
        keys += [k for k in fields if k not in keys]
    return keys[:WHAT_IF_COUNT]


def what_if(plan: Plan | None) -> None:
    """The inputs that move the answer most, editable beside it; a marker and a reset once edited."""
    st.markdown("**What if**")
    changed = state.changed_fields()
    if changed:
        st.caption(f"Modified from {'the preset' if state.preset() else 'the default scenario'}: "
                   f"{len(changed)} input{'s' if len(changed) > 1 else ''} changed.")
        st.button("Reset to the preset" if state.preset() else "Reset to the default", key="_reset_scenario",
                  on_click=state.reset_to_preset, icon="↩️")
    for key in what_if_fields(plan):
        form.number_field(key, WHAT_IF_PREFIX)
    st.caption("The full form is below.")
