"""Real-browser tests of what AppTest cannot see: the address bar, sidebar navigation, downloads.

Screenshots of every page go to test-artifacts/ for a person to look at.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
PAGES = ("Hardware", "Providers", "TCO", "Roadmap", "Report", "Methodology", "Scenario")
VOICE = "Call-centre voice agent"


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def query(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def shoot(page, name: str) -> None:
    """Whole-page screenshot: Streamlit scrolls inside its main block, so grow the viewport to fit it."""
    height = page.evaluate("() => Math.max(document.body.scrollHeight, ...[...document.querySelectorAll("
                           "'[data-testid=stMain], [data-testid=stMainBlockContainer], section')].map(e => e.scrollHeight))")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 6000)})
    page.wait_for_timeout(400)  # plotly redraws at the new size
    # Plotly loads lazily: a grey skeleton stands in until the chart has drawn.
    page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]') && "
                           "[...document.querySelectorAll('[data-testid=stPlotlyChart]')]"
                           ".every(c => c.querySelector('.main-svg'))", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


def wait_until_idle(page) -> None:
    """Streamlit shows a 'running' status widget while the script runs."""
    page.wait_for_timeout(150)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


def test_deep_link_to_a_page_on_a_fresh_server(browser, app_url):
    """The first run of a fresh server goes through Streamlit's pages/ fallback: the link must still work."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    p = context.new_page()
    p.goto(f"{app_url}/tco?preset=consumer-app")
    p.get_by_role("heading", name="Total cost of ownership").wait_for()
    p.get_by_text("Consumer chat app").first.wait_for()
    p.wait_for_function("() => location.search.includes('v=1')")
    assert query(p)["preset"] == "consumer-app"
    context.close()


def test_preset_link_then_an_input_change_updates_headline_and_url(page, app_url):
    page.goto(f"{app_url}/?preset=voice-agent")
    page.locator('[data-testid="stMetric"]').filter(has_text="Recommended option").wait_for()
    page.get_by_text(VOICE).first.wait_for()
    wait_until_idle(page)
    assert query(page) == {"v": "1", "preset": "voice-agent"}
    before = metric(page, "Month 1 TCO")
    assert re.match(r"^\$[\d.,]+[kM]? / month$", before)

    box = page.get_by_role("textbox", name="Daily active users").first  # the what-if beside the headline
    box.fill("200000")
    box.press("Enter")
    page.wait_for_function("() => location.search.includes('workload.daily_active_users=200000')")
    wait_until_idle(page)
    page.wait_for_function(
        "(old) => [...document.querySelectorAll('[data-testid=stMetric]')].some("
        "m => m.innerText.includes('Month 1 TCO') && !m.innerText.includes(old))", arg=before)
    assert metric(page, "Month 1 TCO") != before
    shoot(page, "scenario")


@pytest.mark.parametrize("title", PAGES)
def test_every_page_keeps_the_same_scenario(page, title):
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    page.wait_for_function("(t) => location.pathname.endsWith(t) || t === 'scenario'", arg=title.lower())
    page.get_by_text(VOICE).first.wait_for()
    # sidebar links drop the query string; app.py writes it back
    page.wait_for_function("() => location.search.includes('workload.daily_active_users=200000')")
    wait_until_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert query(page)["preset"] == "voice-agent"
    shoot(page, title.lower())


def test_downloads_json_and_the_brief(page):
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Report").click()
    page.get_by_role("heading", name="Report").wait_for()
    wait_until_idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Plan as JSON").click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert data["scenario"]["workload"]["daily_active_users"] == 200000
    assert data["scenario"]["name"].startswith(VOICE)
    assert data["recommendation"]["option_id"]

    button = page.get_by_role("button", name="Download the PDF brief")  # one click: built when clicked
    with page.expect_download(timeout=60_000) as info:
        button.click()
    assert open(info.value.path(), "rb").read(5) == b"%PDF-"
    shoot(page, "report-downloads")


def test_a_reload_keeps_the_scenario(page):
    """The link is the state: reloading the page rebuilds the same scenario from it."""
    before = query(page)
    page.reload()
    page.get_by_text(VOICE).first.wait_for()
    page.wait_for_function("() => location.search.includes('workload.daily_active_users=200000')")
    wait_until_idle(page)
    assert query(page) == before
    assert "200,000 daily users" in page.locator('[data-testid="stCaptionContainer"]').first.inner_text()
