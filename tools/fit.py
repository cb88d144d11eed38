"""Fit the serving stacks' efficiency factors on the measured calibration rows.

Reproducible: `python -m tools.fit` (add `--write` to store the values in
engine/data/stacks.yaml with today's date). Least squares on log(predicted / measured)
with a soft-L1 loss, so a few odd rows do not drag the physics.

What is fitted, on which rows:
- tensorrt-llm: mbu, kv_mbu, mfu_decode, mfu_prefill, step_overhead_ms,
  allreduce_latency_us, on every NVIDIA TensorRT-LLM row (perf-overview tables and
  MLPerf closed NVIDIA submissions);
- vllm on NVIDIA: one ratio to tensorrt-llm on the MLPerf vLLM submissions on NVIDIA;
- vllm on AMD: vendor_efficiency[amd] on the MLPerf AMD submissions.
sglang and naive keep their stated estimates (no measured rows).
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import re
import sys

import numpy as np

from engine.physics.calibration import Case, load_cases, run_case, summaries
from engine.catalog.catalog import DATA_DIR, Catalog, load_catalog

TRT_PARAMS = ("mbu", "kv_mbu", "mfu_decode", "mfu_prefill", "step_overhead_ms", "allreduce_latency_us",
              "fp4_compute_efficiency", "per_sequence_overhead_us")
BOUNDS = {"mbu": (0.3, 0.95), "kv_mbu": (0.2, 0.95), "mfu_decode": (0.1, 0.9), "mfu_prefill": (0.1, 0.9),
          "step_overhead_ms": (0.1, 5.0), "allreduce_latency_us": (1.0, 200.0),
          "fp4_compute_efficiency": (0.2, 1.0), "per_sequence_overhead_us": (0.0, 50.0)}
# vLLM keeps TensorRT-LLM's shape, scaled by one ratio (efficiencies x r, overheads / r).
SCALED_UP = ("mbu", "kv_mbu", "mfu_decode", "mfu_prefill")


def _with_stacks(catalog: Catalog, **stacks) -> Catalog:
    return dataclasses.replace(catalog, stacks={**catalog.stacks, **stacks})


def scaled_stack(trt, stack, ratio: float, amd_efficiency: float | None = None):
    """`stack` with TensorRT-LLM's fitted shape: efficiencies x ratio, overheads / ratio."""
    values = {k: min(getattr(trt, k) * ratio, 0.95) for k in SCALED_UP}
    for k in ("step_overhead_ms", "allreduce_latency_us", "per_sequence_overhead_us"):
        values[k] = getattr(trt, k) / ratio
    values["fp4_compute_efficiency"] = trt.fp4_compute_efficiency
    efficiency = dict(stack.vendor_efficiency)
    if amd_efficiency is not None:
        efficiency["amd"] = amd_efficiency
    return dataclasses.replace(stack, **values, vendor_efficiency=tuple(sorted(efficiency.items())))


# No measured rows for these: stated ratios to TensorRT-LLM (basis: estimate).
# SGLang: within a few percent of TensorRT-LLM in public throughput comparisons.
# Naive (HF generate): no fused kernels or CUDA graphs, static batches.
SGLANG_RATIO = 0.95
NAIVE_RATIO = 0.5


def _catalog_for(base: Catalog, x: np.ndarray) -> Catalog:
    trt = dataclasses.replace(base.stacks["tensorrt-llm"], **dict(zip(TRT_PARAMS, map(float, x[:8]))))
    vllm = scaled_stack(trt, base.stacks["vllm"], float(x[8]), amd_efficiency=float(x[9]))
    sglang = scaled_stack(trt, base.stacks["sglang"], SGLANG_RATIO)
    naive = scaled_stack(trt, base.stacks["naive"], NAIVE_RATIO)
    return _with_stacks(base, **{"tensorrt-llm": trt, "vllm": vllm, "sglang": sglang, "naive": naive})


def residuals(base: Catalog, cases: list[Case], x: np.ndarray) -> np.ndarray:
    catalog = _catalog_for(base, x)
    out = []
    for case in cases:
        result = run_case(catalog, case)
        out.append(np.log1p(result.error) if result.error is not None else 0.0)
    return np.asarray(out)


def fit(base: Catalog, cases: list[Case]):
    from scipy.optimize import least_squares  # dev-only dependency (requirements-dev.txt)

    trt = base.stacks["tensorrt-llm"]
    vllm = base.stacks["vllm"]
    ratio0 = vllm.mbu / trt.mbu
    x0 = np.array([getattr(trt, k) for k in TRT_PARAMS] + [ratio0, vllm.efficiency_on("amd")])
    lower = [BOUNDS[k][0] for k in TRT_PARAMS] + [0.4, 0.3]
    upper = [BOUNDS[k][1] for k in TRT_PARAMS] + [1.2, 1.5]
    fitted_cases = [c for c in cases if c.metric == "output_tokens_per_s"]
    result = least_squares(lambda x: residuals(base, fitted_cases, x), np.clip(x0, lower, upper),
                           bounds=(lower, upper), loss="soft_l1", f_scale=0.2, diff_step=1e-3)
    return result.x, _catalog_for(base, result.x)


def write_stacks(catalog: Catalog, rows: int) -> None:
    """Store the fitted values in stacks.yaml in place, keeping its comments."""
    path = DATA_DIR / "stacks.yaml"
    text = path.read_text(encoding="utf-8")
    today = datetime.date.today().isoformat()
    for stack_id in ("tensorrt-llm", "vllm", "sglang", "naive"):
        stack = catalog.stacks[stack_id]
        block_start = text.index(f"- id: {stack_id}\n")
        block_end = text.find("\n- id: ", block_start + 1)
        block_end = len(text) if block_end < 0 else block_end
        block = text[block_start:block_end]
        for key in TRT_PARAMS:
            block = re.sub(rf"(\n  {key}: )[^\n]+", rf"\g<1>{getattr(stack, key):.3g}", block)
        efficiency = dict(stack.vendor_efficiency)
        if efficiency:
            inline = ", ".join(f"{k}: {v:.3g}" for k, v in efficiency.items())
            block = re.sub(r"(\n  vendor_efficiency: )[^\n]+", rf"\g<1>{{{inline}}}", block)
        block = re.sub(r'(\n  as_of: )[^\n]+', rf'\g<1>"{today}"', block)
        block = re.sub(r'(\n  fitted_rows: )[^\n]+', rf"\g<1>{rows}", block)
        text = text[:block_start] + block + text[block_end:]
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fit", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the fitted values in stacks.yaml")
    args = parser.parse_args(argv)
    base = load_catalog()
    cases = load_cases()
    x, catalog = fit(base, cases)
    names = list(TRT_PARAMS) + ["vllm_ratio", "vllm_amd_efficiency"]
    for name, value in zip(names, x):
        print(f"{name:>22} = {value:.4g}")
    results = [run_case(catalog, c) for c in cases]
    for s in summaries(results)["overall"] + summaries(results)["group"]:
        print(f"{s.label:>22}: rows {s.rows}, median |err| {s.median_abs_error:.1%}, p90 {s.p90_abs_error:.1%}")
    if args.write:
        write_stacks(catalog, sum(1 for r in results if r.error is not None))
        print("written to engine/data/stacks.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
