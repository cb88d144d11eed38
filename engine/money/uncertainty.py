"""Uncertainty: P10 / P50 / P90 of each option's average monthly cost over the horizon,
by vectorized Monte Carlo over the most uncertain inputs, and the tornado of which
input drives the spread. Ranges come from cost_assumptions.yaml (range_*)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from engine.money.cost_model import CostModel, Paths, monthly_costs, paths
from engine.records import frozen_map
from engine.scenario.schema import Scenario
from engine.money.cost_model import load_assumptions

SAMPLES = 2000
SEED = 20261125  # fixed: the same scenario always shows the same bands
INPUTS = ("usage", "tokens_per_call", "monthly_growth", "api_prices", "gpu_prices")


@dataclass(frozen=True)
class Range:
    """Multipliers an input is drawn between (x0.5 - x2 reads 'half to double')."""

    low: float
    high: float


@dataclass(frozen=True)
class Band:
    """One option's average monthly cost over the horizon [USD]: percentiles and the unmoved base."""

    p10_usd: float
    p50_usd: float
    p90_usd: float
    base_usd: float


@dataclass(frozen=True)
class TornadoBar:
    """The focus option's average monthly cost with one input at each end of its range."""

    input: str  # one of INPUTS
    low_multiplier: float
    high_multiplier: float
    low_usd: float
    high_usd: float
    swing_usd: float


@dataclass(frozen=True)
class Uncertainty:
    metric: str
    samples: int
    seed: int
    ranges: Mapping[str, Range]
    options: Mapping[str, Band]  # option id -> band
    tornado_option_id: str | None
    tornado: tuple[TornadoBar, ...]  # widest swing first
    driver: str | None  # the input that moves the focus option most

    def __post_init__(self) -> None:
        object.__setattr__(self, "ranges", frozen_map(self.ranges))
        object.__setattr__(self, "options", frozen_map(self.options))


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


def uncertainty(models: dict[str, CostModel], scenario: Scenario, focus: str | None) -> Uncertainty:
    rng = np.random.default_rng(SEED)
    bounds = ranges()
    samples = {name: _sample(rng, *bounds[name], SAMPLES) for name in INPUTS}
    base = {name: np.ones(1) for name in INPUTS}
    sampled, base_paths = _paths(scenario, samples), _paths(scenario, base)
    bands = {}
    for oid, model in models.items():
        p10, p50, p90 = np.percentile(_average(model, sampled), [10, 50, 90])
        bands[oid] = Band(float(p10), float(p50), float(p90), float(_average(model, base_paths)[0]))
    tornado = []
    if focus in models:
        for name in INPUTS:
            low, high = (float(_average(models[focus], _paths(scenario, {**base, name: np.array([b])}))[0])
                         for b in bounds[name])
            tornado.append(TornadoBar(name, bounds[name][0], bounds[name][1], low, high, abs(high - low)))
        tornado = [t for t in tornado if t.swing_usd > 0]  # e.g. API prices never move an owned fleet
        tornado.sort(key=lambda t: t.swing_usd, reverse=True)
    return Uncertainty("average monthly TCO over the horizon [USD]", SAMPLES, SEED,
                       {k: Range(*v) for k, v in bounds.items()}, bands, focus, tuple(tornado),
                       tornado[0].input if tornado else None)
