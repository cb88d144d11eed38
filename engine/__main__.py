"""Command line: python -m engine predict | size | plan | calibrate | bench.

A stable contract other tools call. Unknown ids or bad values exit 2 with a one-line
message naming the field and the valid values, never a traceback.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import asdict
from pathlib import Path

from engine.catalog.catalog import load_catalog
from engine.physics.predict import predict


class UsageError(Exception):
    """A bad argument: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print usage and exit 2 itself
        raise UsageError(message)


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


def _emit(obj, as_json: bool, text: str) -> None:
    print(json.dumps(_rounded(obj), indent=2) if as_json else text)


# --- predict ---------------------------------------------------------------------

CSV_COLUMNS = ("model", "hardware", "precision", "accelerators", "tensor_parallel", "input_tokens",
               "output_tokens", "stack", "mode", "ttft_ms", "tpot_ms")


def _int_field(row: dict, name: str, required: bool = True) -> int | None:
    raw = (row.get(name) or "").strip()
    if not raw:
        if required:
            raise ValueError(f"{name} is required")
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if value != int(value) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {raw!r}")
    return int(value)


def _float_field(row: dict, name: str) -> float | None:
    raw = (row.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def predict_row(catalog, row: dict) -> dict:
    """One CSV row -> the prediction as a dict, or {'error': ...} for a bad row."""
    try:
        mode = (row.get("mode") or "max-throughput").strip()
        result = predict(
            catalog, (row.get("model") or "").strip(), (row.get("hardware") or "").strip(),
            (row.get("precision") or "").strip(), _int_field(row, "accelerators"),
            _int_field(row, "input_tokens"), _int_field(row, "output_tokens"),
            (row.get("stack") or "").strip() or None, _int_field(row, "tensor_parallel", required=False),
            mode, _float_field(row, "ttft_ms"), _float_field(row, "tpot_ms"))
        return result.to_dict()
    except ValueError as exc:
        return {"error": str(exc), **{k: row.get(k) for k in CSV_COLUMNS}}


def cmd_predict(args) -> int:
    catalog = load_catalog()
    if args.from_csv:
        path = Path(args.from_csv)
        if not path.is_file():
            raise UsageError(f"--from-csv: no such file {args.from_csv!r}")
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in ("model", "hardware", "precision", "accelerators", "input_tokens",
                                   "output_tokens") if c not in (reader.fieldnames or [])]
            if missing:
                raise UsageError(f"--from-csv: missing columns {', '.join(missing)}; expected {', '.join(CSV_COLUMNS)}")
            results = [predict_row(catalog, row) for row in reader]
        if args.json:
            for r in results:
                print(json.dumps(_rounded(r)))
        else:
            for r in results:
                print(r.get("error") or f"{r['model']} on {r['accelerators']} x {r['hardware']}: "
                      f"{r['output_tokens_per_s']:,.0f} tok/s")
        return 0
    for name in ("model", "hardware", "precision", "accelerators", "input_tokens", "output_tokens"):
        if getattr(args, name) is None:
            raise UsageError(f"--{name.replace('_', '-')} is required (or use --from-csv FILE)")
    mode = "slo" if (args.ttft_ms is not None or args.tpot_ms is not None) else "max-throughput"
    if args.max_throughput and mode == "slo":
        raise UsageError("use either --max-throughput or --ttft-ms/--tpot-ms, not both")
    if mode == "slo" and (args.ttft_ms is None or args.tpot_ms is None):
        raise UsageError("--ttft-ms and --tpot-ms go together")
    try:
        result = predict(catalog, args.model, args.hardware, args.precision, args.accelerators,
                         args.input_tokens, args.output_tokens, args.stack, args.tensor_parallel, mode,
                         args.ttft_ms, args.tpot_ms)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    d = result.to_dict()
    text = (f"{d['model']} on {d['accelerators']} x {d['hardware']} ({d['stack']}, {d['precision']}): "
            + (f"{d['output_tokens_per_s']:,.0f} tok/s, {d['replicas']} replica(s) of TP{d['tensor_parallel']}, "
               f"batch {d['batch_size']}, TTFT {d['ttft_ms']:,.0f} ms, TPOT {d['tpot_ms']:.1f} ms"
               if d["fits"] else f"does not fit: {d['reason']}"))
    _emit(d, args.json, text)
    return 0


# --- size ------------------------------------------------------------------------

def load_scenario(path_text: str):
    from engine.scenario.schema import Scenario

    path = Path(path_text)
    if not path.is_file():
        raise UsageError(f"scenario file {path_text!r} does not exist")
    try:
        return Scenario.from_yaml(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def cmd_size(args) -> int:
    from engine.capacity.sizing import size

    scenario = load_scenario(args.scenario)
    try:
        result = size(scenario, load_catalog())
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    out = {"scenario": scenario.to_dict(), "demand": asdict(result.demand),
           "hardware_options": [asdict(o) for o in result.options]}
    lines = [f"{scenario.name}: {result.demand.peak_calls_per_s:,.1f} calls/s at peak"]
    for o in result.options:
        lines.append(f"  {o.hardware:<16} " + (
            f"{o.accelerators:>5} accelerators ({o.accelerators_for_peak} for peak), {o.stack} {o.precision} "
            f"TP{o.tensor_parallel}, TTFT {o.ttft_ms:,.0f} ms, TPOT {o.tpot_ms:.1f} ms, "
            f"utilization {o.utilization:.0%}" if o.feasible and not o.specialized else o.reason))
    _emit(out, args.json, "\n".join(lines))
    return 0


# --- plan ------------------------------------------------------------------------

def cmd_plan(args) -> int:
    from engine.plan import plan

    scenario = load_scenario(args.scenario)
    try:
        result = plan(scenario)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    rec = result.recommended
    lines = [f"{scenario.name}: {result.demand.queries_per_day:,.0f} queries/day, "
             f"{result.demand.peak_calls_per_s:,.1f} model calls/s at peak",
             result.recommendation.rationale]
    if rec:
        lines.append(f"monthly TCO ${rec.monthly_tco_usd:,.0f}: " + ", ".join(
            f"{k} ${v:,.0f}" for k, v in rec.components_usd.items() if v))
    for alt in result.recommendation.alternatives:
        lines.append(f"{alt.role}: {alt.rationale}")
    lines.append(f"break-even: {result.horizon.break_even.reason}")
    _emit(result.to_dict(), args.json, "\n".join(lines))
    return 0


# --- calibrate -------------------------------------------------------------------

def cmd_calibrate(args) -> int:
    from engine.physics.calibration import BENCHMARKS_CSV, LEAVE_OUT_KEYS, accuracy, load_cases, summaries

    path = Path(args.benchmarks) if args.benchmarks else BENCHMARKS_CSV
    if not path.is_file():
        raise UsageError(f"--benchmarks: no such file {str(path)!r}")
    acc = accuracy(load_catalog(), load_cases(path))
    results = list(acc.results)
    groups = summaries(results)
    used = [r for r in results if r.error is not None]

    def brief(s) -> dict:
        return {"rows": s.rows, "median_abs_error": s.median_abs_error, "p90_abs_error": s.p90_abs_error,
                "median_error": s.median_signed_error} if s else {"rows": 0}

    if args.json:
        out = {"in_sample": brief(acc.summary()),
               "leave_one_group_out": {key: {**brief(acc.summary(key)),
                                             "by_group": {label: brief(held) for label, _, held in acc.by_group(key)}}
                                       for key in LEAVE_OUT_KEYS},
               "groups": [{"key": key, "label": label, "in_sample": brief(inside), "held_out": brief(held)}
                          for key in LEAVE_OUT_KEYS for label, inside, held in acc.by_group(key)],
               "by_scenario": {k: [asdict(s) for s in v] for k, v in groups.items()},
               "rows_used": len(used), "rows_not_expressible": len(results) - len(used),
               "rows": [{**asdict(r.case), "predicted": r.predicted, "error": r.error, "reason": r.reason}
                        for r in results]}
        _emit(out, True, "")
        return 0
    print(f"{'group':<10} {'label':<30} {'rows':>5} {'median |err|':>13} {'p90 |err|':>10} {'median err':>11}")
    for key, summaries_ in groups.items():
        for s in summaries_:
            print(f"{key:<10} {s.label:<30} {s.rows:>5} {s.median_abs_error:>13.1%} {s.p90_abs_error:>10.1%} "
                  f"{s.median_signed_error:>+11.1%}")
    print(f"rows used: {len(used)} of {len(results)} expressible cases")
    print()
    print("out of sample: each group left out of the fit and predicted (refit on the other rows)")
    print(f"{'left out':<10} {'group':<30} {'rows':>5} {'in-sample':>10} {'held-out':>10} {'p90 held':>10} {'bias held':>10}")
    for key in LEAVE_OUT_KEYS:
        for label, inside, held in acc.by_group(key):
            if inside and held:
                print(f"{key:<10} {label:<30} {held.rows:>5} {inside.median_abs_error:>10.1%} "
                      f"{held.median_abs_error:>10.1%} {held.p90_abs_error:>10.1%} {held.median_signed_error:>+10.1%}")
    s = acc.summary()
    print(f"{'in sample':<41} {s.rows:>5} median {s.median_abs_error:.1%}  p90 {s.p90_abs_error:.1%}")
    for key in LEAVE_OUT_KEYS:
        s = acc.summary(key)
        print(f"{'leave-one-' + key + '-out':<41} {s.rows:>5} median {s.median_abs_error:.1%}  p90 {s.p90_abs_error:.1%}")
    return 0


# --- bench -----------------------------------------------------------------------

def cmd_bench(args) -> int:
    if args.repeats is None:
        args.repeats = 5 if args.cold else 30
    if args.repeats < 1:
        raise UsageError(f"--repeats must be a whole number >= 1, got {args.repeats}")
    if args.cold:
        from tools.coldbench import run_cold_bench

        results = run_cold_bench(repeats=args.repeats)
        _emit(results, args.json, "\n".join(_cold_line(k, v) for k, v in results.items()))
        return 0
    from tools.bench import run_bench

    results = run_bench(repeats=args.repeats)
    _emit(results, args.json, "\n".join(f"{k:<40} median {v['median_ms']:8.2f} ms  (n={v['runs']})"
                                        for k, v in results.items()))
    return 0


def _cold_line(name: str, v: dict) -> str:
    if "wall_ms" not in v:
        return f"{name:<40} median {v['median_ms']:7.1f} ms (n={v['runs']})"
    return (f"{name:<40} wall {v['wall_ms']:6.0f} ms, imports {v['imports_ms']:5.0f} ms, beyond imports "
            f"{v['beyond_imports_ms']:5.0f} ms ({v['beyond_imports_with_genai_prices_import_ms']:4.0f} ms counting "
            f"the genai-prices import) (n={v['runs']})")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m engine", description="Inference Economics Planner engine")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    p = sub.add_parser("predict", help="what N accelerators deliver for one model and request shape")
    p.add_argument("--model"), p.add_argument("--hardware"), p.add_argument("--precision")
    p.add_argument("--accelerators", type=int), p.add_argument("--input-tokens", type=int)
    p.add_argument("--output-tokens", type=int), p.add_argument("--stack")
    p.add_argument("--tensor-parallel", type=int)
    p.add_argument("--max-throughput", action="store_true")
    p.add_argument("--ttft-ms", type=float), p.add_argument("--tpot-ms", type=float)
    p.add_argument("--from-csv", metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_predict)
    p = sub.add_parser("size", help="size every accelerator for a scenario YAML")
    p.add_argument("scenario"), p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_size)
    p = sub.add_parser("plan", help="options, TCO, recommendation, horizon and uncertainty for a scenario")
    p.add_argument("scenario"), p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plan)
    p = sub.add_parser("calibrate", help="model accuracy on the measured benchmark rows")
    p.add_argument("--benchmarks", metavar="CSV"), p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_calibrate)
    p = sub.add_parser("bench", help="medians of repeated predict, size and plan runs")
    p.add_argument("--repeats", type=int, default=None, help="runs per case (default 30, or 5 with --cold)")
    p.add_argument("--cold", action="store_true", help="time `python -m engine plan` in fresh interpreters")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            raise UsageError("choose a command: predict, size, plan, calibrate, bench")
        return args.func(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
