"""What only the browser knows or does, through one small script with no visible element.

1. A link Streamlit refused whole. Streamlit drops a query string of more than 1,000 parameters
   (or 512 Ki characters) before the script runs: `st.query_params`, `st.context.url` and
   `st.context.headers` then carry nothing of it, and the default scenario opens as if no link had
   been given. The script reads the address the page was loaded from (the navigation timing entry,
   which the app's own rewrite of the address bar does not change) and reports the count, so the
   page can say the link was ignored and name the limit.
2. A page link clicked right after typing. A text or number input commits on blur; the browser
   sends the blur's rerun (with the current page) after the click's page change, and the later
   request wins: the number is saved, the click is lost. After an edit the script holds the click,
   waits until the blur's rerun has finished, then hands the page to Python as a trigger, whose
   rerun carries every widget value; the router switches page after the edit has been applied.
   (Handing over while the blur's run was still drawing sent the full form's copy of the field with
   its old value, which undid the edit on a warm server.)
"""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.state import query_params as _st_query_params

from ui import state
from ui.safe import md

# Streamlit's own limits (runtime/state/query_params.py), read from it so the message stays true.
MAX_LINK_FIELDS: int = getattr(_st_query_params, "CLIENT_STATE_QUERY_STRING_MAX_FIELDS", 1000)
MAX_LINK_CHARS: int = getattr(_st_query_params, "CLIENT_STATE_QUERY_STRING_MAX_LENGTH", 512 * 1024)
KEY = "_browser"

_JS = """
export default function ({ data, setStateValue, setTriggerValue }) {
  window.__iepBrowser = { setStateValue, setTriggerValue };  // the latest mount's setters
  if (window.__iepBrowserReady) return;
  window.__iepBrowserReady = true;

  // 1. The address the page was loaded from, counted as Streamlit counts it.
  try {
    const entry = performance.getEntriesByType("navigation")[0];
    const query = new URL(entry ? entry.name : window.location.href).search.replace(/^[?]/, "");
    const fields = query ? query.split("&").length : 0;
    if (fields > data.max_fields || query.length > data.max_chars) {
      window.__iepBrowser.setStateValue("dropped_link", { fields: fields, chars: query.length });
    }
  } catch (err) {
    console.warn("link size check skipped", err);  // never break the page over a warning
  }

  // 2. A page link clicked while an edit is uncommitted.
  let edited = false;
  document.addEventListener("input", (e) => {
    if (e.target.matches && e.target.matches("input, textarea")) edited = true;
  }, true);
  document.addEventListener("keydown", (e) => { if (e.key === "Enter") edited = false; }, true);
  const running = () => document.querySelector("[data-testid=stStatusWidget]")
    || document.querySelector("[data-stale=true]");
  document.addEventListener("click", (e) => {
    const link = e.target.closest && e.target.closest(
      "[data-testid=stSidebarNav] a[href], [data-testid=stSidebarNavItems] a[href], [data-testid=stPageLink] a[href]");
    if (!link || !edited || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    edited = false;
    e.preventDefault();
    e.stopImmediatePropagation();
    const page = new URL(link.href, window.location.href).pathname;
    const started = performance.now();
    let sawRun = false;
    const handOver = () => {
      const waited = performance.now() - started;
      sawRun = sawRun || Boolean(running());
      // after the blur's run has finished (the page then holds every widget's new value: a trigger sent
      // earlier would carry a twin widget's old value back), or when no run started within a second
      if ((sawRun && !running()) || (!sawRun && waited > 1000) || waited > 15000) {
        window.__iepBrowser.setTriggerValue("navigate", page);
      } else {
        setTimeout(handOver, 20);
      }
    };
    handOver();
  }, true);
}
"""

_component = st.components.v2.component("iep_browser", js=_JS)


def _noop() -> None:
    """Registers the component's values as state (Streamlit reruns when they change)."""


def _dropped() -> None:
    link = st.session_state[KEY].get("dropped_link") if KEY in st.session_state else None
    if link:
        st.session_state[state.URL_DROPPED] = dict(link)


def run() -> str | None:
    """Mount the script (in the sidebar, where its empty element takes no room); returns the path of a
    page link the user clicked right after an edit ('/tco'), else None."""
    with st.sidebar:
        result = _component(key=KEY, data={"max_fields": MAX_LINK_FIELDS, "max_chars": MAX_LINK_CHARS},
                            on_dropped_link_change=_dropped, on_navigate_change=_noop, height=0)
    target = getattr(result, "navigate", None)
    return target if isinstance(target, str) else None


def dropped_link_message(fields: int, chars: int) -> str:
    """Why a link opened the default scenario, naming Streamlit's limits."""
    size = (f"{fields:,} parameters" if fields > MAX_LINK_FIELDS
            else f"{chars:,} characters of parameters")
    return (f"This link was ignored and the default scenario opened instead: it has {size}, and the app "
            f"reads at most {MAX_LINK_FIELDS:,} parameters and {MAX_LINK_CHARS:,} characters (a limit of "
            "Streamlit, the web framework). A link the app writes holds only the fields that differ from "
            "the preset: copy it from the Report page.")


def show_dropped_link() -> None:
    link = st.session_state.get(state.URL_DROPPED)
    if link:
        st.warning(md(dropped_link_message(int(link.get("fields", 0)), int(link.get("chars", 0))), 600), icon="⚠️")
