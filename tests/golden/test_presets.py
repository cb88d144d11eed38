"""Golden presets: the recommendation's accelerators and monthly TCO against a hand calculation.

Each case writes the arithmetic out from the preset's numbers and the catalog's data rows:
- demand: peak calls/s = users x queries x calls / 86,400 x peak ratio x (1 - offline share),
  and never below the daily average (offline work fills the quiet hours);
- fleet: (ceil(peak x (1 + headroom) / calls per replica) + spares) x accelerators per replica,
  with the replica's throughput at the SLO as the performance model gives it (stated, +-5%);
- owned money (cost_assumptions.yaml): capex = purchase x (1 + 0.37 server + 0.11 network),
  amortized over the years; power = kW x PUE x $/kWh x 730 h; space = kW x $194.95/kW-month;
  maintenance = 5% of capex a year; staff = max(0.5, n / 1000 x 4) FTE x salary / 12.
- rented: n x $/h x 730 + storage and egress + max(0.5, n / 1000 x 1.6) FTE.
Tolerance: accelerators exact, monthly TCO within 1%. Refitting the performance model moves
the stated throughputs; re-derive them with `python -m engine plan PRESET --json`.
"""
import datetime as dt
import math
from pathlib import Path

import pytest

from engine.plan import plan
from engine.scenario import Scenario

pytestmark = pytest.mark.golden
PRESETS = Path(__file__).resolve().parents[2] / "presets"
MI300X_PURCHASE, MI300X_KW = 12_500, 1.79  # hardware.yaml: street price midpoint; SemiAnalysis all-in kW
CAPEX_FACTOR = 1 + 0.37 + 0.11


def owned_mi300x(n, pue, usd_per_kwh, years, salary):
    capex = n * MI300X_PURCHASE * CAPEX_FACTOR
    staff_fte = max(0.5, n / 1000 * 4.0)
    return (capex / (years * 12) + n * MI300X_KW * pue * usd_per_kwh * 730 + n * MI300X_KW * 194.95
            + capex * 0.05 / 12 + staff_fte * salary / 12)


def fleet(peak_calls_per_s, tokens_per_call, replica_tok_s, headroom, spares, per_replica):
    calls_per_replica = replica_tok_s / tokens_per_call
    return (math.ceil(peak_calls_per_s * (1 + headroom) / calls_per_replica) + spares) * per_replica


CASES = {
    # name: (expected option, peak calls/s by hand, generated tokens per call, replica tok/s at the SLO,
    #        headroom, spares, accelerators per replica, hand TCO function)
    "support-assistant": ("owned:mi300x", 50_000 * 4 * 3 / 86_400 * 3.0, 300, 1140.3, 0.2, 1, 1,
                          lambda n: owned_mi300x(n, 1.3, 0.12, 4, 200_000)),
    "voice-agent": ("owned:mi300x", 20_000 * 18 * 1 / 86_400 * 3.0, 60, 1371.0, 0.3, 1, 1,
                    lambda n: owned_mi300x(n, 1.3, 0.12, 4, 200_000)),
    "regulated-on-prem": ("owned:mi300x", 8_000 * 5 * 3 / 86_400 * 3.5, 400, 791.1, 0.3, 2, 1,
                          lambda n: owned_mi300x(n, 1.5, 0.15, 5, 220_000)),
    "coding-agent": ("owned:mi300x", 600 * 6 * 40 / 86_400 * 3.15, 1600, 3931.7, 0.2, 1, 4,
                     lambda n: owned_mi300x(n, 1.3, 0.12, 4, 200_000)),
    "consumer-app": ("owned:mi300x", 10_000_000 * 5 * 1 / 86_400 * 5.0, 400, 21911.1, 0.2, 1, 1,
                     lambda n: owned_mi300x(n, 1.3, 0.12, 4, 200_000)),
    # offline share 1.0: capacity for the daily average; MI355X rented at $2.41/h (estimate rule S)
    "document-processing": ("cloud:mi355x", 100 * 1_000 * 3 / 86_400, 700, 1371.0, 0.1, 0, 1,
                            lambda n: n * 2.41 * 730 + 3.81 + 0.5 * 200_000 / 12),
}


def test_rag_copilot_api_by_hand():
    # Groq serves Llama 3.3 70B at $0.59 / $0.79 per million input / output tokens (genai-prices 0.2.3),
    # with no cached-input price. 2,500 users x 6 questions x 2 calls = 30,000 calls a day,
    # 6,000 tokens in and 400 out, over 730 / 24 days; plus 0.1 FTE at $200k to run the integration.
    scenario = Scenario.from_yaml((PRESETS / "internal-rag-copilot.yaml").read_text())
    rec = plan(scenario, price_date=dt.date(2026, 11, 25), with_roadmap=False).recommended
    assert rec.id == "specialized:groq:llama-3.3-70b" and rec.accelerators is None
    days = 730 / 24
    expected = (30_000 * 6_000 * days / 1e6 * 0.59 + 30_000 * 400 * days / 1e6 * 0.79 + 0.1 * 200_000 / 12)
    assert rec.monthly_tco_usd == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize("name", sorted(CASES))
def test_recommendation_matches_hand_calculation(name):
    option_id, peak, tokens, replica_tok_s, headroom, spares, per_replica, tco = CASES[name]
    scenario = Scenario.from_yaml((PRESETS / f"{name}.yaml").read_text())
    p = plan(scenario, price_date=dt.date(2026, 11, 25), with_roadmap=False)
    rec = p.recommended
    assert rec.id == option_id
    assert p.demand.peak_calls_per_s == pytest.approx(peak, rel=1e-6)
    assert p.demand.generated_tokens_per_call == tokens
    sizing = rec.details["sizing"]
    assert sizing["output_tokens_per_s_per_replica"] == pytest.approx(replica_tok_s, rel=0.05)
    expected_n = fleet(peak, tokens, sizing["output_tokens_per_s_per_replica"], headroom, spares, per_replica)
    assert rec.accelerators == expected_n
    assert rec.monthly_tco_usd == pytest.approx(tco(expected_n), rel=0.01)
