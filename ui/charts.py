"""Plotly figures for the screens. One colour per option kind, defined here once and used by
every chart: the reader learns "blue is an API" on one page and keeps it on the next."""
from __future__ import annotations

import plotly.graph_objects as go

from engine.physics.curves import CurvePoint

KIND_COLOURS = {
    "api": "#2563eb",  # blue
    "cloud": "#f59e0b",  # amber
    "owned": "#059669",  # green
    "specialized": "#9333ea",  # purple
}
KIND_LABELS = {"api": "API", "cloud": "Rented cloud", "owned": "Owned", "specialized": "Specialized silicon"}
NEUTRAL = "#94a3b8"
SAVING = "#059669"
COST = "#dc2626"
# Hardware curves are many at once: a qualitative palette, the recommended one drawn thick.
HARDWARE_PALETTE = ("#2563eb", "#f59e0b", "#059669", "#dc2626", "#9333ea", "#0891b2", "#db2777",
                    "#65a30d", "#ea580c", "#4f46e5", "#0d9488", "#a16207", "#6b7280", "#be123c")
# Cost components: hues kept away from the four kind colours so the two never read alike.
COMPONENT_PALETTE = ("#334155", "#be185d", "#94a3b8", "#f9a8d4", "#7c2d12", "#d6a57c", "#0e7490", "#a5f3fc",
                     "#4d7c0f", "#d9f99d", "#57534e", "#e7e5e4")
# One colour per cost component on every chart, whatever options a scenario shows; the stack
# and the legend follow this order.
COMPONENT_COLOURS = dict(zip(
    ("hardware (amortized)", "power", "space", "maintenance", "accelerator rental", "storage and egress",
     "software licences", "input tokens", "cached input tokens", "output tokens", "reasoning tokens",
     "operations staff"),
    ("#334155", "#be185d", "#94a3b8", "#f9a8d4", "#0e7490", "#a5f3fc", "#7c2d12", "#4d7c0f", "#d9f99d",
     "#a16207", "#fde68a", "#d6a57c")))
FONT = dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=13)


def _layout(fig: go.Figure, title: str, height: int = 420, **kwargs) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=16)), height=height, font=FONT,
                      margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1), **kwargs)
    fig.update_xaxes(gridcolor="#e5e7eb", zeroline=False)
    fig.update_yaxes(gridcolor="#e5e7eb", zeroline=False)
    return fig


def kind_colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, NEUTRAL)


def throughput_interactivity(curves: dict[str, list[CurvePoint]], names: dict[str, str],
                             sized: dict[str, tuple[float, float]], slo_tok_per_s_per_user: float,
                             highlight: str | None) -> go.Figure:
    """Tokens/s per accelerator (y) against tokens/s per user (x), one curve per hardware."""
    fig = go.Figure()
    for i, (hw, points) in enumerate(curves.items()):
        colour = HARDWARE_PALETTE[i % len(HARDWARE_PALETTE)]
        width = 4 if hw == highlight else 2
        fig.add_trace(go.Scatter(
            x=[p.output_tokens_per_s_per_user for p in points],
            y=[p.output_tokens_per_s_per_accelerator for p in points],
            mode="lines", name=names.get(hw, hw), line=dict(color=colour, width=width),
            opacity=1.0 if highlight in (None, hw) else 0.45,  # the chosen accelerator stands out
            customdata=[[p.batch_size, p.ttft_ms] for p in points],
            hovertemplate=("%{fullData.name}<br>batch %{customdata[0]}<br>%{x:,.0f} tok/s per user<br>"
                           "%{y:,.0f} tok/s per accelerator<br>TTFT %{customdata[1]:,.0f} ms<extra></extra>")))
        if hw in sized:
            x, y = sized[hw]
            fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers", showlegend=False,
                                     marker=dict(color=colour, size=11 if hw == highlight else 8,
                                                 line=dict(color="white", width=1.5)),
                                     hovertemplate=f"{names.get(hw, hw)}: sized operating point<extra></extra>"))
    ys = [p.output_tokens_per_s_per_accelerator for points in curves.values() for p in points]
    if ys:  # a trace, not a shape: shapes on log axes take log10 coordinates
        fig.add_trace(go.Scatter(x=[slo_tok_per_s_per_user] * 2, y=[min(ys) * 0.8, max(ys) * 1.25], mode="lines",
                                 name=f"SLO: {slo_tok_per_s_per_user:g} tok/s per user",
                                 line=dict(color=COST, dash="dash", width=2), hoverinfo="skip"))
    _layout(fig, "Throughput vs interactivity (dots: sized configuration)", height=480)
    # decades only: minor log ticks read as "5, 2, 1000, 5, 2, 100"
    fig.update_xaxes(title="Tokens/s per user (interactivity)", type="log", dtick=1, tickformat="~s")
    fig.update_yaxes(title="Tokens/s per accelerator", type="log", dtick=1, tickformat="~s")
    fig.update_layout(legend=dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.02))
    return fig


def memory_bar(weights_gb: float, kv_gb: float, other_gb: float, title: str) -> go.Figure:
    fig = go.Figure()
    total = (weights_gb + kv_gb + other_gb) or 1.0
    for label, value, colour in (("Weights", weights_gb, "#1e3a8a"), ("KV cache", kv_gb, "#60a5fa"),
                                 ("Runtime reserve and free", other_gb, "#cbd5e1")):
        fig.add_trace(go.Bar(y=["Memory"], x=[value], name=f"{label} ({value:,.0f} GB)", orientation="h",
                             marker_color=colour, text=[f"{label}: {value:,.0f} GB"],
                             textposition="inside" if value / total > 0.2 else "none", insidetextanchor="middle",
                             hovertemplate=f"{label}: %{{x:,.1f}} GB<extra></extra>"))
    _layout(fig, title, height=170, barmode="stack")
    fig.update_xaxes(title="GB")
    fig.update_yaxes(showticklabels=False)
    return fig


def monthly_cost_bars(names: list[str], costs: list[float], kinds: list[str], passes: list[bool],
                      title: str) -> go.Figure:
    """Monthly cost per option, coloured by kind; options missing the SLO hatched and faded."""
    fig = go.Figure()
    for kind in dict.fromkeys(kinds):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        fig.add_trace(go.Bar(
            y=[names[i] for i in idx], x=[costs[i] for i in idx], orientation="h", name=KIND_LABELS.get(kind, kind),
            marker=dict(color=kind_colour(kind), opacity=[1.0 if passes[i] else 0.45 for i in idx],
                        pattern=dict(shape=["" if passes[i] else "/" for i in idx])),
            customdata=["meets the SLO" if passes[i] else "misses the SLO" for i in idx],
            hovertemplate="%{y}<br>$%{x:,.0f} per month<br>%{customdata}<extra></extra>"))
    _layout(fig, title, height=max(260, 34 * len(names) + 90))
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names)
    fig.update_xaxes(title="USD per month", tickprefix="$", tickformat="~s")
    return fig


def stacked_components(names: list[str], kinds: list[str], components: list[dict[str, float]]) -> go.Figure:
    """Monthly TCO per option split by component; the option's kind colours its label marker."""
    present = set(c for comp in components for c, usd in comp.items() if usd)
    known = [c for c in COMPONENT_COLOURS if c in present]
    labels = known + sorted(present - set(known))
    fig = go.Figure()
    for i, label in enumerate(labels):
        colour = COMPONENT_COLOURS.get(label, COMPONENT_PALETTE[i % len(COMPONENT_PALETTE)])
        fig.add_trace(go.Bar(y=names, x=[comp.get(label, 0.0) for comp in components], orientation="h",
                             name=label.capitalize(), marker_color=colour, legendrank=i,
                             hovertemplate=f"%{{y}}<br>{label}: $%{{x:,.0f}} per month<extra></extra>"))
    ticks = [f"<span style='color:{kind_colour(k)}'>■</span> {n}" for n, k in zip(names, kinds)]
    key = " · ".join(f"<span style='color:{kind_colour(k)}'>■</span> {KIND_LABELS.get(k, k)}"
                     for k in dict.fromkeys(kinds))
    _layout(fig, f"Monthly cost by component<br><sup>label marker: {key}</sup>",
            height=max(300, 34 * len(names) + 130), barmode="stack")
    fig.update_yaxes(autorange="reversed", tickvals=names, ticktext=ticks)
    fig.update_xaxes(title="USD per month", tickprefix="$", tickformat="~s")
    fig.update_layout(legend=dict(traceorder="normal"))  # stacked bars would list the legend reversed
    return fig


def horizon_lines(months: list[int], series: dict[str, list[float]], kinds: dict[str, str],
                  names: dict[str, str], recommended: str | None, break_even_month: int | None) -> go.Figure:
    fig = go.Figure()
    dashes = {}
    for oid, values in series.items():
        kind = kinds[oid]
        dash = "solid" if kind not in dashes else "dot"
        dashes.setdefault(kind, oid)
        fig.add_trace(go.Scatter(x=months, y=values, mode="lines", name=names[oid],
                                 line=dict(color=kind_colour(kind), width=4 if oid == recommended else 2, dash=dash),
                                 hovertemplate=f"{names[oid]}<br>month %{{x}}: $%{{y:,.0f}}<extra></extra>"))
    if break_even_month is not None:
        fig.add_vline(x=break_even_month, line=dict(color="#111827", dash="dash"),
                      annotation_text=f"self-hosting cheaper from month {break_even_month}")
    _layout(fig, "Monthly cost over the horizon (growth and price decline)", height=420)
    fig.update_xaxes(title="Month")
    fig.update_yaxes(title="USD per month", tickprefix="$", tickformat="~s", rangemode="tozero")
    return fig


def uncertainty_bands(names: list[str], kinds: list[str], p10: list[float], p50: list[float],
                      p90: list[float]) -> go.Figure:
    fig = go.Figure()
    for kind in dict.fromkeys(kinds):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        fig.add_trace(go.Scatter(
            y=[names[i] for i in idx], x=[p50[i] for i in idx], mode="markers", name=KIND_LABELS.get(kind, kind),
            marker=dict(color=kind_colour(kind), size=10),
            error_x=dict(type="data", symmetric=False, array=[p90[i] - p50[i] for i in idx],
                         arrayminus=[p50[i] - p10[i] for i in idx], color=kind_colour(kind), thickness=3, width=0),
            customdata=[[p10[i], p90[i]] for i in idx],
            hovertemplate="%{y}<br>P50 $%{x:,.0f}<br>P10 $%{customdata[0]:,.0f} - P90 $%{customdata[1]:,.0f}"
                          "<extra></extra>"))
    _layout(fig, "Average monthly cost, P10-P90 range", height=max(280, 30 * len(names) + 100))
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names)
    fig.update_xaxes(title="USD per month, average", tickprefix="$", tickformat="~s")
    return fig


def tornado(labels: list[str], low: list[float], high: list[float], base: float, title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Bar(y=labels, x=[lo - base for lo in low], base=base, orientation="h", name="Low case",
                         marker_color=SAVING, hovertemplate="%{y}: low case $%{x:,.0f}<extra></extra>"))
    fig.add_trace(go.Bar(y=labels, x=[hi - base for hi in high], base=base, orientation="h", name="High case",
                         marker_color=COST, hovertemplate="%{y}: high case $%{x:,.0f}<extra></extra>"))
    fig.add_vline(x=base, line=dict(color="#111827", width=1))
    _layout(fig, title, height=max(240, 44 * len(labels) + 100), barmode="overlay")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Average monthly cost (USD)", tickprefix="$", tickformat="~s")
    return fig


def waterfall(labels: list[str], values: list[float], kinds: list[str]) -> go.Figure:
    """Baseline (the first bar), each lever's change, the final cost (kind 'total' or 'final')."""
    measures = ["absolute" if i == 0 or k in ("baseline", "start", "absolute")
                else "total" if k in ("total", "final") else "relative" for i, k in enumerate(kinds)]
    # a saving always steps down, whichever sign the engine gives it
    values = [-abs(v) if k == "saving" else v for v, k in zip(values, kinds)]
    fig = go.Figure(go.Waterfall(
        x=labels, y=values, measure=measures, connector=dict(line=dict(color="#cbd5e1")),
        decreasing=dict(marker=dict(color=SAVING)), increasing=dict(marker=dict(color=COST)),
        totals=dict(marker=dict(color="#1e3a8a")),
        hovertemplate="%{x}: $%{y:,.0f}<extra></extra>"))
    _layout(fig, "From today's cost to the roadmap's", height=420)
    fig.update_yaxes(title="USD per month", tickprefix="$", tickformat="~s")
    return fig


def roadmap_steps(labels: list[str], costs: list[float]) -> go.Figure:
    fig = go.Figure(go.Scatter(x=labels, y=costs, mode="lines+markers", line=dict(color="#1e3a8a", width=3),
                               hovertemplate="%{x}: $%{y:,.0f} per month<extra></extra>"))
    _layout(fig, "Monthly cost after each step", height=320)
    fig.update_yaxes(title="USD per month", tickprefix="$", tickformat="~s", rangemode="tozero")
    return fig
