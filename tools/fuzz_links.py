"""10,000 fuzzed share links through the URL decoder (issue 16's measurement; CI runs 3,000 in
tests/properties/test_url_fuzz.py): no exception, every problem message escaped; prints the slowest
decode and the peak traced memory.

Usage: python -m tools.fuzz_links [--links N]
"""
from __future__ import annotations

import argparse
import time
import tracemalloc

from hypothesis import HealthCheck, given, settings

from engine.scenario.schema import Scenario
from tests.properties.test_url_fuzz import QUERIES
from ui import url
from ui.safe import md


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=10_000)
    links = parser.parse_args().links
    decoded, slowest_s = [0], [0.0]

    @settings(max_examples=links, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(QUERIES)
    def decode(params):
        start = time.perf_counter()
        parsed = url.from_params(params)
        assert isinstance(parsed.scenario, Scenario)
        for problem in parsed.problems:
            assert "<" not in md(problem, 300).replace("\\<", "")
        slowest_s[0] = max(slowest_s[0], time.perf_counter() - start)
        decoded[0] += 1

    tracemalloc.start()
    start = time.perf_counter()
    decode()
    print(f"{decoded[0]:,} fuzzed links, no exception; slowest decode {slowest_s[0] * 1000:.0f} ms; "
          f"total {time.perf_counter() - start:.0f} s; peak traced memory {tracemalloc.get_traced_memory()[1] / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
