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
from engine.money.cost_model import assumption
from engine.capacity.demand import Demand, demand
from engine.catalog.retirements import retirement
from engine.scenario.schema import Scenario
from engine.money.api_speed import ProviderSpeed, ServiceSpeed, published_row, service_speed
from engine.money.substitutes import UNTESTED_TIER, candidate_models, quality_substitutes

HUGGING_FACE_ROUTE = "huggingface_"  # Hugging Face Inference Providers routes (the provider behind follows)
# Hugging Face route suffixes that are not the backend's planner id.
_ROUTE_BACKEND = MappingProxyType({"fireworks-ai": "fireworks"})


def route_backend(provider: str) -> str:
    """The provider behind a Hugging Face route (`huggingface_nebius` -> `nebius`); others are themselves."""
    if not provider.startswith(HUGGING_FACE_ROUTE):
        return provider
    suffix = provider.removeprefix(HUGGING_FACE_ROUTE)
    return _ROUTE_BACKEND.get(suffix, suffix)


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
    if entry:
        return entry.name
    if provider.startswith(HUGGING_FACE_ROUTE):  # Hugging Face bills the provider's price without markup
        backend = route_backend(provider)
        backend_entry = provider_directory().get(backend)
        return f"{backend_entry.name if backend_entry else backend.title()} (via Hugging Face)"
    return provider


def specialized_hardware(provider: str) -> str | None:
    """The specialized silicon a provider serves on (None for GPU and TPU clouds)."""
    entry = provider_directory().get(provider) or provider_directory().get(route_backend(provider))
    return entry.specialized_hardware if entry else None


def offered(provider: str) -> bool:
    """Whether the planner offers a provider: not hidden in the directory (a Hugging Face route
    follows its own row, else the provider behind it). A route is dropped from a model's offers
    only where that provider prices the model directly (api_offers)."""
    entry = provider_directory().get(provider)
    if entry is not None:
        return not entry.hidden
    backend = provider_directory().get(route_backend(provider))
    return backend is None or not backend.hidden


@dataclass(frozen=True)
class SupplementPrice:
    """One api_prices_supplement.yaml row: a list price genai-prices lacks [USD per million tokens]."""

    provider: str
    model_id: str
    provider_model_id: str
    input_usd_per_mtok: float
    cached_input_usd_per_mtok: float | None
    output_usd_per_mtok: float
    source: str
    as_of: str
    basis: str


@functools.lru_cache(maxsize=1)
def price_supplement() -> Mapping[tuple[str, str], SupplementPrice]:
    """api_prices_supplement.yaml by (provider, model id), read once (read-only)."""
    return MappingProxyType({(r["provider"], r["model_id"]): SupplementPrice(
        str(r["provider"]), str(r["model_id"]), str(r["provider_model_id"]), float(r["input_usd_per_mtok"]),
        None if r.get("cached_input_usd_per_mtok") is None else float(r["cached_input_usd_per_mtok"]),
        float(r["output_usd_per_mtok"]), str(r["source"]), str(r["as_of"]), r["basis"])
        for r in load_table("api_prices_supplement")})


def supplement_unit_prices(row: SupplementPrice) -> UnitPrices:
    """A supplement row as unit prices: no cache-read price bills cached input as input; no batch rates."""
    cached = row.input_usd_per_mtok if row.cached_input_usd_per_mtok is None else row.cached_input_usd_per_mtok
    values = (row.input_usd_per_mtok, cached, row.output_usd_per_mtok)
    return UnitPrices(*values, *values)


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
    prices: UnitPrices | None  # None: no price found (`unpriced` says why); listed, never offered
    speed: ProviderSpeed | None  # the providers.yaml row for this pair, if any
    specialized_hardware: str | None
    service: ServiceSpeed  # speed and TTFT the SLO is judged by, published or assumed
    retired: str = ""  # why the provider no longer serves it (retired on or before the price date)
    retiring: str = ""  # when the provider will retire it, if announced
    price_source: str = ""  # the snapshot or supplement row the prices come from, with its date
    unpriced: str = ""  # why there is no price (named and dated), '' when priced
    retires_on: dt.date | None = None  # the announced retirement date, for the horizon's warnings
    replacement: str = ""  # the provider's named replacement, if any
    price_terms: str = ""  # "negotiated: -15%" or "your quote" where the finance inputs replace list prices
    rate_limit: RateLimitCheck | None = None  # the provider's default tier against the scenario's peak
    # a quality-floor substitute whose quality is not indexed (substitutes.NOT_INDEXED): why it is listed
    # but never recommended; '' for the chosen model and for substitutes that meet the floor
    quality_unverified: str = ""

    @property
    def option_id(self) -> str:
        kind = "specialized" if self.specialized_hardware else "api"
        return f"{kind}:{self.provider}:{self.model.id}"


@functools.lru_cache(maxsize=1)
def genai_prices_version() -> str:
    """The installed snapshot's version (read once: package metadata parsing costs ~1 ms a call)."""
    return metadata.version("genai-prices")


@functools.lru_cache(maxsize=1)
def genai_prices_data_date() -> str:
    """The newest date the bundled snapshot's maintainers say they verified a price (ISO), or ''."""
    import re

    from genai_prices.data import providers

    comments = [str(c) for p in providers for c in (p.price_comments, *(m.price_comments for m in p.models)) if c]
    dates = re.findall(r"verified on (\d{4}-\d{2}-\d{2})", " ".join(comments))
    return max(dates) if dates else ""


@functools.lru_cache(maxsize=1)
def price_snapshot() -> str:
    """The snapshot's name, version and date, as shown beside every genai-prices figure."""
    day = genai_prices_data_date()
    return f"genai-prices {genai_prices_version()}" + (f" (prices verified up to {day})" if day else "")


def _first_equals(clause) -> str | None:
    """The first exact name a genai-prices match clause accepts (ClauseEquals, or inside ClauseOr)."""
    if getattr(clause, "equals", None):
        return str(clause.equals)
    for inner in getattr(clause, "or_", None) or ():
        found = _first_equals(inner)
        if found:
            return found
    return None


@functools.lru_cache(maxsize=4096)
def model_reference(provider: str, provider_model_id: str) -> str:
    """The model name to ask genai-prices for, given the ModelInfo.id the catalog lists.

    Providers name models differently on the wire: Fireworks keys every model as
    `accounts/fireworks/models/<id>`, so the bare id finds nothing. The entry's own match rule
    says which name it answers to; the bare id stands where the entry has no exact rule.
    """
    from genai_prices.data import providers

    for p in providers:
        if p.id != provider:
            continue
        for m in p.models:
            if m.id == provider_model_id:
                return _first_equals(m.match) or provider_model_id
    return provider_model_id


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
        price = calc_price(usage, model_reference(provider, provider_model_id), provider_id=provider,
                           genai_request_timestamp=when, price_context=context)
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


OWN_QUOTE = "your quote"


def with_finance_terms(prices: UnitPrices | None, provider: str, model_id: str,
                       scenario: Scenario) -> tuple[UnitPrices | None, str]:
    """Prices after the scenario's own quote or negotiated discount, and how to label them.

    An own quote (finance.api_quote_usd_per_mtok) replaces the list input and output prices; the
    cached-input and batch prices keep their list ratio to it (cache reads and batch APIs are the
    provider's own products), or equal it where there is no list price. A negotiated discount
    (finance.api_discounts) takes its fraction off every list price of that provider. A quote wins:
    it is what you pay, so no discount applies on top.
    """
    finance = scenario.finance
    quote = finance.api_quote_by_pair.get((provider, model_id))
    if quote is not None:
        input_usd, output_usd = quote
        if prices is None:
            return UnitPrices(input_usd, input_usd, output_usd, input_usd, input_usd, output_usd), OWN_QUOTE

        def ratio(part: float, whole: float) -> float:
            return part / whole if whole > 0 else 1.0

        p = prices
        return UnitPrices(
            input_usd, input_usd * ratio(p.cached_input_usd_per_mtok, p.input_usd_per_mtok), output_usd,
            input_usd * ratio(p.batch_input_usd_per_mtok, p.input_usd_per_mtok),
            input_usd * ratio(p.batch_cached_input_usd_per_mtok, p.input_usd_per_mtok),
            output_usd * ratio(p.batch_output_usd_per_mtok, p.output_usd_per_mtok)), OWN_QUOTE
    discount = finance.api_discount_by_provider.get(provider, 0.0)
    if prices is None or discount == 0.0:
        return prices, ""
    keep = 1.0 - discount
    return UnitPrices(*(v * keep for v in dataclasses.astuple(prices))), f"negotiated: -{discount * 100:g}%"


def _pairs(model: Model) -> list[tuple[str, str]]:
    """(provider, provider model id) pairs for a model: genai-prices' first, then supplement rows for others."""
    pairs = list(model.api_providers)
    listed = {p for p, _ in pairs}
    pairs += [(row.provider, row.provider_model_id) for (provider, model_id), row in price_supplement().items()
              if model_id == model.id and provider not in listed]
    return pairs


def api_provider_ids(model: Model) -> list[str]:
    """Every provider id listed for a model (genai-prices and the supplement), offered or not."""
    return [p for p, _ in _pairs(model)]


def _prices(provider: str, provider_model_id: str, model: Model, scenario: Scenario,
            price_date: dt.date) -> tuple[UnitPrices | None, str, str]:
    """(prices, their source, why unpriced): genai-prices first, the supplement where it has nothing."""
    prices = unit_prices(provider, provider_model_id, scenario.workload.input_tokens_per_call, price_date,
                         with_batch=scenario.workload.offline_fraction > 0)
    if prices is not None:
        return prices, f"{price_snapshot()}: {provider}/{model_reference(provider, provider_model_id)}", ""
    extra = price_supplement().get((provider, model.id))
    if extra is not None:
        return (supplement_unit_prices(extra), f"api_prices_supplement.yaml ({extra.basis}, {extra.as_of}): "
                f"{extra.source}", "")
    return None, "", (f"no price: {price_snapshot()} has no price for {provider}/{provider_model_id} on "
                      f"{price_date.isoformat()}, and api_prices_supplement.yaml has no row for it")


@dataclass(frozen=True)
class RateLimit:
    """One api_rate_limits.yaml row: a provider's default tier for some models, and what it sells beyond it."""

    provider: str
    model_ids: tuple[str, ...]  # () = every model of the provider without its own row
    tier: str
    requests_per_minute: float | None
    tokens_per_minute: float | None  # input + output
    input_tokens_per_minute: float | None
    output_tokens_per_minute: float | None
    tokens_per_day: float | None
    beyond: str
    source: str
    as_of: str
    basis: str


@functools.lru_cache(maxsize=1)
def rate_limits() -> tuple[RateLimit, ...]:
    """api_rate_limits.yaml, read once."""
    def number(value) -> float | None:
        return None if value is None else float(value)

    return tuple(RateLimit(str(r["provider"]), tuple(r.get("model_ids") or ()), str(r["tier"]),
                           number(r.get("requests_per_minute")), number(r.get("tokens_per_minute")),
                           number(r.get("input_tokens_per_minute")), number(r.get("output_tokens_per_minute")),
                           number(r.get("tokens_per_day")), str(r.get("beyond") or ""), str(r["source"]),
                           str(r["as_of"]), r["basis"])
                 for r in load_table("api_rate_limits"))


def rate_limit(provider: str, model_id: str) -> RateLimit | None:
    """The provider's default tier for a model: its own row first, else the provider-wide row.

    A Hugging Face route is matched by the provider behind it (the figures describe that provider's own API).
    """
    for who in dict.fromkeys((provider, route_backend(provider))):
        rows = [r for r in rate_limits() if r.provider == who]
        own = next((r for r in rows if model_id in r.model_ids), None)
        if own is not None:
            return own
        wide = next((r for r in rows if not r.model_ids), None)
        if wide is not None:
            return wide
    return None


@dataclass(frozen=True)
class RateLimitCheck:
    """A provider's default tier against the scenario's peak: what it allows, and what the peak exceeds."""

    limit: RateLimit
    note: str  # the tier, its numbers, and what the provider sells beyond it
    exceeded: tuple[str, ...]  # "12,000 requests/min > 240 RPM", one per limit the peak exceeds

    @property
    def warning(self) -> str:
        """'' when the peak fits the default tier (or the tier publishes no number)."""
        if not self.exceeded:
            return ""
        label = " (an estimate from a third-party summary)" if self.limit.basis == "estimate" else ""
        import re

        cited = re.search(r"https?://[^\s,;)']+", self.limit.source)
        where = cited.group(0) if cited else self.limit.source[:120]
        return (f"the peak exceeds the provider's default {self.limit.tier} rate limit{label}: "
                f"{'; '.join(self.exceeded)}; beyond it: {self.limit.beyond} ({where}, {self.limit.as_of})")


def rate_limit_check(provider: str, model_id: str, scenario: Scenario) -> RateLimitCheck | None:
    """The scenario's peak per minute and its daily tokens against the provider's default tier.

    Peak requests per minute = demand.peak_calls_per_s x 60; tokens per minute multiply it by the call's
    input and generated (output + reasoning) tokens. Every prompt token is counted, cached or not: some
    providers leave cache reads out of their input limit (Anthropic, Groq), so this errs towards warning.
    None when no tier is known for the provider.
    """
    limit = rate_limit(provider, model_id)
    if limit is None:
        return None
    w = scenario.workload
    dem = demand(scenario)
    rpm = dem.peak_calls_per_s * 60.0
    input_tpm = rpm * w.input_tokens_per_call
    output_tpm = rpm * (w.output_tokens_per_call + w.reasoning_tokens_per_call)
    per_day = dem.input_tokens_per_day + dem.output_tokens_per_day + dem.reasoning_tokens_per_day
    checks = (("requests/min", rpm, limit.requests_per_minute, "RPM"),
              ("tokens/min", input_tpm + output_tpm, limit.tokens_per_minute, "TPM"),
              ("input tokens/min", input_tpm, limit.input_tokens_per_minute, "input TPM"),
              ("output tokens/min", output_tpm, limit.output_tokens_per_minute, "output TPM"),
              ("tokens/day", per_day, limit.tokens_per_day, "tokens per day"))
    allowed = [f"{cap:,.0f} {unit}" for _, _, cap, unit in checks if cap is not None]
    exceeded = tuple(f"{need:,.0f} {what} at peak > {cap:,.0f} {unit}" if what != "tokens/day"
                     else f"{need:,.0f} tokens/day > {cap:,.0f} {unit}"
                     for what, need, cap, unit in checks if cap is not None and need > cap)
    numbers = f": {', '.join(allowed)}" if allowed else " (no published number)"
    note = (f"{limit.tier}{numbers} ({limit.basis}, {limit.as_of}); your peak {rpm:,.0f} requests/min, "
            f"{input_tpm + output_tpm:,.0f} tokens/min; beyond it: {limit.beyond}")
    return RateLimitCheck(limit, note, exceeded)


def api_offers(catalog: Catalog, scenario: Scenario, price_date: dt.date) -> list[ApiOffer]:
    """Every provider listed for a candidate model, with its unit prices and speed.

    A pair without a price stays in the list with the reason (`unpriced`), never dropped silently.
    A Hugging Face route is left out where the provider behind it prices the model directly
    (the same service at the same price); otherwise it is offered under that provider's name.
    """
    w = scenario.workload
    offers = []
    untested = {c.model: c.reason for c in quality_substitutes(catalog, scenario) if c.status == UNTESTED_TIER}
    for model in candidate_models(catalog, scenario):
        pairs = [(p, pid) for p, pid in _pairs(model) if offered(p)]
        priced = {}
        for provider, provider_model_id in pairs:
            priced[provider] = _prices(provider, provider_model_id, model, scenario, price_date)
        direct = {p for p, (prices, _, _) in priced.items() if prices is not None and not p.startswith(HUGGING_FACE_ROUTE)}
        for provider, provider_model_id in pairs:
            if provider.startswith(HUGGING_FACE_ROUTE) and route_backend(provider) in direct:
                continue
            prices, price_source, unpriced = priced[provider]
            speed = published_row(provider, model.id)
            if prices is not None and speed and speed.batch_discount and not prices.has_batch_discount:
                prices = with_batch_discount(prices, speed.batch_discount)
            prices, price_terms = with_finance_terms(prices, provider, model.id, scenario)
            if price_terms == OWN_QUOTE:
                price_source = (f"finance.api_quote_usd_per_mtok (list: {price_source or 'none'})")
                unpriced = ""
            name = provider_name(provider)
            ends = retirement(provider, provider_model_id)
            retired = ends.text(name, price_date) if ends and ends.retired_by(price_date) else ""
            retiring = ends.text(name, price_date) if ends and not retired else ""
            hardware = specialized_hardware(provider)
            service = service_speed(provider, name, model, catalog, hardware is not None,
                                    prompt_tokens=w.input_tokens_per_call,
                                    reasoning_tokens=w.reasoning_tokens_per_call)
            offers.append(ApiOffer(provider, name, provider_model_id, model, prices, speed, hardware, service,
                                   retired, retiring, price_source, unpriced,
                                   ends.retired_on if ends else None, ends.replacement if ends else "",
                                   price_terms, rate_limit_check(provider, model.id, scenario),
                                   untested.get(model.id, "")))
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


def batch_api_fits(scenario: Scenario) -> bool:
    """Whether offline work may wait for a batch API: its results come back within the providers' stated
    turnaround (cost_assumptions.yaml `batch_api_turnaround_hours`, 24 h), so a shorter offline window
    (workload.offline_window_hours) cannot use it and pays the interactive price."""
    return scenario.workload.offline_window_hours >= assumption("batch_api_turnaround_hours")


def monthly_fees(offer: ApiOffer, dem: Demand, scenario: Scenario, days_per_month: float) -> ApiFees:
    """Fees for a month of the scenario's tokens.

    Cached input is billed at the cache-read price; the offline share of every token type
    at the batch price where the provider has a batch API and the offline window is at least its
    turnaround (`batch_api_fits`).
    """
    p = offer.prices
    offline = scenario.workload.offline_fraction if p.has_batch_discount and batch_api_fits(scenario) else 0.0

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
    """Whether the provider's speed and first visible token meet the SLO, how sure that is, and why.

    The targets are about the first token the user sees: a reasoning model's hidden reasoning
    counts. An option is verified when neither figure is `assumed` (DESIGN.md "Evidence").
    """
    lat = scenario.latency
    sv = offer.service
    speed_text = f"{sv.output_tokens_per_s_per_user:,.0f} tok/s per user ({sv.speed_evidence}: {sv.speed_basis})"
    ttft_text = f"first visible token {sv.ttft_ms:,.0f} ms ({sv.ttft_evidence}: {sv.ttft_basis})"
    how = f"; {sv.ttft_note}" if sv.ttft_note else ""
    verified = "assumed" not in (sv.speed_evidence, sv.ttft_evidence)
    if sv.output_tokens_per_s_per_user < lat.min_output_tokens_per_s_per_user:
        return SloVerdict(False, verified,
                          f"{speed_text} is below the {lat.min_output_tokens_per_s_per_user:g} tok/s target")
    if sv.ttft_ms > lat.ttft_p95_ms:
        return SloVerdict(False, verified, f"{ttft_text} exceeds the {lat.ttft_p95_ms:,.0f} ms target{how}")
    if not verified:
        return SloVerdict(True, False, f"unverified: {speed_text}, {ttft_text}; meets the targets only if these "
                          f"assumed figures hold: benchmark {offer.provider_name} before committing{how}")
    # Published figures are medians of single requests; the SLO is a p95 under load.
    return SloVerdict(True, True, f"{speed_text}, {ttft_text}; provider figures are medians"
                      + (f", {sv.as_of}" if sv.as_of else "") + how)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def lifecycle_warnings(offer: ApiOffer, scenario: Scenario, price_date: dt.date) -> tuple[str, ...]:
    """What may stop one API offer serving the plan as priced: retirements and list-price changes within
    the scenario's horizon, and a peak above the provider's default rate-limit tier.

    Retirements come from retirements.yaml (with the replacement the provider names);
    price changes from genai-prices' dated prices (StartDateConstraint), read month by month;
    rate limits from api_rate_limits.yaml (rate_limit_check).
    """
    months = scenario.finance.horizon_months
    end = _add_months(price_date, months)
    out = []
    if offer.retires_on and price_date < offer.retires_on <= end:
        instead = f"; its named replacement: {offer.replacement}" if offer.replacement else ""
        out.append(f"{offer.provider_name} retires {offer.model.name} ({offer.provider_model_id}) on "
                   f"{offer.retires_on.isoformat()}, inside the {months}-month horizon{instead}")
    if offer.prices is not None and offer.price_source.startswith("genai-prices"):
        n = scenario.workload.input_tokens_per_call
        now = unit_prices(offer.provider, offer.provider_model_id, n, price_date, False)
        for m in range(1, months + 1):
            day = _add_months(price_date, m)
            later = unit_prices(offer.provider, offer.provider_model_id, n, day, False)
            if now and later and (abs(later.input_usd_per_mtok - now.input_usd_per_mtok) > 1e-9
                                  or abs(later.output_usd_per_mtok - now.output_usd_per_mtok) > 1e-9):
                out.append(f"{offer.provider_name}'s list price for {offer.model.name} changes by {day:%Y-%m} "
                           f"(dated price in {price_snapshot()}): input ${now.input_usd_per_mtok:.3g} -> "
                           f"${later.input_usd_per_mtok:.3g}, output ${now.output_usd_per_mtok:.3g} -> "
                           f"${later.output_usd_per_mtok:.3g} per million tokens")
                break
    if offer.rate_limit is not None and offer.rate_limit.warning:
        out.append(f"{offer.provider_name} for {offer.model.name}: {offer.rate_limit.warning}")
    return tuple(out)
