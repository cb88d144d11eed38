"""Issue 14, economics a CFO would sign: each rule checked on a case computed by hand."""
import dataclasses

import pytest

from engine.money.cost_model import LADDER, ladder_inversions, price_ladder, rental_usd_per_hour

pytestmark = pytest.mark.unit


# --- 1. price ladder: on-demand >= 1-year >= 3-year >= owner cost -------------------------

def test_the_ladder_never_inverts_for_any_accelerator(catalog):
    inverted = [msg for hw in catalog.hardware.values() for msg in ladder_inversions(hw)]
    assert inverted == []


def test_every_priced_accelerator_has_every_rental_rung(catalog):
    for hw in catalog.hardware.values():
        ladder = price_ladder(hw)
        assert tuple(ladder) == LADDER
        if hw.on_demand_usd_per_hour:
            assert all(ladder[step][0] for step in ("on_demand", "reserved_1y", "reserved_3y")), hw.id


def test_one_year_sits_between_on_demand_and_the_sourced_three_year_rate(catalog):
    # MI355X: on-demand 2.41, SemiAnalysis 3-year 2.10, no sourced 1-year price. The 1-year rate sits
    # 0.65 of the way down (median of TPU v6e 0.55, AWS g6e 0.65, AWS p5 0.74):
    # 2.41 - (2.41 - 2.10) x 0.65 = 2.2085 (the flat 33% gave 1.6147, below the 3-year rate).
    mi355x = catalog.get_hardware("mi355x")
    assert rental_usd_per_hour(mi355x, "reserved_1y") == (pytest.approx(2.2085), "estimate")
    assert rental_usd_per_hour(mi355x, "reserved_3y") == (2.1, "vendor")
    assert price_ladder(mi355x)["owner"] == (1.48, "vendor")


def test_without_a_three_year_rate_both_rungs_come_from_published_discounts(catalog):
    # A100: on-demand 1.30; 3-year = 1.30 x (1 - 0.56) = 0.572; 1-year = 1.30 - (1.30 - 0.572) x 0.65 = 0.8268
    a100 = catalog.get_hardware("a100-80gb")
    assert rental_usd_per_hour(a100, "reserved_3y")[0] == pytest.approx(0.572)
    assert rental_usd_per_hour(a100, "reserved_1y")[0] == pytest.approx(0.8268)


def test_an_inverted_row_is_named(catalog):
    bad = dataclasses.replace(catalog.get_hardware("mi300x"), reserved_1y_usd_per_hour=1.19)
    assert ladder_inversions(bad) == ["mi300x: reserved_1y 1.190 < reserved_3y 1.550 USD/h"]
    under_cost = dataclasses.replace(catalog.get_hardware("h100-sxm"), reserved_3y_usd_per_hour=1.0)
    assert ladder_inversions(under_cost) == ["h100-sxm: reserved_3y 1.000 < owner 1.300 USD/h"]
