"""Benchmarks: medians of repeated engine calls (`python -m engine bench`).

Speed is measured here, not asserted in tests: the machines are shared and noisy.
"""
from __future__ import annotations

import statistics
import time
from typing import Callable

import datetime as dt
from pathlib import Path

from engine.catalog.catalog import load_catalog
from engine.plan import plan
from engine.physics.predict import predict
from engine.scenario.schema import Scenario
from engine.capacity.sizing import size
from engine.memo import forget_memos


def _median_ms(fn: Callable[[], object], repeats: int) -> dict:
    fn()  # warm imports and the catalog
    runs = []
    for _ in range(repeats):
        # Each timed run sizes from scratch: timing memo hits would report an edit that changes only
        # volume, not a new scenario.
        forget_memos()
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
        **_plans(catalog, max(repeats // 3, 5)),
    }


def _plans(catalog, repeats: int) -> dict[str, dict]:
    """plan() for every preset, without and with the roadmap (uncertainty always included)."""
    presets = Path(__file__).resolve().parents[1] / "presets"
    day = dt.date.today()
    out = {}
    for path in sorted(presets.glob("*.yaml")):
        s = Scenario.from_yaml(path.read_text(encoding="utf-8"))
        out[f"plan {path.stem}"] = _median_ms(lambda: plan(s, catalog, day, with_roadmap=False), repeats)
        out[f"plan+roadmap {path.stem}"] = _median_ms(lambda: plan(s, catalog, day), repeats)
        out[f"what-flips {path.stem} (inside plan)"] = _what_flips_ms(s, catalog, day, repeats)
        out[f"token-flips {path.stem} (on request)"] = _token_flips_ms(s, catalog, day, repeats)
    return out


def _token_flips_ms(s: Scenario, catalog, day: dt.date, repeats: int) -> dict:
    """The token-per-call search (engine/token_flips.py, run on request after a plan), each run after a
    fresh plan() on an emptied replica-search memo, as a user's first click meets it."""
    from engine.token_flips import token_flips

    runs: list[float] = []
    for _ in range(repeats + 1):
        forget_memos()
        today = plan(s, catalog, day, with_roadmap=False)
        start = time.perf_counter()
        token_flips(today, catalog)
        runs.append((time.perf_counter() - start) * 1e3)
    runs = runs[1:]  # the first warms imports
    return {"median_ms": statistics.median(runs), "min_ms": min(runs), "runs": repeats}


def _what_flips_ms(s: Scenario, catalog, day: dt.date, repeats: int) -> dict:
    """What recommendation.what_flips adds to plan(): the search timed inside each plan() call, on the
    replica-search memo as plan() leaves it (the search re-sizes only what it must)."""
    import engine.plan as engine_plan

    runs: list[float] = []
    real = engine_plan.what_flips

    def timed(ctx):
        start = time.perf_counter()
        try:
            return real(ctx)
        finally:
            runs.append((time.perf_counter() - start) * 1e3)

    engine_plan.what_flips = timed
    try:
        plan(s, catalog, day, with_roadmap=False)  # warm
        runs.clear()
        for _ in range(repeats):
            forget_memos()
            plan(s, catalog, day, with_roadmap=False)
    finally:
        engine_plan.what_flips = real
    return {"median_ms": statistics.median(runs), "min_ms": min(runs), "runs": repeats}
