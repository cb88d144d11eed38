"""python -m engine: the contract other tools call."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


PREDICT = ["predict", "--model", "llama-3.3-70b", "--hardware", "h100-sxm", "--precision", "fp8",
           "--accelerators", "8", "--input-tokens", "1000", "--output-tokens", "1000"]


def test_predict_max_throughput_json_fields():
    out = run(*PREDICT, "--max-throughput", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    for key in ("output_tokens_per_s", "output_tokens_per_s_per_accelerator", "ttft_ms", "tpot_ms",
                "batch_size", "tensor_parallel", "replicas", "fits"):
        assert key in d
    assert d["fits"] and d["replicas"] * d["tensor_parallel"] <= 8
    assert d["output_tokens_per_s_per_accelerator"] == pytest.approx(d["output_tokens_per_s"] / 8, rel=1e-3)


def test_predict_slo_meets_limits_and_fixed_tp():
    out = run(*PREDICT, "--ttft-ms", "500", "--tpot-ms", "30", "--tensor-parallel", "4", "--json")
    d = json.loads(out.stdout)
    assert d["tensor_parallel"] == 4 and d["replicas"] == 2
    assert d["tpot_ms"] <= 30 and d["ttft_ms"] <= 500


def test_predict_not_fitting_says_why():
    out = run("predict", "--model", "llama-3.1-405b", "--hardware", "l4", "--precision", "bf16",
              "--accelerators", "1", "--input-tokens", "100", "--output-tokens", "100", "--json")
    d = json.loads(out.stdout)
    assert d["fits"] is False and "weights need" in d["reason"]


@pytest.mark.parametrize("args,message", [
    (["--model", "llama-9"], "unknown model 'llama-9'"),
    (["--hardware", "h900"], "unknown hardware 'h900': valid ids are"),
    (["--precision", "fp3"], "precision 'fp3' is not known: choose one of"),
    (["--stack", "tensorrt-llm", "--hardware", "mi300x"], "does not run on amd hardware"),
    (["--precision", "fp8", "--hardware", "a100-80gb"], "does not run natively on a100-80gb"),
])
def test_bad_ids_exit_2_with_one_line(args, message):
    argv = list(PREDICT)
    for flag, value in zip(args[::2], args[1::2]):
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    out = run(*argv)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_from_csv_runs_every_row_in_order(tmp_path):
    csv_file = tmp_path / "cases.csv"
    csv_file.write_text(
        "model,hardware,precision,accelerators,tensor_parallel,input_tokens,output_tokens,stack,mode,ttft_ms,tpot_ms\n"
        "llama-3.1-8b,h100-sxm,fp8,1,,128,128,,max-throughput,,\n"
        "nope,h100-sxm,fp8,1,,128,128,,max-throughput,,\n"
        "llama-3.3-70b,h200,fp8,8,2,1000,500,vllm,slo,800,40\n"
        "llama-3.1-8b,h100-sxm,fp8,zero,,128,128,,max-throughput,,\n")
    out = run("predict", "--from-csv", str(csv_file), "--json")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 4
    assert rows[0]["fits"] and rows[0]["model"] == "llama-3.1-8b"
    assert "unknown model 'nope'" in rows[1]["error"]
    assert rows[2]["stack"] == "vllm" and rows[2]["tensor_parallel"] == 2 and rows[2]["tpot_ms"] <= 40
    assert "accelerators must be a whole number" in rows[3]["error"]


def test_size_json_contract():
    out = run("size", "presets/support-assistant.yaml", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["demand"]["calls_per_day"] == 600000
    fields = {"hardware", "stack", "precision", "tensor_parallel", "batch_size", "ttft_ms", "tpot_ms",
              "accelerators_for_peak", "accelerators", "utilization", "feasible", "reason"}
    assert all(fields <= set(o) for o in d["hardware_options"])
    assert len(d["hardware_options"]) >= 16


def test_size_bad_scenario_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("workload: {daily_active_users: -3}\n")
    out = run("size", str(bad))
    assert out.returncode == 2
    assert "workload.daily_active_users = -3 is out of range" in out.stderr
    assert "Traceback" not in out.stderr
    out = run("size", str(tmp_path / "missing.yaml"))
    assert out.returncode == 2 and "does not exist" in out.stderr


def test_no_command_exits_2():
    out = run()
    assert out.returncode == 2 and "choose a command" in out.stderr


def test_plan_json_contract():
    out = run("plan", "presets/support-assistant.yaml", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    for key in ("scenario", "demand", "options", "recommendation", "horizon", "uncertainty"):
        assert key in d
    option_fields = {"id", "kind", "name", "accelerators", "meets_slo", "feasible", "reason", "ttft_ms", "tpot_ms",
                     "monthly_tco_usd", "components_usd", "cost_per_1k_queries_usd"}
    for o in d["options"]:
        assert option_fields <= set(o)
        assert o["kind"] in ("api", "cloud", "owned", "specialized")
        assert ("hardware" in o) and ("provider" in o)
        if o["kind"] == "api":
            assert o["accelerators"] is None
    rec = d["recommendation"]
    assert {"option_id", "rationale", "alternatives"} <= set(rec)
    assert rec["option_id"] in {o["id"] for o in d["options"]}
    ids = {o["id"] for o in d["options"] if o["feasible"]}
    assert all(set(m["costs_usd"]) == ids for m in d["horizon"])


@pytest.mark.parametrize("yaml_text,message", [
    ("workload: {daily_active_users: -5}\n", "workload.daily_active_users = -5 is out of range"),
    ("workload: {agent_calls_per_query: 0}\n", "workload.agent_calls_per_query = 0 is out of range"),
    ("model: {id: gpt-99}\n", "unknown model 'gpt-99'"),
    ("model: {id: claude-sonnet-4-5}\nconstraints: {deployment: on_prem}\n", "is a closed model"),
])
def test_plan_bad_scenarios_exit_2(tmp_path, yaml_text, message):
    f = tmp_path / "s.yaml"
    f.write_text(yaml_text)
    out = run("plan", str(f))
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr


def test_bench_rejects_zero_repeats():
    out = run("bench", "--cold", "--repeats", "0")
    assert out.returncode == 2 and "--repeats" in out.stderr


def test_cold_bench_times_price_data_loading_as_work():
    """The cold benchmark pre-imports code only: if genai-prices moved its price tables to
    other modules, their loading would silently be excused as an import."""
    from tools.coldbench import PRICE_DATA_MODULES, modules_imported_by_plan

    modules = modules_imported_by_plan(ROOT / "presets" / "support-assistant.yaml")
    assert set(PRICE_DATA_MODULES) <= set(modules)
    assert "engine.plan" in modules


@pytest.mark.unit
def test_calibrate_json_reports_in_sample_and_leave_one_group_out(capsys):
    import json

    from engine.__main__ import main

    assert main(["calibrate", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["in_sample"]) >= {"rows", "median_abs_error", "p90_abs_error"}
    for key in ("hardware", "family", "source"):
        held = out["leave_one_group_out"][key]
        assert set(held) >= {"rows", "median_abs_error", "p90_abs_error"}
        assert 0 <= held["median_abs_error"] <= 1
    assert out["groups"] and {"key", "label", "in_sample", "held_out"} <= set(out["groups"][0])
