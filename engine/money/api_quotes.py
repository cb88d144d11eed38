"""API options: who serves the scenario's model, at what price and speed.

Prices come from the genai-prices package's bundled snapshot (pinned in requirements,
never fetched); speeds and TTFT from engine/data/providers.yaml, each row labelled
measured or vendor claim. Reasoning tokens are billed as output.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from importlib import metadata
from types import MappingProxyType
from typing import Mapping

from engine.catalog.catalog import Catalog, Model
from engine.catalog.tables import load_table
from engine.capacity.demand import Demand
from engine.catalog.retirements import retirement
from engine.scenario.schema import Scenario
from engine.money.api_speed import (ProviderSpeed, ServiceSpeed, assumed_speed_tok_s, published_row, service_speed,
                                  slowest_ttft_ms)

HUGGING_FACE_ROUTE = "huggingface_"  # Hugging Face Inference Providers routes: hidden unless the directory lists them


@dataclass(frozen=True)
class DirectoryEntry:
    """One provider_directory.yaml row: how a provider is named and treated."""

    id: str
    name: str  # shown on screens and in the brief
    hidden: bool  # resellers, routers and tools: never offered
    hidden_reason: str
    specialized_hardware: str | None  # hardware.yaml id of the LPU / wafer-scale / RDU silicon it serves on
    source: str
    as_of: str
    basis: str


@functools.lru_cache(maxsize=1)
def provider_directory() -> Mapping[str, DirectoryEntry]:
    """provider_directory.yaml by provider id, read once (read-only)."""
    return MappingProxyType({r["id"]: DirectoryEntry(
        str(r["id"]), str(r["name"]), bool(r["hidden"]), str(r.get("hidden_reason") or ""),
        r.get("specialized_hardware"), str(r["source"]), str(r["as_of"]), r["basis"])
        for r in load_table("provider_directory")})


def provider_name(provider: str) -> str:
    entry = provider_directory().get(provider)
    return entry.name if entry else provider


def specialized_hardware(provider: str) -> str | None:
    """The specialized silicon a provider serves on (None for GPU and TPU clouds)."""
    entry = provider_directory().get(provider)
    return entry.specialized_hardware if entry else None


def offered(provider: str) -> bool:
    """Whether the planner offers a provider: not hidden, and a Hugging Face route only when listed."""
    entry = provider_directory().get(provider)
    if entry is not None:
        return not entry.hidden
    return not provider.startswith(HUGGING_FACE_ROUTE)


@dataclass(frozen=True)
class UnitPrices:
    """USD per million tokens for one provider and model, at the scenario's prompt length."""

    input_usd_per_mtok: float
    cached_input_usd_per_mtok: float
    output_usd_per_mtok: float
    batch_input_usd_per_mtok: float
    batch_cached_input_usd_per_mtok: float
    batch_output_usd_per_mtok: float

    @property
    def has_batch_discount(self) -> bool:
        return self.batch_output_usd_per_mtok < self.output_usd_per_mtok


@dataclass(frozen=True)
class ApiOffer:
    provider: str
    provider_name: str
    provider_model_id: str
    model: Model
    prices: UnitPrices
    speed: ProviderSpeed | None  # the providers.yaml row for this pair, if any
    specialized_hardware: str | None
    service: ServiceSpeed  # speed and TTFT the SLO is judged by, published or assumed
    retired: str = ""  # why the provider no longer serves it (retired on or before the price date)
    retiring: str = ""  # when the provider will retire it, if announced

    @property
    def option_id(self) -> str:
        kind = "specialized" if self.specialized_hardware else "api"
        return f"{kind}:{self.provider}:{self.model.id}"


def genai_prices_version() -> str:
    return metadata.version("genai-prices")


@functools.lru_cache(maxsize=4096)
def unit_prices(provider: str, provider_model_id: str, input_tokens_per_call: int,
                price_date: dt.date, with_batch: bool = True) -> UnitPrices | None:
    """Per-million-token prices, read by pricing one call of each token type.

    Tiered prices depend on the prompt length, so the call carries the scenario's input.
    Returns None when genai-prices has no price for the pair.
    """
    from genai_prices import Usage, calc_price

    when = dt.datetime.combine(price_date, dt.time(12), tzinfo=dt.timezone.utc)
    n = max(int(input_tokens_per_call), 1)

    def per_mtok(usage: Usage, tokens: int, batch: bool) -> float:
        context = {"processing": "batch"} if batch else None
        price = calc_price(usage, provider_model_id, provider_id=provider, genai_request_timestamp=when,
                           price_context=context)
        return float(price.total_price) / tokens * 1e6

    values = []
    try:
        for batch in (False, True) if with_batch else (False,):
            full = per_mtok(Usage(input_tokens=n, output_tokens=0), n, batch)
            cached = per_mtok(Usage(input_tokens=n, cache_read_tokens=n, output_tokens=0), n, batch)
            # Tiers follow the prompt length, so output is priced within a call of n input tokens.
            with_output = per_mtok(Usage(input_tokens=n, output_tokens=1_000_000), 1_000_000, batch)
            output = with_output - full * n / 1_000_000
            values += [full, cached, output]
    except Exception:  # genai-prices raises LookupError (and others) for unpriced pairs
        return None
    if not with_batch:  # no offline share: batch prices are never used, list prices stand in
        values += values
    return UnitPrices(*values)


def with_batch_discount(prices: UnitPrices, discount: float) -> UnitPrices:
    """Batch prices a provider publishes as a discount genai-prices does not carry (providers.yaml)."""
    keep = 1.0 - discount
    return dataclasses.replace(prices, batch_input_usd_per_mtok=prices.input_usd_per_mtok * keep,
                               batch_cached_input_usd_per_mtok=prices.cached_input_usd_per_mtok * keep,
                               batch_output_usd_per_mtok=prices.output_usd_per_mtok * keep)


def _candidate_models(catalog: Catalog, scenario: Scenario) -> list[Model]:
    """The scenario's model, plus models at or above its quality floor (cheaper substitutes)."""
    chosen = catalog.get_model(scenario.model.id)
    floor = scenario.model.quality_floor
    models = [chosen]
    if floor is not None:
        models += [m for m in catalog.models.values()
                   if m.id != chosen.id and m.quality_index is not None and m.quality_index >= floor]
    return models


def api_offers(catalog: Catalog, scenario: Scenario, price_date: dt.date) -> list[ApiOffer]:
    """Every provider that prices a candidate model, with its unit prices and measured speed."""
    offers = []
    for model in _candidate_models(catalog, scenario):
        for provider, provider_model_id in model.api_providers:
            if not offered(provider):
                continue
            prices = unit_prices(provider, provider_model_id, scenario.workload.input_tokens_per_call, price_date,
                                 with_batch=scenario.workload.offline_fraction > 0)
            if prices is None:
                continue
            speed = published_row(provider, model.id)
            if speed and speed.batch_discount and not prices.has_batch_discount:
                prices = with_batch_discount(prices, speed.batch_discount)
            name = provider_name(provider)
            ends = retirement(provider, provider_model_id)
            retired = ends.text(name, price_date) if ends and ends.retired_by(price_date) else ""
            retiring = ends.text(name, price_date) if ends and not retired else ""
            offers.append(ApiOffer(provider, name, provider_model_id, model, prices, speed,
                                   specialized_hardware(provider),
                                   service_speed(provider, name, model, catalog, specialized_hardware(provider) is not None),
                                   retired, retiring))
    return offers


@dataclass(frozen=True)
class ApiFees:
    """Monthly API fees by token type [USD], net of cache and batch discounts."""

    input_usd: float
    cached_input_usd: float
    output_usd: float
    reasoning_usd: float
    cache_saving_usd: float
    batch_saving_usd: float


def monthly_fees(offer: ApiOffer, dem: Demand, scenario: Scenario, days_per_month: float) -> ApiFees:
    """Fees for a month of the scenario's tokens.

    Cached input is billed at the cache-read price; the offline share of every token type
    at the batch price where the provider has a batch API.
    """
    p = offer.prices
    offline = scenario.workload.offline_fraction if p.has_batch_discount else 0.0

    def blended(standard: float, batch: float) -> float:
        return (1.0 - offline) * standard + offline * batch

    uncached_mtok = (dem.input_tokens_per_day - dem.cached_input_tokens_per_day) * days_per_month / 1e6
    cached_mtok = dem.cached_input_tokens_per_day * days_per_month / 1e6
    output_mtok = dem.output_tokens_per_day * days_per_month / 1e6
    reasoning_mtok = dem.reasoning_tokens_per_day * days_per_month / 1e6
    input_usd = uncached_mtok * blended(p.input_usd_per_mtok, p.batch_input_usd_per_mtok)
    cached_usd = cached_mtok * blended(p.cached_input_usd_per_mtok, p.batch_cached_input_usd_per_mtok)
    out_price = blended(p.output_usd_per_mtok, p.batch_output_usd_per_mtok)
    list_total = ((uncached_mtok + cached_mtok) * p.input_usd_per_mtok
                  + (output_mtok + reasoning_mtok) * p.output_usd_per_mtok)
    no_batch_total = (uncached_mtok * p.input_usd_per_mtok + cached_mtok * p.cached_input_usd_per_mtok
                      + (output_mtok + reasoning_mtok) * p.output_usd_per_mtok)
    net = input_usd + cached_usd + (output_mtok + reasoning_mtok) * out_price
    return ApiFees(input_usd, cached_usd, output_mtok * out_price, reasoning_mtok * out_price,
                   list_total - no_batch_total, no_batch_total - net)


@dataclass(frozen=True)
class SloVerdict:
    meets: bool  # on the figures the option is judged by
    verified: bool  # still meets them if every figure not the provider's own is the slowest published
    reason: str


def slo_verdict(offer: ApiOffer, scenario: Scenario) -> SloVerdict:
    """Whether the provider's speed and TTFT meet the SLO, how sure that is, and why."""
    lat = scenario.latency
    sv = offer.service
    speed_text = f"{sv.output_tokens_per_s_per_user:,.0f} tok/s per user ({sv.speed_basis})"
    ttft_text = f"TTFT {sv.ttft_ms:,.0f} ms ({sv.ttft_basis})"
    if sv.output_tokens_per_s_per_user < lat.min_output_tokens_per_s_per_user:
        return SloVerdict(False, False, f"{speed_text} is below the {lat.min_output_tokens_per_s_per_user:g} tok/s target")
    if sv.ttft_ms > lat.ttft_p95_ms:
        return SloVerdict(False, False, f"{ttft_text} exceeds the {lat.ttft_p95_ms:,.0f} ms target")
    worst_speed = sv.output_tokens_per_s_per_user if sv.speed_own else assumed_speed_tok_s()
    worst_ttft = sv.ttft_ms if sv.ttft_own else slowest_ttft_ms()
    if worst_speed < lat.min_output_tokens_per_s_per_user or worst_ttft > lat.ttft_p95_ms:
        return SloVerdict(True, False, f"unverified: {speed_text}, {ttft_text}; meets the targets only if these "
                          f"assumed figures hold: measure {offer.provider_name} before committing"
                          + long_prompt_caveat(scenario))
    # Published figures are medians of single requests; the SLO is a p95 under load.
    return SloVerdict(True, True, f"{speed_text}, {ttft_text}; provider figures are medians"
                      + (f", {sv.as_of}" if sv.as_of else "") + long_prompt_caveat(scenario))


# Provider benchmarks send short prompts: LLMPerf 550 tokens, Artificial Analysis up to ~10k
# (providers.yaml header). Beyond that, prefill of the longer prompt delays the first token.
MEASURED_PROMPT_TOKENS_MAX = 10_000


def long_prompt_caveat(scenario: Scenario) -> str:
    n = scenario.workload.input_tokens_per_call
    if n <= MEASURED_PROMPT_TOKENS_MAX:
        return ""
    return (f"; TTFTs are measured on prompts of up to ~{MEASURED_PROMPT_TOKENS_MAX:,} tokens, so at {n:,} "
            "input tokens expect a later first token: ask for a p95 at your prompt length")
