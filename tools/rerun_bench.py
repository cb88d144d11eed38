"""Server-side time of the Scenario page's rerun after an edit: `python -m tools.rerun_bench [PRESET ...]`.

Runs the app in Streamlit's AppTest (the script runs in this process, as on the server, without a
browser), opens each preset, then types a new daily-user count into the what-if box beside the answer
five times and times each rerun: wall clock and this process's CPU time (the CPU figure is the one to
compare across machines; wall time also counts what else the machine runs). The plan caches are cold
for every new count, as for a user's edit. Reported, never asserted (issue 15: <= 300 ms server-side).
The plan workers are off (IEP_PLAN_WORKERS=0), so the CPU figure is the whole edit's, not the part
left in the server process.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EDITS = 5
USERS_KEY = "_whatif.workload.daily_active_users"


def rerun_ms(preset: str, edits: int = EDITS) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["preset"] = preset
    at.run()
    if at.exception:
        raise RuntimeError(f"{preset}: {at.exception[0].value}")
    base = at.session_state["scenario"].workload.daily_active_users
    wall, cpu = [], []
    for k in range(edits):
        at.text_input(key=USERS_KEY).input(f"{base + 13 * (k + 1):,}")
        t, c = time.perf_counter(), time.process_time()
        at.run()
        wall.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.process_time() - c) * 1e3)
        if at.exception:
            raise RuntimeError(f"{preset}: {at.exception[0].value}")
    return {"cpu_median_ms": statistics.median(cpu), "cpu_max_ms": max(cpu),
            "wall_median_ms": statistics.median(wall), "edits": edits}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.rerun_bench", description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", help="preset names (default: every preset)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ["IEP_PLAN_WORKERS"] = "0"  # all of an edit's work in this process, where process_time sees it
    presets = args.presets or sorted(p.stem for p in (ROOT / "presets").glob("*.yaml"))
    results = {p: rerun_ms(p) for p in presets}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for p, r in results.items():
            print(f"{p:<22} rerun after a users edit: CPU median {r['cpu_median_ms']:5.0f} ms (max "
                  f"{r['cpu_max_ms']:4.0f}), wall median {r['wall_median_ms']:5.0f} ms (n={r['edits']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
