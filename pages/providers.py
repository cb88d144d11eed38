"""Providers: every API that serves the model, priced and judged against the same SLO."""
import streamlit as st

from ui import charts, state, tables
from ui.formatting import money, money_per_month
from ui.layout import page_header

page_header("Providers", "API and specialized-silicon services")
plan = state.current_plan()
if plan is None:
    st.stop()

api = sorted((o for o in plan.options if o.kind in ("api", "specialized")), key=lambda o: o.monthly_tco_usd)
if not api:
    st.info("No API provider lists this model in the price snapshot.")
    st.stop()
passing = [o for o in api if o.usable]
best = passing[0] if passing else None
cols = st.columns(4)
cols[0].metric("Offers priced", f"{len(api)}")
cols[1].metric("Meet the SLO", f"{len(passing)} of {len(api)}")
cols[2].metric("Cheapest that meets it", best.name if best else "None")
cols[3].metric("Its monthly cost", money_per_month(best.monthly_tco_usd) if best else "–",
               f"{money(best.cost_per_1k_queries_usd)} per 1,000 queries" if best else None, delta_color="off", delta_arrow="off")
if not passing:
    st.warning("No API meets the latency targets with published speeds. Costs are still shown: an API without a "
               "published speed may well be fast enough, ask the provider for its p95 TTFT.")

st.plotly_chart(charts.monthly_cost_bars([o.name for o in api], [o.monthly_tco_usd for o in api],
                                         [o.kind for o in api], [o.usable for o in api],
                                         "Monthly cost per API offer (faded and hatched: misses the SLO)"),
                width="stretch")
styled, config = tables.provider_table(plan)
st.dataframe(styled, hide_index=True, width="stretch", column_config=config)
st.caption(f"Prices: {plan.price_data['api_prices']}, as of {plan.price_data['price_date']}. Reasoning tokens are "
           "billed as output; the shared prompt prefix at the cached-input price. Speeds: measured where a "
           "benchmark exists, else the vendor's claim, as labelled.")
