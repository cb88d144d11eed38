"""The prediction bands on screen (issue 12 item 10): the Hardware and TCO pages show each self-hosted
option's throughput band with the residuals it comes from, and the Methodology page the formula and the
residuals per hardware and family."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.physics.calibration import reported_accuracy
from engine.plan import plan
from present.labels import FLEET_FIGURE_LABELS, throughput_band_label
from ui import url

pytestmark = pytest.mark.app
APP = str(Path(__file__).resolve().parents[2] / "app.py")
PRESET = "document-processing"  # the recommendation is rented: its figures come from the performance model


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["preset"] = PRESET
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def engine_plan():
    return plan(url.from_params({"preset": PRESET}).scenario, price_date=dt.date.today(), with_roadmap=False)


def test_hardware_table_shows_each_accelerators_band_as_its_evidence(engine_plan):
    at = open_page("hardware")
    table = at.dataframe[0].value.set_index("Accelerator")
    rented = [o for o in engine_plan.options if o.kind == "cloud" and o.usable and o.pricing == "on_demand"]
    assert rented
    for o in rented:
        name = engine_plan.option(o.id).sizing.hardware_name
        assert table.loc[name, "Evidence"] == f"modelled, {throughput_band_label(o.throughput_band)}"
    unmeasured = [o for o in rented if not o.throughput_band.hardware_measured]
    assert unmeasured and all("never measured" in table.loc[o.sizing.hardware_name, "Evidence"] for o in unmeasured)


def test_tco_page_shows_the_band_and_the_fleet_at_its_low_end(engine_plan):
    at = open_page("tco")
    fleets = next(f.value for f in at.dataframe if FLEET_FIGURE_LABELS["throughput_band"] in f.value.columns)
    best = engine_plan.recommended
    row = fleets.set_index("Option").loc[best.name]
    assert row[FLEET_FIGURE_LABELS["throughput_band"]] == throughput_band_label(best.throughput_band)
    assert row[FLEET_FIGURE_LABELS["accelerators_at_band_low"]].startswith(f"{best.accelerators_at_band_low:,}")


def test_methodology_lists_the_residuals_behind_the_bands():
    at = open_page("methodology")
    residuals = next(f.value for f in at.dataframe if "Held-out rows" in f.value.columns)
    stored = reported_accuracy().residuals
    assert set(residuals["Group"]) >= set(stored["family"])
    assert "never measured" in " ".join(m.value for m in at.markdown)
