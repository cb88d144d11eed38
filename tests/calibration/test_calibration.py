"""Calibration regression guard: the model against measured benchmarks.

Targets (issue 2): on maximum-throughput rows, median absolute error <= 15% and
90th percentile <= 35%. Source: engine/data/benchmarks.csv (TensorRT-LLM perf-overview
tables, MLPerf Inference closed offline results), fitted with `python -m tools.fit`.
"""
import pytest

from engine.physics.calibration import load_cases, run_all, summarize, summaries

pytestmark = pytest.mark.calibration


@pytest.fixture(scope="module")
def results(catalog):
    return run_all(catalog, load_cases())


def test_accuracy_on_max_throughput_rows(results):
    overall = summaries(results)["overall"][0]
    assert overall.rows >= 200  # the guard is only meaningful over the whole table
    assert overall.median_abs_error <= 0.15
    assert overall.p90_abs_error <= 0.35


def test_no_group_is_badly_biased(results):
    # each fitted source family within +-25% median: a factor refit must not trade one for another
    for s in summaries(results)["group"]:
        if s.rows >= 10 and s.label not in ("mlperf-server", "mlperf-interactive"):
            assert abs(s.median_signed_error) <= 0.25, s


def test_latency_limited_rows_do_not_get_worse(results):
    # MLPerf server/interactive rows (p99 TTFT/TPOT limits). Predicted, not fitted, until the fit took every
    # row (issue 12 item 8; calibration.fitted_rows); out-of-sample figures are calibrate's leave-one-out. A ratchet at today's level: p-norm operators, TTFT judged at p99 with the iteration in flight at
    # arrival, DeepSeek-R1 rows (dataset input length, MTP on interactive) now expressible: 285 rows at
    # median 21.5%, p90 59.4%; the 256 rows without DeepSeek-R1 at 21.5% / 48.7%. gpt-oss-120b rows
    # (dataset mean input 5,010.6 tokens) then made expressible: 314 rows at 24.5% / 63.8% (H200 W4A16 rows too), the gpt-oss rows
    # over-predicted (server +40-55%, interactive 3-6x). Expert GEMMs at 0.8 of a dense GEMM's efficiency
    # (stacks.yaml expert_gemm_efficiency): 314 rows at 20.8% / 59.1%, the 285 without gpt-oss at 19.5% / 53.7%;
    # with the catalog's new hardware rows (GH200, NVL/PCIe, MI350X): 341 rows at 19.5% / 60.5%, without gpt-oss 19.3% / 57.6%.
    # Prompts arriving whole (a share of the iterations carries a prompt when fewer than one arrives per
    # iteration), TensorRT-LLM's sliding-window KV at full length, llm-d rows on vLLM, refit: 341 rows at
    # 18.1% / 45.0%, without gpt-oss 17.3% / 45.0%, the older 283 at 15.8% / 44.4%; gpt-oss's 29 at 22.6% / 38.1%.
    # One fit over every row, overlap p = 1.5, GEMM FLOPs without the embedding lookup or prompt-token logits:
    # 341 rows at 17.5% / 37.4%, without gpt-oss 17.6% / 38.7%. MI300X computing at its 750 W limit (same
    # die as MI325X at ~1 kW) and the measured rows of benchmarks_added.csv, refit: 341 rows at 15.5% / 38.7%,
    # without gpt-oss 15.2% / 37.6%, the older 283 at 13.2% / 33.0%; gpt-oss's 29 at 18.3% / 44.8% (its MI355X
    # server rows +34-46%: AMD's efficiency rises to fit MI325X / MI355X Llama rows). TPOT judged at p99 of
    # requests (the mean x (1 + the measured 0.109 spread) + the prefill interference, perf.tpot_tail_s) instead
    # of the mean against the limit / 1.18, refit: 341 rows at 15.4% / 40.2%, without gpt-oss 14.5% / 37.4%, the
    # older 283 at 12.8% / 33.9%; gpt-oss's 29 at 18.7% / 47.1% (the refit speeds the model up a little and
    # they were over-predicted); every leave-one-out figure improved (python -m engine calibrate). Under Poisson
    # arrivals the batch kept below the sequences a replica holds by the p99 wait for a free one (Erlang C,
    # perf.slot_wait_s), refit: 341 rows at 14.9% / 40.4%, without gpt-oss 14.1% / 36.3%, the older 283 at
    # 12.8% / 32.9%, gpt-oss's 29 at 17.2% / 46.4%. Grouped expert GEMMs computing whole 64-row tiles per expert
    # (perf.expert_rows), refit: 341 rows at 13.9% / 39.0%, without gpt-oss 13.3% / 38.0% (DeepSeek-R1's 256
    # experts pay for the padding too: its v6.0 server rows, already under-predicted, move further), the older 283
    # at 11.9% / 33.4%, gpt-oss's 29 at 15.6% / 42.1%.
    # Issue 12's target is 15% / 40%.
    limited = [r for r in results if r.case.latency_limited]
    s = summaries(results)["overall"][1]
    assert s.label == "latency-limited rows" and s.rows == sum(r.error is not None for r in limited) >= 310
    assert s.median_abs_error <= 0.145 and s.p90_abs_error <= 0.395
    before_gpt_oss = summarize([r for r in limited if not r.case.model.startswith("gpt-oss")], "")
    assert before_gpt_oss.median_abs_error <= 0.14 and before_gpt_oss.p90_abs_error <= 0.385
    older = summarize([r for r in limited if r.case.model != "deepseek-r1" and not r.case.model.startswith("gpt-oss")], "")
    assert older.median_abs_error <= 0.125 and older.p90_abs_error <= 0.34
    gpt_oss = summarize([r for r in limited if r.case.model.startswith("gpt-oss")], "")
    assert gpt_oss.median_abs_error <= 0.16 and gpt_oss.p90_abs_error <= 0.43


def test_every_calibration_case_is_expressible(results):
    unexpressed = [r for r in results if r.error is None]
    assert not unexpressed, unexpressed[:3]


def test_hand_checked_row(catalog):
    # TensorRT-LLM v0.17 perf overview: Llama-3.1-70B FP8, 4 x H200 (TP4), 1000/1000 -> 8,911 tok/s
    case = next(c for c in load_cases() if c.group == "trtllm-table" and c.model == "llama-3.1-70b"
                and c.hardware == "h200" and c.accelerators == 4 and c.input_tokens == 1000
                and c.output_tokens == 1000)
    assert case.measured == pytest.approx(8911.29)
    result = run_all(catalog, [case])[0]
    assert abs(result.error) <= 0.25


def test_leave_one_group_out_is_reported_for_hardware_family_and_source(catalog):
    from engine.physics.calibration import LEAVE_OUT_KEYS, accuracy

    acc = accuracy(catalog, load_cases())
    inside = acc.summary()
    for key in LEAVE_OUT_KEYS:
        held = acc.summary(key)
        assert held.rows == inside.rows  # every row is predicted once with its group left out
        # out of sample is no better than in sample, and not wildly worse (a refit that diverged)
        assert inside.median_abs_error * 0.9 <= held.median_abs_error <= 0.35


def test_llm_d_submissions_run_on_vllm():
    # llm-d orchestrates vLLM servers; RedHat's H200 llm-d row names no engine (benchmarks.csv notes)
    from engine.physics.calibration import _stack_from_notes
    assert _stack_from_notes("framework=LLM-D v0.5.0 ,OpenShift 4.21, RHEL 9.6; status=available", "h200") == "vllm"
    assert _stack_from_notes("framework=TensorRT 10.14, CUDA 13.1; status=available", "b200") == "tensorrt-llm"
