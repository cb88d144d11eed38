"""Issue 14, economics a CFO would sign: each rule checked on a case computed by hand."""
import dataclasses

import pytest

from engine.money.cost_model import LADDER, ladder_inversions, price_ladder, rental_usd_per_hour

pytestmark = pytest.mark.unit


# --- 1. price ladder: on-demand >= 1-year >= 3-year >= owner cost -------------------------

def test_the_ladder_never_inverts_for_any_accelerator(catalog):
    inverted = [msg for hw in catalog.hardware.values() for msg in ladder_inversions(hw)]
    assert inverted == []


def test_every_priced_accelerator_has_every_rental_rung(catalog):
    for hw in catalog.hardware.values():
        ladder = price_ladder(hw)
        assert tuple(ladder) == LADDER
        if hw.on_demand_usd_per_hour:
            assert all(ladder[step][0] for step in ("on_demand", "reserved_1y", "reserved_3y")), hw.id


def test_one_year_sits_between_on_demand_and_the_sourced_three_year_rate(catalog):
    # MI355X: on-demand 2.41, SemiAnalysis 3-year 2.10, no sourced 1-year price. The 1-year rate sits
    # 0.65 of the way down (median of TPU v6e 0.55, AWS g6e 0.65, AWS p5 0.74):
    # 2.41 - (2.41 - 2.10) x 0.65 = 2.2085 (the flat 33% gave 1.6147, below the 3-year rate).
    mi355x = catalog.get_hardware("mi355x")
    assert rental_usd_per_hour(mi355x, "reserved_1y") == (pytest.approx(2.2085), "estimate")
    assert rental_usd_per_hour(mi355x, "reserved_3y") == (2.1, "vendor")
    assert price_ladder(mi355x)["owner"] == (1.48, "vendor")


def test_without_a_three_year_rate_both_rungs_come_from_published_discounts(catalog):
    # A100: on-demand 1.30; 3-year = 1.30 x (1 - 0.56) = 0.572; 1-year = 1.30 - (1.30 - 0.572) x 0.65 = 0.8268
    a100 = catalog.get_hardware("a100-80gb")
    assert rental_usd_per_hour(a100, "reserved_3y")[0] == pytest.approx(0.572)
    assert rental_usd_per_hour(a100, "reserved_1y")[0] == pytest.approx(0.8268)


def test_an_inverted_row_is_named(catalog):
    bad = dataclasses.replace(catalog.get_hardware("mi300x"), reserved_1y_usd_per_hour=1.19)
    assert ladder_inversions(bad) == ["mi300x: reserved_1y 1.190 < reserved_3y 1.550 USD/h"]
    under_cost = dataclasses.replace(catalog.get_hardware("h100-sxm"), reserved_3y_usd_per_hour=1.0)
    assert ladder_inversions(under_cost) == ["h100-sxm: reserved_3y 1.000 < owner 1.300 USD/h"]


# --- 2. power and space: IT kW per accelerator, x PUE once; colocation per IT kW ----------

def _self_hosted(kind, catalog, hw_id, availability_target=0.999, **finance):
    from types import SimpleNamespace

    from engine.money.cost_model import self_hosted_cost_model
    from engine.scenario.schema import Constraints, Finance, Scenario
    sized = SimpleNamespace(output_tokens_per_s_per_replica=1000.0, accelerators_per_replica=1, weights_gb=10.0)
    dem = SimpleNamespace(peak_calls_per_s=1.0, generated_tokens_per_call=100.0, output_tokens_per_day=1e6,
                          hourly_load_share=())  # a flat day: the rented fleet runs at peak size all month
    scenario = Scenario(finance=Finance(**finance), constraints=Constraints(availability_target=availability_target))
    return self_hosted_cost_model(kind, f"{kind}:{hw_id}", catalog.get_hardware(hw_id), sized, scenario, dem)


def _owned(catalog, hw_id, **kwargs):
    return _self_hosted("owned", catalog, hw_id, **kwargs)


def _rented(catalog, hw_id, **kwargs):
    return _self_hosted("cloud", catalog, hw_id, **kwargs)


def test_semianalysis_all_in_power_is_not_multiplied_by_pue_twice(catalog):
    # H100: SemiAnalysis all-in 1.73 kW includes a ~1.25 facility overhead -> IT 1.73 / 1.25 = 1.384 kW.
    # Power at PUE 1.3, USD 0.12/kWh: 1.384 x 1.3 x 0.12 x 730 = 157.61 USD/month (was 1.73 x 1.3 x ... = 197.02).
    # Colocation per IT kW: 1.384 x 194.95 = 269.81 USD/month (was on all-in kW: 337.26).
    from engine.money.cost_model import it_power_kw
    assert it_power_kw(catalog.get_hardware("h100-sxm")) == pytest.approx(1.384)
    model = _owned(catalog, "h100-sxm", pue=1.3, electricity_usd_per_kwh=0.12)
    assert model.power_usd_per_accelerator_month == pytest.approx(157.6099)
    assert model.space_usd_per_accelerator_month == pytest.approx(269.8108)


def test_pcie_cards_draw_their_tdp_plus_a_server_host_share(catalog):
    # RTX PRO 6000: 600 W + 100 W host share (400 W per 4-card server) = 0.70 kW IT (TDP x 2.4 gave 1.44).
    # At PUE 1.0 and USD 0.10/kWh: 0.70 x 1.0 x 0.10 x 730 = 51.10 USD/month.
    from engine.money.cost_model import it_power_kw
    assert it_power_kw(catalog.get_hardware("rtx-pro-6000")) == pytest.approx(0.70)
    assert _owned(catalog, "rtx-pro-6000", pue=1.0, electricity_usd_per_kwh=0.10).power_usd_per_accelerator_month \
        == pytest.approx(51.10)


def test_every_owned_accelerator_has_an_it_power_figure(catalog):
    from engine.money.cost_model import allin_power_kw, it_power_kw
    for hw in catalog.hardware.values():
        if hw.purchase_usd and not hw.cloud_only and not hw.is_specialized:
            assert 0 < it_power_kw(hw) <= allin_power_kw(hw), hw.id


# --- 3. availability as failure domains ------------------------------------------------

def test_three_nines_is_n_plus_one_servers():
    from engine.capacity import fleet
    # 10 calls/s at 4 per 2-GPU replica, 20% headroom: 3 replicas (12 calls/s / 4). An 8-GPU server holds
    # 4 replicas: 1 server carries the load, +1 spare server = 2 servers = 16 GPUs.
    assert fleet.accelerators(10.0, 4.0, 0.2, 1, per_replica=2, unit=8) == 16
    # 44 calls/s: 14 replicas with headroom -> 4 servers, +1 spare server = 5 servers = 40 GPUs (one spare
    # replica, 15 x 2 = 30 GPUs -> 32 in whole baseboards, left no whole server to fail over to).
    assert fleet.accelerators(44.0, 4.0, 0.2, 1, per_replica=2, unit=8) == 40


def test_four_nines_spans_two_domains_that_each_carry_the_peak():
    from engine.capacity import fleet
    # 40 calls/s: 10 replicas carry the peak = 3 servers (4 replicas each) per domain; 2 domains = 6 servers = 48
    # GPUs, more than N+1 (12 replicas -> 3 servers + 1 = 4).
    assert fleet.accelerators(40.0, 4.0, 0.2, 1, per_replica=2, unit=8, domains=2) == 48
    # Rented instances fail one replica at a time: max(12 + 1, 2 x 10) = 20 replicas = 40 GPUs.
    assert fleet.accelerators(40.0, 4.0, 0.2, 1, per_replica=2, unit=1, domains=2) == 40
    assert fleet.replicas(40.0, 4.0, 0.2, 1, domains=2) == (10, 20)
    # One small server's worth of load still needs a second server.
    assert fleet.accelerators(1.0, 4.0, 0.2, 1, per_replica=8, unit=8, domains=2) == 16


@pytest.mark.parametrize("target, spares, domains", [(0.99, 0, 1), (0.999, 1, 1), (0.9999, 1, 2), (0.99999, 1, 2)])
def test_the_availability_target_sets_spares_and_domains(target, spares, domains):
    from engine.scenario.schema import Constraints
    c = Constraints(availability_target=target)
    assert (c.redundant_replicas, c.failure_domains) == (spares, domains)


def test_four_nines_plans_span_two_failure_domains_in_plan_json():
    from engine.plan import plan
    from engine.scenario.schema import Constraints, Scenario
    p = plan(Scenario(constraints=Constraints(availability_target=0.9999)), with_roadmap=False)
    options = p.to_dict()["options"]
    self_hosted = [o for o in options if o["kind"] in ("cloud", "owned") and o["feasible"]]
    assert self_hosted
    for o in self_hosted:
        assert o["failure_domains"] == 2
        if o["kind"] == "owned" or o["pricing"] in ("reserved_1y", "reserved_3y"):
            assert o["accelerator_hours_per_month"] == o["accelerators"] * 730
        else:  # on demand (or burst above a reserved base) the fleet follows the day, both domains at every hour
            assert 0 < o["accelerator_hours_per_month"] <= o["accelerators"] * 730
        sized = p.option(o["id"]).sizing
        # each domain carries the peak on its own
        assert o["accelerators"] >= 2 * sized.accelerators_for_peak
    assert all(o["failure_domains"] is None and o["accelerator_hours_per_month"] is None
               for o in options if o["kind"] == "api")


@pytest.mark.parametrize("target, words", [(0.9999, "spans 2 failure domains"), (0.999, "one spare server (N+1)"),
                                           (0.99, "no spare server")])
def test_the_brief_and_tco_page_say_what_the_target_implies(target, words):
    from engine.scenario.schema import Constraints, Scenario
    from present.sentences import availability_implies
    assert words in availability_implies(Scenario(constraints=Constraints(availability_target=target)))



def test_the_brief_states_the_fleet_rule_beside_the_target():
    from engine.scenario.schema import Constraints, Scenario
    from present.sentences import availability_rule
    assert availability_rule(Scenario(constraints=Constraints(availability_target=0.9999))) \
        == "2 failure domains, each carrying the peak"
    assert availability_rule(Scenario()) == "N+1 servers"


# --- 4. staffing: a 24x7 rotation floor, then fleet size, alike for rented and owned ---------

def test_a_24x7_rotation_floor_for_rented_and_owned_alike(catalog):
    from engine.money.cost_model import STAFF, month_one_usd
    # 99.9% (the default): 8 engineers x 25% on call = 2.0 FTE; at USD 200k a year = 33,333.33 USD/month,
    # for a one-server fleet, rented or owned. The fleet term is below the floor (16 x 4 / 1000 = 0.064 FTE).
    for kind in ("owned", "cloud"):
        model = _owned(catalog, "h100-sxm")
        model = model if kind == "owned" else _rented(catalog, "h100-sxm")
        assert month_one_usd(model)[STAFF] == pytest.approx(2.0 * 200_000 / 12)
    # 99%: business-hours cover, 0.5 FTE = 8,333.33 USD/month.
    assert month_one_usd(_owned(catalog, "h100-sxm", availability_target=0.99))[STAFF] \
        == pytest.approx(0.5 * 200_000 / 12)


def test_large_fleets_staff_by_fleet_size(catalog):
    from engine.money.cost_model import STAFF, month_one_usd
    # 1,000 owned accelerators x 4 FTE per 1,000 = 4 FTE > the 2 FTE floor: 66,666.67 USD/month.
    assert month_one_usd(_owned(catalog, "h100-sxm"), accelerators=1000)[STAFF] == pytest.approx(4 * 200_000 / 12)


def test_an_api_keeps_a_small_integration_share():
    from engine.money.cost_model import STAFF, api_cost_model, month_one_usd
    from engine.scenario.schema import Scenario
    model = api_cost_model("api:x", "api", {k: 0.0 for k in ("input tokens", "cached input tokens", "output tokens",
                                                            "reasoning tokens")}, Scenario())
    assert month_one_usd(model)[STAFF] == pytest.approx(0.1 * 200_000 / 12)


# --- 3. one price path: break-even, ranking and month 1 read the horizon -------------------

def _be_options(*ids_kinds):
    from types import SimpleNamespace
    return {oid: SimpleNamespace(usable=True, verified=True, kind=kind) for oid, kind in ids_kinds}


def _break_even(api, own, growth=0.1, queries_per_day=1_000.0):
    import numpy as np

    from engine.money.horizon import break_even
    from engine.scenario.schema import Finance, Scenario
    s = Scenario(finance=Finance(horizon_months=len(api), monthly_growth=growth))
    return break_even(_be_options(("api:a", "api"), ("owned:o", "owned")), s,
                      {"api:a": np.array(api, float), "owned:o": np.array(own, float)}, queries_per_day)


def test_break_even_is_the_month_self_hosting_stays_cheaper_and_the_volume_then():
    # API 100 a month; owned 150, 120, 90, 80: cheaper from month 2, when 1,000/day x 1.1^2 = 1,210/day.
    be = _break_even([100, 100, 100, 100], [150, 120, 90, 80])
    assert be.compared and be.month == 2 and be.queries_per_day == pytest.approx(1_210.0)
    assert "month 2" in be.reason and "1,210" in be.reason
    # Cheaper in month 1, dearer in month 2 (a purchase), cheaper from month 3: stays cheaper from 3, 1,331/day.
    be = _break_even([100, 100, 100, 100], [150, 90, 110, 80])
    assert be.month == 3 and be.queries_per_day == pytest.approx(1_331.0)
    # Cheaper from month 0: today's volume.
    assert _break_even([100, 100], [90, 90]).queries_per_day == pytest.approx(1_000.0)


def test_break_even_not_reached_when_falling_api_prices_overtake_in_the_last_month():
    be = _break_even([100, 95, 90, 85], [90, 90, 88, 86])
    assert be.compared and be.month is None and be.queries_per_day is None
    assert "3 of the 4 months" in be.reason and "month 3" in be.reason


def _preset_plan(name, **finance):
    import datetime as dt
    from pathlib import Path

    from engine.plan import plan
    from engine.scenario.schema import Scenario
    s = Scenario.from_yaml((Path(__file__).parents[2] / "presets" / f"{name}.yaml").read_text())
    if finance:
        s = dataclasses.replace(s, finance=dataclasses.replace(s.finance, **finance))
    return plan(s, price_date=dt.date(2026, 11, 25), with_roadmap=False)


def _best_paths(p):
    import numpy as np
    ev = [o for o in p.options if o.usable and o.verified] or [o for o in p.options if o.usable]
    api = np.min([p.horizon.costs_usd(o.id) for o in ev if o.kind in ("api", "specialized")], axis=0)
    own = np.min([p.horizon.costs_usd(o.id) for o in ev if o.kind in ("cloud", "owned")], axis=0)
    return api, own


@pytest.mark.parametrize("name", ["consumer-app", "document-processing", "coding-agent"])
def test_break_even_agrees_with_the_horizon_chart(name):
    """document-processing once said self-hosting wins above ~50,100 queries/day (today 100,000) while
    the chart had the API cheaper again in month 23; consumer-app said 7.06M/day at month 0 (today 50M);
    coding-agent said ~7,180/day, passed by month 9, while the chart kept the API cheapest."""
    p = _preset_plan(name)
    be, f = p.horizon.break_even, p.scenario.finance
    api, own = _best_paths(p)
    if be.month is None:
        assert be.queries_per_day is None and not (own < api)[-1]
    else:
        assert (own[be.month:] < api[be.month:]).all()
        assert be.month == 0 or own[be.month - 1] >= api[be.month - 1]
        assert be.queries_per_day == pytest.approx(p.demand.queries_per_day * (1 + f.monthly_growth) ** be.month)
    if name == "document-processing" and be.month is None:
        # the API is cheaper again later in the horizon: said, not hidden (which side wins moves with the
        # performance model's fit; the agreement with the chart above is what this test guards)
        assert "does not stay" in be.reason
    if name == "consumer-app":
        assert be.month == 0 and be.queries_per_day == pytest.approx(p.demand.queries_per_day)


def test_decide_on_is_a_finance_choice():
    from engine.scenario.schema import DECIDE_ON, Finance
    assert Finance().decide_on == "horizon_total" and DECIDE_ON == ("horizon_total", "month_1")
    with pytest.raises(ValueError, match="finance.decide_on"):
        Finance(decide_on="cheapest")


def test_decide_on_ranks_on_the_horizon_total_or_month_1():
    # consumer-app: MI355X on a reserved 1-year base with on-demand burst is cheapest in month 1, but the
    # reserved price is fixed for its term while on-demand prices fall, so on demand costs less over 24 months.
    by_total, by_month = _preset_plan("consumer-app"), _preset_plan("consumer-app", decide_on="month_1")
    totals = {o.id: sum(by_total.horizon.costs_usd(o.id)) for o in by_total.options if o.usable and o.verified}
    assert by_total.recommendation.option_id == min(totals, key=totals.get) == "cloud:mi355x"
    assert by_total.recommendation.ranked_on == "horizon_total" and "24-month horizon" in by_total.recommendation.rationale
    steady = {o.id: o.monthly_tco_usd for o in by_month.options if o.usable and o.verified}
    assert by_month.recommendation.option_id == min(steady, key=steady.get) == "cloud:mi355x:reserved-base"
    assert by_month.recommendation.ranked_on == "month_1" and "in month 1" in by_month.recommendation.rationale
    assert any(a.role.startswith("cheapest over") for a in by_month.recommendation.alternatives)


def test_month_1_paid_runs_owned_fleets_on_the_bridge_and_upfront_cash_is_capex_as_bought():
    p = _preset_plan("consumer-app", decide_on="month_1")
    owned = p.best_by_kind()["owned"]
    d = p.to_dict()
    bridge = min((o for o in p.options if o.usable and o.kind != "owned"), key=lambda o: o.monthly_tco_usd)
    # month 1 is paid to the bridge (the fleet is on order); the steady state stays on the option
    assert d["month_1_paid_usd"][owned.id] == pytest.approx(p.horizon.costs_usd(bridge.id)[0])
    assert d["month_1_paid_usd"][owned.id] != pytest.approx(owned.monthly_tco_usd)
    cash = d["upfront_cash_usd"]
    buys = p.horizon.purchases[owned.id]
    assert cash["by_option_usd"][owned.id] == pytest.approx(sum(b.capex_usd for b in buys))
    assert sum(cash["recommended_by_month_usd"]) == pytest.approx(cash["recommended_usd"])
    # the first purchase lands at delivery: accelerators x capex each x the GPU price path that month
    from engine.catalog.catalog import load_catalog
    from engine.money.cost_model import assumption, owned_capex_per_accelerator_usd
    first = buys[0]
    each = owned_capex_per_accelerator_usd(load_catalog().get_hardware(owned.hardware))
    decline = (1 - assumption("gpu_rental_price_decline_per_year")) ** (first.month / 12)
    assert first.month == int(assumption("hardware_purchase_lead_months"))
    assert first.capex_usd == pytest.approx(first.accelerators * each * decline)
    rented = _preset_plan("consumer-app").to_dict()["upfront_cash_usd"]
    assert rented["recommended_usd"] == 0.0 and rented["by_option_usd"]["owned:rtx-pro-6000"] > 0


# --- 9. roadmap integrity: declared conflicts enforced; on-device offload only where it can run ------

def test_on_device_offload_never_for_phone_calls_or_long_contexts():
    from engine.roadmap.build import ON_DEVICE_MAX_INPUT_TOKENS, on_device
    from engine.scenario.schema import Latency, Scenario, Workload
    assert ON_DEVICE_MAX_INPUT_TOKENS == 4_096
    voice = Scenario(workload=Workload(call_origin="user_device"),
                     latency=Latency(tier="realtime", ttft_p95_ms=300.0, min_output_tokens_per_s_per_user=50.0))
    assert "phone" in on_device(voice, None, None)
    assert "phone" in on_device(Scenario(workload=Workload(call_origin="phone")), None, None)
    # only calls an app makes on the user's device (workload.call_origin) can be offloaded (issue 17)
    assert "server" in on_device(Scenario(workload=Workload(input_tokens_per_call=1_000)), None, None)
    long = Scenario(workload=Workload(input_tokens_per_call=40_000, call_origin="user_device"))
    assert "40,000-token prompts exceed the 4,096-token" in on_device(long, None, None)
    edge = Scenario(workload=Workload(input_tokens_per_call=1_000, call_origin="user_device"))
    assert not isinstance(on_device(edge, edge, None), str)  # 1,500 x 4 = 6,000 queries a day -> 5,400: it applies


def _roadmap(name):
    import datetime as dt
    from pathlib import Path

    from engine.plan import plan
    from engine.scenario.schema import Scenario
    s = Scenario.from_yaml((Path(__file__).parents[2] / "presets" / f"{name}.yaml").read_text())
    return plan(s, price_date=dt.date(2026, 11, 25)).roadmap


@pytest.mark.parametrize("name", ["coding-agent", "consumer-app", "support-assistant", "voice-agent"])
def test_no_two_applied_levers_conflict(name):
    rm = _roadmap(name)
    if rm is None:
        return
    declared = {lv.id: set(lv.conflicts) for lv in rm.levers}
    applied = [st.lever_id for st in rm.steps]
    for i, a in enumerate(applied):
        for b in applied[:i]:
            assert b not in declared[a] and a not in declared[b], (name, a, b)
    for lv in rm.levers:
        clash = [b for b in applied if b in declared[lv.id] or lv.id in declared[b]]
        if clash and lv.applies and lv.id not in applied:
            assert "skipped" in lv.reason, (name, lv.id, lv.reason)


def test_the_coding_agent_stacks_routing_with_neither_caching_nor_offload():
    # levers.yaml: small_model_routing conflicts with response_cache and distill_small; on_device with
    # small_model_routing. The coding agent once applied routing, response caching and on-device offload
    # together; its 40,000-token prompts also rule on-device offload out (above 4,096 tokens).
    rm = _roadmap("coding-agent")
    applied = {st.lever_id for st in rm.steps}
    assert not ({"small_model_routing", "response_cache"} <= applied)
    assert not ({"small_model_routing", "on_device"} <= applied)
    on_dev = next(lv for lv in rm.levers if lv.id == "on_device")
    assert "on_device" not in applied and not on_dev.applies and "4,096-token" in on_dev.reason


def test_the_cumulative_pass_skips_a_lever_that_conflicts_with_an_applied_one(monkeypatch):
    # Four levers from $100: a saves $30 and declares a conflict with c; b saves $20; c $15; d $10 and
    # declares a conflict with b. In order of saving: a applied ($70), b applied ($50), c skipped (a declares
    # it), d skipped (it declares b): $50, not the $25 all four would claim.
    from types import SimpleNamespace

    from engine.roadmap import build
    saves = {"a": 30.0, "b": 20.0, "c": 15.0, "d": 10.0}
    conflicts = {"a": ("c",), "b": (), "c": (), "d": ("b",)}
    monkeypatch.setattr(build, "LEVERS", {k: (lambda s, t, ctx, k=k: (s - saves[k], t)) for k in saves})
    levers = [SimpleNamespace(id=k, name=f"lever {k}", applies=True, phase=build.PHASES[0], monthly_saving_usd=v,
                              conflicts=conflicts[k]) for k, v in saves.items()]
    ev = SimpleNamespace(cost=lambda s, t: (s, (SimpleNamespace(id="opt"),)))
    steps, skipped, state, current = build._cumulative(ev, 100.0, None, 100.0, levers, None)
    assert [st.lever_id for st in steps] == ["a", "b"] and current == 50.0
    assert skipped["c"] == "; skipped: conflicts with lever a, applied earlier"
    assert skipped["d"] == "; skipped: conflicts with lever b, applied earlier"
