"""Two or three saved scenarios side by side: what differs in the inputs, what each plan answers,
and how far each answer sits from the first (the delta a CTO reads).

Pure Python over finished Plans: every figure is read from a Plan (the recommendation, the horizon,
the upfront cash), never recomputed; the only arithmetic here is the difference against the first
scenario, so the Compare page and any export print the same deltas.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from engine.plan import Plan
from engine.scenario.schema import SECTIONS, Scenario

MAX_COMPARED = 3


@dataclass(frozen=True)
class ScenarioAnswer:
    """What one saved scenario's plan answers (None where no option meets the targets)."""

    label: str  # the name the user saved it under
    scenario: Scenario
    option_id: str | None
    option_name: str | None
    option_kind: str | None
    verified: bool
    month_1_usd: float | None  # what the recommendation costs in month 1 as paid (delivery bridge included)
    horizon_usd: float | None  # the recommendation's recurring cost over the horizon
    horizon_months: int
    upfront_cash_usd: float | None  # owned hardware bought over the horizon, capex as paid
    ttft_ms: float | None
    output_tokens_per_s_per_user: float | None
    ttft_evidence: str | None
    speed_evidence: str | None
    rationale: str


@dataclass(frozen=True)
class InputDifference:
    """One scenario field whose value is not the same in every compared scenario."""

    field: str  # dotted Scenario path, e.g. workload.daily_active_users
    values: tuple[Any, ...]  # one per compared scenario, in order


@dataclass(frozen=True)
class Delta:
    """A scenario's figures minus the first scenario's [USD, ms]; None where either side has none."""

    month_1_usd: float | None
    horizon_usd: float | None
    upfront_cash_usd: float | None
    ttft_ms: float | None
    month_1_fraction: float | None  # month_1_usd / the first scenario's month 1
    same_option: bool


@dataclass(frozen=True)
class Comparison:
    answers: tuple[ScenarioAnswer, ...]
    differences: tuple[InputDifference, ...]
    deltas: tuple[Delta, ...]  # one per answer; the first is against itself (all zero)

    def __post_init__(self) -> None:
        if not 2 <= len(self.answers) <= MAX_COMPARED:
            raise ValueError(f"compare two or three scenarios, got {len(self.answers)}")
        if len(self.deltas) != len(self.answers):
            raise ValueError("one delta per compared scenario")


def answer_of(label: str, plan: Plan) -> ScenarioAnswer:
    """The figures of one plan that the comparison shows."""
    best = plan.recommended
    months = plan.scenario.finance.horizon_months
    if best is None:
        return ScenarioAnswer(label, plan.scenario, None, None, None, False, None, None, months, None, None, None,
                              None, None, plan.recommendation.rationale)
    paid = plan.horizon.month_1_paid_usd.get(best.id, best.monthly_tco_usd)
    return ScenarioAnswer(
        label=label, scenario=plan.scenario, option_id=best.id, option_name=best.name, option_kind=best.kind,
        verified=plan.recommendation.verified, month_1_usd=paid,
        horizon_usd=plan.horizon.lifetime.recurring_inference_usd, horizon_months=months,
        upfront_cash_usd=plan.horizon.upfront_cash_usd.recommended_usd, ttft_ms=best.ttft_ms,
        output_tokens_per_s_per_user=best.output_tokens_per_s_per_user, ttft_evidence=best.ttft_evidence,
        speed_evidence=best.speed_evidence, rationale=plan.recommendation.rationale)


def _flat(s: Scenario) -> dict[str, Any]:
    data = s.to_dict()
    flat = {"name": data["name"]}
    for section in SECTIONS:
        flat.update({f"{section}.{k}": v for k, v in data[section].items()})
    return flat


def input_differences(scenarios: Sequence[Scenario]) -> tuple[InputDifference, ...]:
    """The fields (in schema order) whose values differ between the scenarios; the name is left out."""
    flats = [_flat(s) for s in scenarios]
    keys = [k for k in flats[0] if k != "name"]
    return tuple(InputDifference(k, tuple(f[k] for f in flats)) for k in keys
                 if any(f[k] != flats[0][k] for f in flats[1:]))


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def compare(named: Sequence[tuple[str, Plan]]) -> Comparison:
    """Compare two or three plans, each under the name it was saved as; deltas are against the first.

    Raises ValueError for fewer than two or more than three plans.
    """
    if not 2 <= len(named) <= MAX_COMPARED:
        raise ValueError(f"compare two or three scenarios, got {len(named)}")
    answers = tuple(answer_of(label, p) for label, p in named)
    first = answers[0]
    deltas = tuple(Delta(
        month_1_usd=_minus(a.month_1_usd, first.month_1_usd),
        horizon_usd=_minus(a.horizon_usd, first.horizon_usd),
        upfront_cash_usd=_minus(a.upfront_cash_usd, first.upfront_cash_usd),
        ttft_ms=_minus(a.ttft_ms, first.ttft_ms),
        month_1_fraction=(None if a.month_1_usd is None or not first.month_1_usd
                          else a.month_1_usd / first.month_1_usd - 1.0),
        same_option=a.option_id == first.option_id) for a in answers)
    return Comparison(answers, input_differences([a.scenario for a in answers]), deltas)
