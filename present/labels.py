"""Display names of the engine's identifiers, one table each, for the screens and the brief alike.

Keys are the engine's own values (Option.kind, Scenario fields, Lever.layer, ...); a key
missing from a table prints as itself, so a new engine value shows up rather than crashing.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from present.formatting import band_span

if TYPE_CHECKING:  # type hints only: present never runs engine code
    from engine.capacity.sizing import HardwareOption
    from engine.catalog.catalog import Stack
    from engine.physics.bands import ThroughputBand

# Option.kind (engine.money.options.KINDS). "Cloud rental" is the design's own name for the
# rented path (DESIGN.md, Money) and reads as a noun beside "API" and "Specialized silicon".
KIND_LABELS = {"api": "API", "cloud": "Cloud rental", "owned": "Owned", "specialized": "Specialized silicon"}

# Option.speed_evidence / Option.ttft_evidence (engine.money.options.EVIDENCE; DESIGN.md "Evidence")
EVIDENCE_LABELS = {"measured": "measured", "vendor": "vendor claim", "modelled": "modelled",
                   "assumed": "assumed (no figure)"}

# The same, in a table cell beside the figure ("267 ms modelled")
EVIDENCE_SHORT = {"measured": "measured", "vendor": "vendor claim", "modelled": "modelled", "assumed": "assumed"}

# Scenario.latency.tier (engine.scenario.schema.LATENCY_TIERS)
TIER_LABELS = {"realtime": "Realtime voice", "interactive": "Interactive chat",
               "agentic": "Agentic background", "batch": "Batch"}

# Scenario.finance.pricing (engine.scenario.schema.PRICINGS)
PRICING_LABELS = {"on_demand": "On-demand", "reserved_1y": "1-year reserved", "reserved_3y": "3-year reserved",
                  # Option.pricing only (engine.money.cost_model.RESERVED_BASE, and owned fleets)
                  "reserved_base_burst": "1-year reserved base + on-demand burst", "owned": "Owned (bought)"}
# Option.basis that starts with engine.money.cost_model.YOUR_QUOTE: the user's own accelerator quote
YOUR_QUOTE_LABEL = "your quote"

# Self-hosted fleet figures on Option (TCO page and the brief), in the order a CTO reads them
FLEET_FIGURE_LABELS = {"accelerator_hours_per_month": "Accelerator-hours / month", "it_power_kw": "IT power",
                       "joules_per_token": "Energy per token", "tokens_per_s_per_kw": "Tokens/s per kW",
                       "spare_load_fraction": "Spare load (owned)", "failure_domains": "Failure domains",
                       "throughput_band": "Throughput band (held-out)",
                       "accelerators_at_band_low": "Accelerators at the band's low end"}
# Scenario.finance.decide_on (engine.scenario.schema.DECIDE_ON)
DECIDE_ON_LABELS = {"horizon_total": "Total over the horizon", "month_1": "Month 1"}

# Scenario.constraints.deployment (engine.scenario.schema.DEPLOYMENTS)
DEPLOYMENT_LABELS = {"any": "Anywhere (API, cloud or on-prem)", "cloud": "Cloud only",
                     "on_prem": "On-prem only (data sovereignty)"}

# Hardware.vendor (engine/data/hardware.yaml): as the vendors write their names
VENDOR_LABELS = {"nvidia": "NVIDIA", "amd": "AMD", "aws": "AWS", "google": "Google", "groq": "Groq",
                 "cerebras": "Cerebras", "sambanova": "SambaNova", "intel": "Intel"}

# Lever.layer: the four layers of engine/data/levers.yaml
LAYER_LABELS = {"model": "Model architecture", "hardware": "Hardware selection", "stack": "Inference stack",
                "workload": "Workload strategies"}

# How an owned edge box or specialized system's price is known (devices.yaml / onprem_systems.yaml price_basis):
# the brief and the screens print it beside the monthly cost. A "third-party" estimate is named as such.
PRICE_BASIS_LABELS = {"vendor": "vendor price", "estimate": "estimate", "measured": "measured price",
                      "third_party": "third-party estimate"}
NOT_COSTED_LABELS = {"announced": "announced, vendor claims only",
                     "no_price": "no published price",
                     "no_speed": "no measured speed for this model"}


def price_basis_label(basis: str | None) -> str:
    """'vendor' -> 'vendor price'; no basis -> 'no published price' (listed, not costed)."""
    return PRICE_BASIS_LABELS.get(basis or "", NOT_COSTED_LABELS["no_price"])


# Lever.quality_risk
QUALITY_RISK_LABELS = {"none": "No risk", "low": "Low", "medium": "Medium", "high": "High"}

# Uncertainty.ranges / TornadoBar.input / Uncertainty.driver
UNCERTAIN_INPUT_LABELS = {"usage": "Usage volume", "tokens_per_call": "Tokens per call",
                          "monthly_growth": "Monthly growth", "api_prices": "API prices",
                          "gpu_prices": "Accelerator prices", "throughput": "Throughput (model error)"}

# ThroughputBand.mode (engine.physics.bands.MODES): which held-out rows the band is drawn from
BAND_MODE_LABELS = {"max-throughput": "max-throughput runs", "latency-limited": "latency-limited runs"}

ACRONYMS = {"api": "API", "gpu": "GPU", "usd": "USD", "kw": "kW", "gb": "GB", "1y": "1-year", "3y": "3-year",
            "ops": "Operations", "fte": "FTE", "pue": "PUE"}


def first_upper(text: str) -> str:
    """Start a label: 'on-prem' -> 'On-prem' (unlike str.capitalize, the rest is kept: 'API prices')."""
    return text[:1].upper() + text[1:]


def in_sentence(label: str) -> str:
    """A label inside a sentence: 'Usage volume' -> 'usage volume'; acronyms stay: 'API prices'."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def vendor_label(vendor: str) -> str:
    return VENDOR_LABELS.get(vendor, first_upper(vendor))


def tier_label(tier: str) -> str:
    return TIER_LABELS.get(tier, tier)


def pricing_label(pricing: str) -> str:
    return PRICING_LABELS.get(pricing, pricing)


def deployment_label(deployment: str) -> str:
    return DEPLOYMENT_LABELS.get(deployment, deployment)


def layer_label(layer: str) -> str:
    return LAYER_LABELS.get(layer, first_upper(str(layer).replace("_", " ")))


def quality_risk_label(risk: str) -> str:
    return QUALITY_RISK_LABELS.get(risk, risk)


def phase_label(phase: str) -> str:
    """Lever.phase ('quick win (30 days)', 'next quarter', 'strategic') as a table cell."""
    return first_upper(phase)


def uncertain_input_label(key: str) -> str:
    return UNCERTAIN_INPUT_LABELS.get(key, identifier_label(key))


def component_label(component: str) -> str:
    """A cost component of Option.components_usd ('hardware (amortized)') as a legend entry or column."""
    return first_upper(component)


def identifier_label(identifier: str) -> str:
    """server_share_of_accelerator_capex -> Server share of accelerator capex."""
    return first_upper(" ".join(ACRONYMS.get(w, w) for w in identifier.split("_")))


def configuration_label(sized: HardwareOption, stacks: Mapping[str, Stack]) -> str:
    """A sized self-hosted replica: 'vLLM, FP8, TP2' or 'TensorRT-LLM, FP8, TP8 x PP2'.

    stacks is the catalog's table of serving stacks (Catalog.stacks), for their display names.
    """
    stack = stacks[sized.stack].name if sized.stack in stacks else (sized.stack or "")
    parallel = f"TP{sized.tensor_parallel}" if sized.tensor_parallel else ""
    if parallel and (sized.pipeline_parallel or 1) > 1:
        parallel += f" x PP{sized.pipeline_parallel}"
    return ", ".join(p for p in (stack, (sized.precision or "").upper(), parallel) if p)

# engine.recommend.confidence: how sure "meets the targets" is (DESIGN.md "Evidence")
CONFIDENCE_LABELS = {"yes": "Yes", "likely": "Likely (modelled)", "unverified": "Unverified (assumed)", "no": "No"}

# engine.money.substitutes.SubstituteCheck.status: the verdict on a quality-floor substitute
SUBSTITUTE_STATUS_LABELS = {"meets_floor": "Offered: meets the floor",
                            "below_floor": "Not offered: below the floor",
                            "not_indexed_tier": "Listed, not recommended: quality not indexed, test before switching",
                            "no_index": "Not offered: no index"}

# engine.recommend.DecisionRow.lock_in and .data_residency
LOCK_IN_LABELS = {"none": "None: pay as you go", "reserved_1y": "1-year reservation", "reserved_3y": "3-year reservation",
                  "owned": "Bought hardware", "vendor_silicon": "One vendor's silicon"}
RESIDENCY_LABELS = {"provider": "Sent to the provider", "your_cloud": "Your cloud account",
                    "your_premises": "Your premises"}

# engine.flips.Flip.field: the inputs that can flip the answer, as a reader names them
FLIP_FIELD_LABELS = {"latency.ttft_p95_ms": "first-token target", "latency.min_output_tokens_per_s_per_user":
                     "per-user speed target", "workload.daily_active_users": "daily active users",
                     "workload.input_tokens_per_call": "input tokens per call",
                     "workload.output_tokens_per_call": "output tokens per call", "api_prices": "API prices",
                     "gpu_prices": "accelerator prices", "finance.monthly_growth": "monthly growth"}


def confidence_label(key: str) -> str:
    return CONFIDENCE_LABELS.get(key, key)


def substitute_status_label(status: str) -> str:
    return SUBSTITUTE_STATUS_LABELS.get(status, status)


def lock_in_label(key: str, months: int = 0) -> str:
    """'Bought hardware (written off over 48 months)'."""
    label = LOCK_IN_LABELS.get(key, key)
    return f"{label} (written off over {months} months)" if key == "owned" and months else label


def residency_label(key: str) -> str:
    return RESIDENCY_LABELS.get(key, key)


def flip_field_label(field: str) -> str:
    return FLIP_FIELD_LABELS.get(field, identifier_label(field.split(".")[-1]))


def throughput_band_label(band: ThroughputBand | None) -> str:
    """'−39% to +12% (held-out, H100 SXM + llama-3.1)': the option's throughput band and the residuals it
    comes from; a hardware or family without enough measured rows says 'never measured'. '' without a band."""
    if band is None:
        return ""
    hardware = band.hardware_name if band.hardware_measured else f"{band.hardware_name} never measured"
    family = band.family if band.family_measured else f"{band.family} never measured"
    return f"{band_span(band.low_fraction, band.high_fraction)} (held-out, {hardware} + {family})"
