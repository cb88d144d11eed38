"""No lever that breaks the SLO or the constraints is in the roadmap (hypothesis)."""
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings

from engine.catalog.catalog import load_catalog
from engine.plan import plan
from engine.roadmap.build import replan_final
from tests.properties.strategies import scenarios

pytestmark = pytest.mark.properties
CATALOG = load_catalog()
PRICE_DATE = dt.date(2026, 11, 25)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_roadmap_steps_meet_slo_and_constraints(s):
    p = plan(s, CATALOG, PRICE_DATE)
    r = p.roadmap
    if r is None:
        assert p.recommended is None
        return
    deployment = s.constraints.deployment
    for step in r.steps:
        kind = step.option_id.split(":")[0]
        if deployment == "on_prem":
            assert kind == "owned"
        if deployment == "cloud":
            assert kind != "owned"
    for lv in r.levers:
        if lv.applies:
            assert lv.tpot_ms is None or lv.tpot_ms <= s.latency.max_tpot_ms + 1e-9
            assert lv.ttft_ms is None or lv.ttft_ms <= s.latency.ttft_p95_ms + 1e-9
    assert replan_final(CATALOG, r, PRICE_DATE) == pytest.approx(r.final_monthly_tco_usd)
    assert r.final_monthly_tco_usd <= r.baseline_monthly_tco_usd + 1e-6
