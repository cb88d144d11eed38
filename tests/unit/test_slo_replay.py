"""tools/slo_replay: the MLPerf server/interactive rows replayed at the concurrency they measured."""
import pytest

from engine.physics.calibration import load_cases
from tools.slo_replay import logged_mean_tpot_ms, replay


def _h200_llama2_server_v51():
    means = logged_mean_tpot_ms()
    return [(c, means[c.source]) for c in load_cases()
            if c.group == "mlperf-server" and c.model == "llama-2-70b" and c.hardware == "h200"
            and c.publication == "MLPerf v5.1" and c.source in means]


def test_measured_concurrency_is_littles_law(catalog):
    case, mean_tpot_ms = _h200_llama2_server_v51()[0]
    r = replay(catalog, case, mean_tpot_ms)
    # sequences in flight x tokens per sequence per second, over the replicas, gives back the measured tokens/s
    replicas = case.accelerators / r.tensor_parallel
    assert replicas * r.sequences_per_replica * 1000 / mean_tpot_ms == pytest.approx(case.measured, rel=1e-9)
    assert r.measured_tpot_ms == mean_tpot_ms


def test_step_agrees_where_the_end_to_end_replay_agrees(catalog):
    # H200 Llama 2 70B server rows are replayed end to end within ~5%; at their measured concurrency the
    # model's mean TPOT should then be near the logged mean TPOT too (a step error would show here first)
    rows = _h200_llama2_server_v51()
    assert len(rows) >= 5
    for case, mean_tpot_ms in rows:
        r = replay(catalog, case, mean_tpot_ms)
        assert abs(r.throughput_error) <= 0.15
        assert 0.8 <= r.tpot_ratio <= 1.25
