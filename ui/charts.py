"""Plotly figures for the screens. Kind, component and saving colours and the kind labels come
from present/, shared with the brief: the reader learns "blue is an API" on one page and keeps it
on the next, and in the PDF."""
from __future__ import annotations

import plotly.graph_objects as go

from engine.capacity.curves import CurvePoint
from present.colours import INCREASE, SAVING, TOTAL, component_colours, kind_colour
from present.formatting import gb, tok_per_s
from present.labels import component_label, kind_label

# Hardware curves are many at once: a qualitative palette, the recommended one drawn thick.
HARDWARE_PALETTE = ("#2563eb", "#f59e0b", "#059669", "#dc2626", "#9333ea", "#0891b2", "#db2777",
                    "#65a30d", "#ea580c", "#4f46e5", "#0d9488", "#a16207", "#6b7280", "#be123c")
FONT = dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=13)


def _layout(fig: go.Figure, title: str, height: int = 420, **kwargs) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=16)), height=height, font=FONT,
                      margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1), **kwargs)
    fig.update_xaxes(gridcolor="#e5e7eb", zeroline=False)
    fig.update_yaxes(gridcolor="#e5e7eb", zeroline=False)
    return fig


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
                                 name=f"SLO: {tok_per_s(slo_tok_per_s_per_user)} per user",
                                 line=dict(color=INCREASE, dash="dash", width=2), hoverinfo="skip"))
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
        fig.add_trace(go.Bar(y=["Memory"], x=[value], name=f"{label} ({gb(value)})", orientation="h",
                             marker_color=colour, text=[f"{label}: {gb(value)}"],
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
            y=[names[i] for i in idx], x=[costs[i] for i in idx], orientation="h", name=kind_label(kind),
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
    colours = component_colours(c for comp in components for c, usd in comp.items() if usd)
    fig = go.Figure()
    for i, (label, colour) in enumerate(colours.items()):
        fig.add_trace(go.Bar(y=names, x=[comp.get(label, 0.0) for comp in components], orientation="h",
                             name=component_label(label), marker_color=colour, legendrank=i,
                             hovertemplate=f"%{{y}}<br>{label}: $%{{x:,.0f}} per month<extra></extra>"))
    ticks = [f"<span style='color:{kind_colour(k)}'>■</span> {n}" for n, k in zip(names, kinds)]
    key = " · ".join(f"<span style='color:{kind_colour(k)}'>■</span> {kind_label(k)}"
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
            y=[names[i] for i in idx], x=[p50[i] for i in idx], mode="markers", name=kind_label(kind),
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
                         marker_color=INCREASE, hovertemplate="%{y}: high case $%{x:,.0f}<extra></extra>"))
    fig.add_vline(x=base, line=dict(color="#111827", width=1))
    _layout(fig, title, height=max(240, 44 * len(labels) + 100), barmode="overlay")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Average monthly cost (USD)", tickprefix="$", tickformat="~s")
    return fig


def waterfall(labels: list[str], values: list[float], kinds: list[str]) -> go.Figure:
    """Today's cost, each lever's change and the cost after the roadmap (engine kinds 'total' / 'delta',
    engine.roadmap.build.WATERFALL_KINDS): the first total stands on zero, later totals sum the changes."""
    measures = ["absolute" if i == 0 else "total" if k == "total" else "relative" for i, k in enumerate(kinds)]
    fig = go.Figure(go.Waterfall(
        x=labels, y=values, measure=measures, connector=dict(line=dict(color="#cbd5e1")),
        decreasing=dict(marker=dict(color=SAVING)), increasing=dict(marker=dict(color=INCREASE)),
        totals=dict(marker=dict(color=TOTAL)),
        hovertemplate="%{x}: $%{y:,.0f}<extra></extra>"))
    _layout(fig, "From today's cost to the roadmap's", height=420)
    fig.update_yaxes(title="USD per month", tickprefix="$", tickformat="~s")
    return fig


def roadmap_steps(labels: list[str], costs: list[float]) -> go.Figure:
    fig = go.Figure(go.Scatter(x=labels, y=costs, mode="lines+markers", line=dict(color=TOTAL, width=3),
                               hovertemplate="%{x}: $%{y:,.0f} per month<extra></extra>"))
    _layout(fig, "Monthly cost after each step", height=320)
    fig.update_yaxes(title="USD per month", tickprefix="$", tickformat="~s", rangemode="tozero")
    return fig
