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


def _ceil_in_place(x: np.ndarray) -> np.ndarray:
    return np.ceil(x, out=x)


def _max_in_place(x: np.ndarray, y) -> np.ndarray:
    return np.maximum(x, y, out=x)


def _rounding(x):
    """ceil and max for `x`: numpy's for arrays, Python's (ints out) for plain numbers. The numpy ones write
    into their first argument, always a temporary of the rules below: the flips searches and the Monte Carlo
    apply them to tens of thousands of loads, where each copy costs as much as the arithmetic."""
    if not isinstance(x, np.ndarray):
        return math.ceil, max
    # a 0-d array divides into a numpy scalar, which no ufunc can write into
    return (_ceil_in_place, _max_in_place) if x.ndim else (np.ceil, np.maximum)


def _times(factor: int, count: N) -> N:
    """factor x count, without a pass over an array of loads when the factor is 1."""
    return count if factor == 1 else factor * count


def replicas(peak_calls_per_s: N, calls_per_s_per_replica: float, headroom: float, spares: int,
             domains: int = 1) -> tuple[N, N]:
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
    installed : ceil(peak x (1 + headroom) / capacity) + spares, never fewer than `domains` x `exact`
        (each failure domain carries the peak on its own).
    """
    ceil, at_least = _rounding(peak_calls_per_s)
    exact = at_least(ceil(peak_calls_per_s / calls_per_s_per_replica - EPSILON), 1)
    installed = ceil(peak_calls_per_s * (1.0 + headroom) / calls_per_s_per_replica - EPSILON)
    if spares:  # adding none would only turn a -0.0 below `exact` (at least 1) into 0.0
        installed = installed + spares
    return exact, at_least(installed, _times(domains, exact))


def whole_units(accelerators: N, unit: int) -> N:
    """Accelerators an owner must buy to have `accelerators`: whole purchase units (8-GPU
    baseboards, 72-GPU racks); the rest of a unit is bought too."""
    unit = max(unit, 1)
    if unit == 1:
        return accelerators
    ceil, _ = _rounding(accelerators)
    return ceil(accelerators / unit - EPSILON) * unit


def failure_unit(per_replica: int, unit: int = 1) -> int:
    """Accelerators in the unit that fails as one: the server (the purchase unit: an 8-GPU baseboard,
    an NVL72 rack) holding whole replicas, or the replica itself where it is the larger (a rented
    instance, a replica spanning servers)."""
    return whole_units(max(per_replica, 1), unit)


def accelerators(peak_calls_per_s: N, calls_per_s_per_replica: float, headroom: float, spares: int,
                 per_replica: int, unit: int = 1, domains: int = 1) -> N:
    """Accelerators installed for a peak load, counted in failure units (`failure_unit`).

    Parameters
    ----------
    spares : whole failure units beyond the load with headroom (N+1 servers: 1).
    domains : failure domains that must each carry the peak on their own (four nines: 2); the
        fleet is at least `domains` x the units the peak needs.

    Returns
    -------
    max(ceil(replicas with headroom / replicas per unit) + spares, domains x ceil(replicas for the
    peak / replicas per unit)) x accelerators per unit: whole purchase units by construction.
    """
    ceil, at_least = _rounding(peak_calls_per_s)
    exact, loaded = replicas(peak_calls_per_s, calls_per_s_per_replica, headroom, 0)
    size = failure_unit(per_replica, unit)
    per_unit = size // max(per_replica, 1)
    if per_unit > 1:  # with one replica a unit, whole replicas are whole units already (ceil(n - EPSILON) = n)
        loaded, exact = ceil(loaded / per_unit - EPSILON), ceil(exact / per_unit - EPSILON)
    units = at_least(loaded + spares, _times(domains, exact))
    return _times(size, units)
