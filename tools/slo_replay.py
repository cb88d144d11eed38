"""Replay the MLPerf server/interactive rows at the concurrency they measured (`python -m tools.slo_replay`).

`python -m engine calibrate` judges a latency-limited row end to end: the model picks the layout and the
largest batch whose TTFT and TPOT meet the row's limits, and its throughput is compared with the measured one.
An error there mixes two questions: is the step time right at a given batch, and is the batch right?
This tool separates them. For each row whose benchmarks.csv notes log the mean TPOT next to its p99, the
measured concurrency follows from Little's law (calls/s x output tokens x mean TPOT), and the model's mean
TPOT at that batch, on the layout the SLO search picked, is set against the measured mean TPOT:
- ratio < 1: the model's step is too short at that batch (throughput error comes from the step);
- ratio ~ 1 with a large throughput error: the batch the model picks is wrong (limits, queueing, caps).
Rows without a logged mean (most MLPerf v6.0 rows) are skipped.

`--spread` measures physics.yaml's tpot_p99_spread on the same rows: the share of the mean TPOT by which the
logged p99 exceeds the mean, less what the model's prefill interference explains at the measured
concurrency (perf.tpot_tail_s); the median over rows is the spread the model adds for everything else.

`--shape` asks a third question that needs no logged mean: how much of its offline (maximum-throughput)
throughput does a system keep under the server and interactive limits? For each (hardware, model, precision,
MLPerf round) with an offline row, it prints the measured server / offline and interactive / offline ratios
(medians over submitters) beside the model's. A hardware-wide efficiency error (a wrong bandwidth or FLOP
share) cancels in these ratios; what is left is the SLO mode's own error: the step's shape in the batch and
the batch the limits allow.
"""
from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
from dataclasses import dataclass

from engine.catalog.catalog import Catalog, load_catalog
from engine.physics.calibration import BENCHMARKS_CSV, MLPERF_QUANTILE, Case, load_cases, run_case
from engine.physics.perf import ReplicaConfig, _Shape, tpot_spread
from engine.physics.predict import predict

MEAN_NOTE = re.compile(r"mean=([\d.]+) ms")


@dataclass(frozen=True)
class Replay:
    case: Case
    tensor_parallel: int
    sequences_per_replica: float  # measured, by Little's law
    measured_tpot_ms: float  # mean over requests, from the row's log
    model_tpot_ms: float  # the model's mean TPOT at that batch and layout
    throughput_error: float  # predicted / measured - 1 of the end-to-end replay (calibrate's error)
    measured_p99_tpot_ms: float  # p99 over requests, from the row's log
    model_interference: float  # the model's prefill-interference tail at p99, as a share of its mean TPOT

    @property
    def unexplained_spread(self) -> float:
        """Measured p99 / mean - 1, less the modelled prefill interference (physics.yaml tpot_p99_spread)."""
        return self.measured_p99_tpot_ms / self.measured_tpot_ms - 1.0 - self.model_interference

    @property
    def tpot_ratio(self) -> float:
        return self.model_tpot_ms / self.measured_tpot_ms


def logged_tpot_ms(path=BENCHMARKS_CSV) -> dict[str, tuple[float, float]]:
    """(mean, p99) TPOT [ms] per source file, where the tpot_p99_ms row's notes give the mean."""
    out = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            match = MEAN_NOTE.search(row["notes"]) if row["metric"] == "tpot_p99_ms" else None
            if match:
                out[row["source"]] = (float(match.group(1)), float(row["value"]))
    return out


def replay(catalog: Catalog, case: Case, mean_tpot_ms: float, p99_tpot_ms: float) -> Replay | None:
    """The model's TPOT at the row's measured concurrency, on the layout its SLO search picks."""
    p = predict(catalog, case.model, case.hardware, case.precision, case.accelerators, case.input_tokens,
                case.output_tokens, case.stack, case.tensor_parallel, mode="slo", ttft_ms=case.ttft_limit_ms,
                tpot_ms=case.tpot_limit_ms, latency_quantile=MLPERF_QUANTILE, speculative=case.speculative)
    if not p.fits:
        return None
    accelerators = p.tensor_parallel * p.pipeline_parallel
    calls_per_s = case.measured / case.output_tokens
    per_replica = calls_per_s * case.output_tokens * mean_tpot_ms / 1e3 / case.accelerators * accelerators
    cfg = ReplicaConfig(catalog.get_model(case.model), catalog.get_hardware(case.hardware),
                        catalog.get_stack(case.stack), p.precision, p.kv_precision, p.tensor_parallel,
                        p.pipeline_parallel, case.speculative, p.attention_data_parallel)
    shape = _Shape(cfg, case.input_tokens, case.output_tokens, 0.0, latency_quantile=MLPERF_QUANTILE)
    point = shape.point(max(1, round(per_replica)))
    spread, _ = tpot_spread(MLPERF_QUANTILE)
    return Replay(case, p.tensor_parallel, per_replica, mean_tpot_ms, point.tpot_ms,
                  p.output_tokens_per_s / case.measured - 1.0, p99_tpot_ms,
                  point.tpot_tail_ms / point.tpot_ms - 1.0 - spread)


def replays(catalog: Catalog, cases: list[Case]) -> list[Replay]:
    logged = logged_tpot_ms()
    out = [replay(catalog, c, *logged[c.source]) for c in cases if c.latency_limited and c.source in logged]
    return [r for r in out if r is not None]


LIMITED_GROUPS = ("mlperf-server", "mlperf-interactive")


@dataclass(frozen=True)
class ScenarioShape:
    """Server and interactive throughput as shares of offline, measured and modelled, for one system."""

    key: tuple[str, str, str, str]  # hardware, model, precision, publication
    offline_tok_s_per_accelerator: float  # measured, median over submitters
    measured: dict[str, float]  # scenario group -> median measured share of offline
    modelled: dict[str, float]  # scenario group -> median modelled share of the modelled offline


def scenario_shapes(catalog: Catalog, cases: list[Case]) -> list[ScenarioShape]:
    """Measured and modelled server / offline and interactive / offline throughput per system and round."""
    measured: dict[tuple, list[float]] = {}
    modelled: dict[tuple, list[float]] = {}
    for case in cases:
        if not case.group.startswith("mlperf-"):
            continue
        result = run_case(catalog, case)
        if result.predicted is None:
            continue
        key = (case.hardware, case.model, case.precision, case.publication, case.group)
        measured.setdefault(key, []).append(case.measured / case.accelerators)
        modelled.setdefault(key, []).append(result.predicted / case.accelerators)
    out = []
    for key in sorted({k[:4] for k in measured if k[4] == "mlperf-offline"}):
        offline, offline_model = (statistics.median(measured[key + ("mlperf-offline",)]),
                                  statistics.median(modelled[key + ("mlperf-offline",)]))
        shares, model_shares = {}, {}
        for group in LIMITED_GROUPS:
            if key + (group,) in measured:
                shares[group] = statistics.median(measured[key + (group,)]) / offline
                model_shares[group] = statistics.median(modelled[key + (group,)]) / offline_model
        if shares:
            out.append(ScenarioShape(key, offline, shares, model_shares))
    return out



def print_shapes(shapes: list[ScenarioShape]) -> None:
    print(f"{'hardware':12s} {'model':15s} {'prec':4s} {'round':11s} {'offline/acc':>11s}  "
          f"{'server/offline meas model':>25s}  {'interactive/offline meas model':>30s}")
    for s in shapes:
        cells = []
        for group, width in zip(LIMITED_GROUPS, (25, 30)):
            cell = (f"{s.measured[group]:.2f}  {s.modelled[group]:.2f}" if group in s.measured else "-")
            cells.append(f"{cell:>{width}s}")
        hardware, model, precision, publication = s.key
        print(f"{hardware:12s} {model:15s} {precision:4s} {publication:11s} {s.offline_tok_s_per_accelerator:11.0f}  "
              + "  ".join(cells))


def print_spread_by_model(results: list[Replay]) -> None:
    """Per model: the range over its (hardware, scenario) groups of the median measured p99 / mean TPOT and of
    1 + the modelled prefill interference (long prompts interfere more)."""
    groups: dict[str, dict[tuple[str, str], list[Replay]]] = {}
    for r in results:
        groups.setdefault(r.case.model, {}).setdefault((r.case.hardware, r.case.group), []).append(r)
    print(f"{'model':16s} {'groups':>6s}  {'measured p99/mean':>17s}  {'1 + modelled interference':>25s}")
    for model, by_group in sorted(groups.items()):
        measured = [statistics.median(r.measured_p99_tpot_ms / r.measured_tpot_ms for r in g) for g in by_group.values()]
        modelled = [1.0 + statistics.median(r.model_interference for r in g) for g in by_group.values()]
        print(f"{model:16s} {len(by_group):6d}  {min(measured):8.2f} - {max(measured):.2f}  "
              f"{min(modelled):16.2f} - {max(modelled):.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.slo_replay", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", action="store_true", help="print every row, not only the group medians")
    parser.add_argument("--spread", action="store_true",
                        help="the p99 / mean TPOT spread prefill interference does not explain (physics.yaml)")
    parser.add_argument("--shape", action="store_true",
                        help="server / offline and interactive / offline throughput, measured and modelled")
    args = parser.parse_args(argv)
    if args.shape:
        print_shapes(scenario_shapes(load_catalog(), load_cases()))
        return 0
    results = replays(load_catalog(), load_cases())
    if args.spread:
        spreads = [r.unexplained_spread for r in results]
        explained = [r.model_interference for r in results]
        ratios = [r.measured_p99_tpot_ms / r.measured_tpot_ms for r in results]
        deciles = statistics.quantiles(ratios, n=10)
        print(f"{len(results)} rows: measured p99 / mean TPOT median {statistics.median(ratios):.3f} "
              f"(10th-90th percentile {deciles[0]:.2f}-{deciles[-1]:.2f}); "
              f"modelled prefill interference median {statistics.median(explained):.3f}; "
              f"unexplained spread (tpot_p99_spread) median {statistics.median(spreads):.3f}")
        print_spread_by_model(results)
        return 0
    groups: dict[tuple[str, str, str], list[Replay]] = {}
    for r in results:
        groups.setdefault((r.case.model, r.case.hardware, r.case.group), []).append(r)
        if args.rows:
            print(f"{r.case.model:16s} {r.case.hardware:12s} {r.case.group:19s} {r.case.publication:11s} "
                  f"TP{r.tensor_parallel} {r.sequences_per_replica:7.0f} seq/replica  TPOT measured "
                  f"{r.measured_tpot_ms:6.1f} ms, model {r.model_tpot_ms:6.1f} ms ({r.tpot_ratio:.2f})  "
                  f"throughput error {r.throughput_error:+.0%}")
    print(f"{'model':16s} {'hardware':12s} {'scenario':19s} rows  model/measured TPOT  throughput error (median)")
    for (model, hardware, group), rows in sorted(groups.items()):
        print(f"{model:16s} {hardware:12s} {group:19s} {len(rows):4d}  "
              f"{statistics.median(r.tpot_ratio for r in rows):19.2f}  "
              f"{statistics.median(r.throughput_error for r in rows):+16.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
