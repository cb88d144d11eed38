"""Report: the link that reproduces every screen, and the brief and data to take away."""
import json

import streamlit as st

from present.formatting import usd_per_month
from present.sentences import alternative_role
from ui import state, tables
from ui.layout import page_header
from ui.safe import md

page_header("Report", "share and download")
plan = state.current_plan(with_roadmap=True)
if plan is None:
    st.stop()

link = state.share_link("report")
st.subheader("Share link")
st.code(link, language=None, wrap_lines=True)
st.caption("Copy it with the button at the right of the box: whoever opens it sees exactly these screens.")

best = plan.recommended
st.subheader("Brief")
with st.container(border=True):
    st.markdown(f"#### {md(plan.scenario.name)}")
    if best:
        st.markdown(f"**Recommendation:** {md(best.name)}, {md(usd_per_month(best.monthly_tco_usd))}.")
    st.markdown(md(plan.recommendation.rationale, None))
    for alt in plan.recommendation.alternatives:
        st.markdown(f"- *{md(alternative_role(alt))}:* {md(alt.rationale, None)}")
    st.caption(f"Prices: {md(plan.price_data.api_prices)}, {plan.price_data.price_date}.")

st.subheader("Downloads")
slug = state.preset() or "scenario"
c1, c2, c3, c4 = st.columns(4)
# Built only when clicked (deferred callables): a rerun never serialises what nobody asked for.
c1.download_button("Plan as JSON", data=lambda: json.dumps(plan.to_dict(), indent=2, default=str),
                   file_name=f"{slug}-plan.json", mime="application/json", on_click="ignore", width="stretch")
c2.download_button("Options as CSV", data=lambda: tables.options_csv(plan), file_name=f"{slug}-options.csv",
                   mime="text/csv", on_click="ignore", width="stretch")

BRIEFS = {"pdf": ("build_pdf", "application/pdf", "PDF"), "html": ("build_html", "text/html", "HTML")}


def _build(kind: str) -> None:
    """Button handler: build the brief, importing the report package only now (it is slow to import)."""
    func_name, _, label = BRIEFS[kind]
    try:
        import report  # noqa: PLC0415
        data = getattr(report, func_name)(plan, link)
    except Exception as exc:  # noqa: BLE001  (show the failure, keep the page)
        st.session_state[f"brief_{kind}"] = None
        st.session_state[f"brief_{kind}_error"] = f"The {label} brief could not be built: {exc}"
        return
    st.session_state[f"brief_{kind}"] = (state.scenario(), data.encode() if isinstance(data, str) else data)
    st.session_state[f"brief_{kind}_error"] = ""


for col, kind in ((c3, "pdf"), (c4, "html")):
    func_name, mime, label = BRIEFS[kind]
    built = st.session_state.get(f"brief_{kind}")
    with col:
        if built and built[0] == state.scenario():
            st.download_button(f"Download the {label} brief", data=built[1], file_name=f"{slug}-brief.{kind}",
                               mime=mime, on_click="ignore", width="stretch", type="primary")
        else:
            st.button(f"Build the {label} brief", key=f"_build_{kind}", on_click=_build, args=(kind,),
                      width="stretch")
        error = st.session_state.get(f"brief_{kind}_error")
        if error:
            st.info(md(error, 500))
