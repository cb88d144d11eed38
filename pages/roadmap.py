"""Roadmap: the costed levers across model, hardware, stack and workload, in phases."""
import streamlit as st

from ui import roadmap_view, state
from ui.layout import page_header

page_header("Optimization roadmap", "four layers: model, hardware, inference stack, workload")
plan = state.current_plan(with_roadmap=True)
if plan is None:
    st.stop()
roadmap = getattr(plan, "roadmap", None)
if roadmap is None:
    st.info("The optimization roadmap is not available in this version of the engine yet. "
            "The other screens are complete; this one fills in when the roadmap lands.")
    st.stop()
roadmap_view.draw(roadmap, {o.id: o.name for o in plan.options})
