"""engine/ never imports a UI or plotting library (DESIGN.md, rules of the house)."""
import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

FORBIDDEN = {"streamlit", "plotly", "matplotlib"}


def test_engine_imports_no_ui_or_plotting_library():
    offenders = []
    for path in Path(__file__).resolve().parents[2].joinpath("engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
