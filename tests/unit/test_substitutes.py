"""Quality-floor substitutes for closed models (issue 13 item 8): a closed model with a quality
floor is offered its vendor's smaller tier where that tier's quality index reaches the floor.

Index values: engine/data/models.yaml quality_index (Artificial Analysis Intelligence Index,
one 2026-10-20 snapshot). Only the Claude tiers have values there; the GPT and Gemini tiers
have none on that scale, so they cannot be substitutes yet (their rows say why)."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.catalog.catalog import load_catalog
from engine.money.api_quotes import _candidate_models, api_offers
from engine.scenario.schema import ModelChoice, Scenario

pytestmark = pytest.mark.unit
CATALOG = load_catalog()
DAY = dt.date(2026, 11, 25)


def _scenario(model: str, floor: float | None) -> Scenario:
    return Scenario(model=ModelChoice(id=model, quality_floor=floor))


@pytest.mark.parametrize("model", ["claude-opus-5-5", "claude-sonnet-5-5"])
def test_a_closed_model_with_a_quality_floor_gets_its_vendors_smaller_tier(model):
    haiku = CATALOG.get_model("claude-haiku-5-5")
    assert haiku.quality_index is not None
    scenario = _scenario(model, haiku.quality_index)  # a floor Haiku just reaches
    offers = api_offers(CATALOG, scenario, DAY)
    substitutes = {o.provider for o in offers if o.model.id == haiku.id and o.prices is not None}
    assert "anthropic" in substitutes  # the vendor's own API sells the smaller tier


def test_a_floor_above_the_smaller_tier_keeps_it_out():
    haiku = CATALOG.get_model("claude-haiku-5-5")
    ids = [m.id for m in _candidate_models(CATALOG, _scenario("claude-opus-5-5", haiku.quality_index + 0.1))]
    assert "claude-haiku-5-5" not in ids
    assert ids[0] == "claude-opus-5-5"


def test_no_floor_means_no_substitutes():
    assert [m.id for m in _candidate_models(CATALOG, _scenario("claude-opus-5-5", None))] == ["claude-opus-5-5"]


def test_every_quality_index_names_its_source():
    for m in CATALOG.models.values():
        assert m.quality_source, m.id
        if m.quality_index is not None:
            assert "Artificial Analysis Intelligence Index" in m.quality_source, m.id
