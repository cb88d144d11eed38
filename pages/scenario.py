"""Scenario: the answer above the fold, the workload form below it."""
import streamlit as st

from present.formatting import MISSING, count, ms, percent, tok_per_s, usd, usd_per_month
from present.labels import EVIDENCE_LABELS, kind_label
from ui import form, state
from ui.layout import page_header
from ui.safe import md

page_header("Inference Economics Planner", "edit the workload below; every screen follows")
plan = state.current_plan()

if plan is not None:
    best = plan.recommended
    cols = st.columns([2.6, 1.5, 1.3, 1.1, 1.1])
    if best is None:
        cols[0].metric("Recommended option", "None meets the SLO")
        for c, label in zip(cols[1:], ("Monthly TCO, month 1", "Cost per 1,000 queries", "Accelerators", "SLO met")):
            c.metric(label, MISSING if label != "SLO met" else "No")
        st.warning(md(plan.recommendation.rationale, None))
    else:
        cols[0].metric("Recommended option", md(best.name), kind_label(best.kind), delta_color="off", delta_arrow="off",
                       help="The cheapest option that meets the latency targets under the constraints.")
        average = plan.horizon.lifetime.average_month_usd
        cols[1].metric("Monthly TCO, month 1", usd_per_month(best.monthly_tco_usd),
                       f"{usd(average)} a month on average over {plan.scenario.finance.horizon_months} months"
                       if average else None, delta_color="off", delta_arrow="off",
                       help=f"Month 1 at today's volume and prices; {usd(best.cost_per_user_month_usd)} per "
                            "user-month. The average follows usage growth and price decline (TCO page).")
        cols[2].metric("Cost per 1,000 queries", usd(best.cost_per_1k_queries_usd),
                       f"{usd(best.cost_per_million_output_tokens_usd)} per M output tokens", delta_color="off", delta_arrow="off")
        cols[3].metric("Accelerators", count(best.accelerators) if best.accelerators else "none: API",
                       None if best.utilization_average is None else f"{percent(best.utilization_average)} average use",
                       delta_color="off", delta_arrow="off")
        cols[4].metric("SLO met", ("Yes" if plan.recommendation.verified else "Yes, if assumed figures hold")
                       if best.meets_slo else "No",
                       f"first visible token {ms(best.ttft_ms)} ({EVIDENCE_LABELS[best.ttft_evidence]}) · "
                       f"{tok_per_s(best.output_tokens_per_s_per_user)} ({EVIDENCE_LABELS[best.speed_evidence]})",
                       delta_color="off", delta_arrow="off",
                       help="The targets are about the first token the user sees: the prompt's prefill and any "
                            "hidden reasoning count.")
        for warning in plan.recommendation.warnings:  # retirements and price changes within the horizon
            st.warning(md(warning, None), icon="⏳")
        st.success(md(plan.recommendation.rationale, None), icon="✅")
        for alt in plan.recommendation.alternatives:
            st.caption(f"**Alternative, {md(alt.role)}:** {md(alt.rationale, None)}")
    d = plan.demand
    st.caption(f"Demand: {count(d.queries_per_day)} queries and {count(d.calls_per_day)} model calls per day; "
               f"peak {d.peak_calls_per_s:,.1f} calls/s and {tok_per_s(d.peak_output_tokens_per_s)} generated; "
               f"{count(d.concurrent_sequences_at_peak)} sequences in flight at peak.")

st.divider()
st.subheader("Your workload")
form.preset_picker()
form.scenario_form()
