"""The Scenario page draws its headline from a plan made without what flips it and the bands, then
completes it: the completed plan must be the plan every other screen, the CLI and the brief read."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from engine.plan import add_sensitivity, plan
from engine.scenario.schema import Scenario

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PRICE_DATE = dt.date(2026, 11, 25)


@pytest.mark.parametrize("name", ["support-assistant", "regulated-on-prem"])
def test_a_plan_completed_later_is_the_full_plan(name):
    s = Scenario.from_yaml((ROOT / "presets" / f"{name}.yaml").read_text())
    full = plan(s, price_date=PRICE_DATE, with_roadmap=False)
    core = plan(s, price_date=PRICE_DATE, with_roadmap=False, with_sensitivity=False)
    assert core.uncertainty is None and core.recommendation.what_flips == ()
    assert full.uncertainty is not None and full.uncertainty.tornado
    # every figure the headline shows is already the full plan's
    assert core.recommended == full.recommended
    assert core.horizon.totals_usd() == full.horizon.totals_usd()
    assert core.decision_table() == full.decision_table()
    done = add_sensitivity(core)
    assert json.dumps(done.to_dict(), sort_keys=True) == json.dumps(full.to_dict(), sort_keys=True)


@pytest.mark.parametrize("name", ["voice-agent", "coding-agent"])
def test_what_the_scenario_page_reads_is_the_full_plans_own(name):
    """The Scenario page computes what flips the answer and the recommended option's tornado without every
    option's Monte Carlo band: its flips, tornado and focus band must be the full plan's, and it must say
    that the other bands are missing (a full completion afterwards fills them)."""
    s = Scenario.from_yaml((ROOT / "presets" / f"{name}.yaml").read_text())
    full = plan(s, price_date=PRICE_DATE, with_roadmap=False)
    core = plan(s, price_date=PRICE_DATE, with_roadmap=False, with_sensitivity=False)
    light = add_sensitivity(core, every_band=False)
    focus = full.recommendation.option_id
    assert light.recommendation.what_flips == full.recommendation.what_flips
    assert light.uncertainty.tornado == full.uncertainty.tornado
    assert light.uncertainty.driver == full.uncertainty.driver
    assert dict(light.uncertainty.options) == {focus: full.uncertainty.options[focus]}
    assert not light.uncertainty.every_option and full.uncertainty.every_option
    assert len(full.uncertainty.options) > 1
    done = add_sensitivity(light)
    assert json.dumps(done.to_dict(), sort_keys=True) == json.dumps(full.to_dict(), sort_keys=True)
