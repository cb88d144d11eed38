"""Valid but extreme plans carry warnings in recommendation.warnings (on screen, in the brief and in
plan --json) and print their figures in T or powers of ten (issue 16, defect 5)."""
import datetime as dt

import pytest

from engine.plan import WARN_MONTHLY_USD, plan
from engine.scenario.schema import WARN_GROWTH_FACTOR, Finance, Scenario, Workload, growth_factor

pytestmark = pytest.mark.unit


def test_an_extreme_but_valid_plan_is_warned_about():
    finance = Finance(monthly_growth=0.1, horizon_months=72)
    assert growth_factor(0.1, 72) > WARN_GROWTH_FACTOR
    s = Scenario(workload=Workload(daily_active_users=1_000_000_000, queries_per_user_per_day=1000,
                                   agent_calls_per_query=100), finance=finance)
    p = plan(s, price_date=dt.date(2026, 11, 25), with_roadmap=False)
    warnings = p.to_dict()["recommendation"]["warnings"]
    assert any("finance.monthly_growth" in w and "869x" in w for w in warnings)
    assert any("cheapest option costs" in w for w in warnings)
    assert max(max(m.costs_usd.values()) for m in p.horizon.months) > WARN_MONTHLY_USD
    assert all("," not in w.split("$")[1].split(" ")[0] for w in warnings if "$" in w)  # $40.5T, not $40,522.6B


def test_an_ordinary_plan_has_no_scale_warning():
    p = plan(Scenario(), price_date=dt.date(2026, 11, 25), with_roadmap=False)
    assert not any("compounds" in w or "cheapest option costs" in w for w in p.recommendation.warnings)
