"""Real browser at 1440 and 390 px: save two scenarios and compare them, then the TCO and Roadmap pages.

Screenshots go to $SHOTS_DIR (default test-artifacts/shots) for a person to look at: legends under
the plots, titles whole, the headline figures readable on a phone.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("SHOTS_DIR") or ARTIFACTS / "shots")
WIDTHS = {"desktop": 1440, "phone": 390}


def idle(page) -> None:
    page.wait_for_timeout(200)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


def shoot(page, name: str) -> Path:
    """Whole page: Streamlit scrolls inside its main block, so the viewport grows to fit it first."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("() => Math.max(document.body.scrollHeight, ...[...document.querySelectorAll("
                           "'[data-testid=stMain], [data-testid=stMainBlockContainer], section')].map(e => e.scrollHeight))")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(max(height + 400, size["height"]), 9000)})
    page.wait_for_timeout(500)  # plotly redraws at the new size
    page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]') && "
                           "[...document.querySelectorAll('[data-testid=stPlotlyChart]')]"
                           ".every(c => c.querySelector('.main-svg'))", timeout=20_000)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def go_to(page, name: str) -> None:
    """Through the sidebar; on a phone it is collapsed behind its menu button first."""
    nav = page.locator('[data-testid="stSidebarNav"]')
    if not nav.is_visible():
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        nav.wait_for(state="visible")
    nav.get_by_role("link", name=name).click()
    idle(page)
    sidebar = page.locator("#stSidebar")
    if page.viewport_size["width"] < 700 and sidebar.get_attribute("data-collapsed") == "false":
        page.get_by_role("button", name="Collapse sidebar").click()  # on a phone it covers the page
        page.wait_for_timeout(300)


def no_legend_over_a_plot(page) -> list[str]:
    """Each plotly legend's box must not overlap its plot area or its title (the issue's 390 px bug)."""
    return page.evaluate("""() => {
      const out = [];
      const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
      document.querySelectorAll('[data-testid=stPlotlyChart]').forEach((chart, i) => {
        const legend = chart.querySelector('g.legend');
        const plot = chart.querySelector('.nsewdrag');
        const title = chart.querySelector('.gtitle');
        if (!legend || !plot) return;
        const l = legend.getBoundingClientRect();
        if (hit(l, plot.getBoundingClientRect())) out.push(`chart ${i}: legend over the plot`);
        if (title && hit(l, title.getBoundingClientRect())) out.push(`chart ${i}: legend over the title`);
      });
      return out;
    }""")


@pytest.mark.parametrize("device", list(WIDTHS))
def test_compare_two_scenarios_and_read_tco_and_roadmap(browser, app_url, device, tmp_path):
    width = WIDTHS[device]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/compare?preset=support-assistant")
    page.get_by_role("heading", name="Compare scenarios").wait_for()
    idle(page)
    page.get_by_role("textbox", name="Name", exact=True).fill("Support today")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved as “Support today”.", exact=True).wait_for()
    idle(page)
    # the second scenario arrives as a YAML upload (validated like a preset): four times the users
    from engine.scenario.schema import Scenario
    from ui import url
    s = url.load_preset("support-assistant")
    bigger = Scenario.from_dict({**s.to_dict(), "name": "Four times the users",
                                 "workload": {**s.to_dict()["workload"], "daily_active_users": 200_000}})
    upload = tmp_path / "four-times.yaml"
    upload.write_text(bigger.to_yaml(), encoding="utf-8")
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(upload))
    # the whole message: "Loaded" alone also matches the uploader's label ("as downloaded here")
    page.get_by_text("Loaded “Four times the users” from four-times.yaml.", exact=True).wait_for()
    idle(page)
    second = page.locator('[data-testid="stMetric"]').filter(has_text="Four times the users")
    second.wait_for()
    delta = second.locator('[data-testid="stMetricDelta"]').inner_text()
    assert delta.startswith("+$"), delta  # four times the users costs more than the reference
    page.get_by_role("heading", name="Inputs that differ").wait_for()
    shoot(page, f"compare-{width}")

    for name, heading in (("tco", "Total cost of ownership"), ("roadmap", "Optimization roadmap"),
                          ("hardware", "Hardware")):
        page.goto(f"{app_url}/{name}?preset=support-assistant")
        page.get_by_role("heading", name=heading).wait_for()
        idle(page)
        shoot(page, f"{name}-{width}")
        assert no_legend_over_a_plot(page) == [], name
    context.close()
