"""Inference Economics Planner: the router.

Reads the link once into the canonical scenario, builds the navigation, writes the
scenario back into the address bar on every run (sidebar links drop it), runs the page,
then warms the chart library in the background.
"""
import streamlit as st

from ui import state

st.set_page_config(page_title="Inference Economics Planner", page_icon=":material/insights:", layout="wide")

state.init_from_url()
navigation = st.navigation([
    st.Page("pages/scenario.py", title="Scenario", icon=":material/tune:", default=True),
    st.Page("pages/hardware.py", title="Hardware", icon=":material/memory:"),
    st.Page("pages/providers.py", title="Providers", icon=":material/cloud:"),
    st.Page("pages/tco.py", title="TCO", icon=":material/payments:"),
    st.Page("pages/roadmap.py", title="Roadmap", icon=":material/route:"),
    st.Page("pages/report.py", title="Report", icon=":material/description:"),
    st.Page("pages/methodology.py", title="Methodology", icon=":material/functions:"),
])
state.write_url()
state.show_url_warning()
state.show_broken_presets()
navigation.run()
state.warm_up()
