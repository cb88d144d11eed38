"""Prediction bands: how far an option's modelled throughput may be from what it will deliver.

The band of an option (hardware, model family, operating mode) is drawn from the stored held-out
residuals (engine/data/reported_accuracy.json, `calibration.held_out_residuals`): the signed errors
of every calibration row of that hardware predicted with the hardware left out of the fit, and of
every row of that family predicted with the family left out. The formula, in log space so that
over- and under-prediction weigh alike:

    x_q = ( ln(1 + e_q[hardware]) + ln(1 + e_q[family]) ) / 2      for q = p10, p90
    low  = min(exp(-x_p90) - 1, 0)   (the model promised too much: fewer tokens/s than predicted)
    high = max(exp(-x_p10) - 1, 0)

where e_q[g] is the q-th percentile of the group's signed held-out error (predicted / measured - 1) on
rows of the option's mode: `latency-limited` (MLPerf server / interactive rows) when the latency
targets bind the batch, `max-throughput` when the batch is at its memory or stack cap. A group with
fewer than MIN_ROWS rows in that mode uses its rows of both modes; a group with fewer than MIN_ROWS
rows in all is "never measured" and takes the widest band observed among the measured groups of its
kind and mode (largest p90 - p10), so an option on unmeasured hardware or an unmeasured family is
never shown a narrower band than a measured one. The band always holds the prediction itself
(low <= 0 <= high): a group whose held-out errors all lie on one side says the fit without it leaned
that way, while the fit in use has seen its rows. low and high are fractions of the predicted
throughput (-0.25: a quarter fewer tokens/s); the band is the 10th to 90th percentile, not a bound.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Mapping

from engine.physics.calibration import (ALL_MODES, LATENCY_LIMITED, MAX_THROUGHPUT, Residuals, family_of,
                                        reported_accuracy)
from engine.physics.perf import ReplicaConfig, max_batch

MODES = (MAX_THROUGHPUT, LATENCY_LIMITED)
# Fewer held-out rows than this cannot place a 10th and a 90th percentile apart from the extremes.
MIN_ROWS = 5


@dataclass(frozen=True)
class ThroughputBand:
    """The 10th-90th percentile range of delivered / predicted throughput - 1 for one option [fraction]."""

    low_fraction: float  # e.g. -0.25: a quarter fewer tokens/s than predicted (more accelerators needed)
    high_fraction: float  # e.g. +0.10
    mode: str  # max-throughput | latency-limited: which residuals apply
    hardware: str
    hardware_name: str
    family: str
    hardware_rows: int  # held-out rows behind the hardware side (0: never measured)
    family_rows: int
    basis: str  # one sentence: which residuals, how many rows, what was never measured

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"ThroughputBand.mode = {self.mode!r}; expected one of {MODES}")
        if not -1.0 < self.low_fraction <= self.high_fraction:
            raise ValueError(f"ThroughputBand: low {self.low_fraction} must be above -1 and at most high "
                             f"{self.high_fraction}")

    @property
    def hardware_measured(self) -> bool:
        return self.hardware_rows > 0

    @property
    def family_measured(self) -> bool:
        return self.family_rows > 0

    @property
    def widest_fraction(self) -> float:
        """The farther end from the prediction (the '±' a single figure quotes) [fraction]."""
        return max(-self.low_fraction, self.high_fraction)

    @property
    def spread_fraction(self) -> float:
        return self.high_fraction - self.low_fraction


def _pick(groups: Mapping[str, Mapping[str, Residuals]], label: str, mode: str) -> Residuals | None:
    """The group's residuals in `mode`, else over both modes, else None (never measured)."""
    modes = groups.get(label, {})
    for m in (mode, ALL_MODES):
        q = modes.get(m)
        if q is not None and q.rows >= MIN_ROWS:
            return q
    return None


def _widest(groups: Mapping[str, Mapping[str, Residuals]], mode: str) -> Residuals | None:
    """The measured group with the widest 10th-90th percentile spread in `mode` (None: nothing measured)."""
    found = [q for label in groups if (q := _pick(groups, label, mode)) is not None]
    return max(found, key=lambda q: (q.p90 - q.p10, q.p90), default=None)


def _side(kind: str, name: str, q: Residuals, measured: bool, mode: str, rows_seen: int) -> str:
    if not measured:
        why = f"only {rows_seen} held-out rows" if rows_seen else "never measured"
        return f"{name} ({why}: the widest {kind} band)"
    return f"{name} ({q.rows} held-out {mode} rows, median error {q.p50:+.0%})"


@functools.lru_cache(maxsize=1024)
def throughput_band(hardware: str, hardware_name: str, model_id: str, mode: str) -> ThroughputBand | None:
    """The option's throughput band (module docstring: the formula), or None where no accuracy is stored.

    Parameters
    ----------
    hardware, hardware_name : the catalog id and display name of the accelerator
    model_id : the catalog model; its family is `calibration.family_of`
    mode : `max-throughput` or `latency-limited` (`operating_mode`)
    """
    if mode not in MODES:
        raise ValueError(f"mode = {mode!r}; expected one of {MODES}")
    accuracy = reported_accuracy()
    residuals = accuracy.residuals if accuracy is not None else {}
    if not residuals:
        return None
    family = family_of(model_id)
    sides = []
    for kind, label, name in (("hardware", hardware, hardware_name), ("family", family, f"the {family} family")):
        groups = residuals.get(kind, {})
        q = _pick(groups, label, mode)
        measured = q is not None
        if q is None:
            q = _widest(groups, mode)
        seen = groups.get(label, {}).get(ALL_MODES)
        sides.append((kind, name, q, measured, seen.rows if seen else 0))
    if any(q is None for _, _, q, _, _ in sides):
        return None
    x10 = sum(math.log1p(q.p10) for _, _, q, _, _ in sides) / 2.0
    x90 = sum(math.log1p(q.p90) for _, _, q, _, _ in sides) / 2.0
    (_, _, hq, h_measured, _), (_, _, fq, f_measured, _) = sides
    basis = ("held-out residuals of " + " and ".join(_side(k, n, q, m, mode, seen) for k, n, q, m, seen in sides)
             + ": 10th to 90th percentile of delivered / predicted tokens/s, averaged in log space")
    return ThroughputBand(min(math.expm1(-x90), 0.0), max(math.expm1(-x10), 0.0), mode, hardware, hardware_name, family,
                          hq.rows if h_measured else 0, fq.rows if f_measured else 0, basis)


@functools.lru_cache(maxsize=4096)
def operating_mode(cfg: ReplicaConfig, batch_size: int, input_tokens: float, output_tokens: float) -> str:
    """`max-throughput` when the sized batch is at the replica's memory or stack cap (the latency targets
    do not bind), `latency-limited` otherwise: which held-out residuals an option's band reads."""
    cap, _ = max_batch(cfg, input_tokens, output_tokens)
    return MAX_THROUGHPUT if batch_size >= cap else LATENCY_LIMITED
