"""Display formats shared by the brief and the app."""
import pytest

from report import formatting as fmt

pytestmark = pytest.mark.report


@pytest.mark.parametrize("usd, text", [
    (1_234_567, "$1.2M"), (999_999, "$1.0M"), (164_300, "$164k"), (99_970, "$100k"), (16_456, "$16.5k"),
    (40_000, "$40k"), (9_999.6, "$10k"), (9_950, "$9,950"),
    (250, "$250"), (2.7051, "$2.71"), (0.04487, "$0.045"), (0, "$0"), (-8_122, "-$8,122"), (2.5e9, "$2.5B"),
    (None, fmt.MISSING),
])
def test_usd(usd, text):
    assert fmt.usd(usd) == text


def test_rates_and_counts():
    assert fmt.usd_per_month(1_200_000) == "$1.2M / month"
    assert fmt.tok_per_s(1250) == "1,250 tok/s"
    assert fmt.tok_per_s_from_tpot(50.0) == "20 tok/s"
    assert fmt.count(1250) == "1,250"
    assert fmt.ms(334.2) == "334 ms" and fmt.ms(60_000) == "60.0 s"
    assert fmt.percent_short(0.05) == "5%" and fmt.percent_short(0.025) == "2.5%"
    assert fmt.percent_short(0.999, 3) == "99.9%"
    assert fmt.usd_axis(8000) == "$8k" and fmt.usd_axis(0) == "$0"
