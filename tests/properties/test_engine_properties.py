"""Invariants of the engine over the whole input space (hypothesis)."""
import dataclasses
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.catalog.catalog import load_catalog
from engine.physics.predict import predict
from engine.physics.perf import (ReplicaConfig, _Shape, max_batch, operating_point, roofline_output_tokens_per_s,
                                 slo_throughput_ceiling)
from engine.scenario.schema import Latency, Scenario
from engine.capacity.sizing import size
from tests.properties.strategies import SELF_HOSTABLE_MODELS, scenarios

pytestmark = pytest.mark.properties
CATALOG = load_catalog()
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios)
def test_scenario_dict_round_trip_is_identity(s):
    assert Scenario.from_dict(s.to_dict()) == s
    assert Scenario.from_yaml(s.to_yaml()) == s


def _installed(result):
    return {o.hardware: o.accelerators for o in result.options if o.feasible and not o.specialized}


@SETTINGS
@given(scenarios, st.floats(1.0, 20.0))
def test_more_users_never_fewer_accelerators(s, factor):
    more = dataclasses.replace(s, workload=dataclasses.replace(
        s.workload, daily_active_users=min(int(s.workload.daily_active_users * factor) + 1, 10**9)))
    base, bigger = _installed(size(s, CATALOG)), _installed(size(more, CATALOG))
    for hw, n in base.items():
        assert hw in bigger, f"{hw} became infeasible with more users"
        assert bigger[hw] >= n, hw


@SETTINGS
@given(scenarios, st.floats(0.2, 1.0))
def test_tighter_slo_never_fewer_accelerators(s, tighten):
    lat = s.latency
    tight = dataclasses.replace(s, latency=Latency.for_tier(
        lat.tier, ttft_p95_ms=max(lat.ttft_p95_ms * tighten, 50),
        min_output_tokens_per_s_per_user=lat.min_output_tokens_per_s_per_user / tighten))
    base, tighter = _installed(size(s, CATALOG)), _installed(size(tight, CATALOG))
    for hw, n in tighter.items():
        assert hw in base
        assert n >= base[hw], hw


@SETTINGS
@given(scenarios)
def test_no_nan_or_negative_numbers(s):
    result = size(s, CATALOG)
    for o in result.options:
        for value in dataclasses.asdict(o).values():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                assert math.isfinite(value) and value >= 0
        if o.feasible and not o.specialized:
            assert o.accelerators >= o.accelerators_for_peak >= 1
            assert 0 < o.utilization <= o.peak_utilization <= 1
    for value in dataclasses.asdict(result.demand).values():
        for x in value if isinstance(value, tuple) else (value,):  # the hourly load is a tuple of rates
            assert math.isfinite(x) and x >= 0
    assert max(result.demand.hourly_calls_per_s) == pytest.approx(result.demand.peak_calls_per_s, rel=1e-9)


GPU_IDS = [h.id for h in CATALOG.hardware.values() if not h.is_specialized]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SELF_HOSTABLE_MODELS), st.sampled_from(GPU_IDS), st.sampled_from(("bf16", "fp8", "fp4")),
       st.sampled_from((1, 2, 4, 8)), st.integers(1, 4096), st.integers(1, 32_000), st.integers(1, 8_000),
       st.sampled_from(sorted(CATALOG.stacks)))
def test_prediction_never_beats_the_roofline(model_id, hw_id, precision, tp, batch, isl, osl, stack_id):
    hw, stack = CATALOG.get_hardware(hw_id), CATALOG.get_stack(stack_id)
    if not hw.runs(precision) or hw.vendor not in stack.vendors or tp > hw.accelerators_per_node:
        return
    cfg = ReplicaConfig(CATALOG.get_model(model_id), hw, stack, precision, "fp8" if hw.runs("fp8") else "bf16", tp)
    point = operating_point(cfg, batch, isl, osl)
    assert point.output_tokens_per_s <= roofline_output_tokens_per_s(cfg, batch, isl, osl) * (1 + 1e-9)
    assert point.tpot_ms > 0 and point.ttft_ms > 0


CONTINUOUS_STACKS = sorted(s.id for s in CATALOG.stacks.values() if s.continuous_batching)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SELF_HOSTABLE_MODELS), st.sampled_from(GPU_IDS),
       st.sampled_from(("bf16", "fp8", "fp4", "int4")), st.sampled_from((1, 2, 4, 8)), st.sampled_from((1, 2)),
       st.booleans(), st.integers(1, 32_000), st.integers(1, 8_000), st.sampled_from((0.0, 0.5, 0.9)),
       st.booleans(), st.sampled_from((None, (1, 0.85), (3, 0.6))), st.sampled_from(CONTINUOUS_STACKS), st.data())
def test_throughput_grows_with_the_batch(model_id, hw_id, precision, tp, pp, attention_dp, isl, osl, cached,
                                         disaggregated, speculative, stack_id, data):
    # Issue 12: monotone in batch. Under continuous batching a larger batch never carries fewer tokens/s, on
    # any layout, prompt or cached share, with prompts in the decode iterations or on a prefill pool; sizing
    # relies on it to skip configurations whose largest batch already costs more (perf.slo_throughput_ceiling).
    hw, stack, model = CATALOG.get_hardware(hw_id), CATALOG.get_stack(stack_id), CATALOG.get_model(model_id)
    if (not hw.runs(precision) or hw.vendor not in stack.vendors or tp > hw.accelerators_per_node
            or (attention_dp and (not model.is_moe or tp == 1 or pp > 1))):
        return
    cfg = ReplicaConfig(model, hw, stack, precision, "fp8" if hw.runs("fp8") else "bf16", tp, pp, speculative,
                        attention_dp)
    upper, _ = max_batch(cfg, isl, osl)
    if upper < 2:
        return
    batches = sorted(set(data.draw(st.lists(st.integers(1, upper), min_size=2, max_size=6))))
    shape = _Shape(cfg, isl, osl, cached, disaggregated, slots=upper)
    carried = [shape.point(b).output_tokens_per_s for b in batches]
    assert all(later >= earlier * (1 - 1e-12) for earlier, later in zip(carried, carried[1:])), (batches, carried)
    assert slo_throughput_ceiling(cfg, isl, osl, cached, disaggregated) >= max(carried)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SELF_HOSTABLE_MODELS), st.sampled_from(GPU_IDS), st.sampled_from(("bf16", "fp8", "fp4")),
       st.sampled_from((1, 2, 3, 4, 6, 8)), st.sampled_from((1, 2, 8)), st.integers(64, 16_000),
       st.integers(16, 4_000), st.sampled_from(("max-throughput", "slo")))
def test_more_accelerators_never_carry_fewer_tokens(model_id, hw_id, precision, accelerators, more, isl, osl, mode):
    # Issue 12: more accelerators never less throughput, at maximum throughput or under latency targets.
    limits = {"ttft_ms": 2000, "tpot_ms": 50} if mode == "slo" else {}
    try:
        few = predict(CATALOG, model_id, hw_id, precision, accelerators, isl, osl, mode=mode, **limits)
        many = predict(CATALOG, model_id, hw_id, precision, accelerators + more, isl, osl, mode=mode, **limits)
    except ValueError:  # a precision or context the pair does not run
        return
    carried = lambda p: p.output_tokens_per_s if p.fits else 0.0
    assert carried(many) >= carried(few) * (1 - 1e-9)
