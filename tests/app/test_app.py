"""AppTest of the pages: no exception and the figures a user expects."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.app
APP = Path(__file__).resolve().parents[2] / "app.py"


def test_hardware_page_shows_sizing_table():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Peak calls per second" in labels
    table = at.dataframe[0].value
    assert "NVIDIA H100 SXM 80GB" in set(table["Accelerator"])
    assert "yes" in set(table["Meets SLO"])
    # no internal field names on screen
    assert not any("_" in c for c in table.columns)
