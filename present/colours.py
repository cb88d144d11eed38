"""Colours shared by the app's plotly charts and the brief's matplotlib charts: the reader learns
"blue is an API" on one page and keeps it on the next page and in the PDF. Hex strings only."""
from __future__ import annotations

from collections.abc import Iterable

# One colour per Option.kind.
KIND_COLOURS = {
    "api": "#2563eb",  # blue
    "cloud": "#f59e0b",  # amber
    "owned": "#059669",  # green
    "specialized": "#9333ea",  # purple
}
NEUTRAL = "#94a3b8"  # anything without a kind of its own
SAVING = "#059669"  # a cost going down (waterfall, tornado low case)
INCREASE = "#dc2626"  # a cost going up, a limit line
TOTAL = "#1e3a8a"  # a standing total (waterfall's first and last bar)

# One colour per cost component (Option.components_usd keys) on every chart, whatever options a
# scenario shows; stacks and legends follow this order. Hues are kept away from the four kinds.
COMPONENT_COLOURS = {
    "hardware (amortized)": "#334155",
    "power": "#be185d",
    "space": "#94a3b8",
    "maintenance": "#f9a8d4",
    "accelerator rental": "#0e7490",
    "storage and egress": "#a5f3fc",
    "software licences": "#7c2d12",
    "input tokens": "#4d7c0f",
    "cached input tokens": "#d9f99d",
    "output tokens": "#a16207",
    "reasoning tokens": "#fde68a",
    "operations staff": "#d6a57c",
}
# For a component the table above does not know yet.
COMPONENT_FALLBACK = ("#57534e", "#e7e5e4", "#6b7280", "#d6d3d1")


def kind_colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, NEUTRAL)


def component_colours(components: Iterable[str]) -> dict[str, str]:
    """The components present, in the shared stacking order (unknown ones last, by name), with their colours."""
    present = set(components)
    known = [c for c in COMPONENT_COLOURS if c in present]
    unknown = sorted(present - set(known))
    colours = {c: COMPONENT_COLOURS[c] for c in known}
    colours.update({c: COMPONENT_FALLBACK[i % len(COMPONENT_FALLBACK)] for i, c in enumerate(unknown)})
    return colours
