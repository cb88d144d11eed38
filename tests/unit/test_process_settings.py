"""The engine's process settings (engine/_memory.py): what importing it changes, and what it leaves alone."""
import subprocess
import sys
from pathlib import Path

from engine._memory import GC_THRESHOLDS, PYTHON_DEFAULT_THRESHOLDS

ROOT = Path(__file__).resolve().parents[2]


def _thresholds(before: str = "pass") -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The collector's thresholds in a fresh interpreter before and after importing the engine."""
    code = f"import gc; {before}; t = gc.get_threshold(); import engine; print(*t, *gc.get_threshold())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    values = tuple(int(x) for x in out.stdout.split())
    half = len(values) // 2
    return values[:half], values[half:]


def test_importing_the_engine_collects_cycles_less_often():
    before, after = _thresholds()
    # on a Python whose defaults differ from 3.11's, the engine leaves them alone (it cannot tell them chosen)
    assert after == (GC_THRESHOLDS if before == PYTHON_DEFAULT_THRESHOLDS else before)


def test_a_process_that_chose_its_own_collector_settings_keeps_them():
    before, after = _thresholds("gc.set_threshold(1000, 5, 5)")
    assert before == after == (1000, 5, 5)
