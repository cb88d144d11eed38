"""Cold start of the CLI: `python -m engine plan` in fresh interpreters
(`python -m engine bench --cold`).

The budget for a cold run counts the work beyond starting Python and importing code:
reading the catalog and the price data, planning, printing. To separate the two, each
timed child first imports every module that a plan run ends up importing (learned from
one probe run), except the price-data modules, then runs the CLI in the same process.
A second, stricter figure also leaves out everything `import genai_prices` brings in
(pydantic, an HTTP client for live updates, json/decimal helpers), so that import
counts as work too. Wall time of the plain command is reported beside both, with the bare interpreter.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ROOT / "presets"
# genai-prices keeps its price tables in these modules and imports them on first use.
PRICE_DATA_MODULES = ("genai_prices.data", "genai_prices.data_units")

_PROBE = """
import contextlib, io, json, sys
from engine.__main__ import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["plan", sys.argv[1]])
print(json.dumps(sorted(sys.modules)))
"""

# Pre-imports the listed modules (read from stdin), then times the CLI run itself.
_TIMED = """
import contextlib, importlib, io, json, sys, time
names = json.loads(sys.stdin.read())
start = time.perf_counter()
for name in names:
    try:
        importlib.import_module(name)
    except Exception:  # interpreter-internal names (e.g. Cython shims) cannot be imported by name
        pass
imported = time.perf_counter()
from engine.__main__ import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["plan", sys.argv[1]])
done = time.perf_counter()
print(json.dumps({"imports_ms": (imported - start) * 1e3, "run_ms": (done - imported) * 1e3, "exit": code}))
"""


def _python(args: list[str], stdin: str = "") -> tuple[float, str]:
    """Run the interpreter in the repository root; wall time [ms] and stdout."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=ROOT, input=stdin, capture_output=True, text=True,
                          check=True)
    return (time.perf_counter() - start) * 1e3, done.stdout


def modules_imported_by_plan(preset: Path) -> list[str]:
    """Every module `python -m engine plan PRESET` has imported by the time it prints."""
    _, out = _python(["-c", _PROBE, str(preset)])
    return [name for name in json.loads(out) if name != "__main__"]


def modules_only_genai_prices_needs() -> set[str]:
    """Modules `import genai_prices` adds to a bare interpreter (pydantic, httpx, ...)."""
    _, bare = _python(["-c", "import json, sys; print(json.dumps(sorted(sys.modules)))"])
    _, after = _python(["-c", "import genai_prices, json, sys; print(json.dumps(sorted(sys.modules)))"])
    return set(json.loads(after)) - set(json.loads(bare))


def _timed(preset: Path, pre_imports: list[str]) -> dict:
    _, out = _python(["-c", _TIMED, str(preset)], stdin=json.dumps(pre_imports))
    result = json.loads(out)
    if result["exit"] != 0:
        raise RuntimeError(f"python -m engine plan {preset.name} exited {result['exit']}")
    return result


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def run_cold_bench(repeats: int = 5) -> dict[str, dict]:
    """Medians over `repeats` fresh interpreters per preset [ms]."""
    interpreter_ms = [_python(["-c", "pass"])[0] for _ in range(repeats)]
    out: dict[str, dict] = {"interpreter start (python -c pass)": {"median_ms": _median(interpreter_ms),
                                                                   "runs": repeats}}
    genai_prices_closure = modules_only_genai_prices_needs()
    for preset in sorted(PRESETS.glob("*.yaml")):
        modules = modules_imported_by_plan(preset)
        code_only = [m for m in modules if m not in PRICE_DATA_MODULES]
        without_prices = [m for m in modules
                          if m not in genai_prices_closure and m.split(".")[0] != "genai_prices"]
        wall = [_python(["-m", "engine", "plan", str(preset)])[0] for _ in range(repeats)]
        beyond = [_timed(preset, code_only) for _ in range(repeats)]
        strict = [_timed(preset, without_prices)["run_ms"] for _ in range(repeats)]
        out[f"cold plan {preset.stem}"] = {
            "wall_ms": _median(wall),
            "imports_ms": _median([b["imports_ms"] for b in beyond]),
            "beyond_imports_ms": _median([b["run_ms"] for b in beyond]),
            "beyond_imports_with_genai_prices_import_ms": _median(strict),
            "runs": repeats,
        }
    return out
