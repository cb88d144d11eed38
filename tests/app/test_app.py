"""AppTest of every page: no exception, the figures a user expects, widgets that change the
answer, links that round-trip, and bad links that warn once and still work."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.plan import plan
from engine.scenario.schema import DEFAULT_SCENARIO, Scenario
from ui import url
from ui.form import FORM_TAB
from engine.recommend import confidence, option_error_band
from present.formatting import usd_per_month
from present.sentences import slo_met

pytestmark = pytest.mark.app
ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = ("scenario", "hardware", "providers", "tco", "roadmap", "report", "methodology")
# The figures each page must show (st.metric labels).
KEY_FIGURES = {
    "scenario": {"Recommended option", "Month 1 TCO", "Per 1,000 queries", "Accelerators", "SLO met"},
    "hardware": {"Best self-hosted", "Accelerators", "Weights", "KV cache"},
    "providers": {"Offers priced", "Meet the SLO", "Cheapest that meets it"},
    "tco": {"Recommended, month 1", "Average month, P10-P90", "Break-even volume"},
    "roadmap": {"Today", "After the roadmap", "Levers that apply"},
    "report": set(),
    "methodology": {"Measured benchmark rows", "Median error, out of sample", "In-sample median error"},
}


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open one of the form's tabs (only the open tab's widgets are drawn), as a click on it does."""
    at.session_state[FORM_TAB] = label
    return at.run()


def open_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def link_warnings(at: AppTest) -> list:
    """Warnings about the link itself (ui.state.show_url_warning): the headline's lifecycle and rate-limit
    warnings are the recommendation's, shown whatever the link."""
    return [w for w in at.warning if w.value.startswith("Some link parameters were ignored")]


def assert_no_internal_names(at: AppTest) -> None:
    for frame in at.dataframe:
        assert not [c for c in frame.value.columns if "_" in str(c)], "internal field names on screen"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_its_key_figures(page):
    at = open_app(preset="support-assistant")
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert KEY_FIGURES[page] <= set(metrics(at)), metrics(at)
    assert_no_internal_names(at)
    assert "Customer-support assistant" in at.caption[0].value  # every page says which scenario it shows
    assert at.query_params.get("preset") == "support-assistant"  # the link survives page changes


def test_scenario_headline_answers_the_question():
    at = open_app()
    m = metrics(at)
    best = plan(at.session_state["scenario"]).recommended
    assert m["SLO met"] == slo_met(confidence(best), option_error_band(best))  # with the evidence behind it
    assert m["Month 1 TCO"].startswith("$") and m["Month 1 TCO"].endswith("/ month")
    why = " ".join(e.value for e in at.markdown)
    assert "cheapest way to meet the SLO" in why.replace("\\", "")


def test_changing_a_widget_changes_the_answer_and_the_link():
    at = open_app(preset="regulated-on-prem")  # on-prem only: the fleet grows with the users
    before = metrics(at)
    at.text_input(key="_workload.daily_active_users").set_value("500000").run()
    assert not at.exception
    after = metrics(at)
    assert after["Month 1 TCO"] != before["Month 1 TCO"]
    assert after["Accelerators"] != before["Accelerators"]
    assert at.query_params["workload.daily_active_users"] == "500000"
    assert at.session_state["scenario"].workload.daily_active_users == 500_000


def test_latency_tier_brings_its_targets():
    at = open_tab(open_app(), "Latency")
    at.selectbox(key="_latency.tier").set_value("realtime").run()
    assert not at.exception
    assert at.number_input(key="_latency.ttft_p95_ms").value == 300
    assert at.query_params["latency.tier"] == "realtime"
    assert at.query_params["latency.ttft_p95_ms"] == "300"


def test_preset_picker_loads_the_preset():
    at = open_app()
    at.selectbox(key="_preset").set_value("voice-agent").run()
    assert not at.exception
    assert at.session_state["scenario"] == url.load_preset("voice-agent")
    assert at.query_params == {"v": "1", "preset": "voice-agent"}
    assert at.text_input(key="_workload.output_tokens_per_call").value == "60"


def test_query_params_round_trip_reproduce_every_figure():
    at = open_app(preset="coding-agent", dau="900", **{"latency.ttft_p95_ms": "2500", "finance.pricing": "reserved_1y"})
    assert not at.exception and not link_warnings(at)
    s = at.session_state["scenario"]
    assert (s.workload.daily_active_users, s.latency.ttft_p95_ms, s.finance.pricing) == (900, 2500.0, "reserved_1y")
    written = dict(at.query_params)
    assert written["workload.daily_active_users"] == "900"  # aliases come back as readable names
    assert written["v"] == "1" and written["preset"] == "coding-agent"
    again = open_app(**written)
    assert again.session_state["scenario"] == s
    assert metrics(again) == metrics(at)
    assert dict(again.query_params) == written


def test_bad_parameters_warn_once_and_fall_back_for_those_fields_only():
    at = open_app(preset="voice-agent", dau="abc", colour="red", **{"latency.ttft_p95_ms": "20",
                                                                     "workload.output_tokens_per_call": "90"})
    assert not at.exception
    assert len(link_warnings(at)) == 1
    text = link_warnings(at)[0].value.replace("\\", "")  # markdown escapes of user text
    assert "dau=abc" in text and "colour" in text and "latency.ttft_p95_ms=20" in text
    s, preset = at.session_state["scenario"], url.load_preset("voice-agent")
    assert s.workload.daily_active_users == preset.workload.daily_active_users
    assert s.latency.ttft_p95_ms == preset.latency.ttft_p95_ms
    assert s.workload.output_tokens_per_call == 90  # the valid parameter still applies
    assert KEY_FIGURES["scenario"] <= set(metrics(at))
    assert "dau" not in at.query_params and "colour" not in at.query_params


@pytest.mark.parametrize("preset", ["../presets/voice-agent", "voice-agent.yaml", "/etc/passwd", "VOICE-AGENT"])
def test_preset_must_be_an_exact_slug(preset):
    at = open_app(preset=preset)
    assert not at.exception
    assert len(link_warnings(at)) == 1 and "preset=" in link_warnings(at)[0].value
    assert at.session_state["scenario"] == DEFAULT_SCENARIO
    assert "preset" not in at.query_params


def test_widget_edit_clears_the_link_warning():
    at = open_app(bogus="1")
    assert len(link_warnings(at)) == 1
    at.text_input(key="_workload.input_tokens_per_call").set_value("2000").run()
    assert not link_warnings(at)


def test_hardware_table_greys_infeasible_rows_with_their_reason():
    at = open_app()
    at.switch_page("pages/hardware.py").run()
    table = at.dataframe[0].value
    assert "No" in set(table["Meets targets"]) and any(v.startswith("Yes") for v in table["Meets targets"])
    no = table[table["Meets targets"] == "No"]
    assert (no["Why / note"].str.len() > 0).all()
    assert len(at.get("plotly_chart")) >= 2  # the curves and the memory split


def test_roadmap_page_says_so_when_the_engine_has_no_roadmap(monkeypatch):
    from ui import state
    real = state.current_plan
    monkeypatch.setattr(state, "current_plan", lambda **kw: dataclasses.replace(real(**kw), roadmap=None))
    at = open_app()
    at.switch_page("pages/roadmap.py").run()
    assert not at.exception
    assert at.info and "not available" in at.info[0].value


def _draw_real_roadmap(preset_path: str):
    import datetime as dt
    from pathlib import Path

    from engine.plan import plan
    from engine.scenario.schema import Scenario
    from ui import roadmap_view
    preset = Path(preset_path)
    p = plan(Scenario.from_yaml(preset.read_text()), price_date=dt.date(2026, 11, 25))
    roadmap_view.draw(p.roadmap, {o.id: o.name for o in p.options})


def test_roadmap_view_draws_a_real_roadmap():
    p = plan(Scenario.from_yaml((ROOT / "presets" / "support-assistant.yaml").read_text()),
             price_date=dt.date(2026, 11, 25))
    rm = p.roadmap
    at = AppTest.from_function(_draw_real_roadmap, args=(str(ROOT / "presets" / "support-assistant.yaml"),),
                               default_timeout=60).run()
    assert not at.exception
    m = metrics(at)
    assert m["Today"] == usd_per_month(rm.baseline_monthly_tco_usd)
    assert m["After the roadmap"] == usd_per_month(rm.final_monthly_tco_usd)
    # a lever that applies is a step of the roadmap, drawn in the waterfall; one that saves alone but adds
    # nothing on top of the steps before is named as such, not counted as applied
    assert m["Levers that apply"] == f"{len(rm.steps)} of {len(rm.levers)}"
    waterfall = [b.label for b in rm.waterfall]
    assert all(rm.lever(s.lever_id).name in waterfall for s in rm.steps)
    levers = at.dataframe[0].value
    assert {"Saving alone", "Saving with the steps before", "In the roadmap"} <= set(levers.columns)
    steps = levers[levers["In the roadmap"].str.startswith("Step")]
    assert set(steps["Lever"]) == {rm.lever(s.lever_id).name for s in rm.steps}
    assert steps["Saving with the steps before"].sum() == pytest.approx(rm.baseline_monthly_tco_usd
                                                                         - rm.final_monthly_tco_usd)
    assert len(at.get("plotly_chart")) == 2  # the waterfall and the steps
    assert_no_internal_names(at)


def _draw_empty_roadmap(preset_path: str):
    import dataclasses
    import datetime as dt
    from pathlib import Path

    from engine.plan import plan
    from engine.scenario.schema import Scenario
    from ui import roadmap_view
    s = Scenario.from_yaml(Path(preset_path).read_text())
    zero = {k: 0 for k in ("response_cache_hit_rate", "small_model_routing_share", "prompt_trim_fraction",
                           "agent_call_reduction", "output_cap_fraction", "on_device_share")}
    s = dataclasses.replace(s, levers=dataclasses.replace(s.levers, **zero))
    p = plan(s, price_date=dt.date(2026, 11, 25))
    # a roadmap where no lever saves (whatever today's catalog makes of this preset): the view must explain it
    rm = p.roadmap
    empty = dataclasses.replace(rm, steps=(), waterfall=(), final_monthly_tco_usd=rm.baseline_monthly_tco_usd,
                                total_saving_fraction=0.0, levers=tuple(
                                    dataclasses.replace(lv, applies=False, standalone_saving_usd=0.0,
                                                        cumulative_saving_usd=0.0) for lv in rm.levers))
    roadmap_view.draw(empty, {o.id: o.name for o in p.options}, p.scenario)


def test_an_empty_roadmap_says_why_and_what_would_open_levers():
    at = AppTest.from_function(_draw_empty_roadmap, args=(str(ROOT / "presets" / "regulated-on-prem.yaml"),),
                               default_timeout=60).run()
    assert not at.exception
    assert metrics(at)["Levers that apply"].startswith("0 of")
    text = at.info[0].value
    assert "No lever lowers the cost" in text and "What would open levers" in text
    assert "response cache hit rate above 0" in text  # an assumption at zero, named with where to set it
    assert "Allow cloud deployment" in text  # the on-prem constraint shuts the rented and API levers
    assert not at.get("plotly_chart")  # no waterfall of nothing


def test_report_builds_the_brief_on_request():
    at = open_app(preset="support-assistant")
    at.switch_page("pages/report.py").run()
    assert not at.exception
    link = at.code[0].value
    assert "preset=support-assistant" in link and "v=1" in link
    # one click: the brief downloads straight away (built when clicked), no separate build step
    labels = [e.proto.label for e in at.get("download_button")]
    assert {"Download the PDF brief", "Download the HTML brief"} <= set(labels)
    assert not [b for b in at.button if "Build" in b.label]


def test_closed_model_on_prem_explains_instead_of_crashing():
    at = open_app(**{"model.id": "gpt-5", "constraints.deployment": "on_prem"})
    assert not at.exception
    assert at.error and "closed model" in at.error[0].value
    open_tab(at, "Constraints").selectbox(key="_constraints.deployment").set_value("any").run()  # the form still works
    assert not at.exception and not at.error
    assert KEY_FIGURES["scenario"] <= set(metrics(at))


def test_unknown_model_in_a_link_is_named_and_ignored():
    at = open_app(model="gpt-4o")
    assert len(link_warnings(at)) == 1 and "model=gpt-4o" in link_warnings(at)[0].value
    assert at.session_state["scenario"].model.id == DEFAULT_SCENARIO.model.id


def test_every_preset_round_trips_through_the_link():
    for slug in url.preset_names():
        s = url.load_preset(slug)
        edited = dataclasses.replace(s, workload=dataclasses.replace(s.workload, daily_active_users=1234),
                                     constraints=dataclasses.replace(s.constraints, allowed_vendors=("nvidia", "amd")))
        for preset in (slug, None):
            parsed = url.from_params(url.to_params(edited, preset))
            assert parsed.scenario == edited and not parsed.problems
        assert url.to_params(s, slug) == {"v": "1", "preset": slug}  # only differences are written


def test_break_even_says_not_applicable_without_an_api_to_compare():
    at = open_app(preset="regulated-on-prem")  # on-prem only: no API option is usable
    at.switch_page("pages/tco.py").run()
    assert not at.exception
    assert metrics(at)["Break-even volume"] == "n/a"


def test_providers_page_lists_retired_models_apart():
    # Groq retired llama-3.1-8b-instant on 2026-08-16 (engine/data/retirements.yaml)
    at = open_app(preset="voice-agent")
    at.switch_page("pages/providers.py").run()
    assert not at.exception
    table, detail = at.dataframe[0].value, at.dataframe[1].value
    groq = table[table["Offer"].str.startswith("Groq")]
    assert list(groq["Meets targets"]) == ["Retired"]
    assert "retired it on 2026-08-16" in detail[detail["Offer"].str.startswith("Groq")]["Why"].iloc[0]
    assert {"Speed evidence", "TTFT evidence", "Why"} <= set(table.columns) and len(table.columns) <= 8
    assert list(table.columns[:3]) == ["Offer", "Monthly (USD)", "Meets targets"]  # decisive columns first
    assert "retired, not offered" in next(m.delta for m in at.metric if m.label == "Offers priced")


def test_finance_tab_takes_a_negotiated_discount_and_refuses_a_bad_one():
    at = open_tab(open_app(), "Finance")
    provider = next(o.provider for o in plan(at.session_state["scenario"]).options if o.kind == "api")
    at.text_input(key="_finance.api_discounts").set_value(f"{provider}:0.15").run()
    assert not at.exception
    assert at.session_state["scenario"].finance.api_discounts == (f"{provider}:0.15",)
    assert at.query_params["finance.api_discounts"] == f"{provider}:0.15"
    at.text_input(key="_finance.api_discounts").set_value(f"{provider}:2").run()
    assert not at.exception
    assert at.session_state["scenario"].finance.api_discounts == (f"{provider}:0.15",)  # kept, and why is shown
    assert any("finance.api_discounts" in e.value.replace("\\", "") for e in at.error)  # as rendered
