"""Providers: every API that serves the model, priced and judged against the same SLO."""
import streamlit as st

from engine.money.substitutes import NOT_INDEXED, QUALITY_SCALE, QUALITY_SNAPSHOT
from present.formatting import MISSING, number, usd, usd_per_month
from present.labels import substitute_status_label
from ui import charts, state, tables
from ui.layout import page_header
from ui.safe import md

page_header("Providers", "API and specialized-silicon services")
plan = state.current_plan()
if plan is None:
    st.stop()

offers = sorted((o for o in plan.options if o.kind in ("api", "specialized")), key=lambda o: o.monthly_tco_usd)
retired = [o for o in offers if o.retired]
api = [o for o in offers if not o.retired]
if not api:
    st.info("No API provider serves this model in the price snapshot" + (
        f" any more: {len(retired)} retired it (listed below)." if retired else "."))
    if not retired:
        st.stop()
passing = [o for o in api if o.usable]
best = passing[0] if passing else None
cols = st.columns(4)
cols[0].metric("Offers priced", f"{len(api)}", f"{len(retired)} retired, not offered" if retired else None,
               delta_color="off", delta_arrow="off")
cols[1].metric("Meet the SLO", f"{len(passing)} of {len(api)}")
verified = [o for o in passing if o.verified]
best = verified[0] if verified else best  # the recommendation's rule: evidence before price (DESIGN.md "Evidence")
cols[2].metric("Cheapest that meets it", md(best.name) if best else "n/a",
               "on assumed figures: benchmark it" if best and not best.verified else "on figures that are not assumed"
               if best else None,
               delta_color="off", delta_arrow="off")
cols[3].metric("Its monthly cost", usd_per_month(best.monthly_tco_usd) if best else MISSING,
               f"{usd(best.cost_per_1k_queries_usd)} per 1,000 queries" if best else None, delta_color="off", delta_arrow="off")
excluded = [o for o in api if not o.feasible]
if api and len(excluded) == len(api):
    st.info(f"Every API is excluded: {md(excluded[0].reason, None)}. They are listed for comparison only.")
elif api and not passing:
    st.warning("No API meets the latency targets on the figures known for it. Costs are still shown: a provider "
               "that publishes no speed or first-token time for this model may well be fast enough; ask it for "
               "its p95 TTFT at your prompt length.")

if api:
    st.plotly_chart(charts.monthly_cost_bars([o.name for o in api], [o.monthly_tco_usd for o in api],
                                             [o.kind for o in api], [o.usable for o in api],
                                             "Monthly cost per API offer (faded and hatched: misses the SLO)"),
                    width="stretch")
for warning in plan.recommendation.warnings:
    st.warning(md(warning, None))
w = plan.scenario.workload
st.caption(f"First visible token: what the targets are about. It includes the prefill of your "
           f"{w.input_tokens_per_call:,}-token prompt (published TTFTs are for ~1k-token prompts; a longer prompt "
           "waits longer)" + (f" and {w.reasoning_tokens_per_call:,} hidden reasoning tokens at the offer's output "
                              "speed" if w.reasoning_tokens_per_call else "") + ". Evidence: measured (an independent "
           "benchmark), vendor claim, modelled (our prefill or performance model), assumed (no figure for this "
           "provider and model: benchmark it before committing).")
styled, config = tables.provider_table(plan)
st.dataframe(styled, hide_index=True, width="stretch", column_config=config)
with st.expander("Prices, prompt-length effect, reasons and sources per offer"):
    detail, detail_config = tables.provider_detail_table(plan)
    st.dataframe(detail, hide_index=True, width="stretch", column_config=detail_config)
floor = plan.scenario.model.quality_floor
if floor is None:
    st.caption(f"No quality floor: only the chosen model is priced. Set one on the Scenario form (a {QUALITY_SCALE}) "
               "to consider cheaper models that score at least as high.")
else:
    offered = [c for c in plan.substitutes if c.offered]
    with st.expander(f"Quality-floor substitutes: {len(offered)} of {len(plan.substitutes)} other models offered at "
                     f"{QUALITY_SCALE} ≥ {number(floor)}, and why each other one is not"):
        st.caption(f"The rule: any model, open or closed, scoring at least the floor on the {QUALITY_SNAPSHOT} "
                   "snapshot is offered and may be recommended. A smaller, cheaper tier of the chosen closed model's "
                   f"own vendor (Claude Haiku, GPT mini / Luna, Gemini Flash) that the snapshot does not score is "
                   f"priced and listed as \"{NOT_INDEXED}\", never recommended. Any other model without a score "
                   "is not offered: no model is treated as meeting a floor without a score.")
        st.dataframe([{"Model": c.model_name, QUALITY_SCALE: c.quality_index,
                       "Vendor's smaller tier": "yes" if c.smaller_tier else "",
                       "Verdict": substitute_status_label(c.status), "Why": c.reason} for c in plan.substitutes],
                     hide_index=True, width="stretch")
limits = [{"Offer": o.name, "Default tier against your peak": o.api_quote.rate_limit}
          for o in api if o.api_quote is not None and o.api_quote.rate_limit]
if limits:
    with st.expander("Rate limits: each provider's default tier against your peak, and what it sells beyond it"):
        st.dataframe(limits, hide_index=True, width="stretch")
st.caption(f"Prices: {md(plan.price_data.api_prices)}, as of {plan.price_data.price_date}. Reasoning tokens are "
           "billed as output; the shared prompt prefix at the cached-input price. Offers via Hugging Face are the "
           "provider's price without markup, listed where the provider's own API has no price in the snapshot. "
           "An offer without a price, or a model its provider retired, is listed with the reason, never offered. "
           "Retired models come from the providers' deprecation pages (engine/data/retirements.yaml).")
