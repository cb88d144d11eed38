"""The scenario form: widgets grouped as a CTO thinks (workload, latency, model, constraints,
finance), each with its unit, help from the Scenario's BOUNDS reasons and those bounds as limits.

Widgets use `_`-prefixed keys and never own the value: every run seeds them from the
canonical scenario, and their on_change copies the new value back (ui.state.with_field).
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

import streamlit as st

from engine.capacity.demand import demand
from engine.catalog.catalog import load_catalog
from engine.scenario.schema import (ACCELERATOR_QUOTE_BOUNDS, API_DISCOUNT_BOUNDS, API_QUOTE_BOUNDS, BOUNDS,
                                    DECIDE_ON, DEPLOYMENTS, KV_CACHE_PRECISIONS, LATENCY_TIERS, PRICINGS)
from present.formatting import count
from present.labels import DECIDE_ON_LABELS, DEPLOYMENT_LABELS, PRICING_LABELS, TIER_LABELS
from ui import state, url
from ui.safe import md

GROUPS = ("Workload", "Latency", "Model", "Constraints", "Finance", "Roadmap assumptions")


@dataclass(frozen=True)
class Field:
    key: str  # dotted Scenario path
    label: str  # with the unit
    step: float | None = None
    fmt: str | None = None
    integer: bool = False
    help: str = ""  # for fields without BOUNDS
    percent: bool = False  # a share (0.4 in the scenario) typed and shown as a percentage (40)


NUMBER_FIELDS: dict[str, tuple[Field, ...]] = {
    "Workload": (
        Field("workload.daily_active_users", "Daily active users", 1000, "%d", True),
        Field("workload.queries_per_user_per_day", "Queries per user per day", 0.5, "%.2f"),
        Field("workload.agent_calls_per_query", "Model calls per query (agent fan-out)", 1.0, "%.1f"),
        Field("workload.input_tokens_per_call", "Input tokens per call", 100, "%d", True),
        Field("workload.output_tokens_per_call", "Output tokens per call", 50, "%d", True),
        Field("workload.reasoning_tokens_per_call", "Reasoning tokens per call", 100, "%d", True),
        Field("workload.shared_prefix_fraction", "Shared prompt prefix (%)", 0.05, "%.0f", percent=True),
        Field("workload.peak_to_average_ratio", "Peak-to-average load (x)", 0.5, "%.1f"),
        Field("workload.offline_fraction", "Offline, batchable calls (%)", 0.05, "%.0f", percent=True),
        Field("workload.offline_window_hours", "Offline work must finish within (hours a day)", 1.0, "%.1f"),
    ),
    "Latency": (
        Field("latency.ttft_p95_ms", "Time to first token, p95 (ms)", 50.0, "%.0f"),
        Field("latency.min_output_tokens_per_s_per_user", "Minimum speed per user (tokens/s)", 5.0, "%.1f"),
    ),
    "Model": (
        Field("model.quality_floor", "Quality floor (LMArena text score, optional)", 1.0, "%.0f"),
    ),
    "Constraints": (
        Field("constraints.availability_target", "Availability target (%)", 0.0001, "%.3f", percent=True),
        Field("constraints.headroom_fraction", "Headroom above peak (%)", 0.05, "%.0f", percent=True),
        Field("constraints.power_cap_kw", "Power cap for owned fleets (IT kW, optional)", 10.0, "%.1f"),
    ),
    "Finance": (
        Field("finance.horizon_months", "Horizon (months)", 6, "%d", True),
        Field("finance.monthly_growth", "Usage growth per month (%)", 0.01, "%.1f", percent=True),
        Field("finance.yearly_price_decline", "Price decline per year (%)", 0.05, "%.0f", percent=True),
        Field("finance.electricity_usd_per_kwh", "Electricity (USD/kWh)", 0.01, "%.3f"),
        Field("finance.pue", "Data-centre PUE (x)", 0.05, "%.2f"),
        Field("finance.amortization_years", "Amortization (years)", 1, "%d", True),
        Field("finance.engineer_cost_usd_per_year", "Engineer cost (USD/year, fully loaded)", 10_000.0, "%.0f"),
        Field("finance.one_time_model_cost_usd", "One-time model cost (USD)", 10_000.0, "%.0f"),
        Field("finance.software_licence_usd_per_accelerator_year", "Software licence (USD per NVIDIA GPU-year)",
              500.0, "%.0f"),
        Field("finance.software_efficiency_gain_per_year", "Self-hosted software speed-up per year (%)",
              0.01, "%.0f", percent=True),
    ),
    "Roadmap assumptions": (
        Field("levers.response_cache_hit_rate", "Response-cache hit rate (%)", 0.05, "%.0f", percent=True),
        Field("levers.small_model_routing_share", "Calls routable to a small model (%)", 0.05, "%.0f", percent=True),
        Field("levers.prompt_trim_fraction", "Prompt tokens trimmable (%)", 0.05, "%.0f", percent=True),
        Field("levers.agent_call_reduction", "Agent calls removable (%)", 0.05, "%.0f", percent=True),
        Field("levers.output_cap_fraction", "Output tokens cut by caps (%)", 0.05, "%.0f", percent=True),
        Field("levers.on_device_share", "Calls servable on device (%)", 0.05, "%.0f", percent=True),
        Field("levers.substitute_reasoning_tokens_per_call", "Reasoning tokens of a substitute reasoning model",
              50, "%d", True),
        Field("levers.speculative_acceptance_rate", "Speculative acceptance rate (%)", 0.05, "%.0f", percent=True),
        Field("levers.speculative_draft_tokens", "Speculative draft tokens", 1, "%d", True),
    ),
}
INTEGER_FIELDS = {f.key: f for fields in NUMBER_FIELDS.values() for f in fields if f.integer}
PERCENT_FIELDS = {f.key: f for fields in NUMBER_FIELDS.values() for f in fields if f.percent}
PERCENT = 100.0  # a share of 0.4 is typed and shown as 40 (%); links, YAML and the engine keep the share
FORM_NOTE = "form_note"  # a value that was applied after rounding, said once
SWITCHES = (("levers.prefix_caching", "Prefix caching on", "Reuse the KV cache of the shared prompt prefix."),
            ("levers.speculative_decoding", "Speculative decoding on", "Draft and verify several tokens per step."))

KV_LABELS = {"bf16": "BF16 (full precision)", "fp8": "FP8 (half the memory)"}


def widget_key(key: str, prefix: str = "") -> str:
    """A widget's own key; `prefix` tells apart a second widget for the same field (the what-if)."""
    return f"_{prefix}{key}"


def bounds_help(key: str, unit: str = "") -> str:
    low, high, why = BOUNDS[key]
    if key in PERCENT_FIELDS:
        return f"{why[0].upper()}{why[1:]}, in percent. Allowed {low * PERCENT:,g}% to {high * PERCENT:,g}%."
    return f"{why[0].upper()}{why[1:]}. Allowed {low:,g} to {high:,g}{(' ' + unit) if unit else ''}."


# Thousands separators as people type them: 50,000 or 50 000 (groups of three only, so that a
# decimal comma such as 1,5 is refused instead of read as 15).
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:([, \u00a0\u202f])\d{3})(?:\1\d{3})*(?:\.\d*)?$")


def parse_integer(text: str, label: str, key: str) -> tuple[int, str]:
    """A whole number as typed in the form: `1e5`, `50,000`, `50 000`, `12.7` (rounded, with a note).

    Returns the value and a note ("" unless the value was rounded). Raises ValueError naming
    the field, what was typed and the allowed range, for text that is not a number, not
    finite, or outside the field's bounds.
    """
    low, high, _ = BOUNDS[key]
    allowed = f"allowed {int(low):,} to {int(high):,}, a whole number"
    typed = text.strip()
    shown = typed if len(typed) <= 40 else typed[:40] + "…"
    plain = typed.replace("_", "")
    if _GROUPED.match(plain):
        plain = re.sub(r"[, \u00a0\u202f]", "", plain)
    try:
        number = float(plain)
    except ValueError:
        raise ValueError(f"{label} ({key}) = '{shown}' is not a number; {allowed} "
                         "(1e5, 100000 and 100,000 are read alike)") from None
    if not math.isfinite(number):
        raise ValueError(f"{label} ({key}) = '{shown}' is not a finite number; {allowed}")
    value = math.floor(number + 0.5)
    if not low <= value <= high:
        raise ValueError(f"{label} ({key}) = '{shown}' is out of range; {allowed}")
    note = f"{label}: {shown} is not a whole number, rounded to {value:,}." if value != number else ""
    return int(value), note


# What a bound's reason cannot say: the rule behind a field (one definition: engine/money/substitutes.py).
EXTRA_HELP = {
    "model.quality_floor": " With a floor, every catalog model scoring at least this much is priced beside the chosen "
                           "one, open or closed; the chosen closed model's smaller tier without a score (e.g. a new "
                           "Haiku) is listed as 'quality not indexed: test before switching', never recommended; other "
                           "models without a score are left out. The Providers page lists each model and why.",
}


# A field can have two widgets (the what-if box beside the answer and the full form). After one commits, the
# page run re-seeds the other, but a rerun the browser sends right after (a page link clicked as the edit was
# committed, a second quick edit) can still carry the other widget's old value, which Streamlit reports as a
# change: it would undo the edit. So the last commit is kept for the run that follows it (at most
# ECHO_WINDOW_S), and the other widget's old value arriving then is that stale echo, not an edit.
LAST_COMMIT = "_form_last_commit"  # a _Commit in st.session_state
ECHO_WINDOW_S = 2.0


@dataclass
class _Commit:
    field: str  # dotted Scenario path
    prefix: str  # the widget's (widget_key)
    replaced: object  # the field's value before the commit
    at_s: float  # time.monotonic() of the commit
    runs_finished: int = 0  # complete page runs since


def _commit(key: str, prefix: str = "") -> None:
    """on_change: copy the widget's value into the canonical scenario (or keep it and say why)."""
    value = st.session_state[widget_key(key, prefix)]
    st.session_state[FORM_NOTE] = ""
    note = ""
    if key in INTEGER_FIELDS:
        try:
            value, note = parse_integer(str(value), INTEGER_FIELDS[key].label, key)
        except ValueError as exc:
            st.session_state[state.FORM_ERROR] = str(exc)
            return
    if isinstance(value, list):
        value = tuple(value)
    if key in PERCENT_FIELDS and value is not None:
        value = _share(float(value))
    if key == "model.quality_floor" and value is not None:
        value = float(value)
    last = st.session_state.get(LAST_COMMIT)
    if (last is not None and last.field == key and last.prefix != prefix and last.replaced == value
            and time.monotonic() - last.at_s <= ECHO_WINDOW_S):
        return  # the other widget's stale value (see LAST_COMMIT), not an edit
    before = url.flatten(state.scenario()).get(key)
    try:
        state.set_scenario(state.with_field(state.scenario(), key, value))
    except ValueError as exc:
        st.session_state[state.FORM_ERROR] = str(exc)
        return
    st.session_state[LAST_COMMIT] = _Commit(key, prefix, before, time.monotonic())
    st.session_state[FORM_NOTE] = note


def page_run_finished() -> None:
    """Called at the end of every complete page run: a commit is kept through the run after its own."""
    last = st.session_state.get(LAST_COMMIT)
    if last is not None:
        last.runs_finished += 1
        if last.runs_finished >= 2 or time.monotonic() - last.at_s > ECHO_WINDOW_S:
            st.session_state.pop(LAST_COMMIT, None)


def _share(percent: float) -> float:
    """A percentage typed in the form as the share the scenario keeps (40 -> 0.4), without float noise."""
    return round(percent / PERCENT, 12)


def _seed(key: str, value, prefix: str = "") -> None:
    """Widgets show the canonical value on every run (a preset or link may have changed it)."""
    st.session_state[widget_key(key, prefix)] = list(value) if isinstance(value, tuple) else value


def _number(f: Field, current, prefix: str = "") -> None:
    low, high, _ = BOUNDS[f.key]
    if f.integer:
        # A text box, not st.number_input: the browser's integer box reads 1e5 as 1 and 12.7 as 12,
        # silently; parse_integer reads what people type and says when it refuses or rounds.
        _seed(f.key, f"{int(current):,}", prefix)
        st.text_input(f.label, key=widget_key(f.key, prefix), help=bounds_help(f.key) + " Whole number; 1e5 and 100,000 "
                      "are read as 100000.", on_change=_commit, args=(f.key, prefix))
        return
    if f.percent:  # shown x100, rounded so a share of 0.07 reads 7, not 7.000000000000001
        low, high, step = low * PERCENT, high * PERCENT, f.step * PERCENT
        _seed(f.key, None if current is None else round(float(current) * PERCENT, 9), prefix)
    else:
        step = f.step
        _seed(f.key, None if current is None else float(current), prefix)
    st.number_input(f.label, min_value=float(low), max_value=float(high), step=float(step),
                    format=f.fmt, key=widget_key(f.key, prefix), help=bounds_help(f.key) + EXTRA_HELP.get(f.key, ""),
                    on_change=_commit,
                    args=(f.key, prefix))


def number_field(key: str, prefix: str) -> None:
    """One number field of the form drawn elsewhere (the what-if beside the answer), under its own
    widget key and committed like the form's own."""
    f = next(f for fields in NUMBER_FIELDS.values() for f in fields if f.key == key)
    _number(f, url.flatten(state.scenario())[key], prefix)


def _text_list(key: str, label: str, current: tuple[str, ...], help: str) -> None:
    """A comma-separated list typed as text (the Scenario splits and validates it)."""
    st.session_state[widget_key(key)] = ", ".join(current)
    st.text_input(label, key=widget_key(key), help=help, on_change=_commit, args=(key,))


def _select(key: str, label: str, options: list[str], labels: dict[str, str], current, help: str) -> None:
    _seed(key, current)
    st.selectbox(label, options, format_func=lambda o: labels.get(o, o), key=widget_key(key), help=help,
                 on_change=_commit, args=(key,))


DEFAULT_PRESET_LABEL = "Default scenario (mid-size support assistant)"


def _preset_changed() -> None:
    state.request_preset(st.session_state["_preset"] or None)


def preset_picker() -> None:
    """The preset selectbox; picking another preset over edits asks before dropping them."""
    names = url.preset_names()
    options = [""] + list(names)
    st.session_state["_preset"] = state.preset() or ""
    st.selectbox("Start from a preset", options, key="_preset",
                 format_func=lambda s: names.get(s, DEFAULT_PRESET_LABEL),
                 on_change=_preset_changed,
                 help="Typical companies; each is also a shareable link (?preset=name). "
                      "Your edits are kept in the link as differences from it.")
    pending = state.pending_preset()
    if pending is None:
        return
    with st.container(border=True):
        st.warning(f"Switching to **{md(names.get(pending, DEFAULT_PRESET_LABEL))}** replaces the figures you "
                   "edited. Copy the link first (Report page) to keep them.", icon="⚠️")
        c1, c2 = st.columns(2)
        c1.button("Switch and drop my edits", key="_preset_confirm", on_click=state.apply_preset,
                  args=(pending or None,), type="primary", width="stretch")
        c2.button("Keep my edits", key="_preset_cancel", on_click=state.cancel_preset, width="stretch")


FORM_TAB = "_form_tab"  # the open tab's label (st.session_state; tests open a tab through it)


def scenario_form() -> None:
    """The whole form, one tab per group; only the open tab's widgets are drawn.

    Every edit reruns the page and each widget costs the browser a re-render: drawing the open tab
    only (about 10 widgets instead of 50) keeps an edit's rerun light. Switching tab is a rerun of
    its own; the plan is cached, and every widget is seeded from the scenario, so nothing is lost.
    """
    s = state.scenario()
    flat = url.flatten(s)
    catalog = load_catalog()
    tabs = st.tabs(list(GROUPS), key=FORM_TAB, on_change="rerun")
    if tabs[0].open:
        _columns(NUMBER_FIELDS["Workload"], flat)
        st.caption(f"{count(demand(s).queries_per_day)} queries "
                   "per day as entered.")
    if tabs[1].open:
        _select("latency.tier", "Latency tier", list(LATENCY_TIERS), TIER_LABELS, s.latency.tier,
                "Fills the two targets below with the tier's defaults; both stay editable.")
        _columns(NUMBER_FIELDS["Latency"], flat)
    if tabs[2].open:
        models = sorted(catalog.models.values(), key=lambda m: m.name)
        labels = {m.id: f"{m.name}{'' if m.open_weights else ' (closed, API only)'}" for m in models}
        _select("model.id", "Model", [m.id for m in models], labels, s.model.id,
                "Open-weight models can be self-hosted; closed ones only through their API.")
        _columns(NUMBER_FIELDS["Model"], flat)
        c1, c2 = st.columns(2)
        with c1:
            _seed("model.allow_4bit_weights", s.model.allow_4bit_weights)
            st.checkbox("Allow 4-bit weights", key=widget_key("model.allow_4bit_weights"), on_change=_commit,
                        args=("model.allow_4bit_weights",),
                        help="INT4/FP4 weights halve memory and speed up decode, at some quality risk.")
        with c2:
            _select("model.kv_cache_precision", "KV-cache precision", list(KV_CACHE_PRECISIONS), KV_LABELS,
                    s.model.kv_cache_precision, "Precision of the attention cache; FP8 doubles the sequences held.")
    if tabs[3].open:
        _select("constraints.deployment", "Where it may run", list(DEPLOYMENTS), DEPLOYMENT_LABELS,
                s.constraints.deployment, "On-prem rules out APIs and cloud-only silicon.")
        vendors = sorted({h.vendor for h in catalog.hardware.values()})
        _seed("constraints.allowed_vendors", s.constraints.allowed_vendors)
        st.multiselect("Allowed hardware vendors (empty = all)", vendors, key=widget_key("constraints.allowed_vendors"),
                       on_change=_commit, args=("constraints.allowed_vendors",),
                       help="Restrict self-hosting to these accelerator vendors.")
        _columns(NUMBER_FIELDS["Constraints"], flat)
    if tabs[4].open:
        _select("finance.pricing", "Cloud pricing", list(PRICINGS), PRICING_LABELS, s.finance.pricing,
                "On-demand or a reserved commitment for rented accelerators.")
        _select("finance.decide_on", "Rank options on", list(DECIDE_ON), DECIDE_ON_LABELS, s.finance.decide_on,
                "The total over the horizon (growth, price decline, purchases, the delivery bridge) or this "
                "month's bill.")
        _columns(NUMBER_FIELDS["Finance"], flat)
        st.caption("Beyond list prices: API prices below replace the providers' published ones everywhere "
                   "(monthly cost, horizon, uncertainty, roadmap) and the option's price basis says so.")
        c1, c2 = st.columns(2)
        with c1:
            _text_list("finance.api_discounts", "Negotiated API discounts (provider:fraction)", s.finance.api_discounts,
                       "Comma-separated, e.g. anthropic:0.15, together:0.1 takes 15% and 10% off those providers' "
                       f"list token prices. Allowed {API_DISCOUNT_BOUNDS[0]:g} to {API_DISCOUNT_BOUNDS[1]:g}.")
        with c2:
            _text_list("finance.api_quote_usd_per_mtok", "Your own API quotes (provider:model:input:output, USD per "
                       "M tokens)", s.finance.api_quote_usd_per_mtok,
                       "Comma-separated, e.g. together:llama-3.3-70b:0.6:0.6 replaces that provider's list price "
                       f"for that model. Allowed {API_QUOTE_BOUNDS[0]:g} to {API_QUOTE_BOUNDS[1]:,g} USD per "
                       "million tokens.")
        _text_list("finance.accelerator_quote_usd_per_hour", "Your own rental quotes (accelerator:USD per hour)",
                   s.finance.accelerator_quote_usd_per_hour,
                   "Comma-separated, e.g. h100-sxm:1.85 replaces the catalog's rental price of that accelerator at "
                   f"every commitment. Allowed {ACCELERATOR_QUOTE_BOUNDS[0]:g} to {ACCELERATOR_QUOTE_BOUNDS[1]:g} USD "
                   "per accelerator-hour.")
    if tabs[5].open:
        st.caption("The roadmap's savings rest on these assumptions; put in your own. "
                   "The switches describe what you run today (the roadmap turns them on).")
        cols = st.columns(3)
        for i, (key, label, help_text) in enumerate(SWITCHES):
            with cols[i]:
                _seed(key, flat[key])
                st.checkbox(label, key=widget_key(key), on_change=_commit, args=(key,), help=help_text)
        _columns(NUMBER_FIELDS["Roadmap assumptions"], flat)
    note = st.session_state.get(FORM_NOTE)
    if note:
        st.info(md(note, 300))
    error = st.session_state.get(state.FORM_ERROR)
    if error:
        st.error(f"That value was not applied: {md(error, 500)}")


def _columns(fields: tuple[Field, ...], flat: dict) -> None:
    cols = st.columns(3)
    for i, f in enumerate(fields):
        with cols[i % 3]:
            _number(f, flat[f.key])
