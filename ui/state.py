"""The canonical scenario in st.session_state, the URL sync around it, and the cached plan.

`st.session_state["scenario"]` holds the one Scenario every page reads; widgets keep
their own `_`-prefixed keys and copy into it in their on_change callbacks. The URL is
read once per session and written back on every run (a sidebar page link drops it).
"""
from __future__ import annotations

import datetime as dt
import importlib
import inspect
import threading

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from engine.physics.calibration import ReportedAccuracy, load_cases, reported_accuracy, run_all, summaries
from engine.catalog.catalog import load_catalog
from engine.capacity.curves import throughput_curves
from engine.flips import TokenFlips
from engine.plan import Plan, add_sensitivity, plan
from engine.token_flips import token_flips
from engine.scenario.schema import DEFAULT_SCENARIO, LATENCY_TIERS, Scenario
from ui import url, worker
from ui.safe import md

SCENARIO = "scenario"
PRESET = "preset"
URL_PROBLEMS = "url_problems"
FORM_ERROR = "form_error"
PENDING_PRESET = "pending_preset"
URL_DROPPED = "url_dropped"  # a link Streamlit refused whole (ui.browser): its size, until the user edits


def require_router() -> None:
    """Hand a page run that skipped app.py back to the router.

    With a `pages/` folder, Streamlit runs a fresh process's first script run (and every
    AppTest run) through its v1 multipage fallback, which executes a deep-linked page
    file directly. st.navigation turns that fallback off; doing it here and rerunning
    makes app.py (URL sync, navigation) run first, as on every other run.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# --- canonical state ------------------------------------------------------------------

def init_from_url() -> None:
    """First run of a session: the scenario from the link (bad parameters named, not fatal)."""
    if SCENARIO in st.session_state:
        return
    parsed = url.from_params(st.query_params.to_dict())
    st.session_state[SCENARIO] = parsed.scenario
    st.session_state[PRESET] = parsed.preset
    st.session_state[URL_PROBLEMS] = list(parsed.problems)


def scenario() -> Scenario:
    return st.session_state.get(SCENARIO, DEFAULT_SCENARIO)


def preset() -> str | None:
    return st.session_state.get(PRESET)


def set_scenario(new: Scenario) -> None:
    st.session_state[SCENARIO] = new
    st.session_state[URL_PROBLEMS] = []  # the link's problems are history once the user edits
    st.session_state.pop(URL_DROPPED, None)
    st.session_state[FORM_ERROR] = ""


def apply_preset(slug: str | None) -> None:
    st.session_state[PRESET] = slug or None
    st.session_state.pop(PENDING_PRESET, None)
    set_scenario(url.base_scenario(slug or None))


def has_edits() -> bool:
    """Whether the scenario differs from the preset it started from (edits a preset switch would drop)."""
    try:
        return scenario() != url.base_scenario(preset())
    except ValueError:  # the preset file went away or broke since: nothing to compare with, keep the edits
        return True


def request_preset(slug: str | None) -> None:
    """Switch preset at once when nothing was edited; with edits, hold the switch until the user
    confirms (the form shows the question), so a stray pick never drops typed figures."""
    if (slug or None) == preset():
        st.session_state.pop(PENDING_PRESET, None)
    elif has_edits():
        st.session_state[PENDING_PRESET] = slug or ""
    else:
        apply_preset(slug)


def pending_preset() -> str | None:
    """The preset the user picked over unsaved edits, awaiting confirmation ("" = the default)."""
    return st.session_state.get(PENDING_PRESET)


def cancel_preset() -> None:
    st.session_state.pop(PENDING_PRESET, None)


def with_field(current: Scenario, key: str, value) -> Scenario:
    """A copy of `current` with one dotted field changed; a new tier brings its SLO defaults.

    Raises ValueError (naming the field) when the value is not allowed.
    """
    flat = url.flatten(current)
    flat[key] = value
    if key == "latency.tier":
        for slo in url.SLO_FIELDS:
            flat[slo] = LATENCY_TIERS[value][slo.split(".")[1]]
    return Scenario.from_dict(url.unflatten(flat))


def share_params() -> dict[str, str]:
    return url.to_params(scenario(), preset())


def write_url() -> None:
    """Every run: the address bar holds the scenario, whatever page the user came from."""
    params = share_params()
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def share_link(page_path: str = "", params: dict[str, str] | None = None) -> str:
    """The link that reproduces the scenario (or the one `params` encode), opening on the Scenario page."""
    from urllib.parse import urlencode
    base = (st.context.url or "http://localhost:8501/").split("?")[0]
    if page_path and base.rstrip("/").endswith("/" + page_path):
        base = base.rstrip("/")[: -len(page_path)]
    if not base.endswith("/"):
        base += "/"
    return f"{base}?{urlencode(share_params() if params is None else params)}"


def show_broken_presets() -> None:
    broken = url.broken_presets()
    if broken:
        st.warning("Some preset files could not be read and are left out: " + "; ".join(md(b, 300) for b in broken),
                   icon="⚠️")


def show_url_warning() -> None:
    problems = st.session_state.get(URL_PROBLEMS) or []
    if problems:
        st.warning("Some link parameters were ignored and their preset values used instead: "
                   + "; ".join(md(p, 300) for p in problems), icon="⚠️")


_WARMED = threading.Event()
WARM_MODULES = ("pandas.io.formats.style", "plotly.graph_objects", "plotly.io", "ui.charts", "ui.tables")


def warm_up() -> None:
    """Once per process, after the first page is drawn: import what the table and chart pages
    need (pandas' Styler pulls in jinja2, ~0.5 s) in the background, not while a user waits."""
    if _WARMED.is_set():
        return
    _WARMED.set()

    def load() -> None:
        for name in WARM_MODULES:
            importlib.import_module(name)

    threading.Thread(target=load, daemon=True).start()
    worker.start()


# --- cached engine results ------------------------------------------------------------

# The roadmap re-plans every lever (about half of plan()'s time): only the screens that show it ask for it.
_ROADMAP_OPTIONAL = "with_roadmap" in inspect.signature(plan).parameters

# st.cache_data pickles a hit (a Plan is ~110 kB: about 1 ms each way), so every session gets its own copy.
@st.cache_data(max_entries=128, show_spinner=False)
def _core_plan(scenario_yaml: str, price_date: str) -> Plan:
    return plan(Scenario.from_yaml(scenario_yaml), price_date=dt.date.fromisoformat(price_date), with_roadmap=False,
                with_sensitivity=False)


@st.cache_data(max_entries=128, show_spinner=False)
def _plan(scenario_yaml: str, price_date: str, with_roadmap: bool = False) -> Plan:
    if not with_roadmap:  # the core plan is usually cached already (the Scenario page drew it)
        return worker.run(add_sensitivity, _core_plan(scenario_yaml, price_date))
    kwargs = {"with_roadmap": with_roadmap} if _ROADMAP_OPTIONAL else {}
    return worker.run(plan, Scenario.from_yaml(scenario_yaml), price_date=dt.date.fromisoformat(price_date), **kwargs)


@st.cache_data(max_entries=128, show_spinner=False)
def _what_moves(scenario_yaml: str, price_date: str) -> Plan:
    return worker.run(add_sensitivity, _core_plan(scenario_yaml, price_date), every_band=False)


def _current(cached, *args) -> Plan | None:
    """`cached(scenario_yaml, price_date, *args)` for the current scenario, or None with the reason shown."""
    try:
        return cached(scenario().to_yaml(), dt.date.today().isoformat(), *args)
    except ValueError as exc:
        st.error(f"This scenario cannot be planned: {md(exc, 500)}")
        return None


def what_moves_plan() -> Plan | None:
    """The current scenario's plan with what flips it and the recommended option's tornado, without every
    option's Monte Carlo band (`uncertainty.every_option` False): what the Scenario page shows beside the
    answer, in about half the time of the full plan. None with the reason shown."""
    return _current(_what_moves)


def current_plan(with_roadmap: bool = False) -> Plan | None:
    """The plan of the current scenario (cached by its YAML and today's date), or None with the reason shown."""
    return _current(_plan, with_roadmap)


def headline_plan() -> Plan | None:
    """The current scenario's plan without what flips it and the bands (`uncertainty` is None): every
    figure of the headline, in about a seventh of the time. None with the reason shown."""
    return _current(_core_plan)


def plan_for(other: Scenario) -> Plan | None:
    """The plan of any scenario (a saved one on the Compare page), through the same cache."""
    try:
        return _plan(other.to_yaml(), dt.date.today().isoformat())
    except ValueError as exc:
        st.error(f"{md(other.name)} cannot be planned: {md(exc, 400)}")
        return None


# Tokens per call are searched by re-plans (engine/token_flips.py, about a second): only once asked for, and
# then kept for that scenario (a new scenario needs a new click).
TOKEN_FLIPS_FOR = "token_flips_for"


@st.cache_data(max_entries=32, show_spinner=False)
def _token_flips(scenario_yaml: str, price_date: str) -> TokenFlips:
    return token_flips(_plan(scenario_yaml, price_date))


def request_token_flips() -> None:
    st.session_state[TOKEN_FLIPS_FOR] = scenario().to_yaml()


def token_flips_requested() -> bool:
    return st.session_state.get(TOKEN_FLIPS_FOR) == scenario().to_yaml()


def current_token_flips() -> TokenFlips | None:
    """The token flips of the current scenario once asked for (request_token_flips), else None."""
    if not token_flips_requested():
        return None
    scenario_yaml = scenario().to_yaml()
    try:
        return _token_flips(scenario_yaml, dt.date.today().isoformat())
    except ValueError as exc:
        st.error(f"The token search stopped: {md(exc, 500)}")
        return None


@st.cache_data(max_entries=64, show_spinner=False)
def _curves(scenario_yaml: str, price_date: str) -> dict:
    s = Scenario.from_yaml(scenario_yaml)
    return throughput_curves(s, _plan(scenario_yaml, price_date).hardware_options)


def current_curves() -> dict:
    return _curves(scenario().to_yaml(), dt.date.today().isoformat())


@st.cache_resource(show_spinner=False)
def model_accuracy() -> ReportedAccuracy | None:
    """Out-of-sample and in-sample accuracy of the performance model (fixed data: computed once)."""
    return reported_accuracy()


@st.cache_resource(show_spinner=False)
def calibration_summaries() -> dict:
    """Accuracy of the performance model against measured benchmarks (fixed data: computed once)."""
    return summaries(run_all(load_catalog(), load_cases()))


# --- edits against the preset ----------------------------------------------------------

def changed_fields() -> list[str]:
    """The Scenario fields the user changed from the preset (or the default scenario), in form order."""
    return [k for k in share_params() if k not in (url.VERSION_KEY, url.PRESET_KEY)]


def reset_to_preset() -> None:
    """Back to the preset (or the default scenario) the edits started from."""
    apply_preset(preset())
