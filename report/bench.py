"""python -m report.bench: median time of build_pdf (and build_html) over the presets.

Plans are built once, outside the timing: the brief's own cost is what is measured.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

from engine.plan import plan
from engine.scenario.schema import Scenario
from report.content import model_accuracy
from report.html import build_html
from report.pdf import build_pdf

PRESETS = Path(__file__).resolve().parent.parent / "presets"
PRICE_DATE = dt.date(2026, 11, 25)


def _median_s(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m report.bench")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    model_accuracy()  # cached once per process, as in the app
    pdf_all, html_all = [], []
    print(f"{'preset':<24} {'build_pdf':>10} {'build_html':>11}")
    for path in sorted(PRESETS.glob("*.yaml")):
        p = plan(Scenario.from_yaml(path.read_text(encoding="utf-8")), price_date=PRICE_DATE)
        build_pdf(p)  # warm-up: fonts, matplotlib caches
        pdf_s = _median_s(lambda: build_pdf(p), args.repeats)
        html_s = _median_s(lambda: build_html(p), args.repeats)
        pdf_all.append(pdf_s)
        html_all.append(html_s)
        print(f"{path.stem:<24} {pdf_s:>9.3f}s {html_s:>10.3f}s")
    print(f"{'median over presets':<24} {statistics.median(pdf_all):>9.3f}s {statistics.median(html_all):>10.3f}s")
    print(f"{'slowest preset':<24} {max(pdf_all):>9.3f}s {max(html_all):>10.3f}s")


if __name__ == "__main__":
    main()
