"""The horizon: month-by-month cost of every priced option, owned purchases, break-even
against the best API, and the lifetime view with a one-time model cost."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from engine.money.cost_model import CostModel, monthly_costs, paths, purchases, steady_state
from engine.records import frozen_map
from engine.scenario.schema import Scenario
from engine.money.options import Option

# Volumes searched for break-even: 1/100 to 100x today's, log-spaced.
BREAK_EVEN_GRID = np.logspace(-2, 2, 81)


@dataclass(frozen=True)
class MonthCosts:
    month: int  # 0 = the first month
    costs_usd: Mapping[str, float]  # option id -> cost that month [USD]

    def __post_init__(self) -> None:
        object.__setattr__(self, "costs_usd", frozen_map(self.costs_usd))


@dataclass(frozen=True)
class Purchase:
    """Accelerators an owned fleet buys in one month as demand grows."""

    month: int
    accelerators: int
    capex_usd: float


@dataclass(frozen=True)
class BreakEven:
    """The daily volume (and the month on the growth path) from which self-hosting stays cheaper than the best API."""

    queries_per_day: float | None
    month: int | None
    compared: bool  # False when there is no usable API or no usable self-hosted option
    reason: str
    current_queries_per_day: float | None = None


@dataclass(frozen=True)
class Lifetime:
    one_time_model_cost_usd: float
    recurring_inference_usd: float | None  # the recommendation over the horizon
    average_month_usd: float | None
    inference_share: float | None  # recurring / (recurring + one-time)


@dataclass(frozen=True)
class Horizon:
    months: tuple[MonthCosts, ...]
    purchases: Mapping[str, tuple[Purchase, ...]]  # owned option id -> purchases
    break_even: BreakEven
    lifetime: Lifetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "purchases", frozen_map({k: tuple(v) for k, v in self.purchases.items()}))

    def costs_usd(self, option_id: str) -> tuple[float, ...]:
        """One option's monthly costs over the horizon (empty when it has no price)."""
        return tuple(m.costs_usd[option_id] for m in self.months if option_id in m.costs_usd)


def _ones(n: int) -> np.ndarray:
    return np.ones(n)


def project(models: dict[str, CostModel], scenario: Scenario) -> dict[str, np.ndarray]:
    """Each option's monthly cost along the scenario's own growth and price paths."""
    h = scenario.finance.horizon_months
    one = _ones(1)
    growth = np.array([scenario.finance.monthly_growth])
    p = paths(scenario, h, one, one, growth, one, one)
    return {oid: monthly_costs(m, p)[0] for oid, m in models.items()}


def break_even(models: dict[str, CostModel], options: dict[str, Option], scenario: Scenario,
               costs_by_month: dict[str, np.ndarray], queries_per_day: float) -> BreakEven:
    """Daily query volume where self-hosting beats the best API, and the month it happens.

    Volumes are compared at today's prices: each option re-costed at volume multipliers
    (API fees scale linearly; fleets in whole replicas). The month is read off the horizon.
    Compared on the options the recommendation may choose: those whose speed and first-token
    time are not assumed, where any such option meets the targets (recommend.py).
    """
    usable = {oid: m for oid, m in models.items() if options[oid].usable}
    evidenced = any(options[oid].verified for oid in usable)
    if evidenced:
        usable = {oid: m for oid, m in usable.items() if options[oid].verified}
    api = [oid for oid in usable if options[oid].kind in ("api", "specialized")]
    own = [oid for oid in usable if options[oid].kind in ("cloud", "owned")]
    if not api or not own:
        missing = "API" if not api else "self-hosted"
        basis = " on figures that are not assumed" if evidenced else ""
        return BreakEven(None, None, False, f"no usable {missing} option{basis} to compare")
    v = BREAK_EVEN_GRID
    one = _ones(len(v))
    zero = np.zeros(len(v))

    volumes = paths(scenario, 1, v, one, zero, one, one, price_paths=False)

    def cheapest(ids):  # steady state: the volume comparison is not about delivery dates
        costs = np.stack([monthly_costs(steady_state(usable[i]), volumes)[:, 0] for i in ids])
        return costs.min(axis=0)

    api_cost, own_cost = cheapest(api), cheapest(own)
    own_wins = own_cost < api_cost
    # Fleets grow in whole replicas, so the two can trade places more than once: the break-even
    # is the volume from which self-hosting stays cheaper all the way up.
    stays = np.nonzero(~own_wins)[0]
    stable_from = 0 if len(stays) == 0 else int(stays[-1]) + 1
    volume = None if stable_from >= len(v) else float(v[stable_from] * queries_per_day)
    first_win = np.nonzero(own_wins)[0]
    trades_places = volume is not None and len(first_win) and first_win[0] < stable_from
    best_api = np.min([costs_by_month[i] for i in api], axis=0)
    best_own = np.min([costs_by_month[i] for i in own], axis=0)
    api_months = np.nonzero(best_own >= best_api)[0]  # as for the volume: from when self-hosting stays cheaper
    month = 0 if len(api_months) == 0 else (int(api_months[-1]) + 1 if api_months[-1] + 1 < len(best_own) else None)
    if volume is None:
        reason = "the best API stays cheaper at every volume up to 100x today's"
        if len(first_win):
            reason += (f" but for a few volumes from {_about(v[first_win[0]] * queries_per_day)} queries per day, "
                       "where a fleet is just full")
    elif stable_from == 0:
        reason = "self-hosting is cheaper even at 1/100 of today's volume"
    else:
        reason = f"self-hosting is cheaper above {_about(volume)} queries per day"
        if trades_places:
            reason += (f"; from {_about(v[first_win[0]] * queries_per_day)} the two trade places as fleets grow in "
                       "whole replicas, so treat the range between as a tie")
    return BreakEven(volume, month, True, reason, queries_per_day)


def _about(volume: float) -> str:
    """A grid volume to three significant figures: the grid steps ~12%, more digits would be false precision."""
    return f"{float(f'{volume:.3g}'):,.0f}"


def build_horizon(models: dict[str, CostModel], options: dict[str, Option], scenario: Scenario,
                  queries_per_day: float, recommended: str | None) -> Horizon:
    projected = project(models, scenario)
    months = tuple(MonthCosts(m, {oid: float(path[m]) for oid, path in projected.items()})
                   for m in range(scenario.finance.horizon_months))
    bought = {oid: tuple(Purchase(**p) for p in purchases(model, scenario, scenario.finance.horizon_months))
              for oid, model in models.items() if model.kind == "owned"}
    one_time = scenario.finance.one_time_model_cost_usd
    recurring = float(projected[recommended].sum()) if recommended in projected else None
    lifetime = Lifetime(one_time, recurring, recurring / scenario.finance.horizon_months if recurring else None,
                        (recurring / (recurring + one_time)) if recurring else None)
    return Horizon(months, bought, break_even(models, options, scenario, projected, queries_per_day), lifetime)
