"""Fit the serving stacks' efficiency factors on the measured calibration rows.

Reproducible: `python -m tools.fit` (add `--write` to store the values in
engine/data/stacks.yaml with today's date). The objective is engine/physics/fitting.py's:
log(predicted / measured) with a soft-L1 loss, each (source, hardware, model) group of rows
weighted equally, and a prior per factor (engine/data/fit_priors.yaml) instead of hard bounds.

What is fitted, on which rows: every expressible row, max-throughput and MLPerf server/interactive
(latency-limited) alike (calibration.fitted_rows). TensorRT-LLM's factors on every row; vLLM as one ratio to
TensorRT-LLM (its MLPerf submissions on NVIDIA) and vendor_efficiency[amd] (the MLPerf AMD
submissions). sglang and naive keep their stated ratios (no measured rows).
"""
from __future__ import annotations

import argparse
import datetime
import re
import sys

import numpy as np

from engine.catalog.catalog import Catalog, load_catalog
from engine.catalog.tables import DATA_DIR
from engine.physics import fitting
from engine.physics.calibration import accuracy, fit_problem, fitted_rows, load_cases, run_case, summaries


def fit(base: Catalog, cases):
    """The fitted factors (names, values) and the catalog holding them."""
    problem = fit_problem(base, cases)
    x0 = np.log(fitting.current_values(base, problem.names))
    x = fitting.fit(problem, x0)
    values = np.exp(x)
    return problem.names, values, fitting.catalog_with(base, problem.names, values)


def write_stacks(catalog: Catalog, rows: int, fitted: tuple[str, ...]) -> None:
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
        for key in fitted:
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
    names, values, catalog = fit(base, fitted_rows(cases))
    for p, value in zip(fitting.priors(), values):
        print(f"{p.id:>26} = {value:.4g}   (prior {p.value:g}, x/{np.exp(p.log_sd):.2f})")
    results = [run_case(catalog, c) for c in cases]
    for s in summaries(results)["overall"] + summaries(results)["group"]:
        print(f"{s.label:>26}: rows {s.rows}, median |err| {s.median_abs_error:.1%}, p90 {s.p90_abs_error:.1%}")
    acc = accuracy(catalog, cases)
    for key in ("hardware", "family", "source"):
        s = acc.summary(key)
        print(f"{'leave-one-' + key + '-out':>26}: median |err| {s.median_abs_error:.1%}, p90 {s.p90_abs_error:.1%}")
    if args.write:
        written = tuple(n for n in names if n not in ("vllm_ratio", "amd_efficiency"))
        write_stacks(catalog, sum(1 for r in results if r.error is not None and not r.case.latency_limited), written)
        print("written to engine/data/stacks.yaml; now run `python -m engine calibrate --write-accuracy` "
              "(the accuracy the app shows is stored, stamped with stacks.yaml's hash)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
