"""The roadmap: computed savings, cumulative steps, consistency with a fresh re-plan."""
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from engine.plan import plan
from engine.roadmap.build import LEVERS, PHASES, replan_final
from engine.scenario.schema import Constraints, ModelChoice, Scenario, Workload

pytestmark = pytest.mark.unit
PRICE_DATE = dt.date(2026, 11, 25)
PRESETS = sorted(Path(__file__).resolve().parents[2].joinpath("presets").glob("*.yaml"))
LAYERS = {"model", "hardware", "stack", "workload"}


@pytest.fixture(scope="module")
def roadmaps():
    return {p.stem: plan(Scenario.from_yaml(p.read_text()), price_date=PRICE_DATE) for p in PRESETS}


def test_every_lever_is_reported_with_its_fields(roadmaps):
    r = roadmaps["support-assistant"].roadmap
    assert {lv.id for lv in r.levers} == set(LEVERS)
    assert {lv.layer for lv in r.levers} == LAYERS
    for lv in r.levers:
        assert lv.phase in PHASES and lv.quality_risk in ("none", "low", "medium", "high")
        assert lv.effort_days > 0 and lv.reason
        assert lv.monthly_saving_usd >= 0
        assert lv.saving_fraction == pytest.approx(lv.monthly_saving_usd / r.baseline_monthly_tco_usd)
        if not lv.applies:
            assert lv.monthly_saving_usd == 0


def test_final_equals_replanning_with_every_chosen_lever(roadmaps, catalog):
    for name, p in roadmaps.items():
        r = p.roadmap
        assert replan_final(catalog, r, PRICE_DATE) == pytest.approx(r.final_monthly_tco_usd), name
        last = r.steps[-1].monthly_tco_usd if r.steps else r.baseline_monthly_tco_usd
        assert last == pytest.approx(r.final_monthly_tco_usd)


def test_steps_only_lower_the_cost_and_the_waterfall_adds_up(roadmaps):
    for name, p in roadmaps.items():
        r = p.roadmap
        costs = [r.baseline_monthly_tco_usd] + [s.monthly_tco_usd for s in r.steps]
        assert all(b < a for a, b in zip(costs, costs[1:])), name
        w = r.waterfall
        assert w[0].value_usd + sum(x.value_usd for x in w[1:-1]) == pytest.approx(w[-1].value_usd)
        assert r.baseline_monthly_tco_usd == pytest.approx(p.recommended.monthly_tco_usd)


def test_step_options_respect_constraints(roadmaps):
    p = roadmaps["regulated-on-prem"]
    for step in p.roadmap.steps:
        assert step.option_id.startswith("owned:")


def _lever(p, lever_id):
    return next(lv for lv in p.roadmap.levers if lv.id == lever_id)


def test_prefix_caching_without_shared_prefix_saves_nothing_and_says_why():
    p = plan(Scenario(workload=Workload(shared_prefix_fraction=0.0)), price_date=PRICE_DATE)
    lv = _lever(p, "prefix_caching")
    assert not lv.applies and lv.monthly_saving_usd == 0
    assert "shared_prefix_fraction is 0" in lv.reason


def test_reserved_pricing_on_an_api_baseline_saves_nothing_and_says_why():
    p = plan(Scenario(model=ModelChoice(id="claude-haiku-4-5")), price_date=PRICE_DATE)
    assert p.recommended.kind in ("api", "specialized")
    lv = _lever(p, "reserved_pricing")
    assert not lv.applies and lv.monthly_saving_usd == 0
    assert "rented accelerators only" in lv.reason


def test_prefix_caching_is_in_the_baseline_where_the_stack_does_it_by_default():
    """vLLM, SGLang and TensorRT-LLM reuse prefixes by default (serving_defaults.yaml, issue 14 rule 2):
    the baseline already counts it, so the lever is never counted a second time."""
    p = plan(Scenario(workload=Workload(input_tokens_per_call=8000, shared_prefix_fraction=0.8),
                      constraints=Constraints(deployment="on_prem")), price_date=PRICE_DATE)
    lv = _lever(p, "prefix_caching")
    assert not lv.applies and lv.monthly_saving_usd == 0
    assert "by default: already counted" in lv.reason


def test_disaggregation_is_priced_only_for_prefill_heavy_self_hosted_work():
    chat = plan(Scenario(workload=Workload(input_tokens_per_call=600, output_tokens_per_call=300),
                         constraints=Constraints(deployment="on_prem")), price_date=PRICE_DATE)
    lv = _lever(chat, "disaggregated_prefill")
    assert not lv.applies and "not prefill-heavy" in lv.reason
    heavy = plan(Scenario(workload=Workload(input_tokens_per_call=16_000, output_tokens_per_call=200,
                                            shared_prefix_fraction=0.0),
                          constraints=Constraints(deployment="on_prem")), price_date=PRICE_DATE)
    lv = _lever(heavy, "disaggregated_prefill")
    assert lv.reason.startswith("re-planned")  # computed by re-sizing, whichever way it goes


def test_batch_lever_does_not_claim_batch_rates_the_provider_lacks():
    # document-processing: 100% offline on OVHcloud Qwen3 32B, which has no batch price
    preset = Path(__file__).resolve().parents[2] / "presets" / "document-processing.yaml"
    p = plan(Scenario.from_yaml(preset.read_text()), price_date=dt.date(2026, 11, 25))
    lever = next(lv for lv in p.roadmap.levers if lv.id == "batch_offline")
    assert p.option("api:ovhcloud:qwen3-32b").api_quote.batch_saving_usd == 0
    assert "already prices" not in lever.reason


def test_a_reasoning_substitute_brings_its_reasoning_tokens():
    """support-assistant (Llama 3.3 70B, no reasoning) -> gpt-oss-120b, which always reasons: the
    re-planned scenario carries levers.substitute_reasoning_tokens_per_call, and the assumption is shown."""
    preset = Path(__file__).resolve().parents[2] / "presets" / "support-assistant.yaml"
    s = Scenario.from_yaml(preset.read_text())
    assert s.workload.reasoning_tokens_per_call == 0
    p = plan(s, price_date=dt.date(2026, 11, 25))
    lever = next(lv for lv in p.roadmap.levers if lv.id == "moe_substitute")
    assert lever.applies and lever.assumptions == {"levers.substitute_reasoning_tokens_per_call": 300}
    # Whether it is also a cumulative step depends on the levers before it (with the 24x7 staff floor,
    # distillation and fewer calls save more first); where it is a step, the final scenario carries the tokens.
    if "moe_substitute" in [step.lever_id for step in p.roadmap.steps]:
        assert p.roadmap.final_scenario.model.id == "gpt-oss-120b"
        assert p.roadmap.final_scenario.workload.reasoning_tokens_per_call == \
            s.levers.substitute_reasoning_tokens_per_call


def test_on_device_offload_does_not_apply_to_a_batch_pipeline():
    preset = Path(__file__).resolve().parents[2] / "presets" / "document-processing.yaml"
    p = plan(Scenario.from_yaml(preset.read_text()), price_date=dt.date(2026, 11, 25))
    lever = next(lv for lv in p.roadmap.levers if lv.id == "on_device")
    # a batch pipeline's calls are made by its servers (workload.call_origin), not on a user's device
    assert not lever.applies and "call_origin = server" in lever.reason


def test_routing_on_an_owned_fleet_buys_whole_baseboards_once():
    """regulated-on-prem on owned AMD 8-GPU baseboards: the main and the small model fit one fleet of whole
    baseboards; pricing each as its own fleet bought 16 and reported a loss. (Owned MI300X was the answer until
    TPOT was judged at p95 of requests: its replicas then need TP2, and over the 36-month horizon with growth
    owned MI350X costs less.)"""
    preset = Path(__file__).resolve().parents[2] / "presets" / "regulated-on-prem.yaml"
    s = Scenario.from_yaml(preset.read_text())
    # AMD only: since four nines span two 8-GPU servers, owned RTX PRO 6000 cards undercut MI300X there
    s = dataclasses.replace(s, constraints=dataclasses.replace(s.constraints, allowed_vendors=("amd",)))
    p = plan(s, price_date=dt.date(2026, 11, 25))
    assert p.recommended.id == "owned:mi350x"
    lever = next(lv for lv in p.roadmap.levers if lv.id == "small_model_routing")
    assert "more per month" not in lever.reason


# --- issue 14 rule 9: capable routing, distillation's costs, provider and capacity moves, both savings ---

def _ctx(p):
    from engine.catalog.catalog import load_catalog
    from engine.roadmap.build import Context
    return Context(load_catalog(), p.recommended, p.options)


def test_a_reasoning_workload_is_routed_to_a_model_that_reasons(roadmaps, catalog):
    from engine.roadmap.build import Evaluator, Target, reasoning_capable, router_target
    consumer = roadmaps["consumer-app"]  # gpt-oss-20b, 150 reasoning tokens a call
    assert router_target(consumer.scenario, catalog) == "qwen3-8b" and reasoning_capable(catalog, "qwen3-8b")
    assert not reasoning_capable(catalog, "llama-3.1-8b")
    assert router_target(roadmaps["support-assistant"].scenario, catalog) == "llama-3.1-8b"  # no reasoning
    s = consumer.scenario
    routed = dataclasses.replace(s, levers=dataclasses.replace(s.levers, route_to_small_model=True))
    cost, parts = Evaluator(catalog, PRICE_DATE).cost(routed, Target.of(consumer.recommended))
    assert [o.model for o in parts] == ["gpt-oss-20b", "qwen3-8b"]


def test_distillation_carries_a_one_time_cost_computed_from_its_stated_figures(roadmaps):
    p = roadmaps["support-assistant"]
    lv = p.roadmap.lever("distill_small")
    w = p.scenario.workload
    calls_per_month = p.demand.queries_per_day * w.agent_calls_per_query * 730 / 24
    teacher = 100_000 * p.roadmap.baseline_monthly_tco_usd / calls_per_month  # levers.yaml: 100k examples
    train = 100_000 * (w.input_tokens_per_call + w.output_tokens_per_call) * 3 / 1e6 * 0.46  # 3 epochs, $0.46/M
    assert lv.one_time_cost_usd == pytest.approx(teacher + train)
    assert "estimate" in lv.one_time_cost_basis and "epochs" in lv.one_time_cost_basis
    if lv.applies:
        assert lv.payback_months == pytest.approx(lv.one_time_cost_usd / lv.monthly_saving_usd)
    else:
        assert lv.payback_months is None


def test_distillation_on_an_api_is_hosted_as_a_lora_or_on_dedicated_capacity():
    from engine.roadmap.build import Target, distill_small
    s = Scenario(model=ModelChoice(id="llama-3.3-70b"), constraints=Constraints(deployment="any"))
    p = plan(s, price_date=PRICE_DATE, with_roadmap=False)
    ctx = _ctx(p)
    lora = distill_small(s, Target("api", "together"), ctx)  # Together serves LoRA adapters serverless
    assert lora[1] == Target("api", "together") and lora[0].model.id == "llama-3.1-8b"
    dedicated = distill_small(s, Target("api", "fireworks"), ctx)  # Fireworks: LoRA needs a deployment
    assert dedicated[1].kind in ("cloud", "owned") and dedicated[0].model.id == "llama-3.1-8b"


def test_a_reasoning_workload_is_not_distilled_into_a_model_that_cannot_reason():
    from engine.roadmap.build import Target, distill_small
    s = Scenario(model=ModelChoice(id="llama-3.3-70b"), workload=Workload(reasoning_tokens_per_call=500))
    p = plan(s, price_date=PRICE_DATE, with_roadmap=False)
    why = distill_small(s, Target.of(p.recommended), _ctx(p))
    assert isinstance(why, str) and "cannot" in why and "reason" in why


def test_batch_work_on_an_api_without_a_batch_price_moves_to_a_provider_with_one():
    from engine.roadmap.build import Evaluator, Target, batch_offline
    from engine.catalog.catalog import load_catalog
    s = Scenario(model=ModelChoice(id="llama-3.3-70b"), workload=Workload(offline_fraction=0.5),
                 constraints=Constraints(deployment="cloud"))
    p = plan(s, price_date=PRICE_DATE, with_roadmap=False)
    no_batch = p.option("api:novita:llama-3.3-70b")
    assert no_batch.usable and not no_batch.api_quote.batch_saving_usd
    ctx = _ctx(p)
    ctx = dataclasses.replace(ctx, baseline=no_batch)
    moved = batch_offline(s, Target.of(no_batch), ctx)
    with_batch = p.option(f"api:{moved[1].key}:llama-3.3-70b")
    assert with_batch.api_quote.batch_saving_usd > 0
    assert Evaluator(load_catalog(), PRICE_DATE).cost(*moved)[0] < no_batch.monthly_tco_usd


def test_an_api_baseline_can_move_to_reserved_or_owned_capacity(roadmaps):
    from engine.roadmap.build import Target, owned_instead_of_rented, reserved_pricing
    p = roadmaps["coding-agent"]  # gpt-oss-120b on an API
    assert p.recommended.kind == "api"
    s, target = reserved_pricing(p.scenario, Target.of(p.recommended), _ctx(p))
    assert target.kind == "cloud" and s.finance.pricing == "reserved_1y"
    s, target = owned_instead_of_rented(p.scenario, Target.of(p.recommended), _ctx(p))
    assert target.kind == "owned"
    for lever_id in ("reserved_pricing", "owned_instead_of_rented"):
        assert p.roadmap.lever(lever_id).reason.startswith("re-planned")  # priced, not refused


def test_each_lever_names_its_standalone_and_its_cumulative_saving(roadmaps):
    for name, p in roadmaps.items():
        r = p.roadmap
        by_id = {lv.id: lv for lv in r.levers}
        running = 0.0
        for step in r.steps:
            lv = by_id[step.lever_id]
            assert lv.cumulative_saving_usd == pytest.approx(step.saving_usd), name
            assert lv.standalone_saving_usd == pytest.approx(lv.monthly_saving_usd) and lv.monthly_saving_usd > 0
            running += step.saving_usd
            assert step.cumulative_saving_usd == pytest.approx(running)
        assert sum(lv.cumulative_saving_usd for lv in r.levers) == pytest.approx(
            r.baseline_monthly_tco_usd - r.final_monthly_tco_usd), name
        assert all(lv.cumulative_saving_usd == 0 for lv in r.levers if lv.id not in {s.lever_id for s in r.steps})
