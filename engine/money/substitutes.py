"""Quality-floor substitutes: which catalog models may stand in for the scenario's model (issue 13 item 8).

The one definition of the rule; the API offers, the Providers page and the brief all read it.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.catalog.catalog import Catalog, Model
from engine.scenario.schema import Scenario

# The scale of models.yaml `quality_index` and of `model.quality_floor` (one snapshot; models.yaml header).
QUALITY_SCALE = "LMArena text score"
QUALITY_SNAPSHOT = "arena.ai text leaderboard, overall, 2026-10-02"
# The label on a same-vendor smaller tier whose quality the snapshot does not index.
NOT_INDEXED = "quality not indexed: test before switching"

# SubstituteCheck.status
MEETS = "meets_floor"  # index at or above the floor: offered like the chosen model
BELOW = "below_floor"  # index under the floor: not offered
UNTESTED_TIER = "not_indexed_tier"  # the vendor's smaller tier, no index: listed, labelled, never recommended
NO_INDEX = "no_index"  # no index and not the vendor's tier: not offered
STATUSES = (MEETS, BELOW, UNTESTED_TIER, NO_INDEX)


@dataclass(frozen=True)
class SubstituteCheck:
    """One catalog model considered as a substitute under the scenario's quality floor, and the verdict."""

    model: str  # catalog id
    model_name: str
    quality_index: float | None  # on QUALITY_SCALE; None where the snapshot has no row for it
    smaller_tier: bool  # a smaller, cheaper tier of the chosen closed model's own vendor
    status: str  # one of STATUSES
    reason: str  # the sentence shown beside it

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"SubstituteCheck {self.model}: status {self.status!r}; expected one of {STATUSES}")

    @property
    def offered(self) -> bool:
        """Priced as an API option: meets the floor, or is the vendor's untested smaller tier (labelled)."""
        return self.status in (MEETS, UNTESTED_TIER)


def is_smaller_tier(model: Model, chosen: Model) -> bool:
    """`model` is a smaller, cheaper tier of the chosen closed model's vendor (models.yaml `tier`)."""
    return (not chosen.open_weights and not model.open_weights and model.family == chosen.family
            and chosen.tier is not None and model.tier is not None and model.tier > chosen.tier)


def _fmt(index: float) -> str:
    return f"{index:,.0f}"


def quality_substitutes(catalog: Catalog, scenario: Scenario) -> tuple[SubstituteCheck, ...]:
    """Every other catalog model judged against `model.quality_floor`; empty when no floor is set.

    The rule, for a floor F on QUALITY_SCALE (models.yaml `quality_index`, one snapshot for every row):

    1. Any model, open or closed, of any vendor, whose index is at least F meets the floor: it is
       offered beside the chosen model and may be recommended. The chosen model's own index plays no
       part: the floor is what the user asks for, so a chosen model without an index still gets
       substitutes that are indexed at or above it.
    2. A model whose index is below F is not offered ("below the floor").
    3. A model without an index is never treated as meeting a floor. Where it is a smaller tier of
       the chosen closed model's own vendor (same family, larger models.yaml `tier`: Claude Haiku under
       Opus, GPT mini / Luna under Astra, Gemini Flash under Argon) it is still priced and listed,
       labelled NOT_INDEXED, and excluded from the recommendation until the user has tested it;
       any other model without an index is not offered ("no index").

    Models the board does not rate at all (base checkpoints, releases after the snapshot) thus stay
    visible with the reason, never silently dropped and never silently offered.
    """
    floor = scenario.model.quality_floor
    if floor is None:
        return ()
    chosen = catalog.get_model(scenario.model.id)
    checks = []
    for m in catalog.models.values():
        if m.id == chosen.id:
            continue
        tier = is_smaller_tier(m, chosen)
        if m.quality_index is not None and m.quality_index >= floor:
            status, reason = MEETS, f"{QUALITY_SCALE} {_fmt(m.quality_index)} >= floor {_fmt(floor)}"
        elif m.quality_index is not None:
            status, reason = BELOW, f"below the floor: {QUALITY_SCALE} {_fmt(m.quality_index)} < {_fmt(floor)}"
        elif tier:
            status, reason = UNTESTED_TIER, (f"{NOT_INDEXED}: a smaller {chosen.family} tier with no row on the "
                                             f"{QUALITY_SNAPSHOT} snapshot; listed, not recommended")
        else:
            status, reason = NO_INDEX, (f"no index: not on the {QUALITY_SNAPSHOT} snapshot, so it cannot be "
                                        "shown to meet the floor")
        checks.append(SubstituteCheck(m.id, m.name, m.quality_index, tier, status, reason))
    order = {s: i for i, s in enumerate(STATUSES)}
    return tuple(sorted(checks, key=lambda c: (order[c.status], -(c.quality_index or 0.0), c.model)))


def candidate_models(catalog: Catalog, scenario: Scenario) -> list[Model]:
    """The scenario's model first, then the substitutes the rule offers (quality_substitutes)."""
    chosen = catalog.get_model(scenario.model.id)
    return [chosen] + [catalog.get_model(c.model) for c in quality_substitutes(catalog, scenario) if c.offered]
