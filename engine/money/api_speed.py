"""The speed and time to first token an API option is judged by, and where each came from.

Published figures live in engine/data/providers.yaml (measured, vendor claim or estimate).
Many (provider, model) pairs have none, so each figure falls back, most specific first:

1. published for this provider and model;
2. published by the same provider for a model with at least as many active parameters
   (the closest such model): on the same serving hardware a model that does more work
   per token is no faster, so its speed is a floor and its TTFT a ceiling;
3. the slowest figure published for this model by a provider on the same kind of hardware
   (GPU clouds, or specialized silicon);
4. the slowest published speed for any provider, or the median published TTFT.

Figures from rules 3-4 are not the provider's own: an option that meets the targets only
through them is unverified (see providers.slo_verdict).

Rows serving through Hugging Face's router (`huggingface_cerebras`) share the figures of
the provider behind it (`cerebras`).
"""
from __future__ import annotations

import functools
import statistics
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

from engine.catalog.catalog import Catalog, Model
from engine.catalog.tables import load_table


@dataclass(frozen=True)
class ProviderSpeed:
    """One providers.yaml row: a provider's published per-user speed and TTFT for a model."""

    provider: str
    model_id: str
    output_tokens_per_s_per_user: float | None
    ttft_ms: float | None
    hardware: str | None
    source: str
    as_of: str
    basis: str
    batch_discount: float | None = None  # off list price on the provider's batch API
    ttft_includes_reasoning: bool = False  # ttft_ms is time to the first answer token

    @property
    def first_token_ms(self) -> float | None:
        """TTFT comparable with a first-token target: None when the figure includes reasoning."""
        return None if self.ttft_includes_reasoning else self.ttft_ms

    @property
    def label(self) -> str:
        return {"measured": "measured", "vendor": "vendor claim"}.get(
            self.basis, "estimate from a related model")


@dataclass(frozen=True)
class ServiceSpeed:
    """What an option is judged by: output speed per user [tok/s] and TTFT [ms], each with its basis."""

    output_tokens_per_s_per_user: float
    speed_basis: str  # how the speed was found: "measured", "vendor claim", or the fallback rule
    ttft_ms: float
    ttft_basis: str
    published: bool  # both figures published for this provider and model
    speed_own: bool  # the provider's own figure, or bounded by its own figure for a larger model
    ttft_own: bool
    source: str  # providers.yaml source of the row the speed was read from, if any
    as_of: str
    row_basis: str  # measured | vendor | estimate (the catalog's words; estimate when assumed)


def provider_key(provider: str) -> str:
    return provider.removeprefix("huggingface_")


@functools.lru_cache(maxsize=1)
def load_speeds() -> Mapping[tuple[str, str], ProviderSpeed]:
    """Measured (or vendor-claimed) speed per (provider, model); the fastest row wins (read-only)."""
    out: dict[tuple[str, str], ProviderSpeed] = {}
    for r in load_table("providers"):
        speed = ProviderSpeed(r["provider"], r["model_id"], r.get("output_tokens_per_s_per_user"),
                              r.get("ttft_ms"), r.get("hardware"), str(r["source"]), str(r["as_of"]), r["basis"],
                              r.get("batch_discount"), bool(r.get("ttft_includes_reasoning", False)))
        key = (speed.provider, speed.model_id)
        current = out.get(key)
        if current is None or (speed.output_tokens_per_s_per_user or 0) > (current.output_tokens_per_s_per_user or 0):
            out[key] = speed
    return MappingProxyType(out)


def published_row(provider: str, model_id: str) -> ProviderSpeed | None:
    speeds = load_speeds()
    return speeds.get((provider, model_id)) or speeds.get((provider_key(provider), model_id))


@functools.lru_cache(maxsize=1)
def assumed_speed_tok_s() -> float:
    """Per-user speed assumed where nothing better is known: no faster than the slowest published."""
    published = [s.output_tokens_per_s_per_user for s in load_speeds().values() if s.output_tokens_per_s_per_user]
    return min(published) if published else 0.0


@functools.lru_cache(maxsize=1)
def assumed_ttft_ms() -> float:
    """TTFT assumed where nothing better is known: the median of the published ones."""
    published = sorted(s.first_token_ms for s in load_speeds().values() if s.first_token_ms)
    return statistics.median(published) if published else float("inf")


@functools.lru_cache(maxsize=1)
def slowest_ttft_ms() -> float:
    """The slowest first-token time any provider publishes: the worst case an unknown TTFT could be."""
    published = [s.first_token_ms for s in load_speeds().values() if s.first_token_ms]
    return max(published) if published else float("inf")


@dataclass(frozen=True)
class _Figure:
    """How to read one figure from a row, and which way is slower."""

    read: Callable[[ProviderSpeed], float | None]
    slowest: Callable  # min for speed, max for TTFT
    bound: str  # what a larger model's figure is for a smaller one
    fallback: Callable[[], float]
    fallback_text: str


SPEED = _Figure(lambda r: r.output_tokens_per_s_per_user, min, "a floor", assumed_speed_tok_s,
                "assumed no faster than the slowest published for any provider")
TTFT = _Figure(lambda r: r.first_token_ms, max, "a ceiling", assumed_ttft_ms,
               "assumed the median of published ones")


def _from_larger_model(provider: str, model: Model, catalog: Catalog,
                       figure: _Figure) -> tuple[float, Model, ProviderSpeed] | None:
    """The same provider's figure for the closest model with at least as many active parameters."""
    if not model.params_active_b:
        return None
    best: tuple[float, float, Model, ProviderSpeed] | None = None
    for (row_provider, model_id), row in load_speeds().items():
        value = figure.read(row)
        other = catalog.models.get(model_id)
        if (provider_key(row_provider) != provider_key(provider) or model_id == model.id or not value
                or other is None or not other.params_active_b or other.params_active_b < model.params_active_b):
            continue
        if best is None or other.params_active_b < best[0]:
            best = (other.params_active_b, value, other, row)
    return None if best is None else (best[1], best[2], best[3])


def _slowest_for_model(model_id: str, specialized: bool,
                       figure: _Figure) -> tuple[float, str, ProviderSpeed] | None:
    """The slowest figure published for this model by a provider on the same kind of hardware
    (GPU clouds are not judged by LPU or wafer-scale figures), and who published it."""
    rows = [(figure.read(r), r.provider, r) for (_, m), r in load_speeds().items()
            if m == model_id and figure.read(r) and bool(r.hardware) == specialized]
    return figure.slowest(rows, key=lambda t: t[0]) if rows else None


def _resolve(row: ProviderSpeed | None, provider: str, provider_name: str, model: Model, catalog: Catalog,
             specialized: bool, figure: _Figure) -> tuple[float, str, bool, ProviderSpeed | None]:
    """One figure, its basis, whether it is the provider's own (published or bounded by its own),
    and the providers.yaml row it was read from (None for the catalog-wide fallback)."""
    value = figure.read(row) if row else None
    if value:
        return float(value), row.label, True, row
    larger = _from_larger_model(provider, model, catalog, figure)
    if larger:
        value, other, used = larger
        return float(value), f"not published; {provider_name}'s figure for the larger {other.name}, {figure.bound}", True, used
    slowest = _slowest_for_model(model.id, specialized, figure)
    if slowest:
        value, who, used = slowest
        return (float(value), f"not published; assumed no faster than the slowest provider measured on this "
                f"model ({who})", False, used)
    return float(figure.fallback()), f"not published; {figure.fallback_text}", False, None


def service_speed(provider: str, provider_name: str, model: Model, catalog: Catalog,
                  specialized: bool = False) -> ServiceSpeed:
    """The speed and TTFT an API option is judged by (rules in the module docstring)."""
    row = published_row(provider, model.id)
    speed, speed_basis, speed_own, speed_row = _resolve(row, provider, provider_name, model, catalog, specialized,
                                                         SPEED)
    ttft, ttft_basis, ttft_own, _ = _resolve(row, provider, provider_name, model, catalog, specialized, TTFT)
    if row and row.ttft_includes_reasoning:  # said, then replaced by a first-token figure
        ttft_basis = f"the published {row.ttft_ms:,.0f} ms is time to the first answer token, reasoning included; " + ttft_basis
    published = bool(row and row.output_tokens_per_s_per_user and row.first_token_ms)
    # The source shown is the row the speed was read from (a fallback row where it came from one).
    return ServiceSpeed(speed, speed_basis, ttft, ttft_basis, published, speed_own, ttft_own,
                        speed_row.source if speed_row else "", speed_row.as_of if speed_row else "",
                        row.basis if published else "estimate")
