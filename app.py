"""Inference Economics Planner: the router. Builds the navigation and runs the page."""
import streamlit as st

st.set_page_config(page_title="Inference Economics Planner", layout="wide")

navigation = st.navigation([
    st.Page("pages/hardware.py", title="Hardware", default=True),
])
navigation.run()
