"""Prediction bands (issue 12 item 10): each self-hosted option's throughput band comes from the held-out
residuals of its hardware and model family, is wider where either was never measured, and widens the
TCO's uncertainty range."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import MappingProxyType

import pytest

from engine.catalog.catalog import load_catalog
from engine.money.cost_model import cost_model
from engine.money.uncertainty import Range, uncertainty
from engine.physics import bands, calibration
from engine.physics.bands import MIN_ROWS, throughput_band
from engine.physics.calibration import ALL_MODES, LATENCY_LIMITED, MAX_THROUGHPUT, Residuals, family_of
from engine.plan import plan
from engine.scenario.schema import Scenario
from present.labels import throughput_band_label

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
PRICE_DATE = dt.date(2026, 11, 25)


@pytest.fixture
def fresh_bands():
    throughput_band.cache_clear()
    yield
    throughput_band.cache_clear()


def _stored(residuals: dict) -> calibration.ReportedAccuracy:
    s = calibration.Summary("x", 10, 0.1, 0.2, 0.0)
    return calibration.ReportedAccuracy(s, MappingProxyType({"hardware": s}), None, MappingProxyType(
        {k: MappingProxyType({g: MappingProxyType(m) for g, m in v.items()}) for k, v in residuals.items()}))


def test_the_band_formula_by_hand(monkeypatch, fresh_bands):
    # hardware p10 -10%, p90 +20%; family p10 -20%, p90 +10% (predicted / measured - 1), 10 rows each:
    # x90 = (ln 1.2 + ln 1.1) / 2 = 0.138815 -> low = e^-0.138815 - 1 = -12.96%
    # x10 = (ln 0.9 + ln 0.8) / 2 = -0.164252 -> high = e^0.164252 - 1 = +17.85%
    q_hw, q_fam = Residuals(10, -0.1, 0.05, 0.2), Residuals(10, -0.2, -0.05, 0.1)
    monkeypatch.setattr(bands, "reported_accuracy", lambda: _stored(
        {"hardware": {"hw-a": {MAX_THROUGHPUT: q_hw, ALL_MODES: q_hw}},
         "family": {"fam": {MAX_THROUGHPUT: q_fam, ALL_MODES: q_fam}}}))
    band = throughput_band("hw-a", "HW A", "fam-7b", MAX_THROUGHPUT)
    assert band.low_fraction == pytest.approx(-0.1296, abs=1e-4)
    assert band.high_fraction == pytest.approx(0.1785, abs=1e-4)
    assert (band.hardware_rows, band.family_rows) == (10, 10)
    assert throughput_band_label(band) == "−13% to +18% (held-out, HW A + fam)"
    # latency-limited: no rows of that mode, so both sides fall back to all of their rows
    assert throughput_band("hw-a", "HW A", "fam-7b", LATENCY_LIMITED).low_fraction == band.low_fraction


def test_a_group_with_too_few_rows_counts_as_never_measured(monkeypatch, fresh_bands):
    narrow, wide, few = Residuals(50, -0.05, 0.0, 0.05), Residuals(50, -0.3, 0.0, 0.6), Residuals(MIN_ROWS - 1, 0, 0, 0)
    monkeypatch.setattr(bands, "reported_accuracy", lambda: _stored(
        {"hardware": {"good": {ALL_MODES: narrow}, "bad": {ALL_MODES: wide}, "thin": {ALL_MODES: few}},
         "family": {"fam": {ALL_MODES: narrow}}}))
    thin = throughput_band("thin", "Thin", "fam-1b", MAX_THROUGHPUT)
    never = throughput_band("unknown", "Unknown", "fam-1b", MAX_THROUGHPUT)
    bad = throughput_band("bad", "Bad", "fam-1b", MAX_THROUGHPUT)
    assert not thin.hardware_measured and not never.hardware_measured and bad.hardware_measured
    assert (thin.low_fraction, thin.high_fraction) == (never.low_fraction, never.high_fraction) \
        == (bad.low_fraction, bad.high_fraction)  # the widest measured hardware band
    assert f"only {MIN_ROWS - 1} held-out rows" in thin.basis and "never measured" in never.basis
    assert "Unknown never measured" in throughput_band_label(never)


def test_no_stored_residuals_give_no_band(monkeypatch, fresh_bands):
    monkeypatch.setattr(bands, "reported_accuracy", lambda: None)
    assert throughput_band("h100-sxm", "H100", "llama-3.1-70b", MAX_THROUGHPUT) is None


def test_never_measured_hardware_gets_a_wider_band_than_well_measured_hardware(fresh_bands):
    """From the committed accuracy file: the hardware with the most held-out rows against a catalog
    accelerator with none, for the same model family and mode."""
    residuals = calibration.reported_accuracy().residuals["hardware"]
    well = max(residuals, key=lambda h: residuals[h][ALL_MODES].rows)
    catalog = load_catalog()
    never = next(h.id for h in catalog.hardware.values() if h.id not in residuals and not h.is_specialized)
    family = next(iter(calibration.reported_accuracy().residuals["family"]))
    model = next(m for m in catalog.models if family_of(m) == family)
    for mode in (MAX_THROUGHPUT, LATENCY_LIMITED):
        measured = throughput_band(well, well, model, mode)
        unmeasured = throughput_band(never, never, model, mode)
        assert measured.hardware_measured and not unmeasured.hardware_measured
        assert unmeasured.spread_fraction > measured.spread_fraction, (mode, measured, unmeasured)
        assert "never measured" in unmeasured.basis


@pytest.fixture(scope="module")
def support():
    return plan(Scenario.from_yaml((ROOT / "presets" / "support-assistant.yaml").read_text()), price_date=PRICE_DATE)


def test_every_self_hosted_option_carries_a_band_and_its_fleet_at_the_low_end(support):
    sized = [o for o in support.options if o.kind in ("cloud", "owned") and o.usable]
    assert sized
    for o in sized:
        b = o.throughput_band
        assert b is not None and b.low_fraction <= 0 <= b.high_fraction, o.id
        # fewer tokens/s per replica never needs fewer accelerators
        assert o.accelerators_at_band_low >= o.accelerators, o.id
        assert support.uncertainty.throughput[o.id] == Range(round(1 + b.low_fraction, 2), round(1 + b.high_fraction, 2))
    for o in support.options:
        if o.kind in ("api", "specialized"):
            assert o.throughput_band is None and o.id not in support.uncertainty.throughput
    d = support.to_dict()
    shown = next(x for x in d["options"] if x["id"] == sized[0].id)
    assert shown["throughput_band"]["low_fraction"] == sized[0].throughput_band.low_fraction
    assert shown["accelerators_at_band_low"] == sized[0].accelerators_at_band_low


def test_the_tco_range_widens_when_the_band_widens(support):
    o = next(o for o in support.options if o.id == "cloud:h100-sxm")
    catalog = load_catalog()
    m = cost_model(o, catalog, support.scenario, support.demand)
    models = {o.id: m}

    def spread(r: Range | None):
        band = uncertainty(models, support.scenario, o.id, {o.id: r} if r else None).options[o.id]
        return band.p90_usd - band.p10_usd, band

    none, base = spread(None)
    narrow, narrow_band = spread(Range(0.9, 1.1))
    wide, wide_band = spread(Range(0.5, 1.1))
    assert none <= narrow < wide
    assert wide_band.p90_usd > narrow_band.p90_usd  # the low end of throughput: more accelerators, dearer
    assert wide_band.base_usd == base.base_usd  # the unmoved path stays the prediction itself


def test_the_tornado_names_the_throughput_band_of_a_self_hosted_pick(support):
    o = next(o for o in support.options if o.id == "cloud:h100-sxm")
    m = cost_model(o, load_catalog(), support.scenario, support.demand)
    u = uncertainty({o.id: m}, support.scenario, o.id, {o.id: Range(0.6, 1.1)})
    bar = next(t for t in u.tornado if t.input == "throughput")
    assert (bar.low_multiplier, bar.high_multiplier) == (0.6, 1.1)
    assert bar.low_usd > bar.high_usd  # at the band's low end the fleet, and the bill, is larger


def test_options_on_unmeasured_hardware_get_wider_tco_ranges_than_measured_ones(support):
    """Same model, same preset: the relative P10-P90 width of a never-measured accelerator's rented option
    exceeds that of the best-measured one (both carry the same usage and price draws)."""
    rented = {o.hardware: o for o in support.options if o.kind == "cloud" and o.usable and o.pricing == "on_demand"}
    measured = [o for o in rented.values() if o.throughput_band.hardware_measured]
    unmeasured = [o for o in rented.values() if not o.throughput_band.hardware_measured]
    assert measured and unmeasured
    best = max(measured, key=lambda o: o.throughput_band.hardware_rows)
    u = support.uncertainty.options

    def relative(o):
        return (u[o.id].p90_usd - u[o.id].p10_usd) / u[o.id].p50_usd

    assert all(relative(o) > relative(best) for o in unmeasured), [(o.id, relative(o)) for o in unmeasured]
