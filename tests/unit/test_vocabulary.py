"""One vocabulary (STYLE.md items 13 and 14): labels, colours and formatters live once, in present/,
and the app, the brief and the engine's rationale all use them."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from engine.plan import plan
from engine.scenario.schema import Scenario
from present import colours, formatting, labels

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".git", ".venv", "venv", "node_modules", "test-artifacts", "__pycache__"}


def sources(*folders: str) -> list[Path]:
    roots = [ROOT / f for f in folders] if folders else [ROOT]
    return sorted(p for r in roots for p in r.rglob("*.py") if not SKIP & set(p.relative_to(ROOT).parts))


def module_level_names(path: Path) -> set[str]:
    """Names a module binds at its top level (NAME = ..., NAME: type = ...)."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        else:
            targets = [node.target] if isinstance(node, ast.AnnAssign) else []
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def definitions(name: str) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in sources() if name in module_level_names(p)]


def test_kind_colours_and_labels_are_defined_once_in_present():
    assert definitions("KIND_COLOURS") == ["present/colours.py"]
    assert definitions("KIND_LABELS") == ["present/labels.py"]


@pytest.mark.parametrize("module", [labels, colours])
def test_every_shared_table_is_defined_once(module):
    tables = [n for n in vars(module) if n.isupper() and isinstance(getattr(module, n), (dict, tuple))]
    assert tables
    here = str(Path(module.__file__).relative_to(ROOT))
    for name in tables:
        assert definitions(name) == [here], name


def test_present_imports_no_ui_or_plotting_library_and_engine_only_for_types():
    forbidden = {"streamlit", "plotly", "matplotlib", "pandas", "fpdf"}
    offenders = []
    for path in sources("present"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                       for n in ast.walk(block)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            else:
                continue
            for m in modules:
                top = m.split(".")[0]
                if top in forbidden or (top == "engine" and id(node) not in typing_only):
                    offenders.append(f"{path.name}: {m}")
    assert offenders == []


# Scaling by these converts units (1000 / TPOT, fraction * 100, hours per month): present/ and the
# engine do it, screens do not.
UNIT_FACTORS = {100, 1000, 730, 8760}


def unit_arithmetic(source: str) -> list[str]:
    """`x * 100`, `100 * x`, `1000 / x`, `x / 1000`, ... anywhere in the code, f-strings included
    (prose inside string literals, such as the Methodology page's formulas, is not code)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div, ast.FloorDiv)):
            operands = (node.left, node.right)
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Mult, ast.Div, ast.FloorDiv)):
            operands = (node.value,)
        else:
            continue
        if any(isinstance(o, ast.Constant) and type(o.value) in (int, float) and o.value in UNIT_FACTORS
               for o in operands) or any(isinstance(o, ast.Name) and o.id == "HOURS_PER_MONTH" for o in operands):
            found.append((node.lineno, ast.unparse(node)))
    return [f"{line}: {code}" for line, code in sorted(found)]


def test_screens_do_no_unit_arithmetic():
    assert [f"{p.relative_to(ROOT)}:{hit}" for p in sources("pages", "ui")
            for hit in unit_arithmetic(p.read_text(encoding="utf-8"))] == []


def test_the_unit_arithmetic_scan_finds_what_it_looks_for():
    sample = ('a = 1000 / tpot_ms\nb = f"{share * 100:.0f}%"\nc = "per-user speed = 1000 / TPOT"\n'
              "d = hours * HOURS_PER_MONTH\ne = 2 * width\n")
    assert unit_arithmetic(sample) == ["1: 1000 / tpot_ms", "2: share * 100", "4: hours * HOURS_PER_MONTH"]


@pytest.mark.parametrize("usd, text", [(999_600, "$1.0M"), (1_234_567, "$1.2M"), (164_300, "$164k"),
                                       (16_456, "$16.5k"), (9_950, "$9,950"), (0.04487, "$0.045")])
def test_one_money_formatter_for_the_app_and_the_brief(usd, text):
    import report.charts
    import report.content
    import ui.roadmap_view

    assert report.content.fmt is formatting and report.charts.fmt is formatting
    assert ui.roadmap_view.usd_per_month is formatting.usd_per_month
    assert formatting.usd(usd) == text


def test_the_app_and_the_brief_draw_kinds_in_the_same_colours_and_words():
    import report.charts
    import report.html
    import ui.charts

    assert ui.charts.kind_colour is report.charts.kind_colour is colours.kind_colour
    assert report.html.KIND_LABELS is labels.KIND_LABELS
    assert set(colours.KIND_COLOURS) == set(labels.KIND_LABELS)


@pytest.fixture(scope="module")
def support_plan():
    return plan(Scenario.from_yaml((ROOT / "presets" / "support-assistant.yaml").read_text(encoding="utf-8")))


def test_the_engines_rationale_prints_money_with_the_shared_formatter(support_plan):
    rec = support_plan.recommended
    rationale = support_plan.recommendation.rationale
    assert rec is not None
    assert f"{formatting.usd(rec.monthly_tco_usd)} per month" in rationale
    assert f"{formatting.usd(rec.cost_per_1k_queries_usd)} per 1,000 queries" in rationale
    texts = [rationale] + [a.rationale for a in support_plan.recommendation.alternatives]
    # the old engine-only style: two decimals of a million, whole dollars with no unit
    assert not [t for t in texts if re.search(r"\$\d+\.\d\dM|\$\d{1,3}(,\d{3}){2,}", t)]


# What present.formatting.usd prints: $250, $9,950, $2.71, $0.045, $16.5k, $164k, $1.2M (never $17,100).
USD_SHAPE = r"-?\$(\d{1,3}|\d,\d{3}|\d+\.\d+|\d+(\.\d+)?[kMB])"


def test_roadmap_reasons_print_money_with_the_shared_formatter(support_plan):
    reasons = [lv.reason for lv in support_plan.roadmap.levers if "$" in lv.reason]
    assert reasons
    for reason in reasons:
        for figure in re.findall(r"-?\$[\d,.]+[kMB]?", reason):
            assert re.fullmatch(USD_SHAPE, figure.rstrip(".,")), reason
