"""The README's two commands: scripts/app runs the app as in production, scripts/test runs every tier."""
import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def _commands(path: Path) -> list[str]:
    """The script's lines without comments, blank lines or backslash continuations."""
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("name", ["app", "test"])
def test_scripts_are_executable_bash(name):
    path = ROOT / "scripts" / name
    assert os.access(path, os.X_OK), f"chmod +x scripts/{name}"
    assert path.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")


def test_app_script_installs_requirements_then_runs_the_app():
    lines = _commands(ROOT / "scripts" / "app")
    install = "python3 -m pip install --quiet --disable-pip-version-check -r requirements.txt"
    assert install in lines
    run = next(i for i, line in enumerate(lines) if "streamlit run app.py" in line)
    assert lines.index(install) < run
    assert lines[run].startswith("exec python3 -m streamlit run app.py --server.headless true ")
    assert '--server.port "${PORT:-8501}"' in lines[run] and lines[run].endswith('"$@"')


def test_ci_runs_exactly_the_test_script():
    # Besides shell options and moving to the repository root, CI does one thing: the README's command.
    lines = _commands(ROOT / ".ci" / "run")
    assert [line for line in lines if not line.startswith(("set ", "cd "))] == ["exec ./scripts/test"]
