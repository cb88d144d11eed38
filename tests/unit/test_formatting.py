"""Display formats shared by the app, the brief and the engine's rationale (present/formatting.py)."""
import pytest

from present import formatting as fmt

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("usd, text", [
    (1_234_567, "$1.2M"), (999_999, "$1.0M"), (164_300, "$164k"), (99_970, "$100k"), (16_456, "$16.5k"),
    (40_000, "$40k"), (9_999.6, "$10k"), (9_950, "$9,950"),
    (250, "$250"), (2.7051, "$2.71"), (0.04487, "$0.045"), (0, "$0"), (-8_122, "-$8,122"), (2.5e9, "$2.5B"),
    (None, fmt.MISSING), (float("nan"), fmt.MISSING),
])
def test_usd(usd, text):
    assert fmt.usd(usd) == text


@pytest.mark.parametrize("value, text", [
    (950, "950"), (1250, "1,250"), (250_000, "250,000"), (999_999.6, "1.0M"), (1_234_567, "1.2M"),
    (3.4e9, "3.4B"), (999_960_000, "1.0B"), (None, fmt.MISSING),
])
def test_count_is_compact_from_a_million_on(value, text):
    assert fmt.count(value) == text


def test_rates_durations_and_shares():
    assert fmt.usd_per_month(1_200_000) == "$1.2M / month"
    assert fmt.tok_per_s(1250) == "1,250 tok/s" and fmt.tok_per_s(7.5) == "7.5 tok/s"
    assert fmt.ms(334.2) == "334 ms" and fmt.ms(60_000) == "60.0 s"
    assert fmt.seconds(2_450) == "2.5 s"
    assert fmt.gb(79.6) == "80 GB"
    assert fmt.percent(0.123) == "12%" and fmt.signed_percent(0.011) == "+1.1%"
    assert fmt.percent_short(0.05) == "5%" and fmt.percent_short(0.025) == "2.5%"
    assert fmt.percent_short(0.999, 3) == "99.9%"
    assert fmt.times(2.34) == "2.3x"
    assert fmt.usd_axis(8000) == "$8k" and fmt.usd_axis(0) == "$0"
    assert fmt.number(50_000) == "50,000" and fmt.number(0.4) == "0.4" and fmt.number(True) == "yes"


@pytest.mark.parametrize("value, expected", [
    (999.96e9, "$1.0T"), (40_522.6e9, "$40.5T"), (-3e13, "-$30.0T"), (999.94e12, "$999.9T"),
    (999.96e12, "$1.0e15"), (2.84e71, "$2.8e71"), (1e308, "$1.0e308"),
])
def test_money_goes_on_to_trillions_then_powers_of_ten(value, expected):
    """Issue 16 defect 5: "$284,236,...,976,960.0B a month" for absurd but valid plans."""
    assert fmt.usd(value) == expected
    assert len(fmt.usd_per_month(value)) <= len("-$999.9T / month")


def test_counts_and_axis_ticks_follow_the_same_units():
    assert fmt.count(5.6e12) == "5.6T" and fmt.count(7.8e15) == "7.8e15"
    assert [fmt.usd_axis(v) for v in (2e9, 999.96e9, 3e12, 1e16)] == ["$2B", "$1T", "$3T", "$1.0e16"]
