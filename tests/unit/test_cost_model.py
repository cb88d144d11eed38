"""One fleet rule (capacity/fleet.py) and one cost formula (money/cost_model.py), checked by hand."""
import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from engine.capacity import fleet
from engine.capacity.demand import demand
from engine.money.cost_model import (DAYS_PER_MONTH, HOURS_PER_MONTH, STAFF, assumption, cost_components, cost_model, fleet_accelerators, purchase_unit,
                                     month_one_usd, monthly_costs, paths)
from engine.plan import plan
from engine.roadmap.build import Evaluator, Target
from engine.scenario.schema import Finance, Scenario, Workload

pytestmark = pytest.mark.unit
PRICE_DATE = dt.date(2026, 11, 25)
PRESETS = Path(__file__).resolve().parents[2] / "presets"


@pytest.fixture(scope="module")
def small():
    """2,000 users x 4 queries x 3 agent calls = 24,000 calls a day (peak 0.83 calls/s), default finance."""
    return plan(Scenario(workload=Workload(daily_active_users=2_000)), price_date=PRICE_DATE, with_roadmap=False)


# --- the fleet rule ----------------------------------------------------------------

def test_headroom_and_spares_are_whole_replicas_on_top_of_the_peak():
    # 9 calls/s on replicas of 3: the peak needs 3; +50% headroom is 13.5 / 3 = 4.5 -> 5
    assert fleet.replicas(9.0, 3.0, 0.5, 0) == (3, 5)
    # no headroom, N+2 spares
    assert fleet.replicas(9.0, 3.0, 0.0, 2) == (3, 5)
    # 10 x 1.2 / 3 = 4.0 exactly: four replicas carry it, the fifth is the spare
    assert fleet.replicas(10.0, 3.0, 0.2, 1) == (4, 5)


def test_a_fleet_is_never_empty():
    assert fleet.replicas(0.0, 3.0, 0.2, 0) == (1, 1)
    assert fleet.accelerators(0.0, 3.0, 0.2, 0, per_replica=4) == 4


def test_float_noise_does_not_buy_a_replica():
    # (0.1 + 0.2) / 0.1 = 3.0000000000000004: the 1e-9 epsilon keeps it at 3 replicas
    assert math.ceil((0.1 + 0.2) / 0.1) == 4
    assert fleet.replicas(0.1 + 0.2, 0.1, 0.0, 0) == (3, 3)


def test_owners_buy_whole_purchase_units():
    assert fleet.whole_units(5, 8) == 8
    assert fleet.whole_units(8, 8) == 8
    assert fleet.whole_units(9, 8) == 16
    assert fleet.whole_units(3, 1) == 3  # PCIe cards one at a time
    # 5 replicas of 2 accelerators = 10 -> two 8-GPU baseboards
    assert fleet.accelerators(9.0, 3.0, 0.5, 0, per_replica=2, unit=8) == 16


def test_scalar_and_array_give_the_same_fleet():
    loads = np.array([0.0, 0.1 + 0.2, 2.999, 3.0, 3.0001, 9.0, 10.0, 47.3])
    exact, installed = fleet.replicas(loads, 3.0, 0.2, 1)
    bought = fleet.accelerators(loads, 3.0, 0.2, 1, per_replica=2, unit=8)
    for i, load in enumerate(loads):
        one = fleet.replicas(float(load), 3.0, 0.2, 1)
        assert all(type(n) is int for n in one)
        assert one == (exact[i], installed[i])
        assert fleet.accelerators(float(load), 3.0, 0.2, 1, per_replica=2, unit=8) == bought[i]


def test_sizing_and_the_cost_model_agree_on_the_fleet(small, catalog):
    """Pricing the accelerators sizing installed gives the option's month 1: the cost formula's
    fleet at today's peak is sizing's fleet (owned: in whole purchase units)."""
    priced = 0
    for o in small.options:
        if o.kind in ("cloud", "owned") and o.feasible:
            m = cost_model(o, catalog, small.scenario, small.demand)
            if o.kind == "owned":  # a rented fleet following the day is billed below its peak size
                assert month_one_usd(m, accelerators=o.accelerators) == dict(o.components_usd), o.id
            assert fleet_accelerators(m) == o.accelerators, o.id
            hw = catalog.get_hardware(o.hardware)
            unit = purchase_unit(hw, o.sizing.accelerators_per_replica) if o.kind == "owned" else 1
            # owned: N+1 whole servers (failure units), at least what sizing installed
            assert o.accelerators >= fleet.whole_units(o.sizing.accelerators, unit)
            assert o.accelerators == fleet.accelerators(
                small.demand.peak_calls_per_s, m.calls_per_s_per_replica, m.headroom, m.spares,
                m.accelerators_per_replica, unit, m.failure_domains)
            priced += 1
    assert priced > 10


# --- month 1 is the cost formula at month 0 ---------------------------------------

def test_api_month_one_by_hand(small):
    # Together: Llama 3.3 70B Turbo at $0.88 per million tokens in and out, no cache discount
    # (genai-prices 0.2.3); 24,000 calls/day x 1,500 input (600 of them a shared prefix) + 300 output.
    o = small.option("api:together:llama-3.3-70b")
    mtok = 24_000 * DAYS_PER_MONTH / 1e6
    assert dict(o.components_usd) == pytest.approx({
        "input tokens": mtok * 900 * 0.88,
        "cached input tokens": mtok * 600 * 0.88,
        "output tokens": mtok * 300 * 0.88,
        "reasoning tokens": 0.0,
        STAFF: 0.1 * 200_000 / 12,  # cost_assumptions.yaml ops_engineers_api, default engineer cost
    }, rel=1e-12)
    assert list(o.components_usd) == ["input tokens", "cached input tokens", "output tokens", "reasoning tokens",
                                      STAFF]
    assert o.monthly_tco_usd == pytest.approx(sum(o.components_usd.values()), rel=1e-15)


def test_owned_month_one_by_hand(small):
    o = small.option("owned:h100-sxm")
    s = o.sizing
    per_replica = s.output_tokens_per_s_per_replica / 300  # calls/s one replica carries
    peak = 0.8333333333333334
    replicas = max(math.ceil(peak * 1.2 / per_replica - 1e-9) + 1, 1)  # 20% headroom, N+1 (three nines)
    # 3 one-GPU replicas: one H100 holds 17 sequences of this shape, and under Poisson arrivals a batch of 11
    # keeps the p95 wait for a free one within the TTFT target (perf.slot_wait_s; 16 before, 2 replicas)
    assert replicas * s.accelerators_per_replica == s.accelerators == 3
    # one 4-GPU HGX H100 server carries the load, plus one spare server (N+1 servers, three nines);
    # server_units.yaml: H100 SXM also ships on 4-GPU boards (Dell XE8640, Fujitsu GX2560M7 in MLPerf v4.1)
    n = 8
    assert o.accelerators == n
    capex = n * 27_500 * (1 + 0.37 + 0.11)  # H100 price + server and network shares (cost_assumptions.yaml)
    assert dict(o.components_usd) == pytest.approx({
        "hardware (amortized)": capex / (4 * 12),
        # IT kW = SemiAnalysis all-in 1.73 kW / its 1.25 facility overhead; x PUE 1.3, $0.12/kWh
        "power": n * 1.73 / 1.25 * 1.3 * 0.12 * HOURS_PER_MONTH,
        "space": n * 1.73 / 1.25 * 194.95,  # colocation per IT kW-month
        "maintenance": capex * 0.05 / 12,
        "software licences": 0.0,
        STAFF: 2.0 * 200_000 / 12,  # a 24x7 on-call rotation (three nines): 8 engineers x 25%
    }, rel=1e-12)
    assert list(o.components_usd) == ["hardware (amortized)", "power", "space", "maintenance", "software licences",
                                      STAFF]


def test_month_one_is_the_horizon_formula_at_unit_multipliers(small, catalog):
    """What the horizon, break-even and Monte Carlo evaluate gives every option's month 1 (for
    owned options the steady state, without the delivery bridge)."""
    one = np.ones(1)
    unit = paths(small.scenario, 1, one, one, np.zeros(1), one, one)
    for o in small.options:
        m = cost_model(o, catalog, small.scenario, small.demand)
        if m is None:
            continue
        components = cost_components(m, unit)
        assert list(components) == list(o.components_usd), o.id
        for name, usd in components.items():
            assert usd.shape == (1, 1) and float(usd[0, 0]) == pytest.approx(o.components_usd[name], rel=1e-12)
        assert month_one_usd(m) == pytest.approx(dict(o.components_usd), rel=1e-12)
        assert float(monthly_costs(m, unit)[0, 0]) == pytest.approx(o.monthly_tco_usd, rel=1e-12)


@pytest.mark.parametrize("pricing", ["on_demand", "reserved_3y"])
def test_monthly_costs_are_the_sum_of_the_components(catalog, pricing):
    s = Scenario(workload=Workload(daily_active_users=20_000), finance=Finance(pricing=pricing, monthly_growth=0.08))
    p = plan(s, price_date=PRICE_DATE, with_roadmap=False)
    rng = np.random.default_rng(7)
    n = 50
    sampled = paths(s, 36, rng.uniform(0.5, 2, n), rng.uniform(0.8, 1.5, n), rng.uniform(0, 0.1, n),
                    rng.uniform(0.5, 1.2, n), rng.uniform(0.6, 1.1, n))
    kinds = set()
    for o in p.options:
        m = cost_model(o, catalog, s, p.demand)
        if m is None:
            continue
        kinds.add(o.kind)
        total = sum(cost_components(m, sampled).values())
        assert monthly_costs(m, sampled) == pytest.approx(total, rel=1e-12), o.id
    assert {"api", "cloud", "owned"} <= kinds


# --- the roadmap's shared owned fleet ------------------------------------------------

def test_routing_on_an_owned_fleet_is_the_cost_formula_at_the_combined_fleet(catalog):
    """regulated-on-prem on owned MI300X with routing: the main model's replicas and the small
    model's share one fleet, bought in whole 8-GPU baseboards, run by one team."""
    s = Scenario.from_yaml((PRESETS / "regulated-on-prem.yaml").read_text())
    routed = dataclasses.replace(s, levers=dataclasses.replace(s.levers, route_to_small_model=True))
    cost, parts = Evaluator(catalog, PRICE_DATE).cost(routed, Target("owned", "mi300x"))
    main, easy = parts
    needed = main.sizing.accelerators + easy.sizing.accelerators
    bought = fleet.whole_units(needed, 8)
    assert bought < main.accelerators + easy.accelerators  # one baseboard for both, not one each
    owned = cost_model(main, catalog, s, demand(s))
    assert cost == sum(month_one_usd(owned, accelerators=needed).values())
    # by hand: every non-staff component is per accelerator; one team, sized for the whole fleet
    per_accelerator = (main.monthly_tco_usd - main.components_usd[STAFF]) / main.accelerators
    staff_fte = max(assumption("ops_oncall_24x7_fte"),  # four nines: a 24x7 rotation
                    bought / 1000 * assumption("ops_engineers_per_1000_accelerators_owned"))
    assert cost == pytest.approx(per_accelerator * bought + staff_fte * s.finance.engineer_cost_usd_per_year / 12,
                                 rel=1e-12)


def test_an_owned_fleet_arriving_after_the_horizon_installs_nothing_on_a_monte_carlo():
    # a Monte Carlo's thousands of paths, with the delivery past the last month: no month to accumulate over
    # (hypothesis found a one-month horizon with a purchase lead time, IndexError before)
    import numpy as np

    from engine.money.cost_model import _installed

    need = np.ones((2000, 1))
    assert _installed(need, 1).shape == (2000, 1) and not _installed(need, 1).any()
    assert (_installed(need, 0) == 1).all()
