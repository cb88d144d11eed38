"""TCO: what each option costs per month and why, how it moves over the horizon, and how sure we are."""
import streamlit as st

from present.formatting import MISSING, count, kw, percent_short, usd, usd_per_month
from present.labels import uncertain_input_label
from present.sentences import availability_implies
from ui import charts, state, tables
from ui.layout import page_header
from ui.safe import md

MAX_BARS = 12

page_header("Total cost of ownership", f"{state.scenario().finance.horizon_months}-month horizon")
plan = state.current_plan()
if plan is None:
    st.stop()

best = plan.recommended
usable = sorted((o for o in plan.options if o.usable), key=lambda o: o.monthly_tco_usd)
shown = usable[:MAX_BARS]
bands = plan.uncertainty.options
be = plan.horizon.break_even
lifetime = plan.horizon.lifetime

cols = st.columns(5)
paid = plan.horizon.month_1_paid_usd.get(best.id) if best else None
# What is paid in month 1 (an owned fleet on order runs on its delivery bridge), the steady state beside it
cols[0].metric("Recommended, month 1", usd_per_month(paid) if paid is not None else MISSING,
               f"{best.name}; steady state {usd_per_month(best.monthly_tco_usd)}" if best else None,
               delta_color="off", delta_arrow="off")
cols[1].metric(f"Over {plan.scenario.finance.horizon_months} months", usd(lifetime.recurring_inference_usd),
               "with growth and price decline", delta_color="off", delta_arrow="off")
band = bands.get(best.id) if best else None
cols[2].metric("Average month, P10-P90", f"{usd(band.p10_usd)} – {usd(band.p90_usd)}" if band else MISSING,
               f"P50 {usd(band.p50_usd)}" if band else None, delta_color="off", delta_arrow="off")
if be.queries_per_day:
    break_even_text = f"{count(be.queries_per_day)} queries/day"
else:  # not reached within the horizon, or nothing to compare against
    break_even_text = "Not reached" if be.compared else "n/a"
cols[3].metric("Break-even volume", break_even_text, md(be.reason, None), delta_color="off", delta_arrow="off")
cash = plan.horizon.upfront_cash_usd
cols[4].metric("Upfront cash", usd(cash.recommended_usd) if best else MISSING,
               f"hardware bought over {plan.scenario.finance.horizon_months} months (capex as paid)",
               delta_color="off", delta_arrow="off")

# before the stop below: when the cap rules out every fleet, this is the reason the user needs
capped = tables.over_power_cap(plan)
if capped:
    st.caption(f"Over the {md(kw(plan.scenario.constraints.power_cap_kw))} power cap: " + "; ".join(
        f"{md(o.name)}: {md(o.reason)}" for o in capped[:6]) + ".")
if not usable:
    st.warning("No option meets the SLO, so there is no cost to compare.")
    st.stop()

st.plotly_chart(charts.stacked_components([o.name for o in shown], [o.kind for o in shown],
                                          [o.components_usd for o in shown]), width="stretch", config=charts.CONFIG)
if len(usable) > MAX_BARS:
    st.caption(f"The {MAX_BARS} cheapest of {len(usable)} options that meet the SLO.")
st.caption(md(availability_implies(plan.scenario), None))

# the horizon: the recommendation and the cheapest option of every other kind
lines = [o.id for o in plan.compared_options()]
by_id = {o.id: o for o in plan.options}
months = [m.month for m in plan.horizon.months]
series = {oid: list(plan.horizon.costs_usd(oid)) for oid in lines}
st.plotly_chart(charts.horizon_lines(months, series, {i: by_id[i].kind for i in lines},
                                     {i: by_id[i].name for i in lines}, best.id if best else None, be.month),
                width="stretch", config=charts.CONFIG)
st.caption(f"Break-even against the best API, on the chart's own growth and price path: {md(be.reason, None)}.")
owned_cash = {o.id: cash.by_option_usd[o.id] for o in plan.compared_options() if o.id in cash.by_option_usd}
if owned_cash:
    st.caption("Upfront cash for owned hardware over the horizon, capex as paid (the chart amortizes it): " + "; ".join(
        f"{md(by_id[oid].name)} {md(usd(v))}" for oid, v in owned_cash.items()) + ".")
buys = plan.horizon.purchases.get(best.id, ()) if best else ()
if buys:
    st.caption("Purchases for the recommendation as usage grows: " + "; ".join(
        f"month {p.month}: {count(p.accelerators)} accelerators ({usd(p.capex_usd)})" for p in buys[:8]))

# Fleet figures a CTO checks before signing: hours paid, power, energy, headroom, failure domains
fleet_figures = tables.fleet_figures_table(plan)
if not fleet_figures.empty:
    st.subheader("Self-hosted fleets: hours, power and energy")
    st.dataframe(fleet_figures, hide_index=True, width="stretch")
    st.caption("Accelerator-hours paid for in month 1; IT power of the whole fleet and energy per generated token "
               "before the facility's PUE; failure domains each carry the peak. Self-hosted throughput grows "
               f"{md(percent_short(plan.scenario.finance.software_efficiency_gain_per_year))} a year from software "
               "(finance.software_efficiency_gain_per_year) over the horizon. The throughput band is the 10th to "
               "90th percentile of the model's held-out error on the option's hardware and model family "
               "(Methodology); at its low end the replicas carry less, so the fleet grows to the last column.")

st.subheader("How sure are these numbers?")
left, right = st.columns(2)
ranked = sorted((o for o in usable if o.id in bands), key=lambda o: bands[o.id].p50_usd)
# Options far dearer than the cheapest would squash every other band into a dot.
ranked = [o for o in ranked if bands[o.id].p50_usd <= 3 * bands[ranked[0].id].p50_usd][:MAX_BARS] if ranked else []
with left:
    if ranked:
        st.plotly_chart(charts.uncertainty_bands([o.name for o in ranked], [o.kind for o in ranked],
                                                 [bands[o.id].p10_usd for o in ranked],
                                                 [bands[o.id].p50_usd for o in ranked],
                                                 [bands[o.id].p90_usd for o in ranked]), width="stretch", config=charts.CONFIG)
with right:
    tornado = plan.uncertainty.tornado
    focus = plan.uncertainty.tornado_option_id
    if tornado and focus in bands:
        labels = [f"{uncertain_input_label(t.input)} (x{t.low_multiplier:g} – x{t.high_multiplier:g})" for t in tornado]
        st.plotly_chart(charts.tornado(labels, [t.low_usd for t in tornado], [t.high_usd for t in tornado],
                                       bands[focus].base_usd, "What moves the cost"),
                        width="stretch", config=charts.CONFIG)
        st.caption(f"Tornado for {md(by_id[focus].name)}, one input at a time.")
st.caption(f"{plan.uncertainty.samples:,} Monte Carlo samples over usage, tokens per call, growth, "
           "prices (ranges on the Methodology page) and, for self-hosted options, the throughput the performance "
           "model predicts (log-normal through the option's own held-out band, so hardware or models never "
           "measured get wider ranges); options over 3x the cheapest are left off the bands. The "
           "tornado moves one input at a time to its range ends. "
           "Each input is drawn log-uniformly between its range ends, so its median multiplier is their geometric "
           "mean, below x1 where a range reaches further down than up: the P50 can sit below today's figure.")
