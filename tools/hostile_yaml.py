"""Measure: hostile YAML files through `python -m engine plan` (issue 16, "Done when").

    python -m tools.hostile_yaml [--files 200] [--command plan]

Writes each document (tests/properties/hostile.py, seeds 0, 1, 2, ... keeping those the loader
refuses) to a temporary file, runs the CLI on it in a fresh interpreter and checks: exit status 2,
one line on stderr, no traceback. Prints the slowest wall time and the largest peak RSS of any run
(ru_maxrss from wait4, the child alone). Exit status 1 if any run breaks the contract or exceeds
2 s or 200 MB.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engine.scenario.yaml_io import scenario_from_yaml
from tests.properties.hostile import document

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S, LIMIT_MB = 2.0, 200.0


def _hostile(n: int) -> list[str]:
    docs, seed = [], 0
    while len(docs) < n:
        text = document(random.Random(seed))
        seed += 1
        try:
            scenario_from_yaml(text)
        except ValueError:
            docs.append(text)
    return docs


def _run(args: list[str]) -> tuple[int, str, float, float, float]:
    """Exit status, stderr, wall seconds, peak RSS [MB] and CPU seconds (user + system) of one child."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux; CPU time shows the work itself when a busy machine stretches the wall time
    return proc.returncode, text, wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.hostile_yaml")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--command", default="plan", choices=("plan", "size"))
    args = parser.parse_args(argv)
    bad, worst_s, worst_mb, worst_cpu, sizes, walls = [], (0.0, -1), (0.0, -1), (0.0, -1), [], []
    with tempfile.TemporaryDirectory() as folder:
        for i, text in enumerate(_hostile(args.files)):
            path = Path(folder) / f"hostile-{i:03d}.yaml"
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            sizes.append(len(text))
            code, err, wall, rss, cpu = _run([sys.executable, "-m", "engine", args.command, str(path)])
            walls.append(wall)
            worst_s = max(worst_s, (wall, i))
            worst_cpu = max(worst_cpu, (cpu, i))
            worst_mb = max(worst_mb, (rss, i))
            lines = err.strip().splitlines()
            if code != 2 or len(lines) != 1 or "Traceback" in err or wall > LIMIT_S or rss > LIMIT_MB:
                bad.append(f"file {i}: exit {code}, {len(lines)} lines, {wall:.2f} s, {rss:.0f} MB: {err[:200]!r}")
    print(f"{args.files} hostile files ({min(sizes):,} to {max(sizes):,} characters) through "
          f"`python -m engine {args.command}`")
    print(f"slowest run {worst_s[0]:.2f} s (file {worst_s[1]}), largest peak RSS {worst_mb[0]:.0f} MB "
          f"(file {worst_mb[1]}); limits {LIMIT_S:g} s and {LIMIT_MB:g} MB")
    print(f"median run {sorted(walls)[len(walls) // 2]:.2f} s; most CPU time of any run {worst_cpu[0]:.2f} s "
          f"(file {worst_cpu[1]}); load average then {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"contract broken by {len(bad)} of {args.files}")
    for line in bad:
        print("  " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
