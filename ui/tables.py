"""Tables for screens: engine records in, display frames with plain column names out."""
from __future__ import annotations

import pandas as pd

from engine.sizing import HardwareOption


def hardware_table(options: tuple[HardwareOption, ...]) -> pd.DataFrame:
    """One row per accelerator: configuration, latency, accelerators and why when infeasible."""
    rows = []
    for o in options:
        rows.append({
            "Accelerator": o.hardware_name,
            "Meets SLO": "yes" if o.feasible else "no",
            "Serving stack": o.stack or "",
            "Precision": (o.precision or "").upper(),
            "Tensor parallel": o.tensor_parallel,
            "Batch per replica": o.batch_size,
            "TTFT p95 (ms)": None if o.ttft_ms is None else round(o.ttft_ms),
            "Tokens/s per user": None if not o.tpot_ms else round(1000 / o.tpot_ms, 1),
            "Accelerators for peak": o.accelerators_for_peak,
            "Accelerators (headroom + redundancy)": o.accelerators,
            "Average utilization": None if o.utilization is None else f"{o.utilization:.0%}",
            "Note": "" if o.feasible and not o.specialized else o.reason,
        })
    return pd.DataFrame(rows)
