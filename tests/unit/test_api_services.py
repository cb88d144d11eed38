"""API services: the speed and TTFT each offer is judged by (published, or the stated fallback),
and models their provider has retired."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine.catalog.catalog import load_catalog
from engine.plan import plan
from engine.money.api_quotes import api_offers
from engine.catalog.retirements import load_retirements
from engine.scenario.schema import Latency, ModelChoice, Scenario
from engine.money.api_speed import assumed_speed_tok_s, assumed_ttft_ms, load_speeds, service_speed

pytestmark = pytest.mark.unit
CATALOG = load_catalog()


def test_published_pair_uses_its_own_figures():
    # providers.yaml: Groq Llama 2 70B, LLMPerf leaderboard, 185 tok/s and 220 ms TTFT (measured)
    s = service_speed("groq", "Groq", CATALOG.get_model("llama-2-70b"), CATALOG)
    assert (s.output_tokens_per_s_per_user, s.ttft_ms) == (185, 220)
    assert s.published and s.speed_basis == "measured" and s.row_basis == "measured"


def test_missing_ttft_is_bounded_by_the_same_providers_larger_model():
    # Groq publishes a speed for Llama 3.1 8B but no TTFT; its Llama 2 70B TTFT (220 ms) bounds it.
    s = service_speed("groq", "Groq", CATALOG.get_model("llama-3.1-8b"), CATALOG)
    assert s.output_tokens_per_s_per_user == 751
    assert s.ttft_ms == 220 and "larger Llama 2 70B" in s.ttft_basis and "ceiling" in s.ttft_basis
    assert not s.published and s.row_basis == "estimate"


def test_router_rows_share_the_figures_of_the_provider_behind_them():
    via_hf = service_speed("huggingface_cerebras", "Cerebras (via Hugging Face)", CATALOG.get_model("llama-3.1-8b"),
                           CATALOG)
    assert via_hf.output_tokens_per_s_per_user == 1837
    assert via_hf.ttft_ms == load_speeds()[("cerebras", "llama-3.1-405b")].ttft_ms


def test_missing_speed_falls_back_to_the_slowest_provider_of_the_same_model():
    # Nobody at "novita" publishes anything; GPU clouds and specialized silicon publish speeds for
    # Llama 3.1 8B. A GPU cloud is judged by the slowest GPU cloud, never by an LPU.
    s = service_speed("novita", "Novita", CATALOG.get_model("llama-3.1-8b"), CATALOG)
    gpu = [r.output_tokens_per_s_per_user for (p, m), r in load_speeds().items()
           if m == "llama-3.1-8b" and r.output_tokens_per_s_per_user and not r.hardware]
    assert gpu and s.output_tokens_per_s_per_user == min(gpu)
    assert "slowest provider measured on this model" in s.speed_basis and not s.speed_own


def test_nothing_known_falls_back_to_the_catalog_wide_assumption():
    model = CATALOG.get_model("qwen3-235b-a22b")  # no provider publishes a speed or TTFT for it
    s = service_speed("novita", "Novita", model, CATALOG)
    assert s.output_tokens_per_s_per_user == assumed_speed_tok_s()
    assert s.ttft_ms == assumed_ttft_ms()


def test_slo_reason_names_the_basis_of_each_figure():
    scenario = Scenario(model=ModelChoice(id="llama-3.1-8b"),
                        latency=Latency(tier="interactive", ttft_p95_ms=5000, min_output_tokens_per_s_per_user=5))
    p = plan(scenario, price_date=dt.date(2026, 7, 1), with_roadmap=False)
    groq = p.option("specialized:groq:llama-3.1-8b")
    # 220 ms published at ~1k tokens, moved by the prompt's prefill (api_latency.yaml)
    assert groq.ttft_ms == pytest.approx(220, abs=5) and "ceiling" in groq.reason
    assert groq.speed_evidence == "measured" and groq.ttft_evidence == "measured"


def test_every_retirement_row_names_a_priced_pair_and_its_source():
    pairs = {(p, pm): m.id for m in CATALOG.models.values() for p, pm in m.api_providers}
    rows = load_retirements()
    assert rows, "engine/data/retirements.yaml is empty or missing"
    for (provider, provider_model_id), r in rows.items():
        assert (provider, provider_model_id) in pairs, f"{provider}/{provider_model_id} is not in models.yaml"
        assert r.source and r.as_of and r.basis in ("measured", "vendor", "estimate")


def _groq_8b(day: dt.date):
    scenario = Scenario(model=ModelChoice(id="llama-3.1-8b"))
    return next(o for o in api_offers(CATALOG, scenario, day) if o.provider == "groq")


def test_a_retired_model_is_listed_with_the_reason_but_never_offered():
    # Groq decommissioned llama-3.1-8b-instant on 2026-08-16 (console.groq.com/docs/deprecations)
    scenario = Scenario(model=ModelChoice(id="llama-3.1-8b"),
                        latency=Latency(tier="interactive", ttft_p95_ms=5000, min_output_tokens_per_s_per_user=5))
    after = plan(scenario, price_date=dt.date(2026, 11, 25), with_roadmap=False).option("specialized:groq:llama-3.1-8b")
    assert not after.usable and "retired it on 2026-08-16" in after.reason
    before = plan(scenario, price_date=dt.date(2026, 7, 1), with_roadmap=False).option("specialized:groq:llama-3.1-8b")
    assert before.usable and "retires it on 2026-08-16" in before.reason


def test_retirement_is_judged_on_the_price_date():
    assert _groq_8b(dt.date(2026, 8, 16)).retired and not _groq_8b(dt.date(2026, 8, 15)).retired


def test_no_speed_data_at_all_fails_api_options_without_crashing(monkeypatch):
    from engine.money import api_speed as service_speed

    cached = (service_speed.assumed_speed_tok_s, service_speed.assumed_ttft_ms, service_speed.slowest_ttft_ms)
    monkeypatch.setattr(service_speed, "load_speeds", lambda: {})
    for fn in cached:
        fn.cache_clear()
    try:
        p = plan(Scenario(), price_date=dt.date(2026, 11, 25), with_roadmap=False)
    finally:
        for fn in cached:
            fn.cache_clear()
    api = [o for o in p.options if o.kind in ("api", "specialized")]
    assert api and not any(o.usable for o in api)
    assert all(o.tpot_ms is None and o.ttft_ms is None for o in api)


def test_a_prompt_longer_than_provider_benchmarks_is_flagged_on_api_options():
    # coding agent: 40,000 input tokens per call; provider TTFTs are measured on prompts up to ~10k
    preset = Path(__file__).resolve().parents[2] / "presets" / "coding-agent.yaml"
    p = plan(Scenario.from_yaml(preset.read_text()), price_date=dt.date(2026, 11, 25), with_roadmap=False)
    api = [o for o in p.options if o.kind in ("api", "specialized") and o.usable]
    assert api and all("40,000-token prompt" in o.reason for o in api)
