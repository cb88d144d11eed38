"""Saved scenarios for the Compare page: kept under our own key in st.session_state, each with the
link that reproduces it, downloadable and uploadable as YAML; the comparison itself is
engine.compare (pure Python), drawn here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from engine.catalog.catalog import load_catalog
from engine.compare import Comparison
from engine.scenario.schema import Scenario
from present import formatting as fmt
from present.labels import (DECIDE_ON_LABELS, DEPLOYMENT_LABELS, EVIDENCE_LABELS, PRICING_LABELS, TIER_LABELS,
                            identifier_label, kind_label)
from ui import state, url

SAVED = "saved_scenarios"  # name -> Saved, in the order saved
MAX_SAVED = 8
MAX_NAME_CHARS = 60
MAX_UPLOAD_BYTES = 64_000  # a scenario file is ~2 kB; anything far larger is not one


@dataclass(frozen=True)
class Saved:
    scenario: Scenario
    preset: str | None  # the preset it started from: its link lists only the fields that differ


def saved() -> dict[str, Saved]:
    return st.session_state.setdefault(SAVED, {})


def check_name(name: str) -> str:
    """The name to save under, stripped; raises ValueError saying what is allowed."""
    name = " ".join(str(name).split())
    if not name:
        raise ValueError("name: type a name to save the scenario under")
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"name: at most {MAX_NAME_CHARS} characters, got {len(name)}")
    return name


def save(name: str, scenario: Scenario, preset: str | None) -> str:
    """Keep `scenario` under `name` (replacing one of that name); returns the name used.

    Raises ValueError when the name is empty or too long, or MAX_SAVED scenarios are kept already.
    """
    name = check_name(name)
    kept = saved()
    if name not in kept and len(kept) >= MAX_SAVED:
        raise ValueError(f"at most {MAX_SAVED} saved scenarios: remove one first")
    kept[name] = Saved(scenario, preset)
    return name


def link_params(item: Saved) -> dict[str, str]:
    """The query that reopens the saved scenario (the same codec as the address bar)."""
    return url.to_params(item.scenario, item.preset)


def parse_upload(data: bytes) -> Scenario:
    """A scenario file, validated like a preset. Raises ValueError naming the field that is wrong."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(f"the file is {len(data):,} bytes; a scenario file is at most {MAX_UPLOAD_BYTES:,}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text: save the scenario as YAML") from None
    try:  # the hardened loader (size, depth, aliases), where it has landed
        from engine.scenario.yaml_io import scenario_from_yaml  # noqa: PLC0415
    except ImportError:
        scenario_from_yaml = Scenario.from_yaml
    scenario = scenario_from_yaml(text)
    if scenario.model.id not in load_catalog().models:
        raise ValueError(f"model.id: {scenario.model.id[:40]!r} is not a model in the catalog")
    return scenario


# --- display ------------------------------------------------------------------------

def _field_labels() -> dict[str, str]:
    from ui.form import NUMBER_FIELDS  # noqa: PLC0415  (the form's labels, with units)
    labels = {f.key: f.label for fields in NUMBER_FIELDS.values() for f in fields}
    labels.update({"latency.tier": "Latency tier", "model.id": "Model", "constraints.deployment": "Where it may run",
                   "constraints.allowed_vendors": "Allowed hardware vendors", "finance.pricing": "Cloud pricing",
                   "finance.decide_on": "Rank options on", "model.allow_4bit_weights": "Allow 4-bit weights",
                   "model.kv_cache_precision": "KV-cache precision"})
    return labels


def field_label(key: str) -> str:
    return _field_labels().get(key) or identifier_label(key.split(".")[-1])


_CHOICES = {"latency.tier": TIER_LABELS, "constraints.deployment": DEPLOYMENT_LABELS,
            "finance.pricing": PRICING_LABELS, "finance.decide_on": DECIDE_ON_LABELS}


def value_text(key: str, value: Any) -> str:
    if value is None:
        return fmt.MISSING
    if key in _CHOICES:
        return _CHOICES[key].get(value, value)
    if key == "model.id":
        model = load_catalog().models.get(value)
        return model.name if model else str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "all"
    from ui.form import PERCENT_FIELDS  # noqa: PLC0415  (shares read as the form shows them)
    if key in PERCENT_FIELDS and isinstance(value, (int, float)):
        return fmt.percent_short(value, 3)
    if isinstance(value, (bool, int, float)):
        return fmt.number(value)
    return str(value)


def _evidence(figure: str, evidence: str | None) -> str:
    return figure if evidence is None or figure == fmt.MISSING else f"{figure} ({EVIDENCE_LABELS.get(evidence, evidence)})"


def _delta_usd(value: float | None, fraction: float | None = None) -> str:
    if value is None:
        return fmt.MISSING
    text = ("+" if value > 0 else "") + fmt.usd(value)
    return text + (f" ({fmt.signed_percent(fraction, 0)})" if fraction is not None else "")


def answers_table(c: Comparison) -> pd.DataFrame:
    """One column per scenario, one row per figure; the delta rows read against the first column."""
    first = c.answers[0].label
    rows: dict[str, list[str]] = {
        "Recommendation": [a.option_name or "None meets the targets" for a in c.answers],
        "Kind": [kind_label(a.option_kind) if a.option_kind else fmt.MISSING for a in c.answers],
        "Month 1 (as paid)": [fmt.usd_per_month(a.month_1_usd) for a in c.answers],
        "Over the horizon": [f"{fmt.usd(a.horizon_usd)} over {a.horizon_months} months" if a.horizon_usd is not None
                             else fmt.MISSING for a in c.answers],
        "Upfront cash": [fmt.usd(a.upfront_cash_usd) for a in c.answers],
        "First token (p95)": [_evidence(fmt.ms(a.ttft_ms), a.ttft_evidence) for a in c.answers],
        "Speed per user": [_evidence(fmt.tok_per_s(a.output_tokens_per_s_per_user), a.speed_evidence)
                           for a in c.answers],
        "Evidence": [("verified (no assumed figure)" if a.verified else "unverified: rests on an assumed figure")
                     if a.option_id else fmt.MISSING for a in c.answers],
        f"Month 1 vs {first}": [fmt.MISSING if i == 0 else _delta_usd(d.month_1_usd, d.month_1_fraction)
                                for i, d in enumerate(c.deltas)],
        f"Horizon vs {first}": [fmt.MISSING if i == 0 else _delta_usd(d.horizon_usd) for i, d in enumerate(c.deltas)],
        f"Upfront cash vs {first}": [fmt.MISSING if i == 0 else _delta_usd(d.upfront_cash_usd)
                                     for i, d in enumerate(c.deltas)],
    }
    df = pd.DataFrame(rows, index=[a.label for a in c.answers]).T
    df.index.name = "Figure"
    return df.reset_index()


def differences_table(c: Comparison) -> pd.DataFrame | None:
    if not c.differences:
        return None
    df = pd.DataFrame({a.label: [value_text(d.field, d.values[i]) for d in c.differences]
                       for i, a in enumerate(c.answers)})
    df.insert(0, "Input", [field_label(d.field) for d in c.differences])
    return df


def plan_of(item: Saved):
    """The saved scenario's plan through the app's cache (None, with the reason shown, if it cannot be planned)."""
    return state.plan_for(item.scenario)


def month_1_delta_text(delta) -> str:
    """The metric's delta: '+$3.2k / month (+42%)' against the first scenario."""
    if delta.month_1_usd is None:
        return fmt.MISSING
    text = ("+" if delta.month_1_usd > 0 else "") + fmt.usd_per_month(delta.month_1_usd)
    return text + (f" ({fmt.signed_percent(delta.month_1_fraction, 0)})" if delta.month_1_fraction is not None else "")
