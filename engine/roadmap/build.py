"""The optimization roadmap: costed levers across the four layers, applied cumulatively.

Each lever is a change to the Scenario (workload, model, levers switches, finance) or to
the option serving it (hardware, rented or owned, provider). Its saving is computed by
re-pricing the recommended option with the change, never asserted. The roadmap orders the
levers that save money into phases and applies them one on top of the other, so savings
never double-count; the final cost equals re-pricing with every chosen lever applied.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Callable, Mapping


from engine.catalog.catalog import Catalog, load_catalog
from engine.catalog.tables import Table, load_table
from engine.capacity.demand import demand
from engine.money.api_quotes import api_offers
from engine.records import frozen_map
from engine.scenario.schema import Scenario
from engine.capacity.sizing import caches_prefixes, size_hardware
from engine.money.cost_model import API_KINDS, DAYS_PER_MONTH, STAFF, cost_model, month_one_usd
from engine.money.options import Option, api_option, self_hosted_options
from engine.roadmap.on_device import ON_DEVICE_MAX_INPUT_TOKENS  # noqa: F401 (re-exported for callers)
from engine.roadmap.on_device import assess as assess_on_device, why_not as why_not_on_device
from present.formatting import percent, usd

PHASES = ("quick win (30 days)", "next quarter", "strategic")
# A lever must save at least this share of the bill to be worth its engineering days.
MIN_SAVING_FRACTION = 0.005
SELF_HOSTED = ("cloud", "owned")


@dataclass(frozen=True)
class Target:
    """Which option a lever re-prices: a provider (api, specialized) or a hardware (cloud, owned)."""

    kind: str
    key: str

    @classmethod
    def of(cls, option: Option) -> "Target":
        return cls(option.kind, option.provider if option.kind in ("api", "specialized") else option.hardware)


@functools.lru_cache(maxsize=1)
def lever_table() -> Table:
    return load_table("levers")  # read-only: levers, substitutes and the file's provenance


def phase_for(effort_days: float) -> str:
    return PHASES[0] if effort_days <= 10 else PHASES[1] if effort_days <= 40 else PHASES[2]


# --- re-pricing ------------------------------------------------------------------

class Evaluator:
    """Prices a target under a scenario; memoised, since the cumulative pass repeats work."""

    def __init__(self, catalog: Catalog, price_date: dt.date) -> None:
        self.catalog, self.price_date = catalog, price_date
        self._cache: dict[tuple, Option | None] = {}
        self.last_failure = ""

    def option(self, scenario: Scenario, target: Target) -> Option | None:
        """The target's usable option under the scenario, or None (infeasible, SLO missed, excluded)."""
        key = (scenario, target)
        if key not in self._cache:
            self._cache[key] = self._price(scenario, target)
        return self._cache[key]

    def _price(self, scenario: Scenario, target: Target) -> Option | None:
        dem = demand(scenario)
        if target.kind in SELF_HOSTED:
            model = self.catalog.get_model(scenario.model.id)
            if not model.open_weights:
                self.last_failure = f"{model.name} is closed: API only"
                return None
            hw = self.catalog.get_hardware(target.key)
            sized = size_hardware(self.catalog, hw, model, scenario, dem)
            found = [o for o in self_hosted_options(self.catalog, sized, scenario, dem, reserved_base=False, details=False)
                     if o.kind == target.kind]
        else:
            excluded = "on-prem required" if scenario.constraints.deployment == "on_prem" else ""
            found = [api_option(offer, scenario, dem, excluded)
                     for offer in api_offers(self.catalog, scenario, self.price_date)
                     if offer.provider == target.key and offer.model.id == scenario.model.id]
        usable = [o for o in found if o.usable]
        if not usable:
            self.last_failure = found[0].reason if found else f"{target.key} does not serve {scenario.model.id}"
            return None
        return min(usable, key=lambda o: o.monthly_tco_usd)

    def cheapest_api(self, scenario: Scenario) -> Option | None:
        """The cheapest usable API offer of the scenario's model at any provider (memoised)."""
        key = (scenario, "cheapest api")
        if key not in self._cache:
            dem = demand(scenario)
            found = [api_option(offer, scenario, dem) for offer in api_offers(self.catalog, scenario, self.price_date)
                     if offer.model.id == scenario.model.id]
            usable = [o for o in found if o.usable]
            self._cache[key] = min(usable, key=lambda o: o.monthly_tco_usd) if usable else None
        return self._cache[key]

    def cost(self, scenario: Scenario, target: Target) -> tuple[float, list[Option]] | None:
        """Monthly cost of serving the scenario on the target; with routing on, the easy share
        goes to a small model that can do the task (router_target) on the same target, or, on an
        API whose provider does not serve it, at the cheapest provider that does."""
        levers = scenario.levers
        small_id = router_target(scenario, self.catalog)
        if levers.route_to_small_model and scenario.model.id != small_id:
            share = levers.small_model_routing_share
            off = dataclasses.replace(levers, route_to_small_model=False)
            main = _scale_queries(dataclasses.replace(scenario, levers=off), 1.0 - share)
            easy = _scale_queries(dataclasses.replace(scenario, levers=off,
                                                      model=dataclasses.replace(scenario.model, id=small_id)), share)
            scenarios = [main, easy]
        else:
            scenarios = [scenario]
        parts = [self.option(s, target) for s in scenarios]
        if len(parts) > 1 and parts[1] is None and target.kind in API_KINDS and not _on_prem(scenario):
            parts[1] = self.cheapest_api(scenarios[1])  # the small model at another provider
            if parts[1] is None:
                self.last_failure = f"no API provider serves {small_id} within the latency targets"
        if any(p is None for p in parts):
            return None
        if len(parts) > 1 and target.kind == "owned":
            return self._shared_owned_fleet(scenarios[0], parts), parts
        # One team runs both models: staff is charged once, on the main deployment.
        shared_staff = sum(p.components_usd[STAFF] for p in parts[1:])
        return sum(p.monthly_tco_usd for p in parts) - shared_staff, parts

    def _shared_owned_fleet(self, scenario: Scenario, parts: list[Option]) -> float:
        """Both models on one owned fleet: the main part's cost model priced for the accelerators both
        need, so whole baseboards are bought once (pricing each part as its own fleet would round up
        twice) and one team, sized for the whole fleet, runs it."""
        model = cost_model(parts[0], self.catalog, scenario, demand(scenario))
        return sum(month_one_usd(model, accelerators=sum(p.sizing.accelerators for p in parts)).values())


def _on_prem(scenario: Scenario) -> bool:
    return scenario.constraints.deployment == "on_prem"


def reasoning_capable(catalog: Catalog, model_id: str) -> bool:
    """The model can write a chain of thought: it always reasons, or has a thinking mode (levers.yaml)."""
    return catalog.get_model(model_id).always_reasons or model_id in {
        r["id"] for r in lever_table()["reasoning_models"]}


def needs_reasoning(scenario: Scenario, catalog: Catalog) -> bool:
    """The workload's calls reason: reasoning tokens per call, or a model that always reasons."""
    return scenario.workload.reasoning_tokens_per_call > 0 or catalog.get_model(scenario.model.id).always_reasons


def router_target(scenario: Scenario, catalog: Catalog) -> str:
    """The small model the router sends easy calls to: one that can reason when the calls reason
    (issue 14 rule 9: a reasoning call goes to a reasoning model)."""
    table = lever_table()["substitutes"]["small_model"]
    return table["reasoning"] if needs_reasoning(scenario, catalog) else table["default"]


def _scale_queries(scenario: Scenario, factor: float) -> Scenario:
    w = scenario.workload
    return dataclasses.replace(scenario, workload=dataclasses.replace(
        w, queries_per_user_per_day=max(w.queries_per_user_per_day * factor, 0.01)))


# --- the levers ------------------------------------------------------------------
# Each returns the changed (scenario, target), or a string saying why it does not apply.

Change = tuple[Scenario, Target] | str
LeverFn = Callable[[Scenario, Target, "Context"], Change]


@dataclass(frozen=True)
class Context:
    catalog: Catalog
    baseline: Option
    options: tuple[Option, ...]  # every option of the plan, for hardware choices


def _self_hosted_only(target: Target, what: str) -> str:
    return "" if target.kind in SELF_HOSTED else f"{what} is the provider's choice on an API"


def _model(s: Scenario, **changes) -> Scenario:
    return dataclasses.replace(s, model=dataclasses.replace(s.model, **changes))


def _workload(s: Scenario, **changes) -> Scenario | str:
    """The scenario with workload changes, or why they leave the allowed range."""
    try:
        return dataclasses.replace(s, workload=dataclasses.replace(s.workload, **changes))
    except ValueError as exc:
        return f"the workload is already at its minimum: {exc}"


def _with_target(changed: Scenario | str, t: Target) -> Change:
    return changed if isinstance(changed, str) else (changed, t)


def _levers(s: Scenario, **changes) -> Scenario:
    return dataclasses.replace(s, levers=dataclasses.replace(s.levers, **changes))


def fp8_weights(s, t, ctx):
    why = _self_hosted_only(t, "weight precision")
    if why:
        return why
    precision = ctx.baseline.sizing.precision if ctx.baseline.sizing else None
    if precision in ("fp8", "int4", "fp4"):
        return f"the baseline already runs {precision.upper()} weights"
    if not ctx.catalog.get_hardware(t.key).runs("fp8"):
        return f"{ctx.catalog.get_hardware(t.key).name} has no FP8 tensor cores"
    return "FP8 is already searched for every accelerator; the baseline kept BF16 as cheaper"


def four_bit_weights(s, t, ctx):
    why = _self_hosted_only(t, "weight precision")
    if not why and ctx.catalog.get_model(s.model.id).ships_4bit:
        why = "the model ships 4-bit (MXFP4) weights: the baseline already serves them"
    if why or s.model.allow_4bit_weights:
        return why or "4-bit weights are already allowed"
    return _model(s, allow_4bit_weights=True), t


def kv_cache_fp8(s, t, ctx):
    why = _self_hosted_only(t, "KV-cache precision")
    if why or s.model.kv_cache_precision == "fp8":
        return why or "the KV cache is already FP8"
    if not ctx.catalog.get_hardware(t.key).runs("fp8"):
        return f"{ctx.catalog.get_hardware(t.key).name} has no FP8"
    return _model(s, kv_cache_precision="fp8"), t


def _substitute(kind: str, s: Scenario) -> str | None:
    return lever_table()["substitutes"][kind].get(s.model.id)


def _switch_model(s: Scenario, model_id: str, ctx) -> Scenario:
    """The scenario on another model; a model that always reasons brings its reasoning tokens."""
    switched = _model(s, id=model_id)
    reasoning = s.levers.substitute_reasoning_tokens_per_call
    if ctx.catalog.get_model(model_id).always_reasons and s.workload.reasoning_tokens_per_call < reasoning:
        switched = dataclasses.replace(switched, workload=dataclasses.replace(
            switched.workload, reasoning_tokens_per_call=reasoning))
    return switched


def _distillation(name: str):
    return next(r["value"] for r in lever_table()["distillation"] if r["id"] == name)


def _dedicated(ctx: Context, s: Scenario) -> Target | None:
    """Dedicated capacity for a custom model: the cheapest usable rented accelerator, else owned."""
    kinds = ("owned",) if _on_prem(s) else ("cloud", "owned")
    for kind in kinds:
        best = _cheapest(ctx, (kind,))
        if best is not None:
            return Target.of(best)
    return None


def distill_small(s, t, ctx):
    """Train the family's small model on the teacher's answers (a one-time cost, distillation_cost_usd)
    and host it: on the self-hosted fleet; on an API, as a LoRA adapter where the provider serves
    adapters serverless, else on dedicated capacity (a custom model has no serverless list price)."""
    small = _substitute("distill", s)
    if not small:
        return f"no smaller model of the {s.model.id} family in the catalog"
    catalog = ctx.catalog if ctx is not None else load_catalog()
    if needs_reasoning(s, catalog) and not reasoning_capable(catalog, small):
        return (f"the calls reason and {catalog.get_model(small).name} cannot: a reasoning workload needs a "
                "student that reasons")
    switched = _switch_model(s, small, ctx)
    if t.kind in SELF_HOSTED:
        return switched, t
    if t.key in _distillation("lora_serverless_providers") and t.key in dict(catalog.get_model(small).api_providers):
        return switched, t  # a LoRA adapter on the provider's serverless base model
    dedicated = _dedicated(ctx, s)
    if dedicated is None:
        return (f"{t.key} serves no LoRA adapters serverless, and no self-hosted option of this scenario "
                "meets the SLO to host the distilled model on")
    return switched, dedicated


def distillation_cost_usd(scenario: Scenario, baseline_cost_usd: float, dem_queries_per_day: float,
                          student_params_b: float) -> tuple[float, str]:
    """One-time cost of distilling [USD]: the teacher answers `examples` prompts (priced at the
    baseline's own cost per call) and the student is fine-tuned on them for `epochs` passes."""
    w = scenario.workload
    calls_per_month = dem_queries_per_day * w.agent_calls_per_query * DAYS_PER_MONTH
    examples = _distillation("examples")
    teacher = examples * baseline_cost_usd / calls_per_month if calls_per_month else 0.0
    tokens = examples * (w.input_tokens_per_call + w.output_tokens_per_call + w.reasoning_tokens_per_call)
    rate = _distillation("finetune_usd_per_mtok_up_to_10b") * max(1.0, student_params_b / 10.0)
    train = tokens * _distillation("epochs") / 1e6 * rate
    basis = (f"estimate: {examples:,.0f} teacher-labelled examples at the baseline's cost per call (${teacher:,.0f}) + "
             f"{_distillation('epochs'):.0f} epochs of LoRA fine-tuning at ${rate:.2f} per million tokens (${train:,.0f}); "
             "levers.yaml distillation")
    return teacher + train, basis


def moe_substitute(s, t, ctx):
    moe = _substitute("moe", s)
    if ctx.catalog.get_model(s.model.id).is_moe:
        return "the model is already a mixture of experts"
    return (_switch_model(s, moe, ctx), t) if moe else f"no MoE model of similar quality mapped for {s.model.id}"


def _cheapest(ctx: Context, kinds: tuple[str, ...]) -> Option | None:
    usable = [o for o in ctx.options if o.usable and o.kind in kinds and o.model == ctx.baseline.model]
    return min(usable, key=lambda o: o.monthly_tco_usd) if usable else None


def cheapest_accelerator(s, t, ctx):
    best = _cheapest(ctx, SELF_HOSTED)
    if best is None:
        return "no self-hosted option meets the SLO"
    if Target.of(best) == t:
        return "the baseline is already the cheapest accelerator that meets the SLO"
    return s, Target.of(best)


def newer_generation(s, t, ctx):
    why = _self_hosted_only(t, "the accelerator")
    if why:
        return why
    newer = lever_table()["substitutes"]["newer_generation"].get(t.key)
    return ((s, Target(t.kind, newer)) if newer
            else f"no newer generation of {ctx.catalog.get_hardware(t.key).name} in the catalog")


def specialized_silicon(s, t, ctx):
    if t.kind == "specialized":
        return "the baseline already runs on specialized silicon"
    best = _cheapest(ctx, ("specialized",))
    return (s, Target.of(best)) if best else "no specialized-silicon provider meets the SLO for this model"


def _self_hosting_an_api_baseline(s, t, ctx) -> str:
    """Why an API baseline cannot move to self-hosted capacity ('' when it can)."""
    model = ctx.catalog.get_model(s.model.id)
    if not model.open_weights:
        return f"{model.name} is closed: it is served only through its API"
    return ""


def reserved_pricing(s, t, ctx):
    if t.kind in API_KINDS:  # move the API baseline to reserved rented capacity
        why = _self_hosting_an_api_baseline(s, t, ctx)
        if why:
            return f"{why}; reserved pricing applies to rented accelerators only"
        if s.constraints.deployment == "on_prem":
            return "the scenario requires on-prem: nothing rented"
        best = _cheapest(ctx, ("cloud",))
        if best is None:
            return "no rented accelerator meets the SLO for this model"
        return dataclasses.replace(s, finance=dataclasses.replace(s.finance, pricing="reserved_1y")), Target.of(best)
    if t.kind != "cloud":
        return "reserved pricing applies to rented accelerators only"
    if s.finance.pricing != "on_demand":
        return f"already on {s.finance.pricing.replace('_', ' ')} pricing"
    return dataclasses.replace(s, finance=dataclasses.replace(s.finance, pricing="reserved_1y")), t


def owned_instead_of_rented(s, t, ctx):
    if s.constraints.deployment == "cloud":
        return "the scenario allows cloud deployment only"
    if t.kind in API_KINDS:  # move the API baseline to owned capacity
        why = _self_hosting_an_api_baseline(s, t, ctx)
        if why:
            return f"{why}; owning applies to open-weight models"
        best = _cheapest(ctx, ("owned",))
        return (s, Target.of(best)) if best else "no owned accelerator meets the SLO for this model"
    if t.kind != "cloud":
        return "applies to rented accelerators only"
    return s, Target("owned", t.key)


def modern_stack(s, t, ctx):
    why = _self_hosted_only(t, "the serving stack")
    stack = ctx.baseline.sizing.stack if ctx.baseline.sizing else None
    return why or f"the baseline already runs {stack} (continuous batching, paged attention)"


def prefix_caching(s, t, ctx):
    if s.workload.shared_prefix_fraction == 0:
        return "workload.shared_prefix_fraction is 0: no shared prompt prefix to cache"
    if t.kind not in SELF_HOSTED:
        return "the API baseline already bills the shared prefix at the provider's cached-input price"
    if s.levers.prefix_caching:
        return "prefix caching is already on"
    stack = ctx.baseline.sizing.stack if ctx.baseline.sizing else None
    if stack and caches_prefixes(stack, s):  # issue 14 rule 2: counted in the baseline, never twice
        return f"the baseline's stack ({stack}) reuses the shared prefix by default: already counted"
    return _levers(s, prefix_caching=True), t


def speculative_decoding(s, t, ctx):
    why = _self_hosted_only(t, "speculative decoding")
    if why or s.levers.speculative_decoding:
        return why or "speculative decoding is already on"
    return _levers(s, speculative_decoding=True), t


PREFILL_HEAVY_RATIO = 4  # input tokens per generated token above which prefill dominates the work


def disaggregated_prefill(s, t, ctx):
    why = _self_hosted_only(t, "the serving topology")
    if why or s.levers.disaggregated_prefill:
        return why or "prefill and decode are already disaggregated"
    w = s.workload
    ratio = w.input_tokens_per_call * (1 - (w.shared_prefix_fraction if s.levers.prefix_caching else 0)) / max(
        w.output_tokens_per_call + w.reasoning_tokens_per_call, 1)
    if ratio < PREFILL_HEAVY_RATIO:
        return f"not prefill-heavy: {ratio:,.1f} fresh input tokens per generated token (below {PREFILL_HEAVY_RATIO})"
    return _levers(s, disaggregated_prefill=True), t


def chunked_prefill(s, t, ctx):
    why = _self_hosted_only(t, "scheduling")
    return why or "chunked prefill is already in the modelled stacks (prompts ride in decode iterations)"


def response_cache(s, t, ctx):
    h = s.levers.response_cache_hit_rate
    if h == 0:
        return "levers.response_cache_hit_rate is 0"
    return _with_target(_workload(s, queries_per_user_per_day=s.workload.queries_per_user_per_day * (1 - h)), t)


def small_model_routing(s, t, ctx):
    small = router_target(s, ctx.catalog if ctx is not None else load_catalog())
    if s.model.id == small or s.levers.route_to_small_model:
        return "the model is already the small one" if s.model.id == small else "routing is already on"
    if s.levers.small_model_routing_share == 0:
        return "levers.small_model_routing_share is 0"
    return _levers(s, route_to_small_model=True), t


def batch_offline(s, t, ctx):
    if s.workload.offline_fraction == 0:
        return "workload.offline_fraction is 0: no work that can wait for a batch window"
    base = next((o for o in ctx.options if Target.of(o) == t and o.model == s.model.id), ctx.baseline)
    if t.kind in API_KINDS:
        if base.api_quote and base.api_quote.batch_saving_usd:
            return "the baseline already prices the offline share at the provider's batch rates"
        batch = [o for o in ctx.options if o.usable and o.kind in API_KINDS and o.model == s.model.id
                 and o.api_quote and o.api_quote.batch_saving_usd > 0]
        if batch:  # switch to a provider with a batch API for this model
            return s, Target.of(min(batch, key=lambda o: o.monthly_tco_usd))
        return (f"no batch price is published for {base.name} (genai-prices, providers.yaml), and no other "
                "provider of this model has one: the offline share pays list price")
    return "the baseline already sizes the fleet for the offline share in quiet hours, off the peak"


def prompt_trimming(s, t, ctx):
    keep = 1 - s.levers.prompt_trim_fraction
    tokens = max(1, round(s.workload.input_tokens_per_call * keep))
    if tokens == s.workload.input_tokens_per_call:
        return "levers.prompt_trim_fraction removes no tokens"
    return _with_target(_workload(s, input_tokens_per_call=tokens), t)


def fewer_agent_calls(s, t, ctx):
    calls = max(1.0, s.workload.agent_calls_per_query * (1 - s.levers.agent_call_reduction))
    if calls == s.workload.agent_calls_per_query:
        return "already one model call per query"
    return _with_target(_workload(s, agent_calls_per_query=calls), t)


def output_caps(s, t, ctx):
    tokens = max(1, round(s.workload.output_tokens_per_call * (1 - s.levers.output_cap_fraction)))
    if tokens == s.workload.output_tokens_per_call:
        return "levers.output_cap_fraction removes no tokens"
    return _with_target(_workload(s, output_tokens_per_call=tokens), t)


def on_device(s, t, ctx):
    """Offload the simple share of calls to a small model on the user's device (on_device.py): only
    for calls an app makes on the user's phone or laptop, where a model fits and meets the targets."""
    why = why_not_on_device(s)
    if why:
        return why
    catalog = ctx.catalog if ctx is not None else load_catalog()
    found = assess_on_device(catalog, s)
    if not found.applies:
        return found.reason
    share = s.levers.on_device_share
    return _with_target(_workload(s, queries_per_user_per_day=s.workload.queries_per_user_per_day * (1 - share)), t)


LEVERS: dict[str, LeverFn] = {f.__name__: f for f in (
    fp8_weights, four_bit_weights, kv_cache_fp8, distill_small, moe_substitute,
    cheapest_accelerator, newer_generation, specialized_silicon, reserved_pricing, owned_instead_of_rented,
    modern_stack, prefix_caching, speculative_decoding, chunked_prefill, disaggregated_prefill,
    response_cache, small_model_routing, batch_offline, prompt_trimming, fewer_agent_calls, output_caps, on_device)}

ASSUMPTIONS = {  # the Scenario fields each lever's saving rests on (shown and editable)
    "speculative_decoding": ("levers.speculative_acceptance_rate", "levers.speculative_draft_tokens"),
    "response_cache": ("levers.response_cache_hit_rate",),
    "small_model_routing": ("levers.small_model_routing_share",),
    "prompt_trimming": ("levers.prompt_trim_fraction",),
    "fewer_agent_calls": ("levers.agent_call_reduction",),
    "output_caps": ("levers.output_cap_fraction",),
    "on_device": ("levers.on_device_share",),
    "prefix_caching": ("workload.shared_prefix_fraction",),
    "batch_offline": ("workload.offline_fraction",),
    "moe_substitute": ("levers.substitute_reasoning_tokens_per_call",),
}


def _assumption_values(scenario: Scenario, lever_id: str) -> dict[str, float]:
    out = {}
    for key in ASSUMPTIONS.get(lever_id, ()):
        section, name = key.split(".")
        out[key] = getattr(getattr(scenario, section), name)
    return out


# --- the roadmap records ---------------------------------------------------------

WATERFALL_KINDS = ("total", "delta")  # a bar standing on zero (today, after) or a lever's change


@dataclass(frozen=True)
class Lever:
    """One lever re-planned on its own against the baseline (its standalone saving)."""

    id: str
    layer: str  # model | hardware | stack | workload (levers.yaml)
    name: str
    monthly_saving_usd: float  # standalone, against the baseline
    saving_fraction: float
    effort_days: float
    quality_risk: str
    quality_risk_reason: str
    phase: str  # one of PHASES
    applies: bool
    reason: str
    ttft_ms: float | None
    tpot_ms: float | None
    option_id_after: str | None
    prerequisites: tuple[str, ...]
    conflicts: tuple[str, ...]
    assumptions: Mapping[str, float]  # the Scenario fields its saving rests on, with their values
    # The two savings, named (issue 14 rule 9): standalone = re-planned alone against the baseline
    # (monthly_saving_usd, kept for the contract); cumulative = what it adds applied in sequence on top
    # of the earlier steps (0 when the cumulative pass did not apply it).
    standalone_saving_usd: float = 0.0
    cumulative_saving_usd: float = 0.0
    # A one-time cost the monthly saving must pay back (distillation: teacher labels and training).
    one_time_cost_usd: float = 0.0
    one_time_cost_basis: str = ""
    payback_months: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "assumptions", frozen_map(self.assumptions))


@dataclass(frozen=True)
class Step:
    """A lever applied on top of the earlier ones (its cumulative effect)."""

    lever_id: str
    monthly_tco_usd: float  # after this step
    saving_usd: float  # against the previous step (the lever's cumulative saving)
    option_id: str
    cumulative_saving_usd: float = 0.0  # baseline minus the cost after this step: the running total


@dataclass(frozen=True)
class WaterfallBar:
    label: str
    value_usd: float  # a total, or a (negative) change
    kind: str  # one of WATERFALL_KINDS

    def __post_init__(self) -> None:
        if self.kind not in WATERFALL_KINDS:
            raise ValueError(f"waterfall kind {self.kind!r} is not one of {', '.join(WATERFALL_KINDS)}")


@dataclass(frozen=True)
class Roadmap:
    baseline_option_id: str
    baseline_monthly_tco_usd: float
    levers: tuple[Lever, ...]
    steps: tuple[Step, ...]
    final_monthly_tco_usd: float
    total_saving_fraction: float
    final_scenario: Scenario
    final_target: Target
    waterfall: tuple[WaterfallBar, ...]

    def lever(self, lever_id: str) -> Lever:
        return next(lv for lv in self.levers if lv.id == lever_id)

    def step_of(self, lever_id: str) -> Step | None:
        """The lever's step in the cumulative pass (its saving with the steps before), or None when the pass
        skipped it (a lever can save alone, `Lever.applies`, and still add nothing on top of earlier steps)."""
        return next((st for st in self.steps if st.lever_id == lever_id), None)


# --- the roadmap -----------------------------------------------------------------

def build_roadmap(catalog: Catalog, scenario: Scenario, baseline: Option | None, options: tuple[Option, ...],
                  price_date: dt.date) -> Roadmap | None:
    """Levers with their individual savings, the cumulative steps and the waterfall."""
    if baseline is None:
        return None
    ev = Evaluator(catalog, price_date)
    start = Target.of(baseline)
    # The roadmap starts from what plan() priced: the recommended option's own model (a
    # quality-floor substitute, perhaps), without routing, which only the roadmap prices.
    scenario = dataclasses.replace(
        scenario, model=dataclasses.replace(scenario.model, id=baseline.model),
        levers=dataclasses.replace(scenario.levers, route_to_small_model=False))
    priced = ev.cost(scenario, start)
    base_cost = priced[0] if priced else baseline.monthly_tco_usd
    ctx = Context(catalog, baseline, options)
    meta = {row["id"]: row for row in lever_table()["levers"]}
    levers = []
    for lever_id, fn in LEVERS.items():
        row = meta[lever_id]
        change = fn(scenario, start, ctx)
        saving, after, reason = 0.0, None, change if isinstance(change, str) else ""
        if not isinstance(change, str):
            result = ev.cost(*change)
            if result is None:
                reason = f"re-planned, no usable option: {ev.last_failure}"
            else:
                saving = base_cost - result[0]
                after = result[1][0]
                if saving >= MIN_SAVING_FRACTION * base_cost:
                    reason = f"re-planned: {after.name} at {usd(result[0])} per month"
                elif saving > -1e-6:
                    reason = (f"re-planned: saves {usd(max(saving, 0))} per month, under "
                              f"{percent(MIN_SAVING_FRACTION, 1)} of the bill (the same fleet carries the load")
                    needed = after.sizing.accelerators if after.sizing else None
                    if after.kind == "owned" and needed and after.accelerators and needed < after.accelerators:
                        reason += (f": only {needed} of the {after.accelerators} owned accelerators would be busy, "
                                   "and owners buy whole baseboards, so the freed capacity serves growth")
                    reason += ")"
                    saving = 0.0
                else:
                    reason = f"re-planned, it would cost {usd(-saving)} more per month"
        applies = saving >= MIN_SAVING_FRACTION * base_cost and saving > 0
        one_time, one_time_basis = 0.0, ""
        if lever_id == "distill_small" and not isinstance(change, str):
            one_time, one_time_basis = distillation_cost_usd(
                scenario, base_cost, demand(scenario).queries_per_day,
                catalog.get_model(change[0].model.id).params_total_b or 0.0)
        levers.append(Lever(
            id=lever_id, layer=row["layer"], name=row["name"],
            monthly_saving_usd=max(saving, 0.0), saving_fraction=max(saving, 0.0) / base_cost,
            effort_days=row["effort_days"], quality_risk=row["quality_risk"],
            quality_risk_reason=row["quality_risk_reason"], phase=phase_for(row["effort_days"]),
            applies=applies, reason=reason,
            ttft_ms=after.ttft_ms if after else None, tpot_ms=after.tpot_ms if after else None,
            option_id_after=after.id if after else None,
            prerequisites=tuple(row["prerequisites"]), conflicts=tuple(row["conflicts"]),
            assumptions=_assumption_values(scenario, lever_id),
            standalone_saving_usd=max(saving, 0.0) if applies else 0.0,
            one_time_cost_usd=one_time, one_time_cost_basis=one_time_basis,
            payback_months=one_time / saving if one_time and applies else None))
    steps, skipped, state, current = _cumulative(ev, scenario, start, base_cost, levers, ctx)
    in_sequence = {st.lever_id: st.saving_usd for st in steps}
    levers = [dataclasses.replace(lv, cumulative_saving_usd=in_sequence.get(lv.id, 0.0)) for lv in levers]
    # A lever the cumulative pass skipped says why, after its standalone reason.
    levers = [dataclasses.replace(lv, reason=lv.reason + skipped[lv.id]) if lv.id in skipped else lv for lv in levers]
    names = {lv.id: lv.name for lv in levers}
    waterfall = (WaterfallBar(f"Today: {baseline.name}", base_cost, "total"),
                 *(WaterfallBar(names[st.lever_id], -st.saving_usd, "delta") for st in steps),
                 WaterfallBar("After the roadmap", current, "total"))
    return Roadmap(baseline.id, base_cost, tuple(levers), tuple(steps), current,
                   1 - current / base_cost if base_cost else 0.0, state[0], state[1], waterfall)


def _cumulative(ev: Evaluator, scenario: Scenario, start: Target, base_cost: float, levers: list[Lever],
                ctx: Context) -> tuple[list[Step], dict[str, str], tuple[Scenario, Target], float]:
    """Apply the saving levers in phase order, each re-priced on top of the previous ones;
    a lever that conflicts with an applied one (levers.yaml `conflicts`, either way round) or no
    longer saves (its saving overlaps an earlier one) is skipped, with the reason."""
    order = sorted((lv for lv in levers if lv.applies),
                   key=lambda lv: (PHASES.index(lv.phase), -lv.monthly_saving_usd))
    state, current, steps, skipped = (scenario, start), base_cost, [], {}
    names = {lv.id: lv.name for lv in levers}
    declared = {lv.id: set(lv.conflicts) for lv in levers}
    for lv in order:
        # a declared conflict holds both ways (levers.yaml): skip a lever that conflicts with an applied one
        clash = [st.lever_id for st in steps
                 if st.lever_id in declared[lv.id] or lv.id in declared.get(st.lever_id, set())]
        if clash:
            skipped[lv.id] = f"; skipped: conflicts with {names.get(clash[0], clash[0])}, applied earlier"
            continue
        change = LEVERS[lv.id](state[0], state[1], ctx)
        if isinstance(change, str):
            skipped[lv.id] = f"; skipped after earlier steps: {change}"
            continue
        result = ev.cost(*change)
        if result is None or result[0] > current - MIN_SAVING_FRACTION * base_cost:
            skipped[lv.id] = "; skipped: no further saving on top of the earlier steps"
            continue
        steps.append(Step(lv.id, result[0], current - result[0], result[1][0].id, base_cost - result[0]))
        state, current = change, result[0]
    return steps, skipped, state, current


def replan_final(catalog: Catalog, roadmap: Roadmap, price_date: dt.date) -> float | None:
    """Re-price the final scenario and target from scratch (the consistency check)."""
    result = Evaluator(catalog, price_date).cost(roadmap.final_scenario, roadmap.final_target)
    return result[0] if result else None
