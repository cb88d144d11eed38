"""Issue 14, the rest of rules 1, 2, 7, 8 and 10: each checked on a case computed by hand.

1. your own rental quote per accelerator replaces the catalog everywhere;
2. the same rules both ways: prefix caching by default, on-demand fleets follow the day, a reserved base
   with on-demand burst, a yearly software gain on self-hosted throughput;
7. offline work finishes inside its window; batch APIs only where the window allows their turnaround;
8. smaller servers (4-GPU HGX H100) and the idle capacity an owner has paid for;
10. joules per token, tokens/s per kW and a power cap.
"""
import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

from engine.capacity.demand import daily_shape, demand
from engine.capacity.sizing import caches_prefixes
from engine.money.cost_model import (HOURS_PER_MONTH, CostModel, Paths, accelerator_hours_per_month, assumption,
                                     fleet_accelerators, it_power_kw, monthly_costs, purchase_unit,
                                     spare_load_fraction)
from engine.plan import plan
from engine.scenario.schema import Constraints, Finance, Levers, Scenario, Workload

pytestmark = pytest.mark.unit
PRICE_DATE = dt.date(2026, 11, 25)


def _plan(**sections):
    return plan(Scenario(**sections), price_date=PRICE_DATE, with_roadmap=False)


# --- 1. your own quote per accelerator -------------------------------------------------------

def test_an_accelerator_quote_replaces_the_catalog_price_in_month_horizon_and_monte_carlo():
    quoted = _plan(finance=Finance(accelerator_quote_usd_per_hour=("h100-sxm:1.5",)))
    o = quoted.option("cloud:h100-sxm")
    # the rental is the quote x the accelerator-hours paid (catalog on-demand is $3.00)
    assert o.components_usd["accelerator rental"] == pytest.approx(o.accelerator_hours_per_month * 1.5)
    assert o.basis.startswith("your quote: $1.50")
    assert quoted.horizon.costs_usd(o.id)[0] == pytest.approx(o.monthly_tco_usd)
    listed = _plan().option("cloud:h100-sxm")
    assert listed.components_usd["accelerator rental"] == pytest.approx(listed.accelerator_hours_per_month * 3.0)
    # the Monte Carlo's unmoved base is the horizon's average month, on the quote
    base = quoted.uncertainty.options[o.id].base_usd
    assert base == pytest.approx(np.mean(quoted.horizon.costs_usd(o.id)))
    assert base < _plan().uncertainty.options[o.id].base_usd


def test_a_quote_for_an_unknown_accelerator_is_refused_with_the_field_named():
    with pytest.raises(ValueError, match=r"finance.accelerator_quote_usd_per_hour: 'h999' is not an accelerator"):
        _plan(finance=Finance(accelerator_quote_usd_per_hour=("h999:1.5",)))


# --- 2. the same rules both ways -------------------------------------------------------------

def test_vllm_sglang_and_tensorrt_llm_reuse_prefixes_by_default():
    s = Scenario()
    assert all(caches_prefixes(stack, s) for stack in ("vllm", "sglang", "tensorrt-llm"))
    assert not caches_prefixes("naive", s)
    assert caches_prefixes("naive", Scenario(levers=Levers(prefix_caching=True)))  # the lever forces it on


def test_the_daily_shape_has_the_scenario_peak_and_an_average_of_one():
    # r = 1.5: a sinusoid 1 + 0.5 cos(2 pi h / 24): peak 1.5 at hour 0, trough 0.5 at hour 12
    shape = daily_shape(1.5)
    assert shape[0] == pytest.approx(1.5) and shape[12] == pytest.approx(0.5) and shape[6] == pytest.approx(1.0)
    assert sum(shape) / 24 == pytest.approx(1.0)
    # r = 3: a raised cosine whose average is 1, peak 3, trough 0
    shape = daily_shape(3.0)
    assert max(shape) == pytest.approx(3.0) and min(shape) == pytest.approx(0.0) and sum(shape) / 24 == pytest.approx(1.0)


def _rented(shares=(), base_usd=0.0, **kw):
    fields = dict(peak_calls_per_s=10.0, calls_per_s_per_replica=1.0, headroom=0.0, spares=0,
                  accelerators_per_replica=1, rental_usd_per_accelerator_month=2.0 * HOURS_PER_MONTH,
                  hourly_load_share=shares, reserved_base_usd_per_accelerator_month=base_usd)
    fields.update(kw)
    return CostModel("cloud:x", "cloud", **fields)


def test_an_on_demand_fleet_follows_the_day_hour_by_hour():
    # 10 calls/s at peak, 1 call/s per one-accelerator replica, r = 1.5. Each hour the fleet carries the
    # busier end of the hour: ceil(10 x max(s(h), s(h+1)) / 1.5); the month pays their average x 730 h.
    shape = daily_shape(1.5)
    shares = tuple(x / 1.5 for x in shape)
    hourly = [math.ceil(10 * max(shares[h], shares[(h + 1) % 24]) - 1e-9) for h in range(24)]
    model = _rented(shares)
    assert fleet_accelerators(model) == 10  # sized for the peak
    assert accelerator_hours_per_month(model) == pytest.approx(sum(hourly) / 24 * HOURS_PER_MONTH)
    assert sum(hourly) / 24 < 10
    flat = _rented()
    assert accelerator_hours_per_month(flat) == 10 * HOURS_PER_MONTH  # reserved: the peak fleet all month


def test_the_fleet_keeps_its_minimum_at_every_hour():
    # r = 3 has a trough of 0: N+1 (one spare) and one replica per failure domain (2) stay up all night
    shares = tuple(x / 3.0 for x in daily_shape(3.0))
    model = _rented(shares, spares=1, failure_domains=2)
    hours = [fleet_accelerators(dataclasses.replace(model, peak_calls_per_s=10.0 * max(shares[h], shares[(h + 1) % 24]),
                                                    hourly_load_share=())) for h in range(24)]
    assert min(hours) == 2  # max(0 + 1 spare, 2 domains x 1 replica)
    assert accelerator_hours_per_month(model) == pytest.approx(sum(hours) / 24 * HOURS_PER_MONTH)


def test_a_reserved_base_with_on_demand_burst():
    # base: the quietest hour's fleet at the reserved price all month; burst: the rest on demand ($2.00/h)
    shares = tuple(x / 1.5 for x in daily_shape(1.5))
    hourly = [math.ceil(10 * max(shares[h], shares[(h + 1) % 24]) - 1e-9) for h in range(24)]
    base = min(hourly)
    model = _rented(shares, base_usd=1.2 * HOURS_PER_MONTH)
    month = monthly_costs(model, Paths(np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1))))[0, 0]
    rental = (sum(hourly) / 24 - base) * 2.0 * HOURS_PER_MONTH + base * 1.2 * HOURS_PER_MONTH
    assert month == pytest.approx(rental)


def test_plans_carry_a_reserved_base_option_and_accelerator_hours_on_every_rented_option():
    p = _plan()
    rented = [o for o in p.options if o.kind == "cloud" and o.feasible]
    assert rented and all(o.accelerator_hours_per_month and o.pricing for o in rented)
    burst = p.option("cloud:h100-sxm:reserved-base")
    assert burst.pricing == "reserved_base_burst" and "reserved" in burst.basis
    assert "reserved base" in burst.components_usd
    owned = p.option("owned:h100-sxm")
    assert owned.accelerator_hours_per_month == owned.accelerators * HOURS_PER_MONTH  # owned: sized for the peak


def test_software_gains_shrink_the_fleet_a_growing_load_needs():
    # default 0.18 a year (MLPerf Llama-2-70B Offline, the same GPU a year apart): throughput per accelerator
    # x 1.18^(m/12). A load growing exactly as fast needs the month-0 fleet every month.
    assert Finance().software_efficiency_gain_per_year == assumption("software_efficiency_gain_per_year_default")
    model = _rented(peak_calls_per_s=10.0)
    m = np.arange(24, dtype=float)
    gain = (1.18 ** (m / 12))[None, :]
    flat = monthly_costs(model, Paths(gain, np.ones((1, 24)), np.ones((1, 24)), gain))
    assert np.allclose(flat, 10 * 2.0 * HOURS_PER_MONTH)
    grown = monthly_costs(model, Paths(gain, np.ones((1, 24)), np.ones((1, 24)), None))
    assert grown[0, -1] == pytest.approx(math.ceil(10 * 1.18 ** (23 / 12)) * 2.0 * HOURS_PER_MONTH)


# --- 7. batch windows ------------------------------------------------------------------------

def test_offline_work_finishes_inside_its_window():
    # 100,000 documents a night, all offline: in an 8-hour window 100,000 / (8 x 3,600) = 3.472 calls/s;
    # in a 24-hour window 100,000 / 86,400 = 1.157 calls/s
    w = Workload(daily_active_users=100_000, queries_per_user_per_day=1.0, agent_calls_per_query=1.0,
                 offline_fraction=1.0, offline_window_hours=8.0)
    assert demand(Scenario(workload=w)).peak_calls_per_s == pytest.approx(100_000 / (8 * 3600), rel=1e-6)
    day = dataclasses.replace(w, offline_window_hours=24.0)
    assert demand(Scenario(workload=day)).peak_calls_per_s == pytest.approx(100_000 / 86_400, rel=1e-6)


def test_a_window_shorter_than_the_batch_turnaround_cannot_use_the_batch_api():
    assert assumption("batch_api_turnaround_hours") == 24
    day = _plan(workload=Workload(offline_fraction=0.5, offline_window_hours=24.0))
    batched = [o for o in day.options if o.api_quote and o.api_quote.batch_saving_usd > 0]
    assert batched
    night = _plan(workload=Workload(offline_fraction=0.5, offline_window_hours=8.0))
    for o in batched:
        late = night.option(o.id)
        assert late.api_quote.batch_saving_usd == 0
        assert late.monthly_tco_usd == pytest.approx(o.monthly_tco_usd + o.api_quote.batch_saving_usd)


# --- 8. smaller purchase units and idle capacity --------------------------------------------

def test_h100_owners_buy_4_gpu_servers_where_a_replica_fits(catalog):
    h100 = catalog.get_hardware("h100-sxm")
    assert purchase_unit(h100, 1) == 4 and purchase_unit(h100, 2) == 4 and purchase_unit(h100, 8) == 8
    assert purchase_unit(catalog.get_hardware("mi300x"), 1) == 8  # OAM: 8-GPU platforms only
    assert purchase_unit(catalog.get_hardware("rtx-pro-6000"), 1) == 1  # PCIe cards one at a time


def test_idle_capacity_is_the_load_an_owned_fleet_carries_at_no_extra_cost():
    # 1 call/s, 1 call/s per one-GPU replica, bought in 4-GPU servers: 4 installed carry 4 calls/s, 3x more
    model = CostModel("owned:x", "owned", peak_calls_per_s=1.0, calls_per_s_per_replica=1.0, purchase_unit=4)
    assert fleet_accelerators(model) == 4
    assert spare_load_fraction(model) == pytest.approx(3.0, abs=1e-6)
    # with 20% headroom and N+1 servers: 2 servers carry (2 - 1) x 4 / 1.2 = 3.33 calls/s
    model = dataclasses.replace(model, headroom=0.2, spares=1)
    assert fleet_accelerators(model) == 8
    assert spare_load_fraction(model) == pytest.approx(4 / 1.2 - 1, abs=1e-6)


def test_owned_options_say_how_much_more_load_they_carry():
    p = _plan()
    owned = [o for o in p.options if o.kind == "owned" and o.feasible]
    assert owned and all(o.spare_load_fraction is not None and o.spare_load_fraction >= 0 for o in owned)
    assert all(o.spare_load_fraction is None for o in p.options if o.kind != "owned")


# --- 10. energy and a power cap ---------------------------------------------------------------

def test_joules_per_token_and_tokens_per_s_per_kw(catalog):
    p = _plan()
    o = p.option("owned:h100-sxm")
    s = o.sizing  # H100 IT kW 1.73 / 1.25 = 1.384 per accelerator
    kw = 1.384 * s.accelerators_per_replica
    assert o.joules_per_token == pytest.approx(kw * 1000 / s.output_tokens_per_s_per_replica)
    assert o.tokens_per_s_per_kw == pytest.approx(s.output_tokens_per_s_per_replica / kw)
    assert o.it_power_kw == pytest.approx(o.accelerators * 1.384)
    for x in p.options:
        if x.kind in ("cloud", "owned") and x.feasible and it_power_kw(catalog.get_hardware(x.hardware)):
            assert x.joules_per_token > 0 and x.tokens_per_s_per_kw > 0


def test_a_power_cap_rules_out_owned_fleets_that_draw_more():
    free = _plan()
    capped = _plan(constraints=Constraints(power_cap_kw=12.0))
    for o in capped.options:
        if o.kind == "owned" and free.option(o.id).feasible:
            over = free.option(o.id).it_power_kw > 12.0
            assert o.feasible is not over, o.id
            if over:
                assert "constraints.power_cap_kw" in o.reason and "12 kW cap" in o.reason
    assert any(not o.feasible for o in capped.options if o.kind == "owned" and free.option(o.id).feasible)
    # a rented fleet draws the cloud's power, not the site's
    assert capped.option("cloud:h100-sxm").feasible


def test_plan_json_carries_the_issue_14_figures():
    d = _plan().to_dict()
    self_hosted = [o for o in d["options"] if o["kind"] in ("cloud", "owned") and o["feasible"]]
    for key in ("accelerator_hours_per_month", "failure_domains", "pricing"):
        assert all(o[key] is not None for o in self_hosted), key
    # energy wherever the catalog has a power figure (TPU, Inferentia and Trainium rows have none yet)
    powered = [o for o in self_hosted if o["it_power_kw"] is not None]
    assert len(powered) > 10 and all(o["joules_per_token"] and o["tokens_per_s_per_kw"] for o in powered)
    assert all(o["spare_load_fraction"] is not None for o in self_hosted if o["kind"] == "owned")
    assert "month" in d["break_even"] and "recommended_usd" in d["upfront_cash_usd"]


def test_the_monte_carlo_grid_matches_the_exact_hourly_fleet(monkeypatch):
    """Thousands of sampled loads read the day's fleet off a grid of loads: each month within 2% of the exact
    rule (a step of one accelerator drawn as a ramp), the average within 0.1%."""
    import engine.money.cost_model as cm
    shares = tuple(x / 3.0 for x in daily_shape(3.0))
    model = _rented(shares, base_usd=1.2 * HOURS_PER_MONTH, peak_calls_per_s=37.0, spares=1)
    rng = np.random.default_rng(1)
    volume = rng.uniform(0.5, 3.0, (400, 24))
    p = Paths(volume, np.ones((400, 24)), np.ones((400, 24)), None)
    gridded = monthly_costs(model, p)
    monkeypatch.setattr(cm, "_GRID_ABOVE", 10**9)
    exact = monthly_costs(model, p)
    assert volume.size > 4096
    assert np.allclose(gridded, exact, rtol=0.02)
    assert gridded.mean() == pytest.approx(exact.mean(), rel=0.001)
