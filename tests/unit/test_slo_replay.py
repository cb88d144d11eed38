"""tools/slo_replay: the MLPerf server/interactive rows replayed at the concurrency they measured."""
import pytest

from engine.physics.calibration import load_cases
from tools.slo_replay import logged_tpot_ms, replay, replays


def _h200_llama2_server_v51():
    logged = logged_tpot_ms()
    return [(c, *logged[c.source]) for c in load_cases()
            if c.group == "mlperf-server" and c.model == "llama-2-70b" and c.hardware == "h200"
            and c.publication == "MLPerf v5.1" and c.source in logged]


def test_measured_concurrency_is_littles_law(catalog):
    case, mean_tpot_ms, p99_tpot_ms = _h200_llama2_server_v51()[0]
    r = replay(catalog, case, mean_tpot_ms, p99_tpot_ms)
    # sequences in flight x tokens per sequence per second, over the replicas, gives back the measured tokens/s
    replicas = case.accelerators / r.tensor_parallel
    assert replicas * r.sequences_per_replica * 1000 / mean_tpot_ms == pytest.approx(case.measured, rel=1e-9)
    assert r.measured_tpot_ms == mean_tpot_ms


def test_step_agrees_where_the_end_to_end_replay_agrees(catalog):
    # H200 Llama 2 70B server rows are replayed end to end within ~5%; at their measured concurrency the
    # model's mean TPOT should then be near the logged mean TPOT too (a step error would show here first)
    rows = _h200_llama2_server_v51()
    assert len(rows) >= 5
    for case, mean_tpot_ms, p99_tpot_ms in rows:
        r = replay(catalog, case, mean_tpot_ms, p99_tpot_ms)
        assert abs(r.throughput_error) <= 0.15
        assert 0.8 <= r.tpot_ratio <= 1.25


def test_scenario_shapes_are_shares_of_offline(catalog):
    # B200 Llama 2 70B, MLPerf v5.1: server and interactive throughput per GPU over the offline one, measured
    # (medians over submitters) and modelled; a hardware-wide efficiency error cancels in each ratio
    from statistics import median

    from tools.slo_replay import scenario_shapes

    cases = [c for c in load_cases() if c.hardware == "b200" and c.model == "llama-2-70b"
             and c.publication == "MLPerf v5.1"]
    (shape,) = scenario_shapes(catalog, cases)
    per_gpu = {g: median(c.measured / c.accelerators for c in cases if c.group == g)
               for g in ("mlperf-offline", "mlperf-server", "mlperf-interactive")}
    assert shape.offline_tok_s_per_accelerator == pytest.approx(per_gpu["mlperf-offline"])
    for group in ("mlperf-server", "mlperf-interactive"):
        assert shape.measured[group] == pytest.approx(per_gpu[group] / per_gpu["mlperf-offline"])
        assert 0.0 < shape.modelled[group] <= 1.05
    # the interactive limits (TTFT 450 ms, TPOT 40 ms) keep less of offline than the server ones, in both
    assert shape.measured["mlperf-interactive"] < shape.measured["mlperf-server"]
    assert shape.modelled["mlperf-interactive"] < shape.modelled["mlperf-server"]


def test_tpot_spread_in_physics_yaml_is_the_median_the_replay_measures(catalog):
    # physics.yaml's tpot_p99_spread is what python -m tools.slo_replay --spread prints: over the rows logging
    # both the mean and the p99 TPOT, the median of measured p99 / mean - 1 less the modelled prefill interference
    from statistics import median

    from engine.physics.perf import TPOT_SPREAD_P99

    results = replays(catalog, load_cases())
    assert len(results) >= 150
    assert median(r.unexplained_spread for r in results) == pytest.approx(TPOT_SPREAD_P99, abs=0.01)
    # long prompts (Llama 3.1 405B, ~9.4k tokens) interfere far more with decoding than Llama 2 70B's ~220
    interference = {m: median(r.model_interference for r in results if r.case.model == m)
                    for m in ("llama-3.1-405b", "llama-2-70b")}
    assert interference["llama-3.1-405b"] > 3 * interference["llama-2-70b"]
