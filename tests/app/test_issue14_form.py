"""Issue 14: the form carries the new finance, workload and constraint inputs, validated with the field named."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.form import FORM_TAB

pytestmark = pytest.mark.app
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_the_form_takes_an_accelerator_quote_window_power_cap_and_software_gain():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.session_state[FORM_TAB] = "Finance"  # only the open tab's widgets are drawn
    at.run()
    at.text_input(key="_finance.accelerator_quote_usd_per_hour").set_value("h100-sxm:1.5").run()
    assert not at.exception
    s = at.session_state["scenario"]
    assert s.finance.accelerator_quote_usd_per_hour == ("h100-sxm:1.5",)
    assert at.query_params["finance.accelerator_quote_usd_per_hour"] == "h100-sxm:1.5"
    at.text_input(key="_finance.accelerator_quote_usd_per_hour").set_value("h100-sxm:500").run()
    assert at.session_state["scenario"].finance.accelerator_quote_usd_per_hour == ("h100-sxm:1.5",)  # kept
    assert any("finance.accelerator_quote_usd_per_hour" in e.value.replace("\\", "") for e in at.error)
    at.session_state[FORM_TAB] = "Workload"
    at.run().number_input(key="_workload.offline_window_hours").set_value(8.0).run()
    at.session_state[FORM_TAB] = "Constraints"
    at.run().number_input(key="_constraints.power_cap_kw").set_value(50.0).run()
    at.session_state[FORM_TAB] = "Finance"
    at.run().number_input(key="_finance.software_efficiency_gain_per_year").set_value(10.0).run()  # percent
    assert not at.exception
    s = at.session_state["scenario"]
    assert (s.workload.offline_window_hours, s.constraints.power_cap_kw,
            s.finance.software_efficiency_gain_per_year) == (8.0, 50.0, 0.1)


def test_shares_are_typed_and_shown_as_percentages():
    """A share reads as a percentage in the form (40, labelled %), and what is typed is kept as the share the
    scenario, links and YAML carry (25 -> 0.25); the bounds say percent."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state[FORM_TAB] = "Workload"
    at.run()
    box = at.number_input(key="_workload.shared_prefix_fraction")
    assert at.session_state["scenario"].workload.shared_prefix_fraction == 0.4
    assert box.value == 40 and "(%)" in box.label and "0% to 100%" in box.help
    box.set_value(25.0).run()
    assert not at.exception
    assert at.session_state["scenario"].workload.shared_prefix_fraction == 0.25
    assert at.query_params["workload.shared_prefix_fraction"] == "0.25"
    assert at.number_input(key="_workload.shared_prefix_fraction").value == 25
