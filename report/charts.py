"""The brief's charts as matplotlib figures (Agg canvas, no pyplot state), from content series.

Kind, component and saving colours come from present.colours, as on the app's screens.
"""
from __future__ import annotations

import io
import textwrap

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from present import formatting as fmt
from present.colours import INCREASE, SAVING, TOTAL, component_colours, kind_colour
from present.labels import component_label
from report.content import Bar, Horizon, WaterfallStep

TEXT_COLOUR = "#222222"
GRID_COLOUR = "#E5E5E5"

WIDTH_IN = 7.2  # fits a portrait page's text width
BASE_FONT = 8.0


def _figure(height_in: float) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _style(ax) -> None:
    ax.tick_params(labelsize=BASE_FONT, colors=TEXT_COLOUR, length=2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#999999")
    ax.set_axisbelow(True)


_money_axis = FuncFormatter(lambda v, _pos: fmt.usd_axis(v))


def _wrap(label: str, width: int = 30, lines: int = 2) -> str:
    """At most `lines` lines; an ellipsis shows that the label was cut."""
    parts = textwrap.wrap(label, width)
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def components_chart(bars: tuple[Bar, ...]) -> Figure | None:
    """Stacked horizontal bars: each option's monthly cost by component, cheapest on top."""
    if not bars:
        return None
    fig = _figure(0.55 + 0.42 * len(bars) + 0.5)
    ax = fig.add_subplot()
    _style(ax)
    colours = component_colours(name for bar in bars for name, _ in bar.components_usd)
    ys = list(range(len(bars)))[::-1]
    top = max(b.total_usd for b in bars)
    for y, bar in zip(ys, bars):
        left = 0.0
        parts = dict(bar.components_usd)
        for name, usd in ((n, parts[n]) for n in colours if n in parts):  # the app's stacking order
            ax.barh(y, usd, left=left, height=0.62, color=colours[name], edgecolor="white", linewidth=0.5)
            left += usd
        ax.text(bar.total_usd + top * 0.01, y, fmt.usd(bar.total_usd), va="center", fontsize=BASE_FONT,
                color=TEXT_COLOUR, fontweight="bold" if bar.recommended else "normal")
    ax.set_yticks(ys, [_wrap(("★ " if b.recommended else "") + b.label) for b in bars])
    for tick, bar in zip(ax.get_yticklabels(), bars):
        tick.set_color(kind_colour(bar.kind))
        if bar.recommended:
            tick.set_fontweight("bold")
    ax.set_xlim(0, top * 1.12)
    ax.xaxis.set_major_formatter(_money_axis)
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    ax.set_xlabel("Monthly cost (USD)", fontsize=BASE_FONT, color=TEXT_COLOUR)
    handles = [Patch(color=c, label=component_label(n)) for n, c in colours.items()]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(4, len(handles)), fontsize=BASE_FONT - 0.5,
               frameon=False)
    return fig


def horizon_chart(horizon: Horizon) -> Figure | None:
    """Monthly cost of the chosen options over the horizon, with the break-even month."""
    lines = [ln for ln in horizon.lines if ln.costs_usd]
    if not lines:
        return None
    fig = _figure(3.1)
    ax = fig.add_subplot()
    _style(ax)
    styles = ("-", "--", ":", "-.")
    used: dict[str, int] = {}
    for ln in lines:
        n = used.get(ln.kind, 0)
        used[ln.kind] = n + 1
        months = range(len(ln.costs_usd))
        ax.plot(months, ln.costs_usd, color=kind_colour(ln.kind), linestyle=styles[n % len(styles)],
                linewidth=2.4 if ln.recommended else 1.4, label=("★ " if ln.recommended else "") + ln.label,
                zorder=3 if ln.recommended else 2)
        if ln.recommended and ln.purchase_months:
            ax.plot(ln.purchase_months, [ln.costs_usd[m] for m in ln.purchase_months], linestyle="none",
                    marker="^", markersize=5, color=kind_colour(ln.kind), zorder=4)
    handles, labels = ax.get_legend_handles_labels()
    if any(ln.recommended and ln.purchase_months for ln in lines):
        handles.append(Line2D([], [], linestyle="none", marker="^", color="#555555", markersize=5))
        labels.append("accelerators bought")
    if horizon.break_even_month:  # month 0 is the left edge: the caption says it
        ax.axvline(horizon.break_even_month, color="#555555", linestyle="--", linewidth=1)
        ax.annotate(f"break-even, month {horizon.break_even_month}", xy=(horizon.break_even_month, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(3, -2), textcoords="offset points",
                    va="top", fontsize=BASE_FONT - 0.5, color="#555555")
    ax.set_ylim(bottom=0)
    ax.set_xlim(0, max(len(ln.costs_usd) for ln in lines) - 1 or 1)
    ax.yaxis.set_major_formatter(_money_axis)
    ax.xaxis.set_major_locator(MaxNLocator(12, integer=True))
    ax.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    ax.set_xlabel("Month", fontsize=BASE_FONT, color=TEXT_COLOUR)
    ax.set_ylabel("Monthly cost (USD)", fontsize=BASE_FONT, color=TEXT_COLOUR)
    fig.legend(handles, [_wrap(label, 44) for label in labels], loc="outside lower center", ncols=2,
               fontsize=BASE_FONT - 0.5, frameon=False)
    return fig


def waterfall_chart(steps: tuple[WaterfallStep, ...]) -> Figure | None:
    """Baseline, each lever's change, and the final monthly cost."""
    if not steps:
        return None
    fig = _figure(2.9)
    ax = fig.add_subplot()
    _style(ax)
    level = 0.0
    top = 0.0
    for i, step in enumerate(steps):
        if step.is_total:
            bottom, height, colour = 0.0, step.value_usd, TOTAL
            level = step.value_usd
        else:
            bottom, height = level, step.value_usd
            colour = SAVING if step.value_usd < 0 else INCREASE
            level += step.value_usd
        ax.bar(i, height, bottom=bottom, color=colour, width=0.66, edgecolor="white")
        top = max(top, bottom, bottom + height)
        ax.text(i, max(bottom, bottom + height) , fmt.usd(step.value_usd), ha="center", va="bottom",
                fontsize=BASE_FONT - 0.5, color=TEXT_COLOUR)
    ax.set_xticks(range(len(steps)), [_wrap(s.label, 14) for s in steps], fontsize=BASE_FONT - 1)
    ax.set_ylim(0, top * 1.12 or 1)
    ax.yaxis.set_major_formatter(_money_axis)
    ax.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    ax.set_ylabel("Monthly cost (USD)", fontsize=BASE_FONT, color=TEXT_COLOUR)
    return fig


def to_png(fig: Figure, dpi: int = 200) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def to_svg(fig: Figure) -> str:
    """The figure as an inline <svg> element (text drawn as paths, so no font is needed to view it)."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "brief", "svg.fonttype": "path"}):  # same input, same bytes
        fig.savefig(buf, format="svg", facecolor="white", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]
