"""Display tables: engine records in, frames with plain column names out (no internal field names).

Numbers stay numeric so the tables sort; the column_config beside each frame formats them.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.physics.calibration import ReportedAccuracy, Summary
from engine.catalog.catalog import load_catalog
from engine.plan import Plan
from engine.catalog.retirements import load_retirements
from engine.money.api_speed import load_speeds
from engine.money.cost_model import load_assumptions
from engine.money.options import Option
from engine.recommend import DecisionRow
from present.formatting import MISSING, ms, tok_per_s, usd
from present.labels import (BAND_MODE_LABELS, EVIDENCE_LABELS, component_label, confidence_label, configuration_label,
                            identifier_label, kind_label, lock_in_label, residency_label, throughput_band_label)

GREY = "color: #9ca3af"


def percent_column(decimals: int = 1, **kwargs):
    """Fractions stay fractions in the frames (so they sort); Streamlit's "percent" format shows
    0.1234 as 12.3% (the step sets the decimals it keeps: 0.001 -> one decimal of a percent)."""
    return st.column_config.NumberColumn(format="percent", step=10.0 ** -(decimals + 2), **kwargs)


def _grey_rows(df: pd.DataFrame, usable: list[bool], money: tuple[str, ...] = ()):
    """Rows that cannot serve the scenario in grey; money in the one format (present.formatting.usd), unknown
    figures as a dash. The frame keeps numbers, so columns still sort by value."""
    flags = pd.Series(usable, index=df.index)
    styled = df.style.apply(lambda row: ["" if flags[row.name] else GREY] * len(row), axis=1)
    return styled.format({c: usd for c in money if c in df.columns}, na_rep=MISSING)


def _hardware_rows(plan: Plan) -> tuple[list[dict], list[bool], list[dict]]:
    """Per accelerator: the decisive figures, whether it can serve, and the configuration details."""
    by_id = {o.id: o for o in plan.options}
    stacks = load_catalog().stacks
    rows, usable, details = [], [], []
    for h in plan.hardware_options:
        rented, owned = by_id.get(f"cloud:{h.hardware}"), by_id.get(f"owned:{h.hardware}")
        config = configuration_label(h, stacks) if h.stack else ""
        note = h.reason if not h.feasible or h.specialized else ""
        if h.feasible and not note:
            for o in (rented, owned):
                if o is not None and not o.feasible:
                    note = f"{'Owning' if o.kind == 'owned' else 'Renting'}: {o.reason}"
        if h.feasible and owned is not None and owned.feasible and owned.accelerators != h.accelerators:
            whole = f"Owning: {owned.accelerators} bought in whole baseboards, {h.accelerators} carry the load"
            note = f"{whole}. {note}" if note else whole
        rows.append({
            "Accelerator": h.hardware_name,
            "Rented (USD/month)": rented.monthly_tco_usd if rented is not None and rented.feasible else None,
            "Owned (USD/month)": owned.monthly_tco_usd if owned is not None and owned.feasible else None,
            "Meets targets": ("Yes, modelled" if h.feasible and not h.specialized else
                              "Sold as a service" if h.specialized else "No"),
            "First token p95 (ms)": h.ttft_ms,
            "Tokens/s per user": h.output_tokens_per_s_per_user,
            "Evidence": _modelled_evidence(rented, owned) if h.feasible and not h.specialized else MISSING,
            "Why / note": note or ("Sold as a service (see Providers)" if h.specialized else ""),
        })
        details.append({
            "Accelerator": h.hardware_name,
            "Configuration": config or ("Sold as a service (see Providers)" if h.specialized else MISSING),
            "Accelerators": h.accelerators,
            "Batch per replica": h.batch_size,
            "Average utilization": h.utilization,
        })
        usable.append(h.feasible and not h.specialized)
    return rows, usable, details


def _modelled_evidence(*options: Option | None) -> str:
    """'modelled, −39% to +12% (held-out, H100 SXM + llama-3.1)': the throughput band its options share."""
    band = next((o.throughput_band for o in options if o is not None and o.throughput_band is not None), None)
    return f"{EVIDENCE_LABELS['modelled']}, {throughput_band_label(band)}" if band else EVIDENCE_LABELS["modelled"]


HARDWARE_MONEY = ("Rented (USD/month)", "Owned (USD/month)")


def hardware_table(plan: Plan):
    """One row per accelerator, decisive columns first: monthly cost rented and owned, whether it meets the
    targets, its first token and speed, the evidence, and why not (cheapest that serves first)."""
    rows, usable, _ = _hardware_rows(plan)
    df = pd.DataFrame(rows)
    order = sorted(range(len(df)), key=lambda i: (not usable[i], _cheapest(df.iloc[i])))
    df = df.iloc[order].reset_index(drop=True)
    usable = [usable[i] for i in order]
    config = {
        "Accelerator": st.column_config.TextColumn(width="medium", pinned=True),
        "First token p95 (ms)": st.column_config.NumberColumn(format="%,d"),
        "Tokens/s per user": st.column_config.NumberColumn(format="%.1f"),
        "Why / note": st.column_config.TextColumn(width="large"),
    }
    return _grey_rows(df, usable, HARDWARE_MONEY), config


def hardware_detail_table(plan: Plan):
    """The configuration behind each accelerator's row: serving stack, precision, parallelism, fleet, batch."""
    rows, usable, details = _hardware_rows(plan)
    order = sorted(range(len(rows)), key=lambda i: (not usable[i], _cheapest(pd.Series(rows[i]))))
    df = pd.DataFrame([details[i] for i in order])
    config = {
        "Accelerators": st.column_config.NumberColumn(format="%,d"),
        "Batch per replica": st.column_config.NumberColumn(format="%d"),
        "Average utilization": percent_column(0),
    }
    return df.style.format(na_rep=MISSING), config


def _cheapest(row: pd.Series) -> float:
    values = [v for v in (row["Rented (USD/month)"], row["Owned (USD/month)"]) if pd.notna(v)]
    return min(values) if values else float("inf")


def _slo_label(o: Option) -> str:
    if o.retired:
        return "Retired"
    if not o.feasible:
        return "Excluded"  # by the scenario's constraints, or no price (the Why column says which)
    if not o.usable:
        return "Fail"
    return "Pass" if o.verified else "Pass, unverified"


def _api_offers(plan: Plan) -> list[Option]:
    return sorted((o for o in plan.options if o.kind in ("api", "specialized")),
                  key=lambda o: (not o.usable, not o.feasible, o.monthly_tco_usd))


def provider_table(plan: Plan):
    """The decisive columns, narrow enough to read without scrolling sideways: the offer, its monthly
    cost, whether it meets the targets, its speed and first visible token, each with its evidence."""
    api = _api_offers(plan)
    rows = [{
        "Offer": o.name,
        "Monthly (USD)": o.monthly_tco_usd if o.feasible else None,
        "Meets targets": _slo_label(o),
        "Speed (tok/s per user)": o.output_tokens_per_s_per_user,
        "Speed evidence": EVIDENCE_LABELS.get(o.speed_evidence, o.speed_evidence),
        "First visible token (ms)": o.ttft_ms,
        "TTFT evidence": EVIDENCE_LABELS.get(o.ttft_evidence, o.ttft_evidence),
        "Why": o.reason,
    } for o in api]
    df = pd.DataFrame(rows)
    config = {
        "Offer": st.column_config.TextColumn(width="medium", pinned=True),
        "Speed (tok/s per user)": st.column_config.NumberColumn(format="%.0f"),
        "First visible token (ms)": st.column_config.NumberColumn(format="%,d"),
        "Why": st.column_config.TextColumn(width="large"),
    }
    return _grey_rows(df, [o.usable for o in api], ("Monthly (USD)",)) if rows else df, config


def provider_detail_table(plan: Plan):
    """Everything else about each offer: prices, how the prompt and the reasoning move the first
    token, why it passes or fails, and where each figure comes from."""
    api = _api_offers(plan)
    rows = []
    for o in api:
        q = o.api_quote
        rows.append({
            "Offer": o.name,
            "Kind": kind_label(o.kind),
            "Why": o.reason,
            "First token before reasoning (ms)": q.first_token_ms if q else None,
            "Prompt prefill (ms)": q.prefill_ms if q else None,
            "Hidden reasoning (ms)": q.reasoning_ms if q else None,
            "Input (USD per M tokens)": q.input_usd_per_mtok if q else None,
            "Cached input (USD per M tokens)": q.cached_input_usd_per_mtok if q else None,
            "Output (USD per M tokens)": q.output_usd_per_mtok if q else None,
            "Speed basis": q.speed_note if q else "",
            "TTFT basis": q.ttft_note if q else "",
            "Prompt-length effect": q.ttft_model_note if q else "",
            "Speed source": (q.speed_source if q else "") or "none published for this provider and model",
            "Speed as of": q.speed_as_of if q else "",
            "Price source": f"{o.basis}, priced {plan.price_data.price_date}",
        })
    df = pd.DataFrame(rows)
    config = {
        "Why": st.column_config.TextColumn(width="large"),
        "First token before reasoning (ms)": st.column_config.NumberColumn(format="%,d"),
        "Prompt prefill (ms)": st.column_config.NumberColumn(format="%,d"),
        "Hidden reasoning (ms)": st.column_config.NumberColumn(format="%,d"),
        "Input (USD per M tokens)": st.column_config.NumberColumn(format="$%.3f"),
        "Cached input (USD per M tokens)": st.column_config.NumberColumn(format="$%.3f"),
        "Output (USD per M tokens)": st.column_config.NumberColumn(format="$%.2f"),
    }
    return (df.style.format(na_rep=MISSING) if not df.empty else df), config


def options_csv(plan: Plan) -> str:
    """Every option with its unit costs and components, for a spreadsheet."""
    rows = []
    for o in plan.options:
        row = {"Option": o.name, "Kind": kind_label(o.kind), "Meets SLO": o.meets_slo, "Feasible": o.feasible,
               "Reason": o.reason, "Accelerators": o.accelerators, "TTFT ms": o.ttft_ms,
               "Tokens/s per user": o.output_tokens_per_s_per_user,
               "Monthly TCO USD": o.monthly_tco_usd, "USD per 1000 queries": o.cost_per_1k_queries_usd,
               "USD per user-month": o.cost_per_user_month_usd,
               "USD per million output tokens": o.cost_per_million_output_tokens_usd,
               "Average utilization": o.utilization_average, "Price basis": o.basis}
        row.update({f"{component_label(k)} USD": v for k, v in o.components_usd.items()})
        rows.append(row)
    return pd.DataFrame(rows).to_csv(index=False)


def assumptions_table() -> pd.DataFrame:
    rows = [{"Assumption": identifier_label(a.id), "Value": a.value, "Unit": a.unit,
             "Range": "" if a.low is None else f"{a.low:g} - {a.high:g}",
             "Basis": a.basis, "Source": a.source, "As of": a.as_of}
            for a in load_assumptions().values()]
    return pd.DataFrame(rows)


def data_sources_table() -> pd.DataFrame:
    c = load_catalog()
    rows = []
    for h in c.hardware.values():
        rows.append({"Table": "Hardware specs", "Row": h.name, "Basis": h.basis, "As of": h.as_of,
                     "Source": h.spec_source})
        if h.price_source:
            rows.append({"Table": "Hardware prices", "Row": h.name, "Basis": h.price_basis, "As of": h.as_of,
                         "Source": h.price_source})
    for m in c.models.values():
        rows.append({"Table": "Models", "Row": m.name, "Basis": m.basis, "As of": m.as_of, "Source": m.source})
    for s in c.stacks.values():
        rows.append({"Table": "Serving stacks", "Row": s.name, "Basis": s.basis, "As of": s.as_of,
                     "Source": s.source})
    for (provider, model), sp in sorted(load_speeds().items()):
        rows.append({"Table": "Provider speeds", "Row": f"{provider} / {model}", "Basis": sp.basis,
                     "As of": sp.as_of, "Source": sp.source})
    for (provider, model_id), r in sorted(load_retirements().items()):
        rows.append({"Table": "Model retirements", "Row": f"{provider} / {model_id}: {r.retired_on.isoformat()}",
                     "Basis": r.basis, "As of": r.as_of, "Source": r.source})
    return pd.DataFrame(rows)


GROUP_LABELS = {"trtllm-table": "TensorRT-LLM performance tables", "mlperf-offline": "MLPerf Inference (offline)",
                "neuron-latency": "AWS Neuron batch-1 latency"}


HELD_OUT_LABELS = {"hardware": "Hardware left out of the fit", "family": "Model family left out of the fit",
                   "source": "Source left out of the fit"}


def accuracy_table(accuracy: ReportedAccuracy) -> pd.DataFrame:
    """Out-of-sample accuracy (each hardware, model family, source left out and predicted), in-sample last."""
    rows = [(HELD_OUT_LABELS.get(k, k), s) for k, s in accuracy.held_out.items()]
    rows.append(("In sample (every row fitted)", accuracy.in_sample))
    if accuracy.latency_limited:
        rows.append(("MLPerf server/interactive rows (under latency limits; in sample)", accuracy.latency_limited))
    return pd.DataFrame([{"Judged on": label, "Measured rows": s.rows, "Median abs. error": s.median_abs_error,
                          "P90 abs. error": s.p90_abs_error, "Median bias": s.median_signed_error}
                         for label, s in rows])


def residuals_table(accuracy: ReportedAccuracy) -> pd.DataFrame:
    """The held-out residuals the throughput bands are drawn from: per hardware and per model family and
    mode, the rows and the 10th / 50th / 90th percentile of the signed held-out error."""
    names = {h.id: h.name for h in load_catalog().hardware.values()}
    rows = []
    for key, groups in accuracy.residuals.items():
        for label, modes in groups.items():
            for mode, q in modes.items():
                if mode not in BAND_MODE_LABELS:  # the pooled 'all' rows repeat the two modes
                    continue
                rows.append({"Left out": "Hardware" if key == "hardware" else "Model family",
                             "Group": names.get(label, label) if key == "hardware" else label,
                             "Runs": BAND_MODE_LABELS[mode], "Held-out rows": q.rows,
                             "P10 error": q.p10, "Median error": q.p50, "P90 error": q.p90})
    return pd.DataFrame(rows)


def calibration_table(summaries: dict[str, list[Summary]]) -> pd.DataFrame:
    names = {h.id: h.name for h in load_catalog().hardware.values()}
    headers = {"overall": "Overall", "group": "Benchmark", "hardware": "Hardware", "family": "Model family"}
    rows = []
    for key, items in summaries.items():
        for s in items:
            label = GROUP_LABELS.get(s.label, names.get(s.label, s.label))
            rows.append({"Slice": headers[key], "Rows": label, "Measured rows": s.rows,
                         "Median abs. error": s.median_abs_error, "P90 abs. error": s.p90_abs_error,
                         "Median bias": s.median_signed_error})
    return pd.DataFrame(rows).rename(columns={"Rows": "Group"})


def decision_table(plan: Plan):
    """One row per kind (API, specialized silicon, rented, owned): the recommendation for its own kind, the
    kind's best otherwise, with what a decision weighs beside the month: the horizon, cash, latency and
    its evidence, lead time, lock-in and where the data goes."""
    months = plan.scenario.finance.horizon_months
    rows = [_decision_row(r, months) for r in plan.decision_table()]
    df = pd.DataFrame(rows)
    config = {"Option": st.column_config.TextColumn(width="medium", pinned=True)}
    if df.empty:
        return df, config
    money = ("Monthly", f"Over {months} months", "Upfront cash")
    styled = df.style.format({c: usd for c in money}, na_rep=MISSING).apply(
        lambda row: ["font-weight: bold" if rows[row.name]["Kind"].endswith("(recommended)") else ""] * len(row),
        axis=1)
    return styled, config


def _decision_row(r: DecisionRow, months: int) -> dict:
    evidence = (EVIDENCE_LABELS.get(r.speed_evidence, r.speed_evidence) if r.speed_evidence == r.ttft_evidence
                else f"speed {EVIDENCE_LABELS.get(r.speed_evidence)}, first token {EVIDENCE_LABELS.get(r.ttft_evidence)}")
    # decisive columns first (what it is, what it costs, whether it meets the targets, with what and how we
    # know), so they are on screen beside the what-if inputs at 1280-1440 px; the rest scroll
    return {
        "Option": r.name,
        "Kind": kind_label(r.kind) + (" (recommended)" if r.recommended else ""),
        "Monthly": r.monthly_usd,
        "Meets targets": confidence_label(r.confidence),
        "First token": ms(r.ttft_ms),
        "Speed per user": tok_per_s(r.output_tokens_per_s_per_user),
        "Evidence": evidence + (f", {throughput_band_label(r.throughput_band)}" if r.throughput_band else ""),
        f"Over {months} months": r.horizon_usd,
        "Upfront cash": r.upfront_cash_usd,
        "Lead time": f"about {r.lead_time_months:g} months" if r.lead_time_months else "days",
        "Lock-in": lock_in_label(r.lock_in, r.lock_in_months),
        "Data": residency_label(r.data_residency),
    }


def fleet_figures_table(plan: Plan) -> pd.DataFrame:
    """The self-hosted options the TCO page compares (the recommendation and the best rented and owned),
    with their fleet figures as text in the app's formats; a figure an option lacks shows as a dash.

    Cells are plain text (a data grid renders no markdown), one row per option."""
    from engine.money.cost_model import YOUR_QUOTE
    from present.formatting import hours, joules_per_token, kw, spare_load, tok_per_s_per_kw
    from present.labels import FLEET_FIGURE_LABELS as L, YOUR_QUOTE_LABEL, pricing_label

    rows = []
    for o in plan.compared_options():
        if o.kind not in ("cloud", "owned"):
            continue
        price = pricing_label(o.pricing) if o.pricing else MISSING
        if o.basis.startswith(YOUR_QUOTE):
            price += f" ({YOUR_QUOTE_LABEL})"
        rows.append({"Option": o.name, "Pricing": price,
                     L["accelerator_hours_per_month"]: hours(o.accelerator_hours_per_month),
                     L["it_power_kw"]: kw(o.it_power_kw),
                     L["joules_per_token"]: joules_per_token(o.joules_per_token),
                     L["tokens_per_s_per_kw"]: tok_per_s_per_kw(o.tokens_per_s_per_kw),
                     L["spare_load_fraction"]: spare_load(o.spare_load_fraction),
                     L["failure_domains"]: MISSING if o.failure_domains is None else f"{o.failure_domains:,}",
                     L["throughput_band"]: throughput_band_label(o.throughput_band) or MISSING,
                     L["accelerators_at_band_low"]: (MISSING if o.accelerators_at_band_low is None
                                                     else f"{o.accelerators_at_band_low:,} (now {o.accelerators:,})")})
    return pd.DataFrame(rows)


def over_power_cap(plan: Plan) -> list[Option]:
    """Self-hosted options the engine ruled out because their fleet's IT power exceeds constraints.power_cap_kw."""
    cap = plan.scenario.constraints.power_cap_kw
    if cap is None:
        return []
    return [o for o in plan.options if o.kind in ("cloud", "owned") and not o.feasible
            and o.it_power_kw is not None and o.it_power_kw > cap]
