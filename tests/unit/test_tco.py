"""Money: every option's components, formulas by hand, horizon and break-even."""
import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from engine.plan import plan
from engine.money.cost_model import cost_model, monthly_costs, paths
from engine.scenario.schema import Constraints, Finance, ModelChoice, Scenario, Workload
from engine.money.cost_model import DAYS_PER_MONTH, HOURS_PER_MONTH, assumption

pytestmark = pytest.mark.unit
PRICE_DATE = dt.date(2026, 11, 25)
PRESETS = sorted(Path(__file__).resolve().parents[2].joinpath("presets").glob("*.yaml"))


@pytest.fixture(scope="module")
def plans():
    return {p.stem: plan(Scenario.from_yaml(p.read_text()), price_date=PRICE_DATE) for p in PRESETS}


def test_hours_per_month_is_defined_once():
    assert HOURS_PER_MONTH == 8760 / 12


def test_total_equals_sum_of_components_for_every_option(plans):
    for name, p in plans.items():
        for o in p.options:
            assert o.monthly_tco_usd == pytest.approx(sum(o.components_usd.values())), (name, o.id)
            if o.feasible:
                assert o.monthly_tco_usd > 0
                assert all(v >= 0 for v in o.components_usd.values())


def test_unit_costs_by_hand(plans):
    p = plans["support-assistant"]
    o = p.recommended
    queries_month = 200_000 * DAYS_PER_MONTH
    assert o.cost_per_1k_queries_usd == pytest.approx(o.monthly_tco_usd / queries_month * 1000)
    assert o.cost_per_user_month_usd == pytest.approx(o.monthly_tco_usd / 50_000)
    generated_month = 600_000 * 300 * DAYS_PER_MONTH
    assert o.cost_per_million_output_tokens_usd == pytest.approx(o.monthly_tco_usd / generated_month * 1e6)


def test_api_fees_by_hand():
    # Together prices Llama 3.3 70B Turbo at $0.88 per million tokens in and out (genai-prices 0.2.3).
    # 600,000 calls/day x 1,500 input (40% cached, no cache discount at Together) and 300 output.
    p = plan(Scenario(), price_date=PRICE_DATE)
    o = p.option("api:together:llama-3.3-70b")
    month = DAYS_PER_MONTH
    assert o.components_usd["input tokens"] == pytest.approx(600_000 * 900 * month / 1e6 * 0.88)
    assert o.components_usd["cached input tokens"] == pytest.approx(600_000 * 600 * month / 1e6 * 0.88)
    assert o.components_usd["output tokens"] == pytest.approx(600_000 * 300 * month / 1e6 * 0.88)
    assert o.components_usd["operations staff"] == pytest.approx(0.1 * 200_000 / 12)


def test_reasoning_is_billed_as_output_and_batch_discount_applies_offline():
    base = Scenario(model=ModelChoice(id="claude-sonnet-4-5"))
    o = plan(base, price_date=PRICE_DATE).option("api:anthropic:claude-sonnet-4-5")
    thinking = dataclasses.replace(base, workload=dataclasses.replace(base.workload, reasoning_tokens_per_call=300))
    t = plan(thinking, price_date=PRICE_DATE).option("api:anthropic:claude-sonnet-4-5")
    # $15 per million output tokens; reasoning tokens at the same price
    assert t.components_usd["reasoning tokens"] == pytest.approx(t.components_usd["output tokens"])
    assert o.components_usd["output tokens"] == pytest.approx(600_000 * 300 * DAYS_PER_MONTH / 1e6 * 15)
    offline = dataclasses.replace(base, workload=dataclasses.replace(base.workload, offline_fraction=1.0))
    b = plan(offline, price_date=PRICE_DATE).option("api:anthropic:claude-sonnet-4-5")
    # Message Batches API: half price on every token type
    assert b.components_usd["output tokens"] == pytest.approx(o.components_usd["output tokens"] / 2)
    assert b.api_quote.batch_saving_usd > 0
    # cached input: Anthropic bills cache reads at $0.30 vs $3 per million
    assert o.components_usd["cached input tokens"] == pytest.approx(600_000 * 600 * DAYS_PER_MONTH / 1e6 * 0.3)


def test_cloud_and_owned_by_hand(plans):
    p = plans["support-assistant"]
    cloud = p.option("cloud:h100-sxm")
    # on-demand $3.00 per H100-hour x the accelerator-hours of a fleet that follows the day (below 730 h each)
    assert cloud.components_usd["accelerator rental"] == pytest.approx(cloud.accelerator_hours_per_month * 3.0)
    assert cloud.accelerator_hours_per_month < cloud.accelerators * 730
    owned = p.option("owned:h100-sxm")
    n = owned.accelerators  # whole 4- or 8-GPU HGX servers (server_units.yaml), sized for the peak
    assert n % 4 == 0 and n >= cloud.accelerators and owned.accelerator_hours_per_month == n * 730
    capex = n * 27_500 * (1 + 0.37 + 0.11)
    assert owned.components_usd["hardware (amortized)"] == pytest.approx(capex / (4 * 12))
    # IT kW: SemiAnalysis all-in 1.73 kW per H100 / 1.25 (its facility overhead) x PUE 1.3 x $0.12/kWh x 730 h
    assert owned.components_usd["power"] == pytest.approx(n * 1.73 / 1.25 * 1.3 * 0.12 * 730)
    assert owned.components_usd["space"] == pytest.approx(n * 1.73 / 1.25 * 194.95)
    assert owned.components_usd["maintenance"] == pytest.approx(capex * 0.05 / 12)
    assert owned.components_usd["software licences"] == 0  # open-source serving stacks by default
    # three nines: a 24x7 on-call rotation, 8 engineers x 25% = 2.0 FTE
    assert owned.components_usd["operations staff"] == pytest.approx(2.0 * 200_000 / 12)


def test_software_licence_applies_to_rented_and_owned_nvidia_alike():
    s = Scenario(finance=Finance(software_licence_usd_per_accelerator_year=4500))
    p = plan(s, price_date=PRICE_DATE, with_roadmap=False)
    for oid in ("cloud:h100-sxm", "owned:h100-sxm"):
        o = p.option(oid)  # per accelerator-hour paid: a rented fleet that follows the day pays for fewer
        assert o.components_usd["software licences"] == pytest.approx(o.accelerator_hours_per_month / 730 * 4500 / 12)
    assert p.option("owned:mi300x").components_usd["software licences"] == 0


def test_reserved_pricing_is_cheaper():
    on_demand = plan(Scenario(), price_date=PRICE_DATE).option("cloud:h100-sxm")
    reserved = plan(Scenario(finance=Finance(pricing="reserved_3y")), price_date=PRICE_DATE).option("cloud:h100-sxm")
    assert reserved.components_usd["accelerator rental"] == pytest.approx(on_demand.accelerators * 1.3 * 730)
    one_year = plan(Scenario(finance=Finance(pricing="reserved_1y")), price_date=PRICE_DATE).option("cloud:h100-sxm")
    # no sourced 1-year price: 0.65 of the way from on-demand 3.0 down to the 3-year 1.3 (the price ladder)
    assert one_year.components_usd["accelerator rental"] == pytest.approx(
        on_demand.accelerators * (3.0 - (3.0 - 1.3) * assumption("reserved_1y_share_of_3y_discount")) * 730)


def test_projection_month_zero_equals_monthly_tco(plans, catalog):
    for name, p in plans.items():
        one = np.ones(1)
        for o in p.options:
            m = cost_model(o, catalog, p.scenario, p.demand)
            if m is None:
                continue
            month0 = monthly_costs(m, paths(p.scenario, 1, one, one, np.zeros(1), one, one))[0, 0]
            assert month0 == pytest.approx(o.monthly_tco_usd, rel=1e-9), (name, o.id)


def test_horizon_grows_and_owned_hardware_is_bought_in_steps():
    s = Scenario(finance=Finance(monthly_growth=0.1, horizon_months=24))
    p = plan(s, price_date=PRICE_DATE)
    assert len(p.horizon.months) == 24
    owned = p.horizon.purchases["owned:h100-sxm"]
    assert owned[0].month == 5 and len(owned) > 1  # delivered after the 5-month lead time
    assert sum(b.accelerators for b in owned) >= p.option("owned:h100-sxm").accelerators
    first, last = p.horizon.months[0].costs_usd, p.horizon.months[-1].costs_usd
    assert last["owned:h100-sxm"] > first["owned:h100-sxm"]
    # API fees grow 1.1^23 = 8.95x in volume and fall 40% a year in price: 8.95 x 0.6^(23/12)
    api = "api:together:llama-3.3-70b"
    staff = p.option(api).components_usd["operations staff"]
    expected = (first[api] - staff) * 1.1 ** 23 * 0.6 ** (23 / 12) + staff
    assert last[api] == pytest.approx(expected, rel=1e-9)


def test_break_even_and_lifetime():
    small = plan(Scenario(workload=Workload(daily_active_users=200)), price_date=PRICE_DATE)
    be = small.horizon.break_even
    assert be.queries_per_day is None or be.queries_per_day > small.demand.queries_per_day
    s = Scenario(finance=Finance(one_time_model_cost_usd=250_000))
    life = plan(s, price_date=PRICE_DATE).horizon.lifetime
    assert life.inference_share == pytest.approx(
        life.recurring_inference_usd / (life.recurring_inference_usd + 250_000))


def test_uncertainty_bands_and_tornado(plans):
    u = plans["support-assistant"].uncertainty
    assert u.samples >= 2000
    for band in u.options.values():
        assert band.p10_usd <= band.p50_usd <= band.p90_usd
    assert u.tornado[0].swing_usd >= u.tornado[-1].swing_usd
    assert u.driver == u.tornado[0].input


def test_on_prem_never_gets_api_or_cloud(plans):
    p = plans["regulated-on-prem"]
    assert p.recommended.kind == "owned"
    assert p.horizon.break_even.compared is False and p.horizon.break_even.queries_per_day is None
    for o in p.options:
        if o.kind != "owned":
            assert not o.usable


@pytest.mark.parametrize("data,field", [
    ({"workload": {"daily_active_users": -1}}, "workload.daily_active_users"),
    ({"workload": {"agent_calls_per_query": 0}}, "workload.agent_calls_per_query"),
])
def test_bad_scenarios_name_the_field(data, field):
    with pytest.raises(ValueError, match=field):
        Scenario.from_dict(data)


def test_unknown_model_and_closed_on_prem_name_the_field():
    with pytest.raises(ValueError, match="unknown model 'gpt-99'"):
        plan(Scenario(model=ModelChoice(id="gpt-99")), price_date=PRICE_DATE)
    with pytest.raises(ValueError, match="model.id = 'claude-sonnet-4-5' is a closed model.*constraints.deployment"):
        plan(Scenario(model=ModelChoice(id="claude-sonnet-4-5"), constraints=Constraints(deployment="on_prem")),
             price_date=PRICE_DATE)


def test_cheaper_over_the_horizon_is_named_beside_the_recommendation(plans):
    for name, p in plans.items():
        totals = {}
        for month in p.horizon.months:
            for oid, usd in month.costs_usd.items():
                if p.option(oid).usable:
                    totals[oid] = totals.get(oid, 0.0) + usd
        if not totals:
            continue
        cheapest = min(totals, key=totals.get)
        roles = {a.role: a.option_id for a in p.recommendation.alternatives}
        horizon_role = next((r for r in roles if r.startswith("cheapest over")), None)
        if p.recommendation.ranked_on == "horizon_total":  # ranked on the horizon: nothing to name beside it
            assert horizon_role is None, name
            evidenced = {oid: v for oid, v in totals.items() if p.option(oid).verified} or totals
            assert totals[p.recommendation.option_id] == pytest.approx(min(evidenced.values())), name
            continue
        if cheapest == p.recommendation.option_id:
            assert horizon_role is None, name
        else:
            assert roles[horizon_role] == cheapest, name


def test_owners_buy_whole_baseboards():
    """MI300X comes on an 8-GPU OAM baseboard: a small load still buys one, plus a spare server for three
    nines (N+1 servers: 16), and growth buys 8 at a time; PCIe cards (RTX PRO 6000) are bought one at a time."""
    s = Scenario(workload=Workload(daily_active_users=2_000), finance=Finance(monthly_growth=0.3))
    p = plan(s, price_date=PRICE_DATE, with_roadmap=False)
    mi300x = p.option("owned:mi300x")
    needed = mi300x.sizing.accelerators
    assert needed < 8 and mi300x.accelerators == 16 and "whole 8-accelerator units" in mi300x.reason
    f = s.finance  # hardware.yaml: MI300X all-in 1.79 kW (SemiAnalysis) / 1.25 facility overhead = IT kW
    assert mi300x.components_usd["power"] == pytest.approx(
        16 * 1.79 / 1.25 * f.pue * f.electricity_usd_per_kwh * HOURS_PER_MONTH)
    assert all(b.accelerators % 8 == 0 for b in p.horizon.purchases["owned:mi300x"])
    pcie = p.option("owned:rtx-pro-6000")
    assert pcie.usable and pcie.sizing is not None
    # L40S (48 GB) needs TP >= 2 for Llama 3.3 70B, and its PCIe all-reduce is charged at the measured
    # NCCL bus bandwidth of a PCIe Gen4 server without NVLink (engine/data/collectives.yaml: 18 GB/s, not
    # the 32 GB/s link rate). vLLM reuses the 40% shared prompt prefix by default (serving_defaults.yaml),
    # so without a shared prefix the same fleet does more prefill: it needs at least as many cards.
    with_prefix = p.option("owned:l40s")
    assert with_prefix.usable and with_prefix.sizing.tensor_parallel >= 2
    fresh = plan(dataclasses.replace(s, workload=dataclasses.replace(s.workload, shared_prefix_fraction=0.0)),
                 price_date=PRICE_DATE, with_roadmap=False).option("owned:l40s")
    assert not fresh.feasible or fresh.sizing.accelerators >= with_prefix.sizing.accelerators


def test_a_cheaper_gpu_does_not_make_its_8_gpu_server_cheaper(plans):
    # MI300X $12,500 on an 8-GPU OAM baseboard: server and network at least 0.48 x the $27,500 H100
    # reference (cost_assumptions.yaml baseboard_capex_reference_accelerator_usd); a PCIe card keeps 0.48 x own
    # price (RTX PRO 6000, $8,565; L40S no longer meets the latency targets at the measured PCIe all-reduce
    # bandwidth, engine/data/collectives.yaml).
    p = plans["support-assistant"]
    mi300x = p.option("owned:mi300x")
    capex = mi300x.accelerators * (12_500 + 0.48 * 27_500)
    assert mi300x.components_usd["hardware (amortized)"] == pytest.approx(capex / (4 * 12))
    pcie = p.option("owned:rtx-pro-6000")
    assert pcie.components_usd["hardware (amortized)"] == pytest.approx(pcie.accelerators * 8_565 * 1.48 / 48)


def test_an_owned_recommendation_says_delivery_takes_months(plans):
    # regulated-on-prem recommends owned hardware; cost_assumptions.yaml: 5 months order to delivery
    p = plans["regulated-on-prem"]
    assert p.recommended.kind == "owned"
    assert "about 5 months from order to delivery" in p.recommendation.rationale


def test_owned_hardware_arrives_after_the_lead_time_and_the_cheapest_alternative_bridges(plans):
    """cost_assumptions.yaml: 5 months from order to delivery. Until then the horizon runs the
    owned option on the cheapest usable rented or API option; on-prem only, nothing may bridge."""
    s = Scenario(finance=Finance(monthly_growth=0.1, horizon_months=24))
    p = plan(s, price_date=PRICE_DATE, with_roadmap=False)
    lead = 5
    bridge = min((o for o in p.options if o.usable and o.kind != "owned"), key=lambda o: o.monthly_tco_usd)
    months = [m.costs_usd for m in p.horizon.months]
    for owned in ("owned:h100-sxm", "owned:mi300x"):
        assert [months[m][owned] for m in range(lead)] == [months[m][bridge.id] for m in range(lead)]
        assert months[lead][owned] != months[lead][bridge.id]
        assert p.horizon.purchases[owned][0].month == lead
    bank = plans["regulated-on-prem"]
    assert bank.horizon.purchases[bank.recommended.id][0].month == 0
