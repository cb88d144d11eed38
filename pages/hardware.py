"""Hardware: every accelerator sized for the scenario at its latency targets."""
import streamlit as st

from engine.catalog import load_catalog
from engine.scenario import DEFAULT_SCENARIO
from engine.sizing import size
from ui.tables import hardware_table

scenario = st.session_state.get("scenario", DEFAULT_SCENARIO)
result = size(scenario, load_catalog())
d = result.demand

st.title("Hardware")
st.caption(f"{scenario.name}: {scenario.model.id}, {scenario.latency.tier} tier "
           f"(TTFT p95 <= {scenario.latency.ttft_p95_ms:,.0f} ms, "
           f">= {scenario.latency.min_output_tokens_per_s_per_user:g} tokens/s per user)")
cols = st.columns(3)
cols[0].metric("Model calls per day", f"{d.calls_per_day:,.0f}")
cols[1].metric("Peak calls per second", f"{d.peak_calls_per_s:,.1f}")
cols[2].metric("Peak generated tokens/s", f"{d.peak_output_tokens_per_s:,.0f}")
st.dataframe(hardware_table(result.options), hide_index=True, width="stretch")
