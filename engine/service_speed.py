"""The speed and time to first token an API option is judged by, and where each came from.

Published figures live in engine/data/providers.yaml (measured, vendor claim or estimate).
Many (provider, model) pairs have none, so each figure falls back, most specific first:

1. published for this provider and model;
2. published by the same provider for a model with at least as many active parameters
   (the closest such model): on the same serving hardware a model that does more work
   per token is no faster, so its speed is a floor and its TTFT a ceiling;
3. the slowest figure published for this model by any provider;
4. the slowest published speed for any provider, or the median published TTFT.

Rows serving through Hugging Face's router (`huggingface_cerebras`) share the figures of
the provider behind it (`cerebras`).
"""
from __future__ import annotations

import functools
import statistics
from dataclasses import dataclass

from engine.catalog import DATA_DIR, Catalog, Model, load_yaml


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
    source: str  # providers.yaml source of the row for this pair, if any
    as_of: str
    row_basis: str  # measured | vendor | estimate (the catalog's words; estimate when assumed)


def provider_key(provider: str) -> str:
    return provider.removeprefix("huggingface_")


@functools.lru_cache(maxsize=1)
def load_speeds() -> dict[tuple[str, str], ProviderSpeed]:
    """Measured (or vendor-claimed) speed per (provider, model); the fastest row wins."""
    path = DATA_DIR / "providers.yaml"
    if not path.exists():
        return {}
    rows = load_yaml(path.read_text(encoding="utf-8")) or []
    out: dict[tuple[str, str], ProviderSpeed] = {}
    for r in rows:
        speed = ProviderSpeed(r["provider"], r["model_id"], r.get("output_tokens_per_s_per_user"),
                              r.get("ttft_ms"), r.get("hardware"), str(r.get("source", "")),
                              str(r.get("as_of", "")), str(r.get("basis", "estimate")), r.get("batch_discount"))
        key = (speed.provider, speed.model_id)
        current = out.get(key)
        if current is None or (speed.output_tokens_per_s_per_user or 0) > (current.output_tokens_per_s_per_user or 0):
            out[key] = speed
    return out


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
    published = sorted(s.ttft_ms for s in load_speeds().values() if s.ttft_ms)
    return statistics.median(published) if published else float("inf")


def _from_larger_model(provider: str, model: Model, catalog: Catalog, field: str) -> tuple[float, Model] | None:
    """The same provider's figure for the closest model with at least as many active parameters."""
    if not model.params_active_b:
        return None
    best: tuple[float, float, Model] | None = None
    for (row_provider, model_id), row in load_speeds().items():
        value = getattr(row, field)
        other = catalog.models.get(model_id)
        if (provider_key(row_provider) != provider_key(provider) or model_id == model.id or not value
                or other is None or not other.params_active_b or other.params_active_b < model.params_active_b):
            continue
        if best is None or other.params_active_b < best[0]:
            best = (other.params_active_b, value, other)
    return None if best is None else (best[1], best[2])


def _slowest_for_model(model_id: str, field: str, worst) -> tuple[float, str] | None:
    """The slowest published figure for this model by any provider, and who published it."""
    rows = [(getattr(r, field), r.provider) for (_, m), r in load_speeds().items() if m == model_id and getattr(r, field)]
    return worst(rows) if rows else None


def service_speed(provider: str, provider_name: str, model: Model, catalog: Catalog) -> ServiceSpeed:
    """The speed and TTFT an API option is judged by (rules in the module docstring)."""
    row = published_row(provider, model.id)
    speed = row.output_tokens_per_s_per_user if row else None
    ttft = row.ttft_ms if row else None
    speed_basis = ttft_basis = row.label if row else ""
    if not speed:
        larger = _from_larger_model(provider, model, catalog, "output_tokens_per_s_per_user")
        slowest = _slowest_for_model(model.id, "output_tokens_per_s_per_user", min)
        if larger:
            speed, other = larger
            speed_basis = f"not published; {provider_name}'s figure for the larger {other.name}, a floor"
        elif slowest:
            speed = slowest[0]
            speed_basis = f"not published; assumed no faster than the slowest provider measured on this model ({slowest[1]})"
        else:
            speed = assumed_speed_tok_s()
            speed_basis = "not published; assumed no faster than the slowest published for any provider"
    if not ttft:
        larger = _from_larger_model(provider, model, catalog, "ttft_ms")
        slowest = _slowest_for_model(model.id, "ttft_ms", max)
        if larger:
            ttft, other = larger
            ttft_basis = f"not published; {provider_name}'s figure for the larger {other.name}, a ceiling"
        elif slowest:
            ttft = slowest[0]
            ttft_basis = f"not published; assumed no faster than the slowest provider measured on this model ({slowest[1]})"
        else:
            ttft = assumed_ttft_ms()
            ttft_basis = "not published; assumed the median of published ones"
    published = bool(row and row.output_tokens_per_s_per_user and row.ttft_ms)
    return ServiceSpeed(float(speed), speed_basis, float(ttft), ttft_basis, published,
                        row.source if row else "", row.as_of if row else "",
                        row.basis if published else "estimate")
