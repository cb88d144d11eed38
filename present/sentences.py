"""Sentences the screens and the brief both say, built from engine records and present's formatters."""
from __future__ import annotations

from typing import TYPE_CHECKING

from present.formatting import ms, tok_per_s
from present.labels import first_upper

if TYPE_CHECKING:  # type hints only: present never runs engine code
    from engine.recommend import Alternative
    from engine.scenario.schema import Scenario


def relaxations(s: Scenario) -> list[str]:
    """What to relax for an option to meet the targets, each with the scenario's value today."""
    lat, c = s.latency, s.constraints
    out = [f"Raise the first-token target: TTFT p95 is now {ms(lat.ttft_p95_ms)}.",
           f"Lower the per-user speed target: now {tok_per_s(lat.min_output_tokens_per_s_per_user)} per user."]
    if not s.model.allow_4bit_weights:
        out.append("Allow 4-bit weights: each decode step reads half the weight bytes of FP8.")
    out.append(f"Choose a smaller model than {s.model.id}.")
    if c.allowed_vendors:
        out.append(f"Allow more accelerator vendors: now only {', '.join(c.allowed_vendors)}.")
    if c.deployment == "on_prem":
        out.append("Allow cloud deployment: on-prem rules out API providers and rented or cloud-only accelerators.")
    return out


def alternative_role(alternative: Alternative) -> str:
    """The heading of an alternative beside the recommendation: 'Fastest full response'."""
    return first_upper(alternative.role)
