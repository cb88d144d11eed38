"""The Hardware page's edge and on-device section (issue 17): what a CTO should see."""
from __future__ import annotations

import pytest

from tests.app.test_app import assert_no_internal_names, metrics, open_app

pytestmark = pytest.mark.app


def test_consumer_app_hardware_page_shows_the_on_device_option():
    at = open_app(preset="consumer-app")
    at.switch_page("pages/hardware.py").run()
    assert not at.exception
    m = metrics(at)
    assert {"On-device model", "Speed on the device", "Share of calls it takes", "Cloud cost it removes"} <= set(m)
    assert m["Share of calls it takes"] == "10%"
    assert_no_internal_names(at)


def test_regulated_on_prem_hardware_page_lists_specialized_silicon_with_its_basis():
    at = open_app(preset="regulated-on-prem")
    at.switch_page("pages/hardware.py").run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert table["Option"].str.contains("Cerebras").any() and table["Option"].str.contains("SambaNova").any()
    cerebras = table[table["Option"].str.contains("Cerebras")].iloc[0]
    assert cerebras["Price basis"].startswith("estimate")
    assert any("No on-device option" in i.value for i in at.info)  # a bank's server-side assistant
