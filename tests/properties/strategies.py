"""Shared hypothesis strategies: valid Scenarios across the input space."""
from hypothesis import strategies as st

from engine.catalog.catalog import load_catalog
from engine.scenario.schema import BOUNDS, DEPLOYMENTS, MAX_GROWTH_FACTOR, LATENCY_TIERS, PRICINGS, Constraints, Finance, Latency, ModelChoice, Scenario, Workload

def _finance(horizon_months: int, monthly_growth: float, **kwargs) -> Finance:
    """Finance with the growth held inside the compounding cap for its horizon (MAX_GROWTH_FACTOR)."""
    if horizon_months > 1:
        monthly_growth = min(monthly_growth, MAX_GROWTH_FACTOR ** (1 / (horizon_months - 1)) - 1 - 1e-9)
    return Finance(horizon_months=horizon_months, monthly_growth=monthly_growth, **kwargs)


SELF_HOSTABLE_MODELS = ("llama-3.1-8b", "llama-3.3-70b", "qwen3-30b-a3b", "mixtral-8x7b", "gpt-oss-120b",
                        "deepseek-r1", "gemma-3-27b", "llama-3.1-405b")


def bounded(key: str, integer: bool = False, low=None, high=None):
    lo, hi, _ = BOUNDS[key]
    lo, hi = max(lo, low) if low is not None else lo, min(hi, high) if high is not None else hi
    if integer:
        return st.integers(int(lo), int(hi))
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


workloads = st.builds(
    Workload,
    daily_active_users=bounded("workload.daily_active_users", integer=True, high=5_000_000),
    queries_per_user_per_day=bounded("workload.queries_per_user_per_day", high=50),
    agent_calls_per_query=bounded("workload.agent_calls_per_query", high=20),
    input_tokens_per_call=bounded("workload.input_tokens_per_call", integer=True, high=32_000),
    output_tokens_per_call=bounded("workload.output_tokens_per_call", integer=True, high=4_000),
    reasoning_tokens_per_call=bounded("workload.reasoning_tokens_per_call", integer=True, high=4_000),
    shared_prefix_fraction=bounded("workload.shared_prefix_fraction"),
    peak_to_average_ratio=bounded("workload.peak_to_average_ratio", high=10),
    offline_fraction=bounded("workload.offline_fraction"),
)

latencies = st.builds(
    lambda tier, ttft, speed: Latency.for_tier(tier, ttft_p95_ms=ttft, min_output_tokens_per_s_per_user=speed),
    st.sampled_from(sorted(LATENCY_TIERS)),
    bounded("latency.ttft_p95_ms", low=100, high=120_000),
    bounded("latency.min_output_tokens_per_s_per_user", low=1, high=200),
)

def fits_context(s: Scenario) -> bool:
    """plan() refuses, by design, a call longer than the model's context window (tested in unit tests)."""
    w = s.workload
    context = load_catalog().get_model(s.model.id).max_context_tokens
    return context is None or w.input_tokens_per_call + w.output_tokens_per_call + w.reasoning_tokens_per_call <= context


scenarios = st.builds(
    Scenario,
    name=st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=60),
    workload=workloads,
    latency=latencies,
    model=st.builds(ModelChoice, id=st.sampled_from(SELF_HOSTABLE_MODELS), allow_4bit_weights=st.booleans(),
                    kv_cache_precision=st.sampled_from(("bf16", "fp8"))),
    constraints=st.builds(Constraints, deployment=st.sampled_from(DEPLOYMENTS),
                          availability_target=bounded("constraints.availability_target"),
                          headroom_fraction=bounded("constraints.headroom_fraction")),
    finance=st.builds(_finance, horizon_months=bounded("finance.horizon_months", integer=True),
                      monthly_growth=bounded("finance.monthly_growth"), pricing=st.sampled_from(PRICINGS),
                      pue=bounded("finance.pue")),
).filter(fits_context)
