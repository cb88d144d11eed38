"""Benchmarks: medians of repeated engine calls (`python -m engine bench`).

Speed is measured here, not asserted in tests: the machines are shared and noisy.
"""
from __future__ import annotations

import statistics
import time
from typing import Callable

from engine.catalog import load_catalog
from engine.predict import predict
from engine.scenario import Scenario
from engine.sizing import size


def _median_ms(fn: Callable[[], object], repeats: int) -> dict:
    fn()  # warm caches and imports
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1e3)
    return {"median_ms": statistics.median(runs), "min_ms": min(runs), "runs": repeats}


def run_bench(repeats: int = 30) -> dict[str, dict]:
    catalog = load_catalog()
    scenario = Scenario()
    return {
        "predict llama-3.3-70b 8xh100 max-throughput": _median_ms(
            lambda: predict(catalog, "llama-3.3-70b", "h100-sxm", "fp8", 8, 1000, 1000), repeats),
        "predict llama-3.3-70b 8xh100 slo": _median_ms(
            lambda: predict(catalog, "llama-3.3-70b", "h100-sxm", "fp8", 8, 1000, 1000,
                            mode="slo", ttft_ms=1000, tpot_ms=50), repeats),
        "size default scenario (whole catalog)": _median_ms(lambda: size(scenario, catalog), repeats),
    }
