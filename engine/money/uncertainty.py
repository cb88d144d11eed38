"""Uncertainty: P10 / P50 / P90 of each option's average monthly cost over the horizon,
by vectorized Monte Carlo over the most uncertain inputs, and the tornado of which
input drives the spread. Ranges come from cost_assumptions.yaml (range_*)."""
from __future__ import annotations

import numpy as np

from engine.money.cost_model import CostModel, Paths, monthly_costs, paths
from engine.scenario.schema import Scenario
from engine.money.options import load_assumptions

SAMPLES = 2000
SEED = 20261125  # fixed: the same scenario always shows the same bands
INPUTS = ("usage", "tokens_per_call", "monthly_growth", "api_prices", "gpu_prices")


def ranges() -> dict[str, tuple[float, float]]:
    table = load_assumptions()
    return {name: (float(table[f"range_{name}"].low), float(table[f"range_{name}"].high)) for name in INPUTS}


def _sample(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    """Log-uniform between the low and high multipliers (equal odds per factor, e.g. x0.5-x1 as
    likely as x1-x2). Ranges come from their sources and need not be symmetric around x1, so the
    P50 can sit below or above today's figure."""
    return np.exp(rng.uniform(np.log(low), np.log(high), n))


def _paths(scenario: Scenario, m: dict[str, np.ndarray]) -> Paths:
    growth = scenario.finance.monthly_growth * m["monthly_growth"]
    return paths(scenario, scenario.finance.horizon_months, m["usage"], m["tokens_per_call"], growth,
                 m["api_prices"], m["gpu_prices"])


def _average(model: CostModel, p: Paths) -> np.ndarray:
    return monthly_costs(model, p).mean(axis=1)


def uncertainty(models: dict[str, CostModel], scenario: Scenario, focus: str | None) -> dict:
    rng = np.random.default_rng(SEED)
    bounds = ranges()
    samples = {name: _sample(rng, *bounds[name], SAMPLES) for name in INPUTS}
    base = {name: np.ones(1) for name in INPUTS}
    sampled, base_paths = _paths(scenario, samples), _paths(scenario, base)
    bands = {}
    for oid, model in models.items():
        p10, p50, p90 = np.percentile(_average(model, sampled), [10, 50, 90])
        bands[oid] = {"p10_usd": float(p10), "p50_usd": float(p50), "p90_usd": float(p90),
                      "base_usd": float(_average(model, base_paths)[0])}
    tornado = []
    if focus in models:
        for name in INPUTS:
            low, high = (float(_average(models[focus], _paths(scenario, {**base, name: np.array([b])}))[0])
                         for b in bounds[name])
            tornado.append({"input": name, "low_multiplier": bounds[name][0], "high_multiplier": bounds[name][1],
                            "low_usd": low, "high_usd": high, "swing_usd": abs(high - low)})
        tornado = [t for t in tornado if t["swing_usd"] > 0]  # e.g. API prices never move an owned fleet
        tornado.sort(key=lambda t: t["swing_usd"], reverse=True)
    return {"metric": "average monthly TCO over the horizon [USD]", "samples": SAMPLES, "seed": SEED,
            "ranges": {k: {"low": v[0], "high": v[1]} for k, v in bounds.items()},
            "options": bands, "tornado_option_id": focus, "tornado": tornado,
            "driver": tornado[0]["input"] if tornado else None}
