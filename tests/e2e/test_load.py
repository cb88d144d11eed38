"""Bounded load test on loopback: concurrent browser sessions change inputs for a fixed time.

Each session keeps its own daily-user count; after every change it must see its own number
in the URL and on the page (no cross-talk through caches or globals), with no exception.
Size: LOAD_SESSIONS (default 10) sessions for LOAD_SECONDS (default 20 s). Written to
test-artifacts/load.json: server memory (RSS) and the time from each edit to the updated
headline (p50, p95, max), measured in the browser: from just before the edit is typed until
the page header shows the new number and the first headline figure has been redrawn by the
same run (Streamlit marks the previous run's elements data-stale="true"); the time until the
whole page is redrawn; the 1-minute load average before and after (the machine is shared); and
the CPU each edit costs the server process and the browser (all its processes), which share the
machine's cores: on a 2-core machine the browser drawing ten sessions is most of the work.
Reported, never asserted (timings depend on the machine).
"""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_browser import query, wait_until_idle

pytestmark = pytest.mark.e2e
SESSIONS = int(os.environ.get("LOAD_SESSIONS", "10"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "20"))


def server_rss_mb(port: int) -> float | None:
    """RSS of the streamlit process listening on `port` (found through /proc)."""
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(cmd) and str(port).encode() in cmd:
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    return None


def server_cpu_s(port: int) -> float | None:
    """CPU seconds (user + system) the streamlit process listening on `port` has used so far."""
    hz = os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(cmd) and str(port).encode() in cmd:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / hz
        except OSError:
            continue
    return None


def browser_cpu_s() -> float:
    """CPU seconds (user + system) used so far by the chromium processes running now (the test's browser:
    its renderers, one per session, live until the sessions close)."""
    hz = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        try:
            if not (proc / "comm").read_text().startswith("chrom"):
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / hz
        except OSError:
            continue
    return total


def users_shown(page) -> str:
    return page.locator('[data-testid="stCaptionContainer"]').first.inner_text()


# Armed just before an edit: polls until the header caption shows the new count and the first
# metric belongs to the run that drew it, then keeps the elapsed milliseconds in window.__editMs;
# then until the whole page is drawn (no element left from the previous run, the run finished):
# window.__idleMs. The Scenario page draws its headline first, so the two differ under load.
ARM = """(shown) => {
  window.__editMs = null;
  window.__idleMs = null;
  const t0 = performance.now();
  const fresh = (el) => el && el.closest('[data-testid=stElementContainer]')?.dataset.stale === 'false';
  const id = setInterval(() => {
    const caption = document.querySelector('[data-testid=stCaptionContainer]');
    const metric = document.querySelector('[data-testid=stMetric]');
    if (window.__editMs === null && caption && caption.innerText.includes(shown) && fresh(caption) && fresh(metric)) {
      window.__editMs = performance.now() - t0;
    }
    if (window.__editMs !== null && !document.querySelector('[data-stale=true]')
        && !document.querySelector('[data-testid=stStatusWidget]')) {
      window.__idleMs = performance.now() - t0;
      clearInterval(id);
    }
  }, 20);
}"""


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def set_users(page, users: int) -> None:
    box = page.get_by_role("textbox", name="Daily active users").first  # the what-if beside the headline
    box.fill(str(users))
    box.press("Enter")


def test_concurrent_sessions_each_see_their_own_numbers(browser, app_url):
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(SESSIONS)]
    pages = [c.new_page() for c in contexts]
    errors = []
    for p in pages:
        p.set_default_timeout(60_000)
        p.on("pageerror", lambda exc: errors.append(str(exc)))
    port = urlparse(app_url).port
    before_load = os.getloadavg()[0]  # other work on the machine, reported beside the timings
    mine = {i: 10_000 + 1_111 * i for i in range(SESSIONS)}
    for i, p in enumerate(pages):  # open all sessions before any of them settles
        p.goto(f"{app_url}/?dau={mine[i]}")
    changes = 0
    edit_ms: list[float] = []
    idle_ms: list[float] = []
    deadline = time.monotonic() + SECONDS
    round_ = 0
    while True:
        for i, p in enumerate(pages):
            p.wait_for_function("(n) => location.search.includes('daily_active_users=' + n)", arg=mine[i])
            wait_until_idle(p)
            if round_:
                p.wait_for_function("() => window.__idleMs !== null")
                edit_ms.append(p.evaluate("() => window.__editMs"))
                idle_ms.append(p.evaluate("() => window.__idleMs"))
            assert query(p)["workload.daily_active_users"] == str(mine[i])
            assert f"{mine[i]:,}" in users_shown(p), (i, users_shown(p))
            assert p.locator('[data-testid="stException"]').count() == 0
        if time.monotonic() > deadline:
            break
        if round_ == 0:  # CPU spent from the first edit on: the server's and the browsers' share of the work
            cpu_at_first_edit = (server_cpu_s(port), browser_cpu_s())
        round_ += 1
        for i, p in enumerate(pages):  # every session changes its input while the others run
            mine[i] = 10_000 + 1_111 * i + 7 * round_
            p.evaluate(ARM, f"{mine[i]:,}")
            set_users(p, mine[i])
            changes += 1
    rss = server_rss_mb(port)
    server_now, browsers_now = server_cpu_s(port), browser_cpu_s()
    server_per_edit = (None if server_now is None or cpu_at_first_edit[0] is None or not changes
                       else round((server_now - cpu_at_first_edit[0]) / changes * 1e3))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(
        {"sessions": SESSIONS, "seconds": SECONDS, "rounds": round_, "input_changes": changes,
         "server_rss_mb": rss, "page_errors": errors,
         "edit_to_headline_ms": {"edits": len(edit_ms),
                                 **({"p50": round(percentile(edit_ms, 50)), "p95": round(percentile(edit_ms, 95)),
                                     "max": round(max(edit_ms))} if edit_ms else {})},
         "edit_to_whole_page_ms": {"edits": len(idle_ms),
                                   **({"p50": round(percentile(idle_ms, 50)), "p95": round(percentile(idle_ms, 95)),
                                       "max": round(max(idle_ms))} if idle_ms else {})},
         "load_average_1m": [before_load, os.getloadavg()[0]],
         # CPU per edit from the first edit on (the machine has two cores): the whole server process (every
         # session's page runs) and the browser (its renderers draw every session's page), each divided by the edits
         "cpu_ms_per_edit": {"server": server_per_edit,
                             "browser": round((browsers_now - cpu_at_first_edit[1]) / changes * 1e3) if changes else None},
         "own_numbers_only": True}, indent=2))
    for c in contexts:
        c.close()
    assert errors == []
    assert changes >= SESSIONS
