"""What only a real browser shows (issue 16, defect 8): a page link clicked right after typing a
number, and a link Streamlit refuses whole (over 1,000 parameters). See ui/browser.py."""
from __future__ import annotations

import pytest

from tests.e2e.test_browser import query, wait_until_idle

pytestmark = pytest.mark.e2e


@pytest.fixture
def fresh_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(60_000)
    yield p
    context.close()


# Three times: on a warm server the edit's own run is over in tens of milliseconds, and the full form's copy
# of the field used to reach the server with its old value right after and undo the edit (ui.form.LAST_COMMIT).
@pytest.mark.parametrize("attempt", range(3))
def test_a_page_link_clicked_right_after_typing_a_number_opens_that_page_with_the_number(fresh_page, app_url, attempt):
    page = fresh_page
    page.goto(f"{app_url}/?preset=support-assistant")
    box = page.get_by_role("textbox", name="Daily active users").first
    box.wait_for()
    wait_until_idle(page)
    box.fill("33,333")  # no Enter: the input commits on blur, when the link is pressed
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Hardware").click()
    page.get_by_role("heading", name="Hardware").wait_for(timeout=30_000)
    page.wait_for_function("() => location.search.includes('daily_active_users=33333')")
    wait_until_idle(page)
    assert page.url.split("?")[0].endswith("/hardware")
    assert query(page)["workload.daily_active_users"] == "33333"
    assert "33,333 daily users" in page.locator('[data-testid="stCaptionContainer"]').first.inner_text()


def test_a_plain_page_link_click_still_navigates_once(fresh_page, app_url):
    page = fresh_page
    page.goto(f"{app_url}/?preset=support-assistant")
    page.get_by_role("textbox", name="Daily active users").first.wait_for()
    wait_until_idle(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="TCO").click()
    page.get_by_role("heading", name="Total cost of ownership").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert page.url.split("?")[0].endswith("/tco")
    assert query(page)["preset"] == "support-assistant"


@pytest.mark.parametrize("fields", [1_001, 3_000])
def test_a_link_over_streamlits_parameter_limit_says_it_was_ignored(fresh_page, app_url, fields):
    page = fresh_page
    link = "&".join(["dau=77777"] + [f"x{i}=1" for i in range(fields - 1)])
    page.goto(f"{app_url}/?{link}")
    warning = page.locator('[data-testid="stAlert"]').filter(has_text="This link was ignored")
    warning.wait_for(timeout=30_000)
    text = warning.inner_text()
    assert f"{fields:,} parameters" in text and "1,000 parameters" in text
    # the default scenario is what opened, and the page says so instead of pretending it read the link
    assert "77,777" not in page.locator('[data-testid="stCaptionContainer"]').first.inner_text()


def test_a_long_link_under_the_limit_gets_no_such_warning(fresh_page, app_url):
    page = fresh_page
    page.goto(f"{app_url}/?dau=77777&" + "&".join(f"x{i}=1" for i in range(50)))
    page.get_by_text("77,777 daily users").first.wait_for()
    wait_until_idle(page)
    assert page.locator('[data-testid="stAlert"]').filter(has_text="This link was ignored").count() == 0
