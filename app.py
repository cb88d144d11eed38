"""Inference Economics Planner: the router.

Reads the link once into the canonical scenario, builds the navigation, writes the
scenario back into the address bar on every run (sidebar links drop it), runs the page,
then warms the chart library in the background.

Icons are emoji, not `:material/...` names: those load the Material Symbols font from a
public CDN on every visit, which fails on an air-gapped intranet and tells the CDN who uses the app.
"""
import streamlit as st

from ui import browser, form, state

st.set_page_config(page_title="Inference Economics Planner", page_icon="📈", layout="wide")

state.init_from_url()
PAGES = [
    st.Page("pages/scenario.py", title="Scenario", icon="🎛️", default=True),
    st.Page("pages/hardware.py", title="Hardware", icon="🖥️"),
    st.Page("pages/providers.py", title="Providers", icon="☁️"),
    st.Page("pages/tco.py", title="TCO", icon="💵"),
    st.Page("pages/roadmap.py", title="Roadmap", icon="🧭"),
    st.Page("pages/compare.py", title="Compare", icon="⚖️"),
    st.Page("pages/report.py", title="Report", icon="📄"),
    st.Page("pages/methodology.py", title="Methodology", icon="📐"),
]
navigation = st.navigation(PAGES)
clicked = browser.run()  # a page link clicked right after an edit: the edit is applied, now go there
if clicked is not None:
    wanted = clicked.rstrip("/").rsplit("/", 1)[-1]
    target = next((p for p in PAGES if p.url_path == wanted), None)
    if target is not None and target.url_path != navigation.url_path:
        st.switch_page(target)
state.write_url()
state.show_url_warning()
browser.show_dropped_link()
state.show_broken_presets()
navigation.run()
form.page_run_finished()  # not reached when a run is cut short: see ui.form.LAST_COMMIT
state.warm_up()
