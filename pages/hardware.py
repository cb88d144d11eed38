"""Hardware: every accelerator sized for the scenario, the throughput/interactivity trade-off
behind the sizing, and how the chosen configuration fills its memory."""
import streamlit as st

from engine.capacity.curves import memory_split, operating_point_of
from present.formatting import MISSING, count, gb, hbm_gb, percent, tok_per_s, usd_per_month
from ui import charts, state, tables
from ui.layout import page_header
from ui.safe import md

page_header("Hardware", "every accelerator sized at the latency targets")
plan = state.current_plan()
if plan is None:
    st.stop()

best_hw = plan.best_self_hosted()
feasible = [h for h in plan.hardware_options if h.feasible and not h.specialized]
chosen = next((h for h in feasible if best_hw and h.hardware == best_hw.hardware), None)

cols = st.columns(4)
cols[0].metric("Best self-hosted", md(best_hw.name) if best_hw else "None meets the SLO")
cols[1].metric("Its monthly TCO", usd_per_month(best_hw.monthly_tco_usd) if best_hw else MISSING)
if chosen and best_hw.accelerators != chosen.accelerators:  # owners buy whole baseboards
    fleet_note = (f"{count(chosen.accelerators)} carry the load ({count(chosen.accelerators_for_peak)} for peak); "
                  "bought in whole baseboards")
else:
    fleet_note = f"{count(chosen.accelerators_for_peak)} for peak, rest headroom and spares" if chosen else None
cols[2].metric("Accelerators", count(best_hw.accelerators) if chosen else MISSING, fleet_note,
               delta_color="off", delta_arrow="off")
cols[3].metric("Accelerator types that meet the SLO", f"{len(feasible)} of {len(plan.hardware_options)}")

st.subheader("Throughput vs interactivity")
curves = state.current_curves()
if curves:
    names = {h.hardware: h.hardware_name for h in plan.hardware_options}
    sized = {h.hardware: p for h in feasible if (p := operating_point_of(h))}
    cheapest_first = [o.hardware for o in sorted(plan.options, key=lambda o: o.monthly_tco_usd)
                      if o.usable and o.hardware and o.kind in ("cloud", "owned")]
    st.plotly_chart(charts.throughput_interactivity(curves, names, sized,
                                                    plan.scenario.latency.min_output_tokens_per_s_per_user,
                                                    chosen.hardware if chosen else None,
                                                    list(dict.fromkeys(cheapest_first))),
                    width="stretch", config=charts.CONFIG)
    st.caption("Each curve sweeps the batch of the sized replica: bigger batches give more tokens per accelerator "
               "and fewer per user. Right of the red line meets the per-user speed target; the dot is the "
               "largest batch that also meets the TTFT target. The recommended accelerator and the cheapest others "
               "are drawn; click a name in the legend to add or hide one.")
else:
    st.info("No accelerator can serve this model at these latency targets, so there is no curve to draw.")

if chosen is not None:
    st.subheader(f"Memory of one {md(chosen.hardware_name)} replica")
    split = memory_split(chosen)
    st.plotly_chart(charts.memory_bar(split.weights_gb, split.kv_cache_gb, split.other_gb,
                                      f"{chosen.accelerators_per_replica} x {chosen.hardware_name}, "
                                      f"{(chosen.precision or '').upper()} weights, "
                                      f"{(chosen.kv_precision or '').upper()} KV cache"), width="stretch",
                    config=charts.CONFIG)
    m = st.columns(4)
    m[0].metric("Weights", hbm_gb(split.weights_gb), percent(split.weights_fraction) + " of memory", delta_color="off", delta_arrow="off")
    m[1].metric("KV cache", hbm_gb(split.kv_cache_gb))
    m[2].metric("Runtime reserve and free", hbm_gb(split.other_gb))
    m[3].metric("Per replica", tok_per_s(chosen.output_tokens_per_s_per_replica),
                f"batch {chosen.batch_size}", delta_color="off", delta_arrow="off")

st.subheader("All accelerators")
styled, config = tables.hardware_table(plan)
st.dataframe(styled, hide_index=True, width="stretch", column_config=config)
st.caption("Click a column to sort. Grey rows cannot serve the scenario; the 'Why / note' column says why.")
with st.expander("Configuration, fleet and batch per accelerator"):
    detail, detail_config = tables.hardware_detail_table(plan)
    st.dataframe(detail, hide_index=True, width="stretch", column_config=detail_config)

# --- Edge and on-device (issue 17): the Plan's on_device record, edge boxes and specialized silicon
# owned on premises, each with its evidence; listed beside the datacenter options, not ranked with them.
st.subheader("Edge and on-device")
import pandas as pd  # noqa: E402 (this section's table only)

from engine.physics.edge import leave_one_device_out  # noqa: E402
from present.formatting import ms  # noqa: E402
from present.labels import EVIDENCE_LABELS  # noqa: E402

od = plan.on_device
if od is not None and od.applies:
    c = st.columns(4)
    c[0].metric("On-device model", md(od.model_name), md(od.device_name), delta_color="off", delta_arrow="off")
    c[1].metric("Speed on the device", tok_per_s(od.decode_tok_s),
                f"{ms(od.ttft_ms)} to the first token, {EVIDENCE_LABELS.get(od.speed_evidence, '')}",
                delta_color="off", delta_arrow="off")
    c[2].metric("Share of calls it takes", percent(od.share))
    c[3].metric("Cloud cost it removes", usd_per_month(od.monthly_saving_usd))
    st.caption(f"{md(od.reason, None)}. Costs: about {count(od.integration_effort_days)} engineer-days to integrate, "
               f"a {gb(od.app_download_gb)} model in the app download, quality risk {md(od.quality_risk)} "
               f"({md(od.quality_risk_reason, None)}). Device chosen by {md(od.device_chosen_by, None)}; its figures: "
               f"{md(od.device_source, None)}.")
elif od is not None:
    st.info(f"No on-device option: {md(od.reason, None)}.")

rows = [{"Option": o.name, "Meets SLO": o.usable, "Monthly TCO": usd_per_month(o.monthly_tco_usd) if o.feasible
         else MISSING, "Units": count(o.accelerators) if o.accelerators else MISSING,
         "Tok/s per user": tok_per_s(o.output_tokens_per_s_per_user) if o.feasible else MISSING,
         "Speed evidence": EVIDENCE_LABELS.get(o.speed_evidence, o.speed_evidence) if o.feasible else MISSING,
         "Price basis": o.basis, "Why / note": o.reason}
        for o in (*plan.onprem_silicon_options, *plan.edge_options)]
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    loo = leave_one_device_out()
    st.caption("Specialized silicon bought for your own data centre (per-user speed as measured on the vendor's "
               "service) and edge boxes for small, data-local or offline sites (one stream per box on llama.cpp), "
               "priced like owned hardware: capex over the amortization period, power, space, maintenance and staff. "
               f"Edge speeds come from a batch-1 bandwidth model that predicts devices it was not fitted on within "
               f"{percent(loo.median_error)} (median, {loo.rows} measured rows, leave-one-device-out).")
