"""The fleet rule: how many replicas and accelerators carry a peak load, and what an owner buys.

One rule serves sizing (one configuration at today's peak, plain numbers), the cost model
(arrays of loads over samples and months) and the roadmap (two models on one owned fleet).
Plain numbers in give ints out; numpy arrays in give float arrays of whole numbers out.
"""
from __future__ import annotations

import math
from typing import TypeVar

import numpy as np

# A load that lands exactly on a whole number of replicas (up to float noise) needs no extra one.
EPSILON = 1e-9

N = TypeVar("N", float, np.ndarray)


def _rounding(x):
    """ceil and max for `x`: numpy's for arrays, Python's (ints out) for plain numbers."""
    return (np.ceil, np.maximum) if isinstance(x, np.ndarray) else (math.ceil, max)


def replicas(peak_calls_per_s: N, calls_per_s_per_replica: float, headroom: float, spares: int) -> tuple[N, N]:
    """Replicas that carry the peak exactly, and replicas installed with headroom and spares.

    Parameters
    ----------
    peak_calls_per_s : peak load [calls/s], a number or an array of loads.
    calls_per_s_per_replica : what one replica carries at the SLO [calls/s].
    headroom : spare capacity kept above the peak (0.2 = 20 %).
    spares : whole replicas added for redundancy.

    Returns
    -------
    exact : replicas the peak needs, at least 1.
    installed : ceil(peak x (1 + headroom) / capacity) + spares, never fewer than `exact`.
    """
    ceil, at_least = _rounding(peak_calls_per_s)
    exact = at_least(ceil(peak_calls_per_s / calls_per_s_per_replica - EPSILON), 1)
    installed = ceil(peak_calls_per_s * (1.0 + headroom) / calls_per_s_per_replica - EPSILON) + spares
    return exact, at_least(installed, exact)


def whole_units(accelerators: N, unit: int) -> N:
    """Accelerators an owner must buy to have `accelerators`: whole purchase units (8-GPU
    baseboards, 72-GPU racks); the rest of a unit is bought too."""
    unit = max(unit, 1)
    if unit == 1:
        return accelerators
    ceil, _ = _rounding(accelerators)
    return ceil(accelerators / unit - EPSILON) * unit


def accelerators(peak_calls_per_s: N, calls_per_s_per_replica: float, headroom: float, spares: int,
                 per_replica: int, unit: int = 1) -> N:
    """Accelerators installed for a peak load: installed replicas x accelerators per replica, in
    whole purchase units of `unit` (1 for rented fleets)."""
    _, installed = replicas(peak_calls_per_s, calls_per_s_per_replica, headroom, spares)
    return whole_units(installed * per_replica, unit)
