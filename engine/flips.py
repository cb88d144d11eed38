"""What flips the answer: for each key input, the nearest value at which another option is recommended.

Re-planning at every trial value would cost a plan (50-150 ms) per trial, so each input is searched
through the structure the plan already has (issue 15, item 2):

- prices, volume, growth and tokens per call move option costs, never whether an option meets the
  targets: the options' cost models (cost_model.py, the one cost formula) are evaluated for a whole
  grid of values at once, as the Monte Carlo does, and the grid is refined around the first value
  where the ranking changes;
- latency targets move which options meet them: an option stops meeting a tighter target at its
  delivered figure. An API's delivered figure does not depend on the target, so it simply drops out;
  a self-hosted fleet is re-sized for the tighter target (fewer sequences per replica, so a dearer
  fleet) and is then ranked again. While tightening, every other option only gets dearer or drops
  out, so the answer can only change where the recommended option's own delivered figure is passed.

The ranking is recommend.py's rule: among the options that meet the targets, those whose figures are
not assumed first, cheapest on finance.decide_on (the horizon total or month 1).
tests/unit/test_flips.py re-plans on both sides of every flip and checks the winner changes.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from engine.capacity.demand import Demand, demand
from engine.capacity.sizing import HardwareOption, size_hardware
from engine.catalog.catalog import Catalog
from engine.money.cost_model import (API_KINDS, CostModel, monthly_costs, paths, steady_state,
                                     storage_and_egress_usd, with_delivery_lead)
from engine.money.options import Option, self_hosted_options
from engine.money.cost_model import cost_model as build_cost_model
from engine.scenario.schema import BOUNDS, Scenario

# The inputs searched, in the order they are shown. "api_prices" and "gpu_prices" are multipliers of
# today's prices (1.0 = list prices, as the uncertainty tornado's inputs of the same names): every API's
# token prices, and every accelerator's rental price and purchase capex.
FLIP_FIELDS = ("latency.ttft_p95_ms", "latency.min_output_tokens_per_s_per_user", "workload.daily_active_users",
               "api_prices", "gpu_prices", "finance.monthly_growth")
# Tokens per call are not searched here: a self-hosted fleet is sized for the call's shape (a longer prompt
# or answer holds more cache and changes the batch each replica runs), so every trial needs a fresh replica
# search, and a longer prompt moves an API's first token. engine/token_flips.py searches them by re-plans,
# on request (beyond this search's budget inside every plan).
# How far each multiplicative input is searched, as a factor either side of today's value: beyond
# this the question is no longer "what flips this answer" but a different company.
SPAN = 20.0
GRID = 24  # trial values per pass (one vectorized evaluation of every option)
PASSES = 3  # each pass narrows the bracket GRID-fold: 20x either side -> ~2e-4 relative precision
GROWTH_SPAN = (-0.2, 0.5)  # monthly growth searched between these shares (inside BOUNDS)
RESIZE_STEPS = 2  # latency targets: at most this many re-sizings of the recommended fleet
# A latency target is tried this fraction beyond a delivered figure (an option meets a target equal
# to its figure; the other side of it must not).
NUDGE = 1e-6


@dataclass(frozen=True)
class Flip:
    """The nearest value of one input at which another option is recommended."""

    field: str  # a Scenario field (dotted) or "api_prices" / "gpu_prices" (multipliers of today's prices)
    value: float  # the boundary: today's answer holds up to it, `option_id` wins beyond it
    option_id: str  # the option recommended beyond `value`
    direction: str  # "below" | "above": on which side of `value` the other option wins
    current: float  # the input's value today
    option_name: str  # its display name
    option_monthly_usd: float  # its month-1 cost beyond the flip [USD per month]
    # The nearest value tried at which `option_id` wins, where the search stops short of the next unit
    # (tokens per call, engine/token_flips.py); None: the next unit or a hair beyond `value`.
    beyond: float | None = None


# Tokens per call, searched on request by engine/token_flips.py (a re-plan per trial): how far either way of
# today's value the search goes; beyond this the calls are a different product.
TOKEN_FIELDS = ("workload.input_tokens_per_call", "workload.output_tokens_per_call")
TOKEN_SPAN = (0.25, 4.0)


@dataclass(frozen=True)
class TokenSearch:
    """One token input searched one way from today's value."""

    field: str  # "workload.input_tokens_per_call" | "workload.output_tokens_per_call"
    direction: str  # "below" | "above"
    current: float  # today's value [tokens per call]
    end: float  # the farthest value searched [tokens per call]
    flip: Flip | None  # None: today's answer held at every value tried up to `end`
    trials: int  # re-plans of the recommendation the search ran


@dataclass(frozen=True)
class TokenFlips:
    """The token searches of one plan, both inputs both ways (TOKEN_FIELDS order, below first)."""

    searches: tuple[TokenSearch, ...]
    span: tuple[float, float] = TOKEN_SPAN  # the searched span, as multiples of today's value

    @property
    def flips(self) -> tuple[Flip, ...]:
        return tuple(s.flip for s in self.searches if s.flip is not None)


@dataclass(frozen=True)
class Context:
    """What the search needs from the plan: the options, their cost models, the demand and the rule."""

    scenario: Scenario
    catalog: Catalog
    demand: Demand
    options: Mapping[str, Option]  # every option by id
    models: Mapping[str, CostModel]  # priced options, owned ones with their delivery bridge
    recommended: str


# --- the ranking -----------------------------------------------------------------

def _eligible(options: Mapping[str, Option]) -> list[str]:
    """recommend.py's candidates: usable options, and only the verified ones where any is verified."""
    usable = [oid for oid, o in options.items() if o.usable]
    verified = [oid for oid in usable if options[oid].verified]
    return verified or usable


def _ranking_costs(model: CostModel, p, scenario: Scenario,
                   lazy: bool = False) -> tuple[np.ndarray, np.ndarray | Callable[[], np.ndarray]]:
    """(ranking cost, month-1 cost) per trial, as plan() ranks: the horizon total of the option's own path
    (an owned fleet delivered after the horizon ends serves none of it) or month 1.

    `lazy`: an owned fleet ranked on its horizon total gives its month 1 (its steady state's month 0, a second
    evaluation of the formula) as a function to call when it is read (`_Month1`)."""
    if model.bridge is None:
        path = monthly_costs(model, p if scenario.finance.decide_on == "horizon_total" else _first_month(p))
        month_1 = path[:, 0]
        return (path.sum(axis=1) if scenario.finance.decide_on == "horizon_total" else month_1), month_1
    month_1 = functools.partial(_steady_month_1, model, p)
    if scenario.finance.decide_on != "horizon_total":
        month_1 = month_1()
        return month_1, month_1
    if not lazy:
        month_1 = month_1()
    if model.lead_months >= scenario.finance.horizon_months:
        return np.full(p.volume.shape[0], np.inf), month_1
    return monthly_costs(model, p).sum(axis=1), month_1


def _steady_month_1(model: CostModel, p) -> np.ndarray:
    """An owned fleet's month 1 per trial: its steady state (hardware in place) at month 0 [USD]."""
    return monthly_costs(steady_state(model), _first_month(p))[:, 0]


class _Month1:
    """Month-1 costs per option and trial, shape (options, trials), some rows worked out only when read.

    Month 1 only breaks ties of the ranking cost (`_winners`) and gives a flip's figure, so an owned fleet's
    (a second evaluation of the formula, `_ranking_costs(lazy=True)`) waits until one of those reads it: a
    trial with one cheapest option, nearly every one, never does. A row is the same numbers whenever read."""

    def __init__(self, values: np.ndarray, pending: dict[int, Callable[[], np.ndarray]]) -> None:
        self._values, self._pending = values, pending  # row -> function writing and giving it

    def row(self, i: int) -> np.ndarray:
        work = self._pending.pop(i, None)
        if work is not None:
            self._values[i] = work()
        return self._values[i]

    def all(self) -> np.ndarray:
        for i in list(self._pending):
            self.row(i)
        return self._values

    def columns(self, cols: slice) -> "_Month1":
        """These trials only (a view: a row read here is read in the whole too)."""
        return _Month1(self._values[:, cols], {i: functools.partial(lambda i: self.row(i)[cols], i)
                                               for i in self._pending})


_LAST_FIRST_MONTH: tuple = (None, None)  # (paths, their month 0): every option of a ranking cuts the same paths


def _first_month(p):
    """The paths' month 0 only (every (samples, months) multiplier cut to its first column)."""
    global _LAST_FIRST_MONTH
    last = _LAST_FIRST_MONTH
    if last[0] is p:
        return last[1]
    first = dataclasses.replace(p, **{f.name: getattr(p, f.name)[:, :1] for f in dataclasses.fields(p)
                                      if isinstance(getattr(p, f.name), np.ndarray)})
    _LAST_FIRST_MONTH = (p, first)  # swapped whole (safe across threads); holds `p`, so its id is not reused
    return first


def _winners(ids: list[str], ranking: np.ndarray, month_1: np.ndarray | _Month1) -> np.ndarray:
    """Index into `ids` of the cheapest option per trial (ties: the lower month-1 cost, as recommend())."""
    if not ids:
        return np.full(ranking.shape[1], -1)
    lowest = ranking.min(axis=0)
    if not np.isnan(lowest).any() and ((ranking == lowest).sum(axis=0) == 1).all():
        return ranking.argmin(axis=0)  # one cheapest option per trial: the sort's first, month 1 unread
    if isinstance(month_1, _Month1):
        month_1 = month_1.all()
    order = np.lexsort((month_1, ranking), axis=0)  # sort by ranking cost, then month 1
    return order[0]


# --- inputs that move costs --------------------------------------------------------

Evaluator = Callable[[np.ndarray], tuple[list[str], np.ndarray, "_Month1"]]
TOKEN_FEES = {"workload.input_tokens_per_call": ("input tokens", "cached input tokens"),
              "workload.output_tokens_per_call": ("output tokens",)}


def _with_fees(model: CostModel, changed: tuple[str, ...], factor: float) -> CostModel:
    """The model (and its delivery bridge) with the `changed` token fees multiplied by `factor`."""
    bridge = model.bridge and _with_fees(model.bridge, changed, factor)
    fees = tuple((k, v * factor if k in changed else v) for k, v in model.fees_usd)
    return dataclasses.replace(model, fees_usd=fees, bridge=bridge)


@dataclass(frozen=True)
class _Base:
    """Each eligible option's (ranking, month-1) cost at today's inputs and at the ends of the inputs its
    cost is affine in, shared by every cost search: arrays of shape (2,) [USD]."""

    ids: tuple[str, ...]
    today: Mapping[int, np.ndarray]
    no_api_price: Mapping[int, np.ndarray]  # API prices x0
    no_gpu_price: Mapping[int, np.ndarray]  # accelerator prices x0
    no_volume: Mapping[int, np.ndarray]  # APIs only: no calls (the integration staff remain)


def _base(ctx: Context, apis_only: bool = False, memo: dict | None = None) -> _Base:
    """`_Base` of the eligible options; `apis_only`: of the APIs only (the rest left out of its maps), all a
    volume evaluation reads (a fleet's costs are evaluated at each volume, `_cost_evaluator`). `memo` keeps each
    model's costs by its value for the bases of one plan's scenario: the volume searches' plans at other volumes
    (`_at_volume`) keep every API and most fleets as they are."""
    s = ctx.scenario
    memo = {} if memo is None else memo
    ids = tuple(oid for oid in _eligible(ctx.options) if oid in ctx.models)
    kept = memo.get(("paths", id(s)))
    if kept is None:
        # four trials in one evaluation: today, API prices x0, accelerator prices x0, no volume
        api, gpu = np.array([1.0, 0.0, 1.0, 1.0]), np.array([1.0, 1.0, 0.0, 1.0])
        usage = np.array([1.0, 1.0, 1.0, 0.0])
        growth = np.full(4, s.finance.monthly_growth)
        kept = memo[("paths", id(s))] = (s, paths(s, s.finance.horizon_months, usage, np.ones(4), growth, api, gpu))
    p = kept[1]
    at = {}
    for i, oid in enumerate(ids):
        model = ctx.models[oid]
        if apis_only and model.kind not in API_KINDS:
            continue
        key = (model, id(s))  # the scenario is held under its own key above, so its id is not reused
        if key not in memo:
            memo[key] = np.stack(_ranking_costs(model, p, s))  # (2, 4)
            memo[key].setflags(write=False)  # shared by the bases of one plan
        at[i] = memo[key]
    return _Base(ids, {i: a[:, 0] for i, a in at.items()}, {i: a[:, 1] for i, a in at.items()},
                 {i: a[:, 2] for i, a in at.items()}, {i: a[:, 3] for i, a in at.items()})


def _cost_evaluator(ctx: Context, base: _Base, field: str) -> Evaluator:
    """For trial values of `field` (an array), each eligible option's ranking and month-1 cost.

    Costs that are affine in the input (every cost in a price multiplier: token fees x API price,
    rental and capex x accelerator price; an API's fees in its volume and its tokens per call) are
    extended exactly from two evaluations; the others (fleets, which grow in whole replicas, and
    growth, which compounds) are evaluated for every trial value at once.
    """
    s = ctx.scenario
    ids = list(base.ids)
    months = s.finance.horizon_months
    w = s.workload
    generated = ctx.demand.generated_tokens_per_call
    affine: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # option -> (costs at t=0, costs at t=1)
    for i, oid in enumerate(ids):
        model = ctx.models[oid]
        if field == "api_prices":
            affine[i] = (base.no_api_price[i], base.today[i])
        elif field == "gpu_prices":
            affine[i] = (base.no_gpu_price[i], base.today[i])
        elif field == "workload.daily_active_users" and model.kind in API_KINDS:
            affine[i] = (base.no_volume[i], base.today[i])
        elif field in TOKEN_FEES and (model.kind in API_KINDS or field == "workload.input_tokens_per_call"):
            if model.kind in API_KINDS or (model.bridge is not None and model.bridge.kind in API_KINDS):
                p = paths(s, months, np.ones(1), np.ones(1), np.array([s.finance.monthly_growth]), np.ones(1),
                          np.ones(1))
                affine[i] = (np.concatenate(_ranking_costs(_with_fees(model, TOKEN_FEES[field], 0.0), p, s)),
                             base.today[i])
            else:  # prompts are prefilled inside the first-token budget the fleet was sized for
                affine[i] = (base.today[i], base.today[i])
    general = [i for i in range(len(ids)) if i not in affine]
    # only a volume search moves the egress a fleet pays inside its fixed monthly cost
    egress = ({i: _egress_pair(ctx, oid) for i, oid in enumerate(ids)}
              if field == "workload.daily_active_users" else {})

    def evaluate(values: np.ndarray, among: list[int] | None = None) -> tuple[list[str], np.ndarray, _Month1]:
        n = len(values)
        t = values / (getattr(w, field.split(".")[1]) if field.startswith("workload.") else 1.0)
        rank = np.full((len(ids), n), np.inf)
        first = np.full((len(ids), n), np.inf)
        chosen = range(len(ids)) if among is None else among
        for i in chosen:
            if i in affine:
                at0, at1 = affine[i]
                # an owned fleet delivered after the horizon is never ranked (inf at both ends)
                rank[i] = at0[0] + (at1[0] - at0[0]) * t if np.isfinite(at1[0]) else np.inf
                first[i] = at0[1] + (at1[1] - at0[1]) * t
        todo = [i for i in general if i in chosen]
        pending: dict[int, Callable[[], np.ndarray]] = {}
        if todo:
            one = np.ones(n)
            usage, g = one, np.full(n, s.finance.monthly_growth)
            if field == "workload.daily_active_users":
                usage = t
            elif field == "workload.output_tokens_per_call":
                # a fleet carries generated tokens per second: longer outputs need proportionally more of it
                usage = (values + w.reasoning_tokens_per_call) / generated
            elif field == "finance.monthly_growth":
                g = values
            p = paths(s, months, usage, one, g, one, one)
            for i in todo:
                rank[i], month_1 = _ranking_costs(ctx.models[ids[i]], p, s, lazy=True)
                own = None
                if field == "workload.daily_active_users":
                    # the text streamed back grows with the calls (a rented fleet's egress, a fixed monthly
                    # figure in its cost model at today's volume), an owned fleet's delivery bridge's too
                    own, bridged = egress[i]
                    if s.finance.decide_on == "horizon_total":
                        rank[i] += (own * months + bridged) * (usage - 1.0)
                    else:
                        rank[i] += own * (usage - 1.0)
                if callable(month_1):
                    pending[i] = functools.partial(_with_egress, first, i, month_1, own, usage)
                else:
                    _with_egress(first, i, month_1, own, usage)
        return ids, rank, _Month1(first, pending)

    return evaluate


def _with_egress(first: np.ndarray, i: int, month_1, own_usd: float | None, usage) -> np.ndarray:
    """Row `i` of `first`: the month-1 cost (an array, or a function giving it) with a volume search's egress
    above today's (`own_usd` None: not a volume search)."""
    first[i] = month_1() if callable(month_1) else month_1
    if own_usd is not None:
        first[i] += own_usd * (usage - 1.0)
    return first[i]


def _egress_usd(model: CostModel, option: Option, dem: Demand) -> float:
    """A rented fleet's egress this month (inside its fixed monthly cost) [USD]; 0 for the others."""
    if model.kind != "cloud" or option.sizing is None:
        return 0.0
    return storage_and_egress_usd(option.sizing, dem) - storage_and_egress_usd(option.sizing, _no_output(dem))


def _egress_pair(ctx: Context, oid: str) -> tuple[float, float]:
    """(the option's own egress per month, its delivery bridge's egress over the months it serves) [USD]."""
    model = ctx.models[oid]
    own = _egress_usd(model, ctx.options[oid], ctx.demand)
    bridge = model.bridge
    if bridge is None or bridge.option_id not in ctx.options:
        return own, 0.0
    months = min(model.lead_months, ctx.scenario.finance.horizon_months)
    return own, _egress_usd(bridge, ctx.options[bridge.option_id], ctx.demand) * months


@functools.lru_cache(maxsize=64)
def _no_output(dem: Demand) -> Demand:
    return dataclasses.replace(dem, output_tokens_per_day=0.0)


# Options within this share of the cheapest at a bracket's ends are ranked again inside it; the others
# cannot overtake both ends' winners within a bracket 1/GRID of the span wide.
CONTENDER_MARGIN = 0.10


def _contenders(rank: np.ndarray, columns: list[int]) -> list[int]:
    at = rank[:, columns]
    return np.flatnonzero((at <= at.min(axis=0) * (1 + CONTENDER_MARGIN)).any(axis=1)).tolist()


def _search_costs(ctx: Context, base: _Base, field: str, current: float, low: float, high: float,
                  geometric: bool, whole: bool = False) -> Flip | None:
    """The nearest value either side of `current` at which the winner changes: a grid each way (both in
    one evaluation), then finer grids, of the contenders, inside the first bracket where the winner
    differs. `whole`: the input is a count (users, tokens), searched to the unit."""
    evaluate = _cost_evaluator(ctx, base, field)
    sides = [(d, end) for d, end in (("below", low), ("above", high)) if (end < current if d == "below" else
                                                                          end > current)]
    if not sides or not base.ids:
        return None
    grids = [_grid(current, end, geometric, whole) for _, end in sides]
    ids, rank_all, first_all = evaluate(np.concatenate(grids))
    wins = _winners(ids, rank_all, first_all)
    best: tuple[float, Flip] | None = None
    start = 0
    for j, (direction, _) in enumerate(sides):
        near, far, grid, among = current, current, grids[j], None
        cols = slice(start, start + len(grid))
        start += len(grid)
        rank, month_1, win = rank_all[:, cols], first_all.columns(cols), wins[cols]
        found = None
        for step in range(PASSES + 4 * whole + (not geometric)):
            if step:
                if (whole and abs(far - near) <= 1) or (not whole and step >= PASSES + (not geometric)):
                    break
                grid = _grid(near, far, geometric, whole)
                _, rank, month_1 = evaluate(grid, among)
                win = _winners(ids, rank, month_1)
            changed = [k for k, i in enumerate(win) if ids[i] != ctx.recommended]
            if not changed:
                break  # a finer grid found no change: keep the coarser bracket
            k = changed[0]
            found = (ids[win[k]], float(month_1.row(win[k])[k]))
            among = _contenders(rank, [k - 1, k] if k > 0 else [k])
            among = sorted(set(among) | {ids.index(ctx.recommended)} if ctx.recommended in ids else set(among))
            near, far = (grid[k - 1] if k > 0 else near), grid[k]
        if found is None:
            continue
        value = float(near)  # the boundary: the last value tried that keeps today's answer
        distance = abs(math.log(value / current)) if geometric else abs(value - current)
        flip = Flip(field, value, found[0], direction, current, ctx.options[found[0]].name, found[1])
        if best is None or distance < best[0]:
            best = (distance, flip)
    return best[1] if best else None


def _grid(near: float, far: float, geometric: bool, whole: bool = False) -> np.ndarray:
    """GRID trial values from just beyond `near` to `far`; for a count, whole units (every one of them
    once the bracket holds no more than GRID)."""
    if whole:
        step = 1.0 if far > near else -1.0
        if abs(far - near) <= GRID:
            return np.arange(near + step, far + step / 2, step)
        values = np.unique(np.round(_grid(near, far, geometric)))
        values = values[(values - near) * step > 0]
        return values if step > 0 else values[::-1]
    steps = np.arange(1, GRID + 1) / GRID
    if geometric:
        return near * (far / near) ** steps
    return near + (far - near) * steps


# --- latency targets -----------------------------------------------------------------

def _with_target(s: Scenario, field: str, value: float) -> Scenario:
    latency = dataclasses.replace(s.latency, **{field.split(".")[1]: float(value)})
    return dataclasses.replace(s, latency=latency)


def _beyond(option: Option, field: str, target: float) -> bool:
    """The option's delivered figure misses `target` (unknown figures count as missing)."""
    if field == "latency.ttft_p95_ms":
        return option.ttft_ms is None or option.ttft_ms > target
    speed = option.output_tokens_per_s_per_user
    return speed is None or speed < target


def _delivered(option: Option, field: str) -> float | None:
    return option.ttft_ms if field == "latency.ttft_p95_ms" else option.output_tokens_per_s_per_user


def _search_target(ctx: Context, field: str, ranked: dict | None = None) -> Flip | None:
    """Tighten one latency target just past the recommended option's delivered figure and rank again;
    repeat (up to RESIZE_STEPS) while the re-sized recommendation still wins.

    Tightening only makes options dearer or drops them, so each ranking is lazy: an option whose figure
    misses the trial target is re-sized only when it would win (or bridge the winner's delivery) on its
    current cost, which is then a lower bound of its cost at the trial target. `ranked`: the rankings' memo
    (`_rank`), shared by the searches of one plan.
    """
    s = ctx.scenario
    current = getattr(s.latency, field.split(".")[1])
    tighter = -1.0 if field == "latency.ttft_p95_ms" else 1.0
    low, high, _ = BOUNDS[field]
    options = dict(ctx.options)
    models = {oid: steady_state(m) for oid, m in ctx.models.items()}
    winner = ctx.recommended
    ranked = {} if ranked is None else ranked  # every ranking below prices on today's scenario `s`
    for _ in range(RESIZE_STEPS):
        figure = _delivered(options[winner], field)
        if figure is None:
            return None
        trial = figure * (1.0 + tighter * NUDGE)
        if not low <= trial <= high:
            return None
        trial_scenario = _with_target(s, field, trial)
        for oid, o in list(options.items()):
            if o.usable and o.kind in API_KINDS and _beyond(o, field, trial):
                # an API's figures do not move with the target: it drops out
                options[oid] = dataclasses.replace(o, meets_slo=False)
                models.pop(oid, None)
        resized: set[str] = set()
        while True:
            bridged = with_delivery_lead(models, options)
            new = _rank(options, bridged, s, ranked)
            if new is None:
                return None
            bridge = bridged[new].bridge
            pending = {options[oid].hardware for oid in (new, bridge.option_id if bridge else None)
                       if oid and _beyond(options[oid], field, trial) and options[oid].hardware not in resized}
            if not pending:
                break
            for hardware in sorted(pending):
                _resize(ctx, hardware, trial_scenario, options, models)
                resized.add(hardware)
        if new != ctx.recommended:
            return Flip(field, float(figure), new, "below" if tighter < 0 else "above", float(current),
                        options[new].name, float(options[new].monthly_tco_usd))
        winner = new
    return None


def _resize(ctx: Context, hardware: str, s: Scenario, options: dict, models: dict,
            sized: HardwareOption | None = None) -> None:
    """Size one accelerator for the trial scenario (or take `sized`, done already) and replace its rented and
    owned options."""
    if sized is None:
        hw = ctx.catalog.get_hardware(hardware)
        sized = size_hardware(ctx.catalog, hw, ctx.catalog.get_model(s.model.id), s, ctx.demand)
    for o in self_hosted_options(ctx.catalog, sized, s, ctx.demand, details=False):
        if o.id not in options:
            continue
        options[o.id] = o
        m = build_cost_model(o, ctx.catalog, s, ctx.demand)
        if m is None:
            models.pop(o.id, None)
        else:
            models[o.id] = steady_state(m)


# What a replica is: the same at two volumes, its cost models differ only in the count of replicas.
_REPLICA_FIELDS = ("feasible", "stack", "precision", "kv_precision", "tensor_parallel", "pipeline_parallel",
                   "accelerators_per_replica", "batch_size", "ttft_ms", "tpot_ms", "output_tokens_per_s_per_replica")


def _replica(sized: HardwareOption) -> tuple:
    return tuple(getattr(sized, f) for f in _REPLICA_FIELDS)


def _rank(options: Mapping[str, Option], models: Mapping[str, CostModel], s: Scenario,
          memo: dict | None = None) -> str | None:
    """The recommendation among `options` priced by `models`. `memo` keeps each model's costs by its value
    (cost models are frozen records) for rankings of the same scenario: a search re-ranks after re-sizing one
    accelerator, and every other option's model is the same, or an equal one (an owned model given its
    delivery bridge again, `with_delivery_lead`), as are most models of the next latency search."""
    ids = [oid for oid in _eligible(options) if oid in models]
    if not ids:
        return None
    p = _one_path(s)
    costs = []
    for oid in ids:
        model = models[oid]
        hit = memo.get(model) if memo is not None else None
        if hit is None:
            hit = list(_ranking_costs(model, p, s, lazy=True))  # [ranking cost, month 1 or the function giving it]
            if memo is not None:
                memo[model] = hit
        costs.append(hit)
    rank = np.array([c[0] for c in costs])
    first = np.full(rank.shape, np.nan)
    pending = {}
    for i, hit in enumerate(costs):
        if callable(hit[1]):
            pending[i] = functools.partial(_read_month_1, hit)
        else:
            first[i] = hit[1]
    return ids[int(_winners(ids, rank, _Month1(first, pending))[0])]


def _read_month_1(hit: list) -> np.ndarray:
    """A memoised (ranking cost, month 1) pair's month 1, worked out on its first read and kept."""
    if callable(hit[1]):
        hit[1] = hit[1]()
    return hit[1]


_LAST_ONE_PATH: tuple = (None, None)  # (scenario, its one path): the rankings of one plan's latency searches


def _one_path(s: Scenario):
    """Today's path of `s`, one sample (the same numbers every time: kept for the last scenario asked)."""
    global _LAST_ONE_PATH
    last = _LAST_ONE_PATH
    if last[0] is s:
        return last[1]
    one = np.ones(1)
    p = paths(s, s.finance.horizon_months, one, one, np.array([s.finance.monthly_growth]), one, one)
    _LAST_ONE_PATH = (s, p)  # swapped whole (safe across threads); holds `s`, so its id is not reused
    return p


# --- all inputs --------------------------------------------------------------------

def what_flips(ctx: Context) -> tuple[Flip, ...]:
    """For each input of FLIP_FIELDS, the nearest value at which another option is recommended
    (inputs with no such value inside the searched span are left out)."""
    if ctx.recommended is None or ctx.recommended not in ctx.models:
        return ()
    s, w = ctx.scenario, ctx.scenario.workload
    at_volume = _Volumes()  # the plan re-sized at daily volumes: confirming and anchoring meet the same ones
    base = _base(ctx, memo=at_volume.bases)
    context = ctx.catalog.get_model(s.model.id).max_context_tokens
    flips = []
    ranked: dict = {}  # the latency searches' rankings, all on today's scenario (`_rank`)
    for field in FLIP_FIELDS:
        if field.startswith("latency."):
            flip = _search_target(ctx, field, ranked)
        elif field == "finance.monthly_growth":
            low = max(GROWTH_SPAN[0], BOUNDS[field][0])
            high = min(GROWTH_SPAN[1], BOUNDS[field][1])
            flip = _search_costs(ctx, base, field, s.finance.monthly_growth, low, high, geometric=False)
        elif field in ("api_prices", "gpu_prices"):
            flip = _search_costs(ctx, base, field, 1.0, 1.0 / SPAN, SPAN, geometric=True)
        else:
            current = float(getattr(w, field.split(".")[1]))
            low, high, _ = BOUNDS[field]
            if field in TOKEN_FEES and context:  # a call must fit the model's context window
                high = min(high, context - (w.input_tokens_per_call + w.output_tokens_per_call
                                            + w.reasoning_tokens_per_call - current))
            low, high = max(low, math.ceil(current / SPAN)), min(high, math.floor(current * SPAN))
            flip = _search_costs(ctx, base, field, current, low, high, geometric=True, whole=True)
        if flip is not None and field == "workload.daily_active_users" and not _confirmed(ctx, flip, at_volume):
            # search once more from cost models sized at the flip's volume, then confirm again
            anchored = _at_volume(ctx, flip.value, at_volume)
            flip = _search_costs(anchored, _base(anchored, memo=at_volume.bases), field, flip.current, low, high,
                                 geometric=True, whole=True)
            flip = flip if flip is not None and _confirmed(ctx, flip, at_volume) else None
        if flip is not None:
            flips.append(flip)
    return tuple(flips)


@dataclass
class _Volumes:
    """What the volume searches of one plan have re-sized: the plan at each daily volume (by whole users), and
    each accelerator's options and cost models by the replica sized (the same replica at two volumes has the
    same options and cost models, written per today's volume, so it is built once)."""

    contexts: dict[int, Context] = dataclasses.field(default_factory=dict)
    fleets: dict[tuple, tuple] = dataclasses.field(default_factory=dict)  # (hw, replica) -> ((id, option, model), ...)
    bases: dict = dataclasses.field(default_factory=dict)  # `_base`'s memo: the plans at every volume share it


def _confirmed(ctx: Context, flip: Flip, memo: _Volumes | None = None) -> bool:
    """A volume flip holds once every self-hosted fleet is sized at the flip's own volume: sizing picks each
    accelerator's configuration for the fleet it needs (fewer, larger replicas pay off at scale), which the
    cost models, built at today's volume, do not follow. The replica search does not depend on volume and
    is memoised, so this costs two rankings, not two plans."""
    step = -1.0 if flip.direction == "below" else 1.0
    return (_volume_winner(ctx, flip.value, memo) == ctx.recommended
            and _volume_winner(ctx, flip.value + step, memo) == flip.option_id)


def _volume_winner(ctx: Context, users: float, memo: _Volumes | None = None) -> str | None:
    """The recommendation at another daily volume, every fleet sized for it."""
    light = _at_volume(ctx, users, memo)
    ids, rank, first = _cost_evaluator(light, _base(light, apis_only=True, memo=memo and memo.bases),
                                       "workload.daily_active_users")(np.array([users]))
    return ids[int(_winners(ids, rank, first)[0])] if ids else None


def _at_volume(ctx: Context, users: float, memo: _Volumes | None = None) -> Context:
    """The plan's options with every self-hosted fleet sized at another daily volume, their cost models
    written per today's volume (the searches measure volume from today's): the configuration sized
    there, today's peak, today's egress. `memo` keeps the answers of one `ctx`."""
    if memo is None:
        memo = _Volumes()
    if int(users) in memo.contexts:
        return memo.contexts[int(users)]
    s = ctx.scenario
    s2 = dataclasses.replace(s, workload=dataclasses.replace(s.workload, daily_active_users=int(users)))
    dem2 = demand(s2)
    options = dict(ctx.options)
    models = {oid: steady_state(m) for oid, m in ctx.models.items()}
    light = Context(s2, ctx.catalog, dem2, options, models, ctx.recommended)
    model = ctx.catalog.get_model(s.model.id)
    # an owned fleet over a power cap is refused at its own size: there the options depend on the volume
    by_replica = s.constraints.power_cap_kw is None
    for hw in sorted({options[oid].hardware for oid in _eligible(ctx.options) if options[oid].kind not in API_KINDS}):
        today = next((o.sizing for o in ctx.options.values() if o.hardware == hw and o.sizing is not None), None)
        sized = size_hardware(ctx.catalog, ctx.catalog.get_hardware(hw), model, s2, dem2)
        if by_replica and today is not None and _replica(sized) == _replica(today):
            # the same replica sized at another volume: its cost models, written per today's volume as below,
            # are today's (only the count of replicas moved, and that is what the cost models compute)
            continue
        key = (hw, _replica(sized))
        if by_replica and key in memo.fleets:
            for oid, option, fleet_model in memo.fleets[key]:
                options[oid] = option
                if fleet_model is None:
                    models.pop(oid, None)
                else:
                    models[oid] = fleet_model
            continue
        _resize(light, hw, s2, options, models, sized)
        # every variant (rented, reserved base + burst, owned): the searches move volume from today's
        for oid in [oid for oid, o in options.items() if o.hardware == hw and oid in models and o.sizing is not None]:
            m = models[oid]
            models[oid] = dataclasses.replace(
                m, peak_calls_per_s=ctx.demand.peak_calls_per_s,
                fixed_usd=storage_and_egress_usd(options[oid].sizing, ctx.demand) if m.kind == "cloud" else m.fixed_usd)
        memo.fleets[key] = tuple((oid, o, models.get(oid)) for oid, o in options.items() if o.hardware == hw)
    memo.contexts[int(users)] = Context(s, ctx.catalog, ctx.demand, options, with_delivery_lead(models, options),
                                       ctx.recommended)
    return memo.contexts[int(users)]
