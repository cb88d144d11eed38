"""The engine's process settings (engine/_memory.py): what importing it changes, and what it leaves alone."""
import subprocess
import sys
from pathlib import Path

from engine._memory import GC_THRESHOLDS

ROOT = Path(__file__).resolve().parents[2]


def _thresholds_after_import(before: str = "pass") -> tuple[int, ...]:
    code = f"import gc; {before}; import engine; print(tuple(gc.get_threshold()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return tuple(int(x) for x in out.stdout.strip().strip("()").split(","))


def test_importing_the_engine_collects_cycles_less_often():
    assert _thresholds_after_import() == GC_THRESHOLDS


def test_a_process_that_chose_its_own_collector_settings_keeps_them():
    assert _thresholds_after_import("gc.set_threshold(1000, 5, 5)") == (1000, 5, 5)
