"""Calibration: run the performance model on every measured row it can express.

Rows come from engine/data/benchmarks.csv (a verbatim copy of shared/data/benchmarks.csv):
- maximum-throughput rows with fixed lengths (TensorRT-LLM perf overview);
- MLPerf offline rows, with the dataset's mean input length (benchmark_datasets.yaml)
  and the row's derived mean output length;
- batch-1 latency rows (AWS Neuron TPOT);
and from engine/data/benchmarks_added.csv (`load_added_cases`): published measurements at a stated
concurrency, batch-1 latency and max-throughput rows where benchmarks.csv is thin (DeepSeek-R1, gpt-oss, MI300X).
Each becomes a `predict` case; the error is predicted / measured - 1.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import json
import logging
import re
import statistics
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

from engine.catalog.catalog import Catalog, load_catalog, normalize_precision, physics_value
from engine.catalog.tables import DATA_DIR, load_table
from engine.physics.perf import ReplicaConfig, max_batch, operating_point
from engine.physics.predict import default_kv_precision, layouts, predict

BENCHMARKS_CSV = DATA_DIR / "benchmarks.csv"
ADDED_CSV = DATA_DIR / "benchmarks_added.csv"  # published rows added to the calibration set (load_added_cases)
MLPERF_QUANTILE = 0.99  # LoadGen's server / interactive limits are p99 TTFT and p99 TPOT
# Speculative decoding a benchmark mandates (benchmark_datasets.yaml *_speculative): one drafted token.
SPECULATIVE = {"mtp": (1, physics_value("mtp_acceptance_rate"))}


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
    publication: str  # the benchmark as published (benchmarks.csv `benchmark`): the "source" left out
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
    ttft_limit_ms: float | None = None  # server / interactive rows: the p99 limits they met
    tpot_limit_ms: float | None = None
    speculative: tuple[int, float] | None = None  # (draft tokens, acceptance rate) the benchmark mandates
    concurrency: int | None = None  # requests in flight the source states (benchmarks_added.csv)
    kv_precision: str | None = None  # KV-cache precision the source states (None: predict's default)
    stack_benchmark: bool = False  # measured with the stack's own benchmark (trtllm-bench): its settings apply

    @property
    def latency_limited(self) -> bool:
        return self.tpot_limit_ms is not None


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
    # llm-d orchestrates vLLM servers: "llm-d adopts a layered architecture on top of ... vLLM"
    # (llm-d.ai/docs/architecture/architecture); RedHat's H200 llm-d row names no engine, its B200 twin vLLM 0.14.1.
    if "vllm" in framework or "llm-d" in framework or hardware_id.startswith(NON_NVIDIA_PREFIXES):
        return "vllm"  # AMD's own MLPerf harnesses are vLLM derivatives
    return "tensorrt-llm"  # NVIDIA submissions without a named framework use TensorRT


def _publication(benchmark: str) -> str:
    """The publication a row comes from: MLPerf round, TensorRT-LLM table version, vendor table."""
    mlperf = re.match(r"MLPerf Inference (v[\d.]+)", benchmark)
    if mlperf:
        return f"MLPerf {mlperf.group(1)}"
    if "TensorRT-LLM perf overview" in benchmark:
        return "TensorRT-LLM v0.17 table" if "v0.17" in benchmark else "TensorRT-LLM trtllm-bench table"
    return benchmark.split(" (")[0]


def _dataset_lengths() -> dict[str, Mapping]:
    return {r["model_id"]: r for r in load_table("benchmark_datasets") if r.get("mean_input_tokens")}


def load_cases(path: Path = BENCHMARKS_CSV) -> list[Case]:
    """Every benchmarks.csv row the model can express, as a predict case; the calibration set (the default
    path) adds benchmarks_added.csv's rows (`load_added_cases`), another path is read alone."""
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
                cases.append(Case(row["source"], _publication(bench), "trtllm-table", model, hw, precision, n, tp,
                                  int(row["input_tokens"]), int(row["output_tokens"]), "tensorrt-llm",
                                  "output_tokens_per_s", value))
            elif ("MLPerf" in bench and "(closed)" in bench and row["scenario"] == "offline"
                  and row["metric"] == "output_tokens_per_s_total" and model in datasets):
                mean_out = re.search(r"mean output tokens/sample = ([\d.]+)", notes)
                osl = float(mean_out.group(1)) if mean_out else datasets[model]["mean_output_tokens"]
                cases.append(Case(row["source"], _publication(bench), "mlperf-offline", model, hw, precision, n, None,
                                  int(round(datasets[model]["mean_input_tokens"])), int(round(osl)),
                                  _stack_from_notes(notes, hw), "output_tokens_per_s", value))
            elif ("MLPerf" in bench and "(closed)" in bench and row["scenario"] in ("server", "interactive")
                  and row["metric"] == "output_tokens_per_s_total" and model in datasets):
                limits = re.search(r"TTFT p99<=([\d.]+) ms, TPOT p99<=([\d.]+) ms", notes)
                if not limits:
                    continue
                mean_out = re.search(r"mean output tokens/sample = ([\d.]+)", notes)
                osl = float(mean_out.group(1)) if mean_out else datasets[model]["mean_output_tokens"]
                spec = SPECULATIVE.get(datasets[model].get(f"{row['scenario']}_speculative") or "")
                cases.append(Case(row["source"], _publication(bench), f"mlperf-{row['scenario']}", model, hw,
                                  precision, n, None, int(round(datasets[model]["mean_input_tokens"])),
                                  int(round(osl)), _stack_from_notes(notes, hw), "output_tokens_per_s", value,
                                  float(limits.group(1)), float(limits.group(2)), spec))
            elif "AWS Neuron" in bench and row["metric"] == "tpot_p50_ms":
                cases.append(Case(row["source"], _publication(bench), "neuron-latency", model, hw, "bf16", n, n,
                                  int(row["input_tokens"]), int(row["output_tokens"]), "vllm", "tpot_ms", value))
    if path.resolve() == BENCHMARKS_CSV.resolve():
        cases += load_added_cases()
    return cases


# --- published rows added to the calibration set (benchmarks_added.csv) ---------------------------
# Columns: benchmarks.csv's, plus `concurrency` (requests in flight, where the source states it), the run's
# `tensor_parallel` size, `kv_cache_dtype` and MTP `draft_tokens` where the source states them, `benchmark_tool`
# (trtllm-bench: its own settings apply), `as_of` (when the source was read, at the commit or page cited) and
# `basis` (measured | vendor claim). Each row's notes carry the exact configuration (tp/ep, attention DP, MTP,
# max batch, KV fraction, stack and version) and where it was read. Groups, by how a row is replayed in run_case:
#   published-concurrency     tokens/s at the stated concurrency C: the layout holding C sequences that delivers
#                             most, at the tensor-parallel size the source ran (as load_cases reads the TensorRT-LLM
#                             tables' TP), any predict searches where it states none;
#   published-latency         per-user tokens/s at concurrency 1, compared as TPOT (1000 / tokens/s per user);
#   published-max-throughput  tokens/s with no concurrency stated: the largest batch that fits, as predict does.
ADDED_GROUPS = ("published-concurrency", "published-latency", "published-max-throughput")
# Rows measured at a load the source chose (not the largest batch that fits): neither max-throughput nor limited.
AT_STATED_CONCURRENCY = ("published-concurrency",)
ADDED_BASES = ("measured", "vendor claim")


def load_added_cases(path: Path = ADDED_CSV) -> list[Case]:
    """Every benchmarks_added.csv row the model can express, as a case (the groups above)."""
    hardware_ids, model_ids = benchmark_names()["hardware"], benchmark_names()["model"]
    cases: list[Case] = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["basis"] not in ADDED_BASES or not row["source"] or not row["as_of"]:
                raise ValueError(f"{path.name}: every row needs source, as_of and a basis in {ADDED_BASES}")
            hw, model = hardware_ids.get(row["hardware"]), model_ids.get(row["model"])
            if not hw or not model or row["basis"] != "measured":
                continue  # a vendor claim stays in the file for reference; the model is fitted and judged on measurements
            notes, value = row["notes"], float(row["value"])
            concurrency = int(row["concurrency"]) if row["concurrency"] else None
            drafts = int(row["draft_tokens"]) if row["draft_tokens"] else 0  # DeepSeek MTP heads as drafts
            if drafts and drafts != SPECULATIVE["mtp"][0]:
                continue  # physics.yaml's acceptance rate is for one drafted token: chained drafts are not expressible
            spec = (drafts, SPECULATIVE["mtp"][1]) if drafts else None
            common = dict(source=row["source"], publication=_publication(row["benchmark"]), model=model, hardware=hw,
                          precision=normalize_precision(row["precision"]), accelerators=int(row["num_accelerators"]),
                          tensor_parallel=int(row["tensor_parallel"]) if row["tensor_parallel"] else None,
                          input_tokens=int(row["input_tokens"]), output_tokens=int(row["output_tokens"]),
                          stack=_stack_from_notes(notes, hw), speculative=spec, concurrency=concurrency,
                          kv_precision=normalize_precision(row["kv_cache_dtype"]) if row["kv_cache_dtype"] else None,
                          stack_benchmark=row["benchmark_tool"] == "trtllm-bench")
            if row["metric"] == "output_tokens_per_s_per_user" and concurrency == 1:
                cases.append(Case(group="published-latency", metric="tpot_ms", measured=1000.0 / value, **common))
            elif row["metric"] == "output_tokens_per_s_total":
                group = "published-concurrency" if concurrency else "published-max-throughput"
                cases.append(Case(group=group, metric="output_tokens_per_s", measured=value, **common))
    return cases


def at_concurrency(catalog: Catalog, case: Case) -> float:
    """Output tokens/s of `case.accelerators` holding `case.concurrency` requests in flight.

    Every layout predict searches (predict.layouts, of `case.tensor_parallel` where the source states it) is
    tried at that load and the one that delivers most kept:
    the requests spread evenly over the replicas (at most one replica per request), each replica holds at most
    the batch its memory allows (perf.max_batch; the rest wait in the client's queue) and runs at
    perf.operating_point, whose throughput counts the prompts prefilled between decode steps, as a measured
    tokens/s (and a per-user tokens/s over the whole request) does. The stack's own batch cap is raised to the
    concurrency: the sources set their engines to hold it (trtllm-bench --max_batch_size x ranks = concurrency,
    vLLM --max-num-seqs = concurrency), so only memory and the token budget cap the batch.
    """
    wanted = case.concurrency or 1
    model, hw = catalog.get_model(case.model), catalog.get_hardware(case.hardware)
    stack = catalog.get_stack(case.stack)
    stack = replace(stack, max_batch=max(stack.max_batch, wanted))
    if hw.vendor not in stack.vendors:
        raise ValueError(f"stack {stack.id!r} does not run on {hw.vendor} hardware")
    kv = case.kv_precision or default_kv_precision(hw, case.precision)
    isl, osl = case.input_tokens, case.output_tokens
    best, reason = None, f"no layout of {case.accelerators} accelerators holds a sequence"
    for tp, pp, attention_dp in layouts(hw, model, case.accelerators, case.tensor_parallel):
        cfg = ReplicaConfig(model, hw, stack, case.precision, kv, tp, pp, case.speculative, attention_dp)
        cap, why = max_batch(cfg, isl, osl)
        if cap < 1:
            reason = why or reason
            continue
        replicas = min(case.accelerators // cfg.accelerators, wanted)
        batch = min(-(-wanted // replicas), cap)
        held = min(wanted, replicas * batch)
        total = held * operating_point(cfg, batch, isl, osl).output_tokens_per_s / batch
        best = total if best is None else max(best, total)
    if best is None:
        raise ValueError(reason)
    return best


# Groups whose rows come from a stack's own throughput benchmark, run with that benchmark's settings
# (Stack.as_benchmarked: trtllm-bench's KV fraction, batch and token caps) rather than a deployment's defaults.
BENCHMARKED_GROUPS = ("trtllm-table",)
_benchmarked: list[tuple[Catalog, Catalog]] = []  # (catalog, its benchmarked twin): the last one asked for


def benchmarked(catalog: Catalog) -> Catalog:
    """`catalog` with every stack set as its own throughput benchmark runs it (computed once per catalog)."""
    if _benchmarked and _benchmarked[0][0] is catalog:
        return _benchmarked[0][1]
    twin = replace(catalog, stacks=MappingProxyType({k: s.as_benchmarked() for k, s in catalog.stacks.items()}))
    _benchmarked[:] = [(catalog, twin)]
    return twin


def run_case(catalog: Catalog, case: Case) -> Result:
    if case.group in BENCHMARKED_GROUPS or case.stack_benchmark:
        catalog = benchmarked(catalog)
    try:
        if case.concurrency:
            # the stated load: C requests in flight (batch 1 for a latency row, compared as TPOT per user)
            tokens_per_s = at_concurrency(catalog, case)
            value = 1000.0 / tokens_per_s if case.metric == "tpot_ms" else tokens_per_s
        elif case.metric == "tpot_ms":
            # batch-1 latency: a TPOT limit no batch above 1 meets gives the batch-1 point
            p = predict(catalog, case.model, case.hardware, case.precision, case.accelerators,
                        case.input_tokens, case.output_tokens, case.stack, case.tensor_parallel,
                        mode="max-throughput")
            cfg = ReplicaConfig(catalog.get_model(case.model), catalog.get_hardware(case.hardware),
                                catalog.get_stack(case.stack), p.precision, p.kv_precision,
                                p.tensor_parallel or case.accelerators, 1)
            value = operating_point(cfg, 1, case.input_tokens, case.output_tokens).decode_step_ms
        elif case.latency_limited:
            # MLPerf limits are p99 over requests: TTFT and per-request TPOT are judged at their p99.
            p = predict(catalog, case.model, case.hardware, case.precision, case.accelerators,
                        case.input_tokens, case.output_tokens, case.stack, case.tensor_parallel, mode="slo",
                        ttft_ms=case.ttft_limit_ms, tpot_ms=case.tpot_limit_ms,
                        latency_quantile=MLPERF_QUANTILE, speculative=case.speculative)
            if not p.fits:
                return Result(case, None, None, p.reason)
            value = p.output_tokens_per_s
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
    throughput = [r for r in results if r.case.metric == "output_tokens_per_s" and not r.case.latency_limited
                  and r.case.group not in AT_STATED_CONCURRENCY]
    limited = [r for r in results if r.case.latency_limited]
    out: dict[str, list[Summary]] = {"overall": [], "group": [], "hardware": [], "family": []}
    for rows, label in ((throughput, "max-throughput rows"), (limited, "latency-limited rows")):
        s = summarize(rows, label)
        if s:
            out["overall"].append(s)
    for key, pick in (("group", lambda r: r.case.group), ("hardware", lambda r: r.case.hardware),
                      ("family", lambda r: r.case.model.rsplit("-", 1)[0])):
        for label in sorted({pick(r) for r in results}):
            s = summarize([r for r in results if pick(r) == label], label)
            if s:
                out[key].append(s)
    return out


# --- fit and out-of-sample accuracy ------------------------------------------------

# Models of one architecture under two names count as one family (Llama 3.3 70B is Llama 3.1 70B's
# architecture with new weights): leaving one out while keeping the other would not be out of sample.
SAME_FAMILY = {"llama-3.3": "llama-3.1"}


def family_of(model_id: str) -> str:
    """The model family a row belongs to for leave-one-family-out (the id without its size)."""
    family = model_id.rsplit("-", 1)[0]
    return SAME_FAMILY.get(family, family)


LEAVE_OUT_KEYS: Mapping[str, Callable[[Case], str]] = MappingProxyType({
    "hardware": lambda c: c.hardware,
    "family": lambda c: family_of(c.model),
    "source": lambda c: c.publication,
})


def weight_group(case: Case) -> tuple[str, str, str]:
    """Rows of one (source, hardware, model) weigh together as one in the fit."""
    return (case.publication, case.hardware, case.model)


def fitted_rows(cases: list[Case]) -> list[Case]:
    """The rows the factors are fitted on: every expressible row, max-throughput, batch-1 latency and the
    MLPerf server/interactive rows alike (issue 12, item 8: one fit over max-throughput and SLO rows, each
    (source, hardware, model) group weighted equally). The latency-limited rows are the only ones that measure
    the step at the moderate batches a latency target allows, where weight reads, GEMMs and fixed per-step
    costs are of one size; fitted on max-throughput rows alone, the factors left them +8% optimistic."""
    return list(cases)


def fit_problem(base: Catalog, cases: list[Case]):
    """The fit of the stacks' factors on `cases` (engine/physics/fitting.py), x in log space."""
    import numpy as np

    from engine.physics import fitting

    prior_rows = fitting.priors()
    names = tuple(p.id for p in prior_rows)

    def log_errors(x):
        catalog = fitting.catalog_with(base, names, np.exp(x))
        return np.asarray([np.log1p(r.error) if r.error is not None and r.error > -1 else np.nan
                           for r in run_all(catalog, cases)])

    return fitting.Problem(names, log_errors, fitting.group_weights([weight_group(c) for c in cases]),
                           np.log([p.value for p in prior_rows]), np.asarray([p.log_sd for p in prior_rows]))


@dataclass(frozen=True)
class Accuracy:
    """In-sample and leave-one-group-out accuracy of the stored fit."""

    results: tuple[Result, ...]  # in sample
    held_out: Mapping[str, tuple[Result, ...]]  # key -> every row predicted with its group left out

    def summary(self, key: str | None = None, metric: str | None = None) -> Summary | None:
        results = self.results if key is None else self.held_out[key]
        if metric:
            results = tuple(r for r in results if r.case.metric == metric)
        return summarize(list(results), key or "in sample")

    def by_group(self, key: str) -> list[tuple[str, Summary | None, Summary | None]]:
        """(label, in-sample, held-out) for each group of `key`."""
        pick = LEAVE_OUT_KEYS[key]
        out = []
        for label in sorted({pick(r.case) for r in self.results}):
            inside = summarize([r for r in self.results if pick(r.case) == label], label)
            outside = summarize([r for r in self.held_out[key] if pick(r.case) == label], label)
            out.append((label, inside, outside))
        return out


def accuracy(catalog: Catalog, cases: list[Case], steps: int = 2) -> Accuracy:
    """In-sample errors of the stored factors, and each hardware, model family and source left out.

    Leaving a group out refits the factors on the other rows (`fitting.refit_without`: Gauss-Newton
    steps from the stored fit, Jacobian of the stored fit) and predicts the group's rows with them.
    """
    import numpy as np

    from engine.physics import fitting

    problem = fit_problem(catalog, cases)
    x = np.log(fitting.current_values(catalog, problem.names))
    e = problem.log_errors(x)
    J = fitting.jacobian(problem, x, e)
    results = tuple(run_all(catalog, cases))
    fitted = np.ones(len(cases), dtype=bool)  # as fitted_rows: every row
    held_out: dict[str, tuple[Result, ...]] = {}
    for key, pick in LEAVE_OUT_KEYS.items():
        labels = [pick(c) for c in cases]
        errors = np.full(len(cases), np.nan)
        for label in sorted(set(labels)):
            out = np.asarray([lab == label for lab in labels])
            refit = fitting.refit_without(problem, x, e, J, ~out & fitted, steps)
            errors[out] = refit[out]
        held_out[key] = tuple(
            Result(r.case, None, None, r.reason) if r.error is None or not np.isfinite(err)
            else Result(r.case, r.case.measured * float(np.exp(err)), float(np.expm1(err)))
            for r, err in zip(results, errors))
    return Accuracy(results, MappingProxyType(held_out))


# --- held-out residuals by group (the prediction bands read them: engine/physics/bands.py) ----------

RESIDUAL_KEYS = ("hardware", "family")  # the groups an option's throughput band is drawn from
MAX_THROUGHPUT, LATENCY_LIMITED, ALL_MODES = "max-throughput", "latency-limited", "all"
RESIDUAL_MODES = (MAX_THROUGHPUT, LATENCY_LIMITED, ALL_MODES)


@dataclass(frozen=True)
class Residuals:
    """Signed held-out throughput errors of one group's rows: their count and 10th / 50th / 90th percentiles
    (predicted / measured tokens/s - 1 [fraction]; positive: the model promised more than was measured)."""

    rows: int
    p10: float
    p50: float
    p90: float


def throughput_error(result: Result) -> float | None:
    """The row's error as a throughput error: batch-1 latency rows (TPOT) turn over (tokens/s = 1000 / TPOT),
    so a TPOT predicted 10% long is throughput predicted 9% short."""
    if result.error is None:
        return None
    return 1.0 / (1.0 + result.error) - 1.0 if result.case.metric == "tpot_ms" else result.error


def mode_of(case: Case) -> str:
    """`latency-limited` for MLPerf server / interactive rows (p99 limits met) and rows at a stated concurrency
    (a batch the load holds below the cap, as a latency target does), `max-throughput` otherwise."""
    held_below_cap = case.latency_limited or case.group in AT_STATED_CONCURRENCY
    return LATENCY_LIMITED if held_below_cap else MAX_THROUGHPUT


def _residuals(errors: list[float]) -> Residuals | None:
    if not errors:
        return None
    return Residuals(len(errors), round(_percentile(errors, 0.1), 4), round(_percentile(errors, 0.5), 4),
                     round(_percentile(errors, 0.9), 4))


def held_out_residuals(acc: Accuracy) -> Mapping[str, Mapping[str, Mapping[str, Residuals]]]:
    """key (hardware, family) -> group label -> mode (max-throughput, latency-limited, all) -> Residuals.

    Each row's error is its prediction with its own group left out of the fit (`accuracy`): what the model
    does on that hardware or family as if it had never been measured, never its in-sample fit.
    """
    out: dict[str, dict[str, dict[str, Residuals]]] = {}
    for key in RESIDUAL_KEYS:
        pick = LEAVE_OUT_KEYS[key]
        by_label: dict[str, dict[str, list[float]]] = {}
        for r in acc.held_out[key]:
            e = throughput_error(r)
            if e is None:
                continue
            modes = by_label.setdefault(pick(r.case), {m: [] for m in RESIDUAL_MODES})
            modes[mode_of(r.case)].append(e)
            modes[ALL_MODES].append(e)
        out[key] = {label: {m: q for m, errors in modes.items() if (q := _residuals(errors)) is not None}
                    for label, modes in sorted(by_label.items())}
    return MappingProxyType({k: MappingProxyType({label: MappingProxyType(m) for label, m in v.items()})
                             for k, v in out.items()})


@dataclass(frozen=True)
class ReportedAccuracy:
    """The accuracy a user is shown: out of sample first, the in-sample fit beside it.

    `held_out` maps each leave-one-out key (hardware, family, source) to its summary over every row;
    `residuals` holds the held-out errors' percentiles per hardware and per family (`held_out_residuals`).
    """

    in_sample: Summary
    held_out: Mapping[str, Summary]
    latency_limited: Summary | None = None  # MLPerf server/interactive rows, in sample (fitted with the rest)
    residuals: Mapping[str, Mapping[str, Mapping[str, Residuals]]] = field(
        default_factory=lambda: MappingProxyType({}))

    @property
    def out_of_sample(self) -> Summary:
        """The least favourable of the leave-one-out summaries (largest median error): the figure to quote."""
        return max(self.held_out.values(), key=lambda s: (s.median_abs_error, s.p90_abs_error))


def reported_from(acc: Accuracy) -> ReportedAccuracy | None:
    """The figures a user is shown, from a computed `Accuracy`: the max-throughput and batch-1 rows in sample
    and with each hardware, family and source left out; the latency-limited rows beside them."""

    def unlimited(results):
        return [r for r in results if not r.case.latency_limited]

    inside = summarize(unlimited(acc.results), "in sample")
    held = {key: summarize(unlimited(acc.held_out[key]), key) for key in LEAVE_OUT_KEYS}
    if inside is None or any(s is None for s in held.values()):
        return None
    limited = summarize([r for r in acc.results if r.case.latency_limited], "latency-limited rows")
    return ReportedAccuracy(inside, MappingProxyType(held), limited, held_out_residuals(acc))


def compute_reported_accuracy() -> ReportedAccuracy | None:
    """`reported_accuracy` computed from the data: one refit per group left out (about 14 s of CPU)."""
    return reported_from(accuracy(load_catalog(), load_cases()))


# --- the stored accuracy ------------------------------------------------------------
# The leave-one-out refits take seconds of CPU, too long for a brief a user is waiting for, so the
# figures are computed ahead of time into a committed file, stamped with a hash of everything they
# depend on. A file whose stamp differs from the inputs on disk is never read: the figures are computed.

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCURACY_FILE = DATA_DIR / "reported_accuracy.json"
WRITE_ACCURACY_COMMAND = "python -m engine calibrate --write-accuracy"
# Every file the reported accuracy depends on, relative to the repository root: the measured rows and
# how they map to the catalog, the catalog tables predict reads, the fitted factors' priors, and the
# code that predicts, fits and summarizes. The one list: add a file here when predictions come to read it.
ACCURACY_INPUTS: tuple[str, ...] = (
    "engine/data/benchmarks.csv",
    "engine/data/benchmarks_added.csv",
    "engine/data/benchmark_names.yaml",
    "engine/data/benchmark_datasets.yaml",
    "engine/data/fit_priors.yaml",
    "engine/data/stacks.yaml",
    "engine/data/physics.yaml",
    "engine/data/hardware.yaml",
    "engine/data/models.yaml",
    "engine/data/interconnects.yaml",
    "engine/data/collectives.yaml",
    "engine/catalog/catalog.py",
    "engine/catalog/tables.py",
    "engine/physics/calibration.py",
    "engine/physics/fitting.py",
    "engine/physics/perf.py",
    "engine/physics/predict.py",
)
log = logging.getLogger(__name__)


def input_hashes(root: Path = REPO_ROOT) -> dict[str, str]:
    """sha256 of each file in ACCURACY_INPUTS ("missing" for one not on disk)."""
    out = {}
    for name in ACCURACY_INPUTS:
        path = root / name
        out[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
    return out


def accuracy_fingerprint(root: Path = REPO_ROOT) -> str:
    """One hash of every input's name and content: the stamp the stored file must carry to be read."""
    digest = hashlib.sha256()
    for name, file_hash in input_hashes(root).items():
        digest.update(f"{name}\0{file_hash}\n".encode())
    return digest.hexdigest()


def _summary_record(s: Summary | None) -> dict | None:
    return None if s is None else asdict(s)


def _summary_from(d: Mapping | None) -> Summary | None:
    return None if d is None else Summary(str(d["label"]), int(d["rows"]), float(d["median_abs_error"]),
                                          float(d["p90_abs_error"]), float(d["median_signed_error"]))


def accuracy_record(reported: ReportedAccuracy | None, root: Path = REPO_ROOT) -> dict:
    """The stored file's content: the fingerprint, each input's hash (to see which one moved) and the figures."""
    figures = None if reported is None else {
        "in_sample": _summary_record(reported.in_sample),
        "held_out": {key: _summary_record(s) for key, s in reported.held_out.items()},
        "latency_limited": _summary_record(reported.latency_limited),
        # per hardware and family: mode -> [rows, p10, p50, p90] of the signed held-out throughput error
        "residuals": {key: {label: {mode: [q.rows, q.p10, q.p50, q.p90] for mode, q in modes.items()}
                            for label, modes in groups.items()} for key, groups in reported.residuals.items()}}
    return {"generated_by": WRITE_ACCURACY_COMMAND, "fingerprint": accuracy_fingerprint(root),
            "inputs": input_hashes(root), "reported_accuracy": figures}


def reported_from_record(record: Mapping) -> ReportedAccuracy | None:
    """The `ReportedAccuracy` a stored record holds (None where the data gave none)."""
    figures = record["reported_accuracy"]
    if figures is None:
        return None
    residuals = MappingProxyType({
        key: MappingProxyType({label: MappingProxyType({mode: Residuals(int(q[0]), float(q[1]), float(q[2]),
                                                                        float(q[3])) for mode, q in modes.items()})
                               for label, modes in groups.items()})
        for key, groups in (figures.get("residuals") or {}).items()})
    return ReportedAccuracy(_summary_from(figures["in_sample"]),
                            MappingProxyType({k: _summary_from(s) for k, s in figures["held_out"].items()}),
                            _summary_from(figures["latency_limited"]), residuals)


def _dumps(record: Mapping) -> str:
    """The record as indented JSON, each list of numbers on one line (the residuals stay a few lines each)."""
    text = json.dumps(record, indent=2)
    return re.sub(r"\[\s+([-\d.e,\s]+?)\s+\]", lambda m: "[" + ", ".join(m.group(1).split()).replace(",,", ",") + "]",
                  text) + "\n"


def write_accuracy(path: Path | None = None) -> ReportedAccuracy | None:
    """Compute the reported accuracy and store it (in ACCURACY_FILE unless `path`) with the inputs'
    fingerprint: `WRITE_ACCURACY_COMMAND`."""
    reported = compute_reported_accuracy()
    (path or ACCURACY_FILE).write_text(_dumps(accuracy_record(reported)), encoding="utf-8")
    return reported


def stored_accuracy(path: Path | None = None, root: Path = REPO_ROOT) -> tuple[bool, ReportedAccuracy | None]:
    """(True, figures) from the stored file (ACCURACY_FILE unless `path`) when its fingerprint matches the
    inputs on disk; (False, None) when the file is missing, unreadable or stale."""
    try:
        record = json.loads((path or ACCURACY_FILE).read_text(encoding="utf-8"))
        if record.get("fingerprint") != accuracy_fingerprint(root):
            return False, None
        return True, reported_from_record(record)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False, None


@functools.lru_cache(maxsize=1)
def reported_accuracy() -> ReportedAccuracy | None:
    """In-sample and leave-one-hardware/family/source-out accuracy of the stored fit on the calibration
    rows (engine/data/benchmarks.csv), as `python -m engine calibrate` reports it.

    Read from engine/data/reported_accuracy.json when its fingerprint matches the inputs; otherwise
    computed (seconds of CPU: one refit per group left out) and logged, once per process."""
    found, reported = stored_accuracy()
    if found:
        return reported
    log.warning("%s is missing or stale (its inputs changed): computing the accuracy instead; "
                "regenerate it with `%s`", ACCURACY_FILE.name, WRITE_ACCURACY_COMMAND)
    return compute_reported_accuracy()
