import dataclasses
import math

import pytest

from engine.capacity.demand import demand
from engine.scenario.schema import Constraints, Latency, ModelChoice, Scenario, Workload
from engine.capacity.sizing import size

pytestmark = pytest.mark.unit


def test_demand_by_hand():
    # 50,000 users x 4 queries x 3 calls = 600,000 calls/day = 6.944 calls/s; peak x3 = 20.83
    s = Scenario()
    d = demand(s)
    assert d.calls_per_day == 600_000
    assert d.input_tokens_per_day == 600_000 * 1500
    assert d.cached_input_tokens_per_day == 600_000 * 1500 * 0.4
    assert d.average_calls_per_s == pytest.approx(600_000 / 86_400)
    assert d.peak_calls_per_s == pytest.approx(3 * 600_000 / 86_400)
    assert d.peak_output_tokens_per_s == pytest.approx(d.peak_calls_per_s * 300)
    # Little's law: 20.83 calls/s x (1 s TTFT + 300 tokens / 20 tok/s)
    assert d.concurrent_sequences_at_peak == pytest.approx(d.peak_calls_per_s * 16)


def test_offline_calls_add_no_peak_and_reasoning_is_generated():
    s = Scenario(workload=Workload(offline_fraction=0.5, reasoning_tokens_per_call=700))
    d = demand(s)
    assert d.peak_calls_per_s == pytest.approx(0.5 * 3 * d.average_calls_per_s)
    assert d.generated_tokens_per_call == 1000
    all_offline = demand(Scenario(workload=Workload(offline_fraction=1.0)))
    assert all_offline.peak_calls_per_s == pytest.approx(all_offline.average_calls_per_s)


def _option(result, hardware_id):
    return next(o for o in result.options if o.hardware == hardware_id)


def test_sizing_meets_slo_and_covers_peak(catalog):
    s = Scenario()
    result = size(s, catalog)
    h100 = _option(result, "h100-sxm")
    assert h100.feasible
    assert h100.ttft_ms <= s.latency.ttft_p95_ms and h100.tpot_ms <= s.latency.max_tpot_ms
    capacity_calls = h100.replicas_for_peak * h100.output_tokens_per_s_per_replica / 300
    assert capacity_calls >= result.demand.peak_calls_per_s
    # one replica fewer would not carry the peak
    assert (h100.replicas_for_peak - 1) * h100.output_tokens_per_s_per_replica / 300 < result.demand.peak_calls_per_s
    # headroom (20%) and N+1 redundancy on top
    expected = math.ceil(result.demand.peak_calls_per_s * 1.2 / (h100.output_tokens_per_s_per_replica / 300)) + 1
    assert h100.replicas == expected
    assert h100.accelerators == expected * h100.tensor_parallel
    assert 0 < h100.utilization < 1


def test_on_prem_rules_out_cloud_only_hardware(catalog):
    s = Scenario(constraints=Constraints(deployment="on_prem"))
    result = size(s, catalog)
    for hw in ("tpu-v5e", "tpu-v6e", "inferentia2", "trainium2", "groq-lpu"):
        o = _option(result, hw)
        assert not o.feasible and "on-prem" in o.reason


def test_allowed_vendors(catalog):
    result = size(Scenario(constraints=Constraints(allowed_vendors=("amd",))), catalog)
    assert all(o.hardware.startswith("mi") for o in result.options if o.feasible)
    assert "not in the allowed vendors" in _option(result, "h100-sxm").reason


def test_closed_model_is_api_only(catalog):
    result = size(Scenario(model=ModelChoice(id="claude-sonnet-4-5")), catalog)
    assert not any(o.feasible for o in result.options)
    assert "API only" in result.options[0].reason


def test_unknown_model_names_the_valid_ids(catalog):
    with pytest.raises(ValueError, match="unknown model 'gpt-17'.*llama-3.3-70b"):
        size(Scenario(model=ModelChoice(id="gpt-17")), catalog)


def test_four_bit_only_when_allowed(catalog):
    base = size(Scenario(), catalog)
    assert all(o.precision in (None, "bf16", "fp8") for o in base.options)
    allowed = size(Scenario(model=ModelChoice(allow_4bit_weights=True)), catalog)
    assert any(o.precision in ("int4", "fp4") for o in allowed.options)


def test_a_model_released_in_4bit_is_served_in_4bit_without_asking(catalog):
    # gpt-oss-120b ships MXFP4 experts (114.66B x (0.5 + 1/32 scale) byte) and BF16 attention and
    # embeddings (2.34B x 2 bytes) = 65.6 GB, not FP8's 117 GB. On B300 4-bit wins; on B200 FP8 does at
    # the default scenario (W4A8 experts run at the FP8 rate and the BF16 layers at the BF16 rate, so
    # FP8's whole-model FP8 GEMMs are faster where its 117 GB fit), but only because 4-bit was tried too.
    sized = size(Scenario(model=ModelChoice(id="gpt-oss-120b")), catalog)
    b300 = next(o for o in sized.options if o.hardware == "b300")
    assert b300.precision == "fp4" and b300.weights_gb == pytest.approx(65.6, rel=0.01)


def test_model_too_big_for_small_memory_says_it_is_too_slow_not_too_big(catalog):
    # 405B in FP8 fits on L4s only with pipeline parallelism (TP 8 x PP 4 or more), and no such
    # split meets the default SLO: the reason names the SLO, not the weights.
    s = Scenario(model=ModelChoice(id="llama-3.1-405b"))
    result = size(s, catalog)
    l4 = _option(result, "l4")
    assert not l4.feasible
    assert l4.reason == "no configuration meets TTFT <= 1,000 ms and 20 tok/s per user"
    h100 = _option(result, "h100-sxm")
    assert h100.feasible and h100.accelerators_per_replica >= 8


def test_specialized_silicon_uses_measured_speed(catalog):
    s = Scenario(model=ModelChoice(id="llama-3.1-8b"),
                 latency=Latency.for_tier("realtime"))
    cerebras = _option(size(s, catalog), "cerebras-cs3")
    # The catalog holds a measured 1,837 tok/s (Artificial Analysis) and a vendor claim of 1,800:
    # the fastest sourced figure is used, and the reason says it was measured.
    assert cerebras.specialized and cerebras.feasible
    assert cerebras.reason.startswith("sold as a service; 1,837 tok/s per user (measured, ")
    assert cerebras.tpot_ms == pytest.approx(1000 / 1837)
    too_fast = dataclasses.replace(s, latency=Latency.for_tier("realtime", min_output_tokens_per_s_per_user=4000))
    slow = _option(size(too_fast, catalog), "cerebras-cs3")
    assert not slow.feasible
    assert slow.reason == "measured 1,837 tok/s per user is below the 4000 tok/s target"
