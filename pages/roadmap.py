"""Roadmap: the costed levers across model, hardware, stack and workload, in phases."""
import streamlit as st

from present.sentences import relaxations
from ui import roadmap_view, state
from ui.layout import page_header
from ui.safe import md

page_header("Optimization roadmap", "four layers: model, hardware, inference stack, workload")
plan = state.current_plan(with_roadmap=True)
if plan is None:
    st.stop()
if plan.recommended is None:
    # The roadmap prices each lever against the recommended option: with none, nothing to lower.
    st.warning("A roadmap starts from the recommended option and lowers its cost. "
               + md(plan.recommendation.rationale, None), icon="🧭")
    st.markdown("On the Scenario page, relax one of these:\n\n"
                + "\n".join(f"- {md(line, None)}" for line in relaxations(plan.scenario)))
    st.stop()
roadmap = plan.roadmap
if roadmap is None:  # the engine builds one whenever there is a recommendation
    st.info("The roadmap is not available for this plan: reload the page to compute it.")
    st.stop()
roadmap_view.draw(roadmap, {o.id: o.name for o in plan.options}, plan.scenario)
