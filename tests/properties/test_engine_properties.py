"""Invariants of the engine over the whole input space (hypothesis)."""
import dataclasses
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.catalog.catalog import load_catalog
from engine.physics.perf import ReplicaConfig, operating_point, roofline_output_tokens_per_s
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
