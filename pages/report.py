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
try:  # cheap: report/ imports fpdf2 and matplotlib only when a brief is built
    import report
    unavailable = ""
except Exception as exc:  # noqa: BLE001  (say what failed, keep the page)
    report, unavailable = None, str(exc)


def _brief(kind: str, plan_now, link_now):
    """One click: the brief is built when its button is clicked and downloads straight away."""
    def build() -> bytes:
        data = getattr(report, BRIEFS[kind][0])(plan_now, link_now)
        return data.encode() if isinstance(data, str) else data
    return build


for col, kind in ((c3, "pdf"), (c4, "html")):
    _, mime, label = BRIEFS[kind]
    if report is None:
        col.info(md(f"The {label} brief could not be built: {unavailable}", 500))
        continue
    col.download_button(f"Download the {label} brief", data=_brief(kind, plan, link), file_name=f"{slug}-brief.{kind}",
                        mime=mime, on_click="ignore", width="stretch", type="primary", key=f"_download_{kind}")
