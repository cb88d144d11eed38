"""AppTest of the Compare page and its pure parts: save two scenarios, compare them, read the delta;
upload a good and a bad scenario file; the engine's comparison record."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from engine.compare import compare, input_differences
from engine.plan import plan
from engine.scenario.schema import Scenario
from present.formatting import usd_per_month
from ui import compare as saved_scenarios
from ui import url

pytestmark = pytest.mark.app
ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TODAY = dt.date.today()


def open_compare(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return at.switch_page("pages/compare.py").run()


def save_as(at: AppTest, name: str) -> AppTest:
    at.text_input(key="_compare_name").set_value(name).run()
    return at.button(key="_compare_save").click().run()


def test_save_two_scenarios_compare_and_read_the_delta():
    at = open_compare(preset="voice-agent")
    assert not at.exception
    assert any("Save two or three" in i.value for i in at.info)
    save_as(at, "Today")
    assert "Today" in at.session_state["saved_scenarios"]

    # a second scenario: four times the users, set through the canonical state as the Scenario page's form does
    s = at.session_state["scenario"]
    bigger = dataclasses.replace(s, workload=dataclasses.replace(s.workload, daily_active_users=4 * s.workload.daily_active_users))
    at.session_state["scenario"] = bigger
    at.run()
    save_as(at, "Four times the users")
    assert not at.exception

    metrics = {m.label: m for m in at.metric}
    assert {"Today", "Four times the users"} <= set(metrics)
    # the delta the user reads is the engine's month-1 figures apart, formatted the app's way
    base = plan(s, price_date=TODAY)
    big = plan(bigger, price_date=TODAY)
    first = base.horizon.month_1_paid_usd[base.recommended.id]
    second = big.horizon.month_1_paid_usd[big.recommended.id]
    assert metrics["Today"].value == usd_per_month(first)
    assert metrics["Four times the users"].value == usd_per_month(second)
    assert second > first
    assert metrics["Four times the users"].delta.startswith("+" + usd_per_month(second - first))

    frames = [f.value for f in at.dataframe]
    answers = frames[0]
    assert list(answers.columns) == ["Figure", "Today", "Four times the users"]
    assert "Month 1 vs Today" in set(answers["Figure"])
    differ = frames[1]
    assert list(differ["Input"]) == ["Daily active users"]
    assert list(differ.iloc[0, 1:]) == [f"{s.workload.daily_active_users:,}", f"{4 * s.workload.daily_active_users:,}"]


def test_saved_scenario_link_reopens_it():
    s = url.load_preset("consumer-app")
    changed = dataclasses.replace(s, workload=dataclasses.replace(s.workload, output_tokens_per_call=321))
    params = saved_scenarios.link_params(saved_scenarios.Saved(changed, "consumer-app"))
    assert url.from_params(params).scenario == changed
    link = f"http://x/?{'&'.join(f'{k}={v}' for k, v in params.items())}"
    assert parse_qs(urlparse(link).query)["workload.output_tokens_per_call"] == ["321"]


def test_open_makes_a_saved_scenario_current():
    at = open_compare(preset="consumer-app")
    save_as(at, "Consumer")
    at.session_state["scenario"] = url.load_preset("voice-agent")
    at.run()
    at.button(key="_compare_open_0").click().run()
    assert not at.exception
    assert at.session_state["scenario"] == url.load_preset("consumer-app")
    assert at.query_params.get("preset") == "consumer-app"


def test_upload_validates_like_a_preset_and_names_the_field():
    good = (ROOT / "presets" / "coding-agent.yaml").read_bytes()
    assert saved_scenarios.parse_upload(good) == url.load_preset("coding-agent")
    bad = url.load_preset("coding-agent").to_yaml().replace("daily_active_users: 600", "daily_active_users: -5")
    with pytest.raises(ValueError, match="workload.daily_active_users"):
        saved_scenarios.parse_upload(bad.encode())
    with pytest.raises(ValueError, match="workload.no_such_field"):
        saved_scenarios.parse_upload(b"workload:\n  no_such_field: 1\n")
    with pytest.raises(ValueError, match="latency.ttft_p95_ms"):
        saved_scenarios.parse_upload(b"latency:\n  ttft_p95_ms: -1\n")
    with pytest.raises(ValueError, match="model.id"):
        saved_scenarios.parse_upload(b"model:\n  id: not-a-model\n")
    with pytest.raises(ValueError, match="UTF-8"):
        saved_scenarios.parse_upload(b"\xff\xfe\x00")


def test_name_rules():
    with pytest.raises(ValueError, match="name"):
        saved_scenarios.check_name("   ")
    with pytest.raises(ValueError, match="60"):
        saved_scenarios.check_name("x" * 61)
    assert saved_scenarios.check_name("  API   now ") == "API now"


def test_comparison_record_deltas_against_the_first():
    a = url.load_preset("support-assistant")
    b = dataclasses.replace(a, finance=dataclasses.replace(a.finance, horizon_months=12))
    pa, pb = plan(a, price_date=TODAY, with_roadmap=False), plan(b, price_date=TODAY, with_roadmap=False)
    c = compare([("A", pa), ("B", pb)])
    assert [d.field for d in c.differences] == ["finance.horizon_months"]
    assert c.deltas[0].month_1_usd == 0
    assert c.deltas[1].horizon_usd == pytest.approx(pb.horizon.lifetime.recurring_inference_usd
                                                    - pa.horizon.lifetime.recurring_inference_usd)
    with pytest.raises(ValueError, match="two or three"):
        compare([("A", pa)])
    assert input_differences([a, a]) == ()
