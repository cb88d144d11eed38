"""Beyond list prices (issue 13 item 7): a negotiated discount per provider and your own quote
per provider and model, as finance inputs, applied to API token fees and shown on the option."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.capacity.demand import demand
from engine.catalog.catalog import load_catalog
from engine.money.api_quotes import OWN_QUOTE, api_offers
from engine.money.options import api_option
from engine.plan import plan
from engine.scenario.schema import Finance, ModelChoice, Scenario, Workload
from ui import url

pytestmark = pytest.mark.unit
CATALOG = load_catalog()
DAY = dt.date(2026, 11, 25)
DAYS_PER_MONTH = 730 / 24  # engine/money/cost_model.py: 730 hours a month
TOKEN_FEES = ("input tokens", "cached input tokens", "output tokens", "reasoning tokens")
# No cache hits, no batch share, no reasoning: every token at the plain list price.
WORKLOAD = Workload(daily_active_users=10_000, queries_per_user_per_day=2, agent_calls_per_query=1,
                    input_tokens_per_call=1000, output_tokens_per_call=200, shared_prefix_fraction=0.0)


def _scenario(**finance) -> Scenario:
    return Scenario(model=ModelChoice(id="llama-3.3-70b"), workload=WORKLOAD, finance=Finance(**finance))


def _options(scenario: Scenario) -> dict:
    dem = demand(scenario)
    return {o.provider: api_option(o, scenario, dem) for o in api_offers(CATALOG, scenario, DAY)
            if o.prices is not None}


def _fees(option) -> float:
    return sum(option.components_usd.get(k, 0.0) for k in TOKEN_FEES)


def test_a_discount_lowers_that_providers_token_fees_by_exactly_the_fraction():
    listed, discounted = _options(_scenario()), _options(_scenario(api_discounts=("together:0.2",)))
    p = listed["together"].api_quote
    # by hand: 20,000 calls a day x (1,000 in at the input price + 200 out at the output price) x 730/24 days
    by_hand = 20_000 * (1000 * p.input_usd_per_mtok + 200 * p.output_usd_per_mtok) / 1e6 * DAYS_PER_MONTH
    assert _fees(listed["together"]) == pytest.approx(by_hand, rel=1e-9)
    assert _fees(discounted["together"]) == pytest.approx(0.8 * by_hand, rel=1e-9)
    assert discounted["together"].basis.startswith("negotiated: -20%")
    for provider, option in listed.items():
        if provider != "together":
            assert _fees(discounted[provider]) == pytest.approx(_fees(option), rel=1e-12), provider
            assert not discounted[provider].basis.startswith("negotiated")


def test_your_quote_replaces_the_list_price():
    quoted = _options(_scenario(api_quote_usd_per_mtok=("together:llama-3.3-70b:0.5:0.7",)))["together"]
    by_hand = 20_000 * (1000 * 0.5 + 200 * 0.7) / 1e6 * DAYS_PER_MONTH
    assert quoted.api_quote.input_usd_per_mtok == 0.5 and quoted.api_quote.output_usd_per_mtok == 0.7
    assert _fees(quoted) == pytest.approx(by_hand, rel=1e-9)
    assert quoted.basis.startswith(OWN_QUOTE)


def test_a_quote_wins_over_a_discount_on_the_same_provider():
    both = _options(_scenario(api_discounts=("together:0.5",),
                              api_quote_usd_per_mtok=("together:llama-3.3-70b:0.5:0.7",)))["together"]
    assert both.api_quote.input_usd_per_mtok == 0.5


def test_the_plan_and_its_horizon_follow_the_discount():
    base = plan(_scenario(), price_date=DAY)
    cut = plan(_scenario(api_discounts=("together:0.2",)), price_date=DAY)
    before = next(o for o in base.options if o.provider == "together")
    after = next(o for o in cut.options if o.provider == "together")
    assert after.monthly_tco_usd < before.monthly_tco_usd


@pytest.mark.parametrize("finance, field, words", [
    ({"api_discounts": ("together:0.95",)}, "finance.api_discounts", "allowed 0 to 0.9"),
    ({"api_discounts": ("together:-0.1",)}, "finance.api_discounts", "allowed 0 to 0.9"),
    ({"api_discounts": ("together",)}, "finance.api_discounts", "provider:fraction"),
    ({"api_discounts": ("together:0.1", "together:0.2")}, "finance.api_discounts", "twice"),
    ({"api_quote_usd_per_mtok": ("together:llama-3.3-70b:abc:0.7",)}, "finance.api_quote_usd_per_mtok",
     "allowed 0 to 1,000"),
    ({"api_quote_usd_per_mtok": ("together:0.5:0.7",)}, "finance.api_quote_usd_per_mtok", "provider:model"),
])
def test_a_bad_value_is_refused_with_the_field_named(finance, field, words):
    with pytest.raises(ValueError, match=field) as err:
        Finance(**finance)
    assert words in str(err.value)


def test_an_unknown_provider_or_pair_is_refused_by_the_plan():
    with pytest.raises(ValueError, match="finance.api_discounts: 'nobody'"):
        plan(_scenario(api_discounts=("nobody:0.1",)), price_date=DAY)
    with pytest.raises(ValueError, match="finance.api_quote_usd_per_mtok: together:gpt-6-luna"):
        plan(_scenario(api_quote_usd_per_mtok=("together:gpt-6-luna:0.1:0.2",)), price_date=DAY)


def test_url_and_yaml_round_trips_keep_them():
    s = _scenario(api_discounts=("together:0.15", "groq:0.1"),
                  api_quote_usd_per_mtok=("deepinfra:llama-3.3-70b:0.2:0.3",))
    params = url.to_params(s, None)
    assert params["finance.api_discounts"] == "together:0.15,groq:0.1"
    parsed = url.from_params(params)
    assert parsed.problems == () and parsed.scenario == s
    assert Scenario.from_yaml(s.to_yaml()) == s


def test_a_bad_link_value_is_dropped_and_named():
    parsed = url.from_params({"v": "1", "finance.api_discounts": "together:2"})
    assert parsed.scenario.finance.api_discounts == ()
    assert any("finance.api_discounts" in p for p in parsed.problems)
