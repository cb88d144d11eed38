"""Calibration: run the performance model on every measured row it can express.

Rows come from engine/data/benchmarks.csv (a verbatim copy of shared/data/benchmarks.csv):
- maximum-throughput rows with fixed lengths (TensorRT-LLM perf overview);
- MLPerf offline rows, with the dataset's mean input length (benchmark_datasets.yaml)
  and the row's derived mean output length;
- batch-1 latency rows (AWS Neuron TPOT).
Each becomes a `predict` case; the error is predicted / measured - 1.
"""
from __future__ import annotations

import csv
import functools
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from engine.catalog.catalog import Catalog, normalize_precision
from engine.catalog.tables import DATA_DIR, load_table
from engine.physics.perf import ReplicaConfig, operating_point
from engine.physics.predict import predict

BENCHMARKS_CSV = DATA_DIR / "benchmarks.csv"


@functools.lru_cache(maxsize=1)
def benchmark_names() -> Mapping[str, Mapping[str, str]]:
    """Catalog ids of the names benchmarks.csv uses, by kind ("hardware", "model"): benchmark_names.yaml."""
    names: dict[str, dict[str, str]] = {"hardware": {}, "model": {}}
    for r in load_table("benchmark_names"):
        if r["kind"] not in names:
            raise ValueError(f"benchmark_names.yaml: row {r['name']!r} has kind {r['kind']!r}; use hardware or model")
        names[r["kind"]][r["name"]] = r["catalog_id"]
    return MappingProxyType({kind: MappingProxyType(ids) for kind, ids in names.items()})


@dataclass(frozen=True)
class Case:
    source: str
    group: str  # trtllm-table | mlperf-offline | neuron-latency
    model: str
    hardware: str
    precision: str
    accelerators: int
    tensor_parallel: int | None
    input_tokens: int
    output_tokens: int
    stack: str
    metric: str  # output_tokens_per_s | tpot_ms
    measured: float


@dataclass(frozen=True)
class Result:
    case: Case
    predicted: float | None
    error: float | None  # predicted / measured - 1
    reason: str = ""


NON_NVIDIA_PREFIXES = ("mi", "tpu", "inferentia", "trainium")


def _stack_from_notes(notes: str, hardware_id: str) -> str:
    """The serving stack an MLPerf submission names in its framework field."""
    match = re.search(r"framework=([^;]*)", notes)
    framework = match.group(1).lower() if match else ""
    if "tensorrt" in framework:
        return "tensorrt-llm"
    if "sglang" in framework:
        return "sglang"
    if "vllm" in framework or hardware_id.startswith(NON_NVIDIA_PREFIXES):
        return "vllm"  # AMD's own MLPerf harnesses are vLLM derivatives
    return "tensorrt-llm"  # NVIDIA submissions without a named framework use TensorRT


def _dataset_lengths() -> dict[str, Mapping]:
    return {r["model_id"]: r for r in load_table("benchmark_datasets") if r.get("mean_input_tokens")}


def load_cases(path: Path = BENCHMARKS_CSV) -> list[Case]:
    """Every benchmarks.csv row the model can express, as a predict case."""
    datasets = _dataset_lengths()
    hardware_ids, model_ids = benchmark_names()["hardware"], benchmark_names()["model"]
    cases: list[Case] = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            hw = hardware_ids.get(row["hardware"])
            model = model_ids.get(row["model"])
            if not hw or not model or not row["num_accelerators"]:
                continue
            try:
                precision = normalize_precision(row["precision"].split(" ")[0])
            except ValueError:
                continue
            notes, bench = row["notes"], row["benchmark"]
            n = int(float(row["num_accelerators"]))
            tp_match = re.search(r"(?:\bTP|tensor-parallel size)\s*(\d+)", notes)
            tp = int(tp_match.group(1)) if tp_match else None
            value = float(row["value"])
            if "TensorRT-LLM perf overview" in bench and row["metric"] == "output_tokens_per_s_total":
                cases.append(Case(row["source"], "trtllm-table", model, hw, precision, n, tp,
                                  int(row["input_tokens"]), int(row["output_tokens"]), "tensorrt-llm",
                                  "output_tokens_per_s", value))
            elif ("MLPerf" in bench and "(closed)" in bench and row["scenario"] == "offline"
                  and row["metric"] == "output_tokens_per_s_total" and model in datasets):
                mean_out = re.search(r"mean output tokens/sample = ([\d.]+)", notes)
                osl = float(mean_out.group(1)) if mean_out else datasets[model]["mean_output_tokens"]
                cases.append(Case(row["source"], "mlperf-offline", model, hw, precision, n, None,
                                  int(round(datasets[model]["mean_input_tokens"])), int(round(osl)),
                                  _stack_from_notes(notes, hw), "output_tokens_per_s", value))
            elif "AWS Neuron" in bench and row["metric"] == "tpot_p50_ms":
                cases.append(Case(row["source"], "neuron-latency", model, hw, "bf16", n, n,
                                  int(row["input_tokens"]), int(row["output_tokens"]), "vllm", "tpot_ms", value))
    return cases


def run_case(catalog: Catalog, case: Case) -> Result:
    try:
        if case.metric == "tpot_ms":
            # batch-1 latency: a TPOT limit no batch above 1 meets gives the batch-1 point
            p = predict(catalog, case.model, case.hardware, case.precision, case.accelerators,
                        case.input_tokens, case.output_tokens, case.stack, case.tensor_parallel,
                        mode="max-throughput")
            cfg = ReplicaConfig(catalog.get_model(case.model), catalog.get_hardware(case.hardware),
                                catalog.get_stack(case.stack), p.precision, p.kv_precision,
                                p.tensor_parallel or case.accelerators, 1)
            value = operating_point(cfg, 1, case.input_tokens, case.output_tokens).decode_step_ms
        else:
            p = predict(catalog, case.model, case.hardware, case.precision, case.accelerators,
                        case.input_tokens, case.output_tokens, case.stack, case.tensor_parallel)
            if not p.fits:
                return Result(case, None, None, p.reason)
            value = p.output_tokens_per_s
    except ValueError as exc:
        return Result(case, None, None, str(exc))
    return Result(case, value, value / case.measured - 1.0)


def run_all(catalog: Catalog, cases: list[Case]) -> list[Result]:
    return [run_case(catalog, c) for c in cases]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass(frozen=True)
class Summary:
    label: str
    rows: int
    median_abs_error: float
    p90_abs_error: float
    median_signed_error: float


def summarize(results: list[Result], label: str) -> Summary | None:
    errors = [r.error for r in results if r.error is not None]
    if not errors:
        return None
    absolute = [abs(e) for e in errors]
    return Summary(label, len(errors), statistics.median(absolute), _percentile(absolute, 0.9),
                   statistics.median(errors))


def summaries(results: list[Result]) -> dict[str, list[Summary]]:
    """Accuracy overall (max-throughput rows), by group, by hardware and by model family."""
    throughput = [r for r in results if r.case.metric == "output_tokens_per_s"]
    out: dict[str, list[Summary]] = {"overall": [], "group": [], "hardware": [], "family": []}
    s = summarize(throughput, "max-throughput rows")
    if s:
        out["overall"].append(s)
    for key, pick in (("group", lambda r: r.case.group), ("hardware", lambda r: r.case.hardware),
                      ("family", lambda r: r.case.model.rsplit("-", 1)[0])):
        for label in sorted({pick(r) for r in results}):
            s = summarize([r for r in results if pick(r) == label], label)
            if s:
                out[key].append(s)
    return out
