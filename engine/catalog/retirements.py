"""Models an API provider has retired, or has announced it will retire, with the date.

genai-prices keeps pricing a model after its provider shuts it down, so without this
table the planner could recommend a service that no longer answers. Rows live in
engine/data/retirements.yaml, each with its source. A pair retired on or before the price
date is shown but never usable; a later date is said beside the option.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from engine.catalog.tables import load_table


@dataclass(frozen=True)
class Retirement:
    provider: str
    provider_model_id: str
    retired_on: dt.date
    replacement: str
    source: str
    as_of: str
    basis: str

    def retired_by(self, day: dt.date) -> bool:
        return self.retired_on <= day

    def text(self, provider_name: str, day: dt.date) -> str:
        verb = "retired it on" if self.retired_by(day) else "retires it on"
        instead = f" (its suggested replacement: {self.replacement})" if self.replacement else ""
        return f"{provider_name} {verb} {self.retired_on.isoformat()}{instead}"


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@functools.lru_cache(maxsize=1)
def load_retirements() -> Mapping[tuple[str, str], Retirement]:
    """Retirements by (provider, provider model id), read once (retirements.yaml)."""
    return MappingProxyType({(r["provider"], r["provider_model_id"]): Retirement(
        r["provider"], r["provider_model_id"], _date(r["retired_on"]), str(r.get("replacement") or ""),
        str(r["source"]), str(r["as_of"]), r["basis"]) for r in load_table("retirements")})


def retirement(provider: str, provider_model_id: str) -> Retirement | None:
    return load_retirements().get((provider, provider_model_id))
