"""Command line: python -m engine predict | size | plan | calibrate | bench.

A stable contract other tools call. Unknown ids or bad values exit 2 with a one-line
message naming the field and the valid values, never a traceback.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
import unicodedata
from dataclasses import asdict
from pathlib import Path

from engine.scenario.schema import BOUNDS, check_vendors, is_id, quote
from engine.scenario.yaml_io import read_scenario_file, read_text_file, shown_path


class UsageError(Exception):
    """A bad argument: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print usage and exit 2 itself
        raise UsageError(message)


MAX_CSV_BYTES = 20_000_000  # benchmarks.csv is 1 MB
MESSAGE_CHARS = 500


def _one_line(message: str) -> str:
    """A message as printed: one line, no control characters, at most MESSAGE_CHARS."""
    text = " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in str(message)).split())
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "…"


def _number(text: str, whole: bool, low: float, high: float, why: str) -> float:
    """A finite number in [low, high] from text; ValueError naming the range and the reason."""
    try:
        value = float(text.strip().replace(",", "")) if isinstance(text, str) else float(text)
    except (TypeError, ValueError, OverflowError):
        value = math.nan
    kind = "a whole number" if whole else "a number"
    if not math.isfinite(value) or not low <= value <= high or (whole and value != int(value)):
        raise ValueError(f"must be {kind} from {low:,g} to {high:,g} ({why}), got {quote(text)}")
    return int(value) if whole else value


# Ranges of the numeric arguments: (whole, low, high, why). Token counts share the scenario's bounds.
ARG_RANGES: dict[str, tuple[bool, float, float, str]] = {
    "accelerators": (True, 1, 100_000, "one accelerator to a 100,000-accelerator cluster"),
    "tensor_parallel": (True, 1, 1024, "accelerators sharing one replica"),
    "input_tokens": (True, *BOUNDS["workload.input_tokens_per_call"][:2], "tokens per prompt"),
    "output_tokens": (True, *BOUNDS["workload.output_tokens_per_call"][:2], "tokens per response"),
    "ttft_ms": (False, 1, BOUNDS["latency.ttft_p95_ms"][1], "time to first token"),
    "tpot_ms": (False, 0.01, 60_000, "time per output token"),
    "repeats": (True, 1, 10_000, "runs per case"),
}


def _arg(name: str):
    """An argparse type: the named range, or a one-line error."""
    def parse(text: str):
        try:
            return _number(text, *ARG_RANGES[name])
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    parse.__name__ = name
    return parse


def _id(text: str) -> str:
    if not is_id(text):
        raise argparse.ArgumentTypeError(f"must be a catalog id (letters, digits, '.', '_', '-'; at most 64 "
                                         f"characters), got {quote(text)}")
    return text


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
        return _number(raw, *ARG_RANGES[name])
    except ValueError as exc:
        raise ValueError(f"{name} {exc}") from None


def _float_field(row: dict, name: str) -> float | None:
    raw = (row.get(name) or "").strip()
    if not raw:
        return None
    try:
        return _number(raw, *ARG_RANGES[name])
    except ValueError as exc:
        raise ValueError(f"{name} {exc}") from None


def _text_field(row: dict, name: str) -> str:
    raw = (row.get(name) or "").strip()
    if raw and not is_id(raw):
        raise ValueError(f"{name} must be a catalog id (letters, digits, '.', '_', '-'), got {quote(raw)}")
    return raw


def predict_row(catalog, row: dict) -> dict:
    """One CSV row -> the prediction as a dict, or {'error': ...} for a bad row."""
    from engine.physics.predict import predict

    try:
        mode = _text_field(row, "mode") or "max-throughput"
        result = predict(
            catalog, _text_field(row, "model"), _text_field(row, "hardware"),
            _text_field(row, "precision"), _int_field(row, "accelerators"),
            _int_field(row, "input_tokens"), _int_field(row, "output_tokens"),
            _text_field(row, "stack") or None, _int_field(row, "tensor_parallel", required=False),
            mode, _float_field(row, "ttft_ms"), _float_field(row, "tpot_ms"))
        return result.to_dict()
    except ValueError as exc:
        return {"error": _one_line(exc), **{k: quote(row.get(k), bare=True) if row.get(k) else row.get(k)
                                             for k in CSV_COLUMNS}}


def cmd_predict(args) -> int:
    from engine.catalog.catalog import load_catalog
    from engine.physics.predict import predict

    catalog = load_catalog()
    if args.from_csv is not None:
        try:
            text = read_text_file(args.from_csv, "--from-csv", MAX_CSV_BYTES)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            missing = [c for c in ("model", "hardware", "precision", "accelerators", "input_tokens",
                                   "output_tokens") if c not in (reader.fieldnames or [])]
            if missing:
                raise UsageError(f"--from-csv: missing columns {', '.join(missing)}; expected {', '.join(CSV_COLUMNS)}")
            results = [predict_row(catalog, row) for row in reader]
        except csv.Error as exc:
            raise UsageError(f"--from-csv {shown_path(args.from_csv)}: line {reader.line_num}: {exc}") from None
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
               + (f" (p95 of requests {d['tpot_tail_ms']:.1f} ms)" if d["tpot_tail_ms"] else "")
               if d["fits"] else f"does not fit: {d['reason']}"))
    _emit(d, args.json, text)
    return 0


# --- size ------------------------------------------------------------------------

def load_scenario(path_text: str):
    """The scenario in a YAML file ("-" for stdin) through the one safe loader; UsageError otherwise."""
    try:
        return read_scenario_file(path_text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def cmd_size(args) -> int:
    scenario = load_scenario(args.scenario)  # before the heavy imports: a bad file fails fast
    from engine.capacity.sizing import size
    from engine.catalog.catalog import load_catalog

    catalog = load_catalog()
    try:
        check_vendors(scenario.constraints.allowed_vendors, {h.vendor for h in catalog.hardware.values()})
        result = size(scenario, catalog)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    out = {"scenario": scenario.to_dict(), "demand": asdict(result.demand),
           "hardware_options": [asdict(o) for o in result.options]}
    lines = [f"{scenario.name}: {result.demand.peak_calls_per_s:,.1f} calls/s at peak"]
    for o in result.options:
        lines.append(f"  {o.hardware:<16} " + (
            f"{o.accelerators:>5} accelerators ({o.accelerators_for_peak} for peak), {o.stack} {o.precision} "
            f"TP{o.tensor_parallel}, TTFT p95 {o.ttft_ms:,.0f} ms, TPOT p95 {o.tpot_ms:.1f} ms, "
            f"utilization {o.utilization:.0%}" if o.feasible and not o.specialized else o.reason))
    _emit(out, args.json, "\n".join(lines))
    return 0


# --- plan ------------------------------------------------------------------------

def cmd_plan(args) -> int:
    scenario = load_scenario(args.scenario)  # before the heavy imports: a bad file fails fast
    from engine.plan import plan

    try:
        result = plan(scenario)
        if args.token_flips:  # a re-plan per trial: only on request (engine/token_flips.py)
            from engine.token_flips import with_token_flips
            result = with_token_flips(result)
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
    if result.recommendation.what_flips or result.recommendation.token_flips:
        from present.sentences import flip_sentence, token_flip_lines
        searched = result.recommendation.token_flips
        found = set(searched.flips) if searched else set()
        lines += [f"what flips it: {flip_sentence(f)}" for f in result.recommendation.what_flips if f not in found]
        lines += [f"what flips it: {line}" for line in (token_flip_lines(searched) if searched else ())]
    _emit(result.to_dict(), args.json, "\n".join(lines))
    return 0


# --- calibrate -------------------------------------------------------------------

# The columns load_cases reads (the layout of ../shared/data/benchmarks.csv).
BENCHMARK_COLUMNS = ("source", "benchmark", "model", "precision", "hardware", "num_accelerators", "scenario",
                     "input_tokens", "output_tokens", "metric", "value", "notes")


def cmd_calibrate(args) -> int:
    from engine.catalog.catalog import load_catalog
    from engine.physics.calibration import BENCHMARKS_CSV, LEAVE_OUT_KEYS, accuracy, load_cases, summaries

    if args.write_accuracy:
        return _write_accuracy(args)
    path = args.benchmarks if args.benchmarks is not None else str(BENCHMARKS_CSV)
    try:
        text = read_text_file(path, "--benchmarks", MAX_CSV_BYTES)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error as exc:
        raise UsageError(f"--benchmarks {shown_path(path)}: the header does not parse ({exc})") from None
    missing = [c for c in BENCHMARK_COLUMNS if c not in header]
    if missing:
        raise UsageError(f"--benchmarks {shown_path(path)}: missing columns {', '.join(missing)} "
                         "(the layout of benchmarks.csv)")
    try:
        cases = load_cases(Path(path))
    except (ValueError, OverflowError, KeyError, csv.Error) as exc:
        raise UsageError(f"--benchmarks {shown_path(path)}: a row does not parse ({quote(str(exc), 80)})") from None
    if not cases:
        raise UsageError(f"--benchmarks {shown_path(path)}: no row is a case the model can express (a catalog "
                         "hardware and model, a precision, an accelerator count and a supported benchmark)")
    acc = accuracy(load_catalog(), cases)
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


def _write_accuracy(args) -> int:
    """Store the accuracy users are shown, stamped with its inputs' fingerprint (engine.physics.calibration)."""
    from engine.physics.calibration import ACCURACY_FILE, write_accuracy

    if args.benchmarks is not None:
        raise UsageError("--write-accuracy stores the accuracy of engine/data/benchmarks.csv; "
                         "leave out --benchmarks")
    reported = write_accuracy()
    if args.json:
        _emit({"written": shown_path(str(ACCURACY_FILE))}, True, "")
        return 0
    print(f"wrote {shown_path(str(ACCURACY_FILE))}")
    if reported:
        worst = reported.out_of_sample
        print(f"in sample: median {reported.in_sample.median_abs_error:.1%} over {reported.in_sample.rows} rows; "
              f"out of sample (leave-one-{worst.label}-out): median {worst.median_abs_error:.1%}, "
              f"p90 {worst.p90_abs_error:.1%}")
    return 0


# --- bench -----------------------------------------------------------------------

def cmd_bench(args) -> int:
    if args.repeats is None:
        args.repeats = 5 if args.cold else 30
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
    p.add_argument("--model", type=_id), p.add_argument("--hardware", type=_id)
    p.add_argument("--precision", type=_id)
    p.add_argument("--accelerators", type=_arg("accelerators")), p.add_argument("--input-tokens", type=_arg("input_tokens"))
    p.add_argument("--output-tokens", type=_arg("output_tokens")), p.add_argument("--stack", type=_id)
    p.add_argument("--tensor-parallel", type=_arg("tensor_parallel"))
    p.add_argument("--max-throughput", action="store_true")
    p.add_argument("--ttft-ms", type=_arg("ttft_ms")), p.add_argument("--tpot-ms", type=_arg("tpot_ms"))
    p.add_argument("--from-csv", metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_predict)
    p = sub.add_parser("size", help="size every accelerator for a scenario YAML")
    p.add_argument("scenario"), p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_size)
    p = sub.add_parser("plan", help="options, TCO, recommendation, horizon and uncertainty for a scenario")
    p.add_argument("scenario"), p.add_argument("--json", action="store_true")
    p.add_argument("--token-flips", action="store_true",
                   help="also search the input and output tokens per call at which another option wins "
                        "(x0.25 to x4 of today's; a re-plan per trial, so about a second)")
    p.set_defaults(func=cmd_plan)
    p = sub.add_parser("calibrate", help="model accuracy on the measured benchmark rows")
    p.add_argument("--benchmarks", metavar="CSV"), p.add_argument("--json", action="store_true")
    p.add_argument("--write-accuracy", action="store_true",
                   help="store the accuracy the app and brief show in engine/data/reported_accuracy.json")
    p.set_defaults(func=cmd_calibrate)
    p = sub.add_parser("bench", help="medians of repeated predict, size and plan runs")
    p.add_argument("--repeats", type=_arg("repeats"), default=None, help="runs per case (default 30, or 5 with --cold)")
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
    except (UsageError, ValueError) as exc:  # ValueError: an engine check a command did not wrap
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
