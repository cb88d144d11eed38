"""Uncertainty: P10 / P50 / P90 of each option's average monthly cost over the horizon,
by vectorized Monte Carlo over the most uncertain inputs, and the tornado of which
input drives the spread. Ranges come from cost_assumptions.yaml (range_*); a self-hosted
option's throughput is drawn from its own prediction band (engine/physics/bands.py)."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

import numpy as np

from engine.money.cost_model import CostModel, Paths, monthly_costs, paths
from engine.records import frozen_map
from engine.scenario.schema import Scenario
from engine.money.cost_model import load_assumptions

if TYPE_CHECKING:
    from engine.physics.bands import ThroughputBand

SAMPLES = 2000
SEED = 20261125  # fixed: the same scenario always shows the same bands
INPUTS = ("usage", "tokens_per_call", "monthly_growth", "api_prices", "gpu_prices")
# A self-hosted option's delivered / predicted throughput: its own band, not one range for all.
THROUGHPUT = "throughput"
Z_P90 = 1.2815515655446004  # the standard normal's 90th percentile


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
    # Self-hosted option id -> its throughput band as multipliers of the predicted throughput (10th and
    # 90th percentile; drawn log-normal through them): fewer tokens/s per replica, more accelerators.
    throughput: Mapping[str, Range] = dataclasses.field(default_factory=dict)
    # False: `options` holds the focus option's band only (a screen that shows the tornado, not every band)
    every_option: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "ranges", frozen_map(self.ranges))
        object.__setattr__(self, "options", frozen_map(self.options))
        object.__setattr__(self, "throughput", frozen_map(self.throughput))


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


def throughput_factors(band: Range, z: np.ndarray) -> np.ndarray:
    """Delivered / predicted throughput for standard normal draws `z`: log-normal with the band's ends as
    its 10th and 90th percentiles (the band is the held-out errors' 10th to 90th percentile, not a bound)."""
    lo, hi = math.log(band.low), math.log(band.high)
    return np.exp((lo + hi) / 2.0 + (hi - lo) / (2.0 * Z_P90) * z)


def _slower(p: Paths, factor: np.ndarray) -> Paths:
    """The paths with each sample's replicas carrying `factor` x the predicted throughput: a fleet sized on
    them needs 1 / factor as many replicas (APIs read the volume only, so a delivery bridge's fees stay)."""
    software = p.software if p.software is not None else np.ones((1, p.volume.shape[1]))
    return dataclasses.replace(p, software=software * factor.reshape(-1, 1))


def uncertainty(models: dict[str, CostModel], scenario: Scenario, focus: str | None,
                throughput: Mapping[str, Range] | None = None, every_option: bool = True) -> Uncertainty:
    """P10 / P50 / P90 of each option's average month over sampled paths, and the focus option's tornado.
    Without `every_option`, the band of the focus option only (the Monte Carlo is nearly all of the time,
    and the Scenario page reads the tornado alone); the same figures for it.

    `throughput` gives a self-hosted option's throughput band as multipliers (`Range`, 10th and 90th
    percentile of delivered / predicted): its samples draw their throughput from it, one standard normal
    draw per sample shared by every option (the model errs alike on options drawn from the same residuals),
    so the range of an option on hardware or a model never measured widens with its band.
    """
    rng = np.random.default_rng(SEED)
    bounds = ranges()
    samples = {name: _sample(rng, *bounds[name], SAMPLES) for name in INPUTS}
    z = rng.standard_normal(SAMPLES)  # drawn after the others: their samples stay as they were
    base = {name: np.ones(1) for name in INPUTS}
    sampled, base_paths = _paths(scenario, samples), _paths(scenario, base)
    throughput = {oid: r for oid, r in (throughput or {}).items() if oid in models}
    by_band: dict[Range | None, list[str]] = {}  # options of one band (rented, owned) share their paths and loads
    for oid in models:
        if every_option or oid == focus:
            by_band.setdefault(throughput.get(oid), []).append(oid)
    # priced band by band: a band's loads and their grid positions are worked out once and kept only while
    # its options are priced (cost_model.py keeps the last few), whatever order the options come in
    computed = {}
    for band, oids in by_band.items():
        p = sampled if band is None else _slower(sampled, throughput_factors(band, z))
        for oid in oids:
            computed[oid] = _average(models[oid], p)
    averages = {oid: computed[oid] for oid in models if oid in computed}
    # every option's percentiles in one call (row by row, the same figures): numpy's percentile costs more
    # to call than to compute on 2,000 samples
    percentiles = np.percentile(np.stack(list(averages.values())), [10, 50, 90], axis=1) if averages else ()
    bands = {oid: Band(float(percentiles[0][i]), float(percentiles[1][i]), float(percentiles[2][i]),
                       float(_average(models[oid], base_paths)[0]))
             for i, oid in enumerate(averages)}
    tornado = []
    if focus in models:
        for name in INPUTS:
            low, high = (float(_average(models[focus], _paths(scenario, {**base, name: np.array([b])}))[0])
                         for b in bounds[name])
            tornado.append(TornadoBar(name, bounds[name][0], bounds[name][1], low, high, abs(high - low)))
        band = throughput.get(focus)
        if band is not None:
            low, high = (float(_average(models[focus], _slower(base_paths, np.array([b])))[0])
                         for b in (band.low, band.high))
            tornado.append(TornadoBar(THROUGHPUT, band.low, band.high, low, high, abs(high - low)))
        tornado = [t for t in tornado if t.swing_usd > 0]  # e.g. API prices never move an owned fleet
        tornado.sort(key=lambda t: t.swing_usd, reverse=True)
    return Uncertainty("average monthly TCO over the horizon [USD]", SAMPLES, SEED,
                       {k: Range(*v) for k, v in bounds.items()}, bands, focus, tuple(tornado),
                       tornado[0].input if tornado else None, throughput, every_option)


def throughput_ranges(bands: Mapping[str, ThroughputBand | None]) -> dict[str, Range]:
    """Option id -> its throughput band as multipliers of the predicted throughput, rounded to the
    hundredth a screen shows (x0.61 - x1.12), for options that carry a band (`ThroughputBand`)."""
    return {oid: Range(round(1.0 + b.low_fraction, 2), round(1.0 + b.high_fraction, 2))
            for oid, b in bands.items() if b is not None}
