"""Page furniture shared by every screen: the title with the scenario it is about."""
from __future__ import annotations

import streamlit as st

from engine.catalog.catalog import load_catalog
from present.formatting import count, ms, tok_per_s
from present.labels import tier_label
from ui import state
from ui.safe import md


# Metric values wrap instead of ending in "…": option names are long.
_CSS = """<style>
[data-testid="stMetricValue"] .stMarkdownEllipsis, [data-testid="stMetricValue"] p,
[data-testid="stMetricDelta"] .stMarkdownEllipsis, [data-testid="stMetricDelta"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricValue"] { font-size: 1.8rem; line-height: 1.2; }
</style>"""


def page_header(title: str, subtitle: str = "") -> None:
    """Title and scenario caption; first, make sure the router ran (see state.require_router)."""
    state.require_router()
    s = state.scenario()
    st.html(_CSS)
    st.title(title)
    model = load_catalog().models.get(s.model.id)
    edited = " (modified)" if state.changed_fields() else ""
    st.caption(f"**{md(s.name)}**{edited} · {md(model.name if model else s.model.id)} · "
               f"{count(s.workload.daily_active_users)} daily users · "
               f"{tier_label(s.latency.tier)} (TTFT p95 ≤ {ms(s.latency.ttft_p95_ms)}, "
               f"≥ {tok_per_s(s.latency.min_output_tokens_per_s_per_user)} per user)"
               + (f" · {subtitle}" if subtitle else ""))
