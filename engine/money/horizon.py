"""The horizon: month-by-month cost of every priced option, owned purchases, break-even
against the best API, and the lifetime view with a one-time model cost."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from engine.money.cost_model import CostModel, monthly_costs, paths, purchases
from engine.records import frozen_map
from engine.scenario.schema import Scenario
from engine.money.options import Option

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
    """The month on the horizon's path from which self-hosting stays cheaper than the best API, and the
    daily volume in that month (today's grown to it)."""

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
class UpfrontCash:
    """Cash paid for owned hardware over the horizon (capex as bought, not amortized) [USD]."""

    by_option_usd: Mapping[str, float]  # owned option id -> capex paid over the horizon
    recommended_usd: float  # the recommendation's (0 when it rents or buys tokens)
    recommended_by_month_usd: tuple[float, ...]  # the recommendation's capex paid each month

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_option_usd", frozen_map(self.by_option_usd))


@dataclass(frozen=True)
class Horizon:
    months: tuple[MonthCosts, ...]
    purchases: Mapping[str, tuple[Purchase, ...]]  # owned option id -> purchases
    break_even: BreakEven
    lifetime: Lifetime
    upfront_cash_usd: UpfrontCash = UpfrontCash({}, 0.0, ())

    def __post_init__(self) -> None:
        object.__setattr__(self, "purchases", frozen_map({k: tuple(v) for k, v in self.purchases.items()}))

    @property
    def month_1_paid_usd(self) -> Mapping[str, float]:
        """What each option actually costs in month 1: an owned fleet on order is paid as its delivery
        bridge until it arrives (the option's `monthly_tco_usd` is its steady state)."""
        return self.months[0].costs_usd if self.months else frozen_map({})

    def totals_usd(self) -> dict[str, float]:
        """Each priced option's total over the horizon [USD]."""
        return {oid: float(sum(self.costs_usd(oid))) for oid in (self.months[0].costs_usd if self.months else {})}

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


def break_even(options: dict[str, Option], scenario: Scenario, costs_by_month: dict[str, np.ndarray],
               queries_per_day: float) -> BreakEven:
    """The month (and the daily volume then) from which self-hosting stays cheaper than the best API.

    Read off the horizon's own path, the same growth and price decline the chart and the ranking
    use (DESIGN.md "Money": one price path): the best self-hosted option against the best API,
    month by month; the break-even month is the first after the last month the API is cheaper or
    equal, and the volume is today's grown to that month. Compared on the options the
    recommendation may choose: those whose speed and first-token time are not assumed, where any
    such option meets the targets (recommend.py).
    """
    usable = [oid for oid in costs_by_month if options[oid].usable]
    evidenced = any(options[oid].verified for oid in usable)
    if evidenced:
        usable = [oid for oid in usable if options[oid].verified]
    api = [oid for oid in usable if options[oid].kind in ("api", "specialized")]
    own = [oid for oid in usable if options[oid].kind in ("cloud", "owned")]
    if not api or not own:
        missing = "API" if not api else "self-hosted"
        basis = " on figures that are not assumed" if evidenced else ""
        return BreakEven(None, None, False, f"no usable {missing} option{basis} to compare")
    best_api = np.min([costs_by_month[i] for i in api], axis=0)
    best_own = np.min([costs_by_month[i] for i in own], axis=0)
    months = len(best_own)
    api_months = np.nonzero(best_own >= best_api)[0]
    month = 0 if len(api_months) == 0 else int(api_months[-1]) + 1
    if month >= months:
        wins = np.nonzero(best_own < best_api)[0]
        if len(wins):
            reason = (f"self-hosting is cheaper in {len(wins)} of the {months} months but does not stay so: the best "
                      f"API is cheaper again in month {months - 1} as its prices fall")
        else:
            reason = f"the best API stays cheaper in every month of the {months}-month horizon"
        return BreakEven(None, None, True, reason, queries_per_day)
    volume = float(queries_per_day * (1.0 + scenario.finance.monthly_growth) ** month)
    if month == 0:
        reason = f"self-hosting is cheaper from month 0, at today's {_about(volume)} queries per day"
    else:
        reason = (f"self-hosting is cheaper from month {month}, at {_about(volume)} queries per day on this "
                  "growth path and price decline")
    return BreakEven(volume, month, True, reason, queries_per_day)


def _about(volume: float) -> str:
    """A volume to three significant figures: the inputs are not known more closely."""
    return f"{float(f'{volume:.3g}'):,.0f}"


def build_horizon(models: dict[str, CostModel], options: dict[str, Option], scenario: Scenario,
                  queries_per_day: float, recommended: str | None,
                  projected: dict[str, np.ndarray] | None = None) -> Horizon:
    """`projected`: `project(models, scenario)` where the caller already has it (the ranking uses it)."""
    projected = project(models, scenario) if projected is None else projected
    months = tuple(MonthCosts(m, {oid: float(path[m]) for oid, path in projected.items()})
                   for m in range(scenario.finance.horizon_months))
    bought = {oid: tuple(Purchase(**p) for p in purchases(model, scenario, scenario.finance.horizon_months))
              for oid, model in models.items() if model.kind == "owned"}
    one_time = scenario.finance.one_time_model_cost_usd
    recurring = float(projected[recommended].sum()) if recommended in projected else None
    lifetime = Lifetime(one_time, recurring, recurring / scenario.finance.horizon_months if recurring else None,
                        (recurring / (recurring + one_time)) if recurring else None)
    by_month = [0.0] * scenario.finance.horizon_months
    for p in bought.get(recommended, ()):
        by_month[p.month] += p.capex_usd
    cash = UpfrontCash({oid: float(sum(p.capex_usd for p in ps)) for oid, ps in bought.items()},
                       float(sum(by_month)), tuple(by_month))
    return Horizon(months, bought, break_even(options, scenario, projected, queries_per_day), lifetime, cash)
