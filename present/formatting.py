"""Engine numbers as text: one formatter per kind of figure, so every screen, the brief and the
engine's rationale print the same number the same way ($999,600 -> $1.0M everywhere).

Values arrive in the engine's units (USD, ms, tok/s, fractions) and are converted only here,
for display. None (or NaN) means "not known" and prints as an en dash.
"""
from __future__ import annotations

import math

MISSING = "–"


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def scientific(value: float) -> str:
    """Two significant figures and a power of ten: 1.2e18 (no '+', no leading zero in the exponent)."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


# Beyond a thousand trillion a figure in T would need a thousands separator again ($1,234,567.8B
# before this existed): from there on the power of ten says the size.
_SCIENTIFIC_FROM = 999.95e12


def usd(value: float | None) -> str:
    """Compact money: $1.2e15, $3.4T, $2.5B, $1.2M, $164k, $16.5k, $9,950, $2.71, $0.045."""
    if _is_missing(value):
        return MISSING
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v >= _SCIENTIFIC_FROM:
        return f"{sign}${scientific(v)}"
    # Thresholds sit where the smaller unit would round up to 1,000 of itself ($999,600 -> $1.0M).
    if round(v / 1e9, 1) >= 1000:
        return f"{sign}${v / 1e12:,.1f}T"
    if round(v / 1e6) >= 1000:
        return f"{sign}${v / 1e9:,.1f}B"
    if round(v / 1e3) >= 1000:
        return f"{sign}${v / 1e6:,.1f}M"
    if round(v / 1e3) >= 100:
        return f"{sign}${v / 1e3:,.0f}k"
    if round(v) >= 1e4:  # up to three significant figures ($10.6k, $11k), so near ties still read apart
        return f"{sign}${v / 1e3:.3g}k"
    if v >= 100:
        return f"{sign}${v:,.0f}"
    if v == 0:
        return "$0"
    if v >= 1:
        return f"{sign}${v:,.2f}"
    return f"{sign}${v:.2g}" if v >= 0.01 else f"{sign}${v:.1g}"


def usd_axis(value: float) -> str:
    """Chart tick labels, one style per axis: $0, $500, $8k, $1.5M, $2B, $3T, $1.0e16."""
    v = abs(value)
    sign = "-" if value < 0 else ""
    if not math.isfinite(v):
        return MISSING
    r = float(f"{v:.3g}")  # rounded first, so 999.96M reads $1B, not $1e+03M
    if r >= 1e15:
        return f"{sign}${scientific(v)}"
    for unit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if r >= unit:
            return f"{sign}${r / unit:,.3g}{suffix}"
    return f"{sign}${v:,.0f}"


def count_axis(value: float) -> str:
    """Chart tick labels for counts on a log axis: 5, 20, 500, 2k, 1.5M."""
    if value >= 1e6:
        return f"{value / 1e6:g}M"
    if value >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def usd_per_month(value: float | None) -> str:
    """$1.2M / month."""
    return MISSING if _is_missing(value) else f"{usd(value)} / month"


def count(value: float | None) -> str:
    """A count of things: 950, 1,250, 250,000; compact from a million on: 1.2M, 3.4B, 5.6T, 7.8e15."""
    if _is_missing(value):
        return MISSING
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v >= _SCIENTIFIC_FROM:
        return f"{sign}{scientific(v)}"
    if round(v / 1e9, 1) >= 1000:
        return f"{sign}{v / 1e12:,.1f}T"
    if round(v / 1e6, 1) >= 1000:  # 999.96M would print as 1,000.0M
        return f"{sign}{v / 1e9:,.1f}B"
    if round(v) >= 1e6:
        return f"{sign}{v / 1e6:,.1f}M"
    return f"{sign}{v:,.0f}"


def number(value: float | None) -> str:
    """A scenario input as written: 50,000, 0.4, 1.3."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.4g}" if abs(value) >= 1 else f"{value:g}"


def tok_per_s(value: float | None) -> str:
    """1,250 tok/s (one decimal below 10)."""
    if _is_missing(value):
        return MISSING
    return f"{value:,.1f} tok/s" if value < 10 else f"{value:,.0f} tok/s"


def ms(value: float | None) -> str:
    """1,250 ms, or 12.5 s from ten seconds on."""
    if _is_missing(value):
        return MISSING
    return seconds(value) if value >= 10_000 else f"{value:,.0f} ms"


def seconds(value_ms: float | None) -> str:
    """A duration given in ms, in seconds: 2,450 ms -> 2.5 s."""
    return MISSING if _is_missing(value_ms) else f"{value_ms / 1000:,.1f} s"


def gb(value: float | None) -> str:
    """80 GB."""
    return MISSING if _is_missing(value) else f"{value:,.0f} GB"


def percent(fraction: float | None, digits: int = 0) -> str:
    """0.123 -> 12%."""
    return MISSING if _is_missing(fraction) else f"{fraction:.{digits}%}"


def percent_short(fraction: float | None, digits: int = 1) -> str:
    """Up to `digits` decimals, trailing zeros dropped: 0.05 -> 5%, 0.025 -> 2.5%, 0.999 -> 99.9%."""
    if _is_missing(fraction):
        return MISSING
    text = f"{fraction:.{digits}%}"[:-1]
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def signed_percent(fraction: float | None, digits: int = 1) -> str:
    """0.011 -> +1.1%."""
    return MISSING if _is_missing(fraction) else f"{fraction:+.{digits}%}"


def band_span(low: float | None, high: float | None) -> str:
    """A band around a prediction: -0.18, 0.17 -> '±18%'; -0.39, 0.12 -> '−39% to +12%' (whole percents)."""
    if _is_missing(low) or _is_missing(high):
        return MISSING
    lo, hi = round(low * 100), round(high * 100)
    if -lo == hi and hi > 0:
        return f"±{hi}%"

    def signed(value: int) -> str:
        return "0%" if value == 0 else f"{'+' if value > 0 else '−'}{abs(value)}%"
    return f"{signed(lo)} to {signed(hi)}"


def times(ratio: float | None, digits: int = 1) -> str:
    """A multiple: 2.34 -> 2.3x."""
    return MISSING if _is_missing(ratio) else f"{ratio:.{digits}f}x"


# Vendors count HBM in binary gigabytes: an "80 GB" H100 holds 80 x 2^30 bytes (81,559 MiB in nvidia-smi),
# and the catalog keeps their figure. The engine works in decimal GB (engine/physics/perf.py
# BYTES_PER_MEMORY_GB converts); screens show memory in the catalog's unit so an MI355X reads 288 GB.
BYTES_PER_HBM_GB = 2**30


def hbm_from_decimal_gb(value_gb: float) -> float:
    """Decimal GB (1e9 bytes) as the vendor's GB of HBM (2^30 bytes)."""
    return value_gb * 1e9 / BYTES_PER_HBM_GB


def hbm_gb(value_gb: float | None) -> str:
    """Memory the engine gives in decimal GB, printed in the vendor's GB: 309.2e9 bytes -> '288 GB'."""
    return MISSING if _is_missing(value_gb) else gb(hbm_from_decimal_gb(value_gb))


# --- self-hosted fleet figures (Option.accelerator_hours_per_month, it_power_kw, joules_per_token, ...) ---

def hours(value: float | None) -> str:
    """Accelerator-hours: 42,279 h; compact from a million on: 1.2M h."""
    return MISSING if _is_missing(value) else f"{count(value)} h"


def kw(value: float | None) -> str:
    """Electric power: 0.75 kW, 179.7 kW, 1,250 kW; 1.2 MW from a thousand kW on."""
    if _is_missing(value):
        return MISSING
    if round(value) >= 1000:
        return f"{value / 1000:,.1f} MW"
    return f"{value:,.2f} kW" if value < 10 else f"{value:,.1f} kW"


def joules_per_token(value: float | None) -> str:
    """Energy per generated token, two significant figures: 0.046 J/token, 1.3 J/token."""
    return MISSING if _is_missing(value) else f"{value:.2g} J/token"


def tok_per_s_per_kw(value: float | None) -> str:
    """Generated tokens/s per kW of IT power: 21,925 tok/s per kW."""
    return MISSING if _is_missing(value) else f"{count(value)} tok/s per kW"


def spare_load(fraction: float | None) -> str:
    """Owned headroom before the next purchase: 0.194 -> 'carries 19% more load at no extra cost'."""
    if _is_missing(fraction):
        return MISSING
    if fraction <= 0:
        return "no spare load: more load needs another purchase"
    share = "under 1%" if round(fraction, 2) < 0.01 else percent_short(fraction, 0)
    return f"carries {share} more load at no extra cost"
