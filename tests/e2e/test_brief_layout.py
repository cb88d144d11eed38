"""The HTML brief in a real browser: a 200-character unbroken name wraps instead of widening the page
(issue 16 defect 6). Here, not in tests/report, so it shares the session's one Playwright instance."""
from __future__ import annotations

import pytest

from report import build_html
from tests.report.test_brief import LONG, named

pytestmark = pytest.mark.e2e


def test_a_200_character_word_wraps_in_the_html(browser):
    page_html = build_html(named(LONG), share_link="https://planner.example.com/?" + "x" * 300)
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        page = context.new_page()
        page.set_content(page_html)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1000
    finally:
        context.close()
