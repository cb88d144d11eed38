"""What flips the answer, tokens per call: the nearest input or output token count per call, below and above
today's, at which another option is recommended (issue 15, item 2).

Unlike the inputs engine/flips.py searches inside every plan, tokens per call change what each option
is: a self-hosted fleet is sized for the call's shape (a longer prompt or answer holds more KV cache and
changes the batch each replica runs, so every trial needs a fresh replica search), and an API's
first-token time and per-call price tiers follow the prompt. Each trial value is therefore judged by a
re-plan of the recommendation (plan.py's options, cost models and ranking at that value) that skips
what cannot win:

- every API is priced exactly: its offer is rebuilt at the trial value (price tiers by prompt length and the
  first-token time follow the prompt), a few ms for all of them;
- an accelerator is re-sized only where it could win: tokens per call never make a fleet cheaper nor an
  unreachable target reachable (more tokens are more prefill, more decode and more KV cache at the same
  call rate), so an option's cost at a value already tried below the trial is a lower bound of its cost
  at the trial. An accelerator whose bound is above the best option found so far (and above the delivery
  bridge an owned fleet would wait on) is skipped.

The search is a scan of SCAN_POINTS geometric steps from today's value to the end of the searched span
(TOKEN_SPAN, x0.25 and x4 of today, inside the input's bounds and the model's context window), then
BISECTION_STEPS halvings of the first bracket where the answer changes. The flip is reported as that
bracket: the last value tried that keeps today's answer (`Flip.value`) and the nearest value tried beyond
it (`Flip.beyond`), both re-plans.
A scan can step over a flip and back (an answer that changes and returns between two points); the
points are the stated trade of a search that costs re-plans.

The search takes a re-plan per trial, beyond the 150 ms a plan may spend on what flips it, so it runs on
request (`with_token_flips`; the Scenario page's button, `plan --token-flips`, the brief), not in plan().
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Mapping

import numpy as np

from engine.capacity.demand import demand
from engine.capacity.sizing import size_hardware
from engine.catalog.catalog import Catalog, load_catalog
from engine.flips import TOKEN_FIELDS, TOKEN_SPAN, Flip, TokenFlips, TokenSearch, _eligible, _ranking_costs, _winners
from engine.money.api_quotes import api_offers
from engine.money.cost_model import cost_model, paths, with_delivery_lead
from engine.money.options import Option, api_option, self_hosted_options
from engine.plan import Plan, _excluded_api
from engine.scenario.schema import BOUNDS

SCAN_POINTS = 2  # geometric steps from today to each end (x2, then x4)
BISECTION_STEPS = 6  # halvings of a x2 bracket (on a log scale): the flip is located to within 1.1 %


class _Trials:
    """Re-plans of the recommendation at other token counts per call, with every option's cost at each
    point tried (exact where the option was priced there, else the lower bound it was skipped on)."""

    def __init__(self, plan: Plan, catalog: Catalog):
        s = plan.scenario
        self.scenario, self.catalog = s, catalog
        self.day = dt.date.fromisoformat(plan.price_data.price_date)
        self.model = catalog.get_model(s.model.id)
        vendors = s.constraints.allowed_vendors
        # what size() sizes: only open-weight models run on one's own accelerators, only allowed vendors
        self.hardware = [hw for hw in catalog.hardware.values()
                         if self.model.open_weights and (not vendors or hw.vendor in vendors)]
        self.today = tuple(int(getattr(s.workload, f.split(".")[1])) for f in TOKEN_FIELDS)
        # point (input, output tokens per call) -> accelerator -> option id -> (ranking, month-1 cost) [USD];
        # inf: not usable there
        self.known: dict[tuple[int, int], dict[str, dict[str, tuple[float, float]]]] = {}
        self.winner_at: dict[tuple[int, int], tuple[str | None, float]] = {}
        self.names: dict[str, str] = {}  # display names of the options that won a trial
        self.trials = 0

    def _point(self, field: str, value: int) -> tuple[int, int]:
        return (int(value), self.today[1]) if field == TOKEN_FIELDS[0] else (self.today[0], int(value))

    def _bounds(self, point: tuple[int, int]) -> dict[str, dict[str, tuple[float, float]]]:
        """Each accelerator's options' lower bounds at `point`: the most each cost at a point tried with no
        more tokens of either kind."""
        out: dict[str, dict[str, tuple[float, float]]] = {}
        for tried, by_hardware in self.known.items():
            if tried[0] > point[0] or tried[1] > point[1]:
                continue
            for hw_id, costs in by_hardware.items():
                mine = out.setdefault(hw_id, {})
                for oid, (rank, first) in costs.items():
                    low = mine.get(oid, (-math.inf, -math.inf))
                    mine[oid] = (max(low[0], rank), max(low[1], first))
        return out

    def winner(self, field: str, value: int) -> tuple[str | None, float]:
        """(The recommended option with `field` at `value`, its month-1 cost [USD])."""
        point = self._point(field, value)
        if point in self.winner_at:
            return self.winner_at[point]
        self.trials += 1
        s = dataclasses.replace(self.scenario, workload=dataclasses.replace(
            self.scenario.workload, **{f.split(".")[1]: v for f, v in zip(TOKEN_FIELDS, point)}))
        dem = demand(s)
        excluded = _excluded_api(s)
        options: dict[str, Option] = {}
        models: dict = {}

        def add(option: Option) -> None:
            options[option.id] = option
            m = cost_model(option, self.catalog, s, dem)
            if m is not None:
                models[option.id] = m

        for offer in api_offers(self.catalog, s, self.day):
            add(api_option(offer, s, dem, excluded))
        one = np.ones(1)
        p = paths(s, s.finance.horizon_months, one, one, np.array([s.finance.monthly_growth]), one, one)
        # costs by (model, delivery bridge): each sizing re-ranks, and only new options, or owned ones whose
        # bridge changed, need pricing (the entry holds both, so neither id can be reused)
        memo: dict[tuple[int, int], tuple] = {}

        def costs() -> dict[str, tuple[float, float]]:
            bridged = with_delivery_lead(models, options)
            out = {}
            for oid in options:
                if not options[oid].usable or oid not in bridged:
                    out[oid] = (math.inf, math.inf)
                    continue
                m = bridged[oid]
                key = (id(models[oid]), id(m.bridge))
                hit = memo.get(key)
                if hit is None or hit[0] is not models[oid] or hit[1] is not m.bridge:
                    rank, first = _ranking_costs(m, p, s)
                    hit = memo[key] = (models[oid], m.bridge, (float(rank[0]), float(first[0])))
                out[oid] = hit[2]
            return out

        bounds = self._bounds(point)
        # per accelerator: (lowest ranking bound of its options, lowest month-1 bound of its rented options)
        lows = {hw_id: (min(b[0] for b in mine.values()),
                        min((b[1] for oid, b in mine.items() if oid.startswith("cloud:")), default=math.inf))
                for hw_id, mine in bounds.items() if mine}
        # an owned fleet waits for delivery on the cheapest rented or API option: where one can win, a
        # skipped accelerator must not be that bridge either
        owned = any(oid.startswith("owned:") and math.isfinite(b[0]) for mine in bounds.values() for oid, b in mine.items())
        now = costs()
        by_hardware: dict[str, dict[str, tuple[float, float]]] = {}
        for hw in sorted(self.hardware, key=lambda hw: lows.get(hw.id, (-math.inf,))[0]):
            low = lows.get(hw.id)
            if low is not None:
                best, bridge = self._best(options, now)
                owned = owned or any(o.kind == "owned" and o.usable for o in options.values())
                if low[0] > best and (not owned or math.isinf(low[1]) or low[1] > bridge):
                    by_hardware[hw.id] = bounds[hw.id]
                    continue
            sized = size_hardware(self.catalog, hw, self.model, s, dem)
            mine = self_hosted_options(self.catalog, sized, s, dem, details=False)
            for o in mine:
                add(o)
            now = costs()
            by_hardware[hw.id] = {o.id: o.id for o in mine}
        for hw_id, mine in by_hardware.items():  # the priced options' costs once every bridge is settled
            by_hardware[hw_id] = {oid: (now[c] if isinstance(c, str) else c) for oid, c in mine.items()}
        self.known[point] = by_hardware
        ids = [oid for oid in _eligible(options) if oid in models]
        if not ids:
            result: tuple[str | None, float] = (None, math.nan)
        else:
            rank = np.array([[now[oid][0]] for oid in ids])
            first = np.array([[now[oid][1]] for oid in ids])
            oid = ids[int(_winners(ids, rank, first)[0])]
            result = (oid, options[oid].monthly_tco_usd)
            self.names[oid] = options[oid].name
        self.winner_at[point] = result
        return result

    @staticmethod
    def _best(options: Mapping[str, Option], costs: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
        """(The ranking cost an option must beat to win, the month-1 cost of the delivery bridge) so far:
        recommend.py ranks verified options first, so until one is usable nothing can be skipped."""
        usable = [oid for oid, o in options.items() if o.usable and math.isfinite(costs[oid][0])]
        verified = [oid for oid in usable if options[oid].verified]
        best = min((costs[oid][0] for oid in verified), default=math.inf)
        bridge = min((costs[oid][1] for oid in usable if options[oid].kind != "owned"), default=math.inf)
        return best, bridge


def _hardware_of(option_id: str) -> str | None:
    """The accelerator of a rented or owned option id ("cloud:h100-sxm:reserved-base" -> "h100-sxm")."""
    kind, _, rest = option_id.partition(":")
    return rest.split(":")[0] if kind in ("cloud", "owned") else None


def _end(plan: Plan, catalog: Catalog, field: str, direction: str) -> int:
    """The farthest value searched one way: TOKEN_SPAN of today's value, inside the input's bounds and,
    above, the model's context window (the call must fit it)."""
    w = plan.scenario.workload
    current = getattr(w, field.split(".")[1])
    low, high, _ = BOUNDS[field]
    if direction == "below":
        return int(max(low, math.ceil(current * TOKEN_SPAN[0])))
    context = catalog.get_model(plan.scenario.model.id).max_context_tokens
    if context:
        high = min(high, context - (w.input_tokens_per_call + w.output_tokens_per_call
                                    + w.reasoning_tokens_per_call - current))
    return int(min(high, math.floor(current * TOKEN_SPAN[1])))


def _search(trials: _Trials, field: str, today: str, current: int, end: int, direction: str) -> Flip | None:
    """Scan from `current` towards `end`, then bisect the first bracket where the answer changes."""
    if end == current:
        return None
    if direction == "below":
        trials.winner(field, end)  # the bound every value between is judged on (costs only grow with tokens)
    ratio = (end / current) ** (1.0 / SCAN_POINTS)
    scan = sorted({int(round(current * ratio ** k)) for k in range(1, SCAN_POINTS)} | {end},
                  reverse=direction == "below")
    near = current
    for far in (v for v in scan if v != current):
        if trials.winner(field, far)[0] != today:
            break
        near = far
    else:
        return None
    for _ in range(BISECTION_STEPS):
        if abs(far - near) <= 1:
            break
        mid = int(round(math.sqrt(near * far)))
        if mid in (near, far):
            mid = (near + far) // 2
        if trials.winner(field, mid)[0] == today:
            near = mid
        else:
            far = mid
    oid, monthly = trials.winner(field, far)
    if oid is None:  # no option meets the targets there: nothing to name
        return None
    return Flip(field, float(near), oid, direction, float(current), trials.names[oid], float(monthly),
                beyond=float(far))


def token_flips(plan: Plan, catalog: Catalog | None = None) -> TokenFlips:
    """Both token inputs searched both ways from today's value (the module docstring says how)."""
    today = plan.recommendation.option_id
    if today is None:
        return TokenFlips(())
    catalog = catalog or load_catalog()
    trials = _Trials(plan, catalog)
    trials.winner(TOKEN_FIELDS[0], trials.today[0])  # today's costs: the bound of every point above
    searches = []
    for field, current in zip(TOKEN_FIELDS, trials.today):
        for direction in ("below", "above"):
            end = _end(plan, catalog, field, direction)
            before = trials.trials
            flip = _search(trials, field, today, current, end, direction)
            searches.append(TokenSearch(field, direction, float(current), float(end), flip, trials.trials - before))
    return TokenFlips(tuple(searches))


def with_token_flips(plan: Plan, catalog: Catalog | None = None) -> Plan:
    """The plan with its token flips searched: added to `recommendation.what_flips`, and every search
    (found or not) in `recommendation.token_flips`."""
    found = token_flips(plan, catalog)
    rec = plan.recommendation
    rec = dataclasses.replace(rec, what_flips=rec.what_flips + found.flips, token_flips=found)
    return dataclasses.replace(plan, recommendation=rec)
