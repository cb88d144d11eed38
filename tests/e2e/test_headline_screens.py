"""The Scenario headline in a real browser at 1440 and 390 px for the two answers a CTO must not misread
(issue 15): a recommendation whose speed rests on assumed figures says "Unverified (assumed)", and a
scenario no option can meet says so instead of naming one. Screenshots go to $SHOTS_DIR (default
test-artifacts/shots) for a person to look at.
"""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from engine.plan import plan
from engine.recommend import confidence
from engine.scenario.schema import Scenario
from tests.e2e.test_compare_screens import WIDTHS, idle, shoot

pytestmark = pytest.mark.e2e
UNVERIFIED = {"model.id": "gpt-5-mini"}  # a closed model: API options only, most speeds assumed
IMPOSSIBLE = {"latency.ttft_p95_ms": "50", "latency.min_output_tokens_per_s_per_user": "4000"}


def _scenario(params: dict[str, str]) -> Scenario:
    data = Scenario().to_dict()
    for key, value in params.items():
        section, name = key.split(".")
        data[section][name] = value
    return Scenario.from_dict(data)


@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize("case,params", [("unverified", UNVERIFIED), ("no-option", IMPOSSIBLE)])
def test_headline_reads_on_desktop_and_phone(browser, app_url, device, case, params):
    p = plan(_scenario(params))
    context = browser.new_context(viewport={"width": WIDTHS[device], "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{app_url}/?v=1&{urlencode(params)}")
        headline = page.locator('[data-testid="stMetric"]').filter(has_text="Recommended option").first
        headline.wait_for()
        idle(page)
        text = page.locator('[data-testid="stMain"]').inner_text()
        if case == "unverified":
            assert p.recommendation.option_id is not None and confidence(p.option(p.recommendation.option_id)) == \
                "unverified"
            assert "Unverified (assumed)" in text
        else:
            assert p.recommendation.option_id is None
            assert "None meets the SLO" in headline.inner_text()
            assert "nothing to compare by kind" in text  # not an empty table
        # the headline's value is not cut off on a phone: its box is as wide as its text needs
        value = headline.locator('[data-testid="stMetricValue"]')
        assert value.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
        shoot(page, f"headline-{case}-{device}")
    finally:
        context.close()
