#!/usr/bin/env python3
"""Measure the app as issue 5 asks (not a test: timings on shared machines are noisy).

1. Server-side rerun after an input change: AppTest runs the script in-process; each rerun
   sets a new daily-user count, so the plan cache misses as it would for a real edit.
2. First page ready and 5 concurrent sessions' server memory: a real `streamlit run` and
   Debian's chromium (Playwright), loopback only.
Usage: python3 scripts/measure_app.py
"""
from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rerun_ms(runs: int = 10) -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    times = []
    for i in range(runs):
        at.text_input(key="_workload.daily_active_users").set_value(str(50_000 + 1_000 * (i + 1)))
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1e3)
        assert not at.exception
    return times


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def browser_figures(sessions: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless",
                             "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"])
            ready = []
            pages = []
            presets = ["support-assistant", "voice-agent", "coding-agent", "consumer-app", "regulated-on-prem"]
            for i in range(sessions):
                page = browser.new_context().new_page()
                start = time.perf_counter()
                page.goto(f"{url}/?preset={presets[i % len(presets)]}")
                page.locator('[data-testid="stMetric"]').filter(has_text="Monthly TCO").wait_for(timeout=60_000)
                ready.append((time.perf_counter() - start) * 1e3)
                pages.append(page)
            for page in pages:  # every session visits the heavy pages
                for name in ("Hardware", "TCO", "Roadmap"):
                    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name).click()
                    page.wait_for_timeout(1500)
            memory = rss_mb(proc.pid)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return {"first_page_ready_ms": ready, "server_rss_mb_with_sessions": memory, "sessions": sessions}


if __name__ == "__main__":
    reruns = rerun_ms()
    print(f"server-side rerun after an input change: median {statistics.median(reruns):.0f} ms "
          f"(min {min(reruns):.0f}, max {max(reruns):.0f}, n={len(reruns)})")
    b = browser_figures()
    print(f"first page ready (first session = cold server): " + ", ".join(f"{t:.0f} ms" for t in b["first_page_ready_ms"]))
    print(f"server RSS with {b['sessions']} sessions: {b['server_rss_mb_with_sessions']:.0f} MB")
