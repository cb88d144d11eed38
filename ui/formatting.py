"""Number formatting for screens: the brief's helpers (report/formatting.py), so the app and
the PDF print every figure the same way, plus the two compact forms only screens use."""
from __future__ import annotations

from report.formatting import MISSING as EMPTY
from report.formatting import identifier_label
from report.formatting import ms, percent
from report.formatting import tok_per_s as tokens_per_s
from report.formatting import usd as money
from report.formatting import usd_per_month as money_per_month

__all__ = ["EMPTY", "count", "gb", "money", "money_per_month", "ms", "percent", "tokens_per_s"]


def count(value: float | None) -> str:
    """Compact counts for headlines: 950, 1,250, 1.2M, 3.4B."""
    if value is None:
        return EMPTY
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.1f}B"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f}M"
    return f"{value:,.0f}"


def gb(value: float | None) -> str:
    return EMPTY if value is None else f"{value:,.0f} GB"
