"""Scenario: the answer with its evidence and what would flip it, the inputs that move it most beside
it, the best option of each kind, and the full workload form below."""
import streamlit as st

from present.formatting import count, tok_per_s
from present.sentences import alternative_role
from ui import form, headline, state, tables
from ui.layout import page_header
from ui.safe import md

page_header("Inference Economics Planner", "edit the workload below; every screen follows")

# The answer first, from the core plan; what flips it and the what-if inputs (the tornado orders
# them) when the full plan is ready, computed in a plan worker (ui.worker) while the page goes on.
answer, what_if = st.columns([3.2, 1.1], gap="medium")
plan = state.headline_plan()
if plan is not None:
    with answer:
        headline.answer(plan)

if plan is not None:
    if plan.recommended is not None:
        with st.expander("Why this answer", expanded=False):
            st.markdown(md(plan.recommendation.rationale, 2000))
            alternatives = [a for a in plan.recommendation.alternatives
                            if a.role != headline.CHEAPER_UNVERIFIED]
            for alt in alternatives:
                st.caption(f"**{md(alternative_role(alt))}:** {md(alt.rationale, 600)}")
    st.subheader("The best of each kind")
    if plan.decision_table():
        styled, config = tables.decision_table(plan)
        st.dataframe(styled, hide_index=True, width="stretch", column_config=config)
    else:
        st.info("No way to serve this workload meets its targets, so there is nothing to compare by kind. "
                "The Hardware and Providers pages list every option with the figure that misses.")
    st.caption("One row per way to serve the workload: the recommendation for its own kind, the cheapest that "
               "meets the targets for the others. Evidence: measured (an independent benchmark), vendor claim, "
               "modelled (our performance model), assumed (no figure: benchmark before committing).")
    d = plan.demand
    st.caption(f"Demand: {count(d.queries_per_day)} queries and {count(d.calls_per_day)} model calls per day; "
               f"peak {d.peak_calls_per_s:,.1f} calls/s and {tok_per_s(d.peak_output_tokens_per_s)} generated; "
               f"{count(d.concurrent_sequences_at_peak)} sequences in flight at peak.")

full = state.what_moves_plan() if plan is not None else None  # what flips it and the tornado
if full is not None:
    with answer:
        headline.what_flips(full)
with what_if:
    headline.what_if(full)

st.divider()
st.subheader("Your workload")
form.preset_picker()
form.scenario_form()
