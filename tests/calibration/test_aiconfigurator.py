"""The performance model against NVIDIA aiconfigurator on the SLO configurations issue 12 names.

aiconfigurator (github.com/ai-dynamo/aiconfigurator, 0.12.0, perf database 1.3.0rc20) simulates TensorRT-LLM
per operator from measured kernel tables; engine/data/aiconfigurator_reference.yaml holds its rank-1 aggregated
configuration for ISL 1024 / OSL 256, TTFT <= 1 s, TPOT <= 50 ms, with the command that produced each row.
Issue 12's target is within 25% each, and the guard: on 2026-12-07 (one fit over every calibration row,
roofline overlap p = 1.5, the input embedding a lookup and the LM head on sampled tokens only) the 70B rows are
at -20% to -24% and Llama 3.1 8B BF16 on one H100 at -23%. All five are bound by TPOT (50 ms), not by memory.
aiconfigurator's TTFT and TPOT are those of a batch's steps, with no spread across requests and no queue, so
the engine is judged at the median request (latency_quantile 0.5: its mean TPOT, and TTFT's median queueing
and slot wait), not at the p95 the product's targets use (at p95: -24% to -29%, the TPOT tail binding).
"""
import pytest

from engine.catalog.tables import load_table
from engine.physics.predict import predict

pytestmark = pytest.mark.calibration
ROWS = load_table("aiconfigurator_reference")


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_within_band_of_aiconfigurator(catalog, row):
    p = predict(catalog, row["model_id"], row["hardware_id"], row["precision"], row["accelerators"],
                1024, 256, "tensorrt-llm", mode="slo", ttft_ms=1000, tpot_ms=50, latency_quantile=0.5)
    assert p.fits
    assert p.output_tokens_per_s_per_accelerator == pytest.approx(row["tokens_per_s_per_gpu"], rel=0.25)
    assert p.ttft_ms <= 1000 and p.tpot_ms <= 50
