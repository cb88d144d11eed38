"""AppTest of the Scenario page's headline (issue 15): the answer with the evidence of each figure, what
flips it, the best of each kind, and the what-if inputs beside it with a marker and a reset."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.plan import plan
from engine.recommend import model_error_band, option_error_band
from engine.scenario.schema import Scenario
from present.formatting import usd_per_month
from present.labels import kind_label
from present.sentences import slo_met
from ui import url

pytestmark = pytest.mark.app
ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
# GPT-5 mini is closed (API only) and no first-token time is published for it at OpenAI
# (engine/data/providers.yaml): the answer exists but rests on an assumed figure.
UNVERIFIED = {"model.id": "gpt-5-mini"}


def open_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def seen(at: AppTest) -> str:
    parts = [e.value for kind in ("error", "warning", "info", "success", "markdown", "caption")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def engine_plan(params: dict[str, str]):
    return plan(url.from_params(params).scenario, price_date=dt.date.today(), with_roadmap=False)


def test_a_verified_pick_says_yes_with_measured_figures_and_what_flips_it():
    at = open_app(preset="coding-agent")
    p = engine_plan({"preset": "coding-agent"})
    m = metrics(at)
    assert m["Recommended option"][0] == p.recommended.name  # the display name, never the id
    assert m["SLO met"][0] == "Yes"
    assert "measured" in m["First token, p95"][1] and "target" in m["First token, p95"][1]
    assert "measured" in m["Speed per user"][1]
    assert m["Month 1 TCO"][0] == usd_per_month(p.recommended.monthly_tco_usd)
    text = seen(at)
    for flip in p.recommendation.what_flips:  # one line each, naming the option that takes over
        assert f"the answer becomes {flip.option_name}" in text
    assert any(f.field == "latency.ttft_p95_ms" for f in p.recommendation.what_flips)


def test_a_modelled_pick_says_likely_with_its_own_throughput_band():
    at = open_app(preset="document-processing")  # self-hosted: figures from the performance model
    best = engine_plan({"preset": "document-processing"}).recommended
    assert best.throughput_band is not None
    # the recommended option's own held-out band (its hardware and model family), not the global one
    assert metrics(at)["SLO met"][0] == slo_met("likely", option_error_band(best))
    assert option_error_band(best) == best.throughput_band.widest_fraction != model_error_band()
    assert "modelled" in metrics(at)["First token, p95"][1]
    # the cheaper API whose speed is assumed is named plainly beside the dearer verified pick
    assert "would be" in seen(at) and "assumed: benchmark it before committing" in seen(at)


def test_an_unverified_pick_says_so_in_the_headline():
    at = open_app(**UNVERIFIED)
    p = engine_plan(UNVERIFIED)
    assert p.recommended is not None and not p.recommendation.verified
    m = metrics(at)
    assert m["SLO met"][0] == "Unverified (assumed)"
    rec = p.recommended  # each assumed figure says so beside it
    for label, evidence in (("Speed per user", rec.speed_evidence), ("First token, p95", rec.ttft_evidence)):
        assert ("assumed" in m[label][1]) == (evidence == "assumed"), (label, m[label])
    assert "No verified option" in seen(at)


def test_the_decision_table_has_one_row_per_kind_in_display_names():
    at = open_app(preset="support-assistant")
    p = engine_plan({"preset": "support-assistant"})
    table = next(d.value for d in at.dataframe if "Lock-in" in d.value.columns)
    assert len(table) == len(p.best_by_kind())
    kinds = set(table["Kind"])
    assert f"{kind_label(p.recommended.kind)} (recommended)" in kinds
    assert not any(":" in str(v) and str(v).split(":")[0] in ("api", "cloud", "owned", "specialized")
                   for v in table["Option"])  # no option ids
    assert {"Upfront cash", "Lead time", "Data", "Evidence", "Meets targets"} <= set(table.columns)
    # decisive columns first: what it is, what it costs, whether and how well it meets the targets, how we know
    assert list(table.columns[:7]) == ["Option", "Kind", "Monthly", "Meets targets", "First token", "Speed per user",
                                       "Evidence"]


def test_what_if_beside_the_answer_marks_edits_and_resets_them():
    at = open_app(preset="voice-agent")
    before = metrics(at)["Month 1 TCO"][0]
    assert "Modified from" not in seen(at)
    at.text_input(key="_whatif.workload.daily_active_users").input("200,000").run()  # read as people type it
    assert not at.exception
    assert at.session_state["scenario"].workload.daily_active_users == 200_000
    assert metrics(at)["Month 1 TCO"][0] != before
    assert "Modified from the preset" in seen(at)
    assert "(modified)" in at.caption[0].value  # the title no longer claims to be the preset itself
    assert at.text_input(key="_workload.daily_active_users").value == "200,000"  # the full form follows
    at.button(key="_reset_scenario").click().run()
    assert at.session_state["scenario"] == url.base_scenario("voice-agent")
    assert metrics(at)["Month 1 TCO"][0] == before
    assert "Modified from" not in seen(at)
    assert "(modified)" not in at.caption[0].value


def test_token_flips_are_found_on_request_and_listed_with_the_others():
    """Tokens per call are searched by re-plans, so only on a click; the lines then join the others and stay
    for that scenario."""
    from engine.token_flips import token_flips
    from present.sentences import token_flip_lines

    at = open_app(preset="support-assistant")
    assert "tokens per call (now" not in seen(at) and "input tokens per call" not in seen(at)
    at.button(key="_find_token_flips").click().run()
    assert not at.exception, [e.value for e in at.exception]
    expected = token_flip_lines(token_flips(engine_plan({"preset": "support-assistant"})))
    text = seen(at)
    assert expected and all(line in text for line in expected), (expected, text)
    at.run()  # a rerun keeps them without another click
    assert all(line in seen(at) for line in expected)
    assert not [b for b in at.button if b.key == "_find_token_flips"]
