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

Each figure carries an evidence label (DESIGN.md "Evidence"): `measured` or `vendor` when it
is the provider's own row (or its row for a larger model, a bound), `modelled` when our
prefill model carries a published TTFT to a much longer prompt, `assumed` for rules 3-4 and
proxy rows (basis estimate).

First-token time follows the prompt (`first_token`): network + queue (the published TTFT
less the prefill of the prompt it was measured at) + the scenario's prompt / the prefill
rate. A reasoning model's first visible token comes after its hidden reasoning tokens at the
output speed.
"""
from __future__ import annotations

import functools
import math
import statistics
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

from engine.memo import by_identity
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
    ttft_prompt_tokens: int | None = None  # prompt length ttft_ms was measured at (None: api_latency default)
    ttft_long_ms: float | None = None  # a second TTFT at a longer prompt, for the provider's prefill rate
    ttft_long_prompt_tokens: int | None = None

    @property
    def first_token_ms(self) -> float | None:
        """TTFT comparable with a first-token target: None when the figure includes reasoning."""
        return None if self.ttft_includes_reasoning else self.ttft_ms

    @property
    def label(self) -> str:
        return {"measured": "measured", "vendor": "vendor claim"}.get(
            self.basis, "estimate from a related model")

    @property
    def evidence(self) -> str:
        """measured | vendor | assumed: a proxy row (basis estimate) is no figure of this provider's."""
        return self.basis if self.basis in ("measured", "vendor") else "assumed"


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
    speed_evidence: str = "assumed"  # measured | vendor | assumed (EVIDENCE in present/labels.py)
    ttft_evidence: str = "assumed"  # measured | vendor | modelled | assumed
    first_token_ms: float = 0.0  # first token of the scenario's prompt, before any hidden reasoning [ms]
    prefill_ms: float = 0.0  # the scenario prompt's prefill inside first_token_ms [ms]
    reasoning_ms: float = 0.0  # hidden reasoning before the first visible token [ms]
    ttft_note: str = ""  # how the prompt and reasoning moved the published figure


def provider_key(provider: str) -> str:
    """The provider whose published figures a provider id shares (a Hugging Face route: the one behind it)."""
    suffix = provider.removeprefix("huggingface_")
    return {"fireworks-ai": "fireworks"}.get(suffix, suffix)


@functools.lru_cache(maxsize=1)
def load_speeds() -> Mapping[tuple[str, str], ProviderSpeed]:
    """Measured (or vendor-claimed) speed per (provider, model); the fastest row wins (read-only)."""
    out: dict[tuple[str, str], ProviderSpeed] = {}
    for r in load_table("providers"):
        speed = ProviderSpeed(r["provider"], r["model_id"], r.get("output_tokens_per_s_per_user"),
                              r.get("ttft_ms"), r.get("hardware"), str(r["source"]), str(r["as_of"]), r["basis"],
                              r.get("batch_discount"), bool(r.get("ttft_includes_reasoning", False)),
                              r.get("ttft_prompt_tokens"), r.get("ttft_long_ms"), r.get("ttft_long_prompt_tokens"))
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
    key = provider_key(provider)
    for (row_provider, model_id), row in load_speeds().items():
        value = figure.read(row)
        other = catalog.models.get(model_id)
        if (provider_key(row_provider) != key or model_id == model.id or not value
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


EVIDENCE_ORDER = ("measured", "vendor", "modelled", "assumed")  # strongest first


def weakest(*evidence: str) -> str:
    """The weakest of several evidence labels (a figure built from others is no surer than they are)."""
    return max(evidence, key=EVIDENCE_ORDER.index)


def _resolve(row: ProviderSpeed | None, provider: str, provider_name: str, model: Model, catalog: Catalog,
             specialized: bool, figure: _Figure) -> tuple[float, str, bool, ProviderSpeed | None, str]:
    """One figure, its basis, whether it is the provider's own (published or bounded by its own),
    the providers.yaml row it was read from (None for the catalog-wide fallback), and its evidence."""
    value = figure.read(row) if row else None
    if value:
        return float(value), row.label, True, row, row.evidence
    larger = _from_larger_model(provider, model, catalog, figure)
    if larger:
        value, other, used = larger
        return (float(value), f"not published; {provider_name}'s {used.label} figure for the larger {other.name}, "
                f"{figure.bound}: a model with more active parameters does no less work per token on the same "
                "service", True, used, used.evidence)
    slowest = _slowest_for_model(model.id, specialized, figure)
    if slowest:
        value, who, used = slowest
        return (float(value), f"not published; assumed no faster than the slowest provider measured on this "
                f"model ({who})", False, used, "assumed")
    return float(figure.fallback()), f"not published; {figure.fallback_text}", False, None, "assumed"


@functools.lru_cache(maxsize=1)
def api_deployment() -> Mapping:
    """The api_latency.yaml row: the serving unit an API's prefill rate is modelled on."""
    return load_table("api_latency")[0]


def prefill_flops(model: Model, prompt_tokens: int) -> float:
    """FLOPs to prefill one prompt: 2 x active parameters per token plus causal attention [FLOP].

    Full-attention layers cost 2 x n^2 x (heads x head_dim) for QK^T and AV over the causal half;
    sliding-window layers see at most the window. Closed models (no architecture) are priced as the
    dense model named in api_latency.yaml.
    """
    n = max(int(prompt_tokens), 0)
    active_b = model.params_active_b or api_deployment()["closed_model_active_params_b"]
    flops = 2.0 * active_b * 1e9 * n
    if model.num_attention_heads and model.head_dim and model.num_layers:
        width = model.num_attention_heads * model.head_dim
        full = model.full_attention_layers or model.num_layers
        flops += 2.0 * full * width * n * n
        if model.sliding_window and model.num_layers > full:
            flops += 4.0 * (model.num_layers - full) * width * n * min(n, model.sliding_window)
    return flops


def modelled_prefill_ms(model: Model, prompt_tokens: int, catalog: Catalog) -> float:
    """Prefill time of a prompt on the api_latency.yaml serving unit [ms]."""
    unit = api_deployment()
    hw = catalog.get_hardware(unit["hardware"])
    peak_tflops = dict(hw.dense_tflops)[unit["precision"]]
    mfu = next(r["mfu_prefill"] for r in load_table("stacks") if r["id"] == unit["stack"])
    return prefill_flops(model, prompt_tokens) / (unit["accelerators"] * peak_tflops * 1e12 * mfu) * 1000.0


def first_token(row: ProviderSpeed | None, published_ttft_ms: float, ttft_evidence: str, model: Model,
                catalog: Catalog, prompt_tokens: int) -> tuple[float, float, str, str]:
    """First-token time at the scenario's prompt length: (ms, prefill ms, evidence, how).

    TTFT(n) = network + queue + prefill(n), where network + queue is the published TTFT less the
    prefill of the prompt it was measured at. The prefill rate is the provider's own where it
    publishes TTFTs at two prompt lengths, else modelled (api_latency.yaml).
    """
    measured_at = int(row.ttft_prompt_tokens) if row and row.ttft_prompt_tokens else int(
        api_deployment()["measured_prompt_tokens"])
    if row and row.ttft_ms and row.ttft_long_ms and row.ttft_long_prompt_tokens and row.ttft_prompt_tokens:
        per_token = max(row.ttft_long_ms - row.ttft_ms, 0.0) / max(row.ttft_long_prompt_tokens - measured_at, 1)
        prefill = lambda n: per_token * n  # noqa: E731  (the provider's own rate)
        how, own_rate = "the provider's TTFTs at two prompt lengths", True
    else:
        prefill = lambda n: modelled_prefill_ms(model, n, catalog)  # noqa: E731
        how, own_rate = "modelled prefill on a TP8 H100 node (api_latency.yaml)", False
    base = max(published_ttft_ms - prefill(measured_at), 0.0)
    now = prefill(prompt_tokens)
    total = base + now
    extra = now - prefill(measured_at)
    evidence = ttft_evidence
    # A figure carried far past the prompt it was measured at rests on the prefill model.
    if not own_rate and ttft_evidence in ("measured", "vendor") and extra > 0.25 * total:
        evidence = "modelled"
    note = (f"{prompt_tokens:,}-token prompt: {total:,.0f} ms = {base:,.0f} ms network and queue + "
            f"{now:,.0f} ms prefill ({how}; the published figure is for ~{measured_at:,} tokens)")
    return total, now, evidence, note


def service_speed(provider: str, provider_name: str, model: Model, catalog: Catalog,
                  specialized: bool = False, prompt_tokens: int | None = None,
                  reasoning_tokens: int = 0) -> ServiceSpeed:
    """The speed and first-visible-token time an API option is judged by (rules in the module docstring).

    Parameters
    ----------
    prompt_tokens : the scenario's input tokens per call [tokens]; None keeps the published TTFT as is.
    reasoning_tokens : hidden reasoning tokens per call, generated before the first visible token [tokens].
    """
    # Every roadmap lever re-lists the offers (about 150 calls a plan, a few dozen distinct), so the answers are
    # memoised. The speed table is part of the key, so a reloaded (or, in tests, replaced) providers table is
    # never answered from the old one; api_latency.yaml and stacks.yaml are read once per process anyway.
    return _service_speed(load_speeds(), provider, provider_name, model, catalog, specialized, prompt_tokens,
                          reasoning_tokens)


@by_identity(maxsize=2048)
def _service_speed(speeds: Mapping, provider: str, provider_name: str, model: Model, catalog: Catalog,
                   specialized: bool, prompt_tokens: int | None, reasoning_tokens: int) -> ServiceSpeed:
    """`service_speed`'s work. `speeds` (load_speeds()) is read through `published_row` and the helpers; it is an
    argument only so that the memo keys by the table the answer came from."""
    row = published_row(provider, model.id)
    speed, speed_basis, speed_own, speed_row, speed_ev = _resolve(row, provider, provider_name, model, catalog,
                                                                  specialized, SPEED)
    ttft, ttft_basis, ttft_own, _, ttft_ev = _resolve(row, provider, provider_name, model, catalog, specialized, TTFT)
    if row and row.ttft_includes_reasoning:  # said, then replaced by a first-token figure
        ttft_basis = (f"the published {row.ttft_ms:,.0f} ms is time to the first answer token, reasoning included; "
                      + ttft_basis)
    published = bool(row and row.output_tokens_per_s_per_user and row.first_token_ms)
    first_ms, prefill_ms, first_ev, note = ttft, 0.0, ttft_ev, ""
    if prompt_tokens is not None and math.isfinite(ttft):
        first_ms, prefill_ms, first_ev, note = first_token(row, ttft, ttft_ev, model, catalog, prompt_tokens)
    reasoning_ms = reasoning_tokens / speed * 1000.0 if reasoning_tokens and speed > 0 else 0.0
    visible_ms, visible_ev = first_ms + reasoning_ms, first_ev
    if reasoning_ms:
        visible_ev = weakest(first_ev, speed_ev)
        note += (f"; the first visible token follows {reasoning_tokens:,} hidden reasoning tokens at "
                 f"{speed:,.0f} tok/s: +{reasoning_ms:,.0f} ms")
    # The source shown is the row the speed was read from (a fallback row where it came from one).
    return ServiceSpeed(speed, speed_basis, visible_ms, ttft_basis, published, speed_own, ttft_own,
                        speed_row.source if speed_row else "", speed_row.as_of if speed_row else "",
                        row.basis if published else "estimate", speed_ev, visible_ev, first_ms, prefill_ms,
                        reasoning_ms, note.lstrip("; "))
