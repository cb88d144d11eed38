import dataclasses

import pytest
import yaml

from engine.scenario.schema import LATENCY_TIERS, Latency, Scenario, Workload

pytestmark = pytest.mark.unit

CONTRACT_YAML = """
name: Customer-support assistant
workload: {daily_active_users: 50000, queries_per_user_per_day: 4, agent_calls_per_query: 3,
           input_tokens_per_call: 1500, output_tokens_per_call: 300, reasoning_tokens_per_call: 0,
           shared_prefix_fraction: 0.4, peak_to_average_ratio: 3.0, offline_fraction: 0.0}
latency:  {tier: interactive, ttft_p95_ms: 1000, min_output_tokens_per_s_per_user: 20}
model:    {id: llama-3.3-70b}
constraints: {deployment: any}
finance:  {horizon_months: 24, monthly_growth: 0.05, yearly_price_decline: 0.4,
           electricity_usd_per_kwh: 0.12, pue: 1.3, amortization_years: 4}
"""


def test_contract_yaml_layout_loads_every_value():
    s = Scenario.from_yaml(CONTRACT_YAML)
    assert s.workload.daily_active_users == 50000
    assert s.workload.shared_prefix_fraction == 0.4
    assert s.latency.ttft_p95_ms == 1000
    assert s.model.id == "llama-3.3-70b"
    assert s.constraints.deployment == "any"
    assert s.finance.amortization_years == 4


def test_yaml_round_trip_is_identity():
    s = Scenario.from_yaml(CONTRACT_YAML)
    assert Scenario.from_yaml(s.to_yaml()) == s
    assert Scenario.from_dict(s.to_dict()) == s


def test_tier_fills_slo_defaults_and_keeps_explicit_values():
    s = Scenario.from_dict({"latency": {"tier": "realtime"}})
    assert s.latency.ttft_p95_ms == LATENCY_TIERS["realtime"]["ttft_p95_ms"]
    s = Scenario.from_dict({"latency": {"tier": "batch", "ttft_p95_ms": 5000}})
    assert s.latency.ttft_p95_ms == 5000
    assert s.latency.min_output_tokens_per_s_per_user == LATENCY_TIERS["batch"]["min_output_tokens_per_s_per_user"]


def test_max_tpot_follows_per_user_speed():
    assert Latency.for_tier("interactive", min_output_tokens_per_s_per_user=20).max_tpot_ms == 50


@pytest.mark.parametrize("section,field,value,fragment", [
    ("workload", "daily_active_users", -5, "workload.daily_active_users = -5 is out of range: allowed 1 to"),
    ("workload", "agent_calls_per_query", 0, "workload.agent_calls_per_query = 0 is out of range"),
    ("workload", "shared_prefix_fraction", 1.5, "allowed 0 to 1"),
    ("finance", "pue", 0.5, "finance.pue = 0.5 is out of range"),
    ("workload", "daily_active_users", "many", "workload.daily_active_users must be a number"),
    ("workload", "input_tokens_per_call", 12.5, "must be a whole number"),
    ("workload", "daily_active_users", float("nan"), "must be a finite number"),
])
def test_bad_values_name_the_field_and_range(section, field, value, fragment):
    with pytest.raises(ValueError, match=None) as err:
        Scenario.from_dict({section: {field: value}})
    assert fragment in str(err.value)


def test_bad_choices_list_the_allowed_values():
    with pytest.raises(ValueError, match="constraints.deployment = 'moon' is not allowed: choose one of any, cloud, on_prem"):
        Scenario.from_dict({"constraints": {"deployment": "moon"}})
    with pytest.raises(ValueError, match="latency.tier"):
        Scenario.from_dict({"latency": {"tier": "warp"}})


def test_unknown_keys_are_named():
    with pytest.raises(ValueError, match="unknown key workload.users"):
        Scenario.from_dict({"workload": {"users": 3}})
    with pytest.raises(ValueError, match="unknown scenario key 'budget'"):
        Scenario.from_dict({"budget": 3})


def test_broken_yaml_is_a_value_error():
    with pytest.raises(ValueError, match="does not parse"):
        Scenario.from_yaml("workload: {daily_active_users: [")


def test_dataclasses_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'daily_active_users'"):
        Workload().daily_active_users = 3  # type: ignore[misc]


def test_redundancy_grows_with_availability():
    c = [Scenario.from_dict({"constraints": {"availability_target": a}}).constraints for a in (0.99, 0.999, 0.9999)]
    # N+1 servers from three nines; from four nines a second failure domain that carries the peak alone
    assert [(x.redundant_replicas, x.failure_domains) for x in c] == [(0, 1), (1, 1), (1, 2)]


def test_to_dict_is_plain_data():
    d = Scenario(constraints=Scenario().constraints.__class__(allowed_vendors=("nvidia",))).to_dict()
    assert yaml.safe_load(yaml.safe_dump(d))["constraints"]["allowed_vendors"] == ["nvidia"]
