"""Roadmap: the costed levers across model, hardware, stack and workload, in phases."""
import streamlit as st

from engine.scenario.schema import Scenario
from ui import roadmap_view, state
from ui.formatting import ms
from ui.layout import page_header


def relaxations(s: Scenario) -> list[str]:
    """What to relax for an option to meet the targets, each with the scenario's value today."""
    lat, c = s.latency, s.constraints
    out = [f"Raise the first-token target: TTFT p95 is now {ms(lat.ttft_p95_ms)}.",
           f"Lower the per-user speed target: now {lat.min_output_tokens_per_s_per_user:,g} tok/s per user."]
    if not s.model.allow_4bit_weights:
        out.append("Allow 4-bit weights: each decode step reads half the weight bytes of FP8.")
    out.append(f"Choose a smaller model than {s.model.id}.")
    if c.allowed_vendors:
        out.append(f"Allow more accelerator vendors: now only {', '.join(c.allowed_vendors)}.")
    if c.deployment == "on_prem":
        out.append("Allow cloud deployment: on-prem rules out API providers and rented or cloud-only accelerators.")
    return out


page_header("Optimization roadmap", "four layers: model, hardware, inference stack, workload")
plan = state.current_plan(with_roadmap=True)
if plan is None:
    st.stop()
if plan.recommended is None:
    # The roadmap prices each lever against the recommended option: with none, nothing to lower.
    st.warning("A roadmap starts from the recommended option and lowers its cost. "
               + plan.recommendation["rationale"], icon=":material/route:")
    st.markdown("On the Scenario page, relax one of these:\n\n"
                + "\n".join(f"- {line}" for line in relaxations(plan.scenario)))
    st.stop()
roadmap = plan.roadmap
if roadmap is None:  # the engine builds one whenever there is a recommendation
    st.info("The roadmap is not available for this plan: reload the page to compute it.")
    st.stop()
roadmap_view.draw(roadmap, {o.id: o.name for o in plan.options})
