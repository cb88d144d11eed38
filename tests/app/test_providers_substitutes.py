"""Providers page: the quality-floor substitutes considered and why each other model was left out (issue 13
item 8; the rule is engine/money/substitutes.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.catalog.catalog import load_catalog

pytestmark = pytest.mark.app
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_the_providers_page_lists_each_substitute_and_why_one_is_left_out():
    sonnet = load_catalog().get_model("claude-sonnet-5-5").quality_index  # a floor Sonnet 5.5 just reaches
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["preset"] = "support-assistant"
    at.query_params["model"] = "claude-opus-5-5"
    at.query_params["model.quality_floor"] = f"{sonnet:g}"
    at.run()
    at.switch_page("pages/providers.py").run()
    assert not at.exception
    table = next(f.value for f in at.dataframe if "Verdict" in f.value.columns)
    verdict = dict(zip(table["Model"], table["Verdict"]))
    assert verdict["Claude Sonnet 5.5"].startswith("Offered")
    assert verdict["Claude Haiku 4.5"].startswith("Not offered: below the floor")
    assert "test before switching" in verdict["Claude Haiku 5.5"]  # no score: labelled, not silently offered
    assert verdict["Qwen3 8B"] == "Not offered: no index"
    assert any("The rule" in c.value for c in at.caption)
