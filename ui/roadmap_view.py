"""The Roadmap screen's drawing, separate from the page so it can be tested on a sample roadmap.

Shape (engine/roadmap/build.py, `plan.roadmap`): {"baseline_option_id", "baseline_monthly_tco_usd",
"levers": [{"id", "layer", "name", "monthly_saving_usd", "saving_fraction", "effort_days",
"quality_risk", "phase", "applies", "reason"}], "steps": [{"lever_id", "monthly_tco_usd"}],
"final_monthly_tco_usd", "waterfall": [{"label", "value_usd", "kind"}]}.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import charts
from ui.formatting import money_per_month

LAYER_LABELS = {"model": "Model architecture", "model_architecture": "Model architecture",
                "hardware": "Hardware selection", "hardware_selection": "Hardware selection",
                "stack": "Inference stack", "inference_stack": "Inference stack",
                "workload": "Workload strategies", "workload_strategies": "Workload strategies"}


RISK_LABELS = {"none": "No risk", "low": "Low", "medium": "Medium", "high": "High"}


def layer_label(layer: str) -> str:
    return LAYER_LABELS.get(layer, str(layer).replace("_", " ").capitalize())


def draw(roadmap: dict, option_names: dict[str, str]) -> None:
    levers = roadmap.get("levers", [])
    applying = [lv for lv in levers if lv.get("applies")]
    baseline = roadmap.get("baseline_option_id")
    cols = st.columns(4)
    cols[0].metric("Today", money_per_month(roadmap.get("baseline_monthly_tco_usd")),
                   option_names.get(baseline, baseline), delta_color="off", delta_arrow="off")
    saving = roadmap.get("total_saving_fraction")
    cols[1].metric("After the roadmap", money_per_month(roadmap.get("final_monthly_tco_usd")),
                   None if not saving else f"-{saving:.0%}", delta_color="inverse")
    cols[2].metric("Levers that apply", f"{len(applying)} of {len(levers)}")
    cols[3].metric("Layers covered", f"{len({lv.get('layer') for lv in applying})} of 4")

    waterfall = roadmap.get("waterfall") or []
    if not applying:
        st.info("No lever saves money on this scenario: each one below says why (already done, not applicable, "
                "a saving under half a percent, or an owned fleet that cannot shrink below a whole baseboard).")
    elif waterfall:
        st.plotly_chart(charts.waterfall([w["label"] for w in waterfall], [w["value_usd"] for w in waterfall],
                                         [w.get("kind", "") for w in waterfall]), width="stretch")
    names = {lv["id"]: lv["name"] for lv in levers}
    steps = roadmap.get("steps") or []
    if steps:
        st.plotly_chart(charts.roadmap_steps(["Today"] + [names.get(s["lever_id"], s["lever_id"]) for s in steps],
                                             [roadmap.get("baseline_monthly_tco_usd")]
                                             + [s["monthly_tco_usd"] for s in steps]), width="stretch")

    st.subheader("Levers by layer")
    # The levers that apply first, biggest saving first; the rest keep their layer order below.
    levers = sorted(levers, key=lambda lv: (not lv.get("applies"), -(lv.get("monthly_saving_usd") or 0)))
    rows = [{"Lever": lv.get("name"), "Applies": "Yes" if lv.get("applies") else "No",
             "Monthly saving (USD)": lv.get("monthly_saving_usd"),
             "Saving (%)": None if lv.get("saving_fraction") is None else lv["saving_fraction"] * 100,
             "Why": lv.get("reason", ""),
             "Phase": str(lv.get("phase", "")).capitalize(), "Layer": layer_label(lv.get("layer", "")),
             "Effort (days)": lv.get("effort_days"), "Quality risk": RISK_LABELS.get(lv.get("quality_risk"), ""),
             "Quality risk note": lv.get("quality_risk_reason", "")} for lv in levers]
    if not rows:
        st.info("No levers for this scenario.")
        return
    df = pd.DataFrame(rows)
    flags = [bool(lv.get("applies")) for lv in levers]
    styled = df.style.apply(lambda row: ["" if flags[row.name] else "color: #9ca3af"] * len(row), axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", column_config={
        "Monthly saving (USD)": st.column_config.NumberColumn(format="$%,.0f"),
        "Saving (%)": st.column_config.NumberColumn(format="%.0f%%"),
        "Effort (days)": st.column_config.NumberColumn(format="%.0f"),
        "Why": st.column_config.TextColumn(width="large")})
    st.caption("Each lever is re-planned by the engine to a measured saving; the levers that apply come first, "
               "grey levers do not apply to this scenario and say why. Phases order the work: quick wins first.")
