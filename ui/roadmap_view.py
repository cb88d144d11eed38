"""The Roadmap screen's drawing, separate from the page so it can be tested on a real roadmap
(`engine.roadmap.build.Roadmap`, `plan.roadmap`)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.roadmap.build import Roadmap
from engine.scenario.schema import DEFAULT_SCENARIO, Scenario
from present.formatting import MISSING, signed_percent, usd_per_month
from present.labels import LAYER_LABELS, layer_label, phase_label, quality_risk_label
from present.sentences import default_assumptions, empty_roadmap, lever_status
from ui import charts, tables
from ui.safe import md


def draw(roadmap: Roadmap, option_names: dict[str, str], scenario: Scenario | None = None) -> None:
    levers = roadmap.levers
    # What the waterfall shows: the steps of the cumulative pass. A lever can save alone and still add
    # nothing on top of the earlier steps; it is named as such, never counted as applied.
    applying = [roadmap.lever(st.lever_id) for st in roadmap.steps]
    alone = [lv for lv in levers if lv.applies and roadmap.step_of(lv.id) is None]
    baseline = roadmap.baseline_option_id
    cols = st.columns(4)
    cols[0].metric("Today", usd_per_month(roadmap.baseline_monthly_tco_usd),
                   md(option_names.get(baseline, baseline)), delta_color="off", delta_arrow="off")
    saving = roadmap.total_saving_fraction
    cols[1].metric("After the roadmap", usd_per_month(roadmap.final_monthly_tco_usd),
                   None if not saving else signed_percent(-saving, 0), delta_color="inverse")
    cols[2].metric("Levers that apply", f"{len(applying)} of {len(levers)}",
                   f"{len(alone)} more save alone only" if alone else None, delta_color="off", delta_arrow="off",
                   help="Steps of the roadmap, each saving on top of the steps before; a lever that saves alone "
                        "but nothing more once earlier steps are in place is not a step.")
    cols[3].metric("Layers covered", f"{len({lv.layer for lv in applying})} of {len(LAYER_LABELS)}")

    if not applying:
        why, opens = empty_roadmap(roadmap, scenario or roadmap.final_scenario)
        st.info(why + " What would open levers:\n\n" + "\n".join(f"- {line}" for line in opens),
                icon="🧭")
    else:
        w = roadmap.waterfall
        st.plotly_chart(charts.waterfall([b.label for b in w], [b.value_usd for b in w], [b.kind for b in w]),
                        width="stretch", config=charts.CONFIG)
    names = {lv.id: lv.name for lv in levers}
    if roadmap.steps:
        st.plotly_chart(charts.roadmap_steps(["Today"] + [names[s.lever_id] for s in roadmap.steps],
                                             [roadmap.baseline_monthly_tco_usd]
                                             + [s.monthly_tco_usd for s in roadmap.steps]), width="stretch",
                        config=charts.CONFIG)

    st.subheader("Levers by layer")
    if not levers:
        st.info("No levers for this scenario.")
        return
    # The roadmap's steps in order first, then levers that save alone, then the rest in layer order.
    order = {st_.lever_id: i for i, st_ in enumerate(roadmap.steps)}
    levers = sorted(levers, key=lambda lv: (order.get(lv.id, len(order)), not lv.applies, -lv.monthly_saving_usd))
    assumptions = default_assumptions(roadmap, DEFAULT_SCENARIO)
    rows = []
    for lv in levers:
        rows.append({"Lever": lv.name, "In the roadmap": lever_status(roadmap, lv),
                     "Saving alone": lv.standalone_saving_usd,
                     "Saving with the steps before": lv.cumulative_saving_usd,
                     "Share alone": lv.saving_fraction,
                     "Why": lv.reason,
                     "Rests on": assumptions.get(lv.id) or MISSING,
                     "Phase": phase_label(lv.phase), "Layer": layer_label(lv.layer),
                     "Effort (days)": lv.effort_days, "Quality risk": quality_risk_label(lv.quality_risk),
                     "Quality risk note": lv.quality_risk_reason})
    df = pd.DataFrame(rows)
    flags = [roadmap.step_of(lv.id) is not None for lv in levers]
    styled = df.style.apply(lambda row: ["" if flags[row.name] else "color: #9ca3af"] * len(row), axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", column_config={
        "Saving alone": st.column_config.NumberColumn(format="$%,.0f", help="Monthly saving of the lever on its own, "
                                                      "against today's cost."),
        "Saving with the steps before": st.column_config.NumberColumn(
            format="$%,.0f", help="Monthly saving once the earlier steps are in place (the waterfall's bars); "
                                  "$0 where the lever adds nothing on top of them."),
        "Share alone": tables.percent_column(0),
        "Effort (days)": st.column_config.NumberColumn(format="%.0f"),
        "Why": st.column_config.TextColumn(width="large"),
        "Rests on": st.column_config.TextColumn(width="medium", help="The assumptions its saving rests on: "
                                                "defaults you can change on the Scenario page (Roadmap "
                                                "assumptions tab).")})
    st.caption("Each lever is re-planned by the engine on the recommended option. 'Saving alone' is the lever by "
               "itself; 'Saving with the steps before' is what it adds once the earlier steps are in place, and the "
               "steps sum to the waterfall. Savings that rest on assumptions (response-cache hit rate, routable share, "
               "trimmable prompt and the like) are estimates from the defaults shown, not measurements: put in your "
               "own on the Scenario page, Roadmap assumptions tab. Grey levers are not steps and say why.")
