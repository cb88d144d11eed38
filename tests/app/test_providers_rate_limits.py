"""Providers page: each provider's default rate-limit tier against the scenario's peak (issue 13 item 7)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.app
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_the_providers_page_shows_each_default_tier_against_the_peak():
    # support-assistant peaks at 1,250 requests/min; SambaNova's Developer tier allows 240 for Llama 3.3 70B
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["preset"] = "support-assistant"
    at.run()
    at.switch_page("pages/providers.py").run()
    assert not at.exception
    limits = next(f.value for f in at.dataframe if "Default tier against your peak" in f.value.columns)
    samba = limits[limits["Offer"].str.startswith("SambaNova")]["Default tier against your peak"].iloc[0]
    assert "240 RPM" in samba and "your peak 1,250 requests/min" in samba and "Enterprise tier" in samba
    assert any("240 RPM" in w.value for w in at.warning)  # the recommendation's warning on the page
