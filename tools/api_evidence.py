"""Which API options rest on assumed figures: `python -m tools.api_evidence [--all] [--date YYYY-MM-DD]`.

Every (provider, catalog model) pair the engine offers (priced, not retired) is judged by an output
speed and a first-token time, each labelled measured | vendor | modelled | assumed
(engine/money/api_speed.py). This lists the offered options whose speed or first-token time is
`assumed` (no figure of that provider for that model or a larger one), with the counts, so the work
of finding measurements can be tracked: add a providers.yaml row and the option leaves the list.
"""
from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass

from engine.catalog.catalog import Catalog, load_catalog
from engine.money.api_quotes import api_offers
from engine.scenario.schema import ModelChoice, Scenario


@dataclass(frozen=True)
class OfferEvidence:
    """One offered API option and the evidence of the two figures it is judged by."""

    provider: str
    model_id: str
    output_tokens_per_s_per_user: float
    first_token_ms: float  # at the default scenario's prompt length
    speed_evidence: str
    ttft_evidence: str
    source: str  # providers.yaml row the speed was read from ('' for the catalog-wide fallback)

    @property
    def assumed(self) -> bool:
        return "assumed" in (self.speed_evidence, self.ttft_evidence)


def offered_evidence(catalog: Catalog, price_date: dt.date) -> list[OfferEvidence]:
    """Every priced, not retired API option of every catalog model, under the default scenario."""
    out = []
    for model in catalog.models.values():
        for offer in api_offers(catalog, Scenario(model=ModelChoice(id=model.id)), price_date):
            if offer.prices is None or offer.retired or offer.model.id != model.id:
                continue
            s = offer.service
            out.append(OfferEvidence(offer.provider, model.id, s.output_tokens_per_s_per_user, s.ttft_ms,
                                     s.speed_evidence, s.ttft_evidence, s.source))
    return sorted(out, key=lambda e: (e.model_id, e.provider))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="list every offered option, not only the assumed")
    parser.add_argument("--date", default=dt.date.today().isoformat(), help="price date (ISO)")
    args = parser.parse_args(argv)
    rows = offered_evidence(load_catalog(), dt.date.fromisoformat(args.date))
    for r in rows:
        if args.all or r.assumed:
            print(f"{r.model_id:28} {r.provider:26} {r.output_tokens_per_s_per_user:8,.0f} tok/s "
                  f"{r.first_token_ms:7,.0f} ms  speed {r.speed_evidence:8} ttft {r.ttft_evidence}")
    both = sum(1 for r in rows if r.speed_evidence == r.ttft_evidence == "assumed")
    print(f"{len(rows)} offered API options; {sum(r.assumed for r in rows)} with an assumed figure "
          f"({sum(r.speed_evidence == 'assumed' for r in rows)} speed, "
          f"{sum(r.ttft_evidence == 'assumed' for r in rows)} first token, {both} both)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
