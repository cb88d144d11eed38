"""Quality-floor substitutes (issue 13 item 8): a closed model with a quality floor is offered its vendor's
smaller tier where that tier's index reaches the floor, and open models indexed at or above it; a model
without an index is never treated as meeting a floor (engine/money/substitutes.py).

Index values: engine/data/models.yaml quality_index, one LMArena text leaderboard snapshot (arena.ai,
overall, page dated 2026-10-02). The floors below are read from the catalog, not typed in, so the tests
follow the data if the snapshot is replaced."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.catalog.catalog import load_catalog
from engine.money.api_quotes import api_offers
from engine.money.options import api_option
from engine.capacity.demand import demand
from engine.money.substitutes import (BELOW, MEETS, NO_INDEX, NOT_INDEXED, UNTESTED_TIER, candidate_models,
                                      is_smaller_tier, quality_substitutes)
from engine.plan import plan
from engine.scenario.schema import BOUNDS, ModelChoice, Scenario

pytestmark = pytest.mark.unit
CATALOG = load_catalog()
DAY = dt.date(2026, 11, 25)
# (chosen flagship, its vendor's smaller tier): Claude, OpenAI (the successor of the "mini" line), Gemini Flash
VENDOR_TIERS = [("claude-opus-5-5", "claude-sonnet-5-5"), ("gpt-6-astra", "gpt-6-luna"),
                ("gemini-4-argon", "gemini-3.8-flash"), ("gpt-5", "gpt-5-mini")]


def _scenario(model: str, floor: float | None) -> Scenario:
    return Scenario(model=ModelChoice(id=model, quality_floor=floor))


def _index(model_id: str) -> float:
    index = CATALOG.get_model(model_id).quality_index
    assert index is not None, model_id
    return index


def _ids(scenario: Scenario) -> list[str]:
    return [m.id for m in candidate_models(CATALOG, scenario)]


@pytest.mark.parametrize("chosen, tier", VENDOR_TIERS)
def test_a_closed_model_with_a_floor_gets_its_vendors_smaller_tier_when_it_meets_the_floor(chosen, tier):
    assert is_smaller_tier(CATALOG.get_model(tier), CATALOG.get_model(chosen))
    scenario = _scenario(chosen, _index(tier))  # a floor the smaller tier just reaches
    offers = api_offers(CATALOG, scenario, DAY)
    priced = {o.provider for o in offers if o.model.id == tier and o.prices is not None}
    assert priced, f"{tier} is not offered under a floor it meets"
    dem = demand(scenario)
    usable = [api_option(o, scenario, dem) for o in offers if o.model.id == tier and o.prices is not None]
    assert all(o.feasible for o in usable)  # may be recommended: its quality is known to meet the floor


@pytest.mark.parametrize("chosen, tier", VENDOR_TIERS)
def test_a_floor_just_above_the_smaller_tier_keeps_it_out_and_says_why(chosen, tier):
    scenario = _scenario(chosen, _index(tier) + 1)
    assert tier not in _ids(scenario)
    check = next(c for c in quality_substitutes(CATALOG, scenario) if c.model == tier)
    assert check.status == BELOW and "below the floor" in check.reason


def test_open_models_indexed_at_or_above_the_floor_are_offered_for_a_closed_model():
    floor = _index("gpt-oss-120b")
    ids = _ids(_scenario("claude-opus-5-5", floor))
    open_ids = {m.id for m in CATALOG.models.values() if m.open_weights and m.quality_index is not None
                and m.quality_index >= floor}
    assert "gpt-oss-120b" in open_ids and open_ids <= set(ids)
    below = {m.id for m in CATALOG.models.values() if m.open_weights and m.quality_index is not None
             and m.quality_index < floor}
    assert below and not below & set(ids)


def test_a_model_without_an_index_never_meets_a_floor():
    unindexed = [m for m in CATALOG.models.values() if m.quality_index is None]
    assert unindexed  # the snapshot leaves some out (base checkpoints, later releases)
    lowest = BOUNDS["model.quality_floor"][0]  # the lowest floor a user may set
    for chosen in ("claude-opus-5-5", "llama-3.3-70b", "gpt-6-astra"):
        checks = {c.model: c for c in quality_substitutes(CATALOG, _scenario(chosen, lowest))}
        for m in unindexed:
            if m.id == chosen:
                continue
            assert checks[m.id].status in (UNTESTED_TIER, NO_INDEX), (chosen, m.id)
            assert checks[m.id].status != MEETS


def test_an_unindexed_smaller_tier_is_listed_labelled_and_never_recommended():
    haiku = CATALOG.get_model("claude-haiku-5-5")
    assert haiku.quality_index is None  # released after the snapshot
    scenario = _scenario("claude-opus-5-5", _index("claude-sonnet-5-5"))
    check = next(c for c in quality_substitutes(CATALOG, scenario) if c.model == haiku.id)
    assert check.status == UNTESTED_TIER and check.reason.startswith(NOT_INDEXED)
    p = plan(scenario, price_date=DAY, with_roadmap=False)
    listed = [o for o in p.options if o.model == haiku.id]
    assert listed and all(o.monthly_tco_usd > 0 for o in listed)  # priced, so the saving is visible
    assert all(not o.usable and NOT_INDEXED in o.reason for o in listed)
    assert p.recommended is not None and p.recommended.model != haiku.id
    assert p.recommended.monthly_tco_usd > min(o.monthly_tco_usd for o in listed)  # cheaper, yet not chosen


def test_an_unindexed_model_of_another_vendor_is_not_offered():
    checks = {c.model: c for c in quality_substitutes(CATALOG, _scenario("gpt-6-astra", 1000))}
    assert checks["claude-haiku-5-5"].status == NO_INDEX and not checks["claude-haiku-5-5"].offered


def test_no_floor_means_no_substitutes():
    assert _ids(_scenario("claude-opus-5-5", None)) == ["claude-opus-5-5"]
    assert quality_substitutes(CATALOG, _scenario("claude-opus-5-5", None)) == ()


def test_every_other_model_is_judged_and_the_plan_shows_the_verdicts():
    scenario = _scenario("claude-opus-5-5", _index("claude-sonnet-5-5"))
    p = plan(scenario, price_date=DAY, with_roadmap=False)
    assert {c.model for c in p.substitutes} == set(CATALOG.models) - {"claude-opus-5-5"}
    rows = p.to_dict()["substitutes"]
    assert {r["status"] for r in rows} >= {MEETS, BELOW, UNTESTED_TIER}
    assert all(r["reason"] for r in rows)


def test_every_quality_index_is_on_one_scale_and_names_its_source():
    low, high, _ = BOUNDS["model.quality_floor"]
    for m in CATALOG.models.values():
        assert m.quality_source, m.id
        if m.quality_index is not None:
            assert "LMArena text leaderboard" in m.quality_source and "2026-10-02" in m.quality_source, m.id
            assert low <= m.quality_index <= high, m.id


def test_a_floor_off_the_scale_names_the_field_and_range():
    with pytest.raises(ValueError, match="model.quality_floor"):
        _scenario("claude-opus-5-5", 45.0)  # an Artificial Analysis-scale number, not an Arena score
