"""API options a CTO can trust (issue 13): every serious provider priced, each figure's evidence,
first-token times that follow the prompt and the hidden reasoning, and the recommendation rule."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from engine.capacity.demand import demand
from engine.catalog.catalog import load_catalog
from engine.money.api_quotes import (_prices, api_offers, lifecycle_warnings, model_reference, offered,
                                     price_supplement, unit_prices)
from engine.money.options import EVIDENCE, api_option
from engine.plan import plan
from engine.recommend import CHEAPER_UNVERIFIED, NOTHING_VERIFIED, recommend
from engine.scenario.schema import Latency, ModelChoice, Scenario, Workload
from present.labels import EVIDENCE_LABELS

pytestmark = pytest.mark.unit
CATALOG = load_catalog()
DAY = dt.date(2026, 11, 25)


def _scenario(model: str, **workload) -> Scenario:
    return Scenario(model=ModelChoice(id=model), workload=Workload(**workload))


def _priced(model: str, **workload):
    return [o for o in api_offers(CATALOG, _scenario(model, **workload), DAY) if o.prices is not None]


def test_every_catalog_pair_in_genai_prices_yields_a_price():
    """The id-convention audit: each provider's ModelInfo.id reaches its price through
    model_reference (Fireworks answers only to accounts/fireworks/models/<id>)."""
    from genai_prices.data import providers

    known = {(p.id, m.id) for p in providers for m in p.models}
    missing = [(m.id, p, pid) for m in CATALOG.models.values() for p, pid in m.api_providers
               if (p, pid) in known and unit_prices(p, pid, 1_000, DAY, False) is None]
    assert not missing, f"genai-prices entries the lookup cannot price: {missing}"
    assert model_reference("fireworks", "gpt-oss-120b") == "accounts/fireworks/models/gpt-oss-120b"


def test_fireworks_prices_match_the_checked_table():
    # shared/data/api_prices.csv (genai-prices fireworks.yml): gpt-oss-120b 0.15/0.60, Qwen3 235B 0.22/0.88
    oss = unit_prices("fireworks", "gpt-oss-120b", 1_000, DAY, False)
    qwen = unit_prices("fireworks", "qwen3-235b-a22b", 1_000, dt.date(2026, 1, 1), False)
    assert (oss.input_usd_per_mtok, oss.output_usd_per_mtok) == pytest.approx((0.15, 0.60))
    assert (qwen.input_usd_per_mtok, qwen.output_usd_per_mtok) == pytest.approx((0.22, 0.88))


def test_llama_70b_has_at_least_eight_providers_deepinfra_and_fireworks_among_them():
    offers = [o for o in _priced("llama-3.3-70b") if not o.retired]
    names = {o.provider_name.removesuffix(" (via Hugging Face)") for o in offers}
    assert len(names) >= 8, names
    assert {"DeepInfra", "Fireworks"} <= names


@pytest.mark.parametrize("model", ["gpt-oss-120b", "qwen3-235b-a22b"])
def test_fireworks_and_deepinfra_offer_the_large_open_models(model):
    providers = {o.provider for o in _priced(model)}
    assert {"fireworks", "deepinfra"} <= providers


def test_supplement_rows_are_sourced_dated_and_only_fill_gaps():
    for (provider, model_id), row in price_supplement().items():
        assert row.source and row.as_of and row.basis in ("measured", "vendor", "estimate")
        assert model_id in CATALOG.models
        pair = dict(CATALOG.get_model(model_id).api_providers).get(provider)
        assert pair is None or unit_prices(provider, pair, 1_000, DAY, False) is None, \
            f"{provider}/{model_id}: genai-prices prices it, the supplement must not override it"


def test_a_hugging_face_route_is_offered_only_where_the_provider_behind_it_is_not_direct():
    offers = api_offers(CATALOG, _scenario("llama-3.3-70b"), DAY)
    providers = {o.provider for o in offers}
    assert "huggingface_nebius" in providers and offered("huggingface_nebius")
    assert "novita" in providers and "huggingface_novita" not in providers  # the same service, priced direct
    nebius = next(o for o in offers if o.provider == "huggingface_nebius")
    assert nebius.provider_name == "Nebius (via Hugging Face)"


def test_an_unpriced_pair_is_listed_with_a_named_dated_reason():
    prices, source, why = _prices("fireworks", "no-such-model", CATALOG.get_model("llama-3.3-70b"),
                                  _scenario("llama-3.3-70b"), DAY)
    assert prices is None and not source
    assert "fireworks/no-such-model" in why and DAY.isoformat() in why and "genai-prices" in why
    scenario = _scenario("llama-3.3-70b")
    offer = dataclasses.replace(api_offers(CATALOG, scenario, DAY)[0], prices=None, unpriced=why, price_source="")
    option = api_option(offer, scenario, demand(scenario))
    assert not option.feasible and not option.usable and option.reason == why


def test_a_retired_model_says_who_retired_it_and_when():
    groq = next(o for o in api_offers(CATALOG, _scenario("llama-3.3-70b"), DAY) if o.provider == "groq")
    option = api_option(groq, _scenario("llama-3.3-70b"), demand(_scenario("llama-3.3-70b")))
    assert not option.feasible and "Groq retired it on 2026-08-16" in option.reason


def test_every_option_in_plan_json_carries_both_evidence_labels():
    for preset in ("support-assistant", "coding-agent"):
        from pathlib import Path
        text = (Path(__file__).resolve().parents[2] / "presets" / f"{preset}.yaml").read_text()
        d = json.loads(json.dumps(plan(Scenario.from_yaml(text), price_date=DAY, with_roadmap=False).to_dict()))
        assert d["options"]
        for o in d["options"]:
            assert o["speed_evidence"] in EVIDENCE and o["ttft_evidence"] in EVIDENCE, o["id"]
        assert isinstance(d["recommendation"]["warnings"], list)
    assert set(EVIDENCE_LABELS) == set(EVIDENCE)


def test_self_hosted_figures_are_modelled_and_a_proxy_row_is_assumed():
    p = plan(_scenario("llama-3.3-70b"), price_date=DAY, with_roadmap=False)
    hosted = [o for o in p.options if o.kind in ("cloud", "owned")]
    assert hosted and all(o.speed_evidence == o.ttft_evidence == "modelled" for o in hosted)
    # OpenAI's GPT-6 Astra row is a proxy from GPT-5 (providers.yaml basis estimate): no figure of its own
    astra = plan(_scenario("gpt-6-astra"), price_date=DAY, with_roadmap=False).option("api:openai:gpt-6-astra")
    assert astra.speed_evidence == "assumed" and not astra.verified


def test_a_100k_prompt_waits_at_least_half_as_long_again_as_a_short_one():
    short = {o.option_id: o.service for o in _priced("llama-3.3-70b", input_tokens_per_call=1_500)}
    long = {o.option_id: o.service for o in _priced("llama-3.3-70b", input_tokens_per_call=100_000)}
    assert short.keys() == long.keys() and short
    for oid in short:
        assert long[oid].ttft_ms >= 1.5 * short[oid].ttft_ms, oid
        assert long[oid].prefill_ms > short[oid].prefill_ms
        assert "100,000-token prompt" in long[oid].ttft_note


def test_a_reasoning_models_first_visible_token_follows_its_reasoning():
    plain = {o.option_id: o.service for o in _priced("gpt-oss-120b")}
    thinking = {o.option_id: o.service for o in _priced("gpt-oss-120b", reasoning_tokens_per_call=1_500)}
    for oid, s in thinking.items():
        need_ms = 1_500 / s.output_tokens_per_s_per_user * 1000
        assert s.ttft_ms == pytest.approx(plain[oid].ttft_ms + need_ms)
        assert s.ttft_ms >= s.first_token_ms + need_ms - 1e-6 and "hidden reasoning" in s.ttft_note


def test_gpt5_with_reasoning_misses_a_one_second_first_token():
    s = Scenario(model=ModelChoice(id="gpt-5"), workload=Workload(reasoning_tokens_per_call=1_500),
                 latency=Latency(tier="interactive", ttft_p95_ms=1_000, min_output_tokens_per_s_per_user=20))
    openai = next(o for o in plan(s, price_date=DAY, with_roadmap=False).options if o.id == "api:openai:gpt-5")
    assert openai.ttft_ms > 1_500 / 80 * 1000 and not openai.meets_slo


def _fake(oid: str, usd: float, evidence: str):
    p = plan(_scenario("llama-3.3-70b"), price_date=DAY, with_roadmap=False)
    base = next(o for o in p.options if o.usable and o.kind == "cloud")
    return dataclasses.replace(base, id=oid, name=oid, monthly_tco_usd=usd, speed_evidence=evidence,
                               ttft_evidence=evidence)


def test_recommendation_prefers_evidence_and_names_the_cheaper_assumed_option_with_its_saving():
    options = [_fake("cheap-assumed", 1_000.0, "assumed"), _fake("measured", 1_500.0, "measured")]
    rec = recommend(options, _scenario("llama-3.3-70b"))
    assert rec.option_id == "measured" and rec.verified
    alt = next(a for a in rec.alternatives if a.role == CHEAPER_UNVERIFIED)
    assert alt.option_id == "cheap-assumed" and "$500 per month less" in alt.rationale
    assert "benchmark it before committing" in alt.rationale


def test_with_only_assumed_options_the_cheapest_is_recommended_and_nothing_is_verified():
    options = [_fake("a", 1_000.0, "assumed"), _fake("b", 1_500.0, "assumed")]
    rec = recommend(options, _scenario("llama-3.3-70b"))
    assert rec.option_id == "a" and not rec.verified and NOTHING_VERIFIED.strip() in rec.rationale


def test_a_retirement_inside_the_horizon_is_a_warning_with_the_replacement():
    before = dt.date(2026, 7, 1)
    groq = next(o for o in api_offers(CATALOG, _scenario("llama-3.3-70b"), before) if o.provider == "groq")
    warnings = lifecycle_warnings(groq, _scenario("llama-3.3-70b"), before)
    assert any("2026-08-16" in w and "openai/gpt-oss-120b" in w for w in warnings)
    rec = recommend([_fake("x", 1.0, "measured")], _scenario("llama-3.3-70b"), warnings)
    assert rec.warnings == warnings and warnings[0] in rec.rationale


# --- rate limits and provisioned throughput (issue 13 item 7) -----------------------------------------

def _samba_llama(**workload):
    scenario = _scenario("llama-3.3-70b", **workload)
    offer = next(o for o in api_offers(CATALOG, scenario, DAY) if o.provider == "huggingface_sambanova")
    return scenario, offer


def test_a_peak_above_the_default_tier_is_a_warning_on_the_option_and_the_recommendation():
    # SambaNova Developer tier (api_rate_limits.yaml): Llama 3.3 70B at 240 requests/min, 20M tokens/day
    from engine.money.api_quotes import rate_limit

    limit = rate_limit("huggingface_sambanova", "llama-3.3-70b")
    busy, offer = _samba_llama(daily_active_users=200_000, queries_per_user_per_day=10)
    need_rpm = demand(busy).peak_calls_per_s * 60
    assert need_rpm > limit.requests_per_minute
    warning = offer.rate_limit.warning
    assert f"{need_rpm:,.0f} requests/min at peak > 240 RPM" in warning and "Enterprise tier" in warning
    assert limit.source[:40] in warning and limit.as_of in warning
    option = api_option(offer, busy, demand(busy))
    assert warning in option.reason and option.details()["rate_limit"].startswith(limit.tier)
    assert any(warning in w for w in lifecycle_warnings(offer, busy, DAY))


def test_a_peak_inside_the_default_tier_has_the_tier_noted_and_no_warning():
    quiet, offer = _samba_llama(daily_active_users=10, queries_per_user_per_day=1, agent_calls_per_query=1)
    assert demand(quiet).peak_calls_per_s * 60 < 240
    assert offer.rate_limit is not None and not offer.rate_limit.warning and not offer.rate_limit.exceeded
    assert "240 RPM" in offer.rate_limit.note and "your peak" in offer.rate_limit.note
    assert not any("rate limit" in w for w in lifecycle_warnings(offer, quiet, DAY))


def test_a_provider_wide_tier_without_numbers_describes_what_to_buy_but_never_warns():
    from engine.money.api_quotes import rate_limit_check

    busy = _scenario("llama-3.3-70b", daily_active_users=1_000_000)
    check = rate_limit_check("aws", "llama-3.3-70b", busy)
    assert check is not None and "Provisioned Throughput" in check.note and not check.warning
    assert rate_limit_check("novita", "llama-3.3-70b", busy) is None  # nothing published: no claim either way


def test_rate_limit_rows_are_sourced_and_name_catalog_models():
    from engine.money.api_quotes import rate_limits

    rows = rate_limits()
    assert rows
    for r in rows:
        assert r.source and r.as_of and r.basis in ("vendor", "estimate", "measured") and r.beyond
        assert all(m in CATALOG.models for m in r.model_ids), r


# --- evidence: the recommendation rule on real plans, and the list of assumed options -----------------

@pytest.mark.parametrize("preset", ["support-assistant", "coding-agent", "internal-rag-copilot", "consumer-app",
                                    "document-processing", "voice-agent", "regulated-on-prem"])
def test_no_preset_is_recommended_on_assumed_figures_while_a_better_evidenced_option_meets_the_targets(preset):
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "presets" / f"{preset}.yaml").read_text()
    p = plan(Scenario.from_yaml(text), price_date=DAY, with_roadmap=False)
    chosen = p.option(p.recommendation.option_id) if p.recommendation.option_id else None
    if chosen is not None and not chosen.verified:
        assert not any(o.usable and o.verified for o in p.options), preset
        assert not p.recommendation.verified


def test_the_evidence_tool_lists_exactly_the_offered_options_resting_on_assumed_figures():
    from tools.api_evidence import offered_evidence

    rows = offered_evidence(CATALOG, DAY)
    assert rows and len({(r.provider, r.model_id) for r in rows}) == len(rows)
    offered = {(o.provider, o.model.id): o.service for m in ("llama-3.3-70b", "gpt-oss-120b")
               for o in _priced(m) if not o.retired and o.model.id == m}
    listed = {(r.provider, r.model_id): r for r in rows if r.model_id in ("llama-3.3-70b", "gpt-oss-120b")}
    assert listed.keys() == offered.keys()
    for key, s in offered.items():
        assert listed[key].assumed == ("assumed" in (s.speed_evidence, s.ttft_evidence))
        if not listed[key].assumed:
            assert listed[key].source, key  # a figure that is not assumed names the row it came from


def test_a_recommended_service_above_its_default_tier_says_so_on_the_headline():
    # support-assistant: 1,250 requests/min at peak on SambaNova's Llama 3.3 70B, whose Developer tier allows 240
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "presets" / "support-assistant.yaml").read_text()
    p = plan(Scenario.from_yaml(text), price_date=DAY, with_roadmap=False)
    chosen = p.option(p.recommendation.option_id)
    assert chosen.provider == "huggingface_sambanova" and "240 RPM" in chosen.reason
    assert any("rate limit" in w and "requests/min at peak" in w for w in p.recommendation.warnings)
    assert any(w in p.recommendation.rationale for w in p.recommendation.warnings)


# --- sourced speeds (issue 13 item 2) and published rate-limit tiers (item 7) ------------------------

@pytest.mark.parametrize("provider, model, cited", [
    # providers.yaml: GPT-5 mini (minimal) 71.2 tok/s, Artificial Analysis quoted by shadabchow.com
    ("openai", "gpt-5-mini", "shadabchow.com/blogs/ai-models/gpt-5-mini"),
    # providers.yaml: Nebius gpt-oss-120b 59 tok/s, Vercel AI Gateway providers table (priced via the HF router)
    ("huggingface_nebius", "gpt-oss-120b", "vercel.com/ai-gateway/models/gpt-oss-120b"),
    # providers.yaml: Gemini 3.1 Pro ~105 tok/s, Artificial Analysis quoted by thegraidient.ai
    ("google", "gemini-3.1-pro-preview", "thegraidient.ai"),
])
def test_a_sourced_speed_is_labelled_measured_with_its_source(provider, model, cited):
    from tools.api_evidence import offered_evidence

    rows = {(r.provider, r.model_id): r for r in offered_evidence(CATALOG, DAY)}
    row = rows[(provider, model)]
    assert row.speed_evidence == "measured" and cited in row.source
    # the figure is the row's, not the catalog-wide fallback (the slowest published speed of any provider)
    from engine.money.api_speed import assumed_speed_tok_s
    assert row.output_tokens_per_s_per_user > assumed_speed_tok_s()


def test_rate_limit_rows_load_with_sources_and_groq_publishes_per_model_numbers():
    from engine.money.api_quotes import rate_limit, rate_limits

    rows = rate_limits()
    assert rows and all(r.source and r.as_of and r.basis in ("vendor", "estimate") for r in rows)
    for provider in ("aws", "groq", "together"):
        assert any(r.provider == provider for r in rows), provider
    groq = rate_limit("huggingface_groq", "llama-3.3-70b")  # a Hugging Face route reads the provider behind it
    assert groq.provider == "groq" and groq.requests_per_minute and groq.tokens_per_minute
    assert "console.groq.com/docs/rate-limits" in groq.source


def test_twenty_calls_a_second_exceed_groqs_published_tier_and_the_option_says_so():
    # Groq's published table (api_rate_limits.yaml): gpt-oss-120b 30 requests/min; 20 calls/s is 1,200 a minute
    scenario = _scenario("gpt-oss-120b", daily_active_users=200_000, queries_per_user_per_day=10)
    need_rpm = demand(scenario).peak_calls_per_s * 60
    groq = next(o for o in api_offers(CATALOG, scenario, DAY) if o.provider == "groq")
    assert need_rpm > groq.rate_limit.limit.requests_per_minute
    assert f"{need_rpm:,.0f} requests/min at peak > 30 RPM" in groq.rate_limit.warning
    assert "Developer plan" in groq.rate_limit.warning


def test_a_time_to_first_answer_token_is_shown_but_not_taken_as_a_first_token_time():
    # providers.yaml: Gemini 3.1 Pro's ~34 s TTFT includes its thinking (ttft_includes_reasoning)
    from engine.money.api_speed import assumed_ttft_ms, published_row

    row = published_row("google", "gemini-3.1-pro-preview")
    assert row.ttft_ms and row.ttft_includes_reasoning and row.first_token_ms is None
    offer = next(o for o in api_offers(CATALOG, _scenario("gemini-3.1-pro-preview"), DAY) if o.provider == "google")
    assert offer.service.ttft_evidence == "assumed" and "reasoning included" in offer.service.ttft_basis
    assert offer.service.first_token_ms < row.ttft_ms and assumed_ttft_ms() < row.ttft_ms
