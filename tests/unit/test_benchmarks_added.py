"""engine/data/benchmarks_added.csv: published rows added to the calibration set (issue 12, item 7)."""
import csv

import pytest

from engine.physics.calibration import (ADDED_BASES, ADDED_CSV, ADDED_GROUPS, BENCHMARKS_CSV, Case, at_concurrency,
                                        load_added_cases, load_cases, run_case)

# Kept aside to judge the model, never calibrated on (developers' guide; issue 12, item 7): InferenceX /
# InferenceMAX results, and TensorRT-LLM perf-overview tables beyond those benchmarks.csv already holds.
FORBIDDEN = ("inferencex", "inferencemax", "semianalysis", "perf-overview", "perf overview", "258c7540", "00f37686")


@pytest.fixture(scope="module")
def rows():
    with ADDED_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_row_keeps_source_as_of_and_basis(rows):
    assert 8 <= len(rows) <= 25
    for row in rows:
        assert row["source"] and row["as_of"] and row["notes"], row
        assert row["basis"] in ADDED_BASES, row
        assert row["concurrency"] == "" or int(row["concurrency"]) >= 1, row


def test_no_row_names_a_forbidden_source(rows):
    for row in rows:
        text = " ".join((row["source"], row["benchmark"], row["notes"])).lower()
        assert not any(word in text for word in FORBIDDEN), row["source"]


def test_measured_rows_load_as_cases_and_join_the_calibration_set(rows):
    cases = load_added_cases()
    # every measured row maps to the catalog; left out: vendor claims (neither fitted nor scored) and
    # DeepSeek's 3-draft MTP rows (physics.yaml's acceptance rate is for one drafted token)
    measured = [r for r in rows if r["basis"] == "measured"]
    chained = [r for r in measured if r["draft_tokens"] and int(r["draft_tokens"]) > 1]
    assert chained and len(cases) == len(measured) - len(chained)
    assert not any(c.speculative and c.speculative[0] > 1 for c in cases)
    assert {c.group for c in cases} <= set(ADDED_GROUPS)
    assert all(c in load_cases() for c in cases)
    # a per-user tokens/s row at concurrency 1 is compared as TPOT; throughput rows keep tokens/s
    latency = [c for c in cases if c.group == "published-latency"]
    assert latency and all(c.metric == "tpot_ms" and c.concurrency == 1 for c in latency)


def test_every_row_replays(catalog):
    for case in load_added_cases():
        result = run_case(catalog, case)
        assert result.error is not None, (case.source, case.hardware, case.model, result.reason)


def test_concurrency_rows_load_what_the_source_states():
    # TensorRT-LLM DeepSeek-R1 guide, 'B200 max-throughput for R1 with FP16 KV cache': concurrency 3072,
    # --tp 8, FP16 KV cache, trtllm-bench (its own settings apply).
    cases = load_added_cases()
    b200 = next(c for c in cases if c.hardware == "b200" and c.concurrency == 3072)
    assert (b200.model, b200.tensor_parallel, b200.kv_precision) == ("deepseek-r1", 8, "bf16")
    assert b200.stack_benchmark
    assert b200.measured == pytest.approx(36384.0838)


def test_a_concurrency_row_is_predicted_at_that_batch(catalog):
    # C requests over one replica: the replica's throughput at batch C (memory permitting), not at its max batch
    base = Case("s", "p", "published-concurrency", "llama-3.1-8b", "h100-sxm", "fp8", 1, 1, 1000, 1000,
                "tensorrt-llm", "output_tokens_per_s", 1.0, concurrency=8)
    at_8, at_64 = at_concurrency(catalog, base), at_concurrency(catalog, Case(**{**base.__dict__, "concurrency": 64}))
    assert 0 < at_8 < at_64 < 8 * at_8


def test_the_calibration_set_is_the_same_however_its_path_is_spelled(monkeypatch):
    repo = BENCHMARKS_CSV.parents[2]
    monkeypatch.chdir(repo)
    assert load_cases(BENCHMARKS_CSV.relative_to(repo)) == load_cases()
