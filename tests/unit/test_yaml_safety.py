"""The one safe YAML loader (engine/scenario/yaml_io.py): presets, uploads and the CLI (issue 16, defect 2).

Each case is a file an attacker or a typo could produce; each must come back as one line naming
the source and the field or line, never as a default scenario, a traceback or gigabytes of memory.
"""
import dataclasses

import pytest

from engine.scenario.schema import DEFAULT_SCENARIO, MAX_GROWTH_FACTOR, Finance, Scenario, quote
from engine.scenario.yaml_io import MAX_CHARS, MAX_DEPTH, scenario_from_yaml

pytestmark = pytest.mark.unit

ALIAS_BOMB = ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
              "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
              "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
              "constraints: {allowed_vendors: [*f, *f, *f, *f, *f, *f, *f, *f, *f]}\n")


def refused(text: str) -> str:
    with pytest.raises(ValueError) as info:
        scenario_from_yaml(text, "upload.yaml")
    message = str(info.value)
    assert message.startswith("upload.yaml: ") and "\n" not in message and len(message) < 400
    return message


@pytest.mark.parametrize("text", ["", "# only a comment\n", "0", "false", "---\n...\n", "{}", "   \n"])
def test_an_empty_or_non_mapping_document_is_refused_not_planned_as_the_default(text):
    message = refused(text)
    assert "empty" in message or "not a scenario" in message


@pytest.mark.parametrize("text, field", [
    ("finance: {horizon_months: 1:30}\n", "finance.horizon_months"),  # YAML 1.1 read 90
    ("workload: {daily_active_users: 0x10}\n", "workload.daily_active_users"),  # YAML 1.1 read 16
    ("workload: {daily_active_users: 0o17}\n", "workload.daily_active_users"),
    ("workload: {daily_active_users: .inf}\n", "workload.daily_active_users"),
    ("workload: {daily_active_users: 1e400}\n", "workload.daily_active_users"),
    ("workload: {daily_active_users: " + "9" * 5000 + "}\n", "workload.daily_active_users"),
])
def test_yaml_1_2_number_rules_text_fails_validation_with_the_field_named(text, field):
    assert field in refused(text)


def test_yaml_1_2_numbers_people_write_still_read():
    s = scenario_from_yaml("workload: {daily_active_users: 1e5, shared_prefix_fraction: .5}\nname: '1:30'\n")
    assert s.workload.daily_active_users == 100_000 and s.workload.shared_prefix_fraction == 0.5
    assert s.name == "1:30"


@pytest.mark.parametrize("text, phrase", [
    ("workload: {daily_active_users: 5}\nworkload: {daily_active_users: 9}\n", "appears twice"),
    ("workload: {daily_active_users: 5, daily_active_users: 9}\n", "appears twice"),
    ("{1: a, foo: b}\n", "keys must be text"),  # was a TypeError from sorted() on mixed keys
    ("? [a, b]\n: c\n", "keys must be text"),
    ("name: !!python/object/apply:os.system [echo]\n", "not allowed"),
    ("name: !!binary aGVsbG8=\n", "not allowed"),
    ("<<: {name: x}\n", "unknown scenario key"),  # no YAML 1.1 merge keys
    ("a: 1\n---\nb: 2\n", "does not parse"),
    ("workload: [unclosed\n", "does not parse"),
    ("name: &a [*a]\n", "alias"),
])
def test_malformed_documents_are_refused_with_one_line(text, phrase):
    assert phrase in refused(text)


def test_deep_nesting_is_refused_before_the_parser_recurses():
    message = refused("[" * 20_000)  # was a 3,000-line RecursionError
    assert f"more than {MAX_DEPTH} levels" in message


def test_an_alias_bomb_is_refused_before_it_is_expanded():
    assert len(ALIAS_BOMB) < 600  # 9**7 = 4.8 million vendor names once expanded
    assert "aliases" in refused(ALIAS_BOMB)


def test_an_oversized_document_is_refused_by_its_size():
    text = "constraints: {allowed_vendors: [" + ", ".join(["nvidia"] * 20_000) + "]}\n"
    assert len(text) > MAX_CHARS
    assert f"at most {MAX_CHARS:,}" in refused(text)


def test_a_markdown_vendor_name_is_refused_without_being_echoed():
    message = refused("constraints: {allowed_vendors: ['[Session expired: sign in](http://evil.example/x)']}\n")
    assert "constraints.allowed_vendors" in message and "entry 1" in message
    assert "evil" not in message and "[" not in message and "](" not in message


def test_quoted_bad_values_are_short_and_markdown_inert():
    value = "![i](http://host/t.png)\u202e" + "x" * 500
    shown = quote(value)
    assert len(shown) <= 42  # 40 characters and the quotes
    assert not set(shown) & set("[]()<>!\u202e")
    message = refused(f"latency: {{tier: '{value}'}}\n")
    assert "latency.tier" in message and "http" in message and "](" not in message and "x" * 60 not in message


def test_presets_and_the_app_s_own_yaml_still_round_trip():
    assert Scenario.from_yaml(DEFAULT_SCENARIO.to_yaml()) == DEFAULT_SCENARIO
    odd = Scenario(name="yes: 1:30 0x10 ~ null")
    assert Scenario.from_yaml(odd.to_yaml()) == odd


def test_compounded_growth_is_capped_with_both_fields_named():
    with pytest.raises(ValueError) as info:
        Finance(monthly_growth=2.0, horizon_months=120)  # was "$284,236,...,976,960.0B a month"
    message = str(info.value)
    assert "finance.monthly_growth" in message and "finance.horizon_months" in message
    assert f"{MAX_GROWTH_FACTOR:,.0f}x" in message
    # (1 + g) ** (months - 1): the cap sits between these two
    assert Finance(monthly_growth=0.1, horizon_months=97).horizon_months == 97  # 1.1**96 = 9,400x
    with pytest.raises(ValueError):
        Finance(monthly_growth=0.1, horizon_months=98)  # 1.1**97 = 10,340x


@pytest.mark.parametrize("name", ["0E0", "1e5", ".5", "+1", "yes", "on", "null", "~", "true", "12:30", "0x10"])
def test_a_name_that_looks_like_a_number_survives_a_download_and_upload(name):
    # PyYAML writes YAML 1.1 (where 0E0 is text); the loader reads YAML 1.2 (where it is a number).
    # A saved scenario must read back as the same scenario, its name still text.
    scenario = dataclasses.replace(Scenario(), name=name)
    assert Scenario.from_yaml(scenario.to_yaml()) == scenario
