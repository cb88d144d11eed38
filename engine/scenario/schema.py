"""The Scenario: a company's workload in business terms, validated and frozen.

One schema serves the form, the presets, the URL, the CLI and the report. The YAML
layout is a contract: keys may be added, never renamed.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Mapping

# Latency tiers fill the SLO defaults; both numbers stay editable.
# Why these values: realtime voice needs the first words within ~300 ms of the user
# stopping and text well above speech rate for TTS to stay ahead; interactive chat
# is judged "instant" under ~1 s and comfortable to read at ~20 tok/s (faster than
# reading speed); agentic calls chain, so each call must finish promptly but no one
# watches it stream; batch work only has to finish inside its window.
LATENCY_TIERS: dict[str, dict[str, float]] = {
    "realtime": {"ttft_p95_ms": 300.0, "min_output_tokens_per_s_per_user": 50.0},
    "interactive": {"ttft_p95_ms": 1000.0, "min_output_tokens_per_s_per_user": 20.0},
    "agentic": {"ttft_p95_ms": 3000.0, "min_output_tokens_per_s_per_user": 30.0},
    "batch": {"ttft_p95_ms": 60000.0, "min_output_tokens_per_s_per_user": 2.0},
}
DEPLOYMENTS = ("any", "cloud", "on_prem")
PRICINGS = ("on_demand", "reserved_1y", "reserved_3y")
# What options are ranked on: the total over the horizon (growth, price decline, purchases as
# bought, owned fleets on their delivery bridge until they arrive) or this month's bill.
DECIDE_ON = ("horizon_total", "month_1")
# Where the model calls come from. Only calls made by an app on the user's own phone or laptop can be
# served by an on-device model; server-side jobs and phone-line (telephony) calls cannot.
CALL_ORIGINS = ("server", "user_device", "phone")
KV_CACHE_PRECISIONS = ("bf16", "fp8")
CURRENCIES = ("USD",)  # every price source is in US dollars; no exchange rates are modelled

# Bounds with the reason for each: (low, high, why). Inclusive.
BOUNDS: dict[str, tuple[float, float, str]] = {
    "workload.daily_active_users": (1, 1e9, "from one user to a billion-user consumer app"),
    "workload.queries_per_user_per_day": (0.01, 10_000, "a query every few months to a heavy API client"),
    "workload.agent_calls_per_query": (1, 100, "one model call per query up to a 100-call agent loop"),
    "workload.input_tokens_per_call": (1, 2_000_000, "one token up to the longest context windows sold today"),
    "workload.output_tokens_per_call": (1, 200_000, "one token up to the longest generations models allow"),
    "workload.reasoning_tokens_per_call": (0, 200_000, "hidden thinking tokens, billed as output"),
    "workload.shared_prefix_fraction": (0.0, 1.0, "a share of the prompt"),
    "workload.peak_to_average_ratio": (1.0, 50.0, "the busiest hour against the daily average"),
    "workload.offline_fraction": (0.0, 1.0, "a share of calls"),
    "workload.offline_window_hours": (1.0, 24.0, "the hours a day in which offline work must finish "
                                      "(e.g. 8 for a nightly run; 24 = any time of day)"),
    "constraints.power_cap_kw": (0.1, 1e7, "the IT power a site can give the fleet, from one rack to a campus"),
    "latency.ttft_p95_ms": (50, 3_600_000, "50 ms (faster than any network round trip allows) to one hour"),
    "latency.min_output_tokens_per_s_per_user": (0.1, 5_000, "above the fastest measured per-user speeds"),
    "model.quality_floor": (900, 1700, "an LMArena text score, the scale of the catalog's quality index (arena.ai "
                            "text leaderboard, 2026-10-02): about 1,170 for Llama 2 70B, 1,318 for Llama 3.3 70B, "
                            "1,525 for the top model"),
    "constraints.availability_target": (0.9, 0.99999, "from 90% to five nines"),
    "constraints.headroom_fraction": (0.0, 2.0, "spare capacity above peak, as a share of peak"),
    "finance.horizon_months": (1, 120, "one month to ten years"),
    "finance.monthly_growth": (-0.5, 2.0, "usage change per month"),
    "finance.yearly_price_decline": (0.0, 0.95, "price per token falls by this share each year"),
    "finance.electricity_usd_per_kwh": (0.0, 2.0, "industrial electricity prices"),
    "finance.pue": (1.0, 3.0, "power usage effectiveness of the data centre"),
    "finance.amortization_years": (1, 10, "depreciation period of owned hardware"),
    "finance.engineer_cost_usd_per_year": (0, 2_000_000, "fully loaded cost of one engineer"),
    "finance.one_time_model_cost_usd": (0, 1e10, "fine-tuning or training, paid once"),
    "finance.software_efficiency_gain_per_year": (0.0, 0.9, "tokens/s per accelerator gained each year from "
                                                  "serving-software releases on the same hardware"),
    "finance.software_licence_usd_per_accelerator_year": (0, 100_000, "e.g. NVIDIA AI Enterprise, $4,500 per "
                                                           "GPU-year list; 0 for open-source stacks"),
    "levers.speculative_acceptance_rate": (0.05, 0.95, "share of draft tokens the target model accepts"),
    "levers.speculative_draft_tokens": (1, 16, "tokens drafted per verification step"),
    "levers.response_cache_hit_rate": (0.0, 0.9, "share of queries answered from a semantic/response cache"),
    "levers.small_model_routing_share": (0.0, 0.95, "share of calls a router sends to the small model"),
    "levers.prompt_trim_fraction": (0.0, 0.9, "share of prompt tokens removed by trimming context"),
    "levers.agent_call_reduction": (0.0, 0.9, "share of agent calls removed per query"),
    "levers.output_cap_fraction": (0.0, 0.9, "share of output tokens removed by length caps"),
    "levers.on_device_share": (0.0, 0.9, "share of simple calls served by on-device models"),
    "levers.substitute_reasoning_tokens_per_call": (0, 20_000, "reasoning tokens per call a substitute reasoning "
                                                    "model writes where the current model writes none"),
}
# Beyond list prices (finance.api_discounts, finance.api_quote_usd_per_mtok): lists of text entries,
# so the link, the form and YAML carry them like constraints.allowed_vendors; each number's range here.
API_DISCOUNT_BOUNDS = (0.0, 0.9, "a negotiated discount off the provider's list price per token")
API_QUOTE_BOUNDS = (0.0, 1000.0, "USD per million tokens, your own price for that provider and model")
ACCELERATOR_QUOTE_BOUNDS = (0.01, 100.0, "USD per accelerator-hour, your own rental quote")


# Compounding: usage at the horizon's end is (1 + monthly_growth) ** (horizon_months - 1) times today's.
# ChatGPT, the fastest-growing consumer app on record, went from 1 million users (Dec 2022, five days
# after launch) to 800 million weekly users (Oct 2025): about 800x in 34 months. A plan is refused
# beyond MAX_GROWTH_FACTOR (over ten times that record: the later months would price a workload that
# no longer resembles the inputs) and warned about beyond WARN_GROWTH_FACTOR.
MAX_GROWTH_FACTOR = 10_000.0
WARN_GROWTH_FACTOR = 100.0
# Markdown, HTML and LaTeX syntax that could turn a quoted value into a link, an image or markup
# where a message is shown (Streamlit renders alerts as markdown).
_ACTIVE = frozenset("[]()<>!&\\`$|#*~")
QUOTE_CHARS = 40
# Catalog ids (models, hardware, vendors, devices) are short slugs; anything else is refused before it
# can be echoed in a message.
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_LIST_ENTRIES = 100


def quote(value: Any, limit: int = QUOTE_CHARS, bare: bool = False) -> str:
    """A bad value as it may appear in a message: at most `limit` characters, one line, with
    markdown-active and control characters (bidi overrides included) replaced by '?'."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = "".join(" " if c in "\t\r\n" else "?" if c in _ACTIVE or unicodedata.category(c)[0] == "C" else c
                   for c in text)
    return text if bare else f"'{text}'"


def is_id(value: Any) -> bool:
    """A catalog-style id: letters, digits, '.', '_' and '-', at most 64 characters."""
    return isinstance(value, str) and bool(_ID.match(value))


def check_vendors(allowed: tuple[str, ...], vendors: set[str] | frozenset[str]) -> None:
    """constraints.allowed_vendors against the catalog's hardware vendors: one rule for size and plan.

    Raises ValueError naming the first unknown vendors (short ids by then, see Constraints)."""
    unknown = [v for v in allowed if v not in vendors]
    if unknown:
        raise ValueError(f"constraints.allowed_vendors: {', '.join(quote(v) for v in unknown[:3])}"
                         f"{' and others' if len(unknown) > 3 else ''} is not a hardware vendor; "
                         f"choose from {', '.join(sorted(vendors))}")


def growth_factor(monthly_growth: float, horizon_months: int) -> float:
    """Usage in the horizon's last month over today's: (1 + g) ** (months - 1) [ratio]."""
    return (1.0 + monthly_growth) ** (horizon_months - 1)


def _check_range(section: str, name: str, value: float) -> None:

    key = f"{section}.{name}"
    low, high, why = BOUNDS[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{key} must be a finite number, got {quote(value)}")
    if not low <= value <= high:
        raise ValueError(f"{key} = {value:g} is out of range: allowed {low:,g} to {high:,g} ({why})")


def _check_choice(key: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{key} = {quote(value)} is not allowed: choose one of {', '.join(allowed)}")


def _check_bounded_fields(obj: Any, section: str) -> None:
    for f in dataclasses.fields(obj):
        if f"{section}.{f.name}" in BOUNDS:
            value = getattr(obj, f.name)
            if value is not None:
                _check_range(section, f.name, value)


@dataclass(frozen=True)
class Workload:
    daily_active_users: int = 50_000
    queries_per_user_per_day: float = 4.0
    agent_calls_per_query: float = 3.0
    input_tokens_per_call: int = 1500
    output_tokens_per_call: int = 300
    reasoning_tokens_per_call: int = 0
    shared_prefix_fraction: float = 0.4
    peak_to_average_ratio: float = 3.0
    offline_fraction: float = 0.0
    offline_window_hours: float = 24.0  # offline calls must finish inside this many hours a day
    call_origin: str = "server"  # CALL_ORIGINS: who makes the calls (on-device serving needs user devices)
    # Catalog device id of the typical user's device ("" = the use case's default); on-device levers use it.
    typical_user_device: str = ""

    def __post_init__(self) -> None:
        _check_choice("workload.call_origin", self.call_origin, CALL_ORIGINS)
        if self.typical_user_device != "" and not is_id(self.typical_user_device):
            raise ValueError("workload.typical_user_device must be a device id from the catalog (or empty)")
        _check_bounded_fields(self, "workload")


@dataclass(frozen=True)
class Latency:
    tier: str = "interactive"
    ttft_p95_ms: float = LATENCY_TIERS["interactive"]["ttft_p95_ms"]
    min_output_tokens_per_s_per_user: float = LATENCY_TIERS["interactive"]["min_output_tokens_per_s_per_user"]

    def __post_init__(self) -> None:
        _check_choice("latency.tier", self.tier, tuple(LATENCY_TIERS))
        _check_bounded_fields(self, "latency")

    @classmethod
    def for_tier(cls, tier: str, **overrides: float) -> "Latency":
        """The tier's SLO defaults, with any explicitly given value kept."""
        _check_choice("latency.tier", tier, tuple(LATENCY_TIERS))
        return cls(tier=tier, **{**LATENCY_TIERS[tier], **overrides})

    @property
    def max_tpot_ms(self) -> float:
        """Slowest time per output token that still meets the per-user speed [ms]."""
        return 1000.0 / self.min_output_tokens_per_s_per_user


@dataclass(frozen=True)
class ModelChoice:
    id: str = "llama-3.3-70b"
    quality_floor: float | None = None
    allow_4bit_weights: bool = False
    kv_cache_precision: str = "bf16"

    def __post_init__(self) -> None:
        if not is_id(self.id):
            raise ValueError("model.id must be a model id from the catalog (letters, digits, '.', '_', '-'; "
                             "at most 64 characters), e.g. llama-3.3-70b")
        _check_choice("model.kv_cache_precision", self.kv_cache_precision, KV_CACHE_PRECISIONS)
        if not isinstance(self.allow_4bit_weights, bool):
            raise ValueError(f"model.allow_4bit_weights must be true or false, got {quote(self.allow_4bit_weights)}")
        _check_bounded_fields(self, "model")


@dataclass(frozen=True)
class Constraints:
    deployment: str = "any"
    allowed_vendors: tuple[str, ...] = ()
    availability_target: float = 0.999
    headroom_fraction: float = 0.2
    power_cap_kw: float | None = None  # optional: the IT power the fleet may draw, before PUE [kW]

    def __post_init__(self) -> None:
        _check_choice("constraints.deployment", self.deployment, DEPLOYMENTS)
        if not isinstance(self.allowed_vendors, tuple) or not all(isinstance(v, str) for v in self.allowed_vendors):
            raise ValueError("constraints.allowed_vendors must be a list of vendor names (empty = all)")
        if len(self.allowed_vendors) > MAX_LIST_ENTRIES:
            raise ValueError(f"constraints.allowed_vendors lists {len(self.allowed_vendors):,} names; "
                             f"at most {MAX_LIST_ENTRIES} (the catalog has a handful of vendors)")
        bad = next((i for i, v in enumerate(self.allowed_vendors) if not is_id(v)), None)
        if bad is not None:  # named by position: such a value is never a vendor and is not echoed
            raise ValueError(f"constraints.allowed_vendors: entry {bad + 1} is not a vendor name (letters, digits, "
                             "'.', '_', '-'; at most 64 characters), e.g. nvidia")
        _check_bounded_fields(self, "constraints")

    @property
    def redundant_replicas(self) -> int:
        """Spare failure units (servers, or replicas on rented instances) beyond the load: N+1 from
        three nines."""
        return 1 if self.availability_target >= 0.999 else 0

    @property
    def failure_domains(self) -> int:
        """Failure domains (servers in separate racks, zones or sites) that must each carry the peak on
        their own: two from four nines, since one server's or rack's repair outlasts 52 minutes a year."""
        return 2 if self.availability_target >= 0.9999 else 1


@dataclass(frozen=True)
class Finance:
    horizon_months: int = 24
    monthly_growth: float = 0.05
    yearly_price_decline: float = 0.4
    electricity_usd_per_kwh: float = 0.12
    pue: float = 1.3
    amortization_years: int = 4
    pricing: str = "on_demand"
    engineer_cost_usd_per_year: float = 200_000.0
    one_time_model_cost_usd: float = 0.0
    software_licence_usd_per_accelerator_year: float = 0.0  # open-source stacks need none
    # Self-hosted throughput on the same hardware rises as serving software improves (the API side has
    # yearly_price_decline); applied to self-hosted fleets over the horizon.
    software_efficiency_gain_per_year: float = 0.18  # cost_assumptions.yaml: MLPerf, the same GPU a year apart
    # "accelerator:usd_per_hour" entries, e.g. ("h100:1.85",): your own rental quote per accelerator-hour.
    accelerator_quote_usd_per_hour: tuple[str, ...] = ()
    currency: str = "USD"
    # "provider:fraction" entries, e.g. ("anthropic:0.15",): that provider's token prices less 15%.
    api_discounts: tuple[str, ...] = ()
    # "provider:model:input:output" entries [USD per million tokens]: your own quote replaces the list price.
    api_quote_usd_per_mtok: tuple[str, ...] = ()
    decide_on: str = "horizon_total"  # DECIDE_ON: rank options on the horizon total or on month 1

    def __post_init__(self) -> None:
        _check_choice("finance.pricing", self.pricing, PRICINGS)
        _check_choice("finance.decide_on", self.decide_on, DECIDE_ON)
        _check_choice("finance.currency", self.currency, CURRENCIES)
        _check_bounded_fields(self, "finance")
        factor = growth_factor(self.monthly_growth, self.horizon_months)
        if factor > MAX_GROWTH_FACTOR:
            raise ValueError(
                f"finance.monthly_growth = {self.monthly_growth:g} over finance.horizon_months = {self.horizon_months} "
                f"compounds to {factor:,.3g}x today's usage; at most {MAX_GROWTH_FACTOR:,.0f}x (over ten times "
                "ChatGPT's ~800x in its first 34 months): lower the growth or shorten the horizon")
        self.api_discount_by_provider  # noqa: B018 - parsing validates
        self.api_quote_by_pair  # noqa: B018
        self.accelerator_quote_by_id  # noqa: B018

    @property
    def accelerator_quote_by_id(self) -> dict[str, float]:
        """Own rental quotes by accelerator id [USD per accelerator-hour]."""
        key, example = "finance.accelerator_quote_usd_per_hour", "h100:1.85 (accelerator:usd_per_hour)"
        out: dict[str, float] = {}
        for accelerator, price in _entries(key, self.accelerator_quote_usd_per_hour, 2, example):
            if accelerator in out:
                raise ValueError(f"{key}: accelerator {quote(accelerator)} is listed twice")
            out[accelerator] = _bounded_number(key, f"{accelerator}:{price}", price, ACCELERATOR_QUOTE_BOUNDS)
        return out

    @property
    def api_discount_by_provider(self) -> dict[str, float]:
        """Negotiated discounts by provider id [fraction of the list price]."""
        return _parse_discounts(self.api_discounts)

    @property
    def api_quote_by_pair(self) -> dict[tuple[str, str], tuple[float, float]]:
        """Own quotes by (provider id, model id): (input, output) [USD per million tokens]."""
        return _parse_quotes(self.api_quote_usd_per_mtok)


def _entries(key: str, entries: Any, parts: int, example: str) -> list[list[str]]:
    if not isinstance(entries, tuple) or not all(isinstance(e, str) for e in entries):
        raise ValueError(f"{key} must be a list of entries like {example}")
    out = []
    for entry in entries:
        fields = [f.strip() for f in entry.split(":")]
        if len(fields) != parts or not all(fields):
            raise ValueError(f"{key}: {quote(entry)} is not an entry like {example}")
        out.append(fields)
    return out


def _bounded_number(key: str, entry: str, text: str, bounds: tuple[float, float, str]) -> float:
    low, high, why = bounds
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{key}: {quote(text)} in {quote(entry)} is out of range: allowed {low:,g} to {high:,g} ({why})")
    return value


def _parse_discounts(entries: Any) -> dict[str, float]:
    key, example = "finance.api_discounts", "anthropic:0.15 (provider:fraction)"
    out: dict[str, float] = {}
    for provider, fraction in _entries(key, entries, 2, example):
        if provider in out:
            raise ValueError(f"{key}: provider {quote(provider)} is listed twice")
        out[provider] = _bounded_number(key, f"{provider}:{fraction}", fraction, API_DISCOUNT_BOUNDS)
    return out


def _parse_quotes(entries: Any) -> dict[tuple[str, str], tuple[float, float]]:
    key, example = "finance.api_quote_usd_per_mtok", "anthropic:claude-haiku-5-5:0.08:0.4 (provider:model:input:output)"
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for provider, model, input_usd, output_usd in _entries(key, entries, 4, example):
        entry = f"{provider}:{model}:{input_usd}:{output_usd}"
        if (provider, model) in out:
            raise ValueError(f"{key}: {provider}:{model} is quoted twice")
        out[(provider, model)] = (_bounded_number(key, entry, input_usd, API_QUOTE_BOUNDS),
                                  _bounded_number(key, entry, output_usd, API_QUOTE_BOUNDS))
    return out


@dataclass(frozen=True)
class Levers:
    """Serving switches the roadmap turns on, and the assumptions behind each lever.

    Switches are off in a company's starting point; assumptions are editable so a CTO
    can put in their own hit rates and shares.
    """

    prefix_caching: bool = False
    speculative_decoding: bool = False
    disaggregated_prefill: bool = False
    route_to_small_model: bool = False
    speculative_acceptance_rate: float = 0.7  # EAGLE-style drafts on chat data accept ~0.6-0.8
    speculative_draft_tokens: int = 4
    response_cache_hit_rate: float = 0.15
    small_model_routing_share: float = 0.3
    prompt_trim_fraction: float = 0.2
    agent_call_reduction: float = 0.25
    output_cap_fraction: float = 0.2
    on_device_share: float = 0.1
    # A substitute that always reasons (gpt-oss, DeepSeek-R1) writes a chain of thought even where
    # the current model writes none; no published per-call average was found, so this is editable.
    substitute_reasoning_tokens_per_call: int = 300

    def __post_init__(self) -> None:
        for name in ("prefix_caching", "speculative_decoding", "disaggregated_prefill", "route_to_small_model"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"levers.{name} must be true or false, got {quote(getattr(self, name))}")
        _check_bounded_fields(self, "levers")


@dataclass(frozen=True)
class Scenario:
    name: str = "Customer-support assistant"
    workload: Workload = field(default_factory=Workload)
    latency: Latency = field(default_factory=Latency)
    model: ModelChoice = field(default_factory=ModelChoice)
    constraints: Constraints = field(default_factory=Constraints)
    finance: Finance = field(default_factory=Finance)
    levers: Levers = field(default_factory=Levers)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or len(self.name) > 200:
            raise ValueError("name must be text of at most 200 characters")
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in self.name):
            raise ValueError("name must not contain control characters or line breaks")

    # --- (de)serialisation -------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        for section in SECTIONS:
            values = dataclasses.asdict(getattr(self, section))
            out[section] = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Scenario":
        """Build a Scenario from nested plain data; missing keys take defaults.

        Raises ValueError naming the first unknown key or bad value.
        """
        if not isinstance(data, Mapping):
            raise ValueError("a scenario must be a mapping with sections " + ", ".join(SECTIONS))
        unknown = set(data) - {"name", *SECTIONS}
        if unknown:
            raise ValueError(f"unknown scenario key {quote(sorted(map(str, unknown))[0])}: allowed are name, {', '.join(SECTIONS)}")
        kwargs: dict[str, Any] = {}
        if "name" in data:
            kwargs["name"] = data["name"]
        for section, klass in SECTIONS.items():
            raw = data.get(section)
            raw = {} if raw is None else raw
            if not isinstance(raw, Mapping):
                raise ValueError(f"{section} must be a mapping of field: value")
            kwargs[section] = _build_section(section, klass, raw)
        return cls(**kwargs)

    def to_yaml(self) -> str:
        """YAML text that from_yaml reads back to this Scenario (quoted by YAML 1.1 and 1.2 rules)."""
        return _yaml_of(self)

    @classmethod
    def from_yaml(cls, text: str) -> "Scenario":
        """The Scenario in a YAML document, read by the one safe loader (engine/scenario/yaml_io.py).

        Raises ValueError with one line naming the field or line; an empty document is refused.
        """
        return _scenario_of(text)

    def replace(self, **sections: Any) -> "Scenario":
        """A copy with whole sections or the name swapped (used by the roadmap's levers)."""
        return dataclasses.replace(self, **sections)


# A scenario is frozen, and the app keys its caches by the scenario's YAML: each page run writes the current
# scenario out and reads it back several times (a few ms each), so both ways are kept for recent scenarios.
@functools.lru_cache(maxsize=256)
def _yaml_of(scenario: Scenario) -> str:
    from engine.scenario.yaml_io import dump_yaml  # yaml_io builds on this module

    return dump_yaml(scenario.to_dict())


@functools.lru_cache(maxsize=256)
def _scenario_of(text: str) -> Scenario:
    from engine.scenario.yaml_io import parse_scenario_yaml  # yaml_io builds on this module

    return Scenario.from_dict(parse_scenario_yaml(text))


SECTIONS: dict[str, type] = {
    "workload": Workload,
    "latency": Latency,
    "model": ModelChoice,
    "constraints": Constraints,
    "finance": Finance,
    "levers": Levers,
}


def _coerce(key: str, annotation: str, value: Any) -> Any:
    """Turn YAML/JSON/URL values into the field's type, or say which field is wrong."""
    if value is None and "None" in annotation:
        return None
    if annotation.startswith("tuple"):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{key} must be a list, got {quote(value)}")
        if len(value) > MAX_LIST_ENTRIES:
            raise ValueError(f"{key} lists {len(value):,} entries; at most {MAX_LIST_ENTRIES}")
        if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            raise ValueError(f"{key} must be a list of text entries (no nested lists or mappings)")
        return tuple(str(v) for v in value)
    if annotation == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ValueError(f"{key} must be true or false, got {quote(value)}")
    if annotation == "str":
        if not isinstance(value, str):
            raise ValueError(f"{key} must be text, got {quote(value)}")
        return value
    # numbers: int or float (optionally | None)
    if isinstance(value, bool):
        raise ValueError(f"{key} must be a number, got {quote(value)}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{key} must be a number, got {quote(value)}") from None
    if not math.isfinite(number):
        raise ValueError(f"{key} must be a finite number, got {quote(value)}")
    if annotation.startswith("int"):
        if number != int(number):
            raise ValueError(f"{key} must be a whole number, got {quote(value)}")
        return int(number)
    return number


def _build_section(section: str, klass: type, raw: Mapping[str, Any]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(klass)}
    unknown = set(raw) - set(fields)
    if unknown:
        raise ValueError(f"unknown key {section}.{quote(sorted(map(str, unknown))[0], bare=True)}: allowed are {', '.join(fields)}")
    values = {name: _coerce(f"{section}.{name}", str(fields[name].type), v) for name, v in raw.items()}
    if klass is Latency:
        tier = values.pop("tier", Latency.tier)
        return Latency.for_tier(tier, **values)
    return klass(**values)


DEFAULT_SCENARIO = Scenario()
