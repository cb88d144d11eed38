"""AppTest of the TCO page's self-hosted fleet figures: accelerator-hours, IT power, energy per token,
tokens/s per kW, spare load and failure domains, each as the engine's Plan field formatted the app's way."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.plan import plan
from present.formatting import MISSING, hours, joules_per_token, kw, spare_load, tok_per_s_per_kw
from present.labels import FLEET_FIGURE_LABELS as L
from ui.safe import md

pytestmark = pytest.mark.app
ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TODAY = dt.date.today()


def open_tco(preset: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["preset"] = preset
    at.run()
    return at.switch_page("pages/tco.py").run()


@pytest.mark.parametrize("preset", ["consumer-app", "regulated-on-prem"])
def test_fleet_figures_are_the_plans_fields(preset):
    at = open_tco(preset)
    assert not at.exception
    p = plan(at.session_state["scenario"], price_date=TODAY)
    expected = [o for o in p.compared_options() if o.kind in ("cloud", "owned")]
    assert expected, "each preset compares at least one self-hosted option"
    frames = [d.value for d in at.dataframe if "Option" in d.value.columns and L["it_power_kw"] in d.value.columns]
    assert len(frames) == 1
    shown = frames[0].set_index("Option")
    assert list(shown.index) == [o.name for o in expected]
    for o in expected:
        row = shown.loc[o.name]
        assert row[L["accelerator_hours_per_month"]] == hours(o.accelerator_hours_per_month)
        assert row[L["it_power_kw"]] == kw(o.it_power_kw)
        assert row[L["joules_per_token"]] == joules_per_token(o.joules_per_token)
        assert row[L["tokens_per_s_per_kw"]] == tok_per_s_per_kw(o.tokens_per_s_per_kw)
        assert row[L["spare_load_fraction"]] == spare_load(o.spare_load_fraction)
        assert row[L["failure_domains"]] == (MISSING if o.failure_domains is None else f"{o.failure_domains:,}")
    # an owned fleet says how much more it carries; a rented one has no spare-load figure
    for o in expected:
        if o.kind == "cloud":
            assert shown.loc[o.name, L["spare_load_fraction"]] == MISSING
        elif o.spare_load_fraction is not None:
            assert "more load at no extra cost" in shown.loc[o.name, L["spare_load_fraction"]] \
                or shown.loc[o.name, L["spare_load_fraction"]].startswith("no spare load")


def test_fleet_formatters_print_units_and_dash_for_missing():
    assert kw(179.712) == "179.7 kW" and kw(1500) == "1.5 MW" and kw(None) == MISSING
    assert joules_per_token(0.0456) == "0.046 J/token"
    assert tok_per_s_per_kw(21925.3) == "21,925 tok/s per kW"
    assert hours(42279.2) == "42,279 h"
    assert spare_load(0.1939) == "carries 19% more load at no extra cost"
    assert spare_load(0.0004) == "carries under 1% more load at no extra cost"
    assert spare_load(None) == MISSING


def test_options_over_the_power_cap_are_named_with_the_engines_reason():
    import dataclasses

    at = open_tco("regulated-on-prem")
    s = at.session_state["scenario"]
    capped = dataclasses.replace(s, constraints=dataclasses.replace(s.constraints, power_cap_kw=1.0))
    at.session_state["scenario"] = capped
    at.run()
    assert not at.exception
    p = plan(capped, price_date=TODAY)
    over = [o for o in p.options if o.kind == "owned" and not o.feasible and "power_cap_kw" in o.reason]
    assert over, "a 1 kW cap rules out every owned fleet with a power figure"
    caption = next(c.value for c in at.caption if "power cap" in c.value)
    # the caption is markdown: figures and names arrive escaped through ui.safe.md
    assert md(kw(1.0)) in caption
    assert all(f"{md(o.name)}: {md(o.reason)}" in caption for o in over[:6])
