"""Fit the serving stacks' efficiency factors, and judge them out of sample.

One objective serves the stored fit (`python -m tools.fit --write`) and the leave-one-group-out
evaluation of `python -m engine calibrate`:

    sum_i w_i rho(log(predicted_i / measured_i)^2 / s^2)  +  sum_k ((log x_k - log prior_k) / sd_k)^2

- w_i: every (source, hardware, model) group of rows weighs the same (1 / rows of its group),
  so a table with 40 rows of one GPU does not outvote one MLPerf result of another;
- rho: soft-L1 (robust to a few odd rows), s = `DATA_SCALE` (typical log error of one row);
- priors: each factor has a centre and a log-width from microbenchmarks (fit_priors.yaml)
  instead of hard bounds, so a factor no row constrains stays at its prior.

The parameters live in log space (all are positive). Levenberg-Marquardt with a finite-difference
Jacobian; numpy only, so the engine's calibrate command needs no SciPy.

Leave-one-group-out: for each hardware, model family and source, the factors are refitted without
that group's rows (Gauss-Newton steps from the full fit, with the Jacobian of the full fit) and the
group's rows are predicted with them.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from engine.catalog.catalog import Catalog, Stack
from engine.catalog.tables import load_table

# Typical |log error| of one row: sets how strongly data pull against the priors.
DATA_SCALE = 0.15
# vLLM keeps TensorRT-LLM's shape, scaled by one ratio (efficiencies x r, overheads / r).
SCALED_UP = ("mbu", "kv_mbu", "mfu_decode", "mfu_prefill")
SCALED_DOWN = ("step_overhead_ms", "layer_floor_us", "activation_bytes_per_layer", "per_sequence_overhead_us",
               "allreduce_latency_us")
# No measured rows for these: stated ratios to TensorRT-LLM (basis: estimate).
# SGLang: within a few percent of TensorRT-LLM in public throughput comparisons.
# Naive (HF generate): no fused kernels or CUDA graphs, static batches.
SGLANG_RATIO = 0.95
NAIVE_RATIO = 0.5


@dataclass(frozen=True)
class Prior:
    """One fitted factor: its prior centre and log-space width, and where the prior comes from."""

    id: str
    value: float
    log_sd: float
    source: str


def priors() -> tuple[Prior, ...]:
    """The fitted factors and their priors, in fit order (fit_priors.yaml)."""
    return tuple(Prior(r["id"], float(r["value"]), float(r["log_sd"]), str(r["source"]))
                 for r in load_table("fit_priors"))


def _stack_fields() -> set[str]:
    return {f.name for f in dataclasses.fields(Stack)}


def scaled_stack(trt: Stack, stack: Stack, ratio: float, amd_efficiency: float | None = None) -> Stack:
    """`stack` with TensorRT-LLM's fitted shape: efficiencies x ratio, overheads / ratio."""
    values = {k: min(getattr(trt, k) * ratio, 0.95) for k in SCALED_UP}
    for k in SCALED_DOWN:
        if hasattr(trt, k):
            values[k] = getattr(trt, k) / ratio
    values["fp4_compute_efficiency"] = trt.fp4_compute_efficiency
    values["expert_gemm_efficiency"] = trt.expert_gemm_efficiency  # a kernel property, shared as FP4's
    efficiency = dict(stack.vendor_efficiency)
    if amd_efficiency is not None:
        efficiency["amd"] = amd_efficiency
    return dataclasses.replace(stack, **values, vendor_efficiency=tuple(sorted(efficiency.items())))


def current_values(catalog: Catalog, names: Sequence[str]) -> np.ndarray:
    """The factors as the catalog holds them now (stacks.yaml), in `names` order."""
    trt, vllm = catalog.stacks["tensorrt-llm"], catalog.stacks["vllm"]
    out = []
    for name in names:
        if name == "vllm_ratio":
            out.append(vllm.mbu / trt.mbu)
        elif name == "amd_efficiency":
            out.append(vllm.efficiency_on("amd"))
        else:
            out.append(getattr(trt, name))
    return np.asarray(out, dtype=float)


def catalog_with(base: Catalog, names: Sequence[str], values: Iterable[float]) -> Catalog:
    """`base` with TensorRT-LLM's factors set, and the other stacks derived from them."""
    given = dict(zip(names, map(float, values)))
    fields = _stack_fields()
    # shares of a peak never exceed it, whatever the optimiser tries
    shares = {k: min(v, 1.0) if k in SCALED_UP or k in ("fp4_compute_efficiency", "expert_gemm_efficiency") else v
              for k, v in given.items()}
    trt = dataclasses.replace(base.stacks["tensorrt-llm"], **{k: v for k, v in shares.items() if k in fields})
    vllm0 = base.stacks["vllm"]
    ratio = given.get("vllm_ratio", vllm0.mbu / base.stacks["tensorrt-llm"].mbu)
    vllm = scaled_stack(trt, vllm0, ratio, amd_efficiency=given.get("amd_efficiency"))
    stacks = {**base.stacks, "tensorrt-llm": trt, "vllm": vllm,
              "sglang": scaled_stack(trt, base.stacks["sglang"], SGLANG_RATIO),
              "naive": scaled_stack(trt, base.stacks["naive"], NAIVE_RATIO)}
    return dataclasses.replace(base, stacks=stacks)


def group_weights(keys: Sequence[tuple]) -> np.ndarray:
    """1 / rows of the row's group: every group weighs the same in the fit."""
    counts: dict[tuple, int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    return np.asarray([1.0 / counts[k] for k in keys])


@dataclass(frozen=True)
class Problem:
    """What to fit: a function from log-factors to per-row log errors (NaN = row not expressible)."""

    names: tuple[str, ...]
    log_errors: Callable[[np.ndarray], np.ndarray]  # x (log factors) -> log(pred / measured) per row
    weights: np.ndarray  # per row
    prior_log: np.ndarray
    prior_sd: np.ndarray


def _objective_parts(problem: Problem, x: np.ndarray, e: np.ndarray, mask: np.ndarray):
    """Whitened residual vector (IRLS soft-L1 weights) and objective value."""
    e = np.where(np.isfinite(e) & mask, e, 0.0)
    z = (e / DATA_SCALE) ** 2
    robust = 1.0 / np.sqrt(np.sqrt(1.0 + z))  # sqrt of the soft-L1 IRLS weight 1/sqrt(1+z)
    w = np.sqrt(problem.weights * mask)
    data = w * robust * e / DATA_SCALE
    prior = (x - problem.prior_log) / problem.prior_sd
    value = float(np.sum(problem.weights * mask * 2.0 * (np.sqrt(1.0 + z) - 1.0)) + np.sum(prior ** 2))
    return np.concatenate([data, prior]), w * robust / DATA_SCALE, value


def jacobian(problem: Problem, x: np.ndarray, e0: np.ndarray, step: float = 0.01) -> np.ndarray:
    """d log-error / d log-factor per row, by forward differences (NaN rows give 0)."""
    cols = []
    for k in range(len(x)):
        xk = x.copy()
        xk[k] += step
        ek = problem.log_errors(xk)
        d = (ek - e0) / step
        cols.append(np.where(np.isfinite(d), d, 0.0))
    return np.stack(cols, axis=1)


def fit(problem: Problem, x0: np.ndarray, iterations: int = 30, mask: np.ndarray | None = None,
        tolerance: float = 1e-4) -> np.ndarray:
    """Levenberg-Marquardt over log-factors from `x0`; `mask` keeps only some rows."""
    mask = np.ones(len(problem.weights), bool) if mask is None else mask
    x = np.asarray(x0, float).copy()
    e = problem.log_errors(x)
    _, _, value = _objective_parts(problem, x, e, mask)
    damping = 1e-2
    for _ in range(iterations):
        J = jacobian(problem, x, e)
        step = _gauss_newton_step(problem, x, e, J, mask, damping)
        x_new = x + step
        e_new = problem.log_errors(x_new)
        _, _, value_new = _objective_parts(problem, x_new, e_new, mask)
        if value_new < value:
            improvement = value - value_new
            x, e, value = x_new, e_new, value_new
            damping = max(damping / 3.0, 1e-6)
            if improvement < tolerance * max(value, 1.0):
                break
        else:
            damping *= 10.0
            if damping > 1e6:
                break
    return x


def _gauss_newton_step(problem: Problem, x: np.ndarray, e: np.ndarray, J: np.ndarray,
                       mask: np.ndarray, damping: float) -> np.ndarray:
    r, row_scale, _ = _objective_parts(problem, x, e, mask)
    Jw = np.vstack([row_scale[:, None] * J, np.diag(1.0 / problem.prior_sd)])
    A = Jw.T @ Jw
    A = A + damping * np.diag(np.diag(A))
    return -np.linalg.solve(A, Jw.T @ r)


def refit_without(problem: Problem, x: np.ndarray, e: np.ndarray, J: np.ndarray, keep: np.ndarray,
                  steps: int = 2) -> np.ndarray:
    """Log errors of every row after refitting on the `keep` rows only.

    Gauss-Newton steps from the full fit `x`, reusing the full fit's Jacobian `J` (a chord method:
    one model evaluation per step), each step accepted only if it lowers the objective.
    """
    _, _, value = _objective_parts(problem, x, e, keep)
    for _ in range(steps):
        x_new = x + _gauss_newton_step(problem, x, e, J, keep, 0.0)
        e_new = problem.log_errors(x_new)
        _, _, value_new = _objective_parts(problem, x_new, e_new, keep)
        if value_new >= value:
            break
        x, e, value = x_new, e_new, value_new
    return e
