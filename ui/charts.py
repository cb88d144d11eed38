"""Plotly figures for the screens. Kind, component and saving colours and the kind labels come
from present/, shared with the brief: the reader learns "blue is an API" on one page and keeps it
on the next, and in the PDF."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from engine.capacity.curves import CurvePoint
from present.colours import INCREASE, SAVING, TOTAL, component_colours, kind_colour
from present.formatting import count_axis, gb, hbm_from_decimal_gb, tok_per_s
from present.labels import component_label, kind_label

# Hardware curves are many at once: a qualitative palette, the recommended one drawn thick.
HARDWARE_PALETTE = ("#2563eb", "#f59e0b", "#059669", "#dc2626", "#9333ea", "#0891b2", "#db2777",
                    "#65a30d", "#ea580c", "#4f46e5", "#0d9488", "#a16207", "#6b7280", "#be123c")
FONT = dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=13)
# Passed to st.plotly_chart: no plotly logo; the chart follows its column's width (phones included).
CONFIG = {"displaylogo": False, "responsive": True}
# Legends sit under the plot, left-aligned, on rows of their own: they never cover a trace or the title,
# and on a 390 px phone they wrap instead of squeezing the plot (yref "container" pushes the margin).
LEGEND_BELOW = dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, xanchor="left",
                    font=dict(size=12), title=None)
SHOWN_CURVES = 4  # throughput chart: the recommended accelerator and the next cheapest; the rest a click away
TICK_LABEL_CHARS = 24  # long option names wrap onto two lines instead of eating a phone's plot width


def _layout(fig: go.Figure, title: str, height: int = 420, **kwargs) -> go.Figure:
    """A short title in its own band at the top (never under the legend), the legend under the plot."""
    fig.update_layout(title=dict(text=title, x=0, xanchor="left", xref="container", y=1, yanchor="top",
                                 yref="container", pad=dict(t=10, l=4), font=dict(size=15)),
                      height=height, font=FONT, margin=dict(l=10, r=10, t=48, b=10, autoexpand=True),
                      plot_bgcolor="white", legend=LEGEND_BELOW, **kwargs)
    fig.update_xaxes(gridcolor="#e5e7eb", zeroline=False, automargin=True)
    fig.update_yaxes(gridcolor="#e5e7eb", zeroline=False, automargin=True)
    return fig


def wrap_label(text: str, width: int = TICK_LABEL_CHARS) -> str:
    """A category label on at most two lines (an ellipsis shows a cut), for axis ticks."""
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1].rstrip() + "…"]
    return "<br>".join(lines)


def log_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Tick values and labels for a log axis spanning [low, high]: 1-2-5 steps over up to three decades
    (every tick labelled in full, '20', '500', '2k'), decades only beyond that."""
    if not (low > 0 and high > low):
        return [], []
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1, 2, 5) if last - first <= 3 else (1,)
    values = [m * 10.0 ** e for e in range(first, last + 1) for m in steps]
    values = [v for v in values if low / 1.05 <= v <= high * 1.05] or [10.0 ** first, 10.0 ** last]
    return values, [count_axis(v) for v in values]


def curve_order(curves: dict[str, list[CurvePoint]], ranked: list[str] | None, highlight: str | None) -> list[str]:
    """The curves drawn at first: the recommended accelerator, then the cheapest others (SHOWN_CURVES in all)."""
    order = [h for h in ([highlight] if highlight else []) + list(ranked or curves) if h in curves]
    return list(dict.fromkeys(order))[:SHOWN_CURVES]


def throughput_interactivity(curves: dict[str, list[CurvePoint]], names: dict[str, str],
                             sized: dict[str, tuple[float, float]], slo_tok_per_s_per_user: float,
                             highlight: str | None, ranked: list[str] | None = None) -> go.Figure:
    """Tokens/s per accelerator (y) against tokens/s per user (x), one curve per hardware.

    Drawn at first: the recommended accelerator and the cheapest others (`ranked`, cheapest first); the
    rest are in the legend, one click from view, so 15 curves never pile up on one chart.
    """
    fig = go.Figure()
    shown = curve_order(curves, ranked, highlight)
    listed = shown + [h for h in (ranked or []) if h in curves and h not in shown]
    listed += [h for h in curves if h not in listed]
    for i, hw in enumerate(listed):
        points = curves[hw]
        colour = HARDWARE_PALETTE[i % len(HARDWARE_PALETTE)]
        width = 4 if hw == highlight else 2
        visible = True if hw in shown else "legendonly"
        label = names.get(hw, hw) + (" (recommended)" if hw == highlight else "")
        fig.add_trace(go.Scatter(
            x=[p.output_tokens_per_s_per_user for p in points],
            y=[p.output_tokens_per_s_per_accelerator for p in points],
            mode="lines", name=label, legendgroup=hw, visible=visible, line=dict(color=colour, width=width),
            customdata=[[p.batch_size, p.ttft_ms] for p in points],
            hovertemplate=("%{fullData.name}<br>batch %{customdata[0]}<br>%{x:,.0f} tok/s per user<br>"
                           "%{y:,.0f} tok/s per accelerator<br>TTFT %{customdata[1]:,.0f} ms<extra></extra>")))
        if hw in sized:
            x, y = sized[hw]
            fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers", showlegend=False, legendgroup=hw, visible=visible,
                                     marker=dict(color=colour, size=11 if hw == highlight else 8,
                                                 line=dict(color="white", width=1.5)),
                                     hovertemplate=f"{names.get(hw, hw)}: sized operating point<extra></extra>"))
    xs = [p.output_tokens_per_s_per_user for points in curves.values() for p in points] + [slo_tok_per_s_per_user]
    ys = [p.output_tokens_per_s_per_accelerator for points in curves.values() for p in points]
    if ys:  # a trace, not a shape: shapes on log axes take log10 coordinates
        fig.add_trace(go.Scatter(x=[slo_tok_per_s_per_user] * 2, y=[min(ys) * 0.8, max(ys) * 1.25], mode="lines",
                                 name=f"Target: {tok_per_s(slo_tok_per_s_per_user)} per user",
                                 line=dict(color=INCREASE, dash="dash", width=2), hoverinfo="skip"))
    _layout(fig, "Throughput vs interactivity", height=520)
    xv, xt = log_ticks(min(xs), max(xs)) if xs else ([], [])
    yv, yt = log_ticks(min(ys) * 0.8, max(ys) * 1.25) if ys else ([], [])
    fig.update_xaxes(title="Tokens/s per user", type="log", tickvals=xv, ticktext=xt)
    fig.update_yaxes(title="Tokens/s per accelerator", type="log", tickvals=yv, ticktext=yt)
    fig.update_layout(legend=dict(itemclick="toggle", itemdoubleclick="toggleothers"))
    return fig


def memory_bar(weights_gb: float, kv_gb: float, other_gb: float, title: str) -> go.Figure:
    """How one replica's memory is used, in the catalog's GB (vendors count HBM in 2^30 bytes: an
    MI355X's 288 GB reads 288 here, not the 309 decimal GB the engine computes with)."""
    weights, kv, other = (hbm_from_decimal_gb(v) for v in (weights_gb, kv_gb, other_gb))
    fig = go.Figure()
    total = (weights + kv + other) or 1.0
    for label, value, colour in (("Weights", weights, "#1e3a8a"), ("KV cache", kv, "#60a5fa"),
                                 ("Runtime reserve and free", other, "#cbd5e1")):
        fig.add_trace(go.Bar(y=["Memory"], x=[value], name=f"{label} ({gb(value)})", orientation="h",
                             marker_color=colour, text=[f"{label}: {gb(value)}"],
                             textposition="inside" if value / total > 0.2 else "none", insidetextanchor="middle",
                             hovertemplate=f"{label}: %{{x:,.1f}} GB<extra></extra>"))
    _layout(fig, title, height=220, barmode="stack")
    fig.update_xaxes(title=f"GB (of {gb(total)}, as the vendor counts HBM)", range=[0, total])
    fig.update_yaxes(showticklabels=False)
    return fig


def monthly_cost_bars(names: list[str], costs: list[float], kinds: list[str], passes: list[bool],
                      title: str) -> go.Figure:
    """Monthly cost per option, coloured by kind; options missing the SLO hatched and faded."""
    fig = go.Figure()
    for kind in dict.fromkeys(kinds):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        fig.add_trace(go.Bar(
            y=[wrap_label(names[i]) for i in idx], x=[costs[i] for i in idx], orientation="h", name=kind_label(kind),
            marker=dict(color=kind_colour(kind), opacity=[1.0 if passes[i] else 0.45 for i in idx],
                        pattern=dict(shape=["" if passes[i] else "/" for i in idx])),
            customdata=["meets the SLO" if passes[i] else "misses the SLO" for i in idx],
            hovertemplate="%{y}<br>$%{x:,.0f} per month<br>%{customdata}<extra></extra>"))
    _layout(fig, title, height=max(300, 40 * len(names) + 130))
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=[wrap_label(n) for n in names])
    fig.update_xaxes(title="USD per month", tickprefix="$", tickformat="~s")
    return fig


def stacked_components(names: list[str], kinds: list[str], components: list[dict[str, float]]) -> go.Figure:
    """Monthly TCO per option split by component; the option's kind colours its label marker."""
    colours = component_colours(c for comp in components for c, usd in comp.items() if usd)
    fig = go.Figure()
    names = [wrap_label(n) for n in names]
    for i, (label, colour) in enumerate(colours.items()):
        fig.add_trace(go.Bar(y=names, x=[comp.get(label, 0.0) for comp in components], orientation="h",
                             name=component_label(label), marker_color=colour, legendrank=i,
                             hovertemplate=f"%{{y}}<br>{label}: $%{{x:,.0f}} per month<extra></extra>"))
    ticks = [f"<span style='color:{kind_colour(k)}'>■</span> {n}" for n, k in zip(names, kinds)]
    _layout(fig, "Monthly cost by component", height=max(360, 44 * len(names) + 200), barmode="stack")
    fig.update_yaxes(autorange="reversed", tickvals=names, ticktext=ticks)
    fig.update_xaxes(title="USD per month", tickprefix="$", tickformat="~s")
    fig.update_layout(legend=dict(traceorder="normal"))  # stacked bars would list the legend reversed
    # the label markers' key above the plot, two kinds a line so a 390 px phone shows it whole
    keys = [f"<span style='color:{kind_colour(k)}'>■</span> {kind_label(k)}" for k in dict.fromkeys(kinds)]
    lines = ["   ".join(keys[i:i + 2]) for i in range(0, len(keys), 2)]
    fig.add_annotation(text="<br>".join(lines), xref="paper", yref="paper", x=0, y=1, yanchor="bottom",
                       xanchor="left", align="left", showarrow=False, font=dict(size=12, color="#4b5563"))
    fig.update_layout(margin=dict(t=56 + 18 * len(lines)))
    return fig


def horizon_lines(months: list[int], series: dict[str, list[float]], kinds: dict[str, str],
                  names: dict[str, str], recommended: str | None, break_even_month: int | None) -> go.Figure:
    fig = go.Figure()
    dashes = {}
    for oid, values in series.items():
        kind = kinds[oid]
        dash = "solid" if kind not in dashes else "dot"
        dashes.setdefault(kind, oid)
        fig.add_trace(go.Scatter(x=months, y=values, mode="lines",
                                 name=names[oid] + (" (recommended)" if oid == recommended else ""),
                                 line=dict(color=kind_colour(kind), width=4 if oid == recommended else 2, dash=dash),
                                 hovertemplate=f"{names[oid]}<br>month %{{x}}: $%{{y:,.0f}}<extra></extra>"))
    if break_even_month is not None:
        fig.add_vline(x=break_even_month, line=dict(color="#111827", dash="dash"),
                      annotation_text=f"break-even, month {break_even_month}", annotation_position="top left")
    _layout(fig, "Monthly cost over the horizon", height=480)
    fig.update_xaxes(title="Month")
    fig.update_yaxes(title="USD per month", tickprefix="$", tickformat="~s", rangemode="tozero")
    return fig


def uncertainty_bands(names: list[str], kinds: list[str], p10: list[float], p50: list[float],
                      p90: list[float]) -> go.Figure:
    fig = go.Figure()
    for kind in dict.fromkeys(kinds):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        fig.add_trace(go.Scatter(
            y=[wrap_label(names[i]) for i in idx], x=[p50[i] for i in idx], mode="markers", name=kind_label(kind),
            marker=dict(color=kind_colour(kind), size=10),
            error_x=dict(type="data", symmetric=False, array=[p90[i] - p50[i] for i in idx],
                         arrayminus=[p50[i] - p10[i] for i in idx], color=kind_colour(kind), thickness=3, width=0),
            customdata=[[p10[i], p90[i]] for i in idx],
            hovertemplate="%{y}<br>P50 $%{x:,.0f}<br>P10 $%{customdata[0]:,.0f} - P90 $%{customdata[1]:,.0f}"
                          "<extra></extra>"))
    _layout(fig, "Average month, P10-P90", height=max(320, 40 * len(names) + 130))
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=[wrap_label(n) for n in names])
    fig.update_xaxes(title="USD per month, average", tickprefix="$", tickformat="~s")
    return fig


def tornado(labels: list[str], low: list[float], high: list[float], base: float, title: str) -> go.Figure:
    fig = go.Figure()
    labels = [wrap_label(label, 30) for label in labels]
    fig.add_trace(go.Bar(y=labels, x=[lo - base for lo in low], base=base, orientation="h", name="Low case",
                         marker_color=SAVING, hovertemplate="%{y}: low case $%{x:,.0f}<extra></extra>"))
    fig.add_trace(go.Bar(y=labels, x=[hi - base for hi in high], base=base, orientation="h", name="High case",
                         marker_color=INCREASE, hovertemplate="%{y}: high case $%{x:,.0f}<extra></extra>"))
    fig.add_vline(x=base, line=dict(color="#111827", width=1))
    _layout(fig, title, height=max(300, 48 * len(labels) + 140), barmode="overlay")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Average monthly cost (USD)", tickprefix="$", tickformat="~s")
    return fig


def waterfall(labels: list[str], values: list[float], kinds: list[str]) -> go.Figure:
    """Today's cost, each lever's change and the cost after the roadmap (engine kinds 'total' / 'delta',
    engine.roadmap.build.WATERFALL_KINDS): the first total stands on zero, later totals sum the changes.
    Bars run across, lever names down the side: names stay readable on a phone."""
    measures = ["absolute" if i == 0 else "total" if k == "total" else "relative" for i, k in enumerate(kinds)]
    names = [wrap_label(x, 22) for x in labels]
    fig = go.Figure(go.Waterfall(
        y=names, x=values, measure=measures, orientation="h", connector=dict(line=dict(color="#cbd5e1")),
        decreasing=dict(marker=dict(color=SAVING)), increasing=dict(marker=dict(color=INCREASE)),
        totals=dict(marker=dict(color=TOTAL)), customdata=labels,
        hovertemplate="%{customdata}: $%{x:,.0f}<extra></extra>"))
    _layout(fig, "Today's cost to the roadmap's", height=max(300, 46 * len(labels) + 110), showlegend=False)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="USD per month", tickprefix="$", tickformat="~s")
    return fig


def roadmap_steps(labels: list[str], costs: list[float]) -> go.Figure:
    """Monthly cost after each step; the axis says 'Step n' (the levers table numbers them the same way) and
    the hover names the lever, so a phone's axis never squeezes long names."""
    ticks = ["Today" if i == 0 else f"Step {i}" for i in range(len(labels))]
    fig = go.Figure(go.Scatter(x=ticks, y=costs, mode="lines+markers", line=dict(color=TOTAL, width=3),
                               customdata=labels, hovertemplate="%{customdata}: $%{y:,.0f} per month<extra></extra>"))
    _layout(fig, "Cost after each step", height=320, showlegend=False)
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(title="USD per month", tickprefix="$", tickformat="~s", rangemode="tozero")
    return fig
