"""The Roadmap screen's drawing, separate from the page so it can be tested on a real roadmap
(`engine.roadmap.build.Roadmap`, `plan.roadmap`)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.roadmap.build import Roadmap
from present.formatting import signed_percent, usd_per_month
from present.labels import LAYER_LABELS, layer_label, phase_label, quality_risk_label
from ui import charts, tables
from ui.safe import md


def draw(roadmap: Roadmap, option_names: dict[str, str]) -> None:
    levers = roadmap.levers
    applying = [lv for lv in levers if lv.applies]
    baseline = roadmap.baseline_option_id
    cols = st.columns(4)
    cols[0].metric("Today", usd_per_month(roadmap.baseline_monthly_tco_usd),
                   md(option_names.get(baseline, baseline)), delta_color="off", delta_arrow="off")
    saving = roadmap.total_saving_fraction
    cols[1].metric("After the roadmap", usd_per_month(roadmap.final_monthly_tco_usd),
                   None if not saving else signed_percent(-saving, 0), delta_color="inverse")
    cols[2].metric("Levers that apply", f"{len(applying)} of {len(levers)}")
    cols[3].metric("Layers covered", f"{len({lv.layer for lv in applying})} of {len(LAYER_LABELS)}")

    if not applying:
        st.info("No lever saves money on this scenario: each one below says why (already done, not applicable, "
                "a saving under half a percent, or an owned fleet that cannot shrink below a whole baseboard).")
    else:
        w = roadmap.waterfall
        st.plotly_chart(charts.waterfall([b.label for b in w], [b.value_usd for b in w], [b.kind for b in w]),
                        width="stretch")
    names = {lv.id: lv.name for lv in levers}
    if roadmap.steps:
        st.plotly_chart(charts.roadmap_steps(["Today"] + [names[s.lever_id] for s in roadmap.steps],
                                             [roadmap.baseline_monthly_tco_usd]
                                             + [s.monthly_tco_usd for s in roadmap.steps]), width="stretch")

    st.subheader("Levers by layer")
    # The levers that apply first, biggest saving first; the rest keep their layer order below.
    levers = sorted(levers, key=lambda lv: (not lv.applies, -lv.monthly_saving_usd))
    rows = [{"Lever": lv.name, "Applies": "Yes" if lv.applies else "No",
             "Monthly saving (USD)": lv.monthly_saving_usd,
             "Saving": lv.saving_fraction,
             "Why": lv.reason,
             "Phase": phase_label(lv.phase), "Layer": layer_label(lv.layer),
             "Effort (days)": lv.effort_days, "Quality risk": quality_risk_label(lv.quality_risk),
             "Quality risk note": lv.quality_risk_reason} for lv in levers]
    if not rows:
        st.info("No levers for this scenario.")
        return
    df = pd.DataFrame(rows)
    flags = [lv.applies for lv in levers]
    styled = df.style.apply(lambda row: ["" if flags[row.name] else "color: #9ca3af"] * len(row), axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", column_config={
        "Monthly saving (USD)": st.column_config.NumberColumn(format="$%,.0f"),
        "Saving": tables.percent_column(0),
        "Effort (days)": st.column_config.NumberColumn(format="%.0f"),
        "Why": st.column_config.TextColumn(width="large")})
    st.caption("Each lever is re-planned by the engine to a measured saving; the levers that apply come first, "
               "grey levers do not apply to this scenario and say why. Phases order the work: quick wins first.")
